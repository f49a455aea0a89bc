//! Extractors that turn every bad input into an `ApiError`, and the
//! signed-in caller.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, OptionalFromRequestParts};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use trellis_store::Account;

use crate::auth::hash_token;
use crate::error::ApiError;
use crate::state::AppState;

/// `axum::Json`, with its rejections in our error shape.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct AppJson<T>(pub T);

impl<T: serde::Serialize> IntoResponse for AppJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let message = rejection.body_text();
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::UnsupportedMediaType(
                "the body must be JSON, with `Content-Type: application/json`".into(),
            ),
            StatusCode::UNPROCESSABLE_ENTITY => Self::Validation(message),
            _ => Self::BadRequest(message),
        }
    }
}

/// `axum::extract::Query`, with its rejections in our error shape.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct AppQuery<T>(pub T);

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::BadRequest(rejection.body_text())
    }
}

/// `axum::extract::Path`, with its rejections in our error shape.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct AppPath<T>(pub T);

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::BadRequest(rejection.body_text())
    }
}

/// The signed-in caller: a valid `Authorization: Bearer` token is required.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: Account,
    /// The hash of the token this request came with.
    pub token_hash: Vec<u8>,
}

/// A caller who must be an admin of this instance.
#[derive(Debug, Clone)]
pub struct Admin(pub Caller);

const NO_TOKEN: &str = "sign in first: send `Authorization: Bearer <token>`";
const BAD_TOKEN: &str = "the bearer token is unknown or expired; sign in again";

fn bearer(parts: &Parts) -> Result<Option<&str>, ApiError> {
    let Some(value) = parts.headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::Unauthorized(BAD_TOKEN))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim()))
        }
        _ => Err(ApiError::Unauthorized(NO_TOKEN)),
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts)?.ok_or(ApiError::Unauthorized(NO_TOKEN))?;
        let token_hash = hash_token(token);
        let account = state
            .store
            .account_by_token(&token_hash, chrono::Utc::now())
            .await?
            .ok_or(ApiError::Unauthorized(BAD_TOKEN))?;
        Ok(Self {
            account,
            token_hash,
        })
    }
}

/// Signing in is optional, but a token that is sent must be valid.
impl OptionalFromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, ApiError> {
        if bearer(parts)?.is_none() {
            return Ok(None);
        }
        <Self as FromRequestParts<AppState>>::from_request_parts(parts, state)
            .await
            .map(Some)
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller =
            <Caller as FromRequestParts<AppState>>::from_request_parts(parts, state).await?;
        if !caller.account.is_admin {
            return Err(ApiError::Forbidden(
                "only an admin of this instance may do this".into(),
            ));
        }
        Ok(Self(caller))
    }
}
