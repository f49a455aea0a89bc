//! Member profiles: what a member says about themselves, their skills and
//! goals, and how they mentor.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::CoreError;
use crate::skill::{SkillKey, SkillLevel};
use crate::text::{check_line, check_paragraphs};
use crate::visibility::Visibility;

/// An IANA time zone name such as `Europe/Berlin`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "Europe/Berlin"))]
pub struct Timezone(chrono_tz::Tz);

impl Timezone {
    pub fn parse(raw: &str) -> Result<Self, CoreError> {
        chrono_tz::Tz::from_str(raw).map(Self).map_err(|_| {
            CoreError::invalid(
                "timezone",
                format_args!("{raw:?} is not an IANA time zone name (like Europe/Berlin)"),
            )
        })
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.0
    }

    /// Minutes east of UTC at the instant `at` (daylight saving included).
    pub fn utc_offset_minutes(&self, at: chrono::DateTime<chrono::Utc>) -> i32 {
        use chrono::Offset;
        at.with_timezone(&self.0).offset().fix().local_minus_utc() / 60
    }
}

impl TryFrom<String> for Timezone {
    type Error = crate::ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Ok(Self::parse(&value)?)
    }
}

impl From<Timezone> for String {
    fn from(value: Timezone) -> Self {
        value.name().to_owned()
    }
}

/// A language as a BCP 47 tag (`en`, `pt-BR`, `zh-Hant`), in canonical case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "pt-BR"))]
pub struct LanguageTag(String);

impl LanguageTag {
    pub fn parse(raw: &str) -> Result<Self, CoreError> {
        let bad = || {
            CoreError::invalid(
                "languages",
                format_args!("{raw:?} is not a language tag (like en, de or pt-BR)"),
            )
        };
        let mut parts = raw.split('-');
        let primary = parts.next().ok_or_else(bad)?;
        if !(2..=3).contains(&primary.len()) || !primary.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(bad());
        }
        let mut tag = primary.to_ascii_lowercase();
        for part in parts {
            if part.is_empty() || part.len() > 8 || !part.chars().all(|c| c.is_ascii_alphanumeric())
            {
                return Err(bad());
            }
            tag.push('-');
            match part.len() {
                // A region such as BR.
                2 => tag.push_str(&part.to_ascii_uppercase()),
                // A script such as Hant.
                4 if part.chars().all(|c| c.is_ascii_alphabetic()) => {
                    tag.push_str(&part[..1].to_ascii_uppercase());
                    tag.push_str(&part[1..].to_ascii_lowercase());
                }
                _ => tag.push_str(&part.to_ascii_lowercase()),
            }
        }
        Ok(Self(tag))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The primary language, without region or script: `pt` for `pt-BR`.
    pub fn primary(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }
}

impl TryFrom<String> for LanguageTag {
    type Error = crate::ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Ok(Self::parse(&value)?)
    }
}

impl From<LanguageTag> for String {
    fn from(value: LanguageTag) -> Self {
        value.0
    }
}

impl fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A skill a member has, at a level, and whether they want to grow in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileSkill {
    pub skill: SkillKey,
    pub level: SkillLevel,
    #[serde(default)]
    pub wants_to_grow: bool,
}

/// A skill a member aims at, and the level they aim for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalTarget {
    pub skill: SkillKey,
    pub level: SkillLevel,
}

/// What a member wants from mentoring: in their words, and as target skills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Goals {
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub targets: Vec<GoalTarget>,
}

/// How a member mentors, if they do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MentorSettings {
    /// Listed in the mentor directory.
    #[serde(default)]
    pub offers_mentoring: bool,
    /// Takes new requests now.
    #[serde(default)]
    pub accepting_mentees: bool,
    /// How many mentees at once.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(maximum = 50))]
    pub capacity: u16,
    /// Hours a month set aside for mentoring.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(maximum = 200))]
    pub hours_per_month: u16,
}

impl MentorSettings {
    pub const MAX_CAPACITY: u16 = 50;
    pub const MAX_HOURS_PER_MONTH: u16 = 200;

    fn check(&self) -> Result<(), CoreError> {
        if self.capacity > Self::MAX_CAPACITY {
            return Err(CoreError::invalid(
                "mentor.capacity",
                format_args!("must be at most {}", Self::MAX_CAPACITY),
            ));
        }
        if self.hours_per_month > Self::MAX_HOURS_PER_MONTH {
            return Err(CoreError::invalid(
                "mentor.hours_per_month",
                format_args!("must be at most {}", Self::MAX_HOURS_PER_MONTH),
            ));
        }
        if self.accepting_mentees && !self.offers_mentoring {
            return Err(CoreError::invalid(
                "mentor.accepting_mentees",
                "needs offers_mentoring as well",
            ));
        }
        if self.accepting_mentees && self.capacity == 0 {
            return Err(CoreError::invalid(
                "mentor.capacity",
                "must be at least 1 while accepting mentees",
            ));
        }
        Ok(())
    }
}

/// Everything a member edits about their profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub headline: String,
    #[serde(default)]
    pub bio: String,
    #[serde(default)]
    pub timezone: Option<Timezone>,
    #[serde(default)]
    pub languages: Vec<LanguageTag>,
    #[serde(default)]
    pub skills: Vec<ProfileSkill>,
    #[serde(default)]
    pub goals: Goals,
    #[serde(default)]
    pub mentor: MentorSettings,
    #[serde(default)]
    pub visibility: Visibility,
}

impl Profile {
    pub const MAX_DISPLAY_NAME: usize = 80;
    pub const MAX_HEADLINE: usize = 160;
    pub const MAX_BIO: usize = 4000;
    pub const MAX_GOAL_SUMMARY: usize = 2000;
    pub const MAX_LANGUAGES: usize = 20;
    pub const MAX_SKILLS: usize = 60;
    pub const MAX_TARGETS: usize = 20;

    /// Trims the one-line texts (a name of spaces is no name).
    pub fn normalize(&mut self) {
        for text in [&mut self.display_name, &mut self.headline] {
            let trimmed = text.trim();
            if trimmed.len() != text.len() {
                *text = trimmed.to_owned();
            }
        }
    }

    /// Checks the rules that need nothing but the profile itself. Whether its
    /// skills exist in the catalog is for the caller to check against it.
    pub fn check(&self) -> Result<(), CoreError> {
        check_line("display_name", &self.display_name, Self::MAX_DISPLAY_NAME)?;
        check_line("headline", &self.headline, Self::MAX_HEADLINE)?;
        check_paragraphs("bio", &self.bio, Self::MAX_BIO)?;
        check_paragraphs("goals.summary", &self.goals.summary, Self::MAX_GOAL_SUMMARY)?;
        check_count("languages", self.languages.len(), Self::MAX_LANGUAGES)?;
        check_count("skills", self.skills.len(), Self::MAX_SKILLS)?;
        check_count("goals.targets", self.goals.targets.len(), Self::MAX_TARGETS)?;
        check_unique("languages", self.languages.iter().map(LanguageTag::as_str))?;
        check_unique("skills", self.skills.iter().map(|s| s.skill.as_str()))?;
        check_unique(
            "goals.targets",
            self.goals.targets.iter().map(|t| t.skill.as_str()),
        )?;
        self.mentor.check()
    }

    /// Checks that every skill the profile names is in the catalog and not
    /// retired; `catalog` says what the catalog knows of a key.
    pub fn check_skills(
        &self,
        catalog: impl Fn(&SkillKey) -> Option<CatalogState>,
    ) -> Result<(), CoreError> {
        for key in self.named_skills() {
            match catalog(key) {
                Some(CatalogState::Active) => {}
                Some(CatalogState::Retired) => {
                    return Err(CoreError::invalid(
                        "skills",
                        format_args!("the skill {key} is retired from the catalog; remove it"),
                    ));
                }
                None => {
                    return Err(CoreError::invalid(
                        "skills",
                        format_args!("the skill {key} is not in the catalog"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Every skill the profile names, in skills and in goals.
    pub fn named_skills(&self) -> BTreeSet<&SkillKey> {
        self.skills
            .iter()
            .map(|s| &s.skill)
            .chain(self.goals.targets.iter().map(|t| &t.skill))
            .collect()
    }
}

/// Where a skill stands in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogState {
    Active,
    Retired,
}

fn check_count(field: &str, count: usize, max: usize) -> Result<(), CoreError> {
    if count > max {
        return Err(CoreError::invalid(
            field,
            format_args!("at most {max} entries, not {count}"),
        ));
    }
    Ok(())
}

fn check_unique<'a>(field: &str, items: impl Iterator<Item = &'a str>) -> Result<(), CoreError> {
    let mut seen = BTreeSet::new();
    for item in items {
        if !seen.insert(item) {
            return Err(CoreError::invalid(
                field,
                format_args!("{item} is listed twice"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skill(key: &str, level: u8) -> ProfileSkill {
        ProfileSkill {
            skill: SkillKey::parse(key).unwrap(),
            level: SkillLevel::try_from(level).unwrap(),
            wants_to_grow: false,
        }
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(
            Timezone::parse("Europe/Berlin").unwrap().name(),
            "Europe/Berlin"
        );
        assert!(Timezone::parse("Mars/Olympus").is_err());
        assert!(Timezone::parse("").is_err());
    }

    #[test]
    fn offsets_follow_daylight_saving() {
        use chrono::TimeZone;
        let berlin = Timezone::parse("Europe/Berlin").unwrap();
        let winter = chrono::Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap();
        let summer = chrono::Utc.with_ymd_and_hms(2026, 7, 15, 12, 0, 0).unwrap();
        assert_eq!(
            (
                berlin.utc_offset_minutes(winter),
                berlin.utc_offset_minutes(summer)
            ),
            (60, 120)
        );
        let kolkata = Timezone::parse("Asia/Kolkata").unwrap();
        assert_eq!(kolkata.utc_offset_minutes(winter), 330);
    }

    #[test]
    fn language_tags_are_canonicalised() {
        let tag = |s| LanguageTag::parse(s).map(String::from);
        assert_eq!(tag("EN"), Ok("en".into()));
        assert_eq!(tag("pt-br"), Ok("pt-BR".into()));
        assert_eq!(tag("zh-hant-tw"), Ok("zh-Hant-TW".into()));
        assert_eq!(LanguageTag::parse("pt-BR").unwrap().primary(), "pt");
        for bad in ["", "e", "english", "en-", "en_US", "e1"] {
            assert!(LanguageTag::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn a_default_profile_is_valid() {
        assert_eq!(Profile::default().check(), Ok(()));
    }

    #[test]
    fn duplicates_and_oversize_fields_are_refused() {
        let mut p = Profile {
            skills: vec![skill("networking.dns", 3), skill("networking.dns", 4)],
            ..Profile::default()
        };
        assert!(matches!(p.check(), Err(CoreError::Invalid { field, .. }) if field == "skills"));
        p.skills.pop();
        assert_eq!(p.check(), Ok(()));
        p.headline = "x".repeat(161);
        assert!(p.check().is_err());
        p.headline = "bell\u{7}".into();
        assert!(p.check().is_err());
    }

    #[test]
    fn mentor_settings_must_agree_with_themselves() {
        let mut p = Profile::default();
        p.mentor.accepting_mentees = true;
        assert!(p.check().is_err(), "accepting without offering");
        p.mentor.offers_mentoring = true;
        assert!(p.check().is_err(), "accepting with no capacity");
        p.mentor.capacity = 3;
        assert_eq!(p.check(), Ok(()));
        p.mentor.capacity = 51;
        assert!(p.check().is_err());
    }

    #[test]
    fn unknown_fields_are_refused_when_parsing() {
        let parsed: Result<Profile, _> = serde_json::from_str(r#"{"headlin": "typo"}"#);
        assert!(parsed.is_err());
        let parsed: Result<Profile, _> =
            serde_json::from_str(r#"{"skills": [{"skill": "a.b", "level": 0}]}"#);
        assert!(parsed.is_err());
    }

    #[test]
    fn skills_must_be_in_the_catalog_and_not_retired() {
        let p = Profile {
            skills: vec![skill("a.b", 2)],
            goals: Goals {
                summary: String::new(),
                targets: vec![GoalTarget {
                    skill: SkillKey::parse("c.d").unwrap(),
                    level: SkillLevel::MAX,
                }],
            },
            ..Profile::default()
        };
        let only_ab = |k: &SkillKey| (k.as_str() == "a.b").then_some(CatalogState::Active);
        let err = p.check_skills(only_ab).unwrap_err().to_string();
        assert!(
            err.contains("c.d") && err.contains("not in the catalog"),
            "{err}"
        );
        let cd_retired = |k: &SkillKey| {
            Some(if k.as_str() == "c.d" {
                CatalogState::Retired
            } else {
                CatalogState::Active
            })
        };
        let err = p.check_skills(cd_retired).unwrap_err().to_string();
        assert!(err.contains("c.d") && err.contains("retired"), "{err}");
        assert_eq!(p.check_skills(|_| Some(CatalogState::Active)), Ok(()));
    }

    #[test]
    fn named_skills_cover_skills_and_goals() {
        let p = Profile {
            skills: vec![skill("a.b", 2)],
            goals: Goals {
                summary: String::new(),
                targets: vec![GoalTarget {
                    skill: SkillKey::parse("c.d").unwrap(),
                    level: SkillLevel::MAX,
                }],
            },
            ..Profile::default()
        };
        let named: Vec<_> = p.named_skills().into_iter().map(SkillKey::as_str).collect();
        assert_eq!(named, ["a.b", "c.d"]);
    }
}
