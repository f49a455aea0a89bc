//! Mentorships, their parties and steps, and notifications.

use chrono::{DateTime, Utc};
use trellis_core::account::Username;
use trellis_core::mentorship::MentorshipState;
use uuid::Uuid;

/// One side of a mentorship, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyRecord {
    pub account_id: Uuid,
    pub username: Username,
    /// `None` for members of this instance.
    pub domain: Option<String>,
    /// The actor of a member elsewhere (`None` for members of this one;
    /// read with mentorships only, `None` in cohorts).
    pub actor_url: Option<String>,
}

impl PartyRecord {
    pub const fn is_local(&self) -> bool {
        self.domain.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mentorship {
    pub id: Uuid,
    pub mentor: PartyRecord,
    pub mentee: PartyRecord,
    pub state: MentorshipState,
    pub message: String,
    pub goals: String,
    pub object_url: Option<String>,
    /// The instance it was kept by before the member moved here, if it
    /// was imported (`None`: here).
    pub origin: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewMentorship {
    pub mentor_id: Uuid,
    pub mentee_id: Uuid,
    pub message: String,
    pub goals: String,
    /// The federated `Mentorship` object's id, when the mentee is a member
    /// elsewhere (`None`: this instance names it).
    pub object_url: Option<String>,
    /// The received `Offer` this records (a repeat changes nothing).
    pub received: Option<String>,
    /// When the mentor has no room, record the request as declined by
    /// them with the reason (for requests from elsewhere, which must get
    /// an answer) instead of refusing it.
    pub decline_when_full: bool,
    /// Record the request as declined by the mentor at once, with this
    /// reason (a request from elsewhere to a mentor who no longer shows
    /// their profile there).
    pub decline_with: Option<String>,
}

/// A state a mentorship entered: when, by whom, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentorshipEvent {
    pub id: Uuid,
    pub state: MentorshipState,
    pub actor_id: Uuid,
    pub note: String,
    pub at: DateTime<Utc>,
}

/// A move of a mentorship from one state to another, applied only if it is
/// still in `from`.
#[derive(Debug, Clone)]
pub struct MentorshipStep {
    pub id: Uuid,
    pub from: MentorshipState,
    pub to: MentorshipState,
    pub actor_id: Uuid,
    pub note: String,
    /// The received activity this step applies (a repeat changes nothing).
    pub received: Option<String>,
}

/// How busy a mentor is and has been.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MentorLoad {
    /// Mentorships holding a place (active or paused).
    pub active: u32,
    /// Requests waiting for an answer.
    pub pending: u32,
    pub completed: u32,
}

/// Something a member should know about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: Uuid,
    /// `mentorship_requested`, `mentorship_<state>` (the state it entered),
    /// `cohort_request_sent` (a cohort's approval made a request in the
    /// member's name), `partnership_<state>` (for admins),
    /// `achievement_awarded`, `credential_revoked`, `counterpart_moved`,
    /// `file_imported`, or `nomination_received`, `nomination_awaits_you`
    /// and `nomination_<decision>` (career tracks).
    pub kind: String,
    pub mentorship_id: Option<Uuid>,
    /// The nomination it is about (`nomination_*` kinds).
    pub nomination_id: Option<Uuid>,
    pub domain: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}
