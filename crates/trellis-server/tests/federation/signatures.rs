//! Two Trellis instances that each accept one flavour of HTTP signature
//! only, and each try the other one first: every request between them is
//! refused once, signed again in the other flavour, and remembered, and
//! nothing is lost or applied twice.

use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_store::Backend;
use trellis_testing::{TestApp, eventually, on_every_backend};

use crate::partnership::Peer;

async fn peer(backend: Backend, accepted: &str, first: &str) -> Peer {
    let app = TestApp::spawn_with(backend, |c| {
        c.signatures_accepted = accepted.into();
        c.signatures_first = first.into();
    })
    .await
    .expect("a test database");
    let admin = app.admin("root").await;
    Peer { app, admin }
}

async fn partner_view(of: &Peer, other: &Peer) -> Value {
    of.partners()
        .await
        .into_iter()
        .find(|p| p["domain"] == other.app.domain().as_str())
        .unwrap()
}

async fn federated_headlines(app: &TestApp, token: &str) -> Vec<String> {
    app.get("/api/v1/directory/mentors?scope=federated", Some(token))
        .await
        .expect(StatusCode::OK)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["headline"].as_str().unwrap().to_owned())
        .collect()
}

#[on_every_backend]
async fn an_rfc9421_only_and_a_cavage_only_instance_federate_by_double_knocking(backend: Backend) {
    // A takes only RFC 9421, B only draft-cavage, and each tries the one
    // it takes first: its first knock on the other is always refused.
    let a = peer(backend, "rfc9421", "rfc9421").await;
    let b = peer(backend, "draft-cavage", "draft-cavage").await;
    a.ask(&b).await;
    b.wait_for(&a, "pending").await;
    b.accept(&a).await;
    a.wait_for(&b, "active").await;

    // Each remembers what the other took, and the admin sees it.
    eventually("both know the other's flavour", || async {
        partner_view(&a, &b).await["delivery"]["signature"] == "draft-cavage"
            && partner_view(&b, &a).await["delivery"]["signature"] == "rfc9421"
    })
    .await;

    // A mentor's profile on B reaches A once, then its change.
    let bo = b.app.member("bo").await;
    let mut profile = trellis_testing::mentor("federated", &[("networking.dns", 5)]);
    profile["headline"] = json!("First");
    b.app.set_profile(&bo, profile.clone()).await;
    let ada = a.app.member("ada").await;
    eventually("the profile arrives", || async {
        federated_headlines(&a.app, &ada).await == ["First"]
    })
    .await;
    profile["headline"] = json!("Second");
    b.app.set_profile(&bo, profile).await;
    eventually("the change arrives", || async {
        federated_headlines(&a.app, &ada).await == ["Second"]
    })
    .await;

    // Nothing waits, nothing failed, and each activity counted once.
    for (from, to) in [(&a, &b), (&b, &a)] {
        eventually("the queues are empty", || async {
            partner_view(from, to).await["delivery"]["queued"] == 0
        })
        .await;
        let view = partner_view(from, to).await;
        assert_eq!(view["delivery"]["consecutive_failures"], 0, "{view}");
        assert_eq!(view["delivery"]["last_error"], Value::Null, "{view}");
    }
    // B sent A: its Accept, the Create and the Update of the profile.
    assert_eq!(partner_view(&b, &a).await["delivery"]["delivered_total"], 3);
    assert_eq!(partner_view(&a, &b).await["delivery"]["delivered_total"], 1);
}

#[on_every_backend]
async fn a_peer_known_to_take_the_other_flavour_is_offered_the_first_again_later(backend: Backend) {
    // B takes both; A prefers RFC 9421 but once settled on draft-cavage.
    let a = peer(backend, "both", "rfc9421").await;
    let b = peer(backend, "both", "draft-cavage").await;
    let long_ago = chrono::Utc::now() - chrono::Duration::days(2);
    a.app
        .store
        .set_peer_signature(&b.app.domain(), "draft-cavage", long_ago)
        .await
        .unwrap();
    a.ask(&b).await;
    b.wait_for(&a, "pending").await;
    // A offered RFC 9421 again, B took it, and A remembers that now.
    assert_eq!(
        partner_view(&a, &b).await["delivery"]["signature"],
        "rfc9421"
    );
}
