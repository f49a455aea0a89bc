use std::sync::Arc;
use std::time::Duration;

use trellis_store::Store;

use crate::federation::FederationPort;
use crate::match_index::MatchIndex;

/// What the API needs from the server that runs it.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// How long a sign-in token stays valid.
    pub token_ttl: Duration,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            token_ttl: Duration::from_secs(30 * 24 * 3600),
            max_body_bytes: 64 * 1024,
        }
    }
}

/// Shared by every handler.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<ApiConfig>,
    pub federation: Arc<dyn FederationPort>,
    /// The mentors matching ranks, kept between requests.
    pub matching: Arc<MatchIndex>,
}

impl AppState {
    pub fn new(store: Store, config: ApiConfig, federation: Arc<dyn FederationPort>) -> Self {
        Self {
            store,
            config: Arc::new(config),
            federation,
            matching: Arc::default(),
        }
    }
}
