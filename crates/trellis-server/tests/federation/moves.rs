//! Moving between instances with the long-term file: Ada, mentored from B,
//! moves from A to C in the middle of her mentorship; C imports her file,
//! B follows her to C, and the mentorship goes on between C and B.

use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_store::Backend;

use crate::helpers::eventually;
use crate::mentorships::{pair_across, reviews_of, sessions_of, wait_state};
use crate::partnership::{Peer, three_partnered};

on_every_backend_fleet!(a_member_moves_mid_mentorship_and_it_continues_from_the_new_instance);

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

async fn actor(on: &Peer, username: &str) -> Value {
    on.app
        .client
        .get(on.app.url(&format!("/users/{username}")))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

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
    assert!(actor(&a, "ada").await.get("movedTo").is_none());

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
    assert_eq!(actor(&c, "ada").await["alsoKnownAs"], json!([old_actor]));

    // The move, from A.
    let moved = a
        .app
        .post("/api/v1/me/move", Some(&ada), json!({"to": new_handle}))
        .await
        .expect(StatusCode::ACCEPTED);
    assert_eq!(moved["moved_to"], new_actor);
    assert_eq!(actor(&a, "ada").await["movedTo"], new_actor);
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
    eventually("C has imported her file", || async {
        let imports = c
            .app
            .get("/api/v1/me/imports", Some(&new_ada))
            .await
            .expect(StatusCode::OK);
        imports[0]["state"] == "imported"
    })
    .await;
    let imports = c
        .app
        .get("/api/v1/me/imports", Some(&new_ada))
        .await
        .expect(StatusCode::OK);
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
