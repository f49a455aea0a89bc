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

/// Weeks the program's weekly chart covers.
const WEEKS: i64 = 52;

/// Reviews completed and started in the mentorships a cohort's approval
/// requested.
#[derive(Debug, Serialize, ToSchema)]
pub struct CohortReviews {
    pub cohort_id: Uuid,
    pub name: String,
    pub reviews_completed: u64,
    pub reviews_started: u64,
}

/// The program's health for its dashboard: the report, sessions week by
/// week over the last year, mentorships by state, reviews by cohort, and
/// who mentors whom.
#[derive(Debug, Serialize, ToSchema)]
pub struct Dashboard {
    pub report: ProgramReport,
    /// The first day (Monday, UTC) of each of the last 52 weeks, oldest
    /// first, with the sessions held that week.
    pub sessions_per_week: Vec<(chrono::NaiveDate, u64)>,
    /// Mentorships with a member of this instance, by state.
    pub by_state: Vec<(String, u64)>,
    pub cohorts: Vec<CohortReviews>,
    pub tree: crate::mentorships::MentoringTree,
}

/// The program's health, for the admins' dashboard.
pub async fn dashboard(app: &App, admin: &Admin) -> AppResult<Dashboard> {
    use chrono::Datelike;
    let now = Utc::now();
    let report = build(app, now).await?;
    let this_monday =
        now.date_naive() - Duration::days(i64::from(now.weekday().num_days_from_monday()));
    let first = this_monday - Duration::weeks(WEEKS - 1);
    let since = first.and_hms_opt(0, 0, 0).map_or(now, |t| t.and_utc());
    let mut weeks: Vec<(chrono::NaiveDate, u64)> = (0..WEEKS)
        .map(|w| (first + Duration::weeks(w), 0))
        .collect();
    for at in app.store.session_times(since, now).await? {
        let index = (at.date_naive() - first).num_days() / 7;
        if let Some(week) = usize::try_from(index).ok().and_then(|i| weeks.get_mut(i)) {
            week.1 += 1;
        }
    }
    let mut cohorts = Vec::new();
    for summary in crate::cohorts::list(app, admin).await? {
        let Ok(proposal) = crate::cohorts::get_proposal(app, admin, summary.id).await else {
            continue;
        };
        let (mut completed, mut started) = (0, 0);
        for id in proposal
            .pairs
            .iter()
            .filter_map(|p| p.request.as_ref().and_then(|r| r.mentorship_id))
        {
            for review in app.store.reviews_of(id).await? {
                started += 1;
                if review.completed_at.is_some() {
                    completed += 1;
                }
            }
        }
        if proposal.approved_at.is_some() {
            cohorts.push(CohortReviews {
                cohort_id: summary.id,
                name: summary.name,
                reviews_completed: completed,
                reviews_started: started,
            });
        }
    }
    Ok(Dashboard {
        report,
        sessions_per_week: weeks,
        by_state: app.store.mentorship_states().await?,
        cohorts,
        tree: crate::mentorships::tree(app, admin).await?,
    })
}
