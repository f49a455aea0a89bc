//! Sessions: the check-ins of a mentorship, logged and kept up to date by
//! either party; each party's private note on a session is theirs alone.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::mentorship::Party;
use trellis_core::session::{SessionContent, check_private_note};
use trellis_store::{Mentorship, NewSession, Session, StoreError};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::lookup::own;

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

/// Logs a session of one of the caller's mentorships (active or paused).
pub async fn create(
    app: &App,
    caller: &Caller,
    id: Uuid,
    body: SessionContent,
) -> AppResult<SessionView> {
    let content = body.normalize()?;
    let (m, _) = own(app, caller, id).await?;
    let new = NewSession {
        mentorship_id: m.id,
        author_id: caller.account.id,
        content,
        object_url: None,
        received: None,
    };
    let session = app.store.add_session(&new, Utc::now()).await?;
    app.tell_other_instance_of(&m);
    Ok(SessionView::new(session, &m))
}

/// The sessions of one of the caller's mentorships, latest first.
pub async fn list(app: &App, caller: &Caller, id: Uuid) -> AppResult<Vec<SessionView>> {
    let (m, _) = own(app, caller, id).await?;
    let sessions = app.store.sessions(m.id, caller.account.id).await?;
    Ok(sessions
        .into_iter()
        .map(|s| SessionView::new(s, &m))
        .collect())
}

/// A session of one of the caller's mentorships.
async fn own_session(
    app: &App,
    caller: &Caller,
    id: Uuid,
    session_id: Uuid,
) -> AppResult<(Mentorship, Session)> {
    let (m, _) = own(app, caller, id).await?;
    let not_found = || AppError::not_found("session");
    match app.store.session(session_id, caller.account.id).await {
        Ok(s) if s.mentorship_id == m.id => Ok((m, s)),
        Ok(_) | Err(StoreError::NotFound) => Err(not_found()),
        Err(other) => Err(other.into()),
    }
}

/// One session.
pub async fn get(app: &App, caller: &Caller, id: Uuid, session_id: Uuid) -> AppResult<SessionView> {
    let (m, s) = own_session(app, caller, id, session_id).await?;
    Ok(SessionView::new(s, &m))
}

/// Replaces what both parties share of a session (to tick off action
/// items, say), while the mentorship is under way.
pub async fn put(
    app: &App,
    caller: &Caller,
    id: Uuid,
    session_id: Uuid,
    body: SessionContent,
) -> AppResult<SessionView> {
    let content = body.normalize()?;
    let (m, s) = own_session(app, caller, id, session_id).await?;
    let changed = app
        .store
        .update_session(s.id, &content, caller.account.id, None, Utc::now())
        .await?;
    app.tell_other_instance_of(&m);
    Ok(SessionView::new(changed, &m))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrivateNote {
    /// The note; empty removes it.
    pub text: String,
}

/// Sets the caller's private note on a session: seen by the caller alone,
/// never sent anywhere.
pub async fn private_note(
    app: &App,
    caller: &Caller,
    id: Uuid,
    session_id: Uuid,
    body: PrivateNote,
) -> AppResult<SessionView> {
    check_private_note(&body.text)?;
    let (m, s) = own_session(app, caller, id, session_id).await?;
    let kept = app
        .store
        .set_private_note(s.id, caller.account.id, body.text.trim(), Utc::now())
        .await?;
    Ok(SessionView::new(kept, &m))
}
