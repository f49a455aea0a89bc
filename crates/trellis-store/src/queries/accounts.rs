// Accounts and sign-in tokens. Included as a module of each backend.

use chrono::{DateTime, Utc};
use trellis_core::account::Username;
use uuid::Uuid;

use super::Backend;
use crate::error::{StoreError, StoreResult};
use crate::model::{Account, NewAccount};
use crate::rows::accounts::{ACCOUNT_COLUMNS, AccountRow, LOCAL_ACCOUNTS};

impl Backend {
    pub async fn register_account(
        &self,
        new: &NewAccount,
        invite_code_hash: Option<&[u8]>,
        now: DateTime<Utc>,
    ) -> StoreResult<Account> {
        let mut tx = self.begin().await?;
        if let Some(code_hash) = invite_code_hash {
            let used = sqlx::query(
                "UPDATE invites SET uses = uses + 1 \
                 WHERE code_hash = $1 AND revoked_at IS NULL AND uses < max_uses \
                   AND (expires_at IS NULL OR expires_at > $2)",
            )
            .bind(code_hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if used.rows_affected() == 0 {
                return Err(StoreError::InvalidInvite);
            }
        }
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO accounts (id, username, public_key_pem, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(new.username.as_str())
        .bind(&new.keys.public_key_pem)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO users (account_id, password_hash, private_key_pem, is_admin) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(&new.password_hash)
        .bind(&new.keys.private_key_pem)
        .bind(new.is_admin)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO profiles (account_id, updated_at) VALUES ($1, $2)")
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.account(id).await
    }

    /// Whether an invite code (by hash) would open an account now.
    pub async fn invite_usable(&self, code_hash: &[u8], now: DateTime<Utc>) -> StoreResult<bool> {
        let found: Option<(Uuid,)> = sqlx::query_as(
            "SELECT id FROM invites WHERE code_hash = $1 AND revoked_at IS NULL \
               AND uses < max_uses AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(code_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    pub async fn account(&self, id: Uuid) -> StoreResult<Account> {
        let row: AccountRow = sqlx::query_as(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM {LOCAL_ACCOUNTS} WHERE a.id = $1"
        ))
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_into()?)
    }

    pub async fn account_by_username(&self, username: &Username) -> StoreResult<Option<Account>> {
        let row: Option<AccountRow> = sqlx::query_as(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM {LOCAL_ACCOUNTS} WHERE a.username = $1 AND a.domain IS NULL"
        ))
        .bind(username.as_str())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(Account::try_from).transpose()?)
    }

    pub async fn set_admin(&self, id: Uuid, is_admin: bool) -> StoreResult<()> {
        let done = sqlx::query("UPDATE users SET is_admin = $2 WHERE account_id = $1")
            .bind(id)
            .bind(is_admin)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn count_accounts(&self) -> StoreResult<u64> {
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?;
        Ok(count.try_into().unwrap_or(0))
    }

    /// Stores a new sign-in token (by its hash) and forgets the account's
    /// expired ones.
    pub async fn insert_token(
        &self,
        token_hash: &[u8],
        account_id: Uuid,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO auth_tokens (token_hash, account_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE users SET last_login_at = $2 WHERE account_id = $1")
            .bind(account_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM auth_tokens WHERE account_id = $1 AND expires_at <= $2")
            .bind(account_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The account a token signs in, if the token exists and has not expired.
    pub async fn account_by_token(
        &self,
        token_hash: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Account>> {
        let row: Option<AccountRow> = sqlx::query_as(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM {LOCAL_ACCOUNTS} JOIN auth_tokens t ON t.account_id = a.id \
             WHERE t.token_hash = $1 AND t.expires_at > $2"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(Account::try_from).transpose()?)
    }

    /// Forgets a token; whether it existed.
    pub async fn delete_token(&self, token_hash: &[u8]) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM auth_tokens WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
