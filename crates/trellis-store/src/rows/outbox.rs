//! Rows of the outbox.

use chrono::{DateTime, Utc};
use trellis_core::CoreError;
use uuid::Uuid;

use crate::model::{Delivery, FailedOutboxEvent, OutboxEvent, OutboxEventKind, PendingEvent};

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

/// The columns of an `OutboxEventRow`, from `outbox_events`.
pub(crate) const OUTBOX_EVENT_COLUMNS: &str = "id, kind, account_id, domain, mentorship_event_id, \
     session_id, review_id, endorsement_id, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct OutboxEventRow {
    pub(crate) id: Uuid,
    pub(crate) kind: String,
    account_id: Option<Uuid>,
    domain: Option<String>,
    mentorship_event_id: Option<Uuid>,
    session_id: Option<Uuid>,
    review_id: Option<Uuid>,
    endorsement_id: Option<Uuid>,
    created_at: DateTime<Utc>,
}

impl TryFrom<OutboxEventRow> for PendingEvent {
    type Error = CoreError;
    /// The event, if the row holds exactly the fields of its kind.
    fn try_from(mut row: OutboxEventRow) -> Result<Self, CoreError> {
        let kind = OutboxEventKind::parse(&row.kind).ok_or_else(|| {
            CoreError::invalid("kind", format_args!("unknown event {:?}", row.kind))
        })?;
        let missing = |field: &'static str| {
            CoreError::invalid(field, format_args!("missing on a {} event", kind.as_str()))
        };
        let take = |value: &mut Option<Uuid>, field: &'static str| {
            value.take().ok_or_else(|| missing(field))
        };
        let event = match kind {
            OutboxEventKind::ProfileChanged => OutboxEvent::ProfileChanged {
                account_id: take(&mut row.account_id, "account_id")?,
            },
            OutboxEventKind::PartnerJoined => OutboxEvent::PartnerJoined {
                domain: row.domain.take().ok_or_else(|| missing("domain"))?,
            },
            OutboxEventKind::MentorshipChanged => OutboxEvent::MentorshipChanged {
                actor_id: take(&mut row.account_id, "account_id")?,
                mentorship_event_id: take(&mut row.mentorship_event_id, "mentorship_event_id")?,
            },
            OutboxEventKind::SessionCreated => OutboxEvent::SessionCreated {
                actor_id: take(&mut row.account_id, "account_id")?,
                session_id: take(&mut row.session_id, "session_id")?,
            },
            OutboxEventKind::SessionUpdated => OutboxEvent::SessionUpdated {
                actor_id: take(&mut row.account_id, "account_id")?,
                session_id: take(&mut row.session_id, "session_id")?,
            },
            OutboxEventKind::ReviewStarted => OutboxEvent::ReviewStarted {
                actor_id: take(&mut row.account_id, "account_id")?,
                review_id: take(&mut row.review_id, "review_id")?,
            },
            OutboxEventKind::ReviewPartSubmitted => OutboxEvent::ReviewPartSubmitted {
                actor_id: take(&mut row.account_id, "account_id")?,
                review_id: take(&mut row.review_id, "review_id")?,
            },
            OutboxEventKind::GrowthShared => OutboxEvent::GrowthShared {
                mentee_id: take(&mut row.account_id, "account_id")?,
            },
            OutboxEventKind::EndorsementGiven => OutboxEvent::EndorsementGiven {
                endorser_id: take(&mut row.account_id, "account_id")?,
                endorsement_id: take(&mut row.endorsement_id, "endorsement_id")?,
            },
            OutboxEventKind::EndorsementWithdrawn => OutboxEvent::EndorsementWithdrawn {
                endorser_id: take(&mut row.account_id, "account_id")?,
                endorsement_id: take(&mut row.endorsement_id, "endorsement_id")?,
            },
        };
        // What the kind took is gone; anything left was not its to have.
        let left = [
            ("account_id", row.account_id.is_some()),
            ("domain", row.domain.is_some()),
            ("mentorship_event_id", row.mentorship_event_id.is_some()),
            ("session_id", row.session_id.is_some()),
            ("review_id", row.review_id.is_some()),
            ("endorsement_id", row.endorsement_id.is_some()),
        ];
        if let Some((field, _)) = left.into_iter().find(|(_, set)| *set) {
            return Err(CoreError::invalid(
                field,
                format_args!("set on a {} event, which has none", kind.as_str()),
            ));
        }
        Ok(Self {
            id: row.id,
            event,
            created_at: row.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct FailedOutboxEventRow {
    id: Uuid,
    kind: String,
    error: String,
    created_at: DateTime<Utc>,
}

impl From<FailedOutboxEventRow> for FailedOutboxEvent {
    fn from(row: FailedOutboxEventRow) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            error: row.error,
            created_at: row.created_at,
        }
    }
}
