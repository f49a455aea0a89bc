//! The Trellis domain: values that validate on construction, and the rules
//! that decide what is allowed. This crate does no IO: no HTTP, no SQL, no
//! JSON-LD, no async runtime. Every other crate speaks in its types.

pub mod account;
pub mod client;
pub mod cohort;
pub mod error;
pub mod growth;
pub mod matching;
pub mod mentorship;
pub mod partnership;
pub mod plan;
pub mod profile;
pub mod recognition;
pub mod review;
pub mod session;
pub mod settings;
pub mod skill;
pub mod text;
pub mod track;
pub mod visibility;

pub use error::{CoreError, ValueError};
