//! `MentorProfile`: what partners see of a member who mentors.

use serde::{Deserialize, Serialize};
use trellis_core::profile::{LanguageTag, MentorSettings, Profile, ProfileSkill, Timezone};
use trellis_core::skill::{SkillKey, SkillLevel};
use trellis_core::visibility::Visibility;
use url::Url;

/// A mentor profile as it travels. Only what the directory shows is sent:
/// never goals, never private fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MentorProfile {
    #[serde(rename = "type")]
    pub kind: MentorProfileType,
    pub id: Url,
    #[serde(deserialize_with = "crate::vocabulary::id_of")]
    pub attributed_to: Url,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Headline.
    #[serde(default)]
    pub summary: String,
    /// Bio.
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub skills: Vec<SkillEntry>,
    pub mentoring: Mentoring,
    /// `federated` or `public`.
    pub visibility: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MentorProfileType {
    MentorProfile,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillEntry {
    /// A key of the shared default catalog, or an instance's own skill.
    pub skill: String,
    pub level: u8,
    #[serde(default)]
    pub wants_to_grow: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mentoring {
    pub accepting_mentees: bool,
    pub capacity: u16,
    pub hours_per_month: u16,
}

impl MentorProfile {
    /// The profile of a local member, as partners get it.
    pub fn from_local(id: Url, actor: Url, profile: &Profile) -> Self {
        Self {
            kind: MentorProfileType::MentorProfile,
            id,
            attributed_to: actor,
            name: profile.display_name.clone(),
            summary: profile.headline.clone(),
            content: profile.bio.clone(),
            timezone: profile.timezone.as_ref().map(|tz| tz.name().to_owned()),
            languages: profile.languages.iter().map(ToString::to_string).collect(),
            skills: profile
                .skills
                .iter()
                .map(|s| SkillEntry {
                    skill: s.skill.to_string(),
                    level: s.level.get(),
                    wants_to_grow: s.wants_to_grow,
                })
                .collect(),
            mentoring: Mentoring {
                accepting_mentees: profile.mentor.accepting_mentees,
                capacity: profile.mentor.capacity,
                hours_per_month: profile.mentor.hours_per_month,
            },
            visibility: profile.visibility.as_str().to_owned(),
        }
    }

    /// The profile as this instance keeps it. Values that break our rules
    /// are left out rather than refusing the whole profile, and so are
    /// skills our catalog does not know (`known` says which it does).
    pub fn into_profile(self, known: impl Fn(&SkillKey) -> bool) -> Profile {
        let visibility = match Visibility::parse(&self.visibility) {
            Ok(v @ (Visibility::Federated | Visibility::Public)) => v,
            _ => Visibility::Federated,
        };
        let mut profile = Profile {
            display_name: truncate(self.name, Profile::MAX_DISPLAY_NAME),
            headline: truncate(self.summary, Profile::MAX_HEADLINE),
            bio: truncate(self.content, Profile::MAX_BIO),
            timezone: self
                .timezone
                .as_deref()
                .and_then(|tz| Timezone::parse(tz).ok()),
            languages: Vec::new(),
            skills: Vec::new(),
            goals: Default::default(),
            mentor: MentorSettings {
                offers_mentoring: true,
                accepting_mentees: self.mentoring.accepting_mentees && self.mentoring.capacity > 0,
                capacity: self.mentoring.capacity.min(MentorSettings::MAX_CAPACITY),
                hours_per_month: self
                    .mentoring
                    .hours_per_month
                    .min(MentorSettings::MAX_HOURS_PER_MONTH),
            },
            visibility,
        };
        for language in self.languages.iter().take(Profile::MAX_LANGUAGES) {
            if let Ok(tag) = LanguageTag::parse(language)
                && !profile.languages.contains(&tag)
            {
                profile.languages.push(tag);
            }
        }
        for entry in self.skills.iter().take(Profile::MAX_SKILLS) {
            let (Ok(skill), Ok(level)) = (
                SkillKey::parse(&entry.skill),
                SkillLevel::try_from(entry.level),
            ) else {
                continue;
            };
            if known(&skill) && !profile.skills.iter().any(|s| s.skill == skill) {
                profile.skills.push(ProfileSkill {
                    skill,
                    level,
                    wants_to_grow: entry.wants_to_grow,
                });
            }
        }
        let strip = |text: &mut String| text.retain(|c| !c.is_control() || c == '\n' || c == '\t');
        strip(&mut profile.display_name);
        strip(&mut profile.headline);
        strip(&mut profile.bio);
        profile
    }
}

fn truncate(mut text: String, max: usize) -> String {
    if let Some((cut, _)) = text.char_indices().nth(max) {
        text.truncate(cut);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(json: serde_json::Value) -> MentorProfile {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn what_breaks_our_rules_is_left_out() {
        let profile = wire(serde_json::json!({
            "type": "MentorProfile",
            "id": "https://b.example/users/bo/mentor-profile",
            "attributedTo": "https://b.example/users/bo",
            "name": "Bo".repeat(100),
            "summary": "Networks\u{7}",
            "timezone": "Mars/Base",
            "languages": ["en", "EN", "klingon-x-y-z-long", "de"],
            "skills": [
                {"skill": "networking.dns", "level": 5},
                {"skill": "networking.dns", "level": 6},
                {"skill": "b.custom-skill", "level": 4},
                {"skill": "networking.routing", "level": 9}
            ],
            "mentoring": {"acceptingMentees": true, "capacity": 500, "hoursPerMonth": 5},
            "visibility": "private"
        }))
        .into_profile(|key| key.as_str().starts_with("networking."));
        assert_eq!(profile.check(), Ok(()), "the result keeps every rule");
        assert_eq!(
            profile.display_name.chars().count(),
            Profile::MAX_DISPLAY_NAME
        );
        assert_eq!(profile.headline, "Networks");
        assert_eq!(profile.timezone, None);
        assert_eq!(profile.languages.len(), 2);
        assert_eq!(
            profile.skills.len(),
            1,
            "unknown, repeated and invalid skills are left out"
        );
        assert_eq!(profile.mentor.capacity, MentorSettings::MAX_CAPACITY);
        assert_eq!(
            profile.visibility,
            Visibility::Federated,
            "only what partners may see is kept"
        );
    }

    #[test]
    fn a_local_profile_round_trips_through_the_wire() {
        let local = Profile {
            display_name: "Ada".into(),
            headline: "SRE".into(),
            bio: "Bio".into(),
            timezone: Some(Timezone::parse("Europe/Berlin").unwrap()),
            languages: vec![LanguageTag::parse("en").unwrap()],
            skills: vec![ProfileSkill {
                skill: SkillKey::parse("networking.dns").unwrap(),
                level: SkillLevel::try_from(5u8).unwrap(),
                wants_to_grow: true,
            }],
            goals: trellis_core::profile::Goals {
                summary: "secret ambitions".into(),
                targets: vec![],
            },
            mentor: MentorSettings {
                offers_mentoring: true,
                accepting_mentees: true,
                capacity: 2,
                hours_per_month: 4,
            },
            visibility: Visibility::Public,
        };
        let id = Url::parse("https://a.example/users/ada/mentor-profile").unwrap();
        let actor = Url::parse("https://a.example/users/ada").unwrap();
        let sent = MentorProfile::from_local(id, actor, &local);
        let json = serde_json::to_string(&sent).unwrap();
        assert!(!json.contains("secret ambitions"), "goals never travel");
        let received: MentorProfile = serde_json::from_str(&json).unwrap();
        let kept = received.into_profile(|_| true);
        assert_eq!(
            kept,
            Profile {
                goals: Default::default(),
                ..local
            }
        );
    }
}
