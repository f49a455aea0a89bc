//! Credentials across instances: one issued at A is checked at B through
//! HTTP alone (A's key and status list), revocation at A shows at B, and
//! activities received from elsewhere earn awards like local ones.

use reqwest::StatusCode;
use serde_json::json;
use trellis_store::Backend;
use trellis_testing::{eventually, first_problem, on_every_backend};

use crate::mentorships::pair_across;
use crate::partnership::{Peer, partnered};

#[on_every_backend]
async fn a_credential_from_one_instance_verifies_at_another_and_shows_its_revocation(
    backend: Backend,
) {
    // No partnership is needed: anyone may check a credential.
    let (a, b) = (Peer::start(backend).await, Peer::start(backend).await);
    let ada = a.app.member("ada").await;
    let issued = a.app.issue_statement(&ada).await;
    let jwt = issued["jwt"].as_str().unwrap();

    let report = b.app.verify_credential(jwt).await;
    assert_eq!(report["verified"], true, "{report}");
    assert_eq!(report["signature_valid"], true);
    assert_eq!(report["revoked"], false);
    let a_base = format!("http://{}", a.app.domain());
    assert_eq!(report["issuer"]["id"], format!("{a_base}/actor"));
    assert_eq!(report["subject"], format!("{a_base}/users/ada"));
    assert_eq!(report["key_id"], format!("{a_base}/actor#main-key"));

    // Changed on the way, it no longer verifies at B.
    let mut parts: Vec<&str> = jwt.split('.').collect();
    let other = a.app.issue_statement(&ada).await;
    let other_payload = other["jwt"]
        .as_str()
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap()
        .to_owned();
    parts[1] = &other_payload;
    let spliced = parts.join(".");
    let report = b.app.verify_credential(&spliced).await;
    assert_eq!(report["signature_valid"], false, "{report}");

    // Revoked at A, it is reported revoked at B at once.
    a.app
        .post(
            &format!(
                "/api/v1/admin/credentials/{}/revoke",
                issued["id"].as_str().unwrap()
            ),
            Some(&a.admin),
            json!({"reason": "Issued in error"}),
        )
        .await
        .expect(StatusCode::OK);
    let report = b.app.verify_credential(jwt).await;
    assert_eq!(report["revoked"], true, "{report}");
    assert_eq!(report["verified"], false);
    assert_eq!(report["signature_valid"], true);
    // The other credential on the same list stays good.
    let report = b
        .app
        .verify_credential(other["jwt"].as_str().unwrap())
        .await;
    assert_eq!(report["revoked"], false);
    assert_eq!(report["verified"], true);

    // When A is down, B says it could not fetch the key.
    let mut a = a;
    a.app.stop().await;
    let report = b.app.verify_credential(jwt).await;
    assert_eq!(report["verified"], false);
    assert!(
        first_problem(&report).contains("could not be fetched"),
        "{report}"
    );
}

#[on_every_backend]
async fn a_session_received_from_elsewhere_earns_an_award_where_the_mentor_is(backend: Backend) {
    let (a, b) = partnered(backend).await;
    let (bo, ada, on_a, _) = pair_across(&a, &b, "organization").await;
    b.app
        .post(
            "/api/v1/admin/achievements",
            Some(&b.admin),
            json!({
                "name": "First session as a mentor",
                "description": "A first check-in with a mentee.",
                "criteria_narrative": "Hold a session as a mentor.",
                "rule": {"metric": "sessions_as_mentor", "at_least": 1},
            }),
        )
        .await
        .expect(StatusCode::CREATED);
    // Ada logs the session at A; B hears of it through its inbox.
    a.app
        .post(
            &format!(
                "/api/v1/mentorships/{}/sessions",
                on_a["id"].as_str().unwrap()
            ),
            Some(&ada),
            json!({"held_at": "2026-11-20T09:00:00Z", "duration_minutes": 50,
                   "topics": [], "notes": "", "action_items": []}),
        )
        .await
        .expect(StatusCode::CREATED);
    eventually("bo is awarded at B", || async {
        let awards = b
            .app
            .get("/api/v1/me/awards", Some(&bo))
            .await
            .expect(StatusCode::OK);
        !awards.as_array().unwrap().is_empty()
    })
    .await;
    let awards = b
        .app
        .get("/api/v1/me/awards", Some(&bo))
        .await
        .expect(StatusCode::OK);
    assert_eq!(awards.as_array().unwrap().len(), 1);
    assert_eq!(awards[0]["automatic"], true);
    // Bo's award verifies at A, from B's key.
    let credentials = b
        .app
        .get("/api/v1/me/credentials", Some(&bo))
        .await
        .expect(StatusCode::OK);
    let report = a
        .app
        .verify_credential(credentials[0]["jwt"].as_str().unwrap())
        .await;
    assert_eq!(report["verified"], true, "{report}");
    assert_eq!(
        report["issuer"]["id"],
        format!("http://{}/actor", b.app.domain())
    );
    // The mentee at A earned nothing at B.
    let at_a = a
        .app
        .get("/api/v1/me/awards", Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(at_a, json!([]));
}
