//! The one error type of the client API and how it becomes a response:
//! the right status code and `{"error": {"code", "message"}}`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use trellis_app::AppError;
use utoipa::ToSchema;

/// What the API answers when something is refused or fails: a use case's
/// refusal, or what only HTTP knows (a body too large, a wrong method).
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// What a use case refused, or a malformed request.
    #[error(transparent)]
    App(#[from] AppError),
    #[error("the request body is larger than this server accepts")]
    PayloadTooLarge,
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("this method is not allowed here")]
    MethodNotAllowed,
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable, machine-readable code such as `validation_failed`.
    #[schema(example = "validation_failed")]
    pub code: &'static str,
    /// What went wrong, for people.
    #[schema(example = "username: must be 2 to 30 characters long")]
    pub message: String,
}

impl ApiError {
    /// A malformed request: bad JSON syntax, a bad query or path.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::App(AppError::BadRequest(message.into()))
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::App(err) => match err {
                AppError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
                AppError::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
                AppError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
                AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
                AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
                AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
                AppError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
                // As Mastodon answers for a remote account it cannot resolve: the
                // request is understood, and cannot be carried out now.
                AppError::BadGateway(_) => (StatusCode::UNPROCESSABLE_ENTITY, "peer_unavailable"),
                AppError::TooManyRequests { .. } => {
                    (StatusCode::TOO_MANY_REQUESTS, "too_many_requests")
                }
                AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            },
            Self::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Self::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
        }
    }
}

/// When a client told "unavailable" should try again, in seconds.
const RETRY_UNAVAILABLE_SECS: u32 = 5;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        match &self {
            Self::App(AppError::Internal(cause)) => {
                tracing::error!(error = %cause, "request failed")
            }
            Self::App(AppError::Unavailable(why)) => tracing::warn!(reason = %why, "unavailable"),
            _ => {}
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code,
                message: self.to_string(),
            },
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"trellis\""),
            );
        }
        if let Self::App(AppError::TooManyRequests { retry_after, .. }) = &self {
            let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(RETRY_UNAVAILABLE_SECS),
            );
        }
        response
    }
}

impl From<trellis_core::CoreError> for ApiError {
    fn from(err: trellis_core::CoreError) -> Self {
        AppError::from(err).into()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
