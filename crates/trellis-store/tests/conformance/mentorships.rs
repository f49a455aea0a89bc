//! Mentorships: requested, moved through their states and kept within
//! capacity, here and across instances.

use trellis_core::mentorship::MentorshipState;
use trellis_store::{MentorshipStep, NewMentorship, Store, StoreError};
use trellis_test_macros::on_every_backend;

use crate::support::{account, ask, mentor_with_capacity, now, remote_person, step_to};

#[on_every_backend]
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

#[on_every_backend]
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

#[on_every_backend]
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

#[on_every_backend]
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

#[on_every_backend]
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

#[on_every_backend]
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
