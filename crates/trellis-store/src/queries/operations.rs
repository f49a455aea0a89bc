// What operating an instance needs of the database itself: a write that
// shows whether writes go through, the migrations still to apply, the
// pool. Included as a module of each backend.

use chrono::{DateTime, Utc};

use super::Backend;
use crate::error::StoreResult;
use crate::model::{MigrationReport, PoolStats};

impl Backend {
    /// Writes the one row of `health_probes` in a write transaction, the
    /// path every change takes.
    pub async fn probe_write(&self, now: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO health_probes (id, written_at) VALUES (1, $1) \
             ON CONFLICT (id) DO UPDATE SET written_at = excluded.written_at",
        )
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Migrations this build knows that the database lacks (all of them
    /// when it was never migrated).
    pub async fn pending_migrations(&self) -> StoreResult<u64> {
        let applied: Vec<(i64,)> =
            match sqlx::query_as("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&self.pool)
                .await
            {
                Ok(applied) => applied,
                Err(sqlx::Error::Database(_)) => Vec::new(),
                Err(other) => return Err(other.into()),
            };
        let applied: Vec<i64> = applied.into_iter().map(|(v,)| v).collect();
        Ok(MigrationReport::pending(&Self::migrator(), &applied))
    }

    pub fn pool_stats(&self) -> PoolStats {
        PoolStats::of(&self.pool)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
