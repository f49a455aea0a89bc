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

/// Set (to anything but `0` or empty) in CI: a PostgreSQL test may not be
/// skipped for want of a server; it fails instead.
pub const REQUIRE_POSTGRES_VAR: &str = "TRELLIS_TEST_REQUIRE_POSTGRES";

/// The PostgreSQL server to test on, given the two variables: `Ok(None)`
/// means skip, which is refused when PostgreSQL is required.
pub fn postgres_server(
    url: Option<String>,
    required: Option<String>,
) -> Result<Option<String>, String> {
    let required = required.is_some_and(|r| !r.is_empty() && r != "0");
    match url.filter(|u| !u.is_empty()) {
        Some(url) => Ok(Some(url)),
        None if required => Err(format!(
            "{REQUIRE_POSTGRES_VAR} is set but {POSTGRES_URL_VAR} is not: the PostgreSQL tests may not be skipped"
        )),
        None => Ok(None),
    }
}

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
        let server = postgres_server(
            std::env::var(POSTGRES_URL_VAR).ok(),
            std::env::var(REQUIRE_POSTGRES_VAR).ok(),
        )
        .unwrap_or_else(|why| panic!("{why}"))?;
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

#[cfg(test)]
mod tests {
    use super::postgres_server;

    #[test]
    fn postgres_is_skipped_only_when_not_required() {
        let url = || Some("postgres://db/x".to_owned());
        assert_eq!(postgres_server(url(), None), Ok(url()));
        assert_eq!(postgres_server(url(), Some("1".into())), Ok(url()));
        assert_eq!(postgres_server(None, None), Ok(None));
        assert_eq!(postgres_server(None, Some("0".into())), Ok(None));
        assert_eq!(
            postgres_server(Some(String::new()), Some(String::new())),
            Ok(None)
        );
        assert!(postgres_server(None, Some("1".into())).is_err());
        assert!(postgres_server(Some(String::new()), Some("yes".into())).is_err());
    }
}
