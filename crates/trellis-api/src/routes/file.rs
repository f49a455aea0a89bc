//! The member's long-term file as one timeline: every step of their
//! mentorships as mentor and as mentee, their sessions, skill reviews and
//! plan changes, newest first, a page at a time, across the years.

use axum::extract::State;
use trellis_app::App;
use trellis_app::file::{self, FilePage, FileParams};

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AppJson, AppQuery, Caller};

/// The caller's long-term file as one timeline, newest first: mentorships
/// as mentor and as mentee (each state they entered), sessions, completed
/// skill reviews, plan changes and recognition (credentials issued here,
/// endorsements from elsewhere, credentials brought from another
/// instance). The file is the member's own: nobody
/// else, admins included, reads it.
#[utoipa::path(
    get,
    path = "/api/v1/me/file",
    tag = "plan",
    security(("bearer" = [])),
    params(FileParams),
    responses(
        (status = 200, description = "One page of the timeline", body = FilePage),
        (status = 400, description = "A page or page size out of range", body = ErrorBody),
    )
)]
pub async fn file(
    State(app): State<App>,
    Caller(caller): Caller,
    AppQuery(params): AppQuery<FileParams>,
) -> ApiResult<AppJson<FilePage>> {
    Ok(AppJson(file::file(&app, &caller, params).await?))
}
