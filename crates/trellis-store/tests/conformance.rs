//! The store's behaviour, written once and proven on every backend: each
//! test runs on a fresh SQLite file and, when `TRELLIS_TEST_POSTGRES_URL`
//! is set, on a fresh PostgreSQL database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, Utc};
use trellis_core::account::Username;
use trellis_core::cohort::Unassigned;
use trellis_core::matching::{Factor, FactorScore, Weights};
use trellis_core::mentorship::MentorshipState;
use trellis_core::partnership::Partnership;
use trellis_core::profile::{
    GoalTarget, Goals, LanguageTag, MentorSettings, Profile, ProfileSkill, Timezone,
};
use trellis_core::settings::RegistrationMode;
use trellis_core::skill::{DEFAULT_CATALOG, SkillKey, SkillLevel, SkillSeed};
use trellis_core::visibility::Visibility;
use trellis_store::testing::TestDatabase;
use trellis_store::{
    AttemptResult, Backend, DeliveryState, DirectoryQuery, InstanceActor, KeyPair, MentorshipStep,
    NewAccount, NewDelivery, NewInvite, NewMentorship, OutboxEvent, OutboxEventKind,
    PartnershipStep, RemotePerson, Scope, SettingsChange, Skill, SkillChange, StepOutcome, Store,
    StoreError,
};
use trellis_store::{
    Cohort, CohortApproval, CohortStatus, NewCohort, NewProposal, ProposedFor, RequestOutcome,
};

/// Runs each named test against every backend that is available.
macro_rules! conformance {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $test() {
                    super::run(trellis_store::Backend::Sqlite, super::$test).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $test() {
                    super::run(trellis_store::Backend::Postgres, super::$test).await;
                }
            )*
        }
    };
}

conformance!(
    accounts_are_created_with_an_empty_profile,
    a_taken_username_is_a_conflict,
    invites_are_used_up_expire_and_can_be_revoked,
    a_failed_registration_does_not_use_the_invite,
    tokens_sign_in_until_they_expire_or_are_deleted,
    settings_change_only_what_is_given,
    seeding_adds_missing_skills_and_respects_admin_changes,
    skills_can_be_added_changed_and_retired,
    profiles_round_trip_in_order,
    a_profile_naming_an_unknown_skill_changes_nothing,
    the_directory_filters_by_visibility_and_mentoring,
    the_directory_filters_by_skill_language_and_text,
    the_directory_pages_and_counts,
    instance_keys_are_made_once,
    remote_people_are_cached_and_refreshed,
    partnership_steps_compare_and_set_and_skip_repeats,
    a_block_ends_the_partnership_and_drops_the_queue,
    deliveries_are_claimed_attempted_and_kept_until_delivered,
    profile_changes_queue_events_in_the_same_transaction,
    partners_profiles_show_in_the_directory_only_while_partners,
    an_ended_partnership_withdraws_the_partners_profiles,
    mentorships_are_requested_moved_and_logged,
    one_open_mentorship_per_pair_and_never_oneself,
    a_mentor_takes_no_more_mentees_than_their_capacity,
    two_acceptances_cannot_both_take_the_last_place,
    cohorts_are_created_listed_and_given_members,
    a_proposal_is_stored_replaced_and_dropped_when_members_change,
    approval_requests_each_pair_once_and_closes_the_cohort,
    members_are_found_by_handle_with_their_profiles_and_open_pairs,
    steps_with_a_member_elsewhere_go_to_the_outbox_once,
    a_request_from_elsewhere_that_finds_no_room_is_declined_with_the_reason,
    members_elsewhere_are_found_by_name_and_domain,
    sessions_are_kept_while_under_way_with_notes_apart,
    matching_reads_its_candidates_and_a_version_that_moves_with_them,
    reviews_take_each_part_once_and_travel_to_a_party_elsewhere,
    due_reviews_are_told_once_per_due_date,
    plans_are_kept_as_versions,
    growth_is_shared_with_mentors_elsewhere_and_kept_while_under_way,
    a_move_out_freezes_the_account_and_follows_local_counterparts_once,
    a_moved_member_elsewhere_is_followed_and_their_file_imported_once,
    a_nomination_runs_through_every_stage_to_an_induction,
    nominations_keep_to_the_cycle_the_track_and_the_nominees_file,
    the_decision_log_refuses_updates_and_deletes,
    two_decisions_on_one_log_cannot_both_apply,
    endorsements_are_given_by_the_parties_once_per_skill,
    endorsements_travel_to_a_subject_elsewhere_and_are_received_once,
    an_endorsement_is_withdrawn_by_its_endorser_and_may_be_given_anew,
    credentials_are_signed_as_issued_and_revoked_once,
    automatic_awards_happen_once_even_when_sessions_race,
    hand_awards_refuse_repeats_retired_achievements_and_members_elsewhere,
);

async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(db) = TestDatabase::new(backend).await else {
        eprintln!("skipped on {backend:?}: TRELLIS_TEST_POSTGRES_URL is not set");
        return;
    };
    let store = db.store().await;
    store
        .seed_skills(DEFAULT_CATALOG, Utc::now())
        .await
        .expect("seed the catalog");
    test(store.clone()).await;
    store.close().await;
}

fn name(raw: &str) -> Username {
    Username::parse(raw).unwrap()
}

fn key(raw: &str) -> SkillKey {
    SkillKey::parse(raw).unwrap()
}

fn level(n: u8) -> SkillLevel {
    SkillLevel::try_from(n).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

/// The store keeps keys as given; these need not be real.
fn keys() -> KeyPair {
    KeyPair {
        public_key_pem: "public".into(),
        private_key_pem: "private".into(),
    }
}

async fn account(store: &Store, username: &str) -> trellis_store::Account {
    store
        .register_account(
            &NewAccount {
                username: name(username),
                password_hash: format!("hash-of-{username}"),
                is_admin: false,
                keys: keys(),
            },
            None,
            now(),
        )
        .await
        .unwrap()
}

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

async fn settings_change_only_what_is_given(store: Store) {
    let initial = store.settings().await.unwrap();
    assert_eq!(initial.registration_mode, RegistrationMode::Open);
    assert_eq!(initial.organization_name, "Trellis");
    let changed = store
        .change_settings(&SettingsChange {
            registration_mode: Some(RegistrationMode::InviteOnly),
            ..SettingsChange::default()
        })
        .await
        .unwrap();
    assert_eq!(changed.registration_mode, RegistrationMode::InviteOnly);
    assert_eq!(changed.organization_name, "Trellis");
    let renamed = store
        .change_settings(&SettingsChange {
            organization_name: Some("Sysadmins of the North".into()),
            organization_description: Some("A society.".into()),
            ..SettingsChange::default()
        })
        .await
        .unwrap();
    assert_eq!(renamed.registration_mode, RegistrationMode::InviteOnly);
    assert_eq!(store.settings().await.unwrap(), renamed);
}

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

fn mentor_profile(visibility: Visibility, skills: &[(&str, u8)], languages: &[&str]) -> Profile {
    Profile {
        display_name: "Someone".into(),
        headline: "Network engineer".into(),
        bio: "Routing and coffee.".into(),
        timezone: Some(Timezone::parse("Europe/Berlin").unwrap()),
        languages: languages
            .iter()
            .map(|l| LanguageTag::parse(l).unwrap())
            .collect(),
        skills: skills
            .iter()
            .map(|(k, l)| ProfileSkill {
                skill: key(k),
                level: level(*l),
                wants_to_grow: false,
            })
            .collect(),
        goals: Goals::default(),
        mentor: MentorSettings {
            offers_mentoring: true,
            accepting_mentees: true,
            capacity: 2,
            hours_per_month: 4,
        },
        visibility,
    }
}

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

async fn make_mentor(store: &Store, username: &str, profile: Profile) -> uuid::Uuid {
    let id = account(store, username).await.id;
    store.put_profile(id, &profile, now()).await.unwrap();
    id
}

fn query(visible: &[Visibility]) -> DirectoryQuery {
    DirectoryQuery {
        scope: Scope::Local,
        visible: visible.to_vec(),
        skills: vec![],
        min_level: None,
        language: None,
        text: None,
        accepting_only: false,
        limit: 50,
        offset: 0,
    }
}

fn usernames(page: &trellis_store::Page<trellis_store::ProfileRecord>) -> Vec<&str> {
    page.items.iter().map(|p| p.username.as_str()).collect()
}

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

async fn instance_keys_are_made_once(store: Store) {
    assert_eq!(store.instance_keys().await.unwrap(), None);
    let first = store.init_instance_keys(&keys()).await.unwrap();
    let other = KeyPair {
        public_key_pem: "other".into(),
        private_key_pem: "other".into(),
    };
    assert_eq!(
        store.init_instance_keys(&other).await.unwrap(),
        first,
        "the first pair stays"
    );
    assert_eq!(store.instance_keys().await.unwrap(), Some(keys()));
}

fn remote_person(username: &str, domain: &str) -> RemotePerson {
    RemotePerson {
        account_id: uuid::Uuid::nil(),
        actor_url: format!("https://{domain}/users/{username}"),
        username: name(username),
        domain: domain.into(),
        display_name: format!("{username} of {domain}"),
        inbox_url: format!("https://{domain}/users/{username}/inbox"),
        shared_inbox_url: Some(format!("https://{domain}/inbox")),
        public_key_pem: "pem".into(),
        also_known_as: vec![],
        moved_to: None,
        fetched_at: now(),
    }
}

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

fn delivery(domain: &str, n: u32) -> NewDelivery {
    NewDelivery {
        domain: domain.into(),
        inbox_url: format!("https://{domain}/inbox"),
        activity_id: format!("https://a.example/activities/{n}"),
        signer: None,
        body: format!("{{\"n\": {n}}}"),
    }
}

fn step(
    domain: &str,
    from: Partnership,
    to: Partnership,
    received: Option<&str>,
) -> PartnershipStep {
    PartnershipStep {
        domain: domain.into(),
        from,
        to,
        our_follow: None,
        their_follow: Some("https://b.example/activities/follow".into()),
        resend_profiles: false,
        deliveries: vec![delivery(domain, 1)],
        received: received.map(str::to_owned),
    }
}

async fn partnership_steps_compare_and_set_and_skip_repeats(store: Store) {
    let asked = store
        .step_partnership(
            &step(
                "b.example",
                Partnership::None,
                Partnership::Pending,
                Some("follow-1"),
            ),
            now(),
        )
        .await
        .unwrap();
    let StepOutcome::Applied(instance) = asked else {
        panic!("{asked:?}")
    };
    assert_eq!(instance.partnership, Partnership::Pending);
    assert_eq!(
        instance.their_follow_id.as_deref(),
        Some("https://b.example/activities/follow")
    );
    assert_eq!(instance.our_follow_id, None);
    assert_eq!(instance.pending_deliveries, 1);

    let repeat = store
        .step_partnership(
            &step(
                "b.example",
                Partnership::None,
                Partnership::Pending,
                Some("follow-1"),
            ),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(repeat, StepOutcome::Duplicate);
    let stale = store
        .step_partnership(
            &step("b.example", Partnership::None, Partnership::Pending, None),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(stale, StepOutcome::Moved);
    assert_eq!(
        store.outbox_depth().await.unwrap(),
        1,
        "refused steps queued nothing"
    );
    assert!(store.next_outbox_events(10).await.unwrap().is_empty());

    let accepted = store
        .step_partnership(
            &PartnershipStep {
                their_follow: None,
                ..step("b.example", Partnership::Pending, Partnership::Active, None)
            },
            now(),
        )
        .await
        .unwrap();
    let StepOutcome::Applied(instance) = accepted else {
        panic!()
    };
    assert_eq!(instance.partnership, Partnership::Active);
    assert_eq!(
        instance.their_follow_id.as_deref(),
        Some("https://b.example/activities/follow"),
        "kept"
    );
    let events = store.next_outbox_events(10).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].event,
        OutboxEvent::PartnerJoined {
            domain: "b.example".into()
        }
    );
    assert_eq!(store.active_partners().await.unwrap().len(), 1);
    assert!(
        !store
            .record_received_activity("follow-1", now())
            .await
            .unwrap()
    );
    assert!(
        store
            .record_received_activity("other", now())
            .await
            .unwrap()
    );
    assert!(store.activity_received("other").await.unwrap());
    let kept = store
        .purge_received(now() - Duration::days(1))
        .await
        .unwrap();
    assert_eq!(kept, 0, "recent ids stay");
    assert_eq!(
        store
            .purge_received(now() + Duration::seconds(1))
            .await
            .unwrap(),
        2
    );
    assert!(!store.activity_received("other").await.unwrap());
}

async fn a_block_ends_the_partnership_and_drops_the_queue(store: Store) {
    store
        .step_partnership(
            &step("b.example", Partnership::None, Partnership::Active, None),
            now(),
        )
        .await
        .unwrap();
    store
        .enqueue_deliveries(&[delivery("b.example", 2), delivery("c.example", 3)], now())
        .await
        .unwrap();
    assert_eq!(store.outbox_depth().await.unwrap(), 3);
    let blocked = store
        .set_blocked("b.example", true, "spam", now())
        .await
        .unwrap();
    assert!(blocked.blocked_at.is_some());
    assert_eq!(
        (blocked.partnership, blocked.block_reason.as_str()),
        (Partnership::None, "spam")
    );
    assert_eq!(
        store.outbox_depth().await.unwrap(),
        1,
        "only c.example's delivery is left"
    );
    store
        .enqueue_deliveries(&[delivery("b.example", 4)], now())
        .await
        .unwrap();
    assert_eq!(
        store.outbox_depth().await.unwrap(),
        1,
        "nothing is queued for a blocked instance"
    );
    let refused = store
        .step_partnership(
            &step(
                "b.example",
                Partnership::None,
                Partnership::Pending,
                Some("f2"),
            ),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(
        refused,
        StepOutcome::Moved,
        "a blocked instance cannot become a partner"
    );
    assert!(store.active_partners().await.unwrap().is_empty());
    // A block may come before anything else is known of the instance.
    let unknown = store
        .set_blocked("d.example", true, "", now())
        .await
        .unwrap();
    assert_eq!(unknown.actor, None);
    let unblocked = store
        .set_blocked("b.example", false, "", now())
        .await
        .unwrap();
    assert_eq!(unblocked.blocked_at, None);
}

async fn deliveries_are_claimed_attempted_and_kept_until_delivered(store: Store) {
    store
        .enqueue_deliveries(
            &[
                delivery("b.example", 1),
                delivery("b.example", 2),
                delivery("c.example", 3),
            ],
            now(),
        )
        .await
        .unwrap();
    let t0 = now();
    assert_eq!(
        store.due_domains(t0, 10).await.unwrap(),
        ["b.example", "c.example"]
    );
    assert!(
        store
            .claim_domain("b.example", t0 + Duration::seconds(60), t0)
            .await
            .unwrap()
    );
    assert!(
        !store
            .claim_domain("b.example", t0 + Duration::seconds(60), t0)
            .await
            .unwrap(),
        "one worker at a time"
    );
    assert_eq!(store.due_domains(t0, 10).await.unwrap(), ["c.example"]);
    let queue = store.pending_deliveries("b.example", 10).await.unwrap();
    assert_eq!(
        queue
            .iter()
            .map(|d| d.activity_id.as_str())
            .collect::<Vec<_>>(),
        [
            "https://a.example/activities/1",
            "https://a.example/activities/2"
        ],
        "oldest first"
    );

    let retry_at = t0 + Duration::seconds(30);
    store
        .record_attempt(
            &queue[0],
            &AttemptResult::Failed {
                error: "503".into(),
                retry_at,
                unreachable: false,
            },
            t0,
        )
        .await
        .unwrap();
    store.release_domain("b.example").await.unwrap();
    let failing = store.instance("b.example").await.unwrap().unwrap();
    assert_eq!(
        (failing.delivery_state, failing.consecutive_failures),
        (DeliveryState::Failing, 1)
    );
    assert_eq!(failing.last_error.as_deref(), Some("503"));
    assert!(failing.failing_since.is_some());
    assert_eq!(failing.pending_deliveries, 2);
    assert_eq!(
        store.due_domains(t0, 10).await.unwrap(),
        ["c.example"],
        "b waits for its retry time"
    );
    assert_eq!(
        store
            .due_domains(retry_at + Duration::seconds(1), 10)
            .await
            .unwrap(),
        ["b.example", "c.example"]
    );
    store
        .record_attempt(
            &queue[0],
            &AttemptResult::Failed {
                error: "timeout".into(),
                retry_at,
                unreachable: true,
            },
            t0,
        )
        .await
        .unwrap();
    let unreachable = store.instance("b.example").await.unwrap().unwrap();
    assert_eq!(
        (unreachable.delivery_state, unreachable.consecutive_failures),
        (DeliveryState::Unreachable, 2)
    );
    assert_eq!(
        store.pending_deliveries("b.example", 10).await.unwrap()[0].attempts,
        2
    );

    for d in &queue {
        store
            .record_attempt(d, &AttemptResult::Delivered, retry_at)
            .await
            .unwrap();
    }
    let healthy = store.instance("b.example").await.unwrap().unwrap();
    assert_eq!(
        (healthy.delivery_state, healthy.consecutive_failures),
        (DeliveryState::Ok, 0)
    );
    assert_eq!(
        (healthy.delivered_total, healthy.pending_deliveries),
        (2, 0)
    );
    assert_eq!(
        (healthy.failing_since, healthy.next_attempt_at),
        (None, None)
    );
    assert_eq!(store.outbox_depth().await.unwrap(), 1);
}

async fn profile_changes_queue_events_in_the_same_transaction(store: Store) {
    let ada = account(&store, "ada").await;
    store
        .put_profile(
            ada.id,
            &mentor_profile(Visibility::Federated, &[], &["en"]),
            now(),
        )
        .await
        .unwrap();
    let events = store.next_outbox_events(10).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].event,
        OutboxEvent::ProfileChanged { account_id: ada.id }
    );
    // A refused profile queues nothing.
    let bad = mentor_profile(Visibility::Federated, &[("made.up", 3)], &["en"]);
    assert!(store.put_profile(ada.id, &bad, now()).await.is_err());
    assert_eq!(store.next_outbox_events(10).await.unwrap().len(), 1);

    assert!(!store.profile_published(ada.id).await.unwrap());
    let done = store
        .complete_outbox_event(
            events[0].id,
            &[delivery("b.example", 9)],
            Some((ada.id, true)),
            now(),
        )
        .await
        .unwrap();
    assert!(done);
    assert!(
        !store
            .complete_outbox_event(events[0].id, &[delivery("b.example", 10)], None, now())
            .await
            .unwrap(),
        "once only"
    );
    assert!(store.profile_published(ada.id).await.unwrap());
    assert_eq!(store.published_profiles().await.unwrap(), [ada.id]);
    assert_eq!(store.outbox_depth().await.unwrap(), 1);
    assert!(store.next_outbox_events(10).await.unwrap().is_empty());
}

async fn partners_profiles_show_in_the_directory_only_while_partners(store: Store) {
    make_mentor(
        &store,
        "local_mentor",
        mentor_profile(Visibility::Organization, &[], &["en"]),
    )
    .await;
    let remote = store
        .upsert_remote_person(&remote_person("bo", "b.example"))
        .await
        .unwrap();
    let profile = mentor_profile(Visibility::Federated, &[("networking.dns", 5)], &["en"]);
    assert!(
        store
            .receive_remote_profile(remote.account_id, &profile, "create-1", now())
            .await
            .unwrap()
    );
    assert!(
        !store
            .receive_remote_profile(remote.account_id, &profile, "create-1", now())
            .await
            .unwrap()
    );
    let events = store.next_outbox_events(10).await.unwrap();
    assert!(
        events.iter().all(|e| !matches!(
            e.event,
            OutboxEvent::ProfileChanged { account_id: a }
                | OutboxEvent::GrowthShared { mentee_id: a }
                | OutboxEvent::MentorshipChanged { actor_id: a, .. }
                | OutboxEvent::SessionCreated { actor_id: a, .. }
                | OutboxEvent::SessionUpdated { actor_id: a, .. }
                | OutboxEvent::ReviewStarted { actor_id: a, .. }
                | OutboxEvent::ReviewPartSubmitted { actor_id: a, .. }
                | OutboxEvent::EndorsementGiven { endorser_id: a, .. }
                | OutboxEvent::EndorsementWithdrawn { endorser_id: a, .. }
                if a == remote.account_id
        )),
        "remote profiles are not sent on"
    );
    let visible = [
        Visibility::Organization,
        Visibility::Federated,
        Visibility::Public,
    ];
    let search = |scope| DirectoryQuery {
        scope,
        ..query(&visible)
    };
    assert!(
        store
            .search_mentors(&search(Scope::Federated))
            .await
            .unwrap()
            .items
            .is_empty(),
        "not a partner yet"
    );
    store
        .step_partnership(
            &step("b.example", Partnership::None, Partnership::Active, None),
            now(),
        )
        .await
        .unwrap();
    let federated = store
        .search_mentors(&search(Scope::Federated))
        .await
        .unwrap();
    assert_eq!(usernames(&federated), ["bo"]);
    assert_eq!(federated.items[0].domain.as_deref(), Some("b.example"));
    assert_eq!(
        usernames(&store.search_mentors(&search(Scope::Local)).await.unwrap()),
        ["local_mentor"]
    );
    assert_eq!(
        usernames(&store.search_mentors(&search(Scope::All)).await.unwrap()),
        ["bo", "local_mentor"]
    );
    store
        .set_blocked("b.example", true, "", now())
        .await
        .unwrap();
    assert!(
        store
            .search_mentors(&search(Scope::Federated))
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

async fn mentor_with_capacity(store: &Store, username: &str, capacity: u16) -> uuid::Uuid {
    let mut profile = mentor_profile(Visibility::Organization, &[], &["en"]);
    profile.mentor.capacity = capacity;
    make_mentor(store, username, profile).await
}

fn ask(mentor_id: uuid::Uuid, mentee_id: uuid::Uuid) -> NewMentorship {
    NewMentorship {
        mentor_id,
        mentee_id,
        message: "Could you help me with DNS?".into(),
        goals: "Run our resolvers".into(),
        object_url: None,
        received: None,
        decline_when_full: false,
        decline_with: None,
    }
}

fn step_to(
    id: uuid::Uuid,
    from: MentorshipState,
    to: MentorshipState,
    actor_id: uuid::Uuid,
) -> MentorshipStep {
    MentorshipStep {
        id,
        from,
        to,
        actor_id,
        note: String::new(),
        received: None,
    }
}

async fn mentorships_are_requested_moved_and_logged(store: Store) {
    let mentor = mentor_with_capacity(&store, "mentor", 2).await;
    let mentee = account(&store, "mentee").await.id;
    let asked = store
        .request_mentorship(&ask(mentor, mentee), now())
        .await
        .unwrap();
    assert_eq!(asked.state, MentorshipState::Requested);
    assert_eq!(
        (
            asked.mentor.username.as_str(),
            asked.mentee.username.as_str()
        ),
        ("mentor", "mentee")
    );
    assert_eq!(
        (asked.mentor.domain.clone(), asked.goals.as_str()),
        (None, "Run our resolvers")
    );
    let active = store
        .step_mentorship(
            &MentorshipStep {
                note: "Happy to".into(),
                ..step_to(
                    asked.id,
                    MentorshipState::Requested,
                    MentorshipState::Active,
                    mentor,
                )
            },
            now(),
        )
        .await
        .unwrap();
    assert_eq!(active.state, MentorshipState::Active);
    // A step from a state it is no longer in changes nothing.
    let stale = store
        .step_mentorship(
            &step_to(
                asked.id,
                MentorshipState::Requested,
                MentorshipState::Declined,
                mentor,
            ),
            now(),
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    store
        .step_mentorship(
            &step_to(
                asked.id,
                MentorshipState::Active,
                MentorshipState::Paused,
                mentee,
            ),
            now(),
        )
        .await
        .unwrap();
    let events = store.mentorship_events(asked.id).await.unwrap();
    let states: Vec<_> = events.iter().map(|e| e.state).collect();
    assert_eq!(
        states,
        [
            MentorshipState::Requested,
            MentorshipState::Active,
            MentorshipState::Paused
        ]
    );
    assert_eq!(
        (events[0].actor_id, events[1].actor_id, events[2].actor_id),
        (mentee, mentor, mentee)
    );
    assert_eq!(events[1].note, "Happy to");

    let as_mentor = store
        .list_mentorships(mentor, true, false, None)
        .await
        .unwrap();
    let as_mentee = store
        .list_mentorships(mentor, false, true, None)
        .await
        .unwrap();
    assert_eq!((as_mentor.len(), as_mentee.len()), (1, 0));
    assert_eq!(
        store
            .list_mentorships(mentee, true, true, Some(MentorshipState::Paused))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .list_mentorships(mentee, true, true, Some(MentorshipState::Active))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        store.mentorship(uuid::Uuid::now_v7()).await,
        Err(StoreError::NotFound)
    ));
}

async fn one_open_mentorship_per_pair_and_never_oneself(store: Store) {
    let mentor = mentor_with_capacity(&store, "mentor", 3).await;
    let mentee = account(&store, "mentee").await.id;
    let first = store
        .request_mentorship(&ask(mentor, mentee), now())
        .await
        .unwrap();
    let again = store.request_mentorship(&ask(mentor, mentee), now()).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let oneself = store.request_mentorship(&ask(mentor, mentor), now()).await;
    assert!(
        matches!(oneself, Err(StoreError::Conflict(_))),
        "{oneself:?}"
    );
    store
        .step_mentorship(
            &step_to(
                first.id,
                MentorshipState::Requested,
                MentorshipState::Declined,
                mentor,
            ),
            now(),
        )
        .await
        .unwrap();
    // Once the first is over, the pair may start again.
    store
        .request_mentorship(&ask(mentor, mentee), now())
        .await
        .unwrap();
    assert_eq!(
        store
            .list_mentorships(mentee, false, true, None)
            .await
            .unwrap()
            .len(),
        2
    );
}

async fn a_mentor_takes_no_more_mentees_than_their_capacity(store: Store) {
    let mentor = mentor_with_capacity(&store, "mentor", 1).await;
    let (a, b, c) = (
        account(&store, "ann").await.id,
        account(&store, "ben").await.id,
        account(&store, "cy").await.id,
    );
    let first = store
        .request_mentorship(&ask(mentor, a), now())
        .await
        .unwrap();
    let second = store
        .request_mentorship(&ask(mentor, b), now())
        .await
        .unwrap();
    store
        .step_mentorship(
            &step_to(
                first.id,
                MentorshipState::Requested,
                MentorshipState::Active,
                mentor,
            ),
            now(),
        )
        .await
        .unwrap();
    let full = store
        .step_mentorship(
            &step_to(
                second.id,
                MentorshipState::Requested,
                MentorshipState::Active,
                mentor,
            ),
            now(),
        )
        .await;
    assert!(
        matches!(&full, Err(StoreError::Refused(e)) if e.to_string().contains("full")),
        "{full:?}"
    );
    assert_eq!(
        store.mentorship(second.id).await.unwrap().state,
        MentorshipState::Requested,
        "unchanged"
    );
    let late = store.request_mentorship(&ask(mentor, c), now()).await;
    assert!(matches!(late, Err(StoreError::Refused(_))), "{late:?}");
    // Completing frees the place.
    store
        .step_mentorship(
            &step_to(
                first.id,
                MentorshipState::Active,
                MentorshipState::Completed,
                a,
            ),
            now(),
        )
        .await
        .unwrap();
    store
        .step_mentorship(
            &step_to(
                second.id,
                MentorshipState::Requested,
                MentorshipState::Active,
                mentor,
            ),
            now(),
        )
        .await
        .unwrap();
    // A mentor who stops accepting takes no requests.
    let mut closed = store.profile(mentor).await.unwrap().profile;
    closed.mentor.accepting_mentees = false;
    store.put_profile(mentor, &closed, now()).await.unwrap();
    assert!(matches!(
        store.request_mentorship(&ask(mentor, c), now()).await,
        Err(StoreError::Refused(_))
    ));
}

async fn two_acceptances_cannot_both_take_the_last_place(store: Store) {
    for round in 0..5 {
        let mentor = mentor_with_capacity(&store, &format!("mentor{round}"), 1).await;
        let a = account(&store, &format!("a{round}")).await.id;
        let b = account(&store, &format!("b{round}")).await.id;
        let first = store
            .request_mentorship(&ask(mentor, a), now())
            .await
            .unwrap();
        let second = store
            .request_mentorship(&ask(mentor, b), now())
            .await
            .unwrap();
        let accept_first = step_to(
            first.id,
            MentorshipState::Requested,
            MentorshipState::Active,
            mentor,
        );
        let accept_second = step_to(
            second.id,
            MentorshipState::Requested,
            MentorshipState::Active,
            mentor,
        );
        let (x, y) = tokio::join!(
            store.step_mentorship(&accept_first, now()),
            store.step_mentorship(&accept_second, now()),
        );
        assert_eq!(
            u8::from(x.is_ok()) + u8::from(y.is_ok()),
            1,
            "round {round}: {x:?} / {y:?}"
        );
        let active = store
            .list_mentorships(mentor, true, false, Some(MentorshipState::Active))
            .await
            .unwrap();
        assert_eq!(active.len(), 1);
    }
}

async fn an_ended_partnership_withdraws_the_partners_profiles(store: Store) {
    let remote = store
        .upsert_remote_person(&remote_person("bo", "b.example"))
        .await
        .unwrap();
    let fresh = store.profile(remote.account_id).await.unwrap().profile;
    assert_eq!(
        fresh.visibility,
        Visibility::Private,
        "nothing shows before a profile arrives"
    );
    store
        .step_partnership(
            &step("b.example", Partnership::None, Partnership::Active, None),
            now(),
        )
        .await
        .unwrap();
    let shared = mentor_profile(Visibility::Public, &[], &["en"]);
    store
        .receive_remote_profile(remote.account_id, &shared, "create-1", now())
        .await
        .unwrap();
    let end = PartnershipStep {
        deliveries: vec![],
        ..step(
            "b.example",
            Partnership::Active,
            Partnership::None,
            Some("undo-1"),
        )
    };
    store.step_partnership(&end, now()).await.unwrap();
    let kept = store.profile(remote.account_id).await.unwrap().profile;
    assert_eq!(
        (kept.visibility, kept.mentor.offers_mentoring),
        (Visibility::Private, false)
    );
    // Partners again: nothing stale shows until they send it anew.
    store
        .step_partnership(
            &step(
                "b.example",
                Partnership::None,
                Partnership::Active,
                Some("follow-2"),
            ),
            now(),
        )
        .await
        .unwrap();
    let visible = [
        Visibility::Organization,
        Visibility::Federated,
        Visibility::Public,
    ];
    let search = DirectoryQuery {
        scope: Scope::Federated,
        ..query(&visible)
    };
    assert!(
        store
            .search_mentors(&search)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    // The same after a block.
    store
        .receive_remote_profile(remote.account_id, &shared, "create-2", now())
        .await
        .unwrap();
    assert_eq!(store.search_mentors(&search).await.unwrap().total, 1);
    store
        .set_blocked("b.example", true, "", now())
        .await
        .unwrap();
    assert_eq!(
        store
            .profile(remote.account_id)
            .await
            .unwrap()
            .profile
            .visibility,
        Visibility::Private
    );
}

/// The mentorship steps waiting in the outbox, as event ids.
async fn queued_steps(store: &Store) -> Vec<uuid::Uuid> {
    store
        .next_outbox_events(100)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.event {
            trellis_store::OutboxEvent::MentorshipChanged {
                mentorship_event_id,
                ..
            } => Some(mentorship_event_id),
            _ => None,
        })
        .collect()
}

async fn steps_with_a_member_elsewhere_go_to_the_outbox_once(store: Store) {
    let mentor = mentor_with_capacity(&store, "mentor", 2).await;
    let remote = store
        .upsert_remote_person(&remote_person("ada", "b.example"))
        .await
        .unwrap();
    let offer = NewMentorship {
        object_url: Some("https://b.example/mentorships/1".into()),
        received: Some("https://b.example/mentorships/1#offer".into()),
        ..ask(mentor, remote.account_id)
    };
    let asked = store.request_mentorship(&offer, now()).await.unwrap();
    assert_eq!(asked.mentee.domain.as_deref(), Some("b.example"));
    assert_eq!(
        asked.mentee.actor_url.as_deref(),
        Some(remote.actor_url.as_str())
    );
    assert!(
        queued_steps(&store).await.is_empty(),
        "what came from elsewhere is not sent back"
    );
    // The same Offer again: the same mentorship, nothing new.
    let again = store.request_mentorship(&offer, now()).await.unwrap();
    assert_eq!(again.id, asked.id);
    assert_eq!(store.mentorship_events(asked.id).await.unwrap().len(), 1);
    let found = store
        .mentorship_by_object("https://b.example/mentorships/1")
        .await
        .unwrap();
    assert_eq!(found.map(|m| m.id), Some(asked.id));
    assert_eq!(
        store.notifications(mentor, 10).await.unwrap()[0].kind,
        "mentorship_requested"
    );

    // The local mentor's answer is queued for the mentee's instance, in
    // the transaction of the step.
    let active = store
        .step_mentorship(
            &step_to(
                asked.id,
                MentorshipState::Requested,
                MentorshipState::Active,
                mentor,
            ),
            now(),
        )
        .await
        .unwrap();
    let queued = queued_steps(&store).await;
    assert_eq!(queued.len(), 1);
    let (of, event) = store.mentorship_event(queued[0]).await.unwrap();
    assert_eq!(
        (of, event.state, event.actor_id),
        (active.id, MentorshipState::Active, mentor)
    );
    assert!(
        store
            .notifications(remote.account_id, 10)
            .await
            .unwrap()
            .is_empty(),
        "members elsewhere are told by their own instance"
    );

    // Their step, received once, applied once, queued never.
    let pause = MentorshipStep {
        received: Some("https://b.example/activities/7".into()),
        ..step_to(
            asked.id,
            MentorshipState::Active,
            MentorshipState::Paused,
            remote.account_id,
        )
    };
    store.step_mentorship(&pause, now()).await.unwrap();
    let repeat = store.step_mentorship(&pause, now()).await.unwrap();
    assert_eq!(repeat.state, MentorshipState::Paused);
    assert_eq!(store.mentorship_events(asked.id).await.unwrap().len(), 3);
    assert_eq!(queued_steps(&store).await.len(), 1);

    // Between two members here nothing is queued.
    let mentee = account(&store, "mentee").await.id;
    store
        .request_mentorship(&ask(mentor, mentee), now())
        .await
        .unwrap();
    assert_eq!(queued_steps(&store).await.len(), 1);
}

async fn a_request_from_elsewhere_that_finds_no_room_is_declined_with_the_reason(store: Store) {
    let mentor = mentor_with_capacity(&store, "mentor", 1).await;
    let colleague = account(&store, "colleague").await.id;
    let first = store
        .request_mentorship(&ask(mentor, colleague), now())
        .await
        .unwrap();
    store
        .step_mentorship(
            &step_to(
                first.id,
                MentorshipState::Requested,
                MentorshipState::Active,
                mentor,
            ),
            now(),
        )
        .await
        .unwrap();
    let remote = store
        .upsert_remote_person(&remote_person("ada", "b.example"))
        .await
        .unwrap();
    let offer = NewMentorship {
        object_url: Some("https://b.example/mentorships/2".into()),
        received: Some("https://b.example/mentorships/2#offer".into()),
        decline_when_full: true,
        ..ask(mentor, remote.account_id)
    };
    let declined = store.request_mentorship(&offer, now()).await.unwrap();
    assert_eq!(declined.state, MentorshipState::Declined);
    let events = store.mentorship_events(declined.id).await.unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].actor_id, mentor);
    assert!(events[1].note.contains("full"), "{}", events[1].note);
    // Only the answer travels back.
    let queued = queued_steps(&store).await;
    assert_eq!(queued, [events[1].id]);

    // Without `decline_when_full`, a request finding no room is refused.
    let local = account(&store, "local").await.id;
    assert!(matches!(
        store.request_mentorship(&ask(mentor, local), now()).await,
        Err(StoreError::Refused(_))
    ));

    // A mentor who no longer shares their profile declines at once.
    let other = mentor_with_capacity(&store, "other", 3).await;
    let hidden = NewMentorship {
        object_url: Some("https://b.example/mentorships/3".into()),
        received: Some("https://b.example/mentorships/3#offer".into()),
        decline_with: Some("not now".into()),
        ..ask(other, remote.account_id)
    };
    let declined = store.request_mentorship(&hidden, now()).await.unwrap();
    assert_eq!(declined.state, MentorshipState::Declined);
    assert!(store.notifications(other, 10).await.unwrap().is_empty());
}

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

fn session_content(minutes: u16) -> trellis_core::session::SessionContent {
    trellis_core::session::SessionContent {
        held_at: "2026-11-20T09:00:00Z".parse().unwrap(),
        duration_minutes: minutes,
        topics: vec!["DNSSEC".into()],
        notes: "shared".into(),
        action_items: vec![trellis_core::session::ActionItem {
            text: "Read RFC 9364".into(),
            owner: trellis_core::mentorship::Party::Mentee,
            done: false,
        }],
    }
}

async fn sessions_are_kept_while_under_way_with_notes_apart(store: Store) {
    let mentor = mentor_with_capacity(&store, "mentor", 2).await;
    let remote = store
        .upsert_remote_person(&remote_person("ada", "b.example"))
        .await
        .unwrap();
    let m = store
        .request_mentorship(&ask(mentor, remote.account_id), now())
        .await
        .unwrap();
    let new = trellis_store::NewSession {
        mentorship_id: m.id,
        author_id: mentor,
        content: session_content(45),
        object_url: None,
        received: None,
    };
    assert!(matches!(
        store.add_session(&new, now()).await,
        Err(StoreError::Refused(_))
    ));
    store
        .step_mentorship(
            &step_to(
                m.id,
                MentorshipState::Requested,
                MentorshipState::Active,
                mentor,
            ),
            now(),
        )
        .await
        .unwrap();
    let before = store.next_outbox_events(100).await.unwrap().len();
    let logged = store.add_session(&new, now()).await.unwrap();
    assert_eq!(logged.content, session_content(45));
    let events = store.next_outbox_events(100).await.unwrap();
    assert_eq!(events.len(), before + 1, "queued for the mentee's instance");
    assert!(matches!(
        events.last().unwrap().event,
        OutboxEvent::SessionCreated { session_id, .. }
            | OutboxEvent::SessionUpdated { session_id, .. } if session_id == logged.id
    ));

    store
        .set_private_note(logged.id, mentor, "mine", now())
        .await
        .unwrap();
    assert_eq!(
        store
            .session(logged.id, mentor)
            .await
            .unwrap()
            .private_note
            .as_deref(),
        Some("mine")
    );
    assert_eq!(
        store
            .session(logged.id, remote.account_id)
            .await
            .unwrap()
            .private_note,
        None
    );

    // Their change, received once.
    let mut done = session_content(60);
    done.action_items[0].done = true;
    let changed = store
        .update_session(logged.id, &done, remote.account_id, Some("act-1"), now())
        .await
        .unwrap();
    assert_eq!(changed.content, done);
    store
        .update_session(
            logged.id,
            &session_content(5),
            remote.account_id,
            Some("act-1"),
            now(),
        )
        .await
        .unwrap();
    let listed = store.sessions(m.id, mentor).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].content, done, "a repeat changes nothing");
    assert_eq!(listed[0].private_note.as_deref(), Some("mine"));
    assert_eq!(
        store.next_outbox_events(100).await.unwrap().len(),
        before + 1
    );
}

async fn remote_account(store: &Store, username: &str, domain: &str) -> uuid::Uuid {
    store
        .upsert_remote_person(&remote_person(username, domain))
        .await
        .unwrap()
        .account_id
}

fn cohort_named(name: &str, by: uuid::Uuid) -> NewCohort {
    NewCohort {
        name: name.into(),
        created_by: by,
    }
}

fn ids(parties: &[trellis_store::PartyRecord]) -> Vec<uuid::Uuid> {
    parties.iter().map(|p| p.account_id).collect()
}

fn factor(explanation: &str) -> FactorScore {
    FactorScore {
        factor: Factor::Skills,
        weight: 50,
        value: 0.75,
        points: 37.5,
        explanation: explanation.into(),
    }
}

/// A proposal pairing each (mentee, mentor) with `score`, and leaving
/// `alone` without a mentor for lack of a shared language.
fn proposal_for(
    cohort: &Cohort,
    by: uuid::Uuid,
    pairs: &[(uuid::Uuid, uuid::Uuid, u8)],
    alone: &[uuid::Uuid],
) -> NewProposal {
    let mut entries: Vec<(uuid::Uuid, ProposedFor<uuid::Uuid>)> = pairs
        .iter()
        .map(|(mentee, mentor, score)| {
            (
                *mentee,
                ProposedFor::Mentor {
                    mentor: *mentor,
                    score: *score,
                    factors: vec![factor("covers 1 of your 2 goal skills")],
                },
            )
        })
        .collect();
    entries.extend(
        alone
            .iter()
            .map(|m| (*m, ProposedFor::Unassigned(Unassigned::NoSharedLanguage))),
    );
    NewProposal {
        cohort_id: cohort.id,
        revision: cohort.revision,
        computed_by: by,
        weights: Weights::default(),
        total_score: pairs.iter().map(|p| u64::from(p.2)).sum(),
        assigned: pairs.len() as u32,
        greedy_total_score: 10,
        greedy_assigned: 1,
        entries,
    }
}

async fn cohorts_are_created_listed_and_given_members(store: Store) {
    let admin = account(&store, "root").await.id;
    let (ann, ben) = (
        account(&store, "ann").await.id,
        account(&store, "ben").await.id,
    );
    let mentor = mentor_with_capacity(&store, "mia", 2).await;
    let remote = remote_account(&store, "bo", "b.example").await;
    let spring = store
        .create_cohort(&cohort_named("Spring 2026", admin), now())
        .await
        .unwrap();
    assert_eq!(
        (spring.name.as_str(), spring.status, spring.created_by),
        ("Spring 2026", CohortStatus::Draft, Some(admin))
    );
    assert!(spring.mentees.is_empty() && spring.mentors.is_empty());
    let autumn = store
        .create_cohort(&cohort_named("Autumn", admin), now())
        .await
        .unwrap();

    let set = store
        .set_cohort_members(spring.id, &[ben, ann], &[remote, mentor, ben], now())
        .await
        .unwrap();
    assert_eq!(ids(&set.mentees), [ben, ann], "in the order given");
    assert_eq!(
        ids(&set.mentors),
        [remote, mentor, ben],
        "one may be on both sides"
    );
    assert_eq!(set.mentors[0].domain.as_deref(), Some("b.example"));
    assert_eq!(set.mentors[1].username.as_str(), "mia");
    assert!(set.revision > spring.revision);
    assert_eq!(store.cohort(spring.id).await.unwrap(), set);

    let listed = store.cohorts().await.unwrap();
    assert_eq!(
        listed.iter().map(|c| c.id).collect::<Vec<_>>(),
        [autumn.id, spring.id],
        "newest first"
    );
    assert_eq!((listed[1].mentees, listed[1].mentors), (2, 3));
    assert_eq!((listed[0].mentees, listed[0].mentors), (0, 0));

    // Replacing the lists replaces them.
    let again = store
        .set_cohort_members(spring.id, &[ann], &[mentor], now())
        .await
        .unwrap();
    assert_eq!(
        (ids(&again.mentees), ids(&again.mentors)),
        (vec![ann], vec![mentor])
    );
    assert!(again.revision > set.revision);

    let nobody = uuid::Uuid::now_v7();
    assert!(matches!(
        store.cohort(nobody).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.set_cohort_members(nobody, &[ann], &[], now()).await,
        Err(StoreError::NotFound)
    ));
    // An account that does not exist is refused and changes nothing.
    let broken = store
        .set_cohort_members(spring.id, &[ann, nobody], &[mentor], now())
        .await;
    assert!(matches!(broken, Err(StoreError::Conflict(_))), "{broken:?}");
    assert_eq!(store.cohort(spring.id).await.unwrap(), again);
}

async fn a_proposal_is_stored_replaced_and_dropped_when_members_change(store: Store) {
    let admin = account(&store, "root").await.id;
    let (ann, ben) = (
        account(&store, "ann").await.id,
        account(&store, "ben").await.id,
    );
    let mia = mentor_with_capacity(&store, "mia", 2).await;
    let cohort = store
        .create_cohort(&cohort_named("Spring", admin), now())
        .await
        .unwrap();
    assert_eq!(store.proposal(cohort.id).await.unwrap(), None);
    let cohort = store
        .set_cohort_members(cohort.id, &[ann, ben], &[mia], now())
        .await
        .unwrap();

    let saved = store
        .save_proposal(
            &proposal_for(&cohort, admin, &[(ann, mia, 80)], &[ben]),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(saved.total_score, 80);
    assert_eq!(
        (
            saved.assigned,
            saved.greedy_total_score,
            saved.greedy_assigned
        ),
        (1, 10, 1)
    );
    assert_eq!(saved.weights, Weights::default());
    assert_eq!((saved.computed_by, saved.approved_at), (Some(admin), None));
    assert_eq!(saved.entries.len(), 2);
    assert_eq!(saved.entries[0].mentee.account_id, ann);
    match &saved.entries[0].proposed {
        ProposedFor::Mentor {
            mentor,
            score,
            factors,
        } => {
            assert_eq!(
                (mentor.account_id, mentor.username.as_str(), *score),
                (mia, "mia", 80)
            );
            assert_eq!(factors, &vec![factor("covers 1 of your 2 goal skills")]);
        }
        other => panic!("not a pair: {other:?}"),
    }
    assert_eq!(
        saved.entries[1].proposed,
        ProposedFor::Unassigned(Unassigned::NoSharedLanguage)
    );
    assert!(saved.entries.iter().all(|e| e.outcome.is_none()));
    assert_eq!(store.proposal(cohort.id).await.unwrap(), Some(saved));
    assert_eq!(
        store.cohort(cohort.id).await.unwrap().status,
        CohortStatus::Proposed
    );

    // Matching again replaces the proposal.
    let replaced = store
        .save_proposal(
            &proposal_for(&cohort, admin, &[(ann, mia, 70), (ben, mia, 60)], &[]),
            now(),
        )
        .await
        .unwrap();
    assert_eq!((replaced.total_score, replaced.entries.len()), (130, 2));

    // A proposal computed from older members is refused.
    let changed = store
        .set_cohort_members(cohort.id, &[ann], &[mia], now())
        .await
        .unwrap();
    assert_eq!(changed.status, CohortStatus::Draft, "the old proposal went");
    assert_eq!(store.proposal(cohort.id).await.unwrap(), None);
    let stale = store
        .save_proposal(&proposal_for(&cohort, admin, &[(ann, mia, 80)], &[]), now())
        .await;
    assert!(
        matches!(&stale, Err(StoreError::Refused(e)) if e.to_string().contains("changed")),
        "{stale:?}"
    );
    assert_eq!(store.proposal(cohort.id).await.unwrap(), None);
    let missing = NewProposal {
        cohort_id: uuid::Uuid::now_v7(),
        ..proposal_for(&changed, admin, &[], &[])
    };
    assert!(matches!(
        store.save_proposal(&missing, now()).await,
        Err(StoreError::NotFound)
    ));
}

async fn approval_requests_each_pair_once_and_closes_the_cohort(store: Store) {
    let admin = account(&store, "root").await.id;
    let [ann, ben, cy, dee] = [
        account(&store, "ann").await.id,
        account(&store, "ben").await.id,
        account(&store, "cy").await.id,
        account(&store, "dee").await.id,
    ];
    let roomy = mentor_with_capacity(&store, "roomy", 3).await;
    let tight = mentor_with_capacity(&store, "tight", 1).await;
    let remote = remote_account(&store, "bo", "b.example").await;
    let mut shared = mentor_profile(Visibility::Federated, &[], &["en"]);
    shared.mentor.capacity = 2;
    store.put_profile(remote, &shared, now()).await.unwrap();
    let cohort = store
        .create_cohort(&cohort_named("Spring", admin), now())
        .await
        .unwrap();
    let approval = CohortApproval {
        approved_by: admin,
        message: "Matched in the cohort Spring".into(),
    };
    let early = store.approve_cohort(cohort.id, &approval, now()).await;
    assert!(
        matches!(&early, Err(StoreError::Refused(e)) if e.to_string().contains("no proposal")),
        "{early:?}"
    );
    let cohort = store
        .set_cohort_members(
            cohort.id,
            &[ann, ben, cy, dee],
            &[roomy, tight, remote],
            now(),
        )
        .await
        .unwrap();
    let proposal = proposal_for(
        &cohort,
        admin,
        &[
            (ann, roomy, 90),
            (ben, tight, 80),
            (cy, roomy, 70),
            (dee, remote, 60),
        ],
        &[],
    );
    store.save_proposal(&proposal, now()).await.unwrap();
    // Meanwhile: tight filled up, and cy asked roomy directly.
    let other = account(&store, "other").await.id;
    let held = store
        .request_mentorship(&ask(tight, other), now())
        .await
        .unwrap();
    store
        .step_mentorship(
            &step_to(
                held.id,
                MentorshipState::Requested,
                MentorshipState::Active,
                tight,
            ),
            now(),
        )
        .await
        .unwrap();
    store
        .request_mentorship(&ask(roomy, cy), now())
        .await
        .unwrap();

    let approved = store
        .approve_cohort(cohort.id, &approval, now())
        .await
        .unwrap();
    assert_eq!(approved.approved_by, Some(admin));
    assert!(approved.approved_at.is_some());
    let outcome = |mentee: uuid::Uuid| {
        approved
            .entries
            .iter()
            .find(|e| e.mentee.account_id == mentee)
            .and_then(|e| e.outcome.clone())
            .unwrap()
    };
    let RequestOutcome::Requested(made) = outcome(ann) else {
        panic!("ann's request was not made: {:?}", outcome(ann));
    };
    let made = store.mentorship(made).await.unwrap();
    assert_eq!(
        (made.mentor.account_id, made.mentee.account_id, made.state),
        (roomy, ann, MentorshipState::Requested)
    );
    assert_eq!(made.message, "Matched in the cohort Spring");
    assert!(matches!(outcome(ben), RequestOutcome::Failed(why) if why.contains("full")));
    assert!(matches!(outcome(cy), RequestOutcome::Failed(why) if why.contains("open request")));
    // The request to the mentor elsewhere is made and waits in the outbox.
    let RequestOutcome::Requested(abroad) = outcome(dee) else {
        panic!("dee's request was not made: {:?}", outcome(dee));
    };
    assert_eq!(
        store.mentorship(abroad).await.unwrap().mentor.account_id,
        remote
    );
    assert!(
        store
            .next_outbox_events(10)
            .await
            .unwrap()
            .iter()
            .any(|e| e.event.kind() == OutboxEventKind::MentorshipChanged),
        "no outbox event for the request abroad"
    );
    // The failed pairs left nothing behind; the mentee and mentor were told.
    assert!(
        store
            .list_mentorships(ben, false, true, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .list_mentorships(cy, false, true, None)
            .await
            .unwrap()
            .len(),
        1
    );
    let told = store.notifications(ann, 10).await.unwrap();
    assert_eq!(told[0].kind, "cohort_request_sent");
    assert_eq!(told[0].mentorship_id, Some(made.id));
    assert!(
        store
            .notifications(roomy, 10)
            .await
            .unwrap()
            .iter()
            .any(|n| n.kind == "mentorship_requested" && n.mentorship_id == Some(made.id))
    );
    assert!(store.notifications(ben, 10).await.unwrap().is_empty());
    assert_eq!(
        store.proposal(cohort.id).await.unwrap(),
        Some(approved.clone())
    );
    assert_eq!(
        store.cohort(cohort.id).await.unwrap().status,
        CohortStatus::Approved
    );

    // Once approved, the cohort is closed.
    let twice = store.approve_cohort(cohort.id, &approval, now()).await;
    assert!(
        matches!(&twice, Err(StoreError::Refused(e)) if e.to_string().contains("approved")),
        "{twice:?}"
    );
    assert_eq!(
        store
            .list_mentorships(ann, false, true, None)
            .await
            .unwrap()
            .len(),
        1,
        "no second request"
    );
    assert!(matches!(
        store
            .set_cohort_members(cohort.id, &[ann], &[roomy], now())
            .await,
        Err(StoreError::Refused(_))
    ));
    let fresh = store.cohort(cohort.id).await.unwrap();
    assert!(matches!(
        store
            .save_proposal(&proposal_for(&fresh, admin, &[(ann, roomy, 1)], &[]), now())
            .await,
        Err(StoreError::Refused(_))
    ));
    assert_eq!(store.proposal(cohort.id).await.unwrap(), Some(approved));
    assert!(matches!(
        store
            .approve_cohort(uuid::Uuid::now_v7(), &approval, now())
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn members_are_found_by_handle_with_their_profiles_and_open_pairs(store: Store) {
    let ann = account(&store, "ann").await.id;
    let mia = mentor_with_capacity(&store, "mia", 2).await;
    let remote = remote_account(&store, "mia", "b.example").await;
    let handles = [
        (name("mia"), None),
        (name("mia"), Some("b.example".to_owned())),
        (name("ann"), Some("b.example".to_owned())),
        (name("nobody"), None),
        (name("ann"), None),
    ];
    let mut found: Vec<(uuid::Uuid, Option<String>)> = store
        .accounts_by_handle(&handles)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.account_id, p.domain))
        .collect();
    found.sort();
    let mut expected = vec![
        (mia, None),
        (remote, Some("b.example".to_owned())),
        (ann, None),
    ];
    expected.sort();
    assert_eq!(found, expected);
    assert!(store.accounts_by_handle(&[]).await.unwrap().is_empty());

    let mut profiles = store
        .profiles(&[mia, ann, uuid::Uuid::now_v7()])
        .await
        .unwrap();
    profiles.sort_by_key(|p| p.username.to_string());
    assert_eq!(profiles.len(), 2);
    assert_eq!(profiles[1], store.profile(mia).await.unwrap());
    assert!(store.profiles(&[]).await.unwrap().is_empty());

    let asked = store
        .request_mentorship(&ask(mia, ann), now())
        .await
        .unwrap();
    let open = store.open_pairs_of(&[ann]).await.unwrap();
    assert_eq!(open.into_iter().collect::<Vec<_>>(), [(mia, ann)]);
    store
        .step_mentorship(
            &step_to(
                asked.id,
                MentorshipState::Requested,
                MentorshipState::Withdrawn,
                ann,
            ),
            now(),
        )
        .await
        .unwrap();
    assert!(store.open_pairs_of(&[ann, mia]).await.unwrap().is_empty());
}

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

fn review_part(ratings: &[(&str, u8)]) -> trellis_core::review::ReviewPart {
    serde_json::from_value(serde_json::json!({
        "ratings": ratings.iter().map(|(s, r)| serde_json::json!({"skill": s, "rating": r})).collect::<Vec<_>>()
    }))
    .unwrap()
}

/// An active mentorship of a local mentor and a mentee (of `b.example` when
/// `remote`), as (mentorship, mentor, mentee).
async fn under_way(store: &Store, remote: bool) -> (uuid::Uuid, uuid::Uuid, uuid::Uuid) {
    let mentor = mentor_with_capacity(store, "mentor", 2).await;
    let mentee = if remote {
        remote_account(store, "ada", "b.example").await
    } else {
        account(store, "ada").await.id
    };
    (accepted(store, &ask(mentor, mentee)).await, mentor, mentee)
}

/// A request, accepted by its mentor: the mentorship's id.
async fn accepted(store: &Store, request: &NewMentorship) -> uuid::Uuid {
    let m = store.request_mentorship(request, now()).await.unwrap();
    store
        .step_mentorship(
            &step_to(
                m.id,
                MentorshipState::Requested,
                MentorshipState::Active,
                request.mentor_id,
            ),
            now(),
        )
        .await
        .unwrap();
    m.id
}

async fn reviews_take_each_part_once_and_travel_to_a_party_elsewhere(store: Store) {
    use trellis_core::review::ReviewState;
    let (m, mentor, mentee) = under_way(&store, true).await;
    let stranger = account(&store, "eve").await.id;
    let new = |by| trellis_store::NewReview {
        mentorship_id: m,
        started_by: by,
        skills: vec![key("networking.dns"), key("networking.routing")],
        object_url: None,
        received: None,
    };
    assert!(matches!(
        store.start_review(&new(stranger), now()).await,
        Err(StoreError::Refused(_))
    ));
    let before = store.next_outbox_events(100).await.unwrap().len();
    let review = store.start_review(&new(mentor), now()).await.unwrap();
    assert_eq!(review.state, ReviewState::Open);
    assert_eq!(review.skills.len(), 2);
    let events = store.next_outbox_events(100).await.unwrap();
    assert_eq!(events.len(), before + 1, "queued for the mentee's instance");
    assert!(matches!(
        events.last().unwrap().event,
        OutboxEvent::ReviewStarted { review_id, .. } if review_id == review.id
    ));
    assert!(
        matches!(
            store.start_review(&new(mentor), now()).await,
            Err(StoreError::Conflict(_))
        ),
        "one review in progress at a time"
    );

    // Outside the review's skills: refused, nothing kept.
    let outside = store
        .submit_review_part(
            review.id,
            mentor,
            &review_part(&[("security.pki", 3)]),
            None,
            now(),
        )
        .await;
    assert!(
        matches!(outside, Err(StoreError::Refused(_))),
        "{outside:?}"
    );
    assert_eq!(store.review(review.id).await.unwrap().mentor_part, None);

    let after = store
        .submit_review_part(
            review.id,
            mentor,
            &review_part(&[("networking.dns", 4)]),
            None,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(after.state, ReviewState::MentorDone);
    assert_eq!(
        store
            .next_outbox_events(100)
            .await
            .unwrap()
            .last()
            .unwrap()
            .event
            .kind(),
        OutboxEventKind::ReviewPartSubmitted
    );
    assert!(matches!(
        store
            .submit_review_part(
                review.id,
                mentor,
                &review_part(&[("networking.dns", 5)]),
                None,
                now()
            )
            .await,
        Err(StoreError::Refused(_))
    ));
    // The mentee's part, as received from their instance; a repeat of the
    // same activity changes nothing.
    let received = "https://b.example/activities/part";
    let done = store
        .submit_review_part(
            review.id,
            mentee,
            &review_part(&[("networking.dns", 3), ("networking.routing", 2)]),
            Some(received),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(done.state, ReviewState::Completed);
    assert!(done.completed_at.is_some());
    let again = store
        .submit_review_part(
            review.id,
            mentee,
            &review_part(&[("networking.dns", 7)]),
            Some(received),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(again, done);
    let events = store.next_outbox_events(100).await.unwrap();
    assert!(
        events
            .iter()
            .filter(|e| matches!(
                e.event,
                OutboxEvent::ReviewStarted { review_id, .. }
                    | OutboxEvent::ReviewPartSubmitted { review_id, .. } if review_id == review.id
            ))
            .count()
            == 2,
        "what came from elsewhere is not sent back"
    );
    let completed = store.completed_reviews_of_mentee(mentee).await.unwrap();
    assert_eq!(completed.len(), 1);
    assert_eq!(completed[0].mentor.account_id, mentor);
    assert_eq!(
        completed[0]
            .review
            .mentee_part
            .as_ref()
            .unwrap()
            .part
            .ratings
            .len(),
        2
    );
    assert_eq!(store.reviews_of(m).await.unwrap(), vec![done]);
    // A new one may start once the last is complete.
    store.start_review(&new(mentee), now()).await.unwrap();
}

async fn due_reviews_are_told_once_per_due_date(store: Store) {
    let (m, mentor, mentee) = under_way(&store, false).await;
    let kinds = |id| {
        let store = store.clone();
        async move {
            store
                .notifications(id, 50)
                .await
                .unwrap()
                .into_iter()
                .filter(|n| n.kind == "review_due")
                .count()
        }
    };
    assert_eq!(
        store.notify_due_reviews(now()).await.unwrap(),
        0,
        "not due yet"
    );
    let later = now() + chrono::Duration::weeks(14);
    assert_eq!(store.notify_due_reviews(later).await.unwrap(), 1);
    assert_eq!(
        store.notify_due_reviews(later).await.unwrap(),
        0,
        "told once"
    );
    assert_eq!((kinds(mentor).await, kinds(mentee).await), (1, 1));
    // A shorter cadence makes the next one due sooner; a review in
    // progress holds the reminder back.
    store
        .set_review_cadence(m, trellis_core::review::Cadence::new(4).unwrap())
        .await
        .unwrap();
    let review = store
        .start_review(
            &trellis_store::NewReview {
                mentorship_id: m,
                started_by: mentor,
                skills: vec![key("networking.dns")],
                object_url: None,
                received: None,
            },
            later,
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .notify_due_reviews(later + chrono::Duration::weeks(5))
            .await
            .unwrap(),
        0
    );
    for by in [mentor, mentee] {
        store
            .submit_review_part(
                review.id,
                by,
                &review_part(&[("networking.dns", 3)]),
                None,
                later,
            )
            .await
            .unwrap();
    }
    assert_eq!(
        store
            .notify_due_reviews(later + chrono::Duration::weeks(5))
            .await
            .unwrap(),
        1
    );
    assert_eq!(kinds(mentee).await, 2);
}

async fn plans_are_kept_as_versions(store: Store) {
    let ada = account(&store, "ada").await.id;
    assert_eq!(store.plan(ada).await.unwrap(), None);
    let plan = |skill: &str| -> trellis_core::plan::CareerPlan {
        serde_json::from_value(serde_json::json!({"goals": [{
            "title": "Grow", "target_skills": [{"skill": skill, "level": 5}]
        }]}))
        .unwrap()
    };
    let first = store
        .put_plan(ada, &plan("networking.dns"), now())
        .await
        .unwrap();
    assert_eq!(first.version, 1);
    let same = store
        .put_plan(ada, &plan("networking.dns"), now())
        .await
        .unwrap();
    assert_eq!(same.version, 1, "an unchanged plan adds no version");
    let second = store
        .put_plan(ada, &plan("networking.routing"), now())
        .await
        .unwrap();
    assert_eq!(second.version, 2);
    assert_eq!(store.plan(ada).await.unwrap(), Some(second.clone()));
    let history = store.plan_history(ada).await.unwrap();
    assert_eq!(
        history.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(history[0].plan, plan("networking.dns"));
    let eve = account(&store, "eve").await.id;
    assert!(store.plan_history(eve).await.unwrap().is_empty());
}

async fn growth_is_shared_with_mentors_elsewhere_and_kept_while_under_way(store: Store) {
    use trellis_core::growth::{DriftOutcome, Growth};
    use trellis_store::OutboxEvent;
    let plan = |skill: &str| -> trellis_core::plan::CareerPlan {
        serde_json::from_value(serde_json::json!({"goals": [{
            "title": "Grow", "target_skills": [{"skill": skill, "level": 5}]
        }]}))
        .unwrap()
    };
    // Sending: a mentee here whose mentor is elsewhere.
    let lin = account(&store, "lin").await.id;
    let far = remote_account(&store, "grace", "c.example").await;
    let offers = mentor_profile(Visibility::Federated, &[], &["en"]);
    store.put_profile(far, &offers, now()).await.unwrap();
    let shares = |store: Store| async move {
        store
            .next_outbox_events(100)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.event == OutboxEvent::GrowthShared { mentee_id: lin })
            .count()
    };
    store
        .put_plan(lin, &plan("networking.dns"), now())
        .await
        .unwrap();
    assert_eq!(
        shares(store.clone()).await,
        0,
        "no mentor to share with yet"
    );
    let asked = store
        .request_mentorship(&ask(far, lin), now())
        .await
        .unwrap();
    assert_eq!(
        shares(store.clone()).await,
        0,
        "a request is not a mentorship"
    );
    store
        .step_mentorship(
            &step_to(
                asked.id,
                MentorshipState::Requested,
                MentorshipState::Active,
                far,
            ),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(shares(store.clone()).await, 1, "the new mentor gets it");
    store
        .put_plan(lin, &plan("networking.routing"), now())
        .await
        .unwrap();
    assert_eq!(
        shares(store.clone()).await,
        2,
        "and again when the plan changes"
    );
    store
        .put_plan(lin, &plan("networking.routing"), now())
        .await
        .unwrap();
    assert_eq!(
        shares(store.clone()).await,
        2,
        "an unchanged plan is no change"
    );

    // Receiving: a mentor here whose mentee is elsewhere.
    let (m, mentor, _) = under_way(&store, true).await;
    assert_eq!(store.shared_growth(m).await.unwrap(), None);
    let growth = |reviews: usize| Growth {
        reviews,
        skills: Vec::new(),
        plan_skills: vec![key("networking.dns")],
        drift: DriftOutcome::NotEnoughReviews {
            have: reviews,
            need: 3,
        },
    };
    // Whole seconds: every backend keeps them exactly.
    let start = chrono::Timelike::with_nanosecond(&now(), 0).unwrap();
    let at = move |minutes: i64| start + chrono::Duration::minutes(minutes);
    let receive = |g: Growth, shared: i64, activity: &'static str| {
        let store = store.clone();
        async move {
            store
                .receive_shared_growth(m, &g, at(shared), activity, now())
                .await
        }
    };
    receive(growth(1), 10, "https://b.example/activities/1")
        .await
        .unwrap();
    let kept = || async { store.shared_growth(m).await.unwrap().unwrap() };
    assert_eq!(
        (kept().await.growth.reviews, kept().await.shared_at),
        (1, at(10))
    );
    receive(growth(0), 5, "https://b.example/activities/2")
        .await
        .unwrap();
    assert_eq!(
        kept().await.growth.reviews,
        1,
        "an older share arriving late changes nothing"
    );
    receive(growth(9), 30, "https://b.example/activities/1")
        .await
        .unwrap();
    assert_eq!(
        kept().await.growth.reviews,
        1,
        "a repeated activity changes nothing"
    );
    receive(growth(2), 20, "https://b.example/activities/3")
        .await
        .unwrap();
    assert_eq!(kept().await.growth, growth(2));
    // The copy goes with the mentorship, and none is taken after.
    store
        .step_mentorship(
            &step_to(
                m,
                MentorshipState::Active,
                MentorshipState::Completed,
                mentor,
            ),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(store.shared_growth(m).await.unwrap(), None);
    assert!(matches!(
        receive(growth(3), 40, "https://b.example/activities/4").await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.shared_growth(m).await.unwrap(), None);
}

async fn a_move_out_freezes_the_account_and_follows_local_counterparts_once(store: Store) {
    // Ada (here) is mentored by Bo (here) and by Cy (elsewhere).
    let bo = mentor_with_capacity(&store, "bo", 2).await;
    let ada = account(&store, "ada").await.id;
    let cy = remote_account(&store, "cy", "c.example").await;
    store
        .put_profile(
            cy,
            &mentor_profile(Visibility::Federated, &[], &["en"]),
            now(),
        )
        .await
        .unwrap();
    let mut ids = Vec::new();
    for mentor in [bo, cy] {
        ids.push(accepted(&store, &ask(mentor, ada)).await);
    }
    let new_ada = remote_account(&store, "ada", "n.example").await;
    let out = |token: &[u8], deliveries| trellis_store::MoveOut {
        account_id: ada,
        target_id: new_ada,
        target_url: "https://n.example/users/ada".into(),
        token_hash: token.to_vec(),
        deliveries,
        archive: r#"{"format": "trellis.long-term-file"}"#.into(),
        expires_at: now() + Duration::days(30),
    };
    let moved = store
        .move_out(&out(b"hash", vec![delivery("n.example", 1)]), now())
        .await
        .unwrap();
    assert_eq!(
        moved, 1,
        "only the mentorship with a member here follows her"
    );
    assert_eq!(
        store.mentorship(ids[0]).await.unwrap().mentee.account_id,
        new_ada
    );
    assert_eq!(
        store.mentorship(ids[1]).await.unwrap().mentee.account_id,
        ada
    );
    assert_eq!(
        store.account(ada).await.unwrap().moved_to.as_deref(),
        Some("https://n.example/users/ada")
    );
    assert!(store.notifications(bo, 10).await.unwrap()[0].kind == "counterpart_moved");
    assert_eq!(
        store
            .moved_archive(b"hash", now())
            .await
            .unwrap()
            .as_deref(),
        Some(r#"{"format": "trellis.long-term-file"}"#),
        "the file as it was when she moved"
    );
    assert_eq!(store.moved_archive(b"other", now()).await.unwrap(), None);
    assert_eq!(
        store
            .moved_archive(b"hash", now() + Duration::days(31))
            .await
            .unwrap(),
        None,
        "the archive closes"
    );
    assert_eq!(
        store
            .pending_deliveries("n.example", 10)
            .await
            .unwrap()
            .len(),
        1
    );
    // Twice is a conflict, and changes nothing.
    assert!(matches!(
        store.move_out(&out(b"again", Vec::new()), now()).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.moved_archive(b"again", now()).await.unwrap(), None);
}

async fn a_moved_member_elsewhere_is_followed_and_their_file_imported_once(store: Store) {
    use trellis_store::{
        ImportState, ImportedFile, ImportedMentorship, ImportedSession, NewImport,
    };
    // Bo (here) mentors Ada (at o.example), who moves to Ada (here).
    let bo = mentor_with_capacity(&store, "bo", 2).await;
    let old_ada = remote_account(&store, "ada", "o.example").await;
    let asked = NewMentorship {
        object_url: Some("https://o.example/mentorships/now".into()),
        ..ask(bo, old_ada)
    };
    let m = accepted(&store, &asked).await;
    let new_ada = account(&store, "ada_new").await.id;
    let received = "https://o.example/activities/move";
    let moved = store
        .repoint_moved(
            old_ada,
            new_ada,
            "https://t.example/users/ada_new",
            None,
            received,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(moved, 1);
    assert_eq!(
        store.mentorship(m).await.unwrap().mentee.account_id,
        new_ada
    );
    assert_eq!(
        store
            .repoint_moved(old_ada, bo, "https://x.example/", None, received, now())
            .await
            .unwrap(),
        0,
        "a repeat changes nothing"
    );

    let new = NewImport {
        account_id: new_ada,
        from_actor: "https://o.example/users/ada".into(),
        origin: "o.example".into(),
        archive_url: Some("https://o.example/api/v1/moves/t/archive".into()),
        archive: None,
    };
    // A Move that announces the archive queues its import with the
    // re-pointing, once.
    let other = remote_account(&store, "zed", "o.example").await;
    let zed_new = account(&store, "zed_new").await.id;
    let announced = NewImport {
        account_id: zed_new,
        from_actor: "https://o.example/users/zed".into(),
        ..new.clone()
    };
    for _ in 0..2 {
        store
            .repoint_moved(
                other,
                zed_new,
                "https://t.example/users/zed_new",
                Some(&announced),
                "https://o.example/activities/zed-move",
                now(),
            )
            .await
            .unwrap();
    }
    assert_eq!(store.imports_of(zed_new).await.unwrap().len(), 1);

    let queued = store.queue_import(&new, now()).await.unwrap();
    assert_eq!(queued.state, ImportState::Pending);
    assert_eq!(store.pending_imports(now(), 10).await.unwrap().len(), 2);
    store
        .import_attempt_failed(
            queued.id,
            &serde_json::json!({"error": "down"}),
            Some(now() - Duration::seconds(1)),
            now(),
        )
        .await
        .unwrap();
    let retried = store.import(queued.id).await.unwrap();
    assert_eq!((retried.state, retried.attempts), (ImportState::Pending, 1));

    // A file with the mentorship held here already (kept as it is) and an
    // older one with Bo, which is written with its session and origin.
    let held = store.mentorship(m).await.unwrap();
    let content = session_content(30);
    let brought = trellis_store::HeldCredential {
        url: "https://o.example/credentials/1".into(),
        kind: "award".into(),
        issuer: "https://o.example/actor".into(),
        jwt: "a.b.c".into(),
        origin: "o.example".into(),
    };
    let file = ImportedFile {
        plan_versions: Vec::new(),
        credentials: vec![brought.clone()],
        mentorships: vec![
            ImportedMentorship {
                mentor_id: bo,
                mentee_id: new_ada,
                state: MentorshipState::Active,
                message: String::new(),
                goals: String::new(),
                object_url: held.object_url.clone().unwrap(),
                origin: "o.example".into(),
                created_at: now(),
                history: Vec::new(),
                sessions: Vec::new(),
                reviews: Vec::new(),
            },
            ImportedMentorship {
                mentor_id: bo,
                mentee_id: new_ada,
                state: MentorshipState::Completed,
                message: "Earlier".into(),
                goals: String::new(),
                object_url: "https://o.example/mentorships/earlier".into(),
                origin: "o.example".into(),
                created_at: now(),
                history: vec![(MentorshipState::Completed, bo, "Done".into(), now())],
                sessions: vec![ImportedSession {
                    author_id: new_ada,
                    content: content.clone(),
                    private_note: Some("Mine".into()),
                    origin: "o.example".into(),
                    created_at: now(),
                    updated_at: now(),
                }],
                reviews: Vec::new(),
            },
        ],
    };
    let report = serde_json::json!({"mentorships": 2});
    store
        .import_file(queued.id, &file, &report, now())
        .await
        .unwrap();
    let done = store.import(queued.id).await.unwrap();
    assert_eq!(
        (done.state, done.report),
        (ImportState::Imported, Some(report.clone()))
    );
    let hers = store
        .list_mentorships(new_ada, true, true, None)
        .await
        .unwrap();
    assert_eq!(hers.len(), 2, "the one held here is not doubled");
    let earlier = hers.iter().find(|x| x.message == "Earlier").unwrap();
    assert_eq!(earlier.origin.as_deref(), Some("o.example"));
    assert_eq!(held.origin, None);
    let sessions = store.sessions(earlier.id, new_ada).await.unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].private_note.as_deref(), Some("Mine"));
    assert_eq!(sessions[0].origin.as_deref(), Some("o.example"));
    assert_eq!(
        store.sessions(earlier.id, bo).await.unwrap()[0].private_note,
        None
    );
    assert_eq!(
        store.held_credentials(new_ada).await.unwrap(),
        vec![brought]
    );
    // Once done, it is over.
    assert!(matches!(
        store.import_file(queued.id, &file, &report, now()).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.pending_imports(now(), 10).await.unwrap().len(),
        1,
        "only the one the Move announced"
    );
    // The same file again adds nothing the account holds.
    let again = store.queue_import(&new, now()).await.unwrap();
    store
        .import_file(again.id, &file, &report, now())
        .await
        .unwrap();
    assert_eq!(
        store
            .list_mentorships(new_ada, true, true, None)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(store.held_credentials(new_ada).await.unwrap().len(), 1);
}

mod tracks {
    use chrono::{DateTime, Duration, Utc};
    use trellis_core::track::{
        CareerTrack, Cycle, Decision, EvidenceRef, Nomination, NominationState, Rank, Rationale,
        Stage, StageDecision,
    };
    use trellis_store::{
        CycleRecord, NewDecision, NewNomination, NominationRecord, Store, StoreError,
    };
    use uuid::Uuid;

    pub fn track() -> CareerTrack {
        let rank = |name: &str| Rank {
            name: name.into(),
            description: format!("What a {name} does."),
        };
        CareerTrack {
            name: "Technical leadership".into(),
            description: "Recognised technical leaders.".into(),
            ranks: vec![rank("Principal"), rank("Distinguished"), rank("Fellow")],
        }
    }

    /// A cycle taking nominations around `now`, with one committee per stage.
    pub async fn cycle(store: &Store, committees: &[&[Uuid]], admin: Uuid) -> CycleRecord {
        let track = store
            .create_track(&track(), admin, Utc::now())
            .await
            .unwrap();
        let today = Utc::now().date_naive();
        let cycle = Cycle {
            name: "Spring".into(),
            opens: today - Duration::days(10),
            closes: today + Duration::days(10),
            stages: committees
                .iter()
                .enumerate()
                .map(|(i, c)| Stage {
                    name: format!("Stage {i}"),
                    committee: c.to_vec(),
                })
                .collect(),
        };
        store
            .create_cycle(track.id, &cycle, admin, Utc::now())
            .await
            .unwrap()
    }

    pub fn nomination(
        nominee: Uuid,
        sponsor: Option<Uuid>,
        evidence: Vec<EvidenceRef>,
    ) -> Nomination {
        Nomination {
            nominee,
            sponsor,
            target_rank: "distinguished".into(),
            statement: "Led the DNS migration.".into(),
            evidence,
        }
    }

    pub async fn nominate(
        store: &Store,
        cycle: Uuid,
        by: Uuid,
        nomination: Nomination,
    ) -> Result<NominationRecord, StoreError> {
        store
            .nominate(
                &NewNomination {
                    cycle_id: cycle,
                    submitted_by: by,
                    nomination,
                },
                Utc::now(),
            )
            .await
    }

    pub async fn decide(
        store: &Store,
        nomination: Uuid,
        decider: Uuid,
        stage: usize,
        decision: Decision,
        at: DateTime<Utc>,
    ) -> Result<trellis_store::DecisionOutcome, StoreError> {
        store
            .record_decision(
                &NewDecision {
                    nomination_id: nomination,
                    decider,
                    stage,
                    decision: StageDecision {
                        decision,
                        rationale: Rationale::parse("Strong evidence of impact.").unwrap(),
                    },
                },
                at,
            )
            .await
    }

    pub fn state(record: &NominationRecord) -> NominationState {
        record.state
    }
}

async fn a_nomination_runs_through_every_stage_to_an_induction(store: Store) {
    use trellis_core::track::{Decision, EvidenceRef, NominationState};
    let admin = account(&store, "root").await.id;
    let ada = account(&store, "ada").await.id;
    let sam = account(&store, "sam").await.id;
    let unit = account(&store, "unit").await.id;
    let global = account(&store, "global").await.id;
    let lead = account(&store, "lead").await.id;
    let cycle = tracks::cycle(&store, &[&[unit, sam], &[global, ada], &[lead]], admin).await;
    assert_eq!(cycle.cycle.stages.len(), 3);
    assert_eq!(cycle.cycle.stages[1].committee, [global, ada]);
    assert_eq!(
        cycle
            .members
            .iter()
            .map(|m| m.username.as_str())
            .collect::<Vec<_>>(),
        ["unit", "sam", "global", "ada", "lead"]
    );
    assert_eq!(store.cycle(cycle.id).await.unwrap(), cycle);

    // Sam sponsors Ada; Ada picks the evidence from her own file.
    let plan: trellis_core::plan::CareerPlan = serde_json::from_value(serde_json::json!({
        "goals": [{"title": "Lead", "target_skills": [{"skill": "networking.dns", "level": 6}]}]
    }))
    .unwrap();
    store.put_plan(ada, &plan, now()).await.unwrap();
    let sponsored = tracks::nominate(
        &store,
        cycle.id,
        sam,
        tracks::nomination(ada, Some(sam), vec![]),
    )
    .await
    .unwrap();
    assert_eq!(sponsored.nomination.target_rank, "Distinguished");
    assert_eq!(sponsored.state, NominationState::START);
    assert_eq!(sponsored.accepted_at, None);
    let start = now();
    let waiting = tracks::decide(&store, sponsored.id, unit, 0, Decision::Advance, start).await;
    assert!(
        matches!(
            waiting,
            Err(StoreError::Refused(trellis_core::CoreError::Conflict(_)))
        ),
        "not before the nominee accepts: {waiting:?}"
    );
    let by_sponsor = store
        .set_evidence(sponsored.id, sam, &[EvidenceRef::plan_version(1)], now())
        .await;
    assert!(matches!(
        by_sponsor,
        Err(StoreError::Refused(trellis_core::CoreError::Forbidden(_)))
    ));
    let accepted = store
        .set_evidence(sponsored.id, ada, &[EvidenceRef::plan_version(1)], now())
        .await
        .unwrap();
    assert!(accepted.accepted_at.is_some());
    assert_eq!(accepted.nomination.evidence, [EvidenceRef::plan_version(1)]);

    // Recusal: the sponsor on stage 1, the nominee on stage 2.
    let recused = tracks::decide(&store, sponsored.id, sam, 0, Decision::Advance, start).await;
    assert!(matches!(
        recused,
        Err(StoreError::Refused(trellis_core::CoreError::Forbidden(_)))
    ));
    let outcome = tracks::decide(&store, sponsored.id, unit, 0, Decision::Defer, start)
        .await
        .unwrap();
    assert_eq!(
        outcome.nomination.state,
        NominationState::InStage { stage: 0 }
    );
    let outcome = tracks::decide(
        &store,
        sponsored.id,
        unit,
        0,
        Decision::Advance,
        start + Duration::minutes(1),
    )
    .await
    .unwrap();
    assert_eq!(
        tracks::state(&outcome.nomination),
        NominationState::InStage { stage: 1 }
    );
    let again = store.set_evidence(sponsored.id, ada, &[], now()).await;
    assert!(again.is_err(), "evidence is settled once a stage decided");
    let own = tracks::decide(
        &store,
        sponsored.id,
        ada,
        1,
        Decision::Advance,
        start + Duration::minutes(2),
    )
    .await;
    assert!(matches!(
        own,
        Err(StoreError::Refused(trellis_core::CoreError::Forbidden(_)))
    ));
    let outcome = tracks::decide(
        &store,
        sponsored.id,
        global,
        1,
        Decision::Advance,
        start + Duration::minutes(2),
    )
    .await
    .unwrap();
    assert!(outcome.induction.is_none());
    let done = tracks::decide(
        &store,
        sponsored.id,
        lead,
        2,
        Decision::Advance,
        start + Duration::minutes(3),
    )
    .await
    .unwrap();
    assert_eq!(done.nomination.state, NominationState::Inducted);
    assert_eq!(done.nomination.log.len(), 4);
    let induction = done.induction.expect("the last approval inducts");
    assert_eq!(
        (
            induction.account_id,
            induction.rank.as_str(),
            induction.rank_position,
            induction.nomination_id
        ),
        (ada, "Distinguished", 1, sponsored.id)
    );
    assert_eq!(
        (induction.track_id, induction.cycle_id),
        (cycle.track_id, cycle.id)
    );
    assert_eq!(induction.track_name, "Technical leadership");
    assert_eq!(induction.cycle_name, "Spring");
    let held = store.inductions_of(ada).await.unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held, std::slice::from_ref(&induction));
    assert_eq!(store.induction(induction.id).await.unwrap(), induction);
    assert!(matches!(
        store.induction(uuid::Uuid::now_v7()).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.inductions_of(sam).await.unwrap().is_empty());
    let closed = tracks::decide(&store, sponsored.id, lead, 2, Decision::Advance, now()).await;
    assert!(closed.is_err(), "an induction closes the nomination");

    // Everyone sees it in their own list; a stranger does not.
    for member in [ada, sam, unit, lead] {
        let listed = store.nominations(None, Some(member)).await.unwrap();
        assert_eq!(listed.len(), 1, "{member}");
    }
    let stranger = account(&store, "eve").await.id;
    assert!(
        store
            .nominations(None, Some(stranger))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.nominations(Some(cycle.id), None).await.unwrap().len(),
        1
    );
}

async fn nominations_keep_to_the_cycle_the_track_and_the_nominees_file(store: Store) {
    use trellis_core::track::{Cycle, Decision, EvidenceRef, Stage};
    let admin = account(&store, "root").await.id;
    let ada = account(&store, "ada").await.id;
    let bo = account(&store, "bo").await.id;
    let unit = account(&store, "unit").await.id;
    let cycle = tracks::cycle(&store, &[&[unit]], admin).await;
    let track = store.track(cycle.track_id).await.unwrap();
    assert_eq!(track.track.ranks.len(), 3);
    assert_eq!(store.tracks().await.unwrap(), std::slice::from_ref(&track));
    let twice = store.create_track(&tracks::track(), admin, now()).await;
    assert!(matches!(twice, Err(StoreError::Refused(_))), "{twice:?}");

    // Bo's plan and mentorship are not Ada's evidence.
    let plan: trellis_core::plan::CareerPlan = serde_json::from_value(serde_json::json!({
        "goals": [{"title": "Grow"}]
    }))
    .unwrap();
    store.put_plan(bo, &plan, now()).await.unwrap();
    let mentor = mentor_with_capacity(&store, "grace", 2).await;
    let theirs = store
        .request_mentorship(&ask(mentor, bo), now())
        .await
        .unwrap();
    for evidence in [
        EvidenceRef::plan_version(1),
        EvidenceRef {
            kind: trellis_core::track::EvidenceKind::Mentorship,
            id: theirs.id,
        },
        EvidenceRef {
            kind: trellis_core::track::EvidenceKind::Session,
            id: uuid::Uuid::now_v7(),
        },
    ] {
        let refused = tracks::nominate(
            &store,
            cycle.id,
            ada,
            tracks::nomination(ada, None, vec![evidence]),
        )
        .await;
        assert!(
            matches!(
                refused,
                Err(StoreError::Refused(trellis_core::CoreError::Invalid { .. }))
            ),
            "{refused:?}"
        );
    }
    let mine = store
        .request_mentorship(&ask(mentor, ada), now())
        .await
        .unwrap();
    let evidence = EvidenceRef {
        kind: trellis_core::track::EvidenceKind::Mentorship,
        id: mine.id,
    };
    // An unknown rank, a sponsor naming evidence, a stranger submitting.
    let mut unknown = tracks::nomination(ada, None, vec![]);
    unknown.target_rank = "Intern".into();
    assert!(
        tracks::nominate(&store, cycle.id, ada, unknown)
            .await
            .is_err()
    );
    assert!(
        tracks::nominate(
            &store,
            cycle.id,
            bo,
            tracks::nomination(ada, Some(bo), vec![evidence])
        )
        .await
        .is_err()
    );
    assert!(
        tracks::nominate(&store, cycle.id, bo, tracks::nomination(ada, None, vec![]))
            .await
            .is_err()
    );
    assert!(
        store
            .nominations(Some(cycle.id), None)
            .await
            .unwrap()
            .is_empty(),
        "nothing was kept"
    );

    let own = tracks::nominate(
        &store,
        cycle.id,
        ada,
        tracks::nomination(ada, None, vec![evidence]),
    )
    .await
    .unwrap();
    assert!(own.accepted_at.is_some(), "a self-nomination is accepted");
    assert_eq!(own.nomination.evidence, [evidence]);
    let second = tracks::nominate(
        &store,
        cycle.id,
        bo,
        tracks::nomination(ada, Some(bo), vec![]),
    )
    .await;
    assert!(
        matches!(
            second,
            Err(StoreError::Refused(trellis_core::CoreError::Conflict(_)))
        ),
        "{second:?}"
    );
    // Withdrawn by the nominee only; then nothing is decided on it.
    assert!(store.withdraw_nomination(own.id, bo, now()).await.is_err());
    let withdrawn = store.withdraw_nomination(own.id, ada, now()).await.unwrap();
    assert!(withdrawn.withdrawn_at.is_some());
    assert!(
        tracks::decide(&store, own.id, unit, 0, Decision::Advance, now())
            .await
            .is_err()
    );
    assert!(store.nomination(own.id).await.unwrap().log.is_empty());
    // Withdrawn, the member may be nominated again in the same cycle.
    tracks::nominate(
        &store,
        cycle.id,
        bo,
        tracks::nomination(ada, Some(bo), vec![]),
    )
    .await
    .unwrap();

    // A cycle that closed takes no nominations; committees are local members.
    let today = now().date_naive();
    let past = Cycle {
        name: "Last year".into(),
        opens: today - Duration::days(400),
        closes: today - Duration::days(300),
        stages: vec![Stage {
            name: "Only".into(),
            committee: vec![unit],
        }],
    };
    let past = store
        .create_cycle(track.id, &past, admin, now())
        .await
        .unwrap();
    let late = tracks::nominate(&store, past.id, bo, tracks::nomination(bo, None, vec![])).await;
    assert!(matches!(
        late,
        Err(StoreError::Refused(trellis_core::CoreError::Conflict(_)))
    ));
    let remote = store
        .upsert_remote_person(&remote_person("zed", "b.example"))
        .await
        .unwrap();
    let mut elsewhere = past_cycle(unit);
    elsewhere.stages[0].committee.push(remote.account_id);
    let refused = store.create_cycle(track.id, &elsewhere, admin, now()).await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Refused(trellis_core::CoreError::Invalid { .. }))
        ),
        "{refused:?}"
    );
    assert_eq!(store.cycles(Some(track.id), None).await.unwrap().len(), 2);
    assert_eq!(
        store
            .cycles(None, Some(today))
            .await
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect::<Vec<_>>(),
        [cycle.id],
        "only the cycle taking nominations today is open"
    );
}

fn past_cycle(member: uuid::Uuid) -> trellis_core::track::Cycle {
    let today = now().date_naive();
    trellis_core::track::Cycle {
        name: "Another".into(),
        opens: today,
        closes: today + Duration::days(30),
        stages: vec![trellis_core::track::Stage {
            name: "Only".into(),
            committee: vec![member],
        }],
    }
}

async fn the_decision_log_refuses_updates_and_deletes(store: Store) {
    use trellis_core::track::Decision;
    let admin = account(&store, "root").await.id;
    let ada = account(&store, "ada").await.id;
    let unit = account(&store, "unit").await.id;
    let cycle = tracks::cycle(&store, &[&[unit], &[unit]], admin).await;
    let own = tracks::nominate(&store, cycle.id, ada, tracks::nomination(ada, None, vec![]))
        .await
        .unwrap();
    tracks::decide(&store, own.id, unit, 0, Decision::Advance, now())
        .await
        .unwrap();
    let before = store.nomination(own.id).await.unwrap();
    for statement in [
        "UPDATE nomination_decisions SET rationale = 'Rewritten later.'",
        "UPDATE nomination_decisions SET decision = 'reject'",
        "DELETE FROM nomination_decisions",
    ] {
        let refused = store.execute_unchecked(statement).await;
        let message = format!("{refused:?}");
        assert!(message.contains("append-only"), "{statement}: {message}");
    }
    assert_eq!(
        store.nomination(own.id).await.unwrap(),
        before,
        "the log is as it was"
    );
}

async fn two_decisions_on_one_log_cannot_both_apply(store: Store) {
    use trellis_core::track::{Decision, NominationState};
    let admin = account(&store, "root").await.id;
    let first = account(&store, "first").await.id;
    let second = account(&store, "second").await.id;
    // Both sit on both stages: a late decision for stage 1 must not land on stage 2.
    let cycle = tracks::cycle(
        &store,
        &[&[first, second], &[first, second], &[first]],
        admin,
    )
    .await;
    for round in 0..5 {
        let nominee = account(&store, &format!("n{round}")).await.id;
        let own = tracks::nominate(
            &store,
            cycle.id,
            nominee,
            tracks::nomination(nominee, None, vec![]),
        )
        .await
        .unwrap();
        let at = now();
        let (x, y) = tokio::join!(
            tracks::decide(&store, own.id, first, 0, Decision::Advance, at),
            tracks::decide(&store, own.id, second, 0, Decision::Advance, at),
        );
        assert_eq!(
            u8::from(x.is_ok()) + u8::from(y.is_ok()),
            1,
            "round {round}: {x:?} / {y:?}"
        );
        let kept = store.nomination(own.id).await.unwrap();
        assert_eq!(kept.log.len(), 1);
        assert_eq!(kept.state, NominationState::InStage { stage: 1 });
    }
}

fn endorsement(skill: &str, text: &str) -> trellis_core::recognition::Endorsement {
    trellis_core::recognition::Endorsement {
        skill: key(skill),
        text: text.into(),
    }
}

/// The endorsements in force `account` received (`given` false) or gave.
async fn in_force(
    store: &Store,
    account: uuid::Uuid,
    given: bool,
) -> Vec<trellis_store::EndorsementRecord> {
    store.endorsements_of(account, given).await.unwrap()
}

fn give(
    m: uuid::Uuid,
    endorser: uuid::Uuid,
    subject: uuid::Uuid,
    skill: &str,
) -> trellis_store::NewEndorsement {
    trellis_store::NewEndorsement {
        mentorship_id: m,
        endorser_id: endorser,
        subject_id: subject,
        endorsement: endorsement(skill, "  Calm and careful with DNS changes.  "),
        object_url: None,
        credential: None,
        received: None,
    }
}

async fn endorsements_are_given_by_the_parties_once_per_skill(store: Store) {
    let (m, mentor, mentee) = under_way(&store, false).await;
    let stranger = account(&store, "eve").await.id;

    for (endorser, subject) in [(stranger, mentee), (mentee, stranger), (mentor, mentor)] {
        let refused = store
            .endorse(&give(m, endorser, subject, "networking.dns"), now())
            .await;
        assert!(
            matches!(refused, Err(StoreError::Refused(_))),
            "{refused:?}"
        );
    }
    let empty = trellis_store::NewEndorsement {
        endorsement: endorsement("networking.dns", "   "),
        ..give(m, mentor, mentee, "networking.dns")
    };
    assert!(matches!(
        store.endorse(&empty, now()).await,
        Err(StoreError::Refused(_))
    ));
    assert!(in_force(&store, mentee, false).await.is_empty());

    let given = store
        .endorse(&give(m, mentor, mentee, "networking.dns"), now())
        .await
        .unwrap();
    assert_eq!(given.endorser.account_id, mentor);
    assert_eq!(given.subject.account_id, mentee);
    assert_eq!(given.endorsement.text, "Calm and careful with DNS changes.");
    assert_eq!(given.object_url, None);
    assert_eq!(store.endorsement(given.id).await.unwrap(), given);
    let again = store
        .endorse(&give(m, mentor, mentee, "networking.dns"), now())
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    // Another skill, and the other way round, are endorsements of their own.
    store
        .endorse(&give(m, mentor, mentee, "networking.routing"), now())
        .await
        .unwrap();
    let back = store
        .endorse(&give(m, mentee, mentor, "networking.dns"), now())
        .await
        .unwrap();

    let received = in_force(&store, mentee, false).await;
    assert_eq!(received.len(), 2);
    assert!(received.iter().all(|e| e.subject.account_id == mentee));
    assert_eq!(in_force(&store, mentee, true).await, vec![back]);
    assert!(in_force(&store, stranger, false).await.is_empty());
    let told = store.notifications(mentee, 10).await.unwrap();
    assert_eq!(
        told.iter()
            .filter(|n| n.kind == "endorsement_received")
            .count(),
        2
    );
    assert!(
        store
            .next_outbox_events(100)
            .await
            .unwrap()
            .iter()
            .all(|e| !matches!(
                e.event,
                OutboxEvent::EndorsementGiven { .. } | OutboxEvent::EndorsementWithdrawn { .. }
            )),
        "nothing travels between two members of this instance"
    );

    // Completed still allows it; requested and ended do not.
    advance(&store, m, MentorshipState::Completed, mentor).await;
    store
        .endorse(&give(m, mentee, mentor, "leadership.coaching"), now())
        .await
        .unwrap();
    let other = mentor_with_capacity(&store, "mentor2", 2).await;
    let m2 = store
        .request_mentorship(&ask(other, mentee), now())
        .await
        .unwrap()
        .id;
    for (to, by) in [
        (None, other),
        (Some(MentorshipState::Active), other),
        (Some(MentorshipState::Ended), mentee),
    ] {
        if let Some(to) = to {
            advance(&store, m2, to, by).await;
        }
        if to == Some(MentorshipState::Active) {
            continue;
        }
        let refused = store
            .endorse(&give(m2, other, mentee, "networking.dns"), now())
            .await;
        assert!(
            matches!(refused, Err(StoreError::Refused(_))),
            "{to:?}: {refused:?}"
        );
    }
    assert_eq!(in_force(&store, other, true).await, vec![]);
}

/// Moves mentorship `m` from the state it is in to `to`, by `by`.
async fn advance(store: &Store, m: uuid::Uuid, to: MentorshipState, by: uuid::Uuid) {
    let from = store.mentorship(m).await.unwrap().state;
    store
        .step_mentorship(&step_to(m, from, to, by), now())
        .await
        .unwrap();
}

async fn endorsements_travel_to_a_subject_elsewhere_and_are_received_once(store: Store) {
    let (m, mentor, mentee) = under_way(&store, true).await;
    let given = store
        .endorse(&give(m, mentor, mentee, "networking.dns"), now())
        .await
        .unwrap();
    let events = store.next_outbox_events(100).await.unwrap();
    let queued: Vec<_> = events
        .iter()
        .filter(|e| {
            matches!(
                e.event,
                OutboxEvent::EndorsementGiven { endorsement_id, .. }
                    | OutboxEvent::EndorsementWithdrawn { endorsement_id, .. }
                    if endorsement_id == given.id
            )
        })
        .collect();
    assert_eq!(queued.len(), 1, "queued for the mentee's instance");
    assert_eq!(queued[0].event.kind(), OutboxEventKind::EndorsementGiven);
    assert!(matches!(
        queued[0].event,
        OutboxEvent::EndorsementGiven { endorser_id, .. } if endorser_id == mentor
    ));

    // From the mentee's instance, with its object id and credential; a
    // repeat of the activity gives the same endorsement.
    let received = trellis_store::NewEndorsement {
        object_url: Some("https://b.example/endorsements/1".into()),
        credential: Some("aGVhZA.Ym9keQ.c2ln".into()),
        received: Some("https://b.example/activities/e1".into()),
        ..give(m, mentee, mentor, "leadership.coaching")
    };
    let kept = store.endorse(&received, now()).await.unwrap();
    assert_eq!(kept.credential.as_deref(), Some("aGVhZA.Ym9keQ.c2ln"));
    assert_eq!(kept.endorser.domain.as_deref(), Some("b.example"));
    assert_eq!(store.endorse(&received, now()).await.unwrap(), kept);
    assert_eq!(
        store
            .endorsement_by_object("https://b.example/endorsements/1")
            .await
            .unwrap(),
        Some(kept)
    );
    assert_eq!(in_force(&store, mentor, false).await.len(), 1);
    assert_eq!(
        store.next_outbox_events(100).await.unwrap().len(),
        events.len(),
        "what came from elsewhere is not sent back"
    );
}

async fn an_endorsement_is_withdrawn_by_its_endorser_and_may_be_given_anew(store: Store) {
    let (m, mentor, mentee) = under_way(&store, true).await;
    let given = store
        .endorse(&give(m, mentor, mentee, "networking.dns"), now())
        .await
        .unwrap();
    for other in [mentee, account(&store, "eve").await.id] {
        let refused = store
            .withdraw_endorsement(given.id, other, None, now())
            .await;
        assert!(
            matches!(refused, Err(StoreError::Refused(_))),
            "{refused:?}"
        );
    }
    assert_eq!(in_force(&store, mentee, false).await.len(), 1);

    let before = store.next_outbox_events(100).await.unwrap().len();
    let withdrawn = store
        .withdraw_endorsement(given.id, mentor, None, now())
        .await
        .unwrap();
    assert!(withdrawn.withdrawn_at.is_some());
    let again = store
        .withdraw_endorsement(given.id, mentor, None, now())
        .await
        .unwrap();
    assert_eq!(again, withdrawn, "withdrawing twice changes nothing");
    let events = store.next_outbox_events(100).await.unwrap();
    assert_eq!(
        events.len(),
        before + 1,
        "one withdrawal for the mentee's instance"
    );
    assert!(matches!(
        events.last().unwrap().event,
        OutboxEvent::EndorsementWithdrawn { endorsement_id, .. } if endorsement_id == given.id
    ));
    assert!(in_force(&store, mentee, false).await.is_empty());
    assert!(in_force(&store, mentor, true).await.is_empty());

    // The same skill may be endorsed again, once.
    let anew = store
        .endorse(&give(m, mentor, mentee, "networking.dns"), now())
        .await
        .unwrap();
    assert_ne!(anew.id, given.id);
    assert!(matches!(
        store
            .endorse(&give(m, mentor, mentee, "networking.dns"), now())
            .await,
        Err(StoreError::Conflict(_))
    ));

    // A withdrawal received from the endorser's instance, and its repeat.
    let received = trellis_store::NewEndorsement {
        object_url: Some("https://b.example/endorsements/2".into()),
        received: Some("https://b.example/activities/e2".into()),
        ..give(m, mentee, mentor, "leadership.coaching")
    };
    let kept = store.endorse(&received, now()).await.unwrap();
    let delete = Some("https://b.example/activities/e2-delete");
    let gone = store
        .withdraw_endorsement(kept.id, mentee, delete, now())
        .await
        .unwrap();
    assert!(gone.withdrawn_at.is_some());
    assert_eq!(
        store
            .withdraw_endorsement(kept.id, mentee, delete, now())
            .await
            .unwrap(),
        gone
    );
    assert!(in_force(&store, mentor, false).await.is_empty());
}

/// Signs with no key at all: the store only stores what it is given.
#[derive(Debug)]
struct FakeSigner;

impl trellis_store::CredentialSigner for FakeSigner {
    fn sign(&self, c: &trellis_store::UnsignedCredential<'_>) -> Result<String, String> {
        Ok(format!(
            "jwt.{}.{}.{}",
            c.subject_username, c.status_index, c.content.name
        ))
    }
}

fn statement(name: &str) -> trellis_store::CredentialContent {
    trellis_store::CredentialContent {
        name: name.into(),
        achievement: trellis_store::AchievementContent {
            key: "participation".into(),
            name: name.into(),
            description: "d".into(),
            criteria_narrative: "c".into(),
            alignment: vec![],
            achievement_type: None,
        },
        subject_extra: serde_json::Map::new(),
        evidence: vec![],
        valid_until: None,
    }
}

async fn credentials_are_signed_as_issued_and_revoked_once(store: Store) {
    use trellis_store::CredentialKind::Participation;
    let ada = account(&store, "ada").await.id;
    // Without a signer nothing is issued.
    let unsigned = store
        .issue_credential(Participation, ada, &statement("first"), now())
        .await;
    assert!(
        matches!(unsigned, Err(StoreError::Signing(_))),
        "{unsigned:?}"
    );
    assert!(store.credentials_of(ada).await.unwrap().is_empty());

    store.set_credential_signer(std::sync::Arc::new(FakeSigner));
    let first = store
        .issue_credential(Participation, ada, &statement("first"), now())
        .await
        .unwrap();
    let second = store
        .issue_credential(Participation, ada, &statement("second"), now())
        .await
        .unwrap();
    assert_ne!(first.status_index, second.status_index);
    assert_eq!(first.jwt, format!("jwt.ada.{}.first", first.status_index));
    assert_eq!(first.content, statement("first"));
    let listed = store.credentials_of(ada).await.unwrap();
    assert_eq!(
        listed.iter().map(|c| c.id).collect::<Vec<_>>(),
        [second.id, first.id]
    );
    assert_eq!(store.status_lists(131_072).await.unwrap(), 1);
    assert_eq!(store.status_lists(1).await.unwrap(), 2);
    assert!(store.revoked_indexes(0, 131_072).await.unwrap().is_empty());

    let revoked = store
        .revoke_credential(first.id, "issued in error", now())
        .await
        .unwrap();
    assert!(revoked.revoked_at.is_some());
    let again = store
        .revoke_credential(first.id, "another reason", now())
        .await
        .unwrap();
    assert_eq!(again.revoked_reason.as_deref(), Some("issued in error"));
    assert_eq!(again.revoked_at, revoked.revoked_at);
    let told = store.notifications(ada, 50).await.unwrap();
    assert_eq!(
        told.iter()
            .filter(|n| n.kind == "credential_revoked")
            .count(),
        1,
        "told once, not at the second revocation"
    );
    assert_eq!(
        store.revoked_indexes(0, 131_072).await.unwrap(),
        [first.status_index]
    );
    assert!(
        store
            .revoked_indexes(first.status_index + 1, 131_072)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .credential(second.id)
            .await
            .unwrap()
            .revoked_at
            .is_none()
    );
    assert!(matches!(
        store
            .revoke_credential(uuid::Uuid::now_v7(), "r", now())
            .await,
        Err(StoreError::NotFound)
    ));
}

fn definition(
    rule: Option<trellis_core::recognition::AwardRule>,
) -> trellis_core::recognition::AchievementDefinition {
    trellis_core::recognition::AchievementDefinition {
        name: "First session".into(),
        description: "d".into(),
        criteria_narrative: "c".into(),
        alignment: vec![],
        rule,
    }
}

async fn automatic_awards_happen_once_even_when_sessions_race(store: Store) {
    use trellis_core::recognition::{AwardRule, Metric};
    store.set_credential_signer(std::sync::Arc::new(FakeSigner));
    let (mentorship_id, mentor, mentee) = under_way(&store, false).await;
    let rule = AwardRule {
        metric: Metric::SessionsAsMentor,
        at_least: 2,
    };
    let achievement = store
        .create_achievement(&definition(Some(rule)), mentor, now())
        .await
        .unwrap();
    assert!(store.awards_of(mentor).await.unwrap().is_empty());
    let log = |minutes| trellis_store::NewSession {
        mentorship_id,
        author_id: mentee,
        content: session_content(minutes),
        object_url: None,
        received: None,
    };
    store.add_session(&log(30), now()).await.unwrap();
    assert!(store.awards_of(mentor).await.unwrap().is_empty());
    let racing: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            let session = log(30);
            tokio::spawn(async move { store.add_session(&session, now()).await })
        })
        .collect();
    for task in racing {
        task.await.unwrap().unwrap();
    }
    let awards = store.awards_of(mentor).await.unwrap();
    assert_eq!(awards.len(), 1, "{awards:?}");
    assert_eq!(awards[0].achievement_id, achievement.id);
    assert!(awards[0].automatic);
    let credentials = store.credentials_of(mentor).await.unwrap();
    assert_eq!(credentials.len(), 1);
    assert_eq!(credentials[0].id, awards[0].credential_id);
    assert_eq!(credentials[0].kind, trellis_store::CredentialKind::Award);
    assert!(store.awards_of(mentee).await.unwrap().is_empty());
    let told = store.notifications(mentor, 50).await.unwrap();
    assert_eq!(
        told.iter()
            .filter(|n| n.kind == "achievement_awarded")
            .count(),
        1
    );

    // A session logged ahead of its date counts once the date has come.
    let dan = mentor_with_capacity(&store, "dan", 2).await;
    let cy = account(&store, "cy").await.id;
    let later = store
        .request_mentorship(&ask(dan, cy), now())
        .await
        .unwrap()
        .id;
    store
        .step_mentorship(
            &step_to(
                later,
                MentorshipState::Requested,
                MentorshipState::Active,
                dan,
            ),
            now(),
        )
        .await
        .unwrap();
    let first_as_mentor = store
        .create_achievement(
            &definition(Some(AwardRule {
                metric: Metric::SessionsAsMentor,
                at_least: 1,
            })),
            mentor,
            now(),
        )
        .await
        .unwrap();
    let soon = now() + Duration::hours(1);
    let mut planned = log(30);
    planned.mentorship_id = later;
    planned.author_id = cy;
    planned.content.held_at = soon;
    store.add_session(&planned, now()).await.unwrap();
    let holds = |awards: Vec<trellis_store::Award>| {
        awards
            .iter()
            .any(|a| a.achievement_id == first_as_mentor.id)
    };
    assert!(!holds(store.awards_of(dan).await.unwrap()));
    store
        .award_earned_by_time(now(), soon - Duration::minutes(1))
        .await
        .unwrap();
    assert!(!holds(store.awards_of(dan).await.unwrap()));
    store
        .award_earned_by_time(now(), soon + Duration::minutes(1))
        .await
        .unwrap();
    assert!(holds(store.awards_of(dan).await.unwrap()));

    let facts = store
        .participation_facts(mentor, "a.example")
        .await
        .unwrap();
    let figures = trellis_core::recognition::participation(&facts, now());
    assert_eq!(figures.total.sessions_as_mentor, 5);
    assert_eq!(figures.total.minutes_as_mentor, 150);
    assert_eq!(figures.total.mentees_mentored, 1);
    assert_eq!(
        figures.by_organization.keys().collect::<Vec<_>>(),
        ["a.example"]
    );
}

async fn hand_awards_refuse_repeats_retired_achievements_and_members_elsewhere(store: Store) {
    store.set_credential_signer(std::sync::Arc::new(FakeSigner));
    let admin = account(&store, "root").await.id;
    let ada = account(&store, "ada").await.id;
    let elsewhere = remote_account(&store, "bo", "b.example").await;
    let achievement = store
        .create_achievement(&definition(None), admin, now())
        .await
        .unwrap();
    let hand = |account_id| trellis_store::HandAward {
        achievement_id: achievement.id,
        account_id,
        reason: "ran the meetup".into(),
        awarded_by: admin,
    };
    let award = store.award_by_hand(&hand(ada), now()).await.unwrap();
    assert!(!award.automatic);
    assert_eq!(award.reason, "ran the meetup");
    assert_eq!(award.achievement_name, "First session");
    let again = store.award_by_hand(&hand(ada), now()).await;
    assert!(matches!(again, Err(StoreError::Refused(_))), "{again:?}");
    assert_eq!(store.credentials_of(ada).await.unwrap().len(), 1);
    let remote = store.award_by_hand(&hand(elsewhere), now()).await;
    assert!(matches!(remote, Err(StoreError::NotFound)), "{remote:?}");
    assert!(store.credentials_of(elsewhere).await.unwrap().is_empty());

    let retired = store
        .retire_achievement(achievement.id, now())
        .await
        .unwrap();
    assert!(retired.retired_at.is_some());
    let root = store.award_by_hand(&hand(admin), now()).await;
    assert!(matches!(root, Err(StoreError::Refused(_))), "{root:?}");
    assert!(store.achievements(false).await.unwrap().is_empty());
    assert_eq!(store.achievements(true).await.unwrap().len(), 1);
}
