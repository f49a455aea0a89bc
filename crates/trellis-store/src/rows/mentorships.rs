//! Rows of mentorships, their parties and steps, and notifications.

use chrono::{DateTime, Utc};
use trellis_core::CoreError;
use trellis_core::account::Username;
use trellis_core::mentorship::MentorshipState;
use uuid::Uuid;

use crate::model::{Mentorship, MentorshipEvent, PartyRecord};

pub(crate) const MENTORSHIP_COLUMNS: &str = "m.id, m.state, m.message, m.goals, m.object_url, m.origin, \
     m.created_at, m.updated_at, m.mentor_id, mr.username AS mentor_username, \
     mr.domain AS mentor_domain, mr.actor_url AS mentor_actor_url, m.mentee_id, \
     me.username AS mentee_username, me.domain AS mentee_domain, me.actor_url AS mentee_actor_url";

pub(crate) const MENTORSHIPS: &str = "mentorships m JOIN accounts mr ON mr.id = m.mentor_id \
     JOIN accounts me ON me.id = m.mentee_id";

#[derive(sqlx::FromRow)]
pub(crate) struct MentorshipRow {
    id: Uuid,
    state: String,
    message: String,
    goals: String,
    object_url: Option<String>,
    origin: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    mentor_id: Uuid,
    mentor_username: String,
    mentor_domain: Option<String>,
    mentor_actor_url: Option<String>,
    mentee_id: Uuid,
    mentee_username: String,
    mentee_domain: Option<String>,
    mentee_actor_url: Option<String>,
}

/// One side of something that may travel: the actor of a member
/// elsewhere comes with it.
pub(super) fn federated_party(
    id: Uuid,
    username: &str,
    domain: Option<String>,
    actor_url: Option<String>,
) -> Result<PartyRecord, CoreError> {
    Ok(PartyRecord {
        account_id: id,
        username: Username::parse(username)?,
        domain,
        actor_url,
    })
}

impl TryFrom<MentorshipRow> for Mentorship {
    type Error = CoreError;
    fn try_from(row: MentorshipRow) -> Result<Self, CoreError> {
        Ok(Self {
            id: row.id,
            mentor: federated_party(
                row.mentor_id,
                &row.mentor_username,
                row.mentor_domain,
                row.mentor_actor_url,
            )?,
            mentee: federated_party(
                row.mentee_id,
                &row.mentee_username,
                row.mentee_domain,
                row.mentee_actor_url,
            )?,
            state: MentorshipState::parse(&row.state)?,
            message: row.message,
            goals: row.goals,
            object_url: row.object_url,
            origin: row.origin,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MentorshipEventRow {
    id: Uuid,
    state: String,
    actor_id: Uuid,
    note: String,
    at: DateTime<Utc>,
}

impl TryFrom<MentorshipEventRow> for MentorshipEvent {
    type Error = CoreError;
    fn try_from(row: MentorshipEventRow) -> Result<Self, CoreError> {
        Ok(Self {
            id: row.id,
            state: MentorshipState::parse(&row.state)?,
            actor_id: row.actor_id,
            note: row.note,
            at: row.at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct NotificationRow {
    id: Uuid,
    kind: String,
    mentorship_id: Option<Uuid>,
    nomination_id: Option<Uuid>,
    domain: Option<String>,
    created_at: DateTime<Utc>,
    read_at: Option<DateTime<Utc>>,
}

impl From<NotificationRow> for crate::model::Notification {
    fn from(row: NotificationRow) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            mentorship_id: row.mentorship_id,
            nomination_id: row.nomination_id,
            domain: row.domain,
            created_at: row.created_at,
            read_at: row.read_at,
        }
    }
}

/// One side of something, by account: `id, username, domain`.
#[derive(sqlx::FromRow)]
pub(crate) struct PartyRow {
    id: Uuid,
    username: String,
    domain: Option<String>,
}

pub(super) fn party(
    id: Uuid,
    username: &str,
    domain: Option<String>,
) -> Result<PartyRecord, CoreError> {
    // Read with cohorts, which never federate by themselves.
    federated_party(id, username, domain, None)
}

impl TryFrom<PartyRow> for PartyRecord {
    type Error = CoreError;
    fn try_from(row: PartyRow) -> Result<Self, CoreError> {
        party(row.id, &row.username, row.domain)
    }
}
