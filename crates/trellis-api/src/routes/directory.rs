//! The mentor directory of this instance.

use axum::extract::State;
use trellis_app::App;
use trellis_app::directory::{self, DirectoryPage, DirectoryParams};

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AppJson, AppQuery, Caller};

/// Finds mentors of this instance and of partner instances. Signed-in
/// members see profiles visible to the organization and wider; anonymous
/// callers see public ones only.
#[utoipa::path(
    get,
    path = "/api/v1/directory/mentors",
    tag = "directory",
    params(DirectoryParams),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "One page of mentors, accepting ones first", body = DirectoryPage),
        (status = 400, description = "A parameter is malformed", body = ErrorBody),
        (status = 401, description = "A token was sent but is not valid", body = ErrorBody),
    )
)]
pub async fn mentors(
    State(app): State<App>,
    caller: Option<Caller>,
    AppQuery(params): AppQuery<DirectoryParams>,
) -> ApiResult<AppJson<DirectoryPage>> {
    Ok(AppJson(
        directory::mentors(&app, caller.as_ref().map(|c| &c.0), params).await?,
    ))
}
