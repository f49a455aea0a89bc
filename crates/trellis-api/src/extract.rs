//! Extractors that turn every bad input into an `ApiError`, and the
//! signed-in caller.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, OptionalFromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use trellis_app::caller::BAD_TOKEN;
use trellis_app::{App, AppError};

use crate::error::ApiError;

/// A JSON object body, parsed as `axum::Json` does, with every rejection
/// in our error shape. Anything but an object (an array, a string) is
/// refused: serde would otherwise read an array into a struct.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppJson<T>(pub T);

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false)
}

impl<T, S> FromRequest<S> for AppJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(request.headers()) {
            return Err(ApiError::UnsupportedMediaType(
                "the body must be JSON, with `Content-Type: application/json`".into(),
            ));
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|rejection| match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
                _ => ApiError::bad_request(rejection.body_text()),
            })?;
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first.is_some() && first != Some(&b'{') {
            return Err(AppError::Validation("the body must be a JSON object".into()).into());
        }
        let axum::Json(value) = axum::Json::<T>::from_bytes(&bytes)?;
        Ok(Self(value))
    }
}

impl<T: serde::Serialize> IntoResponse for AppJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// An optional JSON body: none when the request has no `Content-Type`.
impl<T, S> axum::extract::OptionalFromRequest<S> for AppJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(
        request: axum::extract::Request,
        state: &S,
    ) -> Result<Option<Self>, ApiError> {
        if !request
            .headers()
            .contains_key(axum::http::header::CONTENT_TYPE)
        {
            return Ok(None);
        }
        <Self as FromRequest<S>>::from_request(request, state)
            .await
            .map(Some)
    }
}

/// The parser's words without its framing: no "Failed to deserialize…"
/// prefix, no "at line 1 column 42" suffix.
fn json_message(text: &str) -> String {
    let text = text
        .strip_prefix("Failed to deserialize the JSON body into the target type: ")
        .or_else(|| {
            text.strip_prefix("Failed to parse the request body as JSON: ")
                .map(|rest| rest.trim_start_matches("invalid JSON: "))
        })
        .unwrap_or(text);
    let text = match text.rfind(" at line ") {
        Some(at) if text[at..].contains(" column ") => &text[..at],
        _ => text,
    };
    text.to_owned()
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let message = json_message(&rejection.body_text());
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::UnsupportedMediaType(
                "the body must be JSON, with `Content-Type: application/json`".into(),
            ),
            StatusCode::UNPROCESSABLE_ENTITY => AppError::Validation(message).into(),
            _ => Self::bad_request(format!("the body is not valid JSON: {message}")),
        }
    }
}

/// `axum::extract::Query`, with its rejections in our error shape.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct AppQuery<T>(pub T);

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::bad_request(rejection.body_text())
    }
}

/// `axum::extract::Path`, with its rejections in our error shape.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct AppPath<T>(pub T);

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::bad_request(rejection.body_text())
    }
}

/// The signed-in caller: a valid `Authorization: Bearer` token is required.
/// A member who moved away may read, export and sign out; any other change
/// is refused (`Caller::may_change`).
#[derive(Debug, Clone)]
pub struct Caller(pub trellis_app::Caller);

/// A caller who must be an admin of this instance.
#[derive(Debug, Clone)]
pub struct Admin(pub trellis_app::Admin);

const NO_TOKEN: &str = "sign in first: send `Authorization: Bearer <token>`";
const NOT_BEARER: &str = "the Authorization header must be `Bearer <token>`";

fn bearer(parts: &Parts) -> Result<Option<&str>, ApiError> {
    let Some(value) = parts.headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| AppError::Unauthorized(BAD_TOKEN))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim()))
        }
        _ => Err(AppError::Unauthorized(NOT_BEARER).into()),
    }
}

impl FromRequestParts<App> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let token = bearer(parts)?.ok_or(AppError::Unauthorized(NO_TOKEN))?;
        let caller = trellis_app::Caller::by_token(app, token).await?;
        if !matches!(parts.method, Method::GET | Method::HEAD)
            && parts.uri.path() != "/api/v1/auth/logout"
        {
            caller.may_change()?;
        }
        Ok(Self(caller))
    }
}

/// Signing in is optional, but a token that is sent must be valid.
impl OptionalFromRequestParts<App> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Option<Self>, ApiError> {
        if bearer(parts)?.is_none() {
            return Ok(None);
        }
        <Self as FromRequestParts<App>>::from_request_parts(parts, app)
            .await
            .map(Some)
    }
}

impl FromRequestParts<App> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let Caller(caller) =
            <Caller as FromRequestParts<App>>::from_request_parts(parts, app).await?;
        Ok(Self(caller.admin()?))
    }
}

/// Where the request comes from, as the server found it (its peer, or a
/// trusted proxy's `X-Forwarded-For`); unknown when the server says nothing.
#[derive(Debug, Clone, Copy)]
pub struct Client(pub trellis_app::limits::ClientAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<trellis_app::limits::ClientAddr>()
                .copied()
                .unwrap_or_default(),
        ))
    }
}
