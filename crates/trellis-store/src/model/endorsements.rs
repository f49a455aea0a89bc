//! Endorsements between the parties of a mentorship.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::mentorships::PartyRecord;

/// One party of a mentorship endorsing a skill of the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndorsementRecord {
    pub id: Uuid,
    pub mentorship_id: Uuid,
    pub endorser: PartyRecord,
    pub subject: PartyRecord,
    pub endorsement: trellis_core::recognition::Endorsement,
    /// Its federated id when the endorser's instance named it (`None`:
    /// given here, so it is `/endorsements/{id}` of this instance).
    pub object_url: Option<String>,
    /// The credential the endorser's instance issued for it, as received.
    pub credential: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When the endorser withdrew it; a withdrawn one is shown to no one.
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// An endorsement given by `endorser_id` (or received from their instance).
#[derive(Debug, Clone)]
pub struct NewEndorsement {
    pub mentorship_id: Uuid,
    pub endorser_id: Uuid,
    pub subject_id: Uuid,
    pub endorsement: trellis_core::recognition::Endorsement,
    pub object_url: Option<String>,
    /// A compact VC-JWT sent with a received endorsement, kept verbatim.
    pub credential: Option<String>,
    /// The received activity this records (a repeat changes nothing).
    pub received: Option<String>,
}
