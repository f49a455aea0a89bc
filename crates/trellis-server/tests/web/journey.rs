//! A newcomer joins Northwind, fills in a profile, finds a mentor at
//! Harbor (a partner) and asks; the mentor accepts in their own browser on
//! their own instance; they log sessions, review skills three times until
//! the drift warning shows; the newcomer earns an award whose public page
//! says it is valid, and then, after the admin revokes it, revoked; the
//! file exports. Every page on the way passes axe-core.

use reqwest::StatusCode;
use serde_json::json;
use trellis_testing::{PASSWORD, eventually};

use crate::browser::{Browser, eval};
use crate::{api, mentor_at, partnered};

/// Signs in through the login page.
pub async fn sign_in(b: &Browser, username: &str) {
    b.go("/login").await;
    b.fill("username", username).await;
    b.fill("password", PASSWORD).await;
    b.press("Sign in").await;
    assert_eq!(b.path().await, "/home", "signing in as {username}");
}

/// The rating part of a review, submitted through the mentorship page.
async fn rate(b: &Browser, mentorship: &str, ratings: &[(&str, u8)]) {
    b.go(&format!("/mentorships/{mentorship}")).await;
    for (skill, level) in ratings {
        b.select_named(&format!("rating_{skill}"), &level.to_string())
            .await;
    }
    b.press("Submit my part").await;
    assert!(
        b.text()
            .await
            .contains("Your part of the review was saved."),
        "{}",
        b.text().await
    );
}

#[tokio::test]
async fn a_newcomer_finds_a_mentor_at_a_partner_and_they_grow_together() {
    let (north, harbor) = partnered("Northwind Networks", "Harbor Systems").await;
    mentor_at(&harbor, "bo").await;
    let Some(ada) = Browser::open(&north.base(), 1280).await else {
        return;
    };

    // The landing page says what the program is and how to join.
    ada.go("/").await;
    assert_eq!(ada.h1().await, "Northwind Networks");
    assert!(
        ada.text()
            .await
            .contains("The mentoring program of Northwind Networks.")
    );
    assert!(
        ada.text().await.contains("Harbor Systems"),
        "partners are named"
    );
    ada.assert_accessible().await;
    ada.screenshot("landing").await;

    // Joining: a password that breaks the rules is refused next to its
    // field, with the username kept.
    ada.follow("Join").await;
    ada.fill("username", "ada").await;
    ada.fill("password", "short").await;
    ada.fill("password_again", "short").await;
    ada.press("Create my account").await;
    assert!(
        ada.has("#password-error").await,
        "the error is next to the field"
    );
    assert_eq!(ada.value_of("username").await, "ada");
    ada.assert_accessible().await;
    ada.fill("password", PASSWORD).await;
    ada.fill("password_again", PASSWORD).await;
    ada.press("Create my account").await;
    assert_eq!(ada.path().await, "/profile?welcome=1");

    // The profile: skills picked by name, a goal, who may see it.
    ada.assert_accessible().await;
    ada.fill("display_name", "Ada Lovelace").await;
    ada.fill("headline", "Junior network engineer").await;
    ada.select("timezone", "Europe/Berlin").await;
    ada.fill("languages", "en, de").await;
    ada.select("skill-new-0", "networking.dns").await;
    ada.select("level-new-0", "2").await;
    ada.click("#grow-new-0").await;
    ada.select("skill-new-1", "databases.sql-query-design")
        .await;
    ada.select("level-new-1", "2").await;
    ada.select("target-new-0", "networking.dns").await;
    ada.select("target-level-new-0", "4").await;
    ada.click("input[name=visibility][value=federated]").await;
    ada.press("Save profile").await;
    assert!(ada.text().await.contains("Your profile was saved."));
    ada.screenshot("profile").await;

    // The career plan aims at DNS.
    ada.go("/plan").await;
    ada.fill("goal-0-title", "Own the DNS platform").await;
    ada.select("goal-0-skill-0", "networking.dns").await;
    ada.select("goal-0-level-0", "4").await;
    ada.fill("goal-0-ms-0", "Run a DNSSEC key rollover").await;
    ada.press("Save plan").await;
    assert!(ada.text().await.contains("Your plan was saved."));
    assert!(
        ada.text()
            .await
            .contains("Goal \"Own the DNS platform\" added")
    );
    ada.assert_accessible().await;
    ada.screenshot("plan").await;

    // Finding a mentor at the partner, by a skill's name.
    ada.go("/mentors?scope=federated&q=DNS").await;
    let found = ada.text().await;
    assert!(found.contains("bo the mentor"), "{found}");
    assert!(found.contains("at a partner organization"));
    ada.assert_accessible().await;
    ada.screenshot("directory").await;
    ada.go("/mentors/matches").await;
    let matches = ada.text().await;
    assert!(matches.contains("bo the mentor"), "{matches}");
    assert!(matches.contains("of 100"), "the score's scale is shown");
    ada.click("details > summary").await;
    assert!(
        ada.text().await.contains("covers 1 of your 1 goal skills"),
        "{}",
        ada.text().await
    );
    ada.assert_accessible().await;
    ada.screenshot("matches").await;
    ada.follow("Ask to mentor you").await;
    ada.fill(
        "message",
        "I run DNS for a small hospital and want to grow.",
    )
    .await;
    ada.press("Send the request").await;
    assert!(ada.text().await.contains("Your request was sent."));
    assert!(ada.text().await.contains("Requested"));
    let mentorship = ada
        .path()
        .await
        .trim_start_matches("/mentorships/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    ada.assert_accessible().await;

    // The mentor, in a browser of their own on their own instance, accepts.
    let bo = Browser::open(&harbor.base(), 1280).await.unwrap();
    eventually("the request reaches Harbor", || async {
        let token = harbor.app.login("bo").await;
        api(&harbor, "/api/v1/mentorships", &token)
            .await
            .as_array()
            .is_some_and(|list| !list.is_empty())
    })
    .await;
    sign_in(&bo, "bo").await;
    assert!(bo.text().await.contains("They asked you to mentor them"));
    bo.assert_accessible().await;
    bo.follow(&format!("With ada@{}", north.app.domain())).await;
    bo.assert_accessible().await;
    bo.press("Accept").await;
    assert!(bo.text().await.contains("Active"));
    let ada_token = north.app.login("ada").await;
    eventually("Northwind sees the mentorship active", || async {
        api(
            &north,
            &format!("/api/v1/mentorships/{mentorship}"),
            &ada_token,
        )
        .await["state"]
            == "active"
    })
    .await;

    // A session with an action item, and Ada's private note.
    ada.go(&format!("/mentorships/{mentorship}")).await;
    assert!(ada.text().await.contains("Active"));
    ada.click("#sessions details > summary").await;
    ada.fill("duration_minutes", "45").await;
    ada.fill("topics", "DNSSEC, zone transfers").await;
    ada.fill("notes", "Walked through the rollover plan.").await;
    ada.fill("new-item-0", "Read RFC 6781").await;
    ada.press("Save the session").await;
    assert!(ada.text().await.contains("The session was saved."));
    assert!(ada.text().await.contains("Read RFC 6781"));
    ada.fill_first("textarea[name=text]", "I was nervous; it went well.")
        .await;
    ada.press("Save my note").await;
    assert!(ada.text().await.contains("Your private note was saved."));
    ada.assert_accessible().await;
    ada.screenshot("mentorship").await;

    // Three reviews: the plan's skill stalls while another rises, so the
    // drift warning shows after the third.
    // Harbor names the mentorship by an id of its own.
    let bo_token = harbor.app.login("bo").await;
    let on_harbor = api(&harbor, "/api/v1/mentorships", &bo_token).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (round, pg) in [2u8, 3, 4].into_iter().enumerate() {
        ada.go(&format!("/mentorships/{mentorship}")).await;
        ada.press("Start a skill review").await;
        assert!(ada.text().await.contains("The review was started."));
        rate(
            &ada,
            &mentorship,
            &[("networking.dns", 2), ("databases.sql-query-design", pg)],
        )
        .await;
        eventually("the review reaches Harbor", || async {
            let reviews = api(
                &harbor,
                &format!("/api/v1/mentorships/{on_harbor}/reviews"),
                &bo_token,
            )
            .await;
            reviews.as_array().map_or(0, Vec::len) == round + 1
        })
        .await;
        rate(
            &bo,
            &on_harbor,
            &[("networking.dns", 2), ("databases.sql-query-design", pg)],
        )
        .await;
        eventually("the review is completed at Northwind", || async {
            let reviews = api(
                &north,
                &format!("/api/v1/mentorships/{mentorship}/reviews"),
                &ada_token,
            )
            .await;
            reviews.as_array().is_some_and(|r| {
                r.len() == round + 1 && r.iter().all(|r| r["state"] == "completed")
            })
        })
        .await;
    }
    bo.assert_accessible().await;
    ada.go("/home").await;
    assert!(
        ada.text()
            .await
            .contains("Your growth is drifting from your plan"),
        "{}",
        ada.text().await
    );
    ada.screenshot("home").await;
    ada.go("/plan/growth").await;
    let growth = ada.text().await;
    assert!(
        growth.contains("SQL query design (outside the plan): +2 levels"),
        "{growth}"
    );
    assert!(ada.has("svg.chart polyline").await, "the chart is drawn");
    assert!(ada.has("svg.chart + table").await, "with its table");
    ada.assert_accessible().await;
    ada.screenshot("growth").await;

    // The file, and its export.
    ada.go("/file").await;
    assert!(ada.text().await.contains("A 45-minute session with bo@"));
    ada.assert_accessible().await;
    let export = eval(
        &ada,
        "return fetch('/file/export').then(r => r.json()).then(j => [j.format, j.mentorships.length])",
    )
    .await;
    assert_eq!(export, json!(["trellis.long-term-file", 1]));

    // An award for a first session, shown on its public page as valid,
    // then as revoked once the admin revokes it.
    let defined = north
        .app
        .post(
            "/api/v1/admin/achievements",
            Some(&north.admin),
            json!({"name": "First session", "description": "A first mentoring session.",
                   "criteria_narrative": "Log a session as a mentee.",
                   "rule": {"metric": "sessions_as_mentee", "at_least": 1}}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(defined["name"], "First session");
    ada.go("/recognition").await;
    assert!(
        ada.text().await.contains("First session"),
        "{}",
        ada.text().await
    );
    ada.assert_accessible().await;
    ada.screenshot("recognition").await;
    ada.follow("First session").await;
    let public = Browser::open(&north.base(), 1280).await.unwrap();
    let credential_page = ada.path().await;
    public.go(&credential_page).await;
    assert!(
        public.text().await.contains("This credential is valid"),
        "{}",
        public.text().await
    );
    assert!(public.text().await.contains("Northwind Networks"));
    public.assert_accessible().await;
    public.screenshot("credential").await;
    let credential = credential_page.trim_start_matches("/credentials/");
    north
        .app
        .post(
            &format!("/api/v1/admin/credentials/{credential}/revoke"),
            Some(&north.admin),
            json!({"reason": "Awarded by mistake"}),
        )
        .await
        .expect(StatusCode::OK);
    public.go(&credential_page).await;
    assert!(
        public
            .text()
            .await
            .contains("This credential was revoked by its issuer"),
        "{}",
        public.text().await
    );

    // Anyone can check it on the check page too, by its address.
    public.go("/credentials/check").await;
    public
        .fill("credential", &north.app.url(&credential_page))
        .await;
    public.press("Check").await;
    assert!(
        public
            .text()
            .await
            .contains("This credential was revoked by its issuer")
    );
    public.assert_accessible().await;

    for b in [ada, bo, public] {
        b.close().await;
    }
}
