//! Partnerships between instances: who may ask, answer and end, and what
//! each step leads to.

use crate::CoreError;

/// Where a partnership with another instance stands, seen from this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Partnership {
    /// No partnership and no request.
    #[default]
    None,
    /// We asked; their answer has not come.
    Requested,
    /// They asked; our admin has not answered.
    Pending,
    /// Partners: profiles and mentoring activities flow both ways.
    Active,
    /// The last request was declined (by either side).
    Declined,
}

/// What can happen to a partnership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnershipEvent {
    /// Our admin asks them.
    WeAsk,
    /// They ask us; `open` when this instance accepts every request.
    TheyAsk { open: bool },
    /// Our admin accepts their request.
    WeAccept,
    /// Our admin declines their request.
    WeDecline,
    /// They accept our request.
    TheyAccept,
    /// They decline our request, or end the partnership we asked for.
    TheyReject,
    /// Our admin ends the partnership or withdraws our request.
    WeEnd,
    /// They end the partnership or withdraw their request.
    TheyEnd,
}

impl Partnership {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Requested => "requested",
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Declined => "declined",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, CoreError> {
        [
            Self::None,
            Self::Requested,
            Self::Pending,
            Self::Active,
            Self::Declined,
        ]
        .into_iter()
        .find(|p| p.as_str() == raw)
        .ok_or_else(|| CoreError::invalid("partnership", format_args!("unknown state {raw:?}")))
    }

    /// The state after `event`, or why the event does not apply now.
    pub fn next(self, event: PartnershipEvent) -> Result<Self, CoreError> {
        use Partnership::{Active, Declined, None, Pending, Requested};
        use PartnershipEvent::{
            TheyAccept, TheyAsk, TheyEnd, TheyReject, WeAccept, WeAsk, WeDecline, WeEnd,
        };
        let refuse = |why: &str| Err(CoreError::invalid("partnership", why));
        match (self, event) {
            (None | Declined | Requested, WeAsk) => Ok(Requested),
            (Pending, WeAsk) => refuse("they have asked already: accept their request instead"),
            (Active, WeAsk) => refuse("the instances are partners already"),

            // Both sides want it: asking each other is agreeing.
            (Requested | Active, TheyAsk { .. }) | (_, TheyAsk { open: true }) => Ok(Active),
            (None | Declined | Pending, TheyAsk { open: false }) => Ok(Pending),

            (Pending, WeAccept) => Ok(Active),
            (Pending, WeDecline) => Ok(Declined),
            (_, WeAccept | WeDecline) => refuse("there is no request from them to answer"),

            (Requested | Active, TheyAccept) => Ok(Active),
            (_, TheyAccept) => refuse("we did not ask them"),

            (Requested, TheyReject) => Ok(Declined),
            (Active, TheyReject) => Ok(None),
            (_, TheyReject) => refuse("there is nothing of ours to reject"),

            (Requested | Pending | Active, WeEnd) => Ok(None),
            (None | Declined, WeEnd) => refuse("there is no partnership or request to end"),

            (Pending | Active, TheyEnd) => Ok(None),
            (_, TheyEnd) => refuse("there is nothing of theirs to end"),
        }
    }

    /// Whether partners' profiles and activities flow.
    pub const fn is_active(self) -> bool {
        matches!(self, Self::Active)
    }
}

#[cfg(test)]
mod tests {
    use super::Partnership::{self, *};
    use super::PartnershipEvent::{self, *};

    const STATES: [Partnership; 5] = [None, Requested, Pending, Active, Declined];
    const EVENTS: [PartnershipEvent; 9] = [
        WeAsk,
        TheyAsk { open: false },
        TheyAsk { open: true },
        WeAccept,
        WeDecline,
        TheyAccept,
        TheyReject,
        WeEnd,
        TheyEnd,
    ];

    /// Every state and event, with what must follow (`Option::None`: refused).
    fn expected(state: Partnership, event: PartnershipEvent) -> Option<Partnership> {
        Some(match (state, event) {
            (None | Declined | Requested, WeAsk) => Requested,
            (Requested | Active, TheyAsk { .. }) => Active,
            (_, TheyAsk { open: true }) => Active,
            (None | Declined | Pending, TheyAsk { open: false }) => Pending,
            (Pending, WeAccept) => Active,
            (Pending, WeDecline) => Declined,
            (Requested | Active, TheyAccept) => Active,
            (Requested, TheyReject) => Declined,
            (Active, TheyReject) => None,
            (Requested | Pending | Active, WeEnd) => None,
            (Pending | Active, TheyEnd) => None,
            _ => return Option::None,
        })
    }

    #[test]
    fn every_transition_is_legal_or_refused_as_specified() {
        for state in STATES {
            for event in EVENTS {
                assert_eq!(
                    state.next(event).ok(),
                    expected(state, event),
                    "{state:?} + {event:?}"
                );
            }
        }
    }

    #[test]
    fn the_usual_paths() {
        // We ask, they accept.
        assert_eq!(
            None.next(WeAsk).and_then(|s| s.next(TheyAccept)),
            Ok(Active)
        );
        // They ask, our admin declines, they ask again, we accept.
        let declined = None
            .next(TheyAsk { open: false })
            .and_then(|s| s.next(WeDecline));
        assert_eq!(declined, Ok(Declined));
        let again = declined.and_then(|s| s.next(TheyAsk { open: false }));
        assert_eq!(again.and_then(|s| s.next(WeAccept)), Ok(Active));
        // Either side ends it.
        assert_eq!(Active.next(WeEnd), Ok(None));
        assert_eq!(Active.next(TheyEnd), Ok(None));
        assert!(Active.is_active() && !Pending.is_active());
    }

    #[test]
    fn states_round_trip_through_their_names() {
        for state in STATES {
            assert_eq!(Partnership::parse(state.as_str()), Ok(state));
        }
        assert!(Partnership::parse("friends").is_err());
    }
}
