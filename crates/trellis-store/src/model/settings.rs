//! The instance's settings and invites.

use chrono::{DateTime, Utc};
use trellis_core::settings::{FederationMode, RegistrationMode};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceSettings {
    pub registration_mode: RegistrationMode,
    pub federation_mode: FederationMode,
    pub match_weights: trellis_core::matching::Weights,
    pub organization_name: String,
    pub organization_description: String,
}

/// A change to the settings; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default)]
pub struct SettingsChange {
    pub registration_mode: Option<RegistrationMode>,
    pub federation_mode: Option<FederationMode>,
    pub match_weights: Option<trellis_core::matching::Weights>,
    pub organization_name: Option<String>,
    pub organization_description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub id: Uuid,
    pub created_by: Option<Uuid>,
    pub note: String,
    pub max_uses: u32,
    pub uses: u32,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewInvite {
    /// SHA-256 of the code; the code itself is never stored.
    pub code_hash: Vec<u8>,
    pub created_by: Uuid,
    pub note: String,
    pub max_uses: u32,
    pub expires_at: Option<DateTime<Utc>>,
}
