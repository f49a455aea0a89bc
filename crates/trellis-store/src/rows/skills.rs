//! Rows of the skill catalog.

use trellis_core::CoreError;
use trellis_core::skill::SkillKey;

use crate::model::Skill;

pub(crate) const SKILL_COLUMNS: &str =
    "key, family, name, description, builtin, retired_at IS NOT NULL AS retired";

#[derive(sqlx::FromRow)]
pub(crate) struct SkillRow {
    key: String,
    family: String,
    name: String,
    description: String,
    builtin: bool,
    retired: bool,
}

impl TryFrom<SkillRow> for Skill {
    type Error = CoreError;
    fn try_from(row: SkillRow) -> Result<Self, CoreError> {
        Ok(Self {
            key: SkillKey::parse(&row.key)?,
            family: row.family,
            name: row.name,
            description: row.description,
            builtin: row.builtin,
            retired: row.retired,
        })
    }
}
