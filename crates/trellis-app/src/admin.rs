//! Instance administration: settings and invites.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::CoreError;
use trellis_core::settings::{
    FederationMode, RegistrationMode, check_organization_description, check_organization_name,
};
use trellis_store::{InstanceSettings, Invite, NewInvite, SettingsChange};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::App;
use crate::auth::{hash_token, new_secret};
use crate::caller::Admin;
use crate::error::{AppError, AppResult};

#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsView {
    pub registration_mode: RegistrationMode,
    /// Whether partnership requests wait for an admin or are accepted at once.
    pub federation_mode: FederationMode,
    pub organization_name: String,
    pub organization_description: String,
}

impl From<InstanceSettings> for SettingsView {
    fn from(settings: InstanceSettings) -> Self {
        Self {
            registration_mode: settings.registration_mode,
            federation_mode: settings.federation_mode,
            organization_name: settings.organization_name,
            organization_description: settings.organization_description,
        }
    }
}

/// The instance's settings.
pub async fn get_settings(app: &App, _admin: &Admin) -> AppResult<SettingsView> {
    Ok(app.store.settings().await?.into())
}

/// A change to the settings: fields left out stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsEdit {
    pub registration_mode: Option<RegistrationMode>,
    pub federation_mode: Option<FederationMode>,
    pub organization_name: Option<String>,
    pub organization_description: Option<String>,
}

/// Changes the instance's settings (fields left out stay as they are).
pub async fn edit_settings(
    app: &App,
    _admin: &Admin,
    body: SettingsEdit,
) -> AppResult<SettingsView> {
    let organization_name = body.organization_name.map(|n| n.trim().to_owned());
    if let Some(name) = &organization_name {
        check_organization_name(name)?;
    }
    let organization_description = body.organization_description.map(|d| d.trim().to_owned());
    if let Some(description) = &organization_description {
        check_organization_description(description)?;
    }
    let change = SettingsChange {
        registration_mode: body.registration_mode,
        federation_mode: body.federation_mode,
        match_weights: None,
        organization_name,
        organization_description,
    };
    let settings = app.store.change_settings(&change).await?;
    tracing::info!(
        registration_mode = settings.registration_mode.as_str(),
        federation_mode = settings.federation_mode.as_str(),
        "settings changed"
    );
    Ok(settings.into())
}

/// Where an invite stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum InviteState {
    Active,
    UsedUp,
    Expired,
    Revoked,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InviteView {
    pub id: Uuid,
    pub note: String,
    pub max_uses: u32,
    pub uses: u32,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    pub state: InviteState,
}

impl InviteView {
    fn new(invite: Invite, now: DateTime<Utc>) -> Self {
        let state = if invite.revoked_at.is_some() {
            InviteState::Revoked
        } else if invite.expires_at.is_some_and(|at| at <= now) {
            InviteState::Expired
        } else if invite.uses >= invite.max_uses {
            InviteState::UsedUp
        } else {
            InviteState::Active
        };
        Self {
            id: invite.id,
            note: invite.note,
            max_uses: invite.max_uses,
            uses: invite.uses,
            expires_at: invite.expires_at,
            revoked_at: invite.revoked_at,
            created_at: invite.created_at,
            created_by: invite.created_by,
            state,
        }
    }
}

/// Every invite, newest first. Codes are not shown: they are only stored hashed.
pub async fn list_invites(app: &App, _admin: &Admin) -> AppResult<Vec<InviteView>> {
    let now = Utc::now();
    let invites = app.store.list_invites().await?;
    Ok(invites
        .into_iter()
        .map(|invite| InviteView::new(invite, now))
        .collect())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    /// Who it is for, for the admins' own memory.
    #[serde(default)]
    pub note: String,
    /// How many accounts it may open (1 to 1000, default 1).
    #[schema(minimum = 1, maximum = 1000)]
    pub max_uses: Option<u32>,
    /// Days until it expires (1 to 365); no expiry when left out.
    #[schema(minimum = 1, maximum = 365)]
    pub expires_in_days: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedInvite {
    /// The code to give the invitee; it is shown this once.
    pub code: String,
    pub invite: InviteView,
}

/// Creates an invite code for registration while it is invite-only.
pub async fn create_invite(
    app: &App,
    admin: &Admin,
    body: InviteRequest,
) -> AppResult<CreatedInvite> {
    let max_uses = body.max_uses.unwrap_or(1);
    if !(1..=1000).contains(&max_uses) {
        return Err(CoreError::invalid("max_uses", "must be 1 to 1000").into());
    }
    if body
        .expires_in_days
        .is_some_and(|d| !(1..=365).contains(&d))
    {
        return Err(CoreError::invalid("expires_in_days", "must be 1 to 365").into());
    }
    trellis_core::text::check_line("note", &body.note, 200)?;
    let now = Utc::now();
    let code = new_secret("inv_");
    let new = NewInvite {
        code_hash: hash_token(&code),
        created_by: admin.account.id,
        note: body.note.trim().to_owned(),
        max_uses,
        expires_at: body
            .expires_in_days
            .map(|days| now + Duration::days(i64::from(days))),
    };
    let invite = app.store.create_invite(&new, now).await?;
    Ok(CreatedInvite {
        code,
        invite: InviteView::new(invite, now),
    })
}

/// Revokes an invite: it opens no more accounts.
pub async fn revoke_invite(app: &App, _admin: &Admin, id: Uuid) -> AppResult<InviteView> {
    let now = Utc::now();
    let invite = app
        .store
        .revoke_invite(id, now)
        .await
        .map_err(|err| match err {
            trellis_store::StoreError::NotFound => AppError::not_found("invite"),
            other => other.into(),
        })?;
    Ok(InviteView::new(invite, now))
}

/// Members an admin looks up by part of their username or name (to put
/// them in a cohort, say): members here and members of partner instances
/// whose profiles reach this one; private profiles are left out.
pub async fn find_members(
    app: &App,
    _admin: &Admin,
    text: &str,
) -> AppResult<Vec<crate::views::ProfileView>> {
    use trellis_core::visibility::Visibility;
    let text = text.trim();
    trellis_core::text::check_line("find", text, 100)?;
    let found = app.store.find_members(text, 50).await?;
    let domains: Vec<&str> = found.iter().filter_map(|r| r.domain.as_deref()).collect();
    let partners = crate::lookup::partners_among(app, &domains).await?;
    let mut shown = Vec::with_capacity(found.len());
    for record in found {
        let reaches_here = match &record.domain {
            None => record.profile.visibility != Visibility::Private,
            Some(domain) => {
                record.profile.visibility >= Visibility::Federated
                    && partners.get(domain).copied().unwrap_or(false)
            }
        };
        if !reaches_here {
            continue;
        }
        shown.push(record);
    }
    crate::views::views(app, shown).await
}
