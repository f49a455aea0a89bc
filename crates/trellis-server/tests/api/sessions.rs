//! Sessions of a mentorship on one instance: logged and updated by either
//! party, private notes seen by their writer alone.

use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_testing::{TestApp, mentor, on_every_backend};

/// An active mentorship between grace (mentor) and ada (mentee).
pub(crate) async fn active_pair(app: &TestApp) -> (String, String, String) {
    let grace = app.member("grace").await;
    app.set_profile(&grace, mentor("organization", &[("networking.dns", 6)]))
        .await;
    let ada = app.member("ada").await;
    let asked = app
        .post(
            "/api/v1/mentorships",
            Some(&ada),
            json!({"mentor": "grace"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let id = asked["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/mentorships/{id}/accept"),
        Some(&grace),
        json!({}),
    )
    .await
    .expect(StatusCode::OK);
    (grace, ada, id)
}

pub(crate) fn a_session() -> Value {
    json!({
        "held_at": "2026-11-20T09:00:00Z",
        "duration_minutes": 45,
        "topics": ["DNSSEC", "key rollover"],
        "notes": "We walked through a KSK rollover.",
        "action_items": [
            {"text": "Read RFC 9364", "owner": "mentee"},
            {"text": "Share our runbook", "owner": "mentor"},
        ],
    })
}

#[on_every_backend]
async fn either_party_logs_and_updates_sessions(app: TestApp) {
    let (grace, ada, id) = active_pair(&app).await;
    let sessions = format!("/api/v1/mentorships/{id}/sessions");
    let logged = app
        .post(&sessions, Some(&ada), a_session())
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(logged["logged_by"], "mentee");
    assert_eq!(logged["duration_minutes"], 45);
    assert_eq!(logged["action_items"][0]["done"], false);
    let sid = logged["id"].as_str().unwrap().to_owned();

    // The mentor sees it and ticks off his action item.
    let seen = app
        .get(&sessions, Some(&grace))
        .await
        .expect(StatusCode::OK);
    assert_eq!(seen.as_array().unwrap().len(), 1);
    assert_eq!(seen[0]["notes"], "We walked through a KSK rollover.");
    let mut changed = a_session();
    changed["action_items"][1]["done"] = json!(true);
    let updated = app
        .put(&format!("{sessions}/{sid}"), Some(&grace), changed)
        .await
        .expect(StatusCode::OK);
    assert_eq!(updated["action_items"][1]["done"], true);
    assert_eq!(updated["logged_by"], "mentee", "the author stays");
    let again = app
        .get(&format!("{sessions}/{sid}"), Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(again["action_items"][1]["done"], true);

    // A second session lists first.
    let mut later = a_session();
    later["held_at"] = json!("2026-11-27T09:00:00Z");
    app.post(&sessions, Some(&grace), later)
        .await
        .expect(StatusCode::CREATED);
    let listed = app.get(&sessions, Some(&ada)).await.expect(StatusCode::OK);
    assert_eq!(listed[0]["held_at"], "2026-11-27T09:00:00Z");
    assert_eq!(listed[0]["logged_by"], "mentor");

    // Bad input names the field and changes nothing.
    for (field, value) in [
        ("duration_minutes", json!(0)),
        ("topics", json!([""])),
        ("action_items", json!([{"text": "x", "owner": "someone"}])),
        ("held_at", json!("yesterday")),
    ] {
        let mut bad = a_session();
        bad[field] = value;
        let reply = app.post(&sessions, Some(&ada), bad).await;
        assert!(
            reply.status == StatusCode::UNPROCESSABLE_ENTITY
                || reply.status == StatusCode::BAD_REQUEST,
            "{field}: {}",
            reply.status
        );
        assert!(
            reply.message().contains(field),
            "{field}: {}",
            reply.message()
        );
    }
    assert_eq!(
        app.get(&sessions, Some(&ada))
            .await
            .expect(StatusCode::OK)
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[on_every_backend]
async fn private_notes_are_seen_by_their_writer_alone(app: TestApp) {
    let (grace, ada, id) = active_pair(&app).await;
    let sessions = format!("/api/v1/mentorships/{id}/sessions");
    let sid = app
        .post(&sessions, Some(&ada), a_session())
        .await
        .expect(StatusCode::CREATED)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let note = format!("{sessions}/{sid}/private-note");
    let kept = app
        .put(
            &note,
            Some(&ada),
            json!({"text": "I felt lost on DS records"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(kept["private_note"], "I felt lost on DS records");
    app.put(
        &note,
        Some(&grace),
        json!({"text": "Ada needs more practice"}),
    )
    .await
    .expect(StatusCode::OK);

    // Each party sees their own note only.
    for (token, mine, theirs) in [
        (&ada, "I felt lost on DS records", "Ada needs more practice"),
        (
            &grace,
            "Ada needs more practice",
            "I felt lost on DS records",
        ),
    ] {
        for path in [sessions.clone(), format!("{sessions}/{sid}")] {
            let body = app.get(&path, Some(token)).await.expect(StatusCode::OK);
            let text = body.to_string();
            assert!(text.contains(mine), "{path}");
            assert!(!text.contains(theirs), "{path} shows the other's note");
        }
    }

    // Nobody else sees the session at all: another member, an admin, an
    // anonymous caller.
    let eve = app.member("eve").await;
    let admin = app.admin("boss").await;
    for token in [Some(eve.as_str()), Some(admin.as_str())] {
        for path in [sessions.clone(), format!("{sessions}/{sid}")] {
            assert_eq!(app.get(&path, token).await.status, StatusCode::NOT_FOUND);
        }
        let reply = app.put(&note, token, json!({"text": "mine"})).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(
        app.get(&sessions, None).await.status,
        StatusCode::UNAUTHORIZED
    );

    // An empty text removes one's note.
    let removed = app
        .put(&note, Some(&ada), json!({"text": ""}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(removed["private_note"], Value::Null);
}

#[on_every_backend]
async fn sessions_belong_to_mentorships_under_way(app: TestApp) {
    let grace = app.member("grace").await;
    app.set_profile(&grace, mentor("organization", &[("networking.dns", 6)]))
        .await;
    let ada = app.member("ada").await;
    let asked = app
        .post(
            "/api/v1/mentorships",
            Some(&ada),
            json!({"mentor": "grace"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let id = asked["id"].as_str().unwrap();
    let sessions = format!("/api/v1/mentorships/{id}/sessions");
    let early = app.post(&sessions, Some(&ada), a_session()).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    assert!(early.message().contains("requested"));

    app.post(
        &format!("/api/v1/mentorships/{id}/accept"),
        Some(&grace),
        json!({}),
    )
    .await
    .expect(StatusCode::OK);
    let sid = app
        .post(&sessions, Some(&ada), a_session())
        .await
        .expect(StatusCode::CREATED)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &format!("/api/v1/mentorships/{id}/complete"),
        Some(&grace),
        json!({}),
    )
    .await
    .expect(StatusCode::OK);
    let late = app
        .put(&format!("{sessions}/{sid}"), Some(&ada), a_session())
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    // What was logged stays readable.
    assert_eq!(
        app.get(&sessions, Some(&ada))
            .await
            .expect(StatusCode::OK)
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // A session of another mentorship is not found under this one.
    let other = app
        .get(
            &format!("/api/v1/mentorships/{id}/sessions/{}", uuid::Uuid::now_v7()),
            Some(&ada),
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}
