//! The embedded backend: one SQLite file in WAL mode.

use std::str::FromStr;

use sqlx::migrate::Migrate;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::error::{StoreError, StoreResult};
use crate::model::{MigrationReport, PoolSettings, SignerSlot};

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
    pub async fn connect(url: &str, settings: &PoolSettings) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::BadUrl(e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(settings.busy_timeout);
        let pool = SqlitePoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout)
            .after_release(|conn, _| Box::pin(crate::error::fit_for_reuse(conn)))
            .connect_with(options)
            .await?;
        Ok(Self {
            pool,
            signer: SignerSlot::default(),
        })
    }

    /// The migrations of this backend, built into the binary.
    fn migrator() -> sqlx::migrate::Migrator {
        sqlx::migrate!("../../migrations/sqlite")
    }

    /// Applies the migrations this build knows and the database lacks, all
    /// in one exclusive transaction: a second process migrating the same
    /// file waits for it and then finds nothing left to do (SQLite has no
    /// lock of sqlx's own, as PostgreSQL's advisory lock is).
    pub async fn migrate(&self) -> StoreResult<MigrationReport> {
        let migrator = Self::migrator();
        let mut tx = self.pool.begin_with("BEGIN EXCLUSIVE").await?;
        tx.ensure_migrations_table().await?;
        let before = tx.list_applied_migrations().await?;
        migrator.run(&mut *tx).await?;
        let after = tx.list_applied_migrations().await?;
        tx.commit().await?;
        Ok(MigrationReport::new(&migrator, &before, &after))
    }

    pub async fn server_version(&self) -> StoreResult<String> {
        let (version,): (String,) = sqlx::query_as("SELECT 'SQLite ' || sqlite_version()")
            .fetch_one(&self.pool)
            .await?;
        Ok(version)
    }

    pub async fn backup_into(&self, path: &std::path::Path) -> StoreResult<()> {
        sqlx::query("VACUUM INTO ?")
            .bind(path.to_string_lossy().into_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
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
mod operations {
    include!("queries/operations.rs");
}
