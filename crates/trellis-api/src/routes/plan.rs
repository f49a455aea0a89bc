//! A member's career plan (kept as versions, never overwritten) and their
//! growth over the years: each skill's levels review by review, and the
//! drift insight when growth leaves the plan behind.

use axum::extract::State;
use trellis_app::App;
use trellis_app::plan::{self, GrowthView, PlanVersionView, PlanView};
use trellis_core::plan::CareerPlan;
use uuid::Uuid;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AppJson, AppPath, Caller};

/// The caller's career plan as it is now.
#[utoipa::path(
    get,
    path = "/api/v1/me/plan",
    tag = "plan",
    security(("bearer" = [])),
    responses((status = 200, description = "The plan (version 0 and no goals if never set)", body = PlanView))
)]
pub async fn get(State(app): State<App>, Caller(caller): Caller) -> ApiResult<AppJson<PlanView>> {
    Ok(AppJson(plan::get(&app, &caller).await?))
}

/// Sets the caller's career plan: goals with a target role or rank, target
/// skills and levels, milestones with due dates and status. The previous
/// version is kept (`GET /api/v1/me/plan/history`); an unchanged plan adds
/// no version.
#[utoipa::path(
    put,
    path = "/api/v1/me/plan",
    tag = "plan",
    security(("bearer" = [])),
    request_body = CareerPlan,
    responses(
        (status = 200, description = "The plan as kept", body = PlanView),
        (status = 422, description = "A field breaks a rule, or names a skill not in the catalog", body = ErrorBody),
    )
)]
pub async fn put(
    State(app): State<App>,
    Caller(caller): Caller,
    AppJson(body): AppJson<CareerPlan>,
) -> ApiResult<AppJson<PlanView>> {
    Ok(AppJson(plan::put(&app, &caller, body).await?))
}

/// Every version of the caller's plan, oldest first, each with what changed.
#[utoipa::path(
    get,
    path = "/api/v1/me/plan/history",
    tag = "plan",
    security(("bearer" = [])),
    responses((status = 200, description = "The versions, oldest first", body = Vec<PlanVersionView>))
)]
pub async fn history(
    State(app): State<App>,
    Caller(caller): Caller,
) -> ApiResult<AppJson<Vec<PlanVersionView>>> {
    Ok(AppJson(plan::history(&app, &caller).await?))
}

/// The caller's growth: every skill's levels over the years, as rated by
/// themselves and by their mentors in completed reviews, and the drift
/// insight when recent growth concentrates outside the plan while the
/// plan's skills stall.
#[utoipa::path(
    get,
    path = "/api/v1/me/growth",
    tag = "plan",
    security(("bearer" = [])),
    responses((status = 200, description = "The growth timeline and the drift insight", body = GrowthView))
)]
pub async fn growth(
    State(app): State<App>,
    Caller(caller): Caller,
) -> ApiResult<AppJson<GrowthView>> {
    Ok(AppJson(plan::growth(&app, &caller).await?))
}

/// The mentee's growth and drift insight, for their current mentor (or
/// the mentee themselves), while the mentorship is under way. A mentee
/// elsewhere keeps their plan at their own instance, which shares their
/// growth with their current mentors: that copy is shown.
#[utoipa::path(
    get,
    path = "/api/v1/mentorships/{id}/growth",
    tag = "plan",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The mentorship's id")),
    responses(
        (status = 200, description = "The mentee's growth", body = GrowthView),
        (status = 404, description = "No such mentorship of the caller's", body = ErrorBody),
        (status = 409, description = "Not under way, or the mentee's instance has not shared it yet", body = ErrorBody),
    )
)]
pub async fn mentee_growth(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<GrowthView>> {
    Ok(AppJson(plan::mentee_growth(&app, &caller, id).await?))
}
