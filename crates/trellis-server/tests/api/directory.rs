//! The local mentor directory through HTTP.

use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_testing::{TestApp, mentor, on_every_backend};

fn names(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["username"].as_str().unwrap())
        .collect()
}

#[on_every_backend]
async fn the_directory_respects_visibility(app: TestApp) {
    for visibility in ["private", "organization", "federated", "public"] {
        let token = app.member(&format!("m_{visibility}")).await;
        app.set_profile(&token, mentor(visibility, &[])).await;
    }
    let mentee = app.member("mentee").await;
    app.set_profile(
        &mentee,
        json!({"visibility": "public", "headline": "Wants to learn"}),
    )
    .await;

    let anonymous = app
        .get("/api/v1/directory/mentors", None)
        .await
        .expect(StatusCode::OK);
    assert_eq!(names(&anonymous), ["m_public"]);
    let member = app
        .get("/api/v1/directory/mentors", Some(&mentee))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        names(&member),
        ["m_federated", "m_organization", "m_public"]
    );
    assert_eq!(member["total"], 3);
    let owner = app.login("m_private").await;
    let own = app
        .get("/api/v1/directory/mentors", Some(&owner))
        .await
        .expect(StatusCode::OK);
    assert!(
        !names(&own).contains(&"m_private"),
        "private profiles are never listed"
    );
}

#[on_every_backend]
async fn the_directory_filters_and_pages(app: TestApp) {
    let add = |username: &'static str, profile: Value| {
        let app = &app;
        async move {
            let token = app.member(username).await;
            app.set_profile(&token, profile).await;
        }
    };
    add(
        "dns_expert",
        mentor(
            "organization",
            &[("networking.dns", 6), ("systems.observability", 4)],
        ),
    )
    .await;
    add(
        "dns_novice",
        mentor("organization", &[("networking.dns", 2)]),
    )
    .await;
    let mut german = mentor("organization", &[("systems.observability", 5)]);
    german["languages"] = json!(["de-AT"]);
    german["bio"] = json!("Prometheus and Grafana since 2014");
    add("obs_de", german).await;
    let mut full = mentor("organization", &[("networking.dns", 5)]);
    full["mentor"]["accepting_mentees"] = json!(false);
    add("dns_full", full).await;
    let viewer = app.member("viewer").await;

    let search = |query: &'static str| {
        let (app, viewer) = (&app, viewer.clone());
        async move {
            app.get(&format!("/api/v1/directory/mentors?{query}"), Some(&viewer))
                .await
                .expect(StatusCode::OK)
        }
    };
    let all = search("").await;
    assert_eq!(
        names(&all),
        ["dns_expert", "dns_novice", "obs_de", "dns_full"],
        "accepting first"
    );
    assert_eq!(
        names(&search("skills=networking.dns").await),
        ["dns_expert", "dns_novice", "dns_full"]
    );
    assert_eq!(
        names(&search("skills=networking.dns&min_level=5").await),
        ["dns_expert", "dns_full"]
    );
    assert_eq!(
        names(&search("skills=networking.dns,systems.observability&min_level=4").await),
        ["dns_expert"]
    );
    assert_eq!(names(&search("language=de").await), ["obs_de"]);
    assert_eq!(names(&search("q=grafana%20PROMETHEUS").await), ["obs_de"]);
    assert_eq!(
        names(&search("accepting=true&skills=networking.dns").await),
        ["dns_expert", "dns_novice"]
    );
    assert_eq!(
        names(&search("skills=storage.backup-and-recovery").await),
        Vec::<&str>::new()
    );

    let first = search("per_page=2").await;
    let second = search("per_page=2&page=2").await;
    let third = search("per_page=2&page=3").await;
    assert_eq!(names(&first), ["dns_expert", "dns_novice"]);
    assert_eq!(names(&second), ["obs_de", "dns_full"]);
    assert!(names(&third).is_empty());
    assert_eq!(
        (
            first["total"].as_u64(),
            first["page"].as_u64(),
            first["per_page"].as_u64()
        ),
        (Some(4), Some(1), Some(2))
    );
    assert_eq!(
        first["items"][0]["skills"][0]["name"]
            .as_str()
            .map(str::is_empty),
        Some(false)
    );
}

#[on_every_backend]
async fn bad_directory_queries_are_refused(app: TestApp) {
    for query in [
        "min_level=4",
        "skills=networking.dns&min_level=8",
        "skills=Not%20A%20Key",
        "language=english",
        "page=0",
        "per_page=101",
        "per_page=ten",
        "accepting=maybe",
        "colour=blue",
    ] {
        let reply = app
            .get(&format!("/api/v1/directory/mentors?{query}"), None)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            reply.body
        );
        assert_eq!(reply.code(), "bad_request");
        assert!(!reply.message().is_empty());
    }
}
