//! The mentors matching ranks, kept in memory between requests.
//!
//! Ranking reads every mentor who takes mentees; loading them from the
//! database on each request would cost far more than scoring them. So the
//! candidates are loaded once and kept, with the store's matching version
//! (`Store::matching_version`, a number triggers move on every committed
//! change to mentor profiles, mentorship states and partnerships). Each
//! request asks for that number — one small query — and reloads only when
//! it moved. Only what scoring needs is kept: no names, bios or goals.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use trellis_core::matching::Candidate;
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
}
