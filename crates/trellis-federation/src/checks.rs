//! What received activities check before they change anything: who may
//! send them (an instance actor, a member of a partner, a party of the
//! mentorship named), whether they were applied before, and the store's
//! refusals in the inbox's terms. A leaf: the activities use it; it uses
//! none of them.

use trellis_core::mentorship::Party;
use trellis_store::{Instance, Mentorship, StoreError};
use url::Url;
use uuid::Uuid;

use crate::actors::{ActorId, ActorKind, DbActor};
use crate::addressing::domain;
use crate::context::Data;
use crate::error::{FederationError, FederationResult};

/// Store refusals in the inbox's terms.
pub(crate) fn refused(err: StoreError) -> FederationError {
    match err {
        StoreError::Refused(core) => core.into(),
        StoreError::Conflict(why) => FederationError::Conflict(why),
        other => other.into(),
    }
}

/// Whether an activity was applied before: a repeat is acknowledged and
/// changes nothing (the state it would check has moved on).
pub(crate) async fn repeated(data: &Data, activity: &Url) -> FederationResult<bool> {
    Ok(data.store.activity_received(activity.as_str()).await?)
}

/// Refuses an object that is not named by the sender's own instance. By
/// host and port (the library's check compares hosts only), so that two
/// instances on one host are told apart.
pub(crate) fn named_by_sender(object: &Url, actor: &Url) -> FederationResult<()> {
    if domain(object)? == domain(actor)? {
        Ok(())
    } else {
        Err(FederationError::Refused(format!(
            "{object} is not named by the sender's instance"
        )))
    }
}

/// The sender's instance, as this one knows it.
async fn sender_instance(actor: &DbActor, data: &Data) -> FederationResult<Instance> {
    data.store
        .instance(&actor.domain)
        .await?
        .ok_or_else(|| FederationError::Refused("unknown instance".into()))
}

/// The sending instance actor and its instance, as this one knows it:
/// partnership activities come from instance actors.
pub(crate) async fn instance_sender(
    actor: &ActorId,
    data: &Data,
) -> FederationResult<(DbActor, Instance)> {
    let actor = actor.dereference(data).await?;
    if actor.kind != ActorKind::Instance {
        return Err(FederationError::Refused(
            "partnership activities come from instance actors".into(),
        ));
    }
    let instance = sender_instance(&actor, data).await?;
    Ok((actor, instance))
}

/// Refuses an instance that is not a partner now (unknown, or blocked).
pub(crate) async fn require_partner_domain(domain: &str, data: &Data) -> FederationResult<()> {
    match data.store.instance(domain).await? {
        Some(instance) if instance.blocked_at.is_none() => require_partner(&instance),
        _ => Err(FederationError::Refused(format!(
            "{domain} is not a partner of this instance"
        ))),
    }
}

/// Refuses an instance that is not a partner now.
fn require_partner(instance: &Instance) -> FederationResult<()> {
    if instance.partnership.is_active() {
        Ok(())
    } else {
        Err(FederationError::Refused(format!(
            "{} is not a partner of this instance",
            instance.domain
        )))
    }
}

/// The sending member, who must be a member of a partner instance.
pub(crate) async fn partner_member(actor: &ActorId, data: &Data) -> FederationResult<DbActor> {
    let actor = actor.dereference(data).await?;
    if actor.kind != ActorKind::Person {
        return Err(FederationError::Refused(
            "profiles are sent by their members".into(),
        ));
    }
    require_partner(&sender_instance(&actor, data).await?)?;
    Ok(actor)
}

/// The sending member, of a partner instance.
pub(crate) async fn sender(actor: &ActorId, data: &Data) -> FederationResult<(DbActor, Uuid)> {
    let actor = partner_member(actor, data).await?;
    let account_id = actor
        .account_id
        .ok_or_else(|| FederationError::Internal("a person without an account".into()))?;
    Ok((actor, account_id))
}

/// The mentorship a received activity names, and the sender's side in it.
async fn named(data: &Data, object: &Url, sender: Uuid) -> FederationResult<(Mentorship, Party)> {
    let found = match data.settings.local_mentorship_id(object) {
        Some(id) => match data.store.mentorship(id).await {
            Ok(m) => Some(m),
            Err(StoreError::NotFound) => None,
            Err(other) => return Err(other.into()),
        },
        None => data.store.mentorship_by_object(object.as_str()).await?,
    };
    let unknown = || FederationError::Conflict(format!("{object} is no mentorship known here"));
    let m = found.ok_or_else(unknown)?;
    let party = if m.mentor.account_id == sender && !m.mentor.is_local() {
        Party::Mentor
    } else if m.mentee.account_id == sender && !m.mentee.is_local() {
        Party::Mentee
    } else {
        // Not one of its parties: as good as unknown to them.
        return Err(unknown());
    };
    Ok((m, party))
}

/// What every activity about a mentorship checks first: `None` when it
/// was applied before (a repeat is acknowledged and changes nothing), else
/// the mentorship it names, the sender's side in it and their account.
pub(crate) async fn from_party(
    data: &Data,
    activity: &Url,
    actor: &ActorId,
    mentorship: &Url,
) -> FederationResult<Option<(Mentorship, Party, Uuid)>> {
    if repeated(data, activity).await? {
        return Ok(None);
    }
    let (_, sender_id) = sender(actor, data).await?;
    let (m, party) = named(data, mentorship, sender_id).await?;
    Ok(Some((m, party, sender_id)))
}
