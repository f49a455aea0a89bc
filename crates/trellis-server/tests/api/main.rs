//! The client API and the `trellis` binary, exercised as a user would:
//! real servers on loopback, real HTTP, a fresh database per test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// `#[on_every_backend]` runs each test through this on both backends.
use trellis_testing::run;

mod accounts;
mod admin;
mod architecture;
mod cli;
mod cohorts;
mod conventions;
mod directory;
mod endorsements;
mod faults;
mod hardening;
mod limits;
mod matching;
mod mentorships;
mod observability;
mod operator;
mod profiles;
mod recognition;
mod reports;
mod reviews;
mod sessions;
mod tracks;
