//! Rows of credentials, achievements and awards.

use chrono::{DateTime, Utc};
use trellis_core::CoreError;
use uuid::Uuid;

/// A stored JSON value read back, or a `Corrupt` naming the column.
fn from_json<T: serde::de::DeserializeOwned>(column: &str, raw: &str) -> Result<T, CoreError> {
    serde_json::from_str(raw)
        .map_err(|e| CoreError::invalid(column, format_args!("not readable JSON: {e}")))
}

pub(crate) const CREDENTIAL_COLUMNS: &str = "c.id, c.kind, c.subject_id, c.content, c.jwt, \
     c.status_index, c.issued_at, c.revoked_at, c.revoked_reason";

#[derive(sqlx::FromRow)]
pub(crate) struct CredentialRow {
    id: Uuid,
    kind: String,
    subject_id: Uuid,
    content: String,
    jwt: String,
    status_index: i64,
    issued_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    revoked_reason: Option<String>,
}

impl TryFrom<CredentialRow> for crate::model::Credential {
    type Error = CoreError;
    fn try_from(row: CredentialRow) -> Result<Self, CoreError> {
        Ok(Self {
            id: row.id,
            kind: crate::model::CredentialKind::parse(&row.kind)?,
            subject_id: row.subject_id,
            content: from_json("content", &row.content)?,
            jwt: row.jwt,
            status_index: u64::try_from(row.status_index)
                .map_err(|_| CoreError::invalid("status_index", "is negative"))?,
            issued_at: row.issued_at,
            revoked_at: row.revoked_at,
            revoked_reason: row.revoked_reason,
        })
    }
}

pub(crate) const ACHIEVEMENT_COLUMNS: &str = "h.id, h.name, h.description, h.criteria_narrative, \
     h.alignment, h.rule_metric, h.rule_at_least, h.created_at, h.retired_at";

#[derive(sqlx::FromRow)]
pub(crate) struct AchievementRow {
    id: Uuid,
    name: String,
    description: String,
    criteria_narrative: String,
    alignment: String,
    rule_metric: Option<String>,
    rule_at_least: Option<i64>,
    created_at: DateTime<Utc>,
    retired_at: Option<DateTime<Utc>>,
}

impl TryFrom<AchievementRow> for crate::model::Achievement {
    type Error = CoreError;
    fn try_from(row: AchievementRow) -> Result<Self, CoreError> {
        use trellis_core::recognition::{AchievementDefinition, AwardRule, Metric};
        let rule = match (row.rule_metric, row.rule_at_least) {
            (Some(metric), Some(at_least)) => Some(AwardRule {
                metric: Metric::parse(&metric)?,
                at_least: u32::try_from(at_least)
                    .map_err(|_| CoreError::invalid("rule_at_least", "out of range"))?,
            }),
            _ => None,
        };
        Ok(Self {
            id: row.id,
            definition: AchievementDefinition {
                name: row.name,
                description: row.description,
                criteria_narrative: row.criteria_narrative,
                alignment: from_json("alignment", &row.alignment)?,
                rule,
            },
            created_at: row.created_at,
            retired_at: row.retired_at,
        })
    }
}

pub(crate) const AWARD_COLUMNS: &str = "w.id, w.achievement_id, h.name AS achievement_name, \
     w.account_id, w.automatic, w.reason, w.awarded_by, w.credential_id, w.awarded_at";

#[derive(sqlx::FromRow)]
pub(crate) struct AwardRow {
    id: Uuid,
    achievement_id: Uuid,
    achievement_name: String,
    account_id: Uuid,
    automatic: bool,
    reason: String,
    awarded_by: Option<Uuid>,
    credential_id: Uuid,
    awarded_at: DateTime<Utc>,
}

impl From<AwardRow> for crate::model::Award {
    fn from(row: AwardRow) -> Self {
        Self {
            id: row.id,
            achievement_id: row.achievement_id,
            achievement_name: row.achievement_name,
            account_id: row.account_id,
            automatic: row.automatic,
            reason: row.reason,
            awarded_by: row.awarded_by,
            credential_id: row.credential_id,
            awarded_at: row.awarded_at,
        }
    }
}
