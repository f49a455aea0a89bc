//! Accounts, invites and sign-in tokens.

use chrono::{DateTime, Duration, Utc};
use trellis_core::profile::Profile;
use trellis_store::{NewAccount, NewInvite, Store, StoreError};
use trellis_test_macros::on_every_backend;

use crate::support::{account, keys, name, now};

fn invite(
    code_hash: &[u8],
    max_uses: u32,
    expires_at: Option<DateTime<Utc>>,
    by: uuid::Uuid,
) -> NewInvite {
    NewInvite {
        code_hash: code_hash.to_vec(),
        created_by: by,
        note: "for the spring cohort".into(),
        max_uses,
        expires_at,
    }
}

#[on_every_backend]
async fn accounts_are_created_with_an_empty_profile(store: Store) {
    let ada = account(&store, "ada").await;
    assert_eq!(ada.username.as_str(), "ada");
    assert!(!ada.is_admin);
    assert_eq!(store.account(ada.id).await.unwrap(), ada);
    assert_eq!(
        store.account_by_username(&name("ada")).await.unwrap(),
        Some(ada.clone())
    );
    assert_eq!(store.account_by_username(&name("bob")).await.unwrap(), None);
    let profile = store.profile(ada.id).await.unwrap();
    assert_eq!(profile.profile, Profile::default());
    assert_eq!(profile.username, ada.username);
    store.set_admin(ada.id, true).await.unwrap();
    assert!(store.account(ada.id).await.unwrap().is_admin);
    assert_eq!(store.count_accounts().await.unwrap(), 1);
    assert!(matches!(
        store.account(uuid::Uuid::now_v7()).await,
        Err(StoreError::NotFound)
    ));
}

#[on_every_backend]
async fn a_taken_username_is_a_conflict(store: Store) {
    account(&store, "ada").await;
    let again = store
        .register_account(
            &NewAccount {
                username: name("ADA"),
                password_hash: "x".into(),
                is_admin: true,
                keys: keys(),
            },
            None,
            now(),
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(store.count_accounts().await.unwrap(), 1);
    assert!(
        !store
            .account_by_username(&name("ada"))
            .await
            .unwrap()
            .unwrap()
            .is_admin
    );
}

#[on_every_backend]
async fn invites_are_used_up_expire_and_can_be_revoked(store: Store) {
    let admin = account(&store, "admin").await;
    let twice = store
        .create_invite(&invite(b"twice", 2, None, admin.id), now())
        .await
        .unwrap();
    assert_eq!(
        (twice.uses, twice.max_uses, twice.note.as_str()),
        (0, 2, "for the spring cohort")
    );
    let register = |username: &'static str, code: &'static [u8]| {
        let store = store.clone();
        async move {
            store
                .register_account(
                    &NewAccount {
                        username: name(username),
                        password_hash: "h".into(),
                        is_admin: false,
                        keys: keys(),
                    },
                    Some(code),
                    now(),
                )
                .await
        }
    };
    register("m1", b"twice").await.unwrap();
    register("m2", b"twice").await.unwrap();
    assert!(matches!(
        register("m3", b"twice").await,
        Err(StoreError::InvalidInvite)
    ));
    assert!(matches!(
        register("m3", b"unknown").await,
        Err(StoreError::InvalidInvite)
    ));

    store
        .create_invite(
            &invite(b"stale", 5, Some(now() - Duration::minutes(1)), admin.id),
            now(),
        )
        .await
        .unwrap();
    assert!(matches!(
        register("m4", b"stale").await,
        Err(StoreError::InvalidInvite)
    ));

    let revoked = store
        .create_invite(&invite(b"revoked", 5, None, admin.id), now())
        .await
        .unwrap();
    let first = store.revoke_invite(revoked.id, now()).await.unwrap();
    let second = store
        .revoke_invite(revoked.id, now() + Duration::hours(1))
        .await
        .unwrap();
    assert!(first.revoked_at.is_some());
    assert_eq!(first.revoked_at, second.revoked_at);
    assert!(matches!(
        register("m5", b"revoked").await,
        Err(StoreError::InvalidInvite)
    ));
    assert!(matches!(
        store.revoke_invite(uuid::Uuid::now_v7(), now()).await,
        Err(StoreError::NotFound)
    ));

    for missing in ["m3", "m4", "m5"] {
        assert_eq!(
            store.account_by_username(&name(missing)).await.unwrap(),
            None
        );
    }
    let listed = store.list_invites().await.unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed.last().unwrap().id, twice.id, "newest first");
    assert_eq!(listed.last().unwrap().uses, 2);
}

#[on_every_backend]
async fn a_failed_registration_does_not_use_the_invite(store: Store) {
    let admin = account(&store, "admin").await;
    let once = store
        .create_invite(&invite(b"once", 1, None, admin.id), now())
        .await
        .unwrap();
    let taken = store
        .register_account(
            &NewAccount {
                username: name("admin"),
                password_hash: "h".into(),
                is_admin: false,
                keys: keys(),
            },
            Some(b"once"),
            now(),
        )
        .await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))));
    let invites = store.list_invites().await.unwrap();
    assert_eq!(invites[0].id, once.id);
    assert_eq!(
        invites[0].uses, 0,
        "the invite was used by a registration that failed"
    );
}

#[on_every_backend]
async fn tokens_sign_in_until_they_expire_or_are_deleted(store: Store) {
    let ada = account(&store, "ada").await;
    let t0 = now();
    store
        .insert_token(b"live", ada.id, t0, t0 + Duration::days(30))
        .await
        .unwrap();
    store
        .insert_token(b"short", ada.id, t0, t0 + Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(
        store
            .account_by_token(b"live", t0)
            .await
            .unwrap()
            .map(|a| a.id),
        Some(ada.id)
    );
    assert!(
        store
            .account_by_token(b"short", t0)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store
            .account_by_token(b"short", t0 + Duration::seconds(2))
            .await
            .unwrap(),
        None
    );
    assert_eq!(store.account_by_token(b"nothing", t0).await.unwrap(), None);
    // A new token sweeps the account's expired ones away.
    store
        .insert_token(
            b"later",
            ada.id,
            t0 + Duration::seconds(2),
            t0 + Duration::days(1),
        )
        .await
        .unwrap();
    assert!(!store.delete_token(b"short").await.unwrap());
    assert!(store.delete_token(b"live").await.unwrap());
    assert_eq!(store.account_by_token(b"live", t0).await.unwrap(), None);
    assert!(
        store
            .account_by_token(b"later", t0)
            .await
            .unwrap()
            .is_some()
    );
    assert!(matches!(
        store.insert_token(b"later", ada.id, t0, t0).await,
        Err(StoreError::Conflict(_))
    ));
}
