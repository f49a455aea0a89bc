// Moving between instances: aliases, a member's move out, mentorships
// re-pointed to a moved member's new actor, and imports of their archive.
// Included as a module of each backend.

use chrono::{DateTime, Utc};
use trellis_core::mentorship::MentorshipState;
use trellis_core::skill::SkillKey;
use uuid::Uuid;

use super::common::{notify, record_received};
use super::outbox::insert_deliveries;
use super::{Backend, Db};
use crate::error::{StoreError, StoreResult};
use crate::model::{
    HeldCredential, Import, ImportState, ImportedFile, ImportedMentorship, MoveOut, NewImport,
    Submitted,
};
use crate::rows::moves::ImportRow;
use crate::rows::{json_list, json_value};

const IMPORT_COLUMNS: &str = "id, account_id, from_actor, origin, archive_url, archive, state, \
     attempts, report, created_at, finished_at";

/// Re-points every mentorship of `old` to `new` (restricted to those whose
/// other party satisfies `counterpart`, a condition on `other.domain`),
/// telling local counterparts; returns how many moved. An open one whose
/// pair is open already with `new` stays as it is.
async fn repoint(
    tx: &mut sqlx::Transaction<'_, Db>,
    old: Uuid,
    new: Uuid,
    counterpart: &str,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    let mut moved = 0;
    for (side, other) in [("mentor_id", "mentee_id"), ("mentee_id", "mentor_id")] {
        let ids: Vec<(Uuid, Uuid)> = sqlx::query_as(&format!(
            "SELECT m.id, m.{other} FROM mentorships m JOIN accounts other ON other.id = m.{other} \
             WHERE m.{side} = $1 AND m.{other} <> $2 AND {counterpart} \
               AND NOT (m.state IN ('requested', 'active', 'paused') AND EXISTS ( \
                 SELECT 1 FROM mentorships o WHERE o.{side} = $2 AND o.{other} = m.{other} \
                   AND o.state IN ('requested', 'active', 'paused')))"
        ))
        .bind(old)
        .bind(new)
        .fetch_all(&mut **tx)
        .await?;
        for (id, other_id) in ids {
            sqlx::query(&format!(
                "UPDATE mentorships SET {side} = $2, updated_at = $3 WHERE id = $1"
            ))
            .bind(id)
            .bind(new)
            .bind(now)
            .execute(&mut **tx)
            .await?;
            notify(tx, other_id, "counterpart_moved", Some(id), None, now).await?;
            moved += 1;
        }
    }
    Ok(moved)
}

async fn insert_import(
    tx: &mut sqlx::Transaction<'_, Db>,
    new: &NewImport,
    now: DateTime<Utc>,
) -> StoreResult<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO imports (id, account_id, from_actor, origin, archive_url, archive, state, \
           created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7)",
    )
    .bind(id)
    .bind(new.account_id)
    .bind(&new.from_actor)
    .bind(&new.origin)
    .bind(new.archive_url.as_deref())
    .bind(new.archive.as_deref())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

impl Backend {
    /// Sets the accounts a local member declares as also theirs.
    pub async fn set_aliases(&self, account_id: Uuid, aliases: &[String]) -> StoreResult<()> {
        let done =
            sqlx::query("UPDATE accounts SET also_known_as = $2 WHERE id = $1 AND domain IS NULL")
                .bind(account_id)
                .bind(json_list(aliases))
                .execute(&self.pool)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Moves a local member out to `target_url` (their account elsewhere,
    /// `target_id` here): the account becomes read-only and shows where it
    /// went, its archive opens to the token (by hash) until `expires_at`,
    /// mentorships with other members here follow the new actor, and the
    /// `Move` deliveries are queued — all or nothing. Moving twice is a
    /// conflict.
    pub async fn move_out(&self, out: &MoveOut, now: DateTime<Utc>) -> StoreResult<u64> {
        let MoveOut {
            account_id,
            target_id,
            target_url,
            token_hash,
            deliveries,
            archive,
            expires_at,
        } = out;
        let (account_id, target_id) = (*account_id, *target_id);
        let mut tx = self.begin().await?;
        let marked = sqlx::query(
            "UPDATE accounts SET moved_to = $2 WHERE id = $1 AND domain IS NULL AND moved_to IS NULL",
        )
        .bind(account_id)
        .bind(target_url)
        .execute(&mut *tx)
        .await?;
        if marked.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "this account has moved already".into(),
            ));
        }
        sqlx::query(
            "INSERT INTO moves (account_id, target_url, token_hash, moved_at, archive, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(account_id)
        .bind(target_url)
        .bind(token_hash)
        .bind(now)
        .bind(archive)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        // No longer offered as a mentor here.
        sqlx::query("UPDATE profiles SET offers_mentoring = FALSE WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        let moved = repoint(&mut tx, account_id, target_id, "other.domain IS NULL", now).await?;
        insert_deliveries(&mut tx, deliveries, now).await?;
        tx.commit().await?;
        Ok(moved)
    }

    /// The archive a token (by hash) opens, while it is open: the moved
    /// member's file as it was when they moved.
    pub async fn moved_archive(
        &self,
        token_hash: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT archive FROM moves WHERE token_hash = $1 AND expires_at > $2")
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(archive,)| archive))
    }

    /// Re-points every mentorship of `old` (a member who moved) to `new`,
    /// notes where `old` went, and stops showing `old` as a mentor. A
    /// repeat of the `Move` (`received`) changes nothing. Returns how many
    /// mentorships moved.
    pub async fn repoint_moved(
        &self,
        old: Uuid,
        new: Uuid,
        new_url: &str,
        import: Option<&NewImport>,
        received: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        if !record_received(&mut tx, received, now).await? {
            return Ok(0);
        }
        if let Some(import) = import {
            insert_import(&mut tx, import, now).await?;
        }
        sqlx::query("UPDATE accounts SET moved_to = $2 WHERE id = $1 AND domain IS NOT NULL")
            .bind(old)
            .bind(new_url)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE profiles SET offers_mentoring = FALSE WHERE account_id = $1")
            .bind(old)
            .execute(&mut *tx)
            .await?;
        let moved = repoint(&mut tx, old, new, "TRUE", now).await?;
        tx.commit().await?;
        Ok(moved)
    }

    /// Queues an archive a member uploaded for import into their account.
    /// Importing the same file again adds only what the account lacks.
    pub async fn queue_import(&self, new: &NewImport, now: DateTime<Utc>) -> StoreResult<Import> {
        let mut tx = self.begin().await?;
        let id = insert_import(&mut tx, new, now).await?;
        tx.commit().await?;
        self.import(id).await
    }

    pub async fn import(&self, id: Uuid) -> StoreResult<Import> {
        let row: ImportRow = sqlx::query_as(&format!(
            "SELECT {IMPORT_COLUMNS} FROM imports WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_into()?)
    }

    /// A member's imports, newest first.
    pub async fn imports_of(&self, account_id: Uuid) -> StoreResult<Vec<Import>> {
        let rows: Vec<ImportRow> = sqlx::query_as(&format!(
            "SELECT {IMPORT_COLUMNS} FROM imports WHERE account_id = $1 ORDER BY created_at DESC"
        ))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(TryInto::try_into)
            .collect::<Result<_, _>>()?)
    }

    /// The credentials of other issuers a member brought here, oldest first.
    pub async fn held_credentials(&self, account_id: Uuid) -> StoreResult<Vec<HeldCredential>> {
        let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
            "SELECT credential_url, kind, issuer, jwt, origin FROM held_credentials \
             WHERE account_id = $1 ORDER BY imported_at, id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(url, kind, issuer, jwt, origin)| HeldCredential {
                url,
                kind,
                issuer,
                jwt,
                origin,
            })
            .collect())
    }

    /// Imports due to be tried, longest waiting first.
    pub async fn pending_imports(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Import>> {
        let rows: Vec<ImportRow> = sqlx::query_as(&format!(
            "SELECT {IMPORT_COLUMNS} FROM imports WHERE state = 'pending' AND next_attempt_at <= $2 \
             ORDER BY next_attempt_at LIMIT $1"
        ))
        .bind(i64::from(limit))
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(TryInto::try_into)
            .collect::<Result<_, _>>()?)
    }

    /// Records a failed attempt at an import, to be tried again at
    /// `retry_at`; without one, it fails for good (its uploaded archive is
    /// dropped) with `report` saying why.
    pub async fn import_attempt_failed(
        &self,
        id: Uuid,
        report: &serde_json::Value,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let give_up = retry_at.is_none();
        sqlx::query(
            "UPDATE imports SET attempts = attempts + 1, report = $2, \
               state = CASE WHEN $3 THEN 'failed' ELSE state END, \
               finished_at = CASE WHEN $3 THEN $4 ELSE finished_at END, \
               archive = CASE WHEN $3 THEN NULL ELSE archive END, \
               archive_url = CASE WHEN $3 THEN NULL ELSE archive_url END, \
               next_attempt_at = COALESCE($5, next_attempt_at) \
             WHERE id = $1 AND state = 'pending'",
        )
        .bind(id)
        .bind(report.to_string())
        .bind(give_up)
        .bind(now)
        .bind(retry_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Writes a moved member's file into their account here and marks the
    /// import done with its report, in one transaction (a crash imports
    /// all or nothing, and the import stays pending). Mentorships this
    /// instance holds already (by object id) are left as they are. The
    /// member is told.
    pub async fn import_file(
        &self,
        import_id: Uuid,
        file: &ImportedFile,
        report: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let (account_id, state): (Uuid, String) =
            sqlx::query_as("SELECT account_id, state FROM imports WHERE id = $1")
                .bind(import_id)
                .fetch_one(&mut *tx)
                .await?;
        if state != ImportState::Pending.as_str() {
            return Err(StoreError::Conflict("this import is over".into()));
        }
        let (existing,): (i32,) = sqlx::query_as(
            "SELECT COALESCE(MAX(version), 0) FROM career_plan_versions WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_one(&mut *tx)
        .await?;
        // Imported versions come first in time; ones made here keep theirs
        // and follow.
        if existing == 0 {
            for (n, v) in file.plan_versions.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO career_plan_versions (account_id, version, plan, origin, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(account_id)
                .bind(i32::try_from(n + 1).unwrap_or(i32::MAX))
                .bind(json_value(&v.plan)?)
                .bind(&v.origin)
                .bind(v.created_at)
                .execute(&mut *tx)
                .await?;
            }
        }
        for m in &file.mentorships {
            let held: Option<(Uuid,)> =
                sqlx::query_as("SELECT id FROM mentorships WHERE object_url = $1")
                    .bind(&m.object_url)
                    .fetch_optional(&mut *tx)
                    .await?;
            if held.is_some() {
                continue;
            }
            // An open one where the pair has one open already stays out.
            let open = matches!(
                m.state,
                MentorshipState::Requested | MentorshipState::Active | MentorshipState::Paused
            );
            if open {
                let clash: Option<(Uuid,)> = sqlx::query_as(
                    "SELECT id FROM mentorships WHERE mentor_id = $1 AND mentee_id = $2 \
                       AND state IN ('requested', 'active', 'paused')",
                )
                .bind(m.mentor_id)
                .bind(m.mentee_id)
                .fetch_optional(&mut *tx)
                .await?;
                if clash.is_some() {
                    continue;
                }
            }
            insert_imported_mentorship(&mut tx, m, account_id, now).await?;
        }
        for c in &file.credentials {
            sqlx::query(
                "INSERT INTO held_credentials (id, account_id, credential_url, kind, issuer, jwt, \
                   origin, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (account_id, credential_url) DO NOTHING",
            )
            .bind(Uuid::now_v7())
            .bind(account_id)
            .bind(&c.url)
            .bind(&c.kind)
            .bind(&c.issuer)
            .bind(&c.jwt)
            .bind(&c.origin)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE imports SET state = 'imported', report = $2, archive = NULL, archive_url = NULL, \
               attempts = attempts + 1, finished_at = $3 WHERE id = $1",
        )
        .bind(import_id)
        .bind(report.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        notify(&mut tx, account_id, "file_imported", None, None, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn insert_imported_mentorship(
    tx: &mut sqlx::Transaction<'_, Db>,
    m: &ImportedMentorship,
    owner: Uuid,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO mentorships (id, mentor_id, mentee_id, state, message, goals, object_url, \
           origin, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(m.mentor_id)
    .bind(m.mentee_id)
    .bind(m.state.as_str())
    .bind(&m.message)
    .bind(&m.goals)
    .bind(&m.object_url)
    .bind(&m.origin)
    .bind(m.created_at)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    for (state, actor, note, at) in &m.history {
        sqlx::query(
            "INSERT INTO mentorship_events (id, mentorship_id, state, actor_id, note, at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(Uuid::now_v7())
        .bind(id)
        .bind(state.as_str())
        .bind(actor)
        .bind(note)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    }
    for s in &m.sessions {
        let session_id = Uuid::now_v7();
        let c = &s.content;
        sqlx::query(
            "INSERT INTO sessions (id, mentorship_id, author_id, held_at, duration_minutes, \
               topics, notes, action_items, origin, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(session_id)
        .bind(id)
        .bind(s.author_id)
        .bind(c.held_at)
        .bind(i32::from(c.duration_minutes))
        .bind(json_list(&c.topics))
        .bind(&c.notes)
        .bind(json_list(&c.action_items))
        .bind(&s.origin)
        .bind(s.created_at)
        .bind(s.updated_at)
        .execute(&mut **tx)
        .await?;
        if let Some(note) = &s.private_note {
            sqlx::query(
                "INSERT INTO session_private_notes (session_id, account_id, text, updated_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(session_id)
            .bind(owner)
            .bind(note)
            .bind(s.updated_at)
            .execute(&mut **tx)
            .await?;
        }
    }
    for r in &m.reviews {
        let keys: Vec<&str> = r.skills.iter().map(SkillKey::as_str).collect();
        let part = |p: &Option<Submitted>| -> StoreResult<(Option<String>, Option<DateTime<Utc>>)> {
            Ok(match p {
                Some(s) => (Some(json_value(&s.part)?), Some(s.at)),
                None => (None, None),
            })
        };
        let (mentee_part, mentee_at) = part(&r.mentee_part)?;
        let (mentor_part, mentor_at) = part(&r.mentor_part)?;
        sqlx::query(
            "INSERT INTO skill_reviews (id, mentorship_id, started_by, skills, state, mentee_part, \
               mentee_submitted_at, mentor_part, mentor_submitted_at, started_at, completed_at, \
               origin) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(Uuid::now_v7())
        .bind(id)
        .bind(r.started_by)
        .bind(json_list(&keys))
        .bind(r.state.as_str())
        .bind(mentee_part)
        .bind(mentee_at)
        .bind(mentor_part)
        .bind(mentor_at)
        .bind(r.started_at)
        .bind(r.completed_at)
        .bind(&r.origin)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
