//! Profiles: the caller's own, and other members' as far as they may see.

use std::collections::HashMap;

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use trellis_core::account::Username;
use trellis_core::profile::{CatalogState, LanguageTag, MentorSettings, Profile, Timezone};
use trellis_core::skill::{SkillKey, SkillLevel};
use trellis_core::visibility::{Viewer, Visibility};
use trellis_store::{ProfileRecord, Skill};
use utoipa::ToSchema;

use super::skills::catalog_by_key;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{AppJson, AppPath, Caller};
use crate::state::AppState;

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

/// Views of stored profiles, with the catalog's skill names and whether
/// each member has a mentor now (two queries, however many profiles).
pub async fn views(state: &AppState, records: Vec<ProfileRecord>) -> ApiResult<Vec<ProfileView>> {
    let catalog = catalog_by_key(state).await?;
    let ids: Vec<_> = records.iter().map(|r| r.account_id).collect();
    let mentored = state.store.mentored_among(&ids).await?;
    Ok(records
        .into_iter()
        .map(|record| {
            let has_mentor = mentored.contains(&record.account_id);
            ProfileView::new(record, &catalog, has_mentor)
        })
        .collect())
}

/// The view of one stored profile.
pub async fn view(state: &AppState, record: ProfileRecord) -> ApiResult<ProfileView> {
    views(state, vec![record])
        .await?
        .pop()
        .ok_or_else(|| ApiError::Internal("a profile view went missing".into()))
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

/// The caller's own profile.
#[utoipa::path(
    get,
    path = "/api/v1/me/profile",
    tag = "profiles",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's profile", body = ProfileView),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn get_mine(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<AppJson<ProfileView>> {
    let record = state.store.profile(caller.account.id).await?;
    Ok(AppJson(view(&state, record).await?))
}

/// Replaces the caller's profile. Fields left out take their empty value.
#[utoipa::path(
    put,
    path = "/api/v1/me/profile",
    tag = "profiles",
    security(("bearer" = [])),
    request_body = Profile,
    responses(
        (status = 200, description = "The profile as saved", body = ProfileView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "A field breaks a rule, or a skill is unknown or retired", body = ErrorBody),
    )
)]
pub async fn put_mine(
    State(state): State<AppState>,
    caller: Caller,
    AppJson(mut profile): AppJson<Profile>,
) -> ApiResult<AppJson<ProfileView>> {
    profile.normalize();
    profile.check()?;
    let catalog = catalog_by_key(&state).await?;
    profile.check_skills(|key| {
        catalog.get(key).map(|skill| {
            if skill.retired {
                CatalogState::Retired
            } else {
                CatalogState::Active
            }
        })
    })?;
    let record = state
        .store
        .put_profile(caller.account.id, &profile, Utc::now())
        .await?;
    Ok(AppJson(view(&state, record).await?))
}

/// How `caller` stands to the owner of `record`.
pub fn viewer_of(caller: Option<&Caller>, record: &ProfileRecord) -> Viewer {
    match caller {
        Some(caller) if caller.account.id == record.account_id => Viewer::Owner,
        Some(_) => Viewer::Member,
        None => Viewer::Anonymous,
    }
}

/// Another member's profile, if its visibility lets the caller see it:
/// `username` for members here, `user@domain` for members of partner
/// instances (found through WebFinger). Anonymous callers see public
/// profiles only. A profile the caller may not see is answered exactly like
/// a member who does not exist.
#[utoipa::path(
    get,
    path = "/api/v1/members/{username}/profile",
    tag = "profiles",
    params(("username" = String, Path, description = "The member's username")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The profile", body = ProfileView),
        (status = 401, description = "A token was sent but is not valid", body = ErrorBody),
        (status = 404, description = "No such member, or not visible to the caller", body = ErrorBody),
    )
)]
pub async fn get_member(
    State(state): State<AppState>,
    caller: Option<Caller>,
    AppPath(username): AppPath<String>,
) -> ApiResult<AppJson<ProfileView>> {
    let not_found = || ApiError::not_found(format_args!("member {username}"));
    // `name@this-domain` is a local member too.
    let local_name = match username.split_once('@') {
        Some((name, domain)) if domain == state.federation.domain() => name,
        Some(_) => return remote_member(&state, caller.is_some(), &username).await,
        None => username.as_str(),
    };
    let name = Username::parse(local_name).map_err(|_| not_found())?;
    let record = match state.store.profile_by_username(&name).await {
        Ok(record) => record,
        Err(trellis_store::StoreError::NotFound) => return Err(not_found()),
        Err(other) => return Err(other.into()),
    };
    if !record
        .profile
        .visibility
        .admits(viewer_of(caller.as_ref(), &record))
    {
        return Err(not_found());
    }
    Ok(AppJson(view(&state, record).await?))
}

/// A member of another instance: shown only while that instance is a
/// partner, and only as far as the profile's visibility allows.
async fn remote_member(
    state: &AppState,
    signed_in: bool,
    handle: &str,
) -> ApiResult<AppJson<ProfileView>> {
    let not_found = || ApiError::not_found(format_args!("member {handle}"));
    // Only partners' members are looked up: nothing is fetched from others.
    let domain = handle
        .rsplit_once('@')
        .map(|(_, d)| d.to_ascii_lowercase())
        .unwrap_or_default();
    let partner = state
        .store
        .instance(&domain)
        .await?
        .is_some_and(|i| i.partnership.is_active() && i.blocked_at.is_none());
    if !partner {
        return Err(not_found());
    }
    let record = state
        .federation
        .resolve_member(handle)
        .await
        .map_err(|_| not_found())?;
    let viewer = if signed_in {
        Viewer::Member
    } else {
        Viewer::Anonymous
    };
    if record.domain.as_deref() != Some(domain.as_str())
        || !record.profile.visibility.admits(viewer)
    {
        return Err(not_found());
    }
    Ok(AppJson(view(state, record).await?))
}
