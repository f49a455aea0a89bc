//! Delivery survives a peer that is down and a sender that crashes; blocks
//! stop traffic both ways at once.

use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_store::Backend;
use trellis_testing::{eventually, mentor, on_every_backend};

use crate::partnership::{Peer, partnered};

async fn peer_state(from: &Peer, to: &Peer) -> Value {
    let status = from
        .app
        .get("/api/v1/admin/federation", Some(&from.admin))
        .await
        .expect(StatusCode::OK);
    status["peers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["domain"] == to.app.domain().as_str())
        .cloned()
        .unwrap_or(Value::Null)
}

async fn headline_seen(on: &Peer, token: &str) -> Option<String> {
    let page = on
        .app
        .get("/api/v1/directory/mentors?scope=federated", Some(token))
        .await
        .expect(StatusCode::OK);
    page["items"][0]["headline"].as_str().map(str::to_owned)
}

fn with_headline(headline: &str) -> Value {
    let mut profile = mentor("federated", &[("networking.dns", 5)]);
    profile["headline"] = json!(headline);
    profile
}

#[on_every_backend]
async fn activities_sent_while_a_peer_is_down_arrive_when_it_returns(backend: Backend) {
    let (mut a, mut b) = partnered(backend).await;
    let ada = a.app.member("ada").await;
    let reader = b.app.member("reader").await;

    b.app.stop().await;
    a.app
        .set_profile(&ada, with_headline("Sent while B was down"))
        .await;
    eventually("A notices B is failing", || async {
        let state = peer_state(&a, &b).await;
        state["delivery"]["state"] == "failing" && state["delivery"]["queued"] == 1
    })
    .await;
    let failing = peer_state(&a, &b).await;
    assert!(
        failing["delivery"]["last_error"]
            .as_str()
            .is_some_and(|e| !e.is_empty())
    );
    assert!(failing["delivery"]["next_attempt_at"].is_string());

    // A crashes and comes back while B is still down: the queue is in A's database.
    a.app.kill().await;
    a.app.start().await;
    assert_eq!(peer_state(&a, &b).await["delivery"]["queued"], 1);

    b.app.start().await;
    eventually("the profile reaches B", || async {
        headline_seen(&b, &reader).await.as_deref() == Some("Sent while B was down")
    })
    .await;
    eventually("A's queue for B is empty and healthy", || async {
        let state = peer_state(&a, &b).await;
        state["delivery"]["queued"] == 0 && state["delivery"]["state"] == "ok"
    })
    .await;
    // The Follow and the profile, each delivered once.
    assert_eq!(peer_state(&a, &b).await["delivery"]["delivered_total"], 2);

    // Later changes flow as usual.
    a.app
        .set_profile(&ada, with_headline("After the outage"))
        .await;
    eventually("the update reaches B", || async {
        headline_seen(&b, &reader).await.as_deref() == Some("After the outage")
    })
    .await;
    assert_eq!(peer_state(&a, &b).await["delivery"]["delivered_total"], 3);
}

#[on_every_backend]
async fn a_block_stops_traffic_both_ways_at_once(backend: Backend) {
    let (a, b) = partnered(backend).await;
    let ada = a.app.member("ada").await;
    let bo = b.app.member("bo").await;
    let a_reader = a.app.member("reader").await;
    let b_reader = b.app.member("reader").await;
    a.app.set_profile(&ada, with_headline("Ada before")).await;
    b.app.set_profile(&bo, with_headline("Bo before")).await;
    eventually("both profiles arrive", || async {
        headline_seen(&a, &a_reader).await.as_deref() == Some("Bo before")
            && headline_seen(&b, &b_reader).await.as_deref() == Some("Ada before")
    })
    .await;

    let blocked = a
        .app
        .post(
            "/api/v1/admin/blocks",
            Some(&a.admin),
            json!({"domain": b.app.domain(), "reason": "test"}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(
        (
            blocked["blocked"].as_bool(),
            blocked["partnership"].as_str()
        ),
        (Some(true), Some("none"))
    );
    // At once: B's mentors leave A's directory and member pages.
    assert_eq!(headline_seen(&a, &a_reader).await, None);
    let handle = format!("bo@{}", b.app.domain());
    let page = a
        .app
        .get(
            &format!("/api/v1/members/{handle}/profile"),
            Some(&a_reader),
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // B (which knows nothing of the block) sends an update: A refuses it.
    b.app
        .set_profile(&bo, with_headline("Bo after the block"))
        .await;
    eventually("B has delivered its update (A refused it)", || async {
        peer_state(&b, &a).await["delivery"]["queued"] == 0
    })
    .await;
    let account = a
        .app
        .store
        .remote_person(&format!("http://{}/users/bo", b.app.domain()))
        .await
        .unwrap()
        .unwrap();
    let kept = a.app.store.profile(account.account_id).await.unwrap();
    assert_eq!(
        kept.profile.headline, "Bo before",
        "a blocked instance's update was applied"
    );

    // A sends nothing to B: its update is not even queued.
    a.app
        .set_profile(&ada, with_headline("Ada after the block"))
        .await;
    eventually("A processed the change", || async {
        a.app.store.next_outbox_events(10).await.unwrap().is_empty()
    })
    .await;
    assert_eq!(peer_state(&a, &b).await["delivery"]["queued"], 0);
    assert_eq!(
        headline_seen(&b, &b_reader).await.as_deref(),
        Some("Ada before")
    );

    // Asking a blocked instance to partner is refused until it is unblocked.
    let ask = a
        .app
        .post(
            "/api/v1/admin/partners",
            Some(&a.admin),
            json!({"domain": b.app.domain()}),
        )
        .await;
    assert_eq!(ask.status, StatusCode::FORBIDDEN);
    let blocks = a
        .app
        .get("/api/v1/admin/blocks", Some(&a.admin))
        .await
        .expect(StatusCode::OK);
    assert_eq!(blocks.as_array().unwrap().len(), 1);
    a.app
        .delete(
            &format!("/api/v1/admin/blocks/{}", b.app.domain()),
            Some(&a.admin),
        )
        .await
        .expect(StatusCode::OK);
    assert!(
        a.app
            .get("/api/v1/admin/blocks", Some(&a.admin))
            .await
            .expect(StatusCode::OK)
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        a.app
            .delete(
                &format!("/api/v1/admin/blocks/{}", b.app.domain()),
                Some(&a.admin)
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[on_every_backend]
async fn nothing_stale_shows_after_a_block_and_a_new_partnership(backend: Backend) {
    let (a, b) = partnered(backend).await;
    let bo = b.app.member("bo").await;
    let quiet = b.app.member("quiet").await;
    b.app
        .set_profile(&quiet, json!({"visibility": "organization"}))
        .await;
    let reader = a.app.member("reader").await;
    let mut public = with_headline("Public before");
    public["visibility"] = json!("public");
    b.app.set_profile(&bo, public).await;
    eventually("bo's profile reaches A", || async {
        headline_seen(&a, &reader).await.as_deref() == Some("Public before")
    })
    .await;
    let handle = format!("bo@{}", b.app.domain());
    // A partner's member who shares nothing is not shown either.
    let page = a
        .app
        .get(
            &format!("/api/v1/members/quiet@{}/profile", b.app.domain()),
            Some(&reader),
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // A blocks B; meanwhile bo makes the profile private (A refuses the news).
    a.app
        .post(
            "/api/v1/admin/blocks",
            Some(&a.admin),
            json!({"domain": b.app.domain()}),
        )
        .await
        .expect(StatusCode::CREATED);
    b.app
        .set_profile(&bo, json!({"visibility": "private"}))
        .await;
    eventually("B has delivered (and A refused)", || async {
        peer_state(&b, &a).await["delivery"]["queued"] == 0
    })
    .await;
    // A unblocks and asks again; B, which never knew of the block, accepts.
    a.app
        .delete(
            &format!("/api/v1/admin/blocks/{}", b.app.domain()),
            Some(&a.admin),
        )
        .await
        .expect(StatusCode::OK);
    a.ask(&b).await;
    b.wait_for(&a, "active").await;
    a.wait_for(&b, "active").await;
    assert_eq!(
        headline_seen(&a, &reader).await,
        None,
        "the old public profile came back"
    );
    assert_eq!(
        a.app
            .get(&format!("/api/v1/members/{handle}/profile"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // What bo shares now arrives.
    b.app.set_profile(&bo, with_headline("Shared again")).await;
    eventually("bo's new profile reaches A", || async {
        headline_seen(&a, &reader).await.as_deref() == Some("Shared again")
    })
    .await;
}

#[on_every_backend]
async fn a_peer_failing_long_enough_is_shown_unreachable_and_recovers(backend: Backend) {
    let a = Peer::start_with(backend, |c| c.delivery_unreachable_after_secs = 2).await;
    let mut b = Peer::start(backend).await;
    a.ask(&b).await;
    b.wait_for(&a, "pending").await;
    b.accept(&a).await;
    a.wait_for(&b, "active").await;
    let ada = a.app.member("ada").await;
    let reader = b.app.member("reader").await;

    b.app.stop().await;
    a.app
        .set_profile(&ada, with_headline("Sent while B was away"))
        .await;
    eventually("A first calls B failing", || async {
        peer_state(&a, &b).await["delivery"]["state"] == "failing"
    })
    .await;
    eventually(
        "then, after failing for long enough, unreachable",
        || async { peer_state(&a, &b).await["delivery"]["state"] == "unreachable" },
    )
    .await;
    let state = peer_state(&a, &b).await;
    assert_eq!(state["delivery"]["queued"], 1, "{state}");
    assert!(state["delivery"]["failing_since"].is_string(), "{state}");
    // An unreachable peer is still tried: when it is back, it gets what waited.
    b.app.start().await;
    eventually("the profile reaches B", || async {
        headline_seen(&b, &reader).await.as_deref() == Some("Sent while B was away")
    })
    .await;
    eventually("B is ok again", || async {
        let state = peer_state(&a, &b).await;
        state["delivery"]["state"] == "ok" && state["delivery"]["queued"] == 0
    })
    .await;
}
