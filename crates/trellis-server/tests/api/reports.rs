//! The program report for admins: figures about the pairings under way,
//! as JSON and as CSV, and never the notes or ratings behind them.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::json;
use trellis_testing::{TestApp, mentor, on_every_backend};

use crate::sessions::active_pair;

#[on_every_backend]
async fn the_program_report_counts_pairings_sessions_and_risk(app: TestApp) {
    // grace mentors ada, with a recent session and a completed review.
    let (grace, ada, id) = active_pair(&app).await;
    app.set_profile(
        &ada,
        json!({"languages": ["en"], "skills": [{"skill": "networking.dns", "level": 2}],
               "visibility": "organization"}),
    )
    .await;
    let recent = (Utc::now() - Duration::days(5)).to_rfc3339();
    let old = (Utc::now() - Duration::days(60)).to_rfc3339();
    for held_at in [&recent, &old] {
        app.post(
            &format!("/api/v1/mentorships/{id}/sessions"),
            Some(&ada),
            json!({"held_at": held_at, "duration_minutes": 30,
                   "notes": "Shared words about the outage"}),
        )
        .await
        .expect(StatusCode::CREATED);
    }
    let review = app
        .post(
            &format!("/api/v1/mentorships/{id}/reviews"),
            Some(&grace),
            json!({}),
        )
        .await
        .expect(StatusCode::CREATED);
    let part = format!(
        "/api/v1/mentorships/{id}/reviews/{}/part",
        review["id"].as_str().unwrap()
    );
    for token in [&ada, &grace] {
        app.put(
            &part,
            Some(token),
            json!({"ratings": [{"skill": "networking.dns", "rating": 3, "comment": "A private judgement"}]}),
        )
        .await
        .expect(StatusCode::OK);
    }
    // otto mentors bo, with no session at all: at risk.
    let otto = app.member("otto").await;
    app.set_profile(&otto, mentor("organization", &[("networking.dns", 6)]))
        .await;
    let bo = app.member("bo").await;
    let asked = app
        .post("/api/v1/mentorships", Some(&bo), json!({"mentor": "otto"}))
        .await
        .expect(StatusCode::CREATED);
    app.post(
        &format!(
            "/api/v1/mentorships/{}/accept",
            asked["id"].as_str().unwrap()
        ),
        Some(&otto),
        json!({}),
    )
    .await
    .expect(StatusCode::OK);
    // A request not yet answered is no pairing.
    let cy = app.member("cy").await;
    app.post("/api/v1/mentorships", Some(&cy), json!({"mentor": "otto"}))
        .await
        .expect(StatusCode::CREATED);

    let admin = app.admin("root").await;
    let path = "/api/v1/admin/reports/program";
    let report = app.get(path, Some(&admin)).await.expect(StatusCode::OK);
    assert_eq!(report["active_pairings"], 2);
    assert_eq!(
        report["sessions_last_30_days"], 1,
        "the old session is not recent"
    );
    assert_eq!(report["at_risk"], 1);
    assert_eq!(report["reviews_completed"], 1);
    assert_eq!(report["reviews_started"], 1);
    assert_eq!(report["review_completion"], 1.0);
    assert_eq!(report["mentors_without_mentor"], 2);
    let pairings = report["pairings"].as_array().unwrap();
    let otto_bo = pairings
        .iter()
        .find(|p| p["mentor"]["username"] == "otto")
        .unwrap();
    assert_eq!(otto_bo["at_risk"], true);
    assert!(otto_bo["last_session_at"].is_null());
    let grace_ada = pairings
        .iter()
        .find(|p| p["mentor"]["username"] == "grace")
        .unwrap();
    assert_eq!(grace_ada["at_risk"], false);
    assert!(grace_ada["last_session_at"].is_string());
    // Aggregates, not notes or ratings.
    let text = report.to_string();
    for private in ["Shared words", "A private judgement"] {
        assert!(!text.contains(private), "{private} leaked into the report");
    }

    let csv = reqwest::Client::new()
        .get(app.url(&format!("{path}?format=csv")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let body = csv.text().await.unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), 3, "a header and one row a pairing:\n{body}");
    assert!(lines[0].starts_with("mentorship_id,mentor,mentee,state"));
    assert!(
        lines
            .iter()
            .any(|l| l.contains(",otto,bo,active,") && l.contains(",true,")),
        "{body}"
    );
    assert!(!body.contains("Shared words"));

    // Only admins; a format it does not know is refused.
    assert_eq!(
        app.get(path, Some(&grace)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get(path, None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get(&format!("{path}?format=xml"), Some(&admin))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}
