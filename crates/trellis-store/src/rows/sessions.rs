//! Rows of sessions.

use chrono::{DateTime, Utc};
use trellis_core::CoreError;
use uuid::Uuid;

pub(crate) const SESSION_COLUMNS: &str = "s.id, s.mentorship_id, s.object_url, s.author_id, \
     s.held_at, s.duration_minutes, s.topics, s.notes, s.action_items, n.text AS private_note, \
     s.origin, s.created_at, s.updated_at";

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    id: Uuid,
    mentorship_id: Uuid,
    object_url: Option<String>,
    author_id: Uuid,
    held_at: DateTime<Utc>,
    duration_minutes: i32,
    topics: String,
    notes: String,
    action_items: String,
    private_note: Option<String>,
    origin: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<SessionRow> for crate::model::Session {
    type Error = CoreError;
    fn try_from(row: SessionRow) -> Result<Self, CoreError> {
        let json = |field: &str, e: serde_json::Error| {
            CoreError::invalid(field, format_args!("stored value: {e}"))
        };
        Ok(Self {
            id: row.id,
            mentorship_id: row.mentorship_id,
            object_url: row.object_url,
            author_id: row.author_id,
            content: trellis_core::session::SessionContent {
                held_at: row.held_at,
                duration_minutes: u16::try_from(row.duration_minutes)
                    .map_err(|_| CoreError::invalid("duration_minutes", "out of range"))?,
                topics: serde_json::from_str(&row.topics).map_err(|e| json("topics", e))?,
                notes: row.notes,
                action_items: serde_json::from_str(&row.action_items)
                    .map_err(|e| json("action_items", e))?,
            },
            private_note: row.private_note,
            origin: row.origin,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}
