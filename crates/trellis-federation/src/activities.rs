//! The activities Trellis sends and accepts, how each is checked, and what
//! each does. Partnerships are `Follow`/`Accept`/`Reject`/`Undo` between
//! instance actors; mentor profiles travel as `Create`/`Update`/`Delete`.

use activitypub_federation::kinds::activity::{
    AcceptType, CreateType, DeleteType, FollowType, RejectType, UndoType, UpdateType,
};
use activitypub_federation::protocol::helpers::deserialize_one_or_many;
use activitypub_federation::traits::Activity;
use async_trait::async_trait;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use trellis_core::partnership::{Partnership, PartnershipEvent};
use trellis_core::profile::Profile;
use trellis_core::settings::FederationMode;
use trellis_core::visibility::Visibility;
use trellis_store::{Instance, NewDelivery, PartnershipStep, StepOutcome};
use url::Url;

use crate::actors::{ActorId, ActorKind, DbActor};
use activitypub_federation::config::Data;

use crate::context::Context;
use crate::error::{FederationError, FederationResult};
use crate::objects::MentorProfile;
use crate::settings::domain_of;

/// A partnership request: one instance actor follows another.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Follow {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: FollowType,
    pub actor: ActorId,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CreateOrUpdateType {
    Create(CreateType),
    Update(UpdateType),
}

/// A member's mentor profile, sent to partners when it is published or changes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileActivity {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: CreateOrUpdateType,
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
    pub actor: ActorId,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    pub object: DeletedRef,
}

/// Every activity an inbox accepts.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
#[enum_delegate::implement(Activity)]
pub enum InboxActivity {
    Follow(Follow),
    Accept(Accept),
    Reject(Reject),
    Undo(Undo),
    Profile(ProfileActivity),
    // Before `Delete`, which would take any `Tombstone`: this one's
    // `formerType` is `Endorsement`.
    EndorsementWithdrawal(crate::endorsements::EndorsementWithdrawal),
    Delete(DeleteProfile),
    // Tried after the partnership answers, whose objects are `Follow`s.
    Offer(crate::mentorships::Offer),
    OfferAnswer(crate::mentorships::OfferAnswer),
    MentorshipUpdate(crate::mentorships::MentorshipUpdate),
    Session(crate::sessions::SessionActivity),
    Review(crate::reviews::ReviewActivity),
    Growth(crate::growth::GrowthActivity),
    Move(crate::moves::MoveActivity),
    // A `Create` like sessions and reviews, told apart by its object's
    // `type` (`Endorsement`).
    Endorsement(crate::endorsements::EndorsementActivity),
}

/// The sender's instance, as this one knows it.
async fn sender_instance(actor: &DbActor, data: &Data<Context>) -> FederationResult<Instance> {
    data.store
        .instance(&actor.domain)
        .await?
        .ok_or_else(|| FederationError::Refused("unknown instance".into()))
}

async fn instance_sender(
    actor: &ActorId,
    data: &Data<Context>,
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

/// Refuses everything but partnership requests from instances that are not partners.
/// Refuses an instance that is not a partner now (unknown, or blocked).
pub(crate) async fn require_partner_domain(
    domain: &str,
    data: &Data<Context>,
) -> FederationResult<()> {
    match data.store.instance(domain).await? {
        Some(instance) if instance.blocked_at.is_none() => require_partner(&instance),
        _ => Err(FederationError::Refused(format!(
            "{domain} is not a partner of this instance"
        ))),
    }
}

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
    data: &Data<Context>,
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

    async fn verify(&self, data: &Data<Context>) -> FederationResult<()> {
        instance_sender(&self.actor, data).await?;
        if self.object != data.settings.instance_actor_url() {
            return Err(FederationError::BadRequest(
                "a partnership request follows this instance's actor (/actor)".into(),
            ));
        }
        Ok(())
    }

    async fn receive(self, data: &Data<Context>) -> FederationResult<()> {
        let (actor, instance) = instance_sender(&self.actor, data).await?;
        let open = data.store.settings().await?.federation_mode == FederationMode::Open;
        let accept = crate::outbox::accept(data, &actor, &self).await?;
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
    data: &Data<Context>,
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

            async fn verify(&self, data: &Data<Context>) -> FederationResult<()> {
                verify_answer(&self.actor, &self.object, $ours, data).await
            }

            async fn receive(self, data: &Data<Context>) -> FederationResult<()> {
                let (_, instance) = instance_sender(&self.actor, data).await?;
                step_for(data, &self.id, &instance, $event, None, |_| Vec::new()).await
            }
        }
    };
}

answer_impl!(Accept, PartnershipEvent::TheyAccept, ours: true);
answer_impl!(Reject, PartnershipEvent::TheyReject, ours: true);
answer_impl!(Undo, PartnershipEvent::TheyEnd, ours: false);

/// The sending member, who must be a member of a partner instance.
pub(crate) async fn partner_member(
    actor: &ActorId,
    data: &Data<Context>,
) -> FederationResult<DbActor> {
    let actor = actor.dereference(data).await?;
    if actor.kind != ActorKind::Person {
        return Err(FederationError::Refused(
            "profiles are sent by their members".into(),
        ));
    }
    require_partner(&sender_instance(&actor, data).await?)?;
    Ok(actor)
}

#[async_trait]
impl Activity for ProfileActivity {
    activity_basics!();

    async fn verify(&self, data: &Data<Context>) -> FederationResult<()> {
        partner_member(&self.actor, data).await?;
        if self.object.attributed_to != *self.actor.inner() {
            return Err(FederationError::Refused(
                "a member sends only their own profile".into(),
            ));
        }
        named_by_sender(&self.object.id, self.actor.inner())?;
        Ok(())
    }

    async fn receive(self, data: &Data<Context>) -> FederationResult<()> {
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

    async fn verify(&self, data: &Data<Context>) -> FederationResult<()> {
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

    async fn receive(self, data: &Data<Context>) -> FederationResult<()> {
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

/// The domain of a URL, for messages and lookups.
pub(crate) fn domain(url: &Url) -> FederationResult<String> {
    domain_of(url).ok_or_else(|| FederationError::BadRequest(format!("{url} has no host")))
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
