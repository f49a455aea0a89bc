//! Views that several use cases show: a party of a mentorship, a member's
//! profile with the catalog's names for its skills.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use trellis_core::account::Username;
use trellis_core::profile::{LanguageTag, MentorSettings, Profile, Timezone};
use trellis_core::skill::{SkillKey, SkillLevel};
use trellis_core::visibility::{Viewer, Visibility};
use trellis_store::{PartyRecord, ProfileRecord, Skill};
use utoipa::ToSchema;

use crate::app::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::lookup::catalog_by_key;

/// The last page of a list that is answered: far beyond any real list,
/// and within what every client can count (an `int32`).
pub const MAX_PAGE: u32 = 1_000_000;

/// One side of a mentorship.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyView {
    pub username: Username,
    /// The member's instance; `null` for members of this one.
    pub domain: Option<String>,
}

impl PartyView {
    /// How people write the member: `name` here, `name@domain` elsewhere.
    pub fn handle(&self) -> String {
        match &self.domain {
            Some(domain) => format!("{}@{domain}", self.username),
            None => self.username.to_string(),
        }
    }
}

impl From<PartyRecord> for PartyView {
    fn from(p: PartyRecord) -> Self {
        Self {
            username: p.username,
            domain: p.domain,
        }
    }
}

/// A skill on a profile, with the catalog's name for it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileSkillView {
    pub skill: SkillKey,
    pub name: String,
    pub level: SkillLevel,
    #[schema(example = "Proficient")]
    pub level_name: &'static str,
    pub wants_to_grow: bool,
    /// The catalog has retired this skill since it was added.
    pub retired: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GoalTargetView {
    pub skill: SkillKey,
    pub name: String,
    pub level: SkillLevel,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GoalsView {
    pub summary: String,
    pub targets: Vec<GoalTargetView>,
}

/// A member's profile as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileView {
    pub username: Username,
    /// The member's instance; `null` for members of this one.
    pub domain: Option<String>,
    pub display_name: String,
    pub headline: String,
    pub bio: String,
    pub timezone: Option<Timezone>,
    pub languages: Vec<LanguageTag>,
    pub skills: Vec<ProfileSkillView>,
    pub goals: GoalsView,
    pub mentor: MentorSettings,
    pub visibility: Visibility,
    /// Whether the member has a mentor of their own now (mentors have mentors).
    pub has_mentor: bool,
    pub updated_at: DateTime<Utc>,
}

impl ProfileView {
    /// How people write the member: `name` here, `name@domain` elsewhere.
    pub fn handle(&self) -> String {
        match &self.domain {
            Some(domain) => format!("{}@{domain}", self.username),
            None => self.username.to_string(),
        }
    }
}

/// Views of stored profiles, with the catalog's skill names and whether
/// each member has a mentor now (two queries, however many profiles).
pub async fn views(app: &App, records: Vec<ProfileRecord>) -> AppResult<Vec<ProfileView>> {
    let catalog = catalog_by_key(app).await?;
    let ids: Vec<_> = records.iter().map(|r| r.account_id).collect();
    let mentored = app.store.mentored_among(&ids).await?;
    Ok(records
        .into_iter()
        .map(|record| {
            let has_mentor = mentored.contains(&record.account_id);
            ProfileView::new(record, &catalog, has_mentor)
        })
        .collect())
}

/// The view of one stored profile.
pub async fn view(app: &App, record: ProfileRecord) -> AppResult<ProfileView> {
    views(app, vec![record])
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal("a profile view went missing".into()))
}

impl ProfileView {
    /// Shapes a stored profile, naming its skills from `catalog`.
    pub fn new(
        record: ProfileRecord,
        catalog: &HashMap<SkillKey, Skill>,
        has_mentor: bool,
    ) -> Self {
        let name_of = |key: &SkillKey| {
            catalog
                .get(key)
                .map_or_else(|| key.to_string(), |skill| skill.name.clone())
        };
        let Profile {
            display_name,
            headline,
            bio,
            timezone,
            languages,
            skills,
            goals,
            mentor,
            visibility,
        } = record.profile;
        Self {
            username: record.username,
            domain: record.domain,
            display_name,
            headline,
            bio,
            timezone,
            languages,
            skills: skills
                .into_iter()
                .map(|s| ProfileSkillView {
                    name: name_of(&s.skill),
                    retired: catalog.get(&s.skill).is_some_and(|skill| skill.retired),
                    level_name: s.level.describe().name,
                    level: s.level,
                    wants_to_grow: s.wants_to_grow,
                    skill: s.skill,
                })
                .collect(),
            goals: GoalsView {
                summary: goals.summary,
                targets: goals
                    .targets
                    .into_iter()
                    .map(|t| GoalTargetView {
                        name: name_of(&t.skill),
                        level: t.level,
                        skill: t.skill,
                    })
                    .collect(),
            },
            mentor,
            visibility,
            has_mentor,
            updated_at: record.updated_at,
        }
    }
}

/// How `caller` stands to the owner of `record`.
pub fn viewer_of(caller: Option<&Caller>, record: &ProfileRecord) -> Viewer {
    match caller {
        Some(caller) if caller.account.id == record.account_id => Viewer::Owner,
        Some(_) => Viewer::Member,
        None => Viewer::Anonymous,
    }
}
