//! Rows of local members.

use chrono::{DateTime, Utc};
use trellis_core::CoreError;
use trellis_core::account::Username;
use uuid::Uuid;

use crate::model::Account;

/// A local member: `accounts a JOIN users u`.
pub(crate) const ACCOUNT_COLUMNS: &str =
    "a.id, a.username, u.password_hash, u.is_admin, a.moved_to, a.created_at";
pub(crate) const LOCAL_ACCOUNTS: &str = "accounts a JOIN users u ON u.account_id = a.id";

#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    id: Uuid,
    username: String,
    password_hash: String,
    is_admin: bool,
    moved_to: Option<String>,
    created_at: DateTime<Utc>,
}

impl TryFrom<AccountRow> for Account {
    type Error = CoreError;
    fn try_from(row: AccountRow) -> Result<Self, CoreError> {
        Ok(Self {
            id: row.id,
            username: Username::parse(&row.username)?,
            password_hash: row.password_hash,
            is_admin: row.is_admin,
            moved_to: row.moved_to,
            created_at: row.created_at,
        })
    }
}
