//! Career tracks and induction cycles through the API: an admin defines a
//! track and a cycle of three stages, members are nominated, committees
//! decide stage by stage with nominee and sponsor recused, and the last
//! approval inducts. Who reads what, and what is refused and changes nothing.

use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_testing::{TestApp, on_every_backend};

use crate::reviews::{DNS, SQL, mentee_skills, review};
use crate::sessions::{a_session, active_pair};

const RANKS: [&str; 3] = ["Principal", "Distinguished", "Fellow"];

fn a_track() -> Value {
    json!({
        "name": "Technical leadership",
        "description": "Recognised technical leaders.",
        "ranks": RANKS.iter().map(|r| json!({"name": r, "description": format!("What a {r} does.")})).collect::<Vec<_>>(),
    })
}

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

/// A track and a cycle taking nominations now, with the given committees.
async fn track_and_cycle(app: &TestApp, admin: &str, committees: &[&[&str]]) -> (String, String) {
    let track = app
        .post("/api/v1/admin/tracks", Some(admin), a_track())
        .await
        .expect(StatusCode::CREATED);
    let track_id = track["id"].as_str().unwrap().to_owned();
    let cycle = app
        .post(
            &format!("/api/v1/admin/tracks/{track_id}/cycles"),
            Some(admin),
            cycle_body("Spring", -5, 5, committees),
        )
        .await
        .expect(StatusCode::CREATED);
    (track_id, cycle["id"].as_str().unwrap().to_owned())
}

fn cycle_body(name: &str, opens: i64, closes: i64, committees: &[&[&str]]) -> Value {
    let stages = ["Unit screening", "Global committee", "Leadership approval"];
    json!({
        "name": name,
        "opens": day(opens),
        "closes": day(closes),
        "stages": committees.iter().enumerate().map(|(i, c)| json!({"name": stages[i], "committee": c})).collect::<Vec<_>>(),
    })
}

async fn decide(
    app: &TestApp,
    id: &str,
    token: &str,
    stage: u32,
    decision: &str,
) -> trellis_testing::Reply {
    app.post(
        &format!("/api/v1/nominations/{id}/decisions"),
        Some(token),
        json!({"stage": stage, "decision": decision, "rationale": format!("{decision} at stage {stage}: the evidence says so.")}),
    )
    .await
}

async fn log_len(app: &TestApp, id: &str, token: &str) -> usize {
    app.get(&format!("/api/v1/nominations/{id}/log"), Some(token))
        .await
        .expect(StatusCode::OK)
        .as_array()
        .unwrap()
        .len()
}

/// The kinds of the member's notifications about nomination `id`, oldest first.
async fn told(app: &TestApp, token: &str, id: &str) -> Vec<String> {
    let all = app
        .get("/api/v1/notifications", Some(token))
        .await
        .expect(StatusCode::OK);
    // Unread, newest first: reversed, oldest first.
    let mut kinds: Vec<String> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["nomination_id"] == id)
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect();
    kinds.reverse();
    kinds
}

#[on_every_backend]
async fn a_cycle_runs_through_three_stages_to_an_induction(app: TestApp) {
    let admin = app.admin("root").await;
    let (grace, ada, mentorship) = active_pair(&app).await;
    let sam = app.member("sam").await;
    let unit = app.member("unit").await;
    let global = app.member("global").await;
    let lead = app.member("lead").await;
    // Sam sits on the first committee, Ada on the second: both must recuse.
    let (track, cycle) = track_and_cycle(
        &app,
        &admin,
        &[&["unit", "sam"], &["global", "ada"], &["lead"]],
    )
    .await;
    let listed = app
        .get("/api/v1/tracks", Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(listed[0]["ranks"][1]["name"], "Distinguished");
    let open = app
        .get("/api/v1/cycles", Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(open[0]["id"], cycle.as_str());
    assert_eq!(open[0]["stages"][1]["committee"], json!(["global", "ada"]));
    assert_eq!(open[0]["taking_nominations"], true);

    // Ada's file: a session with a private note, a completed review, her plan.
    let session = app
        .post(
            &format!("/api/v1/mentorships/{mentorship}/sessions"),
            Some(&ada),
            a_session(),
        )
        .await
        .expect(StatusCode::CREATED);
    let session_id = session["id"].as_str().unwrap().to_owned();
    app.put(
        &format!("/api/v1/mentorships/{mentorship}/sessions/{session_id}/private-note"),
        Some(&ada),
        json!({"text": "PRIVATE: nervous about the promotion"}),
    )
    .await
    .expect(StatusCode::OK);
    mentee_skills(&app, &ada).await;
    let done = review(
        &app,
        &mentorship,
        &grace,
        &ada,
        &[(DNS, 4), (SQL, 3)],
        &[(DNS, 5), (SQL, 3)],
    )
    .await;
    app.put(
        "/api/v1/me/plan",
        Some(&ada),
        json!({"goals": [{"title": "Lead the DNS team"}]}),
    )
    .await
    .expect(StatusCode::OK);

    let nominated = app
        .post(
            &format!("/api/v1/cycles/{cycle}/nominations"),
            Some(&sam),
            json!({"nominee": "ada", "target_rank": "distinguished", "statement": "Ada led the DNS migration."}),
        )
        .await
        .expect(StatusCode::CREATED);
    let id = nominated["id"].as_str().unwrap().to_owned();
    assert_eq!(nominated["sponsor"], "sam");
    assert_eq!(nominated["target_rank"], "Distinguished");
    assert_eq!(nominated["accepted"], false);
    assert_eq!(told(&app, &ada, &id).await, ["nomination_received"]);
    assert!(
        told(&app, &unit, &id).await.is_empty(),
        "not before Ada accepts"
    );
    let picked = app
        .put(
            &format!("/api/v1/nominations/{id}/evidence"),
            Some(&ada),
            json!({"evidence": [
                {"kind": "session", "item": session_id},
                {"kind": "review", "item": done["id"]},
                {"kind": "mentorship", "item": mentorship},
                {"kind": "plan", "item": "1"},
            ]}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(picked["accepted"], true);
    assert_eq!(told(&app, &unit, &id).await, ["nomination_awaits_you"]);
    assert!(
        told(&app, &sam, &id).await.is_empty(),
        "the sponsor recuses"
    );

    // The committee sees the evidence summarised, never a note.
    let seen = app
        .get(&format!("/api/v1/nominations/{id}"), Some(&unit))
        .await
        .expect(StatusCode::OK);
    let evidence = &seen["evidence"];
    assert_eq!(evidence[0]["kind"], "session");
    assert_eq!(evidence[0]["topics"], json!(["DNSSEC", "key rollover"]));
    assert_eq!(evidence[0]["duration_minutes"], 45);
    assert_eq!(evidence[1]["kind"], "review");
    assert_eq!(
        evidence[1]["skills"][0],
        json!({"skill": DNS, "self_rating": 4, "mentor_rating": 5})
    );
    assert_eq!(evidence[2]["role"], "mentee");
    assert_eq!(evidence[2]["with"]["username"], "grace");
    assert_eq!(evidence[3]["goals"], json!(["Lead the DNS team"]));
    let text = seen.to_string();
    for secret in ["PRIVATE", "KSK rollover", "RFC 9364", "at 4"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    assert_eq!(seen["roles"], json!(["committee"]));
    assert_eq!(seen["awaiting_you"], true);
    let sponsor_view = app
        .get(&format!("/api/v1/nominations/{id}"), Some(&sam))
        .await
        .expect(StatusCode::OK);
    assert_eq!(sponsor_view["roles"], json!(["sponsor", "committee"]));
    assert_eq!(sponsor_view["awaiting_you"], false, "the sponsor recuses");

    // Stage 1: the sponsor recuses; the unit defers, then advances.
    let recused = decide(&app, &id, &sam, 1, "advance").await;
    assert_eq!(recused.status, StatusCode::FORBIDDEN, "{}", recused.body);
    assert!(
        recused.message().contains("sponsor") && recused.message().contains("recuse"),
        "{}",
        recused.message()
    );
    let deferred = decide(&app, &id, &unit, 1, "defer")
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(
        (
            deferred["nomination"]["status"].as_str(),
            deferred["nomination"]["stage"].as_u64()
        ),
        (Some("in_stage"), Some(1))
    );
    let advanced = decide(&app, &id, &unit, 1, "advance")
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(advanced["nomination"]["stage"], 2);
    assert_eq!(advanced["nomination"]["stage_name"], "Global committee");
    assert!(advanced["induction"].is_null());

    // Stage 2: the nominee recuses; another stage's member is refused; a
    // decision for the stage already passed is refused.
    let own = decide(&app, &id, &ada, 2, "advance").await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
    assert!(
        own.message().contains("nominee") && own.message().contains("recuse"),
        "{}",
        own.message()
    );
    let early = decide(&app, &id, &lead, 3, "advance").await;
    assert_eq!(early.status, StatusCode::FORBIDDEN, "{}", early.body);
    let late = decide(&app, &id, &unit, 1, "advance").await;
    assert_eq!(late.status, StatusCode::FORBIDDEN, "{}", late.body);
    let wrong_stage = decide(&app, &id, &global, 1, "advance").await;
    assert_eq!(
        wrong_stage.status,
        StatusCode::CONFLICT,
        "{}",
        wrong_stage.body
    );
    assert!(
        wrong_stage.message().contains("stage 2"),
        "{}",
        wrong_stage.message()
    );
    assert_eq!(
        log_len(&app, &id, &ada).await,
        2,
        "the refusals recorded nothing"
    );
    decide(&app, &id, &global, 2, "advance")
        .await
        .expect(StatusCode::CREATED);

    // Stage 3: approval inducts.
    let inducted = decide(&app, &id, &lead, 3, "advance")
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(inducted["nomination"]["status"], "inducted");
    let induction = &inducted["induction"];
    assert_eq!(induction["rank"], "Distinguished");
    assert_eq!(induction["track"], "Technical leadership");
    assert_eq!(induction["cycle"], "Spring");
    assert_eq!(induction["nomination_id"], id.as_str());
    assert_eq!(told(&app, &global, &id).await, ["nomination_awaits_you"]);
    assert_eq!(told(&app, &lead, &id).await, ["nomination_awaits_you"]);
    let outcomes = [
        "nomination_deferred",
        "nomination_advanced",
        "nomination_advanced",
        "nomination_inducted",
    ];
    assert_eq!(told(&app, &ada, &id).await[1..], outcomes);
    assert_eq!(told(&app, &sam, &id).await, outcomes);
    let after = decide(&app, &id, &lead, 3, "advance").await;
    assert_eq!(
        after.status,
        StatusCode::CONFLICT,
        "an induction closes the nomination"
    );

    let log = app
        .get(&format!("/api/v1/nominations/{id}/log"), Some(&ada))
        .await
        .expect(StatusCode::OK);
    let steps: Vec<(u64, &str, &str)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["stage"].as_u64().unwrap(),
                e["decider"].as_str().unwrap(),
                e["decision"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            (1, "unit", "defer"),
            (1, "unit", "advance"),
            (2, "global", "advance"),
            (3, "lead", "advance")
        ]
    );

    // The rank is Ada's: on her own list, not on her profile or anyone else's list.
    let ranks = app
        .get("/api/v1/me/ranks", Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(ranks.as_array().unwrap().len(), 1);
    assert_eq!(ranks[0]["rank"], "Distinguished");
    assert_eq!(ranks[0]["track_id"], track.as_str());
    assert_eq!(
        app.get("/api/v1/me/ranks", Some(&sam))
            .await
            .expect(StatusCode::OK),
        json!([])
    );
    let profile = app.get("/api/v1/members/ada/profile", Some(&sam)).await;
    assert!(!profile.body.to_string().contains("Distinguished"));
    // The induction is a credential of hers, which verifies.
    let credentials = app
        .get("/api/v1/me/credentials", Some(&ada))
        .await
        .expect(StatusCode::OK);
    let induction: Vec<&Value> = credentials
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "induction")
        .collect();
    assert_eq!(induction.len(), 1, "{credentials}");
    assert_eq!(induction[0]["achievement_name"], "Distinguished");
    let report = app
        .verify_credential(induction[0]["jwt"].as_str().unwrap())
        .await;
    assert_eq!(report["verified"], true, "{report}");

    // Holding the rank, Ada cannot be nominated for it again.
    let autumn = app
        .post(
            &format!("/api/v1/admin/tracks/{track}/cycles"),
            Some(&admin),
            cycle_body("Autumn", -1, 30, &[&["unit"]]),
        )
        .await
        .expect(StatusCode::CREATED);
    let next = autumn["id"].as_str().unwrap();
    let again = app
        .post(
            &format!("/api/v1/cycles/{next}/nominations"),
            Some(&ada),
            json!({"target_rank": "Distinguished", "statement": "Again."}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    app.post(
        &format!("/api/v1/cycles/{next}/nominations"),
        Some(&ada),
        json!({"target_rank": "Fellow", "statement": "The next step."}),
    )
    .await
    .expect(StatusCode::CREATED);
}

#[on_every_backend]
async fn the_log_is_read_by_the_nominee_and_committees_only(app: TestApp) {
    let admin = app.admin("root").await;
    let ada = app.member("ada").await;
    let sam = app.member("sam").await;
    let unit = app.member("unit").await;
    let lead = app.member("lead").await;
    let eve = app.member("eve").await;
    let (_, cycle) = track_and_cycle(&app, &admin, &[&["unit"], &["lead"]]).await;
    let nominated = app
        .post(
            &format!("/api/v1/cycles/{cycle}/nominations"),
            Some(&sam),
            json!({"nominee": "ada", "target_rank": "Principal", "statement": "Ada keeps the lights on."}),
        )
        .await
        .expect(StatusCode::CREATED);
    let id = nominated["id"].as_str().unwrap().to_owned();
    app.put(
        &format!("/api/v1/nominations/{id}/evidence"),
        Some(&ada),
        json!({"evidence": []}),
    )
    .await
    .expect(StatusCode::OK);
    decide(&app, &id, &unit, 1, "advance")
        .await
        .expect(StatusCode::CREATED);
    let rationale = "advance at stage 1: the evidence says so.";

    let one = format!("/api/v1/nominations/{id}");
    let log = format!("{one}/log");
    // The nominee and every committee of the cycle read it all.
    for (who, token) in [("nominee", &ada), ("unit", &unit), ("lead", &lead)] {
        let read = app.get(&log, Some(token)).await.expect(StatusCode::OK);
        assert_eq!(read[0]["rationale"], rationale, "{who}");
        let whole = app.get(&one, Some(token)).await.expect(StatusCode::OK);
        assert_eq!(whole["log"][0]["rationale"], rationale, "{who}");
        assert!(whole["evidence"].is_array(), "{who}");
    }
    // The sponsor sees where it stands, not why.
    let state = app.get(&one, Some(&sam)).await.expect(StatusCode::OK);
    assert_eq!(
        (state["status"].as_str(), state["stage"].as_u64()),
        (Some("in_stage"), Some(2))
    );
    assert_eq!(state["roles"], json!(["sponsor"]));
    assert!(state["log"].is_null() && state["evidence"].is_null());
    assert!(!state.to_string().contains(rationale));
    let refused = app.get(&log, Some(&sam)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.message().contains("sponsor"));
    // Another member and an admin off the committees: no such nomination.
    for token in [&eve, &admin] {
        for path in [&one, &log] {
            let hidden = app.get(path, Some(token)).await;
            assert_eq!(
                hidden.status,
                StatusCode::NOT_FOUND,
                "{path}: {}",
                hidden.body
            );
        }
        let listed = app
            .get("/api/v1/nominations", Some(token))
            .await
            .expect(StatusCode::OK);
        assert_eq!(listed, json!([]));
    }
    // Anonymous callers are asked to sign in.
    for path in [&one, &log] {
        assert_eq!(app.get(path, None).await.status, StatusCode::UNAUTHORIZED);
    }
    // Admins see the cycle's nominations as figures only.
    let figures = app
        .get(
            &format!("/api/v1/admin/cycles/{cycle}/nominations"),
            Some(&admin),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(figures[0]["decisions"], 1);
    assert_eq!(figures[0]["stage"], 2);
    assert_eq!(figures[0]["nominee"], "ada");
    let text = figures.to_string();
    assert!(
        !text.contains(rationale) && !text.contains("lights on"),
        "{text}"
    );
    let not_admin = app
        .get(
            &format!("/api/v1/admin/cycles/{cycle}/nominations"),
            Some(&unit),
        )
        .await;
    assert_eq!(not_admin.status, StatusCode::FORBIDDEN);
    // Each party's list.
    for token in [&ada, &sam, &unit, &lead] {
        let listed = app
            .get("/api/v1/nominations", Some(token))
            .await
            .expect(StatusCode::OK);
        assert_eq!(listed[0]["id"], id.as_str());
        assert!(listed[0]["log"].is_null(), "lists leave the log out");
    }
}

#[on_every_backend]
async fn refused_input_changes_nothing_and_reject_closes(app: TestApp) {
    let admin = app.admin("root").await;
    let (_, _, theirs) = active_pair(&app).await;
    let ada = app.member("ada2").await;
    let unit = app.member("unit").await;
    let lead = app.member("lead").await;
    let eve = app.member("eve").await;
    let (track, cycle) = track_and_cycle(&app, &admin, &[&["unit"], &["lead"]]).await;

    // Admin input: not an admin, bad tracks and cycles.
    let by_member = app
        .post("/api/v1/admin/tracks", Some(&eve), a_track())
        .await;
    assert_eq!(by_member.status, StatusCode::FORBIDDEN);
    let twice = app
        .post("/api/v1/admin/tracks", Some(&admin), a_track())
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    let cycles = format!("/api/v1/admin/tracks/{track}/cycles");
    for bad in [
        cycle_body("Later", 5, -5, &[&["unit"]]),
        cycle_body("Later", -5, 5, &[&["nobody"]]),
        cycle_body("Later", -5, 5, &[&[] as &[&str]]),
        json!({"name": "Later", "opens": day(0), "closes": day(9), "stages": []}),
        cycle_body("Spring", -5, 5, &[&["unit"]]),
    ] {
        let refused = app.post(&cycles, Some(&admin), bad.clone()).await;
        assert!(
            refused.status.is_client_error(),
            "{bad} → {}",
            refused.status
        );
    }
    let kept = app.get(&cycles, Some(&admin)).await.expect(StatusCode::OK);
    assert_eq!(kept.as_array().unwrap().len(), 1, "no cycle was added");
    assert_eq!(kept[0]["stages"][0]["committee"], json!(["unit"]));

    // Nominations: unknown rank, empty statement, someone else's file,
    // a stranger as nominee, a closed cycle.
    let nominate = format!("/api/v1/cycles/{cycle}/nominations");
    for (bad, status) in [
        (
            json!({"target_rank": "Intern", "statement": "Me."}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"target_rank": "Principal", "statement": "  "}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"target_rank": "Principal", "statement": "Me.", "evidence": [{"kind": "mentorship", "item": theirs}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"target_rank": "Principal", "statement": "Me.", "evidence": [{"kind": "plan", "item": "1"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"nominee": "nobody", "target_rank": "Principal", "statement": "Them."}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let refused = app.post(&nominate, Some(&ada), bad.clone()).await;
        assert_eq!(refused.status, status, "{bad}: {}", refused.body);
    }
    let late = self_nomination_in_new_cycle(
        &app,
        &admin,
        &cycles,
        cycle_body("Last year", -400, -300, &[&["unit"]]),
        &ada,
    )
    .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    assert!(
        late.message().contains("takes nominations"),
        "{}",
        late.message()
    );
    // A stage whose whole committee would recuse itself could never decide.
    let nobody_left = self_nomination_in_new_cycle(
        &app,
        &admin,
        &cycles,
        cycle_body("Alone", -1, 9, &[&["unit"], &["ada2"]]),
        &ada,
    )
    .await;
    assert_eq!(
        nobody_left.status,
        StatusCode::CONFLICT,
        "{}",
        nobody_left.body
    );
    assert!(
        nobody_left.message().contains("stage 2"),
        "{}",
        nobody_left.message()
    );
    let figures = format!("/api/v1/admin/cycles/{cycle}/nominations");
    assert_eq!(
        app.get(&figures, Some(&admin)).await.expect(StatusCode::OK),
        json!([])
    );

    let own = app
        .post(
            &nominate,
            Some(&ada),
            json!({"target_rank": "Principal", "statement": "Me."}),
        )
        .await
        .expect(StatusCode::CREATED);
    let id = own["id"].as_str().unwrap().to_owned();
    assert_eq!(
        own["accepted"], true,
        "a self-nomination needs no acceptance"
    );
    let twice = app
        .post(
            &nominate,
            Some(&ada),
            json!({"target_rank": "Principal", "statement": "Me."}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    // Decisions: bad bodies, a stranger, the wrong committee.
    let decisions = format!("/api/v1/nominations/{id}/decisions");
    for bad in [
        json!({"stage": 1, "decision": "advance", "rationale": ""}),
        json!({"stage": 1, "decision": "advance", "rationale": "   "}),
        json!({"stage": 1, "decision": "promote", "rationale": "Why not."}),
        json!({"stage": 0, "decision": "advance", "rationale": "Why not."}),
        json!({"decision": "advance", "rationale": "Why not."}),
    ] {
        let refused = app.post(&decisions, Some(&unit), bad.clone()).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            refused.body
        );
    }
    let stranger = decide(&app, &id, &eve, 1, "advance").await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
    let other_stage = decide(&app, &id, &lead, 1, "advance").await;
    assert_eq!(other_stage.status, StatusCode::FORBIDDEN);
    assert!(
        other_stage.message().contains("stage 1"),
        "{}",
        other_stage.message()
    );
    let ahead = decide(&app, &id, &unit, 2, "advance").await;
    assert_eq!(ahead.status, StatusCode::CONFLICT, "{}", ahead.body);
    assert_eq!(log_len(&app, &id, &ada).await, 0, "nothing was recorded");

    // Reject closes the nomination at its stage.
    let rejected = decide(&app, &id, &unit, 1, "reject")
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(rejected["nomination"]["status"], "rejected");
    assert_eq!(rejected["nomination"]["stage"], 1);
    for (token, stage) in [(&unit, 1), (&lead, 2)] {
        let closed = decide(&app, &id, token, stage, "advance").await;
        assert_eq!(closed.status, StatusCode::CONFLICT, "{}", closed.body);
    }
    let withdraw = app
        .post(
            &format!("/api/v1/nominations/{id}/withdraw"),
            Some(&ada),
            json!({}),
        )
        .await;
    assert_eq!(
        withdraw.status,
        StatusCode::CONFLICT,
        "a decided nomination stays"
    );
    assert_eq!(log_len(&app, &id, &ada).await, 1);
    assert_eq!(
        app.get("/api/v1/me/ranks", Some(&ada))
            .await
            .expect(StatusCode::OK),
        json!([])
    );
}

/// Creates a cycle (at the admin's `cycles` path) and asks for the
/// member's self-nomination in it.
async fn self_nomination_in_new_cycle(
    app: &TestApp,
    admin: &str,
    cycles: &str,
    cycle: Value,
    member: &str,
) -> trellis_testing::Reply {
    let created = app
        .post(cycles, Some(admin), cycle)
        .await
        .expect(StatusCode::CREATED);
    app.post(
        &format!(
            "/api/v1/cycles/{}/nominations",
            created["id"].as_str().unwrap()
        ),
        Some(member),
        json!({"target_rank": "Principal", "statement": "Me."}),
    )
    .await
}

#[on_every_backend]
async fn a_sponsored_nomination_waits_for_the_nominee(app: TestApp) {
    let admin = app.admin("root").await;
    let (grace, ada, mentorship) = active_pair(&app).await;
    let sam = app.member("sam").await;
    let unit = app.member("unit").await;
    let (_, cycle) = track_and_cycle(&app, &admin, &[&["unit"]]).await;
    let nominate = format!("/api/v1/cycles/{cycle}/nominations");
    // A sponsor cannot pick from a file they cannot read.
    let with_evidence = app
        .post(
            &nominate,
            Some(&sam),
            json!({"nominee": "ada", "target_rank": "Principal", "statement": "Ada.", "evidence": [{"kind": "mentorship", "item": mentorship}]}),
        )
        .await;
    assert_eq!(
        with_evidence.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        with_evidence.body
    );
    let nominated = app
        .post(
            &nominate,
            Some(&sam),
            json!({"nominee": "ada", "target_rank": "Principal", "statement": "Ada."}),
        )
        .await
        .expect(StatusCode::CREATED);
    let id = nominated["id"].as_str().unwrap().to_owned();
    let waiting = decide(&app, &id, &unit, 1, "advance").await;
    assert_eq!(waiting.status, StatusCode::CONFLICT, "{}", waiting.body);
    assert!(
        waiting.message().contains("accepted"),
        "{}",
        waiting.message()
    );
    let evidence = format!("/api/v1/nominations/{id}/evidence");
    let pick = json!({"evidence": [{"kind": "mentorship", "item": mentorship}]});
    let by_sponsor = app.put(&evidence, Some(&sam), pick.clone()).await;
    assert_eq!(by_sponsor.status, StatusCode::FORBIDDEN);
    let by_stranger = app.put(&evidence, Some(&grace), pick.clone()).await;
    assert_eq!(by_stranger.status, StatusCode::NOT_FOUND);
    let picked = app
        .put(&evidence, Some(&ada), pick)
        .await
        .expect(StatusCode::OK);
    assert_eq!(picked["accepted"], true);
    assert_eq!(picked["evidence"][0]["kind"], "mentorship");
    // Withdrawn by the nominee only; then nothing is decided.
    let withdraw = format!("/api/v1/nominations/{id}/withdraw");
    assert_eq!(
        app.post(&withdraw, Some(&sam), json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    let withdrawn = app
        .post(&withdraw, Some(&ada), json!({}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(withdrawn["status"], "withdrawn");
    let after = decide(&app, &id, &unit, 1, "advance").await;
    assert_eq!(after.status, StatusCode::CONFLICT);
    assert_eq!(log_len(&app, &id, &ada).await, 0);
}

#[on_every_backend]
async fn the_decision_log_is_append_only(app: TestApp) {
    let admin = app.admin("root").await;
    let ada = app.member("ada").await;
    let unit = app.member("unit").await;
    let (_, cycle) = track_and_cycle(&app, &admin, &[&["unit"], &["unit"]]).await;
    let own = app
        .post(
            &format!("/api/v1/cycles/{cycle}/nominations"),
            Some(&ada),
            json!({"target_rank": "Principal", "statement": "Me."}),
        )
        .await
        .expect(StatusCode::CREATED);
    let id = own["id"].as_str().unwrap().to_owned();
    decide(&app, &id, &unit, 1, "defer")
        .await
        .expect(StatusCode::CREATED);
    let before = app
        .get(&format!("/api/v1/nominations/{id}/log"), Some(&ada))
        .await
        .expect(StatusCode::OK);
    // Not even a statement sent to the database itself changes it.
    for statement in [
        "UPDATE nomination_decisions SET decision = 'advance', rationale = 'Rewritten.'",
        "DELETE FROM nomination_decisions",
    ] {
        let refused = app.store.execute_unchecked(statement).await;
        assert!(
            format!("{refused:?}").contains("append-only"),
            "{statement}: {refused:?}"
        );
    }
    let after = app
        .get(&format!("/api/v1/nominations/{id}/log"), Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(before, after);
    assert_eq!(after[0]["decision"], "defer");
    // The API has no way to change or remove an entry either.
    for method in [
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
        reqwest::Method::PATCH,
    ] {
        let reply = app
            .send(
                method.clone(),
                &format!("/api/v1/nominations/{id}/log"),
                Some(&unit),
                Some(json!({})),
            )
            .await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
    }
}
