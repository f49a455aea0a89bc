//! The local mentor directory: filters, pages and counts.

use trellis_core::profile::{LanguageTag, MentorSettings};
use trellis_core::visibility::Visibility;
use trellis_store::{DirectoryQuery, Store};
use trellis_test_macros::on_every_backend;

use crate::support::{key, level, make_mentor, mentor_profile, query, usernames};

#[on_every_backend]
async fn the_directory_filters_by_visibility_and_mentoring(store: Store) {
    for v in Visibility::ALL {
        make_mentor(&store, v.as_str(), mentor_profile(v, &[], &["en"])).await;
    }
    let mut not_mentor = mentor_profile(Visibility::Public, &[], &["en"]);
    not_mentor.mentor = MentorSettings::default();
    make_mentor(&store, "mentee_only", not_mentor).await;
    let mut full = mentor_profile(Visibility::Public, &[], &["en"]);
    full.mentor.accepting_mentees = false;
    make_mentor(&store, "zz_full", full).await;

    let anonymous = store
        .search_mentors(&query(&[Visibility::Public]))
        .await
        .unwrap();
    assert_eq!(usernames(&anonymous), ["public", "zz_full"]);
    let member = store
        .search_mentors(&query(&[
            Visibility::Organization,
            Visibility::Federated,
            Visibility::Public,
        ]))
        .await
        .unwrap();
    assert_eq!(
        usernames(&member),
        ["federated", "organization", "public", "zz_full"]
    );
    assert_eq!(member.total, 4);
    let accepting = store
        .search_mentors(&DirectoryQuery {
            accepting_only: true,
            ..query(&Visibility::ALL)
        })
        .await
        .unwrap();
    assert_eq!(
        usernames(&accepting),
        ["federated", "organization", "private", "public"]
    );
    assert_eq!(store.search_mentors(&query(&[])).await.unwrap().total, 0);
}

#[on_every_backend]
async fn the_directory_filters_by_skill_language_and_text(store: Store) {
    make_mentor(
        &store,
        "dns_pro",
        mentor_profile(
            Visibility::Public,
            &[("networking.dns", 6), ("systems.incident-response", 3)],
            &["pt-BR"],
        ),
    )
    .await;
    make_mentor(
        &store,
        "dns_new",
        mentor_profile(Visibility::Public, &[("networking.dns", 2)], &["en", "pt"]),
    )
    .await;
    let mut writer = mentor_profile(
        Visibility::Public,
        &[("systems.incident-response", 5)],
        &["de"],
    );
    writer.headline = "Writes 100%_true runbooks".into();
    writer.display_name = "Ünal Writer".into();
    make_mentor(&store, "writer", writer).await;

    let all = query(&[Visibility::Public]);
    let dns = DirectoryQuery {
        skills: vec![key("networking.dns")],
        ..all.clone()
    };
    assert_eq!(
        usernames(&store.search_mentors(&dns).await.unwrap()),
        ["dns_new", "dns_pro"]
    );
    let senior = DirectoryQuery {
        min_level: Some(level(4)),
        ..dns.clone()
    };
    assert_eq!(
        usernames(&store.search_mentors(&senior).await.unwrap()),
        ["dns_pro"]
    );
    let both = DirectoryQuery {
        skills: vec![key("networking.dns"), key("systems.incident-response")],
        ..all.clone()
    };
    assert_eq!(
        usernames(&store.search_mentors(&both).await.unwrap()),
        ["dns_pro"]
    );
    let portuguese = DirectoryQuery {
        language: Some(LanguageTag::parse("pt").unwrap()),
        ..all.clone()
    };
    assert_eq!(
        usernames(&store.search_mentors(&portuguese).await.unwrap()),
        ["dns_new", "dns_pro"]
    );
    let brazilian = DirectoryQuery {
        language: Some(LanguageTag::parse("pt-BR").unwrap()),
        ..all.clone()
    };
    assert_eq!(
        usernames(&store.search_mentors(&brazilian).await.unwrap()),
        ["dns_pro"]
    );
    let text = |t: &str| DirectoryQuery {
        text: Some(t.into()),
        ..all.clone()
    };
    assert_eq!(
        usernames(
            &store
                .search_mentors(&text("RUNBOOKS writes"))
                .await
                .unwrap()
        ),
        ["writer"]
    );
    assert_eq!(
        usernames(&store.search_mentors(&text("100%_true")).await.unwrap()),
        ["writer"]
    );
    assert!(
        store
            .search_mentors(&text("100%_false"))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        store
            .search_mentors(&text("runbooks dns_pro"))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert_eq!(
        usernames(&store.search_mentors(&text("coffee")).await.unwrap()).len(),
        3
    );
    assert!(
        store.search_mentors(&text("%")).await.unwrap().items.len() == 1,
        "a % matches only itself"
    );
}

#[on_every_backend]
async fn the_directory_pages_and_counts(store: Store) {
    for i in 0..7 {
        make_mentor(
            &store,
            &format!("mentor_{i}"),
            mentor_profile(Visibility::Organization, &[], &["en"]),
        )
        .await;
    }
    let page = |offset| DirectoryQuery {
        limit: 3,
        offset,
        ..query(&[Visibility::Organization])
    };
    let first = store.search_mentors(&page(0)).await.unwrap();
    let last = store.search_mentors(&page(6)).await.unwrap();
    let beyond = store.search_mentors(&page(9)).await.unwrap();
    assert_eq!(usernames(&first), ["mentor_0", "mentor_1", "mentor_2"]);
    assert_eq!(usernames(&last), ["mentor_6"]);
    assert!(beyond.items.is_empty());
    assert_eq!((first.total, last.total, beyond.total), (7, 7, 7));
    // Profiles come back whole, lists included.
    assert_eq!(
        first.items[0].profile.languages,
        [LanguageTag::parse("en").unwrap()]
    );
}
