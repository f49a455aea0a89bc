//! The skills catalog: seeded, changed and retired by admins.

use trellis_core::skill::{DEFAULT_CATALOG, SkillSeed};
use trellis_store::{Skill, SkillChange, Store, StoreError};
use trellis_test_macros::on_every_backend;

use crate::support::{key, now};

#[on_every_backend]
async fn seeding_adds_missing_skills_and_respects_admin_changes(store: Store) {
    // `run` seeded the catalog already.
    assert_eq!(
        store.list_skills(false).await.unwrap().len(),
        DEFAULT_CATALOG.len()
    );
    assert_eq!(store.seed_skills(DEFAULT_CATALOG, now()).await.unwrap(), 0);
    let first = key(DEFAULT_CATALOG[0].key);
    store
        .change_skill(
            &first,
            &SkillChange {
                name: Some("Renamed".into()),
                retired: Some(true),
                ..SkillChange::default()
            },
            now(),
        )
        .await
        .unwrap();
    let extra = SkillSeed {
        key: "systems.new-thing",
        family: "systems",
        name: "New thing",
        description: "d",
    };
    let mut seeds = DEFAULT_CATALOG.to_vec();
    seeds.push(extra);
    assert_eq!(store.seed_skills(&seeds, now()).await.unwrap(), 1);
    let kept = store.skill(&first).await.unwrap();
    assert_eq!(
        (kept.name.as_str(), kept.retired, kept.builtin),
        ("Renamed", true, true)
    );
}

#[on_every_backend]
async fn skills_can_be_added_changed_and_retired(store: Store) {
    let custom = Skill {
        key: key("custom.ham-radio"),
        family: "communication".into(),
        name: "Ham radio".into(),
        description: "Talking over the air.".into(),
        builtin: false,
        retired: false,
    };
    assert_eq!(store.create_skill(&custom, now()).await.unwrap(), custom);
    assert!(matches!(
        store.create_skill(&custom, now()).await,
        Err(StoreError::Conflict(_))
    ));
    let renamed = store
        .change_skill(
            &custom.key,
            &SkillChange {
                name: Some("Amateur radio".into()),
                ..SkillChange::default()
            },
            now(),
        )
        .await
        .unwrap();
    assert_eq!(renamed.name, "Amateur radio");
    assert_eq!(renamed.description, custom.description);
    let retired = store
        .change_skill(
            &custom.key,
            &SkillChange {
                retired: Some(true),
                ..SkillChange::default()
            },
            now(),
        )
        .await
        .unwrap();
    assert!(retired.retired);
    assert!(
        !store
            .list_skills(false)
            .await
            .unwrap()
            .iter()
            .any(|s| s.key == custom.key)
    );
    assert!(
        store
            .list_skills(true)
            .await
            .unwrap()
            .iter()
            .any(|s| s.key == custom.key)
    );
    let restored = store
        .change_skill(
            &custom.key,
            &SkillChange {
                retired: Some(false),
                ..SkillChange::default()
            },
            now(),
        )
        .await
        .unwrap();
    assert!(!restored.retired);
    assert!(matches!(
        store
            .change_skill(&key("no.such"), &SkillChange::default(), now())
            .await,
        Err(StoreError::NotFound)
    ));
    let listed = store.list_skills(false).await.unwrap();
    let families: Vec<_> = listed.iter().map(|s| s.family.as_str()).collect();
    let mut sorted = families.clone();
    sorted.sort_unstable();
    assert_eq!(families, sorted, "listed by family");
}
