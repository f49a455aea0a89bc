//! The backend for organizations that outgrow one machine: PostgreSQL.

use std::time::Duration;

use std::str::FromStr;

use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};

use crate::error::{StoreError, StoreResult};
use crate::model::SignerSlot;

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
        Ok(Self {
            pool,
            signer: SignerSlot::default(),
        })
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
