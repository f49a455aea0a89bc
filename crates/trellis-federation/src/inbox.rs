//! Receiving: the shared inbox and the per-actor inboxes. Every POST must
//! carry a valid HTTP signature of its actor and a matching body digest;
//! what it may do is decided by the activity's own checks
//! (`activities.rs`) after the block list has had its say.

use activitypub_federation::axum::inbox::{ActivityData, receive_activity};
use activitypub_federation::config::UrlVerifier;
use activitypub_federation::error::Error as ApubError;
use activitypub_federation::protocol::context::WithContext;
use async_trait::async_trait;
use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use trellis_store::Store;
use url::Url;

use crate::activities::InboxActivity;
use crate::actors::DbActor;
use crate::context::{Context, Data};
use crate::error::{FederationError, FederationResult};
use crate::settings::domain_of;

/// The largest activity accepted.
pub const MAX_ACTIVITY_BYTES: usize = 256 * 1024;

/// `POST /inbox`, `/actor/inbox` and `/users/{name}/inbox`.
pub async fn inbox(data: Data, request: Request) -> FederationResult<StatusCode> {
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
pub struct BlockList {
    pub store: Store,
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
