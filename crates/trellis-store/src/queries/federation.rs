// Actors: the instance's keys, local members as actors, and the cache of
// other instances' actors. Included as a module of each backend.

use chrono::{DateTime, Utc};
use trellis_core::account::Username;
use uuid::Uuid;

use super::Backend;
use crate::error::{StoreError, StoreResult};
use crate::model::{Instance, InstanceActor, KeyPair, LocalActor, RemotePerson};
use crate::rows::accounts::LOCAL_ACCOUNTS;
use crate::rows::federation::{
    INSTANCE_COLUMNS, InstanceRow, LOCAL_ACTOR_COLUMNS, LocalActorRow, REMOTE_PERSON_COLUMNS,
    RemotePersonRow,
};
use crate::rows::json_list;

impl Backend {
    /// The instance actor's key pair, if it has been made.
    pub async fn instance_keys(&self) -> StoreResult<Option<KeyPair>> {
        let (public_key_pem, private_key_pem): (Option<String>, Option<String>) = sqlx::query_as(
            "SELECT public_key_pem, private_key_pem FROM instance_settings WHERE id = 1",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(public_key_pem
            .zip(private_key_pem)
            .map(|(public_key_pem, private_key_pem)| KeyPair {
                public_key_pem,
                private_key_pem,
            }))
    }

    /// Stores the instance actor's key pair unless one exists, and returns
    /// the pair in force (so concurrent first starts agree on one).
    pub async fn init_instance_keys(&self, keys: &KeyPair) -> StoreResult<KeyPair> {
        sqlx::query(
            "UPDATE instance_settings SET public_key_pem = $1, private_key_pem = $2 \
             WHERE id = 1 AND public_key_pem IS NULL",
        )
        .bind(&keys.public_key_pem)
        .bind(&keys.private_key_pem)
        .execute(&self.pool)
        .await?;
        self.instance_keys().await?.ok_or(StoreError::NotFound)
    }

    pub async fn local_actor(&self, username: &Username) -> StoreResult<Option<LocalActor>> {
        let row: Option<LocalActorRow> = sqlx::query_as(&format!(
            "SELECT {LOCAL_ACTOR_COLUMNS} FROM {LOCAL_ACCOUNTS} \
             JOIN profiles p ON p.account_id = a.id \
             WHERE a.username = $1 AND a.domain IS NULL"
        ))
        .bind(username.as_str())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(LocalActor::try_from).transpose()?)
    }

    pub async fn local_actor_by_id(&self, account_id: Uuid) -> StoreResult<Option<LocalActor>> {
        let row: Option<LocalActorRow> = sqlx::query_as(&format!(
            "SELECT {LOCAL_ACTOR_COLUMNS} FROM {LOCAL_ACCOUNTS} \
             JOIN profiles p ON p.account_id = a.id WHERE a.id = $1"
        ))
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(LocalActor::try_from).transpose()?)
    }

    pub async fn remote_person(&self, actor_url: &str) -> StoreResult<Option<RemotePerson>> {
        let row: Option<RemotePersonRow> = sqlx::query_as(&format!(
            "SELECT {REMOTE_PERSON_COLUMNS} FROM accounts a JOIN profiles p ON p.account_id = a.id \
             WHERE a.actor_url = $1"
        ))
        .bind(actor_url)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(RemotePerson::try_from).transpose()?)
    }

    /// Creates or refreshes the cached account of a member of another
    /// instance (and its empty profile); returns it with its account id.
    pub async fn upsert_remote_person(&self, person: &RemotePerson) -> StoreResult<RemotePerson> {
        let mut tx = self.begin().await?;
        let also_known_as = json_list(&person.also_known_as);
        let (id,): (Uuid,) = sqlx::query_as(
            "INSERT INTO accounts (id, username, domain, actor_url, inbox_url, shared_inbox_url, \
               public_key_pem, also_known_as, moved_to, fetched_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
             ON CONFLICT (actor_url) DO UPDATE SET username = excluded.username, \
               domain = excluded.domain, inbox_url = excluded.inbox_url, \
               shared_inbox_url = excluded.shared_inbox_url, public_key_pem = excluded.public_key_pem, \
               also_known_as = excluded.also_known_as, moved_to = excluded.moved_to, \
               fetched_at = excluded.fetched_at \
             RETURNING id",
        )
        .bind(Uuid::now_v7())
        .bind(person.username.as_str())
        .bind(&person.domain)
        .bind(&person.actor_url)
        .bind(&person.inbox_url)
        .bind(person.shared_inbox_url.as_deref())
        .bind(&person.public_key_pem)
        .bind(also_known_as)
        .bind(person.moved_to.as_deref())
        .bind(person.fetched_at)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO profiles (account_id, display_name, visibility, updated_at) \
             VALUES ($1, $2, 'private', $3) \
             ON CONFLICT (account_id) DO UPDATE SET display_name = excluded.display_name",
        )
        .bind(id)
        .bind(&person.display_name)
        .bind(person.fetched_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.remote_person(&person.actor_url)
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn instance(&self, domain: &str) -> StoreResult<Option<Instance>> {
        let row: Option<InstanceRow> = sqlx::query_as(&format!(
            "SELECT {INSTANCE_COLUMNS} FROM instances i WHERE i.domain = $1"
        ))
        .bind(domain)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(Instance::try_from).transpose()?)
    }

    pub async fn instance_by_actor(&self, actor_url: &str) -> StoreResult<Option<Instance>> {
        let row: Option<InstanceRow> = sqlx::query_as(&format!(
            "SELECT {INSTANCE_COLUMNS} FROM instances i WHERE i.actor_url = $1"
        ))
        .bind(actor_url)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(Instance::try_from).transpose()?)
    }

    /// The HTTP signature flavour a peer took last, and when that was settled.
    pub async fn peer_signature(
        &self,
        domain: &str,
    ) -> StoreResult<Option<(String, DateTime<Utc>)>> {
        Ok(
            sqlx::query_as("SELECT flavour, settled_at FROM peer_signatures WHERE domain = $1")
                .bind(domain)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Records the signature flavour a peer takes.
    pub async fn set_peer_signature(
        &self,
        domain: &str,
        flavour: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO peer_signatures (domain, flavour, settled_at) VALUES ($1, $2, $3) \
             ON CONFLICT (domain) DO UPDATE SET flavour = excluded.flavour, \
               settled_at = excluded.settled_at",
        )
        .bind(domain)
        .bind(flavour)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every instance known, by domain.
    pub async fn list_instances(&self) -> StoreResult<Vec<Instance>> {
        let rows: Vec<InstanceRow> = sqlx::query_as(&format!(
            "SELECT {INSTANCE_COLUMNS} FROM instances i ORDER BY i.domain"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| Ok(Instance::try_from(row)?))
            .collect()
    }

    /// Creates or refreshes what is known of another instance's actor.
    pub async fn upsert_instance_actor(
        &self,
        actor: &InstanceActor,
        now: DateTime<Utc>,
    ) -> StoreResult<Instance> {
        sqlx::query(
            "INSERT INTO instances (domain, actor_url, inbox_url, shared_inbox_url, public_key_pem, \
               name, fetched_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
             ON CONFLICT (domain) DO UPDATE SET actor_url = excluded.actor_url, \
               inbox_url = excluded.inbox_url, shared_inbox_url = excluded.shared_inbox_url, \
               public_key_pem = excluded.public_key_pem, name = excluded.name, \
               fetched_at = excluded.fetched_at",
        )
        .bind(&actor.domain)
        .bind(&actor.actor_url)
        .bind(&actor.inbox_url)
        .bind(actor.shared_inbox_url.as_deref())
        .bind(&actor.public_key_pem)
        .bind(actor.name.as_deref())
        .bind(now)
        .execute(&self.pool)
        .await?;
        self.instance(&actor.domain)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Members who signed in since `since`.
    pub async fn count_active_users(&self, since: DateTime<Utc>) -> StoreResult<u64> {
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM users WHERE last_login_at >= $1")
                .bind(since)
                .fetch_one(&self.pool)
                .await?;
        Ok(count.try_into().unwrap_or(0))
    }
}
