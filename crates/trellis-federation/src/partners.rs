//! What admins do with other instances, through the client API: ask to
//! partner, answer a request, end a partnership. Each step is applied with
//! the activity it sends, in one transaction; delivery follows durably.

use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::fetch::webfinger::webfinger_resolve_actor;
use chrono::Utc;
use trellis_core::account::Username;
use trellis_core::partnership::{Partnership, PartnershipEvent};
use trellis_store::{Instance, NewDelivery, PartnershipStep, ProfileRecord, StepOutcome};
use url::Url;

use crate::activities;
use crate::actors::{ActorKind, DbActor};
use crate::addressing::parse_domain;
use crate::context::{Context, Data};
use crate::egress;
use crate::error::{FederationError, FederationResult};

/// What an admin is told when a peer could not be asked: the peer's own
/// answer, when it gave one, in words (see `egress::PeerAnswer`).
fn told(domain: &str, err: FederationError) -> FederationError {
    if let Some(answer) = egress::peer_answer(&err) {
        return FederationError::Peer(answer.to_string());
    }
    if let Some(refused) = egress::refused_url(&err) {
        return FederationError::Refused(refused.to_string());
    }
    match err {
        FederationError::Protocol(_) | FederationError::NotFound => FederationError::Peer(format!(
            "{domain} could not be reached or has no instance actor: {}",
            err.public_message()
        )),
        other => other,
    }
}

/// Finds another instance's actor: by WebFinger (`acct:domain@domain`), or
/// at `/actor`, where Trellis and Mastodon keep it, when WebFinger does
/// not know it. A peer that refuses our signature is not asked again.
async fn resolve_instance(domain: &str, data: &Data) -> FederationResult<DbActor> {
    let found = match webfinger_resolve_actor::<Context, DbActor>(
        &format!("{domain}@{domain}"),
        data,
    )
    .await
    {
        Ok(actor) => Ok(actor),
        Err(err)
            if egress::peer_answer(&err).is_some_and(|a| a.refused_signature)
                || egress::refused_url(&err).is_some() =>
        {
            Err(err)
        }
        Err(_) => {
            let url = Url::parse(&format!("{}://{domain}/actor", data.settings.scheme()))
                .map_err(|e| FederationError::BadRequest(e.to_string()))?;
            ObjectId::<DbActor>::from(url).dereference(data).await
        }
    };
    let actor = found.map_err(|e| told(domain, e))?;
    if actor.kind != ActorKind::Instance || actor.domain != domain {
        return Err(FederationError::Peer(format!(
            "{domain} did not answer with its instance actor"
        )));
    }
    Ok(actor)
}

async fn known_instance(domain: &str, data: &Data) -> FederationResult<(Instance, DbActor)> {
    let instance = data
        .store
        .instance(domain)
        .await?
        .ok_or(FederationError::NotFound)?;
    let actor_url = instance
        .actor
        .as_ref()
        .map(|a| a.actor_url.clone())
        .ok_or(FederationError::NotFound)?;
    let url = Url::parse(&actor_url).map_err(|e| FederationError::Internal(e.to_string()))?;
    let actor = ObjectId::<DbActor>::from(url)
        .dereference_local(data)
        .await?;
    Ok((instance, actor))
}

async fn apply(
    data: &Data,
    instance: &Instance,
    event: PartnershipEvent,
    our_follow: Option<String>,
    deliveries: Vec<NewDelivery>,
) -> FederationResult<Instance> {
    let to = instance
        .partnership
        .next(event)
        .map_err(|e| FederationError::Conflict(e.to_string()))?;
    let step = PartnershipStep {
        domain: instance.domain.clone(),
        from: instance.partnership,
        to,
        our_follow,
        their_follow: None,
        resend_profiles: false,
        deliveries,
        received: None,
    };
    match data.store.step_partnership(&step, Utc::now()).await? {
        StepOutcome::Applied(instance) => {
            tracing::info!(
                peer = %instance.domain,
                partnership = instance.partnership.as_str(),
                "partnership changed by an admin here"
            );
            data.outbox_signal.notify_one();
            Ok(*instance)
        }
        StepOutcome::Duplicate | StepOutcome::Moved => {
            Err(FederationError::Conflict(CHANGED_MEANWHILE.into()))
        }
    }
}

const CHANGED_MEANWHILE: &str = "the partnership changed meanwhile; look again";

/// Asks `domain` to partner: our instance actor follows theirs.
pub async fn request(data: &Data, domain: &str) -> FederationResult<Instance> {
    let domain = parse_domain(domain, data)?;
    if let Some(instance) = data.store.instance(&domain).await?
        && instance.blocked_at.is_some()
    {
        return Err(FederationError::Refused(format!(
            "{domain} is blocked; unblock it first"
        )));
    }
    let peer = resolve_instance(&domain, data).await?;
    let (follow_id, follow) = activities::follow(data, &peer)?;
    // Their own request may arrive while ours is being made: then ours
    // meets theirs (and the two become partners) rather than failing.
    let mut tries = 0;
    loop {
        let instance = data
            .store
            .instance(&domain)
            .await?
            .ok_or(FederationError::NotFound)?;
        match apply(
            data,
            &instance,
            PartnershipEvent::WeAsk,
            Some(follow_id.to_string()),
            vec![follow.clone()],
        )
        .await
        {
            Err(FederationError::Conflict(why)) if why == CHANGED_MEANWHILE && tries < 3 => {
                tries += 1;
            }
            other => return other,
        }
    }
}

/// Accepts or declines `domain`'s pending request.
pub async fn answer(data: &Data, domain: &str, accept: bool) -> FederationResult<Instance> {
    let domain = parse_domain(domain, data)?;
    let (instance, peer) = known_instance(&domain, data).await?;
    if instance.partnership != Partnership::Pending {
        return Err(FederationError::Conflict(format!(
            "there is no request from {domain} to answer"
        )));
    }
    let follow_id = instance.their_follow_id.clone().unwrap_or_default();
    let follow = activities::their_follow(data, &peer, &follow_id)?;
    let (event, delivery) = if accept {
        (
            PartnershipEvent::WeAccept,
            activities::accept(data, &peer, &follow).await?,
        )
    } else {
        (
            PartnershipEvent::WeDecline,
            activities::reject(data, &peer, follow)?,
        )
    };
    apply(data, &instance, event, None, vec![delivery]).await
}

/// Ends the partnership with `domain`, or withdraws or declines a request.
pub async fn end(data: &Data, domain: &str) -> FederationResult<Instance> {
    let domain = parse_domain(domain, data)?;
    let (instance, peer) = known_instance(&domain, data).await?;
    // Withdraw our request and refuse theirs, whichever exist: two
    // instances that asked each other at once each hold both.
    let mut deliveries = Vec::new();
    if instance.partnership != Partnership::Pending
        && let Some(ours) = &instance.our_follow_id
    {
        deliveries.push(activities::undo(
            data,
            &peer,
            activities::our_follow(data, &peer, ours)?,
        )?);
    }
    if instance.partnership != Partnership::Requested
        && let Some(theirs) = &instance.their_follow_id
    {
        deliveries.push(activities::reject(
            data,
            &peer,
            activities::their_follow(data, &peer, theirs)?,
        )?);
    }
    apply(data, &instance, PartnershipEvent::WeEnd, None, deliveries).await
}

/// Finds a member of another instance by `user@domain` and returns what
/// this instance knows of their profile: from the cache when they are known
/// here (their instance may be down), else by WebFinger.
pub async fn resolve_member(data: &Data, handle: &str) -> FederationResult<ProfileRecord> {
    let (name, domain) = handle
        .split_once('@')
        .ok_or_else(|| FederationError::BadRequest("a member elsewhere is user@domain".into()))?;
    let domain = parse_domain(domain, data)?;
    let name = Username::parse(name).map_err(|_| FederationError::NotFound)?;
    if let Some(known) = data.store.remote_profile(&name, &domain).await? {
        return Ok(known);
    }
    let actor = webfinger_resolve_actor::<Context, DbActor>(handle, data)
        .await
        .map_err(|_| FederationError::NotFound)?;
    if actor.kind != ActorKind::Person || actor.domain != domain {
        return Err(FederationError::NotFound);
    }
    let account_id = actor.account_id.ok_or(FederationError::NotFound)?;
    Ok(data.store.profile(account_id).await?)
}
