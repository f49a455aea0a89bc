//! Who signed a request: its signature (either flavour, see
//! `signatures`) checked against the published key of the actor its key
//! id names. A leaf below the inbox and the documents that show more to
//! partners' signed fetches.

use axum::http::{HeaderMap, Method, Uri};
use chrono::Utc;
use url::Url;

use crate::actors::{ActorId, DbActor};
use crate::context::Data;
use crate::error::{FederationError, FederationResult};
use crate::settings::domain_of;
use crate::signatures::{self, Claimed, Incoming};

/// Reads and pre-checks a request's signature: everything but the key.
/// Nothing is fetched; a request that fails here is refused (401) before
/// its sender is looked up.
pub(crate) fn claimed(
    data: &Data,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Option<&[u8]>,
) -> FederationResult<Claimed> {
    let target = data.settings.request_url(uri);
    signatures::inspect(
        Incoming {
            method,
            target: &target,
            headers,
            body,
        },
        data.settings.signatures.accepted,
        Utc::now(),
    )
    .map_err(|e| FederationError::Unsigned(e.0))
}

/// The actor whose key made `claimed`, which must be `expected` when it
/// is given (an activity's actor signs it). The key is the actor's as
/// cached; when it does not verify, the actor is fetched afresh once, in
/// case it changed its key.
pub(crate) async fn signer(
    data: &Data,
    claimed: &Claimed,
    expected: Option<&Url>,
) -> FederationResult<DbActor> {
    let owner = claimed
        .key_owner()
        .map_err(|e| FederationError::Unsigned(e.0))?;
    if let Some(actor) = expected
        && owner != *actor
    {
        return Err(FederationError::Unsigned(format!(
            "the request is signed with {}, which is not a key of the activity's actor {actor}",
            claimed.key_id
        )));
    }
    if data.settings.is_local(&owner) {
        return Err(FederationError::Unsigned(
            "the request is signed with a key of this instance".into(),
        ));
    }
    let id = ActorId::from(owner);
    let actor = id.dereference(data).await?;
    if claimed.verify(&actor.public_key_pem).is_ok() {
        return Ok(actor);
    }
    let fresh = id.dereference_forced(data).await?;
    claimed
        .verify(&fresh.public_key_pem)
        .map_err(|e| FederationError::Unsigned(e.0))?;
    Ok(fresh)
}

/// The instance of a partner that signed this GET, if it is signed by
/// one (checked); `None` for an unsigned or badly signed fetch, and for
/// anyone else's, whose key is never fetched.
pub(crate) async fn partner_fetching(
    data: &Data,
    uri: &Uri,
    headers: &HeaderMap,
) -> Option<String> {
    if !headers.contains_key("signature") {
        return None;
    }
    let claimed = claimed(data, &Method::GET, uri, headers, None).ok()?;
    let domain = domain_of(&claimed.key_owner().ok()?)?;
    match data.store.instance(&domain).await {
        Ok(Some(instance)) if instance.is_partner() => {}
        _ => return None,
    }
    match signer(data, &claimed, None).await {
        Ok(actor) if actor.domain == domain => Some(domain),
        Ok(_) => None,
        Err(err) => {
            tracing::info!(peer = %domain, error = %err, "a signed fetch did not verify");
            None
        }
    }
}
