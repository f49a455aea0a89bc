//! Recognition: what a member's long-term file adds up to (participation
//! figures), achievements that are earned by rule or awarded by hand, and
//! endorsements between the two parties of a mentorship.
//!
//! # Participation
//!
//! [`participation`] counts [`Fact`]s, the dated items of a long-term file,
//! once in total and once per organization they are credited to. Only what
//! has happened by `as_of` counts: a session planned for next week earns
//! nothing yet.
//!
//! `years_active` is the number of distinct calendar years (UTC) in which
//! the member did something dated: held a session, completed a review, or
//! started or finished a mentorship that got under way. It is not the span
//! from the first to the last activity: someone active in 2019 and again in
//! 2025 has two active years, not seven, so a long silence earns nothing.
//!
//! # Endorsements
//!
//! A member may endorse a skill of the other party of one of their
//! mentorships — someone they mentor or who mentors them — never their own.
//! The mentorship must have got under way and not have been stopped early:
//! endorsing is open while it is active or paused and after it completed;
//! it is refused while it is only requested, and after it was declined,
//! withdrawn or ended. An ended mentorship stopped early, often because it
//! was not working, and an endorsement there would be uninformed or pressed
//! for; a pair that did good work can still endorse through a mentorship
//! that runs its course.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::CoreError;
use crate::mentorship::{MentorshipState, Party};
use crate::skill::SkillKey;
use crate::text::{check_line, check_paragraphs};

/// A check-in the member took part in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFact {
    /// The member's part in the mentorship the session belongs to.
    pub role: Party,
    /// The organization (instance domain) the session is credited to.
    pub organization: String,
    pub minutes: u16,
    pub held_at: DateTime<Utc>,
}

/// A mentorship the member is or was a party of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentorshipFact {
    /// The member's part in it.
    pub role: Party,
    /// The organization (instance domain) the mentorship is credited to.
    pub organization: String,
    /// The other party.
    pub counterpart: Uuid,
    pub state: MentorshipState,
    /// When it got under way (the mentor accepted), if it did.
    pub started: Option<NaiveDate>,
    /// When it completed or ended, if it did.
    pub ended: Option<NaiveDate>,
}

/// A skill review the member completed (the caller passes the reviews that
/// count for the member: as the mentor who reviewed or the mentee reviewed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewFact {
    /// The organization (instance domain) the review is credited to.
    pub organization: String,
    pub at: DateTime<Utc>,
}

/// One dated item of a long-term file, as participation counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    Session(SessionFact),
    Mentorship(MentorshipFact),
    Review(ReviewFact),
}

impl Fact {
    /// The organization it is credited to, trimmed and in lower case, so
    /// `Example.org` and `example.org` count as one.
    fn organization(&self) -> String {
        let raw = match self {
            Self::Session(s) => &s.organization,
            Self::Mentorship(m) => &m.organization,
            Self::Review(r) => &r.organization,
        };
        raw.trim().to_ascii_lowercase()
    }

    /// Whether it counts at all by `as_of`.
    fn counts(&self, as_of: DateTime<Utc>) -> bool {
        match self {
            Self::Session(s) => s.held_at <= as_of,
            Self::Mentorship(m) => got_under_way(m.state),
            Self::Review(r) => r.at <= as_of,
        }
    }
}

/// Whether a mentorship in `state` was ever accepted.
const fn got_under_way(state: MentorshipState) -> bool {
    matches!(
        state,
        MentorshipState::Active
            | MentorshipState::Paused
            | MentorshipState::Completed
            | MentorshipState::Ended
    )
}

/// Participation figures, for all of a member's file or for one
/// organization.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    pub sessions_as_mentor: u32,
    pub sessions_as_mentee: u32,
    pub minutes_as_mentor: u32,
    pub minutes_as_mentee: u32,
    /// Distinct members mentored in mentorships that got under way.
    pub mentees_mentored: u32,
    pub mentorships_completed_as_mentor: u32,
    pub mentorships_completed_as_mentee: u32,
    pub reviews_done: u32,
    /// Distinct calendar years (UTC) with any dated activity.
    pub years_active: u32,
}

impl Figures {
    /// Whole hours of mentoring others (rounded down: 59 minutes are 0 hours).
    pub const fn hours_as_mentor(&self) -> u32 {
        self.minutes_as_mentor / 60
    }

    /// Whole hours of being mentored (rounded down).
    pub const fn hours_as_mentee(&self) -> u32 {
        self.minutes_as_mentee / 60
    }
}

/// What a member's file adds up to, in total and per organization.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Participation {
    pub total: Figures,
    /// Keyed by organization domain, in lower case. Only organizations with
    /// something that counts appear.
    pub by_organization: BTreeMap<String, Figures>,
}

/// Figures in the making: distinct mentees and years are sets until the end.
#[derive(Default)]
struct Tally {
    figures: Figures,
    mentees: BTreeSet<Uuid>,
    years: BTreeSet<i32>,
}

impl Tally {
    /// Adds a fact that counts (see [`Fact::counts`]).
    fn add(&mut self, fact: &Fact, as_of: DateTime<Utc>) {
        let f = &mut self.figures;
        let bump = |n: &mut u32, by: u32| *n = n.saturating_add(by);
        match fact {
            Fact::Session(s) => {
                let (sessions, minutes) = match s.role {
                    Party::Mentor => (&mut f.sessions_as_mentor, &mut f.minutes_as_mentor),
                    Party::Mentee => (&mut f.sessions_as_mentee, &mut f.minutes_as_mentee),
                };
                bump(sessions, 1);
                bump(minutes, u32::from(s.minutes));
                self.years.insert(s.held_at.year());
            }
            Fact::Mentorship(m) => {
                if m.role == Party::Mentor {
                    self.mentees.insert(m.counterpart);
                }
                if m.state == MentorshipState::Completed {
                    bump(
                        match m.role {
                            Party::Mentor => &mut f.mentorships_completed_as_mentor,
                            Party::Mentee => &mut f.mentorships_completed_as_mentee,
                        },
                        1,
                    );
                }
                let today = as_of.date_naive();
                for day in [m.started, m.ended].into_iter().flatten() {
                    if day <= today {
                        self.years.insert(day.year());
                    }
                }
            }
            Fact::Review(r) => {
                bump(&mut f.reviews_done, 1);
                self.years.insert(r.at.year());
            }
        }
    }

    fn finish(self) -> Figures {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Figures {
            mentees_mentored: count(self.mentees.len()),
            years_active: count(self.years.len()),
            ..self.figures
        }
    }
}

/// Adds up a member's file as it stood at `as_of`. Facts dated after it
/// (planned sessions) and mentorships that never got under way (requested,
/// declined, withdrawn) add nothing. Distinct counts (mentees, years) are
/// distinct within each organization and, separately, across the whole
/// file: the total is not the sum of the organizations.
pub fn participation(facts: &[Fact], as_of: DateTime<Utc>) -> Participation {
    let mut total = Tally::default();
    let mut by_organization: BTreeMap<String, Tally> = BTreeMap::new();
    for fact in facts.iter().filter(|f| f.counts(as_of)) {
        total.add(fact, as_of);
        by_organization
            .entry(fact.organization())
            .or_default()
            .add(fact, as_of);
    }
    Participation {
        total: total.finish(),
        by_organization: by_organization
            .into_iter()
            .map(|(org, tally)| (org, tally.finish()))
            .collect(),
    }
}

/// A figure an automatic award can be based on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Metric {
    SessionsAsMentor,
    SessionsAsMentee,
    /// Whole hours of mentoring others.
    HoursAsMentor,
    /// Whole hours of being mentored.
    HoursAsMentee,
    MenteesMentored,
    MentorshipsCompletedAsMentor,
    MentorshipsCompletedAsMentee,
    ReviewsDone,
    YearsActive,
}

impl Metric {
    pub const ALL: [Self; 9] = [
        Self::SessionsAsMentor,
        Self::SessionsAsMentee,
        Self::HoursAsMentor,
        Self::HoursAsMentee,
        Self::MenteesMentored,
        Self::MentorshipsCompletedAsMentor,
        Self::MentorshipsCompletedAsMentee,
        Self::ReviewsDone,
        Self::YearsActive,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SessionsAsMentor => "sessions_as_mentor",
            Self::SessionsAsMentee => "sessions_as_mentee",
            Self::HoursAsMentor => "hours_as_mentor",
            Self::HoursAsMentee => "hours_as_mentee",
            Self::MenteesMentored => "mentees_mentored",
            Self::MentorshipsCompletedAsMentor => "mentorships_completed_as_mentor",
            Self::MentorshipsCompletedAsMentee => "mentorships_completed_as_mentee",
            Self::ReviewsDone => "reviews_done",
            Self::YearsActive => "years_active",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, CoreError> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == raw)
            .ok_or_else(|| CoreError::invalid("metric", format_args!("unknown metric {raw:?}")))
    }

    /// The figure this metric reads.
    pub const fn value(self, figures: &Figures) -> u32 {
        match self {
            Self::SessionsAsMentor => figures.sessions_as_mentor,
            Self::SessionsAsMentee => figures.sessions_as_mentee,
            Self::HoursAsMentor => figures.hours_as_mentor(),
            Self::HoursAsMentee => figures.hours_as_mentee(),
            Self::MenteesMentored => figures.mentees_mentored,
            Self::MentorshipsCompletedAsMentor => figures.mentorships_completed_as_mentor,
            Self::MentorshipsCompletedAsMentee => figures.mentorships_completed_as_mentee,
            Self::ReviewsDone => figures.reviews_done,
            Self::YearsActive => figures.years_active,
        }
    }
}

/// When an achievement is awarded automatically: once `metric` reaches
/// `at_least` (1 or more).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AwardRule {
    pub metric: Metric,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, example = 100))]
    pub at_least: u32,
}

impl AwardRule {
    /// A threshold of 0 would award everyone at once, for nothing.
    pub fn check(&self) -> Result<(), CoreError> {
        if self.at_least == 0 {
            return Err(CoreError::invalid("at_least", "must be at least 1"));
        }
        Ok(())
    }

    /// Whether `figures` meet the rule.
    pub const fn holds(&self, figures: &Figures) -> bool {
        self.metric.value(figures) >= self.at_least
    }
}

/// The achievements whose rule holds for `figures` and that have not been
/// awarded yet, in the order of `definitions`, each once. An automatic
/// award happens once, when its rule first holds; figures that later fall
/// (a mentorship struck from the file) do not take it back.
pub fn newly_earned(
    definitions: &[(Uuid, AwardRule)],
    already_awarded: &BTreeSet<Uuid>,
    figures: &Figures,
) -> Vec<Uuid> {
    let mut earned = Vec::new();
    let mut seen = BTreeSet::new();
    for (id, rule) in definitions {
        if rule.holds(figures) && !already_awarded.contains(id) && seen.insert(*id) {
            earned.push(*id);
        }
    }
    earned
}

/// Something an achievement is aligned with: a skill of the catalog, or an
/// outside framework's entry (`target_url`), or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alignment {
    #[cfg_attr(feature = "openapi", schema(example = "DNS operations"))]
    pub target_name: String,
    /// An `http(s)` URL of the target.
    #[serde(default)]
    pub target_url: Option<String>,
    /// A skill of the catalog.
    #[serde(default)]
    pub skill: Option<SkillKey>,
}

impl Alignment {
    pub const MAX_NAME: usize = 120;
    pub const MAX_URL: usize = 2000;

    fn normalize(mut self) -> Result<Self, CoreError> {
        self.target_name = required_line("target_name", &self.target_name, Self::MAX_NAME)?;
        if let Some(url) = &self.target_url {
            check_line("target_url", url, Self::MAX_URL)?;
            let url = url.trim();
            let rest = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"));
            if !rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
                || url.chars().any(char::is_whitespace)
            {
                return Err(CoreError::invalid(
                    "target_url",
                    "must be an http or https URL",
                ));
            }
            self.target_url = Some(url.to_owned());
        }
        if self.target_url.is_none() && self.skill.is_none() {
            return Err(CoreError::invalid("", "needs a target_url or a skill"));
        }
        Ok(self)
    }
}

/// An achievement an organization offers: awarded automatically when it has
/// a rule, by hand otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AchievementDefinition {
    #[cfg_attr(feature = "openapi", schema(example = "100 hours of mentoring"))]
    pub name: String,
    pub description: String,
    /// What one does to earn it, in words.
    pub criteria_narrative: String,
    #[serde(default)]
    pub alignment: Vec<Alignment>,
    #[serde(default)]
    pub rule: Option<AwardRule>,
}

impl AchievementDefinition {
    pub const MAX_NAME: usize = 120;
    pub const MAX_TEXT: usize = 2000;
    pub const MAX_ALIGNMENTS: usize = 20;

    /// Checks every rule and trims the texts; the first broken rule is the
    /// error, naming its field.
    pub fn normalize(mut self) -> Result<Self, CoreError> {
        self.name = required_line("name", &self.name, Self::MAX_NAME)?;
        self.description = required_paragraphs("description", &self.description, Self::MAX_TEXT)?;
        self.criteria_narrative = required_paragraphs(
            "criteria_narrative",
            &self.criteria_narrative,
            Self::MAX_TEXT,
        )?;
        if self.alignment.len() > Self::MAX_ALIGNMENTS {
            return Err(CoreError::invalid(
                "alignment",
                format_args!("at most {} entries", Self::MAX_ALIGNMENTS),
            ));
        }
        self.alignment = self
            .alignment
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                a.normalize()
                    .map_err(|e| e.within(&format!("alignment[{i}]")))
            })
            .collect::<Result<_, _>>()?;
        if let Some(rule) = &self.rule {
            rule.check().map_err(|e| e.within("rule"))?;
        }
        Ok(self)
    }
}

/// The two parties of a mentorship and where it stands, as endorsing needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pairing {
    pub mentor: Uuid,
    pub mentee: Uuid,
    pub state: MentorshipState,
}

/// Whether a mentorship in `state` allows its parties to endorse each other:
/// active, paused or completed.
pub const fn allows_endorsing(state: MentorshipState) -> bool {
    matches!(
        state,
        MentorshipState::Active | MentorshipState::Paused | MentorshipState::Completed
    )
}

/// Whether `endorser` may endorse a skill of `subject` through `pairing`:
/// `Forbidden` for oneself or for anyone but the other party, `Conflict`
/// when the mentorship is not in a state that allows it (see the module
/// documentation). Whether the skill exists is for the caller to check
/// against the catalog.
pub fn check_endorsement(
    endorser: Uuid,
    subject: Uuid,
    pairing: &Pairing,
) -> Result<(), CoreError> {
    if endorser == subject {
        return Err(CoreError::Forbidden(
            "no one can endorse their own skills".into(),
        ));
    }
    let parties = (pairing.mentor, pairing.mentee);
    if parties != (endorser, subject) && parties != (subject, endorser) {
        return Err(CoreError::Forbidden(
            "only the mentor and the mentee of a mentorship can endorse each other through it"
                .into(),
        ));
    }
    if !allows_endorsing(pairing.state) {
        return Err(CoreError::Conflict(format!(
            "endorsements are given in a mentorship that is active, paused or completed; this one is {}",
            pairing.state.as_str()
        )));
    }
    Ok(())
}

/// What an endorser says about one skill of the person they endorse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Endorsement {
    pub skill: SkillKey,
    /// One paragraph, 1 to 500 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Ran our DNSSEC rollover calmly and by the book.")
    )]
    pub text: String,
}

impl Endorsement {
    pub const MAX_TEXT: usize = 500;

    /// Checks the text (one paragraph, no line breaks) and trims it.
    pub fn normalize(mut self) -> Result<Self, CoreError> {
        self.text = required_line("text", &self.text, Self::MAX_TEXT)?;
        Ok(self)
    }
}

/// A one-line text that must not be empty, trimmed.
pub(crate) fn required_line(field: &str, value: &str, max: usize) -> Result<String, CoreError> {
    check_line(field, value, max)?;
    non_empty(field, value)
}

/// A text of paragraphs that must not be empty, trimmed.
pub(crate) fn required_paragraphs(
    field: &str,
    value: &str,
    max: usize,
) -> Result<String, CoreError> {
    check_paragraphs(field, value, max)?;
    non_empty(field, value)
}

fn non_empty(field: &str, value: &str) -> Result<String, CoreError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(CoreError::invalid(field, "must not be empty"));
    }
    Ok(trimmed.to_owned())
}

/// The issuer a credential names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuerNamed {
    /// The issuer profile's URL (an instance actor, for Trellis).
    pub id: Option<String>,
    pub name: Option<String>,
}

/// What checking a credential found. Names and ids are what the
/// credential states; they are vouched for only when `signature_valid`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CredentialCheck {
    /// The signature, the dates and the revocation status all check out,
    /// and nothing else is wrong.
    pub verified: bool,
    pub issuer: IssuerNamed,
    /// Whom the credential is about (a member's actor URL).
    pub subject: Option<String>,
    /// The credential's id (its URL).
    pub credential_id: Option<String>,
    pub name: Option<String>,
    pub achievement_name: Option<String>,
    /// The `kid` the credential names.
    pub key_id: Option<String>,
    pub signature_valid: bool,
    /// Revoked by its issuer; `None` when that could not be checked.
    pub revoked: Option<bool>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
    pub expired: bool,
    pub not_yet_valid: bool,
    /// Each problem found, in plain words.
    pub problems: Vec<String>,
}

impl CredentialCheck {
    /// Sets `verified` from the rest: a valid signature, not revoked, within
    /// its dates, and no problem.
    pub fn conclude(mut self) -> Self {
        self.verified = self.problems.is_empty()
            && self.signature_valid
            && self.revoked == Some(false)
            && !self.expired
            && !self.not_yet_valid;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(raw)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn day(raw: &str) -> NaiveDate {
        NaiveDate::parse_from_str(raw, "%Y-%m-%d").unwrap()
    }

    fn session(role: Party, org: &str, minutes: u16, held_at: &str) -> Fact {
        Fact::Session(SessionFact {
            role,
            organization: org.into(),
            minutes,
            held_at: at(held_at),
        })
    }

    fn mentorship(
        role: Party,
        org: &str,
        counterpart: u128,
        state: MentorshipState,
        started: Option<&str>,
        ended: Option<&str>,
    ) -> Fact {
        Fact::Mentorship(MentorshipFact {
            role,
            organization: org.into(),
            counterpart: Uuid::from_u128(counterpart),
            state,
            started: started.map(day),
            ended: ended.map(day),
        })
    }

    fn review(org: &str, when: &str) -> Fact {
        Fact::Review(ReviewFact {
            organization: org.into(),
            at: at(when),
        })
    }

    const NOW: &str = "2026-06-01T00:00:00Z";

    #[test]
    fn an_empty_file_adds_up_to_nothing() {
        assert_eq!(participation(&[], at(NOW)), Participation::default());
    }

    #[test]
    fn sessions_count_by_role_in_total_and_per_organization() {
        let facts = [
            session(Party::Mentor, "a.example", 45, "2025-01-10T10:00:00Z"),
            session(Party::Mentor, "A.Example ", 30, "2025-02-10T10:00:00Z"),
            session(Party::Mentee, "b.example", 60, "2026-03-01T10:00:00Z"),
        ];
        let p = participation(&facts, at(NOW));
        assert_eq!(p.total.sessions_as_mentor, 2);
        assert_eq!(p.total.minutes_as_mentor, 75);
        assert_eq!(p.total.hours_as_mentor(), 1);
        assert_eq!(p.total.sessions_as_mentee, 1);
        assert_eq!(p.total.hours_as_mentee(), 1);
        assert_eq!(p.total.years_active, 2);
        assert_eq!(
            p.by_organization.keys().collect::<Vec<_>>(),
            ["a.example", "b.example"]
        );
        let a = p.by_organization["a.example"];
        assert_eq!((a.sessions_as_mentor, a.minutes_as_mentor), (2, 75));
        assert_eq!((a.sessions_as_mentee, a.years_active), (0, 1));
        assert_eq!(p.by_organization["b.example"].minutes_as_mentee, 60);
    }

    #[test]
    fn hours_are_whole_hours_rounded_down() {
        let f = Figures {
            minutes_as_mentor: 119,
            minutes_as_mentee: 59,
            ..Figures::default()
        };
        assert_eq!((f.hours_as_mentor(), f.hours_as_mentee()), (1, 0));
    }

    #[test]
    fn what_has_not_happened_yet_does_not_count() {
        let facts = [
            session(Party::Mentor, "a.example", 45, "2026-06-02T10:00:00Z"),
            review("a.example", "2027-01-01T00:00:00Z"),
            mentorship(
                Party::Mentor,
                "b.example",
                1,
                MentorshipState::Active,
                Some("2026-05-01"),
                None,
            ),
        ];
        let p = participation(&facts, at(NOW));
        assert_eq!(p.total.sessions_as_mentor, 0);
        assert_eq!(p.total.reviews_done, 0);
        assert_eq!(p.total.mentees_mentored, 1);
        assert_eq!(p.total.years_active, 1);
        // Only organizations with something that counts are listed.
        assert_eq!(p.by_organization.keys().collect::<Vec<_>>(), ["b.example"]);
        // A session at the very instant counts.
        let now = [session(Party::Mentor, "a.example", 45, NOW)];
        assert_eq!(participation(&now, at(NOW)).total.sessions_as_mentor, 1);
    }

    #[test]
    fn mentorships_count_mentees_once_and_completions_by_role() {
        use MentorshipState::{Active, Completed, Declined, Ended, Paused, Requested, Withdrawn};
        let facts = [
            mentorship(
                Party::Mentor,
                "a.example",
                1,
                Completed,
                Some("2023-01-01"),
                Some("2023-12-01"),
            ),
            // The same mentee again, at another organization.
            mentorship(
                Party::Mentor,
                "b.example",
                1,
                Active,
                Some("2024-02-01"),
                None,
            ),
            mentorship(
                Party::Mentor,
                "a.example",
                2,
                Ended,
                Some("2024-03-01"),
                Some("2024-04-01"),
            ),
            mentorship(
                Party::Mentor,
                "a.example",
                3,
                Paused,
                Some("2024-05-01"),
                None,
            ),
            // Never got under way: no mentee, no year.
            mentorship(Party::Mentor, "a.example", 4, Requested, None, None),
            mentorship(
                Party::Mentor,
                "a.example",
                5,
                Declined,
                None,
                Some("2019-01-01"),
            ),
            mentorship(
                Party::Mentor,
                "a.example",
                6,
                Withdrawn,
                None,
                Some("2018-01-01"),
            ),
            mentorship(
                Party::Mentee,
                "a.example",
                7,
                Completed,
                Some("2021-01-01"),
                Some("2022-06-01"),
            ),
        ];
        let p = participation(&facts, at(NOW));
        assert_eq!(p.total.mentees_mentored, 3);
        assert_eq!(p.total.mentorships_completed_as_mentor, 1);
        assert_eq!(p.total.mentorships_completed_as_mentee, 1);
        assert_eq!(p.total.years_active, 4, "2021, 2022, 2023, 2024");
        assert_eq!(p.by_organization["a.example"].mentees_mentored, 3);
        assert_eq!(p.by_organization["b.example"].mentees_mentored, 1);
        // Distinct counts are not summed across organizations.
        assert_eq!(p.by_organization["b.example"].years_active, 1);
        assert_eq!(p.by_organization["a.example"].years_active, 4);
    }

    #[test]
    fn years_active_are_distinct_years_not_a_span() {
        let facts = [
            review("a.example", "2019-03-01T00:00:00Z"),
            review("a.example", "2019-11-01T00:00:00Z"),
            session(Party::Mentee, "a.example", 30, "2025-12-31T23:59:59Z"),
        ];
        let p = participation(&facts, at(NOW));
        assert_eq!(p.total.reviews_done, 2);
        assert_eq!(p.total.years_active, 2);
    }

    fn rule(metric: Metric, at_least: u32) -> AwardRule {
        AwardRule { metric, at_least }
    }

    #[test]
    fn every_metric_reads_its_own_figure() {
        let f = Figures {
            sessions_as_mentor: 1,
            sessions_as_mentee: 2,
            minutes_as_mentor: 3 * 60,
            minutes_as_mentee: 4 * 60 + 59,
            mentees_mentored: 5,
            mentorships_completed_as_mentor: 6,
            mentorships_completed_as_mentee: 7,
            reviews_done: 8,
            years_active: 9,
        };
        for (n, metric) in (1..).zip(Metric::ALL) {
            assert_eq!(metric.value(&f), n, "{metric:?}");
            assert!(rule(metric, n).holds(&f), "{metric:?}");
            assert!(!rule(metric, n + 1).holds(&f), "{metric:?}");
            assert_eq!(Metric::parse(metric.as_str()), Ok(metric));
            assert_eq!(
                serde_json::to_value(metric).unwrap(),
                serde_json::json!(metric.as_str())
            );
        }
        assert!(Metric::parse("karma").is_err());
    }

    #[test]
    fn a_rule_needs_a_threshold_of_at_least_one() {
        assert_eq!(rule(Metric::ReviewsDone, 1).check(), Ok(()));
        assert_eq!(
            rule(Metric::ReviewsDone, 0).check(),
            Err(CoreError::invalid("at_least", "must be at least 1"))
        );
    }

    #[test]
    fn automatic_awards_happen_once_when_the_rule_first_holds() {
        let ten_sessions = Uuid::from_u128(1);
        let hundred_hours = Uuid::from_u128(2);
        let first_review = Uuid::from_u128(3);
        let definitions = [
            (ten_sessions, rule(Metric::SessionsAsMentor, 10)),
            (hundred_hours, rule(Metric::HoursAsMentor, 100)),
            (first_review, rule(Metric::ReviewsDone, 1)),
            // A duplicated definition is earned once.
            (first_review, rule(Metric::ReviewsDone, 1)),
        ];
        let mut awarded = BTreeSet::new();
        let mut figures = Figures {
            sessions_as_mentor: 9,
            minutes_as_mentor: 100 * 60 - 1,
            reviews_done: 1,
            ..Figures::default()
        };
        assert_eq!(
            newly_earned(&definitions, &awarded, &figures),
            [first_review]
        );
        awarded.insert(first_review);
        assert!(newly_earned(&definitions, &awarded, &figures).is_empty());
        figures.sessions_as_mentor = 10;
        figures.minutes_as_mentor += 1;
        assert_eq!(
            newly_earned(&definitions, &awarded, &figures),
            [ten_sessions, hundred_hours]
        );
        awarded.extend([ten_sessions, hundred_hours]);
        figures.sessions_as_mentor = 50;
        assert!(newly_earned(&definitions, &awarded, &figures).is_empty());
    }

    fn definition() -> AchievementDefinition {
        AchievementDefinition {
            name: "  100 hours of mentoring ".into(),
            description: " A hundred hours given to others.\nThank you. ".into(),
            criteria_narrative: "Log 100 hours of sessions as a mentor.".into(),
            alignment: vec![
                Alignment {
                    target_name: " DNS operations ".into(),
                    target_url: None,
                    skill: Some(SkillKey::parse("networking.dns").unwrap()),
                },
                Alignment {
                    target_name: "Mentoring".into(),
                    target_url: Some(" https://framework.example/mentoring ".into()),
                    skill: None,
                },
            ],
            rule: Some(rule(Metric::HoursAsMentor, 100)),
        }
    }

    #[test]
    fn a_good_definition_is_trimmed() {
        let d = definition().normalize().unwrap();
        assert_eq!(d.name, "100 hours of mentoring");
        assert_eq!(
            d.description,
            "A hundred hours given to others.\nThank you."
        );
        assert_eq!(d.alignment[0].target_name, "DNS operations");
        assert_eq!(
            d.alignment[1].target_url.as_deref(),
            Some("https://framework.example/mentoring")
        );
        let manual = AchievementDefinition {
            alignment: vec![],
            rule: None,
            ..definition()
        };
        assert!(manual.normalize().is_ok());
    }

    #[test]
    fn each_definition_rule_names_its_field() {
        type BreakIt = fn(&mut AchievementDefinition);
        let cases: [(BreakIt, &str); 14] = [
            (|d| d.name = "  ".into(), "name"),
            (|d| d.name = "x".repeat(121), "name"),
            (|d| d.name = "two\nlines".into(), "name"),
            (|d| d.description = String::new(), "description"),
            (|d| d.description = "x".repeat(2001), "description"),
            (|d| d.criteria_narrative = "\n".into(), "criteria_narrative"),
            (
                |d| d.criteria_narrative = "x".repeat(2001),
                "criteria_narrative",
            ),
            (
                |d| d.alignment = vec![d.alignment[0].clone(); 21],
                "alignment",
            ),
            (
                |d| d.alignment[0].target_name = String::new(),
                "alignment[0].target_name",
            ),
            (
                |d| d.alignment[1].target_url = Some("ftp://x.example".into()),
                "alignment[1].target_url",
            ),
            (
                |d| d.alignment[1].target_url = Some("https://".into()),
                "alignment[1].target_url",
            ),
            (
                |d| d.alignment[1].target_url = Some("https://a b.example".into()),
                "alignment[1].target_url",
            ),
            (|d| d.alignment[1].target_url = None, "alignment[1]"),
            (
                |d| d.rule = Some(rule(Metric::YearsActive, 0)),
                "rule.at_least",
            ),
        ];
        for (break_it, field) in cases {
            let mut d = definition();
            break_it(&mut d);
            match d.normalize() {
                Err(CoreError::Invalid { field: got, .. }) => assert_eq!(got, field),
                other => panic!("{field}: {other:?}"),
            }
        }
        // Exactly at the limits is fine.
        let mut d = definition();
        d.name = "x".repeat(120);
        d.description = "x".repeat(2000);
        d.criteria_narrative = "x".repeat(2000);
        d.alignment = vec![d.alignment[0].clone(); 20];
        assert!(d.normalize().is_ok());
    }

    #[test]
    fn definitions_refuse_unknown_fields() {
        let json = serde_json::json!({
            "name": "n", "description": "d", "criteria_narrative": "c", "points": 3
        });
        assert!(serde_json::from_value::<AchievementDefinition>(json).is_err());
        let json = serde_json::json!({
            "name": "n", "description": "d", "criteria_narrative": "c",
            "rule": {"metric": "reviews_done", "at_least": 5}
        });
        let d: AchievementDefinition = serde_json::from_value(json).unwrap();
        assert_eq!(d.rule, Some(rule(Metric::ReviewsDone, 5)));
    }

    const MENTOR: Uuid = Uuid::from_u128(10);
    const MENTEE: Uuid = Uuid::from_u128(11);
    const STRANGER: Uuid = Uuid::from_u128(12);

    fn pairing(state: MentorshipState) -> Pairing {
        Pairing {
            mentor: MENTOR,
            mentee: MENTEE,
            state,
        }
    }

    #[test]
    fn the_parties_endorse_each_other_while_active_paused_or_completed() {
        for state in MentorshipState::ALL {
            for (endorser, subject) in [(MENTOR, MENTEE), (MENTEE, MENTOR)] {
                let result = check_endorsement(endorser, subject, &pairing(state));
                if matches!(
                    state,
                    MentorshipState::Active | MentorshipState::Paused | MentorshipState::Completed
                ) {
                    assert_eq!(result, Ok(()), "{state:?}");
                } else {
                    assert!(
                        matches!(result, Err(CoreError::Conflict(_))),
                        "{state:?}: {result:?}"
                    );
                }
            }
        }
        let ended = check_endorsement(MENTOR, MENTEE, &pairing(MentorshipState::Ended))
            .unwrap_err()
            .to_string();
        assert_eq!(
            ended,
            "endorsements are given in a mentorship that is active, paused or completed; this one is ended"
        );
    }

    #[test]
    fn no_one_endorses_themselves_or_outside_the_pairing() {
        let active = pairing(MentorshipState::Active);
        for (endorser, subject) in [
            (MENTOR, MENTOR),
            (MENTEE, MENTEE),
            (STRANGER, MENTEE),
            (MENTOR, STRANGER),
            (STRANGER, STRANGER),
        ] {
            assert!(
                matches!(
                    check_endorsement(endorser, subject, &active),
                    Err(CoreError::Forbidden(_))
                ),
                "{endorser} → {subject}"
            );
        }
        // Who comes before when: a stranger is refused whatever the state.
        assert!(matches!(
            check_endorsement(STRANGER, MENTEE, &pairing(MentorshipState::Declined)),
            Err(CoreError::Forbidden(_))
        ));
        let own = check_endorsement(MENTOR, MENTOR, &active)
            .unwrap_err()
            .to_string();
        assert_eq!(own, "no one can endorse their own skills");
    }

    #[test]
    fn endorsement_text_is_one_paragraph_of_1_to_500_characters() {
        let skill = SkillKey::parse("networking.dns").unwrap();
        let with = |text: &str| Endorsement {
            skill: skill.clone(),
            text: text.into(),
        };
        assert_eq!(
            with("  Calm and precise. ").normalize().unwrap().text,
            "Calm and precise."
        );
        assert!(with(&"x".repeat(500)).normalize().is_ok());
        for bad in ["", "   ", "one\n\ntwo", "line\nbreak", "\u{202E}evil"] {
            assert!(with(bad).normalize().is_err(), "{bad:?}");
        }
        assert!(with(&"x".repeat(501)).normalize().is_err());
        let json = serde_json::json!({"skill": "networking.dns", "text": "t", "stars": 5});
        assert!(serde_json::from_value::<Endorsement>(json).is_err());
    }

    #[test]
    fn a_check_is_verified_only_when_everything_holds() {
        let good = CredentialCheck {
            signature_valid: true,
            revoked: Some(false),
            ..CredentialCheck::default()
        };
        assert!(good.clone().conclude().verified);
        let cases: [fn(&mut CredentialCheck); 5] = [
            |c| c.signature_valid = false,
            |c| c.revoked = Some(true),
            |c| c.revoked = None,
            |c| c.expired = true,
            |c| c.problems.push("the key could not be fetched".into()),
        ];
        for break_it in cases {
            let mut check = good.clone();
            break_it(&mut check);
            assert!(!check.conclude().verified);
        }
    }
}
