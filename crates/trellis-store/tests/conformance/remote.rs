//! People of other instances, as this one caches and finds them.

use trellis_core::account::Username;
use trellis_core::partnership::Partnership;
use trellis_store::{InstanceActor, Store};
use trellis_test_macros::on_every_backend;

use crate::support::{account, name, now, remote_person};

#[on_every_backend]
async fn remote_people_are_cached_and_refreshed(store: Store) {
    account(&store, "ada").await;
    let cached = store
        .upsert_remote_person(&remote_person("ada", "b.example"))
        .await
        .unwrap();
    assert_ne!(cached.account_id, uuid::Uuid::nil());
    let found = store
        .remote_person("https://b.example/users/ada")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, cached);
    // The same name on another instance is another person; locally, "ada" is still ours.
    assert_eq!(
        store
            .account_by_username(&name("ada"))
            .await
            .unwrap()
            .unwrap()
            .username
            .as_str(),
        "ada"
    );
    assert_eq!(
        store.count_accounts().await.unwrap(),
        1,
        "remote people are not members here"
    );
    let mut moved = remote_person("ada", "b.example");
    moved.also_known_as = vec!["https://c.example/users/ada".into()];
    moved.display_name = "Ada B.".into();
    let refreshed = store.upsert_remote_person(&moved).await.unwrap();
    assert_eq!(
        refreshed.account_id, cached.account_id,
        "refreshing keeps the account"
    );
    let found = store
        .remote_person(&moved.actor_url)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (found.display_name.as_str(), found.also_known_as.len()),
        ("Ada B.", 1)
    );
    assert_eq!(
        store
            .remote_person("https://b.example/users/nobody")
            .await
            .unwrap(),
        None
    );

    let actor = InstanceActor {
        domain: "b.example".into(),
        actor_url: "https://b.example/actor".into(),
        inbox_url: "https://b.example/actor/inbox".into(),
        shared_inbox_url: None,
        public_key_pem: "pem".into(),
        name: Some("B".into()),
    };
    let instance = store.upsert_instance_actor(&actor, now()).await.unwrap();
    assert_eq!(instance.actor, Some(actor.clone()));
    assert_eq!(instance.partnership, Partnership::None);
    assert_eq!(
        store
            .instance_by_actor("https://b.example/actor")
            .await
            .unwrap()
            .unwrap()
            .domain,
        "b.example"
    );
}

#[on_every_backend]
async fn members_elsewhere_are_found_by_name_and_domain(store: Store) {
    let ada = Username::parse("ada").unwrap();
    assert_eq!(store.remote_profile(&ada, "b.example").await.unwrap(), None);
    let remote = store
        .upsert_remote_person(&remote_person("ada", "b.example"))
        .await
        .unwrap();
    account(&store, "ada").await;
    let found = store
        .remote_profile(&ada, "b.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.account_id, remote.account_id);
    assert_eq!(found.domain.as_deref(), Some("b.example"));
    assert_eq!(store.remote_profile(&ada, "c.example").await.unwrap(), None);
}
