//! `trellis demo`: two partner organizations on this machine, seeded with
//! members, profiles and mentorships — one across the two instances — all
//! made through the instances' own HTTP APIs and federation, as members and
//! admins would make them.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::{Config, Instance};

/// The password of every demo account.
pub const PASSWORD: &str = "trellis-demo-2026";

#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Ports of the two instances (0: any free port).
    pub ports: [u16; 2],
    /// Where the two databases go; `None`: a fresh temporary directory,
    /// removed when the demo stops.
    pub data_dir: Option<PathBuf>,
}

/// Two running, seeded instances.
#[derive(Debug)]
pub struct Demo {
    pub instances: Vec<Instance>,
    pub data_dir: PathBuf,
    /// Whether the data directory is ours to remove at the end.
    temporary: bool,
}

/// One organization of the demo: who is in it and what they do.
struct Organization {
    name: &'static str,
    description: &'static str,
    members: &'static [Member],
}

struct Member {
    username: &'static str,
    display_name: &'static str,
    profile: fn() -> Value,
}

const NORTHWIND: Organization = Organization {
    name: "Northwind Networks",
    description: "A regional network operator's engineering guild.",
    members: &[
        Member {
            username: "ada",
            display_name: "Ada Lindqvist",
            profile: ada,
        },
        Member {
            username: "grace",
            display_name: "Grace Okafor",
            profile: grace,
        },
    ],
};

const HARBOR: Organization = Organization {
    name: "Harbor Systems",
    description: "Platform and reliability engineers of a logistics company.",
    members: &[
        Member {
            username: "bo",
            display_name: "Bo Nilsson",
            profile: bo,
        },
        Member {
            username: "cy",
            display_name: "Cy Moreau",
            profile: cy,
        },
    ],
};

fn ada() -> Value {
    json!({
        "headline": "Network engineer, two years in",
        "bio": "I run our office networks and want to own our DNS next.",
        "timezone": "Europe/Stockholm",
        "languages": ["en", "sv"],
        "skills": [
            {"skill": "networking.routing", "level": 3},
            {"skill": "networking.dns", "level": 2, "wants_to_grow": true},
        ],
        "goals": {
            "summary": "Run our resolvers and DNSSEC on my own within a year.",
            "targets": [{"skill": "networking.dns", "level": 5}],
        },
        "visibility": "organization",
    })
}

fn grace() -> Value {
    json!({
        "headline": "Routing and firewalls, fifteen years",
        "bio": "Happy to help with BGP, firewall design and on-call habits.",
        "timezone": "Europe/London",
        "languages": ["en"],
        "skills": [
            {"skill": "networking.routing", "level": 6},
            {"skill": "networking.firewalls", "level": 6},
        ],
        "mentor": {"offers_mentoring": true, "accepting_mentees": true, "capacity": 2, "hours_per_month": 4},
        "visibility": "federated",
    })
}

fn bo() -> Value {
    json!({
        "headline": "DNS since 1999",
        "bio": "I built and still run our authoritative and resolver fleet.",
        "timezone": "Europe/Stockholm",
        "languages": ["sv", "en"],
        "skills": [
            {"skill": "networking.dns", "level": 6},
            {"skill": "systems.observability", "level": 4},
        ],
        "goals": {
            "summary": "Learn to coach, not just to fix.",
            "targets": [{"skill": "leadership.mentoring", "level": 4}],
        },
        "mentor": {"offers_mentoring": true, "accepting_mentees": true, "capacity": 3, "hours_per_month": 6},
        "visibility": "federated",
    })
}

fn cy() -> Value {
    json!({
        "headline": "Engineering manager who still writes runbooks",
        "bio": "I mentor people who are starting to mentor others.",
        "timezone": "Europe/Paris",
        "languages": ["fr", "en"],
        "skills": [
            {"skill": "leadership.mentoring", "level": 6},
            {"skill": "communication.facilitation", "level": 5},
        ],
        "mentor": {"offers_mentoring": true, "accepting_mentees": true, "capacity": 4, "hours_per_month": 4},
        "visibility": "public",
    })
}

/// A client of one instance's API.
struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("{method} {path}"))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if !status.is_success() {
            bail!("{method} {path} answered {status}: {text}");
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str, token: &str) -> anyhow::Result<Value> {
        self.call(reqwest::Method::GET, path, Some(token), None)
            .await
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> anyhow::Result<Value> {
        self.call(reqwest::Method::POST, path, Some(token), Some(body))
            .await
    }

    async fn login(&self, username: &str) -> anyhow::Result<String> {
        let answer = self
            .call(
                reqwest::Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": username, "password": PASSWORD})),
            )
            .await?;
        answer["token"]
            .as_str()
            .map(str::to_owned)
            .context("the login answer has no token")
    }
}

/// Waits until `check` holds (federation happens after the requests that
/// cause it), for at most 30 seconds.
async fn until<F, Fut>(what: &str, mut check: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if check().await? {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("timed out waiting until {what}")
}

/// Makes the data directory: the one given (which must be empty or new),
/// or a fresh temporary one.
fn data_dir(given: Option<&Path>) -> anyhow::Result<(PathBuf, bool)> {
    match given {
        Some(dir) => {
            let used = std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some());
            if used {
                bail!(
                    "{} is not empty: the demo seeds fresh databases",
                    dir.display()
                );
            }
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            Ok((dir.to_owned(), false))
        }
        None => {
            let dir = std::env::temp_dir().join(format!(
                "trellis-demo-{}-{}",
                std::process::id(),
                chrono::Utc::now().timestamp_millis()
            ));
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            Ok((dir, true))
        }
    }
}

impl Demo {
    /// Starts both instances and seeds them. On failure nothing is left
    /// running.
    pub async fn start(options: &DemoOptions) -> anyhow::Result<Self> {
        let (dir, temporary) = data_dir(options.data_dir.as_deref())?;
        let mut demo = Self {
            instances: Vec::new(),
            data_dir: dir,
            temporary,
        };
        match demo.boot(options).await {
            Ok(()) => Ok(demo),
            Err(err) => {
                demo.stop().await?;
                Err(err)
            }
        }
    }

    async fn boot(&mut self, options: &DemoOptions) -> anyhow::Result<()> {
        for (port, name) in options.ports.into_iter().zip(["northwind", "harbor"]) {
            let config = Config {
                data_dir: self.data_dir.join(name),
                bind: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
                // Both instances are on this machine, over plain http.
                federation_insecure: true,
                delivery_first_retry_secs: 1,
                delivery_max_backoff_secs: 5,
                // It seeds both through their APIs, from this machine.
                limit_registrations_per_hour: 1000,
                limit_sign_in_per_minute: 1000,
                // Two instances in one process: metrics are for `serve`.
                metrics_bind: "off".into(),
                ..Config::default()
            };
            self.instances.push(Instance::start(&config).await?);
        }
        self.seed().await
    }

    /// The base URL of the `i`th instance.
    pub fn url(&self, i: usize) -> String {
        format!("http://localhost:{}", self.instances[i].addr.port())
    }

    fn domain(&self, i: usize) -> String {
        format!("localhost:{}", self.instances[i].addr.port())
    }

    async fn seed(&self) -> anyhow::Result<()> {
        let http = reqwest::Client::new();
        let apis: Vec<Api> = (0..2)
            .map(|i| Api {
                base: self.url(i),
                http: http.clone(),
            })
            .collect();
        let (north, harbor) = (&apis[0], &apis[1]);
        let mut admins = Vec::new();
        for ((api, instance), org) in apis.iter().zip(&self.instances).zip([NORTHWIND, HARBOR]) {
            crate::create_account(&instance.store, "admin", PASSWORD, true).await?;
            let admin = api.login("admin").await?;
            api.call(
                reqwest::Method::PATCH,
                "/api/v1/admin/settings",
                Some(&admin),
                Some(json!({"organization_name": org.name, "organization_description": org.description})),
            )
            .await?;
            for member in org.members {
                crate::create_account(&instance.store, member.username, PASSWORD, false).await?;
                let token = api.login(member.username).await?;
                let mut profile = (member.profile)();
                profile["display_name"] = json!(member.display_name);
                api.call(
                    reqwest::Method::PUT,
                    "/api/v1/me/profile",
                    Some(&token),
                    Some(profile),
                )
                .await?;
            }
            admins.push(admin);
        }

        // Northwind asks Harbor to partner; Harbor's admin accepts.
        let (north_admin, harbor_admin) = (&admins[0], &admins[1]);
        north
            .post(
                "/api/v1/admin/partners",
                north_admin,
                json!({"domain": self.domain(1)}),
            )
            .await?;
        let pending = format!("/api/v1/admin/partners/{}/accept", self.domain(0));
        until("Harbor receives the partnership request", || async {
            Ok(harbor.post(&pending, harbor_admin, json!({})).await.is_ok())
        })
        .await?;

        // Ada, at Northwind, asks Bo, at Harbor, who accepts.
        let ada = north.login("ada").await?;
        let bo_handle = format!("bo@{}", self.domain(1));
        let directory = "/api/v1/directory/mentors?scope=federated";
        until("Harbor's mentors show at Northwind", || async {
            let page = north.get(directory, &ada).await?;
            Ok(page["total"].as_u64().unwrap_or(0) >= 2)
        })
        .await?;
        north
            .post(
                "/api/v1/mentorships",
                &ada,
                json!({
                    "mentor": bo_handle,
                    "message": "Hello Bo, your DNS work is what I want to learn. Could you mentor me?",
                    "goals": "Run our resolvers and DNSSEC on my own within a year.",
                }),
            )
            .await?;
        let bo = harbor.login("bo").await?;
        let asked = "/api/v1/mentorships?role=mentor&state=requested";
        until("Bo receives Ada's request", || async {
            Ok(harbor
                .get(asked, &bo)
                .await?
                .as_array()
                .is_some_and(|l| !l.is_empty()))
        })
        .await?;
        let request = harbor.get(asked, &bo).await?;
        let id = request[0]["id"].as_str().context("a mentorship id")?;
        harbor
            .post(
                &format!("/api/v1/mentorships/{id}/accept"),
                &bo,
                json!({"note": "Gladly. Fortnightly calls?"}),
            )
            .await?;
        until("Northwind sees the mentorship active", || async {
            let active = north.get("/api/v1/mentorships?state=active", &ada).await?;
            Ok(active.as_array().is_some_and(|l| !l.is_empty()))
        })
        .await?;

        // Bo, a mentor, has a mentor of his own at Harbor: Cy.
        let cy = harbor.login("cy").await?;
        let own = harbor
            .post(
                "/api/v1/mentorships",
                &bo,
                json!({"mentor": "cy", "message": "Help me mentor well?", "goals": "Coaching"}),
            )
            .await?;
        let own_id = own["id"].as_str().context("a mentorship id")?;
        harbor
            .post(
                &format!("/api/v1/mentorships/{own_id}/accept"),
                &cy,
                json!({}),
            )
            .await?;
        Ok(())
    }

    /// What to print: where the instances are and how to sign in.
    pub fn guide(&self) -> String {
        let (north, harbor) = (self.url(0), self.url(1));
        let (north_domain, harbor_domain) = (self.domain(0), self.domain(1));
        let cleanup = if self.temporary {
            "removed when the demo stops"
        } else {
            "kept"
        };
        format!(
            "Trellis demo: two partner organizations on this machine.\n\
             \n\
             \x20 {:<20} {north}\n\
             \x20 {:<20} {harbor}\n\
             \x20 Open either in a browser and sign in; each also serves its API under\n\
             \x20 /api/v1, described at /api/openapi.json.\n\
             \n\
             Sign in with any of these (password for all: {PASSWORD}):\n\
             \x20 at Northwind: admin (admin), ada (mentee of bo@{harbor_domain}), grace (mentor)\n\
             \x20 at Harbor:    admin (admin), bo (mentor of ada@{north_domain}, mentee of cy), cy (mentor)\n\
             \n\
             In a browser: {north}/login as ada, then Home and the mentorship with bo.\n\
             With curl, for example:\n\
             \x20 TOKEN=$(curl -s {north}/api/v1/auth/login -H 'content-type: application/json' \\\n\
             \x20   -d '{{\"username\":\"ada\",\"password\":\"{PASSWORD}\"}}' | sed 's/.*\"token\":\"\\([^\"]*\\)\".*/\\1/')\n\
             \x20 curl -s {north}/api/v1/mentorships -H \"authorization: Bearer $TOKEN\"\n\
             \x20 curl -s '{north}/api/v1/matches' -H \"authorization: Bearer $TOKEN\"\n\
             \x20 curl -s '{north}/api/v1/directory/mentors?scope=all' -H \"authorization: Bearer $TOKEN\"\n\
             \n\
             Data: {} ({cleanup}).\n\
             Press Ctrl-C to stop.",
            NORTHWIND.name,
            HARBOR.name,
            self.data_dir.display(),
        )
    }

    /// Stops both instances and removes a temporary data directory.
    pub async fn stop(self) -> anyhow::Result<()> {
        for instance in self.instances {
            instance.stop().await?;
        }
        if self.temporary {
            std::fs::remove_dir_all(&self.data_dir)
                .with_context(|| format!("cannot remove {}", self.data_dir.display()))?;
        }
        Ok(())
    }
}
