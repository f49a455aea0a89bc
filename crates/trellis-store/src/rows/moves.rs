//! Rows of imports.

use chrono::{DateTime, Utc};
use trellis_core::CoreError;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(crate) struct ImportRow {
    id: Uuid,
    account_id: Uuid,
    from_actor: String,
    origin: String,
    archive_url: Option<String>,
    archive: Option<String>,
    state: String,
    attempts: i32,
    report: Option<String>,
    created_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
}

impl TryFrom<ImportRow> for crate::model::Import {
    type Error = CoreError;
    fn try_from(row: ImportRow) -> Result<Self, CoreError> {
        Ok(Self {
            id: row.id,
            account_id: row.account_id,
            from_actor: row.from_actor,
            origin: row.origin,
            archive_url: row.archive_url,
            archive: row.archive,
            state: crate::model::ImportState::parse(&row.state)
                .ok_or_else(|| CoreError::invalid("state", "unknown import state"))?,
            attempts: u32::try_from(row.attempts).unwrap_or(0),
            report: row
                .report
                .map(|r| serde_json::from_str(&r))
                .transpose()
                .map_err(|e| CoreError::invalid("report", format_args!("not JSON: {e}")))?,
            created_at: row.created_at,
            finished_at: row.finished_at,
        })
    }
}
