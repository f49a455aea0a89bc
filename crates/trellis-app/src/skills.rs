//! The skills catalog: anyone may read it, admins change it.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use trellis_core::skill::{LEVELS, LevelDescription, SkillKey, check_skill_text};
use trellis_store::{Skill, SkillChange};
use utoipa::{IntoParams, ToSchema};

use crate::app::App;
use crate::caller::Admin;
use crate::error::{AppError, AppResult};

/// A skill of the catalog.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SkillView {
    pub key: SkillKey,
    pub family: String,
    pub name: String,
    pub description: String,
    /// Shipped with the default catalog (others were added by an admin).
    pub builtin: bool,
    /// Retired skills can no longer be added to profiles.
    pub retired: bool,
}

impl From<Skill> for SkillView {
    fn from(skill: Skill) -> Self {
        Self {
            key: skill.key,
            family: skill.family,
            name: skill.name,
            description: skill.description,
            builtin: skill.builtin,
            retired: skill.retired,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Catalog {
    /// What each level from 1 to 7 means.
    pub levels: Vec<LevelDescription>,
    pub skills: Vec<SkillView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CatalogParams {
    /// Include retired skills too.
    #[serde(default)]
    pub include_retired: bool,
}

/// The skills catalog and the meaning of each level.
pub async fn list(app: &App, params: CatalogParams) -> AppResult<Catalog> {
    let skills = app.store.list_skills(params.include_retired).await?;
    Ok(Catalog {
        levels: LEVELS.to_vec(),
        skills: skills.into_iter().map(SkillView::from).collect(),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSkill {
    /// Stable key: dot-separated words of a-z, 0-9 and `-`.
    #[schema(example = "networking.bgp")]
    pub key: String,
    #[schema(example = "networking")]
    pub family: String,
    #[schema(example = "BGP")]
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// Adds a skill to the catalog.
pub async fn create(app: &App, _admin: &Admin, body: NewSkill) -> AppResult<SkillView> {
    let key = SkillKey::parse(&body.key)?;
    check_skill_text(&body.name, &body.family, &body.description)?;
    let skill = Skill {
        key: key.clone(),
        family: body.family.trim().to_owned(),
        name: body.name.trim().to_owned(),
        description: body.description.trim().to_owned(),
        builtin: false,
        retired: false,
    };
    let created = app
        .store
        .create_skill(&skill, Utc::now())
        .await
        .map_err(|err| match err {
            trellis_store::StoreError::Conflict(_) => {
                AppError::Conflict(format!("the catalog has a skill {key} already"))
            }
            other => other.into(),
        })?;
    Ok(created.into())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillEdit {
    pub family: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    /// `true` retires the skill, `false` brings it back.
    pub retired: Option<bool>,
}

/// Renames, re-describes, retires or restores a skill. Its key never changes.
pub async fn edit(app: &App, _admin: &Admin, key: String, body: SkillEdit) -> AppResult<SkillView> {
    let key =
        SkillKey::parse(&key).map_err(|_| AppError::not_found(format_args!("skill {key}")))?;
    let current = app.store.skill(&key).await.map_err(|err| match err {
        trellis_store::StoreError::NotFound => AppError::not_found(format_args!("skill {key}")),
        other => other.into(),
    })?;
    let trimmed = |s: Option<String>| s.map(|s| s.trim().to_owned());
    let change = SkillChange {
        family: trimmed(body.family),
        name: trimmed(body.name),
        description: trimmed(body.description),
        retired: body.retired,
    };
    check_skill_text(
        change.name.as_deref().unwrap_or(&current.name),
        change.family.as_deref().unwrap_or(&current.family),
        change
            .description
            .as_deref()
            .unwrap_or(&current.description),
    )?;
    let changed = app.store.change_skill(&key, &change, Utc::now()).await?;
    Ok(changed.into())
}

/// Every skill's name by its key (retired skills included), for showing
/// skills by name wherever they are named by key.
pub async fn names(app: &App) -> AppResult<std::collections::HashMap<SkillKey, String>> {
    Ok(crate::lookup::catalog_by_key(app)
        .await?
        .into_iter()
        .map(|(key, skill)| (key, skill.name))
        .collect())
}
