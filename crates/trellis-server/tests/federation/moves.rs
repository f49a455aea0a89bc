//! Moving between instances with the long-term file: Ada, mentored from B,
//! moves from A to C in the middle of her mentorship; C imports her file,
//! B follows her to C, and the mentorship goes on between C and B.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_store::Backend;
use trellis_testing::{eventually, on_every_backend};

use crate::mentorships::{pair_across, reviews_of, sessions_of, wait_state};
use crate::partnership::{Peer, three_partnered};

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}

async fn log_session(on: &Peer, token: &str, m: &Value, topic: &str) -> Value {
    on.app
        .post(
            &format!("/api/v1/mentorships/{}/sessions", id(m)),
            Some(token),
            json!({"held_at": "2026-11-20T09:00:00Z", "duration_minutes": 50,
                   "topics": [topic], "notes": format!("Notes on {topic}")}),
        )
        .await
        .expect(StatusCode::CREATED)
}

async fn imports_of(on: &Peer, token: &str) -> Value {
    on.app
        .get("/api/v1/me/imports", Some(token))
        .await
        .expect(StatusCode::OK)
}

/// Waits until `on` holds `count` imports for the member, the newest done.
async fn imported(on: &Peer, token: &str, count: usize) {
    eventually("the file is imported", || async {
        let imports = imports_of(on, token).await;
        imports.as_array().unwrap().len() == count && imports[0]["state"] == "imported"
    })
    .await;
}

/// A member's actor document on `on`, fetched as the partner `by` does.
async fn actor(on: &Peer, by: &Peer, username: &str) -> Value {
    on.app
        .get_signed_by(&by.app, &format!("/users/{username}"))
        .await
        .expect(StatusCode::OK)
}

#[on_every_backend]
async fn a_member_moves_mid_mentorship_and_it_continues_from_the_new_instance(backend: Backend) {
    let (a, b, c) = three_partnered(backend).await;
    let (bo, ada, on_a, on_b) = pair_across(&a, &b, "federated").await;

    // A year's start at A: two sessions (one with her private note), a
    // completed review and a plan.
    let first = log_session(&a, &ada, &on_a, "Resolvers").await;
    a.app
        .put(
            &format!(
                "/api/v1/mentorships/{}/sessions/{}/private-note",
                id(&on_a),
                id(&first)
            ),
            Some(&ada),
            json!({"text": "Ask about the outage"}),
        )
        .await
        .expect(StatusCode::OK);
    log_session(&a, &ada, &on_a, "DNSSEC").await;
    a.app
        .post(
            &format!("/api/v1/mentorships/{}/reviews", id(&on_a)),
            Some(&ada),
            json!({}),
        )
        .await
        .expect(StatusCode::CREATED);
    eventually("B has the sessions and the review", || async {
        sessions_of(&b, &bo, &on_b).await.len() == 2 && reviews_of(&b, &bo, &on_b).await.len() == 1
    })
    .await;
    for (peer, token, m) in [(&a, &ada, &on_a), (&b, &bo, &on_b)] {
        let review = reviews_of(peer, token, m).await.remove(0);
        peer.app
            .put(
                &format!("/api/v1/mentorships/{}/reviews/{}/part", id(m), id(&review)),
                Some(token),
                json!({"ratings": [{"skill": "networking.dns", "rating": 3, "comment": "Steady"}]}),
            )
            .await
            .expect(StatusCode::OK);
    }
    eventually("both have the review completed", || async {
        reviews_of(&a, &ada, &on_a).await[0]["state"] == "completed"
            && reviews_of(&b, &bo, &on_b).await[0]["state"] == "completed"
    })
    .await;
    a.app
        .put(
            "/api/v1/me/plan",
            Some(&ada),
            json!({"goals": [{"title": "Own DNS", "target_skills": [{"skill": "networking.dns", "level": 5}]}]}),
        )
        .await
        .expect(StatusCode::OK);

    // Her account at C names the one at A.
    let new_ada = c.app.member("ada").await;
    let old_handle = format!("ada@{}", a.app.domain());
    let new_handle = format!("ada@{}", c.app.domain());
    let old_actor = format!("http://{}/users/ada", a.app.domain());
    let new_actor = format!("http://{}/users/ada", c.app.domain());

    // A move to an account that does not name her is refused, and so is
    // one to nobody; nothing changes.
    let eve = c.app.member("eve").await;
    c.app
        .set_profile(
            &eve,
            json!({"languages": ["en"], "visibility": "federated"}),
        )
        .await;
    let refused = a
        .app
        .post(
            "/api/v1/me/move",
            Some(&ada),
            json!({"to": format!("eve@{}", c.app.domain())}),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "{}",
        refused.message()
    );
    assert!(refused.message().contains("alias"), "{}", refused.message());
    let nobody = a
        .app
        .post(
            "/api/v1/me/move",
            Some(&ada),
            json!({"to": format!("nobody@{}", c.app.domain())}),
        )
        .await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    assert!(actor(&a, &b, "ada").await.get("movedTo").is_none());

    let aliases = c
        .app
        .put(
            "/api/v1/me/aliases",
            Some(&new_ada),
            json!({"also_known_as": [old_handle]}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(aliases["also_known_as"], json!([old_actor]));
    assert_eq!(
        actor(&c, &a, "ada").await["alsoKnownAs"],
        json!([old_actor])
    );

    // The move, from A.
    let moved = a
        .app
        .post("/api/v1/me/move", Some(&ada), json!({"to": new_handle}))
        .await
        .expect(StatusCode::ACCEPTED);
    assert_eq!(moved["moved_to"], new_actor);
    assert_eq!(actor(&a, &b, "ada").await["movedTo"], new_actor);
    // The old account keeps its file for reading, and changes nothing.
    let frozen = a
        .app
        .put("/api/v1/me/plan", Some(&ada), json!({"goals": []}))
        .await;
    assert_eq!(frozen.status, StatusCode::FORBIDDEN, "{}", frozen.message());
    a.app
        .get("/api/v1/me/export", Some(&ada))
        .await
        .expect(StatusCode::OK);
    let again = a
        .app
        .post("/api/v1/me/move", Some(&ada), json!({"to": new_handle}))
        .await;
    assert_eq!(again.status, StatusCode::FORBIDDEN);

    // C imports her file, marked as coming from A.
    imported(&c, &new_ada, 1).await;
    let imports = imports_of(&c, &new_ada).await;
    let report = &imports[0]["report"];
    assert_eq!(imports[0]["from_actor"], old_actor);
    assert_eq!(imports[0]["origin"], a.app.domain());
    assert_eq!(
        (
            &report["mentorships"],
            &report["sessions"],
            &report["reviews"],
            &report["plan_versions"]
        ),
        (&json!(1), &json!(2), &json!(1), &json!(1)),
        "{report}"
    );
    assert_eq!(report["refused"], json!([]));
    let on_c = wait_state(&c, &new_ada, "active").await;
    assert_eq!(on_c["mentor"]["username"], "bo");
    assert_eq!(on_c["mentor"]["domain"], b.app.domain());
    let carried = sessions_of(&c, &new_ada, &on_c).await;
    assert_eq!(carried.len(), 2);
    assert!(
        carried
            .iter()
            .any(|s| s["private_note"] == "Ask about the outage"),
        "her own private note came with her"
    );
    let growth = c
        .app
        .get("/api/v1/me/growth", Some(&new_ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(growth["reviews"], 1);
    assert_eq!(growth["plan_skills"], json!(["networking.dns"]));
    let export = c
        .app
        .get("/api/v1/me/export", Some(&new_ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(export["mentorships"][0]["origin"], a.app.domain());
    assert_eq!(
        export["mentorships"][0]["sessions"][0]["origin"],
        a.app.domain()
    );
    assert_eq!(export["plan_history"][0]["origin"], a.app.domain());

    // B follows her to C.
    eventually("B holds the mentorship with her account at C", || async {
        let m = b
            .app
            .get(&format!("/api/v1/mentorships/{}", id(&on_b)), Some(&bo))
            .await
            .expect(StatusCode::OK);
        m["mentee"]["domain"] == c.app.domain()
    })
    .await;

    // The mentorship goes on, between C and B; A hears no more of it.
    log_session(&c, &new_ada, &on_c, "Zone transfers").await;
    eventually("B has the session from C", || async {
        sessions_of(&b, &bo, &on_b).await.len() == 3
    })
    .await;
    log_session(&b, &bo, &on_b, "Anycast").await;
    eventually("C has the session from B", || async {
        sessions_of(&c, &new_ada, &on_c).await.len() == 4
    })
    .await;
    assert_eq!(sessions_of(&a, &ada, &on_a).await.len(), 2);
    // Her participation counts each organization's part: two sessions at
    // A (imported), two since at C.
    let figures = c
        .app
        .get("/api/v1/me/participation", Some(&new_ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(figures["total"]["sessions_as_mentee"], 4, "{figures}");
    assert_eq!(
        figures["by_organization"][a.app.domain()]["sessions_as_mentee"],
        2
    );
    assert_eq!(
        figures["by_organization"][c.app.domain()]["sessions_as_mentee"],
        2
    );

    // The archive's address opens nothing without its token.
    let closed = a.app.get("/api/v1/moves/trm_guess/archive", None).await;
    assert_eq!(closed.status, StatusCode::NOT_FOUND);
    // An archive of an account that is not hers is not imported.
    let mut foreign = export.clone();
    foreign["member"]["actor"] = json!(format!("http://{}/users/eve", a.app.domain()));
    let refused = c
        .app
        .post("/api/v1/me/imports", Some(&new_ada), foreign)
        .await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "{}",
        refused.message()
    );
}

/// Declares `ada@A` on C's `ada` and moves her there from A; returns her
/// token at C once C has imported her file.
async fn move_ada(a: &Peer, c: &Peer, ada: &str) -> String {
    let new_ada = c.app.member("ada").await;
    // By actor URL: her profile at A need not be shared for this.
    c.app
        .put(
            "/api/v1/me/aliases",
            Some(&new_ada),
            json!({"also_known_as": [format!("http://{}/users/ada", a.app.domain())]}),
        )
        .await
        .expect(StatusCode::OK);
    a.app
        .post(
            "/api/v1/me/move",
            Some(ada),
            json!({"to": format!("ada@{}", c.app.domain())}),
        )
        .await
        .expect(StatusCode::ACCEPTED);
    imported(c, &new_ada, 1).await;
    new_ada
}

/// The JWT with one claim of its credential changed, signature kept.
fn doctored(jwt: &str) -> String {
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["name"] = json!("Fellow of everything");
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
    format!("{}.{payload}.{}", parts[0], parts[2])
}

#[on_every_backend]
async fn credentials_move_with_the_member_and_verify_everywhere(backend: Backend) {
    let (a, b, c) = three_partnered(backend).await;
    let (bo, ada, on_a, on_b) = pair_across(&a, &b, "federated").await;

    // At A, a first session earns Ada an award; at B, Bo endorses her.
    a.app
        .post(
            "/api/v1/admin/achievements",
            Some(&a.admin),
            json!({"name": "First steps", "description": "A first session as mentee.",
                   "criteria_narrative": "Log a session as mentee.",
                   "rule": {"metric": "sessions_as_mentee", "at_least": 1}}),
        )
        .await
        .expect(StatusCode::CREATED);
    log_session(&a, &ada, &on_a, "Resolvers").await;
    let award = a
        .app
        .get("/api/v1/me/credentials", Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(award.as_array().unwrap().len(), 1, "{award}");
    let award = award[0].clone();
    b.app
        .post(
            &format!("/api/v1/mentorships/{}/endorsements", id(&on_b)),
            Some(&bo),
            json!({"skill": "networking.dns", "text": "Calm and careful with zone changes."}),
        )
        .await
        .expect(StatusCode::CREATED);
    eventually("A has the endorsement with its credential", || async {
        let mine = a
            .app
            .get("/api/v1/me/endorsements", Some(&ada))
            .await
            .expect(StatusCode::OK);
        mine["received"].as_array().is_some_and(|r| r.len() == 1)
    })
    .await;

    // Both are in her file at A.
    let recognition = |file: &Value| -> Vec<String> {
        file["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "recognition")
            .map(|e| e["summary"].as_str().unwrap().to_owned())
            .collect()
    };
    let file = a
        .app
        .get("/api/v1/me/file", Some(&ada))
        .await
        .expect(StatusCode::OK);
    let mut at_a = recognition(&file);
    at_a.sort();
    assert_eq!(
        at_a,
        [
            "award: First steps".to_owned(),
            format!("endorsed for networking.dns by bo@{}", b.app.domain()),
        ]
    );

    // She moves to C; both credentials come along, verified there.
    let new_ada = move_ada(&a, &c, &ada).await;
    let imports = imports_of(&c, &new_ada).await;
    assert_eq!(
        imports[0]["report"]["credentials"], 2,
        "{}",
        imports[0]["report"]
    );
    assert_eq!(imports[0]["report"]["refused"], json!([]));
    let held = c
        .app
        .get("/api/v1/me/credentials/held", Some(&new_ada))
        .await
        .expect(StatusCode::OK);
    let held = held.as_array().unwrap().clone();
    let issuers: std::collections::BTreeSet<String> = held
        .iter()
        .map(|h| h["issuer"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        issuers,
        [a.app.domain(), b.app.domain()]
            .map(|d| format!("http://{d}/actor"))
            .into_iter()
            .collect()
    );
    assert!(held.iter().all(|h| h["origin"] == a.app.domain()));
    let file = c
        .app
        .get("/api/v1/me/file", Some(&new_ada))
        .await
        .expect(StatusCode::OK);
    let brought = recognition(&file);
    assert_eq!(brought.len(), 2, "{brought:?}");
    assert!(
        brought
            .iter()
            .all(|r| r.ends_with(&format!("brought from {}", a.app.domain()))),
        "{brought:?}"
    );
    // Every credential she holds verifies at C and at B.
    for h in &held {
        for peer in [&b, &c] {
            let report = peer.app.verify_credential(h["jwt"].as_str().unwrap()).await;
            assert_eq!(report["verified"], true, "{report}");
            assert_eq!(
                report["subject"],
                format!("http://{}/users/ada", a.app.domain())
            );
        }
    }
    // The mentorship goes on from C.
    let on_c = wait_state(&c, &new_ada, "active").await;
    log_session(&c, &new_ada, &on_c, "After the move").await;
    eventually("B has the session from C", || async {
        sessions_of(&b, &bo, &on_b).await.len() == 2
    })
    .await;

    // A doctored archive: her export from A with the award's claims
    // changed. C refuses that credential and says why.
    let mut archive = a
        .app
        .get("/api/v1/me/export", Some(&ada))
        .await
        .expect(StatusCode::OK);
    let entries = archive["credentials"].as_array_mut().unwrap();
    assert_eq!(entries.len(), 2, "the award and the endorsement from B");
    let entry = entries.iter_mut().find(|e| e["kind"] == "award").unwrap();
    entry["jwt"] = json!(doctored(entry["jwt"].as_str().unwrap()));
    c.app
        .post("/api/v1/me/imports", Some(&new_ada), archive)
        .await
        .expect(StatusCode::ACCEPTED);
    imported(&c, &new_ada, 2).await;
    let imports = imports_of(&c, &new_ada).await;
    let refused = imports[0]["report"]["refused"].as_array().unwrap().clone();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0]["what"]
            .as_str()
            .unwrap()
            .contains(award["url"].as_str().unwrap())
    );
    assert!(
        refused[0]["why"].as_str().unwrap().contains("signature"),
        "{refused:?}"
    );
    assert_eq!(
        sessions_of(&c, &new_ada, &on_c).await.len(),
        2,
        "what C holds already is not added again"
    );
    let held_now = c
        .app
        .get("/api/v1/me/credentials/held", Some(&new_ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(held_now.as_array().unwrap().len(), 2);

    // Revoked at A, the award reports revoked at A, B and C.
    a.app
        .post(
            &format!("/api/v1/admin/credentials/{}/revoke", id(&award)),
            Some(&a.admin),
            json!({"reason": "Awarded in error"}),
        )
        .await
        .expect(StatusCode::OK);
    for peer in [&a, &b, &c] {
        let report = peer
            .app
            .verify_credential(award["jwt"].as_str().unwrap())
            .await;
        assert_eq!(report["revoked"], true, "{report}");
        assert_eq!(report["verified"], false);
    }
}

/// Dee mentors Ada, both at A; Ada moves to C. Their mentorship is in the
/// file C imports, A holds it with her new account, and it goes on
/// between A and C.
#[on_every_backend]
async fn a_mentorship_within_the_old_instance_follows_the_member(backend: Backend) {
    use crate::mentorships::{ask, federated_mentor, step};
    let (a, c) = crate::partnership::partnered(backend).await;
    let dee = federated_mentor(&a, "dee", 2).await;
    let ada = a.app.member("ada").await;
    ask(&a, &ada, "dee").await;
    let asked = wait_state(&a, &dee, "requested").await;
    step(&a, &dee, &asked, "accept", "Gladly").await;
    let on_a = wait_state(&a, &ada, "active").await;
    log_session(&a, &ada, &on_a, "Before the move").await;

    let new_ada = move_ada(&a, &c, &ada).await;
    let on_c = wait_state(&c, &new_ada, "active").await;
    assert_eq!(on_c["mentor"]["username"], "dee");
    assert_eq!(on_c["mentor"]["domain"], a.app.domain());
    assert_eq!(sessions_of(&c, &new_ada, &on_c).await.len(), 1);
    let at_a = wait_state(&a, &dee, "active").await;
    assert_eq!(
        at_a["mentee"]["domain"],
        c.app.domain(),
        "A follows her too"
    );

    log_session(&a, &dee, &at_a, "From A").await;
    eventually("C has Dee's session", || async {
        sessions_of(&c, &new_ada, &on_c).await.len() == 2
    })
    .await;
    log_session(&c, &new_ada, &on_c, "From C").await;
    eventually("A has Ada's session from C", || async {
        sessions_of(&a, &dee, &at_a).await.len() == 3
    })
    .await;
}
