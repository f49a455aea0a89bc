//! The pages in a real Chromium, as people use them: joining, a profile,
//! finding a mentor at a partner organization, a mentorship with sessions,
//! reviews, growth and drift, recognition and its public page; forged
//! forms; what each kind of visitor may see; every page checked with
//! axe-core. Instances are real servers on loopback, partnered over
//! ActivityPub as in the federation suite.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin;
mod browser;
mod journey;
mod privacy;

use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_store::Backend;
use trellis_testing::{TestApp, eventually};

/// An instance with its admin's token.
#[derive(Debug)]
pub struct Site {
    pub app: TestApp,
    pub admin: String,
}

impl Site {
    pub async fn start(name: &str) -> Self {
        let app = TestApp::spawn(Backend::Sqlite)
            .await
            .expect("SQLite is always there");
        let admin = app.admin("root").await;
        app.patch(
            "/api/v1/admin/settings",
            Some(&admin),
            json!({"organization_name": name,
                   "organization_description": format!("The mentoring program of {name}.")}),
        )
        .await
        .expect(StatusCode::OK);
        Self { app, admin }
    }

    pub fn base(&self) -> String {
        self.app.url("")
    }

    async fn partnership(&self, other: &Site) -> String {
        let partners = self
            .app
            .get("/api/v1/admin/partners", Some(&self.admin))
            .await
            .expect(StatusCode::OK);
        partners
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["domain"] == other.app.domain().as_str())
            .map_or_else(
                || "none".to_owned(),
                |p| p["partnership"].as_str().unwrap().to_owned(),
            )
    }
}

/// Two instances made partners the usual way.
pub async fn partnered(a: &str, b: &str) -> (Site, Site) {
    let (a, b) = (Site::start(a).await, Site::start(b).await);
    a.app
        .post(
            "/api/v1/admin/partners",
            Some(&a.admin),
            json!({"domain": b.app.domain()}),
        )
        .await
        .expect(StatusCode::OK);
    eventually("the request arrives", || async {
        b.partnership(&a).await == "pending"
    })
    .await;
    b.app
        .post(
            &format!("/api/v1/admin/partners/{}/accept", a.app.domain()),
            Some(&b.admin),
            json!({}),
        )
        .await
        .expect(StatusCode::OK);
    eventually("the partnership is active", || async {
        a.partnership(&b).await == "active"
    })
    .await;
    (a, b)
}

/// A mentor at `site` whose profile partners see.
pub async fn mentor_at(site: &Site, name: &str) -> String {
    let token = site.app.member(name).await;
    site.app
        .set_profile(
            &token,
            json!({
                "display_name": format!("{name} the mentor"),
                "headline": "Network engineer, twenty years of DNS",
                "timezone": "Europe/Lisbon",
                "languages": ["en"],
                "skills": [{"skill": "networking.dns", "level": 6},
                           {"skill": "databases.sql-query-design", "level": 5}],
                "mentor": {"offers_mentoring": true, "accepting_mentees": true,
                           "capacity": 3, "hours_per_month": 4},
                "visibility": "federated",
            }),
        )
        .await;
    token
}

/// The JSON of an API answer.
pub async fn api(site: &Site, path: &str, token: &str) -> Value {
    site.app.get(path, Some(token)).await.expect(StatusCode::OK)
}
