//! Registration, signing in and out, and the caller's own account.

use axum::extract::State;
use axum::http::StatusCode;
use trellis_app::App;
use trellis_app::accounts::{self, AccountView, Login, Registration, Session};

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AppJson, Caller, Client};

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
        (status = 429, description = "Too many registrations from this address (see Retry-After)", body = ErrorBody),
    )
)]
pub async fn register(
    State(app): State<App>,
    Client(client): Client,
    AppJson(body): AppJson<Registration>,
) -> ApiResult<(StatusCode, AppJson<AccountView>)> {
    Ok((
        StatusCode::CREATED,
        AppJson(accounts::register(&app, body, client).await?),
    ))
}

/// Signs in and returns a bearer token.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "accounts",
    request_body = Login,
    responses(
        (status = 200, description = "Signed in", body = Session),
        (status = 401, description = "Wrong username or password (which one is not said)", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address, or too many failures: locked for a while (see Retry-After)", body = ErrorBody),
        (status = 422, description = "The body lacks the username or password", body = ErrorBody),
    )
)]
pub async fn login(
    State(app): State<App>,
    Client(client): Client,
    AppJson(body): AppJson<Login>,
) -> ApiResult<AppJson<Session>> {
    Ok(AppJson(accounts::login(&app, body, client).await?))
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
pub async fn logout(State(app): State<App>, Caller(caller): Caller) -> ApiResult<StatusCode> {
    accounts::logout(&app, &caller).await?;
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
pub async fn me(Caller(caller): Caller) -> AppJson<AccountView> {
    AppJson(accounts::me(&caller))
}
