//! Skill reviews: each part once, due dates told once, and travel to a
//! party elsewhere.

use trellis_store::{OutboxEvent, OutboxEventKind, Store, StoreError};
use trellis_test_macros::on_every_backend;

use crate::support::{account, key, now, under_way};

fn review_part(ratings: &[(&str, u8)]) -> trellis_core::review::ReviewPart {
    serde_json::from_value(serde_json::json!({
        "ratings": ratings.iter().map(|(s, r)| serde_json::json!({"skill": s, "rating": r})).collect::<Vec<_>>()
    }))
    .unwrap()
}

#[on_every_backend]
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

#[on_every_backend]
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
