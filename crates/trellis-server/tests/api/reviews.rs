//! Skill reviews, career plans and growth on one instance: who writes what,
//! who sees what, and the drift insight drawn from them.

use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_testing::{TestApp, on_every_backend};

use crate::sessions::active_pair;

pub(crate) const DNS: &str = "networking.dns";
pub(crate) const SQL: &str = "databases.sql-query-design";

/// Gives ada, the mentee of `active_pair`, skills to review.
pub(crate) async fn mentee_skills(app: &TestApp, ada: &str) {
    app.set_profile(
        ada,
        json!({
            "languages": ["en"],
            "skills": [{"skill": DNS, "level": 2}, {"skill": SQL, "level": 2}],
            "visibility": "organization",
        }),
    )
    .await;
}

fn part(ratings: &[(&str, u8)]) -> Value {
    json!({"ratings": ratings.iter().map(|(s, r)| json!({"skill": s, "rating": r, "comment": format!("{s} at {r}")})).collect::<Vec<_>>()})
}

/// Runs one whole review in mentorship `id`: started by the mentor, each
/// party's ratings in; returns the completed review.
pub(crate) async fn review(
    app: &TestApp,
    id: &str,
    mentor: &str,
    mentee: &str,
    own: &[(&str, u8)],
    theirs: &[(&str, u8)],
) -> Value {
    let started = app
        .post(
            &format!("/api/v1/mentorships/{id}/reviews"),
            Some(mentor),
            json!({}),
        )
        .await
        .expect(StatusCode::CREATED);
    let path = format!(
        "/api/v1/mentorships/{id}/reviews/{}/part",
        started["id"].as_str().unwrap()
    );
    app.put(&path, Some(mentee), part(own))
        .await
        .expect(StatusCode::OK);
    app.put(&path, Some(mentor), part(theirs))
        .await
        .expect(StatusCode::OK)
}

#[on_every_backend]
async fn a_review_is_started_by_either_and_completed_by_both(app: TestApp) {
    let (grace, ada, id) = active_pair(&app).await;
    mentee_skills(&app, &ada).await;
    let reviews = format!("/api/v1/mentorships/{id}/reviews");
    let started = app
        .post(&reviews, Some(&ada), json!({}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(started["state"], "open");
    assert_eq!(started["started_by"], "mentee");
    assert_eq!(
        started["skills"],
        json!([DNS, SQL]),
        "the mentee's profile skills"
    );
    // One review at a time.
    let second = app.post(&reviews, Some(&grace), json!({})).await;
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.body);

    let path = format!("{reviews}/{}/part", started["id"].as_str().unwrap());
    // Bad parts are refused and change nothing.
    for bad in [
        json!({"ratings": []}),
        part(&[("security.pki", 3)]),
        part(&[(DNS, 3), (DNS, 4)]),
        json!({"ratings": [{"skill": DNS, "rating": 8}]}),
        json!({"ratings": [{"skill": DNS, "rating": 3}], "extra": true}),
    ] {
        let refused = app.put(&path, Some(&ada), bad.clone()).await;
        assert!(
            refused.status.is_client_error(),
            "{bad} → {}",
            refused.status
        );
    }
    let after_mentee = app
        .put(&path, Some(&ada), part(&[(DNS, 3), (SQL, 2)]))
        .await
        .expect(StatusCode::OK);
    assert_eq!(after_mentee["state"], "mentee_done");
    let twice = app.put(&path, Some(&ada), part(&[(DNS, 4)])).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "each part once");
    let done = app
        .put(&path, Some(&grace), part(&[(DNS, 4), (SQL, 3)]))
        .await
        .expect(StatusCode::OK);
    assert_eq!(done["state"], "completed");
    assert_eq!(done["mentee_part"]["ratings"][0]["rating"], 3);
    assert_eq!(done["mentor_part"]["ratings"][0]["rating"], 4);
    assert!(done["completed_at"].is_string());
    // Told: the mentee that the review started and completed.
    let kinds: Vec<String> = app
        .get("/api/v1/notifications", Some(&ada))
        .await
        .expect(StatusCode::OK)
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect();
    assert!(kinds.contains(&"review_completed".to_owned()), "{kinds:?}");

    // A new review may start now; the cadence is the pair's to set.
    app.post(&reviews, Some(&grace), json!({}))
        .await
        .expect(StatusCode::CREATED);
    let cadence = format!("/api/v1/mentorships/{id}/review-cadence");
    assert_eq!(
        app.get(&cadence, Some(&ada)).await.expect(StatusCode::OK)["every_weeks"],
        13
    );
    app.put(&cadence, Some(&grace), json!({"every_weeks": 4}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        app.put(&cadence, Some(&grace), json!({"every_weeks": 1}))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.get(&cadence, Some(&ada)).await.expect(StatusCode::OK)["every_weeks"],
        4
    );
}

#[on_every_backend]
async fn parts_are_hidden_until_complete_and_from_everyone_else(app: TestApp) {
    let (grace, ada, id) = active_pair(&app).await;
    mentee_skills(&app, &ada).await;
    let started = app
        .post(
            &format!("/api/v1/mentorships/{id}/reviews"),
            Some(&grace),
            json!({}),
        )
        .await
        .expect(StatusCode::CREATED);
    let one = format!(
        "/api/v1/mentorships/{id}/reviews/{}",
        started["id"].as_str().unwrap()
    );
    app.put(&format!("{one}/part"), Some(&ada), part(&[(DNS, 5)]))
        .await
        .expect(StatusCode::OK);
    // The mentor knows the self part is in, not what it says.
    let seen = app.get(&one, Some(&grace)).await.expect(StatusCode::OK);
    assert_eq!(seen["mentee_submitted"], true);
    assert!(seen["mentee_part"].is_null(), "{seen}");
    let own = app.get(&one, Some(&ada)).await.expect(StatusCode::OK);
    assert_eq!(own["mentee_part"]["ratings"][0]["rating"], 5);

    // Nobody else reads it: another member, an admin, an anonymous caller.
    let eve = app.member("eve").await;
    let admin = app.admin("root").await;
    for token in [&eve, &admin] {
        assert_eq!(
            app.get(&one, Some(token)).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get(&format!("/api/v1/mentorships/{id}/reviews"), Some(token))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.put(&format!("{one}/part"), Some(token), part(&[(DNS, 1)]))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(app.get(&one, None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get(&format!("/api/v1/mentorships/{id}/growth"), Some(&eve))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

fn plan_aiming_at(skill: &str, level: u8) -> Value {
    json!({"goals": [{
        "title": "Run the DNS of a large network",
        "target_role": "Staff network engineer",
        "target_skills": [{"skill": skill, "level": level}],
        "milestones": [{"title": "Sign our zones", "due": "2027-03-01", "status": "in_progress"}],
    }]})
}

#[on_every_backend]
async fn plans_keep_their_history_and_refuse_bad_input(app: TestApp) {
    let ada = app.member("ada").await;
    let empty = app
        .get("/api/v1/me/plan", Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (empty["version"].as_u64(), empty["goals"].clone()),
        (Some(0), json!([]))
    );

    let first = app
        .put("/api/v1/me/plan", Some(&ada), plan_aiming_at(DNS, 5))
        .await
        .expect(StatusCode::OK);
    assert_eq!(first["version"], 1);
    assert_eq!(first["goals"][0]["milestones"][0]["status"], "in_progress");
    // The same plan again adds no version.
    let same = app
        .put("/api/v1/me/plan", Some(&ada), plan_aiming_at(DNS, 5))
        .await
        .expect(StatusCode::OK);
    assert_eq!(same["version"], 1);
    let second = app
        .put("/api/v1/me/plan", Some(&ada), plan_aiming_at(SQL, 4))
        .await
        .expect(StatusCode::OK);
    assert_eq!(second["version"], 2);

    for bad in [
        json!({"goals": [{"title": "", "target_skills": []}]}),
        plan_aiming_at("made.up", 4),
        plan_aiming_at(DNS, 9),
        json!({"goals": [], "colour": "blue"}),
    ] {
        let refused = app.put("/api/v1/me/plan", Some(&ada), bad.clone()).await;
        assert!(
            refused.status.is_client_error(),
            "{bad} → {}",
            refused.status
        );
    }
    let now = app
        .get("/api/v1/me/plan", Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(now["version"], 2, "refused plans change nothing");
    assert_eq!(now["goals"][0]["target_skills"][0]["skill"], SQL);

    let history = app
        .get("/api/v1/me/plan/history", Some(&ada))
        .await
        .expect(StatusCode::OK);
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 2, "kept, not overwritten");
    assert_eq!(history[0]["goals"][0]["target_skills"][0]["skill"], DNS);
    let changes: Vec<&str> = history[1]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["description"].as_str().unwrap())
        .collect();
    assert!(changes.iter().any(|c| c.contains(SQL)), "{changes:?}");
    assert!(changes.iter().any(|c| c.contains(DNS)), "{changes:?}");

    // A plan is its owner's alone.
    let eve = app.member("eve").await;
    let hers = app
        .get("/api/v1/me/plan", Some(&eve))
        .await
        .expect(StatusCode::OK);
    assert_eq!(hers["version"], 0);
    assert_eq!(
        app.get("/api/v1/me/plan", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[on_every_backend]
async fn growth_shows_levels_over_time_and_warns_of_drift(app: TestApp) {
    let (grace, ada, id) = active_pair(&app).await;
    mentee_skills(&app, &ada).await;
    app.put("/api/v1/me/plan", Some(&ada), plan_aiming_at(DNS, 5))
        .await
        .expect(StatusCode::OK);
    // Two reviews: not enough to speak of drift yet.
    review(
        &app,
        &id,
        &grace,
        &ada,
        &[(DNS, 2), (SQL, 2)],
        &[(DNS, 2), (SQL, 2)],
    )
    .await;
    review(
        &app,
        &id,
        &grace,
        &ada,
        &[(DNS, 2), (SQL, 3)],
        &[(DNS, 2), (SQL, 3)],
    )
    .await;
    let growth = app
        .get("/api/v1/me/growth", Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(growth["reviews"], 2);
    assert_eq!(
        growth["drift"]["outcome"], "not_enough_reviews",
        "{}",
        growth["drift"]
    );

    // The third: databases rose two levels, DNS, the goal, not at all.
    review(
        &app,
        &id,
        &grace,
        &ada,
        &[(DNS, 2), (SQL, 4)],
        &[(DNS, 2), (SQL, 4)],
    )
    .await;
    let growth = app
        .get("/api/v1/me/growth", Some(&ada))
        .await
        .expect(StatusCode::OK);
    let sql = growth["skills"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["skill"] == SQL)
        .unwrap();
    let levels: Vec<u64> = sql["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["mentor_rating"].as_u64().unwrap())
        .collect();
    assert_eq!(levels, [2, 3, 4], "the levels over time");
    let drift = &growth["drift"];
    assert_eq!(drift["outcome"], "drift", "{drift}");
    let summary = drift["summary"].as_str().unwrap();
    assert!(summary.contains(SQL) && summary.contains(DNS), "{summary}");
    assert!(!drift["question"].as_str().unwrap().is_empty());

    // The current mentor sees it too; nobody else does.
    let for_mentor = app
        .get(&format!("/api/v1/mentorships/{id}/growth"), Some(&grace))
        .await
        .expect(StatusCode::OK);
    assert_eq!(for_mentor["drift"]["outcome"], "drift");
    let eve = app.member("eve").await;
    let hers = app
        .get("/api/v1/me/growth", Some(&eve))
        .await
        .expect(StatusCode::OK);
    assert_eq!(hers["reviews"], 0, "growth is its owner's alone");

    // A changed goal starts the evidence afresh: no drift until reviews
    // under the new goal show it.
    app.put("/api/v1/me/plan", Some(&ada), plan_aiming_at(SQL, 6))
        .await
        .expect(StatusCode::OK);
    let growth = app
        .get("/api/v1/me/growth", Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(growth["drift"]["outcome"], "not_enough_reviews");
    assert_eq!(growth["plan_skills"], json!([SQL]));

    // Once the mentorship is over, the mentor no longer sees it.
    app.complete(&ada, &id).await;
    assert_eq!(
        app.get(&format!("/api/v1/mentorships/{id}/growth"), Some(&grace))
            .await
            .status,
        StatusCode::CONFLICT
    );
}

#[on_every_backend]
async fn the_file_is_one_timeline_newest_first_and_its_owners_alone(app: TestApp) {
    let (grace, ada, id) = active_pair(&app).await;
    mentee_skills(&app, &ada).await;
    for held_at in ["2025-03-01T09:00:00Z", "2026-11-01T09:00:00Z"] {
        app.post(
            &format!("/api/v1/mentorships/{id}/sessions"),
            Some(&ada),
            json!({"held_at": held_at, "duration_minutes": 45, "topics": ["DNSSEC"]}),
        )
        .await
        .expect(StatusCode::CREATED);
    }
    review(&app, &id, &grace, &ada, &[(DNS, 2)], &[(DNS, 3)]).await;
    app.put("/api/v1/me/plan", Some(&ada), plan_aiming_at(DNS, 5))
        .await
        .expect(StatusCode::OK);
    app.put("/api/v1/me/plan", Some(&ada), plan_aiming_at(SQL, 4))
        .await
        .expect(StatusCode::OK);

    let file = app
        .get("/api/v1/me/file", Some(&ada))
        .await
        .expect(StatusCode::OK);
    // Requested and active, two sessions, one review, two plan versions.
    assert_eq!(file["total"], 7, "{file}");
    let entries = file["entries"].as_array().unwrap();
    let times: Vec<&str> = entries.iter().map(|e| e["at"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first");
    let kinds = |kind: &str| entries.iter().filter(|e| e["kind"] == kind).count();
    assert_eq!(
        (
            kinds("mentorship"),
            kinds("session"),
            kinds("review"),
            kinds("plan")
        ),
        (2, 2, 1, 2)
    );
    let oldest = entries.last().unwrap();
    assert_eq!(
        oldest["kind"], "session",
        "a session of 2025 is the oldest entry"
    );
    assert_eq!(oldest["with"]["username"], "grace");
    assert_eq!(oldest["role"], "mentee");

    // Pages.
    let page = |n: u32| format!("/api/v1/me/file?per_page=3&page={n}");
    let third = app.get(&page(3), Some(&ada)).await.expect(StatusCode::OK);
    assert_eq!(third["entries"].as_array().unwrap().len(), 1);
    assert_eq!(third["entries"][0]["at"], oldest["at"]);
    for bad in [
        "/api/v1/me/file?page=0",
        "/api/v1/me/file?per_page=500",
        "/api/v1/me/file?since=x",
    ] {
        assert_eq!(
            app.get(bad, Some(&ada)).await.status,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }

    // The mentor's file has the pairing as mentor, not the mentee's plan.
    let hers = app
        .get("/api/v1/me/file", Some(&grace))
        .await
        .expect(StatusCode::OK);
    assert_eq!(hers["total"], 5);
    assert!(
        hers["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["kind"] != "plan" && e["role"] == "mentor")
    );
    // Nobody else: another member, an admin (their own, empty file).
    let eve = app.member("eve").await;
    let admin = app.admin("root").await;
    for token in [&eve, &admin] {
        let theirs = app
            .get("/api/v1/me/file", Some(token))
            .await
            .expect(StatusCode::OK);
        assert_eq!(theirs["total"], 0);
    }
    assert_eq!(
        app.get("/api/v1/me/file", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[on_every_backend]
async fn the_export_is_the_whole_file_in_its_documented_schema(app: TestApp) {
    let (grace, ada, id) = active_pair(&app).await;
    mentee_skills(&app, &ada).await;
    let logged = app
        .post(
            &format!("/api/v1/mentorships/{id}/sessions"),
            Some(&ada),
            json!({"held_at": "2026-11-01T09:00:00Z", "duration_minutes": 45,
                   "notes": "Shared words", "action_items": [{"text": "Read RFC 9364", "owner": "mentee"}]}),
        )
        .await
        .expect(StatusCode::CREATED);
    let sid = logged["id"].as_str().unwrap();
    let note = |who: &str| format!("{who}'s own worry");
    for (token, who) in [(&ada, "ada"), (&grace, "grace")] {
        app.put(
            &format!("/api/v1/mentorships/{id}/sessions/{sid}/private-note"),
            Some(token),
            json!({"text": note(who)}),
        )
        .await
        .expect(StatusCode::OK);
    }
    review(&app, &id, &grace, &ada, &[(DNS, 2)], &[(DNS, 3)]).await;
    // A review in progress: only ada's own part is hers to export.
    let open = app
        .post(
            &format!("/api/v1/mentorships/{id}/reviews"),
            Some(&ada),
            json!({}),
        )
        .await
        .expect(StatusCode::CREATED);
    app.put(
        &format!(
            "/api/v1/mentorships/{id}/reviews/{}/part",
            open["id"].as_str().unwrap()
        ),
        Some(&grace),
        part(&[(DNS, 4)]),
    )
    .await
    .expect(StatusCode::OK);
    app.put("/api/v1/me/plan", Some(&ada), plan_aiming_at(DNS, 5))
        .await
        .expect(StatusCode::OK);

    let archive = app
        .get("/api/v1/me/export", Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(archive["format"], "trellis.long-term-file");
    assert_eq!(archive["version"], 1);
    assert_eq!(archive["member"]["username"], "ada");
    assert_eq!(archive["plan_history"].as_array().unwrap().len(), 1);
    let m = &archive["mentorships"][0];
    assert_eq!(
        (m["role"].as_str(), m["state"].as_str()),
        (Some("mentee"), Some("active"))
    );
    assert_eq!(m["history"].as_array().unwrap().len(), 2);
    assert_eq!(m["sessions"][0]["content"]["notes"], "Shared words");
    assert_eq!(m["sessions"][0]["private_note"], note("ada"));
    let reviews = m["reviews"].as_array().unwrap();
    assert_eq!(reviews.len(), 2);
    assert_eq!(reviews[0]["mentor_part"]["ratings"][0]["rating"], 3);
    assert!(reviews[1]["mentor_part"].is_null(), "not hers to read yet");
    let text = archive.to_string();
    assert!(
        !text.contains(&note("grace")),
        "the other party's private note stays out"
    );

    let typed = trellis_testing::check_archive(&archive);
    assert_eq!(typed.mentorships.len(), 1);
    assert!(typed.credentials.is_empty(), "none issued yet");

    // The mentor's export holds his side: his own private note, not hers.
    let his = app
        .get("/api/v1/me/export", Some(&grace))
        .await
        .expect(StatusCode::OK);
    assert_eq!(his["mentorships"][0]["role"], "mentor");
    assert_eq!(
        his["mentorships"][0]["sessions"][0]["private_note"],
        note("grace")
    );
    assert!(!his.to_string().contains(&note("ada")));
    assert!(his["plan_history"].as_array().unwrap().is_empty());
    assert_eq!(
        app.get("/api/v1/me/export", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}
