//! Growth and drift, computed from completed skill reviews.
//!
//! [`timeline`] lays a member's reviews out per skill. [`drift`] says
//! whether recent growth has gone to skills outside the career plan while
//! the plan's own skills stalled.
//!
//! # The drift rule
//!
//! 1. Only reviews completed strictly after the plan last changed its set
//!    of skills count (see `plan::changes_skills`): earlier ones are
//!    evidence about an older goal. Of those, the window is the newest
//!    [`WINDOW`], in time order.
//! 2. No plan skills: [`DriftOutcome::NoPlan`]. Fewer than [`WINDOW`]
//!    reviews count: [`DriftOutcome::NotEnoughReviews`].
//! 3. A skill's *rise* is its level in the newest review of the window
//!    that rates it minus its level in the oldest one that does. The
//!    mentor's ratings are used when at least two reviews of the window
//!    carry one, else the self ratings when at least two carry one; else
//!    the skill is not measured and its rise is 0.
//! 4. The plan *stalls* when the rises of all plan skills add up to at most
//!    [`PLAN_STALL_MAX_RISE`] (0): no net growth in what the plan aims at.
//! 5. Off the plan, only skills that rose count: their rises add up to the
//!    off-plan growth (a skill that fell does not cancel one that rose).
//! 6. Drift holds when the plan stalls and the off-plan growth is at least
//!    [`MIN_OFF_PLAN_RISE`] (2 levels); otherwise [`DriftOutcome::NoDrift`].

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::mentorship::Party;
use crate::plan::{CareerPlan, changes_skills};
use crate::review::ReviewPart;
use crate::skill::{SkillKey, SkillLevel};

/// How many of the most recent completed reviews drift looks at.
pub const WINDOW: usize = 3;
/// The plan stalls when its skills rose by at most this many levels in total.
pub const PLAN_STALL_MAX_RISE: i32 = 0;
/// Drift needs skills outside the plan to have risen by at least this many
/// levels in total.
pub const MIN_OFF_PLAN_RISE: i32 = 2;

/// One skill in a completed review: how the mentee rated it and how the
/// mentor did (either may have left it out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PointRating {
    pub skill: SkillKey,
    #[serde(default)]
    pub self_rating: Option<SkillLevel>,
    #[serde(default)]
    pub mentor_rating: Option<SkillLevel>,
}

/// A completed review, as growth sees it: when it was completed and the
/// ratings of both parts, one entry per skill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewPoint {
    pub at: DateTime<Utc>,
    pub ratings: Vec<PointRating>,
}

impl ReviewPoint {
    /// The point of a review completed at `at` with these two parts: every
    /// skill either part rates, in key order.
    pub fn from_parts(at: DateTime<Utc>, mentee: &ReviewPart, mentor: &ReviewPart) -> Self {
        let mut by_skill: BTreeMap<&SkillKey, PointRating> = BTreeMap::new();
        for (part, party) in [(mentee, Party::Mentee), (mentor, Party::Mentor)] {
            for rating in &part.ratings {
                let entry = by_skill
                    .entry(&rating.skill)
                    .or_insert_with(|| PointRating {
                        skill: rating.skill.clone(),
                        self_rating: None,
                        mentor_rating: None,
                    });
                match party {
                    Party::Mentee => entry.self_rating = Some(rating.rating),
                    Party::Mentor => entry.mentor_rating = Some(rating.rating),
                }
            }
        }
        Self {
            at,
            ratings: by_skill.into_values().collect(),
        }
    }

    /// `by`'s rating of `skill` here (the mentee's is the self rating); the
    /// first entry for the skill that has one.
    fn rating(&self, skill: &SkillKey, by: Party) -> Option<SkillLevel> {
        self.ratings
            .iter()
            .filter(|r| &r.skill == skill)
            .find_map(|r| match by {
                Party::Mentee => r.self_rating,
                Party::Mentor => r.mentor_rating,
            })
    }
}

/// A skill's ratings in one review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GrowthPoint {
    pub at: DateTime<Utc>,
    pub self_rating: Option<SkillLevel>,
    pub mentor_rating: Option<SkillLevel>,
}

/// One skill's ratings over time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SkillGrowth {
    pub skill: SkillKey,
    /// Oldest first.
    pub points: Vec<GrowthPoint>,
}

/// The reviews laid out per skill: skills in key order, each with its
/// ratings oldest first (reviews completed at the same instant keep their
/// order in `points`). Entries with neither rating are left out.
pub fn timeline(points: &[ReviewPoint]) -> Vec<SkillGrowth> {
    let mut by_skill: BTreeMap<&SkillKey, Vec<GrowthPoint>> = BTreeMap::new();
    for point in in_time_order(points.iter()) {
        for rating in &point.ratings {
            if rating.self_rating.is_none() && rating.mentor_rating.is_none() {
                continue;
            }
            by_skill
                .entry(&rating.skill)
                .or_default()
                .push(GrowthPoint {
                    at: point.at,
                    self_rating: rating.self_rating,
                    mentor_rating: rating.mentor_rating,
                });
        }
    }
    by_skill
        .into_iter()
        .map(|(skill, points)| SkillGrowth {
            skill: skill.clone(),
            points,
        })
        .collect()
}

fn in_time_order<'a>(points: impl Iterator<Item = &'a ReviewPoint>) -> Vec<&'a ReviewPoint> {
    let mut sorted: Vec<_> = points.collect();
    sorted.sort_by_key(|p| p.at);
    sorted
}

/// The two ratings a rise was measured between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Measurement {
    /// Whose ratings: the mentor's, or the mentee's own.
    pub rated_by: Party,
    pub from: SkillLevel,
    pub to: SkillLevel,
}

/// How far one skill rose over the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SkillRise {
    pub skill: SkillKey,
    /// Levels gained (negative: lost); 0 when not measured.
    pub rise: i8,
    /// `None` when no two reviews of the window rate the skill alike.
    pub measured: Option<Measurement>,
}

impl SkillRise {
    fn measure(window: &[&ReviewPoint], skill: &SkillKey) -> Self {
        let measured = [Party::Mentor, Party::Mentee].into_iter().find_map(|by| {
            let mut levels = window.iter().filter_map(|p| p.rating(skill, by));
            let from = levels.next()?;
            let to = levels.next_back()?;
            Some(Measurement {
                rated_by: by,
                from,
                to,
            })
        });
        let rise = measured.map_or(0, |m| {
            // Levels are 1 to 7: the difference is within -6..=6.
            i8::try_from(i16::from(m.to.get()) - i16::from(m.from.get())).unwrap_or(0)
        });
        Self {
            skill: skill.clone(),
            rise,
            measured,
        }
    }

    /// "rose 2 levels", "did not rise", "fell 1 level", "was not rated twice".
    fn phrase(&self) -> String {
        let levels = |n: i8| {
            let n = n.unsigned_abs();
            if n == 1 {
                "1 level".to_owned()
            } else {
                format!("{n} levels")
            }
        };
        match (self.measured, self.rise) {
            (None, _) => format!("{} was not rated twice", self.skill),
            (Some(_), 0) => format!("{} did not rise", self.skill),
            (Some(_), n) if n > 0 => format!("{} rose {}", self.skill, levels(n)),
            (Some(_), n) => format!("{} fell {}", self.skill, levels(n)),
        }
    }
}

/// The evidence that growth has drifted away from the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DriftInsight {
    /// Every skill the plan aims at, in key order, with its rise.
    pub plan_skills: Vec<SkillRise>,
    /// The skills outside the plan that rose, most first (then by key).
    pub off_plan_rises: Vec<SkillRise>,
    /// The plan skills' rises added up (at most 0).
    pub plan_rise: i32,
    /// The off-plan rises added up (at least 2).
    pub off_plan_rise: i32,
    /// How many reviews the evidence comes from.
    pub reviews: usize,
    /// When the oldest of them was completed.
    pub from: DateTime<Utc>,
    /// When the newest of them was completed.
    pub to: DateTime<Utc>,
    /// The evidence in one sentence.
    pub summary: String,
    /// A question to bring to the next session.
    pub question: String,
}

/// What [`drift`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DriftOutcome {
    Drift(DriftInsight),
    NoDrift,
    /// Too few reviews since the plan last changed its skills.
    NotEnoughReviews {
        have: usize,
        need: usize,
    },
    /// The plan aims at no skill, so nothing can drift from it.
    NoPlan,
}

/// A member's growth as they and their current mentors see it: every
/// skill's levels over time and whether recent growth left the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Growth {
    /// Completed reviews the timeline is drawn from.
    pub reviews: usize,
    /// Each skill's levels review by review (self and mentor).
    pub skills: Vec<SkillGrowth>,
    /// The skills the current plan aims at.
    pub plan_skills: Vec<SkillKey>,
    /// Whether recent growth went elsewhere than the plan.
    pub drift: DriftOutcome,
}

/// The growth of a member with these completed reviews and this plan
/// history (every version with when it was kept, oldest first): the
/// current plan is the last version, and reviews from before its skills
/// last changed do not count towards drift.
pub fn of<'p>(
    points: &[ReviewPoint],
    plan_history: impl IntoIterator<Item = (DateTime<Utc>, &'p CareerPlan)>,
) -> Growth {
    let empty = CareerPlan::default();
    let mut current = &empty;
    let mut changed_at = None;
    for (at, plan) in plan_history {
        if changes_skills(current, plan) {
            changed_at = Some(at);
        }
        current = plan;
    }
    let plan_skills = current.plan_skills();
    Growth {
        reviews: points.len(),
        skills: timeline(points),
        drift: drift(points, &plan_skills, changed_at),
        plan_skills: plan_skills.into_iter().collect(),
    }
}

/// Whether growth over the recent reviews drifted away from the plan (the
/// rule is in the module documentation). `points` are completed reviews in
/// any order; `plan_skills` what the plan aims at (`CareerPlan::plan_skills`);
/// `plan_changed_at` when that set of skills last changed, if ever.
pub fn drift(
    points: &[ReviewPoint],
    plan_skills: &BTreeSet<SkillKey>,
    plan_changed_at: Option<DateTime<Utc>>,
) -> DriftOutcome {
    if plan_skills.is_empty() {
        return DriftOutcome::NoPlan;
    }
    let counted = in_time_order(
        points
            .iter()
            .filter(|p| plan_changed_at.is_none_or(|changed| p.at > changed)),
    );
    if counted.len() < WINDOW {
        return DriftOutcome::NotEnoughReviews {
            have: counted.len(),
            need: WINDOW,
        };
    }
    let window = &counted[counted.len() - WINDOW..];
    let (Some(first), Some(last)) = (window.first(), window.last()) else {
        return DriftOutcome::NotEnoughReviews {
            have: counted.len(),
            need: WINDOW,
        };
    };

    let plan: Vec<SkillRise> = plan_skills
        .iter()
        .map(|skill| SkillRise::measure(window, skill))
        .collect();
    let plan_rise: i32 = plan.iter().map(|r| i32::from(r.rise)).sum();

    let rated: BTreeSet<&SkillKey> = window
        .iter()
        .flat_map(|p| p.ratings.iter().map(|r| &r.skill))
        .filter(|skill| !plan_skills.contains(*skill))
        .collect();
    let mut off_plan: Vec<SkillRise> = rated
        .into_iter()
        .map(|skill| SkillRise::measure(window, skill))
        .filter(|r| r.rise > 0)
        .collect();
    off_plan.sort_by(|a, b| b.rise.cmp(&a.rise).then_with(|| a.skill.cmp(&b.skill)));
    let off_plan_rise: i32 = off_plan.iter().map(|r| i32::from(r.rise)).sum();

    if plan_rise > PLAN_STALL_MAX_RISE || off_plan_rise < MIN_OFF_PLAN_RISE {
        return DriftOutcome::NoDrift;
    }
    let summary = format!(
        "You aim at {}; over the last {} reviews {}, while {}.",
        list(plan.iter().map(|r| r.skill.to_string()).collect()),
        window.len(),
        list(off_plan.iter().map(SkillRise::phrase).collect()),
        list(plan.iter().map(SkillRise::phrase).collect()),
    );
    let pulled_to = off_plan
        .first()
        .map_or_else(String::new, |r| r.skill.to_string());
    let question = format!(
        "Your growth has gone to {pulled_to} rather than to your plan: is the plan still \
         where you want to go, or has the work taken you somewhere you would rather follow?"
    );
    DriftOutcome::Drift(DriftInsight {
        plan_skills: plan,
        off_plan_rises: off_plan,
        plan_rise,
        off_plan_rise,
        reviews: window.len(),
        from: first.at,
        to: last.at,
        summary,
        question,
    })
}

/// "a", "a and b", "a, b and c"; past five, "a, b, c, d, e and 3 more".
fn list(mut items: Vec<String>) -> String {
    const SHOWN: usize = 5;
    if items.len() > SHOWN {
        let more = items.len() - SHOWN;
        items.truncate(SHOWN);
        items.push(format!("{more} more"));
    }
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::SkillRating;

    const DNS: &str = "networking.dns";
    const PG: &str = "databases.postgresql";
    const PKI: &str = "security.pki";
    const K8S: &str = "cloud.kubernetes";

    fn key(raw: &str) -> SkillKey {
        SkillKey::parse(raw).unwrap()
    }

    fn level(n: u8) -> SkillLevel {
        SkillLevel::new(n).unwrap()
    }

    fn day(n: u32) -> DateTime<Utc> {
        use chrono::TimeZone;
        Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap() + chrono::Duration::days(i64::from(n))
    }

    /// A review on `day` with mentor ratings only.
    fn mentor(on: u32, ratings: &[(&str, u8)]) -> ReviewPoint {
        ReviewPoint {
            at: day(on),
            ratings: ratings
                .iter()
                .map(|&(skill, n)| PointRating {
                    skill: key(skill),
                    self_rating: None,
                    mentor_rating: Some(level(n)),
                })
                .collect(),
        }
    }

    fn plan(skills: &[&str]) -> BTreeSet<SkillKey> {
        skills.iter().map(|s| key(s)).collect()
    }

    fn insight(outcome: DriftOutcome) -> DriftInsight {
        match outcome {
            DriftOutcome::Drift(insight) => insight,
            other => panic!("no drift: {other:?}"),
        }
    }

    /// Three quarterly reviews: DNS (the plan) flat, PostgreSQL up two.
    fn drifting() -> Vec<ReviewPoint> {
        vec![
            mentor(0, &[(DNS, 3), (PG, 2)]),
            mentor(90, &[(DNS, 3), (PG, 3)]),
            mentor(180, &[(DNS, 3), (PG, 4)]),
        ]
    }

    fn career_plan(skills: &[&str]) -> CareerPlan {
        let targets: Vec<_> = skills
            .iter()
            .map(|s| serde_json::json!({"skill": s, "level": 5}))
            .collect();
        serde_json::from_value(serde_json::json!({
            "goals": [{"title": "Grow", "target_skills": targets}]
        }))
        .unwrap()
    }

    #[test]
    fn growth_counts_drift_from_the_last_change_of_the_plan_skills() {
        let (dns, pg) = (career_plan(&[DNS]), career_plan(&[PG]));
        let mut renamed = dns.clone();
        renamed.goals[0].title = "Grow further".into();
        let points = drifting();
        // The plan aims at DNS from before the reviews; a retitled goal
        // is no change of skills.
        let history = [
            (day(0) - chrono::Duration::days(1), &dns),
            (day(100), &renamed),
        ];
        let found = of(&points, history);
        assert_eq!(found.reviews, 3);
        assert_eq!(found.plan_skills, [key(DNS)]);
        assert_eq!(found.skills.len(), 2);
        assert!(
            matches!(found.drift, DriftOutcome::Drift(_)),
            "{:?}",
            found.drift
        );
        // Aiming at PostgreSQL from day 100 leaves one review to count.
        let history = [(day(0) - chrono::Duration::days(1), &dns), (day(100), &pg)];
        assert_eq!(
            of(&points, history).drift,
            DriftOutcome::NotEnoughReviews {
                have: 1,
                need: WINDOW
            }
        );
        assert_eq!(of(&points, []).drift, DriftOutcome::NoPlan);
    }

    #[test]
    fn growth_off_the_plan_while_the_plan_stalls_is_drift() {
        let found = insight(drift(&drifting(), &plan(&[DNS]), None));
        assert_eq!(
            found.summary,
            "You aim at networking.dns; over the last 3 reviews databases.postgresql rose \
             2 levels, while networking.dns did not rise."
        );
        assert!(found.question.contains(PG), "{}", found.question);
        assert_eq!((found.plan_rise, found.off_plan_rise), (0, 2));
        assert_eq!((found.reviews, found.from, found.to), (3, day(0), day(180)));
        assert_eq!(
            found.plan_skills,
            [SkillRise {
                skill: key(DNS),
                rise: 0,
                measured: Some(Measurement {
                    rated_by: Party::Mentor,
                    from: level(3),
                    to: level(3)
                }),
            }]
        );
        assert_eq!(found.off_plan_rises.len(), 1);
        assert_eq!(found.off_plan_rises[0].skill, key(PG));
        assert_eq!(found.off_plan_rises[0].rise, 2);
    }

    #[test]
    fn growth_in_the_plan_is_not_drift_even_with_growth_elsewhere() {
        let points = vec![
            mentor(0, &[(DNS, 3), (PG, 2)]),
            mentor(90, &[(DNS, 3), (PG, 3)]),
            mentor(180, &[(DNS, 4), (PG, 4)]),
        ];
        assert_eq!(drift(&points, &plan(&[DNS]), None), DriftOutcome::NoDrift);
    }

    #[test]
    fn stalling_everywhere_is_not_drift() {
        let points = vec![
            mentor(0, &[(DNS, 3), (PG, 2)]),
            mentor(90, &[(DNS, 3), (PG, 2)]),
            mentor(180, &[(DNS, 3), (PG, 3)]),
        ];
        assert_eq!(drift(&points, &plan(&[DNS]), None), DriftOutcome::NoDrift);
    }

    #[test]
    fn off_plan_growth_adds_up_across_skills_and_falls_do_not_cancel_it() {
        let spread = vec![
            mentor(0, &[(DNS, 3), (PG, 2), (K8S, 2), (PKI, 5)]),
            mentor(90, &[(DNS, 3)]),
            mentor(180, &[(DNS, 3), (PG, 3), (K8S, 3), (PKI, 2)]),
        ];
        let found = insight(drift(&spread, &plan(&[DNS]), None));
        assert_eq!(found.off_plan_rise, 2);
        let rose: Vec<_> = found
            .off_plan_rises
            .iter()
            .map(|r| r.skill.as_str())
            .collect();
        assert_eq!(rose, [K8S, PG], "ties in key order; the fall is not listed");
        assert!(
            found
                .summary
                .contains("cloud.kubernetes rose 1 level and databases.postgresql rose 1 level")
        );
    }

    #[test]
    fn plan_skills_are_stalled_by_their_net_rise() {
        // DNS up one, PKI down one: no net growth in the plan.
        let points = vec![
            mentor(0, &[(DNS, 3), (PKI, 4), (PG, 2)]),
            mentor(90, &[(DNS, 4), (PKI, 3), (PG, 3)]),
            mentor(180, &[(DNS, 4), (PKI, 3), (PG, 4)]),
        ];
        let found = insight(drift(&points, &plan(&[DNS, PKI]), None));
        assert_eq!(found.plan_rise, 0);
        assert!(
            found
                .summary
                .ends_with("while networking.dns rose 1 level and security.pki fell 1 level."),
            "{}",
            found.summary
        );
        // One more level in DNS and the plan is growing.
        let mut growing = points;
        growing[2].ratings[0].mentor_rating = Some(level(5));
        assert_eq!(
            drift(&growing, &plan(&[DNS, PKI]), None),
            DriftOutcome::NoDrift
        );
    }

    #[test]
    fn one_level_off_the_plan_is_not_enough() {
        let points = vec![
            mentor(0, &[(DNS, 3), (PG, 2)]),
            mentor(90, &[(DNS, 2), (PG, 2)]),
            mentor(180, &[(DNS, 2), (PG, 3)]),
        ];
        assert_eq!(drift(&points, &plan(&[DNS]), None), DriftOutcome::NoDrift);
    }

    #[test]
    fn a_plan_skill_nobody_rates_counts_as_stalled() {
        let found = insight(drift(&drifting(), &plan(&[PKI]), None));
        assert_eq!(found.plan_skills[0].measured, None);
        assert_eq!(found.plan_skills[0].rise, 0);
        // DNS is off the plan now, and did not rise: only PostgreSQL is listed.
        assert_eq!(found.off_plan_rises.len(), 1);
        assert!(
            found
                .summary
                .ends_with("while security.pki was not rated twice.")
        );
    }

    #[test]
    fn the_mentor_rating_wins_when_two_reviews_have_it() {
        let rated = |on, skill: &str, own: Option<u8>, theirs: Option<u8>| ReviewPoint {
            at: day(on),
            ratings: vec![PointRating {
                skill: key(skill),
                self_rating: own.map(level),
                mentor_rating: theirs.map(level),
            }],
        };
        let window = [
            rated(0, PG, Some(1), Some(2)),
            rated(1, PG, Some(6), None),
            rated(2, PG, Some(2), Some(4)),
        ];
        let window: Vec<_> = window.iter().collect();
        let rise = SkillRise::measure(&window, &key(PG));
        assert_eq!(rise.rise, 2);
        assert_eq!(rise.measured.map(|m| m.rated_by), Some(Party::Mentor));

        // The mentor rated it once only: the self ratings are compared.
        let window = [
            rated(0, PG, Some(2), Some(5)),
            rated(1, PG, Some(3), None),
            rated(2, PG, Some(5), None),
        ];
        let window: Vec<_> = window.iter().collect();
        let rise = SkillRise::measure(&window, &key(PG));
        assert_eq!(rise.rise, 3);
        assert_eq!(
            rise.measured,
            Some(Measurement {
                rated_by: Party::Mentee,
                from: level(2),
                to: level(5)
            })
        );

        // Rated once in all: not measured.
        let window = [rated(0, PG, Some(2), Some(5))];
        let window: Vec<_> = window.iter().collect();
        assert_eq!(SkillRise::measure(&window, &key(PG)).measured, None);
    }

    #[test]
    fn a_changed_goal_resets_the_evidence() {
        let changed = day(200);
        let mut points = drifting();
        points.push(mentor(270, &[(DNS, 3), (PG, 5)]));
        points.push(mentor(360, &[(DNS, 3), (PG, 6)]));
        // Without the change, the last three reviews show drift…
        assert!(matches!(
            drift(&points, &plan(&[DNS]), None),
            DriftOutcome::Drift(_)
        ));
        // …but only two came after the plan changed its skills.
        assert_eq!(
            drift(&points, &plan(&[DNS]), Some(changed)),
            DriftOutcome::NotEnoughReviews { have: 2, need: 3 }
        );
        // A third after the change: judged on those three alone.
        points.push(mentor(450, &[(DNS, 3), (PG, 7)]));
        let found = insight(drift(&points, &plan(&[DNS]), Some(changed)));
        assert_eq!((found.from, found.to), (day(270), day(450)));
        assert_eq!(found.off_plan_rises[0].rise, 2);
        // A review completed at the very moment of the change is from before it.
        assert_eq!(
            drift(&points, &plan(&[DNS]), Some(day(270))),
            DriftOutcome::NotEnoughReviews { have: 2, need: 3 }
        );
    }

    #[test]
    fn a_new_goal_that_follows_the_growth_is_not_drift() {
        let mut points = drifting();
        // The member makes PostgreSQL the goal after the third review and
        // keeps growing in it.
        points.push(mentor(270, &[(DNS, 3), (PG, 4)]));
        points.push(mentor(360, &[(DNS, 3), (PG, 5)]));
        points.push(mentor(450, &[(DNS, 3), (PG, 5)]));
        assert_eq!(
            drift(&points, &plan(&[PG]), Some(day(200))),
            DriftOutcome::NoDrift
        );
    }

    #[test]
    fn only_the_last_reviews_count_in_any_order() {
        let mut points = vec![
            // Long ago PostgreSQL shot up; lately nothing moved.
            mentor(0, &[(DNS, 3), (PG, 1)]),
            mentor(30, &[(DNS, 3), (PG, 4)]),
            mentor(60, &[(DNS, 3), (PG, 4)]),
            mentor(90, &[(DNS, 3), (PG, 4)]),
        ];
        assert_eq!(drift(&points, &plan(&[DNS]), None), DriftOutcome::NoDrift);
        let mut shuffled = drifting();
        shuffled.reverse();
        assert!(matches!(
            drift(&shuffled, &plan(&[DNS]), None),
            DriftOutcome::Drift(_)
        ));
        // Given newest first, the window still runs from the oldest of the
        // last three.
        points.reverse();
        assert_eq!(drift(&points, &plan(&[DNS]), None), DriftOutcome::NoDrift);
        points[0] = mentor(90, &[(DNS, 3), (PG, 6)]);
        let found = insight(drift(&points, &plan(&[DNS]), None));
        assert_eq!((found.from, found.to), (day(30), day(90)));
    }

    #[test]
    fn too_few_reviews_and_no_plan_are_said_so() {
        let two = &drifting()[..2];
        assert_eq!(
            drift(two, &plan(&[DNS]), None),
            DriftOutcome::NotEnoughReviews {
                have: 2,
                need: WINDOW
            }
        );
        assert_eq!(
            drift(&[], &plan(&[DNS]), None),
            DriftOutcome::NotEnoughReviews {
                have: 0,
                need: WINDOW
            }
        );
        assert_eq!(
            drift(&drifting(), &BTreeSet::new(), None),
            DriftOutcome::NoPlan
        );
        assert_eq!(drift(&[], &BTreeSet::new(), None), DriftOutcome::NoPlan);
    }

    #[test]
    fn outcomes_are_tagged_in_json() {
        let json = serde_json::to_value(drift(&[], &plan(&[DNS]), None)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"outcome": "not_enough_reviews", "have": 0, "need": 3})
        );
        let json = serde_json::to_value(drift(&drifting(), &plan(&[DNS]), None)).unwrap();
        assert_eq!(json["outcome"], "drift");
        assert_eq!(json["off_plan_rises"][0]["measured"]["rated_by"], "mentor");
    }

    #[test]
    fn summaries_shorten_long_lists() {
        let items = |n: usize| (1..=n).map(|i| format!("s{i}")).collect::<Vec<_>>();
        assert_eq!(list(items(1)), "s1");
        assert_eq!(list(items(2)), "s1 and s2");
        assert_eq!(list(items(3)), "s1, s2 and s3");
        assert_eq!(list(items(8)), "s1, s2, s3, s4, s5 and 3 more");
    }

    #[test]
    fn the_timeline_goes_per_skill_then_by_time() {
        let points = vec![
            ReviewPoint {
                at: day(90),
                ratings: vec![
                    PointRating {
                        skill: key(PG),
                        self_rating: Some(level(3)),
                        mentor_rating: Some(level(2)),
                    },
                    PointRating {
                        skill: key(DNS),
                        self_rating: None,
                        mentor_rating: None,
                    },
                ],
            },
            mentor(0, &[(DNS, 3), (PG, 1)]),
        ];
        let growth = timeline(&points);
        let skills: Vec<_> = growth.iter().map(|g| g.skill.as_str()).collect();
        assert_eq!(skills, [PG, DNS]);
        let pg: Vec<_> = growth[0]
            .points
            .iter()
            .map(|p| (p.at, p.self_rating, p.mentor_rating))
            .collect();
        assert_eq!(
            pg,
            [
                (day(0), None, Some(level(1))),
                (day(90), Some(level(3)), Some(level(2)))
            ]
        );
        assert_eq!(growth[1].points.len(), 1, "the empty entry is left out");
        assert!(timeline(&[]).is_empty());
    }

    #[test]
    fn a_point_joins_both_parts_of_a_review() {
        let part = |ratings: &[(&str, u8)]| ReviewPart {
            ratings: ratings
                .iter()
                .map(|&(skill, n)| SkillRating {
                    skill: key(skill),
                    rating: level(n),
                    comment: String::new(),
                })
                .collect(),
        };
        let point =
            ReviewPoint::from_parts(day(0), &part(&[(PG, 3), (DNS, 2)]), &part(&[(DNS, 3)]));
        assert_eq!(
            point.ratings,
            [
                PointRating {
                    skill: key(PG),
                    self_rating: Some(level(3)),
                    mentor_rating: None
                },
                PointRating {
                    skill: key(DNS),
                    self_rating: Some(level(2)),
                    mentor_rating: Some(level(3))
                },
            ]
        );
        let bad: Result<ReviewPoint, _> = serde_json::from_str(
            r#"{"at": "2026-01-01T00:00:00Z", "ratings": [{"skill": "a.b", "self_rating": 9}]}"#,
        );
        assert!(bad.is_err());
    }
}
