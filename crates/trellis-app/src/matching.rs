//! Matching: the mentors that suit the caller best, here and at partners,
//! each with the reasons for their score; and the weights admins set.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use trellis_core::matching::{FactorScore, Weights};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::App;
use crate::caller::{Admin, Caller};
use crate::error::{AppError, AppResult};
use crate::match_index::seeker_of;
use crate::views::{ProfileView, views};

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

/// The mentors that suit the caller best, with the reasons. Mentors must
/// share a language with the caller and have room; then goal skills,
/// time zones, load, track record and organization are weighed as the
/// instance's admins set (`/api/v1/admin/matching`).
pub async fn matches(app: &App, caller: &Caller, params: MatchParams) -> AppResult<Vec<MatchView>> {
    app.limits.expensive(caller.account.id)?;
    let limit = params.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(AppError::BadRequest("limit must be 1 to 100".into()));
    }
    let now = Utc::now();
    let me = app.store.profile(caller.account.id).await?.profile;
    let weights = app.store.settings().await?.match_weights;
    // Mentors the caller has asked or has already are not offered again.
    let taken: HashSet<Uuid> = app
        .store
        .list_mentorships(caller.account.id, false, true, None)
        .await?
        .into_iter()
        .filter(|m| m.state.is_open())
        .map(|m| m.mentor.account_id)
        .collect();
    let snapshot = app.matching.snapshot(&app.store).await?;
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
    .map_err(AppError::internal)?;
    let offsets = snapshot.offsets(now);
    let ids: Vec<Uuid> = ranked
        .iter()
        .map(|&(i, _, _)| snapshot.mentors()[i].account_id)
        .collect();
    // The full profiles of the few shown, as they are now (one deleted
    // meanwhile is left out).
    let records = app.store.profiles(&ids).await?;
    let present: HashSet<Uuid> = records.iter().map(|r| r.account_id).collect();
    let mut shown = views(app, records).await?.into_iter();
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
    Ok(matches)
}

/// How matching weighs its factors.
pub async fn get_weights(app: &App, _admin: &Admin) -> AppResult<Weights> {
    Ok(app.store.settings().await?.match_weights)
}

/// Sets how matching weighs its factors (each 0 to 100, not all 0).
pub async fn put_weights(app: &App, _admin: &Admin, weights: Weights) -> AppResult<Weights> {
    weights.check()?;
    let change = trellis_store::SettingsChange {
        match_weights: Some(weights),
        ..Default::default()
    };
    Ok(app.store.change_settings(&change).await?.match_weights)
}
