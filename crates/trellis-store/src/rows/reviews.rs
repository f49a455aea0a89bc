//! Rows of reviews, plans and shared growth.

use chrono::{DateTime, Utc};
use trellis_core::CoreError;
use trellis_core::skill::SkillKey;
use uuid::Uuid;

pub(crate) const REVIEW_COLUMNS: &str = "r.id, r.mentorship_id, r.object_url, r.started_by, \
     r.skills, r.state, r.mentee_part, r.mentee_submitted_at, r.mentor_part, \
     r.mentor_submitted_at, r.started_at, r.completed_at, r.origin";

#[derive(sqlx::FromRow)]
pub(crate) struct ReviewRow {
    id: Uuid,
    mentorship_id: Uuid,
    object_url: Option<String>,
    started_by: Uuid,
    skills: String,
    state: String,
    mentee_part: Option<String>,
    mentee_submitted_at: Option<DateTime<Utc>>,
    mentor_part: Option<String>,
    mentor_submitted_at: Option<DateTime<Utc>>,
    started_at: DateTime<Utc>,
    origin: Option<String>,
    completed_at: Option<DateTime<Utc>>,
}

fn submitted(
    field: &str,
    part: Option<String>,
    at: Option<DateTime<Utc>>,
) -> Result<Option<crate::model::Submitted>, CoreError> {
    match (part, at) {
        (Some(part), Some(at)) => Ok(Some(crate::model::Submitted {
            part: serde_json::from_str(&part)
                .map_err(|e| CoreError::invalid(field, format_args!("not a review part: {e}")))?,
            at,
        })),
        _ => Ok(None),
    }
}

impl TryFrom<ReviewRow> for crate::model::Review {
    type Error = CoreError;
    fn try_from(row: ReviewRow) -> Result<Self, CoreError> {
        let keys: Vec<String> = serde_json::from_str(&row.skills)
            .map_err(|e| CoreError::invalid("skills", format_args!("not a JSON list: {e}")))?;
        Ok(Self {
            id: row.id,
            mentorship_id: row.mentorship_id,
            object_url: row.object_url,
            started_by: row.started_by,
            skills: keys
                .iter()
                .map(|k| SkillKey::parse(k))
                .collect::<Result<_, _>>()?,
            state: trellis_core::review::ReviewState::parse(&row.state)?,
            mentee_part: submitted("mentee_part", row.mentee_part, row.mentee_submitted_at)?,
            mentor_part: submitted("mentor_part", row.mentor_part, row.mentor_submitted_at)?,
            started_at: row.started_at,
            origin: row.origin,
            completed_at: row.completed_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PlanVersionRow {
    version: i32,
    plan: String,
    origin: Option<String>,
    created_at: DateTime<Utc>,
}

impl TryFrom<PlanVersionRow> for crate::model::PlanVersion {
    type Error = CoreError;
    fn try_from(row: PlanVersionRow) -> Result<Self, CoreError> {
        Ok(Self {
            version: u32::try_from(row.version)
                .map_err(|_| CoreError::invalid("version", "is negative"))?,
            plan: serde_json::from_str(&row.plan)
                .map_err(|e| CoreError::invalid("plan", format_args!("not a career plan: {e}")))?,
            origin: row.origin,
            created_at: row.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SharedGrowthRow {
    growth: String,
    shared_at: DateTime<Utc>,
}

impl TryFrom<SharedGrowthRow> for crate::model::SharedGrowth {
    type Error = CoreError;
    fn try_from(row: SharedGrowthRow) -> Result<Self, CoreError> {
        Ok(Self {
            growth: serde_json::from_str(&row.growth)
                .map_err(|e| CoreError::invalid("growth", format_args!("not a growth: {e}")))?,
            shared_at: row.shared_at,
        })
    }
}
