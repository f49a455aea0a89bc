//! Recognition on one instance: participation figures, achievements
//! awarded by rule (once) and by hand, and credentials — issued, served,
//! revoked and verified, by this server and independently of it.

use std::io::Read;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use rsa::RsaPublicKey;
use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::pkcs8::DecodePublicKey;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use trellis_testing::{TestApp, first_problem, on_every_backend};

use crate::reviews::{mentee_skills, review};
use crate::sessions::active_pair;

/// Logs a session of `minutes` at `held_at` in mentorship `id`.
async fn session(app: &TestApp, token: &str, id: &str, held_at: &str, minutes: u32) {
    app.post(
        &format!("/api/v1/mentorships/{id}/sessions"),
        Some(token),
        json!({"held_at": held_at, "duration_minutes": minutes, "topics": [], "notes": "", "action_items": []}),
    )
    .await
    .expect(StatusCode::CREATED);
}

#[on_every_backend]
async fn participation_figures_are_exact_on_a_crafted_history(app: TestApp) {
    let (grace, ada, id) = active_pair(&app).await;
    session(&app, &grace, &id, "2025-03-01T10:00:00Z", 45).await;
    session(&app, &ada, &id, "2026-02-01T10:00:00Z", 90).await;
    // Planned for later: it does not count yet.
    session(&app, &grace, &id, "2031-01-01T10:00:00Z", 60).await;
    mentee_skills(&app, &ada).await;
    let ratings = [("networking.dns", 3), ("databases.sql-query-design", 2)];
    review(&app, &id, &grace, &ada, &ratings, &ratings).await;
    app.complete(&ada, &id).await;

    let this_year = chrono::Utc::now().format("%Y").to_string();
    let years = if this_year == "2025" || this_year == "2026" {
        2
    } else {
        3
    };
    let mine = app
        .get("/api/v1/me/participation", Some(&grace))
        .await
        .expect(StatusCode::OK);
    let total = &mine["total"];
    assert_eq!(total["sessions_as_mentor"], 2);
    assert_eq!(total["minutes_as_mentor"], 135);
    assert_eq!(total["sessions_as_mentee"], 0);
    assert_eq!(total["mentees_mentored"], 1);
    assert_eq!(total["mentorships_completed_as_mentor"], 1);
    assert_eq!(total["mentorships_completed_as_mentee"], 0);
    assert_eq!(total["reviews_done"], 1);
    assert_eq!(total["years_active"], years);
    // All of it happened here, at this instance.
    let by_org = mine["by_organization"].as_object().unwrap();
    assert_eq!(by_org.len(), 1);
    assert_eq!(&by_org[&app.domain()], total);

    let theirs = app
        .get("/api/v1/me/participation", Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(theirs["total"]["sessions_as_mentee"], 2);
    assert_eq!(theirs["total"]["minutes_as_mentee"], 135);
    assert_eq!(theirs["total"]["mentees_mentored"], 0);
    assert_eq!(theirs["total"]["mentorships_completed_as_mentee"], 1);
    assert_eq!(theirs["total"]["reviews_done"], 1);

    // A newcomer has nothing, and strangers see nothing.
    let newcomer = app.member("newcomer").await;
    let empty = app
        .get("/api/v1/me/participation", Some(&newcomer))
        .await
        .expect(StatusCode::OK);
    assert_eq!(empty["total"]["sessions_as_mentor"], 0);
    assert_eq!(empty["by_organization"], json!({}));
    let anonymous = app.get("/api/v1/me/participation", None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    // The statement of it is a credential with the figures as evidence.
    let issued = app.issue_statement(&grace).await;
    // It is in the member's exported file, as signed.
    let archive = app
        .get("/api/v1/me/export", Some(&grace))
        .await
        .expect(StatusCode::OK);
    assert_eq!(archive["credentials"].as_array().unwrap().len(), 1);
    assert_eq!(archive["credentials"][0]["jwt"], issued["jwt"]);
    assert_eq!(archive["credentials"][0]["url"], issued["url"]);
    let theirs_exported = app
        .get("/api/v1/me/export", Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(theirs_exported["credentials"], json!([]));
    assert_eq!(issued["kind"], "participation");
    let claims = claims_of(issued["jwt"].as_str().unwrap());
    let evidence = claims["evidence"][0]["narrative"].as_str().unwrap();
    assert!(
        evidence.starts_with("2 sessions as mentor (2 hours)"),
        "{evidence}"
    );
}

/// The header and claims of a compact JWT, read without checking.
fn claims_of(jwt: &str) -> Value {
    part_of(jwt, 1)
}

fn part_of(jwt: &str, n: usize) -> Value {
    let part = jwt.split('.').nth(n).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

async fn retire(app: &TestApp, admin: &str, achievement: &Value) {
    let id = achievement["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/admin/achievements/{id}/retire"),
        Some(admin),
        json!({}),
    )
    .await
    .expect(StatusCode::OK);
}

/// The awards of the member signed in with `token`.
async fn awards_of(app: &TestApp, token: &str) -> Value {
    app.get("/api/v1/me/awards", Some(token))
        .await
        .expect(StatusCode::OK)
}

async fn define(app: &TestApp, admin: &str, body: Value) -> Value {
    app.post("/api/v1/admin/achievements", Some(admin), body)
        .await
        .expect(StatusCode::CREATED)
}

fn an_hour_of_mentoring() -> Value {
    json!({
        "name": "First hour of mentoring",
        "description": "An hour given to someone else's growth.",
        "criteria_narrative": "Log at least one hour of sessions as a mentor.",
        "alignment": [{"target_name": "DNS operations", "skill": "networking.dns"}],
        "rule": {"metric": "hours_as_mentor", "at_least": 1},
    })
}

#[on_every_backend]
async fn an_automatic_award_happens_once_with_its_credential(app: TestApp) {
    let root = app.admin("root").await;
    let (grace, ada, id) = active_pair(&app).await;
    let defined = define(&app, &root, an_hour_of_mentoring()).await;
    assert_eq!(defined["rule"]["metric"], "hours_as_mentor");

    session(&app, &grace, &id, "2026-10-01T10:00:00Z", 45).await;
    let none = awards_of(&app, &grace).await;
    assert_eq!(none, json!([]), "45 minutes are not an hour");

    // The threshold is crossed by a session the mentee logs.
    session(&app, &ada, &id, "2026-10-08T10:00:00Z", 30).await;
    for _ in 0..3 {
        session(&app, &grace, &id, "2026-10-15T10:00:00Z", 60).await;
    }
    let awards = awards_of(&app, &grace).await;
    let awards = awards.as_array().unwrap();
    assert_eq!(awards.len(), 1, "{awards:?}");
    assert_eq!(awards[0]["achievement_name"], "First hour of mentoring");
    assert_eq!(awards[0]["automatic"], true);

    let credentials = app
        .get("/api/v1/me/credentials", Some(&grace))
        .await
        .expect(StatusCode::OK);
    let credentials = credentials.as_array().unwrap();
    assert_eq!(credentials.len(), 1);
    assert_eq!(credentials[0]["kind"], "award");
    assert_eq!(credentials[0]["id"], awards[0]["credential_id"]);
    assert_eq!(credentials[0]["url"], awards[0]["credential_url"]);
    let claims = claims_of(credentials[0]["jwt"].as_str().unwrap());
    assert_eq!(claims["id"], credentials[0]["url"]);
    assert_eq!(
        claims["credentialSubject"]["id"],
        app.url("/users/grace").replace("127.0.0.1", "localhost")
    );
    let achievement = &claims["credentialSubject"]["achievement"];
    assert_eq!(achievement["name"], "First hour of mentoring");
    assert_eq!(
        achievement["criteria"]["narrative"],
        "Log at least one hour of sessions as a mentor."
    );
    assert_eq!(achievement["alignment"][0]["targetName"], "DNS operations");

    // The member is told; the mentee, who mentors no one, earned nothing.
    let told = app
        .get("/api/v1/notifications", Some(&grace))
        .await
        .expect(StatusCode::OK);
    assert!(told.to_string().contains("achievement_awarded"), "{told}");
    let mentee = awards_of(&app, &ada).await;
    assert_eq!(mentee, json!([]));
}

#[on_every_backend]
async fn a_new_rule_awards_members_who_already_meet_it(app: TestApp) {
    let root = app.admin("root").await;
    let (grace, ada, id) = active_pair(&app).await;
    session(&app, &grace, &id, "2026-10-01T10:00:00Z", 30).await;
    define(
        &app,
        &root,
        json!({
            "name": "First session",
            "description": "A first check-in as a mentee.",
            "criteria_narrative": "Take part in a session as a mentee.",
            "rule": {"metric": "sessions_as_mentee", "at_least": 1},
        }),
    )
    .await;
    let awards = awards_of(&app, &ada).await;
    assert_eq!(awards.as_array().unwrap().len(), 1);
    // More sessions do not award it again.
    session(&app, &ada, &id, "2026-10-02T10:00:00Z", 30).await;
    let awards = awards_of(&app, &ada).await;
    assert_eq!(awards.as_array().unwrap().len(), 1);
    let mentor = awards_of(&app, &grace).await;
    assert_eq!(mentor, json!([]));

    // A retired rule awards no one.
    let retired = define(
        &app,
        &root,
        json!({
            "name": "Two sessions",
            "description": "d",
            "criteria_narrative": "c",
            "rule": {"metric": "sessions_as_mentor", "at_least": 3},
        }),
    )
    .await;
    retire(&app, &root, &retired).await;
    session(&app, &grace, &id, "2026-10-03T10:00:00Z", 30).await;
    session(&app, &grace, &id, "2026-10-04T10:00:00Z", 30).await;
    let mentor = awards_of(&app, &grace).await;
    assert_eq!(mentor, json!([]));
    let listed = app
        .get("/api/v1/admin/achievements", Some(&root))
        .await
        .expect(StatusCode::OK);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let all = app
        .get(
            "/api/v1/admin/achievements?include_retired=true",
            Some(&root),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(all.as_array().unwrap().len(), 2);
}

/// The names of the achievements a member holds, sorted.
async fn held(app: &TestApp, token: &str) -> Vec<String> {
    let mut names: Vec<String> = awards_of(app, token)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["achievement_name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[on_every_backend]
async fn each_event_that_changes_participation_checks_the_rules(app: TestApp) {
    let root = app.admin("root").await;
    let (grace, ada, id) = active_pair(&app).await;
    for (name, metric, at_least) in [
        ("Two hours", "hours_as_mentor", 2),
        ("First review", "reviews_done", 1),
        ("First completion", "mentorships_completed_as_mentor", 1),
    ] {
        define(
            &app,
            &root,
            json!({"name": name, "description": "d", "criteria_narrative": "c",
                   "rule": {"metric": metric, "at_least": at_least}}),
        )
        .await;
    }
    let sessions = format!("/api/v1/mentorships/{id}/sessions");
    let logged = app
        .post(
            &sessions,
            Some(&grace),
            json!({"held_at": "2026-10-01T10:00:00Z", "duration_minutes": 60,
                   "topics": [], "notes": "", "action_items": []}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert!(held(&app, &grace).await.is_empty());
    // A session made longer crosses the threshold.
    app.put(
        &format!("{sessions}/{}", logged["id"].as_str().unwrap()),
        Some(&ada),
        json!({"held_at": "2026-10-01T10:00:00Z", "duration_minutes": 120,
               "topics": [], "notes": "", "action_items": []}),
    )
    .await
    .expect(StatusCode::OK);
    assert_eq!(held(&app, &grace).await, ["Two hours"]);
    // A completed review counts for both parties.
    mentee_skills(&app, &ada).await;
    let ratings = [("networking.dns", 3), ("databases.sql-query-design", 2)];
    review(&app, &id, &grace, &ada, &ratings, &ratings).await;
    assert_eq!(held(&app, &grace).await, ["First review", "Two hours"]);
    assert_eq!(held(&app, &ada).await, ["First review"]);
    // A completed mentorship counts for its mentor.
    app.complete(&ada, &id).await;
    assert_eq!(
        held(&app, &grace).await,
        ["First completion", "First review", "Two hours"]
    );
    assert_eq!(held(&app, &ada).await, ["First review"]);
}

#[on_every_backend]
async fn a_session_logged_ahead_earns_its_award_when_its_time_comes(mut app: TestApp) {
    let root = app.admin("root").await;
    let (grace, _, id) = active_pair(&app).await;
    define(
        &app,
        &root,
        json!({"name": "First session", "description": "d", "criteria_narrative": "c",
               "rule": {"metric": "sessions_as_mentor", "at_least": 1}}),
    )
    .await;
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    session(&app, &grace, &id, &soon, 30).await;
    assert!(held(&app, &grace).await.is_empty(), "not held yet");
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    // The server looks at sessions whose time has come when it starts
    // (and every ten minutes).
    app.stop().await;
    app.start().await;
    trellis_testing::eventually("the award is made", || async {
        held(&app, &grace).await == ["First session"]
    })
    .await;
}

#[on_every_backend]
async fn hand_awards_need_an_admin_a_reason_and_happen_once(app: TestApp) {
    let root = app.admin("root").await;
    let ada = app.member("ada").await;
    let manual = json!({
        "name": "Community builder",
        "description": "Organised the spring meetup.",
        "criteria_narrative": "Awarded by the program team for work that grows the community.",
    });
    // Members do not define or award.
    let refused = app
        .post("/api/v1/admin/achievements", Some(&ada), manual.clone())
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // Bad definitions change nothing.
    for (bad, field) in [
        (
            json!({"name": " ", "description": "d", "criteria_narrative": "c"}),
            "name",
        ),
        (
            json!({"name": "n", "description": "d", "criteria_narrative": "c",
                   "rule": {"metric": "karma", "at_least": 3}}),
            "",
        ),
        (
            json!({"name": "n", "description": "d", "criteria_narrative": "c",
                   "rule": {"metric": "reviews_done", "at_least": 0}}),
            "at_least",
        ),
        (
            json!({"name": "n", "description": "d", "criteria_narrative": "c",
                   "alignment": [{"target_name": "x", "skill": "no.such-skill"}]}),
            "skill",
        ),
    ] {
        let reply = app
            .post("/api/v1/admin/achievements", Some(&root), bad)
            .await;
        assert!(
            reply.status == StatusCode::UNPROCESSABLE_ENTITY
                || reply.status == StatusCode::BAD_REQUEST,
            "{}",
            reply.body
        );
        assert!(reply.message().contains(field), "{}", reply.message());
    }
    let listed = app
        .get("/api/v1/admin/achievements", Some(&root))
        .await
        .expect(StatusCode::OK);
    assert_eq!(listed, json!([]));

    let defined = define(&app, &root, manual).await;
    let awards = format!(
        "/api/v1/admin/achievements/{}/awards",
        defined["id"].as_str().unwrap()
    );
    let body = json!({"member": "ada", "reason": "Ran the spring meetup"});
    let refused = app.post(&awards, Some(&ada), body.clone()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let no_reason = app
        .post(
            &awards,
            Some(&root),
            json!({"member": "ada", "reason": "  "}),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let nobody = app
        .post(
            &awards,
            Some(&root),
            json!({"member": "nobody", "reason": "r"}),
        )
        .await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/api/v1/me/awards", Some(&ada))
            .await
            .expect(StatusCode::OK),
        json!([])
    );

    let awarded = app
        .post(&awards, Some(&root), body.clone())
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(awarded["automatic"], false);
    assert_eq!(awarded["reason"], "Ran the spring meetup");
    let again = app.post(&awards, Some(&root), body.clone()).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let mine = app
        .get("/api/v1/me/credentials", Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let claims = claims_of(mine[0]["jwt"].as_str().unwrap());
    assert_eq!(
        claims["credentialSubject"]["narrative"],
        "Ran the spring meetup"
    );
    let achievement = resolved_achievement(&app, &claims).await;
    assert_eq!(achievement["name"], defined["name"]);
    assert!(achievement["id"].as_str().unwrap().ends_with(&format!(
        "/achievements/{}",
        defined["id"].as_str().unwrap()
    )));

    // A retired achievement is no longer awarded.
    retire(&app, &root, &defined).await;
    app.register("bob").await;
    let retired = app
        .post(
            &awards,
            Some(&root),
            json!({"member": "bob", "reason": "r"}),
        )
        .await;
    assert_eq!(retired.status, StatusCode::CONFLICT);
}

/// The revocation bit of a credential, read from its status list with
/// nothing of Trellis: the list's JWT claims, GZIP and base64url.
async fn revoked_bit(app: &TestApp, jwt: &str) -> bool {
    let status = &claims_of(jwt)["credentialStatus"];
    let list = app
        .client
        .get(status["statusListCredential"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(list.headers()["content-type"], "application/vc+jwt");
    assert_eq!(list.headers()["cache-control"], "no-store");
    let list = list.text().await.unwrap();
    let encoded = claims_of(&list)["credentialSubject"]["encodedList"]
        .as_str()
        .unwrap()
        .to_owned();
    let gzip = URL_SAFE_NO_PAD
        .decode(encoded.strip_prefix('u').unwrap())
        .unwrap();
    let mut bits = Vec::new();
    flate2::read::GzDecoder::new(gzip.as_slice())
        .read_to_end(&mut bits)
        .unwrap();
    let index: usize = status["statusListIndex"].as_str().unwrap().parse().unwrap();
    bits[index / 8] & (0x80 >> (index % 8)) != 0
}

#[on_every_backend]
async fn revocation_flips_the_report_and_the_status_list(app: TestApp) {
    let root = app.admin("root").await;
    let ada = app.member("ada").await;
    let issued = app.issue_statement(&ada).await;
    let jwt = issued["jwt"].as_str().unwrap();
    let report = app.verify_credential(jwt).await;
    assert_eq!(report["verified"], true, "{report}");
    assert_eq!(report["signature_valid"], true);
    assert_eq!(report["revoked"], false);
    assert_eq!(report["expired"], false);
    let base = format!("http://{}", app.domain());
    assert_eq!(report["issuer"]["id"], format!("{base}/actor"));
    assert_eq!(report["issuer"]["name"], "Trellis");
    assert_eq!(report["subject"], format!("{base}/users/ada"));
    assert_eq!(report["key_id"], format!("{base}/actor#main-key"));
    assert_eq!(report["problems"], json!([]));
    assert!(!revoked_bit(&app, jwt).await);

    let revoke = format!(
        "/api/v1/admin/credentials/{}/revoke",
        issued["id"].as_str().unwrap()
    );
    // Only admins revoke, and only with a reason.
    let refused = app
        .post(&revoke, Some(&ada), json!({"reason": "mine"}))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let no_reason = app.post(&revoke, Some(&root), json!({"reason": ""})).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = app
        .post(
            &format!("/api/v1/admin/credentials/{}/revoke", uuid::Uuid::now_v7()),
            Some(&root),
            json!({"reason": "r"}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(app.verify_credential(jwt).await["revoked"], false);

    let revoked = app
        .post(&revoke, Some(&root), json!({"reason": "Issued in error"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(revoked["revoked_reason"], "Issued in error");
    let report = app.verify_credential(jwt).await;
    assert_eq!(report["revoked"], true, "{report}");
    assert_eq!(report["verified"], false);
    assert_eq!(report["signature_valid"], true);
    assert!(report["problems"].to_string().contains("revoked"));
    assert!(revoked_bit(&app, jwt).await);
    // Revoking again keeps the first reason.
    let again = app
        .post(&revoke, Some(&root), json!({"reason": "Other"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(again["revoked_reason"], "Issued in error");
    let told = app
        .get("/api/v1/notifications", Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        told.to_string().matches("credential_revoked").count(),
        1,
        "{told}"
    );
    let mine = app
        .get("/api/v1/me/credentials", Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(mine[0]["revoked_reason"], "Issued in error");
}

/// A JWT with `claims` changed by `change`, its signature kept.
fn with_claims(jwt: &str, change: impl FnOnce(&mut Value)) -> String {
    let mut parts: Vec<String> = jwt.split('.').map(str::to_owned).collect();
    let mut claims = claims_of(jwt);
    change(&mut claims);
    parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
    parts.join(".")
}

#[on_every_backend]
async fn tampered_and_foreign_credentials_are_reported_and_garbage_refused(app: TestApp) {
    let ada = app.member("ada").await;
    let issued = app.issue_statement(&ada).await;
    let jwt = issued["jwt"].as_str().unwrap();

    let tampered = with_claims(jwt, |c| {
        c["credentialSubject"]["narrative"] = json!("A thousand sessions as mentor.");
    });
    let report = app.verify_credential(&tampered).await;
    assert_eq!(report["signature_valid"], false, "{report}");
    assert_eq!(report["verified"], false);
    assert!(
        first_problem(&report).contains("signature does not match"),
        "{report}"
    );

    // Naming another issuer than the key's own site is refused outright.
    let mut header = part_of(jwt, 0);
    header["kid"] = json!("http://localhost:1/actor#main-key");
    let mut parts: Vec<String> = jwt.split('.').map(str::to_owned).collect();
    parts[0] = URL_SAFE_NO_PAD.encode(header.to_string());
    let foreign_key = parts.join(".");
    let report = app.verify_credential(&foreign_key).await;
    assert_eq!(report["signature_valid"], false);
    assert!(
        first_problem(&report).contains("not on the issuer's site"),
        "{report}"
    );

    // A key that cannot be fetched is reported, not a server error.
    let unreachable = with_claims(&foreign_key, |c| {
        c["issuer"]["id"] = json!("http://localhost:1/actor");
        c["iss"] = json!("http://localhost:1/actor");
    });
    let report = app.verify_credential(&unreachable).await;
    assert_eq!(report["signature_valid"], false);
    assert!(
        first_problem(&report).contains("could not be fetched"),
        "{report}"
    );

    for garbage in ["hello", "a.b.c", "", &"x".repeat(40_000)] {
        let reply = app
            .post(
                "/api/v1/credentials/verify",
                None,
                json!({"credential": garbage}),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{garbage:.20}: {}",
            reply.body
        );
        assert!(!reply.message().is_empty());
    }
    let missing = app
        .post("/api/v1/credentials/verify", None, json!({}))
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[on_every_backend]
async fn awards_and_credentials_are_listed_to_their_owner_alone(app: TestApp) {
    let ada = app.member("ada").await;
    let grace = app.member("grace").await;
    let issued = app.issue_statement(&ada).await;
    for path in [
        "/api/v1/me/credentials",
        "/api/v1/me/awards",
        "/api/v1/me/participation",
    ] {
        assert_eq!(app.get(path, None).await.status, StatusCode::UNAUTHORIZED);
    }
    let anonymous = app
        .post("/api/v1/me/credentials/participation", None, json!({}))
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let others = app
        .get("/api/v1/me/credentials", Some(&grace))
        .await
        .expect(StatusCode::OK);
    assert_eq!(others, json!([]), "grace sees none of ada's credentials");
    let admins_only = app.get("/api/v1/admin/achievements", Some(&grace)).await;
    assert_eq!(admins_only.status, StatusCode::FORBIDDEN);

    // The credential's own URL is public by design: its holder shares it.
    let url = issued["url"].as_str().unwrap();
    let public = app.client.get(url).send().await.unwrap();
    assert_eq!(public.status(), StatusCode::OK);
    assert_eq!(public.headers()["content-type"], "application/vc+jwt");
    assert_eq!(
        public.text().await.unwrap(),
        issued["jwt"].as_str().unwrap()
    );
    let as_json = app
        .client
        .get(url)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    let as_json: Value = as_json.json().await.unwrap();
    assert_eq!(as_json["id"], url);
    assert_eq!(
        as_json["type"],
        json!(["VerifiableCredential", "OpenBadgeCredential"])
    );
    let missing = app
        .client
        .get(app.url(&format!("/credentials/{}", uuid::Uuid::now_v7())))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let no_list = app
        .client
        .get(app.url("/credentials/status/7"))
        .send()
        .await
        .unwrap();
    assert_eq!(no_list.status(), StatusCode::NOT_FOUND);
}

/// Checks a VC-JWT's RS256 signature with the issuer's published key and
/// nothing of Trellis: the `kid` URL is fetched over HTTP, the key with
/// that id taken from the actor document, and the signature checked with
/// `rsa` and `sha2`. Returns the claims it vouches for.
/// The `Achievement` a credential names, fetched at its id: the same
/// object the credential carries, as a JSON-LD document of its own.
async fn resolved_achievement(app: &TestApp, claims: &Value) -> Value {
    let named = &claims["credentialSubject"]["achievement"];
    let answer = app
        .client
        .get(named["id"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()["content-type"], "application/ld+json");
    let mut document: Value = answer.json().await.unwrap();
    assert_eq!(document["@context"], claims["@context"]);
    document.as_object_mut().unwrap().remove("@context");
    assert_eq!(&document, named);
    assert_eq!(document["type"], json!(["Achievement"]));
    document
}

async fn check_independently(client: &reqwest::Client, jwt: &str) -> Result<Value, String> {
    let header = part_of(jwt, 0);
    assert_eq!(header["alg"], "RS256");
    // As VC-JOSE-COSE registers it for VCDM 2.0 credentials.
    assert_eq!(header["typ"], "vc+jwt");
    let kid = header["kid"].as_str().unwrap();
    let (document_url, _) = kid.split_once('#').unwrap();
    let actor: Value = client
        .get(document_url)
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(actor["publicKey"]["id"], kid);
    let pem = actor["publicKey"]["publicKeyPem"].as_str().unwrap();
    let key = RsaPublicKey::from_public_key_pem(pem).unwrap();
    let (signed, signature) = jwt.rsplit_once('.').unwrap();
    let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    key.verify(
        Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(signed.as_bytes()),
        &signature,
    )
    .map_err(|e| e.to_string())?;
    // The issuer is the actor whose key signed it.
    let claims = claims_of(jwt);
    assert_eq!(claims["iss"], actor["id"]);
    assert_eq!(claims["issuer"]["id"], actor["id"]);
    Ok(claims)
}

#[on_every_backend]
async fn a_credential_verifies_with_the_issuers_published_key_alone(app: TestApp) {
    let ada = app.member("ada").await;
    let issued = app.issue_statement(&ada).await;
    let jwt = app
        .client
        .get(issued["url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let claims = check_independently(&app.client, &jwt)
        .await
        .expect("the signature verifies with the published key");
    assert_eq!(claims["jti"], issued["url"]);
    assert_eq!(claims["sub"], claims["credentialSubject"]["id"]);
    assert!(claims["nbf"].as_i64().is_some());
    assert_eq!(
        claims["@context"][1],
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
    );
    let achievement = resolved_achievement(&app, &claims).await;
    assert_eq!(achievement["achievementType"], "ext:ParticipationStatement");
    let unknown = app.get("/achievements/no-such-thing", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    // A changed credential does not verify independently either.
    let tampered = with_claims(&jwt, |c| c["name"] = json!("Something else"));
    assert!(check_independently(&app.client, &tampered).await.is_err());
}
