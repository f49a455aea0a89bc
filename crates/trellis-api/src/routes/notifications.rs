//! Notifications: what a member should know, unread first.

use axum::extract::State;
use trellis_app::App;
use trellis_app::notifications::{self, MarkedRead, NotificationParams, NotificationView};
use uuid::Uuid;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AppJson, AppPath, AppQuery, Caller};

/// The caller's notifications: unread first, then newest first.
#[utoipa::path(
    get,
    path = "/api/v1/notifications",
    tag = "notifications",
    security(("bearer" = [])),
    params(NotificationParams),
    responses((status = 200, description = "Notifications", body = Vec<NotificationView>))
)]
pub async fn list(
    State(app): State<App>,
    Caller(caller): Caller,
    AppQuery(params): AppQuery<NotificationParams>,
) -> ApiResult<AppJson<Vec<NotificationView>>> {
    Ok(AppJson(notifications::list(&app, &caller, params).await?))
}

/// Marks one of the caller's notifications read.
#[utoipa::path(
    post,
    path = "/api/v1/notifications/{id}/read",
    tag = "notifications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The notification's id")),
    responses(
        (status = 200, description = "Marked (0 if it was read already)", body = MarkedRead),
        (status = 404, description = "No such notification of the caller's", body = ErrorBody),
    )
)]
pub async fn read_one(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<MarkedRead>> {
    Ok(AppJson(notifications::read_one(&app, &caller, id).await?))
}

/// Marks all the caller's notifications read.
#[utoipa::path(
    post,
    path = "/api/v1/notifications/read-all",
    tag = "notifications",
    security(("bearer" = [])),
    responses((status = 200, description = "Marked", body = MarkedRead))
)]
pub async fn read_all(
    State(app): State<App>,
    Caller(caller): Caller,
) -> ApiResult<AppJson<MarkedRead>> {
    Ok(AppJson(notifications::read_all(&app, &caller).await?))
}
