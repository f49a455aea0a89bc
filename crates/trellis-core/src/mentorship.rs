//! Mentorships: the states a pairing goes through, and who may move it.

use serde::{Deserialize, Serialize};

use crate::CoreError;
use crate::profile::MentorSettings;

/// Whether a mentor has room for one more mentee: they must offer
/// mentoring, accept new mentees, and hold fewer places than their capacity.
pub fn check_room(mentor: &MentorSettings, places_held: u32) -> Result<(), CoreError> {
    if !mentor.offers_mentoring || !mentor.accepting_mentees {
        return Err(CoreError::Conflict(
            "the mentor is not taking new mentees now".into(),
        ));
    }
    if places_held >= u32::from(mentor.capacity) {
        return Err(CoreError::Conflict(format!(
            "the mentor is full: {places_held} of {} places are taken",
            mentor.capacity
        )));
    }
    Ok(())
}

/// Where a mentorship stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MentorshipState {
    /// The mentee asked; the mentor has not answered.
    Requested,
    Active,
    Paused,
    /// The mentor said no.
    Declined,
    /// The mentee took the request back before an answer.
    Withdrawn,
    /// Finished as planned.
    Completed,
    /// Stopped early.
    Ended,
}

/// One of the two parties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Party {
    Mentor,
    Mentee,
}

/// What a party can do to a mentorship.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Transition {
    Accept,
    Decline,
    Withdraw,
    Pause,
    Resume,
    Complete,
    End,
}

impl MentorshipState {
    pub const ALL: [Self; 7] = [
        Self::Requested,
        Self::Active,
        Self::Paused,
        Self::Declined,
        Self::Withdrawn,
        Self::Completed,
        Self::Ended,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Declined => "declined",
            Self::Withdrawn => "withdrawn",
            Self::Completed => "completed",
            Self::Ended => "ended",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, CoreError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| CoreError::invalid("state", format_args!("unknown state {raw:?}")))
    }

    /// Whether the mentorship is over (no transition leads out).
    pub const fn is_final(self) -> bool {
        matches!(
            self,
            Self::Declined | Self::Withdrawn | Self::Completed | Self::Ended
        )
    }

    /// Whether it takes one of the mentor's places (capacity).
    pub const fn holds_a_place(self) -> bool {
        matches!(self, Self::Active | Self::Paused)
    }

    /// Whether it is open: asked for or under way.
    pub const fn is_open(self) -> bool {
        matches!(self, Self::Requested | Self::Active | Self::Paused)
    }

    /// The state after `transition` by `by`, or why it is not allowed: a
    /// `Forbidden` error when the other party must do it, a `Conflict`
    /// when the mentorship is not in a state it applies to.
    pub fn next(self, transition: Transition, by: Party) -> Result<Self, CoreError> {
        use MentorshipState::{Active, Completed, Declined, Ended, Paused, Requested, Withdrawn};
        use Transition::{Accept, Complete, Decline, End, Pause, Resume, Withdraw};
        let (to, only) = match (self, transition) {
            (Requested, Accept) => (Active, Some(Party::Mentor)),
            (Requested, Decline) => (Declined, Some(Party::Mentor)),
            (Requested, Withdraw) => (Withdrawn, Some(Party::Mentee)),
            (Active, Pause) => (Paused, None),
            (Paused, Resume) => (Active, None),
            (Active | Paused, Complete) => (Completed, None),
            (Active | Paused, End) => (Ended, None),
            (state, transition) => {
                return Err(CoreError::Conflict(format!(
                    "a mentorship that is {} cannot be {}",
                    state.as_str(),
                    transition.past_tense()
                )));
            }
        };
        match only {
            Some(party) if party != by => Err(CoreError::Forbidden(format!(
                "only the {} may {} it",
                party.as_str(),
                transition.as_str()
            ))),
            _ => Ok(to),
        }
    }
}

impl Party {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Mentor => "mentor",
            Self::Mentee => "mentee",
        }
    }

    pub const fn other(self) -> Self {
        match self {
            Self::Mentor => Self::Mentee,
            Self::Mentee => Self::Mentor,
        }
    }
}

impl Transition {
    pub const ALL: [Self; 7] = [
        Self::Accept,
        Self::Decline,
        Self::Withdraw,
        Self::Pause,
        Self::Resume,
        Self::Complete,
        Self::End,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Decline => "decline",
            Self::Withdraw => "withdraw",
            Self::Pause => "pause",
            Self::Resume => "resume",
            Self::Complete => "complete",
            Self::End => "end",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, CoreError> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == raw)
            .ok_or_else(|| {
                CoreError::invalid("transition", format_args!("unknown transition {raw:?}"))
            })
    }

    const fn past_tense(self) -> &'static str {
        match self {
            Self::Accept => "accepted",
            Self::Decline => "declined",
            Self::Withdraw => "withdrawn",
            Self::Pause => "paused",
            Self::Resume => "resumed",
            Self::Complete => "completed",
            Self::End => "ended",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::MentorshipState::*;
    use super::Transition::*;
    use super::*;

    /// The specification, written out: (from, transition, who may) → to.
    const LEGAL: [(MentorshipState, Transition, Option<Party>, MentorshipState); 9] = [
        (Requested, Accept, Some(Party::Mentor), Active),
        (Requested, Decline, Some(Party::Mentor), Declined),
        (Requested, Withdraw, Some(Party::Mentee), Withdrawn),
        (Active, Pause, None, Paused),
        (Paused, Resume, None, Active),
        (Active, Complete, None, Completed),
        (Paused, Complete, None, Completed),
        (Active, End, None, Ended),
        (Paused, End, None, Ended),
    ];

    #[test]
    fn every_state_transition_and_party_is_allowed_or_refused_as_specified() {
        for state in MentorshipState::ALL {
            for transition in Transition::ALL {
                for by in [Party::Mentor, Party::Mentee] {
                    let result = state.next(transition, by);
                    match LEGAL
                        .iter()
                        .find(|(s, t, _, _)| *s == state && *t == transition)
                    {
                        Some((_, _, only, to)) if only.is_none_or(|p| p == by) => {
                            assert_eq!(result, Ok(*to), "{state:?} {transition:?} by {by:?}");
                        }
                        Some(_) => assert!(
                            matches!(result, Err(CoreError::Forbidden(_))),
                            "{state:?} {transition:?} by {by:?}: {result:?}"
                        ),
                        None => assert!(
                            matches!(result, Err(CoreError::Conflict(_))),
                            "{state:?} {transition:?} by {by:?}: {result:?}"
                        ),
                    }
                }
            }
        }
    }

    #[test]
    fn final_states_lead_nowhere() {
        for state in MentorshipState::ALL.into_iter().filter(|s| s.is_final()) {
            for transition in Transition::ALL {
                assert!(state.next(transition, Party::Mentor).is_err());
                assert!(state.next(transition, Party::Mentee).is_err());
            }
        }
        assert!(Active.holds_a_place() && Paused.holds_a_place() && !Requested.holds_a_place());
    }

    #[test]
    fn messages_say_who_and_what() {
        let wrong = Requested
            .next(Accept, Party::Mentee)
            .unwrap_err()
            .to_string();
        assert_eq!(wrong, "only the mentor may accept it");
        let late = Completed
            .next(Pause, Party::Mentor)
            .unwrap_err()
            .to_string();
        assert_eq!(late, "a mentorship that is completed cannot be paused");
    }

    #[test]
    fn room_needs_an_open_and_not_full_mentor() {
        let open = MentorSettings {
            offers_mentoring: true,
            accepting_mentees: true,
            capacity: 2,
            hours_per_month: 2,
        };
        assert_eq!(check_room(&open, 1), Ok(()));
        let full = check_room(&open, 2).unwrap_err().to_string();
        assert_eq!(full, "the mentor is full: 2 of 2 places are taken");
        let closed = MentorSettings {
            accepting_mentees: false,
            ..open
        };
        assert!(matches!(
            check_room(&closed, 0),
            Err(CoreError::Conflict(_))
        ));
    }

    #[test]
    fn names_round_trip() {
        for state in MentorshipState::ALL {
            assert_eq!(MentorshipState::parse(state.as_str()), Ok(state));
        }
        for transition in Transition::ALL {
            assert_eq!(Transition::parse(transition.as_str()), Ok(transition));
        }
        assert!(Transition::parse("approve").is_err());
    }
}
