//! What an operator reads: every request has an id, answered in
//! `X-Request-Id` and carried by every log line of the request, and no
//! capability token reaches the logs.

use std::process::{Command, Stdio};

use crate::cli::{Lines, Server, trellis};

/// `trellis serve` logging at `level` in `format`: the server, its log
/// after the line that says where it listens, and that address.
fn logging_server(dir: &std::path::Path, level: &str, format: &str) -> (Server, Lines, String) {
    let mut server = Server(
        trellis(dir)
            .arg("serve")
            .env("TRELLIS_BIND", "127.0.0.1:0")
            .env("TRELLIS_LOG_FORMAT", format)
            .env("TRELLIS_LOG", level)
            .env("TRELLIS_SHUTDOWN_DRAIN_SECS", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let lines = Lines::of(server.0.stderr.take().unwrap());
    let addr = lines.listening_address();
    (server, lines, addr)
}

#[tokio::test]
async fn every_request_has_an_id_in_its_answer_and_its_log_lines() {
    trellis_server::install_tls_provider();
    let dir = tempfile::tempdir().unwrap();
    let (mut server, lines, addr) = logging_server(dir.path(), "info", "json");
    let client = reqwest::Client::new();
    // The client's id is kept, on the client API, on federation's routes
    // and on a route that does not exist.
    for (path, id) in [
        ("/api/v1/skills", "probe-api-1"),
        ("/.well-known/nodeinfo", "probe-fed-2"),
        ("/no/such/page", "probe-404-3"),
    ] {
        let answer = client
            .get(format!("http://{addr}{path}"))
            .header("x-request-id", id)
            .send()
            .await
            .unwrap();
        assert_eq!(
            answer.headers()["x-request-id"],
            id,
            "{path} did not answer with its request id"
        );
    }
    // Without one, each request gets a new one.
    let mut fresh = Vec::new();
    for _ in 0..2 {
        let answer = client
            .get(format!("http://{addr}/healthz"))
            .send()
            .await
            .unwrap();
        let id = answer.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
        fresh.push(id);
    }
    assert_ne!(fresh[0], fresh[1]);
    // A capability in a path never reaches the logs.
    let secret = "trm_a-capability-that-must-not-be-logged";
    let answer = client
        .get(format!("http://{addr}/api/v1/moves/{secret}/archive"))
        .header("x-request-id", "probe-cap-4")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), reqwest::StatusCode::NOT_FOUND);

    let killed = Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(server.0.wait().unwrap().success());
    let log: Vec<serde_json::Value> = lines
        .rest()
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    for id in ["probe-api-1", "probe-fed-2", "probe-404-3", "probe-cap-4"] {
        let of_request: Vec<&serde_json::Value> = log
            .iter()
            .filter(|line| line["span"]["request_id"] == id)
            .collect();
        assert!(
            !of_request.is_empty(),
            "no log line carries request id {id}: {log:?}"
        );
    }
    let capability = log
        .iter()
        .find(|line| line["span"]["request_id"] == "probe-cap-4")
        .unwrap();
    assert_eq!(capability["span"]["route"], "/api/v1/moves/{token}/archive");
    let all = serde_json::to_string(&log).unwrap();
    assert!(!all.contains(secret), "a capability reached the logs");
}

#[tokio::test]
async fn no_secret_reaches_the_logs_even_at_trace_level() {
    trellis_server::install_tls_provider();
    let dir = tempfile::tempdir().unwrap();
    let (mut server, lines, addr) = logging_server(dir.path(), "trace", "text");
    // Read the log as it comes, so that a full pipe never holds the server.
    let log = std::thread::spawn(move || lines.rest());
    let client = reqwest::Client::new();
    let password = "a password that must never be logged";
    let as_ada = |path: &str| {
        client
            .post(format!("http://{addr}{path}"))
            .json(&serde_json::json!({"username": "ada", "password": password}))
            .send()
    };
    let registered = as_ada("/api/v1/accounts").await.unwrap();
    assert_eq!(registered.status(), reqwest::StatusCode::CREATED);
    let signed_in = as_ada("/api/v1/auth/login").await.unwrap();
    assert_eq!(signed_in.status(), reqwest::StatusCode::OK);
    let token = signed_in.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = client
        .get(format!("http://{addr}/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), reqwest::StatusCode::OK);
    let capability = "trm_another-capability-never-to-be-logged";
    for path in [
        format!("/api/v1/moves/{capability}/archive"),
        format!("/join/{capability}"),
    ] {
        let answer = client
            .get(format!("http://{addr}{path}"))
            .send()
            .await
            .unwrap();
        assert!(!answer.status().is_server_error(), "{path}");
    }

    let killed = Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(server.0.wait().unwrap().success());
    let log = log.join().unwrap().join("\n");
    assert!(log.lines().count() > 20, "trace logs were written: {log}");
    for secret in [password, token.as_str(), capability] {
        assert!(!log.contains(secret), "{secret:?} reached the logs");
    }
}
