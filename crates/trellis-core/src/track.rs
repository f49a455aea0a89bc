//! Career tracks and induction cycles: ordered ranks, cycles of ordered
//! stages each with its committee, nominations, and the append-only log of
//! stage decisions that says where each nomination stands.
//!
//! # Decisions
//!
//! A nomination starts at the first stage. At each stage one member of that
//! stage's committee records the committee's decision, with a rationale:
//!
//! - **advance** moves it to the next stage, or inducts the nominee into the
//!   target rank at the last stage;
//! - **reject** closes it at that stage;
//! - **defer** keeps it in the same stage, to be decided again later in the
//!   cycle; the deferral is recorded in the log. A nomination still in a
//!   stage when the cycle is over was not decided: the nominee may be
//!   nominated again in a later cycle.
//!
//! The nominee and the sponsor never decide on their own nomination, even
//! when they sit on the committee (recusal). Stages are numbered from 0 in
//! data and from 1 in messages.
//!
//! The log ([`LogEntry`]) is the source of truth: [`replay`] derives the
//! state from it, and [`record`] checks a new decision against it and
//! returns the entry to append.
//!
//! # Who reads the log
//!
//! The nominee, and every member of any stage's committee of the cycle
//! ([`may_read_log`]). The sponsor does not: rationales are about the
//! nominee's career and are theirs to share. The sponsor sees where the
//! nomination stands ([`may_see_state`]). Program admins are the caller's
//! concern.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::CoreError;
use crate::recognition::{required_line, required_paragraphs};

pub const MAX_NAME: usize = 120;
pub const MAX_DESCRIPTION: usize = 2000;
pub const MAX_RANKS: usize = 20;
pub const MAX_STAGES: usize = 10;
pub const MAX_COMMITTEE: usize = 100;
pub const MAX_STATEMENT: usize = 5000;
pub const MAX_EVIDENCE: usize = 50;
pub const MAX_RATIONALE: usize = 2000;

/// One rank of a career track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rank {
    #[cfg_attr(feature = "openapi", schema(example = "Distinguished engineer"))]
    pub name: String,
    pub description: String,
}

/// A career track: ranks from the first (lowest) to the last (highest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CareerTrack {
    #[cfg_attr(feature = "openapi", schema(example = "Technical leadership"))]
    pub name: String,
    pub description: String,
    pub ranks: Vec<Rank>,
}

impl CareerTrack {
    /// Checks every rule and trims the texts: 1 to 20 ranks, their names
    /// unique regardless of case.
    pub fn normalize(mut self) -> Result<Self, CoreError> {
        self.name = required_line("name", &self.name, MAX_NAME)?;
        self.description = required_paragraphs("description", &self.description, MAX_DESCRIPTION)?;
        check_count("ranks", self.ranks.len(), 1, MAX_RANKS)?;
        for (i, rank) in self.ranks.iter_mut().enumerate() {
            let field = format!("ranks[{i}]");
            rank.name =
                required_line("name", &rank.name, MAX_NAME).map_err(|e| e.within(&field))?;
            rank.description =
                required_paragraphs("description", &rank.description, MAX_DESCRIPTION)
                    .map_err(|e| e.within(&field))?;
        }
        check_unique_names("ranks", self.ranks.iter().map(|r| r.name.as_str()))?;
        Ok(self)
    }

    /// The position of the rank called `name` (case and surrounding spaces
    /// ignored), 0 being the first.
    pub fn rank_index(&self, name: &str) -> Option<usize> {
        let wanted = name.trim().to_lowercase();
        self.ranks
            .iter()
            .position(|r| r.name.to_lowercase() == wanted)
    }

    /// Whether a member holding `held` (or no rank) may be nominated for
    /// `target`: it must be a rank of the track above the one they hold.
    pub fn check_step(&self, held: Option<&str>, target: &str) -> Result<(), CoreError> {
        let target_index = self
            .rank_index(target)
            .ok_or_else(|| unknown_rank(target))?;
        if let Some(held) = held {
            let held_index = self.rank_index(held).ok_or_else(|| unknown_rank(held))?;
            if target_index <= held_index {
                return Err(CoreError::Conflict(format!(
                    "the nominee already holds {held:?}, which is not below {target:?}"
                )));
            }
        }
        Ok(())
    }
}

fn unknown_rank(name: &str) -> CoreError {
    CoreError::invalid(
        "target_rank",
        format_args!("{name:?} is not a rank of this track"),
    )
}

/// One stage of a cycle and the committee that decides at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stage {
    #[cfg_attr(feature = "openapi", schema(example = "Global committee"))]
    pub name: String,
    pub committee: Vec<Uuid>,
}

/// An induction cycle: nominations are taken from `opens` to `closes`
/// (both included), and decided stage by stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cycle {
    #[cfg_attr(feature = "openapi", schema(example = "Spring 2027"))]
    pub name: String,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
    pub stages: Vec<Stage>,
}

impl Cycle {
    /// Checks every rule and trims the names: `closes` after `opens`, 1 to
    /// 10 stages with unique names, each with a committee of 1 to 100
    /// members named once.
    pub fn normalize(mut self) -> Result<Self, CoreError> {
        self.name = required_line("name", &self.name, MAX_NAME)?;
        if self.closes <= self.opens {
            return Err(CoreError::invalid("closes", "must be after opens"));
        }
        check_count("stages", self.stages.len(), 1, MAX_STAGES)?;
        for (i, stage) in self.stages.iter_mut().enumerate() {
            let field = format!("stages[{i}]");
            stage.name =
                required_line("name", &stage.name, MAX_NAME).map_err(|e| e.within(&field))?;
            check_count("committee", stage.committee.len(), 1, MAX_COMMITTEE)
                .map_err(|e| e.within(&field))?;
            let mut seen = std::collections::BTreeSet::new();
            if let Some(twice) = stage.committee.iter().find(|m| !seen.insert(**m)) {
                return Err(CoreError::invalid(
                    format!("{field}.committee"),
                    format_args!("{twice} is named twice"),
                ));
            }
        }
        check_unique_names("stages", self.stages.iter().map(|s| s.name.as_str()))?;
        Ok(self)
    }

    /// Whether a nomination may be made on `day`.
    pub fn check_taking_nominations(&self, day: NaiveDate) -> Result<(), CoreError> {
        if day < self.opens || day > self.closes {
            return Err(CoreError::Conflict(format!(
                "the cycle takes nominations from {} to {}",
                self.opens, self.closes
            )));
        }
        Ok(())
    }
}

/// What kind of item of the long-term file a piece of evidence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EvidenceKind {
    Session,
    Review,
    Mentorship,
    Credential,
    Plan,
}

/// An item of the nominee's long-term file offered as evidence. That it is
/// the nominee's is for the caller to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidenceRef {
    pub kind: EvidenceKind,
    pub id: Uuid,
}

impl EvidenceKind {
    pub const ALL: [Self; 5] = [
        Self::Session,
        Self::Review,
        Self::Mentorship,
        Self::Credential,
        Self::Plan,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Session => "session",
            Self::Review => "review",
            Self::Mentorship => "mentorship",
            Self::Credential => "credential",
            Self::Plan => "plan",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, CoreError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw)
            .ok_or_else(|| {
                CoreError::invalid("kind", format_args!("unknown evidence kind {raw:?}"))
            })
    }
}

impl EvidenceRef {
    /// A version of the nominee's career plan. The file names plan versions
    /// by their number, not by an id; the number is carried as the id's
    /// value, so that a plan version is an `EvidenceRef` like any item.
    pub fn plan_version(version: u32) -> Self {
        Self {
            kind: EvidenceKind::Plan,
            id: Uuid::from_u128(u128::from(version)),
        }
    }

    /// The plan version this names, for `Plan` evidence.
    pub fn version(&self) -> Option<u32> {
        (self.kind == EvidenceKind::Plan)
            .then(|| u32::try_from(self.id.as_u128()).ok())
            .flatten()
    }

    /// The item as the long-term file names it: the item's id, or a plan
    /// version's number.
    pub fn item(&self) -> String {
        self.version()
            .map_or_else(|| self.id.to_string(), |v| v.to_string())
    }

    /// The evidence `kind` and `item` name, as [`EvidenceRef::item`] writes it.
    pub fn parse(kind: &str, item: &str) -> Result<Self, CoreError> {
        let kind = EvidenceKind::parse(kind)?;
        let item = item.trim();
        if kind == EvidenceKind::Plan {
            return item
                .parse::<u32>()
                .ok()
                .filter(|v| *v >= 1)
                .map(Self::plan_version)
                .ok_or_else(|| {
                    CoreError::invalid("item", "a plan version is named by its number, from 1")
                });
        }
        let id = Uuid::parse_str(item)
            .map_err(|_| CoreError::invalid("item", format_args!("{item:?} is not an id")))?;
        Ok(Self { kind, id })
    }
}

/// A nomination for a rank of the track, made by the nominee themselves
/// (no sponsor) or by a sponsor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Nomination {
    pub nominee: Uuid,
    /// Who nominates; none when the nominee nominates themselves.
    #[serde(default)]
    pub sponsor: Option<Uuid>,
    /// The name of a rank of the track.
    pub target_rank: String,
    pub statement: String,
    #[serde(default)]
    pub evidence: Vec<EvidenceRef>,
}

impl Nomination {
    /// Checks every rule against the track, trims the statement and spells
    /// the target rank as the track does.
    pub fn normalize(mut self, track: &CareerTrack) -> Result<Self, CoreError> {
        if self.sponsor == Some(self.nominee) {
            return Err(CoreError::invalid(
                "sponsor",
                "a nominee cannot sponsor themselves; leave sponsor out to nominate yourself",
            ));
        }
        let index = track
            .rank_index(&self.target_rank)
            .ok_or_else(|| unknown_rank(&self.target_rank))?;
        if let Some(rank) = track.ranks.get(index) {
            self.target_rank.clone_from(&rank.name);
        }
        self.statement = required_paragraphs("statement", &self.statement, MAX_STATEMENT)?;
        check_count("evidence", self.evidence.len(), 0, MAX_EVIDENCE)?;
        let mut seen = std::collections::BTreeSet::new();
        if let Some(twice) = self.evidence.iter().find(|e| !seen.insert(**e)) {
            return Err(CoreError::invalid(
                "evidence",
                format_args!("{} is listed twice", twice.id),
            ));
        }
        Ok(self)
    }

    /// Whether `actor` may submit this nomination: the sponsor when there is
    /// one, the nominee when it is a self-nomination.
    pub fn check_submitter(&self, actor: Uuid) -> Result<(), CoreError> {
        match self.sponsor {
            Some(sponsor) if sponsor != actor => Err(CoreError::Forbidden(
                "a sponsored nomination is made by its sponsor".into(),
            )),
            None if self.nominee != actor => Err(CoreError::Forbidden(
                "to nominate someone else, name yourself as sponsor".into(),
            )),
            _ => Ok(()),
        }
    }

    /// Why `member` must stay out of decisions on this nomination, if so.
    fn recusal(&self, member: Uuid) -> Option<&'static str> {
        if member == self.nominee {
            Some("the nominee cannot decide on their own nomination and must recuse themselves")
        } else if self.sponsor == Some(member) {
            Some(
                "the sponsor cannot decide on the nomination they sponsor and must recuse themselves",
            )
        } else {
            None
        }
    }
}

/// The members of `stage`'s committee who may decide on `nomination`: all
/// but the nominee and the sponsor. Empty means the stage cannot decide
/// until its committee changes.
pub fn eligible_deciders(stage: &Stage, nomination: &Nomination) -> Vec<Uuid> {
    stage
        .committee
        .iter()
        .copied()
        .filter(|m| nomination.recusal(*m).is_none())
        .collect()
}

/// Where a nomination stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum NominationState {
    /// Waiting for (or deferred at) the decision of stage `stage`.
    InStage { stage: usize },
    /// Rejected at stage `stage`.
    Rejected { stage: usize },
    /// Advanced through the last stage: the nominee holds the target rank.
    Inducted,
}

impl NominationState {
    /// Every nomination starts here.
    pub const START: Self = Self::InStage { stage: 0 };

    /// The stage waiting to decide, while the nomination is open.
    pub const fn current_stage(self) -> Option<usize> {
        match self {
            Self::InStage { stage } => Some(stage),
            Self::Rejected { .. } | Self::Inducted => None,
        }
    }

    /// Whether no decision leads out.
    pub const fn is_closed(self) -> bool {
        self.current_stage().is_none()
    }
}

impl Default for NominationState {
    fn default() -> Self {
        Self::START
    }
}

/// What a stage decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Decision {
    /// To the next stage, or induction at the last.
    Advance,
    Reject,
    /// Stay in this stage, to be decided again later.
    Defer,
}

impl Decision {
    pub const ALL: [Self; 3] = [Self::Advance, Self::Reject, Self::Defer];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Advance => "advance",
            Self::Reject => "reject",
            Self::Defer => "defer",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, CoreError> {
        Self::ALL
            .into_iter()
            .find(|d| d.as_str() == raw)
            .ok_or_else(|| CoreError::invalid("decision", format_args!("unknown decision {raw:?}")))
    }
}

/// Why a stage decided as it did: 1 to 2000 characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "Strong evidence of cross-team impact."))]
pub struct Rationale(String);

impl Rationale {
    pub fn parse(raw: &str) -> Result<Self, CoreError> {
        required_paragraphs("rationale", raw, MAX_RATIONALE).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Rationale {
    type Error = crate::ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Ok(Self::parse(&value)?)
    }
}

impl From<Rationale> for String {
    fn from(value: Rationale) -> Self {
        value.0
    }
}

/// A decision as a committee member submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageDecision {
    pub decision: Decision,
    pub rationale: Rationale,
}

/// One recorded decision. The log of a nomination only grows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogEntry {
    /// The stage that decided (from 0).
    pub stage: usize,
    pub decider: Uuid,
    pub decision: Decision,
    pub rationale: Rationale,
    pub at: DateTime<Utc>,
}

/// The state after `decider` decides `decision` on `nomination` in `state`,
/// or why not: `Conflict` when the nomination is closed (or its stage is
/// not in `stages`), `Forbidden` for the nominee and the sponsor (recusal)
/// and for anyone not on the current stage's committee.
pub fn decide(
    state: NominationState,
    stages: &[Stage],
    nomination: &Nomination,
    decider: Uuid,
    decision: Decision,
) -> Result<NominationState, CoreError> {
    step(state, stages, nomination, decider, decision).map(|(_, next)| next)
}

/// [`decide`], also saying which stage decided.
fn step(
    state: NominationState,
    stages: &[Stage],
    nomination: &Nomination,
    decider: Uuid,
    decision: Decision,
) -> Result<(usize, NominationState), CoreError> {
    let index = match state {
        NominationState::InStage { stage } => stage,
        NominationState::Rejected { stage } => {
            return Err(CoreError::Conflict(format!(
                "the nomination is closed: it was rejected at {}",
                stage_label(stages, stage)
            )));
        }
        NominationState::Inducted => {
            return Err(CoreError::Conflict(
                "the nomination is closed: the nominee was inducted".into(),
            ));
        }
    };
    let stage = stages.get(index).ok_or_else(|| {
        CoreError::Conflict(format!(
            "the cycle has no stage {}",
            index.saturating_add(1)
        ))
    })?;
    if let Some(why) = nomination.recusal(decider) {
        return Err(CoreError::Forbidden(why.into()));
    }
    if !stage.committee.contains(&decider) {
        return Err(CoreError::Forbidden(format!(
            "only the committee of {} may decide now",
            stage_label(stages, index)
        )));
    }
    let next = match decision {
        Decision::Advance if index + 1 == stages.len() => NominationState::Inducted,
        Decision::Advance => NominationState::InStage { stage: index + 1 },
        Decision::Reject => NominationState::Rejected { stage: index },
        Decision::Defer => NominationState::InStage { stage: index },
    };
    Ok((index, next))
}

/// `stage 2 (Global committee)`.
fn stage_label(stages: &[Stage], index: usize) -> String {
    match stages.get(index) {
        Some(stage) => format!("stage {} ({})", index + 1, stage.name),
        None => format!("stage {}", index.saturating_add(1)),
    }
}

/// The state a nomination's log leads to, checking every entry as
/// [`decide`] would, and that each is recorded at the stage the nomination
/// was in and not dated before the entry ahead of it. A log that breaks a
/// rule is refused with the entry's position (from 0) in the message.
pub fn replay(
    stages: &[Stage],
    nomination: &Nomination,
    log: &[LogEntry],
) -> Result<NominationState, CoreError> {
    let mut state = NominationState::START;
    let mut last: Option<DateTime<Utc>> = None;
    for (i, entry) in log.iter().enumerate() {
        let in_entry = |err: CoreError| match err {
            CoreError::Forbidden(m) => CoreError::Forbidden(format!("decision log entry {i}: {m}")),
            CoreError::Conflict(m) => CoreError::Conflict(format!("decision log entry {i}: {m}")),
            invalid @ CoreError::Invalid { .. } => invalid.within(&format!("log[{i}]")),
        };
        if last.is_some_and(|last| entry.at < last) {
            return Err(in_entry(CoreError::Conflict(
                "dated before the entry ahead of it".into(),
            )));
        }
        if let Some(current) = state.current_stage()
            && current != entry.stage
        {
            return Err(in_entry(CoreError::Conflict(format!(
                "recorded at stage {} while the nomination was at stage {}",
                entry.stage.saturating_add(1),
                current + 1
            ))));
        }
        state =
            decide(state, stages, nomination, entry.decider, entry.decision).map_err(in_entry)?;
        last = Some(entry.at);
    }
    Ok(state)
}

/// Checks a new decision against the stored `log` and returns the entry to
/// append and the state it leads to. Refused as [`decide`] refuses, and with
/// a `Conflict` when `at` is before the last entry.
pub fn record(
    stages: &[Stage],
    nomination: &Nomination,
    log: &[LogEntry],
    decider: Uuid,
    input: StageDecision,
    at: DateTime<Utc>,
) -> Result<(LogEntry, NominationState), CoreError> {
    let state = replay(stages, nomination, log)?;
    let (stage, next) = step(state, stages, nomination, decider, input.decision)?;
    if log.last().is_some_and(|last| at < last.at) {
        return Err(CoreError::Conflict(
            "a decision cannot be dated before the last one in the log".into(),
        ));
    }
    let entry = LogEntry {
        stage,
        decider,
        decision: input.decision,
        rationale: input.rationale,
        at,
    };
    Ok((entry, next))
}

/// Whether `viewer` may read the decision log of `nomination`: the nominee
/// and the committee members of every stage of the cycle.
pub fn may_read_log(viewer: Uuid, stages: &[Stage], nomination: &Nomination) -> bool {
    viewer == nomination.nominee || stages.iter().any(|s| s.committee.contains(&viewer))
}

/// Whether `viewer` may see where `nomination` stands (not why): those who
/// read the log, and the sponsor.
pub fn may_see_state(viewer: Uuid, stages: &[Stage], nomination: &Nomination) -> bool {
    nomination.sponsor == Some(viewer) || may_read_log(viewer, stages, nomination)
}

fn check_count(field: &str, count: usize, min: usize, max: usize) -> Result<(), CoreError> {
    if count < min || count > max {
        return Err(CoreError::invalid(
            field,
            if min == 0 {
                format!("at most {max} entries, not {count}")
            } else {
                format!("{min} to {max} entries, not {count}")
            },
        ));
    }
    Ok(())
}

/// Names are unique regardless of case.
fn check_unique_names<'a>(
    field: &str,
    names: impl Iterator<Item = &'a str>,
) -> Result<(), CoreError> {
    let mut seen = std::collections::BTreeSet::new();
    for (i, name) in names.enumerate() {
        if !seen.insert(name.to_lowercase()) {
            return Err(CoreError::invalid(
                format!("{field}[{i}].name"),
                format_args!("{name:?} is used twice"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOMINEE: Uuid = Uuid::from_u128(1);
    const SPONSOR: Uuid = Uuid::from_u128(2);
    const UNIT: Uuid = Uuid::from_u128(10);
    const GLOBAL_A: Uuid = Uuid::from_u128(20);
    const GLOBAL_B: Uuid = Uuid::from_u128(21);
    const LEADER: Uuid = Uuid::from_u128(30);
    const STRANGER: Uuid = Uuid::from_u128(99);

    fn day(raw: &str) -> NaiveDate {
        NaiveDate::parse_from_str(raw, "%Y-%m-%d").unwrap()
    }

    fn at(minute: u32) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2027-03-01T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + chrono::Duration::minutes(i64::from(minute))
    }

    fn track() -> CareerTrack {
        let rank = |name: &str| Rank {
            name: name.into(),
            description: format!("What a {name} does."),
        };
        CareerTrack {
            name: "Technical leadership".into(),
            description: "Recognised technical leaders.".into(),
            ranks: vec![rank("Principal"), rank("Distinguished"), rank("Fellow")],
        }
    }

    fn stage(name: &str, committee: &[Uuid]) -> Stage {
        Stage {
            name: name.into(),
            committee: committee.to_vec(),
        }
    }

    fn cycle() -> Cycle {
        Cycle {
            name: " Spring 2027 ".into(),
            opens: day("2027-01-01"),
            closes: day("2027-02-28"),
            stages: vec![
                stage("Unit screening", &[UNIT, SPONSOR]),
                stage("Global committee", &[GLOBAL_A, GLOBAL_B, NOMINEE]),
                stage("Leadership approval", &[LEADER]),
            ],
        }
    }

    fn stages() -> Vec<Stage> {
        cycle().stages
    }

    fn nomination() -> Nomination {
        Nomination {
            nominee: NOMINEE,
            sponsor: Some(SPONSOR),
            target_rank: " distinguished ".into(),
            statement: " Led the DNS migration.\n\nMentored six engineers. ".into(),
            evidence: vec![
                EvidenceRef {
                    kind: EvidenceKind::Mentorship,
                    id: Uuid::from_u128(500),
                },
                EvidenceRef {
                    kind: EvidenceKind::Credential,
                    id: Uuid::from_u128(501),
                },
            ],
        }
    }

    fn invalid_field<T: std::fmt::Debug>(result: Result<T, CoreError>) -> String {
        match result {
            Err(CoreError::Invalid { field, .. }) => field,
            other => panic!("not invalid: {other:?}"),
        }
    }

    #[test]
    fn evidence_is_named_as_the_file_names_it() {
        let session = Uuid::now_v7();
        let by_id = EvidenceRef::parse("session", &format!(" {session} ")).unwrap();
        assert_eq!(
            by_id,
            EvidenceRef {
                kind: EvidenceKind::Session,
                id: session
            }
        );
        assert_eq!(by_id.item(), session.to_string());
        assert_eq!(by_id.version(), None);
        let plan = EvidenceRef::parse("plan", "3").unwrap();
        assert_eq!(plan, EvidenceRef::plan_version(3));
        assert_eq!((plan.item(), plan.version()), ("3".to_owned(), Some(3)));
        for kind in EvidenceKind::ALL {
            assert_eq!(EvidenceKind::parse(kind.as_str()).unwrap(), kind);
        }
        for (kind, item, field) in [
            ("badge", "1", "kind"),
            ("plan", "0", "item"),
            ("plan", "two", "item"),
            ("review", "3", "item"),
        ] {
            assert_eq!(
                invalid_field(EvidenceRef::parse(kind, item)),
                field,
                "{kind} {item}"
            );
        }
    }

    #[test]
    fn a_good_track_is_trimmed_and_finds_its_ranks() {
        let mut t = track();
        t.ranks[0].name = "  Principal ".into();
        let t = t.normalize().unwrap();
        assert_eq!(t.ranks[0].name, "Principal");
        assert_eq!(t.rank_index("FELLOW"), Some(2));
        assert_eq!(t.rank_index(" principal "), Some(0));
        assert_eq!(t.rank_index("Intern"), None);
    }

    #[test]
    fn each_track_rule_names_its_field() {
        type BreakIt = fn(&mut CareerTrack);
        let cases: [(BreakIt, &str); 9] = [
            (|t| t.name = " ".into(), "name"),
            (|t| t.name = "x".repeat(121), "name"),
            (|t| t.description = String::new(), "description"),
            (|t| t.ranks.clear(), "ranks"),
            (|t| t.ranks = vec![t.ranks[0].clone(); 21], "ranks"),
            (|t| t.ranks[1].name = String::new(), "ranks[1].name"),
            (
                |t| t.ranks[2].description = "x".repeat(2001),
                "ranks[2].description",
            ),
            (|t| t.ranks[2].name = " principal".into(), "ranks[2].name"),
            (|t| t.ranks[0].name = "a\u{200B}b".into(), "ranks[0].name"),
        ];
        for (break_it, field) in cases {
            let mut t = track();
            break_it(&mut t);
            assert_eq!(invalid_field(t.normalize()), field);
        }
        let mut t = track();
        t.ranks = (0..20)
            .map(|i| Rank {
                name: format!("R{i}"),
                description: "d".into(),
            })
            .collect();
        assert!(t.normalize().is_ok(), "20 ranks are fine");
    }

    #[test]
    fn a_step_goes_up_the_track() {
        let t = track();
        assert_eq!(t.check_step(None, "Fellow"), Ok(()));
        assert_eq!(t.check_step(Some("principal"), "Distinguished"), Ok(()));
        for held in ["Distinguished", "Fellow"] {
            assert!(matches!(
                t.check_step(Some(held), "Distinguished"),
                Err(CoreError::Conflict(_))
            ));
        }
        assert_eq!(invalid_field(t.check_step(None, "Intern")), "target_rank");
        assert!(t.check_step(Some("Intern"), "Fellow").is_err());
    }

    #[test]
    fn a_good_cycle_is_trimmed() {
        let c = cycle().normalize().unwrap();
        assert_eq!(c.name, "Spring 2027");
        let one_day = Cycle {
            closes: day("2027-01-02"),
            stages: vec![stage("Only", &[UNIT])],
            ..cycle()
        };
        assert!(one_day.normalize().is_ok());
    }

    #[test]
    fn each_cycle_rule_names_its_field() {
        type BreakIt = fn(&mut Cycle);
        let cases: [(BreakIt, &str); 10] = [
            (|c| c.name = String::new(), "name"),
            (|c| c.closes = c.opens, "closes"),
            (|c| c.closes = day("2026-12-31"), "closes"),
            (|c| c.stages.clear(), "stages"),
            (|c| c.stages = vec![c.stages[0].clone(); 11], "stages"),
            (|c| c.stages[1].name = "\t".into(), "stages[1].name"),
            (|c| c.stages[2].committee.clear(), "stages[2].committee"),
            (|c| c.stages[0].committee.push(UNIT), "stages[0].committee"),
            (
                |c| c.stages[0].committee = (0..101).map(Uuid::from_u128).collect(),
                "stages[0].committee",
            ),
            (
                |c| c.stages[2].name = "UNIT SCREENING".into(),
                "stages[2].name",
            ),
        ];
        for (break_it, field) in cases {
            let mut c = cycle();
            break_it(&mut c);
            assert_eq!(invalid_field(c.normalize()), field);
        }
        // The same member may sit on several stages.
        let mut c = cycle();
        c.stages[2].committee.push(UNIT);
        c.stages = [c.stages.clone(), c.stages.clone()].concat();
        for (i, s) in c.stages.iter_mut().enumerate() {
            s.name = format!("Stage {i}");
        }
        c.stages.truncate(10);
        assert!(c.normalize().is_ok());
    }

    #[test]
    fn nominations_are_taken_while_the_cycle_is_open() {
        let c = cycle();
        for ok in ["2027-01-01", "2027-02-01", "2027-02-28"] {
            assert_eq!(c.check_taking_nominations(day(ok)), Ok(()), "{ok}");
        }
        for late in ["2026-12-31", "2027-03-01"] {
            assert!(
                matches!(
                    c.check_taking_nominations(day(late)),
                    Err(CoreError::Conflict(_))
                ),
                "{late}"
            );
        }
    }

    #[test]
    fn a_good_nomination_is_trimmed_and_spells_the_rank_as_the_track() {
        let n = nomination().normalize(&track()).unwrap();
        assert_eq!(n.target_rank, "Distinguished");
        assert_eq!(
            n.statement,
            "Led the DNS migration.\n\nMentored six engineers."
        );
        let own = Nomination {
            sponsor: None,
            evidence: vec![],
            ..nomination()
        };
        assert!(own.normalize(&track()).is_ok());
    }

    #[test]
    fn each_nomination_rule_names_its_field() {
        type BreakIt = fn(&mut Nomination);
        let cases: [(BreakIt, &str); 7] = [
            (|n| n.sponsor = Some(n.nominee), "sponsor"),
            (|n| n.target_rank = "Intern".into(), "target_rank"),
            (|n| n.statement = " \n ".into(), "statement"),
            (|n| n.statement = "x".repeat(5001), "statement"),
            (|n| n.statement = "nul\u{0}".into(), "statement"),
            (|n| n.evidence = vec![n.evidence[0]; 2], "evidence"),
            (
                |n| {
                    n.evidence = (0..51)
                        .map(|i| EvidenceRef {
                            kind: EvidenceKind::Session,
                            id: Uuid::from_u128(i),
                        })
                        .collect();
                },
                "evidence",
            ),
        ];
        for (break_it, field) in cases {
            let mut n = nomination();
            break_it(&mut n);
            assert_eq!(invalid_field(n.normalize(&track())), field);
        }
        let mut n = nomination();
        n.statement = "x".repeat(5000);
        n.evidence = (0..50)
            .map(|i| EvidenceRef {
                kind: EvidenceKind::Review,
                id: Uuid::from_u128(i),
            })
            .collect();
        // The same id under two kinds is two items.
        n.evidence.push(EvidenceRef {
            kind: EvidenceKind::Plan,
            id: Uuid::from_u128(0),
        });
        n.evidence.remove(1);
        assert!(n.normalize(&track()).is_ok());
    }

    #[test]
    fn nominations_and_evidence_refuse_unknown_fields_and_kinds() {
        let json = serde_json::json!({
            "nominee": NOMINEE, "target_rank": "Fellow", "statement": "s", "votes": 3
        });
        assert!(serde_json::from_value::<Nomination>(json).is_err());
        let json = serde_json::json!({"kind": "session", "id": Uuid::from_u128(1)});
        assert!(serde_json::from_value::<EvidenceRef>(json).is_ok());
        let json = serde_json::json!({"kind": "tweet", "id": Uuid::from_u128(1)});
        assert!(serde_json::from_value::<EvidenceRef>(json).is_err());
    }

    #[test]
    fn the_sponsor_submits_a_sponsored_nomination_and_the_nominee_their_own() {
        let sponsored = nomination();
        assert_eq!(sponsored.check_submitter(SPONSOR), Ok(()));
        for other in [NOMINEE, STRANGER] {
            assert!(matches!(
                sponsored.check_submitter(other),
                Err(CoreError::Forbidden(_))
            ));
        }
        let own = Nomination {
            sponsor: None,
            ..nomination()
        };
        assert_eq!(own.check_submitter(NOMINEE), Ok(()));
        assert!(matches!(
            own.check_submitter(STRANGER),
            Err(CoreError::Forbidden(_))
        ));
    }

    #[test]
    fn the_usual_path_advances_through_every_stage_to_induction() {
        let (s, n) = (stages(), nomination());
        let first = decide(NominationState::START, &s, &n, UNIT, Decision::Advance).unwrap();
        assert_eq!(first, NominationState::InStage { stage: 1 });
        let deferred = decide(first, &s, &n, GLOBAL_A, Decision::Defer).unwrap();
        assert_eq!(deferred, first, "a deferral stays in the stage");
        let second = decide(deferred, &s, &n, GLOBAL_B, Decision::Advance).unwrap();
        assert_eq!(second, NominationState::InStage { stage: 2 });
        assert_eq!(
            decide(second, &s, &n, LEADER, Decision::Advance),
            Ok(NominationState::Inducted)
        );
        assert_eq!(
            decide(second, &s, &n, LEADER, Decision::Reject),
            Ok(NominationState::Rejected { stage: 2 })
        );
        // A single-stage cycle inducts at once.
        let one = [stage("Only", &[UNIT])];
        assert_eq!(
            decide(NominationState::START, &one, &n, UNIT, Decision::Advance),
            Ok(NominationState::Inducted)
        );
    }

    #[test]
    fn every_state_decider_and_decision_is_allowed_or_refused_as_specified() {
        let (s, n) = (stages(), nomination());
        let states = [
            NominationState::InStage { stage: 0 },
            NominationState::InStage { stage: 1 },
            NominationState::InStage { stage: 2 },
            NominationState::InStage { stage: 3 },
            NominationState::Rejected { stage: 0 },
            NominationState::Rejected { stage: 2 },
            NominationState::Inducted,
        ];
        let people = [NOMINEE, SPONSOR, UNIT, GLOBAL_A, GLOBAL_B, LEADER, STRANGER];
        for state in states {
            for decider in people {
                for decision in Decision::ALL {
                    let result = decide(state, &s, &n, decider, decision);
                    let expected = match state {
                        NominationState::InStage { stage } if stage < s.len() => {
                            let recused = decider == NOMINEE || decider == SPONSOR;
                            if recused || !s[stage].committee.contains(&decider) {
                                Err("forbidden")
                            } else {
                                Ok(match decision {
                                    Decision::Advance if stage == 2 => NominationState::Inducted,
                                    Decision::Advance => {
                                        NominationState::InStage { stage: stage + 1 }
                                    }
                                    Decision::Reject => NominationState::Rejected { stage },
                                    Decision::Defer => state,
                                })
                            }
                        }
                        _ => Err("conflict"),
                    };
                    match (expected, &result) {
                        (Ok(next), Ok(got)) => assert_eq!(*got, next),
                        (Err("forbidden"), Err(CoreError::Forbidden(_)))
                        | (Err("conflict"), Err(CoreError::Conflict(_))) => {}
                        (expected, got) => panic!(
                            "{state:?} {decider} {decision:?}: expected {expected:?}, got {got:?}"
                        ),
                    }
                }
            }
        }
    }

    #[test]
    fn nominee_and_sponsor_recuse_themselves_even_on_the_committee() {
        let (s, n) = (stages(), nomination());
        // The sponsor sits on stage 1, the nominee on stage 2.
        let sponsor = decide(NominationState::START, &s, &n, SPONSOR, Decision::Advance)
            .unwrap_err()
            .to_string();
        assert_eq!(
            sponsor,
            "the sponsor cannot decide on the nomination they sponsor and must recuse themselves"
        );
        let in_two = NominationState::InStage { stage: 1 };
        let nominee = decide(in_two, &s, &n, NOMINEE, Decision::Advance)
            .unwrap_err()
            .to_string();
        assert_eq!(
            nominee,
            "the nominee cannot decide on their own nomination and must recuse themselves"
        );
        let stranger = decide(in_two, &s, &n, STRANGER, Decision::Defer)
            .unwrap_err()
            .to_string();
        assert_eq!(
            stranger,
            "only the committee of stage 2 (Global committee) may decide now"
        );
        // A member of another stage's committee is not this stage's.
        assert!(matches!(
            decide(in_two, &s, &n, UNIT, Decision::Advance),
            Err(CoreError::Forbidden(_))
        ));
    }

    #[test]
    fn closed_nominations_cannot_be_decided() {
        let (s, n) = (stages(), nomination());
        let rejected = decide(
            NominationState::Rejected { stage: 1 },
            &s,
            &n,
            GLOBAL_A,
            Decision::Advance,
        )
        .unwrap_err();
        assert_eq!(
            rejected,
            CoreError::Conflict(
                "the nomination is closed: it was rejected at stage 2 (Global committee)".into()
            )
        );
        assert!(matches!(
            decide(NominationState::Inducted, &s, &n, LEADER, Decision::Defer),
            Err(CoreError::Conflict(_))
        ));
        // Closed before forbidden: the stranger learns nothing more.
        assert!(matches!(
            decide(NominationState::Inducted, &s, &n, STRANGER, Decision::Defer),
            Err(CoreError::Conflict(_))
        ));
        // No stages at all.
        assert!(matches!(
            decide(NominationState::START, &[], &n, UNIT, Decision::Advance),
            Err(CoreError::Conflict(_))
        ));
        assert!(NominationState::Inducted.is_closed());
        assert!(NominationState::Rejected { stage: 0 }.is_closed());
        assert!(!NominationState::START.is_closed());
    }

    #[test]
    fn eligible_deciders_leave_out_the_nominee_and_the_sponsor() {
        let (s, n) = (stages(), nomination());
        assert_eq!(eligible_deciders(&s[0], &n), [UNIT]);
        assert_eq!(eligible_deciders(&s[1], &n), [GLOBAL_A, GLOBAL_B]);
        assert_eq!(eligible_deciders(&s[2], &n), [LEADER]);
        let recused_only = stage("Pair", &[NOMINEE, SPONSOR]);
        assert!(eligible_deciders(&recused_only, &n).is_empty());
    }

    fn entry(stage: usize, decider: Uuid, decision: Decision, minute: u32) -> LogEntry {
        LogEntry {
            stage,
            decider,
            decision,
            rationale: Rationale::parse("Reasons.").unwrap(),
            at: at(minute),
        }
    }

    #[test]
    fn replaying_the_log_equals_deciding_step_by_step() {
        let (s, n) = (stages(), nomination());
        let steps = [
            (UNIT, Decision::Defer),
            (UNIT, Decision::Advance),
            (GLOBAL_B, Decision::Defer),
            (GLOBAL_A, Decision::Advance),
            (LEADER, Decision::Advance),
        ];
        let mut state = NominationState::START;
        let mut log = Vec::new();
        assert_eq!(replay(&s, &n, &log), Ok(state));
        for (minute, (decider, decision)) in (0..).zip(steps) {
            let input = StageDecision {
                decision,
                rationale: Rationale::parse(" Reasons. ").unwrap(),
            };
            let (recorded, next) = record(&s, &n, &log, decider, input, at(minute)).unwrap();
            let stage = state.current_stage().unwrap();
            assert_eq!(recorded, entry(stage, decider, decision, minute));
            state = decide(state, &s, &n, decider, decision).unwrap();
            assert_eq!(next, state);
            log.push(recorded);
            assert_eq!(
                replay(&s, &n, &log),
                Ok(state),
                "after {} entries",
                log.len()
            );
        }
        assert_eq!(state, NominationState::Inducted);
        // Nothing more can be recorded.
        let more = StageDecision {
            decision: Decision::Defer,
            rationale: Rationale::parse("Late.").unwrap(),
        };
        assert!(matches!(
            record(&s, &n, &log, LEADER, more, at(100)),
            Err(CoreError::Conflict(_))
        ));
    }

    #[test]
    fn a_log_that_breaks_a_rule_is_refused_with_its_position() {
        let (s, n) = (stages(), nomination());
        let good = entry(0, UNIT, Decision::Advance, 0);
        let cases: [(Vec<LogEntry>, &str); 4] = [
            (
                vec![good.clone(), entry(0, UNIT, Decision::Advance, 1)],
                "decision log entry 1: recorded at stage 1 while the nomination was at stage 2",
            ),
            (
                vec![entry(0, SPONSOR, Decision::Advance, 0)],
                "decision log entry 0: the sponsor cannot decide on the nomination they sponsor and must recuse themselves",
            ),
            (
                vec![
                    entry(0, UNIT, Decision::Reject, 0),
                    entry(0, UNIT, Decision::Advance, 1),
                ],
                "decision log entry 1: the nomination is closed: it was rejected at stage 1 (Unit screening)",
            ),
            (
                vec![entry(0, GLOBAL_A, Decision::Advance, 0)],
                "decision log entry 0: only the committee of stage 1 (Unit screening) may decide now",
            ),
        ];
        for (log, message) in cases {
            let err = replay(&s, &n, &log).unwrap_err();
            assert_eq!(err.to_string(), message);
        }
        // Entries out of time order.
        let later = LogEntry {
            at: at(10),
            ..good.clone()
        };
        let log = [later, entry(1, GLOBAL_A, Decision::Advance, 5)];
        assert_eq!(
            replay(&s, &n, &log),
            Err(CoreError::Conflict(
                "decision log entry 1: dated before the entry ahead of it".into()
            ))
        );
        // The same instant is fine.
        let log = [good.clone(), entry(1, GLOBAL_A, Decision::Defer, 0)];
        assert_eq!(
            replay(&s, &n, &log),
            Ok(NominationState::InStage { stage: 1 })
        );
    }

    #[test]
    fn recording_refuses_what_deciding_refuses_and_backdating() {
        let (s, n) = (stages(), nomination());
        let log = [entry(0, UNIT, Decision::Advance, 10)];
        let input = || StageDecision {
            decision: Decision::Advance,
            rationale: Rationale::parse("Fine.").unwrap(),
        };
        assert!(matches!(
            record(&s, &n, &log, NOMINEE, input(), at(11)),
            Err(CoreError::Forbidden(_))
        ));
        assert!(matches!(
            record(&s, &n, &log, GLOBAL_A, input(), at(9)),
            Err(CoreError::Conflict(_))
        ));
        let (recorded, state) = record(&s, &n, &log, GLOBAL_A, input(), at(10)).unwrap();
        assert_eq!(recorded.stage, 1);
        assert_eq!(state, NominationState::InStage { stage: 2 });
        // A broken stored log is refused before anything is decided.
        let broken = [entry(0, STRANGER, Decision::Advance, 0)];
        assert!(record(&s, &n, &broken, UNIT, input(), at(1)).is_err());
    }

    #[test]
    fn rationale_is_required_and_at_most_2000_characters() {
        assert_eq!(Rationale::parse("  Why.\n").unwrap().as_str(), "Why.");
        assert!(Rationale::parse(&"x".repeat(2000)).is_ok());
        for bad in ["", " \n\t ", "bell\u{7}"] {
            assert_eq!(invalid_field(Rationale::parse(bad)), "rationale", "{bad:?}");
        }
        assert!(Rationale::parse(&"x".repeat(2001)).is_err());
        let json = serde_json::json!({"decision": "advance", "rationale": "  "});
        assert!(serde_json::from_value::<StageDecision>(json).is_err());
        let json = serde_json::json!({"decision": "approve", "rationale": "ok"});
        assert!(serde_json::from_value::<StageDecision>(json).is_err());
        let json = serde_json::json!({"decision": "defer", "rationale": " ok "});
        let input: StageDecision = serde_json::from_value(json).unwrap();
        assert_eq!(input.rationale.as_str(), "ok");
        assert_eq!(input.decision, Decision::Defer);
    }

    #[test]
    fn names_round_trip_and_states_serialize_tagged() {
        for decision in Decision::ALL {
            assert_eq!(Decision::parse(decision.as_str()), Ok(decision));
        }
        assert!(Decision::parse("approve").is_err());
        assert_eq!(
            serde_json::to_value(NominationState::InStage { stage: 1 }).unwrap(),
            serde_json::json!({"state": "in_stage", "stage": 1})
        );
        assert_eq!(
            serde_json::to_value(NominationState::Inducted).unwrap(),
            serde_json::json!({"state": "inducted"})
        );
        let back: NominationState =
            serde_json::from_value(serde_json::json!({"state": "rejected", "stage": 0})).unwrap();
        assert_eq!(back, NominationState::Rejected { stage: 0 });
        let e = entry(1, GLOBAL_A, Decision::Defer, 3);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(serde_json::from_value::<LogEntry>(json).unwrap(), e);
    }

    #[test]
    fn the_nominee_and_every_committee_read_the_log_the_sponsor_sees_the_state() {
        let (s, n) = (stages(), nomination());
        for reader in [NOMINEE, UNIT, GLOBAL_A, GLOBAL_B, LEADER] {
            assert!(may_read_log(reader, &s, &n), "{reader}");
            assert!(may_see_state(reader, &s, &n), "{reader}");
        }
        // SPONSOR sits on stage 1 here; a sponsor who does not, does not read.
        let off_committee = [stage("Unit screening", &[UNIT]), s[1].clone(), s[2].clone()];
        assert!(!may_read_log(SPONSOR, &off_committee, &n));
        assert!(may_see_state(SPONSOR, &off_committee, &n));
        assert!(!may_read_log(STRANGER, &s, &n));
        assert!(!may_see_state(STRANGER, &s, &n));
    }
}
