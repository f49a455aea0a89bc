//! A Trellis instance for one test, and a small HTTP client for it.

use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_server::{Config, Instance};
use trellis_store::Backend;
use trellis_store::testing::TestDatabase;

pub const PASSWORD: &str = "correct horse battery staple";

#[derive(Debug)]
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    /// `None` while the instance is down (see `stop` and `start`).
    pub instance: Option<Instance>,
    pub store: trellis_store::Store,
    pub addr: std::net::SocketAddr,
    pub config: Config,
    _db: TestDatabase,
    _dir: tempfile::TempDir,
}

/// A response: its status and its JSON body (`Null` when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    /// The error code of an error response.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }

    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or_default()
    }

    #[track_caller]
    pub fn expect(self, status: StatusCode) -> Value {
        assert_eq!(self.status, status, "unexpected answer: {}", self.body);
        self.body
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, |_| ()).await
    }

    /// An instance whose configuration `adjust` may change first.
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Option<Self> {
        // Server logs go to the test's captured output (shown when it fails).
        let _ = tracing_subscriber::fmt()
            .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()))
            .with_test_writer()
            .try_init();
        let db = TestDatabase::new(backend).await?;
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config {
            data_dir: dir.path().join("data"),
            database_url: db.url().to_owned(),
            bind: "127.0.0.1:0".parse().unwrap(),
            // Instances in tests federate over http on localhost ports.
            federation_insecure: true,
            // Retry failed deliveries quickly.
            delivery_first_retry_secs: 1,
            delivery_max_backoff_secs: 2,
            // Tests sign in and register far more often than people do;
            // the tests of limits set their own.
            limit_sign_in_per_minute: 100_000,
            limit_sign_in_failures: 1000,
            limit_registrations_per_hour: 100_000,
            limit_expensive_per_minute: 100_000,
            limit_inbox_per_minute: 1_000_000,
            // Many instances run at once; the tests of metrics set their own.
            metrics_bind: "off".into(),
            ..Config::default()
        };
        adjust(&mut config);
        let instance = Instance::start(&config).await.expect("the instance starts");
        // Restarts must come back on the same port (the domain includes it).
        config.bind = instance.addr;
        Some(Self {
            base: format!("http://{}", instance.addr),
            client: reqwest::Client::new(),
            store: instance.store.clone(),
            addr: instance.addr,
            instance: Some(instance),
            config,
            _db: db,
            _dir: dir,
        })
    }

    /// Stops the instance gracefully.
    pub async fn stop(&mut self) {
        if let Some(instance) = self.instance.take() {
            instance.stop().await.unwrap();
        }
    }

    /// Stops the instance as a crash would.
    pub async fn kill(&mut self) {
        if let Some(instance) = self.instance.take() {
            instance.kill().await;
        }
    }

    /// Starts the instance again, on the same port and database.
    pub async fn start(&mut self) {
        assert!(self.instance.is_none(), "the instance is running");
        let instance = Instance::start(&self.config)
            .await
            .expect("the instance restarts");
        self.store = instance.store.clone();
        self.instance = Some(instance);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The domain this instance federates as: `localhost:PORT`.
    pub fn domain(&self) -> String {
        format!("localhost:{}", self.addr.port())
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        Self::reply(request.send().await.unwrap()).await
    }

    pub async fn reply(response: reqwest::Response) -> Reply {
        let status = response.status();
        let bytes = response.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)))
        };
        Reply { status, body }
    }

    /// GETs `path` here as `from`'s instance actor does: a signed fetch
    /// (draft-cavage), which partners answer with more than strangers.
    pub async fn get_signed_by(&self, from: &TestApp, path: &str) -> Reply {
        use trellis_federation::signatures::{Flavour, Outgoing, SigningKey, sign};
        let keys = from.store.instance_keys().await.unwrap().unwrap();
        let key = SigningKey::from_pem(
            format!("http://{}/actor#main-key", from.domain()),
            &keys.private_key_pem,
        )
        .unwrap();
        let url = reqwest::Url::parse(&format!("http://{}{path}", self.domain())).unwrap();
        let headers = sign(
            Flavour::Cavage,
            &key,
            Outgoing {
                method: &reqwest::Method::GET,
                url: &url,
                body: None,
            },
            chrono::Utc::now(),
        )
        .unwrap();
        let mut request = self
            .client
            .get(url)
            .header("accept", "application/activity+json");
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_bytes());
        }
        Self::reply(request.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(reqwest::Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(reqwest::Method::POST, path, token, Some(body))
            .await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(reqwest::Method::PUT, path, token, Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(reqwest::Method::PATCH, path, token, Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(reqwest::Method::DELETE, path, token, None).await
    }

    /// Registers `username` with the standard test password.
    pub async fn register(&self, username: &str) -> Value {
        self.post(
            "/api/v1/accounts",
            None,
            json!({"username": username, "password": PASSWORD}),
        )
        .await
        .expect(StatusCode::CREATED)
    }

    pub async fn login(&self, username: &str) -> String {
        let body = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"username": username, "password": PASSWORD}),
            )
            .await
            .expect(StatusCode::OK);
        body["token"].as_str().unwrap().to_owned()
    }

    /// A new member, signed in.
    pub async fn member(&self, username: &str) -> String {
        self.register(username).await;
        self.login(username).await
    }

    /// A new admin, signed in.
    pub async fn admin(&self, username: &str) -> String {
        let id = self.register(username).await["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        self.store.set_admin(id, true).await.unwrap();
        self.login(username).await
    }

    /// Replaces the profile of the member signed in with `token`.
    pub async fn set_profile(&self, token: &str, profile: Value) -> Value {
        self.put("/api/v1/me/profile", Some(token), profile)
            .await
            .expect(StatusCode::OK)
    }

    /// Completes mentorship `id` as the member signed in with `token`.
    pub async fn complete(&self, token: &str, id: &str) {
        self.post(
            &format!("/api/v1/mentorships/{id}/complete"),
            Some(token),
            json!({}),
        )
        .await
        .expect(StatusCode::OK);
    }

    /// Asks this instance's verifier about a credential (no sign-in).
    pub async fn verify_credential(&self, jwt: &str) -> Value {
        self.post(
            "/api/v1/credentials/verify",
            None,
            json!({"credential": jwt}),
        )
        .await
        .expect(StatusCode::OK)
    }

    /// Issues the member signed in with `token` a participation statement.
    pub async fn issue_statement(&self, token: &str) -> Value {
        self.post(
            "/api/v1/me/credentials/participation",
            Some(token),
            json!({}),
        )
        .await
        .expect(StatusCode::CREATED)
    }

    pub async fn account_count(&self) -> u64 {
        self.store.count_accounts().await.unwrap()
    }
}

/// A mentor's profile with the given visibility and skills.
pub fn mentor(visibility: &str, skills: &[(&str, u8)]) -> Value {
    json!({
        "display_name": "A Mentor",
        "headline": "Helps people grow",
        "bio": "",
        "timezone": "Europe/Berlin",
        "languages": ["en"],
        "skills": skills.iter().map(|(k, l)| json!({"skill": k, "level": l})).collect::<Vec<_>>(),
        "mentor": {"offers_mentoring": true, "accepting_mentees": true, "capacity": 2, "hours_per_month": 4},
        "visibility": visibility,
    })
}

/// The first problem a credential check reports (empty if none).
pub fn first_problem(report: &Value) -> &str {
    report["problems"][0].as_str().unwrap_or_default()
}

/// Waits until `check` holds, polling; fails after 30 seconds. Federation
/// is asynchronous: deliveries happen after the request that caused them.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("timed out waiting until {what}");
}

/// Checks an exported archive against its schema: it reads back into the
/// archive's types (what an importer uses, refusing unknown fields), it
/// names every field the schema requires, and the schema in the repository
/// is the one those types make.
pub fn check_archive(archive: &Value) -> trellis_app::archive::Archive {
    let typed: trellis_app::archive::Archive = serde_json::from_value(archive.clone()).unwrap();
    let committed: Value =
        serde_json::from_str(include_str!("../../../docs/export-schema.json")).unwrap();
    assert_eq!(
        committed,
        trellis_app::archive::archive_schema(),
        "docs/export-schema.json is stale: regenerate it with \
         `cargo run -p trellis-server -- export-schema > docs/export-schema.json`"
    );
    let required = committed["components"]["schemas"]["Archive"]["required"]
        .as_array()
        .unwrap();
    for field in required {
        assert!(archive.get(field.as_str().unwrap()).is_some(), "{field}");
    }
    typed
}
