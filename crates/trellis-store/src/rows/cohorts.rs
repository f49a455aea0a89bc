//! Rows of cohorts and proposals.

use chrono::{DateTime, Utc};
use trellis_core::CoreError;
use trellis_core::cohort::Unassigned;
use trellis_core::matching::Weights;
use uuid::Uuid;

use super::mentorships::{PartyRow, party};
use crate::model::{
    Cohort, CohortStatus, CohortSummary, PartyRecord, Proposal, ProposalEntry, ProposedFor,
    RequestOutcome,
};

/// A cohort's status, computed from its proposal (`p`, left-joined).
pub(crate) const COHORT_STATUS: &str = "CASE WHEN p.approved_at IS NOT NULL THEN 'approved' \
     WHEN p.cohort_id IS NOT NULL THEN 'proposed' ELSE 'draft' END AS status";

fn cohort_status(raw: &str) -> Result<CohortStatus, CoreError> {
    [
        CohortStatus::Draft,
        CohortStatus::Proposed,
        CohortStatus::Approved,
    ]
    .into_iter()
    .find(|s| s.as_str() == raw)
    .ok_or_else(|| CoreError::invalid("status", format_args!("unknown cohort status {raw:?}")))
}

fn count(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[derive(sqlx::FromRow)]
pub(crate) struct CohortRow {
    id: Uuid,
    name: String,
    created_by: Option<Uuid>,
    revision: i32,
    status: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct CohortMemberRow {
    role: String,
    #[sqlx(flatten)]
    party: PartyRow,
}

impl CohortRow {
    /// The cohort with its members (rows in the stored order).
    pub(crate) fn assemble(self, members: Vec<CohortMemberRow>) -> Result<Cohort, CoreError> {
        let (mut mentees, mut mentors) = (Vec::new(), Vec::new());
        for member in members {
            let list = match member.role.as_str() {
                "mentee" => &mut mentees,
                "mentor" => &mut mentors,
                other => {
                    return Err(CoreError::invalid(
                        "role",
                        format_args!("unknown cohort role {other:?}"),
                    ));
                }
            };
            list.push(PartyRecord::try_from(member.party)?);
        }
        Ok(Cohort {
            id: self.id,
            name: self.name,
            created_by: self.created_by,
            status: cohort_status(&self.status)?,
            revision: u32::try_from(self.revision).unwrap_or(0),
            mentees,
            mentors,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct CohortSummaryRow {
    id: Uuid,
    name: String,
    status: String,
    mentees: i64,
    mentors: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<CohortSummaryRow> for CohortSummary {
    type Error = CoreError;
    fn try_from(row: CohortSummaryRow) -> Result<Self, CoreError> {
        Ok(Self {
            id: row.id,
            name: row.name,
            status: cohort_status(&row.status)?,
            mentees: count(row.mentees),
            mentors: count(row.mentors),
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

fn weights(raw: &str) -> Result<Weights, CoreError> {
    serde_json::from_str(raw)
        .map_err(|e| CoreError::invalid("weights", format_args!("stored weights: {e}")))
}

#[derive(sqlx::FromRow)]
pub(crate) struct ProposalRow {
    weights: String,
    total_score: i64,
    assigned: i32,
    greedy_total: i64,
    greedy_assigned: i32,
    computed_by: Option<Uuid>,
    computed_at: DateTime<Utc>,
    approved_by: Option<Uuid>,
    approved_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct ProposalEntryRow {
    mentee_id: Uuid,
    mentee_username: String,
    mentee_domain: Option<String>,
    mentor_id: Option<Uuid>,
    mentor_username: Option<String>,
    mentor_domain: Option<String>,
    score: Option<i32>,
    factors: String,
    unassigned: Option<String>,
    mentorship_id: Option<Uuid>,
    failure: Option<String>,
}

impl ProposalEntryRow {
    fn entry(self, approved: bool) -> Result<ProposalEntry, CoreError> {
        let mentee = party(self.mentee_id, &self.mentee_username, self.mentee_domain)?;
        // The mentor is a `LEFT JOIN`ed account: absent for the unassigned.
        let proposed = match (self.mentor_id.zip(self.mentor_username), self.unassigned) {
            (Some((id, username)), None) => ProposedFor::Mentor {
                mentor: party(id, &username, self.mentor_domain)?,
                score: self
                    .score
                    .and_then(|s| u8::try_from(s).ok())
                    .ok_or_else(|| CoreError::invalid("score", "missing or out of range"))?,
                factors: serde_json::from_str(&self.factors).map_err(|e| {
                    CoreError::invalid("factors", format_args!("stored factors: {e}"))
                })?,
            },
            (None, Some(reason)) => ProposedFor::Unassigned(Unassigned::parse(&reason)?),
            _ => {
                return Err(CoreError::invalid(
                    "entry",
                    "a proposal entry needs either a mentor or a reason",
                ));
            }
        };
        let outcome = match (&proposed, self.mentorship_id, self.failure) {
            (ProposedFor::Mentor { .. }, Some(id), _) if approved => {
                Some(RequestOutcome::Requested(id))
            }
            (ProposedFor::Mentor { .. }, None, Some(why)) if approved => {
                Some(RequestOutcome::Failed(why))
            }
            _ => None,
        };
        Ok(ProposalEntry {
            mentee,
            proposed,
            outcome,
        })
    }
}

impl ProposalRow {
    pub(crate) fn assemble(
        self,
        cohort_id: Uuid,
        entries: Vec<ProposalEntryRow>,
    ) -> Result<Proposal, CoreError> {
        let approved = self.approved_at.is_some();
        Ok(Proposal {
            cohort_id,
            weights: weights(&self.weights)?,
            total_score: u64::try_from(self.total_score).unwrap_or(0),
            assigned: u32::try_from(self.assigned).unwrap_or(0),
            greedy_total_score: u64::try_from(self.greedy_total).unwrap_or(0),
            greedy_assigned: u32::try_from(self.greedy_assigned).unwrap_or(0),
            computed_by: self.computed_by,
            computed_at: self.computed_at,
            approved_by: self.approved_by,
            approved_at: self.approved_at,
            entries: entries
                .into_iter()
                .map(|row| row.entry(approved))
                .collect::<Result<_, _>>()?,
        })
    }
}
