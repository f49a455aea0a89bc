//! Trellis over ActivityPub, on `activitypub_federation`: members and the
//! instance are actors; instances discover each other with WebFinger and
//! NodeInfo. Only this crate knows ActivityPub's wire formats.

/// What every activity of ours has alike in its `Activity` impl: the
/// context type, the error type, and `id` and `actor` from its fields.
macro_rules! activity_basics {
    () => {
        type DataType = crate::context::Context;
        type Error = crate::error::FederationError;

        fn id(&self) -> &url::Url {
            &self.id
        }

        fn actor(&self) -> &url::Url {
            self.actor.inner()
        }
    };
}

pub mod activities;
pub mod actors;
mod addressing;
mod checks;
pub mod context;
pub mod credentials;
mod delivery;
pub mod discovery;
pub mod egress;
pub mod endorsements;
pub mod error;
pub mod growth;
pub mod inbox;
pub mod mentorships;
pub mod moves;
pub mod objects;
pub mod outbox;
mod partners;
pub mod party;
pub mod recognition;
pub mod reviews;
pub mod sessions;
pub mod settings;
pub mod signatures;
mod signed;
pub mod vocabulary;

use std::sync::Arc;
use std::time::Duration;

use activitypub_federation::config::{FederationConfig, FederationMiddleware};
use axum::Router;
use axum::routing::{get, post};
use tokio::sync::Notify;
use trellis_store::Store;

use crate::actors::DbActor;
pub use crate::context::InboxLimit;
use crate::context::{Context, Data};
use crate::error::{FederationError, FederationResult};
pub use crate::settings::{DeliverySettings, FederationSettings};

/// The federation side of one instance.
#[derive(Clone)]
pub struct Federation {
    config: FederationConfig<Context>,
}

impl std::fmt::Debug for Federation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Federation")
            .field("domain", &self.config.domain())
            .finish_non_exhaustive()
    }
}

impl Federation {
    /// Prepares federation: makes the instance actor's keys on first start
    /// and sets up signed HTTP for fetching and delivering.
    pub async fn new(store: Store, settings: FederationSettings) -> FederationResult<Self> {
        install_tls_provider();
        let keys = actors::instance_keys(&store).await?;
        let settings = Arc::new(settings);
        store.set_credential_signer(Arc::new(recognition::InstanceSigner::new(
            settings.clone(),
            keys.private_key_pem.clone(),
        )));
        let client = http_client(&settings)?;
        let instance_key =
            signatures::SigningKey::from_pem(settings.instance_key_id(), &keys.private_key_pem)
                .map_err(|e| FederationError::Internal(format!("the instance key: {e}")))?;
        // Every request the library makes (actor, object and WebFinger
        // fetches) and every delivery is signed by this middleware.
        let signed_http = reqwest_middleware::ClientBuilder::new(client.clone())
            .with(egress::Signing {
                store: store.clone(),
                settings: settings.clone(),
                instance_key: Arc::new(instance_key),
            })
            .build();
        let context_store = store.clone();
        let context = Context {
            store,
            settings: settings.clone(),
            outbox_signal: Arc::new(Notify::new()),
            http: client,
            signed_http: signed_http.clone(),
            import_signal: Arc::new(Notify::new()),
            inbox_limit: Arc::default(),
        };
        let config = FederationConfig::builder()
            .domain(settings.domain.clone())
            .app_data(context)
            .debug(settings.insecure)
            .allow_http_urls(settings.insecure)
            .client(signed_http)
            .request_timeout(Duration::from_secs(10))
            .url_verifier(Box::new(inbox::BlockList {
                store: context_store.clone(),
            }))
            .build()
            .await
            .map_err(|e| FederationError::Internal(format!("federation setup: {e}")))?;
        Ok(Self { config })
    }

    /// Limits how often each remote instance may post to the inboxes
    /// (once; later calls change nothing).
    pub fn limit_inbox(&self, limit: Arc<dyn InboxLimit>) {
        let _ = self.data().inbox_limit.set(limit);
    }

    /// The URLs this instance owns.
    pub fn settings(&self) -> &FederationSettings {
        &self.config.settings
    }

    /// Request data for work outside a request (workers, the client API).
    pub fn data(&self) -> Data {
        self.config.to_request_data()
    }

    /// The routes other servers use.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/.well-known/webfinger", get(discovery::webfinger))
            .route("/.well-known/nodeinfo", get(discovery::nodeinfo_links))
            .route("/nodeinfo/2.1", get(discovery::nodeinfo))
            .route(vocabulary::CONTEXT_PATH, get(discovery::context_document))
            .route("/actor", get(discovery::instance))
            .route("/actor/outbox", get(discovery::instance_outbox))
            .route("/users/{username}", get(discovery::person))
            .route("/users/{username}/outbox", get(discovery::person_outbox))
            .route(
                "/users/{username}/mentor-profile",
                get(discovery::mentor_profile),
            )
            .route("/credentials/{id}", get(recognition::credential))
            .route("/credentials/status/{n}", get(recognition::status_list))
            .route("/achievements/{*key}", get(recognition::achievement))
            .route("/inbox", post(inbox::inbox))
            .route("/actor/inbox", post(inbox::inbox))
            .route("/users/{username}/inbox", post(inbox::inbox))
            .layer(FederationMiddleware::new(self.config.clone()))
    }
}

impl Federation {
    /// Starts the outbox workers; they stop when `shutdown` turns true.
    pub fn spawn_workers(
        &self,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(outbox::run(self.data(), shutdown))
    }

    /// Gives up every delivery lease this process holds (after its workers
    /// were stopped or abandoned), so that another process need not wait
    /// for them to lapse; how many.
    pub async fn release_leases(&self) -> FederationResult<u64> {
        let holder = &self.settings().delivery.holder;
        Ok(self.data().store.release_claims_of(holder).await?)
    }

    /// Asks another instance to partner.
    pub async fn request_partnership(
        &self,
        domain: &str,
    ) -> FederationResult<trellis_store::Instance> {
        partners::request(&self.data(), domain).await
    }

    /// Accepts or declines another instance's request.
    pub async fn answer_partnership(
        &self,
        domain: &str,
        accept: bool,
    ) -> FederationResult<trellis_store::Instance> {
        partners::answer(&self.data(), domain, accept).await
    }

    /// Ends a partnership, or withdraws or declines a request.
    pub async fn end_partnership(&self, domain: &str) -> FederationResult<trellis_store::Instance> {
        partners::end(&self.data(), domain).await
    }

    /// A member of another instance by `user@domain`, resolved by WebFinger.
    pub async fn resolve_member(
        &self,
        handle: &str,
    ) -> FederationResult<trellis_store::ProfileRecord> {
        partners::resolve_member(&self.data(), handle).await
    }

    /// Starts a local member's move to their account `handle` elsewhere
    /// (see `moves`); `token` opens their archive to the new instance.
    pub async fn start_move(
        &self,
        account_id: uuid::Uuid,
        handle: &str,
        archive: String,
        token: &str,
        token_hash: &[u8],
    ) -> FederationResult<moves::MoveStarted> {
        moves::start(&self.data(), account_id, handle, archive, token, token_hash).await
    }

    /// The actor URL a member handle (`user@domain`, or the actor URL
    /// itself) names: this instance's for a local one, else found by
    /// WebFinger (or fetched).
    pub async fn actor_of(&self, handle: &str) -> FederationResult<url::Url> {
        let data = self.data();
        // An actor URL is fetched as it is (WebFinger finds only members
        // who share their profile).
        if let Ok(url) = url::Url::parse(handle)
            && matches!(url.scheme(), "https" | "http")
        {
            if data.settings.is_local(&url) {
                return Ok(url);
            }
            let actor = self
                .fetch_actor(handle, false)
                .await
                .map_err(|_| FederationError::NotFound)?;
            if actor.kind != actors::ActorKind::Person {
                return Err(FederationError::NotFound);
            }
            return Ok(actor.id);
        }
        let (name, domain) = handle.split_once('@').ok_or_else(|| {
            FederationError::BadRequest("an account elsewhere is user@domain".into())
        })?;
        if addressing::parse_domain(domain, &data)? == data.settings.domain {
            return Ok(data.settings.person_url(name));
        }
        let actor: DbActor = activitypub_federation::fetch::webfinger::webfinger_resolve_actor::<
            Context,
            DbActor,
        >(handle, &data)
        .await
        .map_err(|_| FederationError::NotFound)?;
        if actor.kind != actors::ActorKind::Person {
            return Err(FederationError::NotFound);
        }
        Ok(actor.id)
    }

    /// Fetches a moved member's archive from their old instance (plain
    /// HTTP, with federation's address rules), at most `limit` bytes.
    pub async fn fetch_archive(&self, url: &str, limit: usize) -> FederationResult<Vec<u8>> {
        let data = self.data();
        let url = url::Url::parse(url)
            .map_err(|e| FederationError::BadRequest(format!("archive URL: {e}")))?;
        // https by host name on public addresses (checked here, proxy or
        // not), never a blocked instance.
        egress::check_url(&url, &data.settings, &data.store)
            .await
            .map_err(|refused| FederationError::Refused(format!("the archive: {refused}")))?;
        let mut response = data
            .http
            .get(url)
            .header("accept", "application/json")
            .timeout(Duration::from_secs(120))
            .send()
            .await
            // Without the URL: its token is not for logs or reports.
            .map_err(|e| {
                FederationError::Peer(format!("fetching the archive: {}", e.without_url()))
            })?;
        if !response.status().is_success() {
            return Err(FederationError::Peer(format!(
                "the old instance answered {} for the archive",
                response.status()
            )));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| {
            FederationError::Peer(format!("reading the archive: {}", e.without_url()))
        })? {
            body.extend_from_slice(&chunk);
            if body.len() > limit {
                return Err(FederationError::Refused(format!(
                    "the archive is larger than {limit} bytes"
                )));
            }
        }
        Ok(body)
    }

    /// Resolves a member elsewhere by actor URL (fetched if not known),
    /// as an account here.
    pub async fn account_of_actor(&self, actor: &str) -> FederationResult<uuid::Uuid> {
        let actor = self.fetch_actor(actor, false).await?;
        actor
            .account_id
            .ok_or_else(|| FederationError::Refused(format!("{} is no member", actor.id)))
    }

    /// Where an actor says it moved (`movedTo`), fetched afresh.
    pub async fn moved_to(&self, actor: &str) -> FederationResult<Option<url::Url>> {
        Ok(self.fetch_actor(actor, true).await?.moved_to)
    }

    /// An actor by URL: as cached (fetched if not, or stale), or afresh.
    async fn fetch_actor(&self, actor: &str, fresh: bool) -> FederationResult<DbActor> {
        let url = url::Url::parse(actor)
            .map_err(|e| FederationError::BadRequest(format!("actor URL: {e}")))?;
        let id = activitypub_federation::fetch::object_id::ObjectId::<DbActor>::from(url);
        let data = self.data();
        Ok(if fresh {
            id.dereference_forced(&data).await?
        } else {
            id.dereference(&data).await?
        })
    }

    /// Waits until an archive to import is announced (or `timeout`).
    pub async fn imports_announced(&self, timeout: Duration) {
        let signal = self.config.import_signal.clone();
        let _ = tokio::time::timeout(timeout, signal.notified()).await;
    }

    /// Wakes the importer.
    pub fn wake_importer(&self) {
        self.config.import_signal.notify_one();
    }

    /// Checks any Open Badges credential (from here or elsewhere).
    pub async fn verify_credential(
        &self,
        jwt: &str,
    ) -> FederationResult<trellis_core::recognition::CredentialCheck> {
        recognition::verify(&self.data(), jwt).await
    }

    /// The VC-JWT a credential URL serves (this instance's or another's).
    pub async fn fetch_credential(&self, url: &str) -> FederationResult<String> {
        recognition::fetch_credential(&self.data(), url).await
    }

    /// The public URL of a credential this instance issued.
    pub fn credential_url(&self, id: uuid::Uuid) -> String {
        self.config.settings.credential_url(id).to_string()
    }

    /// Wakes the outbox workers.
    pub fn wake(&self) {
        self.config.outbox_signal.notify_one();
    }

    /// Checks a domain as an admin typed it (for blocks).
    pub fn parse_domain(&self, raw: &str) -> FederationResult<String> {
        addressing::parse_domain(raw, &self.data())
    }
}

/// Makes rustls use the ring provider (once per process; later calls do nothing).
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn http_client(settings: &FederationSettings) -> FederationResult<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .user_agent(format!(
            "Trellis/{} (+{})",
            env!("CARGO_PKG_VERSION"),
            settings.base_url()
        ))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5));
    if !settings.insecure {
        // Refuse to connect to private and loopback addresses, whatever a
        // domain resolves to.
        builder = builder.dns_resolver(Arc::new(
            activitypub_federation::resolver::ValidatingDnsResolver::new(Vec::new(), true),
        ));
    }
    builder
        .build()
        .map_err(|e| FederationError::Internal(format!("HTTP client: {e}")))
}
