//! Moving to another instance with the long-term file: aliases on the new
//! account, the move started from the old one, the archive it opens to the
//! new instance, and imports (announced by the move, or uploaded).

use axum::extract::State;
use axum::http::StatusCode;
use trellis_app::App;
use trellis_app::archive::Archive;
use trellis_app::moves::{self, Aliases, HeldView, ImportView, MoveView, StartMove};

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AppJson, AppPath, Caller};

/// The accounts the caller declared as also theirs (`alsoKnownAs` on
/// their actor), as actor URLs.
#[utoipa::path(
    get,
    path = "/api/v1/me/aliases",
    tag = "moves",
    security(("bearer" = [])),
    responses((status = 200, description = "The aliases", body = Aliases))
)]
pub async fn get_aliases(
    State(app): State<App>,
    Caller(caller): Caller,
) -> ApiResult<AppJson<Aliases>> {
    Ok(AppJson(moves::get_aliases(&app, &caller).await?))
}

/// Declares the caller's accounts elsewhere (`user@domain` or actor URL,
/// at most 5), replacing the list: the first step of moving here from
/// another instance. Each is looked up (WebFinger, or the actor fetched).
#[utoipa::path(
    put,
    path = "/api/v1/me/aliases",
    tag = "moves",
    security(("bearer" = [])),
    request_body = Aliases,
    responses(
        (status = 200, description = "The aliases as kept", body = Aliases),
        (status = 404, description = "An account could not be found", body = ErrorBody),
        (status = 422, description = "Too many, or one of this instance", body = ErrorBody),
    )
)]
pub async fn put_aliases(
    State(app): State<App>,
    Caller(caller): Caller,
    AppJson(body): AppJson<Aliases>,
) -> ApiResult<AppJson<Aliases>> {
    Ok(AppJson(moves::put_aliases(&app, &caller, body).await?))
}

/// Moves the caller to their account on a partner instance. That account
/// must list this one among its aliases. From then on this account is
/// read-only (it can still be read and exported) and its actor shows
/// `movedTo`; the new instance imports the file, and instances holding
/// mentorships with the caller follow the new account.
#[utoipa::path(
    post,
    path = "/api/v1/me/move",
    tag = "moves",
    security(("bearer" = [])),
    request_body = StartMove,
    responses(
        (status = 202, description = "Moved; the other instances are being told", body = MoveView),
        (status = 403, description = "The new account does not name this one as an alias", body = ErrorBody),
        (status = 404, description = "The new account could not be found", body = ErrorBody),
        (status = 409, description = "Moved already, or the instance is no partner", body = ErrorBody),
    )
)]
pub async fn start(
    State(app): State<App>,
    Caller(caller): Caller,
    AppJson(body): AppJson<StartMove>,
) -> ApiResult<(StatusCode, AppJson<MoveView>)> {
    Ok((
        StatusCode::ACCEPTED,
        AppJson(moves::start(&app, &caller, body).await?),
    ))
}

/// The archive of a member who moved, for their new instance: their file
/// as it was when they moved. The address travels in the `Move` to the
/// new account only, and stays open for 30 days.
#[utoipa::path(
    get,
    path = "/api/v1/moves/{token}/archive",
    tag = "moves",
    params(("token" = String, Path, description = "The capability the Move carried")),
    responses(
        (status = 200, description = "The moved member's archive", body = Archive),
        (status = 404, description = "No open archive for this token", body = ErrorBody),
    )
)]
pub async fn archive(
    State(app): State<App>,
    AppPath(token): AppPath<String>,
) -> ApiResult<impl axum::response::IntoResponse> {
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        moves::archive(&app, token).await?,
    ))
}

/// The imports of files into the caller's account, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/me/imports",
    tag = "moves",
    security(("bearer" = [])),
    responses((status = 200, description = "The imports", body = Vec<ImportView>))
)]
pub async fn imports(
    State(app): State<App>,
    Caller(caller): Caller,
) -> ApiResult<AppJson<Vec<ImportView>>> {
    Ok(AppJson(moves::imports(&app, &caller).await?))
}

/// Imports the credentials of an archive the caller exported from their
/// old account (those the move's archive lacked, or when it could not be
/// fetched in time). The old account must be among the caller's aliases,
/// on a partner instance, and must show it moved to this one. Each
/// credential is verified with its issuer's key; a tampered or revoked one
/// is refused and reported. History is taken only from the archive the
/// old instance sends, which it vouches for; what the account holds
/// already is not added again.
#[utoipa::path(
    post,
    path = "/api/v1/me/imports",
    tag = "moves",
    security(("bearer" = [])),
    request_body = Archive,
    responses(
        (status = 202, description = "Queued for import", body = ImportView),
        (status = 403, description = "The archive's account is not an alias of the caller's, or has not moved here", body = ErrorBody),
        (status = 422, description = "A field breaks a rule, or the old account could not be asked where it moved (`peer_unavailable`)", body = ErrorBody),
    )
)]
pub async fn upload(
    State(app): State<App>,
    Caller(caller): Caller,
    AppJson(archive): AppJson<Archive>,
) -> ApiResult<(StatusCode, AppJson<ImportView>)> {
    Ok((
        StatusCode::ACCEPTED,
        AppJson(moves::upload(&app, &caller, archive).await?),
    ))
}

/// The credentials of other issuers the caller brought when they moved
/// here, each verified with its issuer's key before it was kept.
#[utoipa::path(
    get,
    path = "/api/v1/me/credentials/held",
    tag = "moves",
    security(("bearer" = [])),
    responses((status = 200, description = "The credentials brought here", body = Vec<HeldView>))
)]
pub async fn held(
    State(app): State<App>,
    Caller(caller): Caller,
) -> ApiResult<AppJson<Vec<HeldView>>> {
    Ok(AppJson(moves::held(&app, &caller).await?))
}
