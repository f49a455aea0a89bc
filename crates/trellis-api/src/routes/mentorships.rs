//! Mentorships: a mentee asks, the mentor answers, and the two move it
//! along; every step by the party allowed to take it, and recorded.

use axum::extract::State;
use axum::http::StatusCode;
use trellis_app::App;
use trellis_app::mentorships::{
    self, ListParams, MentoringTree, MentorshipRequest, MentorshipView, TransitionBody,
    UnmentoredMentor,
};
use trellis_core::mentorship::Transition;
use uuid::Uuid;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Admin, AppJson, AppPath, AppQuery, Caller};

/// Asks a mentor, here or at a partner instance, for a mentorship, as the
/// caller's mentee. A request to a member elsewhere travels as an `Offer`;
/// their instance answers it.
#[utoipa::path(
    post,
    path = "/api/v1/mentorships",
    tag = "mentorships",
    security(("bearer" = [])),
    request_body = MentorshipRequest,
    responses(
        (status = 201, description = "Requested", body = MentorshipView),
        (status = 404, description = "No such mentor visible to the caller", body = ErrorBody),
        (status = 409, description = "The mentor is full or not taking mentees, or the pair has an open mentorship", body = ErrorBody),
        (status = 422, description = "A field breaks a rule (or the caller named themselves)", body = ErrorBody),
    )
)]
pub async fn request(
    State(app): State<App>,
    Caller(caller): Caller,
    AppJson(body): AppJson<MentorshipRequest>,
) -> ApiResult<(StatusCode, AppJson<MentorshipView>)> {
    Ok((
        StatusCode::CREATED,
        AppJson(mentorships::request(&app, &caller, body).await?),
    ))
}

/// The caller's mentorships, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/mentorships",
    tag = "mentorships",
    security(("bearer" = [])),
    params(ListParams),
    responses((status = 200, description = "The caller's mentorships", body = Vec<MentorshipView>))
)]
pub async fn list(
    State(app): State<App>,
    Caller(caller): Caller,
    AppQuery(params): AppQuery<ListParams>,
) -> ApiResult<AppJson<Vec<MentorshipView>>> {
    Ok(AppJson(mentorships::list(&app, &caller, params).await?))
}

/// One of the caller's mentorships, with every state it went through.
#[utoipa::path(
    get,
    path = "/api/v1/mentorships/{id}",
    tag = "mentorships",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The mentorship's id")),
    responses(
        (status = 200, description = "The mentorship", body = MentorshipView),
        (status = 404, description = "No such mentorship of the caller's", body = ErrorBody),
    )
)]
pub async fn get(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<MentorshipView>> {
    Ok(AppJson(mentorships::get(&app, &caller, id).await?))
}

/// Moves a mentorship: `accept`, `decline` (the mentor, while requested),
/// `withdraw` (the mentee, while requested), `pause`, `resume`, `complete`,
/// `end` (either party).
#[utoipa::path(
    post,
    path = "/api/v1/mentorships/{id}/{transition}",
    tag = "mentorships",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The mentorship's id"),
        ("transition" = Transition, Path, description = "accept, decline, withdraw, pause, resume, complete or end"),
    ),
    request_body(content = TransitionBody, description = "Optional: a note for the record"),
    responses(
        (status = 200, description = "Moved", body = MentorshipView),
        (status = 403, description = "Only the other party may do this", body = ErrorBody),
        (status = 404, description = "No such mentorship of the caller's, or no such transition", body = ErrorBody),
        (status = 409, description = "Not possible in the current state, or the mentor is full", body = ErrorBody),
    )
)]
pub async fn transition(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath((id, transition)): AppPath<(Uuid, String)>,
    body: Option<AppJson<TransitionBody>>,
) -> ApiResult<AppJson<MentorshipView>> {
    Ok(AppJson(
        mentorships::transition(&app, &caller, id, transition, body.map(|AppJson(b)| b)).await?,
    ))
}

/// Who mentors whom now, across this instance and its partners.
#[utoipa::path(
    get,
    path = "/api/v1/admin/mentoring-tree",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The mentoring tree", body = MentoringTree),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn tree(
    State(app): State<App>,
    Admin(admin): Admin,
) -> ApiResult<AppJson<MentoringTree>> {
    Ok(AppJson(mentorships::tree(&app, &admin).await?))
}

/// Members of this instance who mentor someone now but have no mentor of
/// their own.
#[utoipa::path(
    get,
    path = "/api/v1/admin/reports/mentors-without-mentor",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Active mentors without a mentor, by username", body = Vec<UnmentoredMentor>),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn unmentored_mentors(
    State(app): State<App>,
    Admin(admin): Admin,
) -> ApiResult<AppJson<Vec<UnmentoredMentor>>> {
    Ok(AppJson(
        mentorships::unmentored_mentors(&app, &admin).await?,
    ))
}
