//! Career tracks, induction cycles, nominations and inductions.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::mentorships::PartyRecord;

/// A career track as stored: its ranks in order, lowest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Track {
    pub id: Uuid,
    pub track: trellis_core::track::CareerTrack,
    pub created_at: DateTime<Utc>,
}

/// An induction cycle of a track, with its stages and their committees
/// (local members, named by account id in `cycle` and by name in `members`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleRecord {
    pub id: Uuid,
    pub track_id: Uuid,
    pub cycle: trellis_core::track::Cycle,
    /// Every committee member of the cycle, by account id.
    pub members: Vec<PartyRecord>,
    pub created_at: DateTime<Utc>,
}

/// A nomination to submit to a cycle, by `submitted_by` (the sponsor, or
/// the nominee for a self-nomination).
#[derive(Debug, Clone)]
pub struct NewNomination {
    pub cycle_id: Uuid,
    pub submitted_by: Uuid,
    pub nomination: trellis_core::track::Nomination,
}

/// A nomination with its decision log and where the log leaves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NominationRecord {
    pub id: Uuid,
    pub cycle_id: Uuid,
    pub track_id: Uuid,
    pub nomination: trellis_core::track::Nomination,
    pub nominee: PartyRecord,
    pub sponsor: Option<PartyRecord>,
    /// Replayed from `log` with the cycle's stages.
    pub state: trellis_core::track::NominationState,
    pub log: Vec<trellis_core::track::LogEntry>,
    /// When the nominee picked the evidence; until then a sponsored
    /// nomination cannot be decided on.
    pub accepted_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A decision to record: `stage` (from 0) is the stage the decider decides
/// for; if the nomination is elsewhere by then, nothing is recorded.
#[derive(Debug, Clone)]
pub struct NewDecision {
    pub nomination_id: Uuid,
    pub decider: Uuid,
    pub stage: usize,
    pub decision: trellis_core::track::StageDecision,
}

/// A member's induction into a rank: what a credential is issued for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Induction {
    pub id: Uuid,
    pub account_id: Uuid,
    pub track_id: Uuid,
    pub track_name: String,
    /// The rank's name and position in the track (0: the lowest).
    pub rank: String,
    pub rank_position: u32,
    pub cycle_id: Uuid,
    pub cycle_name: String,
    pub nomination_id: Uuid,
    pub inducted_at: DateTime<Utc>,
}

/// What recording a decision did: the nomination after it, and the
/// induction it made when it was the last stage's approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionOutcome {
    pub nomination: NominationRecord,
    pub induction: Option<Induction>,
}
