//! The mentors matching ranks, kept in memory between requests.
//!
//! Ranking reads every mentor who takes mentees; loading them from the
//! database on each request would cost far more than scoring them. So the
//! candidates are loaded once and kept, with the store's matching version
//! (`Store::matching_version`, a number triggers move on every committed
//! change to mentor profiles, mentorship states and partnerships). Each
//! request asks for that number — one small query — and reloads only when
//! it moved. Only what scoring needs is kept: no names, bios or goals.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use trellis_core::matching::{Candidate, Seeker, Values, Weights, best, values_given};
use trellis_core::profile::Profile;
use trellis_core::profile::Timezone;
use trellis_core::skill::SkillKey;
use trellis_core::visibility::{Viewer, Visibility};
use trellis_store::{MatchCandidate, MentorLoad, ProfileRecord, Store};
use uuid::Uuid;

use crate::error::AppResult;

/// The candidates as of a matching version, shared by the requests that
/// use them.
#[derive(Debug, Default)]
pub struct MatchIndex {
    current: RwLock<Option<Arc<Snapshot>>>,
    /// Held while loading, so that a change makes one reload, not one per
    /// request waiting for it.
    loading: tokio::sync::Mutex<()>,
}

/// The candidates at one matching version.
#[derive(Debug)]
pub struct Snapshot {
    version: i64,
    /// The distinct time zones of the mentors, so that offsets are worked
    /// out once per zone and request rather than once per mentor.
    timezones: Vec<Timezone>,
    mentors: Vec<IndexedMentor>,
    /// For each skill, the mentors who have it (index into `mentors`) and
    /// at which level: a request reads the lists of its goal skills only,
    /// instead of every mentor's skills.
    by_skill: HashMap<SkillKey, Vec<(u32, u8)>>,
    /// For each primary language (`pt` of `pt-BR`), the mentors who speak it.
    by_language: HashMap<String, Vec<u32>>,
}

/// A mentor as scoring sees them.
#[derive(Debug)]
pub struct IndexedMentor {
    pub account_id: Uuid,
    /// A member of this instance.
    pub local: bool,
    /// Into `Snapshot::timezones`.
    timezone: Option<usize>,
    capacity: u16,
    pub load: MentorLoad,
}

impl MatchIndex {
    /// The candidates as they are now: the kept ones if nothing changed
    /// since they were loaded, freshly loaded ones otherwise.
    pub async fn snapshot(&self, store: &Store) -> AppResult<Arc<Snapshot>> {
        let version = store.matching_version().await?;
        if let Some(kept) = self.kept(version) {
            return Ok(kept);
        }
        let _loading = self.loading.lock().await;
        // Someone else may have loaded it while this request waited.
        if let Some(kept) = self.kept(version) {
            return Ok(kept);
        }
        // The version is read before the candidates: a change committed in
        // between makes the next request load again, never keeps stale ones.
        let started = std::time::Instant::now();
        let snapshot = Arc::new(Snapshot::load(store, version).await?);
        metrics::histogram!("trellis_match_index_reload_seconds")
            .record(started.elapsed().as_secs_f64());
        #[allow(clippy::cast_precision_loss)]
        metrics::gauge!("trellis_match_index_candidates").set(snapshot.mentors.len() as f64);
        if let Ok(mut current) = self.current.write() {
            *current = Some(Arc::clone(&snapshot));
        }
        Ok(snapshot)
    }

    fn kept(&self, version: i64) -> Option<Arc<Snapshot>> {
        let current = self.current.read().ok()?;
        current
            .as_ref()
            .filter(|s| s.version == version)
            .map(Arc::clone)
    }
}

impl Snapshot {
    async fn load(store: &Store, version: i64) -> AppResult<Self> {
        // Members see profiles shown to the organization and beyond.
        let visible: Vec<Visibility> = Visibility::visible_to(Viewer::Member)
            .into_iter()
            .filter(|v| *v != Visibility::Private)
            .collect();
        Ok(Self::from_candidates(
            version,
            store.match_candidates(&visible).await?,
        ))
    }

    fn from_candidates(version: i64, records: Vec<MatchCandidate>) -> Self {
        let mut timezones = Vec::new();
        let mut zone_index: HashMap<&'static str, usize> = HashMap::new();
        let mut by_skill: HashMap<SkillKey, Vec<(u32, u8)>> = HashMap::new();
        let mut by_language: HashMap<String, Vec<u32>> = HashMap::new();
        let mut mentors = Vec::with_capacity(records.len());
        for (i, m) in records.into_iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            for skill in m.skills {
                by_skill
                    .entry(skill.skill)
                    .or_default()
                    .push((i, skill.level.get()));
            }
            for language in &m.languages {
                let list = by_language
                    .entry(language.primary().to_owned())
                    .or_default();
                // en and en-GB are one language here.
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
            let timezone = m.timezone.map(|tz| {
                *zone_index.entry(tz.name()).or_insert_with(|| {
                    timezones.push(tz);
                    timezones.len() - 1
                })
            });
            mentors.push(IndexedMentor {
                account_id: m.account_id,
                local: m.domain.is_none(),
                timezone,
                capacity: m.capacity,
                load: m.load,
            });
        }
        Self {
            version,
            timezones,
            mentors,
            by_skill,
            by_language,
        }
    }

    pub fn mentors(&self) -> &[IndexedMentor] {
        &self.mentors
    }

    /// Minutes east of UTC at `now` of each kept time zone.
    pub fn offsets(&self, now: DateTime<Utc>) -> Vec<i32> {
        self.timezones
            .iter()
            .map(|tz| tz.utc_offset_minutes(now))
            .collect()
    }

    /// Mentor `index` as matching sees them, with the zone offsets from
    /// `offsets`: their numbers, for `values_given` and for explaining a
    /// score. Skills and languages are in the index's lists, not here.
    pub fn candidate(&self, index: usize, offsets: &[i32]) -> Option<Candidate<'_>> {
        let mentor = self.mentors.get(index)?;
        let small = |n: u32| u16::try_from(n).unwrap_or(u16::MAX);
        Some(Candidate {
            skills: &[],
            languages: &[],
            utc_offset: mentor.timezone.and_then(|i| offsets.get(i).copied()),
            capacity: mentor.capacity,
            active: small(mentor.load.active),
            pending: small(mentor.load.pending),
            completed: mentor.load.completed,
            same_organization: mentor.local,
        })
    }

    /// The `limit` best mentors for `seeker` as (mentor index, score,
    /// values), best first (equal scores in index order), leaving out the
    /// `excluded` accounts. A large index is ranked in parts on every core
    /// at once; call it off the async runtime.
    pub fn rank(
        &self,
        seeker: &Seeker<'_>,
        offsets: &[i32],
        excluded: &HashSet<Uuid>,
        weights: &Weights,
        limit: usize,
    ) -> Vec<(usize, u8, Values)> {
        /// Below this many mentors one core is quicker than several.
        const PER_THREAD: usize = 10_000;
        let count = self.mentors.len();
        let threads = std::thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .min(count.div_ceil(PER_THREAD))
            .max(1);
        self.rank_in(threads, seeker, offsets, excluded, weights, limit)
    }

    /// What a seeker shares with every mentor, from the index's lists.
    fn known(&self, seeker: &Seeker<'_>) -> Known {
        let targets = seeker.targets.len();
        let own = seeker
            .targets
            .iter()
            .map(|t| {
                seeker
                    .skills
                    .iter()
                    .find(|s| s.skill == t.skill)
                    .map_or(0, |s| s.level.get())
            })
            .collect();
        let mut levels = vec![0u8; self.mentors.len() * targets];
        for (j, target) in seeker.targets.iter().enumerate() {
            for &(mentor, level) in self.by_skill.get(&target.skill).into_iter().flatten() {
                if let Some(slot) = levels.get_mut(mentor as usize * targets + j) {
                    *slot = level;
                }
            }
        }
        let mut shares = vec![false; self.mentors.len()];
        for language in seeker.languages {
            for &mentor in self
                .by_language
                .get(language.primary())
                .into_iter()
                .flatten()
            {
                if let Some(slot) = shares.get_mut(mentor as usize) {
                    *slot = true;
                }
            }
        }
        Known {
            targets,
            own,
            levels,
            shares,
        }
    }

    /// `rank` over `threads` parts of the index, one thread each.
    fn rank_in(
        &self,
        threads: usize,
        seeker: &Seeker<'_>,
        offsets: &[i32],
        excluded: &HashSet<Uuid>,
        weights: &Weights,
        limit: usize,
    ) -> Vec<(usize, u8, Values)> {
        let count = self.mentors.len();
        let known = self.known(seeker);
        let known = &known;
        let part = |range: Range<usize>| {
            self.rank_part(range, seeker, known, offsets, excluded, weights, limit)
        };
        if threads <= 1 {
            return part(0..count);
        }
        let size = count.div_ceil(threads);
        let mut best: Vec<(usize, u8, Values)> = std::thread::scope(|scope| {
            let parts: Vec<_> = (0..threads)
                .map(|t| {
                    let range = (t * size).min(count)..((t + 1) * size).min(count);
                    scope.spawn(move || part(range))
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|p| match p.join() {
                    Ok(ranked) => ranked,
                    Err(panic) => std::panic::resume_unwind(panic),
                })
                .collect()
        });
        best.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        best.truncate(limit);
        best
    }

    #[allow(clippy::too_many_arguments)]
    fn rank_part(
        &self,
        range: Range<usize>,
        seeker: &Seeker<'_>,
        known: &Known,
        offsets: &[i32],
        excluded: &HashSet<Uuid>,
        weights: &Weights,
        limit: usize,
    ) -> Vec<(usize, u8, Values)> {
        let valued = range.filter_map(|i| {
            if excluded.contains(&self.mentors[i].account_id) {
                return None;
            }
            let candidate = self.candidate(i, offsets)?;
            let shares = known.shares.get(i).copied().unwrap_or(false);
            let level = |j: usize| {
                let theirs = known.levels.get(i * known.targets + j).copied();
                (known.own.get(j).copied().unwrap_or(0), theirs.unwrap_or(0))
            };
            values_given(seeker, &candidate, shares, level)
                .ok()
                .map(|v| (i, v))
        });
        best(valued, weights, limit)
    }
}

/// What one seeker shares with every mentor of a snapshot.
struct Known {
    /// The seeker's goal targets.
    targets: usize,
    /// The seeker's own level at each target.
    own: Vec<u8>,
    /// Mentor `i`'s level at target `j`, at `i * targets + j` (0: none).
    levels: Vec<u8>,
    /// Whether mentor `i` shares a language with the seeker.
    shares: Vec<bool>,
}

/// A member looking for a mentor, as matching sees them at `now`.
pub fn seeker_of(profile: &Profile, now: DateTime<Utc>) -> Seeker<'_> {
    Seeker {
        targets: &profile.goals.targets,
        skills: &profile.skills,
        languages: &profile.languages,
        utc_offset: profile
            .timezone
            .as_ref()
            .map(|tz| tz.utc_offset_minutes(now)),
    }
}

/// A mentor with their load, as matching sees them at `now`.
pub fn candidate_of(r: &ProfileRecord, load: MentorLoad, now: DateTime<Utc>) -> Candidate<'_> {
    let small = |n: u32| u16::try_from(n).unwrap_or(u16::MAX);
    Candidate {
        skills: &r.profile.skills,
        languages: &r.profile.languages,
        utc_offset: r
            .profile
            .timezone
            .as_ref()
            .map(|tz| tz.utc_offset_minutes(now)),
        capacity: r.profile.mentor.capacity,
        active: small(load.active),
        pending: small(load.pending),
        completed: load.completed,
        same_organization: r.domain.is_none(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use trellis_core::matching::rank;
    use trellis_core::profile::{GoalTarget, LanguageTag, ProfileSkill};
    use trellis_core::skill::SkillLevel;

    const KEYS: [&str; 4] = [
        "networking.dns",
        "networking.routing",
        "security.pki",
        "databases.data-modelling",
    ];

    fn skill(key: &str, level: usize) -> ProfileSkill {
        ProfileSkill {
            skill: SkillKey::parse(key).unwrap(),
            level: SkillLevel::try_from(u8::try_from(1 + level % 7).unwrap()).unwrap(),
            wants_to_grow: false,
        }
    }

    /// Mentors whose skills, levels, languages and loads vary, so that
    /// equal scores fall on both sides of part borders.
    fn mentors(count: usize) -> Vec<MatchCandidate> {
        (0..count)
            .map(|i| MatchCandidate {
                account_id: Uuid::from_u128(i as u128 + 1),
                domain: (i % 4 == 1).then(|| "b.example".to_owned()),
                timezone: None,
                capacity: 3,
                skills: (0..1 + i % 3)
                    .map(|k| skill(KEYS[(i + k) % KEYS.len()], i / 3 + k))
                    .collect(),
                languages: match i % 10 {
                    3 => vec![LanguageTag::parse("fr").unwrap()],
                    7 => vec![
                        LanguageTag::parse("en-GB").unwrap(),
                        LanguageTag::parse("en").unwrap(),
                    ],
                    _ => vec![LanguageTag::parse("en").unwrap()],
                },
                load: MentorLoad {
                    active: u32::try_from(i % 4).unwrap(),
                    pending: u32::try_from(i % 3).unwrap(),
                    completed: u32::try_from(i % 7).unwrap(),
                },
            })
            .collect()
    }

    #[test]
    fn the_index_ranks_as_matching_does_whole_or_in_parts() {
        let records = mentors(203);
        let snapshot = Snapshot::from_candidates(1, records.clone());
        let targets = vec![
            GoalTarget {
                skill: SkillKey::parse(KEYS[0]).unwrap(),
                level: SkillLevel::try_from(5u8).unwrap(),
            },
            GoalTarget {
                skill: SkillKey::parse(KEYS[2]).unwrap(),
                level: SkillLevel::try_from(6u8).unwrap(),
            },
        ];
        let own = vec![skill(KEYS[2], 1)];
        let languages = vec![LanguageTag::parse("en-US").unwrap()];
        let seeker = Seeker {
            targets: &targets,
            skills: &own,
            languages: &languages,
            utc_offset: None,
        };
        let excluded: HashSet<Uuid> = [Uuid::from_u128(5), Uuid::from_u128(50)].into();
        let weights = Weights::default();
        // What core's own ranking makes of the same mentors.
        let kept: Vec<&MatchCandidate> = records
            .iter()
            .filter(|r| !excluded.contains(&r.account_id))
            .collect();
        let expected: Vec<(Uuid, u8)> = rank(
            &seeker,
            kept.iter().map(|r| Candidate {
                skills: &r.skills,
                languages: &r.languages,
                utc_offset: None,
                capacity: r.capacity,
                active: u16::try_from(r.load.active).unwrap(),
                pending: u16::try_from(r.load.pending).unwrap(),
                completed: r.load.completed,
                same_organization: r.domain.is_none(),
            }),
            &weights,
            40,
        )
        .into_iter()
        .map(|(i, score, _)| (kept[i].account_id, score))
        .collect();
        assert_eq!(expected.len(), 40);
        for threads in [1, 2, 3, 7] {
            let ranked: Vec<(Uuid, u8)> = snapshot
                .rank_in(threads, &seeker, &[], &excluded, &weights, 40)
                .into_iter()
                .map(|(i, score, _)| (snapshot.mentors[i].account_id, score))
                .collect();
            assert_eq!(ranked, expected, "{threads} parts");
        }
    }
}
