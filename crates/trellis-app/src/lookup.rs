//! Lookups several use cases share: a mentorship of the caller's (and
//! their side of it), the skills catalog by key, which instances are
//! partners.

use std::collections::HashMap;

use trellis_core::mentorship::Party;
use trellis_core::skill::SkillKey;
use trellis_store::{Mentorship, Skill, StoreError};
use uuid::Uuid;

use crate::app::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};

/// Which of `domains` are partners now (see `Instance::is_partner`),
/// each asked of the store once.
pub async fn partners_among(app: &App, domains: &[&str]) -> AppResult<HashMap<String, bool>> {
    let mut partners = HashMap::new();
    for &domain in domains {
        if !partners.contains_key(domain) {
            let partner = app
                .store
                .instance(domain)
                .await?
                .is_some_and(|i| i.is_partner());
            partners.insert(domain.to_owned(), partner);
        }
    }
    Ok(partners)
}

/// The caller's side of a mentorship, or `None` if they are not a party.
pub fn role_of(caller: &Caller, m: &Mentorship) -> Option<Party> {
    if m.mentor.account_id == caller.account.id {
        Some(Party::Mentor)
    } else if m.mentee.account_id == caller.account.id {
        Some(Party::Mentee)
    } else {
        None
    }
}

/// A mentorship with its history, for its two parties only.
pub async fn own(app: &App, caller: &Caller, id: Uuid) -> AppResult<(Mentorship, Party)> {
    let not_found = || AppError::not_found("mentorship");
    let m = match app.store.mentorship(id).await {
        Ok(m) => m,
        Err(StoreError::NotFound) => return Err(not_found()),
        Err(other) => return Err(other.into()),
    };
    let role = role_of(caller, &m).ok_or_else(not_found)?;
    Ok((m, role))
}

/// The catalog, keyed for lookups (retired skills included).
pub async fn catalog_by_key(app: &App) -> AppResult<HashMap<SkillKey, Skill>> {
    Ok(app
        .store
        .list_skills(true)
        .await?
        .into_iter()
        .map(|skill| (skill.key.clone(), skill))
        .collect())
}
