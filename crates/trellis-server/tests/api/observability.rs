//! What an operator reads: every request has an id, answered in
//! `X-Request-Id` and carried by every log line of the request, and no
//! capability token reaches the logs.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::cli::{Server, listening_address, trellis};

#[tokio::test]
async fn every_request_has_an_id_in_its_answer_and_its_log_lines() {
    trellis_server::install_tls_provider();
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server(
        trellis(dir.path())
            .arg("serve")
            .env("TRELLIS_BIND", "127.0.0.1:0")
            .env("TRELLIS_LOG_FORMAT", "json")
            .env("TRELLIS_LOG", "info")
            .env("TRELLIS_SHUTDOWN_DRAIN_SECS", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(server.0.stderr.take().unwrap()).lines();
    let addr = listening_address(&mut lines);
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
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str(&l).ok())
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
