// Sessions of mentorships and each party's private notes on them.
// Included as a module of each backend.

use chrono::{DateTime, Utc};
use trellis_core::mentorship::MentorshipState;
use uuid::Uuid;

use super::common::record_received;
use super::recognition::award_earned_in;
use super::{Backend, Db};
use crate::error::{StoreError, StoreResult};
use crate::model::{NewSession, OutboxEventKind, Session};
use crate::rows::json_list;
use crate::rows::sessions::{SESSION_COLUMNS, SessionRow};

/// Locks a mentorship for the rest of the transaction: its state and who
/// is on each side.
pub(super) async fn lock_mentorship(
    tx: &mut sqlx::Transaction<'_, Db>,
    mentorship_id: Uuid,
) -> StoreResult<(MentorshipState, Uuid, Uuid)> {
    sqlx::query("UPDATE mentorships SET updated_at = updated_at WHERE id = $1")
        .bind(mentorship_id)
        .execute(&mut **tx)
        .await?;
    let (state, mentor_id, mentee_id): (String, Uuid, Uuid) =
        sqlx::query_as("SELECT state, mentor_id, mentee_id FROM mentorships WHERE id = $1")
            .bind(mentorship_id)
            .fetch_one(&mut **tx)
            .await?;
    Ok((MentorshipState::parse(&state)?, mentor_id, mentee_id))
}

/// Locks the mentorship for the rest of the transaction and checks that
/// sessions may be logged in it now.
async fn lock_open_mentorship(
    tx: &mut sqlx::Transaction<'_, Db>,
    mentorship_id: Uuid,
) -> StoreResult<()> {
    let (state, _, _) = lock_mentorship(tx, mentorship_id).await?;
    trellis_core::session::check_open(state).map_err(StoreError::Refused)
}

/// What of a mentorship a step is about, for `queue_for_other_party`.
#[derive(Clone, Copy)]
pub(super) enum Item {
    Session,
    Review,
    Endorsement,
}

/// Queues a step a local member took on a session, review or endorsement
/// of a mentorship (`kind`) for the other party's instance, when that party is
/// a member elsewhere.
pub(super) async fn queue_for_other_party(
    tx: &mut sqlx::Transaction<'_, Db>,
    kind: OutboxEventKind,
    item: Item,
    item_id: Uuid,
    actor_id: Uuid,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let (column, table) = match item {
        Item::Session => ("session_id", "sessions"),
        Item::Review => ("review_id", "skill_reviews"),
        Item::Endorsement => ("endorsement_id", "endorsements"),
    };
    sqlx::query(&format!(
        "INSERT INTO outbox_events (id, kind, account_id, {column}, created_at) \
         SELECT $1, $2, $3, $4, $5 \
         FROM {table} i JOIN mentorships m ON m.id = i.mentorship_id \
           JOIN accounts mr ON mr.id = m.mentor_id JOIN accounts me ON me.id = m.mentee_id \
           JOIN accounts actor ON actor.id = $3 \
         WHERE i.id = $4 AND actor.domain IS NULL \
           AND (mr.domain IS NULL) <> (me.domain IS NULL)"
    ))
    .bind(Uuid::now_v7())
    .bind(kind.as_str())
    .bind(actor_id)
    .bind(item_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Backend {
    /// Logs a session of a mentorship under way (a conflict otherwise).
    pub async fn add_session(&self, new: &NewSession, now: DateTime<Utc>) -> StoreResult<Session> {
        let mut tx = self.begin().await?;
        if let Some(activity) = &new.received
            && !record_received(&mut tx, activity, now).await?
        {
            drop(tx);
            let url = new.object_url.as_deref().unwrap_or_default();
            return self
                .session_by_object(url, new.author_id)
                .await?
                .ok_or(StoreError::NotFound);
        }
        lock_open_mentorship(&mut tx, new.mentorship_id).await?;
        let id = Uuid::now_v7();
        let c = &new.content;
        sqlx::query(
            "INSERT INTO sessions (id, mentorship_id, object_url, author_id, held_at, \
               duration_minutes, topics, notes, action_items, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        )
        .bind(id)
        .bind(new.mentorship_id)
        .bind(new.object_url.as_deref())
        .bind(new.author_id)
        .bind(c.held_at)
        .bind(i32::from(c.duration_minutes))
        .bind(json_list(&c.topics))
        .bind(&c.notes)
        .bind(json_list(&c.action_items))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        queue_for_other_party(
            &mut tx,
            OutboxEventKind::SessionCreated,
            Item::Session,
            id,
            new.author_id,
            now,
        )
        .await?;
        award_earned_in(&mut tx, &self.signer, new.mentorship_id, now).await?;
        tx.commit().await?;
        self.session(id, new.author_id).await
    }

    /// Replaces what both parties share of a session, while its mentorship
    /// is under way. A change received before changes nothing.
    pub async fn update_session(
        &self,
        id: Uuid,
        content: &trellis_core::session::SessionContent,
        editor_id: Uuid,
        received: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<Session> {
        let mut tx = self.begin().await?;
        if let Some(activity) = received
            && !record_received(&mut tx, activity, now).await?
        {
            drop(tx);
            return self.session(id, editor_id).await;
        }
        let (mentorship_id,): (Uuid,) =
            sqlx::query_as("SELECT mentorship_id FROM sessions WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        lock_open_mentorship(&mut tx, mentorship_id).await?;
        sqlx::query(
            "UPDATE sessions SET held_at = $2, duration_minutes = $3, topics = $4, notes = $5, \
               action_items = $6, updated_at = $7 WHERE id = $1",
        )
        .bind(id)
        .bind(content.held_at)
        .bind(i32::from(content.duration_minutes))
        .bind(json_list(&content.topics))
        .bind(&content.notes)
        .bind(json_list(&content.action_items))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        queue_for_other_party(
            &mut tx,
            OutboxEventKind::SessionUpdated,
            Item::Session,
            id,
            editor_id,
            now,
        )
        .await?;
        award_earned_in(&mut tx, &self.signer, mentorship_id, now).await?;
        tx.commit().await?;
        self.session(id, editor_id).await
    }

    /// One session, with `viewer`'s private note on it.
    pub async fn session(&self, id: Uuid, viewer: Uuid) -> StoreResult<Session> {
        let row: SessionRow = sqlx::query_as(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions s LEFT JOIN session_private_notes n \
               ON n.session_id = s.id AND n.account_id = $2 WHERE s.id = $1"
        ))
        .bind(id)
        .bind(viewer)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_into()?)
    }

    /// The session the other party's instance named with this id.
    pub async fn session_by_object(
        &self,
        object_url: &str,
        viewer: Uuid,
    ) -> StoreResult<Option<Session>> {
        let row: Option<SessionRow> = sqlx::query_as(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions s LEFT JOIN session_private_notes n \
               ON n.session_id = s.id AND n.account_id = $2 WHERE s.object_url = $1"
        ))
        .bind(object_url)
        .bind(viewer)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(Session::try_from).transpose()?)
    }

    /// A mentorship's sessions, latest first, with `viewer`'s private notes.
    pub async fn sessions(&self, mentorship_id: Uuid, viewer: Uuid) -> StoreResult<Vec<Session>> {
        let rows: Vec<SessionRow> = sqlx::query_as(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions s LEFT JOIN session_private_notes n \
               ON n.session_id = s.id AND n.account_id = $2 \
             WHERE s.mentorship_id = $1 ORDER BY s.held_at DESC, s.id DESC"
        ))
        .bind(mentorship_id)
        .bind(viewer)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| Ok(Session::try_from(row)?))
            .collect()
    }

    /// Sets (or, with an empty text, removes) a party's private note.
    pub async fn set_private_note(
        &self,
        session_id: Uuid,
        account_id: Uuid,
        text: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Session> {
        if text.is_empty() {
            sqlx::query(
                "DELETE FROM session_private_notes WHERE session_id = $1 AND account_id = $2",
            )
            .bind(session_id)
            .bind(account_id)
            .execute(&self.pool)
            .await?;
        } else {
            sqlx::query(
                "INSERT INTO session_private_notes (session_id, account_id, text, updated_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (session_id, account_id) \
                 DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
            )
            .bind(session_id)
            .bind(account_id)
            .bind(text)
            .bind(now)
            .execute(&self.pool)
            .await?;
        }
        self.session(session_id, account_id).await
    }
}
