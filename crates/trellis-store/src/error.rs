use trellis_core::CoreError;

/// What went wrong in the store, in the cases callers act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or reference rule of the database refused the change;
    /// the constraint is named when the database names it.
    #[error("conflict with existing data ({0})")]
    Conflict(String),
    /// The invite code is unknown, used up, expired or revoked.
    #[error("the invite code is not valid")]
    InvalidInvite,
    /// A domain rule refused the change (checked inside the transaction).
    #[error("{0}")]
    Refused(CoreError),
    #[error("the database URL is not usable: {0}")]
    BadUrl(String),
    /// A stored value no longer satisfies the domain's rules.
    #[error("stored data is invalid: {0}")]
    Corrupt(#[from] CoreError),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A credential could not be signed (no signer, or a key problem).
    #[error("cannot sign the credential: {0}")]
    Signing(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::Database(db)
                if db.is_unique_violation()
                    || db.is_foreign_key_violation()
                    || db.is_check_violation() =>
            {
                Self::Conflict(db.constraint().unwrap_or(db.message()).to_owned())
            }
            other => Self::Database(other),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
