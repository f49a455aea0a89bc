//! Skill reviews: a periodic, full look at the mentee's skills. The mentee
//! rates themselves (the self part), the mentor rates the mentee (the
//! mentor's part); each part is submitted once, and the review is completed
//! when both are in. How often a mentorship reviews is its [`Cadence`].

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::CoreError;
use crate::mentorship::{MentorshipState, Party};
use crate::profile::Profile;
use crate::skill::{SkillKey, SkillLevel};
use crate::text::check_paragraphs;

/// The longest comment on one rating, in characters.
pub const MAX_COMMENT: usize = 2000;
/// The most skills one review covers: a profile's skills.
pub const MAX_SKILLS: usize = Profile::MAX_SKILLS;

/// Checks that a review may start in a mentorship in `state` over `skills`
/// (the mentee's profile skills at that moment), and gives the state it
/// starts in. Either party may start one; it needs a mentorship under way
/// (active or paused) and at least one skill, each listed once.
pub fn start(state: MentorshipState, skills: &[SkillKey]) -> Result<ReviewState, CoreError> {
    if !state.holds_a_place() {
        return Err(CoreError::Conflict(format!(
            "reviews happen while a mentorship is under way; this one is {}",
            state.as_str()
        )));
    }
    if skills.is_empty() {
        return Err(CoreError::invalid(
            "skills",
            "the mentee's profile has no skills to review",
        ));
    }
    if skills.len() > MAX_SKILLS {
        return Err(CoreError::invalid(
            "skills",
            format_args!("at most {MAX_SKILLS} skills, not {}", skills.len()),
        ));
    }
    let mut seen = BTreeSet::new();
    for skill in skills {
        if !seen.insert(skill) {
            return Err(CoreError::invalid(
                "skills",
                format_args!("{skill} is listed twice"),
            ));
        }
    }
    Ok(ReviewState::Open)
}

/// One skill, rated by one party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SkillRating {
    pub skill: SkillKey,
    pub rating: SkillLevel,
    /// Why this rating, in a few paragraphs at most (2000 characters).
    #[serde(default)]
    pub comment: String,
}

/// One party's part of a review: their ratings of some or all of the
/// review's skills (a skill one cannot judge may be left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewPart {
    pub ratings: Vec<SkillRating>,
}

impl ReviewPart {
    /// Checks the part against the review's `skills`: at least one rating,
    /// each of a skill the review covers, no skill twice, comments within
    /// their limits. The first broken rule is the error, naming its field
    /// (`ratings[2].skill`).
    pub fn check(&self, skills: &[SkillKey]) -> Result<(), CoreError> {
        if self.ratings.is_empty() {
            return Err(CoreError::invalid(
                "ratings",
                "a part needs at least one rating",
            ));
        }
        let mut seen = BTreeSet::new();
        for (i, rating) in self.ratings.iter().enumerate() {
            let field = |name: &str| format!("ratings[{i}].{name}");
            if !skills.contains(&rating.skill) {
                return Err(CoreError::invalid(
                    field("skill"),
                    format_args!(
                        "{} is not one of the skills this review covers",
                        rating.skill
                    ),
                ));
            }
            if !seen.insert(&rating.skill) {
                return Err(CoreError::invalid(
                    field("skill"),
                    format_args!("{} is rated twice", rating.skill),
                ));
            }
            check_paragraphs(&field("comment"), &rating.comment, MAX_COMMENT)?;
        }
        Ok(())
    }

    /// Checks the part (see [`ReviewPart::check`]) and trims its comments.
    pub fn normalize(mut self, skills: &[SkillKey]) -> Result<Self, CoreError> {
        self.check(skills)?;
        for rating in &mut self.ratings {
            let trimmed = rating.comment.trim();
            if trimmed.len() != rating.comment.len() {
                rating.comment = trimmed.to_owned();
            }
        }
        Ok(self)
    }

    /// The rating of `skill` in this part, if it has one.
    pub fn rating_of(&self, skill: &SkillKey) -> Option<SkillLevel> {
        self.ratings
            .iter()
            .find(|r| &r.skill == skill)
            .map(|r| r.rating)
    }
}

/// Where a review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReviewState {
    /// Started; neither part is in.
    Open,
    /// The mentee's self part is in; the mentor's is awaited.
    MenteeDone,
    /// The mentor's part is in; the mentee's is awaited.
    MentorDone,
    /// Both parts are in.
    Completed,
}

/// What can happen to a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReviewEvent {
    /// The mentee submits their self part.
    SubmitMenteePart,
    /// The mentor submits their part.
    SubmitMentorPart,
}

impl ReviewState {
    pub const ALL: [Self; 4] = [
        Self::Open,
        Self::MenteeDone,
        Self::MentorDone,
        Self::Completed,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::MenteeDone => "mentee_done",
            Self::MentorDone => "mentor_done",
            Self::Completed => "completed",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, CoreError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| CoreError::invalid("state", format_args!("unknown state {raw:?}")))
    }

    /// The state in which the parts that are in are exactly these.
    pub const fn from_submitted(mentee: bool, mentor: bool) -> Self {
        match (mentee, mentor) {
            (false, false) => Self::Open,
            (true, false) => Self::MenteeDone,
            (false, true) => Self::MentorDone,
            (true, true) => Self::Completed,
        }
    }

    /// Whether `party`'s part is in.
    pub const fn has_submitted(self, party: Party) -> bool {
        match party {
            Party::Mentee => matches!(self, Self::MenteeDone | Self::Completed),
            Party::Mentor => matches!(self, Self::MentorDone | Self::Completed),
        }
    }

    pub const fn is_completed(self) -> bool {
        matches!(self, Self::Completed)
    }

    /// Whether `viewer` may see the part written by `author`. One's own part
    /// is always visible; the other party's only once the review is
    /// completed, so neither rating is written in the light of the other.
    pub fn part_visible_to(self, author: Party, viewer: Party) -> bool {
        author == viewer || self.is_completed()
    }

    /// The state after `event` by `by`, or why it is not allowed: a
    /// `Forbidden` error when the part is the other party's, a `Conflict`
    /// when that part is in already.
    pub fn next(self, event: ReviewEvent, by: Party) -> Result<Self, CoreError> {
        let part = event.part();
        if part != by {
            return Err(CoreError::Forbidden(format!(
                "only the {} may submit the {} part",
                part.as_str(),
                part.as_str()
            )));
        }
        if self.has_submitted(part) {
            return Err(CoreError::Conflict(format!(
                "the {} part of this review is submitted already",
                part.as_str()
            )));
        }
        Ok(match part {
            Party::Mentee => Self::from_submitted(true, self.has_submitted(Party::Mentor)),
            Party::Mentor => Self::from_submitted(self.has_submitted(Party::Mentee), true),
        })
    }
}

impl ReviewEvent {
    /// The submission of `party`'s part.
    pub const fn submit(party: Party) -> Self {
        match party {
            Party::Mentee => Self::SubmitMenteePart,
            Party::Mentor => Self::SubmitMentorPart,
        }
    }

    /// Whose part the event submits.
    pub const fn part(self) -> Party {
        match self {
            Self::SubmitMenteePart => Party::Mentee,
            Self::SubmitMentorPart => Party::Mentor,
        }
    }
}

/// How often a mentorship reviews skills: every so many weeks, from 2 to 52.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "CadenceInput")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cadence {
    #[cfg_attr(feature = "openapi", schema(minimum = 2, maximum = 52, example = 13))]
    every_weeks: u16,
}

/// A cadence as it comes in JSON, checked into a `Cadence`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CadenceInput {
    every_weeks: u16,
}

impl TryFrom<CadenceInput> for Cadence {
    type Error = crate::ValueError;
    fn try_from(value: CadenceInput) -> Result<Self, Self::Error> {
        Ok(Self::new(value.every_weeks)?)
    }
}

impl Default for Cadence {
    fn default() -> Self {
        Self::QUARTERLY
    }
}

impl Cadence {
    pub const MIN_WEEKS: u16 = 2;
    pub const MAX_WEEKS: u16 = 52;
    pub const MONTHLY: Self = Self { every_weeks: 4 };
    pub const QUARTERLY: Self = Self { every_weeks: 13 };
    pub const HALF_YEARLY: Self = Self { every_weeks: 26 };
    pub const YEARLY: Self = Self { every_weeks: 52 };

    /// A review every `every_weeks` weeks, if that is 2 to 52.
    pub fn new(every_weeks: u16) -> Result<Self, CoreError> {
        if (Self::MIN_WEEKS..=Self::MAX_WEEKS).contains(&every_weeks) {
            Ok(Self { every_weeks })
        } else {
            Err(CoreError::invalid(
                "every_weeks",
                format_args!(
                    "must be {} to {} weeks, not {every_weeks}",
                    Self::MIN_WEEKS,
                    Self::MAX_WEEKS
                ),
            ))
        }
    }

    pub const fn every_weeks(self) -> u16 {
        self.every_weeks
    }

    /// When the next review is due, counted from `from`: the start of the
    /// mentorship, or the completion of the last review.
    pub fn next_due(self, from: DateTime<Utc>) -> DateTime<Utc> {
        from.checked_add_signed(Duration::weeks(i64::from(self.every_weeks)))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Whether a review is due at `now`: a full period has passed since the
    /// last review was completed or, before the first, since the mentorship
    /// started.
    pub fn is_due(
        self,
        last_completed: Option<DateTime<Utc>>,
        mentorship_started: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> bool {
        now >= self.next_due(last_completed.unwrap_or(mentorship_started))
    }
}

#[cfg(test)]
mod tests {
    use super::ReviewEvent::{SubmitMenteePart, SubmitMentorPart};
    use super::ReviewState::{Completed, MenteeDone, MentorDone, Open};
    use super::*;

    fn key(raw: &str) -> SkillKey {
        SkillKey::parse(raw).unwrap()
    }

    fn skills() -> Vec<SkillKey> {
        vec![key("networking.dns"), key("databases.postgresql")]
    }

    fn rating(skill: &str, level: u8, comment: &str) -> SkillRating {
        SkillRating {
            skill: key(skill),
            rating: SkillLevel::new(level).unwrap(),
            comment: comment.into(),
        }
    }

    fn at(raw: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(raw)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_review_starts_open_in_a_mentorship_under_way() {
        assert_eq!(start(MentorshipState::Active, &skills()), Ok(Open));
        assert_eq!(start(MentorshipState::Paused, &skills()), Ok(Open));
        for state in MentorshipState::ALL
            .into_iter()
            .filter(|s| !s.holds_a_place())
        {
            assert!(
                matches!(start(state, &skills()), Err(CoreError::Conflict(_))),
                "{state:?}"
            );
        }
    }

    #[test]
    fn a_review_needs_distinct_skills() {
        let err = start(MentorshipState::Active, &[]).unwrap_err();
        assert!(matches!(&err, CoreError::Invalid { field, .. } if field == "skills"));
        let twice = [key("networking.dns"), key("networking.dns")];
        let err = start(MentorshipState::Active, &twice).unwrap_err();
        assert_eq!(err.to_string(), "skills: networking.dns is listed twice");
        let many: Vec<_> = (0..=MAX_SKILLS).map(|i| key(&format!("s.k{i}"))).collect();
        assert!(start(MentorshipState::Active, &many).is_err());
        assert!(start(MentorshipState::Active, &many[..MAX_SKILLS]).is_ok());
    }

    #[test]
    fn a_good_part_is_trimmed() {
        let part = ReviewPart {
            ratings: vec![
                rating("networking.dns", 3, "  Solid on zones.\nNext: DNSSEC.  "),
                rating("databases.postgresql", 2, ""),
            ],
        };
        let part = part.normalize(&skills()).unwrap();
        assert_eq!(part.ratings[0].comment, "Solid on zones.\nNext: DNSSEC.");
        assert_eq!(
            part.rating_of(&key("databases.postgresql")),
            Some(SkillLevel::new(2).unwrap())
        );
        assert_eq!(part.rating_of(&key("security.pki")), None);
    }

    #[test]
    fn a_part_may_leave_skills_out_but_not_be_empty() {
        let some = ReviewPart {
            ratings: vec![rating("networking.dns", 3, "")],
        };
        assert_eq!(some.check(&skills()), Ok(()));
        let none = ReviewPart { ratings: vec![] };
        let err = none.check(&skills()).unwrap_err();
        assert_eq!(err.to_string(), "ratings: a part needs at least one rating");
    }

    #[test]
    fn each_part_rule_names_its_field() {
        let cases = [
            (
                vec![
                    rating("networking.dns", 3, ""),
                    rating("security.pki", 2, ""),
                ],
                "ratings[1].skill: security.pki is not one of the skills this review covers",
            ),
            (
                vec![
                    rating("networking.dns", 3, ""),
                    rating("networking.dns", 4, ""),
                ],
                "ratings[1].skill: networking.dns is rated twice",
            ),
            (
                vec![rating("networking.dns", 3, &"x".repeat(MAX_COMMENT + 1))],
                "ratings[0].comment: must be at most 2000 characters",
            ),
        ];
        for (ratings, expected) in cases {
            let err = ReviewPart { ratings }.check(&skills()).unwrap_err();
            assert_eq!(err.to_string(), expected);
        }
        let bidi = ReviewPart {
            ratings: vec![rating("networking.dns", 3, "a\u{202e}b")],
        };
        assert!(bidi.check(&skills()).is_err());
        let longest = ReviewPart {
            ratings: vec![rating("networking.dns", 3, &"x".repeat(MAX_COMMENT))],
        };
        assert_eq!(longest.check(&skills()), Ok(()));
    }

    #[test]
    fn parts_refuse_bad_json() {
        let bad_level: Result<ReviewPart, _> =
            serde_json::from_str(r#"{"ratings": [{"skill": "networking.dns", "rating": 8}]}"#);
        assert!(bad_level.is_err());
        let typo: Result<ReviewPart, _> = serde_json::from_str(
            r#"{"ratings": [{"skill": "networking.dns", "rating": 3, "coment": ""}]}"#,
        );
        assert!(typo.is_err());
        let good: ReviewPart =
            serde_json::from_str(r#"{"ratings": [{"skill": "networking.dns", "rating": 3}]}"#)
                .unwrap();
        assert_eq!(good.ratings[0].comment, "");
    }

    /// The specification, written out: (from, event) → to, each event by
    /// the party whose part it is.
    const LEGAL: [(ReviewState, ReviewEvent, ReviewState); 4] = [
        (Open, SubmitMenteePart, MenteeDone),
        (Open, SubmitMentorPart, MentorDone),
        (MenteeDone, SubmitMentorPart, Completed),
        (MentorDone, SubmitMenteePart, Completed),
    ];

    #[test]
    fn every_state_event_and_party_is_allowed_or_refused_as_specified() {
        for state in ReviewState::ALL {
            for event in [SubmitMenteePart, SubmitMentorPart] {
                for by in [Party::Mentor, Party::Mentee] {
                    let result = state.next(event, by);
                    if event.part() != by {
                        assert!(
                            matches!(result, Err(CoreError::Forbidden(_))),
                            "{state:?} {event:?} by {by:?}: {result:?}"
                        );
                    } else if let Some((_, _, to)) =
                        LEGAL.iter().find(|(s, e, _)| *s == state && *e == event)
                    {
                        assert_eq!(result, Ok(*to), "{state:?} {event:?} by {by:?}");
                    } else {
                        assert!(
                            matches!(result, Err(CoreError::Conflict(_))),
                            "{state:?} {event:?} by {by:?}: {result:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn review_messages_say_who_and_what() {
        let wrong = Open.next(SubmitMentorPart, Party::Mentee).unwrap_err();
        assert_eq!(
            wrong.to_string(),
            "only the mentor may submit the mentor part"
        );
        let again = MenteeDone
            .next(ReviewEvent::submit(Party::Mentee), Party::Mentee)
            .unwrap_err();
        assert_eq!(
            again.to_string(),
            "the mentee part of this review is submitted already"
        );
    }

    #[test]
    fn states_agree_with_the_parts_that_are_in() {
        for state in ReviewState::ALL {
            assert_eq!(
                ReviewState::from_submitted(
                    state.has_submitted(Party::Mentee),
                    state.has_submitted(Party::Mentor)
                ),
                state
            );
            assert_eq!(ReviewState::parse(state.as_str()), Ok(state));
        }
        assert!(ReviewState::parse("done").is_err());
        assert!(Completed.is_completed() && !MentorDone.is_completed());
        assert_eq!(
            serde_json::to_string(&MenteeDone).unwrap(),
            r#""mentee_done""#
        );
    }

    #[test]
    fn the_other_part_shows_once_the_review_is_completed() {
        for state in [Open, MenteeDone, MentorDone] {
            assert!(state.part_visible_to(Party::Mentee, Party::Mentee));
            assert!(state.part_visible_to(Party::Mentor, Party::Mentor));
            assert!(!state.part_visible_to(Party::Mentor, Party::Mentee));
            assert!(!state.part_visible_to(Party::Mentee, Party::Mentor));
        }
        assert!(Completed.part_visible_to(Party::Mentor, Party::Mentee));
        assert!(Completed.part_visible_to(Party::Mentee, Party::Mentor));
    }

    #[test]
    fn cadences_are_two_to_fifty_two_weeks() {
        assert!(Cadence::new(1).is_err());
        assert!(Cadence::new(53).is_err());
        assert!(Cadence::new(0).is_err());
        assert_eq!(Cadence::new(2).unwrap().every_weeks(), 2);
        assert_eq!(Cadence::new(52), Ok(Cadence::YEARLY));
        for preset in [
            Cadence::MONTHLY,
            Cadence::QUARTERLY,
            Cadence::HALF_YEARLY,
            Cadence::YEARLY,
        ] {
            assert_eq!(Cadence::new(preset.every_weeks()), Ok(preset));
        }
        assert_eq!(Cadence::default(), Cadence::QUARTERLY);
        let err = Cadence::new(60).unwrap_err().to_string();
        assert_eq!(err, "every_weeks: must be 2 to 52 weeks, not 60");
    }

    #[test]
    fn cadences_round_trip_and_refuse_bad_json() {
        let json = serde_json::to_string(&Cadence::QUARTERLY).unwrap();
        assert_eq!(json, r#"{"every_weeks":13}"#);
        assert_eq!(
            serde_json::from_str::<Cadence>(&json).unwrap(),
            Cadence::QUARTERLY
        );
        assert!(serde_json::from_str::<Cadence>(r#"{"every_weeks":0}"#).is_err());
        assert!(serde_json::from_str::<Cadence>(r#"{"every_weeks":4,"x":1}"#).is_err());
    }

    #[test]
    fn the_next_review_is_due_a_period_after_the_last() {
        let started = at("2026-01-05T10:00:00Z");
        let monthly = Cadence::MONTHLY;
        assert_eq!(monthly.next_due(started), at("2026-02-02T10:00:00Z"));
        // Before the first review, the mentorship's start counts.
        assert!(!monthly.is_due(None, started, at("2026-02-02T09:59:59Z")));
        assert!(monthly.is_due(None, started, at("2026-02-02T10:00:00Z")));
        // After one, its completion does.
        let last = at("2026-02-10T08:00:00Z");
        assert!(!monthly.is_due(Some(last), started, at("2026-03-01T00:00:00Z")));
        assert!(monthly.is_due(Some(last), started, at("2026-03-10T08:00:00Z")));
        // Far in the future, the sum does not overflow.
        assert_eq!(
            Cadence::YEARLY.next_due(DateTime::<Utc>::MAX_UTC),
            DateTime::<Utc>::MAX_UTC
        );
    }
}
