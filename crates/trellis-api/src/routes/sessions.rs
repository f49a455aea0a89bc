//! Sessions: the check-ins of a mentorship, logged and kept up to date by
//! either party; each party's private note on a session is theirs alone.

use axum::extract::State;
use axum::http::StatusCode;
use trellis_app::App;
use trellis_app::sessions::{self, PrivateNote, SessionView};
use trellis_core::session::SessionContent;
use uuid::Uuid;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AppJson, AppPath, Caller};

/// Logs a session of one of the caller's mentorships (active or paused).
#[utoipa::path(
    post,
    path = "/api/v1/mentorships/{id}/sessions",
    tag = "sessions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The mentorship's id")),
    request_body = SessionContent,
    responses(
        (status = 201, description = "Logged", body = SessionView),
        (status = 404, description = "No such mentorship of the caller's", body = ErrorBody),
        (status = 409, description = "The mentorship is not under way", body = ErrorBody),
    )
)]
pub async fn create(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath(id): AppPath<Uuid>,
    AppJson(body): AppJson<SessionContent>,
) -> ApiResult<(StatusCode, AppJson<SessionView>)> {
    Ok((
        StatusCode::CREATED,
        AppJson(sessions::create(&app, &caller, id, body).await?),
    ))
}

/// The sessions of one of the caller's mentorships, latest first.
#[utoipa::path(
    get,
    path = "/api/v1/mentorships/{id}/sessions",
    tag = "sessions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The mentorship's id")),
    responses(
        (status = 200, description = "The sessions", body = Vec<SessionView>),
        (status = 404, description = "No such mentorship of the caller's", body = ErrorBody),
    )
)]
pub async fn list(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<Vec<SessionView>>> {
    Ok(AppJson(sessions::list(&app, &caller, id).await?))
}

/// One session.
#[utoipa::path(
    get,
    path = "/api/v1/mentorships/{id}/sessions/{session_id}",
    tag = "sessions",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The mentorship's id"),
        ("session_id" = Uuid, Path, description = "The session's id"),
    ),
    responses(
        (status = 200, description = "The session", body = SessionView),
        (status = 404, description = "No such session of the caller's", body = ErrorBody),
    )
)]
pub async fn get(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath((id, session_id)): AppPath<(Uuid, Uuid)>,
) -> ApiResult<AppJson<SessionView>> {
    Ok(AppJson(sessions::get(&app, &caller, id, session_id).await?))
}

/// Replaces what both parties share of a session (to tick off action
/// items, say), while the mentorship is under way.
#[utoipa::path(
    put,
    path = "/api/v1/mentorships/{id}/sessions/{session_id}",
    tag = "sessions",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The mentorship's id"),
        ("session_id" = Uuid, Path, description = "The session's id"),
    ),
    request_body = SessionContent,
    responses(
        (status = 200, description = "Changed", body = SessionView),
        (status = 404, description = "No such session of the caller's", body = ErrorBody),
        (status = 409, description = "The mentorship is not under way", body = ErrorBody),
    )
)]
pub async fn put(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath((id, session_id)): AppPath<(Uuid, Uuid)>,
    AppJson(body): AppJson<SessionContent>,
) -> ApiResult<AppJson<SessionView>> {
    Ok(AppJson(
        sessions::put(&app, &caller, id, session_id, body).await?,
    ))
}

/// Sets the caller's private note on a session: seen by the caller alone,
/// never sent anywhere.
#[utoipa::path(
    put,
    path = "/api/v1/mentorships/{id}/sessions/{session_id}/private-note",
    tag = "sessions",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The mentorship's id"),
        ("session_id" = Uuid, Path, description = "The session's id"),
    ),
    request_body = PrivateNote,
    responses(
        (status = 200, description = "Kept", body = SessionView),
        (status = 404, description = "No such session of the caller's", body = ErrorBody),
    )
)]
pub async fn private_note(
    State(app): State<App>,
    Caller(caller): Caller,
    AppPath((id, session_id)): AppPath<(Uuid, Uuid)>,
    AppJson(body): AppJson<PrivateNote>,
) -> ApiResult<AppJson<SessionView>> {
    Ok(AppJson(
        sessions::private_note(&app, &caller, id, session_id, body).await?,
    ))
}
