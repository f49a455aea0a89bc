// What the queries of several aggregates share: the received-activity
// log, notifications and the store's refusals. Included as a module of
// each backend.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Db;
use crate::error::{StoreError, StoreResult};

/// Records a received activity id; false if it was recorded before.
pub(super) async fn record_received(
    tx: &mut sqlx::Transaction<'_, Db>,
    activity_id: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "INSERT INTO received_activities (activity_id, received_at) VALUES ($1, $2) \
         ON CONFLICT (activity_id) DO NOTHING",
    )
    .bind(activity_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Tells `account_id` about something, in the transaction of the change
/// (members of other instances are told by their own).
pub(super) async fn notify(
    tx: &mut sqlx::Transaction<'_, Db>,
    account_id: Uuid,
    kind: &str,
    mentorship_id: Option<Uuid>,
    domain: Option<&str>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO notifications (id, account_id, kind, mentorship_id, domain, created_at) \
         SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS \
           (SELECT 1 FROM accounts WHERE id = $2 AND domain IS NULL)",
    )
    .bind(Uuid::now_v7())
    .bind(account_id)
    .bind(kind)
    .bind(mentorship_id)
    .bind(domain)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A list index as stored (`position` columns).
pub(super) fn position(index: usize) -> i32 {
    i32::try_from(index).unwrap_or(i32::MAX)
}

/// A refusal of the domain's rules, as the store reports it.
pub(super) fn refused(err: trellis_core::CoreError) -> StoreError {
    StoreError::Refused(err)
}

/// A conflict with what is stored, as the store reports it.
pub(super) fn conflict(message: impl Into<String>) -> StoreError {
    refused(trellis_core::CoreError::Conflict(message.into()))
}
