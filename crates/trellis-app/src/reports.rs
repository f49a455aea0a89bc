//! Program health for admins: how the pairings under way are doing, in
//! figures only (no notes, no ratings), as JSON or as CSV.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::App;
use crate::caller::Admin;
use crate::error::{AppError, AppResult};
use crate::views::PartyView;

/// Days without a session after which a pairing is at risk.
const AT_RISK_DAYS: i64 = 30;

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramReport {
    pub generated_at: DateTime<Utc>,
    /// Pairings under way (active or paused) with a member of this instance
    /// on at least one side.
    pub active_pairings: u64,
    /// Sessions held in the last 30 days, in those pairings.
    pub sessions_last_30_days: u64,
    /// Active pairings without a session in the last 30 days.
    pub at_risk: u64,
    /// Reviews completed, and started (completed or in progress), in the
    /// pairings under way.
    pub reviews_completed: u64,
    pub reviews_started: u64,
    /// Completed over started, 0 to 1 (`null` when none was started).
    pub review_completion: Option<f64>,
    /// Members of this instance who mentor someone now and have no mentor.
    pub mentors_without_mentor: u64,
    /// Each pairing under way, oldest first.
    pub pairings: Vec<PairingReport>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PairingReport {
    pub mentorship_id: Uuid,
    pub mentor: PartyView,
    pub mentee: PartyView,
    /// `active` or `paused`.
    pub state: String,
    pub since: DateTime<Utc>,
    pub sessions_last_30_days: u64,
    pub last_session_at: Option<DateTime<Utc>>,
    /// Active, and no session in the last 30 days.
    pub at_risk: bool,
    pub reviews_completed: u64,
    pub reviews_started: u64,
    /// Whether the mentor has a mentor of their own now.
    pub mentor_has_mentor: bool,
}

/// The program's health: pairings under way, sessions in the last 30 days,
/// pairings at risk (no session in 30 days), review completion, mentors
/// without a mentor, and each pairing's figures. Figures only: no notes,
/// no ratings.
pub async fn program(app: &App, _admin: &Admin) -> AppResult<ProgramReport> {
    build(app, Utc::now()).await
}

/// The program report as CSV, one row a pairing, for a spreadsheet.
pub async fn program_csv(app: &App, admin: &Admin) -> AppResult<String> {
    to_csv(&program(app, admin).await?)
}

async fn build(app: &App, now: DateTime<Utc>) -> AppResult<ProgramReport> {
    let since = now - Duration::days(AT_RISK_DAYS);
    let current = app.store.current_mentorships().await?;
    let activity = app.store.pairing_activity(since, now).await?;
    let mentored: HashSet<Uuid> = current.iter().map(|m| m.mentee.account_id).collect();
    let mut pairings = Vec::with_capacity(current.len());
    for m in current {
        let figures = activity.iter().find(|a| a.mentorship_id == m.id);
        let sessions = figures.map_or(0, |a| a.sessions_since);
        pairings.push(PairingReport {
            mentorship_id: m.id,
            mentor_has_mentor: mentored.contains(&m.mentor.account_id),
            state: m.state.as_str().to_owned(),
            since: m.updated_at,
            sessions_last_30_days: sessions,
            last_session_at: figures.and_then(|a| a.last_session_at),
            at_risk: m.state == trellis_core::mentorship::MentorshipState::Active && sessions == 0,
            reviews_completed: figures.map_or(0, |a| a.reviews_completed),
            reviews_started: figures.map_or(0, |a| a.reviews_started),
            mentor: m.mentor.into(),
            mentee: m.mentee.into(),
        });
    }
    let sum = |f: fn(&PairingReport) -> u64| pairings.iter().map(f).sum::<u64>();
    let reviews_completed = sum(|p| p.reviews_completed);
    let reviews_started = sum(|p| p.reviews_started);
    let unmentored: HashSet<&str> = pairings
        .iter()
        .filter(|p| p.mentor.domain.is_none() && !p.mentor_has_mentor)
        .map(|p| p.mentor.username.as_str())
        .collect();
    Ok(ProgramReport {
        generated_at: now,
        active_pairings: pairings.len() as u64,
        sessions_last_30_days: sum(|p| p.sessions_last_30_days),
        at_risk: pairings.iter().filter(|p| p.at_risk).count() as u64,
        reviews_completed,
        reviews_started,
        review_completion: (reviews_started > 0)
            .then(|| reviews_completed as f64 / reviews_started as f64),
        mentors_without_mentor: unmentored.len() as u64,
        pairings,
    })
}

/// One row a pairing, with a header.
fn to_csv(report: &ProgramReport) -> AppResult<String> {
    let handle = |p: &PartyView| match &p.domain {
        Some(domain) => format!("{}@{domain}", p.username),
        None => p.username.to_string(),
    };
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = [
        "mentorship_id",
        "mentor",
        "mentee",
        "state",
        "since",
        "sessions_last_30_days",
        "last_session_at",
        "at_risk",
        "reviews_completed",
        "reviews_started",
        "mentor_has_mentor",
    ];
    out.write_record(header).map_err(AppError::internal)?;
    for p in &report.pairings {
        out.write_record([
            p.mentorship_id.to_string(),
            handle(&p.mentor),
            handle(&p.mentee),
            p.state.clone(),
            p.since.to_rfc3339(),
            p.sessions_last_30_days.to_string(),
            p.last_session_at
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
            p.at_risk.to_string(),
            p.reviews_completed.to_string(),
            p.reviews_started.to_string(),
            p.mentor_has_mentor.to_string(),
        ])
        .map_err(AppError::internal)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::internal(e.into_error()))?;
    String::from_utf8(bytes).map_err(AppError::internal)
}
