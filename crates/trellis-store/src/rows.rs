//! Rows as both backends return them, and their conversion into the
//! domain's validated types.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use trellis_core::CoreError;
use trellis_core::account::Username;
use trellis_core::profile::{
    GoalTarget, Goals, LanguageTag, MentorSettings, Profile, ProfileSkill, Timezone,
};
use trellis_core::settings::RegistrationMode;
use trellis_core::skill::{SkillKey, SkillLevel};
use trellis_core::visibility::Visibility;
use uuid::Uuid;

use crate::model::{Account, InstanceSettings, Invite, ProfileRecord, Skill};

/// A local member: `accounts a JOIN users u`.
pub(crate) const ACCOUNT_COLUMNS: &str =
    "a.id, a.username, u.password_hash, u.is_admin, a.created_at";
pub(crate) const LOCAL_ACCOUNTS: &str = "accounts a JOIN users u ON u.account_id = a.id";

#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    id: Uuid,
    username: String,
    password_hash: String,
    is_admin: bool,
    created_at: DateTime<Utc>,
}

impl TryFrom<AccountRow> for Account {
    type Error = CoreError;
    fn try_from(row: AccountRow) -> Result<Self, CoreError> {
        Ok(Self {
            id: row.id,
            username: Username::parse(&row.username)?,
            password_hash: row.password_hash,
            is_admin: row.is_admin,
            created_at: row.created_at,
        })
    }
}

pub(crate) const SETTINGS_COLUMNS: &str =
    "registration_mode, organization_name, organization_description";

#[derive(sqlx::FromRow)]
pub(crate) struct SettingsRow {
    registration_mode: String,
    organization_name: String,
    organization_description: String,
}

impl TryFrom<SettingsRow> for InstanceSettings {
    type Error = CoreError;
    fn try_from(row: SettingsRow) -> Result<Self, CoreError> {
        Ok(Self {
            registration_mode: RegistrationMode::parse(&row.registration_mode)?,
            organization_name: row.organization_name,
            organization_description: row.organization_description,
        })
    }
}

pub(crate) const INVITE_COLUMNS: &str =
    "id, created_by, note, max_uses, uses, expires_at, revoked_at, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct InviteRow {
    id: Uuid,
    created_by: Option<Uuid>,
    note: String,
    max_uses: i32,
    uses: i32,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl From<InviteRow> for Invite {
    fn from(row: InviteRow) -> Self {
        Self {
            id: row.id,
            created_by: row.created_by,
            note: row.note,
            max_uses: row.max_uses.try_into().unwrap_or(0),
            uses: row.uses.try_into().unwrap_or(0),
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
            created_at: row.created_at,
        }
    }
}

pub(crate) const SKILL_COLUMNS: &str =
    "key, family, name, description, builtin, retired_at IS NOT NULL AS retired";

#[derive(sqlx::FromRow)]
pub(crate) struct SkillRow {
    key: String,
    family: String,
    name: String,
    description: String,
    builtin: bool,
    retired: bool,
}

impl TryFrom<SkillRow> for Skill {
    type Error = CoreError;
    fn try_from(row: SkillRow) -> Result<Self, CoreError> {
        Ok(Self {
            key: SkillKey::parse(&row.key)?,
            family: row.family,
            name: row.name,
            description: row.description,
            builtin: row.builtin,
            retired: row.retired,
        })
    }
}

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

/// Rows of several accounts' lists, grouped by account, each group keeping
/// the order the rows came in.
pub(crate) fn group_by_account<R>(rows: Vec<R>, of: impl Fn(&R) -> Uuid) -> HashMap<Uuid, Vec<R>> {
    let mut groups: HashMap<Uuid, Vec<R>> = HashMap::new();
    for row in rows {
        groups.entry(of(&row)).or_default().push(row);
    }
    groups
}
