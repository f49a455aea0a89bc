//! A program run in the browser by its admin and committees: settings and
//! invites, the catalog, partners and a block, a cohort matched, reviewed
//! and approved, an achievement earned by the rule, a three-stage
//! induction cycle decided by committees with recusal shown, and the
//! dashboard's figures compared with the API's report. Forged posts are
//! refused and change nothing.

use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_testing::eventually;

use crate::browser::Browser;
use crate::journey::sign_in;
use crate::{Site, api};

/// A member of `site` with a profile that matching can use.
async fn mentee(site: &Site, name: &str) -> String {
    let token = site.app.member(name).await;
    site.app
        .set_profile(
            &token,
            json!({"languages": ["en"], "timezone": "Europe/Berlin",
                   "skills": [{"skill": "networking.dns", "level": 2}],
                   "goals": {"summary": "Learn DNS", "targets": [{"skill": "networking.dns", "level": 5}]},
                   "visibility": "organization"}),
        )
        .await;
    token
}

async fn mentor(site: &Site, name: &str, capacity: u16) -> String {
    let token = site.app.member(name).await;
    site.app
        .set_profile(
            &token,
            json!({"languages": ["en"], "timezone": "Europe/Berlin",
                   "skills": [{"skill": "networking.dns", "level": 6}],
                   "mentor": {"offers_mentoring": true, "accepting_mentees": true,
                              "capacity": capacity, "hours_per_month": 4},
                   "visibility": "organization"}),
        )
        .await;
    token
}

#[tokio::test]
async fn an_admin_and_committees_run_the_program_in_the_browser() {
    let (north, harbor) = (
        Site::start("Northwind").await,
        Site::start("Harbor Systems").await,
    );
    let south = Site::start("Southport").await;
    // Members, made while registration is still open.
    let mut mentees = Vec::new();
    for name in ["m1", "m2", "m3", "m4", "m5", "m6"] {
        mentees.push((name, mentee(&north, name).await));
    }
    for name in ["t1", "t2", "t3"] {
        mentor(&north, name, 2).await;
    }
    for name in ["ada", "bob", "carol", "dave", "erin"] {
        north.app.member(name).await;
    }
    let second = north.app.admin("root2").await;
    let Some(root) = Browser::open(&north.base(), 1280).await else {
        return;
    };
    sign_in(&root, "root").await;

    // Settings: the organization's name, invite-only registration, an invite.
    root.follow("Admin").await;
    root.assert_accessible().await;
    root.go("/admin/settings").await;
    root.fill("organization_name", "Northwind Networks").await;
    root.fill(
        "organization_description",
        "Mentoring for Northwind's engineers.",
    )
    .await;
    root.click("input[name=registration_mode][value=invite-only]")
        .await;
    root.press("Save the settings").await;
    assert!(root.text().await.contains("The settings were saved."));
    let settings = api(&north, "/api/v1/admin/settings", &north.admin).await;
    assert_eq!(settings["organization_name"], "Northwind Networks");
    assert_eq!(settings["registration_mode"], "invite-only");
    root.fill("note", "For Fay").await;
    root.press("Create an invite").await;
    let link = root.value_of("invite-link").await;
    assert!(link.contains("/join/inv_"), "{link}");
    root.assert_accessible().await;
    // The link opens the join form with its code.
    let fay = Browser::open(&north.base(), 1280).await.unwrap();
    let at = link.find("/join/").unwrap();
    fay.go(&link[at..]).await;
    fay.fill("username", "fay").await;
    fay.fill("password", trellis_testing::PASSWORD).await;
    fay.fill("password_again", trellis_testing::PASSWORD).await;
    fay.press("Create my account").await;
    assert!(
        fay.path().await.starts_with("/profile"),
        "{}",
        fay.path().await
    );
    fay.close().await;

    // The catalog: a skill added.
    root.go("/admin/skills").await;
    root.click("details > summary").await;
    root.fill("key", "networking.bgp").await;
    root.fill("family", "networking").await;
    root.fill("name", "BGP").await;
    root.press("Add the skill").await;
    assert!(root.text().await.contains("The skill was added."));
    assert!(root.text().await.contains("BGP"));
    root.assert_accessible().await;

    // Partners: Northwind asks Harbor, whose admin accepts in a browser
    // of their own; Southport asks and is blocked.
    root.go("/admin/partners").await;
    root.fill("ask-domain", &harbor.app.domain()).await;
    root.press("Ask").await;
    assert!(root.text().await.contains("The request was sent."));
    assert!(root.text().await.contains("we asked; waiting for them"));
    let harbor_root = Browser::open(&harbor.base(), 1280).await.unwrap();
    sign_in(&harbor_root, "root").await;
    eventually("Northwind's request reaches Harbor", || async {
        harbor_root.go("/admin/partners").await;
        harbor_root
            .text()
            .await
            .contains("they asked; waiting for you")
    })
    .await;
    harbor_root.assert_accessible().await;
    harbor_root.press("Accept").await;
    assert!(harbor_root.text().await.contains("You are partners now."));
    harbor_root.close().await;
    eventually("Harbor's answer reaches Northwind", || async {
        api(&north, "/api/v1/admin/partners", &north.admin)
            .await
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["domain"] == harbor.app.domain().as_str() && p["partnership"] == "active")
    })
    .await;
    south
        .app
        .post(
            "/api/v1/admin/partners",
            Some(&south.admin),
            json!({"domain": north.app.domain()}),
        )
        .await
        .expect(StatusCode::OK);
    eventually("Southport's request arrives", || async {
        api(&north, "/api/v1/admin/partners", &north.admin)
            .await
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["domain"] == south.app.domain().as_str() && p["partnership"] == "pending")
    })
    .await;
    root.go("/admin/partners").await;
    assert!(root.text().await.contains("Harbor Systems"));
    assert!(root.text().await.contains("they asked; waiting for you"));
    root.assert_accessible().await;
    root.fill("block-domain", &south.app.domain()).await;
    root.fill("block-reason", "Not an organization we know")
        .await;
    root.press("Block").await;
    assert!(root.text().await.contains("The instance is blocked."));
    let blocks = api(&north, "/api/v1/admin/blocks", &north.admin).await;
    assert_eq!(blocks[0]["domain"], south.app.domain().as_str());
    // The health table is what the page fetches again to refresh itself.
    let (status, health) = fetched(&root, "/admin/partners/health").await;
    assert_eq!(status, 200);
    assert!(
        health.contains("id=\"health\"") && health.contains(&harbor.app.domain()),
        "{health}"
    );

    // A cohort of six mentees and three mentors, matched, reviewed, approved.
    root.go("/admin/cohorts").await;
    root.fill("cohort-name", "Spring 2027").await;
    root.press("Create the cohort").await;
    let cohort_page = root.path().await;
    root.fill("find", "t").await;
    root.press("Search").await;
    assert!(root.text().await.contains("offers mentoring"));
    root.fill("mentees", "m1\nm2\nm3\nm4\nm5\nm6").await;
    root.fill("mentors", "t1\nt2\nt3").await;
    root.press("Save the members").await;
    assert!(
        root.text()
            .await
            .contains("The cohort's members were saved.")
    );
    root.press("Match the cohort").await;
    assert!(
        root.text().await.contains("Total fit"),
        "{}",
        root.text().await
    );
    assert!(root.text().await.contains("with 6 mentees matched"));
    root.assert_accessible().await;
    root.screenshot("admin-cohort").await;
    root.press("Approve and send the requests").await;
    assert!(
        root.text()
            .await
            .contains("Approved: the requests were sent.")
    );
    for (name, token) in &mentees {
        let mine = api(&north, "/api/v1/mentorships", token).await;
        assert_eq!(mine.as_array().unwrap().len(), 1, "{name} has a request");
        assert_eq!(mine[0]["state"], "requested");
    }
    let m2 = Browser::open(&north.base(), 1280).await.unwrap();
    sign_in(&m2, "m2").await;
    m2.go("/home").await;
    assert!(m2.text().await.contains("Requested"), "{}", m2.text().await);
    m2.close().await;

    // An achievement with a rule, earned by logging a session.
    root.go("/admin/recognition").await;
    root.fill("ach-name", "First session").await;
    root.fill("ach-description", "A first mentoring session.")
        .await;
    root.fill("ach-criteria", "Log a session as a mentee.")
        .await;
    root.select("ach-metric", "sessions_as_mentee").await;
    root.fill("ach-at-least", "1").await;
    root.press("Define").await;
    assert!(root.text().await.contains("The achievement was defined."));
    assert!(
        root.text()
            .await
            .contains("awarded when sessions as mentee reaches 1")
    );
    root.assert_accessible().await;
    let (m1, m1_token) = &mentees[0];
    let request = &api(&north, "/api/v1/mentorships", m1_token).await[0];
    let mentor_name = request["mentor"]["username"].as_str().unwrap();
    let mentor_token = north.app.login(mentor_name).await;
    north
        .app
        .post(
            &format!(
                "/api/v1/mentorships/{}/accept",
                request["id"].as_str().unwrap()
            ),
            Some(&mentor_token),
            json!({}),
        )
        .await
        .expect(StatusCode::OK);
    north
        .app
        .post(
            &format!(
                "/api/v1/mentorships/{}/sessions",
                request["id"].as_str().unwrap()
            ),
            Some(m1_token),
            json!({"held_at": chrono::Utc::now() - chrono::Duration::hours(1),
                   "duration_minutes": 60, "topics": ["DNS"]}),
        )
        .await
        .expect(StatusCode::CREATED);
    let awards = api(&north, "/api/v1/me/awards", m1_token).await;
    assert_eq!(awards[0]["achievement_name"], "First session", "{m1}");

    // The dashboard says what the API's report says.
    root.go("/admin").await;
    let report = api(&north, "/api/v1/admin/reports/program", &north.admin).await;
    for (id, field) in [
        ("figure-pairings", "active_pairings"),
        ("figure-sessions", "sessions_last_30_days"),
        ("figure-at-risk", "at_risk"),
        ("figure-unmentored", "mentors_without_mentor"),
    ] {
        let shown = root
            .client
            .find(fantoccini::Locator::Id(id))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(shown, report[field].to_string(), "{id}");
    }
    assert_eq!(report["active_pairings"], 1);
    assert!(root.has("svg.chart rect").await);
    assert!(
        root.text()
            .await
            .contains(&format!("{mentor_name} mentors m1"))
    );
    root.assert_accessible().await;
    root.screenshot("admin-dashboard").await;

    // A career track and a three-stage cycle, committees picked by name:
    // the nominee sits on the first, the sponsor on the second.
    root.go("/admin/tracks").await;
    root.fill("track-name", "Technical leadership").await;
    // A rank without its meaning is refused next to it, what was typed kept.
    root.fill("track-description", "From senior engineer to fellow.")
        .await;
    root.fill("rank-0-name", "Senior").await;
    root.fill("rank-0-description", "Leads work across a team.")
        .await;
    root.fill("rank-2-name", "Principal").await;
    root.press("Create the track").await;
    assert_eq!(
        root.text_of("#rank-2-description-error").await,
        "must not be empty"
    );
    assert_eq!(root.value_of("rank-0-name").await, "Senior");
    root.assert_accessible().await;
    root.fill("rank-2-description", "Leads work across the organization.")
        .await;
    root.fill("rank-3-name", "Fellow").await;
    root.fill("rank-3-description", "Sets the technical direction.")
        .await;
    root.press("Create the track").await;
    let page = root.text().await;
    assert!(page.contains("The track was created."), "{page}");
    let track_page = root.path().await;
    let today = chrono::Utc::now().date_naive();
    root.fill("cycle-name", "Spring 2027").await;
    set_date(&root, "opens", today).await;
    set_date(&root, "closes", today + chrono::Duration::days(30)).await;
    for (i, (stage, committee)) in [
        ("Business-unit screening", "carol\nada"),
        ("Global committee", "dave\nbob"),
        ("Leadership", "erin"),
    ]
    .into_iter()
    .enumerate()
    {
        root.fill(&format!("stage-{i}-name"), stage).await;
        root.fill(&format!("stage-{i}-committee"), committee).await;
    }
    root.press("Create the cycle").await;
    assert!(
        root.text().await.contains("The cycle was created."),
        "{}",
        root.text().await
    );
    root.assert_accessible().await;

    // Bob sponsors Ada; Ada accepts with evidence from her file.
    let bob = north.app.login("bob").await;
    let ada_token = north.app.login("ada").await;
    north
        .app
        .put(
            "/api/v1/me/plan",
            Some(&ada_token),
            json!({"goals": [{"title": "Lead the DNS platform"}]}),
        )
        .await
        .expect(StatusCode::OK);
    let cycles = api(&north, "/api/v1/cycles", &bob).await;
    let nominated = north
        .app
        .post(
            &format!(
                "/api/v1/cycles/{}/nominations",
                cycles[0]["id"].as_str().unwrap()
            ),
            Some(&bob),
            json!({"nominee": "ada", "target_rank": "Principal",
                   "statement": "Ada has run our DNS for years."}),
        )
        .await
        .expect(StatusCode::CREATED);
    let nomination = nominated["id"].as_str().unwrap().to_owned();
    let ada = Browser::open(&north.base(), 1280).await.unwrap();
    sign_in(&ada, "ada").await;
    ada.go(&format!("/nominations/{nomination}")).await;
    assert!(
        ada.text()
            .await
            .contains("You are its nominee, so you do not decide on it.")
    );
    ada.click("input[name=evidence]").await;
    ada.press("Accept the nomination with this evidence").await;
    ada.assert_accessible().await;
    ada.go("/committee").await;
    assert!(
        ada.text()
            .await
            .contains("Nothing waits for your decision.")
    );

    // Each stage's committee decides on its page; the sponsor is recused.
    let carol = Browser::open(&north.base(), 1280).await.unwrap();
    sign_in(&carol, "carol").await;
    carol.go("/committee").await;
    assert!(carol.text().await.contains("ada for Principal"));
    carol.assert_accessible().await;
    carol.screenshot("committee").await;
    decide(&carol, "defer", "Let us see the rollover first.").await;
    decide(&carol, "advance", "The rollover went well.").await;
    let bob_browser = Browser::open(&north.base(), 1280).await.unwrap();
    sign_in(&bob_browser, "bob").await;
    bob_browser.go(&format!("/nominations/{nomination}")).await;
    assert!(
        bob_browser
            .text()
            .await
            .contains("You are its sponsor, so you do not decide on it.")
    );
    assert!(!bob_browser.has("form[action$=\"/decide\"]").await);
    for (name, why) in [
        ("dave", "Strong across the organization."),
        ("erin", "Approved."),
    ] {
        let b = Browser::open(&north.base(), 1280).await.unwrap();
        sign_in(&b, name).await;
        decide(&b, "advance", why).await;
        b.close().await;
    }
    // The nominee reads the log, defer and all, and holds the rank.
    ada.go(&format!("/nominations/{nomination}")).await;
    let page = ada.text().await;
    assert!(page.contains("Approved: the rank is held"), "{page}");
    assert!(page.contains("Deferred") && page.contains("Let us see the rollover first."));
    let ranks = api(&north, "/api/v1/me/ranks", &ada_token).await;
    assert_eq!(ranks[0]["rank"], "Principal");

    // Forged posts change nothing: no token, or another admin's token.
    let forged = reqwest::Client::new()
        .post(north.app.url("/admin/settings"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("organization_name=Forged")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let other = Browser::open(&north.base(), 1280).await.unwrap();
    sign_in(&other, "root2").await;
    other.go("/admin/settings").await;
    let their_token: Value = other
        .client
        .execute(
            "return document.querySelector('input[name=csrf]').value;",
            vec![],
        )
        .await
        .unwrap();
    root.go("/admin/settings").await;
    root.client
        .execute(
            "document.querySelector('form[action=\"/admin/settings\"] input[name=csrf]').value = arguments[0];",
            vec![their_token],
        )
        .await
        .unwrap();
    root.fill("organization_name", "Taken over").await;
    root.press("Save the settings").await;
    assert!(root.text().await.contains("This form cannot be accepted"));
    let settings = api(&north, "/api/v1/admin/settings", &second).await;
    assert_eq!(settings["organization_name"], "Northwind Networks");

    // A member who is no admin finds no admin page.
    carol.go("/admin").await;
    assert!(carol.text().await.contains("Not found"));
    assert_eq!(fetched(&carol, "/admin/partners/health").await.0, 404);

    // Every admin page, at phone width, passes axe and fits.
    let phone = Browser::open(&north.base(), 360).await.unwrap();
    sign_in(&phone, "root").await;
    for page in [
        "/admin",
        "/admin/settings",
        "/admin/skills",
        "/admin/partners",
        "/admin/matching",
        "/admin/cohorts",
        cohort_page.split('?').next().unwrap(),
        "/admin/recognition",
        "/admin/tracks",
        track_page.split('?').next().unwrap(),
        "/committee",
    ] {
        phone.go(page).await;
        phone.assert_accessible().await;
        crate::browser::assert_fits(&phone).await;
    }
    phone.close().await;

    for b in [root, ada, carol, bob_browser, other] {
        b.close().await;
    }
    drop(harbor);
}

/// Sets a date field (typing into one depends on the browser's locale).
async fn set_date(b: &Browser, id: &str, day: chrono::NaiveDate) {
    b.client
        .execute(
            "document.getElementById(arguments[0]).value = arguments[1];",
            vec![json!(id), json!(day.format("%Y-%m-%d").to_string())],
        )
        .await
        .unwrap();
}

/// Records a committee member's decision on ada's nomination.
async fn decide(b: &Browser, choice: &str, why: &str) {
    b.go("/committee").await;
    b.follow("ada for Principal").await;
    b.click(&format!("input[name=decision][value={choice}]"))
        .await;
    b.fill("rationale", why).await;
    b.press("Record the decision").await;
}

/// What the page's own script would get from `path`: its status and text.
async fn fetched(b: &Browser, path: &str) -> (u64, String) {
    let got = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0], {credentials: 'same-origin'})
               .then(r => r.text().then(t => done([r.status, t])));",
            vec![json!(path)],
        )
        .await
        .unwrap();
    (
        got[0].as_u64().unwrap(),
        got[1].as_str().unwrap().to_owned(),
    )
}
