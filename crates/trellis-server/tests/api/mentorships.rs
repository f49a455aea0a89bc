//! Mentorships on one instance, through the client API.

use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_testing::{TestApp, mentor, on_every_backend};

async fn mentor_with(app: &TestApp, username: &str, capacity: u16) -> String {
    let token = app.member(username).await;
    let mut profile = mentor("organization", &[("networking.dns", 6)]);
    profile["mentor"]["capacity"] = json!(capacity);
    app.set_profile(&token, profile).await;
    token
}

async fn ask(app: &TestApp, mentee: &str, mentor: &str) -> Value {
    app.post(
        "/api/v1/mentorships",
        Some(mentee),
        json!({"mentor": mentor, "message": "Could you help me with DNS?", "goals": "Run our resolvers"}),
    )
    .await
    .expect(StatusCode::CREATED)
}

async fn step(app: &TestApp, token: &str, id: &str, transition: &str) -> trellis_testing::Reply {
    app.post(
        &format!("/api/v1/mentorships/{id}/{transition}"),
        Some(token),
        json!({"note": format!("{transition} now")}),
    )
    .await
}

#[on_every_backend]
async fn a_mentorship_runs_from_request_to_completion(app: TestApp) {
    let grace = mentor_with(&app, "grace", 2).await;
    let ada = app.member("ada").await;
    let asked = ask(&app, &ada, "grace").await;
    assert_eq!(
        (asked["state"].as_str(), asked["role"].as_str()),
        (Some("requested"), Some("mentee"))
    );
    assert_eq!(asked["mentor"]["username"], "grace");
    assert_eq!(asked["mentee"]["username"], "ada");
    assert_eq!(asked["goals"], "Run our resolvers");
    let id = asked["id"].as_str().unwrap();

    let mine = app
        .get("/api/v1/mentorships?role=mentor", Some(&grace))
        .await
        .expect(StatusCode::OK);
    assert_eq!(mine[0]["id"], id);
    assert_eq!(mine[0]["role"], "mentor");
    for (token, transition, state) in [
        (&grace, "accept", "active"),
        (&ada, "pause", "paused"),
        (&grace, "resume", "active"),
        (&ada, "complete", "completed"),
    ] {
        let moved = step(&app, token, id, transition)
            .await
            .expect(StatusCode::OK);
        assert_eq!(moved["state"], state, "{transition}");
    }
    let read = app
        .get(&format!("/api/v1/mentorships/{id}"), Some(&ada))
        .await
        .expect(StatusCode::OK);
    let history: Vec<(&str, &str)> = read["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["state"].as_str().unwrap(), h["by"].as_str().unwrap()))
        .collect();
    assert_eq!(
        history,
        [
            ("requested", "mentee"),
            ("active", "mentor"),
            ("paused", "mentee"),
            ("active", "mentor"),
            ("completed", "mentee")
        ]
    );
    assert_eq!(read["history"][1]["note"], "accept now");
    assert_eq!(
        app.get("/api/v1/mentorships?state=completed", Some(&grace))
            .await
            .expect(StatusCode::OK)
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(
        app.get("/api/v1/mentorships?state=active", Some(&grace))
            .await
            .expect(StatusCode::OK)
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[on_every_backend]
async fn each_transition_belongs_to_its_party_and_state(app: TestApp) {
    let grace = mentor_with(&app, "grace", 3).await;
    let ada = app.member("ada").await;
    let id = ask(&app, &ada, "grace").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The mentee cannot accept or decline; the mentor cannot withdraw.
    for (token, transition) in [(&ada, "accept"), (&ada, "decline"), (&grace, "withdraw")] {
        let reply = step(&app, token, &id, transition).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{transition}: {}",
            reply.body
        );
    }
    // Nothing but answering applies to a request.
    for transition in ["pause", "resume", "complete", "end"] {
        assert_eq!(
            step(&app, &grace, &id, transition).await.status,
            StatusCode::CONFLICT,
            "{transition}"
        );
    }
    assert_eq!(
        step(&app, &grace, &id, "approve").await.status,
        StatusCode::NOT_FOUND
    );
    let read = app
        .get(&format!("/api/v1/mentorships/{id}"), Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (
            read["state"].as_str(),
            read["history"].as_array().unwrap().len()
        ),
        (Some("requested"), 1),
        "refused steps changed nothing"
    );
    // Withdrawn by the mentee, it is over.
    step(&app, &ada, &id, "withdraw")
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        step(&app, &grace, &id, "accept").await.status,
        StatusCode::CONFLICT
    );
    // Without a body at all, a transition still works.
    let again = ask(&app, &ada, "grace").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = app
        .client
        .post(app.url(&format!("/api/v1/mentorships/{again}/decline")))
        .bearer_auth(&grace)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::OK);
}

#[on_every_backend]
async fn requests_respect_capacity_pairs_and_visibility(app: TestApp) {
    let grace = mentor_with(&app, "grace", 1).await;
    let (ada, bob, cy) = (
        app.member("ada").await,
        app.member("bob").await,
        app.member("cy").await,
    );
    let first = ask(&app, &ada, "grace").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let twice = app
        .post(
            "/api/v1/mentorships",
            Some(&ada),
            json!({"mentor": "grace"}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(twice.message().contains("already"), "{}", twice.message());
    let second = ask(&app, &bob, "grace").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    step(&app, &grace, &first, "accept")
        .await
        .expect(StatusCode::OK);
    let full = step(&app, &grace, &second, "accept").await;
    assert_eq!(full.status, StatusCode::CONFLICT);
    assert!(full.message().contains("full"), "{}", full.message());
    let late = app
        .post("/api/v1/mentorships", Some(&cy), json!({"mentor": "grace"}))
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);

    let myself = app
        .post(
            "/api/v1/mentorships",
            Some(&grace),
            json!({"mentor": "grace"}),
        )
        .await;
    assert_eq!(myself.status, StatusCode::UNPROCESSABLE_ENTITY);
    let nobody = app
        .post(
            "/api/v1/mentorships",
            Some(&ada),
            json!({"mentor": "nobody"}),
        )
        .await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    let hidden = app.member("hidden").await;
    app.set_profile(&hidden, mentor("private", &[])).await;
    let private = app
        .post(
            "/api/v1/mentorships",
            Some(&ada),
            json!({"mentor": "hidden"}),
        )
        .await;
    assert_eq!(
        private.status,
        StatusCode::NOT_FOUND,
        "a private mentor looks like no mentor"
    );
    let not_mentor = app
        .post("/api/v1/mentorships", Some(&ada), json!({"mentor": "bob"}))
        .await;
    assert_eq!(not_mentor.status, StatusCode::CONFLICT);
    let anonymous = app
        .post("/api/v1/mentorships", None, json!({"mentor": "grace"}))
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get("/api/v1/mentorships", Some(&cy))
            .await
            .expect(StatusCode::OK),
        json!([])
    );
}

#[on_every_backend]
async fn only_the_two_parties_see_a_mentorship(app: TestApp) {
    let _grace = mentor_with(&app, "grace", 2).await;
    let ada = app.member("ada").await;
    let other = app.member("other").await;
    let admin = app.admin("root").await;
    let id = ask(&app, &ada, "grace").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (who, token) in [("another member", &other), ("an admin", &admin)] {
        let read = app
            .get(&format!("/api/v1/mentorships/{id}"), Some(token))
            .await;
        assert_eq!(read.status, StatusCode::NOT_FOUND, "{who} read it");
        assert!(!read.body.to_string().contains("DNS"));
        assert_eq!(
            step(&app, token, &id, "accept").await.status,
            StatusCode::NOT_FOUND,
            "{who} moved it"
        );
        let list = app
            .get("/api/v1/mentorships", Some(token))
            .await
            .expect(StatusCode::OK);
        assert_eq!(list, json!([]), "{who} listed it");
    }
    assert_eq!(
        app.get(&format!("/api/v1/mentorships/{id}"), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[on_every_backend]
async fn each_party_is_notified_of_what_the_other_does(app: TestApp) {
    let grace = mentor_with(&app, "grace", 2).await;
    let ada = app.member("ada").await;
    let other = app.member("other").await;
    let id = ask(&app, &ada, "grace").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let inbox = app
        .get("/api/v1/notifications", Some(&grace))
        .await
        .expect(StatusCode::OK);
    assert_eq!(inbox.as_array().unwrap().len(), 1);
    assert_eq!(
        (inbox[0]["kind"].as_str(), inbox[0]["read"].as_bool()),
        (Some("mentorship_requested"), Some(false))
    );
    assert_eq!(inbox[0]["mentorship_id"], id.as_str());
    assert!(!inbox[0]["message"].as_str().unwrap().is_empty());
    assert_eq!(
        app.get("/api/v1/notifications", Some(&ada))
            .await
            .expect(StatusCode::OK),
        json!([]),
        "not of one's own doing"
    );

    step(&app, &grace, &id, "accept")
        .await
        .expect(StatusCode::OK);
    let ada_inbox = app
        .get("/api/v1/notifications", Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(ada_inbox[0]["kind"], "mentorship_active");
    let note = ada_inbox[0]["id"].as_str().unwrap().to_owned();
    // Nobody else can mark it, nor sees it.
    assert_eq!(
        app.post(
            &format!("/api/v1/notifications/{note}/read"),
            Some(&other),
            json!({})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/notifications", Some(&other))
            .await
            .expect(StatusCode::OK),
        json!([])
    );
    let marked = app
        .post(
            &format!("/api/v1/notifications/{note}/read"),
            Some(&ada),
            json!({}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(marked["marked"], 1);

    step(&app, &ada, &id, "pause").await.expect(StatusCode::OK);
    let grace_inbox = app
        .get("/api/v1/notifications", Some(&grace))
        .await
        .expect(StatusCode::OK);
    let kinds: Vec<&str> = grace_inbox
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["mentorship_paused", "mentorship_requested"],
        "unread, newest first"
    );
    let all = app
        .post("/api/v1/notifications/read-all", Some(&grace), json!({}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(all["marked"], 2);
    let after = app
        .get("/api/v1/notifications", Some(&grace))
        .await
        .expect(StatusCode::OK);
    assert!(after.as_array().unwrap().iter().all(|n| n["read"] == true));
    assert_eq!(
        app.get("/api/v1/notifications", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[on_every_backend]
async fn mentors_have_mentors_and_admins_see_the_tree(app: TestApp) {
    let admin = app.admin("root").await;
    let hopper = mentor_with(&app, "hopper", 2).await;
    let grace = mentor_with(&app, "grace", 2).await;
    let ada = app.member("ada").await;
    // grace mentors ada; hopper mentors grace.
    let first = ask(&app, &ada, "grace").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    step(&app, &grace, &first, "accept")
        .await
        .expect(StatusCode::OK);
    let second = ask(&app, &grace, "hopper").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    step(&app, &hopper, &second, "accept")
        .await
        .expect(StatusCode::OK);

    let has_mentor = |name: &'static str| {
        let app = &app;
        let ada = ada.clone();
        async move {
            app.get(&format!("/api/v1/members/{name}/profile"), Some(&ada))
                .await
                .expect(StatusCode::OK)["has_mentor"]
                .as_bool()
        }
    };
    assert_eq!(
        has_mentor("grace").await,
        Some(true),
        "a mentor with a mentor"
    );
    assert_eq!(has_mentor("hopper").await, Some(false));
    let own = app
        .get("/api/v1/me/profile", Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(own["has_mentor"], true);
    let listed = app
        .get("/api/v1/directory/mentors", Some(&ada))
        .await
        .expect(StatusCode::OK);
    let grace_listed = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["username"] == "grace")
        .unwrap();
    assert_eq!(grace_listed["has_mentor"], true);

    let tree = app
        .get("/api/v1/admin/mentoring-tree", Some(&admin))
        .await
        .expect(StatusCode::OK);
    let edges: Vec<(&str, &str)> = tree["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["mentor"]["username"].as_str().unwrap(),
                e["mentee"]["username"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(edges, [("grace", "ada"), ("hopper", "grace")]);
    let report = app
        .get("/api/v1/admin/reports/mentors-without-mentor", Some(&admin))
        .await
        .expect(StatusCode::OK);
    assert_eq!(report, json!([{"username": "hopper", "mentees": 1}]));
    assert_eq!(
        app.get("/api/v1/admin/mentoring-tree", Some(&ada))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Once grace's own mentorship ends, she is on the report too.
    step(&app, &grace, &second, "end")
        .await
        .expect(StatusCode::OK);
    let report = app
        .get("/api/v1/admin/reports/mentors-without-mentor", Some(&admin))
        .await
        .expect(StatusCode::OK);
    assert_eq!(report, json!([{"username": "grace", "mentees": 1}]));
}
