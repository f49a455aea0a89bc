//! Sessions: the check-ins of a mentorship, logged and kept up to date by
//! either party; each party's private note on a session is theirs alone.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::mentorship::Party;
use trellis_core::session::{SessionContent, check_private_note};
use trellis_store::{Mentorship, NewSession, Session, StoreError};
use utoipa::ToSchema;
use uuid::Uuid;

use super::mentorships::own;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{AppJson, AppPath, Caller};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub id: Uuid,
    pub mentorship_id: Uuid,
    /// Which side logged it.
    pub logged_by: Party,
    #[serde(flatten)]
    pub content: SessionContent,
    /// The caller's own private note; the other party never sees it, and
    /// it never leaves this instance.
    pub private_note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SessionView {
    fn new(session: Session, m: &Mentorship) -> Self {
        Self {
            id: session.id,
            mentorship_id: session.mentorship_id,
            logged_by: if session.author_id == m.mentor.account_id {
                Party::Mentor
            } else {
                Party::Mentee
            },
            content: session.content,
            private_note: session.private_note,
            created_at: session.created_at,
            updated_at: session.updated_at,
        }
    }
}

/// Wakes federation when the other party is a member elsewhere.
pub(crate) fn tell_the_other_instance(state: &AppState, m: &Mentorship) {
    if !(m.mentor.is_local() && m.mentee.is_local()) {
        state.federation.wake();
    }
}

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
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Uuid>,
    AppJson(body): AppJson<SessionContent>,
) -> ApiResult<(StatusCode, AppJson<SessionView>)> {
    let content = body.normalize()?;
    let (m, _) = own(&state, &caller, id).await?;
    let new = NewSession {
        mentorship_id: m.id,
        author_id: caller.account.id,
        content,
        object_url: None,
        received: None,
    };
    let session = state.store.add_session(&new, Utc::now()).await?;
    tell_the_other_instance(&state, &m);
    Ok((StatusCode::CREATED, AppJson(SessionView::new(session, &m))))
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
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<Vec<SessionView>>> {
    let (m, _) = own(&state, &caller, id).await?;
    let sessions = state.store.sessions(m.id, caller.account.id).await?;
    Ok(AppJson(
        sessions
            .into_iter()
            .map(|s| SessionView::new(s, &m))
            .collect(),
    ))
}

/// A session of one of the caller's mentorships.
async fn own_session(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    session_id: Uuid,
) -> ApiResult<(Mentorship, Session)> {
    let (m, _) = own(state, caller, id).await?;
    let not_found = || ApiError::not_found("session");
    match state.store.session(session_id, caller.account.id).await {
        Ok(s) if s.mentorship_id == m.id => Ok((m, s)),
        Ok(_) | Err(StoreError::NotFound) => Err(not_found()),
        Err(other) => Err(other.into()),
    }
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
    State(state): State<AppState>,
    caller: Caller,
    AppPath((id, session_id)): AppPath<(Uuid, Uuid)>,
) -> ApiResult<AppJson<SessionView>> {
    let (m, s) = own_session(&state, &caller, id, session_id).await?;
    Ok(AppJson(SessionView::new(s, &m)))
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
    State(state): State<AppState>,
    caller: Caller,
    AppPath((id, session_id)): AppPath<(Uuid, Uuid)>,
    AppJson(body): AppJson<SessionContent>,
) -> ApiResult<AppJson<SessionView>> {
    let content = body.normalize()?;
    let (m, s) = own_session(&state, &caller, id, session_id).await?;
    let changed = state
        .store
        .update_session(s.id, &content, caller.account.id, None, Utc::now())
        .await?;
    tell_the_other_instance(&state, &m);
    Ok(AppJson(SessionView::new(changed, &m)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrivateNote {
    /// The note; empty removes it.
    pub text: String,
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
    State(state): State<AppState>,
    caller: Caller,
    AppPath((id, session_id)): AppPath<(Uuid, Uuid)>,
    AppJson(body): AppJson<PrivateNote>,
) -> ApiResult<AppJson<SessionView>> {
    check_private_note(&body.text)?;
    let (m, s) = own_session(&state, &caller, id, session_id).await?;
    let kept = state
        .store
        .set_private_note(s.id, caller.account.id, body.text.trim(), Utc::now())
        .await?;
    Ok(AppJson(SessionView::new(kept, &m)))
}
