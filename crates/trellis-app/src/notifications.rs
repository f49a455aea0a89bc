//! Notifications: what a member should know, unread first.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_store::Notification;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: Uuid,
    /// `mentorship_requested`, `mentorship_<state>`, `cohort_request_sent`
    /// (a cohort's approval asked a mentor in the member's name),
    /// `achievement_awarded`, `credential_revoked`, `partnership_<state>`,
    /// `counterpart_moved`, `file_imported`, or for career tracks `nomination_received`
    /// (you were nominated: pick your evidence to accept),
    /// `nomination_awaits_you` (your committee's decision is due),
    /// `nomination_advanced`, `nomination_deferred`, `nomination_rejected`,
    /// `nomination_inducted` and `nomination_withdrawn`.
    #[schema(example = "mentorship_requested")]
    pub kind: String,
    /// The same, in words.
    pub message: String,
    pub mentorship_id: Option<Uuid>,
    /// The nomination, for `nomination_*` kinds.
    pub nomination_id: Option<Uuid>,
    /// The other instance, for partnership events.
    pub domain: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

fn message(n: &Notification) -> String {
    let domain = n.domain.as_deref().unwrap_or("another instance");
    match n.kind.as_str() {
        "mentorship_requested" => "You have a new mentorship request".to_owned(),
        "cohort_request_sent" => {
            "Your mentoring program matched you with a mentor and asked them for you".to_owned()
        }
        "mentorship_active" => "A mentorship of yours is active".to_owned(),
        "mentorship_declined" => "Your mentorship request was declined".to_owned(),
        "mentorship_withdrawn" => "A mentorship request to you was withdrawn".to_owned(),
        "mentorship_paused" => "A mentorship of yours was paused".to_owned(),
        "mentorship_completed" => "A mentorship of yours was completed".to_owned(),
        "mentorship_ended" => "A mentorship of yours was ended".to_owned(),
        "achievement_awarded" => {
            "You received an achievement; its credential is with your credentials".to_owned()
        }
        "credential_revoked" => "One of your credentials was revoked by its issuer".to_owned(),
        "partnership_pending" => format!("{domain} asks to become a partner"),
        "partnership_active" => format!("{domain} is now a partner"),
        "partnership_declined" => format!("{domain} declined the partnership"),
        "partnership_none" => format!("{domain} ended the partnership"),
        "nomination_received" => {
            "You were nominated for a rank: pick your evidence to accept the nomination".to_owned()
        }
        "nomination_awaits_you" => "A nomination waits for your committee's decision".to_owned(),
        "nomination_advanced" => "A nomination of yours advanced to the next stage".to_owned(),
        "nomination_deferred" => "A decision on a nomination of yours was deferred".to_owned(),
        "nomination_rejected" => "A nomination of yours was rejected".to_owned(),
        "nomination_inducted" => "A nomination of yours was approved: the rank is held".to_owned(),
        "nomination_withdrawn" => "A nomination you sponsored was withdrawn".to_owned(),
        other => other.replace('_', " "),
    }
}

impl From<Notification> for NotificationView {
    fn from(n: Notification) -> Self {
        Self {
            message: message(&n),
            id: n.id,
            kind: n.kind,
            mentorship_id: n.mentorship_id,
            nomination_id: n.nomination_id,
            domain: n.domain,
            created_at: n.created_at,
            read: n.read_at.is_some(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NotificationParams {
    /// How many, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// The caller's notifications: unread first, then newest first.
pub async fn list(
    app: &App,
    caller: &Caller,
    params: NotificationParams,
) -> AppResult<Vec<NotificationView>> {
    let limit = params.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::BadRequest("limit must be 1 to 200".into()));
    }
    let found = app.store.notifications(caller.account.id, limit).await?;
    Ok(found.into_iter().map(NotificationView::from).collect())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    /// How many notifications this marked read.
    pub marked: u64,
}

/// Marks one of the caller's notifications read.
pub async fn read_one(app: &App, caller: &Caller, id: Uuid) -> AppResult<MarkedRead> {
    let mine = app.store.notifications(caller.account.id, u32::MAX).await?;
    if !mine.iter().any(|n| n.id == id) {
        return Err(AppError::not_found("notification"));
    }
    let marked = app
        .store
        .mark_read(caller.account.id, Some(id), Utc::now())
        .await?;
    Ok(MarkedRead { marked })
}

/// Marks all the caller's notifications read.
pub async fn read_all(app: &App, caller: &Caller) -> AppResult<MarkedRead> {
    let marked = app
        .store
        .mark_read(caller.account.id, None, Utc::now())
        .await?;
    Ok(MarkedRead { marked })
}

/// A notification with whom it is about: the other party of its
/// mentorship, when it concerns one.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedItem {
    #[serde(flatten)]
    pub notification: NotificationView,
    /// The other party of the mentorship it concerns.
    pub counterpart: Option<crate::views::PartyView>,
}

/// The caller's notifications with whom each is about, unread first, then
/// newest first.
pub async fn feed(app: &App, caller: &Caller, limit: u32) -> AppResult<Vec<FeedItem>> {
    let found = app.store.notifications(caller.account.id, limit).await?;
    let mut items = Vec::with_capacity(found.len());
    for n in found {
        let counterpart = match n.mentorship_id {
            Some(id) => match app.store.mentorship(id).await {
                Ok(m) if m.mentor.account_id == caller.account.id => Some(m.mentee.into()),
                Ok(m) if m.mentee.account_id == caller.account.id => Some(m.mentor.into()),
                Ok(_) | Err(trellis_store::StoreError::NotFound) => None,
                Err(other) => return Err(other.into()),
            },
            None => None,
        };
        items.push(FeedItem {
            notification: n.into(),
            counterpart,
        });
    }
    Ok(items)
}
