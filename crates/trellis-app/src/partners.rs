//! Administering federation: partners, blocks and delivery health.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::partnership::Partnership;
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
}

impl From<Instance> for PeerView {
    fn from(i: Instance) -> Self {
        Self {
            name: i.actor.as_ref().and_then(|a| a.name.clone()),
            actor: i.actor.as_ref().map(|a| a.actor_url.clone()),
            partnership: i.partnership.as_str(),
            partnership_changed_at: i.partnership_changed_at,
            blocked: i.blocked_at.is_some(),
            blocked_at: i.blocked_at,
            block_reason: i.block_reason,
            delivery: DeliveryView {
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
                last_error: i.last_error,
                next_attempt_at: i.next_attempt_at,
                signature: i.signature_flavour,
            },
            domain: i.domain,
        }
    }
}

/// Partners, and requests either way.
pub async fn list_partners(app: &App, _admin: &Admin) -> AppResult<Vec<PeerView>> {
    let instances = app.store.list_instances().await?;
    Ok(instances
        .into_iter()
        .filter(|i| i.partnership != Partnership::None)
        .map(PeerView::from)
        .collect())
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
    let instances = app.store.list_instances().await?;
    Ok(instances
        .into_iter()
        .filter(|i| i.blocked_at.is_some())
        .map(PeerView::from)
        .collect())
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
    /// Activities waiting to be delivered, all instances together.
    pub queue_depth: u64,
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
    Ok(FederationStatus {
        domain: app.federation.domain().to_owned(),
        mode: app.store.settings().await?.federation_mode,
        queue_depth: app.store.outbox_depth().await?,
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
