//! Administering federation: partners, blocks and delivery health.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::partnership::Partnership;
use trellis_core::settings::FederationMode;
use trellis_store::{DeliveryState, Instance};
use utoipa::ToSchema;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Admin, AppJson, AppPath};
use crate::state::AppState;

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
            },
            domain: i.domain,
        }
    }
}

/// Partners, and requests either way.
#[utoipa::path(
    get,
    path = "/api/v1/admin/partners",
    tag = "federation",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Instances with a partnership or a request", body = Vec<PeerView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn list_partners(
    State(state): State<AppState>,
    _admin: Admin,
) -> ApiResult<AppJson<Vec<PeerView>>> {
    let instances = state.store.list_instances().await?;
    Ok(AppJson(
        instances
            .into_iter()
            .filter(|i| i.partnership != Partnership::None)
            .map(PeerView::from)
            .collect(),
    ))
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
#[utoipa::path(
    post,
    path = "/api/v1/admin/partners",
    tag = "federation",
    security(("bearer" = [])),
    request_body = PartnerRequest,
    responses(
        (status = 200, description = "Requested (or, if they had asked, partners)", body = PeerView),
        (status = 403, description = "Not an admin, or the instance is blocked", body = ErrorBody),
        (status = 409, description = "Partners already, or they asked first", body = ErrorBody),
        (status = 422, description = "Not a domain name", body = ErrorBody),
        (status = 502, description = "The instance could not be reached", body = ErrorBody),
    )
)]
pub async fn request_partner(
    State(state): State<AppState>,
    _admin: Admin,
    AppJson(body): AppJson<PartnerRequest>,
) -> ApiResult<AppJson<PeerView>> {
    let instance = state.federation.request_partnership(&body.domain).await?;
    Ok(AppJson(instance.into()))
}

/// Accepts another instance's pending request.
#[utoipa::path(
    post,
    path = "/api/v1/admin/partners/{domain}/accept",
    tag = "federation",
    security(("bearer" = [])),
    params(("domain" = String, Path, description = "The other instance's domain")),
    responses(
        (status = 200, description = "Partners", body = PeerView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such instance", body = ErrorBody),
        (status = 409, description = "No request from it to answer", body = ErrorBody),
    )
)]
pub async fn accept_partner(
    State(state): State<AppState>,
    _admin: Admin,
    AppPath(domain): AppPath<String>,
) -> ApiResult<AppJson<PeerView>> {
    Ok(AppJson(
        state
            .federation
            .answer_partnership(&domain, true)
            .await?
            .into(),
    ))
}

/// Declines another instance's pending request.
#[utoipa::path(
    post,
    path = "/api/v1/admin/partners/{domain}/decline",
    tag = "federation",
    security(("bearer" = [])),
    params(("domain" = String, Path, description = "The other instance's domain")),
    responses(
        (status = 200, description = "Declined", body = PeerView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such instance", body = ErrorBody),
        (status = 409, description = "No request from it to answer", body = ErrorBody),
    )
)]
pub async fn decline_partner(
    State(state): State<AppState>,
    _admin: Admin,
    AppPath(domain): AppPath<String>,
) -> ApiResult<AppJson<PeerView>> {
    Ok(AppJson(
        state
            .federation
            .answer_partnership(&domain, false)
            .await?
            .into(),
    ))
}

/// Ends a partnership (or withdraws our request, or declines theirs).
#[utoipa::path(
    delete,
    path = "/api/v1/admin/partners/{domain}",
    tag = "federation",
    security(("bearer" = [])),
    params(("domain" = String, Path, description = "The other instance's domain")),
    responses(
        (status = 200, description = "Ended", body = PeerView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such instance", body = ErrorBody),
        (status = 409, description = "No partnership or request to end", body = ErrorBody),
    )
)]
pub async fn end_partner(
    State(state): State<AppState>,
    _admin: Admin,
    AppPath(domain): AppPath<String>,
) -> ApiResult<AppJson<PeerView>> {
    Ok(AppJson(
        state.federation.end_partnership(&domain).await?.into(),
    ))
}

/// Blocked instances.
#[utoipa::path(
    get,
    path = "/api/v1/admin/blocks",
    tag = "federation",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Blocked instances", body = Vec<PeerView>),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn list_blocks(
    State(state): State<AppState>,
    _admin: Admin,
) -> ApiResult<AppJson<Vec<PeerView>>> {
    let instances = state.store.list_instances().await?;
    Ok(AppJson(
        instances
            .into_iter()
            .filter(|i| i.blocked_at.is_some())
            .map(PeerView::from)
            .collect(),
    ))
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
#[utoipa::path(
    post,
    path = "/api/v1/admin/blocks",
    tag = "federation",
    security(("bearer" = [])),
    request_body = BlockRequest,
    responses(
        (status = 201, description = "Blocked", body = PeerView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "Not a domain name", body = ErrorBody),
    )
)]
pub async fn block(
    State(state): State<AppState>,
    _admin: Admin,
    AppJson(body): AppJson<BlockRequest>,
) -> ApiResult<(StatusCode, AppJson<PeerView>)> {
    let domain = state.federation.parse_domain(&body.domain)?;
    trellis_core::text::check_line("reason", &body.reason, 500)?;
    let instance = state
        .store
        .set_blocked(&domain, true, body.reason.trim(), Utc::now())
        .await?;
    tracing::info!(%domain, "instance blocked");
    state.federation.wake();
    Ok((StatusCode::CREATED, AppJson(instance.into())))
}

/// Lifts a block.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/blocks/{domain}",
    tag = "federation",
    security(("bearer" = [])),
    params(("domain" = String, Path, description = "The blocked instance's domain")),
    responses(
        (status = 200, description = "Unblocked", body = PeerView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "Not blocked", body = ErrorBody),
    )
)]
pub async fn unblock(
    State(state): State<AppState>,
    _admin: Admin,
    AppPath(domain): AppPath<String>,
) -> ApiResult<AppJson<PeerView>> {
    let domain = state.federation.parse_domain(&domain)?;
    match state.store.instance(&domain).await? {
        Some(instance) if instance.blocked_at.is_some() => {}
        _ => {
            return Err(crate::ApiError::not_found(format_args!(
                "a block of {domain}"
            )));
        }
    }
    let instance = state
        .store
        .set_blocked(&domain, false, "", Utc::now())
        .await?;
    Ok(AppJson(instance.into()))
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
#[utoipa::path(
    get,
    path = "/api/v1/admin/federation",
    tag = "federation",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Federation status", body = FederationStatus),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn status(
    State(state): State<AppState>,
    _admin: Admin,
) -> ApiResult<AppJson<FederationStatus>> {
    let failed = state.store.failed_outbox_events(1).await?;
    Ok(AppJson(FederationStatus {
        domain: state.federation.domain().to_owned(),
        mode: state.store.settings().await?.federation_mode,
        queue_depth: state.store.outbox_depth().await?,
        failed_events: failed.total,
        last_event_error: failed.items.into_iter().next().map(|e| e.error),
        peers: state
            .store
            .list_instances()
            .await?
            .into_iter()
            .map(PeerView::from)
            .collect(),
    }))
}
