//! Actors and other instances, as federation knows them.

use chrono::{DateTime, Utc};
use trellis_core::account::Username;
use trellis_core::partnership::Partnership;
use trellis_core::visibility::Visibility;
use uuid::Uuid;

use super::accounts::KeyPair;

/// A local member as an ActivityPub actor: what their actor document and
/// signatures need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalActor {
    pub account_id: Uuid,
    pub username: Username,
    pub display_name: String,
    pub headline: String,
    pub visibility: Visibility,
    pub keys: KeyPair,
    pub also_known_as: Vec<String>,
    pub moved_to: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A member of another instance, as their actor document describes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemotePerson {
    pub account_id: Uuid,
    pub actor_url: String,
    pub username: Username,
    pub domain: String,
    pub display_name: String,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
    pub public_key_pem: String,
    pub also_known_as: Vec<String>,
    pub moved_to: Option<String>,
    pub fetched_at: DateTime<Utc>,
}

/// How deliveries to an instance are going.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeliveryState {
    #[default]
    Ok,
    Failing,
    Unreachable,
}

impl DeliveryState {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Failing => "failing",
            Self::Unreachable => "unreachable",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Ok, Self::Failing, Self::Unreachable]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// The instance actor of another instance, as its actor document says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceActor {
    pub domain: String,
    pub actor_url: String,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
    pub public_key_pem: String,
    pub name: Option<String>,
}

/// Everything this instance knows of another one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub domain: String,
    /// `None` until its actor has been fetched (a block may come first).
    pub actor: Option<InstanceActor>,
    pub fetched_at: Option<DateTime<Utc>>,
    pub partnership: Partnership,
    /// Our latest `Follow` of them, and theirs of us.
    pub our_follow_id: Option<String>,
    pub their_follow_id: Option<String>,
    pub partnership_changed_at: Option<DateTime<Utc>>,
    pub blocked_at: Option<DateTime<Utc>>,
    pub block_reason: String,
    pub delivery_state: DeliveryState,
    pub failing_since: Option<DateTime<Utc>>,
    pub consecutive_failures: u32,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_total: u64,
    pub pending_deliveries: u64,
    /// The HTTP signature flavour it takes (`draft-cavage` or `rfc9421`),
    /// once known.
    pub signature_flavour: Option<String>,
    /// When the oldest delivery waiting for it was queued.
    pub oldest_pending_at: Option<DateTime<Utc>>,
    /// When a delivery to it was last attempted, whatever came of it.
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The lease on its queue, while a process holds one.
    pub lease: Option<DeliveryLease>,
}

impl Instance {
    /// Whether it is a partner now: an active partnership, and no block.
    pub fn is_partner(&self) -> bool {
        self.partnership.is_active() && self.blocked_at.is_none()
    }
}

/// Which process works on an instance's queue, since when and until when
/// (it renews the lease while it works; another may take over after).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryLease {
    pub holder: String,
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
}
