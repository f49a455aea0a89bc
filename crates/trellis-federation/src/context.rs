use std::sync::Arc;

use tokio::sync::Notify;
use trellis_store::Store;

use crate::settings::FederationSettings;

/// What every federation handler and worker works with (the library's
/// "app data").
#[derive(Debug, Clone)]
pub struct Context {
    pub store: Store,
    pub settings: Arc<FederationSettings>,
    /// Wakes the outbox workers when there is new work.
    pub outbox_signal: Arc<Notify>,
    /// Plain HTTP fetches (credential keys and status lists), with the
    /// same address rules as federation.
    pub http: reqwest::Client,
    /// The same, signing every request (see `egress`): what fetches
    /// actors and objects and delivers activities.
    pub signed_http: reqwest_middleware::ClientWithMiddleware,
    /// Wakes the importer when a moved member's archive is announced.
    pub import_signal: Arc<Notify>,
    /// How often a remote instance may post to the inboxes; unlimited
    /// until [`crate::Federation::limit_inbox`] sets it.
    pub inbox_limit: Arc<std::sync::OnceLock<Arc<dyn InboxLimit>>>,
}

/// Decides whether a remote instance may post to an inbox now.
pub trait InboxLimit: Send + Sync + std::fmt::Debug {
    /// `Err(wait)` when the instance at `domain`, posting from `client`,
    /// posted too often lately.
    fn admit(
        &self,
        domain: &str,
        client: trellis_core::client::ClientAddr,
    ) -> Result<(), std::time::Duration>;
}

pub type Data = activitypub_federation::config::Data<Context>;
