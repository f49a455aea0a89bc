//! Rows of endorsements.

use chrono::{DateTime, Utc};
use trellis_core::CoreError;
use trellis_core::skill::SkillKey;
use uuid::Uuid;

use super::mentorships::federated_party;

/// Endorsements `e` with both parties: `e JOIN accounts er, su`.
pub(crate) const ENDORSEMENT_COLUMNS: &str = "e.id, e.mentorship_id, e.skill, e.text, \
     e.object_url, e.credential, e.created_at, e.withdrawn_at, e.endorser_id, er.username AS endorser_username, \
     er.domain AS endorser_domain, er.actor_url AS endorser_actor_url, e.subject_id, \
     su.username AS subject_username, su.domain AS subject_domain, \
     su.actor_url AS subject_actor_url";

pub(crate) const ENDORSEMENTS: &str = "endorsements e JOIN accounts er ON er.id = e.endorser_id \
     JOIN accounts su ON su.id = e.subject_id";

#[derive(sqlx::FromRow)]
pub(crate) struct EndorsementRow {
    id: Uuid,
    mentorship_id: Uuid,
    skill: String,
    text: String,
    object_url: Option<String>,
    credential: Option<String>,
    created_at: DateTime<Utc>,
    withdrawn_at: Option<DateTime<Utc>>,
    endorser_id: Uuid,
    endorser_username: String,
    endorser_domain: Option<String>,
    endorser_actor_url: Option<String>,
    subject_id: Uuid,
    subject_username: String,
    subject_domain: Option<String>,
    subject_actor_url: Option<String>,
}

impl TryFrom<EndorsementRow> for crate::model::EndorsementRecord {
    type Error = CoreError;
    fn try_from(row: EndorsementRow) -> Result<Self, CoreError> {
        Ok(Self {
            id: row.id,
            mentorship_id: row.mentorship_id,
            endorser: federated_party(
                row.endorser_id,
                &row.endorser_username,
                row.endorser_domain,
                row.endorser_actor_url,
            )?,
            subject: federated_party(
                row.subject_id,
                &row.subject_username,
                row.subject_domain,
                row.subject_actor_url,
            )?,
            endorsement: trellis_core::recognition::Endorsement {
                skill: SkillKey::parse(&row.skill)?,
                text: row.text,
            },
            object_url: row.object_url,
            credential: row.credential,
            created_at: row.created_at,
            withdrawn_at: row.withdrawn_at,
        })
    }
}
