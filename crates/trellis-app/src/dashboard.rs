//! What a member sees first: each of their mentorships with what to do
//! next, the notifications they have not read, reviews that are due, and
//! the drift warning when their growth leaves their plan behind.

use chrono::{DateTime, Utc};
use serde::Serialize;
use trellis_core::growth::{DriftInsight, DriftOutcome};
use trellis_core::mentorship::{MentorshipState, Party, Transition};
use trellis_core::review::{Cadence, ReviewState};
use trellis_core::skill::SkillKey;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::App;
use crate::caller::Caller;
use crate::endorsements::{self, EndorsementView};
use crate::error::AppResult;
use crate::mentorships::{self, ListParams, MentorshipView};
use crate::notifications::{self, NotificationParams, NotificationView};
use crate::plan;
use crate::reviews::{self, ReviewView};
use crate::sessions::{self, SessionView};

/// What the member is to do next in a mentorship, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum NextStep {
    /// A request waits for the mentor's answer: the mentor is to answer it.
    Answer,
    /// The mentee asked; the mentor has not answered yet.
    AwaitAnswer,
    /// A review is in progress and the member's part is not in yet.
    SubmitReviewPart { review_id: Uuid },
    /// A review is in progress and waits for the other party's part.
    AwaitReviewPart { review_id: Uuid },
    /// The mentorship's review cadence says a review is due.
    StartReview,
    /// Under way: the next session is to be logged.
    LogSession,
    /// Paused: either party may resume it.
    Resume,
    /// Finished: nothing more to do.
    Nothing,
}

/// A mentorship on the member's home page.
#[derive(Debug, Serialize, ToSchema)]
pub struct MentorshipCard {
    pub mentorship: MentorshipView,
    pub next: NextStep,
    /// When a review falls due (active and paused mentorships).
    pub review_due_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Dashboard {
    /// Open mentorships (requested, active, paused) where the member is the mentee.
    pub as_mentee: Vec<MentorshipCard>,
    /// Open mentorships where the member is the mentor.
    pub as_mentor: Vec<MentorshipCard>,
    /// How many of their mentorships are finished (completed, ended, declined, withdrawn).
    pub finished: usize,
    /// Unread notifications, newest first (at most 10).
    pub unread: Vec<NotificationView>,
    /// The drift warning, when the member's growth left their plan behind.
    pub drift: Option<DriftInsight>,
}

/// The member's home page.
pub async fn dashboard(app: &App, caller: &Caller) -> AppResult<Dashboard> {
    let all = mentorships::list(
        app,
        caller,
        ListParams {
            role: None,
            state: None,
        },
    )
    .await?;
    let now = Utc::now();
    let (mut as_mentee, mut as_mentor, mut finished) = (Vec::new(), Vec::new(), 0);
    for m in all {
        if !m.state.is_open() {
            finished += 1;
            continue;
        }
        let card = card(app, m, now).await?;
        match card.mentorship.role {
            Party::Mentee => as_mentee.push(card),
            Party::Mentor => as_mentor.push(card),
        }
    }
    let unread = notifications::list(app, caller, NotificationParams { limit: Some(50) })
        .await?
        .into_iter()
        .filter(|n| !n.read)
        .take(10)
        .collect();
    let drift = match plan::growth(app, caller).await?.growth.drift {
        DriftOutcome::Drift(insight) => Some(insight),
        _ => None,
    };
    Ok(Dashboard {
        as_mentee,
        as_mentor,
        finished,
        unread,
        drift,
    })
}

async fn card(app: &App, m: MentorshipView, now: DateTime<Utc>) -> AppResult<MentorshipCard> {
    let holds = m.state.holds_a_place();
    let (reviews, cadence) = if holds {
        (
            app.store.reviews_of(m.id).await?,
            Some(app.store.review_cadence(m.id).await?),
        )
    } else {
        (Vec::new(), None)
    };
    let in_progress = reviews.iter().find(|r| r.state != ReviewState::Completed);
    let last_completed = reviews.iter().filter_map(|r| r.completed_at).max();
    let review_due_at = cadence.map(|c| c.next_due(last_completed.unwrap_or(m.created_at)));
    let next = match (m.state, m.role) {
        (MentorshipState::Requested, Party::Mentor) => NextStep::Answer,
        (MentorshipState::Requested, Party::Mentee) => NextStep::AwaitAnswer,
        (MentorshipState::Paused, _) => NextStep::Resume,
        (MentorshipState::Active, role) => match in_progress {
            Some(r) => {
                let mine_in = match role {
                    Party::Mentee => r.mentee_part.is_some(),
                    Party::Mentor => r.mentor_part.is_some(),
                };
                if mine_in {
                    NextStep::AwaitReviewPart { review_id: r.id }
                } else {
                    NextStep::SubmitReviewPart { review_id: r.id }
                }
            }
            None if review_due_at.is_some_and(|due| due <= now) => NextStep::StartReview,
            None => NextStep::LogSession,
        },
        _ => NextStep::Nothing,
    };
    Ok(MentorshipCard {
        mentorship: m,
        next,
        review_due_at,
    })
}

/// Everything a mentorship's page shows its party: the mentorship with its
/// history, what the caller may do with it now, its sessions (with the
/// caller's own private notes), its reviews as the caller may see them,
/// its review cadence, the endorsements the caller gave through it, and
/// the skills a review or an endorsement can name.
#[derive(Debug, Serialize, ToSchema)]
pub struct MentorshipDesk {
    pub mentorship: MentorshipView,
    /// The steps the caller's side may take now.
    pub allowed: Vec<Transition>,
    pub sessions: Vec<SessionView>,
    pub reviews: Vec<ReviewView>,
    pub cadence: Cadence,
    pub endorsements_given: Vec<EndorsementView>,
    /// The other party's skills, by key (what the caller may endorse).
    pub other_skills: Vec<SkillKey>,
    /// Whether a review may be started now (under way, none in progress).
    pub may_start_review: bool,
    /// Whether sessions may be logged now (under way).
    pub may_log: bool,
}

/// One of the caller's mentorships, whole, for its page.
pub async fn mentorship(app: &App, caller: &Caller, id: Uuid) -> AppResult<MentorshipDesk> {
    let view = mentorships::get(app, caller, id).await?;
    let allowed = Transition::ALL
        .into_iter()
        .filter(|t| view.state.next(*t, view.role).is_ok())
        .collect();
    let sessions = sessions::list(app, caller, id).await?;
    let reviews = reviews::list(app, caller, id).await?;
    let cadence = reviews::get_cadence(app, caller, id).await?;
    let mine = endorsements::mine(app, caller).await?;
    let endorsements_given = mine
        .given
        .into_iter()
        .filter(|e| e.mentorship_id == id)
        .collect();
    let (m, _) = crate::lookup::own(app, caller, id).await?;
    let other = match view.role {
        Party::Mentor => m.mentee.account_id,
        Party::Mentee => m.mentor.account_id,
    };
    let other_skills = match app.store.profile(other).await {
        Ok(record) => record.profile.skills.into_iter().map(|s| s.skill).collect(),
        Err(trellis_store::StoreError::NotFound) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let under_way = view.state.holds_a_place();
    let may_start_review = under_way && reviews.iter().all(|r| r.state == ReviewState::Completed);
    Ok(MentorshipDesk {
        may_log: under_way,
        may_start_review,
        mentorship: view,
        allowed,
        sessions,
        reviews,
        cadence,
        endorsements_given,
        other_skills,
    })
}
