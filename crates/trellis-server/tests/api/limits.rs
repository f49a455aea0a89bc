//! Limits that keep an instance up: sign-in floods and guessing, bursts
//! of registrations and of expensive calls are answered 429 with
//! Retry-After; a client's address comes from a trusted proxy only.

use reqwest::StatusCode;
use serde_json::json;
use trellis_testing::{PASSWORD, Reply, TestApp};

fn too_many(reply: &Reply) {
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        reply.body
    );
    assert_eq!(reply.code(), "too_many_requests");
    assert!(!reply.message().is_empty());
}

async fn login_as(
    app: &TestApp,
    username: &str,
    password: &str,
    from: Option<&str>,
) -> (Reply, Option<u64>) {
    let mut request = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}));
    if let Some(from) = from {
        request = request.header("x-forwarded-for", from);
    }
    let response = request.send().await.unwrap();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (TestApp::reply(response).await, retry_after)
}

#[tokio::test]
async fn a_sign_in_flood_from_one_address_is_answered_429_while_health_stays_up() {
    let app = TestApp::spawn_with(trellis_store::Backend::Sqlite, |c| {
        c.limit_sign_in_per_minute = 5;
    })
    .await
    .unwrap();
    app.register("ada").await;
    let mut refused = None;
    for _ in 0..10 {
        let (reply, retry_after) = login_as(&app, "ada", PASSWORD, None).await;
        if reply.status != StatusCode::OK {
            refused = Some((reply, retry_after));
            break;
        }
    }
    let (reply, retry_after) = refused.expect("never limited");
    too_many(&reply);
    assert!(retry_after.is_some_and(|s| s >= 1), "Retry-After");
    app.get("/healthz", None).await.expect(StatusCode::OK);
}

#[tokio::test]
async fn failed_sign_ins_lock_the_account_for_a_while_even_for_the_right_password() {
    let app = TestApp::spawn_with(trellis_store::Backend::Sqlite, |c| {
        c.limit_sign_in_failures = 3;
    })
    .await
    .unwrap();
    app.register("ada").await;
    // Wrong passwords: the first are refused, then the account locks.
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(
            login_as(&app, "ada", "not the password at all", None)
                .await
                .0
                .status,
        );
    }
    assert_eq!(&statuses[..3], [StatusCode::UNAUTHORIZED; 3]);
    assert_eq!(statuses[3], StatusCode::TOO_MANY_REQUESTS);
    let (reply, retry_after) = login_as(&app, "ada", PASSWORD, None).await;
    too_many(&reply);
    assert!(retry_after.is_some_and(|s| s >= 1));
    // The address that guessed is locked too, for every account (its
    // forwarded-for header counts for nothing: no proxy is trusted).
    app.register("bo").await;
    let (reply, _) = login_as(&app, "bo", PASSWORD, Some("203.0.113.9")).await;
    too_many(&reply);
}

#[tokio::test]
async fn registrations_and_expensive_calls_are_limited() {
    let app = TestApp::spawn_with(trellis_store::Backend::Sqlite, |c| {
        c.limit_registrations_per_hour = 2;
        c.limit_expensive_per_minute = 3;
    })
    .await
    .unwrap();
    let ada = app.member("ada").await;
    app.register("bo").await;
    let third = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "cy", "password": PASSWORD}),
        )
        .await;
    too_many(&third);
    let mut last = None;
    for _ in 0..4 {
        last = Some(app.get("/api/v1/matches", Some(&ada)).await);
    }
    too_many(&last.unwrap());
}

#[tokio::test]
async fn the_client_address_comes_from_a_trusted_proxy_only() {
    for trusted in [true, false] {
        let app = TestApp::spawn_with(trellis_store::Backend::Sqlite, |c| {
            c.limit_sign_in_per_minute = 2;
            if trusted {
                c.trusted_proxies = "127.0.0.1/32".into();
            }
        })
        .await
        .unwrap();
        app.register("ada").await;
        for _ in 0..2 {
            let (reply, _) = login_as(&app, "ada", PASSWORD, Some("198.51.100.1")).await;
            assert_eq!(reply.status, StatusCode::OK);
        }
        let (reply, _) = login_as(&app, "ada", PASSWORD, Some("198.51.100.1")).await;
        too_many(&reply);
        // Another client behind the proxy has its own allowance; a header
        // from an untrusted peer changes nothing.
        let (reply, _) = login_as(&app, "ada", PASSWORD, Some("198.51.100.2")).await;
        let expected = if trusted {
            StatusCode::OK
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(reply.status, expected, "trusted: {trusted}");
    }
}

#[tokio::test]
async fn the_sign_in_page_counts_against_the_same_limit_and_says_so() {
    let app = TestApp::spawn_with(trellis_store::Backend::Sqlite, |c| {
        c.limit_sign_in_per_minute = 3;
    })
    .await
    .unwrap();
    app.register("ada").await;
    // The form as a browser gets it: an anonymous cookie and its token.
    let form = app.client.get(app.url("/login")).send().await.unwrap();
    let cookie = form
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("trellis_anon="))
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_owned();
    let html = form.text().await.unwrap();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let mut refused = None;
    for _ in 0..10 {
        let answer = app
            .client
            .post(app.url("/login"))
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("username", "ada")
                    .append_pair("password", "a wrong password")
                    .append_pair("csrf", &csrf)
                    .finish(),
            )
            .send()
            .await
            .unwrap();
        if answer.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(answer);
            break;
        }
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    }
    let refused = refused.expect("the page was never limited");
    assert!(refused.headers().contains_key("retry-after"));
    assert!(refused.text().await.unwrap().contains("Too many tries"));
    // The API, from the same address, is refused too.
    too_many(&login_as(&app, "ada", PASSWORD, None).await.0);
}
