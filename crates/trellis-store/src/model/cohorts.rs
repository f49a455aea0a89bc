//! Cohorts and their proposals.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::mentorships::PartyRecord;

/// A new cohort: a name, and who made it.
#[derive(Debug, Clone)]
pub struct NewCohort {
    pub name: String,
    pub created_by: Uuid,
}

/// Where a cohort stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CohortStatus {
    /// No proposal yet (or the members changed since the last one).
    Draft,
    /// A proposal waits for review.
    Proposed,
    /// The proposal was approved and its requests sent; the cohort is closed.
    Approved,
}

impl CohortStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Proposed => "proposed",
            Self::Approved => "approved",
        }
    }
}

/// A cohort with its members, each list in the order it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cohort {
    pub id: Uuid,
    pub name: String,
    pub created_by: Option<Uuid>,
    pub status: CohortStatus,
    /// Goes up with every change of the members.
    pub revision: u32,
    pub mentees: Vec<PartyRecord>,
    pub mentors: Vec<PartyRecord>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A cohort as lists show it: counts instead of members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortSummary {
    pub id: Uuid,
    pub name: String,
    pub status: CohortStatus,
    pub mentees: u32,
    pub mentors: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a proposal says for one mentee.
#[derive(Debug, Clone, PartialEq)]
pub enum ProposedFor<M> {
    Mentor {
        mentor: M,
        score: u8,
        factors: Vec<trellis_core::matching::FactorScore>,
    },
    Unassigned(trellis_core::cohort::Unassigned),
}

/// A proposal to store: computed from the members at `revision`.
#[derive(Debug, Clone)]
pub struct NewProposal {
    pub cohort_id: Uuid,
    pub revision: u32,
    pub computed_by: Uuid,
    pub weights: trellis_core::matching::Weights,
    pub total_score: u64,
    pub assigned: u32,
    pub greedy_total_score: u64,
    pub greedy_assigned: u32,
    /// One per mentee, in the cohort's order: (mentee id, what is proposed).
    pub entries: Vec<(Uuid, ProposedFor<Uuid>)>,
}

/// What became of a proposed pair's request on approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestOutcome {
    /// The request was made: this mentorship, in `requested`.
    Requested(Uuid),
    /// It was not made, for this reason; nothing was changed for the pair.
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProposalEntry {
    pub mentee: PartyRecord,
    pub proposed: ProposedFor<PartyRecord>,
    /// After approval, for pairs: what became of the request.
    pub outcome: Option<RequestOutcome>,
}

/// A stored proposal.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub cohort_id: Uuid,
    pub weights: trellis_core::matching::Weights,
    pub total_score: u64,
    pub assigned: u32,
    pub greedy_total_score: u64,
    pub greedy_assigned: u32,
    pub computed_by: Option<Uuid>,
    pub computed_at: DateTime<Utc>,
    pub approved_by: Option<Uuid>,
    pub approved_at: Option<DateTime<Utc>>,
    pub entries: Vec<ProposalEntry>,
}

/// An approval: who approves, and the message every request carries.
#[derive(Debug, Clone)]
pub struct CohortApproval {
    pub approved_by: Uuid,
    pub message: String,
}
