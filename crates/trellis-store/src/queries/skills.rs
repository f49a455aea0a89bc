// The skills catalog. Included as a module of each backend.

use chrono::{DateTime, Utc};
use trellis_core::skill::{SkillKey, SkillSeed};

use super::Backend;
use crate::error::StoreResult;
use crate::model::{Skill, SkillChange};
use crate::rows::skills::{SKILL_COLUMNS, SkillRow};

impl Backend {
    /// Adds the seeds that are not in the catalog yet. A seed already there,
    /// renamed or retired by an admin, is left as the admin made it.
    pub async fn seed_skills(&self, seeds: &[SkillSeed], now: DateTime<Utc>) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        let mut added = 0;
        for seed in seeds {
            added += sqlx::query(
                "INSERT INTO skills (key, family, name, description, builtin, created_at) \
                 VALUES ($1, $2, $3, $4, TRUE, $5) ON CONFLICT (key) DO NOTHING",
            )
            .bind(seed.key)
            .bind(seed.family)
            .bind(seed.name)
            .bind(seed.description)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(added)
    }

    /// The catalog by family and name; retired skills only when asked for.
    pub async fn list_skills(&self, include_retired: bool) -> StoreResult<Vec<Skill>> {
        let rows: Vec<SkillRow> = sqlx::query_as(&format!(
            "SELECT {SKILL_COLUMNS} FROM skills WHERE $1 OR retired_at IS NULL \
             ORDER BY family, name, key"
        ))
        .bind(include_retired)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| Ok(Skill::try_from(row)?))
            .collect()
    }

    pub async fn skill(&self, key: &SkillKey) -> StoreResult<Skill> {
        let row: SkillRow = sqlx::query_as(&format!(
            "SELECT {SKILL_COLUMNS} FROM skills WHERE key = $1"
        ))
        .bind(key.as_str())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_into()?)
    }

    pub async fn create_skill(&self, skill: &Skill, now: DateTime<Utc>) -> StoreResult<Skill> {
        let row: SkillRow = sqlx::query_as(&format!(
            "INSERT INTO skills (key, family, name, description, builtin, retired_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 THEN $7 END, $7) RETURNING {SKILL_COLUMNS}"
        ))
        .bind(skill.key.as_str())
        .bind(&skill.family)
        .bind(&skill.name)
        .bind(&skill.description)
        .bind(skill.builtin)
        .bind(skill.retired)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_into()?)
    }

    pub async fn change_skill(
        &self,
        key: &SkillKey,
        change: &SkillChange,
        now: DateTime<Utc>,
    ) -> StoreResult<Skill> {
        let row: SkillRow = sqlx::query_as(&format!(
            "UPDATE skills SET \
               family = COALESCE($2, family), \
               name = COALESCE($3, name), \
               description = COALESCE($4, description), \
               retired_at = CASE WHEN $5 IS NULL THEN retired_at \
                                 WHEN $5 THEN COALESCE(retired_at, $6) \
                                 ELSE NULL END \
             WHERE key = $1 RETURNING {SKILL_COLUMNS}"
        ))
        .bind(key.as_str())
        .bind(change.family.as_deref())
        .bind(change.name.as_deref())
        .bind(change.description.as_deref())
        .bind(change.retired)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_into()?)
    }
}
