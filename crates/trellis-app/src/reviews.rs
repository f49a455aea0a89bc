//! Skill reviews: a full look at the mentee's skills, the mentee's self
//! ratings and the mentor's ratings, each part submitted once; and how
//! often a mentorship reviews.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::mentorship::Party;
use trellis_core::review::{Cadence, ReviewPart, ReviewState, SkillRating};
use trellis_core::skill::SkillKey;
use trellis_store::{Mentorship, NewReview, Review, StoreError, Submitted};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::lookup::own;

/// One party's part as the caller may see it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartView {
    pub ratings: Vec<SkillRating>,
    pub submitted_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewView {
    pub id: Uuid,
    pub mentorship_id: Uuid,
    /// `open`, `mentee_done`, `mentor_done` or `completed`.
    #[schema(value_type = String)]
    pub state: ReviewState,
    /// The mentee's skills under review.
    pub skills: Vec<SkillKey>,
    pub started_by: Party,
    pub started_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// The mentee's self ratings: shown to the mentee, and to the mentor
    /// once the review is completed (so neither rates with the other's in
    /// view).
    pub mentee_part: Option<PartView>,
    /// The mentor's ratings, shown likewise.
    pub mentor_part: Option<PartView>,
    /// Which parts are in, whoever may see them.
    pub mentee_submitted: bool,
    pub mentor_submitted: bool,
}

impl PartView {
    /// `author`'s part of a review in `state`, if `viewer` may see it: their
    /// own always, the other's once the review is completed.
    pub(crate) fn visible(
        state: ReviewState,
        part: Option<Submitted>,
        author: Party,
        viewer: Party,
    ) -> Option<Self> {
        part.filter(|_| state.part_visible_to(author, viewer))
            .map(|s| Self {
                ratings: s.part.ratings,
                submitted_at: s.at,
            })
    }
}

impl ReviewView {
    fn new(review: Review, m: &Mentorship, viewer: Party) -> Self {
        let shown = |part, author| PartView::visible(review.state, part, author, viewer);
        Self {
            id: review.id,
            mentorship_id: review.mentorship_id,
            state: review.state,
            skills: review.skills.clone(),
            started_by: if review.started_by == m.mentor.account_id {
                Party::Mentor
            } else {
                Party::Mentee
            },
            started_at: review.started_at,
            completed_at: review.completed_at,
            mentee_submitted: review.mentee_part.is_some(),
            mentor_submitted: review.mentor_part.is_some(),
            mentee_part: shown(review.mentee_part, Party::Mentee),
            mentor_part: shown(review.mentor_part, Party::Mentor),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartReview {
    /// The skills to review; by default every skill of the mentee's profile.
    #[serde(default)]
    pub skills: Option<Vec<SkillKey>>,
}

/// Starts a skill review of one of the caller's mentorships (active or
/// paused), by either party; one review at a time. The other party is told.
pub async fn start(
    app: &App,
    caller: &Caller,
    id: Uuid,
    body: StartReview,
) -> AppResult<ReviewView> {
    let (m, party) = own(app, caller, id).await?;
    let skills = match body.skills {
        Some(skills) => skills,
        None => match app.store.profile(m.mentee.account_id).await {
            Ok(record) => record.profile.skills.into_iter().map(|s| s.skill).collect(),
            Err(StoreError::NotFound) => Vec::new(),
            Err(other) => return Err(other.into()),
        },
    };
    let new = NewReview {
        mentorship_id: m.id,
        started_by: caller.account.id,
        skills,
        object_url: None,
        received: None,
    };
    let review = app.store.start_review(&new, Utc::now()).await?;
    app.tell_other_instance_of(&m);
    Ok(ReviewView::new(review, &m, party))
}

/// The reviews of one of the caller's mentorships, oldest first.
pub async fn list(app: &App, caller: &Caller, id: Uuid) -> AppResult<Vec<ReviewView>> {
    let (m, party) = own(app, caller, id).await?;
    let reviews = app.store.reviews_of(m.id).await?;
    Ok(reviews
        .into_iter()
        .map(|r| ReviewView::new(r, &m, party))
        .collect())
}

/// A review of one of the caller's mentorships.
async fn own_review(
    app: &App,
    caller: &Caller,
    id: Uuid,
    review_id: Uuid,
) -> AppResult<(Mentorship, Party, Review)> {
    let (m, party) = own(app, caller, id).await?;
    match app.store.review(review_id).await {
        Ok(r) if r.mentorship_id == m.id => Ok((m, party, r)),
        Ok(_) | Err(StoreError::NotFound) => Err(AppError::not_found("review")),
        Err(other) => Err(other.into()),
    }
}

/// One review.
pub async fn get(app: &App, caller: &Caller, id: Uuid, review_id: Uuid) -> AppResult<ReviewView> {
    let (m, party, review) = own_review(app, caller, id, review_id).await?;
    Ok(ReviewView::new(review, &m, party))
}

/// Submits the caller's part of a review: the mentee rates themselves, the
/// mentor rates the mentee (1–7, with a comment each). Each part once; the
/// review is completed when both are in. The mentor's part travels to a
/// mentee elsewhere, and the mentee's to a mentor elsewhere.
pub async fn submit(
    app: &App,
    caller: &Caller,
    id: Uuid,
    review_id: Uuid,
    body: ReviewPart,
) -> AppResult<ReviewView> {
    let (m, party, review) = own_review(app, caller, id, review_id).await?;
    body.check(&review.skills)?;
    let review = app
        .store
        .submit_review_part(review.id, caller.account.id, &body, None, Utc::now())
        .await?;
    app.tell_other_instance_of(&m);
    Ok(ReviewView::new(review, &m, party))
}

/// How often one of the caller's mentorships reviews skills.
pub async fn get_cadence(app: &App, caller: &Caller, id: Uuid) -> AppResult<Cadence> {
    let (m, _) = own(app, caller, id).await?;
    Ok(app.store.review_cadence(m.id).await?)
}

/// Sets how often the mentorship reviews skills (every 2 to 52 weeks; 13,
/// quarterly, by default). Either party may set it; both are told when a
/// review falls due.
pub async fn put_cadence(
    app: &App,
    caller: &Caller,
    id: Uuid,
    cadence: Cadence,
) -> AppResult<Cadence> {
    let (m, _) = own(app, caller, id).await?;
    app.store.set_review_cadence(m.id, cadence).await?;
    Ok(cadence)
}
