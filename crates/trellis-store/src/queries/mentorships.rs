// Mentorships and their event log. Included as a module of each backend.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use trellis_core::mentorship::{MentorshipState, check_room};
use uuid::Uuid;

use super::common::{notify, record_received};
use super::recognition::award_earned;
use super::reviews::share_growth;
use super::{Backend, Db};
use crate::error::{StoreError, StoreResult};
use crate::model::{
    Mentorship, MentorshipEvent, MentorshipStep, NewMentorship, Notification, OutboxEventKind,
};
use crate::rows::mentorships::{
    MENTORSHIP_COLUMNS, MENTORSHIPS, MentorshipEventRow, MentorshipRow, NotificationRow,
};

/// Locks the mentor's profile row for the rest of the transaction (so that
/// two acceptances cannot both take the last place) and checks there is
/// room: places held now, not counting `except`.
async fn check_mentor_room(
    tx: &mut sqlx::Transaction<'_, Db>,
    mentor_id: Uuid,
    except: Option<Uuid>,
) -> StoreResult<()> {
    sqlx::query("UPDATE profiles SET updated_at = updated_at WHERE account_id = $1")
        .bind(mentor_id)
        .execute(&mut **tx)
        .await?;
    let (offers, accepting, capacity): (bool, bool, i32) = sqlx::query_as(
        "SELECT offers_mentoring, accepting_mentees, capacity FROM profiles WHERE account_id = $1",
    )
    .bind(mentor_id)
    .fetch_one(&mut **tx)
    .await?;
    let (held,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM mentorships WHERE mentor_id = $1 \
           AND state IN ('active', 'paused') AND ($2 IS NULL OR id <> $2)",
    )
    .bind(mentor_id)
    .bind(except)
    .fetch_one(&mut **tx)
    .await?;
    let settings = trellis_core::profile::MentorSettings {
        offers_mentoring: offers,
        accepting_mentees: accepting,
        capacity: u16::try_from(capacity).unwrap_or(0),
        hours_per_month: 0,
    };
    check_room(&settings, u32::try_from(held).unwrap_or(u32::MAX)).map_err(StoreError::Refused)
}

async fn insert_mentorship_event(
    tx: &mut sqlx::Transaction<'_, Db>,
    mentorship_id: Uuid,
    state: MentorshipState,
    actor_id: Uuid,
    note: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let event_id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO mentorship_events (id, mentorship_id, state, actor_id, note, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(event_id)
    .bind(mentorship_id)
    .bind(state.as_str())
    .bind(actor_id)
    .bind(note)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    // A step a local member took in a mentorship with a member elsewhere
    // goes to the outbox, in this transaction.
    sqlx::query(
        "INSERT INTO outbox_events (id, kind, account_id, mentorship_event_id, created_at) \
         SELECT $1, $2, $3, $4, $5 \
         FROM mentorships m JOIN accounts mr ON mr.id = m.mentor_id \
           JOIN accounts me ON me.id = m.mentee_id JOIN accounts actor ON actor.id = $3 \
         WHERE m.id = $6 AND actor.domain IS NULL \
           AND (mr.domain IS NULL) <> (me.domain IS NULL)",
    )
    .bind(Uuid::now_v7())
    .bind(OutboxEventKind::MentorshipChanged.as_str())
    .bind(actor_id)
    .bind(event_id)
    .bind(now)
    .bind(mentorship_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The request path, inside the caller's transaction: checks the mentor's
/// room under a lock, records the request and its first event, and tells
/// the mentor. Every request is made here, whoever asks. A request from
/// elsewhere that finds no room (`decline_when_full`), or one to decline
/// at once (`decline_with`), is recorded as declined by the mentor with
/// the reason instead.
pub(super) async fn insert_request(
    tx: &mut sqlx::Transaction<'_, Db>,
    new: &NewMentorship,
    now: DateTime<Utc>,
) -> StoreResult<Uuid> {
    let refusal = match check_mentor_room(tx, new.mentor_id, None).await {
        Ok(()) => new.decline_with.clone(),
        Err(StoreError::Refused(reason)) if new.decline_when_full => Some(reason.to_string()),
        Err(other) => return Err(other),
    };
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO mentorships (id, mentor_id, mentee_id, state, message, goals, object_url, \
           created_at, updated_at) VALUES ($1, $2, $3, 'requested', $4, $5, $6, $7, $7)",
    )
    .bind(id)
    .bind(new.mentor_id)
    .bind(new.mentee_id)
    .bind(&new.message)
    .bind(&new.goals)
    .bind(new.object_url.as_deref())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    insert_mentorship_event(
        tx,
        id,
        MentorshipState::Requested,
        new.mentee_id,
        &new.message,
        now,
    )
    .await?;
    match refusal {
        None => {
            notify(
                tx,
                new.mentor_id,
                "mentorship_requested",
                Some(id),
                None,
                now,
            )
            .await?
        }
        Some(reason) => {
            sqlx::query("UPDATE mentorships SET state = 'declined' WHERE id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await?;
            insert_mentorship_event(
                tx,
                id,
                MentorshipState::Declined,
                new.mentor_id,
                &reason,
                now,
            )
            .await?;
        }
    }
    Ok(id)
}

/// Whether an account is a member of another instance.
async fn is_remote(tx: &mut sqlx::Transaction<'_, Db>, account_id: Uuid) -> StoreResult<bool> {
    let (domain,): (Option<String>,) = sqlx::query_as("SELECT domain FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(domain.is_some())
}

impl Backend {
    /// Records a mentee's request, if the mentor has room (checked under a
    /// lock) and the pair has no open mentorship yet (a conflict otherwise).
    /// A request from elsewhere (`decline_when_full`) finding no room is
    /// recorded as declined by the mentor, with the reason.
    pub async fn request_mentorship(
        &self,
        new: &NewMentorship,
        now: DateTime<Utc>,
    ) -> StoreResult<Mentorship> {
        let mut tx = self.begin().await?;
        if let Some(activity) = &new.received
            && !record_received(&mut tx, activity, now).await?
        {
            drop(tx);
            return self.repeated_offer(new).await;
        }
        let id = insert_request(&mut tx, new, now).await?;
        tx.commit().await?;
        self.mentorship(id).await
    }

    /// The mentorship a repeated `Offer` created the first time.
    async fn repeated_offer(&self, new: &NewMentorship) -> StoreResult<Mentorship> {
        match &new.object_url {
            Some(url) => self
                .mentorship_by_object(url)
                .await?
                .ok_or(StoreError::NotFound),
            None => Err(StoreError::Conflict(
                "this request was received before".into(),
            )),
        }
    }

    /// Moves a mentorship if it is still where the step starts (a conflict
    /// otherwise); becoming active checks a local mentor's room under a
    /// lock (a mentor elsewhere is checked by their own instance). A step
    /// received before changes nothing.
    pub async fn step_mentorship(
        &self,
        step: &MentorshipStep,
        now: DateTime<Utc>,
    ) -> StoreResult<Mentorship> {
        let mut tx = self.begin().await?;
        if let Some(activity) = &step.received
            && !record_received(&mut tx, activity, now).await?
        {
            drop(tx);
            return self.mentorship(step.id).await;
        }
        let (mentor_id, mentee_id): (Uuid, Uuid) =
            sqlx::query_as("SELECT mentor_id, mentee_id FROM mentorships WHERE id = $1")
                .bind(step.id)
                .fetch_one(&mut *tx)
                .await?;
        if step.from == MentorshipState::Requested
            && step.to == MentorshipState::Active
            && !is_remote(&mut tx, mentor_id).await?
        {
            check_mentor_room(&mut tx, mentor_id, Some(step.id)).await?;
        }
        let moved = sqlx::query(
            "UPDATE mentorships SET state = $3, updated_at = $4 WHERE id = $1 AND state = $2",
        )
        .bind(step.id)
        .bind(step.from.as_str())
        .bind(step.to.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "the mentorship changed meanwhile".into(),
            ));
        }
        insert_mentorship_event(&mut tx, step.id, step.to, step.actor_id, &step.note, now).await?;
        if step.to == MentorshipState::Active {
            share_growth(&mut tx, mentee_id, now).await?;
        } else if !step.to.holds_a_place() {
            // A mentee's growth is for their current mentors only.
            sqlx::query("DELETE FROM shared_growth WHERE mentorship_id = $1")
                .bind(step.id)
                .execute(&mut *tx)
                .await?;
        }
        let other = if step.actor_id == mentor_id {
            mentee_id
        } else {
            mentor_id
        };
        let kind = format!("mentorship_{}", step.to.as_str());
        notify(&mut tx, other, &kind, Some(step.id), None, now).await?;
        if step.to == MentorshipState::Completed {
            award_earned(&mut tx, &self.signer, &[mentor_id, mentee_id], now).await?;
        }
        tx.commit().await?;
        self.mentorship(step.id).await
    }

    /// The mentorship whose federated object (named by the mentee's
    /// instance) has this id.
    pub async fn mentorship_by_object(&self, object_url: &str) -> StoreResult<Option<Mentorship>> {
        let row: Option<MentorshipRow> = sqlx::query_as(&format!(
            "SELECT {MENTORSHIP_COLUMNS} FROM {MENTORSHIPS} WHERE m.object_url = $1"
        ))
        .bind(object_url)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(Mentorship::try_from).transpose()?)
    }

    /// One recorded step and the mentorship it belongs to.
    pub async fn mentorship_event(&self, event_id: Uuid) -> StoreResult<(Uuid, MentorshipEvent)> {
        let (mentorship_id,): (Uuid,) =
            sqlx::query_as("SELECT mentorship_id FROM mentorship_events WHERE id = $1")
                .bind(event_id)
                .fetch_one(&self.pool)
                .await?;
        let event = self
            .mentorship_events(mentorship_id)
            .await?
            .into_iter()
            .find(|e| e.id == event_id)
            .ok_or(StoreError::NotFound)?;
        Ok((mentorship_id, event))
    }

    pub async fn mentorship(&self, id: Uuid) -> StoreResult<Mentorship> {
        let row: MentorshipRow = sqlx::query_as(&format!(
            "SELECT {MENTORSHIP_COLUMNS} FROM {MENTORSHIPS} WHERE m.id = $1"
        ))
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_into()?)
    }

    /// A member's mentorships as mentor, mentee or either, newest first.
    pub async fn list_mentorships(
        &self,
        account_id: Uuid,
        as_mentor: bool,
        as_mentee: bool,
        state: Option<MentorshipState>,
    ) -> StoreResult<Vec<Mentorship>> {
        let rows: Vec<MentorshipRow> = sqlx::query_as(&format!(
            "SELECT {MENTORSHIP_COLUMNS} FROM {MENTORSHIPS} \
             WHERE (($2 AND m.mentor_id = $1) OR ($3 AND m.mentee_id = $1)) \
               AND ($4 IS NULL OR m.state = $4) \
             ORDER BY m.created_at DESC, m.id DESC"
        ))
        .bind(account_id)
        .bind(as_mentor)
        .bind(as_mentee)
        .bind(state.map(MentorshipState::as_str))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| Ok(Mentorship::try_from(row)?))
            .collect()
    }

    /// How busy each of these mentors is (mentors without mentorships are
    /// left out: their load is zero).
    pub async fn mentor_loads(
        &self,
        mentor_ids: &[Uuid],
    ) -> StoreResult<std::collections::HashMap<Uuid, crate::model::MentorLoad>> {
        if mentor_ids.is_empty() {
            return Ok(Default::default());
        }
        self.loads(Some(mentor_ids)).await
    }

    /// The loads of these mentors, or of every mentor.
    pub(super) async fn loads(
        &self,
        mentor_ids: Option<&[Uuid]>,
    ) -> StoreResult<std::collections::HashMap<Uuid, crate::model::MentorLoad>> {
        let mut query = QueryBuilder::<Db>::new(
            "SELECT mentor_id, \
               SUM(CASE WHEN state IN ('active', 'paused') THEN 1 ELSE 0 END), \
               SUM(CASE WHEN state = 'requested' THEN 1 ELSE 0 END), \
               SUM(CASE WHEN state = 'completed' THEN 1 ELSE 0 END) \
             FROM mentorships",
        );
        if let Some(ids) = mentor_ids {
            query.push(" WHERE mentor_id IN (");
            let mut list = query.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            query.push(")");
        }
        query.push(" GROUP BY mentor_id");
        let rows: Vec<(Uuid, i64, i64, i64)> = query.build_query_as().fetch_all(&self.pool).await?;
        let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(rows
            .into_iter()
            .map(|(id, active, pending, completed)| {
                (
                    id,
                    crate::model::MentorLoad {
                        active: count(active),
                        pending: count(pending),
                        completed: count(completed),
                    },
                )
            })
            .collect())
    }

    /// Of these accounts, those who currently have a mentor (an active or
    /// paused mentorship as mentee).
    pub async fn mentored_among(
        &self,
        account_ids: &[Uuid],
    ) -> StoreResult<std::collections::HashSet<Uuid>> {
        if account_ids.is_empty() {
            return Ok(Default::default());
        }
        let mut query = QueryBuilder::<Db>::new(
            "SELECT DISTINCT mentee_id FROM mentorships \
             WHERE state IN ('active', 'paused') AND mentee_id IN (",
        );
        let mut list = query.separated(", ");
        for id in account_ids {
            list.push_bind(*id);
        }
        query.push(")");
        let rows: Vec<(Uuid,)> = query.build_query_as().fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Every mentorship under way (active or paused), oldest first: who
    /// mentors whom, here and with members elsewhere.
    pub async fn current_mentorships(&self) -> StoreResult<Vec<Mentorship>> {
        let rows: Vec<MentorshipRow> = sqlx::query_as(&format!(
            "SELECT {MENTORSHIP_COLUMNS} FROM {MENTORSHIPS} \
             WHERE m.state IN ('active', 'paused') ORDER BY m.created_at, m.id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| Ok(Mentorship::try_from(row)?))
            .collect()
    }

    /// A member's notifications, unread first, then newest first.
    pub async fn notifications(
        &self,
        account_id: Uuid,
        limit: u32,
    ) -> StoreResult<Vec<Notification>> {
        let rows: Vec<NotificationRow> = sqlx::query_as(
            "SELECT id, kind, mentorship_id, nomination_id, domain, created_at, read_at \
             FROM notifications \
             WHERE account_id = $1 \
             ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id DESC \
             LIMIT $2",
        )
        .bind(account_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Notification::from).collect())
    }

    /// Marks a member's notifications read: one (by id) or all; how many.
    pub async fn mark_read(
        &self,
        account_id: Uuid,
        id: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE notifications SET read_at = $3 \
             WHERE account_id = $1 AND read_at IS NULL AND ($2 IS NULL OR id = $2)",
        )
        .bind(account_id)
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Every state a mentorship entered, oldest first.
    pub async fn mentorship_events(&self, id: Uuid) -> StoreResult<Vec<MentorshipEvent>> {
        let rows: Vec<MentorshipEventRow> = sqlx::query_as(
            "SELECT id, state, actor_id, note, at FROM mentorship_events \
             WHERE mentorship_id = $1 ORDER BY at, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| Ok(MentorshipEvent::try_from(row)?))
            .collect()
    }
}
