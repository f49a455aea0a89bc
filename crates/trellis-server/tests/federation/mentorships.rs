//! Mentorships between members of two instances: every step travels, both
//! instances show the same state after each, also when one was down.

use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_store::Backend;
use trellis_testing::{eventually, mentor, on_every_backend};

use crate::partnership::{Peer, partnered};

/// `username` on `peer` as a federated mentor with room for `capacity`.
pub(crate) async fn federated_mentor(peer: &Peer, username: &str, capacity: u16) -> String {
    let token = peer.app.member(username).await;
    let mut profile = mentor("federated", &[("networking.dns", 6)]);
    profile["mentor"]["capacity"] = json!(capacity);
    peer.app.set_profile(&token, profile).await;
    token
}

/// Waits until `on` has the mentor's profile from `from` in its directory.
pub(crate) async fn shared(on: &Peer, reader: &str, handle: &str) {
    eventually(&format!("{handle} shows in the directory"), || async {
        let page = on
            .app
            .get("/api/v1/directory/mentors?scope=federated", Some(reader))
            .await
            .expect(StatusCode::OK);
        page["items"].as_array().unwrap().iter().any(|p| {
            format!(
                "{}@{}",
                p["username"].as_str().unwrap(),
                p["domain"].as_str().unwrap_or_default()
            ) == handle
        })
    })
    .await;
}

pub(crate) async fn ask(on: &Peer, token: &str, mentor: &str) -> Value {
    on.app
        .post(
            "/api/v1/mentorships",
            Some(token),
            json!({"mentor": mentor, "message": "Could you help me with DNS?", "goals": "Run our resolvers"}),
        )
        .await
        .expect(StatusCode::CREATED)
}

/// The only mentorship of the member signed in with `token`, if any.
async fn only_mentorship(on: &Peer, token: &str) -> Option<Value> {
    let list = on
        .app
        .get("/api/v1/mentorships", Some(token))
        .await
        .expect(StatusCode::OK);
    let list = list.as_array().unwrap();
    assert!(list.len() <= 1, "{list:?}");
    let id = list.first()?["id"].as_str()?.to_owned();
    Some(
        on.app
            .get(&format!("/api/v1/mentorships/{id}"), Some(token))
            .await
            .expect(StatusCode::OK),
    )
}

pub(crate) async fn wait_state(on: &Peer, token: &str, state: &str) -> Value {
    eventually(
        &format!("{} shows the mentorship {state}", on.app.domain()),
        || async {
            only_mentorship(on, token)
                .await
                .is_some_and(|m| m["state"] == state)
        },
    )
    .await;
    only_mentorship(on, token).await.unwrap()
}

pub(crate) async fn step(on: &Peer, token: &str, m: &Value, transition: &str, note: &str) -> Value {
    on.app
        .post(
            &format!(
                "/api/v1/mentorships/{}/{transition}",
                m["id"].as_str().unwrap()
            ),
            Some(token),
            json!({"note": note}),
        )
        .await
        .expect(StatusCode::OK)
}

/// What both sides must agree on: each state entered, by which side, why.
fn history(m: &Value) -> Vec<(String, String, String)> {
    m["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["state"].as_str().unwrap().to_owned(),
                h["by"].as_str().unwrap().to_owned(),
                h["note"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn unread_kinds(on: &Peer, token: &str) -> Vec<String> {
    let list = on
        .app
        .get("/api/v1/notifications", Some(token))
        .await
        .expect(StatusCode::OK);
    list.as_array()
        .unwrap()
        .iter()
        .filter(|n| n["read"] == false)
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[on_every_backend]
async fn a_mentorship_across_instances_runs_its_course_and_both_sides_agree(backend: Backend) {
    let (a, b) = partnered(backend).await;
    let bo = federated_mentor(&b, "bo", 2).await;
    let ada = a.app.member("ada").await;
    let handle = format!("bo@{}", b.app.domain());
    shared(&a, &ada, &handle).await;

    let asked = ask(&a, &ada, &handle).await;
    assert_eq!(asked["state"], "requested");
    assert_eq!(asked["mentor"]["domain"], b.app.domain().as_str());
    assert_eq!(asked["role"], "mentee");

    // B's mentor sees the request from A's member, with what she wrote.
    let on_b = wait_state(&b, &bo, "requested").await;
    assert_eq!(on_b["role"], "mentor");
    assert_eq!(
        (
            on_b["mentee"]["username"].as_str(),
            on_b["mentee"]["domain"].as_str()
        ),
        (Some("ada"), Some(a.app.domain().as_str()))
    );
    assert_eq!(on_b["message"], "Could you help me with DNS?");
    assert_eq!(on_b["goals"], "Run our resolvers");
    assert_eq!(unread_kinds(&b, &bo).await, ["mentorship_requested"]);

    // The mentee may not answer her own request, here or there.
    let refused = a
        .app
        .post(
            &format!(
                "/api/v1/mentorships/{}/accept",
                asked["id"].as_str().unwrap()
            ),
            Some(&ada),
            json!({}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    step(&b, &bo, &on_b, "accept", "Happy to").await;
    let on_a = wait_state(&a, &ada, "active").await;
    assert_eq!(unread_kinds(&a, &ada).await, ["mentorship_active"]);
    step(&a, &ada, &on_a, "pause", "Conference month").await;
    wait_state(&b, &bo, "paused").await;
    step(&b, &bo, &on_b, "resume", "").await;
    wait_state(&a, &ada, "active").await;

    // Both admins see the pair in their mentoring tree, each end placed.
    let tree = a
        .app
        .get("/api/v1/admin/mentoring-tree", Some(&a.admin))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        tree["edges"][0]["mentor"]["domain"],
        b.app.domain().as_str()
    );
    assert_eq!(tree["edges"][0]["mentee"]["domain"], Value::Null);
    let tree = b
        .app
        .get("/api/v1/admin/mentoring-tree", Some(&b.admin))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        tree["edges"][0]["mentee"]["domain"],
        a.app.domain().as_str()
    );

    step(&a, &ada, &on_a, "complete", "Resolvers run").await;
    let done_b = wait_state(&b, &bo, "completed").await;
    let done_a = only_mentorship(&a, &ada).await.unwrap();
    let expected: Vec<(String, String, String)> = [
        ("requested", "mentee", "Could you help me with DNS?"),
        ("active", "mentor", "Happy to"),
        ("paused", "mentee", "Conference month"),
        ("active", "mentor", ""),
        ("completed", "mentee", "Resolvers run"),
    ]
    .iter()
    .map(|(s, b, n)| ((*s).to_owned(), (*b).to_owned(), (*n).to_owned()))
    .collect();
    assert_eq!(history(&done_a), expected);
    assert_eq!(history(&done_b), expected);

    // A finished mentorship moves no more, on either side.
    let late = b
        .app
        .post(
            &format!("/api/v1/mentorships/{}/end", done_b["id"].as_str().unwrap()),
            Some(&bo),
            json!({}),
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);

    // Nobody else sees it: not another member of either instance.
    for (peer, name) in [(&a, "eve"), (&b, "mallory")] {
        let other = peer.app.member(name).await;
        assert!(only_mentorship(peer, &other).await.is_none());
    }
    let id_on_b = done_b["id"].as_str().unwrap();
    let eve = a.app.login("eve").await;
    assert_eq!(
        b.app
            .get(&format!("/api/v1/mentorships/{id_on_b}"), Some(&eve))
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "a token of A means nothing on B"
    );
}

#[on_every_backend]
async fn steps_taken_while_the_other_instance_is_down_arrive_when_it_returns(backend: Backend) {
    let (mut a, mut b) = partnered(backend).await;
    let bo = federated_mentor(&b, "bo", 2).await;
    let ada = a.app.member("ada").await;
    let handle = format!("bo@{}", b.app.domain());
    shared(&a, &ada, &handle).await;

    // B is down when A's member asks.
    b.app.stop().await;
    ask(&a, &ada, &handle).await;
    b.app.start().await;
    let on_b = wait_state(&b, &bo, "requested").await;

    // A is down when B's mentor accepts; B crashes before it is delivered.
    a.app.stop().await;
    step(&b, &bo, &on_b, "accept", "Yes").await;
    b.app.kill().await;
    b.app.start().await;
    a.app.start().await;
    let on_a = wait_state(&a, &ada, "active").await;

    // Two steps in a row while B is down arrive in order.
    b.app.stop().await;
    step(&a, &ada, &on_a, "pause", "").await;
    step(&a, &ada, &on_a, "end", "Changed teams").await;
    b.app.start().await;
    let ended = wait_state(&b, &bo, "ended").await;
    assert_eq!(
        history(&ended),
        history(&only_mentorship(&a, &ada).await.unwrap())
    );
    assert_eq!(
        history(&ended)
            .iter()
            .map(|h| h.0.as_str())
            .collect::<Vec<_>>(),
        ["requested", "active", "paused", "ended"],
        "each step once"
    );
}

#[on_every_backend]
async fn a_mentor_elsewhere_who_is_full_declines_with_the_reason(backend: Backend) {
    let (a, b) = partnered(backend).await;
    let bo = federated_mentor(&b, "bo", 1).await;
    let ada = a.app.member("ada").await;
    let handle = format!("bo@{}", b.app.domain());
    shared(&a, &ada, &handle).await;

    // A colleague on B takes bo's only place.
    let cy = b.app.member("cy").await;
    let local = b
        .app
        .post("/api/v1/mentorships", Some(&cy), json!({"mentor": "bo"}))
        .await
        .expect(StatusCode::CREATED);
    step(&b, &bo, &local, "accept", "").await;
    assert_eq!(unread_kinds(&b, &bo).await, ["mentorship_requested"]);
    b.app
        .post("/api/v1/notifications/read-all", Some(&bo), json!({}))
        .await
        .expect(StatusCode::OK);

    // A cannot know how busy bo is; B answers for him.
    ask(&a, &ada, &handle).await;
    let declined = wait_state(&a, &ada, "declined").await;
    let last = history(&declined).pop().unwrap();
    assert_eq!(last.1, "mentor");
    assert!(last.2.contains("full"), "the reason is given: {last:?}");
    assert_eq!(unread_kinds(&a, &ada).await, ["mentorship_declined"]);
    // B records it too, without troubling bo with a request he cannot take.
    let list = b
        .app
        .get("/api/v1/mentorships?state=declined", Some(&bo))
        .await
        .expect(StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let unread = unread_kinds(&b, &bo).await;
    assert!(
        unread.is_empty(),
        "{unread:?} {}",
        b.app.get("/api/v1/notifications", Some(&bo)).await.body
    );

    // Once there is room again, a new request goes through.
    step(&b, &bo, &local, "complete", "").await;
    ask(&a, &ada, &handle).await;
    eventually("B records the new request", || async {
        let list = b
            .app
            .get("/api/v1/mentorships?state=requested", Some(&bo))
            .await
            .expect(StatusCode::OK);
        list.as_array().unwrap().len() == 1
    })
    .await;
}

#[on_every_backend]
async fn only_mentors_shared_with_partners_can_be_asked_from_elsewhere(backend: Backend) {
    let (a, b) = partnered(backend).await;
    let c = Peer::start(backend).await;
    let ada = a.app.member("ada").await;
    let org_only = b.app.member("olga").await;
    b.app
        .set_profile(&org_only, mentor("organization", &[("networking.dns", 6)]))
        .await;
    federated_mentor(&c, "cid", 2).await;
    federated_mentor(&b, "bo", 2).await;
    shared(&a, &ada, &format!("bo@{}", b.app.domain())).await;

    for handle in [
        format!("olga@{}", b.app.domain()),
        format!("cid@{}", c.app.domain()),
        format!("nobody@{}", b.app.domain()),
        "not a handle@".to_owned(),
    ] {
        let reply = a
            .app
            .post("/api/v1/mentorships", Some(&ada), json!({"mentor": handle}))
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{handle}");
    }
    assert!(
        only_mentorship(&a, &ada).await.is_none(),
        "nothing was recorded"
    );
    let olga_sees = b
        .app
        .get("/api/v1/mentorships", Some(&org_only))
        .await
        .expect(StatusCode::OK);
    assert_eq!(olga_sees, json!([]));

    // A member of this instance, named with its domain, is a local mentor.
    let grace = a.app.member("grace").await;
    a.app
        .set_profile(&grace, mentor("organization", &[("networking.dns", 6)]))
        .await;
    let local = ask(&a, &ada, &format!("grace@{}", a.app.domain())).await;
    assert_eq!(local["mentor"]["domain"], Value::Null);
}

/// What the member with `token` lists under `mentorship`'s `what`
/// (`sessions`, `reviews`) on `on`.
async fn listed(on: &Peer, token: &str, mentorship: &Value, what: &str) -> Vec<Value> {
    on.app
        .get(
            &format!(
                "/api/v1/mentorships/{}/{what}",
                mentorship["id"].as_str().unwrap()
            ),
            Some(token),
        )
        .await
        .expect(StatusCode::OK)
        .as_array()
        .unwrap()
        .clone()
}

pub(crate) async fn sessions_of(on: &Peer, token: &str, mentorship: &Value) -> Vec<Value> {
    listed(on, token, mentorship, "sessions").await
}

#[on_every_backend]
async fn sessions_travel_to_the_other_party_and_private_notes_stay_home(backend: Backend) {
    let (a, b) = partnered(backend).await;
    let bo = federated_mentor(&b, "bo", 2).await;
    let ada = a.app.member("ada").await;
    let handle = format!("bo@{}", b.app.domain());
    shared(&a, &ada, &handle).await;
    ask(&a, &ada, &handle).await;
    let on_b = wait_state(&b, &bo, "requested").await;
    step(&b, &bo, &on_b, "accept", "").await;
    let on_a = wait_state(&a, &ada, "active").await;

    // Ada logs a session at A, with a private note.
    let path = format!(
        "/api/v1/mentorships/{}/sessions",
        on_a["id"].as_str().unwrap()
    );
    let session = json!({
        "held_at": "2026-11-20T09:00:00Z", "duration_minutes": 50,
        "topics": ["DNSSEC"], "notes": "Shared: KSK rollover walk-through",
        "action_items": [{"text": "Share the runbook", "owner": "mentor"}],
    });
    let logged = a
        .app
        .post(&path, Some(&ada), session.clone())
        .await
        .expect(StatusCode::CREATED);
    let sid = logged["id"].as_str().unwrap();
    a.app
        .put(
            &format!("{path}/{sid}/private-note"),
            Some(&ada),
            json!({"text": "Ada's own worry"}),
        )
        .await
        .expect(StatusCode::OK);

    eventually("B has Ada's session", || async {
        sessions_of(&b, &bo, &on_b).await.len() == 1
    })
    .await;
    let at_b = sessions_of(&b, &bo, &on_b).await.remove(0);
    assert_eq!(at_b["notes"], "Shared: KSK rollover walk-through");
    assert_eq!(at_b["logged_by"], "mentee");
    assert_eq!(at_b["private_note"], Value::Null);
    assert!(!at_b.to_string().contains("Ada's own worry"));

    // Bo ticks off his action item at B and keeps his own note there.
    let b_path = format!(
        "/api/v1/mentorships/{}/sessions/{}",
        on_b["id"].as_str().unwrap(),
        at_b["id"].as_str().unwrap()
    );
    let mut done = session.clone();
    done["action_items"][0]["done"] = json!(true);
    b.app
        .put(&b_path, Some(&bo), done)
        .await
        .expect(StatusCode::OK);
    b.app
        .put(
            &format!("{b_path}/private-note"),
            Some(&bo),
            json!({"text": "Bo's own thought"}),
        )
        .await
        .expect(StatusCode::OK);
    eventually("A sees the action item done", || async {
        sessions_of(&a, &ada, &on_a).await[0]["action_items"][0]["done"] == true
    })
    .await;
    let at_a = sessions_of(&a, &ada, &on_a).await.remove(0);
    assert_eq!(at_a["private_note"], "Ada's own worry");
    assert!(!at_a.to_string().contains("Bo's own thought"));

    // Bo logs the next one at B; it reaches A.
    let mut next = session;
    next["held_at"] = json!("2026-11-27T09:00:00Z");
    b.app
        .post(
            &format!(
                "/api/v1/mentorships/{}/sessions",
                on_b["id"].as_str().unwrap()
            ),
            Some(&bo),
            next,
        )
        .await
        .expect(StatusCode::CREATED);
    eventually("A has both sessions", || async {
        sessions_of(&a, &ada, &on_a).await.len() == 2
    })
    .await;
    assert_eq!(sessions_of(&a, &ada, &on_a).await[0]["logged_by"], "mentor");

    // Admins of either instance see no session of it.
    for (peer, m) in [(&a, &on_a), (&b, &on_b)] {
        let reply = peer
            .app
            .get(
                &format!("/api/v1/mentorships/{}/sessions", m["id"].as_str().unwrap()),
                Some(&peer.admin),
            )
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
    }
}

#[on_every_backend]
async fn a_cohort_approved_on_one_instance_asks_mentors_of_the_other(backend: Backend) {
    let (a, b) = partnered(backend).await;
    let bo = federated_mentor(&b, "bo", 1).await;
    let ada = a.app.member("ada").await;
    a.app
        .set_profile(
            &ada,
            json!({
                "languages": ["en"],
                "skills": [{"skill": "networking.dns", "level": 2}],
                "goals": {"targets": [{"skill": "networking.dns", "level": 5}]},
                "visibility": "organization",
            }),
        )
        .await;
    let handle = format!("bo@{}", b.app.domain());
    shared(&a, &ada, &handle).await;

    let cohort = a
        .app
        .post(
            "/api/v1/admin/cohorts",
            Some(&a.admin),
            json!({"name": "Across"}),
        )
        .await
        .expect(StatusCode::CREATED);
    let path = format!("/api/v1/admin/cohorts/{}", cohort["id"].as_str().unwrap());
    a.app
        .put(
            &format!("{path}/members"),
            Some(&a.admin),
            json!({"mentees": ["ada"], "mentors": [handle]}),
        )
        .await
        .expect(StatusCode::OK);
    a.app
        .post(&format!("{path}/match"), Some(&a.admin), json!({}))
        .await
        .expect(StatusCode::OK);
    let approved = a
        .app
        .post(&format!("{path}/approve"), Some(&a.admin), json!({}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        approved["pairs"][0]["request"]["state"], "requested",
        "{approved}"
    );

    // The request reaches bo's instance as an Offer; he answers it there.
    let on_b = wait_state(&b, &bo, "requested").await;
    assert_eq!(on_b["mentee"]["username"], "ada");
    assert!(
        on_b["message"].as_str().unwrap().contains("Across"),
        "the request names the cohort: {on_b}"
    );
    step(&b, &bo, &on_b, "accept", "Welcome").await;
    wait_state(&a, &ada, "active").await;
}

/// The reviews of the mentorship `m` as the member with `token` sees them.
pub(crate) async fn reviews_of(on: &Peer, token: &str, m: &Value) -> Vec<Value> {
    listed(on, token, m, "reviews").await
}

/// Bo at B mentors Ada at A (who has a skill to review), accepted on both
/// sides: (bo's token, ada's token, the mentorship on A, on B).
pub(crate) async fn pair_across(
    a: &Peer,
    b: &Peer,
    visibility: &str,
) -> (String, String, Value, Value) {
    let bo = federated_mentor(b, "bo", 2).await;
    let ada = a.app.member("ada").await;
    a.app
        .set_profile(
            &ada,
            json!({"languages": ["en"], "skills": [{"skill": "networking.dns", "level": 2}],
                   "visibility": visibility}),
        )
        .await;
    let handle = format!("bo@{}", b.app.domain());
    shared(a, &ada, &handle).await;
    ask(a, &ada, &handle).await;
    let on_b = wait_state(b, &bo, "requested").await;
    step(b, &bo, &on_b, "accept", "").await;
    let on_a = wait_state(a, &ada, "active").await;
    (bo, ada, on_a, on_b)
}

#[on_every_backend]
async fn a_review_across_instances_is_completed_on_both_sides(backend: Backend) {
    let (a, b) = partnered(backend).await;
    let (bo, ada, on_a, on_b) = pair_across(&a, &b, "organization").await;

    // Ada starts a review of her skills at A; it reaches B.
    let started = a
        .app
        .post(
            &format!(
                "/api/v1/mentorships/{}/reviews",
                on_a["id"].as_str().unwrap()
            ),
            Some(&ada),
            json!({}),
        )
        .await
        .expect(StatusCode::CREATED);
    eventually("B has the review", || async {
        reviews_of(&b, &bo, &on_b).await.len() == 1
    })
    .await;
    let at_b = reviews_of(&b, &bo, &on_b).await.remove(0);
    assert_eq!(at_b["skills"], json!(["networking.dns"]));
    assert_eq!(at_b["started_by"], "mentee");

    // Each submits at home; each part travels to the other side.
    let part = |rating: u8, comment: &str| json!({"ratings": [{"skill": "networking.dns", "rating": rating, "comment": comment}]});
    a.app
        .put(
            &format!(
                "/api/v1/mentorships/{}/reviews/{}/part",
                on_a["id"].as_str().unwrap(),
                started["id"].as_str().unwrap()
            ),
            Some(&ada),
            part(3, "Getting there"),
        )
        .await
        .expect(StatusCode::OK);
    eventually("B has Ada's part", || async {
        reviews_of(&b, &bo, &on_b).await[0]["mentee_submitted"] == true
    })
    .await;
    assert!(
        reviews_of(&b, &bo, &on_b).await[0]["mentee_part"].is_null(),
        "hidden from the mentor until he has rated too"
    );
    b.app
        .put(
            &format!(
                "/api/v1/mentorships/{}/reviews/{}/part",
                on_b["id"].as_str().unwrap(),
                at_b["id"].as_str().unwrap()
            ),
            Some(&bo),
            part(4, "Solid on resolvers"),
        )
        .await
        .expect(StatusCode::OK);
    eventually("A has the completed review", || async {
        reviews_of(&a, &ada, &on_a).await[0]["state"] == "completed"
    })
    .await;
    for (peer, token, m) in [(&a, &ada, &on_a), (&b, &bo, &on_b)] {
        let review = reviews_of(peer, token, m).await.remove(0);
        assert_eq!(review["state"], "completed");
        assert_eq!(review["mentee_part"]["ratings"][0]["rating"], 3);
        assert_eq!(review["mentor_part"]["ratings"][0]["rating"], 4);
        assert_eq!(
            review["mentor_part"]["ratings"][0]["comment"],
            "Solid on resolvers"
        );
    }
    // The mentor's rating is part of Ada's growth at her own instance.
    let growth = a
        .app
        .get("/api/v1/me/growth", Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(growth["reviews"], 1);
    assert_eq!(growth["skills"][0]["points"][0]["mentor_rating"], 4);

    // Nobody else on either side reads it.
    for (peer, name, m) in [(&a, "eve", &on_a), (&b, "mallory", &on_b)] {
        let other = peer.app.member(name).await;
        assert_eq!(
            peer.app
                .get(
                    &format!("/api/v1/mentorships/{}/reviews", m["id"].as_str().unwrap()),
                    Some(&other),
                )
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
    for (peer, m) in [(&a, &on_a), (&b, &on_b)] {
        assert_eq!(
            peer.app
                .get(
                    &format!("/api/v1/mentorships/{}/reviews", m["id"].as_str().unwrap()),
                    Some(&peer.admin),
                )
                .await
                .status,
            StatusCode::NOT_FOUND,
            "admins see aggregates, not reviews"
        );
    }
}

/// Two instances on one host differ by port: an object named on the
/// receiver's own address is not the sender's to send.
#[on_every_backend]
async fn a_session_named_by_another_instance_is_refused(backend: Backend) {
    use crate::endorsements::{at, post_as};
    let (a, b) = partnered(backend).await;
    let (bo, ada, on_a, on_b) = pair_across(&a, &b, "organization").await;
    let session = |id: String| {
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams"],
            "id": at(&b, &format!("/activities/{}", uuid::Uuid::now_v7())),
            "type": "Create",
            "actor": at(&b, "/users/bo"),
            "to": [at(&a, "/users/ada")],
            "object": {
                "type": "MentoringSession",
                "id": id,
                "mentorship": at(&a, &format!("/mentorships/{}", on_a["id"].as_str().unwrap())),
                "attributedTo": at(&b, "/users/bo"),
                "startTime": "2026-11-22T10:00:00Z",
                "durationMinutes": 45,
                "topics": ["Forged"],
                "content": "",
                "actionItems": []
            }
        })
    };
    let on_the_receiver = session(at(&a, &format!("/sessions/{}", uuid::Uuid::now_v7())));
    assert_eq!(
        post_as(&b, "bo", &a, &on_the_receiver).await,
        StatusCode::FORBIDDEN
    );
    assert!(sessions_of(&a, &ada, &on_a).await.is_empty());
    let own = session(at(&b, &format!("/sessions/{}", uuid::Uuid::now_v7())));
    assert!(post_as(&b, "bo", &a, &own).await.is_success());
    assert_eq!(sessions_of(&a, &ada, &on_a).await.len(), 1);
    assert!(
        sessions_of(&b, &bo, &on_b).await.is_empty(),
        "sent by hand, not by B"
    );
}
