//! Actors: local members (`Person` at `/users/{name}`), this instance
//! (`Organization` at `/actor`), and the cached actors of other instances.

use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::http_signatures::generate_actor_keypair;
use activitypub_federation::protocol::helpers::deserialize_one_or_many;
use activitypub_federation::protocol::public_key::PublicKey;
use activitypub_federation::protocol::verification::verify_domains_match;
use activitypub_federation::traits::{Actor, Object};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::account::Username;
use trellis_core::visibility::Visibility;
use trellis_store::{InstanceActor, KeyPair, LocalActor, RemotePerson, Store};
use url::Url;
use uuid::Uuid;

use crate::context::{Context, Data};
use crate::error::{FederationError, FederationResult};
use crate::settings::{FederationSettings, domain_of};

/// What an actor is, as far as Trellis cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    /// A member of some instance.
    Person,
    /// An instance itself (`Organization`, or `Application`/`Service` as
    /// other software calls its instance actor).
    Instance,
}

/// Any actor, local or remote, member or instance.
#[derive(Debug, Clone)]
pub struct DbActor {
    pub id: Url,
    pub kind: ActorKind,
    pub username: String,
    /// The actor's instance (`host` or `host:port`).
    pub domain: String,
    pub name: Option<String>,
    pub summary: Option<String>,
    pub inbox: Url,
    pub shared_inbox: Option<Url>,
    pub outbox: Option<Url>,
    pub public_key_pem: String,
    /// Only for local actors.
    pub private_key_pem: Option<String>,
    pub also_known_as: Vec<Url>,
    pub moved_to: Option<Url>,
    /// When a remote actor was last fetched; `None` for local ones.
    pub fetched_at: Option<DateTime<Utc>>,
    /// The account of a person (local or remote).
    pub account_id: Option<Uuid>,
    pub published: Option<DateTime<Utc>>,
}

/// An actor document as it travels.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActorJson {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Url,
    /// Required of people; some software leaves it off its instance actor.
    #[serde(default)]
    pub preferred_username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    pub inbox: Url,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbox: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Endpoints>,
    pub public_key: PublicKey,
    /// The actor's other accounts (always present on ours, empty until a move).
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub also_known_as: Vec<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
    /// Partnership requests to an instance actor wait for its admin.
    #[serde(default)]
    pub manually_approves_followers: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_inbox: Option<Url>,
}

impl ActorJson {
    /// What this actor is to Trellis; other actor types are refused.
    pub fn kind(&self) -> Result<ActorKind, FederationError> {
        match self.kind.as_str() {
            "Person" => Ok(ActorKind::Person),
            "Organization" | "Application" | "Service" => Ok(ActorKind::Instance),
            other => Err(FederationError::BadRequest(format!(
                "actors of type {other} take no part in Trellis"
            ))),
        }
    }
}

fn parse_urls(list: &[String]) -> Vec<Url> {
    list.iter().filter_map(|u| Url::parse(u).ok()).collect()
}

fn strings(list: &[Url]) -> Vec<String> {
    list.iter().map(Url::to_string).collect()
}

fn parse_url(raw: &str) -> Result<Url, FederationError> {
    Url::parse(raw).map_err(|e| FederationError::Internal(format!("stored URL {raw:?}: {e}")))
}

impl DbActor {
    /// This instance's own actor.
    pub fn local_instance(
        settings: &FederationSettings,
        keys: &trellis_store::KeyPair,
        name: String,
    ) -> Self {
        Self {
            id: settings.instance_actor_url(),
            kind: ActorKind::Instance,
            username: settings.domain.clone(),
            domain: settings.domain.clone(),
            name: Some(name),
            summary: None,
            inbox: settings.instance_inbox_url(),
            shared_inbox: Some(settings.shared_inbox_url()),
            outbox: Some(settings.instance_outbox_url()),
            public_key_pem: keys.public_key_pem.clone(),
            private_key_pem: Some(keys.private_key_pem.clone()),
            also_known_as: Vec::new(),
            moved_to: None,
            fetched_at: None,
            account_id: None,
            published: None,
        }
    }

    /// A local member. Their name and headline show only when their
    /// profile reaches partners; the rest is what federation itself needs.
    pub fn local_person(settings: &FederationSettings, actor: LocalActor) -> Self {
        let shown = actor.visibility >= Visibility::Federated;
        let username = actor.username.as_str();
        Self {
            id: settings.person_url(username),
            kind: ActorKind::Person,
            username: username.to_owned(),
            domain: settings.domain.clone(),
            name: (shown && !actor.display_name.is_empty()).then(|| actor.display_name.clone()),
            summary: (shown && !actor.headline.is_empty()).then(|| actor.headline.clone()),
            inbox: settings.person_inbox_url(username),
            shared_inbox: Some(settings.shared_inbox_url()),
            outbox: Some(settings.person_outbox_url(username)),
            public_key_pem: actor.keys.public_key_pem,
            private_key_pem: Some(actor.keys.private_key_pem),
            also_known_as: parse_urls(&actor.also_known_as),
            moved_to: actor.moved_to.as_deref().and_then(|u| Url::parse(u).ok()),
            fetched_at: None,
            account_id: Some(actor.account_id),
            published: shown.then_some(actor.created_at),
        }
    }

    /// Only what federation needs of a member: no name, headline or
    /// date, whatever their profile says.
    pub fn bare(self) -> Self {
        Self {
            name: None,
            summary: None,
            published: None,
            ..self
        }
    }

    fn remote_person(person: RemotePerson) -> Result<Self, FederationError> {
        Ok(Self {
            id: parse_url(&person.actor_url)?,
            kind: ActorKind::Person,
            username: person.username.to_string(),
            domain: person.domain,
            name: (!person.display_name.is_empty()).then_some(person.display_name),
            summary: None,
            inbox: parse_url(&person.inbox_url)?,
            shared_inbox: person
                .shared_inbox_url
                .as_deref()
                .map(parse_url)
                .transpose()?,
            outbox: None,
            public_key_pem: person.public_key_pem,
            private_key_pem: None,
            also_known_as: parse_urls(&person.also_known_as),
            moved_to: person.moved_to.as_deref().and_then(|u| Url::parse(u).ok()),
            fetched_at: Some(person.fetched_at),
            account_id: Some(person.account_id),
            published: None,
        })
    }

    fn remote_instance(
        actor: InstanceActor,
        fetched_at: Option<DateTime<Utc>>,
    ) -> Result<Self, FederationError> {
        Ok(Self {
            id: parse_url(&actor.actor_url)?,
            kind: ActorKind::Instance,
            username: actor.domain.clone(),
            domain: actor.domain,
            name: actor.name,
            summary: None,
            inbox: parse_url(&actor.inbox_url)?,
            shared_inbox: actor
                .shared_inbox_url
                .as_deref()
                .map(parse_url)
                .transpose()?,
            outbox: None,
            public_key_pem: actor.public_key_pem,
            private_key_pem: None,
            also_known_as: Vec::new(),
            moved_to: None,
            fetched_at,
            account_id: None,
            published: None,
        })
    }

    /// Loads a local actor by its URL.
    async fn local(url: &Url, data: &Data) -> Result<Option<Self>, FederationError> {
        let settings = &data.settings;
        if *url == settings.instance_actor_url() {
            return Ok(Some(instance_actor(data).await?));
        }
        let Some(name) = settings.local_username(url) else {
            return Ok(None);
        };
        let Ok(username) = Username::parse(name) else {
            return Ok(None);
        };
        Ok(data
            .store
            .local_actor(&username)
            .await?
            .map(|actor| Self::local_person(settings, actor)))
    }
}

#[async_trait]
impl Object for DbActor {
    type DataType = Context;
    type Kind = ActorJson;
    type Error = FederationError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn last_refreshed_at(&self) -> Option<DateTime<Utc>> {
        self.fetched_at
    }

    async fn read_from_id(id: Url, data: &Data) -> Result<Option<Self>, FederationError> {
        if data.settings.is_local(&id) {
            return Self::local(&id, data).await;
        }
        if let Some(person) = data.store.remote_person(id.as_str()).await? {
            return Self::remote_person(person).map(Some);
        }
        match data.store.instance_by_actor(id.as_str()).await? {
            Some(instance) => match instance.actor {
                Some(actor) => Self::remote_instance(actor, instance.fetched_at).map(Some),
                None => Ok(None),
            },
            None => Ok(None),
        }
    }

    async fn into_json(self, _data: &Data) -> Result<ActorJson, FederationError> {
        Ok(ActorJson {
            kind: match self.kind {
                ActorKind::Person => "Person",
                ActorKind::Instance => "Organization",
            }
            .to_owned(),
            public_key: self.public_key(),
            id: self.id,
            preferred_username: self.username,
            name: self.name,
            summary: self.summary,
            inbox: self.inbox,
            outbox: self.outbox,
            endpoints: Some(Endpoints {
                shared_inbox: self.shared_inbox,
            }),
            also_known_as: self.also_known_as,
            moved_to: self.moved_to,
            published: self.published,
            manually_approves_followers: self.kind == ActorKind::Instance,
        })
    }

    async fn verify(
        json: &ActorJson,
        expected_domain: &Url,
        _data: &Data,
    ) -> Result<(), FederationError> {
        verify_domains_match(&json.id, expected_domain)?;
        if json.public_key.owner != json.id {
            return Err(FederationError::BadRequest(
                "the actor's public key belongs to another actor".into(),
            ));
        }
        verify_domains_match(&json.id, &json.inbox)?;
        json.kind()?;
        Ok(())
    }

    async fn from_json(json: ActorJson, data: &Data) -> Result<Self, FederationError> {
        let domain = domain_of(&json.id)
            .ok_or_else(|| FederationError::BadRequest("the actor id has no host".into()))?;
        let kind = json.kind()?;
        let shared_inbox = json.endpoints.and_then(|e| e.shared_inbox);
        let now = Utc::now();
        match kind {
            ActorKind::Person => {
                let username = Username::parse(&json.preferred_username).map_err(|e| {
                    FederationError::BadRequest(format!("unsupported preferredUsername: {e}"))
                })?;
                let person = data
                    .store
                    .upsert_remote_person(&RemotePerson {
                        account_id: Uuid::nil(),
                        actor_url: json.id.to_string(),
                        username,
                        domain,
                        display_name: json.name.unwrap_or_default(),
                        inbox_url: json.inbox.to_string(),
                        shared_inbox_url: shared_inbox.as_ref().map(Url::to_string),
                        public_key_pem: json.public_key.public_key_pem,
                        also_known_as: strings(&json.also_known_as),
                        moved_to: json.moved_to.as_ref().map(Url::to_string),
                        fetched_at: now,
                    })
                    .await?;
                Self::remote_person(person)
            }
            ActorKind::Instance => {
                let actor = InstanceActor {
                    domain,
                    actor_url: json.id.to_string(),
                    inbox_url: json.inbox.to_string(),
                    shared_inbox_url: shared_inbox.as_ref().map(Url::to_string),
                    public_key_pem: json.public_key.public_key_pem,
                    name: json.name,
                };
                data.store.upsert_instance_actor(&actor, now).await?;
                Self::remote_instance(actor, Some(now))
            }
        }
    }
}

impl Actor for DbActor {
    fn public_key_pem(&self) -> &str {
        &self.public_key_pem
    }

    fn private_key_pem(&self) -> Option<String> {
        self.private_key_pem.clone()
    }

    fn inbox(&self) -> Url {
        self.inbox.clone()
    }

    fn shared_inbox(&self) -> Option<Url> {
        self.shared_inbox.clone()
    }
}

/// The id of an actor, resolvable through the cache or over HTTP.
pub type ActorId = ObjectId<DbActor>;

/// The instance actor's key pair, made (and stored) the first time.
pub(crate) async fn instance_keys(store: &Store) -> FederationResult<KeyPair> {
    if let Some(keys) = store.instance_keys().await? {
        return Ok(keys);
    }
    let made = tokio::task::spawn_blocking(generate_actor_keypair)
        .await
        .map_err(|e| FederationError::Internal(e.to_string()))??;
    let keys = KeyPair {
        public_key_pem: made.public_key,
        private_key_pem: made.private_key,
    };
    // If another process made one meanwhile, the stored one wins.
    Ok(store.init_instance_keys(&keys).await?)
}

/// This instance's actor, named after the organization.
pub(crate) async fn instance_actor(data: &Data) -> FederationResult<DbActor> {
    let keys = instance_keys(&data.store).await?;
    let name = data.store.settings().await?.organization_name;
    Ok(DbActor::local_instance(&data.settings, &keys, name))
}
