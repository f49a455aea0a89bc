//! Profiles: stored as given, and refused whole.

use trellis_core::profile::{
    GoalTarget, Goals, LanguageTag, MentorSettings, Profile, ProfileSkill, Timezone,
};
use trellis_core::visibility::Visibility;
use trellis_store::{Store, StoreError};
use trellis_test_macros::on_every_backend;

use crate::support::{account, key, level, mentor_profile, name, now};

#[on_every_backend]
async fn profiles_round_trip_in_order(store: Store) {
    let ada = account(&store, "ada").await;
    let profile = Profile {
        display_name: "Ada L.".into(),
        headline: "SRE".into(),
        bio: "Line one\nline two".into(),
        timezone: Some(Timezone::parse("America/Sao_Paulo").unwrap()),
        languages: vec![
            LanguageTag::parse("pt-BR").unwrap(),
            LanguageTag::parse("en").unwrap(),
        ],
        skills: vec![
            ProfileSkill {
                skill: key("systems.incident-response"),
                level: level(5),
                wants_to_grow: false,
            },
            ProfileSkill {
                skill: key("networking.dns"),
                level: level(2),
                wants_to_grow: true,
            },
        ],
        goals: Goals {
            summary: "Lead a network team".into(),
            targets: vec![GoalTarget {
                skill: key("networking.dns"),
                level: level(5),
            }],
        },
        mentor: MentorSettings {
            offers_mentoring: true,
            accepting_mentees: false,
            capacity: 3,
            hours_per_month: 6,
        },
        visibility: Visibility::Federated,
    };
    let saved = store.put_profile(ada.id, &profile, now()).await.unwrap();
    assert_eq!(saved.profile, profile);
    assert_eq!(
        store
            .profile_by_username(&name("ada"))
            .await
            .unwrap()
            .profile,
        profile
    );
    let smaller = Profile {
        skills: vec![],
        languages: vec![],
        ..profile.clone()
    };
    assert_eq!(
        store
            .put_profile(ada.id, &smaller, now())
            .await
            .unwrap()
            .profile,
        smaller
    );
    assert!(matches!(
        store
            .put_profile(uuid::Uuid::now_v7(), &profile, now())
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.profile_by_username(&name("nobody")).await,
        Err(StoreError::NotFound)
    ));
}

#[on_every_backend]
async fn a_profile_naming_an_unknown_skill_changes_nothing(store: Store) {
    let ada = account(&store, "ada").await;
    let good = mentor_profile(Visibility::Public, &[("networking.dns", 3)], &["en"]);
    store.put_profile(ada.id, &good, now()).await.unwrap();
    let mut bad = mentor_profile(
        Visibility::Private,
        &[("networking.dns", 6), ("made.up", 3)],
        &["de"],
    );
    bad.headline = "Changed".into();
    let result = store.put_profile(ada.id, &bad, now()).await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
    assert_eq!(store.profile(ada.id).await.unwrap().profile, good);
}

#[on_every_backend]
async fn admins_find_members_by_username_or_name_here_first(store: Store) {
    use crate::support::{make_mentor, mentor_profile, remote_account};
    let mut profile = mentor_profile(Visibility::Organization, &[], &["en"]);
    profile.display_name = "Ada Lovelace".into();
    make_mentor(&store, "ada", profile.clone()).await;
    profile.display_name = "Bo 100%_sure".into();
    make_mentor(&store, "bo", profile).await;
    remote_account(&store, "adam", "b.example").await;
    let found = |text: &'static str| {
        let store = store.clone();
        async move {
            store
                .find_members(text, 10)
                .await
                .unwrap()
                .into_iter()
                .map(|p| p.username.as_str().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found("AD").await, ["ada", "adam"], "here first, any case");
    assert_eq!(found("lovelace").await, ["ada"], "by name");
    assert_eq!(found("%_").await, ["bo"], "wildcards are plain characters");
    assert!(found("zz").await.is_empty());
    assert_eq!(store.find_members("a", 1).await.unwrap().len(), 1);
}
