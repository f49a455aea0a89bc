//! Matching: the mentors that suit the caller best, here and at partners,
//! each with the reasons for their score; and the weights admins set.

use axum::extract::State;
use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::matching::{Candidate, FactorScore, Seeker, Weights};
use trellis_core::profile::Profile;
use trellis_store::{MentorLoad, ProfileRecord};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::profiles::{ProfileView, views};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Admin, AppJson, AppQuery, Caller};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchView {
    /// 0 to 100.
    pub score: u8,
    /// What the score is made of.
    pub factors: Vec<FactorScore>,
    pub mentor: ProfileView,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MatchParams {
    /// How many matches, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// A member looking for a mentor, as matching sees them at `now`.
pub(crate) fn seeker_of(profile: &Profile, now: DateTime<Utc>) -> Seeker<'_> {
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
pub(crate) fn candidate_of(
    r: &ProfileRecord,
    load: MentorLoad,
    now: DateTime<Utc>,
) -> Candidate<'_> {
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

/// The mentors that suit the caller best, with the reasons. Mentors must
/// share a language with the caller and have room; then goal skills,
/// time zones, load, track record and organization are weighed as the
/// instance's admins set (`/api/v1/admin/matching`).
#[utoipa::path(
    get,
    path = "/api/v1/matches",
    tag = "matching",
    security(("bearer" = [])),
    params(MatchParams),
    responses((status = 200, description = "Best matches first", body = Vec<MatchView>))
)]
pub async fn matches(
    State(state): State<AppState>,
    caller: Caller,
    AppQuery(params): AppQuery<MatchParams>,
) -> ApiResult<AppJson<Vec<MatchView>>> {
    let limit = params.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::BadRequest("limit must be 1 to 100".into()));
    }
    let now = Utc::now();
    let me = state.store.profile(caller.account.id).await?.profile;
    let weights = state.store.settings().await?.match_weights;
    // Mentors the caller has asked or has already are not offered again.
    let taken: HashSet<Uuid> = state
        .store
        .list_mentorships(caller.account.id, false, true, None)
        .await?
        .into_iter()
        .filter(|m| m.state.is_open())
        .map(|m| m.mentor.account_id)
        .collect();
    let snapshot = state.matching.snapshot(&state.store).await?;
    let mut excluded = taken;
    excluded.insert(caller.account.id);
    // Ranking reads every candidate: off the async runtime, on every core.
    let ranked = tokio::task::spawn_blocking({
        let snapshot = Arc::clone(&snapshot);
        move || {
            let seeker = seeker_of(&me, now);
            snapshot.rank(
                &seeker,
                &snapshot.offsets(now),
                &excluded,
                &weights,
                limit as usize,
            )
        }
    })
    .await
    .map_err(ApiError::internal)?;
    let offsets = snapshot.offsets(now);
    let ids: Vec<Uuid> = ranked
        .iter()
        .map(|&(i, _, _)| snapshot.mentors()[i].account_id)
        .collect();
    // The full profiles of the few shown, as they are now (one deleted
    // meanwhile is left out).
    let records = state.store.profiles(&ids).await?;
    let present: HashSet<Uuid> = records.iter().map(|r| r.account_id).collect();
    let mut shown = views(&state, records).await?.into_iter();
    let matches = ranked
        .into_iter()
        .filter(|(index, _, _)| present.contains(&snapshot.mentors()[*index].account_id))
        .filter_map(|(index, score, values)| {
            let candidate = snapshot.candidate(index, &offsets)?;
            Some(MatchView {
                score,
                factors: values.explain(&weights, &candidate),
                mentor: shown.next()?,
            })
        })
        .collect();
    Ok(AppJson(matches))
}

/// How matching weighs its factors.
#[utoipa::path(
    get,
    path = "/api/v1/admin/matching",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The weights", body = Weights),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn get_weights(
    State(state): State<AppState>,
    _admin: Admin,
) -> ApiResult<AppJson<Weights>> {
    Ok(AppJson(state.store.settings().await?.match_weights))
}

/// Sets how matching weighs its factors (each 0 to 100, not all 0).
#[utoipa::path(
    put,
    path = "/api/v1/admin/matching",
    tag = "admin",
    security(("bearer" = [])),
    request_body = Weights,
    responses(
        (status = 200, description = "The weights as saved", body = Weights),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn put_weights(
    State(state): State<AppState>,
    _admin: Admin,
    AppJson(weights): AppJson<Weights>,
) -> ApiResult<AppJson<Weights>> {
    weights.check()?;
    let change = trellis_store::SettingsChange {
        match_weights: Some(weights),
        ..Default::default()
    };
    Ok(AppJson(
        state.store.change_settings(&change).await?.match_weights,
    ))
}
