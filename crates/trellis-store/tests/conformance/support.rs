//! Helpers that tests of more than one aggregate use; those of one
//! aggregate stay in its module.

use chrono::{DateTime, Utc};
use trellis_core::account::Username;
use trellis_core::mentorship::MentorshipState;
use trellis_core::profile::{Goals, LanguageTag, MentorSettings, Profile, ProfileSkill, Timezone};
use trellis_core::skill::{SkillKey, SkillLevel};
use trellis_core::visibility::Visibility;
use trellis_store::{
    DirectoryQuery, KeyPair, MentorshipStep, NewAccount, NewDelivery, NewMentorship, RemotePerson,
    Scope, Store,
};

pub fn name(raw: &str) -> Username {
    Username::parse(raw).unwrap()
}

pub fn key(raw: &str) -> SkillKey {
    SkillKey::parse(raw).unwrap()
}

pub fn level(n: u8) -> SkillLevel {
    SkillLevel::try_from(n).unwrap()
}

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// The store keeps keys as given; these need not be real.
pub fn keys() -> KeyPair {
    KeyPair {
        public_key_pem: "public".into(),
        private_key_pem: "private".into(),
    }
}

pub async fn account(store: &Store, username: &str) -> trellis_store::Account {
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

pub fn mentor_profile(
    visibility: Visibility,
    skills: &[(&str, u8)],
    languages: &[&str],
) -> Profile {
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

pub async fn make_mentor(store: &Store, username: &str, profile: Profile) -> uuid::Uuid {
    let id = account(store, username).await.id;
    store.put_profile(id, &profile, now()).await.unwrap();
    id
}

pub fn query(visible: &[Visibility]) -> DirectoryQuery {
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

pub fn usernames(page: &trellis_store::Page<trellis_store::ProfileRecord>) -> Vec<&str> {
    page.items.iter().map(|p| p.username.as_str()).collect()
}

pub fn remote_person(username: &str, domain: &str) -> RemotePerson {
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

pub fn delivery(domain: &str, n: u32) -> NewDelivery {
    NewDelivery {
        domain: domain.into(),
        inbox_url: format!("https://{domain}/inbox"),
        activity_id: format!("https://a.example/activities/{n}"),
        signer: None,
        body: format!("{{\"n\": {n}}}"),
    }
}

pub async fn mentor_with_capacity(store: &Store, username: &str, capacity: u16) -> uuid::Uuid {
    let mut profile = mentor_profile(Visibility::Organization, &[], &["en"]);
    profile.mentor.capacity = capacity;
    make_mentor(store, username, profile).await
}

pub fn ask(mentor_id: uuid::Uuid, mentee_id: uuid::Uuid) -> NewMentorship {
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

pub fn step_to(
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

pub fn session_content(minutes: u16) -> trellis_core::session::SessionContent {
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

pub async fn remote_account(store: &Store, username: &str, domain: &str) -> uuid::Uuid {
    store
        .upsert_remote_person(&remote_person(username, domain))
        .await
        .unwrap()
        .account_id
}

/// An active mentorship of a local mentor and a mentee (of `b.example` when
/// `remote`), as (mentorship, mentor, mentee).
pub async fn under_way(store: &Store, remote: bool) -> (uuid::Uuid, uuid::Uuid, uuid::Uuid) {
    let mentor = mentor_with_capacity(store, "mentor", 2).await;
    let mentee = if remote {
        remote_account(store, "ada", "b.example").await
    } else {
        account(store, "ada").await.id
    };
    (accepted(store, &ask(mentor, mentee)).await, mentor, mentee)
}

/// A request, accepted by its mentor: the mentorship's id.
pub async fn accepted(store: &Store, request: &NewMentorship) -> uuid::Uuid {
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

/// What the career-track tests build, in a module of its own: its names
/// (`track`, `cycle`, `nomination`, …) are also those of the tests' variables.
pub mod tracks {
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
