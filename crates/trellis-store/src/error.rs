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
    /// The database cannot serve now but may soon: it is unreachable, no
    /// connection came free in time, SQLite is locked by another writer, or
    /// its disk is full. Worth trying again later; the words say which.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

/// Why an error means the database cannot serve for now, if it does.
fn unavailable(err: &sqlx::Error) -> Option<String> {
    match err {
        sqlx::Error::PoolTimedOut => {
            metrics::counter!("trellis_db_acquire_timeouts_total").increment(1);
            Some("no connection came free in time".into())
        }
        sqlx::Error::PoolClosed => Some("the store is closing".into()),
        sqlx::Error::WorkerCrashed => Some("the connection's worker stopped".into()),
        sqlx::Error::Io(e) => Some(format!("cannot reach the database server: {e}")),
        sqlx::Error::Tls(e) => Some(format!("cannot reach the database server: {e}")),
        sqlx::Error::Database(db) => {
            let code = db.code()?;
            if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                // Primary result codes, the low byte of extended ones.
                match code.parse::<i32>().ok()? & 0xff {
                    5 | 6 => Some("the database is locked by another writer".into()),
                    13 => Some("the database's disk is full".into()),
                    10 => Some("the database cannot read or write its file".into()),
                    _ => None,
                }
            } else {
                match code.as_ref() {
                    c if c.starts_with("08") => Some("the connection to the database broke".into()),
                    "57P01" | "57P02" | "57P03" => {
                        Some("the database server is shutting down or starting".into())
                    }
                    "53100" => Some("the database's disk is full".into()),
                    "53300" => Some("the database server has no connection to spare".into()),
                    "40001" | "40P01" => Some("the change collided with another; try again".into()),
                    _ => None,
                }
            }
        }
        _ => None,
    }
}

/// Whether a connection given back to the pool may serve again: not if it
/// is still inside a transaction. That happens when a failed COMMIT (a full
/// disk) or a failed statement left SQLite's transaction rolled back under
/// sqlx's feet, so that the ROLLBACK of the dropped transaction failed too;
/// pooled again, every later `BEGIN` on it would fail ("begin_with at
/// non-zero transaction depth"). The ping first waits for that queued
/// ROLLBACK to have run. Such a connection is closed instead, and the pool
/// opens a fresh one when it needs it.
pub(crate) async fn fit_for_reuse<C: sqlx::Connection>(conn: &mut C) -> sqlx::Result<bool> {
    conn.ping().await?;
    if conn.is_in_transaction() {
        tracing::warn!("a connection came back inside a failed transaction; closing it");
        return Ok(false);
    }
    Ok(true)
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
            other => match unavailable(&other) {
                Some(why) => Self::Unavailable(why),
                None => Self::Database(other),
            },
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
