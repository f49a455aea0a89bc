// Career tracks, induction cycles, nominations and their append-only
// decision log, and the ranks members were inducted into.
// Included as a module of each backend.

use chrono::{DateTime, Utc};
use trellis_core::account::Username;
use uuid::Uuid;

use super::common::{conflict, position, refused};
use super::profiles::is_local;
use super::recognition::insert_credential;
use super::{Backend, Conn, Db};
use crate::error::{StoreError, StoreResult};
use crate::model::{
    AchievementContent, CredentialContent, CredentialKind, CycleRecord, DecisionOutcome, Induction,
    NewDecision, NewNomination, NominationRecord, PartyRecord, Track,
};

fn index_of(position: i32) -> usize {
    usize::try_from(position).unwrap_or(usize::MAX)
}

fn party_record(id: Uuid, username: &str, domain: Option<String>) -> StoreResult<PartyRecord> {
    Ok(PartyRecord {
        account_id: id,
        username: Username::parse(username)?,
        domain,
        actor_url: None,
    })
}

async fn load_track(conn: &mut Conn, id: Uuid) -> StoreResult<Track> {
    let (name, description, created_at): (String, String, DateTime<Utc>) =
        sqlx::query_as("SELECT name, description, created_at FROM career_tracks WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    let ranks: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, description FROM track_ranks WHERE track_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let ranks = ranks
        .into_iter()
        .map(|(name, description)| trellis_core::track::Rank { name, description })
        .collect();
    Ok(Track {
        id,
        track: trellis_core::track::CareerTrack {
            name,
            description,
            ranks,
        },
        created_at,
    })
}

async fn load_cycle(conn: &mut Conn, id: Uuid) -> StoreResult<CycleRecord> {
    type Head = (
        Uuid,
        String,
        chrono::NaiveDate,
        chrono::NaiveDate,
        DateTime<Utc>,
    );
    let (track_id, name, opens, closes, created_at): Head = sqlx::query_as(
        "SELECT track_id, name, opens, closes, created_at FROM induction_cycles WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let stages: Vec<(String,)> =
        sqlx::query_as("SELECT name FROM cycle_stages WHERE cycle_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let mut stages: Vec<trellis_core::track::Stage> = stages
        .into_iter()
        .map(|(name,)| trellis_core::track::Stage {
            name,
            committee: Vec::new(),
        })
        .collect();
    let seats: Vec<(i32, Uuid, String, Option<String>)> = sqlx::query_as(
        "SELECT c.position, a.id, a.username, a.domain FROM stage_committees c \
         JOIN accounts a ON a.id = c.account_id WHERE c.cycle_id = $1 \
         ORDER BY c.position, c.seat",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut members: Vec<PartyRecord> = Vec::new();
    for (stage, account_id, username, domain) in seats {
        let stage = stages
            .get_mut(index_of(stage))
            .ok_or_else(|| trellis_core::CoreError::invalid("committee", "names no stage"))?;
        stage.committee.push(account_id);
        if !members.iter().any(|m| m.account_id == account_id) {
            members.push(party_record(account_id, &username, domain)?);
        }
    }
    Ok(CycleRecord {
        id,
        track_id,
        cycle: trellis_core::track::Cycle {
            name,
            opens,
            closes,
            stages,
        },
        members,
        created_at,
    })
}

async fn load_nomination(conn: &mut Conn, id: Uuid) -> StoreResult<NominationRecord> {
    use trellis_core::track::{Decision, EvidenceRef, LogEntry, Nomination, Rationale, replay};
    type Head = (
        Uuid,
        Uuid,
        Uuid,
        String,
        Option<Uuid>,
        Option<String>,
        String,
        String,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        DateTime<Utc>,
        DateTime<Utc>,
    );
    let head: Head = sqlx::query_as(
        "SELECT n.cycle_id, c.track_id, n.nominee_id, na.username, n.sponsor_id, sa.username, \
           n.target_rank, n.statement, n.accepted_at, n.withdrawn_at, n.created_at, n.updated_at \
         FROM nominations n JOIN induction_cycles c ON c.id = n.cycle_id \
           JOIN accounts na ON na.id = n.nominee_id \
           LEFT JOIN accounts sa ON sa.id = n.sponsor_id \
         WHERE n.id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let (cycle_id, track_id, nominee_id, nominee_name, sponsor_id, sponsor_name, target_rank) =
        (head.0, head.1, head.2, head.3, head.4, head.5, head.6);
    let evidence: Vec<(String, String)> = sqlx::query_as(
        "SELECT kind, item FROM nomination_evidence WHERE nomination_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let evidence = evidence
        .iter()
        .map(|(kind, item)| EvidenceRef::parse(kind, item))
        .collect::<Result<_, _>>()?;
    let entries: Vec<(i32, Uuid, String, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT stage, decider_id, decision, rationale, decided_at FROM nomination_decisions \
         WHERE nomination_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut log = Vec::with_capacity(entries.len());
    for (stage, decider, decision, rationale, at) in entries {
        log.push(LogEntry {
            stage: index_of(stage),
            decider,
            decision: Decision::parse(&decision)?,
            rationale: Rationale::parse(&rationale)?,
            at,
        });
    }
    let nomination = Nomination {
        nominee: nominee_id,
        sponsor: sponsor_id,
        target_rank,
        statement: head.7,
        evidence,
    };
    let cycle = load_cycle(conn, cycle_id).await?;
    let state = replay(&cycle.cycle.stages, &nomination, &log)?;
    let sponsor = match (sponsor_id, sponsor_name) {
        (Some(id), Some(name)) => Some(party_record(id, &name, None)?),
        _ => None,
    };
    Ok(NominationRecord {
        id,
        cycle_id,
        track_id,
        nominee: party_record(nominee_id, &nominee_name, None)?,
        sponsor,
        nomination,
        state,
        log,
        accepted_at: head.8,
        withdrawn_at: head.9,
        created_at: head.10,
        updated_at: head.11,
    })
}

/// Locks a nomination for the rest of the transaction (touching its row),
/// so that decisions and changes on it happen one after the other.
async fn lock_nomination(
    tx: &mut sqlx::Transaction<'_, Db>,
    id: Uuid,
) -> StoreResult<NominationRecord> {
    let done = sqlx::query("UPDATE nominations SET updated_at = updated_at WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    load_nomination(tx, id).await
}

/// Maps a uniqueness refusal of the database to `message`, as a conflict.
fn unique_means(message: impl Into<String>) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match StoreError::from(e) {
        StoreError::Conflict(_) => conflict(message),
        other => other,
    }
}

/// Runs `sql` (which selects ids) on a connection from the pool, with the
/// given binds, and loads each id with `load`, in order.
macro_rules! load_each {
    ($pool:expr, $load:ident, $sql:expr $(, $bind:expr)* $(,)?) => {{
        let mut conn = $pool.acquire().await?;
        let ids: Vec<(Uuid,)> = sqlx::query_as($sql)
            $(.bind($bind))*
            .fetch_all(&mut *conn)
            .await?;
        let mut loaded = Vec::with_capacity(ids.len());
        for (id,) in ids {
            loaded.push($load(&mut conn, id).await?);
        }
        loaded
    }};
}

/// Tells a local member something about a nomination.
async fn notify_nomination(
    tx: &mut sqlx::Transaction<'_, Db>,
    account_id: Uuid,
    kind: &str,
    nomination_id: Uuid,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO notifications (id, account_id, kind, nomination_id, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(Uuid::now_v7())
    .bind(account_id)
    .bind(kind)
    .bind(nomination_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Tells the members who may decide at `stage` that the nomination waits
/// for them.
async fn notify_deciders(
    tx: &mut sqlx::Transaction<'_, Db>,
    cycle: &CycleRecord,
    nomination_id: Uuid,
    nomination: &trellis_core::track::Nomination,
    stage: usize,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    if let Some(stage) = cycle.cycle.stages.get(stage) {
        for member in trellis_core::track::eligible_deciders(stage, nomination) {
            notify_nomination(tx, member, "nomination_awaits_you", nomination_id, now).await?;
        }
    }
    Ok(())
}

/// Checks that every piece of evidence is an item of `nominee`'s file:
/// a session or a completed review of one of their mentorships, one of
/// their mentorships, or a version of their career plan.
async fn check_evidence(
    conn: &mut Conn,
    nominee: Uuid,
    evidence: &[trellis_core::track::EvidenceRef],
) -> StoreResult<()> {
    use trellis_core::track::EvidenceKind;
    const PARTY: &str = "(m.mentor_id = $2 OR m.mentee_id = $2)";
    for (i, e) in evidence.iter().enumerate() {
        let found: Option<(i32,)> = match (e.kind, e.version()) {
            (EvidenceKind::Plan, Some(version)) => {
                sqlx::query_as(
                    "SELECT 1 FROM career_plan_versions WHERE version = $1 AND account_id = $2",
                )
                .bind(i32::try_from(version).unwrap_or(i32::MAX))
                .bind(nominee)
                .fetch_optional(&mut *conn)
                .await?
            }
            (EvidenceKind::Session | EvidenceKind::Review | EvidenceKind::Mentorship, _) => {
                let sql = match e.kind {
                    EvidenceKind::Session => format!(
                        "SELECT 1 FROM sessions s JOIN mentorships m ON m.id = s.mentorship_id \
                         WHERE s.id = $1 AND {PARTY}"
                    ),
                    EvidenceKind::Review => format!(
                        "SELECT 1 FROM skill_reviews r JOIN mentorships m ON m.id = r.mentorship_id \
                         WHERE r.id = $1 AND r.state = 'completed' AND {PARTY}"
                    ),
                    _ => format!("SELECT 1 FROM mentorships m WHERE m.id = $1 AND {PARTY}"),
                };
                sqlx::query_as(&sql)
                    .bind(e.id)
                    .bind(nominee)
                    .fetch_optional(&mut *conn)
                    .await?
            }
            (EvidenceKind::Credential | EvidenceKind::Plan, _) => {
                return Err(refused(trellis_core::CoreError::invalid(
                    format!("evidence[{i}]"),
                    "this instance keeps no credentials in the file to offer as evidence",
                )));
            }
        };
        if found.is_none() {
            let what = match e.kind {
                EvidenceKind::Review => "completed review",
                EvidenceKind::Plan => "plan version",
                other => other.as_str(),
            };
            return Err(refused(trellis_core::CoreError::invalid(
                format!("evidence[{i}]"),
                format_args!("the nominee's file has no {what} {}", e.item()),
            )));
        }
    }
    Ok(())
}

async fn write_evidence(
    tx: &mut sqlx::Transaction<'_, Db>,
    nomination_id: Uuid,
    evidence: &[trellis_core::track::EvidenceRef],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM nomination_evidence WHERE nomination_id = $1")
        .bind(nomination_id)
        .execute(&mut **tx)
        .await?;
    for (i, e) in evidence.iter().enumerate() {
        sqlx::query(
            "INSERT INTO nomination_evidence (nomination_id, position, kind, item) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(nomination_id)
        .bind(position(i))
        .bind(e.kind.as_str())
        .bind(e.item())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The highest rank `account_id` holds in `track`, if any.
async fn held_rank(
    conn: &mut Conn,
    account_id: Uuid,
    track: &Track,
) -> StoreResult<Option<String>> {
    let held: Option<(i32,)> = sqlx::query_as(
        "SELECT MAX(rank_position) FROM inductions WHERE account_id = $1 AND track_id = $2 \
         HAVING COUNT(*) > 0",
    )
    .bind(account_id)
    .bind(track.id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(held.and_then(|(p,)| track.track.ranks.get(index_of(p)).map(|r| r.name.clone())))
}

const INDUCTION_SELECT: &str = "SELECT i.id, i.account_id, i.track_id, t.name, r.name, \
       i.rank_position, i.cycle_id, c.name, i.nomination_id, i.inducted_at \
     FROM inductions i JOIN career_tracks t ON t.id = i.track_id \
       JOIN track_ranks r ON r.track_id = i.track_id AND r.position = i.rank_position \
       JOIN induction_cycles c ON c.id = i.cycle_id";

type InductionRow = (
    Uuid,
    Uuid,
    Uuid,
    String,
    String,
    i32,
    Uuid,
    String,
    Uuid,
    DateTime<Utc>,
);

fn induction_of(row: InductionRow) -> Induction {
    Induction {
        id: row.0,
        account_id: row.1,
        track_id: row.2,
        track_name: row.3,
        rank: row.4,
        rank_position: u32::try_from(row.5).unwrap_or(0),
        cycle_id: row.6,
        cycle_name: row.7,
        nomination_id: row.8,
        inducted_at: row.9,
    }
}

async fn load_induction(conn: &mut Conn, id: Uuid) -> StoreResult<Induction> {
    let row: InductionRow = sqlx::query_as(&format!("{INDUCTION_SELECT} WHERE i.id = $1"))
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(induction_of(row))
}

impl Backend {
    /// Creates a track with its ranks (checked and trimmed by core); a name
    /// taken by another track, whatever its case, is a conflict.
    pub async fn create_track(
        &self,
        track: &trellis_core::track::CareerTrack,
        created_by: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Track> {
        let track = track.clone().normalize().map_err(refused)?;
        let id = Uuid::now_v7();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO career_tracks (id, name, description, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(&track.name)
        .bind(&track.description)
        .bind(created_by)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(unique_means(format!(
            "a track is called {:?} already",
            track.name
        )))?;
        for (i, rank) in track.ranks.iter().enumerate() {
            sqlx::query(
                "INSERT INTO track_ranks (track_id, position, name, description) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(position(i))
            .bind(&rank.name)
            .bind(&rank.description)
            .execute(&mut *tx)
            .await?;
        }
        let kept = load_track(&mut tx, id).await?;
        tx.commit().await?;
        Ok(kept)
    }

    /// Every track, by name.
    pub async fn tracks(&self) -> StoreResult<Vec<Track>> {
        Ok(load_each!(
            self.pool,
            load_track,
            "SELECT id FROM career_tracks ORDER BY lower(name)"
        ))
    }

    pub async fn track(&self, id: Uuid) -> StoreResult<Track> {
        let mut conn = self.pool.acquire().await?;
        load_track(&mut conn, id).await
    }

    /// Creates a cycle of a track with its stages and committees (checked
    /// and trimmed by core). Committee members must be members of this
    /// instance; a cycle name the track uses already is a conflict.
    pub async fn create_cycle(
        &self,
        track_id: Uuid,
        cycle: &trellis_core::track::Cycle,
        created_by: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<CycleRecord> {
        let cycle = cycle.clone().normalize().map_err(refused)?;
        let mut tx = self.begin().await?;
        load_track(&mut tx, track_id).await?;
        for (s, stage) in cycle.stages.iter().enumerate() {
            for member in &stage.committee {
                if !is_local(&mut tx, *member).await? {
                    return Err(refused(trellis_core::CoreError::invalid(
                        format!("stages[{s}].committee"),
                        "committee members must be members of this instance",
                    )));
                }
            }
        }
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO induction_cycles (id, track_id, name, opens, closes, created_by, \
               created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(track_id)
        .bind(&cycle.name)
        .bind(cycle.opens)
        .bind(cycle.closes)
        .bind(created_by)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(unique_means(format!(
            "the track has a cycle called {:?} already",
            cycle.name
        )))?;
        for (s, stage) in cycle.stages.iter().enumerate() {
            sqlx::query("INSERT INTO cycle_stages (cycle_id, position, name) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(position(s))
                .bind(&stage.name)
                .execute(&mut *tx)
                .await?;
            for (seat, member) in stage.committee.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO stage_committees (cycle_id, position, account_id, seat) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(position(s))
                .bind(member)
                .bind(position(seat))
                .execute(&mut *tx)
                .await?;
            }
        }
        let kept = load_cycle(&mut tx, id).await?;
        tx.commit().await?;
        Ok(kept)
    }

    pub async fn cycle(&self, id: Uuid) -> StoreResult<CycleRecord> {
        let mut conn = self.pool.acquire().await?;
        load_cycle(&mut conn, id).await
    }

    /// Cycles, newest opening first: of one track, or (without a track)
    /// those of every track taking nominations on `open_on`.
    pub async fn cycles(
        &self,
        track_id: Option<Uuid>,
        open_on: Option<chrono::NaiveDate>,
    ) -> StoreResult<Vec<CycleRecord>> {
        Ok(load_each!(
            self.pool,
            load_cycle,
            "SELECT id FROM induction_cycles WHERE ($1 IS NULL OR track_id = $1) \
               AND ($2 IS NULL OR (opens <= $2 AND closes >= $2)) \
             ORDER BY opens DESC, id",
            track_id,
            open_on,
        ))
    }

    /// Submits a nomination to a cycle taking nominations: the rules of
    /// core (`Nomination::normalize`, `check_submitter`, `check_step` against
    /// the rank the nominee holds), both parties members of this instance,
    /// and the evidence items of the nominee's file. A sponsor names no
    /// evidence: the nominee picks it (`set_evidence`). One nomination per
    /// member and cycle (a conflict otherwise).
    pub async fn nominate(
        &self,
        new: &NewNomination,
        now: DateTime<Utc>,
    ) -> StoreResult<NominationRecord> {
        let mut tx = self.begin().await?;
        let cycle = load_cycle(&mut tx, new.cycle_id).await?;
        let track = load_track(&mut tx, cycle.track_id).await?;
        let nomination = new
            .nomination
            .clone()
            .normalize(&track.track)
            .map_err(refused)?;
        nomination
            .check_submitter(new.submitted_by)
            .map_err(refused)?;
        for (field, member) in [
            ("nominee", Some(nomination.nominee)),
            ("sponsor", nomination.sponsor),
        ] {
            if let Some(member) = member
                && !is_local(&mut tx, member).await?
            {
                return Err(refused(trellis_core::CoreError::invalid(
                    field,
                    "must be a member of this instance",
                )));
            }
        }
        cycle
            .cycle
            .check_taking_nominations(now.date_naive())
            .map_err(refused)?;
        let held = held_rank(&mut tx, nomination.nominee, &track).await?;
        track
            .track
            .check_step(held.as_deref(), &nomination.target_rank)
            .map_err(refused)?;
        if let Some((s, stage)) = cycle.cycle.stages.iter().enumerate().find(|(_, stage)| {
            trellis_core::track::eligible_deciders(stage, &nomination).is_empty()
        }) {
            return Err(conflict(format!(
                "stage {} ({}) would have no one to decide: its whole committee must recuse \
                 itself from this nomination",
                s + 1,
                stage.name
            )));
        }
        if nomination.sponsor.is_some() && !nomination.evidence.is_empty() {
            return Err(refused(trellis_core::CoreError::invalid(
                "evidence",
                "the nominee picks the evidence of a sponsored nomination from their own file",
            )));
        }
        check_evidence(&mut tx, nomination.nominee, &nomination.evidence).await?;
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO nominations (id, cycle_id, nominee_id, sponsor_id, target_rank, \
               statement, accepted_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(id)
        .bind(new.cycle_id)
        .bind(nomination.nominee)
        .bind(nomination.sponsor)
        .bind(&nomination.target_rank)
        .bind(&nomination.statement)
        .bind(nomination.sponsor.is_none().then_some(now))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(unique_means(
            "the member is nominated in this cycle already",
        ))?;
        write_evidence(&mut tx, id, &nomination.evidence).await?;
        match nomination.sponsor {
            Some(_) => {
                notify_nomination(&mut tx, nomination.nominee, "nomination_received", id, now)
                    .await?;
            }
            None => notify_deciders(&mut tx, &cycle, id, &nomination, 0, now).await?,
        }
        let kept = load_nomination(&mut tx, id).await?;
        tx.commit().await?;
        Ok(kept)
    }

    /// Replaces the evidence of a nomination, by its nominee, before any
    /// stage decided; this also accepts a sponsored nomination.
    pub async fn set_evidence(
        &self,
        nomination_id: Uuid,
        actor_id: Uuid,
        evidence: &[trellis_core::track::EvidenceRef],
        now: DateTime<Utc>,
    ) -> StoreResult<NominationRecord> {
        let mut tx = self.begin().await?;
        let record = lock_nomination(&mut tx, nomination_id).await?;
        if actor_id != record.nomination.nominee {
            return Err(refused(trellis_core::CoreError::Forbidden(
                "only the nominee picks evidence from their file".into(),
            )));
        }
        check_open(&record)?;
        if !record.log.is_empty() {
            return Err(conflict(
                "the evidence is settled once a stage has decided on the nomination",
            ));
        }
        let track = load_track(&mut tx, record.track_id).await?;
        let mut nomination = record.nomination.clone();
        nomination.evidence = evidence.to_vec();
        let nomination = nomination.normalize(&track.track).map_err(refused)?;
        check_evidence(&mut tx, nomination.nominee, &nomination.evidence).await?;
        write_evidence(&mut tx, nomination_id, &nomination.evidence).await?;
        if record.accepted_at.is_none() {
            let cycle = load_cycle(&mut tx, record.cycle_id).await?;
            notify_deciders(&mut tx, &cycle, nomination_id, &nomination, 0, now).await?;
        }
        sqlx::query(
            "UPDATE nominations SET accepted_at = COALESCE(accepted_at, $2), updated_at = $2 \
             WHERE id = $1",
        )
        .bind(nomination_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let kept = load_nomination(&mut tx, nomination_id).await?;
        tx.commit().await?;
        Ok(kept)
    }

    /// Withdraws a nomination, by its nominee, while no stage has closed it.
    pub async fn withdraw_nomination(
        &self,
        nomination_id: Uuid,
        actor_id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<NominationRecord> {
        let mut tx = self.begin().await?;
        let record = lock_nomination(&mut tx, nomination_id).await?;
        if actor_id != record.nomination.nominee {
            return Err(refused(trellis_core::CoreError::Forbidden(
                "only the nominee withdraws a nomination".into(),
            )));
        }
        check_open(&record)?;
        sqlx::query("UPDATE nominations SET withdrawn_at = $2, updated_at = $2 WHERE id = $1")
            .bind(nomination_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        if let Some(sponsor) = record.nomination.sponsor {
            notify_nomination(&mut tx, sponsor, "nomination_withdrawn", nomination_id, now).await?;
        }
        let kept = load_nomination(&mut tx, nomination_id).await?;
        tx.commit().await?;
        Ok(kept)
    }

    pub async fn nomination(&self, id: Uuid) -> StoreResult<NominationRecord> {
        let mut conn = self.pool.acquire().await?;
        load_nomination(&mut conn, id).await
    }

    /// Nominations newest first: of one cycle, or (with a member) those the
    /// member is the nominee or sponsor of, or sits on a committee for.
    pub async fn nominations(
        &self,
        cycle_id: Option<Uuid>,
        member: Option<Uuid>,
    ) -> StoreResult<Vec<NominationRecord>> {
        Ok(load_each!(
            self.pool,
            load_nomination,
            "SELECT n.id FROM nominations n WHERE ($1 IS NULL OR n.cycle_id = $1) \
               AND ($2 IS NULL OR n.nominee_id = $2 OR n.sponsor_id = $2 OR EXISTS \
                 (SELECT 1 FROM stage_committees c WHERE c.cycle_id = n.cycle_id \
                    AND c.account_id = $2)) \
             ORDER BY n.created_at DESC, n.id DESC",
            cycle_id,
            member,
        ))
    }

    /// Records a stage decision: under the nomination's lock, the log is
    /// read again and the decision checked against it by core (`record`:
    /// recusal, the current stage's committee, a closed nomination), and it
    /// must be for the stage the nomination is at. The entry takes the next
    /// position of the log, so that a decision made on a log another has
    /// grown since cannot be appended too. The last stage's approval
    /// inducts the nominee into the rank, and the induction is returned.
    pub async fn record_decision(
        &self,
        new: &NewDecision,
        now: DateTime<Utc>,
    ) -> StoreResult<DecisionOutcome> {
        use trellis_core::track::{NominationState, record};
        let mut tx = self.begin().await?;
        let current = lock_nomination(&mut tx, new.nomination_id).await?;
        check_open(&current)?;
        if current.accepted_at.is_none() {
            return Err(conflict(
                "the nominee has not accepted the nomination by picking its evidence yet",
            ));
        }
        let cycle = load_cycle(&mut tx, current.cycle_id).await?;
        let stages = &cycle.cycle.stages;
        let (entry, next) = record(
            stages,
            &current.nomination,
            &current.log,
            new.decider,
            new.decision.clone(),
            now,
        )
        .map_err(refused)?;
        if entry.stage != new.stage {
            let label = |i: usize| {
                stages.get(i).map_or_else(
                    || format!("stage {}", i.saturating_add(1)),
                    |s| format!("stage {} ({})", i + 1, s.name),
                )
            };
            return Err(conflict(format!(
                "the nomination is at {}, not at {}",
                label(entry.stage),
                label(new.stage)
            )));
        }
        sqlx::query(
            "INSERT INTO nomination_decisions (nomination_id, position, stage, decider_id, \
               decision, rationale, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new.nomination_id)
        .bind(position(current.log.len()))
        .bind(position(entry.stage))
        .bind(entry.decider)
        .bind(entry.decision.as_str())
        .bind(entry.rationale.as_str())
        .bind(entry.at)
        .execute(&mut *tx)
        .await
        .map_err(unique_means(
            "another decision was recorded on this nomination at the same time: read it again",
        ))?;
        sqlx::query("UPDATE nominations SET updated_at = $2 WHERE id = $1")
            .bind(new.nomination_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let kind = match (entry.decision, next) {
            (_, NominationState::Inducted) => "nomination_inducted",
            (trellis_core::track::Decision::Advance, _) => "nomination_advanced",
            (trellis_core::track::Decision::Defer, _) => "nomination_deferred",
            (trellis_core::track::Decision::Reject, _) => "nomination_rejected",
        };
        let told = [Some(current.nomination.nominee), current.nomination.sponsor];
        for member in told.into_iter().flatten() {
            notify_nomination(&mut tx, member, kind, new.nomination_id, now).await?;
        }
        if let NominationState::InStage { stage } = next
            && stage != entry.stage
        {
            notify_deciders(
                &mut tx,
                &cycle,
                new.nomination_id,
                &current.nomination,
                stage,
                now,
            )
            .await?;
        }
        let induction = if next == NominationState::Inducted {
            let track = load_track(&mut tx, current.track_id).await?;
            let rank = track
                .track
                .rank_index(&current.nomination.target_rank)
                .ok_or_else(|| {
                    trellis_core::CoreError::invalid("target_rank", "is not a rank of the track")
                })?;
            let id = Uuid::now_v7();
            sqlx::query(
                "INSERT INTO inductions (id, account_id, track_id, rank_position, cycle_id, \
                   nomination_id, inducted_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(current.nomination.nominee)
            .bind(current.track_id)
            .bind(position(rank))
            .bind(current.cycle_id)
            .bind(new.nomination_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let induction = load_induction(&mut tx, id).await?;
            // The rank as a credential, signed with the induction.
            if let Some(signer) = self.installed_signer() {
                insert_credential(
                    &mut tx,
                    &*signer,
                    CredentialKind::Induction,
                    induction.account_id,
                    &induction_content(&induction),
                    now,
                )
                .await?;
            }
            Some(induction)
        } else {
            None
        };
        let nomination = load_nomination(&mut tx, new.nomination_id).await?;
        tx.commit().await?;
        Ok(DecisionOutcome {
            nomination,
            induction,
        })
    }

    /// A member's inductions, oldest first: the ranks they hold.
    pub async fn inductions_of(&self, account_id: Uuid) -> StoreResult<Vec<Induction>> {
        let rows: Vec<InductionRow> = sqlx::query_as(&format!(
            "{INDUCTION_SELECT} WHERE i.account_id = $1 ORDER BY i.inducted_at, i.id"
        ))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(induction_of).collect())
    }

    /// One induction, by id.
    pub async fn induction(&self, id: Uuid) -> StoreResult<Induction> {
        let mut conn = self.pool.acquire().await?;
        load_induction(&mut conn, id).await
    }

    /// Runs one SQL statement as it is, for tests that prove what the
    /// database itself refuses; how many rows it changed.
    #[cfg(feature = "testing")]
    pub async fn execute_unchecked(&self, sql: &str) -> StoreResult<u64> {
        Ok(sqlx::query(sql).execute(&self.pool).await?.rows_affected())
    }
}

/// Refuses changes to a nomination that was withdrawn or decided.
fn check_open(record: &NominationRecord) -> StoreResult<()> {
    use trellis_core::track::NominationState;
    if record.withdrawn_at.is_some() {
        return Err(conflict("the nominee withdrew the nomination"));
    }
    match record.state {
        NominationState::InStage { .. } => Ok(()),
        NominationState::Rejected { .. } => {
            Err(conflict("the nomination is closed: it was rejected"))
        }
        NominationState::Inducted => Err(conflict(
            "the nomination is closed: the nominee was inducted",
        )),
    }
}

/// What an induction's credential says.
fn induction_content(induction: &Induction) -> CredentialContent {
    CredentialContent {
        name: format!("{} — {}", induction.rank, induction.track_name),
        achievement: AchievementContent {
            key: format!(
                "tracks/{}/ranks/{}",
                induction.track_id, induction.rank_position
            ),
            name: induction.rank.clone(),
            description: format!(
                "The rank {} of the career track {}.",
                induction.rank, induction.track_name
            ),
            criteria_narrative: format!(
                "Nominated with evidence from the member's long-term file and approved at \
                 every stage of the induction cycle {} by its committees; the nominee and \
                 their sponsor took no part in the decisions.",
                induction.cycle_name
            ),
            alignment: Vec::new(),
            achievement_type: Some("ext:CareerTrackRank".into()),
        },
        subject_extra: serde_json::Map::new(),
        evidence: Vec::new(),
        valid_until: None,
    }
}
