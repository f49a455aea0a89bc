//! The outbox: deliveries claimed, attempted and kept, and events queued
//! with the change that caused them.

use chrono::{Duration, SubsecRound};
use trellis_core::visibility::Visibility;
use trellis_store::{AttemptResult, DeliveryState, OutboxEvent, Store};
use trellis_test_macros::on_every_backend;

use crate::support::{account, delivery, mentor_profile, now};

#[on_every_backend]
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
    // PostgreSQL keeps microseconds.
    let t0 = now().trunc_subsecs(6);
    assert_eq!(
        store.due_domains(t0, 10).await.unwrap(),
        ["b.example", "c.example"]
    );
    assert!(
        store
            .claim_domain("b.example", "worker-1", t0 + Duration::seconds(60), t0)
            .await
            .unwrap()
    );
    assert!(
        !store
            .claim_domain("b.example", "worker-2", t0 + Duration::seconds(60), t0)
            .await
            .unwrap(),
        "one worker at a time"
    );
    assert_eq!(store.due_domains(t0, 10).await.unwrap(), ["c.example"]);
    let held = store.instance("b.example").await.unwrap().unwrap();
    let lease = held.lease.unwrap();
    assert_eq!(lease.holder, "worker-1");
    assert_eq!(lease.until, t0 + Duration::seconds(60));
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
    store.release_domain("b.example", "worker-1").await.unwrap();
    let failing = store.instance("b.example").await.unwrap().unwrap();
    assert_eq!(
        (failing.delivery_state, failing.consecutive_failures),
        (DeliveryState::Failing, 1)
    );
    assert_eq!(failing.last_error.as_deref(), Some("503"));
    assert!(failing.failing_since.is_some());
    assert_eq!(failing.pending_deliveries, 2);
    assert_eq!(failing.last_attempt_at, Some(t0));
    assert!(failing.oldest_pending_at.is_some());
    assert_eq!(failing.lease, None, "released");
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
    assert_eq!(healthy.oldest_pending_at, None);
    assert_eq!(store.outbox_depth().await.unwrap(), 1);
}

#[on_every_backend]
async fn leases_are_renewed_by_their_holder_and_taken_over_once_they_lapse(store: Store) {
    store
        .enqueue_deliveries(&[delivery("b.example", 1)], now())
        .await
        .unwrap();
    // PostgreSQL keeps microseconds.
    let t0 = now().trunc_subsecs(6);
    let lease = Duration::seconds(10);
    assert!(
        store
            .claim_domain("b.example", "one", t0 + lease, t0)
            .await
            .unwrap()
    );
    assert!(
        store
            .renew_claim("b.example", "one", t0 + lease * 2)
            .await
            .unwrap()
    );
    assert!(
        !store
            .renew_claim("b.example", "two", t0 + lease * 2)
            .await
            .unwrap(),
        "only the holder renews"
    );
    let later = t0 + lease + Duration::seconds(1);
    assert!(
        !store
            .claim_domain("b.example", "two", later + lease, later)
            .await
            .unwrap(),
        "a renewed lease holds"
    );
    // The holder stops renewing (it died): once the lease lapses, another
    // takes the queue over, and the old holder cannot renew or release it.
    let lapsed = t0 + lease * 2 + Duration::seconds(1);
    assert_eq!(store.due_domains(lapsed, 10).await.unwrap(), ["b.example"]);
    assert!(
        store
            .claim_domain("b.example", "two", lapsed + lease, lapsed)
            .await
            .unwrap()
    );
    assert!(!store.renew_claim("b.example", "one", lapsed).await.unwrap());
    store.release_domain("b.example", "one").await.unwrap();
    let taken = store.instance("b.example").await.unwrap().unwrap().lease;
    assert_eq!(
        taken.map(|l| (l.holder, l.since)),
        Some(("two".to_owned(), lapsed))
    );
    assert_eq!(store.release_claims_of("two").await.unwrap(), 1);
    assert_eq!(
        store.instance("b.example").await.unwrap().unwrap().lease,
        None
    );
}

#[on_every_backend]
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
    assert_eq!(store.waiting_outbox_events().await.unwrap(), 1);
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
    assert_eq!(store.waiting_outbox_events().await.unwrap(), 0);
    assert_eq!(store.published_profiles().await.unwrap(), [ada.id]);
    assert_eq!(store.outbox_depth().await.unwrap(), 1);
    assert!(store.next_outbox_events(10).await.unwrap().is_empty());
}
