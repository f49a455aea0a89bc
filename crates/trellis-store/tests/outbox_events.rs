//! Outbox events are read into their kinds: a row that does not hold
//! exactly the fields of its kind is an error, set aside as failed with
//! the reason (for admins to see) instead of being handed out half-filled,
//! skipped without a trace, or blocking the events behind it. On SQLite
//! and, when `TRELLIS_TEST_POSTGRES_URL` is set, on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use trellis_core::account::Username;
use trellis_core::profile::Profile;
use trellis_store::testing::TestDatabase;
use trellis_store::{Backend, KeyPair, NewAccount, OutboxEvent, Store};

async fn with_store<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(db) = TestDatabase::new(backend).await else {
        eprintln!("skipped on {backend:?}: TRELLIS_TEST_POSTGRES_URL is not set");
        return;
    };
    let store = db.store().await;
    test(store.clone()).await;
    store.close().await;
}

/// A local member whose profile changed: one `ProfileChanged` event each.
async fn member_with_event(store: &Store, username: &str) -> uuid::Uuid {
    let account = store
        .register_account(
            &NewAccount {
                username: Username::parse(username).unwrap(),
                password_hash: "hash".into(),
                is_admin: false,
                keys: KeyPair {
                    public_key_pem: "public".into(),
                    private_key_pem: "private".into(),
                },
            },
            None,
            Utc::now(),
        )
        .await
        .unwrap();
    let profile = Profile {
        display_name: username.into(),
        ..Profile::default()
    };
    store
        .put_profile(account.id, &profile, Utc::now())
        .await
        .unwrap();
    account.id
}

/// The ids of the events of these members, as queued.
async fn event_ids<const N: usize>(store: &Store, accounts: [uuid::Uuid; N]) -> [uuid::Uuid; N] {
    let events = store.next_outbox_events(100).await.unwrap();
    accounts.map(|account| {
        events
            .iter()
            .find(|e| {
                e.event
                    == OutboxEvent::ProfileChanged {
                        account_id: account,
                    }
            })
            .expect("the member's event")
            .id
    })
}

/// Rewrites a stored event (as the damage a bug could do).
async fn damage(store: &Store, id: uuid::Uuid, set: &str) {
    let id = match store.backend() {
        Backend::Sqlite => format!("X'{}'", id.simple()),
        Backend::Postgres => format!("'{id}'"),
    };
    let changed = store
        .execute_unchecked(&format!("UPDATE outbox_events SET {set} WHERE id = {id}"))
        .await
        .unwrap();
    assert_eq!(changed, 1);
}

async fn rows_that_do_not_fit_their_kind_are_set_aside_with_the_reason(store: Store) {
    let missing = member_with_event(&store, "missing").await;
    let unknown = member_with_event(&store, "unknown").await;
    let extra = member_with_event(&store, "extra").await;
    let fine = member_with_event(&store, "fine").await;
    let [missing, unknown, extra] = event_ids(&store, [missing, unknown, extra]).await;
    damage(&store, missing, "account_id = NULL").await;
    damage(&store, unknown, "kind = 'profile_renamed'").await;
    damage(&store, extra, "domain = 'b.example'").await;

    let events = store.next_outbox_events(10).await.unwrap();
    assert_eq!(
        events.iter().map(|e| &e.event).collect::<Vec<_>>(),
        [&OutboxEvent::ProfileChanged { account_id: fine }],
        "only the event that fits its kind is handed out"
    );
    let failed = store.failed_outbox_events(10).await.unwrap();
    assert_eq!(failed.total, 3);
    let reasons: Vec<(&str, &str)> = failed
        .items
        .iter()
        .map(|f| (f.kind.as_str(), f.error.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            (
                "profile_changed",
                "domain: set on a profile_changed event, which has none"
            ),
            ("profile_renamed", "kind: unknown event \"profile_renamed\""),
            (
                "profile_changed",
                "account_id: missing on a profile_changed event"
            ),
        ],
        "newest first, each with why"
    );
    assert_eq!(store.failed_outbox_events(1).await.unwrap().items.len(), 1);

    // Set aside once: read again, they are neither handed out nor counted twice.
    assert_eq!(store.next_outbox_events(10).await.unwrap(), events);
    assert_eq!(store.failed_outbox_events(10).await.unwrap().total, 3);
    // The good one completes as ever; the failed ones stay for admins.
    assert!(
        store
            .complete_outbox_event(events[0].id, &[], None, Utc::now())
            .await
            .unwrap()
    );
    assert!(store.next_outbox_events(10).await.unwrap().is_empty());
    assert_eq!(store.failed_outbox_events(10).await.unwrap().total, 3);
}

async fn failed_rows_do_not_hold_back_the_events_behind_them(store: Store) {
    let first = member_with_event(&store, "first").await;
    let second = member_with_event(&store, "second").await;
    let third = member_with_event(&store, "third").await;
    let [first, second] = event_ids(&store, [first, second]).await;
    damage(&store, first, "account_id = NULL").await;
    damage(&store, second, "account_id = NULL").await;
    // A page of one: the first two rows fail, the third is still found.
    let events = store.next_outbox_events(1).await.unwrap();
    assert_eq!(
        events.iter().map(|e| &e.event).collect::<Vec<_>>(),
        [&OutboxEvent::ProfileChanged { account_id: third }]
    );
    assert_eq!(store.failed_outbox_events(10).await.unwrap().total, 2);
}

macro_rules! on_every_backend {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $test() {
                    super::with_store(trellis_store::Backend::Sqlite, super::$test).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $test() {
                    super::with_store(trellis_store::Backend::Postgres, super::$test).await;
                }
            )*
        }
    };
}

on_every_backend!(
    rows_that_do_not_fit_their_kind_are_set_aside_with_the_reason,
    failed_rows_do_not_hold_back_the_events_behind_them,
);
