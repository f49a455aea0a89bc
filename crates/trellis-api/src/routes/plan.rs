//! A member's career plan (kept as versions, never overwritten) and their
//! growth over the years: each skill's levels review by review, and the
//! drift insight when growth leaves the plan behind.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use trellis_core::growth::Growth;
use trellis_core::plan::{CareerPlan, PlanChange, diff};
use trellis_store::PlanVersion;
use utoipa::ToSchema;
use uuid::Uuid;

use super::mentorships::own;
use super::skills::catalog_by_key;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{AppJson, AppPath, Caller};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    /// 0 until the member first sets a plan; each change adds one.
    pub version: u32,
    #[serde(flatten)]
    pub plan: CareerPlan,
    pub updated_at: Option<DateTime<Utc>>,
}

impl From<Option<PlanVersion>> for PlanView {
    fn from(version: Option<PlanVersion>) -> Self {
        match version {
            Some(v) => Self {
                version: v.version,
                plan: v.plan,
                updated_at: Some(v.created_at),
            },
            None => Self {
                version: 0,
                plan: CareerPlan::default(),
                updated_at: None,
            },
        }
    }
}

/// The caller's career plan as it is now.
#[utoipa::path(
    get,
    path = "/api/v1/me/plan",
    tag = "plan",
    security(("bearer" = [])),
    responses((status = 200, description = "The plan (version 0 and no goals if never set)", body = PlanView))
)]
pub async fn get(State(state): State<AppState>, caller: Caller) -> ApiResult<AppJson<PlanView>> {
    Ok(AppJson(state.store.plan(caller.account.id).await?.into()))
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
    State(state): State<AppState>,
    caller: Caller,
    AppJson(body): AppJson<CareerPlan>,
) -> ApiResult<AppJson<PlanView>> {
    let plan = body.normalize()?;
    let catalog = catalog_by_key(&state).await?;
    if let Some(unknown) = plan
        .plan_skills()
        .into_iter()
        .find(|k| !catalog.contains_key(k))
    {
        return Err(ApiError::Validation(format!(
            "goals: {unknown} is not a skill of this instance's catalog"
        )));
    }
    let kept = state
        .store
        .put_plan(caller.account.id, &plan, Utc::now())
        .await?;
    Ok(AppJson(Some(kept).into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanVersionView {
    pub version: u32,
    pub created_at: DateTime<Utc>,
    #[serde(flatten)]
    pub plan: CareerPlan,
    /// What changed from the version before, one entry a change.
    pub changes: Vec<ChangeView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeView {
    #[serde(flatten)]
    pub change: PlanChange,
    /// The change in words.
    pub description: String,
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
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<AppJson<Vec<PlanVersionView>>> {
    let versions = state.store.plan_history(caller.account.id).await?;
    let mut previous = CareerPlan::default();
    let mut views = Vec::with_capacity(versions.len());
    for v in versions {
        let changes = diff(&previous, &v.plan)
            .into_iter()
            .map(|change| ChangeView {
                description: change.describe(),
                change,
            })
            .collect();
        previous = v.plan.clone();
        views.push(PlanVersionView {
            version: v.version,
            created_at: v.created_at,
            plan: v.plan,
            changes,
        });
    }
    Ok(AppJson(views))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GrowthView {
    #[serde(flatten)]
    pub growth: Growth,
    /// When it was drawn up: now for a member of this instance; for a
    /// mentee elsewhere, when their instance last shared it.
    pub as_of: DateTime<Utc>,
}

/// A member's growth as it is now.
async fn growth_now(state: &AppState, account_id: Uuid) -> ApiResult<GrowthView> {
    Ok(GrowthView {
        growth: state.store.growth(account_id).await?,
        as_of: Utc::now(),
    })
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
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<AppJson<GrowthView>> {
    Ok(AppJson(growth_now(&state, caller.account.id).await?))
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
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<GrowthView>> {
    let (m, _) = own(&state, &caller, id).await?;
    if !m.state.holds_a_place() {
        return Err(ApiError::Conflict(format!(
            "a mentee's growth is shown to their current mentors; this mentorship is {}",
            m.state.as_str()
        )));
    }
    if m.mentee.is_local() {
        return Ok(AppJson(growth_now(&state, m.mentee.account_id).await?));
    }
    let shared = state.store.shared_growth(m.id).await?.ok_or_else(|| {
        ApiError::Conflict("the mentee's instance has not shared their growth yet".into())
    })?;
    Ok(AppJson(GrowthView {
        growth: shared.growth,
        as_of: shared.shared_at,
    }))
}
