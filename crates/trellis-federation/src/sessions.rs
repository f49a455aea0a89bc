//! Sessions of a mentorship between members of two instances: what both
//! parties share travels as `Create`/`Update` of a `MentoringSession`,
//! addressed to the other party alone. Private notes never travel.

use activitypub_federation::traits::Activity;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::session::{ActionItem, SessionContent};
use trellis_store::{NewDelivery, NewSession, Session, StoreError};
use url::Url;
use uuid::Uuid;

use crate::addressing::{actor_url, object_id};
use crate::checks::{from_party, named_by_sender, refused};
use crate::context::Data;
use crate::error::{FederationError, FederationResult};
use crate::party::{PartyActivity, to_other_party};
use crate::vocabulary::CreateOrUpdateType;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MentoringSessionType {
    MentoringSession,
}

/// A session as it travels: what both parties see of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MentoringSession {
    #[serde(rename = "type")]
    pub kind: MentoringSessionType,
    pub id: Url,
    /// The `Mentorship` it belongs to.
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub mentorship: Url,
    /// Who logged it.
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub attributed_to: Url,
    pub start_time: DateTime<Utc>,
    pub duration_minutes: u16,
    #[serde(default)]
    pub topics: Vec<String>,
    /// The shared notes.
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub action_items: Vec<ActionItem>,
}

impl MentoringSession {
    fn content(&self) -> FederationResult<SessionContent> {
        Ok(SessionContent {
            held_at: self.start_time,
            duration_minutes: self.duration_minutes,
            topics: self.topics.clone(),
            notes: self.content.clone(),
            action_items: self.action_items.clone(),
        }
        .normalize()?)
    }
}

/// A session logged (`Create`) or changed (`Update`) by one party.
pub type SessionActivity = PartyActivity<MentoringSession>;

/// The session an `Update` names, if this instance knows it.
async fn known_session(data: &Data, id: &Url, viewer: Uuid) -> FederationResult<Option<Session>> {
    match data.settings.local_session_id(id) {
        Some(local) => match data.store.session(local, viewer).await {
            Ok(s) => Ok(Some(s)),
            Err(StoreError::NotFound) => Ok(None),
            Err(other) => Err(other.into()),
        },
        None => Ok(data.store.session_by_object(id.as_str(), viewer).await?),
    }
}

#[async_trait]
impl Activity for SessionActivity {
    activity_basics!();

    async fn verify(&self, data: &Data) -> FederationResult<()> {
        let Some((m, _, sender_id)) =
            from_party(data, &self.id, &self.actor, &self.object.mentorship).await?
        else {
            return Ok(());
        };
        self.object.content()?;
        match self.kind {
            CreateOrUpdateType::Create(_) => {
                if self.object.attributed_to != *self.actor.inner() {
                    return Err(FederationError::Refused(
                        "a member logs sessions in their own name".into(),
                    ));
                }
                named_by_sender(&self.object.id, self.actor.inner())?;
            }
            CreateOrUpdateType::Update(_) => {
                let session = known_session(data, &self.object.id, sender_id)
                    .await?
                    .ok_or_else(|| {
                        FederationError::Conflict(format!(
                            "{} is no session known here",
                            self.object.id
                        ))
                    })?;
                if session.mentorship_id != m.id {
                    return Err(FederationError::Refused(
                        "the session belongs to another mentorship".into(),
                    ));
                }
            }
        }
        trellis_core::session::check_open(m.state)?;
        Ok(())
    }

    async fn receive(self, data: &Data) -> FederationResult<()> {
        let Some((m, _, sender_id)) =
            from_party(data, &self.id, &self.actor, &self.object.mentorship).await?
        else {
            return Ok(());
        };
        let content = self.object.content()?;
        let now = Utc::now();
        match self.kind {
            CreateOrUpdateType::Create(_) => {
                let new = NewSession {
                    mentorship_id: m.id,
                    author_id: sender_id,
                    content,
                    object_url: Some(self.object.id.to_string()),
                    received: Some(self.id.to_string()),
                };
                data.store.add_session(&new, now).await.map_err(refused)?;
            }
            CreateOrUpdateType::Update(_) => {
                let session = known_session(data, &self.object.id, sender_id)
                    .await?
                    .ok_or(FederationError::NotFound)?;
                data.store
                    .update_session(session.id, &content, sender_id, Some(self.id.as_str()), now)
                    .await
                    .map_err(refused)?;
            }
        }
        Ok(())
    }
}

/// The activity that brings a session a local member logged (`created`)
/// or changed to the other party's instance.
pub(crate) async fn session_delivery(
    data: &Data,
    session_id: Uuid,
    actor_id: Uuid,
    created: bool,
) -> FederationResult<Vec<NewDelivery>> {
    let session = match data.store.session(session_id, actor_id).await {
        Ok(s) => s,
        Err(StoreError::NotFound) => return Ok(Vec::new()),
        Err(other) => return Err(other.into()),
    };
    let m = data.store.mentorship(session.mentorship_id).await?;
    let (me, other) = if actor_id == m.mentor.account_id {
        (&m.mentor, &m.mentee)
    } else {
        (&m.mentee, &m.mentor)
    };
    let author = if session.author_id == m.mentor.account_id {
        &m.mentor
    } else {
        &m.mentee
    };
    let kind = if created {
        CreateOrUpdateType::Create(Default::default())
    } else {
        CreateOrUpdateType::Update(Default::default())
    };
    let object = async {
        Ok(MentoringSession {
            kind: MentoringSessionType::MentoringSession,
            id: match &session.object_url {
                Some(url) => Url::parse(url).map_err(|e| {
                    FederationError::Internal(format!("stored object URL {url}: {e}"))
                })?,
                None => data.settings.session_url(session.id),
            },
            mentorship: object_id(data, &m)?,
            attributed_to: actor_url(data, author)?,
            start_time: session.content.held_at,
            duration_minutes: session.content.duration_minutes,
            topics: session.content.topics,
            content: session.content.notes,
            action_items: session.content.action_items,
        })
    };
    Ok(to_other_party(data, me, other, kind, object)
        .await?
        .into_iter()
        .collect())
}
