//! Moving to another instance with the long-term file: aliases on the new
//! account, the move started from the old one, the archive it opens to the
//! new instance, and imports (announced by the move, or uploaded).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_store::{HeldCredential, Import, NewImport};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::App;
use crate::archive::{self, Archive, archive_of};
use crate::auth::{hash_token, new_secret};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};

/// The most accounts a member declares as also theirs.
pub const MAX_ALIASES: usize = 5;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Aliases {
    /// Accounts elsewhere that are also the caller's: `user@domain` or an
    /// actor URL when setting (a member who does not share their profile
    /// is found by their actor URL only); actor URLs as kept.
    #[schema(example = json!(["ada@old.example"]))]
    pub also_known_as: Vec<String>,
}

/// The accounts the caller declared as also theirs (`alsoKnownAs` on
/// their actor), as actor URLs.
pub async fn get_aliases(app: &App, caller: &Caller) -> AppResult<Aliases> {
    let actor = app
        .store
        .local_actor_by_id(caller.account.id)
        .await?
        .ok_or_else(|| AppError::NotFound("no such member".into()))?;
    Ok(Aliases {
        also_known_as: actor.also_known_as,
    })
}

/// Declares the caller's accounts elsewhere (`user@domain` or actor URL,
/// at most 5), replacing the list: the first step of moving here from
/// another instance. Each is looked up (WebFinger, or the actor fetched).
pub async fn put_aliases(app: &App, caller: &Caller, body: Aliases) -> AppResult<Aliases> {
    if body.also_known_as.len() > MAX_ALIASES {
        return Err(AppError::Validation(format!(
            "also_known_as: at most {MAX_ALIASES} accounts"
        )));
    }
    let mut urls: Vec<String> = Vec::with_capacity(body.also_known_as.len());
    for handle in &body.also_known_as {
        let url = app
            .federation
            .actor_of(handle.trim())
            .await
            .map_err(|e| match e {
                crate::federation::PortError::NotFound(_) => {
                    AppError::NotFound(format!("also_known_as: {handle} could not be found"))
                }
                other => other.into(),
            })?;
        if app.federation.local_username(&url).is_some() {
            return Err(AppError::Validation(format!(
                "also_known_as: {handle} is an account of this instance"
            )));
        }
        if !urls.contains(&url) {
            urls.push(url);
        }
    }
    app.store.set_aliases(caller.account.id, &urls).await?;
    Ok(Aliases {
        also_known_as: urls,
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartMove {
    /// The caller's account on the new instance, `user@domain`; it must
    /// name this account among its aliases.
    #[schema(example = "ada@new.example")]
    pub to: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MoveView {
    /// The new account's actor.
    pub moved_to: String,
    /// Mentorships with members of this instance, now held with the new
    /// account.
    pub repointed: u64,
    /// Instances told of the move.
    pub told: usize,
}

/// Moves the caller to their account on a partner instance. That account
/// must list this one among its aliases. From then on this account is
/// read-only (it can still be read and exported) and its actor shows
/// `movedTo`; the new instance imports the file, and instances holding
/// mentorships with the caller follow the new account.
pub async fn start(app: &App, caller: &Caller, body: StartMove) -> AppResult<MoveView> {
    // The file as it is now, before anything is re-pointed: what the new
    // instance will import.
    let archive = serde_json::to_string(&archive_of(app, &caller.account).await?)
        .map_err(AppError::internal)?;
    let token = new_secret("trm_");
    let started = app
        .federation
        .start_move(
            caller.account.id,
            body.to.trim(),
            archive,
            &token,
            &hash_token(&token),
        )
        .await?;
    Ok(MoveView {
        moved_to: started.target,
        repointed: started.repointed,
        told: started.told,
    })
}

/// The archive of a member who moved, for their new instance: their file
/// as it was when they moved. The address travels in the `Move` to the
/// new account only, and stays open for 30 days.
pub async fn archive(app: &App, token: String) -> AppResult<String> {
    let archive = app
        .store
        .moved_archive(&hash_token(&token), Utc::now())
        .await?
        .ok_or_else(|| AppError::NotFound("no open archive for this address".into()))?;
    Ok(archive)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportView {
    pub id: Uuid,
    /// The old account the file came from.
    pub from_actor: String,
    /// Its instance: imported history is marked with it.
    pub origin: String,
    /// `pending`, `imported` or `failed`.
    pub state: String,
    /// What was imported, and each thing refused with the reason.
    #[schema(value_type = Object)]
    pub report: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<Import> for ImportView {
    fn from(i: Import) -> Self {
        Self {
            id: i.id,
            from_actor: i.from_actor,
            origin: i.origin,
            state: i.state.as_str().to_owned(),
            report: i.report,
            created_at: i.created_at,
            finished_at: i.finished_at,
        }
    }
}

/// The imports of files into the caller's account, newest first.
pub async fn imports(app: &App, caller: &Caller) -> AppResult<Vec<ImportView>> {
    let all = app.store.imports_of(caller.account.id).await?;
    Ok(all.into_iter().map(Into::into).collect())
}

/// Imports the credentials of an archive the caller exported from their
/// old account (those the move's archive lacked, or when it could not be
/// fetched in time). The old account must be among the caller's aliases,
/// on a partner instance, and must show it moved to this one. Each
/// credential is verified with its issuer's key; a tampered or revoked one
/// is refused and reported. History is taken only from the archive the
/// old instance sends, which it vouches for; what the account holds
/// already is not added again.
pub async fn upload(app: &App, caller: &Caller, archive: Archive) -> AppResult<ImportView> {
    archive::check_shape(&archive).map_err(AppError::Validation)?;
    let from_actor = archive::member_actor(&archive);
    let me = app
        .store
        .local_actor_by_id(caller.account.id)
        .await?
        .ok_or_else(|| AppError::NotFound("no such member".into()))?;
    if !me.also_known_as.contains(&from_actor) {
        return Err(AppError::Forbidden(format!(
            "{from_actor} is not among your aliases: declare it first (PUT /api/v1/me/aliases)"
        )));
    }
    // Only the old account can say the file is this one's: it must have
    // moved here.
    let here = app.federation.actor_url(caller.account.username.as_str());
    let moved_to = app.federation.moved_to(&from_actor).await.map_err(|e| {
        AppError::BadGateway(format!(
            "{from_actor} could not be asked where it moved: {e}"
        ))
    })?;
    if moved_to.as_deref() != Some(here.as_str()) {
        return Err(AppError::Forbidden(format!(
            "{from_actor} has not moved to this account: start the move from there first"
        )));
    }
    // No instance vouches for an uploaded file: only a partner's members'
    // archives are taken, and only for their credentials, which their
    // issuers' signatures vouch for.
    let origin = crate::importer::domain_of(&from_actor)
        .ok_or_else(|| AppError::Validation("member: the archive names no actor".into()))?;
    let partner = app.store.instance(&origin).await?;
    if !partner.is_some_and(|p| p.partnership.is_active() && p.blocked_at.is_none()) {
        return Err(AppError::Forbidden(format!(
            "{origin} is not a partner of this instance"
        )));
    }
    let text = serde_json::to_string(&archive).map_err(AppError::internal)?;
    let queued = app
        .store
        .queue_import(
            &NewImport {
                account_id: caller.account.id,
                from_actor,
                origin,
                archive_url: None,
                archive: Some(text),
            },
            Utc::now(),
        )
        .await?;
    app.federation.wake_importer();
    Ok(queued.into())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HeldView {
    /// Its id, the public URL at its issuer.
    pub url: String,
    /// `award`, `endorsement`, `induction` or `participation`.
    pub kind: String,
    /// The issuer's profile URL, as verified when it was brought here.
    pub issuer: String,
    /// The instance it came from.
    pub origin: String,
    /// The compact VC-JWT, as its issuer signed it.
    pub jwt: String,
}

impl From<HeldCredential> for HeldView {
    fn from(h: HeldCredential) -> Self {
        Self {
            url: h.url,
            kind: h.kind,
            issuer: h.issuer,
            origin: h.origin,
            jwt: h.jwt,
        }
    }
}

/// The credentials of other issuers the caller brought when they moved
/// here, each verified with its issuer's key before it was kept.
pub async fn held(app: &App, caller: &Caller) -> AppResult<Vec<HeldView>> {
    let held = app.store.held_credentials(caller.account.id).await?;
    Ok(held.into_iter().map(Into::into).collect())
}
