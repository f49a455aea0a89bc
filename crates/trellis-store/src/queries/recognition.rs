// Recognition: credentials (signed as they are issued), participation
// facts from the long-term file, achievements and their awards.
// Included as a module of each backend.

use chrono::{DateTime, Utc};
use trellis_core::account::Username;
use trellis_core::mentorship::MentorshipState;
use uuid::Uuid;

use super::common::notify;
use super::{Backend, Conn, Db};
use crate::error::{StoreError, StoreResult};
use crate::model::{
    Achievement, Award, Credential, CredentialContent, CredentialKind, CredentialSigner, HandAward,
    UnsignedCredential,
};
use crate::rows::json_value;
use crate::rows::recognition::{
    ACHIEVEMENT_COLUMNS, AWARD_COLUMNS, AchievementRow, AwardRow, CREDENTIAL_COLUMNS, CredentialRow,
};

impl Backend {
    /// Installs the signer every credential is signed with, for this store
    /// and all its clones.
    pub fn set_credential_signer(&self, signer: std::sync::Arc<dyn CredentialSigner>) {
        let mut slot = self
            .signer
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *slot = Some(signer);
    }

    /// The signer, if one is installed (always, in a running instance;
    /// store tests may run without).
    pub(super) fn installed_signer(&self) -> Option<std::sync::Arc<dyn CredentialSigner>> {
        self.signer
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn signer(&self) -> StoreResult<std::sync::Arc<dyn CredentialSigner>> {
        self.signer
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .ok_or_else(|| StoreError::Signing("no credential signer is installed".into()))
    }
}

/// Rows read into the domain's types; the first that breaks a rule is the error.
fn read_rows<R, T: TryFrom<R, Error = trellis_core::CoreError>>(
    rows: Vec<R>,
) -> StoreResult<Vec<T>> {
    Ok(rows
        .into_iter()
        .map(T::try_from)
        .collect::<Result<_, _>>()?)
}

/// Issues a credential inside `tx`: takes the next status list index,
/// signs, stores. Returns its id.
pub(super) async fn insert_credential(
    tx: &mut sqlx::Transaction<'_, Db>,
    signer: &dyn CredentialSigner,
    kind: CredentialKind,
    subject_id: Uuid,
    content: &CredentialContent,
    now: DateTime<Utc>,
) -> StoreResult<Uuid> {
    // Taking the index locks the counter row until the transaction ends,
    // so no two credentials share a bit.
    let (index,): (i64,) = sqlx::query_as(
        "UPDATE credential_status_counter SET next_index = next_index + 1 WHERE id = 1 \
         RETURNING next_index - 1",
    )
    .fetch_one(&mut **tx)
    .await?;
    let (username, actor_url): (String, Option<String>) =
        sqlx::query_as("SELECT username, actor_url FROM accounts WHERE id = $1")
            .bind(subject_id)
            .fetch_one(&mut **tx)
            .await?;
    let (issuer_name,): (String,) =
        sqlx::query_as("SELECT organization_name FROM instance_settings WHERE id = 1")
            .fetch_one(&mut **tx)
            .await?;
    let username = Username::parse(&username)?;
    let id = Uuid::now_v7();
    let jwt = signer
        .sign(&UnsignedCredential {
            id,
            kind,
            status_index: u64::try_from(index).unwrap_or_default(),
            subject_username: &username,
            subject_actor_url: actor_url.as_deref(),
            issuer_name: &issuer_name,
            issued_at: now,
            content,
        })
        .map_err(StoreError::Signing)?;
    sqlx::query(
        "INSERT INTO credentials (id, kind, subject_id, content, jwt, status_index, issued_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(kind.as_str())
    .bind(subject_id)
    .bind(json_value(content)?)
    .bind(jwt)
    .bind(index)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

impl Backend {
    /// Issues (signs and stores) a credential about `subject_id`.
    pub async fn issue_credential(
        &self,
        kind: CredentialKind,
        subject_id: Uuid,
        content: &CredentialContent,
        now: DateTime<Utc>,
    ) -> StoreResult<Credential> {
        let signer = self.signer()?;
        let mut tx = self.begin().await?;
        let id =
            insert_credential(&mut tx, signer.as_ref(), kind, subject_id, content, now).await?;
        tx.commit().await?;
        self.credential(id).await
    }

    pub async fn credential(&self, id: Uuid) -> StoreResult<Credential> {
        let row: CredentialRow = sqlx::query_as(&format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM credentials c WHERE c.id = $1"
        ))
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_into()?)
    }

    /// The newest credential issued for the achievement with this key
    /// (`AchievementContent::key`), if any was.
    pub async fn latest_credential_for(
        &self,
        achievement_key: &str,
    ) -> StoreResult<Option<Credential>> {
        // Narrowed in SQL by the key as the content's JSON spells it,
        // then checked exactly on the parsed content.
        let spelled = json_value(&achievement_key)?
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let rows: Vec<CredentialRow> = sqlx::query_as(&format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM credentials c \
             WHERE c.content LIKE '%\"key\":' || $1 || '%' ESCAPE '\\' \
             ORDER BY c.issued_at DESC, c.id DESC LIMIT 20"
        ))
        .bind(spelled)
        .fetch_all(&self.pool)
        .await?;
        Ok(read_rows::<_, Credential>(rows)?
            .into_iter()
            .find(|c| c.content.achievement.key == achievement_key))
    }

    /// A member's credentials, newest first.
    pub async fn credentials_of(&self, subject_id: Uuid) -> StoreResult<Vec<Credential>> {
        let rows: Vec<CredentialRow> = sqlx::query_as(&format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM credentials c WHERE c.subject_id = $1 \
             ORDER BY c.issued_at DESC, c.id DESC"
        ))
        .bind(subject_id)
        .fetch_all(&self.pool)
        .await?;
        read_rows(rows)
    }

    /// Revokes a credential with a reason, and tells its subject;
    /// revoking again keeps the first time and reason.
    pub async fn revoke_credential(
        &self,
        id: Uuid,
        reason: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Credential> {
        let mut tx = self.begin().await?;
        let revoked: Option<(Uuid,)> = sqlx::query_as(
            "UPDATE credentials SET revoked_at = $2, revoked_reason = $3 \
             WHERE id = $1 AND revoked_at IS NULL RETURNING subject_id",
        )
        .bind(id)
        .bind(now)
        .bind(reason)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((subject_id,)) = revoked {
            notify(&mut tx, subject_id, "credential_revoked", None, None, now).await?;
        }
        tx.commit().await?;
        self.credential(id).await
    }

    /// How many status lists there are (at least one, even when empty).
    pub async fn status_lists(&self, entries_per_list: u64) -> StoreResult<u64> {
        let (next,): (i64,) =
            sqlx::query_as("SELECT next_index FROM credential_status_counter WHERE id = 1")
                .fetch_one(&self.pool)
                .await?;
        let next = u64::try_from(next).unwrap_or_default();
        Ok(next.div_ceil(entries_per_list.max(1)).max(1))
    }

    /// The revoked status indexes in `[from, until)`.
    pub async fn revoked_indexes(&self, from: u64, until: u64) -> StoreResult<Vec<u64>> {
        let bound = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT status_index FROM credentials WHERE revoked_at IS NOT NULL \
             AND status_index >= $1 AND status_index < $2 ORDER BY status_index",
        )
        .bind(bound(from))
        .bind(bound(until))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(i,)| u64::try_from(i).ok())
            .collect())
    }

    /// The dated items of a member's file that participation counts:
    /// sessions, mentorships and completed reviews, each credited to the
    /// organization where it happened. Everything recorded here happened
    /// at this instance, `home`.
    pub async fn participation_facts(
        &self,
        account_id: Uuid,
        home: &str,
    ) -> StoreResult<Vec<trellis_core::recognition::Fact>> {
        let mut conn = self.pool.acquire().await?;
        facts_of(&mut conn, account_id, home).await
    }
}

/// A member's participation facts (see `participation_facts`).
async fn facts_of(
    conn: &mut Conn,
    account_id: Uuid,
    home: &str,
) -> StoreResult<Vec<trellis_core::recognition::Fact>> {
    use trellis_core::mentorship::Party;
    use trellis_core::recognition::{Fact, MentorshipFact, ReviewFact, SessionFact};
    // History recorded here is credited to this instance; history
    // imported when the member moved here, to the one it came from.
    let organization = |origin: Option<String>| origin.unwrap_or_else(|| home.to_owned());
    let role = |mentor_id: Uuid| {
        if mentor_id == account_id {
            Party::Mentor
        } else {
            Party::Mentee
        }
    };
    let mut facts = Vec::new();

    let sessions: Vec<(Uuid, i32, DateTime<Utc>, Option<String>)> = sqlx::query_as(
        "SELECT m.mentor_id, s.duration_minutes, s.held_at, s.origin FROM sessions s \
         JOIN mentorships m ON m.id = s.mentorship_id \
         WHERE m.mentor_id = $1 OR m.mentee_id = $1",
    )
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    for (mentor_id, minutes, held_at, origin) in sessions {
        facts.push(Fact::Session(SessionFact {
            role: role(mentor_id),
            organization: organization(origin),
            minutes: u16::try_from(minutes).unwrap_or(0),
            held_at,
        }));
    }

    type MentorshipFacts = (
        Uuid,
        Uuid,
        String,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        Option<String>,
    );
    let mentorships: Vec<MentorshipFacts> = sqlx::query_as(
        "SELECT m.mentor_id, m.mentee_id, m.state, \
           (SELECT MIN(e.at) FROM mentorship_events e \
              WHERE e.mentorship_id = m.id AND e.state = 'active'), \
           (SELECT MAX(e.at) FROM mentorship_events e \
              WHERE e.mentorship_id = m.id AND e.state IN ('completed', 'ended')), m.origin \
         FROM mentorships m WHERE m.mentor_id = $1 OR m.mentee_id = $1",
    )
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    for (mentor_id, mentee_id, state, started, ended, origin) in mentorships {
        let role = role(mentor_id);
        facts.push(Fact::Mentorship(MentorshipFact {
            role,
            organization: organization(origin),
            counterpart: if role == Party::Mentor {
                mentee_id
            } else {
                mentor_id
            },
            state: MentorshipState::parse(&state)?,
            started: started.map(|t| t.date_naive()),
            ended: ended.map(|t| t.date_naive()),
        }));
    }

    let reviews: Vec<(Option<DateTime<Utc>>, Option<String>)> = sqlx::query_as(
        "SELECT r.completed_at, r.origin FROM skill_reviews r JOIN mentorships m ON m.id = r.mentorship_id \
         WHERE (m.mentor_id = $1 OR m.mentee_id = $1) AND r.state = 'completed'",
    )
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    for (at, origin) in reviews {
        if let Some(at) = at {
            facts.push(Fact::Review(ReviewFact {
                organization: organization(origin),
                at,
            }));
        }
    }
    Ok(facts)
}

/// What an award's credential says.
fn award_content(achievement: &Achievement, reason: &str) -> CredentialContent {
    let d = &achievement.definition;
    let mut subject_extra = serde_json::Map::new();
    if !reason.is_empty() {
        subject_extra.insert("narrative".into(), serde_json::Value::from(reason));
    }
    CredentialContent {
        name: d.name.clone(),
        achievement: crate::model::AchievementContent {
            key: achievement.id.to_string(),
            name: d.name.clone(),
            description: d.description.clone(),
            criteria_narrative: d.criteria_narrative.clone(),
            alignment: d.alignment.clone(),
            achievement_type: Some("Badge".into()),
        },
        subject_extra,
        evidence: Vec::new(),
        valid_until: None,
    }
}

/// Awards `achievement` to `account_id` with its credential, in `tx`,
/// unless the member holds it already (then `None`, and nothing changes).
/// The member is told.
#[allow(clippy::too_many_arguments)]
async fn insert_award(
    tx: &mut sqlx::Transaction<'_, Db>,
    signer: &dyn CredentialSigner,
    achievement: &Achievement,
    account_id: Uuid,
    automatic: bool,
    reason: &str,
    awarded_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> StoreResult<Option<Uuid>> {
    let content = award_content(achievement, reason);
    let credential_id =
        insert_credential(tx, signer, CredentialKind::Award, account_id, &content, now).await?;
    let id = Uuid::now_v7();
    // Waits for a concurrent award of the same achievement, then does nothing.
    let inserted: Option<(Uuid,)> = sqlx::query_as(
        "INSERT INTO awards (id, achievement_id, account_id, automatic, reason, awarded_by, \
           credential_id, awarded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (achievement_id, account_id) DO NOTHING RETURNING id",
    )
    .bind(id)
    .bind(achievement.id)
    .bind(account_id)
    .bind(automatic)
    .bind(reason)
    .bind(awarded_by)
    .bind(credential_id)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    if inserted.is_none() {
        sqlx::query("DELETE FROM credentials WHERE id = $1")
            .bind(credential_id)
            .execute(&mut **tx)
            .await?;
        return Ok(None);
    }
    notify(tx, account_id, "achievement_awarded", None, None, now).await?;
    Ok(Some(id))
}

/// Awards each local member among `account_ids` the automatic
/// achievements whose rule their participation now meets for the first
/// time, in `tx`. Cheap when there is nothing left to earn.
pub(super) async fn award_earned(
    tx: &mut sqlx::Transaction<'_, Db>,
    signer: &std::sync::RwLock<Option<std::sync::Arc<dyn CredentialSigner>>>,
    account_ids: &[Uuid],
    now: DateTime<Utc>,
) -> StoreResult<()> {
    use trellis_core::recognition::{newly_earned, participation};
    for &account_id in account_ids {
        let rows: Vec<AchievementRow> = sqlx::query_as(&format!(
            "SELECT {ACHIEVEMENT_COLUMNS} FROM achievements h \
             WHERE h.retired_at IS NULL AND h.rule_metric IS NOT NULL \
               AND EXISTS (SELECT 1 FROM users u WHERE u.account_id = $1) \
               AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = $1 AND a.moved_to IS NULL) \
               AND NOT EXISTS (SELECT 1 FROM awards w \
                 WHERE w.achievement_id = h.id AND w.account_id = $1) \
             ORDER BY h.created_at, h.id"
        ))
        .bind(account_id)
        .fetch_all(&mut **tx)
        .await?;
        if rows.is_empty() {
            continue;
        }
        let open: Vec<Achievement> = read_rows(rows)?;
        let figures = participation(&facts_of(tx, account_id, "").await?, now).total;
        let rules: Vec<(Uuid, trellis_core::recognition::AwardRule)> = open
            .iter()
            .filter_map(|a| a.definition.rule.map(|r| (a.id, r)))
            .collect();
        let earned = newly_earned(&rules, &std::collections::BTreeSet::new(), &figures);
        if earned.is_empty() {
            continue;
        }
        let signer = signer
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .ok_or_else(|| StoreError::Signing("no credential signer is installed".into()))?;
        for achievement in open.iter().filter(|a| earned.contains(&a.id)) {
            insert_award(
                tx,
                signer.as_ref(),
                achievement,
                account_id,
                true,
                "",
                None,
                now,
            )
            .await?;
        }
    }
    Ok(())
}

/// `award_earned` for both parties of a mentorship.
pub(super) async fn award_earned_in(
    tx: &mut sqlx::Transaction<'_, Db>,
    signer: &std::sync::RwLock<Option<std::sync::Arc<dyn CredentialSigner>>>,
    mentorship_id: Uuid,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let (mentor_id, mentee_id): (Uuid, Uuid) =
        sqlx::query_as("SELECT mentor_id, mentee_id FROM mentorships WHERE id = $1")
            .bind(mentorship_id)
            .fetch_one(&mut **tx)
            .await?;
    award_earned(tx, signer, &[mentor_id, mentee_id], now).await
}

impl Backend {
    /// Awards what members earned by the passing of time: the parties of
    /// sessions held in `(since, now]` (logged ahead of their date, they
    /// did not count when logged). How many members were looked at.
    pub async fn award_earned_by_time(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let parties: Vec<(Uuid,)> = sqlx::query_as(
            "SELECT m.mentor_id FROM sessions s JOIN mentorships m ON m.id = s.mentorship_id \
               WHERE s.held_at > $1 AND s.held_at <= $2 \
             UNION SELECT m.mentee_id FROM sessions s JOIN mentorships m ON m.id = s.mentorship_id \
               WHERE s.held_at > $1 AND s.held_at <= $2",
        )
        .bind(since)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        if parties.is_empty() {
            return Ok(0);
        }
        let parties: Vec<Uuid> = parties.into_iter().map(|(p,)| p).collect();
        let mut tx = self.begin().await?;
        award_earned(&mut tx, &self.signer, &parties, now).await?;
        tx.commit().await?;
        Ok(u64::try_from(parties.len()).unwrap_or(u64::MAX))
    }
}

impl Backend {
    /// Adds an achievement; one with a rule is awarded at once to every
    /// member who already meets it.
    pub async fn create_achievement(
        &self,
        definition: &trellis_core::recognition::AchievementDefinition,
        created_by: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Achievement> {
        let mut tx = self.begin().await?;
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO achievements (id, name, description, criteria_narrative, alignment, \
               rule_metric, rule_at_least, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(&definition.name)
        .bind(&definition.description)
        .bind(&definition.criteria_narrative)
        .bind(json_value(&definition.alignment)?)
        .bind(definition.rule.map(|r| r.metric.as_str()))
        .bind(definition.rule.map(|r| i64::from(r.at_least)))
        .bind(created_by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if definition.rule.is_some() {
            let members: Vec<(Uuid,)> = sqlx::query_as("SELECT account_id FROM users")
                .fetch_all(&mut *tx)
                .await?;
            let members: Vec<Uuid> = members.into_iter().map(|(m,)| m).collect();
            award_earned(&mut tx, &self.signer, &members, now).await?;
        }
        tx.commit().await?;
        self.achievement(id).await
    }

    pub async fn achievement(&self, id: Uuid) -> StoreResult<Achievement> {
        let row: AchievementRow = sqlx::query_as(&format!(
            "SELECT {ACHIEVEMENT_COLUMNS} FROM achievements h WHERE h.id = $1"
        ))
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_into()?)
    }

    /// Every achievement, oldest first; retired ones only if asked.
    pub async fn achievements(&self, include_retired: bool) -> StoreResult<Vec<Achievement>> {
        let rows: Vec<AchievementRow> = sqlx::query_as(&format!(
            "SELECT {ACHIEVEMENT_COLUMNS} FROM achievements h \
             WHERE $1 OR h.retired_at IS NULL ORDER BY h.created_at, h.id"
        ))
        .bind(include_retired)
        .fetch_all(&self.pool)
        .await?;
        read_rows(rows)
    }

    /// Retires an achievement: no longer awarded, by rule or by hand;
    /// awards made stay. Retiring again keeps the first time.
    pub async fn retire_achievement(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Achievement> {
        sqlx::query("UPDATE achievements SET retired_at = $2 WHERE id = $1 AND retired_at IS NULL")
            .bind(id)
            .bind(now)
            .execute(&self.pool)
            .await?;
        self.achievement(id).await
    }

    /// Awards an achievement by hand to a local member, with its
    /// credential. A retired achievement, a member elsewhere or one who
    /// holds it already are refused.
    pub async fn award_by_hand(&self, award: &HandAward, now: DateTime<Utc>) -> StoreResult<Award> {
        let signer = self.signer()?;
        let achievement = self.achievement(award.achievement_id).await?;
        if achievement.retired_at.is_some() {
            return Err(StoreError::Refused(trellis_core::CoreError::Conflict(
                "this achievement is retired and no longer awarded".into(),
            )));
        }
        let mut tx = self.begin().await?;
        let local: Option<(Option<String>,)> = sqlx::query_as(
            "SELECT a.moved_to FROM users u JOIN accounts a ON a.id = u.account_id \
             WHERE u.account_id = $1",
        )
        .bind(award.account_id)
        .fetch_optional(&mut *tx)
        .await?;
        match local {
            None => return Err(StoreError::NotFound),
            Some((Some(moved_to),)) => {
                return Err(StoreError::Refused(trellis_core::CoreError::Conflict(
                    format!("this member moved to {moved_to}: recognition is given there now"),
                )));
            }
            Some((None,)) => {}
        }
        let id = insert_award(
            &mut tx,
            signer.as_ref(),
            &achievement,
            award.account_id,
            false,
            &award.reason,
            Some(award.awarded_by),
            now,
        )
        .await?
        .ok_or_else(|| {
            StoreError::Refused(trellis_core::CoreError::Conflict(
                "the member holds this achievement already".into(),
            ))
        })?;
        tx.commit().await?;
        self.award(id).await
    }

    pub async fn award(&self, id: Uuid) -> StoreResult<Award> {
        let row: AwardRow = sqlx::query_as(&format!(
            "SELECT {AWARD_COLUMNS} FROM awards w JOIN achievements h ON h.id = w.achievement_id \
             WHERE w.id = $1"
        ))
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.into())
    }

    /// A member's awards, newest first.
    pub async fn awards_of(&self, account_id: Uuid) -> StoreResult<Vec<Award>> {
        let rows: Vec<AwardRow> = sqlx::query_as(&format!(
            "SELECT {AWARD_COLUMNS} FROM awards w JOIN achievements h ON h.id = w.achievement_id \
             WHERE w.account_id = $1 ORDER BY w.awarded_at DESC, w.id DESC"
        ))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
