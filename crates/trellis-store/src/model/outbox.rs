//! The durable outbox: events, deliveries and partnership steps.

use chrono::{DateTime, Utc};
use trellis_core::partnership::Partnership;
use uuid::Uuid;

use super::federation::Instance;

/// A signed activity to deliver to one inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    /// The destination instance.
    pub domain: String,
    pub inbox_url: String,
    pub activity_id: String,
    /// The local member whose key signs it; `None` for the instance actor.
    pub signer: Option<Uuid>,
    /// The activity as JSON.
    pub body: String,
}

/// A delivery waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: Uuid,
    pub domain: String,
    pub inbox_url: String,
    pub activity_id: String,
    pub signer: Option<Uuid>,
    pub body: String,
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
}

/// The kinds of outbox event, as stored in `outbox_events.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxEventKind {
    /// A member's profile changed: partners may need a Create, Update or Delete.
    ProfileChanged,
    /// A partnership became active: the new partner needs our published profiles.
    PartnerJoined,
    /// A local member moved a mentorship with a member elsewhere: their
    /// instance must hear of it.
    MentorshipChanged,
    /// A local member logged a session of such a mentorship.
    SessionCreated,
    /// A local member changed one.
    SessionUpdated,
    /// A local member started a skill review of such a mentorship.
    ReviewStarted,
    /// A local member submitted their part of one.
    ReviewPartSubmitted,
    /// A local member's growth changed (a review completed, their plan
    /// changed) or a mentor elsewhere began mentoring them: their mentors
    /// elsewhere need it.
    GrowthShared,
    /// A local member endorsed a skill of the other party of such a
    /// mentorship.
    EndorsementGiven,
    /// The endorser withdrew such an endorsement.
    EndorsementWithdrawn,
}

impl OutboxEventKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ProfileChanged => "profile_changed",
            Self::PartnerJoined => "partner_joined",
            Self::MentorshipChanged => "mentorship_changed",
            Self::SessionCreated => "session_created",
            Self::SessionUpdated => "session_updated",
            Self::ReviewStarted => "review_started",
            Self::ReviewPartSubmitted => "review_part_submitted",
            Self::GrowthShared => "growth_shared",
            Self::EndorsementGiven => "endorsement_given",
            Self::EndorsementWithdrawn => "endorsement_withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::ProfileChanged,
            Self::PartnerJoined,
            Self::MentorshipChanged,
            Self::SessionCreated,
            Self::SessionUpdated,
            Self::ReviewStarted,
            Self::ReviewPartSubmitted,
            Self::GrowthShared,
            Self::EndorsementGiven,
            Self::EndorsementWithdrawn,
        ]
        .into_iter()
        .find(|k| k.as_str() == raw)
    }
}

/// A change whose consequences must reach other instances, with what each
/// kind names. Read from its row, which must hold exactly the fields of
/// its kind: a row that does not is set aside as failed when read (see
/// `Store::next_outbox_events`), never handed out half-filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboxEvent {
    /// A member's profile changed.
    ProfileChanged { account_id: Uuid },
    /// A partnership with `domain` became active.
    PartnerJoined { domain: String },
    /// A local member (`actor_id`) took a step of a mentorship with a
    /// member elsewhere.
    MentorshipChanged {
        actor_id: Uuid,
        mentorship_event_id: Uuid,
    },
    /// A local member logged a session of such a mentorship.
    SessionCreated { actor_id: Uuid, session_id: Uuid },
    /// A local member changed one.
    SessionUpdated { actor_id: Uuid, session_id: Uuid },
    /// A local member started a skill review of such a mentorship.
    ReviewStarted { actor_id: Uuid, review_id: Uuid },
    /// A local member submitted their part of one.
    ReviewPartSubmitted { actor_id: Uuid, review_id: Uuid },
    /// A local mentee's growth is to go to their mentors elsewhere.
    GrowthShared { mentee_id: Uuid },
    /// A local member endorsed a skill of the other party of such a
    /// mentorship.
    EndorsementGiven {
        endorser_id: Uuid,
        endorsement_id: Uuid,
    },
    /// The endorser withdrew such an endorsement.
    EndorsementWithdrawn {
        endorser_id: Uuid,
        endorsement_id: Uuid,
    },
}

impl OutboxEvent {
    /// Its kind, as stored.
    pub const fn kind(&self) -> OutboxEventKind {
        match self {
            Self::ProfileChanged { .. } => OutboxEventKind::ProfileChanged,
            Self::PartnerJoined { .. } => OutboxEventKind::PartnerJoined,
            Self::MentorshipChanged { .. } => OutboxEventKind::MentorshipChanged,
            Self::SessionCreated { .. } => OutboxEventKind::SessionCreated,
            Self::SessionUpdated { .. } => OutboxEventKind::SessionUpdated,
            Self::ReviewStarted { .. } => OutboxEventKind::ReviewStarted,
            Self::ReviewPartSubmitted { .. } => OutboxEventKind::ReviewPartSubmitted,
            Self::GrowthShared { .. } => OutboxEventKind::GrowthShared,
            Self::EndorsementGiven { .. } => OutboxEventKind::EndorsementGiven,
            Self::EndorsementWithdrawn { .. } => OutboxEventKind::EndorsementWithdrawn,
        }
    }
}

/// An outbox event waiting to be turned into deliveries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEvent {
    pub id: Uuid,
    pub event: OutboxEvent,
    pub created_at: DateTime<Utc>,
}

/// An outbox event whose row did not fit its kind (a bug, or a damaged
/// database): set aside with the reason, for admins to see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedOutboxEvent {
    pub id: Uuid,
    /// The kind as stored (it may be one this version does not know).
    pub kind: String,
    pub error: String,
    pub created_at: DateTime<Utc>,
}

/// A partnership step: applied only if the partnership is still in
/// `from`, together with what it sends, in one transaction.
#[derive(Debug, Clone)]
pub struct PartnershipStep {
    pub domain: String,
    pub from: Partnership,
    pub to: Partnership,
    /// A new `Follow` of ours (`None` keeps the one recorded).
    pub our_follow: Option<String>,
    /// A new `Follow` of theirs (`None` keeps the one recorded).
    pub their_follow: Option<String>,
    /// Send them our published profiles again even if the partnership was
    /// active already (they asked anew, so they may have lost them).
    pub resend_profiles: bool,
    pub deliveries: Vec<NewDelivery>,
    /// The received activity this step answers, recorded so that a repeat
    /// has no effect.
    pub received: Option<String>,
}

/// What became of a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepOutcome {
    Applied(Box<Instance>),
    /// The received activity had been processed already; nothing changed.
    Duplicate,
    /// The partnership was no longer in the expected state; nothing changed.
    Moved,
}

/// What a delivery attempt found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptResult {
    Delivered,
    /// It can never be delivered (its inbox is not allowed); it leaves the
    /// queue with the reason recorded.
    Dropped {
        reason: String,
    },
    Failed {
        error: String,
        retry_at: DateTime<Utc>,
        /// The instance has failed long enough to be called unreachable.
        unreachable: bool,
    },
}
