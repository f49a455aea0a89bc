//! The career plan (edited as a form, kept as versions) and growth: each
//! skill's levels over time, drawn as a chart with its table, and the
//! drift warning with its evidence.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use trellis_app::plan::{GrowthView, PlanVersionView, PlanView};
use trellis_app::skills::{self, CatalogParams, SkillView};
use trellis_core::growth::{DriftOutcome, SkillGrowth};
use trellis_core::plan::{CareerPlan, Milestone, MilestoneStatus, PlanChange, PlanGoal};
use trellis_core::profile::GoalTarget;
use trellis_core::skill::{SkillKey, SkillLevel};
use uuid::Uuid;

use crate::forms::{Errors, Fields, Posted};
use crate::kit::{changer, chrome, fail, member, page, page_with};
use crate::render::{Chrome, PageResult};
use crate::visitor::{Visitor, Web};

/// Empty rows the form offers: goals, and per goal skills and milestones.
const NEW_GOALS: usize = 1;
const NEW_TARGETS: usize = 2;
const NEW_MILESTONES: usize = 2;

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    c: Chrome,
    plan: PlanView,
    history: Vec<PlanVersionView>,
    catalog: Vec<SkillView>,
    names: HashMap<SkillKey, String>,
    errors: Errors,
}

impl PlanPage {
    /// Each goal's form: the kept ones and an empty one.
    fn goals(&self) -> Vec<(usize, Option<&PlanGoal>)> {
        (0..self.plan.goals.len() + NEW_GOALS)
            .map(|g| (g, self.plan.goals.get(g)))
            .collect()
    }

    fn targets<'a>(&self, goal: &Option<&'a PlanGoal>) -> Vec<(usize, Option<&'a GoalTarget>)> {
        let kept = goal.map_or(&[][..], |g| g.target_skills.as_slice());
        (0..kept.len() + NEW_TARGETS)
            .map(|i| (i, kept.get(i)))
            .collect()
    }

    fn milestones<'a>(&self, goal: &Option<&'a PlanGoal>) -> Vec<(usize, Option<&'a Milestone>)> {
        let kept = goal.map_or(&[][..], |g| g.milestones.as_slice());
        (0..kept.len() + NEW_MILESTONES)
            .map(|i| (i, kept.get(i)))
            .collect()
    }

    fn levels(&self) -> std::ops::RangeInclusive<u8> {
        1..=7
    }

    fn level(&self, n: &u8) -> String {
        format!("{n} · {}", self.c.t(&format!("level-{n}")))
    }

    fn statuses(&self) -> [MilestoneStatus; 4] {
        MilestoneStatus::ALL
    }

    fn status_name(&self, s: &MilestoneStatus) -> String {
        self.c.t(&format!("milestone-{}", s.as_str()))
    }

    /// A change between two versions, in words.
    fn change(&self, change: &PlanChange) -> String {
        crate::words::plan_change(&self.c, &self.names, change)
    }

    fn history_newest_first(&self) -> impl Iterator<Item = &PlanVersionView> {
        self.history.iter().rev()
    }

    fn due(&self, m: &Option<&Milestone>) -> String {
        m.and_then(|m| m.due)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    }
}

async fn plan_page(
    web: &Web,
    visitor: &Visitor,
    c: Chrome,
    status: StatusCode,
    plan: Option<PlanView>,
    errors: Errors,
) -> PageResult {
    let caller = member(visitor)?;
    let app = &web.app;
    let plan = match plan {
        Some(plan) => plan,
        None => trellis_app::plan::get(app, caller)
            .await
            .map_err(|e| fail(&c, e))?,
    };
    let history = trellis_app::plan::history(app, caller)
        .await
        .map_err(|e| fail(&c, e))?;
    let catalog = skills::list(
        app,
        CatalogParams {
            include_retired: false,
        },
    )
    .await
    .map_err(|e| fail(&c, e))?
    .skills;
    let names = skills::names(app).await.map_err(|e| fail(&c, e))?;
    page_with(
        web,
        visitor,
        status,
        &PlanPage {
            c,
            plan,
            history,
            catalog,
            names,
            errors,
        },
    )
}

pub async fn show(State(web): State<Web>, visitor: Visitor) -> PageResult {
    member(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    plan_page(&web, &visitor, c, StatusCode::OK, None, Errors::default()).await
}

/// The plan as the form says it; what cannot be read is an error.
fn read(form: &Fields) -> Result<CareerPlan, Errors> {
    let mut goals = Vec::new();
    let count =
        |name: &str, extra: usize| (form.get(name).parse::<usize>().unwrap_or(0) + extra).min(50);
    for g in 0..count("goal_rows", NEW_GOALS) {
        let title = form.get(&format!("goal_{g}_title"));
        if title.is_empty() || form.checked(&format!("goal_{g}_remove")) {
            continue;
        }
        let mut goal = PlanGoal {
            title: title.to_owned(),
            target_role: Some(form.get(&format!("goal_{g}_role")).to_owned())
                .filter(|s| !s.is_empty()),
            target_rank: Some(form.get(&format!("goal_{g}_rank")).to_owned())
                .filter(|s| !s.is_empty()),
            target_skills: Vec::new(),
            milestones: Vec::new(),
        };
        for i in 0..count(&format!("goal_{g}_target_rows"), NEW_TARGETS) {
            let key = form.get(&format!("goal_{g}_skill_{i}"));
            if key.is_empty() {
                continue;
            }
            let skill = SkillKey::parse(key).map_err(|e| Errors::field("goals", e.to_string()))?;
            let level = form
                .get(&format!("goal_{g}_level_{i}"))
                .parse::<u8>()
                .ok()
                .and_then(|n| SkillLevel::try_from(n).ok())
                .ok_or_else(|| Errors::field("goals", "choose the level you aim for"))?;
            goal.target_skills.push(GoalTarget { skill, level });
        }
        for i in 0..count(&format!("goal_{g}_milestone_rows"), NEW_MILESTONES) {
            let title = form.get(&format!("goal_{g}_ms_{i}_title"));
            if title.is_empty() {
                continue;
            }
            let due = match form.get(&format!("goal_{g}_ms_{i}_due")) {
                "" => None,
                raw => Some(
                    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                        .map_err(|_| Errors::field("goals", "a due date must be a day"))?,
                ),
            };
            let status = MilestoneStatus::ALL
                .into_iter()
                .find(|s| s.as_str() == form.get(&format!("goal_{g}_ms_{i}_status")))
                .unwrap_or_default();
            goal.milestones.push(Milestone {
                title: title.to_owned(),
                due,
                status,
            });
        }
        goals.push(goal);
    }
    Ok(CareerPlan { goals })
}

pub async fn save(State(web): State<Web>, Posted(visitor, form): Posted<Fields>) -> PageResult {
    let caller = changer(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    let result = match read(&form) {
        Ok(plan) => trellis_app::plan::put(&web.app, caller, plan)
            .await
            .map_err(|e| {
                if crate::forms::is_input_error(&e) {
                    Ok(Errors::of(&e, &["goals"]))
                } else {
                    Err(e)
                }
            }),
        Err(errors) => Err(Ok(errors)),
    };
    match result {
        Ok(plan) => {
            let c = Chrome {
                notice: Some(c.t("plan-saved")),
                ..c
            };
            plan_page(
                &web,
                &visitor,
                c,
                StatusCode::OK,
                Some(plan),
                Errors::default(),
            )
            .await
        }
        Err(Ok(errors)) => {
            plan_page(
                &web,
                &visitor,
                c,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                errors,
            )
            .await
        }
        Err(Err(other)) => Err(fail(&c, other)),
    }
}

#[derive(Template)]
#[template(path = "growth.html")]
struct GrowthPage {
    c: Chrome,
    g: GrowthView,
    names: HashMap<SkillKey, String>,
    /// Whose growth: `None` for the member's own.
    of: Option<String>,
}

impl GrowthPage {
    fn skill(&self, key: &SkillKey) -> String {
        self.names
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    fn chart(&self, s: &SkillGrowth) -> String {
        crate::charts::growth_lines(&s.points)
    }

    fn view_box(&self) -> String {
        crate::charts::view_box()
    }

    fn in_plan(&self, key: &SkillKey) -> bool {
        self.g.growth.plan_skills.contains(key)
    }

    fn rating(&self, l: &Option<SkillLevel>) -> String {
        l.map_or_else(|| "–".to_owned(), |l| l.get().to_string())
    }

    fn rise(&self, n: &i8) -> String {
        if *n > 0 {
            format!("+{n}")
        } else {
            n.to_string()
        }
    }

    fn drift(&self) -> &DriftOutcome {
        &self.g.growth.drift
    }
}

async fn growth_page(
    web: &Web,
    visitor: &Visitor,
    c: Chrome,
    g: GrowthView,
    of: Option<String>,
) -> PageResult {
    let names = skills::names(&web.app).await.map_err(|e| fail(&c, e))?;
    page(web, visitor, &GrowthPage { c, g, names, of })
}

pub async fn growth(State(web): State<Web>, visitor: Visitor) -> PageResult {
    let caller = member(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    let g = trellis_app::plan::growth(&web.app, caller)
        .await
        .map_err(|e| fail(&c, e))?;
    growth_page(&web, &visitor, c, g, None).await
}

/// A mentee's growth, for their mentor (and the mentee themself).
pub async fn mentee_growth(
    State(web): State<Web>,
    visitor: Visitor,
    Path(id): Path<Uuid>,
) -> PageResult {
    let caller = member(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    let m = trellis_app::mentorships::get(&web.app, caller, id)
        .await
        .map_err(|e| fail(&c, e))?;
    let g = trellis_app::plan::mentee_growth(&web.app, caller, id)
        .await
        .map_err(|e| fail(&c, e))?;
    let of = (m.role == trellis_core::mentorship::Party::Mentor).then(|| m.mentee.handle());
    growth_page(&web, &visitor, c, g, of).await
}
