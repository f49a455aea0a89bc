//! Federation between real instances on loopback: discovery, signed
//! delivery, partnerships, the federated directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// `#[on_every_backend]` runs each test through this on both backends: a
// test given a `TestApp` gets one instance, a test given a `Backend`
// starts its own.
use trellis_testing::run;

mod crash;
mod credentials;
mod delivery;
mod directory;
mod discovery;
mod egress;
mod endorsements;
mod interop;
mod jsonld;
mod leases;
mod mentorships;
mod moves;
mod partnership;
mod privacy;
mod signatures;
mod year;
