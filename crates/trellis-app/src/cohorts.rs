//! Cohorts: a program admin gathers mentees and mentors, has the whole
//! cohort matched at once (the assignment with the highest total score,
//! not first come first served), reviews the proposal, and approves it,
//! which sends one mentorship request per pair.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::account::Username;
use trellis_core::cohort::{Barred, Unassigned, plan};
use trellis_core::matching::{FactorScore, Weights};
use trellis_core::visibility::Visibility;
use trellis_store::{
    Cohort, CohortApproval, CohortStatus, CohortSummary, MentorLoad, NewCohort, NewProposal,
    PartyRecord, ProfileRecord, Proposal, ProposedFor, RequestOutcome, StoreError,
};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::App;
use crate::caller::Admin;
use crate::error::{AppError, AppResult};
use crate::match_index::{candidate_of, seeker_of};
use crate::views::PartyView;

/// The most mentees and mentors one cohort may have.
const MAX_MENTEES: usize = 2000;
const MAX_MENTORS: usize = 1000;
const MAX_NAME: usize = 100;

/// Where a cohort stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CohortState {
    /// No proposal yet (or the members changed since the last one).
    Draft,
    /// A proposal waits for review.
    Proposed,
    /// Approved: the requests were sent and the cohort is closed.
    Approved,
}

impl From<CohortStatus> for CohortState {
    fn from(status: CohortStatus) -> Self {
        match status {
            CohortStatus::Draft => Self::Draft,
            CohortStatus::Proposed => Self::Proposed,
            CohortStatus::Approved => Self::Approved,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CohortView {
    pub id: Uuid,
    pub name: String,
    pub state: CohortState,
    /// Members of this instance, in the order given.
    pub mentees: Vec<PartyView>,
    /// Members of this instance or of partner instances, in the order given.
    pub mentors: Vec<PartyView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Cohort> for CohortView {
    fn from(c: Cohort) -> Self {
        Self {
            id: c.id,
            name: c.name,
            state: c.status.into(),
            mentees: c.mentees.into_iter().map(PartyView::from).collect(),
            mentors: c.mentors.into_iter().map(PartyView::from).collect(),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CohortSummaryView {
    pub id: Uuid,
    pub name: String,
    pub state: CohortState,
    pub mentees: u32,
    pub mentors: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<CohortSummary> for CohortSummaryView {
    fn from(c: CohortSummary) -> Self {
        Self {
            id: c.id,
            name: c.name,
            state: c.status.into(),
            mentees: c.mentees,
            mentors: c.mentors,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// What became of a pair's request when the proposal was approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RequestState {
    /// The request was made; the mentor is asked.
    Requested,
    /// It was not made (the reason says why); nothing changed for the pair.
    Failed,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestView {
    pub state: RequestState,
    /// The mentorship request made, when it was.
    pub mentorship_id: Option<Uuid>,
    /// Why it was not made, when it was not.
    pub reason: Option<String>,
}

/// A proposed mentee–mentor pair.
#[derive(Debug, Serialize, ToSchema)]
pub struct PairView {
    pub mentee: PartyView,
    pub mentor: PartyView,
    /// 0 to 100, as `GET /api/v1/matches` would score it.
    pub score: u8,
    /// What the score is made of.
    pub factors: Vec<FactorScore>,
    /// After approval: what became of the request.
    pub request: Option<RequestView>,
}

/// A mentee the proposal leaves without a mentor.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnassignedView {
    pub mentee: PartyView,
    pub reason: Unassigned,
    /// The reason in words.
    pub explanation: &'static str,
}

/// The total a first-come-first-served assignment would reach.
#[derive(Debug, Serialize, ToSchema)]
pub struct BaselineView {
    pub total_score: u64,
    pub assigned: u32,
}

/// A cohort's proposed assignment: the most mentees matched, then the
/// highest total score.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalView {
    pub cohort_id: Uuid,
    /// `proposed` (waiting for review) or `approved` (requests sent).
    pub state: CohortState,
    /// The sum of the pairs' scores.
    pub total_score: u64,
    /// How many mentees have a mentor.
    pub assigned: u32,
    /// First come, first served (mentees in the cohort's order each taking
    /// their best mentor with a place left), for comparison.
    pub greedy: BaselineView,
    /// The weights the scores were computed with.
    pub weights: Weights,
    pub computed_at: DateTime<Utc>,
    pub approved_at: Option<DateTime<Utc>>,
    /// In the cohort's order of mentees.
    pub pairs: Vec<PairView>,
    pub unassigned: Vec<UnassignedView>,
}

impl From<Proposal> for ProposalView {
    fn from(p: Proposal) -> Self {
        let mut pairs = Vec::new();
        let mut unassigned = Vec::new();
        for entry in p.entries {
            let mentee = PartyView::from(entry.mentee);
            match entry.proposed {
                ProposedFor::Mentor {
                    mentor,
                    score,
                    factors,
                } => pairs.push(PairView {
                    mentee,
                    mentor: mentor.into(),
                    score,
                    factors,
                    request: entry.outcome.map(|outcome| match outcome {
                        RequestOutcome::Requested(id) => RequestView {
                            state: RequestState::Requested,
                            mentorship_id: Some(id),
                            reason: None,
                        },
                        RequestOutcome::Failed(why) => RequestView {
                            state: RequestState::Failed,
                            mentorship_id: None,
                            reason: Some(why),
                        },
                    }),
                }),
                ProposedFor::Unassigned(reason) => unassigned.push(UnassignedView {
                    mentee,
                    reason,
                    explanation: reason.describe(),
                }),
            }
        }
        Self {
            cohort_id: p.cohort_id,
            state: if p.approved_at.is_some() {
                CohortState::Approved
            } else {
                CohortState::Proposed
            },
            total_score: p.total_score,
            assigned: p.assigned,
            greedy: BaselineView {
                total_score: p.greedy_total_score,
                assigned: p.greedy_assigned,
            },
            weights: p.weights,
            computed_at: p.computed_at,
            approved_at: p.approved_at,
            pairs,
            unassigned,
        }
    }
}

fn check_name(raw: &str) -> AppResult<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AppError::Validation("name: must not be empty".into()));
    }
    trellis_core::text::check_line("name", name, MAX_NAME)?;
    Ok(name.to_owned())
}

/// The cohort, or a 404 that names it.
async fn find(app: &App, id: Uuid) -> AppResult<Cohort> {
    match app.store.cohort(id).await {
        Ok(cohort) => Ok(cohort),
        Err(StoreError::NotFound) => Err(AppError::not_found(format_args!("cohort {id}"))),
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCohortBody {
    /// One line, 1 to 100 characters.
    #[schema(example = "Spring 2026 network engineers")]
    pub name: String,
}

/// Creates a cohort, without members yet.
pub async fn create(app: &App, admin: &Admin, body: NewCohortBody) -> AppResult<CohortView> {
    let new = NewCohort {
        name: check_name(&body.name)?,
        created_by: admin.account.id,
    };
    let cohort = app.store.create_cohort(&new, Utc::now()).await?;
    tracing::info!(cohort = %cohort.id, "cohort created");
    Ok(cohort.into())
}

/// Every cohort, newest first.
pub async fn list(app: &App, _admin: &Admin) -> AppResult<Vec<CohortSummaryView>> {
    let cohorts = app.store.cohorts().await?;
    Ok(cohorts.into_iter().map(Into::into).collect())
}

/// A cohort with its members.
pub async fn get(app: &App, _admin: &Admin, id: Uuid) -> AppResult<CohortView> {
    Ok(find(app, id).await?.into())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembersBody {
    /// Usernames of members of this instance (at most 2,000).
    #[schema(example = json!(["ada", "linus"]))]
    pub mentees: Vec<String>,
    /// Usernames of members of this instance, or `user@domain` for members
    /// of partner instances whose profiles this instance has (at most 1,000).
    #[schema(example = json!(["grace", "bo@partner.example"]))]
    pub mentors: Vec<String>,
}

/// A member as an admin named them: a username here, or elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Handle {
    username: Username,
    /// `None` for this instance.
    domain: Option<String>,
}

/// Reads one list of names; unknown-looking names go to `problems`.
fn handles(
    app: &App,
    role: &str,
    names: &[String],
    local_only: bool,
    problems: &mut Vec<String>,
) -> Vec<(Handle, String)> {
    let mut unreadable = Vec::new();
    let mut elsewhere = Vec::new();
    let mut twice = Vec::new();
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    for raw in names {
        let shown = raw.trim().to_owned();
        let (name, domain) = match shown.rsplit_once('@') {
            Some((name, domain)) => {
                let domain = domain.to_ascii_lowercase();
                (name, (domain != app.federation.domain()).then_some(domain))
            }
            None => (shown.as_str(), None),
        };
        let Ok(username) = Username::parse(name) else {
            unreadable.push(shown);
            continue;
        };
        if local_only && domain.is_some() {
            elsewhere.push(shown);
            continue;
        }
        let handle = Handle { username, domain };
        if !seen.insert(handle.clone()) {
            twice.push(shown);
            continue;
        }
        found.push((handle, shown));
    }
    if !unreadable.is_empty() {
        problems.push(format!("{role}: no such member: {}", unreadable.join(", ")));
    }
    if !elsewhere.is_empty() {
        problems.push(format!(
            "{role}: must be members of this instance: {}",
            elsewhere.join(", ")
        ));
    }
    if !twice.is_empty() {
        problems.push(format!("{role}: listed twice: {}", twice.join(", ")));
    }
    found
}

/// The accounts of these handles, in order; those not found (or at an
/// instance that is not a partner now) go to `problems`, by name.
async fn resolve(
    app: &App,
    role: &str,
    wanted: &[(Handle, String)],
    problems: &mut Vec<String>,
) -> AppResult<Vec<Uuid>> {
    let keys: Vec<(Username, Option<String>)> = wanted
        .iter()
        .map(|(h, _)| (h.username.clone(), h.domain.clone()))
        .collect();
    let found: HashMap<Handle, Uuid> = app
        .store
        .accounts_by_handle(&keys)
        .await?
        .into_iter()
        .map(|p| {
            (
                Handle {
                    username: p.username,
                    domain: p.domain,
                },
                p.account_id,
            )
        })
        .collect();
    let domains: Vec<&str> = wanted
        .iter()
        .filter_map(|(h, _)| h.domain.as_deref())
        .collect();
    let partners = crate::lookup::partners_among(app, &domains).await?;
    let mut ids = Vec::with_capacity(wanted.len());
    let mut unknown = Vec::new();
    for (handle, shown) in wanted {
        let partner = handle
            .domain
            .as_ref()
            .is_none_or(|d| partners.get(d).copied().unwrap_or(false));
        match found.get(handle) {
            Some(id) if partner => ids.push(*id),
            _ => unknown.push(shown.as_str()),
        }
    }
    if !unknown.is_empty() {
        problems.push(format!(
            "{role}: no such member here or at a partner instance: {}",
            unknown.join(", ")
        ));
    }
    Ok(ids)
}

/// Sets a cohort's mentees and mentors, replacing both lists. Names that
/// are unknown, listed twice, or (for mentees) not of this instance are
/// refused together, naming them, and nothing changes. A proposal made
/// for the earlier members is dropped; once approved, a cohort is closed.
pub async fn set_members(
    app: &App,
    _admin: &Admin,
    id: Uuid,
    body: MembersBody,
) -> AppResult<CohortView> {
    find(app, id).await?;
    if body.mentees.len() > MAX_MENTEES || body.mentors.len() > MAX_MENTORS {
        return Err(AppError::Validation(format!(
            "a cohort has at most {MAX_MENTEES} mentees and {MAX_MENTORS} mentors"
        )));
    }
    let mut problems = Vec::new();
    let mentees = handles(app, "mentees", &body.mentees, true, &mut problems);
    let mentors = handles(app, "mentors", &body.mentors, false, &mut problems);
    let mentee_ids = resolve(app, "mentees", &mentees, &mut problems).await?;
    let mentor_ids = resolve(app, "mentors", &mentors, &mut problems).await?;
    if !problems.is_empty() {
        return Err(AppError::Validation(problems.join("; ")));
    }
    let cohort = app
        .store
        .set_cohort_members(id, &mentee_ids, &mentor_ids, Utc::now())
        .await?;
    Ok(cohort.into())
}

/// Scores every pair and plans the cohort, off the async threads: a
/// thousand mentees by a few hundred mentors is real work.
async fn compute(
    cohort: &Cohort,
    by: Uuid,
    weights: Weights,
    profiles: HashMap<Uuid, ProfileRecord>,
    loads: HashMap<Uuid, MentorLoad>,
    open: HashSet<(Uuid, Uuid)>,
) -> AppResult<NewProposal> {
    let mentee_ids: Vec<Uuid> = cohort.mentees.iter().map(|m| m.account_id).collect();
    let mentor_ids: Vec<Uuid> = cohort.mentors.iter().map(|m| m.account_id).collect();
    let (cohort_id, revision) = (cohort.id, cohort.revision);
    let missing = || AppError::Internal("a cohort member's profile is missing".into());
    if !mentee_ids
        .iter()
        .chain(&mentor_ids)
        .all(|id| profiles.contains_key(id))
    {
        return Err(missing());
    }
    tokio::task::spawn_blocking(move || {
        let now = Utc::now();
        let profile = |id: &Uuid| &profiles[id];
        let seekers: Vec<_> = mentee_ids
            .iter()
            .map(|id| seeker_of(&profile(id).profile, now))
            .collect();
        let mentors: Vec<_> = mentor_ids
            .iter()
            .map(|id| {
                let record = profile(id);
                let mut candidate =
                    candidate_of(record, loads.get(id).copied().unwrap_or_default(), now);
                // Only mentors taking mentees, with a profile members may
                // see, have places (as in `GET /api/v1/matches`).
                let mentor = &record.profile.mentor;
                if !mentor.offers_mentoring
                    || !mentor.accepting_mentees
                    || record.profile.visibility == Visibility::Private
                {
                    candidate.capacity = 0;
                }
                candidate
            })
            .collect();
        let barred = |i: usize, j: usize| {
            let (mentee, mentor) = (mentee_ids[i], mentor_ids[j]);
            if mentee == mentor {
                Some(Barred::Oneself)
            } else if open.contains(&(mentor, mentee)) {
                Some(Barred::AlreadyPaired)
            } else {
                None
            }
        };
        let plan = plan(&seekers, &mentors, barred, &weights);
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        NewProposal {
            cohort_id,
            revision,
            computed_by: by,
            weights,
            total_score: plan.total_score,
            assigned: count(plan.assigned),
            greedy_total_score: plan.greedy_total_score,
            greedy_assigned: count(plan.greedy_assigned),
            entries: plan
                .choices
                .iter()
                .zip(&mentee_ids)
                .map(|(choice, mentee)| {
                    let proposed = match choice {
                        Ok(choice) => ProposedFor::Mentor {
                            mentor: mentor_ids[choice.mentor],
                            score: choice.score,
                            factors: choice.values.explain(&weights, &mentors[choice.mentor]),
                        },
                        Err(reason) => ProposedFor::Unassigned(*reason),
                    };
                    (*mentee, proposed)
                })
                .collect(),
        }
    })
    .await
    .map_err(AppError::internal)
}

/// Matches the cohort: scores every mentee–mentor pair as
/// `GET /api/v1/matches` does (with the instance's weights; a shared
/// language and a free place are required), then finds the assignment that
/// gives the most mentees a mentor and, among those, the highest total
/// score (min-cost flow). A mentor's places are their capacity minus the
/// places they hold now. The proposal is stored for review, replacing any
/// earlier one, with the greedy total for comparison and, for each mentee
/// left out, the reason.
pub async fn run_match(app: &App, admin: &Admin, id: Uuid) -> AppResult<ProposalView> {
    app.limits.expensive(admin.account.id)?;
    let cohort = find(app, id).await?;
    if cohort.status == CohortStatus::Approved {
        return Err(AppError::Conflict(
            "the cohort's proposal has been approved and its requests sent; the cohort is closed"
                .into(),
        ));
    }
    if cohort.mentees.is_empty() || cohort.mentors.is_empty() {
        return Err(AppError::Validation(format!(
            "the cohort needs mentees and mentors first (it has {} and {}): \
             set them with PUT /api/v1/admin/cohorts/{id}/members",
            cohort.mentees.len(),
            cohort.mentors.len()
        )));
    }
    let weights = app.store.settings().await?.match_weights;
    let ids = |list: &[PartyRecord]| list.iter().map(|p| p.account_id).collect::<Vec<_>>();
    let (mentee_ids, mentor_ids) = (ids(&cohort.mentees), ids(&cohort.mentors));
    let everyone: Vec<Uuid> = mentee_ids.iter().chain(&mentor_ids).copied().collect();
    let profiles = app
        .store
        .profiles(&everyone)
        .await?
        .into_iter()
        .map(|p| (p.account_id, p))
        .collect();
    let loads = app.store.mentor_loads(&mentor_ids).await?;
    let open = app.store.open_pairs_of(&mentee_ids).await?;
    let new = compute(&cohort, admin.account.id, weights, profiles, loads, open).await?;
    let proposal = app.store.save_proposal(&new, Utc::now()).await?;
    tracing::info!(
        cohort = %id,
        assigned = proposal.assigned,
        total_score = proposal.total_score,
        greedy_total_score = proposal.greedy_total_score,
        "cohort matched"
    );
    Ok(proposal.into())
}

/// The cohort's proposal for review (after approval, with what became of
/// each request).
pub async fn get_proposal(app: &App, _admin: &Admin, id: Uuid) -> AppResult<ProposalView> {
    find(app, id).await?;
    let proposal = app.store.proposal(id).await?.ok_or_else(|| {
        AppError::NotFound(format!(
            "cohort {id} has no proposal yet: POST /api/v1/admin/cohorts/{id}/match"
        ))
    })?;
    Ok(proposal.into())
}

/// Approves the proposal: one mentorship request per pair, made in the
/// mentee's name through the usual request path (the mentor must still
/// have a place and take mentees), each carrying a message that names the
/// cohort; the mentor and the mentee are notified. A pair that fails (the
/// mentor filled up meanwhile, say) is reported with the reason and does
/// not undo the others. Approving closes the cohort.
pub async fn approve(app: &App, admin: &Admin, id: Uuid) -> AppResult<ProposalView> {
    let cohort = find(app, id).await?;
    let approval = CohortApproval {
        approved_by: admin.account.id,
        message: format!(
            "Matched in the cohort \u{201c}{}\u{201d} by the program admins.",
            cohort.name
        ),
    };
    let approved = app.store.approve_cohort(id, &approval, Utc::now()).await?;
    let sent = approved
        .entries
        .iter()
        .filter(|e| matches!(e.outcome, Some(RequestOutcome::Requested(_))))
        .count();
    // Requests to mentors elsewhere wait in the outbox.
    if approved.entries.iter().any(|e| {
        matches!(e.outcome, Some(RequestOutcome::Requested(_)))
            && matches!(&e.proposed, ProposedFor::Mentor { mentor, .. } if mentor.domain.is_some())
    }) {
        app.federation.wake();
    }
    tracing::info!(cohort = %id, requests = sent, "cohort approved");
    Ok(approved.into())
}
