//! Endorsements: one party of a mentorship vouches for a skill of the
//! other. They are private to the two members they concern — the subject
//! and the endorser — whoever else asks, an admin included. The endorser
//! may withdraw one; it is then shown to no one.

use axum::extract::State;
use axum::http::StatusCode;
use trellis_app::App;
use trellis_app::endorsements::{self, EndorsementView, MyEndorsements};
use trellis_core::recognition::Endorsement;
use uuid::Uuid;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AppJson, AppPath, Caller};

/// Endorses a skill of the caller's counterpart in one of their
/// mentorships (active, paused or completed): the mentor endorses the
/// mentee, the mentee the mentor. The skill must be in this instance's
/// catalog (and not retired); the same skill once per endorser (until
/// they withdraw it). The
/// subject is told, on their own instance when they are a member
/// elsewhere.
#[utoipa::path(
    post,
    path = "/api/v1/mentorships/{id}/endorsements",
    tag = "endorsements",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The mentorship's id")),
    request_body = Endorsement,
    responses(
        (status = 201, description = "Given", body = EndorsementView),
        (status = 404, description = "No such mentorship of the caller's", body = ErrorBody),
        (status = 409, description = "The mentorship does not allow endorsing now, or the skill was endorsed by the caller already", body = ErrorBody),
        (status = 422, description = "An unknown or retired skill, or an empty or too long text", body = ErrorBody),
    )
)]
pub async fn give(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath(id): AppPath<Uuid>,
    AppJson(body): AppJson<Endorsement>,
) -> ApiResult<(StatusCode, AppJson<EndorsementView>)> {
    Ok((
        StatusCode::CREATED,
        AppJson(endorsements::give(&app, &caller, id, body).await?),
    ))
}

/// Withdraws an endorsement the caller gave. It is then gone for both
/// members (on the subject's instance too, when they are a member
/// elsewhere), and the skill may be endorsed anew.
#[utoipa::path(
    delete,
    path = "/api/v1/endorsements/{id}",
    tag = "endorsements",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The endorsement's id")),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 403, description = "The caller is its subject: only the endorser withdraws it", body = ErrorBody),
        (status = 404, description = "No such endorsement in force of the caller's", body = ErrorBody),
    )
)]
pub async fn withdraw(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<StatusCode> {
    endorsements::withdraw(&app, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The endorsements the caller received and gave, here and elsewhere.
#[utoipa::path(
    get,
    path = "/api/v1/me/endorsements",
    tag = "endorsements",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller's endorsements", body = MyEndorsements))
)]
pub async fn mine(
    State(app): State<App>,
    Caller(caller): Caller,
) -> ApiResult<AppJson<MyEndorsements>> {
    Ok(AppJson(endorsements::mine(&app, &caller).await?))
}

/// The endorsements a member of this instance received, as far as the
/// caller may see them: all of them for the member themself, those the
/// caller gave for anyone else. A member whose profile the caller may not
/// see, and who has none from the caller, is answered like one who does
/// not exist.
#[utoipa::path(
    get,
    path = "/api/v1/members/{username}/endorsements",
    tag = "endorsements",
    security(("bearer" = [])),
    params(("username" = String, Path, description = "A member of this instance")),
    responses(
        (status = 200, description = "The endorsements the caller may see, newest first", body = Vec<EndorsementView>),
        (status = 404, description = "No such member, or not visible to the caller", body = ErrorBody),
    )
)]
pub async fn of_member(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath(username): AppPath<String>,
) -> ApiResult<AppJson<Vec<EndorsementView>>> {
    Ok(AppJson(
        endorsements::of_member(&app, &caller, username).await?,
    ))
}
