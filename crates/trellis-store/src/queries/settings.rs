// Instance settings and invites. Included as a module of each backend.

use chrono::{DateTime, Utc};
use trellis_core::settings::{FederationMode, RegistrationMode};
use uuid::Uuid;

use super::Backend;
use crate::error::StoreResult;
use crate::model::{InstanceSettings, Invite, NewInvite, SettingsChange};
use crate::rows::settings::{INVITE_COLUMNS, InviteRow, SETTINGS_COLUMNS, SettingsRow};

impl Backend {
    pub async fn settings(&self) -> StoreResult<InstanceSettings> {
        let row: SettingsRow = sqlx::query_as(&format!(
            "SELECT {SETTINGS_COLUMNS} FROM instance_settings WHERE id = 1"
        ))
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_into()?)
    }

    pub async fn change_settings(&self, change: &SettingsChange) -> StoreResult<InstanceSettings> {
        let row: SettingsRow = sqlx::query_as(&format!(
            "UPDATE instance_settings SET \
               registration_mode = COALESCE($1, registration_mode), \
               organization_name = COALESCE($2, organization_name), \
               organization_description = COALESCE($3, organization_description), \
               federation_mode = COALESCE($4, federation_mode), \
               match_weights = COALESCE($5, match_weights) \
             WHERE id = 1 RETURNING {SETTINGS_COLUMNS}"
        ))
        .bind(change.registration_mode.map(RegistrationMode::as_str))
        .bind(change.organization_name.as_deref())
        .bind(change.organization_description.as_deref())
        .bind(change.federation_mode.map(FederationMode::as_str))
        .bind(
            change
                .match_weights
                .map(|w| serde_json::to_string(&w).unwrap_or_default()),
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_into()?)
    }

    pub async fn create_invite(&self, new: &NewInvite, now: DateTime<Utc>) -> StoreResult<Invite> {
        let row: InviteRow = sqlx::query_as(&format!(
            "INSERT INTO invites (id, code_hash, created_by, note, max_uses, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {INVITE_COLUMNS}"
        ))
        .bind(Uuid::now_v7())
        .bind(&new.code_hash)
        .bind(new.created_by)
        .bind(&new.note)
        .bind(i32::try_from(new.max_uses).unwrap_or(i32::MAX))
        .bind(new.expires_at)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.into())
    }

    /// Every invite, newest first.
    pub async fn list_invites(&self) -> StoreResult<Vec<Invite>> {
        let rows: Vec<InviteRow> = sqlx::query_as(&format!(
            "SELECT {INVITE_COLUMNS} FROM invites ORDER BY created_at DESC, id DESC"
        ))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Invite::from).collect())
    }

    /// Revokes an invite (a second revocation keeps the first time).
    pub async fn revoke_invite(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<Invite> {
        let row: InviteRow = sqlx::query_as(&format!(
            "UPDATE invites SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 \
             RETURNING {INVITE_COLUMNS}"
        ))
        .bind(id)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.into())
    }
}
