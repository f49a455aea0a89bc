//! Profiles, the mentor directory and what matching reads.

use chrono::{DateTime, Utc};
use trellis_core::account::Username;
use trellis_core::profile::{LanguageTag, Profile};
use trellis_core::skill::{SkillKey, SkillLevel};
use trellis_core::visibility::Visibility;
use uuid::Uuid;

use super::mentorships::MentorLoad;

/// A member's profile with whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileRecord {
    pub account_id: Uuid,
    pub username: Username,
    /// The member's instance; `None` for members of this one.
    pub domain: Option<String>,
    pub profile: Profile,
    pub updated_at: DateTime<Utc>,
}

/// Whose profiles a directory search covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// Members of this instance.
    #[default]
    Local,
    /// Members of partner instances.
    Federated,
    All,
}

/// A search of the mentor directory. Only members who offer mentoring are
/// found, and only profiles whose visibility is in `visible`.
#[derive(Debug, Clone)]
pub struct DirectoryQuery {
    pub scope: Scope,
    pub visible: Vec<Visibility>,
    /// The mentor has every one of these skills…
    pub skills: Vec<SkillKey>,
    /// …at this level or higher.
    pub min_level: Option<SkillLevel>,
    /// Speaks this language (`pt` also finds `pt-BR`).
    pub language: Option<LanguageTag>,
    /// Words found in the name, username, headline or bio (case-insensitive).
    pub text: Option<String>,
    pub accepting_only: bool,
    pub limit: u32,
    pub offset: u32,
}

/// One page of results and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

/// A mentor as matching ranks them: only what scoring reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchCandidate {
    pub account_id: Uuid,
    /// The mentor's instance; `None` for members of this one.
    pub domain: Option<String>,
    pub timezone: Option<trellis_core::profile::Timezone>,
    pub capacity: u16,
    pub skills: Vec<trellis_core::profile::ProfileSkill>,
    pub languages: Vec<trellis_core::profile::LanguageTag>,
    pub load: MentorLoad,
}
