//! Administering federation: partners, blocks and delivery health.

use axum::extract::State;
use axum::http::StatusCode;
use trellis_app::App;
use trellis_app::partners::{self, BlockRequest, FederationStatus, PartnerRequest, PeerView};

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Admin, AppJson, AppPath};

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
    State(app): State<App>,
    Admin(admin): Admin,
) -> ApiResult<AppJson<Vec<PeerView>>> {
    Ok(AppJson(partners::list_partners(&app, &admin).await?))
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
        (status = 422, description = "Not a domain name, or the instance could not be reached (`peer_unavailable`)", body = ErrorBody),
    )
)]
pub async fn request_partner(
    State(app): State<App>,
    Admin(admin): Admin,
    AppJson(body): AppJson<PartnerRequest>,
) -> ApiResult<AppJson<PeerView>> {
    Ok(AppJson(
        partners::request_partner(&app, &admin, body).await?,
    ))
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
    State(app): State<App>,
    Admin(admin): Admin,
    AppPath(domain): AppPath<String>,
) -> ApiResult<AppJson<PeerView>> {
    Ok(AppJson(
        partners::accept_partner(&app, &admin, domain).await?,
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
    State(app): State<App>,
    Admin(admin): Admin,
    AppPath(domain): AppPath<String>,
) -> ApiResult<AppJson<PeerView>> {
    Ok(AppJson(
        partners::decline_partner(&app, &admin, domain).await?,
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
    State(app): State<App>,
    Admin(admin): Admin,
    AppPath(domain): AppPath<String>,
) -> ApiResult<AppJson<PeerView>> {
    Ok(AppJson(partners::end_partner(&app, &admin, domain).await?))
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
    State(app): State<App>,
    Admin(admin): Admin,
) -> ApiResult<AppJson<Vec<PeerView>>> {
    Ok(AppJson(partners::list_blocks(&app, &admin).await?))
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
    State(app): State<App>,
    Admin(admin): Admin,
    AppJson(body): AppJson<BlockRequest>,
) -> ApiResult<(StatusCode, AppJson<PeerView>)> {
    Ok((
        StatusCode::CREATED,
        AppJson(partners::block(&app, &admin, body).await?),
    ))
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
    State(app): State<App>,
    Admin(admin): Admin,
    AppPath(domain): AppPath<String>,
) -> ApiResult<AppJson<PeerView>> {
    Ok(AppJson(partners::unblock(&app, &admin, domain).await?))
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
    State(app): State<App>,
    Admin(admin): Admin,
) -> ApiResult<AppJson<FederationStatus>> {
    Ok(AppJson(partners::status(&app, &admin).await?))
}
