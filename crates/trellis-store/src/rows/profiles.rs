//! Rows of profiles and of matching candidates.

use chrono::{DateTime, Utc};
use trellis_core::CoreError;
use trellis_core::account::Username;
use trellis_core::profile::{
    GoalTarget, Goals, LanguageTag, MentorSettings, Profile, ProfileSkill, Timezone,
};
use trellis_core::skill::{SkillKey, SkillLevel};
use trellis_core::visibility::Visibility;
use uuid::Uuid;

use crate::model::{MatchCandidate, MentorLoad, ProfileRecord};

pub(crate) const PROFILE_COLUMNS: &str = "p.account_id, a.username, a.domain, p.display_name, p.headline, \
     p.bio, p.timezone, p.goals_summary, p.offers_mentoring, p.accepting_mentees, p.capacity, \
     p.hours_per_month, p.visibility, p.updated_at";

/// The single-valued part of a profile; its lists come from their own tables.
#[derive(sqlx::FromRow)]
pub(crate) struct ProfileRow {
    pub(crate) account_id: Uuid,
    username: String,
    domain: Option<String>,
    display_name: String,
    headline: String,
    bio: String,
    timezone: Option<String>,
    goals_summary: String,
    offers_mentoring: bool,
    accepting_mentees: bool,
    capacity: i32,
    hours_per_month: i32,
    visibility: String,
    updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct LanguageRow {
    pub(crate) account_id: Uuid,
    tag: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct SkillLevelRow {
    pub(crate) account_id: Uuid,
    skill_key: String,
    level: i32,
    wants_to_grow: bool,
}

/// A mentor for matching, with their lists folded into one text each
/// (`key:level,key:level`, `tag,tag`), so that a whole directory comes back
/// as one row a mentor.
#[derive(sqlx::FromRow)]
pub(crate) struct MatchCandidateRow {
    pub(crate) account_id: Uuid,
    domain: Option<String>,
    timezone: Option<String>,
    capacity: i32,
    skills: Option<String>,
    languages: Option<String>,
}

/// The columns of a `MatchCandidateRow`, from `profiles p JOIN accounts a`.
pub(crate) const MATCH_CANDIDATE_COLUMNS: &str = "p.account_id, a.domain, p.timezone, p.capacity, \
     (SELECT string_agg(s.skill_key || ':' || CAST(s.level AS TEXT), ',' ORDER BY s.position) \
        FROM profile_skills s WHERE s.account_id = p.account_id) AS skills, \
     (SELECT string_agg(l.tag, ',' ORDER BY l.position) \
        FROM profile_languages l WHERE l.account_id = p.account_id) AS languages";

impl MatchCandidateRow {
    pub(crate) fn assemble(self, load: MentorLoad) -> Result<MatchCandidate, CoreError> {
        let items = |folded: &Option<String>| -> Vec<String> {
            folded
                .as_deref()
                .filter(|f| !f.is_empty())
                .map(|f| f.split(',').map(str::to_owned).collect())
                .unwrap_or_default()
        };
        let skills = items(&self.skills)
            .iter()
            .map(|item| {
                let (key, value) = item.rsplit_once(':').ok_or_else(|| {
                    CoreError::invalid("skills", format_args!("{item:?} is not key:level"))
                })?;
                let value: i32 = value.parse().map_err(|_| {
                    CoreError::invalid("skills", format_args!("{item:?} is not key:level"))
                })?;
                Ok(ProfileSkill {
                    skill: SkillKey::parse(key)?,
                    level: level(value)?,
                    wants_to_grow: false,
                })
            })
            .collect::<Result<_, CoreError>>()?;
        Ok(MatchCandidate {
            account_id: self.account_id,
            domain: self.domain,
            timezone: self.timezone.as_deref().map(Timezone::parse).transpose()?,
            capacity: small("capacity", self.capacity)?,
            skills,
            languages: items(&self.languages)
                .iter()
                .map(|tag| LanguageTag::parse(tag))
                .collect::<Result<_, _>>()?,
            load,
        })
    }
}

fn level(value: i32) -> Result<SkillLevel, CoreError> {
    SkillLevel::try_from(i64::from(value))
}

fn small(field: &str, value: i32) -> Result<u16, CoreError> {
    u16::try_from(value)
        .map_err(|_| CoreError::invalid(field, format_args!("{value} is out of range")))
}

impl ProfileRow {
    /// Puts the profile together from its row and the rows of its lists,
    /// which must belong to this profile and come in their stored order.
    pub(crate) fn assemble(
        self,
        languages: Vec<LanguageRow>,
        skills: Vec<SkillLevelRow>,
        targets: Vec<SkillLevelRow>,
    ) -> Result<ProfileRecord, CoreError> {
        let profile = Profile {
            display_name: self.display_name,
            headline: self.headline,
            bio: self.bio,
            timezone: self.timezone.as_deref().map(Timezone::parse).transpose()?,
            languages: languages
                .into_iter()
                .map(|l| LanguageTag::parse(&l.tag))
                .collect::<Result<_, _>>()?,
            skills: skills
                .into_iter()
                .map(|s| {
                    Ok(ProfileSkill {
                        skill: SkillKey::parse(&s.skill_key)?,
                        level: level(s.level)?,
                        wants_to_grow: s.wants_to_grow,
                    })
                })
                .collect::<Result<_, CoreError>>()?,
            goals: Goals {
                summary: self.goals_summary,
                targets: targets
                    .into_iter()
                    .map(|t| {
                        Ok(GoalTarget {
                            skill: SkillKey::parse(&t.skill_key)?,
                            level: level(t.level)?,
                        })
                    })
                    .collect::<Result<_, CoreError>>()?,
            },
            mentor: MentorSettings {
                offers_mentoring: self.offers_mentoring,
                accepting_mentees: self.accepting_mentees,
                capacity: small("capacity", self.capacity)?,
                hours_per_month: small("hours_per_month", self.hours_per_month)?,
            },
            visibility: Visibility::parse(&self.visibility)?,
        };
        Ok(ProfileRecord {
            account_id: self.account_id,
            username: Username::parse(&self.username)?,
            domain: self.domain,
            profile,
            updated_at: self.updated_at,
        })
    }
}
