//! Profiles: editing one's own, and who sees whose.

use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_testing::{TestApp, mentor, on_every_backend};

#[on_every_backend]
async fn a_new_member_has_an_empty_profile_visible_to_the_organization(app: TestApp) {
    let token = app.member("ada").await;
    let profile = app
        .get("/api/v1/me/profile", Some(&token))
        .await
        .expect(StatusCode::OK);
    assert_eq!(profile["username"], "ada");
    assert_eq!(profile["visibility"], "organization");
    assert_eq!(profile["skills"], json!([]));
    assert_eq!(profile["mentor"]["offers_mentoring"], false);
    assert_eq!(
        app.get("/api/v1/me/profile", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

fn full_profile() -> Value {
    json!({
        "display_name": "Ada Lovelace",
        "headline": "Site reliability engineer",
        "bio": "Twelve years of on-call.\nHappy to talk about incidents.",
        "timezone": "America/Sao_Paulo",
        "languages": ["pt-br", "EN"],
        "skills": [
            {"skill": "systems.incident-response", "level": 5},
            {"skill": "networking.dns", "level": 2, "wants_to_grow": true}
        ],
        "goals": {
            "summary": "Lead a network team within two years",
            "targets": [{"skill": "networking.dns", "level": 5}]
        },
        "mentor": {"offers_mentoring": true, "accepting_mentees": true, "capacity": 3, "hours_per_month": 6},
        "visibility": "federated"
    })
}

#[on_every_backend]
async fn a_profile_is_saved_and_read_back(app: TestApp) {
    let token = app.member("ada").await;
    let saved = app.set_profile(&token, full_profile()).await;
    let read = app
        .get("/api/v1/me/profile", Some(&token))
        .await
        .expect(StatusCode::OK);
    assert_eq!(saved, read);
    assert_eq!(
        read["languages"],
        json!(["pt-BR", "en"]),
        "tags are canonicalised, order kept"
    );
    assert_eq!(read["timezone"], "America/Sao_Paulo");
    assert_eq!(read["skills"][0]["skill"], "systems.incident-response");
    assert_eq!(read["skills"][0]["level_name"], "Expert");
    assert!(read["skills"][0]["name"].as_str().unwrap().len() > 3);
    assert_eq!(read["skills"][1]["wants_to_grow"], true);
    assert_eq!(read["goals"]["targets"][0]["level"], 5);
    assert_eq!(read["mentor"]["capacity"], 3);
    assert_eq!(read["visibility"], "federated");

    // PUT replaces: what is left out takes its empty value.
    let smaller = app
        .set_profile(&token, json!({"headline": "Just this"}))
        .await;
    assert_eq!(smaller["headline"], "Just this");
    assert_eq!(smaller["skills"], json!([]));
    assert_eq!(smaller["visibility"], "organization");
}

#[on_every_backend]
async fn invalid_profiles_are_refused_and_change_nothing(app: TestApp) {
    let token = app.member("ada").await;
    let before = app.set_profile(&token, full_profile()).await;
    let with = |field: &str, value: Value| {
        let mut profile = full_profile();
        profile[field] = value;
        profile
    };
    let cases = [
        (with("timezone", json!("Mars/Olympus_Mons")), "timezone"),
        (with("languages", json!(["english"])), "english"),
        (with("visibility", json!("friends")), "visibility"),
        (with("headline", json!("x".repeat(161))), "headline"),
        (
            with("skills", json!([{"skill": "made.up", "level": 3}])),
            "made.up",
        ),
        (
            with("skills", json!([{"skill": "networking.dns", "level": 8}])),
            "level",
        ),
        (
            with("skills", json!([{"skill": "networking.dns", "level": 0}])),
            "level",
        ),
        (
            with("skills", json!([{"skill": "Bad Key", "level": 3}])),
            "skill",
        ),
        (
            with(
                "skills",
                json!([{"skill": "networking.dns", "level": 3}, {"skill": "networking.dns", "level": 4}]),
            ),
            "twice",
        ),
        (
            with(
                "goals",
                json!({"summary": "", "targets": [{"skill": "made.up", "level": 3}]}),
            ),
            "made.up",
        ),
        (
            with(
                "mentor",
                json!({"offers_mentoring": false, "accepting_mentees": true, "capacity": 1}),
            ),
            "offers_mentoring",
        ),
        (
            with(
                "mentor",
                json!({"offers_mentoring": true, "accepting_mentees": true, "capacity": 51}),
            ),
            "capacity",
        ),
        (
            with("mentor", json!({"offers_mentoring": true, "capacity": -1})),
            "capacity",
        ),
        (with("headlin", json!("typo")), "headlin"),
    ];
    for (body, mentions) in cases {
        let reply = app
            .put("/api/v1/me/profile", Some(&token), body.clone())
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{mentions}: {}",
            reply.body
        );
        assert_eq!(reply.code(), "validation_failed");
        assert!(
            reply.message().contains(mentions),
            "{mentions}: {}",
            reply.message()
        );
    }
    let not_an_object = app
        .put("/api/v1/me/profile", Some(&token), json!([1, 2]))
        .await;
    assert_eq!(not_an_object.status, StatusCode::UNPROCESSABLE_ENTITY);
    let after = app
        .get("/api/v1/me/profile", Some(&token))
        .await
        .expect(StatusCode::OK);
    assert_eq!(before, after, "a refused profile changed the stored one");
}

#[on_every_backend]
async fn each_visibility_reaches_exactly_its_audience(app: TestApp) {
    let owner = app.member("owner").await;
    let colleague = app.member("colleague").await;
    let admin = app.admin("root").await;
    let path = "/api/v1/members/owner/profile";
    // (visibility, owner sees, colleague sees, admin sees, anonymous sees)
    let table = [
        ("private", true, false, false, false),
        ("organization", true, true, true, false),
        ("federated", true, true, true, false),
        ("public", true, true, true, true),
    ];
    for (visibility, by_owner, by_colleague, by_admin, by_anonymous) in table {
        app.set_profile(&owner, mentor(visibility, &[("networking.dns", 4)]))
            .await;
        for (who, token, sees) in [
            ("owner", Some(owner.as_str()), by_owner),
            ("colleague", Some(colleague.as_str()), by_colleague),
            ("admin", Some(admin.as_str()), by_admin),
            ("anonymous", None, by_anonymous),
        ] {
            let reply = app.get(path, token).await;
            if sees {
                assert_eq!(
                    reply.status,
                    StatusCode::OK,
                    "{who} must see a {visibility} profile"
                );
                assert_eq!(reply.body["headline"], "Helps people grow");
            } else {
                assert_eq!(
                    reply.status,
                    StatusCode::NOT_FOUND,
                    "{who} must not see a {visibility} profile"
                );
                assert!(!reply.body.to_string().contains("Helps people grow"));
            }
        }
    }
    // Hidden looks exactly like missing.
    app.set_profile(&owner, mentor("private", &[])).await;
    let hidden = app.get(path, Some(&colleague)).await;
    let missing = app
        .get("/api/v1/members/nobody/profile", Some(&colleague))
        .await;
    assert_eq!(hidden.status, missing.status);
    assert_eq!(
        hidden.message().replace("owner", "X"),
        missing.message().replace("nobody", "X")
    );
    assert_eq!(
        app.get("/api/v1/members/No%20Body/profile", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
