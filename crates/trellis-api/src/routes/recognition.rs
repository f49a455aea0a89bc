//! Recognition: a member's participation figures, the achievements admins
//! define and award, and the verifiable credentials that carry them —
//! listed for their owner, revoked by an admin, and checked by anyone.
//!
//! A credential's own URL (`/credentials/{id}`, served by federation) is
//! public by design: it is the credential's id, and its holder shares it to
//! have it checked. The lists here are private to their owner.

use axum::extract::State;
use axum::http::StatusCode;
use trellis_app::App;
use trellis_app::recognition::{
    self, AchievementQuery, AchievementView, AwardRequest, AwardView, CredentialView, Revocation,
    VerifyRequest,
};
use trellis_core::recognition::{AchievementDefinition, CredentialCheck, Participation};
use uuid::Uuid;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Admin, AppJson, AppPath, AppQuery, Caller, Client};

/// The caller's participation figures from their long-term file, in total
/// and per organization where the history happened.
#[utoipa::path(
    get,
    path = "/api/v1/me/participation",
    tag = "recognition",
    security(("bearer" = [])),
    responses((status = 200, description = "The figures", body = Participation))
)]
pub async fn my_participation(
    State(app): State<App>,
    Caller(caller): Caller,
) -> ApiResult<AppJson<Participation>> {
    Ok(AppJson(recognition::my_participation(&app, &caller).await?))
}

/// The caller's credentials, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/me/credentials",
    tag = "recognition",
    security(("bearer" = [])),
    responses((status = 200, description = "The credentials", body = Vec<CredentialView>))
)]
pub async fn my_credentials(
    State(app): State<App>,
    Caller(caller): Caller,
) -> ApiResult<AppJson<Vec<CredentialView>>> {
    Ok(AppJson(recognition::my_credentials(&app, &caller).await?))
}

/// Issues the caller a signed statement of their participation figures as
/// they stand now.
#[utoipa::path(
    post,
    path = "/api/v1/me/credentials/participation",
    tag = "recognition",
    security(("bearer" = [])),
    responses((status = 201, description = "Issued", body = CredentialView))
)]
pub async fn issue_participation(
    State(app): State<App>,
    Caller(caller): Caller,
) -> ApiResult<(StatusCode, AppJson<CredentialView>)> {
    Ok((
        StatusCode::CREATED,
        AppJson(recognition::issue_participation(&app, &caller).await?),
    ))
}

/// Revokes a credential this instance issued: its bit in the status list
/// is set at once, so every verifier sees it revoked. Revoking again keeps
/// the first reason.
#[utoipa::path(
    post,
    path = "/api/v1/admin/credentials/{id}/revoke",
    tag = "recognition",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The credential's id")),
    request_body = Revocation,
    responses(
        (status = 200, description = "Revoked", body = CredentialView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such credential", body = ErrorBody),
    )
)]
pub async fn revoke(
    State(app): State<App>,
    Admin(admin): Admin,
    AppPath(id): AppPath<Uuid>,
    AppJson(body): AppJson<Revocation>,
) -> ApiResult<AppJson<CredentialView>> {
    Ok(AppJson(recognition::revoke(&app, &admin, id, body).await?))
}

/// Checks an Open Badges 3.0 credential from any instance: fetches the
/// issuer's key from the `kid` URL (this instance's own without HTTP),
/// checks that the key and the issuer share an origin, the RS256
/// signature, the validity dates and the revocation status list. Anyone
/// may ask; the report says what was found and what is wrong.
#[utoipa::path(
    post,
    path = "/api/v1/credentials/verify",
    tag = "recognition",
    request_body = VerifyRequest,
    responses(
        (status = 200, description = "What the checks found", body = CredentialCheck),
        (status = 429, description = "Too many checks from this address (see Retry-After)", body = ErrorBody),
    )
)]
pub async fn verify(
    State(app): State<App>,
    Client(client): Client,
    AppJson(body): AppJson<VerifyRequest>,
) -> ApiResult<AppJson<CredentialCheck>> {
    Ok(AppJson(recognition::verify(&app, body, client).await?))
}

/// Defines an achievement: awarded by hand, or automatically when its
/// rule over participation first holds for a member — at once for members
/// who meet it already.
#[utoipa::path(
    post,
    path = "/api/v1/admin/achievements",
    tag = "recognition",
    security(("bearer" = [])),
    request_body = AchievementDefinition,
    responses(
        (status = 201, description = "Defined", body = AchievementView),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn define_achievement(
    State(app): State<App>,
    Admin(admin): Admin,
    AppJson(body): AppJson<AchievementDefinition>,
) -> ApiResult<(StatusCode, AppJson<AchievementView>)> {
    Ok((
        StatusCode::CREATED,
        AppJson(recognition::define_achievement(&app, &admin, body).await?),
    ))
}

/// The achievements defined, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/admin/achievements",
    tag = "recognition",
    security(("bearer" = [])),
    params(AchievementQuery),
    responses(
        (status = 200, description = "The achievements", body = Vec<AchievementView>),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn list_achievements(
    State(app): State<App>,
    Admin(admin): Admin,
    AppQuery(query): AppQuery<AchievementQuery>,
) -> ApiResult<AppJson<Vec<AchievementView>>> {
    Ok(AppJson(
        recognition::list_achievements(&app, &admin, query).await?,
    ))
}

/// Retires an achievement: it is no longer awarded; awards made stay.
#[utoipa::path(
    post,
    path = "/api/v1/admin/achievements/{id}/retire",
    tag = "recognition",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The achievement's id")),
    responses(
        (status = 200, description = "Retired", body = AchievementView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such achievement", body = ErrorBody),
    )
)]
pub async fn retire_achievement(
    State(app): State<App>,
    Admin(admin): Admin,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<AchievementView>> {
    Ok(AppJson(
        recognition::retire_achievement(&app, &admin, id).await?,
    ))
}

/// Awards an achievement by hand to a member of this instance, with a
/// reason; the credential is issued with the award and the member told.
#[utoipa::path(
    post,
    path = "/api/v1/admin/achievements/{id}/awards",
    tag = "recognition",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The achievement's id")),
    request_body = AwardRequest,
    responses(
        (status = 201, description = "Awarded", body = AwardView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such achievement or member", body = ErrorBody),
        (status = 409, description = "Retired, or held by the member already", body = ErrorBody),
    )
)]
pub async fn award(
    State(app): State<App>,
    Admin(admin): Admin,
    AppPath(id): AppPath<Uuid>,
    AppJson(body): AppJson<AwardRequest>,
) -> ApiResult<(StatusCode, AppJson<AwardView>)> {
    Ok((
        StatusCode::CREATED,
        AppJson(recognition::award(&app, &admin, id, body).await?),
    ))
}

/// The caller's awards, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/me/awards",
    tag = "recognition",
    security(("bearer" = [])),
    responses((status = 200, description = "The awards", body = Vec<AwardView>))
)]
pub async fn my_awards(
    State(app): State<App>,
    Caller(caller): Caller,
) -> ApiResult<AppJson<Vec<AwardView>>> {
    Ok(AppJson(recognition::my_awards(&app, &caller).await?))
}
