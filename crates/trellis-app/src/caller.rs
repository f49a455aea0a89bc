//! Who asks: a signed-in member, found by the secret their front door
//! carries (a bearer token, a session cookie), and an admin.

use std::ops::Deref;

use trellis_store::Account;

use crate::app::App;
use crate::auth::hash_token;
use crate::error::{AppError, AppResult};

/// A signed-in member.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: Account,
    /// The hash of the token (or session secret) they signed in with.
    pub token_hash: Vec<u8>,
}

/// A signed-in member who is an admin of this instance. Only
/// [`Caller::admin`] makes one, so a use case that takes an `&Admin`
/// cannot run for anyone else.
#[derive(Debug, Clone)]
pub struct Admin(Caller);

/// What a front door says when the secret it was given is not valid.
pub const BAD_TOKEN: &str = "the bearer token is unknown or expired; sign in again";

impl Caller {
    /// The member a sign-in secret belongs to, if it is valid now.
    pub async fn by_token(app: &App, token: &str) -> AppResult<Self> {
        let token_hash = hash_token(token);
        let account = app
            .store
            .account_by_token(&token_hash, chrono::Utc::now())
            .await?
            .ok_or(AppError::Unauthorized(BAD_TOKEN))?;
        Ok(Self {
            account,
            token_hash,
        })
    }

    /// Refuses a change by a member who moved away: their account here
    /// can still be read and exported, and signed out of, but nothing else.
    pub fn may_change(&self) -> AppResult<()> {
        match &self.account.moved_to {
            Some(moved_to) => Err(AppError::Forbidden(format!(
                "this account moved to {moved_to}; it can be read and exported, not changed"
            ))),
            None => Ok(()),
        }
    }

    /// The caller as an admin, if they are one.
    pub fn admin(self) -> AppResult<Admin> {
        if self.account.is_admin {
            Ok(Admin(self))
        } else {
            Err(AppError::Forbidden(
                "only an admin of this instance may do this".into(),
            ))
        }
    }
}

impl Deref for Admin {
    type Target = Caller;

    fn deref(&self) -> &Caller {
        &self.0
    }
}
