//! Matches: ranked with reasons; the required factors exclude.

use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_testing::{TestApp, on_every_backend};

fn mentor_profile(
    skills: &[(&str, u8)],
    languages: &[&str],
    timezone: &str,
    capacity: u16,
) -> Value {
    json!({
        "display_name": "Mentor",
        "timezone": timezone,
        "languages": languages,
        "skills": skills.iter().map(|(k, l)| json!({"skill": k, "level": l})).collect::<Vec<_>>(),
        "mentor": {"offers_mentoring": true, "accepting_mentees": true, "capacity": capacity, "hours_per_month": 4},
        "visibility": "organization",
    })
}

/// The usernames `GET /api/v1/matches` offers the caller, best first.
async fn matched(app: &TestApp, token: &str) -> Vec<String> {
    app.get("/api/v1/matches", Some(token))
        .await
        .expect(StatusCode::OK)
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["mentor"]["username"].as_str().unwrap().to_owned())
        .collect()
}

#[on_every_backend]
async fn matches_follow_changes_and_leave_out_mentors_already_asked(app: TestApp) {
    let mia = app.member("mia").await;
    app.set_profile(
        &mia,
        json!({
            "timezone": "Europe/Berlin",
            "languages": ["en"],
            "skills": [{"skill": "networking.dns", "level": 2}],
            "goals": {"summary": "DNS", "targets": [{"skill": "networking.dns", "level": 5}]},
            "visibility": "organization",
        }),
    )
    .await;
    let grace = app.member("grace").await;
    app.set_profile(
        &grace,
        mentor_profile(&[("networking.dns", 6)], &["en"], "Europe/Berlin", 2),
    )
    .await;
    let otto = app.member("otto").await;
    app.set_profile(
        &otto,
        mentor_profile(&[("networking.dns", 4)], &["en"], "Europe/Berlin", 2),
    )
    .await;
    assert_eq!(matched(&app, &mia).await, ["grace", "otto"]);

    // Once asked, grace is not offered again while the request is open.
    let asked = app
        .post(
            "/api/v1/mentorships",
            Some(&mia),
            json!({"mentor": "grace"}),
        )
        .await
        .expect(StatusCode::CREATED)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(matched(&app, &mia).await, ["otto"]);
    // Others still see her, her load now counting the request.
    let lee = app.member("lee").await;
    app.set_profile(
        &lee,
        json!({"languages": ["en"], "visibility": "organization"}),
    )
    .await;
    let for_lee = app
        .get("/api/v1/matches", Some(&lee))
        .await
        .expect(StatusCode::OK);
    let grace_for_lee = for_lee
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["mentor"]["username"] == "grace")
        .unwrap()
        .clone();
    assert!(
        grace_for_lee["factors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["factor"] == "load"
                && f["explanation"]
                    .as_str()
                    .unwrap()
                    .contains("1 requests waiting")),
        "{grace_for_lee}"
    );

    // A mentor who changes their profile is ranked as they are now.
    app.set_profile(
        &otto,
        mentor_profile(&[("networking.dns", 4)], &["fr"], "Europe/Berlin", 2),
    )
    .await;
    assert!(
        matched(&app, &mia).await.is_empty(),
        "otto no longer shares a language"
    );
    let zoe = app.member("zoe").await;
    app.set_profile(
        &zoe,
        mentor_profile(&[("networking.dns", 5)], &["en"], "Europe/Berlin", 1),
    )
    .await;
    assert_eq!(
        matched(&app, &mia).await,
        ["zoe"],
        "a new mentor shows at once"
    );

    // Withdrawn, the request no longer keeps grace out.
    app.post(
        &format!("/api/v1/mentorships/{asked}/withdraw"),
        Some(&mia),
        json!({}),
    )
    .await
    .expect(StatusCode::OK);
    assert_eq!(matched(&app, &mia).await, ["grace", "zoe"]);
}

#[on_every_backend]
async fn matches_rank_explain_and_exclude(app: TestApp) {
    let ada = app.member("ada").await;
    app.set_profile(&ada, json!({
        "timezone": "Europe/Berlin",
        "languages": ["en"],
        "skills": [{"skill": "networking.dns", "level": 2}],
        "goals": {"summary": "Run our DNS", "targets": [{"skill": "networking.dns", "level": 5}, {"skill": "networking.routing", "level": 4}]},
        "mentor": {"offers_mentoring": true, "accepting_mentees": true, "capacity": 1},
        "visibility": "organization",
    }))
    .await;
    for (name, profile) in [
        (
            "grace",
            mentor_profile(
                &[("networking.dns", 6), ("networking.routing", 5)],
                &["en-GB"],
                "Europe/Paris",
                3,
            ),
        ),
        (
            "otto",
            mentor_profile(
                &[("networking.dns", 3)],
                &["en", "de"],
                "America/Los_Angeles",
                3,
            ),
        ),
        (
            "pierre",
            mentor_profile(
                &[("networking.dns", 7), ("networking.routing", 7)],
                &["fr"],
                "Europe/Paris",
                3,
            ),
        ),
        (
            "busy",
            mentor_profile(
                &[("networking.dns", 7), ("networking.routing", 7)],
                &["en"],
                "Europe/Berlin",
                1,
            ),
        ),
    ] {
        let token = app.member(name).await;
        app.set_profile(&token, profile).await;
    }
    // busy's one place is taken.
    let taker = app.member("taker").await;
    let id = app
        .post(
            "/api/v1/mentorships",
            Some(&taker),
            json!({"mentor": "busy"}),
        )
        .await
        .expect(StatusCode::CREATED)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let busy = app.login("busy").await;
    app.post(
        &format!("/api/v1/mentorships/{id}/accept"),
        Some(&busy),
        json!({}),
    )
    .await
    .expect(StatusCode::OK);

    let matches = app
        .get("/api/v1/matches", Some(&ada))
        .await
        .expect(StatusCode::OK);
    let names: Vec<&str> = matches
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["mentor"]["username"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["grace", "otto"],
        "pierre shares no language, busy is full, ada is not her own match"
    );
    let (grace, otto) = (&matches[0], &matches[1]);
    assert!(grace["score"].as_u64() > otto["score"].as_u64());
    let factor = |m: &Value, name: &str| {
        m["factors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["factor"] == name)
            .unwrap()
            .clone()
    };
    let skills = factor(grace, "skills");
    assert_eq!(skills["value"], 1.0);
    assert!(
        skills["explanation"]
            .as_str()
            .unwrap()
            .contains("2 of your 2 goal skills"),
        "{skills}"
    );
    assert_eq!(factor(grace, "timezone")["explanation"], "same time zone");
    assert!(
        factor(otto, "timezone")["explanation"]
            .as_str()
            .unwrap()
            .contains("hours apart")
    );
    assert_eq!(
        factor(grace, "organization")["explanation"],
        "a member of your organization"
    );
    let points: f64 = grace["factors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["points"].as_f64().unwrap())
        .sum();
    assert!(
        (points - grace["score"].as_f64().unwrap()).abs() <= 0.5,
        "the factors add up to the score"
    );

    assert_eq!(
        app.get("/api/v1/matches?limit=1", Some(&ada))
            .await
            .expect(StatusCode::OK)
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.get("/api/v1/matches?limit=0", Some(&ada)).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get("/api/v1/matches", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[on_every_backend]
async fn admins_set_the_weights(app: TestApp) {
    let admin = app.admin("root").await;
    let member = app.member("ada").await;
    let weights = app
        .get("/api/v1/admin/matching", Some(&admin))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        weights,
        json!({"skills": 50, "timezone": 20, "load": 15, "track_record": 10, "organization": 5})
    );
    let only_time =
        json!({"skills": 0, "timezone": 100, "load": 0, "track_record": 0, "organization": 0});
    assert_eq!(
        app.put("/api/v1/admin/matching", Some(&admin), only_time.clone())
            .await
            .expect(StatusCode::OK),
        only_time
    );
    assert_eq!(
        app.get("/api/v1/admin/matching", Some(&admin))
            .await
            .expect(StatusCode::OK),
        only_time
    );
    for bad in [
        json!({"skills": 0, "timezone": 0, "load": 0, "track_record": 0, "organization": 0}),
        json!({"skills": 101, "timezone": 0, "load": 0, "track_record": 0, "organization": 0}),
        json!({"skills": 10}),
    ] {
        assert_eq!(
            app.put("/api/v1/admin/matching", Some(&admin), bad.clone())
                .await
                .status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}"
        );
    }
    assert_eq!(
        app.put("/api/v1/admin/matching", Some(&member), only_time)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/admin/matching", Some(&admin))
            .await
            .expect(StatusCode::OK)["timezone"],
        100
    );
}
