//! What anyone may read without an account: the program's landing page
//! (who runs it, how to join, its partners, its public mentors) and a
//! credential this instance issued, checked live.

use chrono::{DateTime, Utc};
use serde::Serialize;
use trellis_core::recognition::CredentialCheck;
use trellis_core::settings::RegistrationMode;
use trellis_core::visibility::Visibility;
use trellis_store::{CredentialKind, DirectoryQuery, Scope, StoreError};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::views::{ProfileView, views};

/// A partner organization, as the landing page names it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartnerView {
    pub domain: String,
    /// The organization's name, as its instance says.
    pub name: Option<String>,
}

/// The program's front page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Landing {
    pub organization_name: String,
    pub organization_description: String,
    pub domain: String,
    pub registration_mode: RegistrationMode,
    pub partners: Vec<PartnerView>,
    /// Mentors of this instance whose profiles are public, accepting first.
    pub public_mentors: Vec<ProfileView>,
    /// How many public mentors there are in all.
    pub public_mentor_count: u64,
}

/// The most public mentors the landing page shows.
const LANDING_MENTORS: u32 = 12;

/// The landing page: what anyone may know of the program.
pub async fn landing(app: &App) -> AppResult<Landing> {
    let settings = app.store.settings().await?;
    let mut partners: Vec<PartnerView> = app
        .store
        .list_instances()
        .await?
        .into_iter()
        .filter(trellis_store::Instance::is_partner)
        .map(|i| PartnerView {
            name: i.actor.as_ref().and_then(|a| a.name.clone()),
            domain: i.domain,
        })
        .collect();
    partners.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.domain.cmp(&b.domain)));
    let found = app
        .store
        .search_mentors(&DirectoryQuery {
            scope: Scope::Local,
            visible: vec![Visibility::Public],
            skills: Vec::new(),
            min_level: None,
            language: None,
            text: None,
            accepting_only: false,
            limit: LANDING_MENTORS,
            offset: 0,
        })
        .await?;
    Ok(Landing {
        organization_name: settings.organization_name,
        organization_description: settings.organization_description,
        domain: app.federation.domain().to_owned(),
        registration_mode: settings.registration_mode,
        partners,
        public_mentors: views(app, found.items).await?,
        public_mentor_count: found.total,
    })
}

/// The organization's name, for every page's header.
pub async fn organization_name(app: &App) -> AppResult<String> {
    Ok(app.store.settings().await?.organization_name)
}

/// A credential this instance issued, in words, with what checking it
/// now finds (signature, dates, revocation).
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicCredential {
    pub id: Uuid,
    /// Its public URL (its `id`).
    pub url: String,
    /// `award`, `endorsement`, `induction` or `participation`.
    #[schema(value_type = String)]
    pub kind: CredentialKind,
    pub name: String,
    pub achievement_name: String,
    pub achievement_description: String,
    pub criteria: String,
    /// The member it was issued to, by their username here.
    pub subject_username: Option<String>,
    /// Their actor, as the credential names it.
    pub subject: Option<String>,
    pub issuer_name: String,
    pub issued_at: DateTime<Utc>,
    pub valid_until: Option<DateTime<Utc>>,
    /// The compact VC-JWT, as signed.
    pub jwt: String,
    /// What checking it found just now.
    pub check: CredentialCheck,
}

/// A credential of this instance by its id, checked as any verifier
/// would (its signature with the instance's key, its status list).
pub async fn credential(app: &App, id: Uuid) -> AppResult<PublicCredential> {
    let c = match app.store.credential(id).await {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Err(AppError::not_found("credential")),
        Err(other) => return Err(other.into()),
    };
    let check = app.federation.verify_credential(&c.jwt).await?;
    let subject_username = match app.store.profile(c.subject_id).await {
        Ok(record) if record.domain.is_none() => Some(record.username.to_string()),
        Ok(_) | Err(StoreError::NotFound) => None,
        Err(other) => return Err(other.into()),
    };
    Ok(PublicCredential {
        url: app.federation.credential_url(c.id),
        id: c.id,
        kind: c.kind,
        name: c.content.name,
        achievement_name: c.content.achievement.name,
        achievement_description: c.content.achievement.description,
        criteria: c.content.achievement.criteria_narrative,
        subject_username,
        subject: check.subject.clone(),
        issuer_name: check
            .issuer
            .name
            .clone()
            .unwrap_or_else(|| app.federation.domain().to_owned()),
        issued_at: c.issued_at,
        valid_until: c.content.valid_until,
        jwt: c.jwt,
        check,
    })
}
