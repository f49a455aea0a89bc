//! The handlers, one module per area of the API. Each is thin: parse the
//! request, ask core and the store, shape the answer.

pub mod accounts;
pub mod admin;
pub mod cohorts;
pub mod directory;
pub mod export;
pub mod federation;
pub mod file;
pub mod health;
pub mod matching;
pub mod mentorships;
pub mod moves;
pub mod notifications;
pub mod plan;
pub mod profiles;
pub mod reports;
pub mod reviews;
pub mod sessions;
pub mod skills;
pub mod tracks;
