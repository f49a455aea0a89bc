//! The backend for organizations that outgrow one machine: PostgreSQL.

use std::time::Duration;

use std::str::FromStr;

use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};

#[allow(clippy::wildcard_imports)]
use crate::prelude::*;

type Db = sqlx::Postgres;

#[derive(Debug, Clone)]
pub struct Backend {
    pool: sqlx::PgPool,
}

impl Backend {
    /// Connects to the database named by `url`, which must exist.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::BadUrl(e.to_string()))?
            // No statement may hold a connection for long, whatever it is asked.
            .options([("statement_timeout", "15s")]);
        // One connection first, so that an unreachable server is reported
        // as such rather than as a pool timeout.
        PgConnection::connect_with(&options).await?.close().await?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("../../migrations/postgres")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl Backend {
    async fn begin(&self) -> sqlx::Result<sqlx::Transaction<'static, Db>> {
        self.pool.begin().await
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
