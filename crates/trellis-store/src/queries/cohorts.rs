// Cohorts: their members, the proposed assignment and its approval.
// Included as a module of each backend.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use trellis_core::account::Username;
use uuid::Uuid;

use super::common::notify;
use super::mentorships::insert_request;
use super::{Backend, Db};
use crate::error::{StoreError, StoreResult};
use crate::model::{
    Cohort, CohortApproval, CohortSummary, NewCohort, NewMentorship, NewProposal, PartyRecord,
    ProfileRecord, Proposal, ProposedFor, RequestOutcome,
};
use crate::rows::cohorts::{
    COHORT_STATUS, CohortMemberRow, CohortRow, CohortSummaryRow, ProposalEntryRow, ProposalRow,
};
use crate::rows::mentorships::PartyRow;
use crate::rows::profiles::{PROFILE_COLUMNS, ProfileRow};

/// Rows bound per statement when a list is long (both databases accept
/// many more binds; this keeps statements small).
const CHUNK: usize = 500;

/// Locks the cohort's row for the rest of the transaction, so that changes
/// of its members, its proposal and its approval happen one at a time (and,
/// on SQLite, the transaction writes from its first statement). Not found
/// if there is no such cohort.
async fn lock_cohort(tx: &mut sqlx::Transaction<'_, Db>, cohort_id: Uuid) -> StoreResult<()> {
    let locked = sqlx::query("UPDATE cohorts SET revision = revision WHERE id = $1")
        .bind(cohort_id)
        .execute(&mut **tx)
        .await?;
    if locked.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Whether the cohort's proposal was approved (`None`: no proposal).
async fn proposal_approved(
    tx: &mut sqlx::Transaction<'_, Db>,
    cohort_id: Uuid,
) -> StoreResult<Option<bool>> {
    let row: Option<(bool,)> =
        sqlx::query_as("SELECT approved_at IS NOT NULL FROM cohort_proposals WHERE cohort_id = $1")
            .bind(cohort_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(row.map(|(approved,)| approved))
}

/// Forgets the cohort's proposal, if any.
async fn drop_proposal(tx: &mut sqlx::Transaction<'_, Db>, cohort_id: Uuid) -> StoreResult<()> {
    for table in ["cohort_proposal_entries", "cohort_proposals"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE cohort_id = $1"))
            .bind(cohort_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

fn already_approved() -> StoreError {
    StoreError::Refused(trellis_core::CoreError::Conflict(
        "the cohort's proposal has been approved and its requests sent; the cohort is closed"
            .into(),
    ))
}

impl Backend {
    /// Creates a cohort without members.
    pub async fn create_cohort(&self, new: &NewCohort, now: DateTime<Utc>) -> StoreResult<Cohort> {
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO cohorts (id, name, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(id)
        .bind(&new.name)
        .bind(new.created_by)
        .bind(now)
        .execute(&self.pool)
        .await?;
        self.cohort(id).await
    }

    /// Every cohort, newest first, with how many members each has.
    pub async fn cohorts(&self) -> StoreResult<Vec<CohortSummary>> {
        let rows: Vec<CohortSummaryRow> = sqlx::query_as(&format!(
            "SELECT c.id, c.name, {COHORT_STATUS}, \
               (SELECT COUNT(*) FROM cohort_members m \
                 WHERE m.cohort_id = c.id AND m.role = 'mentee') AS mentees, \
               (SELECT COUNT(*) FROM cohort_members m \
                 WHERE m.cohort_id = c.id AND m.role = 'mentor') AS mentors, \
               c.created_at, c.updated_at \
             FROM cohorts c LEFT JOIN cohort_proposals p ON p.cohort_id = c.id \
             ORDER BY c.created_at DESC, c.id DESC"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| Ok(CohortSummary::try_from(row)?))
            .collect()
    }

    /// A cohort with its members.
    pub async fn cohort(&self, id: Uuid) -> StoreResult<Cohort> {
        let row: CohortRow = sqlx::query_as(&format!(
            "SELECT c.id, c.name, c.created_by, c.revision, c.created_at, c.updated_at, \
               {COHORT_STATUS} \
             FROM cohorts c LEFT JOIN cohort_proposals p ON p.cohort_id = c.id WHERE c.id = $1"
        ))
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        let members: Vec<CohortMemberRow> = sqlx::query_as(
            "SELECT m.role, a.id, a.username, a.domain \
             FROM cohort_members m JOIN accounts a ON a.id = m.account_id \
             WHERE m.cohort_id = $1 ORDER BY m.role, m.position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(row.assemble(members)?)
    }

    /// Replaces a cohort's members and drops its proposal, which no longer
    /// fits them; refused once the cohort is approved.
    pub async fn set_cohort_members(
        &self,
        id: Uuid,
        mentees: &[Uuid],
        mentors: &[Uuid],
        now: DateTime<Utc>,
    ) -> StoreResult<Cohort> {
        let mut tx = self.begin().await?;
        lock_cohort(&mut tx, id).await?;
        if proposal_approved(&mut tx, id).await? == Some(true) {
            return Err(already_approved());
        }
        drop_proposal(&mut tx, id).await?;
        sqlx::query("DELETE FROM cohort_members WHERE cohort_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let members: Vec<(&str, i32, Uuid)> = (0i32..)
            .zip(mentees)
            .map(|(position, account)| ("mentee", position, *account))
            .chain(
                (0i32..)
                    .zip(mentors)
                    .map(|(position, account)| ("mentor", position, *account)),
            )
            .collect();
        for chunk in members.chunks(CHUNK) {
            let mut insert = QueryBuilder::<Db>::new(
                "INSERT INTO cohort_members (cohort_id, role, account_id, position) ",
            );
            insert.push_values(chunk, |mut row, (role, position, account)| {
                row.push_bind(id)
                    .push_bind(*role)
                    .push_bind(*account)
                    .push_bind(*position);
            });
            insert.build().execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE cohorts SET revision = revision + 1, updated_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.cohort(id).await
    }

    /// Stores a cohort's proposal in place of any earlier one. Refused if
    /// the members changed since `revision` or the cohort is approved.
    pub async fn save_proposal(
        &self,
        new: &NewProposal,
        now: DateTime<Utc>,
    ) -> StoreResult<Proposal> {
        let id = new.cohort_id;
        let mut tx = self.begin().await?;
        lock_cohort(&mut tx, id).await?;
        let (revision,): (i32,) = sqlx::query_as("SELECT revision FROM cohorts WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if u32::try_from(revision).ok() != Some(new.revision) {
            return Err(StoreError::Refused(trellis_core::CoreError::Conflict(
                "the cohort's members changed while matching ran; run matching again".into(),
            )));
        }
        if proposal_approved(&mut tx, id).await? == Some(true) {
            return Err(already_approved());
        }
        drop_proposal(&mut tx, id).await?;
        let big = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let small = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
        sqlx::query(
            "INSERT INTO cohort_proposals (cohort_id, weights, total_score, assigned, \
               greedy_total, greedy_assigned, computed_by, computed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(serde_json::to_string(&new.weights).unwrap_or_default())
        .bind(big(new.total_score))
        .bind(small(new.assigned))
        .bind(big(new.greedy_total_score))
        .bind(small(new.greedy_assigned))
        .bind(new.computed_by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let entries: Vec<(i32, &(Uuid, ProposedFor<Uuid>))> = (0i32..).zip(&new.entries).collect();
        for chunk in entries.chunks(CHUNK) {
            let mut insert = QueryBuilder::<Db>::new(
                "INSERT INTO cohort_proposal_entries \
                   (cohort_id, mentee_id, position, mentor_id, score, factors, unassigned) ",
            );
            insert.push_values(chunk, |mut row, (position, (mentee, proposed))| {
                row.push_bind(id).push_bind(*mentee).push_bind(*position);
                match proposed {
                    ProposedFor::Mentor {
                        mentor,
                        score,
                        factors,
                    } => row
                        .push_bind(Some(*mentor))
                        .push_bind(Some(i32::from(*score)))
                        .push_bind(serde_json::to_string(factors).unwrap_or_else(|_| "[]".into()))
                        .push_bind(None::<String>),
                    ProposedFor::Unassigned(reason) => row
                        .push_bind(None::<Uuid>)
                        .push_bind(None::<i32>)
                        .push_bind("[]".to_owned())
                        .push_bind(Some(reason.as_str().to_owned())),
                };
            });
            insert.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        self.proposal(id).await?.ok_or(StoreError::NotFound)
    }

    /// A cohort's proposal, if it has one; with the outcome of each request
    /// once approved.
    pub async fn proposal(&self, cohort_id: Uuid) -> StoreResult<Option<Proposal>> {
        let row: Option<ProposalRow> = sqlx::query_as(
            "SELECT weights, total_score, assigned, greedy_total, greedy_assigned, computed_by, \
               computed_at, approved_by, approved_at \
             FROM cohort_proposals WHERE cohort_id = $1",
        )
        .bind(cohort_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let entries: Vec<ProposalEntryRow> = sqlx::query_as(
            "SELECT e.mentee_id, me.username AS mentee_username, me.domain AS mentee_domain, \
               e.mentor_id, mr.username AS mentor_username, mr.domain AS mentor_domain, \
               e.score, e.factors, e.unassigned, e.mentorship_id, e.failure \
             FROM cohort_proposal_entries e JOIN accounts me ON me.id = e.mentee_id \
               LEFT JOIN accounts mr ON mr.id = e.mentor_id \
             WHERE e.cohort_id = $1 ORDER BY e.position",
        )
        .bind(cohort_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(Some(row.assemble(cohort_id, entries)?))
    }

    /// Approves a cohort's proposal and makes one mentorship request per
    /// proposed pair through the request path, all in one transaction. A
    /// pair the rules refuse now (the mentor filled up, stopped taking
    /// mentees, or the two have an open mentorship already) is recorded as
    /// failed without undoing the others. A request to a mentor elsewhere
    /// goes to the outbox like any other.
    /// Refused if there is no proposal or it was approved before.
    pub async fn approve_cohort(
        &self,
        cohort_id: Uuid,
        approval: &CohortApproval,
        now: DateTime<Utc>,
    ) -> StoreResult<Proposal> {
        let mut tx = self.begin().await?;
        lock_cohort(&mut tx, cohort_id).await?;
        match proposal_approved(&mut tx, cohort_id).await? {
            None => {
                return Err(StoreError::Refused(trellis_core::CoreError::Conflict(
                    "the cohort has no proposal to approve: run matching first".into(),
                )));
            }
            Some(true) => return Err(already_approved()),
            Some(false) => {}
        }
        sqlx::query(
            "UPDATE cohort_proposals SET approved_at = $2, approved_by = $3 WHERE cohort_id = $1",
        )
        .bind(cohort_id)
        .bind(now)
        .bind(approval.approved_by)
        .execute(&mut *tx)
        .await?;
        let pairs: Vec<(Uuid, Uuid)> = sqlx::query_as(
            "SELECT mentee_id, mentor_id FROM cohort_proposal_entries \
             WHERE cohort_id = $1 AND mentor_id IS NOT NULL ORDER BY position",
        )
        .bind(cohort_id)
        .fetch_all(&mut *tx)
        .await?;
        for (mentee_id, mentor_id) in pairs {
            let new = NewMentorship {
                mentor_id,
                mentee_id,
                message: approval.message.clone(),
                goals: String::new(),
                object_url: None,
                received: None,
                decline_when_full: false,
                decline_with: None,
            };
            // A savepoint per pair: a refused pair leaves no trace and the
            // transaction goes on with the next.
            let mut pair = sqlx::Acquire::begin(&mut *tx).await?;
            let outcome = match insert_request(&mut pair, &new, now).await {
                Ok(mentorship_id) => {
                    notify(
                        &mut pair,
                        mentee_id,
                        "cohort_request_sent",
                        Some(mentorship_id),
                        None,
                        now,
                    )
                    .await?;
                    pair.commit().await?;
                    RequestOutcome::Requested(mentorship_id)
                }
                Err(StoreError::Refused(rule)) => {
                    pair.rollback().await?;
                    RequestOutcome::Failed(rule.to_string())
                }
                Err(StoreError::Conflict(_)) => {
                    pair.rollback().await?;
                    RequestOutcome::Failed(
                        "the two have an open request or mentorship already".into(),
                    )
                }
                Err(other) => return Err(other),
            };
            let (mentorship_id, failure) = match outcome {
                RequestOutcome::Requested(id) => (Some(id), None),
                RequestOutcome::Failed(why) => (None, Some(why)),
            };
            sqlx::query(
                "UPDATE cohort_proposal_entries SET mentorship_id = $3, failure = $4 \
                 WHERE cohort_id = $1 AND mentee_id = $2",
            )
            .bind(cohort_id)
            .bind(mentee_id)
            .bind(mentorship_id)
            .bind(failure)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.proposal(cohort_id).await?.ok_or(StoreError::NotFound)
    }

    /// The accounts these handles name, where they exist: `(username,
    /// None)` is a member of this instance, `(username, Some(domain))` a
    /// cached member of another instance.
    pub async fn accounts_by_handle(
        &self,
        handles: &[(Username, Option<String>)],
    ) -> StoreResult<Vec<PartyRecord>> {
        let mut found = Vec::new();
        for chunk in handles.chunks(CHUNK) {
            let mut query =
                QueryBuilder::<Db>::new("SELECT id, username, domain FROM accounts WHERE FALSE");
            for (username, domain) in chunk {
                query
                    .push(" OR (username = ")
                    .push_bind(username.as_str().to_owned());
                match domain {
                    Some(domain) => query.push(" AND domain = ").push_bind(domain.clone()),
                    None => query.push(" AND domain IS NULL"),
                };
                query.push(")");
            }
            let rows: Vec<PartyRow> = query.build_query_as().fetch_all(&self.pool).await?;
            for row in rows {
                found.push(PartyRecord::try_from(row)?);
            }
        }
        Ok(found)
    }

    /// These members' profiles, in the order asked (missing ones are left
    /// out).
    pub async fn profiles(&self, account_ids: &[Uuid]) -> StoreResult<Vec<ProfileRecord>> {
        let mut found = Vec::with_capacity(account_ids.len());
        for chunk in account_ids.chunks(CHUNK) {
            let mut query = QueryBuilder::<Db>::new(format!(
                "SELECT {PROFILE_COLUMNS} FROM profiles p JOIN accounts a ON a.id = p.account_id \
                 WHERE p.account_id IN ("
            ));
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            query.push(")");
            let rows: Vec<ProfileRow> = query.build_query_as().fetch_all(&self.pool).await?;
            found.extend(
                self.assemble_profiles(rows)
                    .await?
                    .into_iter()
                    .map(|r| (r.account_id, r)),
            );
        }
        let mut found: std::collections::HashMap<Uuid, ProfileRecord> = found.into_iter().collect();
        Ok(account_ids
            .iter()
            .filter_map(|id| found.remove(id))
            .collect())
    }

    /// Of these mentees, who has an open request or mentorship (requested,
    /// active or paused) with whom: (mentor id, mentee id) pairs.
    pub async fn open_pairs_of(
        &self,
        mentee_ids: &[Uuid],
    ) -> StoreResult<std::collections::HashSet<(Uuid, Uuid)>> {
        let mut pairs = std::collections::HashSet::new();
        for chunk in mentee_ids.chunks(CHUNK) {
            let mut query = QueryBuilder::<Db>::new(
                "SELECT mentor_id, mentee_id FROM mentorships \
                 WHERE state IN ('requested', 'active', 'paused') AND mentee_id IN (",
            );
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            query.push(")");
            let rows: Vec<(Uuid, Uuid)> = query.build_query_as().fetch_all(&self.pool).await?;
            pairs.extend(rows);
        }
        Ok(pairs)
    }
}
