//! A signed activity as it waits in the outbox for one inbox: what the
//! outbox workers sign and send. A leaf below the outbox worker and
//! every module that builds activities.

use activitypub_federation::protocol::context::WithContext;
use serde::Serialize;
use trellis_store::NewDelivery;
use url::Url;
use uuid::Uuid;

use crate::addressing::domain;
use crate::error::{FederationError, FederationResult};
use crate::vocabulary::context;

/// An activity queued for `inbox`, signed by `signer` (the instance actor
/// when `None`).
pub(crate) fn delivery<A: Serialize>(
    inbox: &Url,
    signer: Option<Uuid>,
    id: &Url,
    activity: A,
) -> FederationResult<NewDelivery> {
    let domain = domain(inbox)?;
    let body = serde_json::to_string(&WithContext::new(activity, context()))
        .map_err(|e| FederationError::Internal(format!("serialising an activity: {e}")))?;
    Ok(NewDelivery {
        domain,
        inbox_url: inbox.to_string(),
        activity_id: id.to_string(),
        signer,
        body,
    })
}
