// What operating an instance needs of the database itself: a write that
// shows whether writes go through. Included as a module of each backend.

use chrono::{DateTime, Utc};

use super::Backend;
use crate::error::StoreResult;

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
}
