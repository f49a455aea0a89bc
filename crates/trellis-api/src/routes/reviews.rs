//! Skill reviews: a full look at the mentee's skills, the mentee's self
//! ratings and the mentor's ratings, each part submitted once; and how
//! often a mentorship reviews.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::mentorship::Party;
use trellis_core::review::{Cadence, ReviewPart, ReviewState, SkillRating};
use trellis_core::skill::SkillKey;
use trellis_store::{Mentorship, NewReview, Review, StoreError, Submitted};
use utoipa::ToSchema;
use uuid::Uuid;

use super::mentorships::own;
use super::sessions::tell_the_other_instance;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{AppJson, AppPath, Caller};
use crate::state::AppState;

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
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Uuid>,
    AppJson(body): AppJson<StartReview>,
) -> ApiResult<(StatusCode, AppJson<ReviewView>)> {
    let (m, party) = own(&state, &caller, id).await?;
    let skills = match body.skills {
        Some(skills) => skills,
        None => match state.store.profile(m.mentee.account_id).await {
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
    let review = state.store.start_review(&new, Utc::now()).await?;
    tell_the_other_instance(&state, &m);
    Ok((
        StatusCode::CREATED,
        AppJson(ReviewView::new(review, &m, party)),
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
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<Vec<ReviewView>>> {
    let (m, party) = own(&state, &caller, id).await?;
    let reviews = state.store.reviews_of(m.id).await?;
    Ok(AppJson(
        reviews
            .into_iter()
            .map(|r| ReviewView::new(r, &m, party))
            .collect(),
    ))
}

/// A review of one of the caller's mentorships.
async fn own_review(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    review_id: Uuid,
) -> ApiResult<(Mentorship, Party, Review)> {
    let (m, party) = own(state, caller, id).await?;
    match state.store.review(review_id).await {
        Ok(r) if r.mentorship_id == m.id => Ok((m, party, r)),
        Ok(_) | Err(StoreError::NotFound) => Err(ApiError::not_found("review")),
        Err(other) => Err(other.into()),
    }
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
    State(state): State<AppState>,
    caller: Caller,
    AppPath((id, review_id)): AppPath<(Uuid, Uuid)>,
) -> ApiResult<AppJson<ReviewView>> {
    let (m, party, review) = own_review(&state, &caller, id, review_id).await?;
    Ok(AppJson(ReviewView::new(review, &m, party)))
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
    State(state): State<AppState>,
    caller: Caller,
    AppPath((id, review_id)): AppPath<(Uuid, Uuid)>,
    AppJson(body): AppJson<ReviewPart>,
) -> ApiResult<AppJson<ReviewView>> {
    let (m, party, review) = own_review(&state, &caller, id, review_id).await?;
    body.check(&review.skills)?;
    let review = state
        .store
        .submit_review_part(review.id, caller.account.id, &body, None, Utc::now())
        .await?;
    tell_the_other_instance(&state, &m);
    Ok(AppJson(ReviewView::new(review, &m, party)))
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
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<AppJson<Cadence>> {
    let (m, _) = own(&state, &caller, id).await?;
    Ok(AppJson(state.store.review_cadence(m.id).await?))
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
    State(state): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Uuid>,
    AppJson(cadence): AppJson<Cadence>,
) -> ApiResult<AppJson<Cadence>> {
    let (m, _) = own(&state, &caller, id).await?;
    state.store.set_review_cadence(m.id, cadence).await?;
    Ok(AppJson(cadence))
}
