// Partnerships, blocks, the durable outbox (events and deliveries) and the
// received-activity log. Included as a module of each backend.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::common::{notify, record_received};
use super::{Backend, Db};
use crate::error::{StoreError, StoreResult};
use crate::model::{
    AttemptResult, Delivery, FailedOutboxEvent, Instance, NewDelivery, OutboxEventKind, Page,
    PartnershipStep, PendingEvent, StepOutcome,
};
use crate::rows::federation::{INSTANCE_COLUMNS, InstanceRow};
use crate::rows::outbox::{
    DELIVERY_COLUMNS, DeliveryRow, FailedOutboxEventRow, OUTBOX_EVENT_COLUMNS, OutboxEventRow,
};

async fn ensure_instance(
    tx: &mut sqlx::Transaction<'_, Db>,
    domain: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO instances (domain, created_at) VALUES ($1, $2) ON CONFLICT (domain) DO NOTHING",
    )
    .bind(domain)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Queues deliveries; those to blocked instances are dropped.
pub(super) async fn insert_deliveries(
    tx: &mut sqlx::Transaction<'_, Db>,
    deliveries: &[NewDelivery],
    now: DateTime<Utc>,
) -> StoreResult<()> {
    for delivery in deliveries {
        ensure_instance(tx, &delivery.domain, now).await?;
        sqlx::query(
            "INSERT INTO deliveries (id, domain, inbox_url, activity_id, signer, body, created_at) \
             SELECT $1, $2, $3, $4, $5, $6, $7 \
             WHERE NOT EXISTS (SELECT 1 FROM instances WHERE domain = $2 AND blocked_at IS NOT NULL)",
        )
        .bind(Uuid::now_v7())
        .bind(&delivery.domain)
        .bind(&delivery.inbox_url)
        .bind(&delivery.activity_id)
        .bind(delivery.signer)
        .bind(&delivery.body)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Hides every profile cached from `domain`: once the partnership is over,
/// nothing it shared may show, even if a partnership starts again before
/// its members send their profiles anew.
async fn withdraw_profiles_of(
    tx: &mut sqlx::Transaction<'_, Db>,
    domain: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE profiles SET visibility = 'private', offers_mentoring = FALSE, \
           accepting_mentees = FALSE, updated_at = $2 \
         WHERE account_id IN (SELECT id FROM accounts WHERE domain = $1)",
    )
    .bind(domain)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) async fn insert_event(
    tx: &mut sqlx::Transaction<'_, Db>,
    kind: OutboxEventKind,
    account_id: Option<Uuid>,
    domain: Option<&str>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO outbox_events (id, kind, account_id, domain, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(Uuid::now_v7())
    .bind(kind.as_str())
    .bind(account_id)
    .bind(domain)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Backend {
    pub async fn enqueue_deliveries(
        &self,
        deliveries: &[NewDelivery],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        insert_deliveries(&mut tx, deliveries, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether an activity id was received and processed before.
    pub async fn activity_received(&self, activity_id: &str) -> StoreResult<bool> {
        let found: Option<(String,)> =
            sqlx::query_as("SELECT activity_id FROM received_activities WHERE activity_id = $1")
                .bind(activity_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    /// Forgets received activity ids recorded before `before`; how many.
    pub async fn purge_received(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM received_activities WHERE received_at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Records a received activity id on its own; false if seen before.
    pub async fn record_received_activity(
        &self,
        activity_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let new = record_received(&mut tx, activity_id, now).await?;
        tx.commit().await?;
        Ok(new)
    }

    /// Applies a partnership step if the partnership is still where the
    /// step starts and the instance is not blocked, with its deliveries, in
    /// one transaction. A partnership that becomes active queues a
    /// `PartnerJoined` event.
    pub async fn step_partnership(
        &self,
        step: &PartnershipStep,
        now: DateTime<Utc>,
    ) -> StoreResult<StepOutcome> {
        let mut tx = self.begin().await?;
        if let Some(received) = &step.received
            && !record_received(&mut tx, received, now).await?
        {
            return Ok(StepOutcome::Duplicate);
        }
        ensure_instance(&mut tx, &step.domain, now).await?;
        let moved = sqlx::query(
            "UPDATE instances SET partnership = $3, partnership_changed_at = $4, \
               our_follow_id = COALESCE($5, our_follow_id), \
               their_follow_id = COALESCE($6, their_follow_id) \
             WHERE domain = $1 AND partnership = $2 AND blocked_at IS NULL",
        )
        .bind(&step.domain)
        .bind(step.from.as_str())
        .bind(step.to.as_str())
        .bind(now)
        .bind(step.our_follow.as_deref())
        .bind(step.their_follow.as_deref())
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() == 0 {
            return Ok(StepOutcome::Moved);
        }
        insert_deliveries(&mut tx, &step.deliveries, now).await?;
        if step.to.is_active() && (!step.from.is_active() || step.resend_profiles) {
            insert_event(
                &mut tx,
                OutboxEventKind::PartnerJoined,
                None,
                Some(&step.domain),
                now,
            )
            .await?;
        }
        if step.from.is_active() && !step.to.is_active() {
            withdraw_profiles_of(&mut tx, &step.domain, now).await?;
        }
        // Admins hear of what other instances do to the partnership.
        if step.received.is_some() && step.from != step.to {
            let admins: Vec<(Uuid,)> =
                sqlx::query_as("SELECT account_id FROM users WHERE is_admin")
                    .fetch_all(&mut *tx)
                    .await?;
            let kind = format!("partnership_{}", step.to.as_str());
            for (admin,) in admins {
                notify(&mut tx, admin, &kind, None, Some(&step.domain), now).await?;
            }
        }
        tx.commit().await?;
        let instance = self
            .instance(&step.domain)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(StepOutcome::Applied(Box::new(instance)))
    }

    /// Blocks or unblocks an instance. A block ends any partnership and
    /// drops everything queued for the instance, in one transaction.
    pub async fn set_blocked(
        &self,
        domain: &str,
        blocked: bool,
        reason: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Instance> {
        let mut tx = self.begin().await?;
        ensure_instance(&mut tx, domain, now).await?;
        if blocked {
            sqlx::query(
                "UPDATE instances SET blocked_at = COALESCE(blocked_at, $2), block_reason = $3, \
                   partnership = 'none', partnership_changed_at = $2 \
                 WHERE domain = $1",
            )
            .bind(domain)
            .bind(now)
            .bind(reason)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM deliveries WHERE domain = $1")
                .bind(domain)
                .execute(&mut *tx)
                .await?;
            withdraw_profiles_of(&mut tx, domain, now).await?;
        } else {
            // Nothing is queued for it any more: its health starts afresh.
            sqlx::query(
                "UPDATE instances SET blocked_at = NULL, block_reason = '', delivery_state = 'ok', \
                   failing_since = NULL, consecutive_failures = 0, last_error = NULL, \
                   next_attempt_at = NULL WHERE domain = $1",
            )
            .bind(domain)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.instance(domain).await?.ok_or(StoreError::NotFound)
    }

    /// Instances with deliveries due and nobody working on them.
    pub async fn due_domains(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT i.domain FROM instances i \
             WHERE i.blocked_at IS NULL \
               AND EXISTS (SELECT 1 FROM deliveries d WHERE d.domain = i.domain) \
               AND (i.next_attempt_at IS NULL OR i.next_attempt_at <= $1) \
               AND (i.claimed_until IS NULL OR i.claimed_until < $1) \
             ORDER BY i.domain LIMIT $2",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(domain,)| domain).collect())
    }

    /// Takes an instance's deliveries for `holder` until `until`, unless
    /// another holder's lease on them runs past `now`; false then.
    pub async fn claim_domain(
        &self,
        domain: &str,
        holder: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE instances SET claimed_by = $2, claimed_until = $3, claimed_at = $4 \
             WHERE domain = $1 AND (claimed_until IS NULL OR claimed_until < $4)",
        )
        .bind(domain)
        .bind(holder)
        .bind(until)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Extends `holder`'s lease on an instance's deliveries to `until`;
    /// false if it no longer holds them (another took them over).
    pub async fn renew_claim(
        &self,
        domain: &str,
        holder: &str,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE instances SET claimed_until = $3 WHERE domain = $1 AND claimed_by = $2",
        )
        .bind(domain)
        .bind(holder)
        .bind(until)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives up `holder`'s lease on an instance's deliveries (a lease taken
    /// over by another stays theirs).
    pub async fn release_domain(&self, domain: &str, holder: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE instances SET claimed_until = NULL, claimed_by = NULL, claimed_at = NULL \
             WHERE domain = $1 AND claimed_by = $2",
        )
        .bind(domain)
        .bind(holder)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Gives up every lease `holder` has; how many.
    pub async fn release_claims_of(&self, holder: &str) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE instances SET claimed_until = NULL, claimed_by = NULL, claimed_at = NULL \
             WHERE claimed_by = $1",
        )
        .bind(holder)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// An instance's queued deliveries, oldest first.
    pub async fn pending_deliveries(&self, domain: &str, limit: u32) -> StoreResult<Vec<Delivery>> {
        let rows: Vec<DeliveryRow> = sqlx::query_as(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE domain = $1 ORDER BY id LIMIT $2"
        ))
        .bind(domain)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Delivery::from).collect())
    }

    /// Records how an attempt went: a delivered activity leaves the queue
    /// and the instance is healthy; a failure sets when to try again.
    pub async fn record_attempt(
        &self,
        delivery: &Delivery,
        result: &AttemptResult,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        match result {
            AttemptResult::Delivered => {
                sqlx::query("DELETE FROM deliveries WHERE id = $1")
                    .bind(delivery.id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "UPDATE instances SET delivered_total = delivered_total + 1, \
                       delivery_state = 'ok', failing_since = NULL, consecutive_failures = 0, \
                       last_success_at = $2, last_attempt_at = $2, next_attempt_at = NULL, \
                       last_error = NULL \
                     WHERE domain = $1",
                )
                .bind(&delivery.domain)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            AttemptResult::Dropped { reason } => {
                sqlx::query("DELETE FROM deliveries WHERE id = $1")
                    .bind(delivery.id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "UPDATE instances SET last_error = $2, last_attempt_at = $3 WHERE domain = $1",
                )
                .bind(&delivery.domain)
                .bind(reason)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            AttemptResult::Failed {
                error,
                retry_at,
                unreachable,
            } => {
                sqlx::query(
                    "UPDATE deliveries SET attempts = attempts + 1, last_error = $2 WHERE id = $1",
                )
                .bind(delivery.id)
                .bind(error)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE instances SET \
                       delivery_state = CASE WHEN $2 THEN 'unreachable' ELSE 'failing' END, \
                       failing_since = COALESCE(failing_since, $3), \
                       consecutive_failures = consecutive_failures + 1, \
                       last_error = $4, next_attempt_at = $5, last_attempt_at = $3 \
                     WHERE domain = $1",
                )
                .bind(&delivery.domain)
                .bind(*unreachable)
                .bind(now)
                .bind(error)
                .bind(*retry_at)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Makes an instance's queue due now (it has just shown it is up).
    pub async fn retry_now(&self, domain: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE instances SET next_attempt_at = NULL \
             WHERE domain = $1 AND delivery_state <> 'ok'",
        )
        .bind(domain)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deliveries waiting, all instances together.
    pub async fn outbox_depth(&self) -> StoreResult<u64> {
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM deliveries")
            .fetch_one(&self.pool)
            .await?;
        Ok(count.try_into().unwrap_or(0))
    }

    /// Outbox events not yet turned into deliveries (those set aside as
    /// failed left out).
    pub async fn waiting_outbox_events(&self) -> StoreResult<u64> {
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM outbox_events WHERE error IS NULL")
                .fetch_one(&self.pool)
                .await?;
        Ok(count.try_into().unwrap_or(0))
    }

    /// The oldest outbox events waiting, each read into its kind. A row
    /// that does not fit its kind is an error: it is logged and set aside
    /// as failed with the reason (`failed_outbox_events`), so that it
    /// neither blocks the events behind it nor disappears unseen.
    pub async fn next_outbox_events(&self, limit: u32) -> StoreResult<Vec<PendingEvent>> {
        loop {
            let rows: Vec<OutboxEventRow> = sqlx::query_as(&format!(
                "SELECT {OUTBOX_EVENT_COLUMNS} FROM outbox_events WHERE error IS NULL \
                 ORDER BY id LIMIT $1"
            ))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
            let read = rows.len();
            let mut events = Vec::with_capacity(read);
            for row in rows {
                let (id, kind) = (row.id, row.kind.clone());
                match PendingEvent::try_from(row) {
                    Ok(event) => events.push(event),
                    Err(err) => {
                        let error = err.to_string();
                        tracing::error!(event = %id, kind = %kind, %error,
                            "an outbox event does not fit its kind; set aside as failed");
                        sqlx::query("UPDATE outbox_events SET error = $2 WHERE id = $1")
                            .bind(id)
                            .bind(&error)
                            .execute(&self.pool)
                            .await?;
                    }
                }
            }
            // A page of nothing but failures says nothing of what follows.
            if !events.is_empty() || read < usize::try_from(limit).unwrap_or(usize::MAX) {
                return Ok(events);
            }
        }
    }

    /// The outbox events set aside as failed, newest first, and how many
    /// there are in all.
    pub async fn failed_outbox_events(&self, limit: u32) -> StoreResult<Page<FailedOutboxEvent>> {
        let rows: Vec<FailedOutboxEventRow> = sqlx::query_as(
            "SELECT id, kind, error, created_at FROM outbox_events WHERE error IS NOT NULL \
             ORDER BY id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let (total,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM outbox_events WHERE error IS NOT NULL")
                .fetch_one(&self.pool)
                .await?;
        Ok(Page {
            items: rows.into_iter().map(FailedOutboxEvent::from).collect(),
            total: total.try_into().unwrap_or(0),
        })
    }

    /// Replaces an event with the deliveries it leads to, and records
    /// whether the member's profile is now published to partners — in one
    /// transaction. False if another worker completed it first.
    pub async fn complete_outbox_event(
        &self,
        event_id: Uuid,
        deliveries: &[NewDelivery],
        published: Option<(Uuid, bool)>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("DELETE FROM outbox_events WHERE id = $1")
            .bind(event_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        insert_deliveries(&mut tx, deliveries, now).await?;
        if let Some((account_id, is_published)) = published {
            sqlx::query(
                "UPDATE profiles SET published_at = CASE WHEN $2 THEN $3 END WHERE account_id = $1",
            )
            .bind(account_id)
            .bind(is_published)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Whether a member's profile is published to partners now.
    pub async fn profile_published(&self, account_id: Uuid) -> StoreResult<bool> {
        let (published,): (bool,) =
            sqlx::query_as("SELECT published_at IS NOT NULL FROM profiles WHERE account_id = $1")
                .bind(account_id)
                .fetch_one(&self.pool)
                .await?;
        Ok(published)
    }

    /// Local members whose profiles are published to partners.
    pub async fn published_profiles(&self) -> StoreResult<Vec<Uuid>> {
        let rows: Vec<(Uuid,)> = sqlx::query_as(
            "SELECT p.account_id FROM profiles p JOIN users u ON u.account_id = p.account_id \
             WHERE p.published_at IS NOT NULL ORDER BY p.account_id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// The partner instances, for fanning activities out.
    pub async fn active_partners(&self) -> StoreResult<Vec<Instance>> {
        let rows: Vec<InstanceRow> = sqlx::query_as(&format!(
            "SELECT {INSTANCE_COLUMNS} FROM instances i \
             WHERE i.partnership = 'active' AND i.blocked_at IS NULL ORDER BY i.domain"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| Ok(Instance::try_from(row)?))
            .collect()
    }
}
