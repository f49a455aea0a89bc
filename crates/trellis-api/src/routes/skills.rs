//! The skills catalog: anyone may read it, admins change it.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use trellis_core::skill::{LEVELS, LevelDescription, SkillKey, check_skill_text};
use trellis_store::{Skill, SkillChange};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Admin, AppJson, AppPath, AppQuery};
use crate::state::AppState;

/// A skill of the catalog.
#[derive(Debug, Serialize, ToSchema)]
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

/// The catalog, keyed for lookups (retired skills included).
pub async fn catalog_by_key(state: &AppState) -> ApiResult<HashMap<SkillKey, Skill>> {
    Ok(state
        .store
        .list_skills(true)
        .await?
        .into_iter()
        .map(|skill| (skill.key.clone(), skill))
        .collect())
}

/// The skills catalog and the meaning of each level.
#[utoipa::path(
    get,
    path = "/api/v1/skills",
    tag = "skills",
    params(CatalogParams),
    responses((status = 200, description = "The catalog by family and name", body = Catalog))
)]
pub async fn list(
    State(state): State<AppState>,
    AppQuery(params): AppQuery<CatalogParams>,
) -> ApiResult<AppJson<Catalog>> {
    let skills = state.store.list_skills(params.include_retired).await?;
    Ok(AppJson(Catalog {
        levels: LEVELS.to_vec(),
        skills: skills.into_iter().map(SkillView::from).collect(),
    }))
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
#[utoipa::path(
    post,
    path = "/api/v1/admin/skills",
    tag = "admin",
    security(("bearer" = [])),
    request_body = NewSkill,
    responses(
        (status = 201, description = "Added", body = SkillView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 409, description = "The key is taken", body = ErrorBody),
        (status = 422, description = "A field breaks a rule", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    _admin: Admin,
    AppJson(body): AppJson<NewSkill>,
) -> ApiResult<(StatusCode, AppJson<SkillView>)> {
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
    let created = state
        .store
        .create_skill(&skill, Utc::now())
        .await
        .map_err(|err| match err {
            trellis_store::StoreError::Conflict(_) => {
                ApiError::Conflict(format!("the catalog has a skill {key} already"))
            }
            other => other.into(),
        })?;
    Ok((StatusCode::CREATED, AppJson(created.into())))
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
#[utoipa::path(
    patch,
    path = "/api/v1/admin/skills/{key}",
    tag = "admin",
    security(("bearer" = [])),
    params(("key" = String, Path, description = "The skill's key")),
    request_body = SkillEdit,
    responses(
        (status = 200, description = "Changed", body = SkillView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such skill", body = ErrorBody),
        (status = 422, description = "A field breaks a rule", body = ErrorBody),
    )
)]
pub async fn edit(
    State(state): State<AppState>,
    _admin: Admin,
    AppPath(key): AppPath<String>,
    AppJson(body): AppJson<SkillEdit>,
) -> ApiResult<AppJson<SkillView>> {
    let key =
        SkillKey::parse(&key).map_err(|_| ApiError::not_found(format_args!("skill {key}")))?;
    let current = state.store.skill(&key).await.map_err(|err| match err {
        trellis_store::StoreError::NotFound => ApiError::not_found(format_args!("skill {key}")),
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
    let changed = state.store.change_skill(&key, &change, Utc::now()).await?;
    Ok(AppJson(changed.into()))
}
