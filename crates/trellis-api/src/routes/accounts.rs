//! Registration, signing in and out, and the caller's own account.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::account::{Password, Username};
use trellis_core::settings::RegistrationMode;
use trellis_store::{Account, NewAccount};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{hash_password, hash_token, new_keypair, new_secret, verify_password};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{AppJson, Caller};
use crate::state::AppState;

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

/// Opens an account, as far as the instance's registration mode allows.
#[utoipa::path(
    post,
    path = "/api/v1/accounts",
    tag = "accounts",
    request_body = Registration,
    responses(
        (status = 201, description = "Account created", body = AccountView),
        (status = 403, description = "Registration is closed, or the invite is missing or not valid", body = ErrorBody),
        (status = 409, description = "The username is taken", body = ErrorBody),
        (status = 422, description = "The username or password breaks a rule", body = ErrorBody),
    )
)]
pub async fn register(
    State(state): State<AppState>,
    AppJson(body): AppJson<Registration>,
) -> ApiResult<(StatusCode, AppJson<AccountView>)> {
    let username = Username::parse(&body.username)?;
    let password = Password::parse(&body.password, &username)?;
    let invite_hash = match (
        state.store.settings().await?.registration_mode,
        &body.invite,
    ) {
        (RegistrationMode::Closed, _) => {
            return Err(ApiError::Forbidden(
                "registration is closed on this instance; ask an admin for an account".into(),
            ));
        }
        (RegistrationMode::InviteOnly, None) => {
            return Err(ApiError::Forbidden(
                "registration on this instance needs an invite code (`invite`)".into(),
            ));
        }
        (RegistrationMode::InviteOnly, Some(code)) => {
            // Checked before the username, so that without a valid invite
            // nobody learns which names are taken.
            let hash = hash_token(code);
            if !state.store.invite_usable(&hash, Utc::now()).await? {
                return Err(trellis_store::StoreError::InvalidInvite.into());
            }
            Some(hash)
        }
        (RegistrationMode::Open, _) => None,
    };
    if state.store.account_by_username(&username).await?.is_some() {
        return Err(username_taken(&username));
    }
    let new = NewAccount {
        username: username.clone(),
        password_hash: hash_password(password).await?,
        is_admin: false,
        keys: new_keypair().await?,
    };
    let account = state
        .store
        .register_account(&new, invite_hash.as_deref(), Utc::now())
        .await
        .map_err(|err| match err {
            trellis_store::StoreError::Conflict(_) => username_taken(&username),
            other => other.into(),
        })?;
    tracing::info!(username = %account.username, "account registered");
    Ok((StatusCode::CREATED, AppJson(account.into())))
}

fn username_taken(username: &Username) -> ApiError {
    ApiError::Conflict(format!("the username {username} is taken"))
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

/// Signs in and returns a bearer token.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "accounts",
    request_body = Login,
    responses(
        (status = 200, description = "Signed in", body = Session),
        (status = 401, description = "Wrong username or password (which one is not said)", body = ErrorBody),
        (status = 422, description = "The body lacks the username or password", body = ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    AppJson(body): AppJson<Login>,
) -> ApiResult<AppJson<Session>> {
    let account = match Username::parse(&body.username) {
        Ok(username) => state.store.account_by_username(&username).await?,
        Err(_) => None,
    };
    let password = body.password.chars().take(Password::MAX_LEN + 1).collect();
    let matches =
        verify_password(password, account.as_ref().map(|a| a.password_hash.clone())).await?;
    let account = match account {
        Some(account) if matches => account,
        _ => return Err(ApiError::Unauthorized(WRONG_LOGIN)),
    };
    let token = new_secret("trl_");
    let now = Utc::now();
    let expires_at =
        now + chrono::Duration::from_std(state.config.token_ttl).map_err(ApiError::internal)?;
    state
        .store
        .insert_token(&hash_token(&token), account.id, now, expires_at)
        .await?;
    Ok(AppJson(Session {
        token,
        token_type: "Bearer",
        expires_at,
        account: account.into(),
    }))
}

/// Signs out: the token used for this request stops working.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    state.store.delete_token(&caller.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in caller's account.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's account", body = AccountView),
        (status = 401, description = "Not signed in", body = ErrorBody),
    )
)]
pub async fn me(caller: Caller) -> AppJson<AccountView> {
    AppJson(caller.account.into())
}
