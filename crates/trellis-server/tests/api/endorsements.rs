//! Endorsements on one instance: given by either party of a mentorship
//! that is active or completed, refused otherwise, seen by the two members
//! they concern and no one else, and withdrawn by the endorser alone.

use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_testing::{TestApp, mentor, on_every_backend};

use crate::sessions::active_pair;

const DNS: &str = "networking.dns";
const SQL: &str = "databases.sql-query-design";

fn endorsement(skill: &str, text: &str) -> Value {
    json!({"skill": skill, "text": text})
}

async fn endorse(app: &TestApp, id: &str, token: &str, body: Value) -> trellis_testing::Reply {
    app.post(
        &format!("/api/v1/mentorships/{id}/endorsements"),
        Some(token),
        body,
    )
    .await
}

async fn mine(app: &TestApp, token: &str) -> Value {
    app.get("/api/v1/me/endorsements", Some(token))
        .await
        .expect(StatusCode::OK)
}

/// Moves mentorship `id` (`accept`, `complete`, `end`, …) as `token`.
async fn step(app: &TestApp, id: &str, token: &str, to: &str) {
    app.post(
        &format!("/api/v1/mentorships/{id}/{to}"),
        Some(token),
        json!({}),
    )
    .await
    .expect(StatusCode::OK);
}

/// Skills of one `/me/endorsements` list, in order.
fn skills(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| e["skill"].as_str().unwrap())
        .collect()
}

#[on_every_backend]
async fn either_party_endorses_the_other_in_an_active_or_completed_mentorship(app: TestApp) {
    let (grace, ada, id) = active_pair(&app).await;
    let given = endorse(
        &app,
        &id,
        &grace,
        endorsement(DNS, "  Calm under pressure.  "),
    )
    .await
    .expect(StatusCode::CREATED);
    assert_eq!(
        given["endorser"],
        json!({"username": "grace", "domain": null})
    );
    assert_eq!(given["subject"], json!({"username": "ada", "domain": null}));
    assert_eq!(given["skill"], DNS);
    assert_eq!(given["text"], "Calm under pressure.", "trimmed");
    assert_eq!(given["mentorship_id"], id.as_str());
    // Given here, it is issued here: an Open Badges credential about Ada
    // that the instance's own verifier accepts.
    let jwt = given["credential"].as_str().expect("a credential");
    let report = app.verify_credential(jwt).await;
    assert_eq!(report["verified"], true, "{report}");
    assert_eq!(
        report["subject"],
        format!("http://{}/users/ada", app.domain())
    );
    let hers = app
        .get("/api/v1/me/credentials", Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(hers[0]["kind"], "endorsement");
    assert_eq!(hers[0]["jwt"], jwt);

    // The mentee endorses her mentor too.
    endorse(
        &app,
        &id,
        &ada,
        endorsement(DNS, "Explains DNSSEC like no one else."),
    )
    .await
    .expect(StatusCode::CREATED);

    // The same skill twice by the same endorser: a conflict, nothing added.
    let twice = endorse(&app, &id, &grace, endorsement(DNS, "Again.")).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{twice:?}");

    // After the mentorship completed, endorsing is still open.
    step(&app, &id, &grace, "complete").await;
    endorse(
        &app,
        &id,
        &grace,
        endorsement(SQL, "Writes careful queries."),
    )
    .await
    .expect(StatusCode::CREATED);

    let ada_sees = mine(&app, &ada).await;
    assert_eq!(skills(&ada_sees["received"]), [SQL, DNS], "newest first");
    assert_eq!(skills(&ada_sees["given"]), [DNS]);
    assert_eq!(ada_sees["received"][1]["text"], "Calm under pressure.");
    let grace_sees = mine(&app, &grace).await;
    assert_eq!(skills(&grace_sees["received"]), [DNS]);
    assert_eq!(grace_sees["received"][0]["endorser"]["username"], "ada");
    assert_eq!(skills(&grace_sees["given"]), [SQL, DNS]);

    let told = app
        .get("/api/v1/notifications", Some(&ada))
        .await
        .expect(StatusCode::OK);
    let received = told
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "endorsement_received")
        .count();
    assert_eq!(received, 2, "{told}");
}

#[on_every_backend]
async fn bad_input_and_closed_mentorships_are_refused_and_change_nothing(app: TestApp) {
    let (grace, ada, id) = active_pair(&app).await;
    let admin = app.admin("root").await;
    app.patch(
        "/api/v1/admin/skills/networking.firewalls",
        Some(&admin),
        json!({"retired": true}),
    )
    .await
    .expect(StatusCode::OK);
    let long = "x".repeat(501);
    for (body, why) in [
        (
            endorsement("networking.nope", "Fine."),
            "a skill outside the catalog",
        ),
        (
            endorsement("networking.firewalls", "Fine."),
            "a retired skill",
        ),
        (endorsement("Not A Key", "Fine."), "not a skill key at all"),
        (endorsement(DNS, "   "), "an empty text"),
        (endorsement(DNS, &long), "a text over 500 characters"),
        (endorsement(DNS, "one\ntwo"), "more than one line"),
        (json!({"skill": DNS}), "no text"),
        (
            json!({"skill": DNS, "text": "Fine.", "stars": 5}),
            "an unknown field",
        ),
    ] {
        let refused = endorse(&app, &id, &grace, body).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{why}: {refused:?}"
        );
        assert!(!refused.message().is_empty(), "{why}");
    }

    // Someone who is not a party does not see the mentorship at all.
    let eve = app.member("eve").await;
    let stranger = endorse(&app, &id, &eve, endorsement(DNS, "Fine.")).await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND, "{stranger:?}");
    let anonymous = app
        .post(
            &format!("/api/v1/mentorships/{id}/endorsements"),
            None,
            endorsement(DNS, "Fine."),
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    // Requested, declined, withdrawn, ended: no endorsing.
    let bo = app.member("bo").await;
    app.set_profile(&bo, mentor("organization", &[(DNS, 6)]))
        .await;
    let ask = || async {
        app.post("/api/v1/mentorships", Some(&ada), json!({"mentor": "bo"}))
            .await
            .expect(StatusCode::CREATED)["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let requested = ask().await;
    let refused = endorse(&app, &requested, &bo, endorsement(DNS, "Fine.")).await;
    assert_eq!(
        refused.status,
        StatusCode::CONFLICT,
        "requested: {refused:?}"
    );
    assert!(
        refused.message().contains("requested"),
        "{}",
        refused.message()
    );
    step(&app, &requested, &bo, "decline").await;
    let declined = endorse(&app, &requested, &ada, endorsement(DNS, "Fine.")).await;
    assert_eq!(
        declined.status,
        StatusCode::CONFLICT,
        "declined: {declined:?}"
    );
    let withdrawn = ask().await;
    step(&app, &withdrawn, &ada, "withdraw").await;
    let refused = endorse(&app, &withdrawn, &bo, endorsement(DNS, "Fine.")).await;
    assert_eq!(
        refused.status,
        StatusCode::CONFLICT,
        "withdrawn: {refused:?}"
    );
    let ended = ask().await;
    step(&app, &ended, &bo, "accept").await;
    step(&app, &ended, &ada, "end").await;
    let refused = endorse(&app, &ended, &bo, endorsement(DNS, "Fine.")).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "ended: {refused:?}");
    assert!(refused.message().contains("ended"), "{}", refused.message());

    for token in [&grace, &ada, &bo, &eve] {
        let all = mine(&app, token).await;
        assert_eq!(all, json!({"received": [], "given": []}));
    }
}

#[on_every_backend]
async fn endorsements_are_seen_by_the_subject_and_the_endorser_only(app: TestApp) {
    let (grace, ada, id) = active_pair(&app).await;
    app.set_profile(
        &ada,
        json!({"languages": ["en"], "visibility": "organization"}),
    )
    .await;
    endorse(&app, &id, &grace, endorsement(DNS, "Calm under pressure."))
        .await
        .expect(StatusCode::CREATED);
    let eve = app.member("eve").await;
    let admin = app.admin("root").await;
    let of_ada = "/api/v1/members/ada/endorsements";

    for (token, who) in [(&ada, "the subject"), (&grace, "the endorser")] {
        let seen = app.get(of_ada, Some(token)).await.expect(StatusCode::OK);
        assert_eq!(skills(&seen), [DNS], "{who}");
        assert_eq!(seen[0]["text"], "Calm under pressure.", "{who}");
    }
    for (token, who) in [(&eve, "another member"), (&admin, "an admin")] {
        let seen = app.get(of_ada, Some(token)).await.expect(StatusCode::OK);
        assert_eq!(seen, json!([]), "{who} sees none of them");
        assert!(
            !mine(&app, token).await.to_string().contains("Calm"),
            "{who}"
        );
    }
    assert_eq!(app.get(of_ada, None).await.status, StatusCode::UNAUTHORIZED);

    // With a private profile, the member is as good as unknown to others;
    // the endorser still sees what she gave.
    app.set_profile(&ada, json!({"languages": ["en"], "visibility": "private"}))
        .await;
    for token in [&eve, &admin] {
        let hidden = app.get(of_ada, Some(token)).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{hidden:?}");
    }
    let seen = app.get(of_ada, Some(&grace)).await.expect(StatusCode::OK);
    assert_eq!(skills(&seen), [DNS]);
    for path in [
        "/api/v1/members/nobody/endorsements",
        "/api/v1/members/ada@elsewhere.example/endorsements",
    ] {
        assert_eq!(
            app.get(path, Some(&ada)).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // Given endorsements are no one else's business either.
    let grace_of = app
        .get("/api/v1/members/grace/endorsements", Some(&eve))
        .await
        .expect(StatusCode::OK);
    assert_eq!(grace_of, json!([]));
}

#[on_every_backend]
async fn the_endorser_alone_withdraws_and_may_endorse_anew(app: TestApp) {
    let (grace, ada, id) = active_pair(&app).await;
    let given = endorse(&app, &id, &grace, endorsement(DNS, "Calm under pressure."))
        .await
        .expect(StatusCode::CREATED);
    let path = format!("/api/v1/endorsements/{}", given["id"].as_str().unwrap());
    let eve = app.member("eve").await;
    let admin = app.admin("root").await;

    let by_subject = app.delete(&path, Some(&ada)).await;
    assert_eq!(by_subject.status, StatusCode::FORBIDDEN, "{by_subject:?}");
    for token in [&eve, &admin] {
        assert_eq!(
            app.delete(&path, Some(token)).await.status,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        app.delete(&path, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        skills(&mine(&app, &ada).await["received"]),
        [DNS],
        "still there"
    );

    assert_eq!(
        app.delete(&path, Some(&grace)).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(mine(&app, &ada).await, json!({"received": [], "given": []}));
    assert_eq!(
        mine(&app, &grace).await,
        json!({"received": [], "given": []})
    );
    let of_ada = app
        .get("/api/v1/members/ada/endorsements", Some(&grace))
        .await
        .expect(StatusCode::OK);
    assert_eq!(of_ada, json!([]));
    let twice = app.delete(&path, Some(&grace)).await;
    assert_eq!(twice.status, StatusCode::NOT_FOUND, "{twice:?}");

    // The skill may be endorsed anew, as a new endorsement.
    let anew = endorse(&app, &id, &grace, endorsement(DNS, "Even calmer now."))
        .await
        .expect(StatusCode::CREATED);
    assert_ne!(anew["id"], given["id"]);
    let received = mine(&app, &ada).await["received"].clone();
    assert_eq!(received.as_array().unwrap().len(), 1);
    assert_eq!(received[0]["text"], "Even calmer now.");
}
