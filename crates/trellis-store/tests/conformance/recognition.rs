//! Recognition: credentials signed and revoked, achievements awarded by
//! rule and by hand.

use chrono::Duration;
use trellis_core::mentorship::MentorshipState;
use trellis_store::{Store, StoreError};
use trellis_test_macros::on_every_backend;

use crate::support::{
    account, ask, mentor_with_capacity, now, remote_account, session_content, step_to, under_way,
};

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

#[on_every_backend]
async fn the_newest_credential_of_an_achievement_is_found_by_its_key_exactly(store: Store) {
    use trellis_store::CredentialKind::{Endorsement, Participation};
    let ada = account(&store, "ada").await.id;
    store.set_credential_signer(std::sync::Arc::new(FakeSigner));
    assert_eq!(
        store.latest_credential_for("participation").await.unwrap(),
        None
    );
    store
        .issue_credential(Participation, ada, &statement("older"), now())
        .await
        .unwrap();
    let newer = store
        .issue_credential(
            Participation,
            ada,
            &statement("newer"),
            now() + Duration::seconds(1),
        )
        .await
        .unwrap();
    let mut endorsed = statement("endorsed");
    endorsed.achievement.key = "endorsements/net_work%".into();
    let endorsement = store
        .issue_credential(Endorsement, ada, &endorsed, now())
        .await
        .unwrap();
    let found = store.latest_credential_for("participation").await.unwrap();
    assert_eq!(found.map(|c| c.id), Some(newer.id));
    let found = store
        .latest_credential_for("endorsements/net_work%")
        .await
        .unwrap();
    assert_eq!(found.map(|c| c.id), Some(endorsement.id));
    // LIKE's wildcards in a key match only themselves; a part of a key
    // is no key.
    for other in [
        "endorsements/netXworkX",
        "endorsements/net",
        "participatio",
        "%",
    ] {
        assert_eq!(
            store.latest_credential_for(other).await.unwrap(),
            None,
            "{other}"
        );
    }
}

#[on_every_backend]
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

#[on_every_backend]
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

#[on_every_backend]
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
