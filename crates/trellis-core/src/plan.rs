//! Career plans: a member's goals, each with the role or rank it aims at,
//! the skills and levels it needs, and milestones on the way. Earlier
//! versions are kept elsewhere; [`diff`] says what changed between two.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::CoreError;
use crate::profile::GoalTarget;
use crate::skill::{SkillKey, SkillLevel};
use crate::text::check_line;

pub const MAX_GOALS: usize = 10;
pub const MAX_TARGET_SKILLS: usize = 20;
pub const MAX_MILESTONES: usize = 30;
pub const MAX_TITLE: usize = 160;
pub const MAX_TARGET_ROLE: usize = 120;
pub const MAX_TARGET_RANK: usize = 80;

/// How far a milestone has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MilestoneStatus {
    #[default]
    Planned,
    InProgress,
    Done,
    /// Given up: no longer part of the way to the goal.
    Dropped,
}

impl MilestoneStatus {
    pub const ALL: [Self; 4] = [Self::Planned, Self::InProgress, Self::Done, Self::Dropped];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::InProgress => "in_progress",
            Self::Done => "done",
            Self::Dropped => "dropped",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, CoreError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| CoreError::invalid("status", format_args!("unknown status {raw:?}")))
    }

    /// Words for a sentence: "in progress" rather than `in_progress`.
    const fn words(self) -> &'static str {
        match self {
            Self::InProgress => "in progress",
            other => other.as_str(),
        }
    }
}

/// A step on the way to a goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Milestone {
    #[cfg_attr(feature = "openapi", schema(example = "Run the DNSSEC key rollover"))]
    pub title: String,
    #[serde(default)]
    pub due: Option<NaiveDate>,
    #[serde(default)]
    pub status: MilestoneStatus,
}

/// One goal of a career plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanGoal {
    #[cfg_attr(feature = "openapi", schema(example = "Own the DNS platform"))]
    pub title: String,
    /// The role aimed at, in the member's words.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "Staff engineer"))]
    pub target_role: Option<String>,
    /// The career-track rank aimed at, by name.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "principal"))]
    pub target_rank: Option<String>,
    /// The skills the goal needs, and the level each is aimed at.
    #[serde(default)]
    pub target_skills: Vec<GoalTarget>,
    #[serde(default)]
    pub milestones: Vec<Milestone>,
}

/// A member's career plan: up to ten goals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CareerPlan {
    #[serde(default)]
    pub goals: Vec<PlanGoal>,
}

/// How titles are compared: goals within a plan, and milestones within a
/// goal, are told apart by title, whatever their case.
fn title_key(title: &str) -> String {
    title.to_lowercase()
}

fn required_line(field: &str, value: &mut String, max: usize) -> Result<(), CoreError> {
    check_line(field, value, max)?;
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(CoreError::invalid(field, "must not be empty"));
    }
    if trimmed.len() != value.len() {
        *value = trimmed.to_owned();
    }
    Ok(())
}

/// An optional one-line text: trimmed, and `None` when nothing is left.
fn optional_line(field: &str, value: &mut Option<String>, max: usize) -> Result<(), CoreError> {
    if let Some(text) = value {
        check_line(field, text, max)?;
        let trimmed = text.trim();
        *value = (!trimmed.is_empty()).then(|| trimmed.to_owned());
    }
    Ok(())
}

fn check_count(field: &str, count: usize, max: usize) -> Result<(), CoreError> {
    if count > max {
        return Err(CoreError::invalid(
            field,
            format_args!("at most {max} entries, not {count}"),
        ));
    }
    Ok(())
}

impl CareerPlan {
    /// Checks every rule and trims the texts; the first broken rule is the
    /// error, naming its field (`goals[1].target_skills[0].skill`). Goal
    /// titles are unique within the plan, milestone titles within their
    /// goal (ignoring case), and no goal names a target skill twice.
    pub fn normalize(mut self) -> Result<Self, CoreError> {
        check_count("goals", self.goals.len(), MAX_GOALS)?;
        let mut titles = BTreeSet::new();
        for (i, goal) in self.goals.iter_mut().enumerate() {
            let prefix = format!("goals[{i}]");
            goal.normalize().map_err(|e| e.within(&prefix))?;
            if !titles.insert(title_key(&goal.title)) {
                return Err(CoreError::invalid(
                    format!("{prefix}.title"),
                    format_args!("another goal is called {:?}", goal.title),
                ));
            }
        }
        Ok(self)
    }

    /// The skills the plan aims at: every target skill of every goal.
    pub fn plan_skills(&self) -> BTreeSet<SkillKey> {
        self.goals
            .iter()
            .flat_map(|g| g.target_skills.iter().map(|t| t.skill.clone()))
            .collect()
    }
}

impl PlanGoal {
    fn normalize(&mut self) -> Result<(), CoreError> {
        required_line("title", &mut self.title, MAX_TITLE)?;
        optional_line("target_role", &mut self.target_role, MAX_TARGET_ROLE)?;
        optional_line("target_rank", &mut self.target_rank, MAX_TARGET_RANK)?;
        check_count("target_skills", self.target_skills.len(), MAX_TARGET_SKILLS)?;
        let mut skills = BTreeSet::new();
        for (i, target) in self.target_skills.iter().enumerate() {
            if !skills.insert(&target.skill) {
                return Err(CoreError::invalid(
                    format!("target_skills[{i}].skill"),
                    format_args!("{} is a target of this goal already", target.skill),
                ));
            }
        }
        check_count("milestones", self.milestones.len(), MAX_MILESTONES)?;
        let mut titles = BTreeSet::new();
        for (i, milestone) in self.milestones.iter_mut().enumerate() {
            let field = format!("milestones[{i}].title");
            required_line(&field, &mut milestone.title, MAX_TITLE)?;
            if !titles.insert(title_key(&milestone.title)) {
                return Err(CoreError::invalid(
                    field,
                    format_args!("another milestone is called {:?}", milestone.title),
                ));
            }
        }
        Ok(())
    }
}

/// One thing that changed between two versions of a plan. Goals are
/// matched by title and milestones by title within their goal (ignoring
/// case), so a renamed goal is one removed and one added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PlanChange {
    GoalAdded {
        goal: String,
    },
    GoalRemoved {
        goal: String,
    },
    TargetRoleChanged {
        goal: String,
        from: Option<String>,
        to: Option<String>,
    },
    TargetRankChanged {
        goal: String,
        from: Option<String>,
        to: Option<String>,
    },
    TargetSkillAdded {
        goal: String,
        skill: SkillKey,
        level: SkillLevel,
    },
    TargetSkillRemoved {
        goal: String,
        skill: SkillKey,
    },
    TargetLevelChanged {
        goal: String,
        skill: SkillKey,
        from: SkillLevel,
        to: SkillLevel,
    },
    MilestoneAdded {
        goal: String,
        milestone: String,
    },
    MilestoneRemoved {
        goal: String,
        milestone: String,
    },
    MilestoneStatusChanged {
        goal: String,
        milestone: String,
        from: MilestoneStatus,
        to: MilestoneStatus,
    },
    MilestoneDueChanged {
        goal: String,
        milestone: String,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    },
}

impl PlanChange {
    /// The change in one sentence, for a plan's history.
    pub fn describe(&self) -> String {
        let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
        let date = |d: &Option<NaiveDate>| d.map_or_else(|| "none".into(), |d| d.to_string());
        match self {
            Self::GoalAdded { goal } => format!("Goal \"{goal}\" added."),
            Self::GoalRemoved { goal } => format!("Goal \"{goal}\" removed."),
            Self::TargetRoleChanged { goal, from, to } => format!(
                "Goal \"{goal}\": target role changed from {} to {}.",
                or_none(from),
                or_none(to)
            ),
            Self::TargetRankChanged { goal, from, to } => format!(
                "Goal \"{goal}\": target rank changed from {} to {}.",
                or_none(from),
                or_none(to)
            ),
            Self::TargetSkillAdded { goal, skill, level } => {
                format!(
                    "Goal \"{goal}\": now aims at {skill} level {}.",
                    level.get()
                )
            }
            Self::TargetSkillRemoved { goal, skill } => {
                format!("Goal \"{goal}\": no longer aims at {skill}.")
            }
            Self::TargetLevelChanged {
                goal,
                skill,
                from,
                to,
            } => format!(
                "Goal \"{goal}\": {skill} aimed at level {} instead of {}.",
                to.get(),
                from.get()
            ),
            Self::MilestoneAdded { goal, milestone } => {
                format!("Goal \"{goal}\": milestone \"{milestone}\" added.")
            }
            Self::MilestoneRemoved { goal, milestone } => {
                format!("Goal \"{goal}\": milestone \"{milestone}\" removed.")
            }
            Self::MilestoneStatusChanged {
                goal,
                milestone,
                from,
                to,
            } => format!(
                "Goal \"{goal}\": milestone \"{milestone}\" went from {} to {}.",
                from.words(),
                to.words()
            ),
            Self::MilestoneDueChanged {
                goal,
                milestone,
                from,
                to,
            } => format!(
                "Goal \"{goal}\": milestone \"{milestone}\" due {} instead of {}.",
                date(to),
                date(from)
            ),
        }
    }
}

/// What changed from `old` to `new`, both normalized: first the goals
/// removed (in `old`'s order), then, in `new`'s order, each goal added or
/// what changed in it (role, rank, target skills, milestones). Titles and
/// texts are reported as `new` spells them. Equal plans give no changes.
pub fn diff(old: &CareerPlan, new: &CareerPlan) -> Vec<PlanChange> {
    let old_goals: BTreeMap<String, &PlanGoal> =
        old.goals.iter().map(|g| (title_key(&g.title), g)).collect();
    let new_titles: BTreeSet<String> = new.goals.iter().map(|g| title_key(&g.title)).collect();
    let mut changes: Vec<PlanChange> = old
        .goals
        .iter()
        .filter(|g| !new_titles.contains(&title_key(&g.title)))
        .map(|g| PlanChange::GoalRemoved {
            goal: g.title.clone(),
        })
        .collect();
    for goal in &new.goals {
        match old_goals.get(&title_key(&goal.title)) {
            None => changes.push(PlanChange::GoalAdded {
                goal: goal.title.clone(),
            }),
            Some(before) => diff_goal(before, goal, &mut changes),
        }
    }
    changes
}

/// Whether the skills a plan aims at differ between `old` and `new`: the
/// change that resets the evidence drift looks at. Changing only the level
/// aimed at, a role, a rank or a milestone keeps the same skills in view.
pub fn changes_skills(old: &CareerPlan, new: &CareerPlan) -> bool {
    old.plan_skills() != new.plan_skills()
}

fn diff_goal(old: &PlanGoal, new: &PlanGoal, changes: &mut Vec<PlanChange>) {
    let goal = || new.title.clone();
    if old.target_role != new.target_role {
        changes.push(PlanChange::TargetRoleChanged {
            goal: goal(),
            from: old.target_role.clone(),
            to: new.target_role.clone(),
        });
    }
    if old.target_rank != new.target_rank {
        changes.push(PlanChange::TargetRankChanged {
            goal: goal(),
            from: old.target_rank.clone(),
            to: new.target_rank.clone(),
        });
    }
    let old_levels: BTreeMap<&SkillKey, SkillLevel> = old
        .target_skills
        .iter()
        .map(|t| (&t.skill, t.level))
        .collect();
    let new_levels: BTreeMap<&SkillKey, SkillLevel> = new
        .target_skills
        .iter()
        .map(|t| (&t.skill, t.level))
        .collect();
    for target in &old.target_skills {
        if !new_levels.contains_key(&target.skill) {
            changes.push(PlanChange::TargetSkillRemoved {
                goal: goal(),
                skill: target.skill.clone(),
            });
        }
    }
    for target in &new.target_skills {
        match old_levels.get(&target.skill) {
            None => changes.push(PlanChange::TargetSkillAdded {
                goal: goal(),
                skill: target.skill.clone(),
                level: target.level,
            }),
            Some(&before) if before != target.level => {
                changes.push(PlanChange::TargetLevelChanged {
                    goal: goal(),
                    skill: target.skill.clone(),
                    from: before,
                    to: target.level,
                });
            }
            Some(_) => {}
        }
    }
    let old_milestones: BTreeMap<String, &Milestone> = old
        .milestones
        .iter()
        .map(|m| (title_key(&m.title), m))
        .collect();
    let new_milestones: BTreeSet<String> =
        new.milestones.iter().map(|m| title_key(&m.title)).collect();
    for milestone in &old.milestones {
        if !new_milestones.contains(&title_key(&milestone.title)) {
            changes.push(PlanChange::MilestoneRemoved {
                goal: goal(),
                milestone: milestone.title.clone(),
            });
        }
    }
    for milestone in &new.milestones {
        let Some(before) = old_milestones.get(&title_key(&milestone.title)) else {
            changes.push(PlanChange::MilestoneAdded {
                goal: goal(),
                milestone: milestone.title.clone(),
            });
            continue;
        };
        if before.status != milestone.status {
            changes.push(PlanChange::MilestoneStatusChanged {
                goal: goal(),
                milestone: milestone.title.clone(),
                from: before.status,
                to: milestone.status,
            });
        }
        if before.due != milestone.due {
            changes.push(PlanChange::MilestoneDueChanged {
                goal: goal(),
                milestone: milestone.title.clone(),
                from: before.due,
                to: milestone.due,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(raw: &str) -> SkillKey {
        SkillKey::parse(raw).unwrap()
    }

    fn target(skill: &str, level: u8) -> GoalTarget {
        GoalTarget {
            skill: key(skill),
            level: SkillLevel::new(level).unwrap(),
        }
    }

    fn milestone(title: &str, status: MilestoneStatus) -> Milestone {
        Milestone {
            title: title.into(),
            due: None,
            status,
        }
    }

    fn goal(title: &str) -> PlanGoal {
        PlanGoal {
            title: title.into(),
            target_role: Some("  Staff engineer ".into()),
            target_rank: None,
            target_skills: vec![target("networking.dns", 5), target("security.pki", 4)],
            milestones: vec![milestone(" Run a key rollover ", MilestoneStatus::Planned)],
        }
    }

    fn plan() -> CareerPlan {
        CareerPlan {
            goals: vec![
                goal("  Own the DNS platform "),
                goal("Speak at a conference"),
            ],
        }
    }

    #[test]
    fn a_good_plan_is_trimmed() {
        let plan = plan().normalize().unwrap();
        assert_eq!(plan.goals[0].title, "Own the DNS platform");
        assert_eq!(plan.goals[0].target_role.as_deref(), Some("Staff engineer"));
        assert_eq!(plan.goals[0].milestones[0].title, "Run a key rollover");
        let blank_rank = CareerPlan {
            goals: vec![PlanGoal {
                target_rank: Some("   ".into()),
                ..goal("x")
            }],
        };
        assert_eq!(blank_rank.normalize().unwrap().goals[0].target_rank, None);
        assert_eq!(CareerPlan::default().normalize(), Ok(CareerPlan::default()));
    }

    #[test]
    fn each_plan_rule_names_its_field() {
        type BreakIt = fn(&mut CareerPlan);
        let cases: [(BreakIt, &str); 11] = [
            (|p| p.goals[0].title = "  ".into(), "goals[0].title"),
            (
                |p| p.goals[1].title = "own the dns PLATFORM".into(),
                "goals[1].title",
            ),
            (
                |p| p.goals[1].title = "x".repeat(MAX_TITLE + 1),
                "goals[1].title",
            ),
            (
                |p| p.goals = (0..=MAX_GOALS).map(|i| goal(&format!("g{i}"))).collect(),
                "goals",
            ),
            (
                |p| p.goals[0].target_role = Some("a\nb".into()),
                "goals[0].target_role",
            ),
            (
                |p| p.goals[0].target_rank = Some("x".repeat(MAX_TARGET_RANK + 1)),
                "goals[0].target_rank",
            ),
            (
                |p| p.goals[1].target_skills.push(target("networking.dns", 2)),
                "goals[1].target_skills[2].skill",
            ),
            (
                |p| {
                    p.goals[0].target_skills = (0..=MAX_TARGET_SKILLS)
                        .map(|i| target(&format!("s.k{i}"), 3))
                        .collect()
                },
                "goals[0].target_skills",
            ),
            (
                |p| p.goals[0].milestones[0].title = String::new(),
                "goals[0].milestones[0].title",
            ),
            (
                |p| {
                    p.goals[0]
                        .milestones
                        .push(milestone("RUN A KEY ROLLOVER", MilestoneStatus::Done))
                },
                "goals[0].milestones[1].title",
            ),
            (
                |p| {
                    p.goals[0].milestones = (0..=MAX_MILESTONES)
                        .map(|i| milestone(&format!("m{i}"), MilestoneStatus::Planned))
                        .collect()
                },
                "goals[0].milestones",
            ),
        ];
        for (break_it, field) in cases {
            let mut p = plan();
            break_it(&mut p);
            match p.normalize() {
                Err(CoreError::Invalid { field: got, .. }) => assert_eq!(got, field),
                other => panic!("{field}: {other:?}"),
            }
        }
    }

    #[test]
    fn limits_are_inclusive() {
        let mut p = CareerPlan {
            goals: (0..MAX_GOALS).map(|i| goal(&format!("g{i}"))).collect(),
        };
        p.goals[0].target_skills = (0..MAX_TARGET_SKILLS)
            .map(|i| target(&format!("s.k{i}"), 3))
            .collect();
        p.goals[0].milestones = (0..MAX_MILESTONES)
            .map(|i| milestone(&format!("m{i}"), MilestoneStatus::Planned))
            .collect();
        assert!(p.normalize().is_ok());
    }

    #[test]
    fn the_same_skill_may_be_aimed_at_by_two_goals() {
        // Both goals of `plan()` aim at networking.dns and security.pki.
        let p = plan().normalize().unwrap();
        assert_eq!(
            p.plan_skills(),
            BTreeSet::from([key("networking.dns"), key("security.pki")])
        );
        assert!(CareerPlan::default().plan_skills().is_empty());
    }

    #[test]
    fn plans_refuse_bad_json() {
        let typo: Result<CareerPlan, _> =
            serde_json::from_str(r#"{"goals": [{"title": "x", "target_skils": []}]}"#);
        assert!(typo.is_err());
        let bad_status: Result<CareerPlan, _> = serde_json::from_str(
            r#"{"goals": [{"title": "x", "milestones": [{"title": "m", "status": "started"}]}]}"#,
        );
        assert!(bad_status.is_err());
        let good: CareerPlan = serde_json::from_str(
            r#"{"goals": [{"title": "x", "milestones": [{"title": "m", "due": "2027-03-01", "status": "in_progress"}]}]}"#,
        )
        .unwrap();
        let m = &good.goals[0].milestones[0];
        assert_eq!(m.status, MilestoneStatus::InProgress);
        assert_eq!(m.due, NaiveDate::from_ymd_opt(2027, 3, 1));
        for status in MilestoneStatus::ALL {
            assert_eq!(MilestoneStatus::parse(status.as_str()), Ok(status));
        }
    }

    #[test]
    fn equal_plans_have_no_changes() {
        let p = plan().normalize().unwrap();
        assert!(diff(&p, &p).is_empty());
        assert!(!changes_skills(&p, &p));
    }

    #[test]
    fn diff_names_each_kind_of_change() {
        let old = plan().normalize().unwrap();
        let mut new = old.clone();
        new.goals.remove(1);
        new.goals.push(PlanGoal {
            target_skills: vec![],
            ..goal("Lead the on-call rotation")
        });
        let dns = &mut new.goals[0];
        dns.target_role = None;
        dns.target_rank = Some("principal".into());
        dns.target_skills = vec![target("networking.dns", 6), target("networking.routing", 3)];
        dns.milestones[0].status = MilestoneStatus::InProgress;
        dns.milestones[0].due = NaiveDate::from_ymd_opt(2027, 1, 31);
        dns.milestones
            .push(milestone("Write the runbook", MilestoneStatus::Planned));
        let new = new.normalize().unwrap();

        let described: Vec<String> = diff(&old, &new).iter().map(PlanChange::describe).collect();
        assert_eq!(
            described,
            [
                r#"Goal "Speak at a conference" removed."#,
                r#"Goal "Own the DNS platform": target role changed from Staff engineer to none."#,
                r#"Goal "Own the DNS platform": target rank changed from none to principal."#,
                r#"Goal "Own the DNS platform": no longer aims at security.pki."#,
                r#"Goal "Own the DNS platform": networking.dns aimed at level 6 instead of 5."#,
                r#"Goal "Own the DNS platform": now aims at networking.routing level 3."#,
                r#"Goal "Own the DNS platform": milestone "Run a key rollover" went from planned to in progress."#,
                r#"Goal "Own the DNS platform": milestone "Run a key rollover" due 2027-01-31 instead of none."#,
                r#"Goal "Own the DNS platform": milestone "Write the runbook" added."#,
                r#"Goal "Lead the on-call rotation" added."#,
            ]
        );
        let back: Vec<String> = diff(&new, &old).iter().map(PlanChange::describe).collect();
        assert!(back.contains(
            &r#"Goal "Own the DNS platform": milestone "Write the runbook" removed."#.to_owned()
        ));
        assert!(changes_skills(&old, &new));
    }

    #[test]
    fn changes_are_structured_for_the_api() {
        let old = plan().normalize().unwrap();
        let mut new = old.clone();
        new.goals[0].milestones[0].status = MilestoneStatus::Done;
        let changes = diff(&old, &new);
        assert_eq!(
            serde_json::to_value(&changes).unwrap(),
            serde_json::json!([{
                "change": "milestone_status_changed",
                "goal": "Own the DNS platform",
                "milestone": "Run a key rollover",
                "from": "planned",
                "to": "done",
            }])
        );
    }

    #[test]
    fn only_a_different_set_of_skills_changes_the_skills() {
        let old = plan().normalize().unwrap();
        let mut levels = old.clone();
        levels.goals[0].target_skills[0].level = SkillLevel::MAX;
        levels.goals[0].milestones.clear();
        levels.goals[1].target_role = None;
        assert!(!changes_skills(&old, &levels));
        // One goal drops a skill the other still aims at: the plan's skills
        // are the same.
        let mut one_goal_less = old.clone();
        one_goal_less.goals[1].target_skills.clear();
        assert!(!changes_skills(&old, &one_goal_less));
        let mut renamed = old.clone();
        renamed.goals[0].title = "Run DNS".into();
        assert!(!changes_skills(&old, &renamed));
        let kinds: Vec<_> = diff(&old, &renamed)
            .iter()
            .map(PlanChange::describe)
            .collect();
        assert_eq!(
            kinds,
            [
                r#"Goal "Own the DNS platform" removed."#,
                r#"Goal "Run DNS" added."#
            ]
        );
    }
}
