//! Throw-away databases for tests: a SQLite file in a temporary directory,
//! or a new PostgreSQL database (dropped afterwards) on the server that
//! `TRELLIS_TEST_POSTGRES_URL` names.

use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor};
use uuid::Uuid;

use crate::{Backend, Store};

/// The variable that names the PostgreSQL server tests may use.
pub const POSTGRES_URL_VAR: &str = "TRELLIS_TEST_POSTGRES_URL";

/// A fresh, empty database that disappears when dropped.
#[derive(Debug)]
pub struct TestDatabase {
    url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(PgConnectOptions, String)>,
}

impl TestDatabase {
    /// A database of the given kind; `None` for PostgreSQL when no server is
    /// configured for tests.
    pub async fn new(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite()),
            Backend::Postgres => Self::postgres().await,
        }
    }

    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temporary directory: {e}"));
        let url = format!("sqlite://{}", dir.path().join("trellis.db").display());
        Self {
            url,
            _dir: Some(dir),
            postgres: None,
        }
    }

    /// A new database on the test PostgreSQL server, or `None` if
    /// `TRELLIS_TEST_POSTGRES_URL` is not set.
    pub async fn postgres() -> Option<Self> {
        let server = std::env::var(POSTGRES_URL_VAR).ok()?;
        let admin = PgConnectOptions::from_str(&server)
            .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} is not a PostgreSQL URL: {e}"));
        let name = format!("trellis_test_{}", Uuid::now_v7().simple());
        let mut conn = admin
            .connect()
            .await
            .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL server: {e}"));
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap_or_else(|e| panic!("cannot create a test database: {e}"));
        let _ = conn.close().await;
        let url = admin.clone().database(&name).to_url_lossy().to_string();
        Some(Self {
            url,
            _dir: None,
            postgres: Some((admin, name)),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// A migrated store on this database.
    pub async fn store(&self) -> Store {
        let store = Store::connect(&self.url, 5)
            .await
            .unwrap_or_else(|e| panic!("cannot open the test database: {e}"));
        store
            .migrate()
            .await
            .unwrap_or_else(|e| panic!("cannot migrate the test database: {e}"));
        store
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on;
        // a thread of its own with a small runtime does the clean-up.
        let done = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut conn = admin.connect().await.ok()?;
                conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await
                    .ok()
            })
        })
        .join();
        if !matches!(done, Ok(Some(_))) {
            eprintln!("warning: a test database was left behind on the PostgreSQL server");
        }
    }
}
