//! The `trellis` binary through its real entry point: a process, its
//! arguments, environment, standard streams and exit code.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use trellis_testing::PASSWORD;
use trellis_testing::process::run_with_stdin;

pub(crate) fn trellis(dir: &Path) -> Command {
    trellis_testing::process::command(env!("CARGO_BIN_EXE_trellis"), dir)
}

/// Sends SIGTERM and expects a clean exit.
pub(crate) fn stop_with_sigterm(child: &mut std::process::Child) {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "exit after SIGTERM: {status}");
}

/// A server process, killed if the test ends before it stopped it.
pub(crate) struct Server(pub(crate) std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// A child's output, read line by line on a thread of its own, so that
/// waiting for a line gives up at a deadline even when the child prints
/// nothing and does not exit (a silent hang fails the test, not the suite).
pub(crate) struct Lines(pub(crate) std::sync::mpsc::Receiver<String>);

impl Lines {
    pub(crate) fn of(output: impl std::io::Read + Send + 'static) -> Self {
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(output).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    return;
                }
            }
        });
        Self(receive)
    }

    /// The next line, waiting until `deadline` at most; `None` once the
    /// output ended.
    pub(crate) fn next_by(&self, deadline: Instant) -> Option<String> {
        let wait = deadline.saturating_duration_since(Instant::now());
        match self.0.recv_timeout(wait) {
            Ok(line) => Some(line),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => None,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                panic!("no line for {wait:?}: the process hangs")
            }
        }
    }

    /// Every line until the output ends (the process exited), within a minute.
    pub(crate) fn rest(self) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        std::iter::from_fn(|| self.next_by(deadline)).collect()
    }

    /// Reads a server's log until it says where it listens.
    pub(crate) fn listening_address(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let line = self.next_by(deadline).expect("the server exited early");
            // A text line ends with the address; a JSON one quotes it.
            if let Some((_, rest)) = line.split_once("listening on http://") {
                return rest.split('"').next().unwrap_or(rest).trim().to_owned();
            }
        }
    }
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn help_is_there_for_every_command() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["admin", "--help"],
        vec!["admin", "create-user", "--help"],
        vec!["admin", "partners", "list", "--help"],
        vec!["admin", "blocks", "list", "--help"],
        vec!["admin", "deliveries", "list", "--help"],
        vec!["admin", "deliveries", "retry", "--help"],
        vec!["backup", "--help"],
        vec!["restore", "--help"],
        vec!["healthcheck", "--help"],
        vec!["demo", "--help"],
    ] {
        let output = trellis(dir.path()).args(&args).output().unwrap();
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("Usage"),
            "{args:?}"
        );
    }
    let output = trellis(dir.path()).arg("frobnicate").output().unwrap();
    assert!(!output.status.success());
}

#[test]
fn bad_configuration_stops_start_up_with_one_readable_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("typo.toml"),
        "bind = \"127.0.0.1:0\"\ndatabse_url = \"x\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("port.toml"), "bind = \"0.0.0.0:70000\"\n").unwrap();
    // (environment, arguments, what the error must mention)
    type Case = (
        Vec<(&'static str, &'static str)>,
        Vec<&'static str>,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (vec![("TRELLIS_BIND", "not an address")], vec![], "bind"),
        (
            vec![("TRELLIS_TOKEN_TTL_DAYS", "0")],
            vec![],
            "token_ttl_days",
        ),
        (
            vec![("TRELLIS_TOKEN_TTL_DAYS", "many")],
            vec![],
            "token_ttl_days",
        ),
        (
            vec![("TRELLIS_BIND", "127.0.0.1:99999")],
            vec![],
            "trellis_bind: port 99999 is out of range",
        ),
        (
            vec![("TRELLIS_TOKEN_TTL_DAYS", "0")],
            vec![],
            "trellis_token_ttl_days must be 1 to 365, not 0",
        ),
        (
            vec![("TRELLIS_DATABASE_URL", "mysql://db/x")],
            vec![],
            "database_url",
        ),
        (vec![("TRELLIS_LOG_FORMAT", "xml")], vec![], "log_format"),
        (
            vec![],
            vec!["--config", "typo.toml"],
            "databse_url in typo.toml is not a trellis setting",
        ),
        (
            vec![],
            vec!["--config", "port.toml"],
            "bind in port.toml: port 70000 is out of range",
        ),
        (vec![], vec!["--config", "missing.toml"], "missing.toml"),
        (vec![], vec!["--config", "."], "not a file"),
    ];
    for (env, args, mentions) in cases {
        let output = trellis(dir.path())
            .envs(env.clone())
            .args(&args)
            .arg("migrate")
            .output()
            .unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{env:?} {args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{env:?} {args:?}: {err}");
        assert!(
            err.starts_with("error: ") && err.to_lowercase().contains(mentions),
            "{env:?} {args:?}: {err}"
        );
    }
    assert!(
        !dir.path().join("data").exists(),
        "a refused configuration created data"
    );
    // A flag is named as a flag.
    let output = trellis(dir.path())
        .args(["serve", "--bind", "127.0.0.1:99999"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--bind")
            && stderr(&output).contains("port 99999 is out of range"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_variable_that_is_no_setting_is_a_warning_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = trellis(dir.path())
        .arg("migrate")
        // The README's compose file takes this one; trellis does not.
        .env("TRELLIS_DB_PASSWORD", "secret")
        .env("TRELLIS_DATABSE_URL", "sqlite://x.db")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("TRELLIS_DB_PASSWORD is not a Trellis setting"),
        "{err}"
    );
    assert!(err.contains("TRELLIS_DATABSE_URL"), "{err}");
    assert!(!err.contains("secret"), "a value reached the log: {err}");
    assert!(dir.path().join("data/trellis.db").is_file());
}

#[tokio::test]
async fn create_user_makes_an_admin_who_can_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = trellis(dir.path());
    command.args(["admin", "create-user", "Root", "--admin"]);
    let output = run_with_stdin(command, &format!("{PASSWORD}\n"));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("created admin root"));
    assert!(
        dir.path().join("data/trellis.db").is_file(),
        "the default database is ./data/trellis.db"
    );

    let mut again = trellis(dir.path());
    again.args(["admin", "create-user", "root"]);
    let output = run_with_stdin(again, &format!("{PASSWORD}\n"));
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr(&output).trim(), "error: the username root is taken");

    let mut weak = trellis(dir.path());
    weak.args(["admin", "create-user", "weak"]);
    let output = run_with_stdin(weak, "short\n");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("password"), "{}", stderr(&output));

    let mut empty = trellis(dir.path());
    empty.args(["admin", "create-user", "nobody"]);
    let output = run_with_stdin(empty, "");
    assert_eq!(output.status.code(), Some(1));

    // The account works against a server on the same database.
    let config = trellis_server::Config {
        data_dir: dir.path().join("data"),
        bind: "127.0.0.1:0".parse().unwrap(),
        metrics_bind: "off".into(),
        ..trellis_server::Config::default()
    };
    let instance = trellis_server::Instance::start(&config).await.unwrap();
    let client = reqwest::Client::new();
    let login = client
        .post(format!("http://{}/api/v1/auth/login", instance.addr))
        .json(&json!({"username": "root", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let body: serde_json::Value = login.json().await.unwrap();
    assert_eq!(body["account"]["is_admin"], true);
    assert_eq!(instance.store.count_accounts().await.unwrap(), 1);
    instance.stop().await.unwrap();
}

#[tokio::test]
async fn serve_runs_from_defaults_and_stops_gracefully_on_sigterm() {
    trellis_server::install_tls_provider();
    let dir = tempfile::tempdir().unwrap();
    let mut child = trellis(dir.path())
        .arg("serve")
        .env("TRELLIS_BIND", "127.0.0.1:0")
        .env("TRELLIS_SHUTDOWN_DRAIN_SECS", "1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = Lines::of(child.stderr.take().unwrap());
    let addr = lines.listening_address();
    // Anonymous callers learn that it is up, not what runs (the version and
    // database kind are in the admins' `GET /api/v1/admin/system`).
    let health: serde_json::Value = reqwest::get(format!("http://{addr}/healthz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health, json!({"status": "ok"}));
    let ready = reqwest::get(format!("http://{addr}/readyz")).await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(ready["status"], "ready", "{ready}");
    assert!(dir.path().join("data/trellis.db").is_file());
    // The container health check asks the configured address.
    let check = trellis(dir.path())
        .arg("healthcheck")
        .env("TRELLIS_BIND", &addr)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", stderr(&check));

    stop_with_sigterm(&mut child);
    let check = trellis(dir.path())
        .arg("healthcheck")
        .env("TRELLIS_BIND", &addr)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1), "stopped, yet healthy");
    let rest = lines.rest();
    assert!(rest.iter().any(|l| l.contains("stopped")), "{rest:?}");
}

#[tokio::test]
async fn demo_runs_two_partners_with_a_mentorship_across_them() {
    trellis_server::install_tls_provider();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo-data");
    let mut child = trellis(dir.path())
        .args(["demo", "--port-a", "0", "--port-b", "0", "--data-dir"])
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = Lines::of(child.stdout.take().unwrap());
    let mut guide = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !guide.last().is_some_and(|l: &String| l.contains("Ctrl-C")) {
        guide.push(lines.next_by(deadline).expect("the demo exited early"));
    }
    let urls: Vec<&str> = guide
        .iter()
        .filter_map(|l| {
            l.split_whitespace()
                .find(|w| w.starts_with("http://localhost:"))
        })
        .take(2)
        .collect();
    let (north, harbor) = (urls[0].to_owned(), urls[1].to_owned());
    let password = guide
        .iter()
        .find_map(|l| l.split_once("password for all: "))
        .and_then(|(_, rest)| rest.split(')').next())
        .unwrap()
        .to_owned();

    // Ada, signed in at the first instance as the guide says, has an
    // active mentorship with Bo at the second.
    let client = reqwest::Client::new();
    let login = |base: String, user: &'static str| {
        let (client, password) = (client.clone(), password.clone());
        async move {
            let answer: serde_json::Value = client
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"username": user, "password": password}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            answer["token"].as_str().unwrap().to_owned()
        }
    };
    let get = |base: String, token: String, path: &'static str| {
        let client = client.clone();
        async move {
            let reply = client
                .get(format!("{base}{path}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(reply.status(), StatusCode::OK, "{path}");
            reply.json::<serde_json::Value>().await.unwrap()
        }
    };
    let ada = login(north.clone(), "ada").await;
    let mine = get(north.clone(), ada, "/api/v1/mentorships").await;
    assert_eq!(mine[0]["state"], "active");
    assert_eq!(mine[0]["mentor"]["username"], "bo");
    let harbor_domain = harbor.trim_start_matches("http://");
    assert_eq!(mine[0]["mentor"]["domain"], harbor_domain);
    // Bo is a mentor with a mentor of his own.
    let bo = login(harbor.clone(), "bo").await;
    let his = get(harbor.clone(), bo, "/api/v1/mentorships?state=active").await;
    assert_eq!(his.as_array().unwrap().len(), 2);
    let admin = login(harbor.clone(), "admin").await;
    let tree = get(harbor.clone(), admin, "/api/v1/admin/mentoring-tree").await;
    assert_eq!(tree["edges"].as_array().unwrap().len(), 2);
    assert!(data.join("northwind/trellis.db").is_file());

    stop_with_sigterm(&mut child);
    assert!(data.is_dir(), "a directory given is kept");

    // It seeds fresh databases only.
    let again = trellis(dir.path())
        .args(["demo", "--port-a", "0", "--port-b", "0", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("is not empty"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn migrate_prepares_a_database_and_exits() {
    let dir = tempfile::tempdir().unwrap();
    let output = trellis(dir.path())
        .arg("migrate")
        .env("TRELLIS_DATA_DIR", "var/lib/trellis")
        // The test suite's own variables are not settings.
        .env("TRELLIS_TEST_POSTGRES_URL", "postgres://nowhere/none")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
    assert!(dir.path().join("var/lib/trellis/trellis.db").is_file());
    let said = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(said.contains("applied migration 1 (foundation)"), "{said}");
    assert!(
        said.contains("migrations applied, schema version"),
        "{said}"
    );
    // Again: nothing to do, and it says so.
    let again = trellis(dir.path())
        .arg("migrate")
        .env("TRELLIS_DATA_DIR", "var/lib/trellis")
        .output()
        .unwrap();
    assert!(again.status.success(), "{}", stderr(&again));
    let said = String::from_utf8_lossy(&again.stdout).into_owned();
    assert!(said.contains("is up to date"), "{said}");
    assert!(!said.contains("applied migration"), "{said}");
}

#[test]
fn a_port_in_use_stops_serve_before_it_touches_data() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let output = trellis(dir.path())
        .arg("serve")
        .env("TRELLIS_BIND", taken.local_addr().unwrap().to_string())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("cannot listen on"), "{err}");
    assert!(
        !dir.path().join("data").exists(),
        "the database was created anyway"
    );
}

#[test]
fn an_unreachable_database_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let output = trellis(dir.path())
        .arg("migrate")
        .env(
            "TRELLIS_DATABASE_URL",
            "postgres://postgres@127.0.0.1:1/nothing",
        )
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.to_lowercase().contains("refused"), "{err}");
}

#[test]
fn export_schema_prints_the_committed_archive_schema() {
    let dir = tempfile::tempdir().unwrap();
    let output = trellis(dir.path()).arg("export-schema").output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let committed: serde_json::Value =
        serde_json::from_str(include_str!("../../../../docs/export-schema.json")).unwrap();
    assert_eq!(printed, committed, "docs/export-schema.json is stale");
    assert!(printed["components"]["schemas"]["Archive"].is_object());
}
