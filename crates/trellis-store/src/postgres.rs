//! The backend for organizations that outgrow one machine: PostgreSQL.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;

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
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
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

include!("queries/accounts.rs");
include!("queries/settings.rs");
include!("queries/skills.rs");
include!("queries/profiles.rs");
include!("queries/federation.rs");
include!("queries/outbox.rs");
