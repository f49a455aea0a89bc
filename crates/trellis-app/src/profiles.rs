//! Profiles: the caller's own, and other members' as far as they may see.

use chrono::Utc;
use trellis_core::account::Username;
use trellis_core::profile::{CatalogState, Profile};
use trellis_core::visibility::Viewer;

use crate::app::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::lookup::catalog_by_key;
use crate::views::{ProfileView, view, viewer_of};

/// The caller's own profile.
pub async fn get_mine(app: &App, caller: &Caller) -> AppResult<ProfileView> {
    let record = app.store.profile(caller.account.id).await?;
    view(app, record).await
}

/// Replaces the caller's profile. Fields left out take their empty value.
pub async fn put_mine(app: &App, caller: &Caller, mut profile: Profile) -> AppResult<ProfileView> {
    profile.normalize();
    profile.check()?;
    let catalog = catalog_by_key(app).await?;
    profile.check_skills(|key| {
        catalog.get(key).map(|skill| {
            if skill.retired {
                CatalogState::Retired
            } else {
                CatalogState::Active
            }
        })
    })?;
    let record = app
        .store
        .put_profile(caller.account.id, &profile, Utc::now())
        .await?;
    view(app, record).await
}

/// Another member's profile, if its visibility lets the caller see it:
/// `username` for members here, `user@domain` for members of partner
/// instances (found through WebFinger). Anonymous callers see public
/// profiles only. A profile the caller may not see is answered exactly like
/// a member who does not exist.
pub async fn get_member(
    app: &App,
    caller: Option<&Caller>,
    username: String,
) -> AppResult<ProfileView> {
    let not_found = || AppError::not_found(format_args!("member {username}"));
    // `name@this-domain` is a local member too.
    let local_name = match username.split_once('@') {
        Some((name, domain)) if domain == app.federation.domain() => name,
        Some(_) => return remote_member(app, caller.is_some(), &username).await,
        None => username.as_str(),
    };
    let name = Username::parse(local_name).map_err(|_| not_found())?;
    let record = match app.store.profile_by_username(&name).await {
        Ok(record) => record,
        Err(trellis_store::StoreError::NotFound) => return Err(not_found()),
        Err(other) => return Err(other.into()),
    };
    if !record.profile.visibility.admits(viewer_of(caller, &record)) {
        return Err(not_found());
    }
    view(app, record).await
}

/// A member of another instance: shown only while that instance is a
/// partner, and only as far as the profile's visibility allows.
async fn remote_member(app: &App, signed_in: bool, handle: &str) -> AppResult<ProfileView> {
    let not_found = || AppError::not_found(format_args!("member {handle}"));
    // Only partners' members are looked up: nothing is fetched from others.
    let domain = handle
        .rsplit_once('@')
        .map(|(_, d)| d.to_ascii_lowercase())
        .unwrap_or_default();
    let partner = app
        .store
        .instance(&domain)
        .await?
        .is_some_and(|i| i.is_partner());
    if !partner {
        return Err(not_found());
    }
    let record = app
        .federation
        .resolve_member(handle)
        .await
        .map_err(|_| not_found())?;
    let viewer = if signed_in {
        Viewer::Member
    } else {
        Viewer::Anonymous
    };
    if record.domain.as_deref() != Some(domain.as_str())
        || !record.profile.visibility.admits(viewer)
    {
        return Err(not_found());
    }
    view(app, record).await
}
