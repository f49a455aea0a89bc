//! Matching latency and cohort matching time on this machine.
//!
//!     cargo bench --bench matching
//!
//! On a real instance (SQLite) seeded with synthetic mentor profiles:
//! - `GET /api/v1/matches` for one mentee, end to end over loopback HTTP:
//!   the first request (which loads the candidates into memory) and then
//!   `TRELLIS_BENCH_REQUESTS` (200) requests one after another, as p50,
//!   p95 and the slowest; for each of `TRELLIS_BENCH_MATCH_SIZES`
//!   (`10000,100000`) candidate mentors. Also the process's resident
//!   memory before and after the candidates were loaded.
//! - `POST /api/v1/admin/cohorts/{id}/match` for a cohort of
//!   `TRELLIS_BENCH_COHORT` (`1000x300`) mentees × mentors, three runs.
//!
//! The profiles are random but fixed (a seeded generator): five skills
//! from the default catalog at levels 1–7, one to three languages (English
//! for most), one of a dozen time zones, capacity 1–5.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use trellis_core::account::Username;
use trellis_core::profile::Profile;
use trellis_core::skill::DEFAULT_CATALOG;
use trellis_server::{Config, Instance};
use trellis_store::testing::TestDatabase;
use trellis_store::{Backend, KeyPair, NewAccount, Store};
use uuid::Uuid;

const PASSWORD: &str = "benchmark password";
const ZONES: [&str; 12] = [
    "Europe/Berlin",
    "Europe/London",
    "Europe/Paris",
    "Europe/Madrid",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Africa/Lagos",
];
const LANGUAGES: [&str; 6] = ["de", "fr", "es", "pt", "nl", "ja"];

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn skill_keys() -> Vec<&'static str> {
    DEFAULT_CATALOG.iter().map(|s| s.key).collect()
}

/// A random mentor (or, with `mentor` false, mentee) profile.
fn profile(rng: &mut StdRng, keys: &[&str], mentor: bool) -> Profile {
    let mut languages = vec![];
    if rng.gen_bool(0.8) {
        languages.push("en");
    }
    for _ in 0..rng.gen_range(0..=2) {
        let other = LANGUAGES[rng.gen_range(0..LANGUAGES.len())];
        if !languages.contains(&other) {
            languages.push(other);
        }
    }
    if languages.is_empty() {
        languages.push("en");
    }
    let skills: Vec<Value> = keys
        .choose_multiple(rng, 5)
        .map(|k| json!({"skill": k, "level": rng.gen_range(1..=7)}))
        .collect();
    let targets: Vec<Value> = keys
        .choose_multiple(rng, 3)
        .map(|k| json!({"skill": k, "level": rng.gen_range(4..=7)}))
        .collect();
    serde_json::from_value(json!({
        "display_name": "Someone",
        "headline": "Engineer",
        "timezone": ZONES[rng.gen_range(0..ZONES.len())],
        "languages": languages,
        "skills": if mentor { skills } else { vec![] },
        "goals": {"summary": "", "targets": if mentor { vec![] } else { targets }},
        "mentor": if mentor {
            json!({"offers_mentoring": true, "accepting_mentees": true,
                   "capacity": rng.gen_range(1..=5), "hours_per_month": 4})
        } else {
            json!({})
        },
        "visibility": "organization",
    }))
    .unwrap()
}

/// Accounts made straight in the store (no password hashing, no RSA keys:
/// they never sign in or federate), each with its profile.
async fn seed(
    store: &Store,
    prefix: &str,
    count: usize,
    mentor: bool,
    rng: &mut StdRng,
) -> Vec<Uuid> {
    let keys = skill_keys();
    let mut ids = Vec::with_capacity(count);
    for i in 0..count {
        let account = store
            .register_account(
                &NewAccount {
                    username: Username::parse(&format!("{prefix}{i}")).unwrap(),
                    password_hash: "-".into(),
                    is_admin: false,
                    keys: KeyPair {
                        public_key_pem: "-".into(),
                        private_key_pem: "-".into(),
                    },
                },
                None,
                chrono::Utc::now(),
            )
            .await
            .unwrap();
        store
            .put_profile(account.id, &profile(rng, &keys, mentor), chrono::Utc::now())
            .await
            .unwrap();
        ids.push(account.id);
    }
    ids
}

async fn instance(db: &TestDatabase, dir: &std::path::Path) -> Instance {
    let config = Config {
        data_dir: dir.to_owned(),
        database_url: db.url().to_owned(),
        bind: "127.0.0.1:0".parse().unwrap(),
        log: "error".into(),
        metrics_bind: "off".into(),
        ..Config::default()
    };
    Instance::start(&config).await.unwrap()
}

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Value {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }

    /// A member signed up through the API (with admin rights if asked).
    async fn member(&self, store: &Store, username: &str, admin: bool) -> String {
        let post = |path: &str| {
            self.http
                .post(format!("{}{path}", self.base))
                .json(&json!({"username": username, "password": PASSWORD}))
                .send()
        };
        let created: Value = post("/api/v1/accounts")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if admin {
            let id = created["id"].as_str().unwrap().parse().unwrap();
            store.set_admin(id, true).await.unwrap();
        }
        let login: Value = post("/api/v1/auth/login")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        login["token"].as_str().unwrap().to_owned()
    }
}

/// Resident memory of this process, in MiB.
fn resident_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn matches(size: usize, requests: usize) {
    let db = TestDatabase::new(Backend::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = instance(&db, dir.path()).await;
    let client = Client {
        http: reqwest::Client::new(),
        base: format!("http://{}", app.addr),
    };
    let mut rng = StdRng::seed_from_u64(7);
    let seeding = Instant::now();
    seed(&app.store, "m", size, true, &mut rng).await;
    let seeded = seeding.elapsed();
    let token = client.member(&app.store, "mentee", false).await;
    let mut me = serde_json::to_value(profile(&mut rng, &skill_keys(), false)).unwrap();
    me["languages"] = json!(["en"]);
    client
        .send(reqwest::Method::PUT, "/api/v1/me/profile", &token, Some(me))
        .await;

    let loading = Instant::now();
    let loaded = app
        .store
        .match_candidates(&[trellis_core::visibility::Visibility::Organization])
        .await
        .unwrap();
    let loading = loading.elapsed();
    assert_eq!(loaded.len(), size);
    drop(loaded);
    let before = resident_mib();
    let cold = Instant::now();
    let first = client
        .send(reqwest::Method::GET, "/api/v1/matches", &token, None)
        .await;
    let cold = cold.elapsed();
    let after = resident_mib();
    assert_eq!(first.as_array().unwrap().len(), 20);

    let mut times = Vec::with_capacity(requests);
    for _ in 0..requests {
        let start = Instant::now();
        client
            .send(reqwest::Method::GET, "/api/v1/matches", &token, None)
            .await;
        times.push(start.elapsed());
    }
    times.sort();
    println!(
        "{size:>7} candidates  load {:>6.0} ms  first {:>7.1} ms  p50 {:>6.2} ms  p95 {:>6.2} ms  max {:>6.2} ms  \
         memory +{:.0} MiB  (seeded in {:.0} s)",
        ms(loading),
        ms(cold),
        ms(percentile(&times, 50.0)),
        ms(percentile(&times, 95.0)),
        ms(*times.last().unwrap()),
        after - before,
        seeded.as_secs_f64(),
    );
    app.stop().await.unwrap();
}

/// The ranking alone: `trellis_core::matching::rank` over `size` mentors
/// held in memory, without the database or HTTP.
fn ranking_alone(size: usize, runs: usize) {
    use trellis_core::matching::{Candidate, Seeker, Weights, rank};
    let mut rng = StdRng::seed_from_u64(7);
    let keys = skill_keys();
    let mentors: Vec<Profile> = (0..size).map(|_| profile(&mut rng, &keys, true)).collect();
    let mut me = profile(&mut rng, &keys, false);
    me.languages = vec![trellis_core::profile::LanguageTag::parse("en").unwrap()];
    let now = chrono::Utc::now();
    let seeker = Seeker {
        targets: &me.goals.targets,
        skills: &me.skills,
        languages: &me.languages,
        utc_offset: me.timezone.as_ref().map(|tz| tz.utc_offset_minutes(now)),
    };
    let offsets: Vec<Option<i32>> = mentors
        .iter()
        .map(|m| m.timezone.as_ref().map(|tz| tz.utc_offset_minutes(now)))
        .collect();
    let weights = Weights::default();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let ranked = rank(
            &seeker,
            mentors.iter().zip(&offsets).map(|(m, offset)| Candidate {
                skills: &m.skills,
                languages: &m.languages,
                utc_offset: *offset,
                capacity: m.mentor.capacity,
                active: 0,
                pending: 0,
                completed: 0,
                same_organization: true,
            }),
            &weights,
            20,
        );
        times.push(start.elapsed());
        assert_eq!(ranked.len(), 20);
    }
    times.sort();
    println!(
        "{size:>7} candidates, core rank() over profiles in memory, no index: p50 {:>6.2} ms  p95 {:>6.2} ms",
        ms(percentile(&times, 50.0)),
        ms(percentile(&times, 95.0)),
    );
}

async fn cohort(mentees: usize, mentors: usize) {
    let db = TestDatabase::new(Backend::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = instance(&db, dir.path()).await;
    let client = Client {
        http: reqwest::Client::new(),
        base: format!("http://{}", app.addr),
    };
    let mut rng = StdRng::seed_from_u64(11);
    seed(&app.store, "e", mentees, false, &mut rng).await;
    seed(&app.store, "r", mentors, true, &mut rng).await;
    let admin = client.member(&app.store, "root", true).await;
    let created = client
        .send(
            reqwest::Method::POST,
            "/api/v1/admin/cohorts",
            &admin,
            Some(json!({"name": "Benchmark"})),
        )
        .await;
    let path = format!("/api/v1/admin/cohorts/{}", created["id"].as_str().unwrap());
    let names = |prefix: &str, n: usize| (0..n).map(|i| format!("{prefix}{i}")).collect::<Vec<_>>();
    client
        .send(
            reqwest::Method::PUT,
            &format!("{path}/members"),
            &admin,
            Some(json!({"mentees": names("e", mentees), "mentors": names("r", mentors)})),
        )
        .await;
    let mut runs = Vec::new();
    let mut last = Value::Null;
    for _ in 0..3 {
        let start = Instant::now();
        last = client
            .send(
                reqwest::Method::POST,
                &format!("{path}/match"),
                &admin,
                Some(json!({})),
            )
            .await;
        runs.push(start.elapsed());
    }
    runs.sort();
    println!(
        "cohort {mentees} mentees x {mentors} mentors: {:.0} ms (fastest {:.0}, slowest {:.0} of 3); \
         {} assigned, total score {} (greedy: {} assigned, {})",
        ms(runs[1]),
        ms(runs[0]),
        ms(runs[2]),
        last["assigned"],
        last["total_score"],
        last["greedy"]["assigned"],
        last["greedy"]["total_score"],
    );
    app.stop().await.unwrap();
}

#[tokio::main]
async fn main() {
    let sizes: Vec<usize> = env_or("TRELLIS_BENCH_MATCH_SIZES", "10000,100000")
        .split(',')
        .map(|s| {
            s.trim()
                .parse()
                .expect("TRELLIS_BENCH_MATCH_SIZES: numbers")
        })
        .collect();
    let requests: usize = env_or("TRELLIS_BENCH_REQUESTS", "200").parse().unwrap();
    let cohort_size = env_or("TRELLIS_BENCH_COHORT", "1000x300");
    let (mentees, mentors) = cohort_size
        .split_once('x')
        .map(|(a, b)| (a.parse().unwrap(), b.parse().unwrap()))
        .expect("TRELLIS_BENCH_COHORT: MENTEESxMENTORS");
    for &size in &sizes {
        ranking_alone(size, 50);
    }
    println!("GET /api/v1/matches, one mentee, {requests} requests after the first:");
    for size in sizes {
        matches(size, requests).await;
    }
    cohort(mentees, mentors).await;
}
