//! The skills catalog: stable skill keys, the seven levels, and the default
//! catalog every instance ships.

mod catalog;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use catalog::{DEFAULT_CATALOG, SkillSeed};

use crate::CoreError;

/// The stable identifier of a catalog skill, e.g. `networking.dns`.
///
/// Dot-separated segments of lower-case letters, digits and single hyphens,
/// each starting with a letter; at most 64 characters. Keys of the default
/// catalog are the same on every instance, which is what lets matching work
/// across organizations.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "networking.dns"))]
pub struct SkillKey(String);

impl SkillKey {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, CoreError> {
        let problem = if raw.is_empty() || raw.len() > Self::MAX_LEN {
            Some("must be 1 to 64 characters")
        } else if !raw.split('.').all(Self::segment_is_valid) {
            Some(
                "must be dot-separated words of a-z, 0-9 and single '-', each starting with a letter",
            )
        } else {
            None
        };
        match problem {
            Some(message) => Err(CoreError::invalid(
                "skill",
                format_args!("{raw:?} is not a skill key: {message}"),
            )),
            None => Ok(Self(raw.to_owned())),
        }
    }

    fn segment_is_valid(segment: &str) -> bool {
        segment.starts_with(|c: char| c.is_ascii_lowercase())
            && !segment.ends_with('-')
            && !segment.contains("--")
            && segment
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SkillKey {
    type Error = crate::ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Ok(Self::parse(&value)?)
    }
}

impl From<SkillKey> for String {
    fn from(value: SkillKey) -> Self {
        value.0
    }
}

impl fmt::Display for SkillKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A level of mastery from 1 (newcomer) to 7 (pioneer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "LevelNumber", into = "u8")]
pub struct SkillLevel(u8);

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for SkillLevel {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::Integer)
            .minimum(Some(1))
            .maximum(Some(7))
            .description(Some("A level from 1 (newcomer) to 7 (pioneer)."))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for SkillLevel {}

impl SkillLevel {
    pub const MIN: Self = Self(1);
    pub const MAX: Self = Self(7);

    pub const fn get(self) -> u8 {
        self.0
    }

    /// What this level means, in the words every instance shows.
    pub fn describe(self) -> &'static LevelDescription {
        &LEVELS[usize::from(self.0 - 1)]
    }
}

impl SkillLevel {
    /// The level `value`, if it is 1 to 7.
    pub fn new(value: u8) -> Result<Self, CoreError> {
        Self::try_from_u8(value)
    }

    fn try_from_u8(value: u8) -> Result<Self, CoreError> {
        if (1..=7).contains(&value) {
            Ok(Self(value))
        } else {
            Err(CoreError::invalid(
                "level",
                format_args!("must be between 1 and 7, not {value}"),
            ))
        }
    }
}

impl TryFrom<u8> for SkillLevel {
    type Error = CoreError;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Self::try_from_u8(value)
    }
}

impl TryFrom<i64> for SkillLevel {
    type Error = CoreError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        u8::try_from(value)
            .map_err(|_| {
                CoreError::invalid(
                    "level",
                    format_args!("must be between 1 and 7, not {value}"),
                )
            })
            .and_then(Self::try_from)
    }
}

/// A level as it comes in JSON, checked into a `SkillLevel`.
#[derive(Deserialize)]
#[serde(transparent)]
struct LevelNumber(u8);

impl TryFrom<LevelNumber> for SkillLevel {
    type Error = crate::ValueError;
    fn try_from(value: LevelNumber) -> Result<Self, Self::Error> {
        Ok(Self::try_from_u8(value.0)?)
    }
}

impl From<SkillLevel> for u8 {
    fn from(value: SkillLevel) -> Self {
        value.0
    }
}

/// The name and meaning of one level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LevelDescription {
    pub level: u8,
    pub name: &'static str,
    pub description: &'static str,
}

/// The seven levels, in Trellis's own words.
pub const LEVELS: [LevelDescription; 7] = [
    LevelDescription {
        level: 1,
        name: "Newcomer",
        description: "Knows what the skill is for and the words people use for it; works on it only with step-by-step guidance.",
    },
    LevelDescription {
        level: 2,
        name: "Learner",
        description: "Handles routine, well-described tasks and asks for help at the edges; is building the habits of the craft.",
    },
    LevelDescription {
        level: 3,
        name: "Practitioner",
        description: "Does the everyday work alone and reliably, chooses between the usual approaches and knows when a problem is beyond them.",
    },
    LevelDescription {
        level: 4,
        name: "Proficient",
        description: "Solves unfamiliar problems, owns outcomes in the area, and teaches the skill to colleagues.",
    },
    LevelDescription {
        level: 5,
        name: "Expert",
        description: "The person others consult; shapes how a team or organization practises the skill and reviews others' work in it.",
    },
    LevelDescription {
        level: 6,
        name: "Authority",
        description: "Known beyond their organization for the skill; sets direction across teams and develops other experts.",
    },
    LevelDescription {
        level: 7,
        name: "Pioneer",
        description: "Moves the field itself: creates methods, tools or standards that many organizations adopt.",
    },
];

/// Checks the words an admin gives a catalog skill.
pub fn check_skill_text(name: &str, family: &str, description: &str) -> Result<(), CoreError> {
    let required = |field: &str, value: &str, max: usize| {
        crate::text::check_line(field, value, max)?;
        if value.trim().is_empty() {
            return Err(CoreError::invalid(field, "must not be empty"));
        }
        Ok(())
    };
    required("name", name, 80)?;
    required("family", family, 40)?;
    crate::text::check_paragraphs("description", description, 1000)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};

    use super::*;

    #[test]
    fn levels_are_one_to_seven() {
        assert!(SkillLevel::try_from(0u8).is_err());
        assert!(SkillLevel::try_from(8u8).is_err());
        assert!(SkillLevel::try_from(-1i64).is_err());
        for n in 1..=7u8 {
            let level = SkillLevel::try_from(n).unwrap();
            assert_eq!(level.describe().level, n);
        }
        let parsed: Result<SkillLevel, _> = serde_json::from_str("9");
        assert!(parsed.is_err());
    }

    #[test]
    fn skill_keys_are_dotted_lowercase_words() {
        for good in ["networking.dns", "a", "cloud.k8s-operations", "x.y.z"] {
            assert!(SkillKey::parse(good).is_ok(), "{good} refused");
        }
        for bad in [
            "",
            "Networking.dns",
            "networking..dns",
            ".dns",
            "net.-dns",
            "net.dns-",
            "net.d--ns",
            "net.1dns",
            "net dns",
            &"a".repeat(65),
        ] {
            assert!(SkillKey::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn the_default_catalog_is_well_formed() {
        let mut keys = HashSet::new();
        let mut families: BTreeMap<&str, usize> = BTreeMap::new();
        for seed in DEFAULT_CATALOG {
            let key = SkillKey::parse(seed.key).unwrap();
            assert!(keys.insert(key), "duplicate key {}", seed.key);
            assert!(
                seed.key.starts_with(&format!("{}.", seed.family)),
                "{} is not in its family's namespace",
                seed.key
            );
            check_skill_text(seed.name, seed.family, seed.description).unwrap();
            assert!(!seed.description.is_empty());
            *families.entry(seed.family).or_default() += 1;
        }
        assert!(keys.len() >= 40, "only {} skills", keys.len());
        assert!(families.len() >= 8, "only {} families", families.len());
    }
}
