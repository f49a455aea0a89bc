//! The backend for organizations that outgrow one machine: PostgreSQL.

use std::str::FromStr;

use sqlx::Connection;
use sqlx::migrate::Migrate;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};

use crate::error::{StoreError, StoreResult};
use crate::model::{MigrationReport, PoolSettings, SignerSlot};

/// A connection, in a transaction or from the pool.
type Conn = <Db as sqlx::Database>::Connection;

type Db = sqlx::Postgres;

#[derive(Debug, Clone)]
pub struct Backend {
    pool: sqlx::PgPool,
    /// Signs credentials as they are issued (shared by every clone).
    signer: SignerSlot,
}

impl Backend {
    /// Connects to the database named by `url`, which must exist.
    pub async fn connect(url: &str, settings: &PoolSettings) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::BadUrl(e.to_string()))?
            // No statement may hold a connection for long, whatever it is asked.
            .options([("statement_timeout", "15s")]);
        // One connection first, so that an unreachable server is reported
        // as such rather than as a pool timeout.
        PgConnection::connect_with(&options).await?.close().await?;
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections)
            // Short: with the server down, a request is told so (503) at
            // once instead of hanging.
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
        sqlx::migrate!("../../migrations/postgres")
    }

    /// Applies the migrations this build knows and the database lacks,
    /// under PostgreSQL's advisory lock (taken here, so that what was
    /// applied before is read under it too).
    pub async fn migrate(&self) -> StoreResult<MigrationReport> {
        let mut migrator = Self::migrator();
        migrator.set_locking(false);
        let mut conn = self.pool.acquire().await?;
        conn.lock().await?;
        let result = async {
            conn.ensure_migrations_table().await?;
            let before = conn.list_applied_migrations().await?;
            migrator.run(&mut *conn).await?;
            let after = conn.list_applied_migrations().await?;
            Ok::<_, StoreError>(MigrationReport::new(&migrator, &before, &after))
        }
        .await;
        conn.unlock().await?;
        result
    }

    pub async fn server_version(&self) -> StoreResult<String> {
        let (version,): (String,) = sqlx::query_as("SELECT version()")
            .fetch_one(&self.pool)
            .await?;
        Ok(version)
    }
}

impl Backend {
    async fn begin(&self) -> sqlx::Result<sqlx::Transaction<'static, Db>> {
        self.pool.begin().await
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
