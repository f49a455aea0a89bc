//! Endorsements between the two parties of a mentorship across instances.
//! The endorser's instance issues the endorsement — its id is
//! `/endorsements/{id}` there — and sends it as `Create` of an
//! `Endorsement`, signed by the endorser and addressed to the subject only.
//! The subject's instance keeps it once, after checking that the sender is
//! the mentorship's other party, that the subject is its member there, and
//! that the mentorship allows endorsing (`check_endorsement`). An endorser
//! who withdraws an endorsement sends `Delete` of it, a `Tombstone` whose
//! `formerType` is `Endorsement`.

use activitypub_federation::kinds::activity::{CreateType, DeleteType};
use activitypub_federation::kinds::object::TombstoneType;
use activitypub_federation::traits::Activity;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::mentorship::Party;
use trellis_core::recognition::{Endorsement as Content, Pairing, check_endorsement};
use trellis_core::skill::SkillKey;
use trellis_store::{EndorsementRecord, Mentorship, NewDelivery, NewEndorsement, StoreError};
use url::Url;
use uuid::Uuid;

use crate::addressing::{actor_url, object_id};
use crate::checks::{from_party, named_by_sender, refused, repeated, sender};
use crate::context::Data;
use crate::error::{FederationError, FederationResult};
use crate::party::{PartyActivity, to_other_party};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndorsementType {
    Endorsement,
}

/// An endorsement as it travels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endorsement {
    #[serde(rename = "type")]
    pub kind: EndorsementType,
    /// `/endorsements/{id}` on the endorser's instance.
    pub id: Url,
    /// The endorser.
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub attributed_to: Url,
    /// The member endorsed: the mentorship's other party.
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub subject: Url,
    /// The `Mentorship` it is given through.
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub mentorship: Url,
    pub skill: SkillKey,
    /// What the endorser says: one paragraph, 1 to 500 characters.
    pub content: String,
    pub published: DateTime<Utc>,
    /// Added by credential issuing: the endorsement as an Open Badges
    /// credential, a compact VC-JWT signed by the endorser's instance. The
    /// receiver keeps it as sent; absent until that instance issues them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

impl Endorsement {
    /// The skill and text, checked as for a local endorsement.
    fn content(&self) -> FederationResult<Content> {
        Ok(Content {
            skill: self.skill.clone(),
            text: self.content.clone(),
        }
        .normalize()?)
    }

    /// A credential, when present, must at least look like a compact JWS.
    fn check_credential(&self) -> FederationResult<()> {
        const MAX: usize = 64 * 1024;
        let Some(jwt) = &self.credential else {
            return Ok(());
        };
        let base64url = |part: &str| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if jwt.len() > MAX || jwt.split('.').count() != 3 || !jwt.split('.').all(base64url) {
            return Err(FederationError::BadRequest(
                "credential must be a compact VC-JWT (three base64url parts)".into(),
            ));
        }
        Ok(())
    }
}

/// An endorsement given (`Create`) by one party to the other.
pub type EndorsementActivity = PartyActivity<Endorsement, CreateType>;

/// What a withdrawal names: the endorsement, as a `Tombstone`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndorsementTombstone {
    #[serde(rename = "type")]
    pub kind: TombstoneType,
    pub id: Url,
    /// Always `Endorsement`: what tells this `Delete` from a profile's.
    pub former_type: EndorsementType,
}

/// An endorsement withdrawn (`Delete`) by its endorser.
pub type EndorsementWithdrawal = PartyActivity<EndorsementTombstone, DeleteType>;

/// The local party of a mentorship, the other being `sender`.
fn local_party(m: &Mentorship, sender: Party) -> &trellis_store::PartyRecord {
    match sender {
        Party::Mentor => &m.mentee,
        Party::Mentee => &m.mentor,
    }
}

#[async_trait]
impl Activity for EndorsementActivity {
    activity_basics!();

    async fn verify(&self, data: &Data) -> FederationResult<()> {
        let Some((m, party, sender_id)) =
            from_party(data, &self.id, &self.actor, &self.object.mentorship).await?
        else {
            return Ok(());
        };
        if self.object.attributed_to != *self.actor.inner() {
            return Err(FederationError::Refused(
                "a member gives endorsements in their own name".into(),
            ));
        }
        named_by_sender(&self.object.id, self.actor.inner())?;
        let subject = local_party(&m, party);
        if self.object.subject != actor_url(data, subject)? {
            return Err(FederationError::Refused(
                "an endorsement through a mentorship is of its other party".into(),
            ));
        }
        let pairing = Pairing {
            mentor: m.mentor.account_id,
            mentee: m.mentee.account_id,
            state: m.state,
        };
        check_endorsement(sender_id, subject.account_id, &pairing)?;
        self.object.content()?;
        self.object.check_credential()
    }

    async fn receive(self, data: &Data) -> FederationResult<()> {
        let Some((m, party, sender_id)) =
            from_party(data, &self.id, &self.actor, &self.object.mentorship).await?
        else {
            return Ok(());
        };
        let new = NewEndorsement {
            mentorship_id: m.id,
            endorser_id: sender_id,
            subject_id: local_party(&m, party).account_id,
            endorsement: self.object.content()?,
            object_url: Some(self.object.id.to_string()),
            credential: self.object.credential.clone(),
            received: Some(self.id.to_string()),
        };
        data.store
            .endorse(&new, Utc::now())
            .await
            .map_err(refused)?;
        Ok(())
    }
}

/// The received endorsement a withdrawal names, checked to be the
/// sender's: `None` for a repeat.
async fn withdrawn(
    data: &Data,
    activity: &EndorsementWithdrawal,
) -> FederationResult<Option<(EndorsementRecord, Uuid)>> {
    if repeated(data, &activity.id).await? {
        return Ok(None);
    }
    let (_, sender_id) = sender(&activity.actor, data).await?;
    let id = &activity.object.id;
    let e = data
        .store
        .endorsement_by_object(id.as_str())
        .await?
        .ok_or_else(|| FederationError::Conflict(format!("{id} is no endorsement known here")))?;
    if e.endorser.account_id != sender_id {
        return Err(FederationError::Refused(
            "only the endorser withdraws an endorsement".into(),
        ));
    }
    Ok(Some((e, sender_id)))
}

#[async_trait]
impl Activity for EndorsementWithdrawal {
    activity_basics!();

    async fn verify(&self, data: &Data) -> FederationResult<()> {
        withdrawn(data, self).await.map(|_| ())
    }

    async fn receive(self, data: &Data) -> FederationResult<()> {
        let Some((e, sender_id)) = withdrawn(data, &self).await? else {
            return Ok(());
        };
        data.store
            .withdraw_endorsement(e.id, sender_id, Some(self.id.as_str()), Utc::now())
            .await
            .map_err(refused)?;
        Ok(())
    }
}

/// The federated form of an endorsement given here.
pub(crate) fn endorsement_object(
    data: &Data,
    e: &EndorsementRecord,
    m: &Mentorship,
) -> FederationResult<Endorsement> {
    Ok(Endorsement {
        kind: EndorsementType::Endorsement,
        id: data.settings.endorsement_url(e.id),
        attributed_to: actor_url(data, &e.endorser)?,
        subject: actor_url(data, &e.subject)?,
        mentorship: object_id(data, m)?,
        skill: e.endorsement.skill.clone(),
        content: e.endorsement.text.clone(),
        published: e.created_at,
        credential: e.credential.clone(),
    })
}

/// The activity that brings an endorsement a local member gave, or its
/// withdrawal (`withdrawn`), to the subject's instance.
pub(crate) async fn endorsement_delivery(
    data: &Data,
    endorsement_id: Uuid,
    withdrawn: bool,
) -> FederationResult<Vec<NewDelivery>> {
    let e = match data.store.endorsement(endorsement_id).await {
        Ok(e) => e,
        Err(StoreError::NotFound) => return Ok(Vec::new()),
        Err(other) => return Err(other.into()),
    };
    if !e.endorser.is_local() {
        return Ok(Vec::new());
    }
    let delivery = if withdrawn {
        let object = async {
            Ok(EndorsementTombstone {
                kind: TombstoneType::Tombstone,
                id: data.settings.endorsement_url(e.id),
                former_type: EndorsementType::Endorsement,
            })
        };
        to_other_party(data, &e.endorser, &e.subject, DeleteType::Delete, object).await?
    } else {
        let object = async {
            let m = data.store.mentorship(e.mentorship_id).await?;
            endorsement_object(data, &e, &m)
        };
        to_other_party(data, &e.endorser, &e.subject, CreateType::Create, object).await?
    };
    Ok(delivery.into_iter().collect())
}
