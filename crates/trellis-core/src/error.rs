use std::fmt;

/// Why a value or an action was refused by a domain rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoreError {
    /// A value does not satisfy its rules. `field` names where it was found
    /// (`username`, `skills[2].level`), `message` says what is wrong.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The action belongs to someone else.
    #[error("{0}")]
    Forbidden(String),
    /// The action does not apply to the current state.
    #[error("{0}")]
    Conflict(String),
}

impl CoreError {
    pub fn invalid(field: impl Into<String>, message: impl fmt::Display) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.to_string(),
        }
    }

    /// The same error reported under a longer path (`level` → `skills[2].level`).
    #[must_use]
    pub fn within(self, prefix: &str) -> Self {
        match self {
            Self::Invalid { field, message } => Self::Invalid {
                field: if field.is_empty() {
                    prefix.to_owned()
                } else {
                    format!("{prefix}.{field}")
                },
                message,
            },
            other => other,
        }
    }
}

/// A value refused while parsing it from JSON or a query. It shows only the
/// message: the parser already says where the value was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

impl From<CoreError> for ValueError {
    fn from(err: CoreError) -> Self {
        match err {
            CoreError::Invalid { message, .. } => Self(message),
            CoreError::Forbidden(message) | CoreError::Conflict(message) => Self(message),
        }
    }
}
