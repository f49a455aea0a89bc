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
use trellis_core::matching::{Candidate, Seeker, Values, Weights, rank};
use trellis_core::profile::{LanguageTag, ProfileSkill, Timezone};
use trellis_core::visibility::{Viewer, Visibility};
use trellis_store::{MentorLoad, Store};
use uuid::Uuid;

use crate::error::ApiResult;

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
}

/// A mentor as scoring sees them.
#[derive(Debug)]
pub struct IndexedMentor {
    pub account_id: Uuid,
    /// A member of this instance.
    pub local: bool,
    skills: Vec<ProfileSkill>,
    languages: Vec<LanguageTag>,
    /// Into `Snapshot::timezones`.
    timezone: Option<usize>,
    capacity: u16,
    pub load: MentorLoad,
}

impl MatchIndex {
    /// The candidates as they are now: the kept ones if nothing changed
    /// since they were loaded, freshly loaded ones otherwise.
    pub async fn snapshot(&self, store: &Store) -> ApiResult<Arc<Snapshot>> {
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
        let snapshot = Arc::new(Snapshot::load(store, version).await?);
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
    async fn load(store: &Store, version: i64) -> ApiResult<Self> {
        // Members see profiles shown to the organization and beyond.
        let visible: Vec<Visibility> = Visibility::visible_to(Viewer::Member)
            .into_iter()
            .filter(|v| *v != Visibility::Private)
            .collect();
        let records = store.match_candidates(&visible).await?;
        let mut timezones = Vec::new();
        let mut zone_index: HashMap<&'static str, usize> = HashMap::new();
        let mentors = records
            .into_iter()
            .map(|m| {
                let timezone = m.timezone.map(|tz| {
                    *zone_index.entry(tz.name()).or_insert_with(|| {
                        timezones.push(tz);
                        timezones.len() - 1
                    })
                });
                IndexedMentor {
                    account_id: m.account_id,
                    local: m.domain.is_none(),
                    skills: m.skills,
                    languages: m.languages,
                    timezone,
                    capacity: m.capacity,
                    load: m.load,
                }
            })
            .collect();
        Ok(Self {
            version,
            timezones,
            mentors,
        })
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
    /// `offsets`.
    pub fn candidate(&self, index: usize, offsets: &[i32]) -> Option<Candidate<'_>> {
        let mentor = self.mentors.get(index)?;
        let small = |n: u32| u16::try_from(n).unwrap_or(u16::MAX);
        Some(Candidate {
            skills: &mentor.skills,
            languages: &mentor.languages,
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
        let part =
            |range: Range<usize>| self.rank_part(range, seeker, offsets, excluded, weights, limit);
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

    fn rank_part(
        &self,
        range: Range<usize>,
        seeker: &Seeker<'_>,
        offsets: &[i32],
        excluded: &HashSet<Uuid>,
        weights: &Weights,
        limit: usize,
    ) -> Vec<(usize, u8, Values)> {
        let indices: Vec<usize> = range
            .filter(|&i| !excluded.contains(&self.mentors[i].account_id))
            .collect();
        rank(
            seeker,
            indices.iter().filter_map(|&i| self.candidate(i, offsets)),
            weights,
            limit,
        )
        .into_iter()
        .map(|(j, score, values)| (indices[j], score, values))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use trellis_core::skill::{SkillKey, SkillLevel};

    fn mentor(i: usize, level: u8, languages: &[&str]) -> IndexedMentor {
        IndexedMentor {
            account_id: Uuid::from_u128(i as u128 + 1),
            local: i.is_multiple_of(2),
            skills: vec![ProfileSkill {
                skill: SkillKey::parse("networking.dns").unwrap(),
                level: SkillLevel::try_from(level).unwrap(),
                wants_to_grow: false,
            }],
            languages: languages
                .iter()
                .map(|l| LanguageTag::parse(l).unwrap())
                .collect(),
            timezone: None,
            capacity: 3,
            load: MentorLoad {
                active: 0,
                pending: u32::try_from(i % 3).unwrap(),
                completed: u32::try_from(i % 7).unwrap(),
            },
        }
    }

    #[test]
    fn ranking_in_parts_gives_the_ranking_in_one() {
        // Levels repeat, so equal scores fall on both sides of part borders.
        let mentors: Vec<IndexedMentor> = (0..101)
            .map(|i| {
                let languages: &[&str] = if i % 10 == 3 { &["fr"] } else { &["en"] };
                mentor(i, u8::try_from(1 + i % 7).unwrap(), languages)
            })
            .collect();
        let snapshot = Snapshot {
            version: 1,
            timezones: Vec::new(),
            mentors,
        };
        let targets = vec![trellis_core::profile::GoalTarget {
            skill: SkillKey::parse("networking.dns").unwrap(),
            level: SkillLevel::try_from(5u8).unwrap(),
        }];
        let languages = vec![LanguageTag::parse("en").unwrap()];
        let seeker = Seeker {
            targets: &targets,
            skills: &[],
            languages: &languages,
            utc_offset: None,
        };
        let excluded: HashSet<Uuid> = [Uuid::from_u128(5), Uuid::from_u128(50)].into();
        let weights = Weights::default();
        let whole = snapshot.rank_in(1, &seeker, &[], &excluded, &weights, 25);
        assert_eq!(whole.len(), 25);
        for threads in [2, 3, 7] {
            let parts = snapshot.rank_in(threads, &seeker, &[], &excluded, &weights, 25);
            let key =
                |r: &Vec<(usize, u8, Values)>| r.iter().map(|x| (x.0, x.1)).collect::<Vec<_>>();
            assert_eq!(key(&parts), key(&whole), "{threads} parts");
        }
        assert!(
            whole
                .iter()
                .all(|(i, _, _)| !excluded.contains(&snapshot.mentors[*i].account_id))
        );
        assert!(
            whole.iter().all(|(i, _, _)| i % 10 != 3),
            "no shared language, no rank"
        );
    }
}
