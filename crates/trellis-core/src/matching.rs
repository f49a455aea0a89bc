//! Ranking mentors for a mentee: a score from 0 to 100, made of weighted
//! factors, each with the reason it scored as it did.
//!
//! Two things are required, not weighed: a shared language, and room left
//! (capacity). Then: how well the mentor covers the mentee's goal skills
//! above the mentee's own level, time-zone overlap, how loaded the mentor
//! already is, their track record, and (if the admin wants it) whether they
//! belong to the mentee's own organization. Scoring a candidate allocates
//! nothing; explanations are written only for the results shown.

use serde::{Deserialize, Serialize};

use crate::CoreError;
use crate::profile::{GoalTarget, LanguageTag, ProfileSkill};
use crate::skill::SkillKey;

/// How much each factor counts, as an admin sets it (0 turns one off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Weights {
    pub skills: u8,
    pub timezone: u8,
    pub load: u8,
    pub track_record: u8,
    pub organization: u8,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            skills: 50,
            timezone: 20,
            load: 15,
            track_record: 10,
            organization: 5,
        }
    }
}

impl Weights {
    pub const MAX: u8 = 100;

    pub fn check(&self) -> Result<(), CoreError> {
        let all = [
            self.skills,
            self.timezone,
            self.load,
            self.track_record,
            self.organization,
        ];
        if all.iter().any(|w| *w > Self::MAX) {
            return Err(CoreError::invalid(
                "weights",
                "each weight must be 0 to 100",
            ));
        }
        if all.iter().all(|w| *w == 0) {
            return Err(CoreError::invalid(
                "weights",
                "at least one weight must be above 0",
            ));
        }
        Ok(())
    }

    fn total(&self) -> u32 {
        [
            self.skills,
            self.timezone,
            self.load,
            self.track_record,
            self.organization,
        ]
        .iter()
        .map(|w| u32::from(*w))
        .sum()
    }
}

/// The mentee, as matching sees them.
#[derive(Debug, Clone, Copy)]
pub struct Seeker<'a> {
    pub targets: &'a [GoalTarget],
    /// Their own skills (their current levels).
    pub skills: &'a [ProfileSkill],
    pub languages: &'a [LanguageTag],
    /// Minutes east of UTC now, if their time zone is known.
    pub utc_offset: Option<i32>,
}

/// A mentor, as matching sees them.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub skills: &'a [ProfileSkill],
    pub languages: &'a [LanguageTag],
    pub utc_offset: Option<i32>,
    pub capacity: u16,
    /// Mentorships that hold a place (active or paused).
    pub active: u16,
    /// Requests waiting for an answer.
    pub pending: u16,
    /// Mentorships completed, ever.
    pub completed: u32,
    /// A member of the mentee's own organization.
    pub same_organization: bool,
}

/// Why a candidate is not ranked at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Excluded {
    NoSharedLanguage,
    NoRoomLeft,
}

/// The factors a score is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Factor {
    Skills,
    Timezone,
    Load,
    TrackRecord,
    Organization,
}

/// A factor's part in a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FactorScore {
    pub factor: Factor,
    pub weight: u8,
    /// How well the candidate does on this factor, 0 to 1.
    pub value: f32,
    /// Points this factor adds to the score (weight share × value).
    pub points: f32,
    pub explanation: String,
    /// What the explanation says, as figures, for front doors that word
    /// it in the reader's language.
    #[serde(skip, default = "FactorDetail::unknown")]
    pub detail: FactorDetail,
}

/// The figures behind a factor's explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactorDetail {
    /// Goal skills the mentor covers at or above the target (`full` of
    /// `all`), and how far overall, in percent.
    Skills {
        full: u16,
        all: u16,
        percent: u8,
    },
    /// Hours between the two time zones, when both are known.
    Timezone {
        hours_apart: Option<u8>,
    },
    /// Places free of the mentor's capacity, and what takes the others.
    Load {
        free: u16,
        capacity: u16,
        active: u16,
        pending: u16,
    },
    TrackRecord {
        completed: u32,
    },
    Organization {
        same: bool,
    },
    /// Read back from JSON, where the figures are not kept.
    Unknown,
}

impl FactorDetail {
    fn unknown() -> Self {
        Self::Unknown
    }
}

/// The factors' raw values for one candidate (no text, no allocation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Values {
    pub skills: f32,
    pub timezone: f32,
    pub load: f32,
    pub track_record: f32,
    pub organization: f32,
    /// Goal targets the mentor covers fully, and in all.
    covered: (u16, u16),
    hours_apart: Option<u8>,
}

/// Completed mentorships at which the track record counts in full.
const PROVEN: u32 = 5;

fn level_of(skills: &[ProfileSkill], key: &SkillKey) -> u8 {
    skills
        .iter()
        .find(|s| s.skill == *key)
        .map_or(0, |s| s.level.get())
}

fn share_a_language(a: &[LanguageTag], b: &[LanguageTag]) -> bool {
    a.iter()
        .any(|x| b.iter().any(|y| x.primary() == y.primary()))
}

/// The factors' values, or why the candidate is excluded.
pub fn values(seeker: &Seeker<'_>, candidate: &Candidate<'_>) -> Result<Values, Excluded> {
    values_given(
        seeker,
        candidate,
        share_a_language(seeker.languages, candidate.languages),
        |i| {
            seeker.targets.get(i).map_or((0, 0), |target| {
                (
                    level_of(seeker.skills, &target.skill),
                    level_of(candidate.skills, &target.skill),
                )
            })
        },
    )
}

/// [`values`], for a caller that has worked out beforehand whether the two
/// share a language and, for the seeker's goal target `i`, the seeker's
/// own level and the candidate's (`levels(i)`, 0 for none): an index of
/// many candidates does this for all of them at once. `candidate`'s skills
/// and languages are not read.
pub fn values_given(
    seeker: &Seeker<'_>,
    candidate: &Candidate<'_>,
    shares_language: bool,
    levels: impl Fn(usize) -> (u8, u8),
) -> Result<Values, Excluded> {
    if !shares_language {
        return Err(Excluded::NoSharedLanguage);
    }
    let taken = candidate.active.saturating_add(candidate.pending);
    if candidate.active >= candidate.capacity {
        return Err(Excluded::NoRoomLeft);
    }
    // Skills: for each goal target, how much of the way from the mentee's
    // level to the target the mentor's level reaches.
    let mut sum = 0.0f32;
    let mut full = 0u16;
    for (i, target) in seeker.targets.iter().enumerate() {
        let (own, theirs) = levels(i);
        let goal = target.level.get().max(own + 1);
        if theirs > own {
            let reach = f32::from(theirs - own) / f32::from(goal - own);
            if reach >= 1.0 {
                full += 1;
            }
            sum += reach.min(1.0);
        }
    }
    let count = u16::try_from(seeker.targets.len()).unwrap_or(u16::MAX);
    let skills = if seeker.targets.is_empty() {
        0.5
    } else {
        sum / f32::from(count)
    };
    let hours_apart = seeker.utc_offset.zip(candidate.utc_offset).map(|(a, b)| {
        let minutes = (a - b).rem_euclid(24 * 60);
        let apart = minutes.min(24 * 60 - minutes);
        u8::try_from((apart + 30) / 60).unwrap_or(12)
    });
    let timezone = hours_apart.map_or(0.5, |h| 1.0 - f32::from(h) / 12.0);
    // Load: the share of places neither held nor asked for. Mentors with
    // many waiting requests rank lower, so popular mentors are not flooded.
    let load = f32::from(candidate.capacity.saturating_sub(taken)) / f32::from(candidate.capacity);
    let track_record = candidate.completed.min(PROVEN) as f32 / PROVEN as f32;
    let organization = if candidate.same_organization {
        1.0
    } else {
        0.0
    };
    Ok(Values {
        skills,
        timezone,
        load,
        track_record,
        organization,
        covered: (full, count),
        hours_apart,
    })
}

impl Values {
    fn weighted(&self, weights: &Weights) -> [(Factor, u8, f32); 5] {
        [
            (Factor::Skills, weights.skills, self.skills),
            (Factor::Timezone, weights.timezone, self.timezone),
            (Factor::Load, weights.load, self.load),
            (Factor::TrackRecord, weights.track_record, self.track_record),
            (
                Factor::Organization,
                weights.organization,
                self.organization,
            ),
        ]
    }

    /// The score, 0 to 100.
    pub fn score(&self, weights: &Weights) -> u8 {
        let total = weights.total().max(1) as f32;
        let sum: f32 = self
            .weighted(weights)
            .iter()
            .map(|(_, w, v)| f32::from(*w) * v)
            .sum();
        (100.0 * sum / total).round().clamp(0.0, 100.0) as u8
    }

    /// Each factor with its points and the reason, in words.
    pub fn explain(&self, weights: &Weights, candidate: &Candidate<'_>) -> Vec<FactorScore> {
        let total = weights.total().max(1) as f32;
        self.weighted(weights)
            .into_iter()
            .map(|(factor, weight, value)| FactorScore {
                factor,
                weight,
                value,
                points: 100.0 * f32::from(weight) * value / total,
                explanation: self.reason(factor, candidate),
                detail: self.detail(factor, candidate),
            })
            .collect()
    }

    fn detail(&self, factor: Factor, candidate: &Candidate<'_>) -> FactorDetail {
        match factor {
            Factor::Skills => FactorDetail::Skills {
                full: self.covered.0,
                all: self.covered.1,
                percent: (self.skills * 100.0).round().clamp(0.0, 100.0) as u8,
            },
            Factor::Timezone => FactorDetail::Timezone {
                hours_apart: self.hours_apart,
            },
            Factor::Load => FactorDetail::Load {
                free: candidate
                    .capacity
                    .saturating_sub(candidate.active.saturating_add(candidate.pending)),
                capacity: candidate.capacity,
                active: candidate.active,
                pending: candidate.pending,
            },
            Factor::TrackRecord => FactorDetail::TrackRecord {
                completed: candidate.completed,
            },
            Factor::Organization => FactorDetail::Organization {
                same: candidate.same_organization,
            },
        }
    }

    fn reason(&self, factor: Factor, candidate: &Candidate<'_>) -> String {
        match factor {
            Factor::Skills => match self.covered {
                (_, 0) => "you have set no goal skills, so skills count as neutral".to_owned(),
                (full, all) => format!(
                    "covers {full} of your {all} goal skills at or above your target, \
                     {:.0}% of the way overall",
                    self.skills * 100.0
                ),
            },
            Factor::Timezone => match self.hours_apart {
                Some(0) => "same time zone".to_owned(),
                Some(h) => format!("{h} hours apart"),
                None => "a time zone is not known".to_owned(),
            },
            Factor::Load => format!(
                "{} of {} places free ({} active, {} requests waiting)",
                candidate
                    .capacity
                    .saturating_sub(candidate.active.saturating_add(candidate.pending)),
                candidate.capacity,
                candidate.active,
                candidate.pending
            ),
            Factor::TrackRecord => format!("{} mentorships completed", candidate.completed),
            Factor::Organization => if candidate.same_organization {
                "a member of your organization"
            } else {
                "a member of a partner organization"
            }
            .to_owned(),
        }
    }
}

/// Ranks candidates: the `limit` best by score (ties: in the order given),
/// as (candidate index, score, values). Excluded candidates are skipped.
pub fn rank<'a>(
    seeker: &Seeker<'_>,
    candidates: impl IntoIterator<Item = Candidate<'a>>,
    weights: &Weights,
    limit: usize,
) -> Vec<(usize, u8, Values)> {
    best(
        candidates
            .into_iter()
            .enumerate()
            .filter_map(|(i, c)| values(seeker, &c).ok().map(|v| (i, v))),
        weights,
        limit,
    )
}

/// The `limit` best of already valued candidates, given in increasing
/// index order, as (index, score, values), best first; equal scores keep
/// that order.
///
/// Only the best `limit` are kept while scoring (a bounded heap), so
/// ranking many candidates allocates for the few it returns.
pub fn best(
    valued: impl IntoIterator<Item = (usize, Values)>,
    weights: &Weights,
    limit: usize,
) -> Vec<(usize, u8, Values)> {
    use std::cmp::{Ordering, Reverse};
    use std::collections::BinaryHeap;

    /// Orders kept candidates so that the heap's top is the one to drop
    /// first: the lowest score, and among equal scores the latest.
    struct Kept(usize, u8, Values);
    impl Kept {
        fn key(&self) -> (Reverse<u8>, usize) {
            (Reverse(self.1), self.0)
        }
    }
    impl PartialEq for Kept {
        fn eq(&self, other: &Self) -> bool {
            self.key() == other.key()
        }
    }
    impl Eq for Kept {}
    impl PartialOrd for Kept {
        fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for Kept {
        fn cmp(&self, other: &Self) -> Ordering {
            self.key().cmp(&other.key())
        }
    }

    if limit == 0 {
        return Vec::new();
    }
    let mut kept: BinaryHeap<Kept> = BinaryHeap::with_capacity(limit + 1);
    for (i, values) in valued {
        let score = values.score(weights);
        if kept.len() == limit {
            // Candidates come in order, so an equal score never displaces.
            match kept.peek() {
                Some(worst) if score > worst.1 => {
                    kept.pop();
                }
                _ => continue,
            }
        }
        kept.push(Kept(i, score, values));
    }
    // Best first; equal scores keep their order.
    kept.into_sorted_vec()
        .into_iter()
        .map(|Kept(i, score, values)| (i, score, values))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skill::SkillLevel;

    fn skill(key: &str, level: u8) -> ProfileSkill {
        ProfileSkill {
            skill: SkillKey::parse(key).unwrap(),
            level: SkillLevel::try_from(level).unwrap(),
            wants_to_grow: false,
        }
    }

    fn target(key: &str, level: u8) -> GoalTarget {
        GoalTarget {
            skill: SkillKey::parse(key).unwrap(),
            level: SkillLevel::try_from(level).unwrap(),
        }
    }

    fn langs(tags: &[&str]) -> Vec<LanguageTag> {
        tags.iter()
            .map(|t| LanguageTag::parse(t).unwrap())
            .collect()
    }

    struct Fixture {
        targets: Vec<GoalTarget>,
        own: Vec<ProfileSkill>,
        languages: Vec<LanguageTag>,
        mentor_skills: Vec<ProfileSkill>,
        mentor_languages: Vec<LanguageTag>,
    }

    fn fixture() -> Fixture {
        Fixture {
            targets: vec![target("net.dns", 5), target("net.bgp", 4)],
            own: vec![skill("net.dns", 2)],
            languages: langs(&["en", "de"]),
            mentor_skills: vec![skill("net.dns", 6), skill("net.bgp", 2)],
            mentor_languages: langs(&["de-AT"]),
        }
    }

    fn seeker(f: &Fixture) -> Seeker<'_> {
        Seeker {
            targets: &f.targets,
            skills: &f.own,
            languages: &f.languages,
            utc_offset: Some(60),
        }
    }

    fn candidate(f: &Fixture) -> Candidate<'_> {
        Candidate {
            skills: &f.mentor_skills,
            languages: &f.mentor_languages,
            utc_offset: Some(60),
            capacity: 4,
            active: 1,
            pending: 1,
            completed: 2,
            same_organization: true,
        }
    }

    #[test]
    fn a_shared_language_and_room_are_required() {
        let f = fixture();
        let mut c = candidate(&f);
        let english_only = langs(&["en-GB"]);
        assert!(values(&seeker(&f), &c).is_ok(), "de-AT meets de");
        let french = langs(&["fr"]);
        c.languages = &french;
        assert_eq!(values(&seeker(&f), &c), Err(Excluded::NoSharedLanguage));
        c.languages = &english_only;
        c.active = 4;
        assert_eq!(values(&seeker(&f), &c), Err(Excluded::NoRoomLeft));
        c.capacity = 0;
        c.active = 0;
        assert_eq!(values(&seeker(&f), &c), Err(Excluded::NoRoomLeft));
    }

    #[test]
    fn skills_count_how_far_the_mentor_reaches_above_the_mentee() {
        let f = fixture();
        let v = values(&seeker(&f), &candidate(&f)).unwrap();
        // dns: own 2, target 5, mentor 6 → full; bgp: own 0, target 4, mentor 2 → half.
        assert!((v.skills - 0.75).abs() < 1e-6, "{}", v.skills);
        let mut weaker = fixture();
        weaker.mentor_skills = vec![skill("net.dns", 2)];
        let v = values(&seeker(&weaker), &candidate(&weaker)).unwrap();
        assert_eq!(
            v.skills, 0.0,
            "a mentor at the mentee's own level adds nothing"
        );
        let mut no_goals = fixture();
        no_goals.targets.clear();
        let v = values(&seeker(&no_goals), &candidate(&no_goals)).unwrap();
        assert_eq!(v.skills, 0.5);
        assert!(
            v.explain(&Weights::default(), &candidate(&no_goals))[0]
                .explanation
                .contains("no goal skills")
        );
    }

    #[test]
    fn time_zones_count_the_hours_apart_either_way_round() {
        let f = fixture();
        let mut c = candidate(&f);
        let mut s = seeker(&f);
        for (a, b, hours) in [
            (60, 60, 0),
            (0, 6 * 60, 6),
            (-10 * 60, 12 * 60, 2),
            (0, 12 * 60, 12),
            (330, 0, 6),
        ] {
            s.utc_offset = Some(a);
            c.utc_offset = Some(b);
            let v = values(&s, &c).unwrap();
            assert_eq!(v.hours_apart, Some(hours), "{a} vs {b}");
            assert!((v.timezone - (1.0 - f32::from(hours) / 12.0)).abs() < 1e-6);
        }
        c.utc_offset = None;
        assert_eq!(values(&s, &c).unwrap().timezone, 0.5);
    }

    #[test]
    fn load_counts_places_held_and_asked_for() {
        let f = fixture();
        let mut c = candidate(&f);
        assert_eq!(
            values(&seeker(&f), &c).unwrap().load,
            0.5,
            "1 active + 1 waiting of 4"
        );
        c.pending = 10;
        assert_eq!(
            values(&seeker(&f), &c).unwrap().load,
            0.0,
            "flooded with requests"
        );
        c.pending = 0;
        c.active = 0;
        assert_eq!(values(&seeker(&f), &c).unwrap().load, 1.0);
    }

    #[test]
    fn track_record_and_organization() {
        let f = fixture();
        let mut c = candidate(&f);
        assert!((values(&seeker(&f), &c).unwrap().track_record - 0.4).abs() < 1e-6);
        c.completed = 50;
        assert_eq!(values(&seeker(&f), &c).unwrap().track_record, 1.0);
        c.same_organization = false;
        assert_eq!(values(&seeker(&f), &c).unwrap().organization, 0.0);
    }

    #[test]
    fn the_score_is_the_weighted_mean_and_explains_itself() {
        let f = fixture();
        let c = candidate(&f);
        let v = values(&seeker(&f), &c).unwrap();
        // 50·0.75 + 20·1 + 15·0.5 + 10·0.4 + 5·1 = 74 of 100.
        assert_eq!(v.score(&Weights::default()), 74);
        let factors = v.explain(&Weights::default(), &c);
        let points: f32 = factors.iter().map(|f| f.points).sum();
        assert!((points - 74.0).abs() < 0.01);
        assert!(
            factors[0].explanation.contains("1 of your 2 goal skills"),
            "{}",
            factors[0].explanation
        );
        assert_eq!(factors[1].explanation, "same time zone");
        assert!(factors[2].explanation.contains("2 of 4 places free"));
        let only_skills = Weights {
            skills: 1,
            timezone: 0,
            load: 0,
            track_record: 0,
            organization: 0,
        };
        assert_eq!(v.score(&only_skills), 75);
    }

    #[test]
    fn weights_are_checked() {
        assert!(Weights::default().check().is_ok());
        let none = Weights {
            skills: 0,
            timezone: 0,
            load: 0,
            track_record: 0,
            organization: 0,
        };
        assert!(none.check().is_err());
        assert!(
            Weights {
                skills: 101,
                ..Weights::default()
            }
            .check()
            .is_err()
        );
    }

    #[test]
    fn values_given_known_levels_are_the_values_looked_up() {
        let f = fixture();
        let s = seeker(&f);
        let c = candidate(&f);
        let levels = |i: usize| {
            let key = &s.targets[i].skill;
            (level_of(s.skills, key), level_of(c.skills, key))
        };
        assert_eq!(values_given(&s, &c, true, levels), values(&s, &c));
        assert_eq!(
            values_given(&s, &c, false, levels),
            Err(Excluded::NoSharedLanguage)
        );
        // Levels are taken as given, not looked up again.
        let stronger = values_given(&s, &c, true, |_| (0, 7)).unwrap();
        assert!(stronger.skills >= values(&s, &c).unwrap().skills);
        assert_eq!(stronger.skills, 1.0);
    }

    #[test]
    fn ranking_keeps_the_best_in_order_and_skips_the_excluded() {
        let f = fixture();
        let french = langs(&["fr"]);
        let base = candidate(&f);
        let candidates = vec![
            Candidate {
                completed: 0,
                ..base
            },
            Candidate {
                languages: &french,
                ..base
            },
            Candidate {
                completed: 5,
                ..base
            },
            Candidate { active: 4, ..base },
            Candidate {
                completed: 0,
                ..base
            },
        ];
        let ranked = rank(&seeker(&f), candidates.clone(), &Weights::default(), 10);
        let order: Vec<usize> = ranked.iter().map(|r| r.0).collect();
        assert_eq!(
            order,
            [2, 0, 4],
            "best first, ties in the given order, excluded left out"
        );
        let top = rank(&seeker(&f), candidates, &Weights::default(), 1);
        assert_eq!(top.len(), 1);
        assert_eq!(top[0].0, 2);
    }
}
