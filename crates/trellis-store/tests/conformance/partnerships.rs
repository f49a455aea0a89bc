//! Partnerships between instances, and the partners' profiles they bring.

use chrono::Duration;
use trellis_core::partnership::Partnership;
use trellis_core::visibility::Visibility;
use trellis_store::{DirectoryQuery, OutboxEvent, PartnershipStep, Scope, StepOutcome, Store};
use trellis_test_macros::on_every_backend;

use crate::support::{delivery, make_mentor, mentor_profile, now, query, remote_person, usernames};

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

#[on_every_backend]
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

#[on_every_backend]
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

#[on_every_backend]
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

#[on_every_backend]
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
