//! Registration, signing in and out.

use reqwest::StatusCode;
use serde_json::json;
use trellis_testing::{PASSWORD, TestApp, on_every_backend};

#[on_every_backend]
async fn a_member_registers_signs_in_and_out(app: TestApp) {
    let account = app.register("Ada_L").await;
    assert_eq!(
        account["username"], "ada_l",
        "usernames are folded to lower case"
    );
    assert_eq!(account["is_admin"], false);
    assert!(account.get("password_hash").is_none());

    let session = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "ADA_L", "password": PASSWORD}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(session["token_type"], "Bearer");
    assert!(session["expires_at"].is_string());
    let token = session["token"].as_str().unwrap();
    let me = app
        .get("/api/v1/me", Some(token))
        .await
        .expect(StatusCode::OK);
    assert_eq!(me["id"], account["id"]);

    // A second session is independent of the first.
    let other = app.login("ada_l").await;
    app.post("/api/v1/auth/logout", Some(token), json!({}))
        .await
        .expect(StatusCode::NO_CONTENT);
    let after = app.get("/api/v1/me", Some(token)).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    app.get("/api/v1/me", Some(&other))
        .await
        .expect(StatusCode::OK);
}

#[on_every_backend]
async fn bad_registrations_are_refused_and_store_nothing(app: TestApp) {
    app.register("taken").await;
    let cases = [
        (
            json!({"username": "x", "password": PASSWORD}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "username",
        ),
        (
            json!({"username": "with space", "password": PASSWORD}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "username",
        ),
        (
            json!({"username": "newbie", "password": "short"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "password",
        ),
        (
            json!({"username": "newbie", "password": "newbie-password"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "username",
        ),
        (
            json!({"username": "TAKEN", "password": PASSWORD}),
            StatusCode::CONFLICT,
            "taken",
        ),
        (
            json!({"username": "newbie"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "password",
        ),
        (
            json!({"username": 42, "password": PASSWORD}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "username",
        ),
        (
            json!({"username": "newbie", "password": PASSWORD, "admin": true}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "admin",
        ),
    ];
    for (body, status, mentions) in cases {
        let reply = app.post("/api/v1/accounts", None, body.clone()).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        assert!(
            reply.message().contains(mentions),
            "{body}: {}",
            reply.message()
        );
    }

    let syntax = app
        .client
        .post(app.url("/api/v1/accounts"))
        .header("content-type", "application/json")
        .body(r#"{"username": "newbie", "#)
        .send()
        .await
        .unwrap();
    let syntax = TestApp::reply(syntax).await;
    assert_eq!(
        (syntax.status, syntax.code()),
        (StatusCode::BAD_REQUEST, "bad_request")
    );

    let not_json = app
        .client
        .post(app.url("/api/v1/accounts"))
        .body(format!(
            r#"{{"username": "newbie", "password": "{PASSWORD}"}}"#
        ))
        .send()
        .await
        .unwrap();
    let not_json = TestApp::reply(not_json).await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let huge = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "newbie", "password": "x".repeat(100_000)}),
        )
        .await;
    assert_eq!(
        (huge.status, huge.code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
    );

    assert_eq!(
        app.account_count().await,
        1,
        "a refused registration stored an account"
    );
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "newbie", "password": PASSWORD}),
        )
        .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
}

#[on_every_backend]
async fn a_wrong_login_does_not_say_whether_the_user_exists(app: TestApp) {
    app.register("grace").await;
    let wrong_password = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "grace", "password": "not her password"}),
        )
        .await;
    let no_such_user = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "nobody", "password": "not her password"}),
        )
        .await;
    let invalid_name = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "no body!", "password": "whatever it is"}),
        )
        .await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_password.body, no_such_user.body);
    assert_eq!(wrong_password.body, invalid_name.body);
    assert_eq!(
        (no_such_user.status, invalid_name.status),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
}

#[on_every_backend]
async fn tokens_must_be_valid(app: TestApp) {
    let none = app.get("/api/v1/me", None).await;
    assert_eq!(
        (none.status, none.code()),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    let forged = app.get("/api/v1/me", Some("trl_forged")).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    let basic = app
        .client
        .get(app.url("/api/v1/me"))
        .basic_auth("ada", Some(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
    assert!(basic.headers().contains_key("www-authenticate"));
    // On routes open to anonymous callers a token that is sent must still be valid.
    let public = app
        .get("/api/v1/directory/mentors", Some("trl_forged"))
        .await;
    assert_eq!(public.status, StatusCode::UNAUTHORIZED);
}

#[on_every_backend]
async fn registration_follows_the_mode_an_admin_sets(app: TestApp) {
    let admin = app.admin("root").await;
    let member = app.member("ada").await;
    let set_mode = |token: Option<String>, mode: &'static str| {
        let app = &app;
        async move {
            app.patch(
                "/api/v1/admin/settings",
                token.as_deref(),
                json!({"registration_mode": mode}),
            )
            .await
        }
    };
    assert_eq!(
        set_mode(Some(member.clone()), "closed").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        set_mode(None, "closed").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        set_mode(Some(admin.clone()), "sometimes").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let settings = app
        .get("/api/v1/admin/settings", Some(&admin))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        settings["registration_mode"], "open",
        "refused changes changed the mode"
    );

    set_mode(Some(admin.clone()), "closed")
        .await
        .expect(StatusCode::OK);
    let closed = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "late", "password": PASSWORD}),
        )
        .await;
    assert_eq!(closed.status, StatusCode::FORBIDDEN);
    assert!(closed.message().contains("closed"));

    set_mode(Some(admin.clone()), "invite-only")
        .await
        .expect(StatusCode::OK);
    let uninvited = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "late", "password": PASSWORD}),
        )
        .await;
    assert_eq!(uninvited.status, StatusCode::FORBIDDEN);
    assert!(uninvited.message().contains("invite"));

    set_mode(Some(admin), "open").await.expect(StatusCode::OK);
    app.register("late").await;
    assert_eq!(app.account_count().await, 3);
}

#[on_every_backend]
async fn invites_open_accounts_until_used_up_expired_or_revoked(app: TestApp) {
    let admin = app.admin("root").await;
    app.patch(
        "/api/v1/admin/settings",
        Some(&admin),
        json!({"registration_mode": "invite-only"}),
    )
    .await
    .expect(StatusCode::OK);
    let created = app
        .post(
            "/api/v1/admin/invites",
            Some(&admin),
            json!({"note": "spring cohort", "max_uses": 2, "expires_in_days": 7}),
        )
        .await
        .expect(StatusCode::CREATED);
    let code = created["code"].as_str().unwrap().to_owned();
    assert_eq!(created["invite"]["state"], "active");
    let with = |username: &str, code: &str| json!({"username": username, "password": PASSWORD, "invite": code});
    app.post("/api/v1/accounts", None, with("first", &code))
        .await
        .expect(StatusCode::CREATED);
    app.post("/api/v1/accounts", None, with("second", &code))
        .await
        .expect(StatusCode::CREATED);
    let third = app
        .post("/api/v1/accounts", None, with("third", &code))
        .await;
    assert_eq!(third.status, StatusCode::FORBIDDEN);
    let made_up = app
        .post("/api/v1/accounts", None, with("third", "inv_made_up"))
        .await;
    assert_eq!(made_up.status, StatusCode::FORBIDDEN);

    let listed = app
        .get("/api/v1/admin/invites", Some(&admin))
        .await
        .expect(StatusCode::OK);
    assert_eq!(listed[0]["uses"], 2);
    assert_eq!(listed[0]["state"], "used-up");
    assert!(listed[0].get("code").is_none(), "codes are shown only once");

    let second = app
        .post("/api/v1/admin/invites", Some(&admin), json!({}))
        .await
        .expect(StatusCode::CREATED);
    let id = second["invite"]["id"].as_str().unwrap();
    let revoked = app
        .delete(&format!("/api/v1/admin/invites/{id}"), Some(&admin))
        .await
        .expect(StatusCode::OK);
    assert_eq!(revoked["state"], "revoked");
    let after = app
        .post(
            "/api/v1/accounts",
            None,
            with("fourth", second["code"].as_str().unwrap()),
        )
        .await;
    assert_eq!(after.status, StatusCode::FORBIDDEN);

    for bad in [
        json!({"max_uses": 0}),
        json!({"expires_in_days": 0}),
        json!({"max_uses": "two"}),
    ] {
        let reply = app
            .post("/api/v1/admin/invites", Some(&admin), bad.clone())
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let member = app.login("first").await;
    assert_eq!(
        app.get("/api/v1/admin/invites", Some(&member)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.delete("/api/v1/admin/invites/not-a-uuid", Some(&admin))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.delete(
            &format!("/api/v1/admin/invites/{}", uuid::Uuid::now_v7()),
            Some(&admin)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.account_count().await, 3);
}

#[on_every_backend]
async fn an_expired_token_is_refused_and_says_so(app: TestApp) {
    use sqlx::Connection;
    let token = app.member("ada").await;
    app.get("/api/v1/me", Some(&token))
        .await
        .expect(StatusCode::OK);
    // Its time runs out (made to, in the database, as days would).
    let expire = "UPDATE auth_tokens SET expires_at = created_at";
    let url = &app.config.database_url;
    if url.starts_with("postgres") {
        let mut db = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query(expire).execute(&mut db).await.unwrap();
    } else {
        let mut db = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query(expire).execute(&mut db).await.unwrap();
    }
    let refused = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.code(), "unauthorized");
    assert!(
        refused.message().contains("expired"),
        "{}",
        refused.message()
    );
    // Signing in again gives a token that works.
    let fresh = app.login("ada").await;
    app.get("/api/v1/me", Some(&fresh))
        .await
        .expect(StatusCode::OK);
}
