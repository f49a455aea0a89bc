//! Rows of actors and other instances.

use chrono::{DateTime, Utc};
use trellis_core::CoreError;
use trellis_core::account::Username;
use trellis_core::partnership::Partnership;
use trellis_core::visibility::Visibility;
use uuid::Uuid;

use crate::model::{
    DeliveryLease, DeliveryState, Instance, InstanceActor, KeyPair, LocalActor, RemotePerson,
};

fn url_list(raw: &str) -> Result<Vec<String>, CoreError> {
    serde_json::from_str(raw)
        .map_err(|e| CoreError::invalid("also_known_as", format_args!("not a JSON list: {e}")))
}

pub(crate) const LOCAL_ACTOR_COLUMNS: &str = "a.id, a.username, p.display_name, p.headline, \
     p.visibility, a.public_key_pem, u.private_key_pem, a.also_known_as, a.moved_to, a.created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct LocalActorRow {
    id: Uuid,
    username: String,
    display_name: String,
    headline: String,
    visibility: String,
    public_key_pem: String,
    private_key_pem: String,
    also_known_as: String,
    moved_to: Option<String>,
    created_at: DateTime<Utc>,
}

impl TryFrom<LocalActorRow> for LocalActor {
    type Error = CoreError;
    fn try_from(row: LocalActorRow) -> Result<Self, CoreError> {
        Ok(Self {
            account_id: row.id,
            username: Username::parse(&row.username)?,
            display_name: row.display_name,
            headline: row.headline,
            visibility: Visibility::parse(&row.visibility)?,
            keys: KeyPair {
                public_key_pem: row.public_key_pem,
                private_key_pem: row.private_key_pem,
            },
            also_known_as: url_list(&row.also_known_as)?,
            moved_to: row.moved_to,
            created_at: row.created_at,
        })
    }
}

pub(crate) const REMOTE_PERSON_COLUMNS: &str = "a.id, a.actor_url, a.username, a.domain, \
     p.display_name, a.inbox_url, a.shared_inbox_url, a.public_key_pem, a.also_known_as, \
     a.moved_to, a.fetched_at";

#[derive(sqlx::FromRow)]
pub(crate) struct RemotePersonRow {
    id: Uuid,
    actor_url: Option<String>,
    username: String,
    domain: Option<String>,
    display_name: String,
    inbox_url: Option<String>,
    shared_inbox_url: Option<String>,
    public_key_pem: String,
    also_known_as: String,
    moved_to: Option<String>,
    fetched_at: Option<DateTime<Utc>>,
}

impl TryFrom<RemotePersonRow> for RemotePerson {
    type Error = CoreError;
    fn try_from(row: RemotePersonRow) -> Result<Self, CoreError> {
        let missing = |field: &str| CoreError::invalid(field, "missing on a remote account");
        Ok(Self {
            account_id: row.id,
            actor_url: row.actor_url.ok_or_else(|| missing("actor_url"))?,
            username: Username::parse(&row.username)?,
            domain: row.domain.ok_or_else(|| missing("domain"))?,
            display_name: row.display_name,
            inbox_url: row.inbox_url.ok_or_else(|| missing("inbox_url"))?,
            shared_inbox_url: row.shared_inbox_url,
            public_key_pem: row.public_key_pem,
            also_known_as: url_list(&row.also_known_as)?,
            moved_to: row.moved_to,
            fetched_at: row.fetched_at.ok_or_else(|| missing("fetched_at"))?,
        })
    }
}

pub(crate) const INSTANCE_COLUMNS: &str = "i.domain, i.actor_url, i.inbox_url, \
     i.shared_inbox_url, i.public_key_pem, i.name, i.fetched_at, i.partnership, i.our_follow_id, \
     i.their_follow_id, i.partnership_changed_at, i.blocked_at, i.block_reason, i.delivery_state, \
     i.failing_since, i.consecutive_failures, i.last_success_at, i.last_error, i.next_attempt_at, \
     i.delivered_total, (SELECT COUNT(*) FROM deliveries d WHERE d.domain = i.domain) AS pending, \
     (SELECT s.flavour FROM peer_signatures s WHERE s.domain = i.domain) AS signature_flavour, \
     (SELECT MIN(d.created_at) FROM deliveries d WHERE d.domain = i.domain) AS oldest_pending_at, \
     i.last_attempt_at, i.claimed_by, i.claimed_at, i.claimed_until";

#[derive(sqlx::FromRow)]
pub(crate) struct InstanceRow {
    domain: String,
    actor_url: Option<String>,
    inbox_url: Option<String>,
    shared_inbox_url: Option<String>,
    public_key_pem: Option<String>,
    name: Option<String>,
    fetched_at: Option<DateTime<Utc>>,
    partnership: String,
    our_follow_id: Option<String>,
    their_follow_id: Option<String>,
    partnership_changed_at: Option<DateTime<Utc>>,
    blocked_at: Option<DateTime<Utc>>,
    block_reason: String,
    delivery_state: String,
    failing_since: Option<DateTime<Utc>>,
    consecutive_failures: i32,
    last_success_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
    next_attempt_at: Option<DateTime<Utc>>,
    delivered_total: i64,
    pending: i64,
    signature_flavour: Option<String>,
    oldest_pending_at: Option<DateTime<Utc>>,
    last_attempt_at: Option<DateTime<Utc>>,
    claimed_by: Option<String>,
    claimed_at: Option<DateTime<Utc>>,
    claimed_until: Option<DateTime<Utc>>,
}

impl TryFrom<InstanceRow> for Instance {
    type Error = CoreError;
    fn try_from(row: InstanceRow) -> Result<Self, CoreError> {
        let actor = match (row.actor_url, row.inbox_url, row.public_key_pem) {
            (Some(actor_url), Some(inbox_url), Some(public_key_pem)) => Some(InstanceActor {
                domain: row.domain.clone(),
                actor_url,
                inbox_url,
                shared_inbox_url: row.shared_inbox_url,
                public_key_pem,
                name: row.name,
            }),
            _ => None,
        };
        Ok(Self {
            domain: row.domain,
            actor,
            fetched_at: row.fetched_at,
            partnership: Partnership::parse(&row.partnership)?,
            our_follow_id: row.our_follow_id,
            their_follow_id: row.their_follow_id,
            partnership_changed_at: row.partnership_changed_at,
            blocked_at: row.blocked_at,
            block_reason: row.block_reason,
            delivery_state: DeliveryState::parse(&row.delivery_state)
                .ok_or_else(|| CoreError::invalid("delivery_state", &row.delivery_state))?,
            failing_since: row.failing_since,
            consecutive_failures: row.consecutive_failures.try_into().unwrap_or(0),
            last_success_at: row.last_success_at,
            last_error: row.last_error,
            next_attempt_at: row.next_attempt_at,
            delivered_total: row.delivered_total.try_into().unwrap_or(0),
            pending_deliveries: row.pending.try_into().unwrap_or(0),
            signature_flavour: row.signature_flavour,
            oldest_pending_at: row.oldest_pending_at,
            last_attempt_at: row.last_attempt_at,
            lease: match (row.claimed_by, row.claimed_at, row.claimed_until) {
                (Some(holder), Some(since), Some(until)) => Some(DeliveryLease {
                    holder,
                    since,
                    until,
                }),
                _ => None,
            },
        })
    }
}
