//! Skill reviews of a mentorship between members of two instances. A
//! review's start travels as `Create` of a `SkillReview` (the skills it
//! covers, no ratings); each party's part travels, once submitted, as
//! `Update` of the `SkillReview` carrying that part alone. Both are
//! addressed to the other party only. A party can only ever send their own
//! part: the receiving instance takes the sender's side from the mentorship,
//! not from the document.

use activitypub_federation::traits::Activity;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::mentorship::Party;
use trellis_core::review::ReviewPart;
use trellis_core::skill::SkillKey;
use trellis_store::{NewDelivery, NewReview, Review, StoreError};
use url::Url;
use uuid::Uuid;

use crate::addressing::{actor_url, object_id};
use crate::checks::{from_party, named_by_sender, refused};
use crate::context::Data;
use crate::error::{FederationError, FederationResult};
use crate::party::{PartyActivity, to_other_party};
use crate::vocabulary::CreateOrUpdateType;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SkillReviewType {
    SkillReview,
}

/// A review as it travels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillReview {
    #[serde(rename = "type")]
    pub kind: SkillReviewType,
    pub id: Url,
    /// The `Mentorship` it belongs to.
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub mentorship: Url,
    /// Who started it.
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub attributed_to: Url,
    /// The mentee's skills it covers.
    pub skills: Vec<SkillKey>,
    pub start_time: DateTime<Utc>,
    /// The mentee's self ratings, in the mentee's `Update` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mentee_part: Option<ReviewPart>,
    /// The mentor's ratings, in the mentor's `Update` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mentor_part: Option<ReviewPart>,
}

impl SkillReview {
    /// The part `party` sent, refusing a document that carries the other
    /// party's part too.
    fn part_of(&self, party: Party) -> FederationResult<&ReviewPart> {
        let (own, other) = match party {
            Party::Mentee => (&self.mentee_part, &self.mentor_part),
            Party::Mentor => (&self.mentor_part, &self.mentee_part),
        };
        if other.is_some() {
            return Err(FederationError::Refused(
                "a party sends their own part of a review, not the other's".into(),
            ));
        }
        own.as_ref().ok_or_else(|| {
            FederationError::Refused(format!(
                "an Update of a review carries the {} part",
                party.as_str()
            ))
        })
    }
}

/// A review started (`Create`) or a part submitted (`Update`) by one party.
pub type ReviewActivity = PartyActivity<SkillReview>;

/// The review an `Update` names, if this instance knows it.
async fn known_review(data: &Data, id: &Url) -> FederationResult<Option<Review>> {
    match data.settings.local_review_id(id) {
        Some(local) => match data.store.review(local).await {
            Ok(r) => Ok(Some(r)),
            Err(StoreError::NotFound) => Ok(None),
            Err(other) => Err(other.into()),
        },
        None => Ok(data.store.review_by_object(id.as_str()).await?),
    }
}

#[async_trait]
impl Activity for ReviewActivity {
    activity_basics!();

    async fn verify(&self, data: &Data) -> FederationResult<()> {
        let Some((m, party, _)) =
            from_party(data, &self.id, &self.actor, &self.object.mentorship).await?
        else {
            return Ok(());
        };
        match self.kind {
            CreateOrUpdateType::Create(_) => {
                if self.object.attributed_to != *self.actor.inner() {
                    return Err(FederationError::Refused(
                        "a member starts reviews in their own name".into(),
                    ));
                }
                if self.object.mentee_part.is_some() || self.object.mentor_part.is_some() {
                    return Err(FederationError::Refused(
                        "a review starts without ratings; parts come as Update".into(),
                    ));
                }
                named_by_sender(&self.object.id, self.actor.inner())?;
                trellis_core::review::start(m.state, &self.object.skills)?;
            }
            CreateOrUpdateType::Update(_) => {
                let review = known_review(data, &self.object.id).await?.ok_or_else(|| {
                    FederationError::Conflict(format!("{} is no review known here", self.object.id))
                })?;
                if review.mentorship_id != m.id {
                    return Err(FederationError::Refused(
                        "the review belongs to another mentorship".into(),
                    ));
                }
                self.object.part_of(party)?.check(&review.skills)?;
            }
        }
        Ok(())
    }

    async fn receive(self, data: &Data) -> FederationResult<()> {
        let Some((m, party, sender_id)) =
            from_party(data, &self.id, &self.actor, &self.object.mentorship).await?
        else {
            return Ok(());
        };
        let now = Utc::now();
        match self.kind {
            CreateOrUpdateType::Create(_) => {
                let new = NewReview {
                    mentorship_id: m.id,
                    started_by: sender_id,
                    skills: self.object.skills.clone(),
                    object_url: Some(self.object.id.to_string()),
                    received: Some(self.id.to_string()),
                };
                data.store.start_review(&new, now).await.map_err(refused)?;
            }
            CreateOrUpdateType::Update(_) => {
                let review = known_review(data, &self.object.id)
                    .await?
                    .ok_or(FederationError::NotFound)?;
                let part = self.object.part_of(party)?;
                data.store
                    .submit_review_part(review.id, sender_id, part, Some(self.id.as_str()), now)
                    .await
                    .map_err(refused)?;
            }
        }
        Ok(())
    }
}

/// The activity that brings a review a local member started (`started`),
/// or their part of it, to the other party's instance.
pub(crate) async fn review_delivery(
    data: &Data,
    review_id: Uuid,
    actor_id: Uuid,
    started: bool,
) -> FederationResult<Vec<NewDelivery>> {
    let review = match data.store.review(review_id).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => return Ok(Vec::new()),
        Err(other) => return Err(other.into()),
    };
    let m = data.store.mentorship(review.mentorship_id).await?;
    let (me, other, party) = if actor_id == m.mentor.account_id {
        (&m.mentor, &m.mentee, Party::Mentor)
    } else {
        (&m.mentee, &m.mentor, Party::Mentee)
    };
    let starter = if review.started_by == m.mentor.account_id {
        &m.mentor
    } else {
        &m.mentee
    };
    let own = |p: Party| {
        let part = match p {
            Party::Mentee => &review.mentee_part,
            Party::Mentor => &review.mentor_part,
        };
        (!started && p == party)
            .then(|| part.as_ref().map(|s| s.part.clone()))
            .flatten()
    };
    let kind = if started {
        CreateOrUpdateType::Create(Default::default())
    } else {
        CreateOrUpdateType::Update(Default::default())
    };
    let object = async {
        Ok(SkillReview {
            kind: SkillReviewType::SkillReview,
            id: match &review.object_url {
                Some(url) => Url::parse(url).map_err(|e| {
                    FederationError::Internal(format!("stored object URL {url}: {e}"))
                })?,
                None => data.settings.review_url(review.id),
            },
            mentorship: object_id(data, &m)?,
            attributed_to: actor_url(data, starter)?,
            skills: review.skills.clone(),
            start_time: review.started_at,
            mentee_part: own(Party::Mentee),
            mentor_part: own(Party::Mentor),
        })
    };
    Ok(to_other_party(data, me, other, kind, object)
        .await?
        .into_iter()
        .collect())
}
