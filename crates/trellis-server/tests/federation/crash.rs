//! Real `trellis` processes, killed with SIGKILL: nothing acknowledged is lost.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use trellis_store::Backend;
use trellis_store::testing::TestDatabase;
use trellis_testing::{PASSWORD, eventually, mentor, on_every_backend};

/// One `trellis serve` process on a fixed port and data directory.
struct Process {
    port: u16,
    dir: PathBuf,
    database_url: Option<String>,
    child: Option<Child>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Process {
    fn new(dir: &Path, database_url: Option<String>) -> Self {
        Self {
            port: free_port(),
            dir: dir.to_owned(),
            database_url,
            child: None,
        }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_trellis"));
        command
            .current_dir(&self.dir)
            .env_remove("RUST_LOG")
            .env("TRELLIS_BIND", format!("127.0.0.1:{}", self.port))
            .env("TRELLIS_FEDERATION_INSECURE", "true")
            .env("TRELLIS_DELIVERY_FIRST_RETRY_SECS", "1")
            .env("TRELLIS_DELIVERY_MAX_BACKOFF_SECS", "2")
            .env("TRELLIS_LOG", "warn")
            // Several servers at once: no metrics listeners to collide.
            .env("TRELLIS_METRICS_BIND", "off");
        command.env_remove("TRELLIS_DATABASE_URL");
        if let Some(url) = &self.database_url {
            command.env("TRELLIS_DATABASE_URL", url);
        }
        command
    }

    fn create_admin(&self) {
        let mut child = self
            .command()
            .args(["admin", "create-user", "root", "--admin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{PASSWORD}\n").as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success());
    }

    async fn start(&mut self) {
        let child = self
            .command()
            .arg("serve")
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if reqwest::get(self.url("/healthz"))
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("trellis on port {} did not come up", self.port);
    }

    fn sigkill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let status = Command::new("kill")
                .args(["-KILL", &child.id().to_string()])
                .status()
                .unwrap();
            assert!(status.success());
            let _ = child.wait();
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn domain(&self) -> String {
        format!("localhost:{}", self.port)
    }

    async fn call(
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

    async fn token(&self, username: &str) -> String {
        let (_, session) = self
            .call(
                reqwest::Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": username, "password": PASSWORD})),
            )
            .await;
        session["token"].as_str().unwrap().to_owned()
    }

    async fn partnership(&self, admin: &str, other: &Process) -> String {
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
            .find(|p| p["domain"] == other.domain().as_str())
            .map_or_else(
                || "none".to_owned(),
                |p| p["partnership"].as_str().unwrap().to_owned(),
            )
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.sigkill();
    }
}

/// On SQLite each process keeps its database in its data directory.
async fn database(backend: Backend) -> (Option<TestDatabase>, Option<String>) {
    match backend {
        Backend::Postgres => {
            let db = TestDatabase::postgres().await;
            let url = db.as_ref().map(|d| d.url().to_owned());
            (db, url)
        }
        Backend::Sqlite => (None, None),
    }
}

#[on_every_backend]
async fn sigkill_on_both_sides_loses_nothing_acknowledged(backend: Backend) {
    trellis_server::install_tls_provider();
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (_db_a, url_a) = database(backend).await;
    let (_db_b, url_b) = database(backend).await;
    let mut a = Process::new(dirs.0.path(), url_a);
    let mut b = Process::new(dirs.1.path(), url_b);
    a.create_admin();
    b.create_admin();
    a.start().await;
    b.start().await;
    let (admin_a, admin_b) = (a.token("root").await, b.token("root").await);

    let (status, _) = a
        .call(
            reqwest::Method::POST,
            "/api/v1/admin/partners",
            Some(&admin_a),
            Some(json!({"domain": b.domain()})),
        )
        .await;
    assert_eq!(status, 200);
    eventually("B sees A's request", || async {
        b.partnership(&admin_b, &a).await == "pending"
    })
    .await;
    let (status, _) = b
        .call(
            reqwest::Method::POST,
            &format!("/api/v1/admin/partners/{}/accept", a.domain()),
            Some(&admin_b),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200);
    eventually("A sees the partnership", || async {
        a.partnership(&admin_a, &b).await == "active"
    })
    .await;

    // B dies. A acknowledges a change, and dies too, before it can deliver.
    b.sigkill();
    let (status, _) = a
        .call(
            reqwest::Method::POST,
            "/api/v1/accounts",
            None,
            Some(json!({"username": "ada", "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, 201);
    let ada = a.token("ada").await;
    let mut profile = mentor("federated", &[("networking.dns", 5)]);
    profile["headline"] = json!("Acknowledged before the crash");
    let (status, _) = a
        .call(
            reqwest::Method::PUT,
            "/api/v1/me/profile",
            Some(&ada),
            Some(profile),
        )
        .await;
    assert_eq!(status, 200, "acknowledged");
    a.sigkill();

    // Both come back; what A acknowledged reaches B.
    a.start().await;
    b.start().await;
    let admin_b = b.token("root").await;
    eventually("A's change reaches B after both crashed", || async {
        let (_, page) = b
            .call(
                reqwest::Method::GET,
                "/api/v1/directory/mentors?scope=federated",
                Some(&admin_b),
                None,
            )
            .await;
        page["items"][0]["headline"] == "Acknowledged before the crash"
    })
    .await;
}
