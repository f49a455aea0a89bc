//! What every use case reaches: the store, federation (as a port the
//! server fills in), the settings and what is kept in memory.

use std::sync::Arc;
use std::time::Duration;

use trellis_store::Store;

use crate::federation::FederationPort;
use crate::lifecycle::Lifecycle;
use crate::limits::{LimitSettings, Limits};
use crate::match_index::MatchIndex;

/// What the use cases need from the server that runs them.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// How long a sign-in token stays valid.
    pub token_ttl: Duration,
    /// How often clients, accounts and members may do the costly things.
    pub limits: LimitSettings,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            token_ttl: Duration::from_secs(30 * 24 * 3600),
            limits: LimitSettings::default(),
        }
    }
}

/// Everything a use case reaches: the store, federation (as a port the
/// server fills in) and what is kept in memory between requests. Cheap to
/// clone; every front door and job holds one.
#[derive(Debug, Clone)]
pub struct App {
    pub store: Store,
    pub config: Arc<AppConfig>,
    pub federation: Arc<dyn FederationPort>,
    /// The mentors matching ranks, kept between requests.
    pub matching: Arc<MatchIndex>,
    /// Serving, or draining before the process stops.
    pub lifecycle: Arc<Lifecycle>,
    /// What clients, accounts and members did lately (rate limits).
    pub limits: Arc<Limits>,
}

impl App {
    pub fn new(store: Store, config: AppConfig, federation: Arc<dyn FederationPort>) -> Self {
        Self {
            store,
            limits: Arc::new(Limits::new(config.limits.clone())),
            config: Arc::new(config),
            federation,
            matching: Arc::default(),
            lifecycle: Arc::default(),
        }
    }

    /// Wakes the delivery workers when a change involves a member elsewhere
    /// (the change queued what they must be told in its own transaction).
    pub fn tell_other_instance_of(&self, m: &trellis_store::Mentorship) {
        if !(m.mentor.is_local() && m.mentee.is_local()) {
            self.federation.wake();
        }
    }
}
