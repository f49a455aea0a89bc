//! The one error type of the use cases: what kind of refusal or failure
//! happened, in words for people. Each front door turns a kind into its
//! own answer (a status code and a JSON body, or a message on a page).

use trellis_core::CoreError;
use trellis_store::StoreError;

use crate::federation::PortError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is malformed: a parameter out of range, say.
    #[error("{0}")]
    BadRequest(String),
    /// Well-formed, but a value breaks a rule.
    #[error("{0}")]
    Validation(String),
    /// Not signed in, or the credentials are wrong.
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// The database (or another part) cannot serve now but may soon; the
    /// words say why, without internals.
    #[error("{0}; try again shortly")]
    Unavailable(String),
    /// Too many of these, too fast: try again after `retry_after`.
    #[error("{message}")]
    TooManyRequests {
        message: String,
        retry_after: std::time::Duration,
    },
    /// Another instance could not be reached or answered nonsense.
    #[error("{0}")]
    BadGateway(String),
    /// Something failed on our side; the cause is logged, never shown.
    #[error("internal error")]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::NotFound(format!("{what} not found"))
    }

    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(err))
    }
}

impl From<CoreError> for AppError {
    fn from(err: CoreError) -> Self {
        match err {
            CoreError::Invalid { .. } => Self::Validation(err.to_string()),
            CoreError::Forbidden(message) => Self::Forbidden(message),
            CoreError::Conflict(message) => Self::Conflict(message),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => Self::NotFound("not found".into()),
            StoreError::Conflict(what) => {
                Self::Conflict(format!("the change conflicts with existing data ({what})"))
            }
            StoreError::Refused(rule) => rule.into(),
            StoreError::InvalidInvite => Self::Forbidden(
                "the invite code is not valid: unknown, used up, expired or revoked".into(),
            ),
            unavailable @ StoreError::Unavailable(_) => Self::Unavailable(unavailable.to_string()),
            other => Self::internal(other),
        }
    }
}

impl From<PortError> for AppError {
    fn from(err: PortError) -> Self {
        match err {
            PortError::NotFound(m) => Self::NotFound(m),
            PortError::BadRequest(m) => Self::Validation(m),
            PortError::Refused(m) => Self::Forbidden(m),
            PortError::Conflict(m) => Self::Conflict(m),
            PortError::Peer(m) => Self::BadGateway(m),
            PortError::Internal(m) => Self::Internal(m.into()),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
