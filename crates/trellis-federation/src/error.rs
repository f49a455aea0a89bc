use activitypub_federation::error::Error as ApubError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use trellis_core::CoreError;
use trellis_store::StoreError;

/// Why a federation request or step failed.
#[derive(Debug, thiserror::Error)]
pub enum FederationError {
    #[error("not found")]
    NotFound,
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// The sender may not do this (blocked, not a partner, wrong party).
    #[error("{0}")]
    Refused(String),
    /// The request does not fit the current state.
    #[error("{0}")]
    Conflict(String),
    /// The request is not signed, or its signature does not hold.
    #[error("{0}")]
    Unsigned(String),
    #[error("the activity is larger than this server accepts")]
    TooLarge,
    /// The sending instance posted too often lately; it may again after the wait.
    #[error("too many activities from {domain} lately; try again in {} s", .retry_after.as_secs())]
    TooManyRequests {
        domain: String,
        retry_after: std::time::Duration,
    },
    /// The peer could not be reached or answered something unusable.
    #[error("{0}")]
    Peer(String),
    #[error(transparent)]
    Protocol(#[from] ApubError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

impl FederationError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::Refused(_) => (StatusCode::FORBIDDEN, "forbidden"),
            Self::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            Self::Unsigned(_) => (StatusCode::UNAUTHORIZED, "bad_signature"),
            Self::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Self::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
            Self::Peer(_) => (StatusCode::BAD_GATEWAY, "peer_unavailable"),
            Self::Protocol(err) => match err {
                ApubError::NotFound | ApubError::ObjectDeleted(_) => {
                    (StatusCode::NOT_FOUND, "not_found")
                }
                ApubError::ActivityBodyDigestInvalid
                | ApubError::ActivitySignatureInvalid
                | ApubError::Other(_) => (StatusCode::UNAUTHORIZED, "bad_signature"),
                ApubError::UrlVerificationError(_)
                | ApubError::DomainResolveError(_)
                | ApubError::ResolveInternalIpError(..) => (StatusCode::FORBIDDEN, "forbidden"),
                ApubError::ParseReceivedActivity { .. } | ApubError::UrlParse(_) => {
                    (StatusCode::BAD_REQUEST, "bad_request")
                }
                _ => (StatusCode::BAD_REQUEST, "unusable_actor"),
            },
            Self::Store(StoreError::NotFound) => (StatusCode::NOT_FOUND, "not_found"),
            Self::Store(_) | Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl FederationError {
    /// The error's code, as its answer's body says it (`bad_signature`).
    pub fn code(&self) -> &'static str {
        self.status_and_code().1
    }

    /// What the requester is told: this error in words that name no
    /// setting of this server (the library's address errors do).
    pub fn public_message(&self) -> String {
        match self {
            Self::Protocol(ApubError::DomainResolveError(domain)) => {
                format!("{domain} resolves to an address this instance does not federate with")
            }
            Self::Protocol(ApubError::ResolveInternalIpError(host, _)) => {
                format!("{host} resolves to an address this instance does not federate with")
            }
            other => other.to_string(),
        }
    }
}

impl IntoResponse for FederationError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = if status.is_server_error() {
            tracing::error!(error = %self, "federation request failed");
            "internal error".to_owned()
        } else {
            tracing::info!(error = %self, status = status.as_u16(), "federation request refused");
            self.public_message()
        };
        let mut response = (
            status,
            Json(json!({"error": {"code": code, "message": message}})),
        )
            .into_response();
        if let Self::TooManyRequests { retry_after, .. } = self {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after.as_secs().max(1)),
            );
        }
        response
    }
}

impl From<CoreError> for FederationError {
    fn from(err: CoreError) -> Self {
        match err {
            CoreError::Invalid { .. } => Self::BadRequest(err.to_string()),
            CoreError::Forbidden(why) => Self::Refused(why),
            CoreError::Conflict(why) => Self::Conflict(why),
        }
    }
}

pub type FederationResult<T> = Result<T, FederationError>;
