//! Registration, signing in and out, and the caller's own account.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::account::{Password, Username};
use trellis_core::settings::RegistrationMode;
use trellis_store::{Account, NewAccount, Store};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::App;
use crate::auth::{hash_password, hash_token, new_keypair, new_secret, verify_password};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::limits::ClientAddr;

/// A member's account, as its owner sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub id: Uuid,
    pub username: Username,
    pub is_admin: bool,
    pub created_at: DateTime<Utc>,
}

impl From<Account> for AccountView {
    fn from(account: Account) -> Self {
        Self {
            id: account.id,
            username: account.username,
            is_admin: account.is_admin,
            created_at: account.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// 2 to 30 characters of a-z, 0-9 and `_` (capitals are folded).
    #[schema(example = "ada_l")]
    pub username: String,
    /// At least 10 characters, not containing the username.
    #[schema(example = "correct horse battery")]
    pub password: String,
    /// Needed when registration is invite-only.
    pub invite: Option<String>,
}

/// Opens an account, as far as the instance's registration mode allows
/// (registrations per address are limited).
pub async fn register(app: &App, body: Registration, client: ClientAddr) -> AppResult<AccountView> {
    app.limits.before_registration(client)?;
    let username = Username::parse(&body.username)?;
    let password = Password::parse(&body.password, &username)?;
    let invite_hash = match (app.store.settings().await?.registration_mode, &body.invite) {
        (RegistrationMode::Closed, _) => {
            return Err(AppError::Forbidden(
                "registration is closed on this instance; ask an admin for an account".into(),
            ));
        }
        (RegistrationMode::InviteOnly, None) => {
            return Err(AppError::Forbidden(
                "registration on this instance needs an invite code (`invite`)".into(),
            ));
        }
        (RegistrationMode::InviteOnly, Some(code)) => {
            // Checked before the username, so that without a valid invite
            // nobody learns which names are taken.
            let hash = hash_token(code);
            if !app.store.invite_usable(&hash, Utc::now()).await? {
                return Err(trellis_store::StoreError::InvalidInvite.into());
            }
            Some(hash)
        }
        (RegistrationMode::Open, _) => None,
    };
    if app.store.account_by_username(&username).await?.is_some() {
        return Err(username_taken(&username));
    }
    let account = open_account(&app.store, username, password, false, invite_hash).await?;
    tracing::info!(username = %account.username, "account registered");
    Ok(account.into())
}

/// Creates an account without asking the registration mode, as an
/// operator does (`trellis admin create-user`, the demo): the name and
/// password are held to the same rules as a registration's.
pub async fn create_account(
    store: &Store,
    username: &str,
    password: &str,
    is_admin: bool,
) -> AppResult<Account> {
    let username = Username::parse(username)?;
    let password = Password::parse(password, &username)?;
    open_account(store, username, password, is_admin, None).await
}

/// Hashes the password, makes the key pair and opens the account (using
/// the invite, when one is given, in the same transaction).
async fn open_account(
    store: &Store,
    username: Username,
    password: Password,
    is_admin: bool,
    invite_hash: Option<Vec<u8>>,
) -> AppResult<Account> {
    let new = NewAccount {
        username: username.clone(),
        password_hash: hash_password(password).await?,
        is_admin,
        keys: new_keypair().await?,
    };
    store
        .register_account(&new, invite_hash.as_deref(), Utc::now())
        .await
        .map_err(|err| match err {
            trellis_store::StoreError::Conflict(_) => username_taken(&username),
            other => other.into(),
        })
}

fn username_taken(username: &Username) -> AppError {
    AppError::Conflict(format!("the username {username} is taken"))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    /// Send it as `Authorization: Bearer <token>`.
    pub token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    pub expires_at: DateTime<Utc>,
    pub account: AccountView,
}

const WRONG_LOGIN: &str = "the username or password is wrong";

/// Signs in and returns a bearer token. Attempts per address are limited;
/// failures (per account and per address) slow the answer down and then
/// lock the account and address for a while.
pub async fn login(app: &App, body: Login, client: ClientAddr) -> AppResult<Session> {
    let key = body.username.trim().to_lowercase();
    app.limits.before_sign_in(&key, client)?;
    let account = match Username::parse(&body.username) {
        Ok(username) => app.store.account_by_username(&username).await?,
        Err(_) => None,
    };
    let password = body.password.chars().take(Password::MAX_LEN + 1).collect();
    let matches =
        verify_password(password, account.as_ref().map(|a| a.password_hash.clone())).await?;
    let account = match account {
        Some(account) if matches => account,
        _ => {
            let wait = app.limits.sign_in_failed(&key, client)?;
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            return Err(AppError::Unauthorized(WRONG_LOGIN));
        }
    };
    let token = new_secret("trl_");
    let now = Utc::now();
    let expires_at =
        now + chrono::Duration::from_std(app.config.token_ttl).map_err(AppError::internal)?;
    app.store
        .insert_token(&hash_token(&token), account.id, now, expires_at)
        .await?;
    Ok(Session {
        token,
        token_type: "Bearer",
        expires_at,
        account: account.into(),
    })
}

/// Signs out: the token used for this request stops working.
pub async fn logout(app: &App, caller: &Caller) -> AppResult<()> {
    app.store.delete_token(&caller.token_hash).await?;
    Ok(())
}

/// The signed-in caller's account.
pub fn me(caller: &Caller) -> AccountView {
    caller.account.clone().into()
}

/// What every page shows of the signed-in member besides their own
/// content: their time zone, how many notifications wait unread, and where
/// they moved if they did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Presence {
    pub username: Username,
    pub is_admin: bool,
    pub timezone: Option<trellis_core::profile::Timezone>,
    pub unread: u64,
    pub moved_to: Option<String>,
}

/// The signed-in member's presence on a page.
pub async fn presence(app: &App, caller: &Caller) -> AppResult<Presence> {
    let timezone = app.store.profile(caller.account.id).await?.profile.timezone;
    let unread = app
        .store
        .notifications(caller.account.id, 200)
        .await?
        .iter()
        .filter(|n| n.read_at.is_none())
        .count() as u64;
    Ok(Presence {
        username: caller.account.username.clone(),
        is_admin: caller.account.is_admin,
        timezone,
        unread,
        moved_to: caller.account.moved_to.clone(),
    })
}
