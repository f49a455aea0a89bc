//! Profiles: the caller's own, and other members' as far as they may see.

use axum::extract::State;
use trellis_app::App;
use trellis_app::profiles::{self};
use trellis_app::views::ProfileView;
use trellis_core::profile::Profile;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AppJson, AppPath, Caller};

/// The caller's own profile.
#[utoipa::path(
    get,
    path = "/api/v1/me/profile",
    tag = "profiles",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's profile", body = ProfileView),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn get_mine(
    State(app): State<App>,
    Caller(caller): Caller,
) -> ApiResult<AppJson<ProfileView>> {
    Ok(AppJson(profiles::get_mine(&app, &caller).await?))
}

/// Replaces the caller's profile. Fields left out take their empty value.
#[utoipa::path(
    put,
    path = "/api/v1/me/profile",
    tag = "profiles",
    security(("bearer" = [])),
    request_body = Profile,
    responses(
        (status = 200, description = "The profile as saved", body = ProfileView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "A field breaks a rule, or a skill is unknown or retired", body = ErrorBody),
    )
)]
pub async fn put_mine(
    State(app): State<App>,
    Caller(caller): Caller,
    AppJson(profile): AppJson<Profile>,
) -> ApiResult<AppJson<ProfileView>> {
    Ok(AppJson(profiles::put_mine(&app, &caller, profile).await?))
}

/// Another member's profile, if its visibility lets the caller see it:
/// `username` for members here, `user@domain` for members of partner
/// instances (found through WebFinger). Anonymous callers see public
/// profiles only. A profile the caller may not see is answered exactly like
/// a member who does not exist.
#[utoipa::path(
    get,
    path = "/api/v1/members/{username}/profile",
    tag = "profiles",
    params(("username" = String, Path, description = "The member's username")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The profile", body = ProfileView),
        (status = 401, description = "A token was sent but is not valid", body = ErrorBody),
        (status = 404, description = "No such member, or not visible to the caller", body = ErrorBody),
    )
)]
pub async fn get_member(
    State(app): State<App>,
    caller: Option<Caller>,
    AppPath(username): AppPath<String>,
) -> ApiResult<AppJson<ProfileView>> {
    Ok(AppJson(
        profiles::get_member(&app, caller.as_ref().map(|c| &c.0), username).await?,
    ))
}
