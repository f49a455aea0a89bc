//! Recognition as verifiable credentials: Open Badges 3.0
//! `OpenBadgeCredential`s secured as VC-JWT (RS256, signed with the instance
//! actor's key), and their revocation through a W3C Bitstring Status List.
//!
//! Pure and synchronous: no store, no HTTP. The caller fetches keys and
//! status lists; this module builds, signs and checks the documents.
//!
//! - [`credential_json`] builds the credential, [`sign`] secures it as a
//!   compact JWT whose claims are the credential itself plus `iss`, `jti`,
//!   `sub`, `nbf`, `exp` and `iat`.
//! - [`decode_unverified`] reads the `kid` and the issuer of a JWT before its
//!   key is known; [`verify`] checks, in order, the shape, the algorithm, the
//!   signature, that the JWT claims agree with the credential, and the
//!   validity dates (reported, not refused).
//! - [`StatusList`] is the revocation bitstring; [`status_list_credential_json`]
//!   publishes it, [`verify_status_list`] and [`status_bit`] read it back.
//!
//! Signing and signature checks are `jsonwebtoken`'s; keys are read with
//! `rsa` from the PEM the instance actor stores (PKCS#8 private key, SPKI
//! public key). A credential verifies with any standard JWT library and the
//! issuer's public key alone.
//!
//! The parts: `badge` (the `OpenBadgeCredential`), `jwt` (securing and
//! checking a VC-JWT), `status_list` (revocation), over two leaves that
//! import no other part, `common` (the issuer and what every credential
//! document has) and `error`. Everything public is re-exported here.

mod badge;
mod common;
mod error;
mod jwt;
mod status_list;
#[cfg(test)]
mod tests;

pub use badge::{
    AchievementClaim, Alignment, CredentialDraft, OB_CONTEXT, Verified, credential_json, verify,
};
pub use common::{Issuer, VC_CONTEXT};
pub use error::CredentialError;
pub use jwt::{JwtHeader, decode_unverified, sign};
pub use status_list::{
    STATUS_LIST_MIN_ENTRIES, StatusEntry, StatusList, status_bit, status_list_credential_json,
    verify_status_list,
};
