//! The use cases of Trellis, one function each: the checks, the store
//! calls, the notifications and the wake-up of federation that one thing a
//! member, an admin or a background job does needs. Every front door (the
//! JSON API, the web pages) parses its input, calls a function here and
//! presents the result; none of them re-implements a rule.
//!
//! Results are plain data (`…View` types) that derive `Serialize` and an
//! OpenAPI schema, so that the JSON API can show them as they are and the
//! pages can read their fields.

pub mod accounts;
pub mod admin;
pub mod archive;
pub mod auth;
pub mod caller;
pub mod cohorts;
pub mod directory;
pub mod endorsements;
pub mod error;
pub mod federation;
pub mod file;
pub mod health;
pub mod importer;
pub mod lookup;
pub mod match_index;
pub mod matching;
pub mod mentorships;
pub mod moves;
pub mod notifications;
pub mod partners;
pub mod plan;
pub mod profiles;
pub mod recognition;
pub mod reports;
pub mod reviews;
pub mod sessions;
pub mod skills;
pub mod tracks;
pub mod views;

use std::sync::Arc;
use std::time::Duration;

use trellis_store::Store;

pub use caller::{Admin, Caller};
pub use error::{AppError, AppResult};

use crate::federation::FederationPort;
use crate::match_index::MatchIndex;

/// What the use cases need from the server that runs them.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// How long a sign-in token stays valid.
    pub token_ttl: Duration,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            token_ttl: Duration::from_secs(30 * 24 * 3600),
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
}

impl App {
    pub fn new(store: Store, config: AppConfig, federation: Arc<dyn FederationPort>) -> Self {
        Self {
            store,
            config: Arc::new(config),
            federation,
            matching: Arc::default(),
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
