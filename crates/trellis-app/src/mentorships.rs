//! Mentorships: a mentee asks, the mentor answers, and the two move it
//! along; every step by the party allowed to take it, and recorded.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::account::Username;
use trellis_core::mentorship::{MentorshipState, Party, Transition};
use trellis_core::visibility::{Viewer, Visibility};
use trellis_store::{Mentorship, MentorshipStep, NewMentorship, ProfileRecord, StoreError};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::App;
use crate::caller::{Admin, Caller};
use crate::error::{AppError, AppResult};
use crate::lookup::{own, role_of};
use crate::views::PartyView;

/// A state the mentorship entered.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub state: MentorshipState,
    /// Who moved it: `mentor` or `mentee`.
    pub by: Party,
    pub note: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MentorshipView {
    pub id: Uuid,
    pub mentor: PartyView,
    pub mentee: PartyView,
    /// The caller's side.
    pub role: Party,
    pub state: MentorshipState,
    pub message: String,
    pub goals: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Every state it entered, oldest first (only on single reads).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<HistoryEntry>>,
}

impl MentorshipView {
    fn new(m: Mentorship, role: Party) -> Self {
        Self {
            id: m.id,
            mentor: m.mentor.into(),
            mentee: m.mentee.into(),
            role,
            state: m.state,
            message: m.message,
            goals: m.goals,
            created_at: m.created_at,
            updated_at: m.updated_at,
            history: None,
        }
    }
}

async fn with_history(app: &App, m: Mentorship, role: Party) -> AppResult<MentorshipView> {
    let mentor_id = m.mentor.account_id;
    let events = app.store.mentorship_events(m.id).await?;
    let mut view = MentorshipView::new(m, role);
    view.history = Some(
        events
            .into_iter()
            .map(|e| HistoryEntry {
                state: e.state,
                by: if e.actor_id == mentor_id {
                    Party::Mentor
                } else {
                    Party::Mentee
                },
                note: e.note,
                at: e.at,
            })
            .collect(),
    );
    Ok(view)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MentorshipRequest {
    /// The mentor: a username here, or `user@domain` for a member of a
    /// partner instance.
    #[schema(example = "grace@partner.example")]
    pub mentor: String,
    /// A few words to the mentor.
    #[serde(default)]
    pub message: String,
    /// What the mentorship is for.
    #[serde(default)]
    pub goals: String,
}

/// Asks a mentor, here or at a partner instance, for a mentorship, as the
/// caller's mentee. A request to a member elsewhere travels as an `Offer`;
/// their instance answers it.
pub async fn request(
    app: &App,
    caller: &Caller,
    body: MentorshipRequest,
) -> AppResult<MentorshipView> {
    trellis_core::text::check_paragraphs("message", &body.message, 2000)?;
    trellis_core::text::check_paragraphs("goals", &body.goals, 2000)?;
    let mentor = find_mentor(app, &body.mentor).await?;
    if mentor.account_id == caller.account.id {
        return Err(AppError::Validation(
            "mentor: one cannot mentor oneself".into(),
        ));
    }
    let new = NewMentorship {
        mentor_id: mentor.account_id,
        mentee_id: caller.account.id,
        message: body.message.trim().to_owned(),
        goals: body.goals.trim().to_owned(),
        object_url: None,
        received: None,
        decline_when_full: false,
        decline_with: None,
    };
    let created = app
        .store
        .request_mentorship(&new, Utc::now())
        .await
        .map_err(|err| match err {
            StoreError::Conflict(_) => AppError::Conflict(format!(
                "you already have an open request or mentorship with {}",
                mentor.username
            )),
            other => other.into(),
        })?;
    if mentor.domain.is_some() {
        app.federation.wake();
    }
    let view = with_history(app, created, Party::Mentee).await?;
    Ok(view)
}

/// A mentor the caller may ask: a member here whose profile other members
/// see, or a member of a partner instance (`user@domain`) whose profile
/// their instance shares with this one.
async fn find_mentor(app: &App, raw: &str) -> AppResult<ProfileRecord> {
    let not_found = || AppError::not_found(format_args!("mentor {raw}"));
    let local = match raw.split_once('@') {
        Some((name, domain)) if domain.eq_ignore_ascii_case(app.federation.domain()) => name,
        Some(_) => {
            let record = app
                .federation
                .resolve_member(raw)
                .await
                .map_err(|_| not_found())?;
            // Only profiles their instance shares with partners are cached
            // as visible; anything else is as good as unknown here.
            if record.domain.is_none() || record.profile.visibility < Visibility::Federated {
                return Err(not_found());
            }
            return Ok(record);
        }
        None => raw,
    };
    let name = Username::parse(local).map_err(|_| not_found())?;
    let record = match app.store.profile_by_username(&name).await {
        Ok(record) => record,
        Err(StoreError::NotFound) => return Err(not_found()),
        Err(other) => return Err(other.into()),
    };
    if record.domain.is_some()
        || !record.profile.visibility.admits(Viewer::Member)
        || record.profile.visibility == Visibility::Private
    {
        return Err(not_found());
    }
    Ok(record)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// `mentor` or `mentee`: only mentorships where the caller is that side.
    pub role: Option<Party>,
    /// Only mentorships in this state.
    pub state: Option<MentorshipState>,
}

/// The caller's mentorships, newest first.
pub async fn list(
    app: &App,
    caller: &Caller,
    params: ListParams,
) -> AppResult<Vec<MentorshipView>> {
    let (as_mentor, as_mentee) = match params.role {
        Some(Party::Mentor) => (true, false),
        Some(Party::Mentee) => (false, true),
        None => (true, true),
    };
    let found = app
        .store
        .list_mentorships(caller.account.id, as_mentor, as_mentee, params.state)
        .await?;
    Ok(found
        .into_iter()
        .filter_map(|m| role_of(caller, &m).map(|role| MentorshipView::new(m, role)))
        .collect())
}

/// One of the caller's mentorships, with every state it went through.
pub async fn get(app: &App, caller: &Caller, id: Uuid) -> AppResult<MentorshipView> {
    let (m, role) = own(app, caller, id).await?;
    with_history(app, m, role).await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// Why, for the record (optional).
    #[serde(default)]
    pub note: String,
}

/// Moves a mentorship: `accept`, `decline` (the mentor, while requested),
/// `withdraw` (the mentee, while requested), `pause`, `resume`, `complete`,
/// `end` (either party).
pub async fn transition(
    app: &App,
    caller: &Caller,
    id: Uuid,
    transition: String,
    body: Option<TransitionBody>,
) -> AppResult<MentorshipView> {
    let transition = Transition::parse(&transition)
        .map_err(|_| AppError::not_found(format_args!("transition {transition}")))?;
    let note = body.map(|b| b.note).unwrap_or_default();
    trellis_core::text::check_paragraphs("note", &note, 2000)?;
    let (m, role) = own(app, caller, id).await?;
    let to = m.state.next(transition, role)?;
    let step = MentorshipStep {
        id,
        from: m.state,
        to,
        actor_id: caller.account.id,
        note: note.trim().to_owned(),
        received: None,
    };
    let moved = app.store.step_mentorship(&step, Utc::now()).await?;
    if !(moved.mentor.is_local() && moved.mentee.is_local()) {
        app.federation.wake();
    }
    with_history(app, moved, role).await
}

/// One mentor–mentee pair under way.
#[derive(Debug, Serialize, ToSchema)]
pub struct TreeEdge {
    pub mentor: PartyView,
    pub mentee: PartyView,
    /// `active` or `paused`.
    pub state: MentorshipState,
    pub since: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MentoringTree {
    /// Who mentors whom now, oldest pairs first (either end may be a member
    /// of a partner instance).
    pub edges: Vec<TreeEdge>,
}

/// Who mentors whom now, across this instance and its partners.
pub async fn tree(app: &App, _admin: &Admin) -> AppResult<MentoringTree> {
    let current = app.store.current_mentorships().await?;
    Ok(MentoringTree {
        edges: current
            .into_iter()
            .map(|m| TreeEdge {
                since: m.updated_at,
                state: m.state,
                mentor: m.mentor.into(),
                mentee: m.mentee.into(),
            })
            .collect(),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnmentoredMentor {
    pub username: Username,
    /// Mentees they have now.
    pub mentees: u32,
}

/// Members of this instance who mentor someone now but have no mentor of
/// their own.
pub async fn unmentored_mentors(app: &App, _admin: &Admin) -> AppResult<Vec<UnmentoredMentor>> {
    let current = app.store.current_mentorships().await?;
    let mentored: std::collections::HashSet<Uuid> =
        current.iter().map(|m| m.mentee.account_id).collect();
    let mut mentors: std::collections::BTreeMap<String, (Username, u32)> = Default::default();
    for m in current.iter().filter(|m| m.mentor.domain.is_none()) {
        if !mentored.contains(&m.mentor.account_id) {
            let entry = mentors
                .entry(m.mentor.username.to_string())
                .or_insert_with(|| (m.mentor.username.clone(), 0));
            entry.1 += 1;
        }
    }
    Ok(mentors
        .into_values()
        .map(|(username, mentees)| UnmentoredMentor { username, mentees })
        .collect())
}
