//! Local members: their accounts and key pairs.

use chrono::{DateTime, Utc};
use trellis_core::account::Username;
use uuid::Uuid;

/// A local member: an account that signs in here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: Uuid,
    pub username: Username,
    pub password_hash: String,
    pub is_admin: bool,
    /// The actor this member moved to; a moved account is read-only.
    pub moved_to: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: Username,
    pub password_hash: String,
    pub is_admin: bool,
    /// The member's actor key pair (PEM: SPKI public, PKCS#8 private).
    pub keys: KeyPair,
}

/// An RSA key pair in PEM, as actors sign with.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyPair {
    pub public_key_pem: String,
    pub private_key_pem: String,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("public_key_pem", &self.public_key_pem)
            .field("private_key_pem", &"<redacted>")
            .finish()
    }
}
