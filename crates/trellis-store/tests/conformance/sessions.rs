//! Sessions of a mentorship, and the notes apart from them.

use trellis_core::mentorship::MentorshipState;
use trellis_store::{OutboxEvent, Store, StoreError};
use trellis_test_macros::on_every_backend;

use crate::support::{ask, mentor_with_capacity, now, remote_person, session_content, step_to};

#[on_every_backend]
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

#[on_every_backend]
async fn the_program_figures_count_what_happened_here(store: Store) {
    let (m, mentor, _) = crate::support::under_way(&store, false).await;
    let bo = crate::support::account(&store, "bo").await.id;
    store
        .request_mentorship(&ask(mentor, bo), now())
        .await
        .unwrap();
    let new = trellis_store::NewSession {
        mentorship_id: m,
        author_id: mentor,
        content: session_content(45),
        object_url: None,
        received: None,
    };
    store.add_session(&new, now()).await.unwrap();
    let day = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let held = session_content(45).held_at;
    assert_eq!(
        store
            .session_times(day("2026-11-01T00:00:00Z"), day("2026-12-01T00:00:00Z"))
            .await
            .unwrap(),
        [held]
    );
    assert!(
        store
            .session_times(day("2026-11-21T00:00:00Z"), day("2026-12-01T00:00:00Z"))
            .await
            .unwrap()
            .is_empty(),
        "only the window counts"
    );
    assert_eq!(
        store.mentorship_states().await.unwrap(),
        [("active".to_owned(), 1), ("requested".to_owned(), 1)]
    );
}
