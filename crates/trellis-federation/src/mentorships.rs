//! Mentorships between members of two instances: the mentee's `Offer` of
//! a `Mentorship`, the mentor's `Accept` or `Reject`, the mentee's `Undo`,
//! and `Update`s for pause, resume, complete and end. Each instance keeps
//! its own copy; every step is checked against the state machine of
//! `trellis-core` on arrival, exactly as a local step is, so that both
//! copies go through the same states.

use activitypub_federation::kinds::activity::{
    AcceptType, OfferType, RejectType, UndoType, UpdateType,
};
use activitypub_federation::protocol::helpers::deserialize_one_or_many;
use activitypub_federation::traits::Activity;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::mentorship::{MentorshipState, Party, Transition};
use trellis_core::visibility::Visibility;
use trellis_store::{
    Mentorship as StoredMentorship, MentorshipEvent, MentorshipStep, NewDelivery, NewMentorship,
    PartyRecord, StoreError,
};
use url::Url;
use uuid::Uuid;

use crate::actors::ActorId;
use crate::addressing::{actor_url, object_id, remote_inbox};
use crate::checks::{from_party, named_by_sender, refused, repeated, sender};
use crate::context::Data;
use crate::delivery::delivery;
use crate::error::{FederationError, FederationResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MentorshipType {
    Mentorship,
}

/// A mentorship as it travels: named by the mentee's instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MentorshipObject {
    #[serde(rename = "type")]
    pub kind: MentorshipType,
    pub id: Url,
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub mentor: Url,
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub mentee: Url,
    /// `requested`, `active`, `paused`, `completed` or `ended`.
    pub state: MentorshipState,
    /// The mentee's message to the mentor.
    #[serde(default)]
    pub content: String,
    /// What the mentorship is for.
    #[serde(default)]
    pub goals: String,
    pub published: DateTime<Utc>,
}

/// A mentee asks a mentor.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Offer {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: OfferType,
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub actor: ActorId,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    pub object: MentorshipObject,
}

/// The `Offer` as answers name it: its id, its actor, and the mentorship.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferRef {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: OfferType,
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub actor: Url,
    /// The `Mentorship`'s id.
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub object: Url,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AnswerType {
    Accept(AcceptType),
    Reject(RejectType),
    Undo(UndoType),
}

/// The mentor accepts (`Accept`) or declines (`Reject`) an `Offer`, or
/// the mentee takes it back (`Undo`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferAnswer {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: AnswerType,
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub actor: ActorId,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    pub object: OfferRef,
    /// The note for the record (a refusal's reason).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
}

/// Either party pauses, resumes, completes or ends a mentorship: the
/// `Mentorship` with its new state.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MentorshipUpdate {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: UpdateType,
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub actor: ActorId,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    pub object: MentorshipObject,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
}

/// Applies a received step: the state machine decides, as for a local one.
async fn apply(
    data: &Data,
    activity: &Url,
    m: &StoredMentorship,
    transition: Transition,
    by: Party,
    actor_id: Uuid,
    note: &str,
) -> FederationResult<()> {
    let to = m.state.next(transition, by)?;
    trellis_core::text::check_paragraphs("summary", note, 2000)?;
    let step = MentorshipStep {
        id: m.id,
        from: m.state,
        to,
        actor_id,
        note: note.trim().to_owned(),
        received: Some(activity.to_string()),
    };
    let moved = data
        .store
        .step_mentorship(&step, Utc::now())
        .await
        .map_err(refused)?;
    tracing::info!(mentorship = %moved.id, state = moved.state.as_str(), activity = %activity,
        "mentorship moved by the other party");
    Ok(())
}

#[async_trait]
impl Activity for Offer {
    activity_basics!();

    async fn verify(&self, data: &Data) -> FederationResult<()> {
        if repeated(data, &self.id).await? {
            return Ok(());
        }
        let object = &self.object;
        if object.mentee != *self.actor.inner() {
            return Err(FederationError::Refused(
                "a member asks for a mentorship only as its mentee".into(),
            ));
        }
        named_by_sender(&object.id, self.actor.inner())?;
        if object.state != MentorshipState::Requested {
            return Err(FederationError::BadRequest(
                "an offered mentorship is requested".into(),
            ));
        }
        if data.settings.local_username(&object.mentor).is_none() {
            return Err(FederationError::BadRequest(
                "the mentor is not a member of this instance".into(),
            ));
        }
        trellis_core::text::check_paragraphs("content", &object.content, 2000)?;
        trellis_core::text::check_paragraphs("goals", &object.goals, 2000)?;
        sender(&self.actor, data).await?;
        Ok(())
    }

    async fn receive(self, data: &Data) -> FederationResult<()> {
        if repeated(data, &self.id).await? {
            return Ok(());
        }
        let (_, mentee_id) = sender(&self.actor, data).await?;
        let name = data
            .settings
            .local_username(&self.object.mentor)
            .and_then(|name| trellis_core::account::Username::parse(name).ok())
            .ok_or(FederationError::NotFound)?;
        let mentor = data.store.profile_by_username(&name).await?;
        // Only mentors who show their profile to partners can be asked from
        // elsewhere; one who stopped since gets the request and declines it.
        let shown = mentor.profile.visibility >= Visibility::Federated;
        let new = NewMentorship {
            mentor_id: mentor.account_id,
            mentee_id,
            message: self.object.content.trim().to_owned(),
            goals: self.object.goals.trim().to_owned(),
            object_url: Some(self.object.id.to_string()),
            received: Some(self.id.to_string()),
            decline_when_full: true,
            decline_with: (!shown).then(|| HIDDEN_MENTOR.to_owned()),
        };
        let created = data
            .store
            .request_mentorship(&new, Utc::now())
            .await
            .map_err(refused)?;
        tracing::info!(mentorship = %created.id, state = created.state.as_str(),
            "mentorship requested from elsewhere");
        data.outbox_signal.notify_one();
        Ok(())
    }
}

/// Why a request to a mentor who no longer shows their profile to
/// partners is declined.
const HIDDEN_MENTOR: &str = "the mentor does not take mentees from partner organizations now";

#[async_trait]
impl Activity for OfferAnswer {
    activity_basics!();

    async fn verify(&self, data: &Data) -> FederationResult<()> {
        let Some((m, party, _)) =
            from_party(data, &self.id, &self.actor, &self.object.object).await?
        else {
            return Ok(());
        };
        let offered_by_mentee = match &m.mentee.actor_url {
            Some(actor) => *actor == self.object.actor.as_str(),
            None => {
                data.settings.local_username(&self.object.actor) == Some(m.mentee.username.as_str())
            }
        };
        if !offered_by_mentee {
            return Err(FederationError::BadRequest(
                "the Offer answered is not the mentee's".into(),
            ));
        }
        m.state.next(self.transition(m.state), party)?;
        Ok(())
    }

    async fn receive(self, data: &Data) -> FederationResult<()> {
        let Some((m, party, sender_id)) =
            from_party(data, &self.id, &self.actor, &self.object.object).await?
        else {
            return Ok(());
        };
        let note = self.note(m.state);
        apply(
            data,
            &self.id,
            &m,
            self.transition(m.state),
            party,
            sender_id,
            &note,
        )
        .await
    }
}

impl OfferAnswer {
    /// The step this answer takes from `state`. An `Undo` that arrives
    /// after the mentor accepted crossed the `Accept` on the wire: the
    /// mentee gave up before hearing the answer, so it ends the mentorship
    /// (freeing the mentor's place) rather than being refused.
    const fn transition(&self, state: MentorshipState) -> Transition {
        match (&self.kind, state) {
            (AnswerType::Accept(_), _) => Transition::Accept,
            (AnswerType::Reject(_), _) => Transition::Decline,
            (AnswerType::Undo(_), MentorshipState::Active | MentorshipState::Paused) => {
                Transition::End
            }
            (AnswerType::Undo(_), _) => Transition::Withdraw,
        }
    }

    fn note(&self, state: MentorshipState) -> String {
        match self.transition(state) {
            Transition::End if self.summary.trim().is_empty() => {
                "withdrawn before the acceptance arrived".to_owned()
            }
            _ => self.summary.clone(),
        }
    }
}

/// The transition that takes a mentorship from `from` to `to` by an
/// `Update`, if any.
fn update_transition(from: MentorshipState, to: MentorshipState) -> FederationResult<Transition> {
    use MentorshipState::{Active, Completed, Ended, Paused};
    Ok(match (from, to) {
        (_, Paused) => Transition::Pause,
        (Paused, Active) => Transition::Resume,
        (_, Completed) => Transition::Complete,
        (_, Ended) => Transition::End,
        _ => {
            return Err(FederationError::Conflict(format!(
                "a mentorship that is {} cannot become {} by an Update",
                from.as_str(),
                to.as_str()
            )));
        }
    })
}

#[async_trait]
impl Activity for MentorshipUpdate {
    activity_basics!();

    async fn verify(&self, data: &Data) -> FederationResult<()> {
        let Some((m, party, _)) = from_party(data, &self.id, &self.actor, &self.object.id).await?
        else {
            return Ok(());
        };
        m.state
            .next(update_transition(m.state, self.object.state)?, party)?;
        Ok(())
    }

    async fn receive(self, data: &Data) -> FederationResult<()> {
        let Some((m, party, sender_id)) =
            from_party(data, &self.id, &self.actor, &self.object.id).await?
        else {
            return Ok(());
        };
        let transition = update_transition(m.state, self.object.state)?;
        apply(
            data,
            &self.id,
            &m,
            transition,
            party,
            sender_id,
            &self.summary,
        )
        .await
    }
}

/// The activity that tells the other party's instance about one step a
/// local member took, queued for that instance.
pub(crate) async fn step_delivery(
    data: &Data,
    event_id: Uuid,
) -> FederationResult<Vec<NewDelivery>> {
    let (mentorship_id, event) = match data.store.mentorship_event(event_id).await {
        Ok(found) => found,
        // The mentorship was deleted meanwhile: nothing to tell.
        Err(StoreError::NotFound) => return Ok(Vec::new()),
        Err(other) => return Err(other.into()),
    };
    let m = data.store.mentorship(mentorship_id).await?;
    let (me, other) = if event.actor_id == m.mentor.account_id {
        (&m.mentor, &m.mentee)
    } else {
        (&m.mentee, &m.mentor)
    };
    let Some(inbox) = remote_inbox(data, other).await? else {
        return Ok(Vec::new());
    };
    let previous = previous_state(data, mentorship_id, &event).await?;
    let activity = step_activity(data, &m, me, other, &event, previous)?;
    let id = activity.id().clone();
    let delivery = match activity {
        Step::Offer(a) => delivery(&inbox, Some(me.account_id), &id, a)?,
        Step::Answer(a) => delivery(&inbox, Some(me.account_id), &id, a)?,
        Step::Update(a) => delivery(&inbox, Some(me.account_id), &id, a)?,
    };
    Ok(vec![delivery])
}

/// The state a mentorship was in before `event`.
async fn previous_state(
    data: &Data,
    mentorship_id: Uuid,
    event: &MentorshipEvent,
) -> FederationResult<Option<MentorshipState>> {
    let events = data.store.mentorship_events(mentorship_id).await?;
    let at = events.iter().position(|e| e.id == event.id);
    Ok(at.and_then(|i| i.checked_sub(1)).map(|i| events[i].state))
}

enum Step {
    Offer(Offer),
    Answer(OfferAnswer),
    Update(MentorshipUpdate),
}

impl Step {
    const fn id(&self) -> &Url {
        match self {
            Self::Offer(a) => &a.id,
            Self::Answer(a) => &a.id,
            Self::Update(a) => &a.id,
        }
    }
}

fn step_activity(
    data: &Data,
    m: &StoredMentorship,
    me: &PartyRecord,
    other: &PartyRecord,
    event: &MentorshipEvent,
    previous: Option<MentorshipState>,
) -> FederationResult<Step> {
    let id = data.settings.activity_url(Uuid::now_v7());
    let by = actor_url(data, me)?;
    let to = vec![actor_url(data, other)?];
    let object = MentorshipObject {
        kind: MentorshipType::Mentorship,
        id: object_id(data, m)?,
        mentor: actor_url(data, &m.mentor)?,
        mentee: actor_url(data, &m.mentee)?,
        state: event.state,
        content: m.message.clone(),
        goals: m.goals.clone(),
        published: m.created_at,
    };
    let offer_ref = || OfferRef {
        id: offer_id(&object.id),
        kind: OfferType::Offer,
        actor: object.mentee.clone(),
        object: object.id.clone(),
    };
    let answer = |kind| {
        Step::Answer(OfferAnswer {
            id: id.clone(),
            kind,
            actor: by.clone().into(),
            to: to.clone(),
            object: offer_ref(),
            summary: event.note.clone(),
        })
    };
    Ok(match (previous, event.state) {
        (None, MentorshipState::Requested) => Step::Offer(Offer {
            id: offer_id(&object.id),
            kind: OfferType::Offer,
            actor: by.clone().into(),
            to: to.clone(),
            object,
        }),
        (Some(MentorshipState::Requested), MentorshipState::Active) => {
            answer(AnswerType::Accept(AcceptType::Accept))
        }
        (_, MentorshipState::Declined) => answer(AnswerType::Reject(RejectType::Reject)),
        (_, MentorshipState::Withdrawn) => answer(AnswerType::Undo(UndoType::Undo)),
        _ => Step::Update(MentorshipUpdate {
            id: id.clone(),
            kind: UpdateType::Update,
            actor: by.clone().into(),
            to: to.clone(),
            object,
            summary: event.note.clone(),
        }),
    })
}

/// The `Offer`'s id: one per mentorship, so answers can name it without
/// the mentor's instance storing it.
fn offer_id(object: &Url) -> Url {
    let mut id = object.clone();
    id.set_fragment(Some("offer"));
    id
}
