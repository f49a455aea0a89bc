//! Skill reviews: a full look at the mentee's skills, the mentee's self
//! ratings and the mentor's ratings, each part submitted once; and how
//! often a mentorship reviews.

use axum::extract::State;
use axum::http::StatusCode;
use trellis_app::App;
use trellis_app::reviews::{self, ReviewView, StartReview};
use trellis_core::review::{Cadence, ReviewPart};
use uuid::Uuid;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AppJson, AppPath, Caller};

/// Starts a skill review of one of the caller's mentorships (active or
/// paused), by either party; one review at a time. The other party is told.
#[utoipa::path(
    post,
    path = "/api/v1/mentorships/{id}/reviews",
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The mentorship's id")),
    request_body = StartReview,
    responses(
        (status = 201, description = "Started", body = ReviewView),
        (status = 404, description = "No such mentorship of the caller's", body = ErrorBody),
        (status = 409, description = "Not under way, or a review is in progress", body = ErrorBody),
        (status = 422, description = "No skills to review, or one named twice", body = ErrorBody),
    )
)]
pub async fn start(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath(id): AppPath<Uuid>,
    AppJson(body): AppJson<StartReview>,
) -> ApiResult<(StatusCode, AppJson<ReviewView>)> {
    Ok((
        StatusCode::CREATED,
        AppJson(reviews::start(&app, &caller, id, body).await?),
    ))
}

/// The reviews of one of the caller's mentorships, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/mentorships/{id}/reviews",
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The mentorship's id")),
    responses(
        (status = 200, description = "The reviews", body = Vec<ReviewView>),
        (status = 404, description = "No such mentorship of the caller's", body = ErrorBody),
    )
)]
pub async fn list(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<Vec<ReviewView>>> {
    Ok(AppJson(reviews::list(&app, &caller, id).await?))
}

/// One review.
#[utoipa::path(
    get,
    path = "/api/v1/mentorships/{id}/reviews/{review_id}",
    tag = "reviews",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The mentorship's id"),
        ("review_id" = Uuid, Path, description = "The review's id"),
    ),
    responses(
        (status = 200, description = "The review", body = ReviewView),
        (status = 404, description = "No such review of the caller's", body = ErrorBody),
    )
)]
pub async fn get(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath((id, review_id)): AppPath<(Uuid, Uuid)>,
) -> ApiResult<AppJson<ReviewView>> {
    Ok(AppJson(reviews::get(&app, &caller, id, review_id).await?))
}

/// Submits the caller's part of a review: the mentee rates themselves, the
/// mentor rates the mentee (1–7, with a comment each). Each part once; the
/// review is completed when both are in. The mentor's part travels to a
/// mentee elsewhere, and the mentee's to a mentor elsewhere.
#[utoipa::path(
    put,
    path = "/api/v1/mentorships/{id}/reviews/{review_id}/part",
    tag = "reviews",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The mentorship's id"),
        ("review_id" = Uuid, Path, description = "The review's id"),
    ),
    request_body = ReviewPart,
    responses(
        (status = 200, description = "Submitted", body = ReviewView),
        (status = 404, description = "No such review of the caller's", body = ErrorBody),
        (status = 409, description = "The caller's part is in already", body = ErrorBody),
        (status = 422, description = "A rating names a skill outside the review, twice, or none at all", body = ErrorBody),
    )
)]
pub async fn submit(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath((id, review_id)): AppPath<(Uuid, Uuid)>,
    AppJson(body): AppJson<ReviewPart>,
) -> ApiResult<AppJson<ReviewView>> {
    Ok(AppJson(
        reviews::submit(&app, &caller, id, review_id, body).await?,
    ))
}

/// How often one of the caller's mentorships reviews skills.
#[utoipa::path(
    get,
    path = "/api/v1/mentorships/{id}/review-cadence",
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The mentorship's id")),
    responses(
        (status = 200, description = "The cadence", body = Cadence),
        (status = 404, description = "No such mentorship of the caller's", body = ErrorBody),
    )
)]
pub async fn get_cadence(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<Cadence>> {
    Ok(AppJson(reviews::get_cadence(&app, &caller, id).await?))
}

/// Sets how often the mentorship reviews skills (every 2 to 52 weeks; 13,
/// quarterly, by default). Either party may set it; both are told when a
/// review falls due.
#[utoipa::path(
    put,
    path = "/api/v1/mentorships/{id}/review-cadence",
    tag = "reviews",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The mentorship's id")),
    request_body = Cadence,
    responses(
        (status = 200, description = "The cadence as kept", body = Cadence),
        (status = 404, description = "No such mentorship of the caller's", body = ErrorBody),
    )
)]
pub async fn put_cadence(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath(id): AppPath<Uuid>,
    AppJson(cadence): AppJson<Cadence>,
) -> ApiResult<AppJson<Cadence>> {
    Ok(AppJson(
        reviews::put_cadence(&app, &caller, id, cadence).await?,
    ))
}
