//! The embedded backend: one SQLite file in WAL mode.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::error::{StoreError, StoreResult};
use crate::model::SignerSlot;

/// A connection, in a transaction or from the pool.
type Conn = <Db as sqlx::Database>::Connection;

type Db = sqlx::Sqlite;

#[derive(Debug, Clone)]
pub struct Backend {
    pool: sqlx::SqlitePool,
    /// Signs credentials as they are issued (shared by every clone).
    signer: SignerSlot,
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
        Ok(Self {
            pool,
            signer: SignerSlot::default(),
        })
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

// The shared queries (see the crate root), one module each.
mod common {
    include!("queries/common.rs");
}
mod accounts {
    include!("queries/accounts.rs");
}
mod settings {
    include!("queries/settings.rs");
}
mod skills {
    include!("queries/skills.rs");
}
mod profiles {
    include!("queries/profiles.rs");
}
mod federation {
    include!("queries/federation.rs");
}
mod outbox {
    include!("queries/outbox.rs");
}
mod mentorships {
    include!("queries/mentorships.rs");
}
mod sessions {
    include!("queries/sessions.rs");
}
mod reviews {
    include!("queries/reviews.rs");
}
mod endorsements {
    include!("queries/endorsements.rs");
}
mod cohorts {
    include!("queries/cohorts.rs");
}
mod moves {
    include!("queries/moves.rs");
}
mod tracks {
    include!("queries/tracks.rs");
}
mod recognition {
    include!("queries/recognition.rs");
}
