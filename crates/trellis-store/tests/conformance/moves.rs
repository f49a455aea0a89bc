//! Moves between instances: out of here, and in from elsewhere.

use chrono::Duration;
use trellis_core::mentorship::MentorshipState;
use trellis_core::visibility::Visibility;
use trellis_store::{NewMentorship, Store, StoreError};
use trellis_test_macros::on_every_backend;

use crate::support::{
    accepted, account, ask, delivery, mentor_profile, mentor_with_capacity, now, remote_account,
    session_content,
};

#[on_every_backend]
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

#[on_every_backend]
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
