// Skill reviews of mentorships, and members' career plans as versions.
// Included as a module of each backend.

use chrono::{DateTime, Utc};
use trellis_core::skill::SkillKey;
use uuid::Uuid;

use super::common::{notify, record_received};
use super::recognition::award_earned;
use super::sessions::{Item, lock_mentorship, queue_for_other_party};
use super::{Backend, Db};
use crate::error::{StoreError, StoreResult};
use crate::model::{
    CompletedReview, NewReview, OutboxEventKind, PairingActivity, PlanVersion, Review, SharedGrowth,
};
use crate::rows::reviews::{PlanVersionRow, REVIEW_COLUMNS, ReviewRow, SharedGrowthRow};
use crate::rows::{json_list, json_value};

/// A member's newest plan version.
const LATEST_PLAN: &str = "SELECT version, plan, origin, created_at FROM career_plan_versions \
     WHERE account_id = $1 ORDER BY version DESC LIMIT 1";

/// Queues a local mentee's growth for their mentors elsewhere, if they
/// have a mentorship under way with one.
pub(super) async fn share_growth(
    tx: &mut sqlx::Transaction<'_, Db>,
    mentee_id: Uuid,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO outbox_events (id, kind, account_id, created_at) \
         SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM mentorships m \
           JOIN accounts mr ON mr.id = m.mentor_id JOIN accounts me ON me.id = m.mentee_id \
           WHERE m.mentee_id = $3 AND me.domain IS NULL AND mr.domain IS NOT NULL \
             AND m.state IN ('active', 'paused'))",
    )
    .bind(Uuid::now_v7())
    .bind(OutboxEventKind::GrowthShared.as_str())
    .bind(mentee_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Backend {
    /// Starts a review of a mentorship under way, over the given skills.
    /// One review at a time per mentorship (a conflict otherwise). A repeat
    /// of a received start gives the review it made.
    pub async fn start_review(&self, new: &NewReview, now: DateTime<Utc>) -> StoreResult<Review> {
        let mut tx = self.begin().await?;
        if let Some(activity) = &new.received
            && !record_received(&mut tx, activity, now).await?
        {
            drop(tx);
            let url = new.object_url.as_deref().unwrap_or_default();
            return self
                .review_by_object(url)
                .await?
                .ok_or(StoreError::NotFound);
        }
        let (state, mentor_id, mentee_id) = lock_mentorship(&mut tx, new.mentorship_id).await?;
        if new.started_by != mentor_id && new.started_by != mentee_id {
            return Err(StoreError::Refused(trellis_core::CoreError::Forbidden(
                "only the two parties review a mentorship".into(),
            )));
        }
        let review_state =
            trellis_core::review::start(state, &new.skills).map_err(StoreError::Refused)?;
        let id = Uuid::now_v7();
        let keys: Vec<&str> = new.skills.iter().map(SkillKey::as_str).collect();
        sqlx::query(
            "INSERT INTO skill_reviews (id, mentorship_id, object_url, started_by, skills, state, \
               started_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(new.mentorship_id)
        .bind(new.object_url.as_deref())
        .bind(new.started_by)
        .bind(json_list(&keys))
        .bind(review_state.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict(
                "this mentorship has a review in progress: complete it first".into(),
            ),
            other => other,
        })?;
        let other = if new.started_by == mentor_id {
            mentee_id
        } else {
            mentor_id
        };
        notify(
            &mut tx,
            other,
            "review_started",
            Some(new.mentorship_id),
            None,
            now,
        )
        .await?;
        queue_for_other_party(
            &mut tx,
            OutboxEventKind::ReviewStarted,
            Item::Review,
            id,
            new.started_by,
            now,
        )
        .await?;
        tx.commit().await?;
        self.review(id).await
    }

    /// Records one party's part of a review (by `actor_id`, who must be that
    /// party): each part once; the review is completed when both are in.
    /// A repeat of a received part changes nothing.
    pub async fn submit_review_part(
        &self,
        review_id: Uuid,
        actor_id: Uuid,
        part: &trellis_core::review::ReviewPart,
        received: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<Review> {
        use trellis_core::mentorship::Party;
        use trellis_core::review::ReviewEvent;
        let mut tx = self.begin().await?;
        if let Some(activity) = received
            && !record_received(&mut tx, activity, now).await?
        {
            drop(tx);
            return self.review(review_id).await;
        }
        let (mentorship_id,): (Uuid,) =
            sqlx::query_as("SELECT mentorship_id FROM skill_reviews WHERE id = $1")
                .bind(review_id)
                .fetch_one(&mut *tx)
                .await?;
        let (_, mentor_id, mentee_id) = lock_mentorship(&mut tx, mentorship_id).await?;
        let party = if actor_id == mentor_id {
            Party::Mentor
        } else if actor_id == mentee_id {
            Party::Mentee
        } else {
            return Err(StoreError::Refused(trellis_core::CoreError::Forbidden(
                "only the two parties review a mentorship".into(),
            )));
        };
        let review: Review = sqlx::query_as::<_, ReviewRow>(&format!(
            "SELECT {REVIEW_COLUMNS} FROM skill_reviews r WHERE r.id = $1"
        ))
        .bind(review_id)
        .fetch_one(&mut *tx)
        .await?
        .try_into()?;
        let next = review
            .state
            .next(ReviewEvent::submit(party), party)
            .map_err(StoreError::Refused)?;
        let part = part
            .clone()
            .normalize(&review.skills)
            .map_err(StoreError::Refused)?;
        let column = match party {
            Party::Mentee => "mentee",
            Party::Mentor => "mentor",
        };
        sqlx::query(&format!(
            "UPDATE skill_reviews SET {column}_part = $2, {column}_submitted_at = $3, state = $4, \
               completed_at = $5 WHERE id = $1"
        ))
        .bind(review_id)
        .bind(json_value(&part)?)
        .bind(now)
        .bind(next.as_str())
        .bind(next.is_completed().then_some(now))
        .execute(&mut *tx)
        .await?;
        let other = if party == Party::Mentor {
            mentee_id
        } else {
            mentor_id
        };
        let kind = if next.is_completed() {
            "review_completed"
        } else {
            "review_part_submitted"
        };
        notify(&mut tx, other, kind, Some(mentorship_id), None, now).await?;
        if next.is_completed() {
            notify(&mut tx, actor_id, kind, Some(mentorship_id), None, now).await?;
            share_growth(&mut tx, mentee_id, now).await?;
            award_earned(&mut tx, &self.signer, &[mentor_id, mentee_id], now).await?;
        }
        queue_for_other_party(
            &mut tx,
            OutboxEventKind::ReviewPartSubmitted,
            Item::Review,
            review_id,
            actor_id,
            now,
        )
        .await?;
        tx.commit().await?;
        self.review(review_id).await
    }

    pub async fn review(&self, id: Uuid) -> StoreResult<Review> {
        let row: ReviewRow = sqlx::query_as(&format!(
            "SELECT {REVIEW_COLUMNS} FROM skill_reviews r WHERE r.id = $1"
        ))
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_into()?)
    }

    /// The review the other instance named `url`, if this one has it.
    pub async fn review_by_object(&self, url: &str) -> StoreResult<Option<Review>> {
        let row: Option<ReviewRow> = sqlx::query_as(&format!(
            "SELECT {REVIEW_COLUMNS} FROM skill_reviews r WHERE r.object_url = $1"
        ))
        .bind(url)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(TryInto::try_into).transpose()?)
    }

    /// A mentorship's reviews, oldest first.
    pub async fn reviews_of(&self, mentorship_id: Uuid) -> StoreResult<Vec<Review>> {
        let rows: Vec<ReviewRow> = sqlx::query_as(&format!(
            "SELECT {REVIEW_COLUMNS} FROM skill_reviews r WHERE r.mentorship_id = $1 \
             ORDER BY r.started_at, r.id"
        ))
        .bind(mentorship_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(TryInto::try_into)
            .collect::<Result<_, _>>()?)
    }

    /// Every completed review of `mentee_id` as mentee, in every mentorship,
    /// oldest first, with the mentor of each.
    pub async fn completed_reviews_of_mentee(
        &self,
        mentee_id: Uuid,
    ) -> StoreResult<Vec<CompletedReview>> {
        let rows: Vec<ReviewRow> = sqlx::query_as(&format!(
            "SELECT {REVIEW_COLUMNS} FROM skill_reviews r \
             JOIN mentorships m ON m.id = r.mentorship_id \
             WHERE m.mentee_id = $1 AND r.state = 'completed' \
             ORDER BY r.completed_at, r.id"
        ))
        .bind(mentee_id)
        .fetch_all(&self.pool)
        .await?;
        let mut found = Vec::with_capacity(rows.len());
        for row in rows {
            let review: Review = row.try_into()?;
            let mentor = self.mentorship(review.mentorship_id).await?.mentor;
            found.push(CompletedReview { review, mentor });
        }
        Ok(found)
    }

    /// Sets how often a mentorship reviews, in weeks.
    pub async fn set_review_cadence(
        &self,
        mentorship_id: Uuid,
        cadence: trellis_core::review::Cadence,
    ) -> StoreResult<()> {
        let done = sqlx::query("UPDATE mentorships SET review_every_weeks = $2 WHERE id = $1")
            .bind(mentorship_id)
            .bind(i32::from(cadence.every_weeks()))
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// How often a mentorship reviews.
    pub async fn review_cadence(
        &self,
        mentorship_id: Uuid,
    ) -> StoreResult<trellis_core::review::Cadence> {
        let (weeks,): (i32,) =
            sqlx::query_as("SELECT review_every_weeks FROM mentorships WHERE id = $1")
                .bind(mentorship_id)
                .fetch_one(&self.pool)
                .await?;
        Ok(trellis_core::review::Cadence::new(
            u16::try_from(weeks).unwrap_or(0),
        )?)
    }

    /// Tells both local parties of each mentorship under way whose review
    /// is due at `now` (by its cadence, from the last completed review or
    /// the start), once per due date. Returns how many were due.
    pub async fn notify_due_reviews(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        /// A mentorship under way: id, mentor, mentee, cadence in weeks,
        /// start, last completed review, last told.
        type Due = (
            Uuid,
            Uuid,
            Uuid,
            i32,
            DateTime<Utc>,
            Option<DateTime<Utc>>,
            Option<DateTime<Utc>>,
        );
        let rows: Vec<Due> = sqlx::query_as(
            "SELECT m.id, m.mentor_id, m.mentee_id, m.review_every_weeks, m.created_at, \
                   (SELECT MAX(r.completed_at) FROM skill_reviews r WHERE r.mentorship_id = m.id), \
                   m.review_due_told_at \
                 FROM mentorships m WHERE m.state IN ('active', 'paused') \
                   AND NOT EXISTS (SELECT 1 FROM skill_reviews r \
                     WHERE r.mentorship_id = m.id AND r.state <> 'completed')",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut due = 0;
        for (id, mentor_id, mentee_id, weeks, started, last, told) in rows {
            let Ok(cadence) = trellis_core::review::Cadence::new(u16::try_from(weeks).unwrap_or(0))
            else {
                continue;
            };
            if !cadence.is_due(last, started, now) {
                continue;
            }
            let due_at = cadence.next_due(last.unwrap_or(started));
            if told.is_some_and(|t| t >= due_at) {
                continue;
            }
            let mut tx = self.begin().await?;
            let moved = sqlx::query(
                "UPDATE mentorships SET review_due_told_at = $2 WHERE id = $1 \
                 AND (review_due_told_at IS NULL OR review_due_told_at < $3)",
            )
            .bind(id)
            .bind(now)
            .bind(due_at)
            .execute(&mut *tx)
            .await?;
            if moved.rows_affected() == 1 {
                for party in [mentor_id, mentee_id] {
                    notify(&mut tx, party, "review_due", Some(id), None, now).await?;
                }
                due += 1;
            }
            tx.commit().await?;
        }
        Ok(due)
    }

    /// A member's career plan as it is now (`None`: never set).
    pub async fn plan(&self, account_id: Uuid) -> StoreResult<Option<PlanVersion>> {
        let row: Option<PlanVersionRow> = sqlx::query_as(LATEST_PLAN)
            .bind(account_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(TryInto::try_into).transpose()?)
    }

    /// Every version of a member's career plan, oldest first.
    pub async fn plan_history(&self, account_id: Uuid) -> StoreResult<Vec<PlanVersion>> {
        let rows: Vec<PlanVersionRow> = sqlx::query_as(
            "SELECT version, plan, origin, created_at FROM career_plan_versions WHERE account_id = $1 \
             ORDER BY version",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(TryInto::try_into)
            .collect::<Result<_, _>>()?)
    }

    /// Keeps `plan` as the member's new version (the old ones stay). A plan
    /// equal to the current one adds no version.
    pub async fn put_plan(
        &self,
        account_id: Uuid,
        plan: &trellis_core::plan::CareerPlan,
        now: DateTime<Utc>,
    ) -> StoreResult<PlanVersion> {
        let mut tx = self.begin().await?;
        let current: Option<PlanVersionRow> = sqlx::query_as(LATEST_PLAN)
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await?;
        let current: Option<PlanVersion> = current.map(TryInto::try_into).transpose()?;
        if let Some(current) = current.as_ref().filter(|c| c.plan == *plan) {
            return Ok(current.clone());
        }
        let version = current.map_or(1, |c| c.version + 1);
        // What the database kept (its clock resolution, not ours).
        let kept: PlanVersionRow = sqlx::query_as(
            "INSERT INTO career_plan_versions (account_id, version, plan, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING version, plan, origin, created_at",
        )
        .bind(account_id)
        .bind(i32::try_from(version).unwrap_or(i32::MAX))
        .bind(json_value(plan)?)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        share_growth(&mut tx, account_id, now).await?;
        tx.commit().await?;
        Ok(kept.try_into()?)
    }
}

impl Backend {
    /// Keeps a mentee's growth as their instance shared it (`received`
    /// names the activity), for a mentorship under way: a share older than
    /// the one kept changes nothing, and so does a repeated activity.
    pub async fn receive_shared_growth(
        &self,
        mentorship_id: Uuid,
        growth: &trellis_core::growth::Growth,
        shared_at: DateTime<Utc>,
        received: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        if !record_received(&mut tx, received, now).await? {
            return Ok(());
        }
        let (state, _, _) = lock_mentorship(&mut tx, mentorship_id).await?;
        if !state.holds_a_place() {
            return Err(StoreError::Conflict(format!(
                "a mentee's growth is shared with their current mentors; this mentorship is {}",
                state.as_str()
            )));
        }
        sqlx::query(
            "INSERT INTO shared_growth (mentorship_id, growth, shared_at, received_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (mentorship_id) DO UPDATE \
             SET growth = excluded.growth, shared_at = excluded.shared_at, \
               received_at = excluded.received_at \
             WHERE shared_growth.shared_at < excluded.shared_at",
        )
        .bind(mentorship_id)
        .bind(json_value(growth)?)
        .bind(shared_at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The mentee's growth as their instance last shared it, if it has.
    pub async fn shared_growth(&self, mentorship_id: Uuid) -> StoreResult<Option<SharedGrowth>> {
        let row: Option<SharedGrowthRow> =
            sqlx::query_as("SELECT growth, shared_at FROM shared_growth WHERE mentorship_id = $1")
                .bind(mentorship_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(TryInto::try_into).transpose()?)
    }

    /// For each mentorship under way: sessions held in `[since, now]`, the
    /// last session held by `now`, and its reviews (completed, and in all).
    /// Figures only: no notes, no ratings.
    pub async fn pairing_activity(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<PairingActivity>> {
        /// Mentorship, sessions since, last session, reviews completed, all.
        type Figures = (Uuid, i64, Option<DateTime<Utc>>, i64, i64);
        let rows: Vec<Figures> = sqlx::query_as(
            "SELECT m.id, \
               (SELECT COUNT(*) FROM sessions s WHERE s.mentorship_id = m.id \
                  AND s.held_at >= $1 AND s.held_at <= $2), \
               (SELECT MAX(s.held_at) FROM sessions s WHERE s.mentorship_id = m.id \
                  AND s.held_at <= $2), \
               (SELECT COUNT(*) FROM skill_reviews r WHERE r.mentorship_id = m.id \
                  AND r.state = 'completed'), \
               (SELECT COUNT(*) FROM skill_reviews r WHERE r.mentorship_id = m.id) \
             FROM mentorships m WHERE m.state IN ('active', 'paused') ORDER BY m.created_at, m.id",
        )
        .bind(since)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(rows
            .into_iter()
            .map(
                |(mentorship_id, sessions, last, completed, all)| PairingActivity {
                    mentorship_id,
                    sessions_since: count(sessions),
                    last_session_at: last,
                    reviews_completed: count(completed),
                    reviews_started: count(all),
                },
            )
            .collect())
    }

    /// When each session in `[since, now]` of a mentorship with a member of
    /// this instance was held, oldest first (for the program's weekly chart).
    pub async fn session_times(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<DateTime<Utc>>> {
        let rows: Vec<(DateTime<Utc>,)> = sqlx::query_as(
            "SELECT s.held_at FROM sessions s JOIN mentorships m ON m.id = s.mentorship_id \
             JOIN accounts mentor ON mentor.id = m.mentor_id \
             JOIN accounts mentee ON mentee.id = m.mentee_id \
             WHERE s.held_at >= $1 AND s.held_at <= $2 \
               AND (mentor.domain IS NULL OR mentee.domain IS NULL) \
             ORDER BY s.held_at",
        )
        .bind(since)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(at,)| at).collect())
    }

    /// How many mentorships with a member of this instance are in each
    /// state, as (state, count).
    pub async fn mentorship_states(&self) -> StoreResult<Vec<(String, u64)>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT m.state, COUNT(*) FROM mentorships m \
             JOIN accounts mentor ON mentor.id = m.mentor_id \
             JOIN accounts mentee ON mentee.id = m.mentee_id \
             WHERE mentor.domain IS NULL OR mentee.domain IS NULL \
             GROUP BY m.state ORDER BY m.state",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(state, n)| (state, u64::try_from(n).unwrap_or(0)))
            .collect())
    }
}
