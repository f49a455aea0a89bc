//! `trellis serve` as a real process, for what only a process shows:
//! signals, crashes, several processes on one database, a full disk.
//! The suites pass the binary (`env!("CARGO_BIN_EXE_trellis")`).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::app::PASSWORD;

/// A free port on loopback (free when asked; tests race for them rarely).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The binary `bin` run from `dir` with none of the caller's `TRELLIS_*`
/// variables nor `RUST_LOG`, and without a metrics listener (tests run
/// many servers at once; a test of metrics sets its own).
pub fn command(bin: impl AsRef<std::ffi::OsStr>, dir: &Path) -> Command {
    let mut command = Command::new(bin);
    command.current_dir(dir).env_remove("RUST_LOG");
    for (key, _) in std::env::vars() {
        if key.starts_with("TRELLIS_") {
            command.env_remove(key);
        }
    }
    command.env("TRELLIS_METRICS_BIND", "off");
    command
}

/// Runs `command` to its end with `input` on its standard input; what it
/// wrote and how it exited.
pub fn run_with_stdin(mut command: Command, input: &str) -> std::process::Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// One `trellis` process on a fixed port and data directory; killed when
/// dropped.
#[derive(Debug)]
pub struct Trellis {
    bin: PathBuf,
    pub dir: PathBuf,
    pub port: u16,
    env: Vec<(String, String)>,
    child: Option<Child>,
    /// What it wrote to standard error, line by line.
    log: Arc<Mutex<Vec<String>>>,
}

impl Trellis {
    /// A process run from `dir`, with none of the caller's `TRELLIS_*`
    /// variables, federating insecurely on loopback with quick retries.
    pub fn new(bin: &str, dir: &Path) -> Self {
        // The test's own HTTP client needs it.
        trellis_server::install_tls_provider();
        let mut trellis = Self {
            bin: PathBuf::from(bin),
            dir: dir.to_owned(),
            port: free_port(),
            env: Vec::new(),
            child: None,
            log: Arc::default(),
        };
        trellis
            .set("TRELLIS_FEDERATION_INSECURE", "true")
            .set("TRELLIS_DELIVERY_FIRST_RETRY_SECS", "1")
            .set("TRELLIS_DELIVERY_MAX_BACKOFF_SECS", "2")
            .set("TRELLIS_SHUTDOWN_DRAIN_SECS", "0")
            .set("TRELLIS_LOG", "warn");
        trellis
    }

    /// Sets an environment variable of the process (from its next start).
    pub fn set(&mut self, key: &str, value: &str) -> &mut Self {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// A command of this binary with this process's settings.
    pub fn command(&self) -> Command {
        let mut command = command(&self.bin, &self.dir);
        command.env("TRELLIS_BIND", format!("127.0.0.1:{}", self.port));
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    /// Runs `admin create-user NAME --admin` with the test password.
    pub fn create_admin(&self, name: &str) {
        let mut command = self.command();
        command.args(["admin", "create-user", name, "--admin"]);
        let output = run_with_stdin(command, &format!("{PASSWORD}\n"));
        assert!(
            output.status.success(),
            "create-user: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Starts `trellis serve` and waits until it answers `/livez`.
    pub async fn start(&mut self) {
        assert!(self.child.is_none(), "already running");
        let mut child = self
            .command()
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = self.log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                log.lock().unwrap().push(line);
            }
        });
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if reqwest::get(self.url("/livez"))
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("trellis exited at start ({status}): {:?}", self.log());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("trellis on port {} did not come up", self.port);
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// Sends a signal by name (`TERM`, `KILL`, `STOP`, `CONT`).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -{name}");
    }

    /// Kills it as a crash would.
    pub fn sigkill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Waits for it to exit (after a signal); fails after `within`. (The
    /// test's runtime keeps running meanwhile: it may serve the process.)
    pub async fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let child = self.child.as_mut().expect("running");
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                self.child = None;
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "trellis did not exit within {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The lines it wrote to standard error so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The domain it federates as unless `TRELLIS_DOMAIN` says otherwise.
    pub fn domain(&self) -> String {
        format!("localhost:{}", self.port)
    }

    /// A request; its status and JSON body (`Null` when there is none).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = reqwest::Client::new().request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Signs `username` in with the test password.
    pub async fn token(&self, username: &str) -> String {
        let (status, session) = self
            .call(
                reqwest::Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": username, "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, 200, "login: {session}");
        session["token"].as_str().unwrap().to_owned()
    }
}

impl Trellis {
    /// Its partnership with `domain` as its admin sees it (`none` if it
    /// knows no such instance).
    pub async fn partnership(&self, admin: &str, domain: &str) -> String {
        let (_, partners) = self
            .call(
                reqwest::Method::GET,
                "/api/v1/admin/partners",
                Some(admin),
                None,
            )
            .await;
        partners
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["domain"] == domain)
            .and_then(|p| p["partnership"].as_str())
            .unwrap_or("none")
            .to_owned()
    }
}

/// `a` (federating as `a_domain`) asks `b` to partner and `b` accepts, by
/// their admins' tokens; returns once `a` sees the partnership active.
pub async fn partner(a: &Trellis, a_domain: &str, b: &Trellis, admin_a: &str, admin_b: &str) {
    let (status, body) = a
        .call(
            reqwest::Method::POST,
            "/api/v1/admin/partners",
            Some(admin_a),
            Some(json!({"domain": b.domain()})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    crate::eventually("B sees A's request", || async {
        b.partnership(admin_b, a_domain).await == "pending"
    })
    .await;
    let (status, body) = b
        .call(
            reqwest::Method::POST,
            &format!("/api/v1/admin/partners/{a_domain}/accept"),
            Some(admin_b),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    crate::eventually("A sees the partnership", || async {
        a.partnership(admin_a, &b.domain()).await == "active"
    })
    .await;
}

/// The database a process uses on `backend`: on PostgreSQL a fresh one
/// (dropped with the first value) and its URL for `TRELLIS_DATABASE_URL`;
/// on SQLite none, each process keeping its own in its data directory.
pub async fn database(
    backend: trellis_store::Backend,
) -> (Option<trellis_store::testing::TestDatabase>, Option<String>) {
    match backend {
        trellis_store::Backend::Postgres => {
            let db = trellis_store::testing::TestDatabase::postgres().await;
            let url = db.as_ref().map(|d| d.url().to_owned());
            (db, url)
        }
        trellis_store::Backend::Sqlite => (None, None),
    }
}

impl Drop for Trellis {
    fn drop(&mut self) {
        self.sigkill();
        // A failing test shows what the process said.
        if std::thread::panicking() {
            eprintln!("trellis on port {} wrote:", self.port);
            for line in self.log() {
                eprintln!("  {line}");
            }
        }
    }
}

/// A PostgreSQL cluster of the test's own, in a temporary directory on a
/// free port, that the test may stop and start (never the shared one).
/// Run as the `postgres` user when the test runs as root.
#[derive(Debug)]
pub struct PgCluster {
    bin: PathBuf,
    data: PathBuf,
    pub port: u16,
    as_postgres: bool,
    _dir: tempfile::TempDir,
}

impl PgCluster {
    /// A fresh cluster, running; `None` (with a note) where PostgreSQL's
    /// server programs are not installed.
    pub fn start() -> Option<Self> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|p| p.join("initdb").is_file())
            .max();
        let Some(bin) = bin else {
            eprintln!("skipped: no PostgreSQL server programs under /usr/lib/postgresql");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let as_postgres = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
        if as_postgres {
            let chowned = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(chowned.success());
        }
        let cluster = Self {
            bin,
            data,
            port: free_port(),
            as_postgres,
            _dir: dir,
        };
        let init = cluster
            .tool("initdb")
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-D"])
            .arg(&cluster.data)
            .output()
            .unwrap();
        assert!(
            init.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        cluster.resume();
        Some(cluster)
    }

    fn tool(&self, name: &str) -> Command {
        let program = self.bin.join(name);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    /// A URL of the `postgres` database on it.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server at once (`immediate`: as a crash or a kill would).
    pub fn halt(&self) {
        let status = self
            .tool("pg_ctl")
            .args(["stop", "-m", "immediate", "-w", "-D"])
            .arg(&self.data)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "pg_ctl stop");
    }

    /// Starts the server (again) and waits until it accepts connections.
    pub fn resume(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off",
            self.port
        );
        let status = self
            .tool("pg_ctl")
            .args(["start", "-w", "-t", "60", "-l"])
            .arg(self.data.join("log"))
            .args(["-o", &options, "-D"])
            .arg(&self.data)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "pg_ctl start");
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let _ = self
            .tool("pg_ctl")
            .args(["stop", "-m", "immediate", "-D"])
            .arg(&self.data)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// A TCP load balancer on loopback in front of several processes: each
/// connection goes to the first backend that accepts it, as a balancer
/// whose health checks dropped a dead one would send it.
#[derive(Debug)]
pub struct Balancer {
    pub port: u16,
    task: tokio::task::JoinHandle<()>,
}

impl Balancer {
    pub async fn start(backends: Vec<u16>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let backends = backends.clone();
                tokio::spawn(async move {
                    for backend in backends {
                        if let Ok(mut server) =
                            tokio::net::TcpStream::connect(("127.0.0.1", backend)).await
                        {
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                            return;
                        }
                    }
                });
            }
        });
        Self { port, task }
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
