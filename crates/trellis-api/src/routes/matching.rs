//! Matching: the mentors that suit the caller best, here and at partners,
//! each with the reasons for their score; and the weights admins set.

use axum::extract::State;
use trellis_app::App;
use trellis_app::matching::{self, MatchParams, MatchView};
use trellis_core::matching::Weights;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Admin, AppJson, AppQuery, Caller};

/// The mentors that suit the caller best, with the reasons. Mentors must
/// share a language with the caller and have room; then goal skills,
/// time zones, load, track record and organization are weighed as the
/// instance's admins set (`/api/v1/admin/matching`).
#[utoipa::path(
    get,
    path = "/api/v1/matches",
    tag = "matching",
    security(("bearer" = [])),
    params(MatchParams),
    responses((status = 200, description = "Best matches first", body = Vec<MatchView>))
)]
pub async fn matches(
    State(app): State<App>,
    Caller(caller): Caller,
    AppQuery(params): AppQuery<MatchParams>,
) -> ApiResult<AppJson<Vec<MatchView>>> {
    Ok(AppJson(matching::matches(&app, &caller, params).await?))
}

/// How matching weighs its factors.
#[utoipa::path(
    get,
    path = "/api/v1/admin/matching",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The weights", body = Weights),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn get_weights(
    State(app): State<App>,
    Admin(admin): Admin,
) -> ApiResult<AppJson<Weights>> {
    Ok(AppJson(matching::get_weights(&app, &admin).await?))
}

/// Sets how matching weighs its factors (each 0 to 100, not all 0).
#[utoipa::path(
    put,
    path = "/api/v1/admin/matching",
    tag = "admin",
    security(("bearer" = [])),
    request_body = Weights,
    responses(
        (status = 200, description = "The weights as saved", body = Weights),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn put_weights(
    State(app): State<App>,
    Admin(admin): Admin,
    AppJson(weights): AppJson<Weights>,
) -> ApiResult<AppJson<Weights>> {
    Ok(AppJson(matching::put_weights(&app, &admin, weights).await?))
}
