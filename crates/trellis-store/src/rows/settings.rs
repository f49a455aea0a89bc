//! Rows of the settings and invites.

use chrono::{DateTime, Utc};
use trellis_core::CoreError;
use trellis_core::settings::{FederationMode, RegistrationMode};
use uuid::Uuid;

use crate::model::{InstanceSettings, Invite};

pub(crate) const SETTINGS_COLUMNS: &str = "registration_mode, federation_mode, match_weights, \
     organization_name, organization_description";

#[derive(sqlx::FromRow)]
pub(crate) struct SettingsRow {
    registration_mode: String,
    federation_mode: String,
    match_weights: String,
    organization_name: String,
    organization_description: String,
}

impl TryFrom<SettingsRow> for InstanceSettings {
    type Error = CoreError;
    fn try_from(row: SettingsRow) -> Result<Self, CoreError> {
        Ok(Self {
            registration_mode: RegistrationMode::parse(&row.registration_mode)?,
            federation_mode: FederationMode::parse(&row.federation_mode)?,
            match_weights: serde_json::from_str(&row.match_weights).map_err(|e| {
                CoreError::invalid("match_weights", format_args!("stored weights: {e}"))
            })?,
            organization_name: row.organization_name,
            organization_description: row.organization_description,
        })
    }
}

pub(crate) const INVITE_COLUMNS: &str =
    "id, created_by, note, max_uses, uses, expires_at, revoked_at, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct InviteRow {
    id: Uuid,
    created_by: Option<Uuid>,
    note: String,
    max_uses: i32,
    uses: i32,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl From<InviteRow> for Invite {
    fn from(row: InviteRow) -> Self {
        Self {
            id: row.id,
            created_by: row.created_by,
            note: row.note,
            max_uses: row.max_uses.try_into().unwrap_or(0),
            uses: row.uses.try_into().unwrap_or(0),
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
            created_at: row.created_at,
        }
    }
}
