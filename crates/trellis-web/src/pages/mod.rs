//! The pages, one module per area. A handler gathers what its page shows
//! from the use cases and renders it; it decides nothing itself.

pub mod admin;
pub mod auth;
pub mod careers;
pub mod home;
pub mod mentors;
pub mod mentorship;
pub mod plan;
pub mod profile;
pub mod public;
pub mod record;
