//! Instance administration: settings and invites.

use axum::extract::State;
use axum::http::StatusCode;
use trellis_app::App;
use trellis_app::admin::{
    self, CreatedInvite, InviteRequest, InviteView, SettingsEdit, SettingsView,
};
use uuid::Uuid;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Admin, AppJson, AppPath};

/// The instance's settings.
#[utoipa::path(
    get,
    path = "/api/v1/admin/settings",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The settings", body = SettingsView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn get_settings(
    State(app): State<App>,
    Admin(admin): Admin,
) -> ApiResult<AppJson<SettingsView>> {
    Ok(AppJson(admin::get_settings(&app, &admin).await?))
}

/// Changes the instance's settings (fields left out stay as they are).
#[utoipa::path(
    patch,
    path = "/api/v1/admin/settings",
    tag = "admin",
    security(("bearer" = [])),
    request_body = SettingsEdit,
    responses(
        (status = 200, description = "The settings as changed", body = SettingsView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "A value breaks a rule", body = ErrorBody),
    )
)]
pub async fn edit_settings(
    State(app): State<App>,
    Admin(admin): Admin,
    AppJson(body): AppJson<SettingsEdit>,
) -> ApiResult<AppJson<SettingsView>> {
    Ok(AppJson(admin::edit_settings(&app, &admin, body).await?))
}

/// Every invite, newest first. Codes are not shown: they are only stored hashed.
#[utoipa::path(
    get,
    path = "/api/v1/admin/invites",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The invites", body = Vec<InviteView>),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn list_invites(
    State(app): State<App>,
    Admin(admin): Admin,
) -> ApiResult<AppJson<Vec<InviteView>>> {
    Ok(AppJson(admin::list_invites(&app, &admin).await?))
}

/// Creates an invite code for registration while it is invite-only.
#[utoipa::path(
    post,
    path = "/api/v1/admin/invites",
    tag = "admin",
    security(("bearer" = [])),
    request_body = InviteRequest,
    responses(
        (status = 201, description = "Created; the code is shown this once", body = CreatedInvite),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "A value breaks a rule", body = ErrorBody),
    )
)]
pub async fn create_invite(
    State(app): State<App>,
    Admin(admin): Admin,
    AppJson(body): AppJson<InviteRequest>,
) -> ApiResult<(StatusCode, AppJson<CreatedInvite>)> {
    Ok((
        StatusCode::CREATED,
        AppJson(admin::create_invite(&app, &admin, body).await?),
    ))
}

/// Revokes an invite: it opens no more accounts.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/invites/{id}",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The invite's id")),
    responses(
        (status = 200, description = "Revoked", body = InviteView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such invite", body = ErrorBody),
    )
)]
pub async fn revoke_invite(
    State(app): State<App>,
    Admin(admin): Admin,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<InviteView>> {
    Ok(AppJson(admin::revoke_invite(&app, &admin, id).await?))
}
