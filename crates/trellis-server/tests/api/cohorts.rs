//! Cohort matching through the client API: admins gather mentees and
//! mentors, match the whole cohort optimally, review and approve.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use trellis_core::partnership::Partnership;
use trellis_core::profile::Profile;
use trellis_store::{PartnershipStep, RemotePerson};
use trellis_testing::{Reply, TestApp, on_every_backend};

/// Scores are then the skills factor alone, 0 to 100: easy to compute by hand.
async fn skills_only(app: &TestApp, admin: &str) {
    app.put(
        "/api/v1/admin/matching",
        Some(admin),
        json!({"skills": 100, "timezone": 0, "load": 0, "track_record": 0, "organization": 0}),
    )
    .await
    .expect(StatusCode::OK);
}

/// A member who wants to reach `target` in one skill.
async fn mentee(app: &TestApp, name: &str, languages: &[&str], target: (&str, u8)) -> String {
    let token = app.member(name).await;
    app.set_profile(
        &token,
        json!({
            "languages": languages,
            "goals": {"summary": "Grow", "targets": [{"skill": target.0, "level": target.1}]},
            "visibility": "organization",
        }),
    )
    .await;
    token
}

/// A member who mentors in English with these skills and places.
async fn mentor(app: &TestApp, name: &str, skills: &[(&str, u8)], capacity: u16) -> String {
    let token = app.member(name).await;
    app.set_profile(
        &token,
        json!({
            "languages": ["en"],
            "skills": skills.iter().map(|(k, l)| json!({"skill": k, "level": l})).collect::<Vec<_>>(),
            "mentor": {"offers_mentoring": true, "accepting_mentees": true, "capacity": capacity, "hours_per_month": 4},
            "visibility": "organization",
        }),
    )
    .await;
    token
}

async fn new_cohort(app: &TestApp, admin: &str, name: &str) -> String {
    let created = app
        .post("/api/v1/admin/cohorts", Some(admin), json!({"name": name}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(created["name"], name.trim());
    assert_eq!(created["state"], "draft");
    created["id"].as_str().unwrap().to_owned()
}

async fn set_members(app: &TestApp, admin: &str, id: &str, mentees: &[&str], mentors: &[&str]) {
    app.put(
        &format!("/api/v1/admin/cohorts/{id}/members"),
        Some(admin),
        json!({"mentees": mentees, "mentors": mentors}),
    )
    .await
    .expect(StatusCode::OK);
}

/// POSTs one of a cohort's actions: `match` or `approve`.
async fn act(app: &TestApp, admin: &str, id: &str, action: &str) -> Reply {
    app.post(
        &format!("/api/v1/admin/cohorts/{id}/{action}"),
        Some(admin),
        json!({}),
    )
    .await
}

/// The cohort's stored proposal.
async fn stored(app: &TestApp, admin: &str, id: &str) -> Reply {
    app.get(&format!("/api/v1/admin/cohorts/{id}/match"), Some(admin))
        .await
}

/// How many mentorships (of any state) the member has.
async fn requests_of(app: &TestApp, token: &str) -> usize {
    app.get("/api/v1/mentorships", Some(token))
        .await
        .expect(StatusCode::OK)
        .as_array()
        .unwrap()
        .len()
}

/// The pairs of a proposal as (mentee, mentor, score).
fn pairs(proposal: &Value) -> Vec<(String, String, u64)> {
    proposal["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["mentee"]["username"].as_str().unwrap().to_owned(),
                p["mentor"]["username"].as_str().unwrap().to_owned(),
                p["score"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn pair<'a>(proposal: &'a Value, mentee: &str) -> &'a Value {
    proposal["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["mentee"]["username"] == mentee)
        .unwrap_or_else(|| panic!("{mentee} has no pair in {proposal}"))
}

#[on_every_backend]
async fn the_optimum_beats_greedy_and_approval_sends_the_requests(app: TestApp) {
    let admin = app.admin("root").await;
    skills_only(&app, &admin).await;
    let ann = mentee(&app, "ann", &["en"], ("networking.dns", 5)).await;
    mentee(&app, "ben", &["en"], ("networking.routing", 5)).await;
    mentee(&app, "cy", &["fr"], ("networking.dns", 5)).await;
    let strong = mentor(
        &app,
        "strong",
        &[("networking.dns", 5), ("networking.routing", 5)],
        1,
    )
    .await;
    let narrow = mentor(
        &app,
        "narrow",
        &[("networking.dns", 4), ("networking.routing", 1)],
        1,
    )
    .await;
    let id = new_cohort(&app, &admin, "Spring 2026").await;
    set_members(
        &app,
        &admin,
        &id,
        &["ann", "ben", "cy"],
        &["strong", "narrow"],
    )
    .await;
    let cohort = app
        .get(&format!("/api/v1/admin/cohorts/{id}"), Some(&admin))
        .await
        .expect(StatusCode::OK);
    let names = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|p| p["username"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&cohort["mentees"]), ["ann", "ben", "cy"]);
    assert_eq!(names(&cohort["mentors"]), ["strong", "narrow"]);
    assert_eq!(
        stored(&app, &admin, &id).await.status,
        StatusCode::NOT_FOUND,
        "no proposal yet"
    );

    let proposal = act(&app, &admin, &id, "match").await.expect(StatusCode::OK);
    // By hand, with skills only: reach = mentor's level / target (the
    // mentees start at 0). Ann (DNS to 5): strong 5/5 → 100, narrow 4/5 → 80.
    // Ben (routing to 5): strong 5/5 → 100, narrow 1/5 → 20. One place each.
    // First come first served: ann takes strong (100), ben gets narrow (20):
    // 120. The optimum: ann–narrow 80 + ben–strong 100 = 180.
    assert_eq!(proposal["total_score"], 180);
    assert_eq!(proposal["assigned"], 2);
    assert_eq!(
        proposal["greedy"],
        json!({"total_score": 120, "assigned": 2})
    );
    assert_eq!(proposal["state"], "proposed");
    assert_eq!(
        pairs(&proposal),
        [
            ("ann".to_owned(), "narrow".to_owned(), 80),
            ("ben".to_owned(), "strong".to_owned(), 100)
        ]
    );
    let skills = &pair(&proposal, "ann")["factors"][0];
    assert_eq!(skills["factor"], "skills");
    assert!(
        skills["explanation"]
            .as_str()
            .unwrap()
            .contains("80% of the way"),
        "{skills}"
    );
    assert_eq!(
        proposal["unassigned"],
        json!([{
            "mentee": {"username": "cy", "domain": null},
            "reason": "no_shared_language",
            "explanation": "no mentor of the cohort shares a language with them",
        }])
    );
    assert_eq!(
        proposal["weights"],
        json!({"skills": 100, "timezone": 0, "load": 0, "track_record": 0, "organization": 0})
    );
    assert!(pair(&proposal, "ann")["request"].is_null());
    let shown = app
        .get(&format!("/api/v1/admin/cohorts/{id}/match"), Some(&admin))
        .await
        .expect(StatusCode::OK);
    assert_eq!(shown, proposal, "the proposal is stored for review");
    // Reviewing sends nothing.
    assert!(requests_of(&app, &ann).await == 0);

    let approved = act(&app, &admin, &id, "approve")
        .await
        .expect(StatusCode::OK);
    assert_eq!(approved["state"], "approved");
    assert!(approved["approved_at"].is_string());
    for (mentee, mentor_token, mentor_name) in
        [("ann", &narrow, "narrow"), ("ben", &strong, "strong")]
    {
        let request = &pair(&approved, mentee)["request"];
        assert_eq!(request["state"], "requested", "{request}");
        let made = request["mentorship_id"].as_str().unwrap();
        let seen = app
            .get(&format!("/api/v1/mentorships/{made}"), Some(mentor_token))
            .await
            .expect(StatusCode::OK);
        assert_eq!(
            (
                seen["mentee"]["username"].as_str(),
                seen["mentor"]["username"].as_str(),
                seen["state"].as_str(),
                seen["role"].as_str()
            ),
            (
                Some(mentee),
                Some(mentor_name),
                Some("requested"),
                Some("mentor")
            )
        );
        assert!(
            seen["message"].as_str().unwrap().contains("Spring 2026"),
            "the request names the cohort: {}",
            seen["message"]
        );
    }
    let mine = app
        .get("/api/v1/mentorships?role=mentee", Some(&ann))
        .await
        .expect(StatusCode::OK);
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let told = app
        .get("/api/v1/notifications", Some(&ann))
        .await
        .expect(StatusCode::OK);
    assert_eq!(told[0]["kind"], "cohort_request_sent");
    assert_eq!(told[0]["mentorship_id"], mine[0]["id"]);
    let asked = app
        .get("/api/v1/notifications", Some(&narrow))
        .await
        .expect(StatusCode::OK);
    assert_eq!(asked[0]["kind"], "mentorship_requested");

    // Approved once: closed.
    let twice = act(&app, &admin, &id, "approve").await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    assert!(twice.message().contains("approved"), "{}", twice.message());
    for (method, path, body) in [
        (
            Method::POST,
            format!("/api/v1/admin/cohorts/{id}/match"),
            json!({}),
        ),
        (
            Method::PUT,
            format!("/api/v1/admin/cohorts/{id}/members"),
            json!({"mentees": ["ann"], "mentors": ["strong"]}),
        ),
    ] {
        let reply = app.send(method, &path, Some(&admin), Some(body)).await;
        assert_eq!(reply.status, StatusCode::CONFLICT, "{path}: {}", reply.body);
    }
    assert_eq!(requests_of(&app, &ann).await, 1, "no second request");
    assert_eq!(
        stored(&app, &admin, &id).await.expect(StatusCode::OK),
        approved
    );
    let listed = app
        .get("/api/v1/admin/cohorts", Some(&admin))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        listed,
        json!([{
            "id": id,
            "name": "Spring 2026",
            "state": "approved",
            "mentees": 3,
            "mentors": 2,
            "created_at": listed[0]["created_at"],
            "updated_at": listed[0]["updated_at"],
        }])
    );
}

#[on_every_backend]
async fn a_pair_that_fails_at_approval_does_not_undo_the_others(app: TestApp) {
    let admin = app.admin("root").await;
    mentee(&app, "ann", &["en"], ("networking.dns", 5)).await;
    let ben = mentee(&app, "ben", &["en"], ("networking.dns", 5)).await;
    let tight = mentor(&app, "tight", &[("networking.dns", 6)], 1).await;
    mentor(&app, "roomy", &[("networking.dns", 5)], 1).await;
    let id = new_cohort(&app, &admin, "Autumn").await;
    set_members(&app, &admin, &id, &["ann", "ben"], &["tight", "roomy"]).await;
    let proposal = act(&app, &admin, &id, "match").await.expect(StatusCode::OK);
    assert_eq!(proposal["assigned"], 2);
    let with_tight = pairs(&proposal)
        .into_iter()
        .find(|p| p.1 == "tight")
        .unwrap()
        .0;

    // Changing the members drops the proposal.
    set_members(&app, &admin, &id, &["ann"], &["tight", "roomy"]).await;
    assert_eq!(
        stored(&app, &admin, &id).await.status,
        StatusCode::NOT_FOUND
    );
    let dropped = act(&app, &admin, &id, "approve").await;
    assert_eq!(dropped.status, StatusCode::CONFLICT);
    assert!(
        dropped.message().contains("no proposal"),
        "{}",
        dropped.message()
    );
    set_members(&app, &admin, &id, &["ann", "ben"], &["tight", "roomy"]).await;
    let proposal = act(&app, &admin, &id, "match").await.expect(StatusCode::OK);
    assert_eq!(
        pairs(&proposal)
            .into_iter()
            .find(|p| p.1 == "tight")
            .unwrap()
            .0,
        with_tight,
        "the same inputs give the same proposal"
    );

    // Before approval, tight's one place goes to someone outside the cohort.
    let outsider = app.member("outsider").await;
    let asked = app
        .post(
            "/api/v1/mentorships",
            Some(&outsider),
            json!({"mentor": "tight"}),
        )
        .await
        .expect(StatusCode::CREATED);
    app.post(
        &format!(
            "/api/v1/mentorships/{}/accept",
            asked["id"].as_str().unwrap()
        ),
        Some(&tight),
        json!({}),
    )
    .await
    .expect(StatusCode::OK);

    let approved = act(&app, &admin, &id, "approve")
        .await
        .expect(StatusCode::OK);
    let failed = &pair(&approved, &with_tight)["request"];
    assert_eq!(failed["state"], "failed", "{failed}");
    assert!(failed["mentorship_id"].is_null());
    assert!(
        failed["reason"].as_str().unwrap().contains("full"),
        "{failed}"
    );
    let other = if with_tight == "ann" { "ben" } else { "ann" };
    assert_eq!(pair(&approved, other)["request"]["state"], "requested");
    let token = if with_tight == "ben" {
        ben
    } else {
        app.login("ann").await
    };
    assert!(
        requests_of(&app, &token).await == 0,
        "the failed pair has no request"
    );
}

#[on_every_backend]
async fn only_admins_run_cohorts(app: TestApp) {
    let admin = app.admin("root").await;
    let member = app.member("ann").await;
    mentor(&app, "mia", &[("networking.dns", 5)], 2).await;
    let id = new_cohort(&app, &admin, "Spring").await;
    set_members(&app, &admin, &id, &["ann"], &["mia"]).await;
    let routes = [
        (
            Method::POST,
            "/api/v1/admin/cohorts".to_owned(),
            Some(json!({"name": "Mine"})),
        ),
        (Method::GET, "/api/v1/admin/cohorts".to_owned(), None),
        (Method::GET, format!("/api/v1/admin/cohorts/{id}"), None),
        (
            Method::PUT,
            format!("/api/v1/admin/cohorts/{id}/members"),
            Some(json!({"mentees": ["ann"], "mentors": []})),
        ),
        (
            Method::POST,
            format!("/api/v1/admin/cohorts/{id}/match"),
            Some(json!({})),
        ),
        (
            Method::GET,
            format!("/api/v1/admin/cohorts/{id}/match"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/admin/cohorts/{id}/approve"),
            Some(json!({})),
        ),
    ];
    for (method, path, body) in &routes {
        let reply = app
            .send(method.clone(), path, Some(&member), body.clone())
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{method} {path}"
        );
        let reply = app.send(method.clone(), path, None, body.clone()).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    // Nothing happened.
    let listed = app
        .get("/api/v1/admin/cohorts", Some(&admin))
        .await
        .expect(StatusCode::OK);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["state"], "draft");
    assert_eq!(listed[0]["mentees"], 1);
}

#[on_every_backend]
async fn bad_input_is_refused_and_changes_nothing(app: TestApp) {
    let admin = app.admin("root").await;
    mentee(&app, "ann", &["en"], ("networking.dns", 5)).await;
    mentor(&app, "mia", &[("networking.dns", 5)], 2).await;
    for bad in [
        json!({"name": ""}),
        json!({"name": "   "}),
        json!({"name": "x".repeat(101)}),
        json!({"name": "two\nlines"}),
        json!({"name": "Spring", "size": 3}),
        json!({}),
    ] {
        let reply = app
            .post("/api/v1/admin/cohorts", Some(&admin), bad.clone())
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    assert!(
        app.get("/api/v1/admin/cohorts", Some(&admin))
            .await
            .expect(StatusCode::OK)
            .as_array()
            .unwrap()
            .is_empty()
    );

    let id = new_cohort(&app, &admin, "  Spring  ").await;
    let before = app
        .get(&format!("/api/v1/admin/cohorts/{id}"), Some(&admin))
        .await
        .expect(StatusCode::OK);
    assert_eq!(before["name"], "Spring", "trimmed");
    // Matching an empty cohort says what is missing.
    let empty = act(&app, &admin, &id, "match").await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty.message().contains("mentees and mentors"),
        "{}",
        empty.message()
    );

    let members = format!("/api/v1/admin/cohorts/{id}/members");
    let refused = app
        .put(
            &members,
            Some(&admin),
            json!({"mentees": ["ann", "nobody", "Not A Name!"], "mentors": ["mia", "ghost@far.example", "ghost"]}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for named in ["nobody", "Not A Name!", "ghost@far.example", "ghost"] {
        assert!(
            refused.message().contains(named),
            "{named} is not named in: {}",
            refused.message()
        );
    }
    assert!(!refused.message().contains("ann"), "{}", refused.message());
    let twice = app
        .put(
            &members,
            Some(&admin),
            json!({"mentees": ["ann", "ANN"], "mentors": ["mia"]}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        twice.message().contains("listed twice: ANN"),
        "{}",
        twice.message()
    );
    let remote_mentee = app
        .put(
            &members,
            Some(&admin),
            json!({"mentees": ["bo@b.example"], "mentors": ["mia"]}),
        )
        .await;
    assert_eq!(remote_mentee.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        remote_mentee
            .message()
            .contains("members of this instance: bo@b.example"),
        "{}",
        remote_mentee.message()
    );
    let too_many: Vec<String> = (0..2001).map(|i| format!("m{i}")).collect();
    let reply = app
        .put(
            &members,
            Some(&admin),
            json!({"mentees": too_many, "mentors": []}),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    for bad in [
        json!({"mentees": ["ann"]}),
        json!({"mentees": "ann", "mentors": []}),
        json!({"mentees": [], "mentors": [], "extra": 1}),
    ] {
        assert_eq!(
            app.put(&members, Some(&admin), bad.clone()).await.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}"
        );
    }
    assert_eq!(
        app.get(&format!("/api/v1/admin/cohorts/{id}"), Some(&admin))
            .await
            .expect(StatusCode::OK),
        before,
        "nothing changed"
    );
    // This instance's own domain names its own members.
    let own = format!("ann@{}", app.domain());
    app.put(
        &members,
        Some(&admin),
        json!({"mentees": [own], "mentors": ["mia"]}),
    )
    .await
    .expect(StatusCode::OK);

    let nobody = uuid::Uuid::now_v7();
    for (method, path) in [
        (Method::GET, format!("/api/v1/admin/cohorts/{nobody}")),
        (Method::GET, format!("/api/v1/admin/cohorts/{nobody}/match")),
        (
            Method::POST,
            format!("/api/v1/admin/cohorts/{nobody}/match"),
        ),
        (
            Method::POST,
            format!("/api/v1/admin/cohorts/{nobody}/approve"),
        ),
    ] {
        let body = (method == Method::POST).then(|| json!({}));
        let reply = app.send(method.clone(), &path, Some(&admin), body).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    assert_eq!(
        app.put(
            &format!("/api/v1/admin/cohorts/{nobody}/members"),
            Some(&admin),
            json!({"mentees": ["ann"], "mentors": ["mia"]})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/admin/cohorts/not-an-id", Some(&admin))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let unapproved = act(&app, &admin, &id, "approve").await;
    assert_eq!(unapproved.status, StatusCode::CONFLICT);
    assert!(unapproved.message().contains("run matching first"));
}

/// A member of another instance, as fetching their actor caches them.
fn remote(username: &str, domain: &str) -> RemotePerson {
    RemotePerson {
        account_id: uuid::Uuid::nil(),
        actor_url: format!("https://{domain}/users/{username}"),
        username: trellis_core::account::Username::parse(username).unwrap(),
        domain: domain.into(),
        display_name: username.into(),
        inbox_url: format!("https://{domain}/users/{username}/inbox"),
        shared_inbox_url: None,
        public_key_pem: "pem".into(),
        also_known_as: vec![],
        moved_to: None,
        fetched_at: chrono::Utc::now(),
    }
}

/// Makes `domain` a partner of the instance and caches a member of it whose
/// mentor profile arrived (what federation does, done through the store).
async fn partner_mentor(app: &TestApp, username: &str, domain: &str) {
    let store = &app.store;
    store
        .step_partnership(
            &PartnershipStep {
                domain: domain.into(),
                from: Partnership::None,
                to: Partnership::Active,
                our_follow: Some(format!("https://{domain}/follows/1")),
                their_follow: None,
                resend_profiles: false,
                deliveries: vec![],
                received: None,
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let person = store
        .upsert_remote_person(&remote(username, domain))
        .await
        .unwrap();
    let profile: Profile = serde_json::from_value(json!({
        "languages": ["en"],
        "skills": [{"skill": "networking.dns", "level": 7}],
        "mentor": {"offers_mentoring": true, "accepting_mentees": true, "capacity": 1, "hours_per_month": 4},
        "visibility": "federated",
    }))
    .unwrap();
    store
        .receive_remote_profile(
            person.account_id,
            &profile,
            &format!("https://{domain}/activities/{username}"),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
}

#[on_every_backend]
async fn mentors_of_partner_instances_are_matched_and_asked_through_the_outbox(app: TestApp) {
    let admin = app.admin("root").await;
    let ann = mentee(&app, "ann", &["en"], ("networking.dns", 7)).await;
    partner_mentor(&app, "bo", "b.example").await;
    // Known, but not at a partner: refused like an unknown name.
    app.store
        .upsert_remote_person(&remote("cy", "c.example"))
        .await
        .unwrap();
    let id = new_cohort(&app, &admin, "Across").await;
    let members = format!("/api/v1/admin/cohorts/{id}/members");
    let refused = app
        .put(
            &members,
            Some(&admin),
            json!({"mentees": ["ann"], "mentors": ["cy@c.example", "zed@b.example"]}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.message().contains("cy@c.example, zed@b.example"),
        "{}",
        refused.message()
    );

    set_members(&app, &admin, &id, &["ann"], &["BO@B.example"]).await;
    let cohort = app
        .get(&format!("/api/v1/admin/cohorts/{id}"), Some(&admin))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        cohort["mentors"],
        json!([{"username": "bo", "domain": "b.example"}])
    );
    let proposal = act(&app, &admin, &id, "match").await.expect(StatusCode::OK);
    let bo = pair(&proposal, "ann");
    assert_eq!(
        bo["mentor"],
        json!({"username": "bo", "domain": "b.example"})
    );
    let organization = bo["factors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["factor"] == "organization")
        .unwrap();
    assert_eq!(
        organization["explanation"],
        "a member of a partner organization"
    );

    let approved = act(&app, &admin, &id, "approve")
        .await
        .expect(StatusCode::OK);
    let request = &pair(&approved, "ann")["request"];
    assert_eq!(request["state"], "requested", "{request}");
    let mine = app
        .get("/api/v1/mentorships", Some(&ann))
        .await
        .expect(StatusCode::OK);
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["mentor"]["domain"], "b.example");
    // The request waits in the outbox for bo's instance (delivery itself
    // is proven between real instances in the federation tests).
    assert!(
        app.store
            .next_outbox_events(10)
            .await
            .unwrap()
            .iter()
            .any(|e| e.event.kind() == trellis_store::OutboxEventKind::MentorshipChanged)
    );
}
