// Member profiles and the mentor directory. Included as a module of each backend.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use trellis_core::account::Username;
use trellis_core::profile::{Profile, Timezone};
use trellis_core::skill::SkillLevel;
use uuid::Uuid;

use super::common::record_received;
use super::outbox::insert_event;
use super::{Backend, Db};
use crate::error::{StoreError, StoreResult};
use crate::model::{DirectoryQuery, OutboxEventKind, Page, ProfileRecord, Scope};
use crate::rows::group_by_account;
use crate::rows::profiles::{
    LanguageRow, MATCH_CANDIDATE_COLUMNS, MatchCandidateRow, PROFILE_COLUMNS, ProfileRow,
    SkillLevelRow,
};

impl Backend {
    pub async fn profile(&self, account_id: Uuid) -> StoreResult<ProfileRecord> {
        let row: ProfileRow = sqlx::query_as(&format!(
            "SELECT {PROFILE_COLUMNS} FROM profiles p JOIN accounts a ON a.id = p.account_id \
             WHERE p.account_id = $1"
        ))
        .bind(account_id)
        .fetch_one(&self.pool)
        .await?;
        self.assemble_profiles(vec![row])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    pub async fn profile_by_username(&self, username: &Username) -> StoreResult<ProfileRecord> {
        let row: ProfileRow = sqlx::query_as(&format!(
            "SELECT {PROFILE_COLUMNS} FROM profiles p JOIN accounts a ON a.id = p.account_id \
             WHERE a.username = $1 AND a.domain IS NULL"
        ))
        .bind(username.as_str())
        .fetch_one(&self.pool)
        .await?;
        self.assemble_profiles(vec![row])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    /// What this instance knows of a member elsewhere, by name and domain.
    pub async fn remote_profile(
        &self,
        username: &Username,
        domain: &str,
    ) -> StoreResult<Option<ProfileRecord>> {
        let row: Option<ProfileRow> = sqlx::query_as(&format!(
            "SELECT {PROFILE_COLUMNS} FROM profiles p JOIN accounts a ON a.id = p.account_id \
             WHERE a.username = $1 AND a.domain = $2"
        ))
        .bind(username.as_str())
        .bind(domain)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => Ok(self.assemble_profiles(vec![row]).await?.pop()),
            None => Ok(None),
        }
    }

    /// Replaces a member's profile as a whole. A skill that is not in the
    /// catalog makes it fail with a conflict and change nothing.
    pub async fn put_profile(
        &self,
        account_id: Uuid,
        profile: &Profile,
        now: DateTime<Utc>,
    ) -> StoreResult<ProfileRecord> {
        let mut tx = self.begin().await?;
        write_profile(&mut tx, account_id, profile, now).await?;
        if is_local(&mut tx, account_id).await? {
            insert_event(
                &mut tx,
                OutboxEventKind::ProfileChanged,
                Some(account_id),
                None,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        self.profile(account_id).await
    }

    /// Searches the mentor directory; see `DirectoryQuery`.
    pub async fn search_mentors(&self, query: &DirectoryQuery) -> StoreResult<Page<ProfileRecord>> {
        if query.visible.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                total: 0,
            });
        }
        let mut count = QueryBuilder::<Db>::new(
            "SELECT COUNT(*) FROM profiles p JOIN accounts a ON a.id = p.account_id",
        );
        push_directory_filters(&mut count, query);
        let (total,): (i64,) = count.build_query_as().fetch_one(&self.pool).await?;

        let mut select = QueryBuilder::<Db>::new(format!(
            "SELECT {PROFILE_COLUMNS} FROM profiles p JOIN accounts a ON a.id = p.account_id"
        ));
        push_directory_filters(&mut select, query);
        select
            .push(" ORDER BY p.accepting_mentees DESC, a.username, a.domain LIMIT ")
            .push_bind(i64::from(query.limit))
            .push(" OFFSET ")
            .push_bind(i64::from(query.offset));
        let rows: Vec<ProfileRow> = select.build_query_as().fetch_all(&self.pool).await?;
        Ok(Page {
            items: self.assemble_profiles(rows).await?,
            total: total.try_into().unwrap_or(0),
        })
    }

    /// Members whose username or name contains `text` (any case), here
    /// and cached from partner instances, by username: for admins looking
    /// someone up. At most `limit`.
    pub async fn find_members(&self, text: &str, limit: u32) -> StoreResult<Vec<ProfileRecord>> {
        let pattern = format!(
            "%{}%",
            text.to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let rows: Vec<ProfileRow> = sqlx::query_as(&format!(
            "SELECT {PROFILE_COLUMNS} FROM profiles p JOIN accounts a ON a.id = p.account_id \
             WHERE LOWER(a.username) LIKE $1 ESCAPE '\\' OR LOWER(p.display_name) LIKE $1 ESCAPE '\\' \
             ORDER BY a.domain IS NOT NULL, a.username, a.domain LIMIT $2"
        ))
        .bind(pattern)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        self.assemble_profiles(rows).await
    }

    /// Every mentor taking mentees whose profile has one of the `visible`
    /// visibilities (members elsewhere only while their instance is an
    /// active partner), with their load: what matching ranks. Two queries,
    /// however many mentors.
    pub async fn match_candidates(
        &self,
        visible: &[trellis_core::visibility::Visibility],
    ) -> StoreResult<Vec<crate::model::MatchCandidate>> {
        let query = DirectoryQuery {
            scope: Scope::All,
            visible: visible.to_vec(),
            skills: Vec::new(),
            min_level: None,
            language: None,
            text: None,
            accepting_only: true,
            limit: 0,
            offset: 0,
        };
        if query.visible.is_empty() {
            return Ok(Vec::new());
        }
        let mut select = QueryBuilder::<Db>::new(format!(
            "SELECT {MATCH_CANDIDATE_COLUMNS} FROM profiles p JOIN accounts a ON a.id = p.account_id"
        ));
        push_directory_filters(&mut select, &query);
        let rows: Vec<MatchCandidateRow> = select.build_query_as().fetch_all(&self.pool).await?;
        let loads = self.loads(None).await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let load = loads.get(&row.account_id).copied().unwrap_or_default();
                row.assemble(load)
            })
            .collect::<Result<_, trellis_core::CoreError>>()?)
    }

    /// How far matching's inputs have changed: a number that grows with
    /// every committed change to them (kept by triggers).
    pub async fn matching_version(&self) -> StoreResult<i64> {
        let (value,): (i64,) =
            sqlx::query_as("SELECT value FROM change_counters WHERE name = 'matching'")
                .fetch_one(&self.pool)
                .await?;
        Ok(value)
    }

    /// Loads the lists of these profiles (three queries in all, however many
    /// profiles) and puts each profile together, keeping their order.
    pub(super) async fn assemble_profiles(
        &self,
        rows: Vec<ProfileRow>,
    ) -> StoreResult<Vec<ProfileRecord>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = rows.iter().map(|r| r.account_id).collect();
        let mut languages = group_by_account(
            self.rows_for_accounts::<LanguageRow>(
                "SELECT account_id, tag FROM profile_languages",
                &ids,
            )
            .await?,
            |r| r.account_id,
        );
        let mut skills = group_by_account(
            self.rows_for_accounts::<SkillLevelRow>(
                "SELECT account_id, skill_key, level, wants_to_grow FROM profile_skills",
                &ids,
            )
            .await?,
            |r| r.account_id,
        );
        let mut targets = group_by_account(
            self.rows_for_accounts::<SkillLevelRow>(
                "SELECT account_id, skill_key, target_level AS level, FALSE AS wants_to_grow \
                 FROM profile_goal_skills",
                &ids,
            )
            .await?,
            |r| r.account_id,
        );
        rows.into_iter()
            .map(|row| {
                let id = row.account_id;
                Ok(row.assemble(
                    languages.remove(&id).unwrap_or_default(),
                    skills.remove(&id).unwrap_or_default(),
                    targets.remove(&id).unwrap_or_default(),
                )?)
            })
            .collect()
    }

    /// `select` with `WHERE account_id IN (ids) ORDER BY account_id, position`.
    async fn rows_for_accounts<R>(&self, select: &str, ids: &[Uuid]) -> StoreResult<Vec<R>>
    where
        R: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
    {
        let mut query = QueryBuilder::<Db>::new(select);
        query.push(" WHERE account_id IN (");
        let mut list = query.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        query.push(") ORDER BY account_id, position");
        Ok(query.build_query_as().fetch_all(&self.pool).await?)
    }

    /// Stores the profile a partner sent for one of its members, unless the
    /// activity was processed before (false then).
    pub async fn receive_remote_profile(
        &self,
        account_id: Uuid,
        profile: &Profile,
        received: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        if !record_received(&mut tx, received, now).await? {
            return Ok(false);
        }
        write_profile(&mut tx, account_id, profile, now).await?;
        tx.commit().await?;
        Ok(true)
    }
}

fn push_directory_filters(query: &mut QueryBuilder<'_, Db>, q: &DirectoryQuery) {
    query.push(match q.scope {
        Scope::Local => " WHERE a.domain IS NULL AND",
        Scope::Federated => " WHERE a.domain IS NOT NULL AND",
        Scope::All => " WHERE",
    });
    // Members of other instances show only while their instance is a partner.
    query.push(
        " (a.domain IS NULL OR a.domain IN (SELECT domain FROM instances \
         WHERE partnership = 'active' AND blocked_at IS NULL)) AND",
    );
    query.push(" p.offers_mentoring AND p.visibility IN (");
    let mut list = query.separated(", ");
    for visibility in &q.visible {
        list.push_bind(visibility.as_str());
    }
    query.push(")");
    if q.accepting_only {
        query.push(" AND p.accepting_mentees");
    }
    let min_level = i32::from(q.min_level.unwrap_or(SkillLevel::MIN).get());
    for skill in &q.skills {
        query
            .push(
                " AND EXISTS (SELECT 1 FROM profile_skills s \
                 WHERE s.account_id = p.account_id AND s.skill_key = ",
            )
            .push_bind(skill.as_str().to_owned())
            .push(" AND s.level >= ")
            .push_bind(min_level)
            .push(")");
    }
    if let Some(language) = &q.language {
        query
            .push(
                " AND EXISTS (SELECT 1 FROM profile_languages l \
                 WHERE l.account_id = p.account_id AND (l.tag = ",
            )
            .push_bind(language.as_str().to_owned())
            .push(" OR l.tag LIKE ")
            .push_bind(format!("{}-%", like_escape(language.as_str())))
            .push(" ESCAPE '\\'))");
    }
    for word in q.text.iter().flat_map(|t| t.split_whitespace()) {
        query
            .push(
                " AND lower(p.display_name || ' ' || a.username || ' ' || p.headline || ' ' || p.bio) \
                 LIKE ",
            )
            .push_bind(format!("%{}%", like_escape(&word.to_lowercase())))
            .push(" ESCAPE '\\'");
    }
}

/// Makes `%`, `_` and `\` match themselves in a LIKE pattern.
fn like_escape(raw: &str) -> String {
    let mut escaped = String::with_capacity(raw.len());
    for c in raw.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Writes a whole profile (its row and its lists) inside a transaction.
async fn write_profile(
    tx: &mut sqlx::Transaction<'_, Db>,
    account_id: Uuid,
    profile: &Profile,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let updated = sqlx::query(
        "UPDATE profiles SET display_name = $2, headline = $3, bio = $4, timezone = $5, \
           goals_summary = $6, offers_mentoring = $7, accepting_mentees = $8, capacity = $9, \
           hours_per_month = $10, visibility = $11, updated_at = $12 \
         WHERE account_id = $1",
    )
    .bind(account_id)
    .bind(&profile.display_name)
    .bind(&profile.headline)
    .bind(&profile.bio)
    .bind(profile.timezone.as_ref().map(Timezone::name))
    .bind(&profile.goals.summary)
    .bind(profile.mentor.offers_mentoring)
    .bind(profile.mentor.accepting_mentees)
    .bind(i32::from(profile.mentor.capacity))
    .bind(i32::from(profile.mentor.hours_per_month))
    .bind(profile.visibility.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    for table in ["profile_languages", "profile_skills", "profile_goal_skills"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE account_id = $1"))
            .bind(account_id)
            .execute(&mut **tx)
            .await?;
    }
    for (position, tag) in (0i32..).zip(&profile.languages) {
        sqlx::query(
            "INSERT INTO profile_languages (account_id, position, tag) VALUES ($1, $2, $3)",
        )
        .bind(account_id)
        .bind(position)
        .bind(tag.as_str())
        .execute(&mut **tx)
        .await?;
    }
    for (position, skill) in (0i32..).zip(&profile.skills) {
        sqlx::query(
            "INSERT INTO profile_skills (account_id, position, skill_key, level, wants_to_grow) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(account_id)
        .bind(position)
        .bind(skill.skill.as_str())
        .bind(i32::from(skill.level.get()))
        .bind(skill.wants_to_grow)
        .execute(&mut **tx)
        .await?;
    }
    for (position, target) in (0i32..).zip(&profile.goals.targets) {
        sqlx::query(
            "INSERT INTO profile_goal_skills (account_id, position, skill_key, target_level) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(account_id)
        .bind(position)
        .bind(target.skill.as_str())
        .bind(i32::from(target.level.get()))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub(super) async fn is_local(
    tx: &mut sqlx::Transaction<'_, Db>,
    account_id: Uuid,
) -> StoreResult<bool> {
    let found: Option<(Uuid,)> =
        sqlx::query_as("SELECT account_id FROM users WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(found.is_some())
}
