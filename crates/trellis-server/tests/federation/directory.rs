//! Partners' mentors in the directory; nobody else's.

use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_store::Backend;
use trellis_testing::{eventually, mentor, on_every_backend};

use crate::partnership::{Peer, partnered};

async fn directory(peer: &Peer, token: Option<&str>, scope: &str) -> Vec<String> {
    let page = peer
        .app
        .get(&format!("/api/v1/directory/mentors?scope={scope}"), token)
        .await
        .expect(StatusCode::OK);
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| match p["domain"].as_str() {
            Some(domain) => format!("{}@{domain}", p["username"].as_str().unwrap()),
            None => p["username"].as_str().unwrap().to_owned(),
        })
        .collect()
}

fn profile_with(visibility: &str, headline: &str) -> Value {
    let mut profile = mentor(visibility, &[("networking.dns", 6)]);
    profile["headline"] = json!(headline);
    profile
}

#[on_every_backend]
async fn partners_see_each_others_federated_mentors_and_nobody_else_does(backend: Backend) {
    let (a, b) = partnered(backend).await;
    let c = Peer::start(backend).await;
    let bo = b.app.member("bo").await;
    let reader = a.app.member("reader").await;
    let c_reader = c.app.member("reader").await;
    let handle = format!("bo@{}", b.app.domain());

    b.app
        .set_profile(&bo, profile_with("federated", "Routing since 1999"))
        .await;
    eventually("B's mentor shows in A's directory", || async {
        directory(&a, Some(&reader), "federated").await == [handle.clone()]
    })
    .await;
    let page = a
        .app
        .get(
            "/api/v1/directory/mentors?scope=all&skills=networking.dns&min_level=5",
            Some(&reader),
        )
        .await
        .expect(StatusCode::OK);
    let item = &page["items"][0];
    assert_eq!(
        (item["headline"].as_str(), item["domain"].as_str()),
        (Some("Routing since 1999"), Some(b.app.domain().as_str()))
    );
    assert_eq!(
        item["skills"][0]["name"].as_str().map(str::is_empty),
        Some(false)
    );
    assert_eq!(item["goals"]["summary"], "", "goals never travel");
    assert!(directory(&a, Some(&reader), "local").await.is_empty());
    assert!(
        directory(&a, None, "federated").await.is_empty(),
        "a federated profile is not public"
    );

    // The member's page on A, by user@domain (WebFinger).
    let shown = a
        .app
        .get(&format!("/api/v1/members/{handle}/profile"), Some(&reader))
        .await
        .expect(StatusCode::OK);
    assert_eq!(shown["headline"], "Routing since 1999");
    assert_eq!(
        a.app
            .get(&format!("/api/v1/members/{handle}/profile"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Updates follow.
    b.app
        .set_profile(&bo, profile_with("public", "Routing and DNS"))
        .await;
    eventually("the update reaches A", || async {
        let page = a
            .app
            .get("/api/v1/directory/mentors?scope=federated", None)
            .await
            .body;
        page["items"][0]["headline"] == "Routing and DNS"
    })
    .await;

    // C is no partner: it gets nothing, and shows nothing of B's.
    assert!(directory(&c, Some(&c_reader), "all").await.is_empty());
    assert_eq!(
        c.app
            .get(
                &format!("/api/v1/members/{handle}/profile"),
                Some(&c_reader)
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A profile narrowed to the organization disappears from partners.
    b.app
        .set_profile(&bo, profile_with("organization", "Routing and DNS"))
        .await;
    eventually("the profile leaves A's directory", || async {
        directory(&a, Some(&reader), "federated").await.is_empty()
    })
    .await;
    assert_eq!(
        a.app
            .get(&format!("/api/v1/members/{handle}/profile"), Some(&reader))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Published again, then the partnership ends: it disappears again.
    b.app
        .set_profile(&bo, profile_with("federated", "Back"))
        .await;
    eventually("the profile is back", || async {
        !directory(&a, Some(&reader), "federated").await.is_empty()
    })
    .await;
    a.app
        .delete(
            &format!("/api/v1/admin/partners/{}", b.app.domain()),
            Some(&a.admin),
        )
        .await
        .expect(StatusCode::OK);
    assert!(directory(&a, Some(&reader), "federated").await.is_empty());
}
