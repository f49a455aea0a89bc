//! Administering federation: partners, blocks and delivery health.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::settings::FederationMode;
use trellis_store::{DeliveryState, Instance};
use utoipa::ToSchema;

use crate::app::App;
use crate::caller::Admin;
use crate::error::AppResult;

/// Another instance, as this one knows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeerView {
    #[schema(example = "trellis.example.org")]
    pub domain: String,
    /// The organization's name, as its instance actor says.
    pub name: Option<String>,
    pub actor: Option<String>,
    /// `none`, `requested` (we asked), `pending` (they asked, awaiting an
    /// admin here), `active` or `declined`.
    #[schema(value_type = String, example = "active")]
    pub partnership: &'static str,
    pub partnership_changed_at: Option<DateTime<Utc>>,
    pub blocked: bool,
    pub blocked_at: Option<DateTime<Utc>>,
    pub block_reason: String,
    pub delivery: DeliveryView,
}

/// How deliveries to an instance are going.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    /// `ok`, `failing` or `unreachable`.
    #[schema(value_type = String, example = "ok")]
    pub state: &'static str,
    /// Activities waiting for this instance.
    pub queued: u64,
    pub delivered_total: u64,
    pub consecutive_failures: u32,
    pub failing_since: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The HTTP signature our requests to it carry, `draft-cavage` or
    /// `rfc9421`: the one it took last. `null` until one has worked; the
    /// configured first one is tried then.
    #[schema(value_type = Option<String>, example = "rfc9421")]
    pub signature: Option<String>,
    /// When the oldest activity waiting for this instance was queued.
    pub oldest_queued_at: Option<DateTime<Utc>>,
    /// When a delivery was last attempted, whatever came of it.
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// Which process works on this queue, since when, until when unless
    /// it renews; `None` while nobody does.
    pub lease: Option<LeaseView>,
    /// The queue does not move: activities wait, are due, and none was
    /// attempted for a minute (a holder that stopped renewing, a worker
    /// that cannot reach the database).
    pub stalled: bool,
}

/// Who holds an instance's delivery queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeaseView {
    /// The process: `host:pid:random`.
    #[schema(example = "trellis-1:4242:9f0c2a1b")]
    pub holder: String,
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// The holder did not renew it in time: it stopped or died, and
    /// another process takes the queue over.
    pub lapsed: bool,
}

/// How long a due queue may go without an attempt before it is called stalled.
const STALLED_AFTER: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

impl DeliveryView {
    fn of(i: &Instance, now: DateTime<Utc>) -> Self {
        let long_ago = now - STALLED_AFTER;
        let due = i.next_attempt_at.is_none_or(|at| at <= long_ago);
        let waited = i.oldest_pending_at.is_some_and(|at| at <= long_ago);
        let idle = i.last_attempt_at.is_none_or(|at| at <= long_ago);
        Self {
            state: match i.delivery_state {
                DeliveryState::Ok => "ok",
                DeliveryState::Failing => "failing",
                DeliveryState::Unreachable => "unreachable",
            },
            queued: i.pending_deliveries,
            delivered_total: i.delivered_total,
            consecutive_failures: i.consecutive_failures,
            failing_since: i.failing_since,
            last_success_at: i.last_success_at,
            last_error: i.last_error.clone(),
            next_attempt_at: i.next_attempt_at,
            signature: i.signature_flavour.clone(),
            oldest_queued_at: i.oldest_pending_at,
            last_attempt_at: i.last_attempt_at,
            lease: i.lease.as_ref().map(|l| LeaseView {
                holder: l.holder.clone(),
                since: l.since,
                until: l.until,
                lapsed: l.until < now,
            }),
            stalled: i.pending_deliveries > 0 && i.blocked_at.is_none() && due && waited && idle,
        }
    }
}

impl From<Instance> for PeerView {
    fn from(i: Instance) -> Self {
        let delivery = DeliveryView::of(&i, Utc::now());
        Self {
            name: i.actor.as_ref().and_then(|a| a.name.clone()),
            actor: i.actor.as_ref().map(|a| a.actor_url.clone()),
            partnership: i.partnership.as_str(),
            partnership_changed_at: i.partnership_changed_at,
            blocked: i.blocked_at.is_some(),
            blocked_at: i.blocked_at,
            block_reason: i.block_reason,
            delivery,
            domain: i.domain,
        }
    }
}

/// Partners, and requests either way.
pub async fn list_partners(app: &App, _admin: &Admin) -> AppResult<Vec<PeerView>> {
    operator::partners(&app.store).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerRequest {
    /// The other instance's domain.
    #[schema(example = "trellis.example.org")]
    pub domain: String,
}

/// Asks another instance to partner. Its instance actor is looked up now;
/// the request itself (a `Follow`) is delivered durably. If that instance
/// had asked first, this accepts its request.
pub async fn request_partner(
    app: &App,
    _admin: &Admin,
    body: PartnerRequest,
) -> AppResult<PeerView> {
    let instance = app.federation.request_partnership(&body.domain).await?;
    Ok(instance.into())
}

/// Accepts another instance's pending request.
pub async fn accept_partner(app: &App, _admin: &Admin, domain: String) -> AppResult<PeerView> {
    Ok(app
        .federation
        .answer_partnership(&domain, true)
        .await?
        .into())
}

/// Declines another instance's pending request.
pub async fn decline_partner(app: &App, _admin: &Admin, domain: String) -> AppResult<PeerView> {
    Ok(app
        .federation
        .answer_partnership(&domain, false)
        .await?
        .into())
}

/// Ends a partnership (or withdraws our request, or declines theirs).
pub async fn end_partner(app: &App, _admin: &Admin, domain: String) -> AppResult<PeerView> {
    Ok(app.federation.end_partnership(&domain).await?.into())
}

/// Blocked instances.
pub async fn list_blocks(app: &App, _admin: &Admin) -> AppResult<Vec<PeerView>> {
    operator::blocks(&app.store).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockRequest {
    #[schema(example = "spam.example")]
    pub domain: String,
    /// Why, for the admins' own memory.
    #[serde(default)]
    pub reason: String,
}

/// Blocks an instance: nothing more is accepted from it or sent to it, any
/// partnership ends at once and what was queued for it is dropped.
pub async fn block(app: &App, _admin: &Admin, body: BlockRequest) -> AppResult<PeerView> {
    let domain = app.federation.parse_domain(&body.domain)?;
    trellis_core::text::check_line("reason", &body.reason, 500)?;
    let instance = app
        .store
        .set_blocked(&domain, true, body.reason.trim(), Utc::now())
        .await?;
    tracing::info!(%domain, "instance blocked");
    app.federation.wake();
    Ok(instance.into())
}

/// Lifts a block.
pub async fn unblock(app: &App, _admin: &Admin, domain: String) -> AppResult<PeerView> {
    let domain = app.federation.parse_domain(&domain)?;
    match app.store.instance(&domain).await? {
        Some(instance) if instance.blocked_at.is_some() => {}
        _ => {
            return Err(crate::AppError::not_found(format_args!(
                "a block of {domain}"
            )));
        }
    }
    let instance = app
        .store
        .set_blocked(&domain, false, "", Utc::now())
        .await?;
    Ok(instance.into())
}

/// Federation at a glance.
#[derive(Debug, Serialize, ToSchema)]
pub struct FederationStatus {
    /// This instance's domain.
    pub domain: String,
    pub mode: FederationMode,
    /// Everything waiting to go out, all instances together: activities
    /// queued for delivery and changes not yet turned into activities.
    pub queue_depth: u64,
    /// Of those, activities queued for delivery.
    pub deliveries_queued: u64,
    /// Of those, changes (outbox events) not yet turned into activities.
    pub events_waiting: u64,
    /// Outbox events set aside because their stored form does not fit
    /// their kind (a bug or a damaged database): nothing was sent for them.
    pub failed_events: u64,
    /// The newest such event's error, if any.
    pub last_event_error: Option<String>,
    /// Every instance known, with its partnership, block and delivery state.
    pub peers: Vec<PeerView>,
}

/// Queue depth and every peer's state.
pub async fn status(app: &App, _admin: &Admin) -> AppResult<FederationStatus> {
    let failed = app.store.failed_outbox_events(1).await?;
    let deliveries_queued = app.store.outbox_depth().await?;
    let events_waiting = app.store.waiting_outbox_events().await?;
    Ok(FederationStatus {
        domain: app.federation.domain().to_owned(),
        mode: app.store.settings().await?.federation_mode,
        queue_depth: deliveries_queued + events_waiting,
        deliveries_queued,
        events_waiting,
        failed_events: failed.total,
        last_event_error: failed.items.into_iter().next().map(|e| e.error),
        peers: app
            .store
            .list_instances()
            .await?
            .into_iter()
            .map(PeerView::from)
            .collect(),
    })
}

/// The same views for the operator at the machine's console (`trellis
/// admin partners|blocks|deliveries`): whoever can run the binary against
/// the database is trusted with it, as `trellis admin create-user` is.
pub mod operator {
    use trellis_core::partnership::Partnership;
    use trellis_store::{Instance, Store};

    use super::PeerView;
    use crate::error::{AppError, AppResult};

    async fn instances_where(
        store: &Store,
        keep: impl Fn(&Instance) -> bool,
    ) -> AppResult<Vec<PeerView>> {
        let instances = store.list_instances().await?;
        Ok(instances
            .into_iter()
            .filter(|i| keep(i))
            .map(PeerView::from)
            .collect())
    }

    /// Partners, and requests either way.
    pub async fn partners(store: &Store) -> AppResult<Vec<PeerView>> {
        instances_where(store, |i| i.partnership != Partnership::None).await
    }

    /// Blocked instances.
    pub async fn blocks(store: &Store) -> AppResult<Vec<PeerView>> {
        instances_where(store, |i| i.blocked_at.is_some()).await
    }

    /// Every instance something was ever queued for, or is now.
    pub async fn deliveries(store: &Store) -> AppResult<Vec<PeerView>> {
        instances_where(store, |i| {
            i.pending_deliveries > 0 || i.delivered_total > 0 || i.last_attempt_at.is_some()
        })
        .await
    }

    /// Makes the queues of `domains` (all that wait, if empty) due now,
    /// cutting their back-off short: a running instance sends at its next
    /// look at the queue. Says which queues were made due.
    pub async fn retry_now(store: &Store, domains: &[String]) -> AppResult<Vec<String>> {
        let waiting: Vec<Instance> = store
            .list_instances()
            .await?
            .into_iter()
            .filter(|i| i.pending_deliveries > 0 && i.blocked_at.is_none())
            .collect();
        let chosen: Vec<String> = if domains.is_empty() {
            waiting.into_iter().map(|i| i.domain).collect()
        } else {
            for domain in domains {
                if !waiting.iter().any(|i| &i.domain == domain) {
                    return Err(AppError::not_found(format_args!(
                        "a queue of deliveries to {domain} (nothing waits for it, or it is blocked)"
                    )));
                }
            }
            domains.to_vec()
        };
        for domain in &chosen {
            store.retry_now(domain).await?;
        }
        Ok(chosen)
    }
}
