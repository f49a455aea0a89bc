//! The embedded backend: one SQLite file in WAL mode.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

#[allow(clippy::wildcard_imports)]
use crate::prelude::*;

type Db = sqlx::Sqlite;

#[derive(Debug, Clone)]
pub struct Backend {
    pool: sqlx::SqlitePool,
}

impl Backend {
    /// Opens (creating if need be) the database file named by `url`.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::BadUrl(e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections)
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("../../migrations/sqlite")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A write transaction. It takes the write lock at once (waiting up to
    /// the busy timeout): a transaction that reads first and writes later
    /// would fail at once, not wait, when another commits in between.
    async fn begin(&self) -> sqlx::Result<sqlx::Transaction<'static, Db>> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }
}

include!("queries/accounts.rs");
include!("queries/settings.rs");
include!("queries/skills.rs");
include!("queries/profiles.rs");
include!("queries/federation.rs");
include!("queries/outbox.rs");
include!("queries/mentorships.rs");
include!("queries/sessions.rs");
include!("queries/reviews.rs");
include!("queries/cohorts.rs");
include!("queries/moves.rs");
include!("queries/tracks.rs");
