//! Rows of the outbox.

use chrono::{DateTime, Utc};
use trellis_core::CoreError;
use uuid::Uuid;

use crate::model::{Delivery, OutboxEvent, OutboxEventKind};

pub(crate) const DELIVERY_COLUMNS: &str =
    "id, domain, inbox_url, activity_id, signer, body, attempts, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct DeliveryRow {
    id: Uuid,
    domain: String,
    inbox_url: String,
    activity_id: String,
    signer: Option<Uuid>,
    body: String,
    attempts: i32,
    created_at: DateTime<Utc>,
}

impl From<DeliveryRow> for Delivery {
    fn from(row: DeliveryRow) -> Self {
        Self {
            id: row.id,
            domain: row.domain,
            inbox_url: row.inbox_url,
            activity_id: row.activity_id,
            signer: row.signer,
            body: row.body,
            attempts: row.attempts.try_into().unwrap_or(0),
            created_at: row.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct OutboxEventRow {
    id: Uuid,
    kind: String,
    account_id: Option<Uuid>,
    domain: Option<String>,
    mentorship_event_id: Option<Uuid>,
    session_id: Option<Uuid>,
    review_id: Option<Uuid>,
    endorsement_id: Option<Uuid>,
    created_at: DateTime<Utc>,
}

impl TryFrom<OutboxEventRow> for OutboxEvent {
    type Error = CoreError;
    fn try_from(row: OutboxEventRow) -> Result<Self, CoreError> {
        Ok(Self {
            id: row.id,
            kind: OutboxEventKind::parse(&row.kind).ok_or_else(|| {
                CoreError::invalid("kind", format_args!("unknown event {:?}", row.kind))
            })?,
            account_id: row.account_id,
            domain: row.domain,
            mentorship_event_id: row.mentorship_event_id,
            session_id: row.session_id,
            review_id: row.review_id,
            endorsement_id: row.endorsement_id,
            created_at: row.created_at,
        })
    }
}
