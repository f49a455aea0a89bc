//! What matching reads: candidates and a version that moves with them.

use trellis_core::profile::{LanguageTag, Timezone};
use trellis_core::visibility::Visibility;
use trellis_store::{SettingsChange, Store};
use trellis_test_macros::on_every_backend;

use crate::support::{account, ask, make_mentor, mentor_profile, now};

#[on_every_backend]
async fn matching_reads_its_candidates_and_a_version_that_moves_with_them(store: Store) {
    let shown = [
        Visibility::Organization,
        Visibility::Federated,
        Visibility::Public,
    ];
    let start = store.matching_version().await.unwrap();
    let ada = make_mentor(
        &store,
        "ada",
        mentor_profile(
            Visibility::Organization,
            &[("networking.dns", 5)],
            &["en", "de"],
        ),
    )
    .await;
    let after_ada = store.matching_version().await.unwrap();
    assert!(after_ada > start, "a new mentor moves the version");
    let mut full = mentor_profile(Visibility::Organization, &[], &["en"]);
    full.mentor.accepting_mentees = false;
    make_mentor(&store, "full", full).await;
    make_mentor(
        &store,
        "hidden",
        mentor_profile(Visibility::Private, &[], &["en"]),
    )
    .await;
    let mentee = account(&store, "mia").await.id;

    let candidates = store.match_candidates(&shown).await.unwrap();
    assert_eq!(
        candidates.len(),
        1,
        "only mentors taking mentees, not private"
    );
    let found = &candidates[0];
    assert_eq!(found.account_id, ada);
    assert_eq!(found.domain, None);
    assert_eq!(found.capacity, 2);
    assert_eq!(
        found.timezone.as_ref().map(Timezone::name),
        Some("Europe/Berlin")
    );
    assert_eq!(
        found
            .skills
            .iter()
            .map(|s| (s.skill.as_str(), s.level.get()))
            .collect::<Vec<_>>(),
        [("networking.dns", 5)]
    );
    assert_eq!(
        found
            .languages
            .iter()
            .map(LanguageTag::as_str)
            .collect::<Vec<_>>(),
        ["en", "de"]
    );
    assert_eq!(found.load, trellis_store::MentorLoad::default());

    // Things matching does not read leave the version alone.
    let before = store.matching_version().await.unwrap();
    store
        .change_settings(&SettingsChange {
            organization_name: Some("Renamed".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(store.matching_version().await.unwrap(), before);

    // A request changes the mentor's load, and the version with it.
    store
        .request_mentorship(&ask(ada, mentee), now())
        .await
        .unwrap();
    let after_request = store.matching_version().await.unwrap();
    assert!(after_request > before);
    let candidates = store.match_candidates(&shown).await.unwrap();
    assert_eq!(candidates[0].load.pending, 1);

    // So does a change of languages alone.
    let mut changed = mentor_profile(Visibility::Organization, &[("networking.dns", 5)], &["fr"]);
    changed.display_name = "Ada".into();
    store.put_profile(ada, &changed, now()).await.unwrap();
    assert!(store.matching_version().await.unwrap() > after_request);

    // Profiles by id come in the order asked, unknown ids left out.
    let found = store
        .profiles(&[mentee, uuid::Uuid::now_v7(), ada])
        .await
        .unwrap();
    assert_eq!(
        found.iter().map(|r| r.account_id).collect::<Vec<_>>(),
        [mentee, ada]
    );
    assert_eq!(found[1].profile.display_name, "Ada");
}
