//! Sessions of a mentorship.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A session of a mentorship, as one party sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: Uuid,
    pub mentorship_id: Uuid,
    /// Its federated id when the other party's instance named it.
    pub object_url: Option<String>,
    pub author_id: Uuid,
    pub content: trellis_core::session::SessionContent,
    /// The viewing party's private note (never the other party's).
    pub private_note: Option<String>,
    /// Where it was logged, if imported from another instance.
    pub origin: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A session logged by `author_id` (or received from their instance).
#[derive(Debug, Clone)]
pub struct NewSession {
    pub mentorship_id: Uuid,
    pub author_id: Uuid,
    pub content: trellis_core::session::SessionContent,
    pub object_url: Option<String>,
    /// The received activity this records (a repeat changes nothing).
    pub received: Option<String>,
}
