//! The activities between instances as such: partnerships are
//! `Follow`/`Accept`/`Reject`/`Undo` between instance actors, and mentor
//! profiles travel to partners as `Create`/`Update`/`Delete`. How each is
//! checked, what each does, and how ours are built.

use activitypub_federation::kinds::activity::{
    AcceptType, DeleteType, FollowType, RejectType, UndoType,
};
use activitypub_federation::protocol::helpers::deserialize_one_or_many;
use activitypub_federation::traits::{Activity, Actor};
use async_trait::async_trait;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use trellis_core::partnership::{Partnership, PartnershipEvent};
use trellis_core::profile::Profile;
use trellis_core::settings::FederationMode;
use trellis_core::visibility::Visibility;
use trellis_store::{Instance, NewDelivery, PartnershipStep, StepOutcome};
use url::Url;
use uuid::Uuid;

use crate::actors::{ActorId, DbActor};
use crate::addressing::partner_inbox;
use crate::checks::{instance_sender, named_by_sender, partner_member};
use crate::context::Data;
use crate::delivery::delivery;
use crate::error::{FederationError, FederationResult};
use crate::objects::MentorProfile;
use crate::vocabulary::CreateOrUpdateType;

/// A partnership request: one instance actor follows another.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Follow {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: FollowType,
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub actor: ActorId,
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub object: Url,
}

/// A `Follow` as an answer refers to it: embedded, or by its id.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FollowRef {
    Embedded(Follow),
    Id(Url),
}

impl FollowRef {
    pub fn id(&self) -> &Url {
        match self {
            Self::Embedded(follow) => &follow.id,
            Self::Id(id) => id,
        }
    }

    fn actor(&self) -> Option<&Url> {
        match self {
            Self::Embedded(follow) => Some(follow.actor.inner()),
            Self::Id(_) => None,
        }
    }
}

macro_rules! answer_activity {
    ($(#[$meta:meta])* $name:ident, $kind:ty) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            pub id: Url,
            #[serde(rename = "type")]
            pub kind: $kind,
            #[serde(deserialize_with = "crate::vocabulary::id_of")]
            pub actor: ActorId,
            pub object: FollowRef,
        }
    };
}

answer_activity!(
    /// A partnership request accepted.
    Accept,
    AcceptType
);
answer_activity!(
    /// A partnership request declined, or a partnership ended by the side
    /// that accepted it.
    Reject,
    RejectType
);
answer_activity!(
    /// A partnership request withdrawn, or a partnership ended by the side
    /// that asked for it.
    Undo,
    UndoType
);

/// A member's mentor profile, sent to partners when it is published or changes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileActivity {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: CreateOrUpdateType,
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub actor: ActorId,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    pub object: MentorProfile,
}

/// What a `Delete` names: the object's id, or a `Tombstone` with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DeletedRef {
    Id(Url),
    Tombstone { id: Url },
}

/// A mentor profile withdrawn from partners.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteProfile {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: DeleteType,
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub actor: ActorId,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    pub object: DeletedRef,
}

/// Checks that an answer names our latest `Follow` (`ours`) or theirs.
fn require_follow(instance: &Instance, follow: &FollowRef, ours: bool) -> FederationResult<()> {
    let current = if ours {
        instance.our_follow_id.as_deref()
    } else {
        instance.their_follow_id.as_deref()
    };
    if current == Some(follow.id().as_str()) {
        Ok(())
    } else {
        Err(FederationError::Refused(format!(
            "{} does not answer the current partnership request",
            follow.id()
        )))
    }
}

/// Moves the partnership for a received activity; a repeat has no effect.
async fn step_for(
    data: &Data,
    activity_id: &Url,
    instance: &Instance,
    event: PartnershipEvent,
    their_follow: Option<String>,
    deliveries: impl FnOnce(Partnership) -> Vec<NewDelivery>,
) -> FederationResult<()> {
    let to = match instance.partnership.next(event) {
        Ok(to) => to,
        // A repeat of an activity already applied finds the state moved on.
        Err(_) if data.store.activity_received(activity_id.as_str()).await? => return Ok(()),
        Err(refused) => return Err(FederationError::Refused(refused.to_string())),
    };
    // A new request from them, when we are partners already, means they
    // lost what we sent: send our profiles again.
    let resend_profiles = their_follow.is_some() && to.is_active();
    let step = PartnershipStep {
        domain: instance.domain.clone(),
        from: instance.partnership,
        to,
        our_follow: None,
        their_follow,
        resend_profiles,
        deliveries: deliveries(to),
        received: Some(activity_id.to_string()),
    };
    match data.store.step_partnership(&step, Utc::now()).await? {
        StepOutcome::Applied(instance) => {
            tracing::info!(
                peer = %instance.domain,
                partnership = instance.partnership.as_str(),
                activity = %activity_id,
                "partnership changed"
            );
            data.outbox_signal.notify_one();
            Ok(())
        }
        StepOutcome::Duplicate => Ok(()),
        StepOutcome::Moved => Err(FederationError::Refused(
            "the partnership changed meanwhile; send it again".into(),
        )),
    }
}

#[async_trait]
impl Activity for Follow {
    activity_basics!();

    async fn verify(&self, data: &Data) -> FederationResult<()> {
        instance_sender(&self.actor, data).await?;
        if self.object != data.settings.instance_actor_url() {
            return Err(FederationError::BadRequest(
                "a partnership request follows this instance's actor (/actor)".into(),
            ));
        }
        Ok(())
    }

    async fn receive(self, data: &Data) -> FederationResult<()> {
        let (actor, instance) = instance_sender(&self.actor, data).await?;
        let open = data.store.settings().await?.federation_mode == FederationMode::Open;
        let accept = accept(data, &actor, &self).await?;
        step_for(
            data,
            &self.id,
            &instance,
            PartnershipEvent::TheyAsk { open },
            Some(self.id.to_string()),
            |to| {
                if to.is_active() {
                    vec![accept]
                } else {
                    Vec::new()
                }
            },
        )
        .await
    }
}

/// Checks an answer (`Accept`, `Reject`, `Undo`): from the other instance's
/// actor, naming our latest `Follow` (`ours`) or theirs — and theirs must
/// be their own.
async fn verify_answer(
    actor: &ActorId,
    follow: &FollowRef,
    ours: bool,
    data: &Data,
) -> FederationResult<()> {
    let (sender, instance) = instance_sender(actor, data).await?;
    if !ours && follow.actor().is_some_and(|a| *a != sender.id) {
        return Err(FederationError::Refused(
            "one can only undo one's own Follow".into(),
        ));
    }
    require_follow(&instance, follow, ours)
}

/// The `Activity` of an answer: checked by `verify_answer`, applied as
/// `$event` on the partnership.
macro_rules! answer_impl {
    ($name:ident, $event:expr, ours: $ours:expr) => {
        #[async_trait]
        impl Activity for $name {
            activity_basics!();

            async fn verify(&self, data: &Data) -> FederationResult<()> {
                verify_answer(&self.actor, &self.object, $ours, data).await
            }

            async fn receive(self, data: &Data) -> FederationResult<()> {
                let (_, instance) = instance_sender(&self.actor, data).await?;
                step_for(data, &self.id, &instance, $event, None, |_| Vec::new()).await
            }
        }
    };
}

answer_impl!(Accept, PartnershipEvent::TheyAccept, ours: true);
answer_impl!(Reject, PartnershipEvent::TheyReject, ours: true);
answer_impl!(Undo, PartnershipEvent::TheyEnd, ours: false);

#[async_trait]
impl Activity for ProfileActivity {
    activity_basics!();

    async fn verify(&self, data: &Data) -> FederationResult<()> {
        partner_member(&self.actor, data).await?;
        if self.object.attributed_to != *self.actor.inner() {
            return Err(FederationError::Refused(
                "a member sends only their own profile".into(),
            ));
        }
        named_by_sender(&self.object.id, self.actor.inner())?;
        Ok(())
    }

    async fn receive(self, data: &Data) -> FederationResult<()> {
        let actor = partner_member(&self.actor, data).await?;
        let account_id = actor
            .account_id
            .ok_or_else(|| FederationError::Internal("a person without an account".into()))?;
        let catalog = data.store.list_skills(false).await?;
        let profile = self
            .object
            .into_profile(|key| catalog.iter().any(|skill| skill.key == *key));
        data.store
            .receive_remote_profile(account_id, &profile, self.id.as_str(), Utc::now())
            .await?;
        Ok(())
    }
}

#[async_trait]
impl Activity for DeleteProfile {
    activity_basics!();

    async fn verify(&self, data: &Data) -> FederationResult<()> {
        partner_member(&self.actor, data).await?;
        let object = match &self.object {
            DeletedRef::Id(id) | DeletedRef::Tombstone { id } => id,
        };
        let own = format!(
            "{}/mentor-profile",
            self.actor.inner().as_str().trim_end_matches('/')
        );
        if object.as_str() != own {
            return Err(FederationError::Refused(
                "a member withdraws only their own profile".into(),
            ));
        }
        Ok(())
    }

    async fn receive(self, data: &Data) -> FederationResult<()> {
        let actor = partner_member(&self.actor, data).await?;
        let account_id = actor
            .account_id
            .ok_or_else(|| FederationError::Internal("a person without an account".into()))?;
        let withdrawn = Profile {
            display_name: actor.name.unwrap_or_default(),
            visibility: Visibility::Private,
            ..Profile::default()
        };
        data.store
            .receive_remote_profile(account_id, &withdrawn, self.id.as_str(), Utc::now())
            .await?;
        Ok(())
    }
}

/// A new activity id of this instance.
fn new_id(data: &Data) -> Url {
    data.settings.activity_url(Uuid::now_v7())
}

/// Our request to partner with `peer`.
pub(crate) fn follow(data: &Data, peer: &DbActor) -> FederationResult<(Url, NewDelivery)> {
    let id = new_id(data);
    let follow = Follow {
        id: id.clone(),
        kind: Default::default(),
        actor: data.settings.instance_actor_url().into(),
        object: peer.id.clone(),
    };
    Ok((
        id.clone(),
        delivery(&peer.shared_inbox_or_inbox(), None, &id, follow)?,
    ))
}

/// Their `Follow`, as our answers embed it.
pub(crate) fn their_follow(
    data: &Data,
    peer: &DbActor,
    follow_id: &str,
) -> FederationResult<Follow> {
    Ok(Follow {
        id: Url::parse(follow_id)
            .map_err(|e| FederationError::Internal(format!("stored follow id: {e}")))?,
        kind: Default::default(),
        actor: peer.id.clone().into(),
        object: data.settings.instance_actor_url(),
    })
}

/// Our `Follow` of `peer`, as an `Undo` embeds it.
pub(crate) fn our_follow(data: &Data, peer: &DbActor, follow_id: &str) -> FederationResult<Follow> {
    Ok(Follow {
        id: Url::parse(follow_id)
            .map_err(|e| FederationError::Internal(format!("stored follow id: {e}")))?,
        kind: Default::default(),
        actor: data.settings.instance_actor_url().into(),
        object: peer.id.clone(),
    })
}

/// Our acceptance of their `Follow`.
pub(crate) async fn accept(
    data: &Data,
    peer: &DbActor,
    follow: &Follow,
) -> FederationResult<NewDelivery> {
    let id = new_id(data);
    let accept = Accept {
        id: id.clone(),
        kind: Default::default(),
        actor: data.settings.instance_actor_url().into(),
        object: FollowRef::Embedded(follow.clone()),
    };
    delivery(&peer.shared_inbox_or_inbox(), None, &id, accept)
}

/// Our refusal of their `Follow` (or the end of a partnership we accepted).
pub(crate) fn reject(data: &Data, peer: &DbActor, follow: Follow) -> FederationResult<NewDelivery> {
    let id = new_id(data);
    let reject = Reject {
        id: id.clone(),
        kind: Default::default(),
        actor: data.settings.instance_actor_url().into(),
        object: FollowRef::Embedded(follow),
    };
    delivery(&peer.shared_inbox_or_inbox(), None, &id, reject)
}

/// Our `Follow` withdrawn (or the end of a partnership we asked for).
pub(crate) fn undo(data: &Data, peer: &DbActor, follow: Follow) -> FederationResult<NewDelivery> {
    let id = new_id(data);
    let undo = Undo {
        id: id.clone(),
        kind: Default::default(),
        actor: data.settings.instance_actor_url().into(),
        object: FollowRef::Embedded(follow),
    };
    delivery(&peer.shared_inbox_or_inbox(), None, &id, undo)
}

/// A member's profile sent to each partner (`Create` the first time,
/// `Update` after), or withdrawn from each (`Delete`).
pub(crate) async fn profile_deliveries(
    data: &Data,
    account_id: Uuid,
    partners: &[Instance],
    published_before: bool,
) -> FederationResult<(Vec<NewDelivery>, Option<bool>)> {
    let Some(actor) = data.store.local_actor_by_id(account_id).await? else {
        return Ok((Vec::new(), None));
    };
    let record = data.store.profile(account_id).await?;
    let profile = &record.profile;
    let shareable = profile.mentor.offers_mentoring
        && profile.visibility >= trellis_core::visibility::Visibility::Federated;
    let username = actor.username.as_str();
    let actor_url = data.settings.person_url(username);
    let object_id = data.settings.mentor_profile_url(username);
    let mut deliveries = Vec::new();
    for partner in partners {
        let (inbox, partner_actor) = partner_inbox(partner)?;
        let id = new_id(data);
        if shareable {
            let kind = if published_before {
                CreateOrUpdateType::Update(Default::default())
            } else {
                CreateOrUpdateType::Create(Default::default())
            };
            let activity = ProfileActivity {
                id: id.clone(),
                kind,
                actor: actor_url.clone().into(),
                to: vec![partner_actor],
                object: MentorProfile::from_local(object_id.clone(), actor_url.clone(), profile),
            };
            deliveries.push(delivery(&inbox, Some(account_id), &id, activity)?);
        } else if published_before {
            let activity = DeleteProfile {
                id: id.clone(),
                kind: Default::default(),
                actor: actor_url.clone().into(),
                to: vec![partner_actor],
                object: DeletedRef::Id(object_id.clone()),
            };
            deliveries.push(delivery(&inbox, Some(account_id), &id, activity)?);
        }
    }
    let published = (shareable != published_before).then_some(shareable);
    Ok((deliveries, published))
}
