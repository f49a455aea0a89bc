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
pub mod app;
pub mod archive;
pub mod auth;
pub mod caller;
pub mod cohorts;
pub mod dashboard;
pub mod directory;
pub mod endorsements;
pub mod error;
pub mod federation;
pub mod file;
pub mod health;
pub mod importer;
pub mod lifecycle;
pub mod limits;
pub mod lookup;
pub mod match_index;
pub mod matching;
pub mod mentorships;
pub mod moves;
pub mod notifications;
pub mod partners;
pub mod plan;
pub mod profiles;
pub mod public;
pub mod recognition;
pub mod reports;
pub mod reviews;
pub mod sessions;
pub mod skills;
pub mod tracks;
pub mod views;

pub use app::{App, AppConfig};
pub use caller::{Admin, Caller};
pub use error::{AppError, AppResult};
