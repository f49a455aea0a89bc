//! Cohorts: members, proposals and approval.

use trellis_core::cohort::Unassigned;
use trellis_core::matching::{Factor, FactorScore, Weights};
use trellis_core::mentorship::MentorshipState;
use trellis_core::visibility::Visibility;
use trellis_store::{
    Cohort, CohortApproval, CohortStatus, NewCohort, NewProposal, OutboxEventKind, ProposedFor,
    RequestOutcome, Store, StoreError,
};
use trellis_test_macros::on_every_backend;

use crate::support::{
    account, ask, mentor_profile, mentor_with_capacity, name, now, remote_account, step_to,
};

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
        detail: trellis_core::matching::FactorDetail::Unknown,
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

#[on_every_backend]
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

#[on_every_backend]
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

#[on_every_backend]
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

#[on_every_backend]
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
