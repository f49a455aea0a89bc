//! Wording shared by several pages: what a file entry says, what a plan
//! change was, in the reader's language.

use std::collections::HashMap;

use trellis_app::file::{EntryDetail, FileEntry};
use trellis_core::plan::PlanChange;
use trellis_core::skill::{SkillKey, SkillLevel};

use crate::i18n::ToArg;
use crate::render::Chrome;

/// A file entry in the reader's words.
pub fn file_entry(c: &Chrome, names: &HashMap<SkillKey, String>, e: &FileEntry) -> String {
    let l = c.lang;
    let with = e
        .with
        .as_ref()
        .map(trellis_app::views::PartyView::handle)
        .unwrap_or_default();
    match &e.detail {
        EntryDetail::Step { state } => l.with(
            "file-step",
            &[("name", with.into()), ("state", c.state(state).into())],
        ),
        EntryDetail::Session { minutes, topics } => l.with(
            "file-session",
            &[
                ("name", with.into()),
                ("minutes", minutes.to_arg()),
                (
                    "topics",
                    if topics.is_empty() {
                        String::new().into()
                    } else {
                        format!(": {}", topics.join(", ")).into()
                    },
                ),
            ],
        ),
        EntryDetail::Review { skills } => l.with(
            "file-review",
            &[("name", with.into()), ("skills", skills.to_arg())],
        ),
        EntryDetail::Plan { changes } => {
            l.with("file-plan", &[("changes", changes.len().to_arg())])
        }
        EntryDetail::Issued {
            kind,
            name,
            revoked,
        } => l.with(
            if *revoked {
                "file-issued-revoked"
            } else {
                "file-issued"
            },
            &[
                ("kind", c.t(&format!("credential-kind-{kind}")).into()),
                ("name", name.as_str().into()),
            ],
        ),
        EntryDetail::Endorsed { skill, by } => l.with(
            "file-endorsed",
            &[
                (
                    "skill",
                    names
                        .get(skill)
                        .cloned()
                        .unwrap_or_else(|| skill.to_string())
                        .into(),
                ),
                ("name", by.as_str().into()),
            ],
        ),
        EntryDetail::Brought { kind, name, origin } => l.with(
            "file-brought",
            &[
                ("kind", c.t(&format!("credential-kind-{kind}")).into()),
                ("name", name.as_str().into()),
                ("origin", origin.as_str().into()),
            ],
        ),
        EntryDetail::Unknown => e.summary.clone(),
    }
}

/// A plan change as a sentence in the reader's language.
pub fn plan_change(c: &Chrome, names: &HashMap<SkillKey, String>, change: &PlanChange) -> String {
    let skill = |k: &SkillKey| names.get(k).cloned().unwrap_or_else(|| k.to_string());
    let none = || c.t("plan-nothing");
    let level = |l: &SkillLevel| l.get().to_string();
    let l = c.lang;
    match change {
        PlanChange::GoalAdded { goal } => {
            l.with("change-goal-added", &[("goal", goal.as_str().into())])
        }
        PlanChange::GoalRemoved { goal } => {
            l.with("change-goal-removed", &[("goal", goal.as_str().into())])
        }
        PlanChange::TargetRoleChanged { goal, from, to } => l.with(
            "change-role",
            &[
                ("goal", goal.as_str().into()),
                ("from", from.clone().unwrap_or_else(none).into()),
                ("to", to.clone().unwrap_or_else(none).into()),
            ],
        ),
        PlanChange::TargetRankChanged { goal, from, to } => l.with(
            "change-rank",
            &[
                ("goal", goal.as_str().into()),
                ("from", from.clone().unwrap_or_else(none).into()),
                ("to", to.clone().unwrap_or_else(none).into()),
            ],
        ),
        PlanChange::TargetSkillAdded {
            goal,
            skill: k,
            level: lv,
        } => l.with(
            "change-skill-added",
            &[
                ("goal", goal.as_str().into()),
                ("skill", skill(k).into()),
                ("level", level(lv).into()),
            ],
        ),
        PlanChange::TargetSkillRemoved { goal, skill: k } => l.with(
            "change-skill-removed",
            &[("goal", goal.as_str().into()), ("skill", skill(k).into())],
        ),
        PlanChange::TargetLevelChanged {
            goal,
            skill: k,
            from,
            to,
        } => l.with(
            "change-level",
            &[
                ("goal", goal.as_str().into()),
                ("skill", skill(k).into()),
                ("from", level(from).into()),
                ("to", level(to).into()),
            ],
        ),
        other => {
            let text = serde_json::to_value(other)
                .ok()
                .and_then(|v| v.get("goal").and_then(|g| g.as_str().map(str::to_owned)))
                .unwrap_or_default();
            l.with("change-milestones", &[("goal", text.into())])
        }
    }
}
