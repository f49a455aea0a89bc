//! Skill reviews, career plans and shared growth.

use chrono::{DateTime, Utc};
use trellis_core::skill::SkillKey;
use uuid::Uuid;

use super::mentorships::PartyRecord;

/// A skill review of a mentorship: the skills it covers, and each party's
/// part once submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub id: Uuid,
    pub mentorship_id: Uuid,
    /// Its federated id when the other party's instance named it.
    pub object_url: Option<String>,
    pub started_by: Uuid,
    pub skills: Vec<SkillKey>,
    pub state: trellis_core::review::ReviewState,
    pub mentee_part: Option<Submitted>,
    pub mentor_part: Option<Submitted>,
    pub started_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Where it took place, if imported from another instance.
    pub origin: Option<String>,
}

/// A party's part of a review, and when it came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub part: trellis_core::review::ReviewPart,
    pub at: DateTime<Utc>,
}

/// A review started by `started_by` (or received from their instance).
#[derive(Debug, Clone)]
pub struct NewReview {
    pub mentorship_id: Uuid,
    pub started_by: Uuid,
    pub skills: Vec<SkillKey>,
    pub object_url: Option<String>,
    /// The received activity this records (a repeat changes nothing).
    pub received: Option<String>,
}

/// A completed review of a member as mentee, for their growth timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletedReview {
    pub review: Review,
    /// The mentor, and their instance (`None`: this one).
    pub mentor: PartyRecord,
}

/// What a mentorship under way has done lately, in figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingActivity {
    pub mentorship_id: Uuid,
    /// Sessions held in the period asked about.
    pub sessions_since: u64,
    pub last_session_at: Option<DateTime<Utc>>,
    pub reviews_completed: u64,
    /// Completed or in progress.
    pub reviews_started: u64,
}

/// A mentee's growth as their instance shared it with their mentor here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedGrowth {
    pub growth: trellis_core::growth::Growth,
    /// When the mentee's instance computed it.
    pub shared_at: DateTime<Utc>,
}

/// One version of a member's career plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanVersion {
    pub version: u32,
    pub plan: trellis_core::plan::CareerPlan,
    /// Where it was kept, if imported from another instance.
    pub origin: Option<String>,
    pub created_at: DateTime<Utc>,
}
