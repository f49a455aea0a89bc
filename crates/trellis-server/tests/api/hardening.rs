//! Inputs found to misbehave in review, and what they must do now.

use reqwest::StatusCode;
use serde_json::json;
use trellis_testing::{PASSWORD, TestApp, mentor, on_every_backend};

#[on_every_backend]
async fn bodies_must_be_json_objects(app: TestApp) {
    let token = app.member("ada").await;
    let admin = app.admin("root").await;
    let before = app
        .set_profile(&token, mentor("organization", &[("networking.dns", 3)]))
        .await;
    let cases = [
        (
            "/api/v1/accounts",
            None,
            reqwest::Method::POST,
            json!(["arrayuser", PASSWORD, null]),
        ),
        (
            "/api/v1/auth/login",
            None,
            reqwest::Method::POST,
            json!(["ada", PASSWORD]),
        ),
        (
            "/api/v1/me/profile",
            Some(token.as_str()),
            reqwest::Method::PUT,
            json!([]),
        ),
        (
            "/api/v1/admin/settings",
            Some(admin.as_str()),
            reqwest::Method::PATCH,
            json!([null, "Array Org", null]),
        ),
        (
            "/api/v1/admin/settings",
            Some(admin.as_str()),
            reqwest::Method::PATCH,
            json!("a string"),
        ),
    ];
    for (path, token, method, body) in cases {
        let reply = app
            .send(method.clone(), path, token, Some(body.clone()))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {path} {body}: {}",
            reply.body
        );
        assert!(
            reply.message().contains("JSON object"),
            "{}",
            reply.message()
        );
    }
    let after = app
        .get("/api/v1/me/profile", Some(&token))
        .await
        .expect(StatusCode::OK);
    assert_eq!(before, after);
    let settings = app
        .get("/api/v1/admin/settings", Some(&admin))
        .await
        .expect(StatusCode::OK);
    assert_eq!(settings["organization_name"], "Trellis");
    assert_eq!(app.account_count().await, 2);
}

#[on_every_backend]
async fn control_and_invisible_characters_are_refused_everywhere(app: TestApp) {
    let admin = app.admin("root").await;
    let token = app.member("ada").await;
    let cases = [
        (
            reqwest::Method::PATCH,
            "/api/v1/admin/settings",
            json!({"organization_name": "Org\u{0}x"}),
        ),
        (
            reqwest::Method::PATCH,
            "/api/v1/admin/settings",
            json!({"organization_description": "bell\u{7}"}),
        ),
        (
            reqwest::Method::PATCH,
            "/api/v1/admin/settings",
            json!({"organization_name": "evil\u{202E}gro"}),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/admin/invites",
            json!({"note": "for \u{0} x"}),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/admin/skills",
            json!({"key": "x.nul", "family": "x", "name": "N\u{0}L"}),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/admin/skills",
            json!({"key": "x.nul", "family": "x\u{0}", "name": "NUL"}),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/admin/skills",
            json!({"key": "x.nul", "family": "x", "name": "NUL", "description": "\u{0}"}),
        ),
        (
            reqwest::Method::PATCH,
            "/api/v1/admin/skills/networking.dns",
            json!({"name": "D\u{0}NS"}),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/admin/blocks",
            json!({"domain": "spam.example", "reason": "\u{0}"}),
        ),
    ];
    for (method, path, body) in cases {
        let reply = app
            .send(method.clone(), path, Some(&admin), Some(body.clone()))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {path} {body}: {}",
            reply.body
        );
    }
    let profile = app
        .put(
            "/api/v1/me/profile",
            Some(&token),
            json!({"bio": "a\u{0}b"}),
        )
        .await;
    assert_eq!(profile.status, StatusCode::UNPROCESSABLE_ENTITY);
    let search = app
        .get("/api/v1/directory/mentors?q=a%00b", Some(&token))
        .await;
    assert_eq!(search.status, StatusCode::BAD_REQUEST);
    let settings = app
        .get("/api/v1/admin/settings", Some(&admin))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (
            settings["organization_name"].as_str(),
            settings["organization_description"].as_str()
        ),
        (Some("Trellis"), Some(""))
    );
    assert!(
        app.get("/api/v1/admin/invites", Some(&admin))
            .await
            .expect(StatusCode::OK)
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        app.get("/api/v1/admin/blocks", Some(&admin))
            .await
            .expect(StatusCode::OK)
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[on_every_backend]
async fn directory_searches_name_few_skills(app: TestApp) {
    let token = app.member("ada").await;
    app.set_profile(&token, mentor("organization", &[("networking.dns", 4)]))
        .await;
    // Repeats collapse into one skill…
    let repeated = vec!["networking.dns"; 1000].join(",");
    let page = app
        .get(
            &format!("/api/v1/directory/mentors?skills={repeated}"),
            Some(&token),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(page["total"], 1);
    // …but more than ten different ones are refused.
    let many: Vec<String> = (0..11).map(|i| format!("made.up{i}")).collect();
    let reply = app
        .get(
            &format!("/api/v1/directory/mentors?skills={}", many.join(",")),
            Some(&token),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.message().contains("at most 10"),
        "{}",
        reply.message()
    );
}

#[on_every_backend]
async fn invite_only_registration_does_not_reveal_taken_names(app: TestApp) {
    let admin = app.admin("root").await;
    app.register("alice").await;
    app.patch(
        "/api/v1/admin/settings",
        Some(&admin),
        json!({"registration_mode": "invite-only"}),
    )
    .await
    .expect(StatusCode::OK);
    let taken = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "alice", "password": PASSWORD, "invite": "inv_nonsense"}),
        )
        .await;
    let free = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "bob", "password": PASSWORD, "invite": "inv_nonsense"}),
        )
        .await;
    assert_eq!(
        (taken.status, free.status),
        (StatusCode::FORBIDDEN, StatusCode::FORBIDDEN)
    );
    assert_eq!(taken.body, free.body);
}

#[on_every_backend]
async fn error_messages_say_things_once(app: TestApp) {
    let token = app.member("ada").await;
    let reply = app
        .put(
            "/api/v1/me/profile",
            Some(&token),
            json!({"timezone": "Mars/Olympus"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = reply.message();
    assert!(message.starts_with("timezone: "), "{message}");
    assert!(!message.contains("timezone: timezone"), "{message}");
    assert!(
        !message.contains("at line") && !message.contains("Failed to deserialize"),
        "{message}"
    );
    let reply = app
        .put(
            "/api/v1/me/profile",
            Some(&token),
            json!({"languages": ["english"]}),
        )
        .await;
    assert!(
        !reply.message().contains("languages: languages"),
        "{}",
        reply.message()
    );
    let syntax = app
        .client
        .put(app.url("/api/v1/me/profile"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"bio\": ")
        .send()
        .await
        .unwrap();
    let syntax = TestApp::reply(syntax).await;
    assert_eq!(syntax.status, StatusCode::BAD_REQUEST);
    assert!(
        syntax.message().starts_with("the body is not valid JSON"),
        "{}",
        syntax.message()
    );
    let no_token = app
        .client
        .get(app.url("/api/v1/me"))
        .header("authorization", "Bearer ")
        .send()
        .await
        .unwrap();
    let no_token = TestApp::reply(no_token).await;
    assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
    assert!(
        no_token.message().contains("Bearer <token>"),
        "{}",
        no_token.message()
    );
}

#[on_every_backend]
async fn one_line_fields_stay_one_line_and_are_trimmed(app: TestApp) {
    let token = app.member("ada").await;
    let reply = app
        .put(
            "/api/v1/me/profile",
            Some(&token),
            json!({"headline": "two\nlines"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let saved = app
        .set_profile(
            &token,
            json!({"display_name": "   ", "headline": "  SRE  ", "bio": "two\nlines"}),
        )
        .await;
    assert_eq!(
        (saved["display_name"].as_str(), saved["headline"].as_str()),
        (Some(""), Some("SRE"))
    );
    assert_eq!(saved["bio"], "two\nlines");
}

#[on_every_backend]
async fn every_answer_carries_the_security_headers_and_api_answers_are_never_stored(app: TestApp) {
    app.register("ada").await;
    let client = reqwest::Client::new();
    let login = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "ada", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    assert_eq!(
        login.headers()["cache-control"],
        "no-store",
        "the sign-in answer carries a token"
    );
    let page = client
        .get(app.url("/login"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    let page_policy = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(page_policy.contains("script-src 'self'"), "{page_policy}");
    for (path, accept) in [
        ("/api/v1/auth/login", "application/json"),
        ("/api/v1/skills", "application/json"),
        ("/api/v1/no-such-thing", "application/json"),
        ("/actor", "application/activity+json"),
        ("/.well-known/nodeinfo", "application/json"),
        ("/login", "text/html"),
        ("/no-such-page", "text/html"),
    ] {
        let answer = client
            .get(app.url(path))
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        let headers = answer.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        if path.starts_with("/api/") {
            assert_eq!(headers["cache-control"], "no-store", "{path}");
        }
    }
}
