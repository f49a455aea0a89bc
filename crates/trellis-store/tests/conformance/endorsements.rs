//! Endorsements: given by the parties, travelling elsewhere, withdrawn.

use trellis_core::mentorship::MentorshipState;
use trellis_store::{OutboxEvent, OutboxEventKind, Store, StoreError};
use trellis_test_macros::on_every_backend;

use crate::support::{account, ask, key, mentor_with_capacity, now, step_to, under_way};

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

#[on_every_backend]
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

#[on_every_backend]
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

#[on_every_backend]
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
