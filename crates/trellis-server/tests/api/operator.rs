//! What an operator reaches for: metrics scraped in Prometheus's text
//! format, backups taken while serving and restored, and the admin
//! commands for partners, blocks and deliveries.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_store::Backend;
use trellis_testing::{PASSWORD, TestApp, eventually};

use crate::cli::{Lines, Server, stderr, stop_with_sigterm, trellis};

/// `trellis serve` in `dir` with `extra` arguments; its address.
fn serve(dir: &Path, extra: &[&str]) -> (Server, String) {
    let mut child = trellis(dir)
        .arg("serve")
        .args(extra)
        .env("TRELLIS_BIND", "127.0.0.1:0")
        .env("TRELLIS_SHUTDOWN_DRAIN_SECS", "0")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = Lines::of(child.stderr.take().unwrap());
    let addr = lines.listening_address();
    // Keep reading, so that a full pipe never blocks the server.
    std::thread::spawn(move || while lines.0.recv().is_ok() {});
    (Server(child), addr)
}

/// Posts `body` as JSON to `url`.
async fn post_json(client: &reqwest::Client, url: String, body: Value) -> reqwest::Response {
    client.post(url).json(&body).send().await.unwrap()
}

/// The instance actor of the server at `addr`.
async fn instance_actor(client: &reqwest::Client, addr: &str) -> Value {
    client
        .get(format!("http://{addr}/actor"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// `trellis ARGS` on the data directory `data` under `dir`.
fn on_data(dir: &Path, data: &str, args: &[&str]) -> std::process::Output {
    trellis(dir)
        .args(args)
        .env("TRELLIS_DATA_DIR", data)
        .output()
        .unwrap()
}

/// Ada's name and password.
fn ada() -> Value {
    json!({"username": "ada", "password": PASSWORD})
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A scrape read by the Prometheus project's Python client parser: every
/// sample with its labels and value.
fn parse_exposition(text: &str) -> Vec<(String, Value, f64)> {
    let script = r#"
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        out.append([s.name, s.labels, s.value, family.type])
print(json.dumps(out))
"#;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 (with prometheus-client, which .ci/run installs)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "the exposition does not parse: {}\n{text}",
        String::from_utf8_lossy(&output.stderr)
    );
    let samples: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    samples
        .into_iter()
        .map(|s| {
            (
                s[0].as_str().unwrap().to_owned(),
                s[1].clone(),
                s[2].as_f64().unwrap(),
            )
        })
        .collect()
}

fn value_of(samples: &[(String, Value, f64)], name: &str, labels: &Value) -> Option<f64> {
    samples
        .iter()
        .find(|(n, l, _)| {
            n == name
                && labels
                    .as_object()
                    .unwrap()
                    .iter()
                    .all(|(k, v)| l.get(k) == Some(v))
        })
        .map(|(_, _, v)| *v)
}

/// The metric a sample belongs to (`x_bucket` is of `x`).
fn family_of(sample: &str) -> &str {
    ["_bucket", "_sum", "_count"]
        .iter()
        .find_map(|suffix| sample.strip_suffix(suffix))
        .filter(|base| base.ends_with("_seconds"))
        .unwrap_or(sample)
}

#[tokio::test]
async fn metrics_are_served_apart_in_prometheus_text_format() {
    trellis_server::install_tls_provider();
    let dir = tempfile::tempdir().unwrap();
    let metrics_addr = format!("127.0.0.1:{}", free_port());
    let (mut child, addr) = serve(dir.path(), &["--metrics-bind", &metrics_addr]);
    let client = reqwest::Client::new();
    let base = format!("http://{addr}");
    let registered = post_json(&client, format!("{base}/api/v1/accounts"), ada()).await;
    assert_eq!(registered.status(), StatusCode::CREATED);
    let signed_in = post_json(&client, format!("{base}/api/v1/auth/login"), ada()).await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    let token = signed_in.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let get = |path: &'static str| {
        client
            .get(format!("{base}{path}"))
            .bearer_auth(&token)
            .send()
    };
    for _ in 0..3 {
        assert_eq!(get("/api/v1/me").await.unwrap().status(), StatusCode::OK);
    }
    // A path with a name in it is counted by its route's template.
    let profile = get("/api/v1/members/nobody/profile").await.unwrap();
    assert_eq!(profile.status(), StatusCode::NOT_FOUND);
    let unsigned = client
        .post(format!("{base}/inbox"))
        .header("content-type", "application/activity+json")
        .body(r#"{"@context":"https://www.w3.org/ns/activitystreams","type":"Follow"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    // Matching loads the index.
    let matches = get("/api/v1/matches").await.unwrap();
    assert!(matches.status().is_client_error() || matches.status().is_success());

    // Never on the public address.
    let public = client.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(public.status(), StatusCode::NOT_FOUND);

    let scrape = client
        .get(format!("http://{metrics_addr}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(scrape.status(), StatusCode::OK);
    assert!(
        scrape.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = scrape.text().await.unwrap();
    let samples = parse_exposition(&text);

    let me = json!({"route": "/api/v1/me", "method": "GET", "status": "200"});
    assert_eq!(
        value_of(&samples, "trellis_http_requests_total", &me),
        Some(3.0)
    );
    let named = json!({"route": "/api/v1/members/{username}/profile", "status": "404"});
    assert_eq!(
        value_of(&samples, "trellis_http_requests_total", &named),
        Some(1.0),
        "{text}"
    );
    assert!(!text.contains("/members/nobody"), "paths are never labels");
    let timed = json!({"route": "/api/v1/me", "method": "GET", "le": "+Inf"});
    assert_eq!(
        value_of(
            &samples,
            "trellis_http_request_duration_seconds_bucket",
            &timed
        ),
        Some(3.0)
    );
    let refused = json!({"outcome": "refused", "reason": "bad_signature"});
    assert_eq!(
        value_of(&samples, "trellis_inbox_activities_total", &refused),
        Some(1.0)
    );
    assert_eq!(
        value_of(&samples, "trellis_db_connections_max", &json!({})),
        Some(10.0)
    );
    assert!(
        value_of(
            &samples,
            "trellis_db_connections",
            &json!({"state": "idle"})
        )
        .is_some()
    );
    assert_eq!(
        value_of(&samples, "trellis_outbox_events_waiting", &json!({})),
        Some(0.0)
    );
    assert!(
        value_of(&samples, "trellis_match_index_candidates", &json!({})).is_some(),
        "the match index was loaded: {text}"
    );
    assert!(
        value_of(
            &samples,
            "trellis_job_runs_total",
            &json!({"job": "reviews_due"})
        )
        .is_some_and(|n| n >= 1.0)
    );

    // Every metric exposed is one of those described, with its help text,
    // and the Grafana dashboard asks only for those.
    let known: BTreeSet<&str> = trellis_server::metrics::METRICS
        .iter()
        .map(|(name, _, _)| *name)
        .collect();
    for (name, _, _) in &samples {
        assert!(known.contains(family_of(name)), "{name} is not described");
    }
    for name in &known {
        if samples.iter().any(|(n, _, _)| family_of(n) == *name) {
            assert!(text.contains(&format!("# HELP {name} ")), "{name}");
        }
    }
    let dashboard: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/grafana-dashboard.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let mut asked = 0;
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap();
            for word in expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
                if word.starts_with("trellis_") {
                    asked += 1;
                    assert!(
                        known.contains(family_of(word)),
                        "the dashboard asks for {word}"
                    );
                }
            }
        }
    }
    assert!(asked >= known.len(), "the dashboard shows every metric");

    stop_with_sigterm(&mut child.0);
}

#[test]
fn metrics_on_a_port_in_use_stop_start_up_with_a_readable_line() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let output = trellis(dir.path())
        .arg("serve")
        .env("TRELLIS_BIND", "127.0.0.1:0")
        .env(
            "TRELLIS_METRICS_BIND",
            taken.local_addr().unwrap().to_string(),
        )
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("for metrics (the metrics_bind setting"),
        "{err}"
    );
    assert!(
        !dir.path().join("data/trellis.db").exists(),
        "nothing was touched"
    );
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_into_an_empty_directory() {
    trellis_server::install_tls_provider();
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = serve(dir.path(), &["--data-dir", "first"]);
    let client = reqwest::Client::new();
    let registered = post_json(&client, format!("http://{addr}/api/v1/accounts"), ada()).await;
    assert_eq!(registered.status(), StatusCode::CREATED);
    let actor = instance_actor(&client, &addr).await;

    // Taken while the instance runs, with what is still in its WAL.
    let backup = on_data(dir.path(), "first", &["backup", "copy.db"]);
    assert!(backup.status.success(), "{}", stderr(&backup));
    let said = String::from_utf8_lossy(&backup.stdout);
    assert!(said.contains("private keys"), "{said}");
    let again = on_data(dir.path(), "first", &["backup", "copy.db"]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        stderr(&again).trim(),
        "error: copy.db exists; back up into a new file"
    );
    stop_with_sigterm(&mut child.0);

    // Not over a database that exists; not from a file that is no backup.
    let over = on_data(dir.path(), "first", &["restore", "copy.db"]);
    assert_eq!(over.status.code(), Some(1));
    assert!(stderr(&over).contains("restore into an empty data directory"));
    std::fs::write(dir.path().join("notes.txt"), "not a database").unwrap();
    let junk = on_data(dir.path(), "second", &["restore", "notes.txt"]);
    assert_eq!(junk.status.code(), Some(1));
    assert!(stderr(&junk).contains("is not a SQLite database"));
    assert!(!dir.path().join("second/trellis.db").exists());

    let restored = on_data(dir.path(), "second", &["restore", "copy.db"]);
    assert!(restored.status.success(), "{}", stderr(&restored));
    assert!(
        String::from_utf8_lossy(&restored.stdout).contains("1 accounts"),
        "{}",
        String::from_utf8_lossy(&restored.stdout)
    );

    // The restored instance is the same one: its member and its keys.
    let (mut child, addr) = serve(dir.path(), &["--data-dir", "second"]);
    let login = post_json(&client, format!("http://{addr}/api/v1/auth/login"), ada()).await;
    assert_eq!(login.status(), StatusCode::OK);
    let restored_actor = instance_actor(&client, &addr).await;
    assert_eq!(
        restored_actor["publicKey"]["publicKeyPem"],
        actor["publicKey"]["publicKeyPem"]
    );
    stop_with_sigterm(&mut child.0);
}

#[test]
fn on_postgresql_backup_says_to_use_pg_dump() {
    let dir = tempfile::tempdir().unwrap();
    let output = trellis(dir.path())
        .args(["backup", "copy.sql"])
        .env(
            "TRELLIS_DATABASE_URL",
            "postgres://trellis@db.invalid/trellis",
        )
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("pg_dump"), "{err}");
    assert!(!dir.path().join("copy.sql").exists());
}

/// Runs `trellis admin …` against `app`'s database.
fn admin(app: &TestApp, args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    trellis(dir.path())
        .arg("admin")
        .args(args)
        .env("TRELLIS_DATABASE_URL", &app.config.database_url)
        .output()
        .unwrap()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

async fn partner(north: &TestApp, north_admin: &str, south: &TestApp, south_admin: &str) {
    north
        .post(
            "/api/v1/admin/partners",
            Some(north_admin),
            json!({"domain": south.domain()}),
        )
        .await
        .expect(StatusCode::OK);
    eventually("the request arrives", || async {
        let partners = south.get("/api/v1/admin/partners", Some(south_admin)).await;
        partners.body[0]["partnership"] == "pending"
    })
    .await;
    south
        .post(
            &format!("/api/v1/admin/partners/{}/accept", north.domain()),
            Some(south_admin),
            json!({}),
        )
        .await
        .expect(StatusCode::OK);
    eventually("the partnership is active", || async {
        let partners = north.get("/api/v1/admin/partners", Some(north_admin)).await;
        partners.body[0]["partnership"] == "active"
    })
    .await;
}

/// How deliveries from `from` to `to` are going, as `from`'s admin view says.
async fn delivery_to(from: &TestApp, admin: &str, to: &TestApp) -> Value {
    let status = from.get("/api/v1/admin/federation", Some(admin)).await;
    status.body["peers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["domain"] == to.domain())
        .map_or(Value::Null, |p| p["delivery"].clone())
}

#[tokio::test]
async fn the_admin_commands_show_partners_blocks_and_queues_and_retry_now() {
    let backend = Backend::Sqlite;
    let north = TestApp::spawn_with(backend, |c| {
        // A long back-off, so that only a retry sends soon.
        c.delivery_first_retry_secs = 3600;
        c.delivery_max_backoff_secs = 3600;
    })
    .await
    .unwrap();
    let mut south = TestApp::spawn(backend).await.unwrap();
    let (north_admin, south_admin) = (north.admin("root").await, south.admin("root").await);
    let quiet = admin(&north, &["partners", "list"]);
    assert!(quiet.status.success(), "{}", stderr(&quiet));
    assert_eq!(stdout(&quiet).trim(), "no partners and no requests");
    partner(&north, &north_admin, &south, &south_admin).await;
    north
        .post(
            "/api/v1/admin/blocks",
            Some(&north_admin),
            json!({"domain": "spam.example", "reason": "sends junk"}),
        )
        .await
        .expect(StatusCode::CREATED);

    let partners = admin(&north, &["partners", "list"]);
    assert!(partners.status.success(), "{}", stderr(&partners));
    let table = stdout(&partners);
    let row = table
        .lines()
        .find(|l| l.starts_with(&south.domain()))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(row.contains("active"), "{table}");
    assert!(table.starts_with("DOMAIN"), "{table}");
    let blocks = stdout(&admin(&north, &["blocks", "list"]));
    assert!(
        blocks
            .lines()
            .any(|l| l.starts_with("spam.example") && l.contains("sends junk")),
        "{blocks}"
    );
    let as_json: Value =
        serde_json::from_str(&stdout(&admin(&north, &["blocks", "list", "--json"]))).unwrap();
    assert_eq!(as_json[0]["domain"], "spam.example");
    assert_eq!(as_json[0]["blocked"], true);

    // South goes down; what north sends it waits, failing.
    south.kill().await;
    let ada = north.member("ada").await;
    north
        .set_profile(
            &ada,
            trellis_testing::mentor("federated", &[("networking.dns", 4)]),
        )
        .await;
    eventually("a delivery to south failed", || async {
        delivery_to(&north, &north_admin, &south).await["state"] == "failing"
    })
    .await;
    let queues = stdout(&admin(&north, &["deliveries", "list"]));
    let row = queues
        .lines()
        .find(|l| l.starts_with(&south.domain()))
        .unwrap_or_else(|| panic!("{queues}"));
    assert!(row.contains("failing"), "{queues}");
    let listed: Value =
        serde_json::from_str(&stdout(&admin(&north, &["deliveries", "list", "--json"]))).unwrap();
    let queued = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["domain"] == south.domain())
        .unwrap();
    assert!(
        queued["delivery"]["queued"].as_u64().unwrap() >= 1,
        "{listed}"
    );
    assert!(!queued["delivery"]["next_attempt_at"].is_null());

    // South is back; a retry sends now instead of in an hour.
    south.start().await;
    let unknown = admin(&north, &["deliveries", "retry", "nowhere.example"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert_eq!(stderr(&unknown).trim_end().lines().count(), 1);
    assert!(stderr(&unknown).contains("nowhere.example"));
    let neither = admin(&north, &["deliveries", "retry"]);
    assert_eq!(neither.status.code(), Some(2), "name queues or --all");
    let retried = admin(&north, &["deliveries", "retry", &south.domain()]);
    assert!(retried.status.success(), "{}", stderr(&retried));
    assert_eq!(
        stdout(&retried).trim(),
        format!("deliveries to {} are due now", south.domain())
    );
    eventually("the queue to south is delivered", || async {
        delivery_to(&north, &north_admin, &south).await["queued"] == 0
    })
    .await;
    let nothing = admin(&north, &["deliveries", "retry", "--all"]);
    assert!(nothing.status.success());
    assert_eq!(stdout(&nothing).trim(), "no queue waits; nothing to retry");
}
