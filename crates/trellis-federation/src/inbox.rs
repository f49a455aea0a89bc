//! Receiving: the shared inbox and the per-actor inboxes. Every POST must
//! carry a valid HTTP signature of its actor and a matching body digest;
//! what it may do is decided by the activity's own checks after the block
//! list has had its say. [`InboxActivity`] lists every activity an inbox
//! accepts; each is checked and applied by its own module (`activities`
//! for partnerships and profiles, `mentorships`, `sessions`, `reviews`,
//! `growth`, `endorsements`, `moves`).

use activitypub_federation::config::{Data, UrlVerifier};
use activitypub_federation::error::Error as ApubError;
use activitypub_federation::protocol::context::WithContext;
use activitypub_federation::traits::Activity;
use async_trait::async_trait;
use axum::extract::Request;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use trellis_store::Store;
use url::Url;

use crate::activities::{Accept, DeleteProfile, Follow, ProfileActivity, Reject, Undo};
use crate::context::Context;
use crate::endorsements::{EndorsementActivity, EndorsementWithdrawal};
use crate::error::{FederationError, FederationResult};
use crate::growth::GrowthActivity;
use crate::mentorships::{MentorshipUpdate, Offer, OfferAnswer};
use crate::moves::MoveActivity;
use crate::reviews::ReviewActivity;
use crate::sessions::SessionActivity;
use crate::settings::domain_of;
use crate::signed;

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

/// `POST /inbox`, `/actor/inbox` and `/users/{name}/inbox`. In order,
/// each step refusing before the next costs anything: the size; the
/// signature, its date and the body's digest (401, before anything is
/// fetched); the activity's shape (400, naming the field); its id beside
/// its actor; the sender's key (fetching the actor if need be); then the
/// activity's own checks and effect.
pub async fn inbox(data: Data<Context>, request: Request) -> FederationResult<StatusCode> {
    let outcome = receive(&data, request).await;
    let (label, reason) = match &outcome {
        Ok(_) => ("accepted", "ok"),
        Err(err) => ("refused", err.code()),
    };
    metrics::counter!("trellis_inbox_activities_total", "outcome" => label, "reason" => reason)
        .increment(1);
    outcome
}

async fn receive(data: &Data<Context>, request: Request) -> FederationResult<StatusCode> {
    let client = request
        .extensions()
        .get::<trellis_core::client::ClientAddr>()
        .copied()
        .unwrap_or_default();
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_ACTIVITY_BYTES)
        .await
        .map_err(|_| FederationError::TooLarge)?;
    let claimed = signed::claimed(
        data,
        &parts.method,
        &parts.uri,
        &parts.headers,
        Some(&bytes),
    )?;
    // Counted by the domain the signature names, before the costly check
    // of it, and by the address it came from, so that a forger naming a
    // partner's key uses up only its own allowance.
    if let (Some(limit), Ok(owner)) = (data.inbox_limit.get(), claimed.key_owner())
        && let Some(domain) = domain_of(&owner)
        && let Err(retry_after) = limit.admit(&domain, client)
    {
        return Err(FederationError::TooManyRequests {
            domain,
            retry_after,
        });
    }
    let activity = parse(&bytes)?;
    let (id, actor) = (activity.id(), activity.actor());
    if domain_of(id) != domain_of(actor) {
        return Err(FederationError::BadRequest(format!(
            "the activity {id} is not on the domain of its actor {actor}"
        )));
    }
    if data.settings.is_local(id) || data.settings.is_local(actor) {
        return Err(FederationError::BadRequest(
            "the activity claims to come from this instance".into(),
        ));
    }
    BlockList {
        store: data.store.clone(),
    }
    .verify(id)
    .await?;
    signed::signer(data, &claimed, Some(actor)).await?;
    tracing::debug!(activity = %id, flavour = %claimed.flavour, "signature verified");
    activity.verify(data).await?;
    activity.receive(data).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Reads an activity; when it is none Trellis takes, says why, naming
/// the field of the activity it looks like.
pub fn parse(body: &[u8]) -> FederationResult<WithContext<InboxActivity>> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| FederationError::BadRequest(format!("the body is not JSON: {e}")))?;
    if value.get("@context").is_none() {
        return Err(FederationError::BadRequest(
            "the activity has no @context (it must be JSON-LD)".into(),
        ));
    }
    serde_json::from_value(value.clone()).map_err(|_| FederationError::BadRequest(explain(&value)))
}

/// Why `value` is none of the activities an inbox takes.
fn explain(value: &Value) -> String {
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    let kind = text(value, "type").unwrap_or_default();
    let object = value.get("object").unwrap_or(&Value::Null);
    let object_kind = text(object, "type").unwrap_or_default();
    let named = |why: Option<String>| {
        let id = text(value, "id").unwrap_or_else(|| "without an id".into());
        match why {
            Some(why) => format!("the {kind} activity {id} cannot be read: {why}"),
            None => format!("the {kind} activity {id} is not one Trellis takes"),
        }
    };
    if value.get("id").is_none() {
        return "the activity has no id".into();
    }
    if value.get("actor").is_none() {
        return named(Some("actor: missing".into()));
    }
    let why = match (kind.as_str(), object_kind.as_str()) {
        ("Follow", _) => why_not::<Follow>(value),
        ("Accept", "Offer") | ("Reject", "Offer") | ("Undo", "Offer") => {
            why_not::<OfferAnswer>(value)
        }
        ("Accept", _) => why_not::<Accept>(value),
        ("Reject", _) => why_not::<Reject>(value),
        ("Undo", _) => why_not::<Undo>(value),
        ("Offer", _) => why_not::<Offer>(value),
        ("Move", _) => why_not::<MoveActivity>(value),
        ("Create" | "Update", "MentorProfile") => why_not::<ProfileActivity>(value),
        ("Update", "Mentorship") => why_not::<MentorshipUpdate>(value),
        ("Create" | "Update", "MentoringSession") => why_not::<SessionActivity>(value),
        ("Create" | "Update", "SkillReview") => why_not::<ReviewActivity>(value),
        ("Update", "GrowthSummary") => why_not::<GrowthActivity>(value),
        ("Create", "Endorsement") => why_not::<EndorsementActivity>(value),
        ("Delete", _) if text(object, "formerType").as_deref() == Some("Endorsement") => {
            why_not::<EndorsementWithdrawal>(value)
        }
        ("Delete", _) => why_not::<DeleteProfile>(value),
        ("Create" | "Update", "") => Some("object: an object with a type is needed".into()),
        ("Create" | "Update", other) => Some(format!(
            "object: Trellis takes no {other} objects in a {kind}"
        )),
        _ => None,
    };
    named(why)
}

/// The first field of `value` that does not fit `T`, and why.
fn why_not<T: serde::de::DeserializeOwned>(value: &Value) -> Option<String> {
    match serde_path_to_error::deserialize::<_, T>(value.clone()) {
        Ok(_) => None,
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner().to_string();
            Some(if path == "." {
                inner
            } else {
                format!("{path}: {inner}")
            })
        }
    }
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
