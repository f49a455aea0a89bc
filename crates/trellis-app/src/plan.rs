//! A member's career plan (kept as versions, never overwritten) and their
//! growth over the years: each skill's levels review by review, and the
//! drift insight when growth leaves the plan behind.

use chrono::{DateTime, Utc};
use serde::Serialize;
use trellis_core::growth::Growth;
use trellis_core::plan::{CareerPlan, PlanChange, PlanGoal, diff};
use trellis_store::PlanVersion;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::lookup::catalog_by_key;
use crate::lookup::own;

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    /// 0 until the member first sets a plan; each change adds one.
    pub version: u32,
    /// The plan's goals (the `CareerPlan` that was set).
    pub goals: Vec<PlanGoal>,
    pub updated_at: Option<DateTime<Utc>>,
}

impl From<Option<PlanVersion>> for PlanView {
    fn from(version: Option<PlanVersion>) -> Self {
        match version {
            Some(v) => Self {
                version: v.version,
                goals: v.plan.goals,
                updated_at: Some(v.created_at),
            },
            None => Self {
                version: 0,
                goals: Vec::new(),
                updated_at: None,
            },
        }
    }
}

/// The caller's career plan as it is now.
pub async fn get(app: &App, caller: &Caller) -> AppResult<PlanView> {
    Ok(app.store.plan(caller.account.id).await?.into())
}

/// Sets the caller's career plan: goals with a target role or rank, target
/// skills and levels, milestones with due dates and status. The previous
/// version is kept (`GET /api/v1/me/plan/history`); an unchanged plan adds
/// no version.
pub async fn put(app: &App, caller: &Caller, body: CareerPlan) -> AppResult<PlanView> {
    let plan = body.normalize()?;
    let catalog = catalog_by_key(app).await?;
    if let Some(unknown) = plan
        .plan_skills()
        .into_iter()
        .find(|k| !catalog.contains_key(k))
    {
        return Err(AppError::Validation(format!(
            "goals: {unknown} is not a skill of this instance's catalog"
        )));
    }
    let kept = app
        .store
        .put_plan(caller.account.id, &plan, Utc::now())
        .await?;
    Ok(Some(kept).into())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanVersionView {
    pub version: u32,
    pub created_at: DateTime<Utc>,
    /// The version's goals.
    pub goals: Vec<PlanGoal>,
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
pub async fn history(app: &App, caller: &Caller) -> AppResult<Vec<PlanVersionView>> {
    let versions = app.store.plan_history(caller.account.id).await?;
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
            goals: v.plan.goals,
            changes,
        });
    }
    Ok(views)
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
async fn growth_now(app: &App, account_id: Uuid) -> AppResult<GrowthView> {
    Ok(GrowthView {
        growth: app.store.growth(account_id).await?,
        as_of: Utc::now(),
    })
}

/// The caller's growth: every skill's levels over the years, as rated by
/// themselves and by their mentors in completed reviews, and the drift
/// insight when recent growth concentrates outside the plan while the
/// plan's skills stall.
pub async fn growth(app: &App, caller: &Caller) -> AppResult<GrowthView> {
    growth_now(app, caller.account.id).await
}

/// The mentee's growth and drift insight, for their current mentor (or
/// the mentee themselves), while the mentorship is under way. A mentee
/// elsewhere keeps their plan at their own instance, which shares their
/// growth with their current mentors: that copy is shown.
pub async fn mentee_growth(app: &App, caller: &Caller, id: Uuid) -> AppResult<GrowthView> {
    let (m, _) = own(app, caller, id).await?;
    if !m.state.holds_a_place() {
        return Err(AppError::Conflict(format!(
            "a mentee's growth is shown to their current mentors; this mentorship is {}",
            m.state.as_str()
        )));
    }
    if m.mentee.is_local() {
        return growth_now(app, m.mentee.account_id).await;
    }
    let shared = app.store.shared_growth(m.id).await?.ok_or_else(|| {
        AppError::Conflict("the mentee's instance has not shared their growth yet".into())
    })?;
    Ok(GrowthView {
        growth: shared.growth,
        as_of: shared.shared_at,
    })
}
