//! Sessions: the check-ins of a mentorship. What both parties share (when,
//! how long, topics, notes, action items) is one value, checked here; each
//! party's private notes are kept apart and never travel.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::CoreError;
use crate::mentorship::{MentorshipState, Party};
use crate::text::{check_line, check_paragraphs};

/// The longest session one can log, in minutes (a full day).
pub const MAX_MINUTES: u16 = 24 * 60;
pub const MAX_TOPICS: usize = 20;
pub const MAX_ACTION_ITEMS: usize = 50;
pub const MAX_NOTES: usize = 20_000;

/// Something one of the two parties is to do after a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionItem {
    #[cfg_attr(feature = "openapi", schema(example = "Read RFC 9364"))]
    pub text: String,
    /// Who is to do it.
    pub owner: Party,
    #[serde(default)]
    pub done: bool,
}

/// What both parties see of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionContent {
    /// When it took place (or will).
    pub held_at: DateTime<Utc>,
    /// How long it lasted, in minutes (1 to 1440).
    #[cfg_attr(feature = "openapi", schema(example = 45))]
    pub duration_minutes: u16,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = json!(["DNSSEC key rollover"])))]
    pub topics: Vec<String>,
    /// Notes both parties see.
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub action_items: Vec<ActionItem>,
}

impl SessionContent {
    /// Checks every rule and trims the texts; the first broken rule is the
    /// error, naming its field.
    pub fn normalize(mut self) -> Result<Self, CoreError> {
        if !(1..=MAX_MINUTES).contains(&self.duration_minutes) {
            return Err(CoreError::invalid(
                "duration_minutes",
                format_args!("must be 1 to {MAX_MINUTES}"),
            ));
        }
        if self.topics.len() > MAX_TOPICS {
            return Err(CoreError::invalid(
                "topics",
                format_args!("at most {MAX_TOPICS}"),
            ));
        }
        for topic in &mut self.topics {
            check_line("topics", topic, 120)?;
            *topic = topic.trim().to_owned();
            if topic.is_empty() {
                return Err(CoreError::invalid("topics", "a topic cannot be empty"));
            }
        }
        check_paragraphs("notes", &self.notes, MAX_NOTES)?;
        self.notes = self.notes.trim().to_owned();
        if self.action_items.len() > MAX_ACTION_ITEMS {
            return Err(CoreError::invalid(
                "action_items",
                format_args!("at most {MAX_ACTION_ITEMS}"),
            ));
        }
        for item in &mut self.action_items {
            check_line("action_items", &item.text, 500)?;
            item.text = item.text.trim().to_owned();
            if item.text.is_empty() {
                return Err(CoreError::invalid(
                    "action_items",
                    "an action item needs a text",
                ));
            }
        }
        Ok(self)
    }
}

/// Checks a party's private note on a session.
pub fn check_private_note(text: &str) -> Result<(), CoreError> {
    check_paragraphs("text", text, MAX_NOTES)
}

/// Whether sessions may be logged or changed in a mentorship in `state`:
/// while it is under way (active or paused).
pub fn check_open(state: MentorshipState) -> Result<(), CoreError> {
    if state.holds_a_place() {
        Ok(())
    } else {
        Err(CoreError::Conflict(format!(
            "sessions are logged while a mentorship is under way; this one is {}",
            state.as_str()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> SessionContent {
        SessionContent {
            held_at: DateTime::parse_from_rfc3339("2026-11-20T09:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
            duration_minutes: 45,
            topics: vec!["  DNSSEC  ".into()],
            notes: " Went well \n".into(),
            action_items: vec![ActionItem {
                text: " Read RFC 9364 ".into(),
                owner: Party::Mentee,
                done: false,
            }],
        }
    }

    #[test]
    fn a_good_session_is_trimmed() {
        let checked = content().normalize().unwrap();
        assert_eq!(checked.topics, ["DNSSEC"]);
        assert_eq!(checked.notes, "Went well");
        assert_eq!(checked.action_items[0].text, "Read RFC 9364");
    }

    #[test]
    fn each_rule_names_its_field() {
        type BreakIt = fn(&mut SessionContent);
        let cases: [(BreakIt, &str); 6] = [
            (|c| c.duration_minutes = 0, "duration_minutes"),
            (|c| c.duration_minutes = MAX_MINUTES + 1, "duration_minutes"),
            (|c| c.topics = vec![" ".into()], "topics"),
            (|c| c.topics = vec!["x".into(); MAX_TOPICS + 1], "topics"),
            (|c| c.notes = "a\u{202e}b".into(), "notes"),
            (|c| c.action_items[0].text = String::new(), "action_items"),
        ];
        for (break_it, field) in cases {
            let mut c = content();
            break_it(&mut c);
            let err = c.normalize().unwrap_err();
            assert!(err.to_string().starts_with(field), "{err}");
        }
    }

    #[test]
    fn sessions_belong_to_mentorships_under_way() {
        assert!(check_open(MentorshipState::Active).is_ok());
        assert!(check_open(MentorshipState::Paused).is_ok());
        for state in [
            MentorshipState::Requested,
            MentorshipState::Declined,
            MentorshipState::Completed,
            MentorshipState::Ended,
        ] {
            assert!(matches!(check_open(state), Err(CoreError::Conflict(_))));
        }
    }
}
