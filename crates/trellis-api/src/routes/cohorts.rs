//! Cohorts: a program admin gathers mentees and mentors, has the whole
//! cohort matched at once (the assignment with the highest total score,
//! not first come first served), reviews the proposal, and approves it,
//! which sends one mentorship request per pair.

use axum::extract::State;
use axum::http::StatusCode;
use trellis_app::App;
use trellis_app::cohorts::{
    self, CohortSummaryView, CohortView, MembersBody, NewCohortBody, ProposalView,
};
use uuid::Uuid;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Admin, AppJson, AppPath};

/// Creates a cohort, without members yet.
#[utoipa::path(
    post,
    path = "/api/v1/admin/cohorts",
    tag = "cohorts",
    security(("bearer" = [])),
    request_body = NewCohortBody,
    responses(
        (status = 201, description = "Created", body = CohortView),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn create(
    State(app): State<App>,
    Admin(admin): Admin,
    AppJson(body): AppJson<NewCohortBody>,
) -> ApiResult<(StatusCode, AppJson<CohortView>)> {
    Ok((
        StatusCode::CREATED,
        AppJson(cohorts::create(&app, &admin, body).await?),
    ))
}

/// Every cohort, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/admin/cohorts",
    tag = "cohorts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The cohorts", body = Vec<CohortSummaryView>),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn list(
    State(app): State<App>,
    Admin(admin): Admin,
) -> ApiResult<AppJson<Vec<CohortSummaryView>>> {
    Ok(AppJson(cohorts::list(&app, &admin).await?))
}

/// A cohort with its members.
#[utoipa::path(
    get,
    path = "/api/v1/admin/cohorts/{id}",
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's id")),
    responses(
        (status = 200, description = "The cohort", body = CohortView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such cohort", body = ErrorBody),
    )
)]
pub async fn get(
    State(app): State<App>,
    Admin(admin): Admin,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<CohortView>> {
    Ok(AppJson(cohorts::get(&app, &admin, id).await?))
}

/// Sets a cohort's mentees and mentors, replacing both lists. Names that
/// are unknown, listed twice, or (for mentees) not of this instance are
/// refused together, naming them, and nothing changes. A proposal made
/// for the earlier members is dropped; once approved, a cohort is closed.
#[utoipa::path(
    put,
    path = "/api/v1/admin/cohorts/{id}/members",
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's id")),
    request_body = MembersBody,
    responses(
        (status = 200, description = "The cohort with its new members", body = CohortView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such cohort", body = ErrorBody),
        (status = 409, description = "The cohort is approved and closed", body = ErrorBody),
        (status = 422, description = "Unknown, duplicated or misplaced names (all named), or too many", body = ErrorBody),
    )
)]
pub async fn set_members(
    State(app): State<App>,
    Admin(admin): Admin,
    AppPath(id): AppPath<Uuid>,
    AppJson(body): AppJson<MembersBody>,
) -> ApiResult<AppJson<CohortView>> {
    Ok(AppJson(cohorts::set_members(&app, &admin, id, body).await?))
}

/// Matches the cohort: scores every mentee–mentor pair as
/// `GET /api/v1/matches` does (with the instance's weights; a shared
/// language and a free place are required), then finds the assignment that
/// gives the most mentees a mentor and, among those, the highest total
/// score (min-cost flow). A mentor's places are their capacity minus the
/// places they hold now. The proposal is stored for review, replacing any
/// earlier one, with the greedy total for comparison and, for each mentee
/// left out, the reason.
#[utoipa::path(
    post,
    path = "/api/v1/admin/cohorts/{id}/match",
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's id")),
    responses(
        (status = 200, description = "The proposal, stored for review", body = ProposalView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such cohort", body = ErrorBody),
        (status = 409, description = "The cohort is approved and closed, or its members changed meanwhile", body = ErrorBody),
        (status = 422, description = "The cohort has no mentees or no mentors", body = ErrorBody),
    )
)]
pub async fn run_match(
    State(app): State<App>,
    Admin(admin): Admin,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<ProposalView>> {
    Ok(AppJson(cohorts::run_match(&app, &admin, id).await?))
}

/// The cohort's proposal for review (after approval, with what became of
/// each request).
#[utoipa::path(
    get,
    path = "/api/v1/admin/cohorts/{id}/match",
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's id")),
    responses(
        (status = 200, description = "The proposal", body = ProposalView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such cohort, or no proposal yet", body = ErrorBody),
    )
)]
pub async fn get_proposal(
    State(app): State<App>,
    Admin(admin): Admin,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<ProposalView>> {
    Ok(AppJson(cohorts::get_proposal(&app, &admin, id).await?))
}

/// Approves the proposal: one mentorship request per pair, made in the
/// mentee's name through the usual request path (the mentor must still
/// have a place and take mentees), each carrying a message that names the
/// cohort; the mentor and the mentee are notified. A pair that fails (the
/// mentor filled up meanwhile, say) is reported with the reason and does
/// not undo the others. Approving closes the cohort.
#[utoipa::path(
    post,
    path = "/api/v1/admin/cohorts/{id}/approve",
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cohort's id")),
    responses(
        (status = 200, description = "Approved: the proposal with what became of each request", body = ProposalView),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such cohort", body = ErrorBody),
        (status = 409, description = "No proposal to approve, or approved already", body = ErrorBody),
    )
)]
pub async fn approve(
    State(app): State<App>,
    Admin(admin): Admin,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<ProposalView>> {
    Ok(AppJson(cohorts::approve(&app, &admin, id).await?))
}
