//! The skill catalog.

use trellis_core::skill::SkillKey;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skill {
    pub key: SkillKey,
    pub family: String,
    pub name: String,
    pub description: String,
    /// Shipped with the default catalog (as opposed to added by an admin).
    pub builtin: bool,
    pub retired: bool,
}

/// A change to a catalog skill; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct SkillChange {
    pub family: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub retired: Option<bool>,
}
