//! Receiving: the shared inbox and the per-actor inboxes. Every POST must
//! carry a valid HTTP signature of its actor and a matching body digest;
//! what it may do is decided by the activity's own checks after the block
//! list has had its say. [`InboxActivity`] lists every activity an inbox
//! accepts; each is checked and applied by its own module (`activities`
//! for partnerships and profiles, `mentorships`, `sessions`, `reviews`,
//! `growth`, `endorsements`, `moves`).

use activitypub_federation::axum::inbox::{ActivityData, receive_activity};
use activitypub_federation::config::{Data, UrlVerifier};
use activitypub_federation::error::Error as ApubError;
use activitypub_federation::protocol::context::WithContext;
use activitypub_federation::traits::Activity;
use async_trait::async_trait;
use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::Deserialize;
use trellis_store::Store;
use url::Url;

use crate::activities::{Accept, DeleteProfile, Follow, ProfileActivity, Reject, Undo};
use crate::actors::DbActor;
use crate::context::Context;
use crate::endorsements::{EndorsementActivity, EndorsementWithdrawal};
use crate::error::{FederationError, FederationResult};
use crate::growth::GrowthActivity;
use crate::mentorships::{MentorshipUpdate, Offer, OfferAnswer};
use crate::moves::MoveActivity;
use crate::reviews::ReviewActivity;
use crate::sessions::SessionActivity;
use crate::settings::domain_of;

/// Every activity an inbox accepts.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
// The library's macro names `Data` as its own generic type: imported so.
#[enum_delegate::implement(Activity)]
pub enum InboxActivity {
    Follow(Follow),
    Accept(Accept),
    Reject(Reject),
    Undo(Undo),
    Profile(ProfileActivity),
    // Before `Delete`, which would take any `Tombstone`: this one's
    // `formerType` is `Endorsement`.
    EndorsementWithdrawal(EndorsementWithdrawal),
    Delete(DeleteProfile),
    // Tried after the partnership answers, whose objects are `Follow`s.
    Offer(Offer),
    OfferAnswer(OfferAnswer),
    MentorshipUpdate(MentorshipUpdate),
    Session(SessionActivity),
    Review(ReviewActivity),
    Growth(GrowthActivity),
    Move(MoveActivity),
    // A `Create` like sessions and reviews, told apart by its object's
    // `type` (`Endorsement`).
    Endorsement(EndorsementActivity),
}

/// The largest activity accepted.
pub const MAX_ACTIVITY_BYTES: usize = 256 * 1024;

/// `POST /inbox`, `/actor/inbox` and `/users/{name}/inbox`.
pub async fn inbox(data: Data<Context>, request: Request) -> FederationResult<StatusCode> {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_ACTIVITY_BYTES)
        .await
        .map_err(|_| FederationError::TooLarge)?;
    let request = Request::from_parts(parts, Body::from(bytes));
    let activity = ActivityData::from_request(request, &())
        .await
        .map_err(|_| FederationError::BadRequest("unreadable request".into()))?;
    receive_activity::<WithContext<InboxActivity>, DbActor, Context>(activity, &data).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Refuses every URL of a blocked instance, whichever way it goes: fetches,
/// incoming activities' ids and outgoing inboxes.
#[derive(Clone)]
pub(crate) struct BlockList {
    pub(crate) store: Store,
}

#[async_trait]
impl UrlVerifier for BlockList {
    async fn verify(&self, url: &Url) -> Result<(), ApubError> {
        let Some(domain) = domain_of(url) else {
            return Err(ApubError::UrlVerificationError("the URL has no host"));
        };
        match self.store.instance(&domain).await {
            Ok(Some(instance)) if instance.blocked_at.is_some() => {
                Err(ApubError::UrlVerificationError("the instance is blocked"))
            }
            Ok(_) => Ok(()),
            Err(err) => {
                tracing::error!(error = %err, "block list lookup failed");
                Err(ApubError::Other("the block list could not be read".into()))
            }
        }
    }
}
