//! Matches: ranked with reasons; the required factors exclude.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;

on_every_backend!(matches_rank_explain_and_exclude, admins_set_the_weights);

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
