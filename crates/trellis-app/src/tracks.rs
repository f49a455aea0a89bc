//! Career tracks and induction cycles: admins define tracks (ordered
//! ranks) and cycles (dates and ordered stages, each with its committee);
//! members are nominated, by themselves or by a sponsor; each stage's
//! committee records its decision with a rationale, and the last stage's
//! approval inducts the nominee into the rank.
//!
//! Who sees what (`trellis_core::track::may_read_log`, `may_see_state`):
//! the nominee and every committee member of the cycle read the whole
//! nomination — its evidence, summarised from the nominee's file (never a
//! note), and its decision log. The sponsor sees where it stands and the
//! statement, not the evidence or the rationales. Anyone else, admins
//! included, is answered as if it did not exist; admins see every
//! nomination of a cycle as figures (`/api/v1/admin/cycles/{id}/nominations`).
//! A member's ranks are theirs (`/api/v1/me/ranks`), not on their profile.
//! Cycles, with their committees, are shown to every member, so that a
//! nominee knows who decides.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::CoreError;
use trellis_core::account::Username;
use trellis_core::mentorship::{MentorshipState, Party};
use trellis_core::skill::{SkillKey, SkillLevel};
use trellis_core::track::{
    CareerTrack, Cycle, Decision, EvidenceKind, EvidenceRef, LogEntry, Nomination, NominationState,
    Rank, Rationale, Stage, StageDecision, eligible_deciders, may_read_log, may_see_state,
};
use trellis_store::{
    CycleRecord, Induction, NewDecision, NewNomination, NominationRecord, StoreError, Track,
};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::App;
use crate::caller::{Admin, Caller};
use crate::error::{AppError, AppResult};
use crate::views::PartyView;

#[derive(Debug, Serialize, ToSchema)]
pub struct TrackView {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    /// From the first (lowest) to the last (highest).
    pub ranks: Vec<Rank>,
    pub created_at: DateTime<Utc>,
}

impl From<Track> for TrackView {
    fn from(t: Track) -> Self {
        Self {
            id: t.id,
            name: t.track.name,
            description: t.track.description,
            ranks: t.track.ranks,
            created_at: t.created_at,
        }
    }
}

/// A stage as an admin gives it: its committee by usernames of members of
/// this instance.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageInput {
    #[schema(example = "Unit screening")]
    pub name: String,
    pub committee: Vec<Username>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCycle {
    #[schema(example = "Spring 2027")]
    pub name: String,
    /// The first day nominations are taken.
    pub opens: NaiveDate,
    /// The last day nominations are taken (after `opens`).
    pub closes: NaiveDate,
    /// In the order they decide: 1 to 10, each with 1 to 100 members.
    pub stages: Vec<StageInput>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StageView {
    /// From 1.
    pub number: u32,
    pub name: String,
    pub committee: Vec<Username>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CycleView {
    pub id: Uuid,
    pub track_id: Uuid,
    pub name: String,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
    /// Whether nominations are taken today.
    pub taking_nominations: bool,
    pub stages: Vec<StageView>,
    pub created_at: DateTime<Utc>,
}

/// Stage numbers as people read them: from 1.
fn number(index: usize) -> u32 {
    u32::try_from(index.saturating_add(1)).unwrap_or(u32::MAX)
}

fn names(cycle: &CycleRecord) -> HashMap<Uuid, Username> {
    cycle
        .members
        .iter()
        .map(|m| (m.account_id, m.username.clone()))
        .collect()
}

impl From<CycleRecord> for CycleView {
    fn from(c: CycleRecord) -> Self {
        let names = names(&c);
        let taking_nominations = c
            .cycle
            .check_taking_nominations(Utc::now().date_naive())
            .is_ok();
        Self {
            id: c.id,
            track_id: c.track_id,
            taking_nominations,
            stages: c
                .cycle
                .stages
                .into_iter()
                .enumerate()
                .map(|(i, s)| StageView {
                    number: number(i),
                    name: s.name,
                    committee: s
                        .committee
                        .iter()
                        .filter_map(|id| names.get(id).cloned())
                        .collect(),
                })
                .collect(),
            name: c.cycle.name,
            opens: c.cycle.opens,
            closes: c.cycle.closes,
            created_at: c.created_at,
        }
    }
}

/// Creates a career track with its ranks, lowest first.
pub async fn create_track(app: &App, admin: &Admin, body: CareerTrack) -> AppResult<TrackView> {
    let track = app
        .store
        .create_track(&body, admin.account.id, Utc::now())
        .await?;
    Ok(track.into())
}

/// Every career track, by name.
pub async fn list_tracks(app: &App, _caller: &Caller) -> AppResult<Vec<TrackView>> {
    let tracks = app.store.tracks().await?;
    Ok(tracks.into_iter().map(TrackView::from).collect())
}

async fn find_track(app: &App, id: Uuid) -> AppResult<Track> {
    match app.store.track(id).await {
        Err(StoreError::NotFound) => Err(AppError::not_found("track")),
        other => Ok(other?),
    }
}

async fn find_cycle(app: &App, id: Uuid) -> AppResult<CycleRecord> {
    match app.store.cycle(id).await {
        Err(StoreError::NotFound) => Err(AppError::not_found("cycle")),
        other => Ok(other?),
    }
}

/// One career track with its ranks.
pub async fn get_track(app: &App, _caller: &Caller, id: Uuid) -> AppResult<TrackView> {
    Ok(find_track(app, id).await?.into())
}

/// Creates an induction cycle of a track: the days nominations are taken,
/// and the stages in the order they decide, each with its committee
/// (members of this instance, by username).
pub async fn create_cycle(
    app: &App,
    admin: &Admin,
    id: Uuid,
    body: CreateCycle,
) -> AppResult<CycleView> {
    let track = find_track(app, id).await?;
    let mut stages = Vec::with_capacity(body.stages.len());
    for (s, stage) in body.stages.into_iter().enumerate() {
        let mut committee = Vec::with_capacity(stage.committee.len());
        for (m, username) in stage.committee.iter().enumerate() {
            committee
                .push(member_called(app, username, &format!("stages[{s}].committee[{m}]")).await?);
        }
        stages.push(Stage {
            name: stage.name,
            committee,
        });
    }
    let cycle = Cycle {
        name: body.name,
        opens: body.opens,
        closes: body.closes,
        stages,
    };
    let cycle = app
        .store
        .create_cycle(track.id, &cycle, admin.account.id, Utc::now())
        .await?;
    Ok(cycle.into())
}

/// The account of the member of this instance called `username`.
async fn member_called(app: &App, username: &Username, field: &str) -> AppResult<Uuid> {
    match app.store.account_by_username(username).await? {
        Some(account) => Ok(account.id),
        None => Err(CoreError::invalid(
            field,
            format_args!(
                "no member of this instance is called {:?}",
                username.as_str()
            ),
        )
        .into()),
    }
}

/// Every cycle of a track, newest first, with their committees.
pub async fn list_cycles(app: &App, _admin: &Admin, id: Uuid) -> AppResult<Vec<CycleView>> {
    let track = find_track(app, id).await?;
    let cycles = app.store.cycles(Some(track.id), None).await?;
    Ok(cycles.into_iter().map(CycleView::from).collect())
}

/// The cycles of every track taking nominations today, with their stages
/// and committees.
pub async fn open_cycles(app: &App, _caller: &Caller) -> AppResult<Vec<CycleView>> {
    let cycles = app
        .store
        .cycles(None, Some(Utc::now().date_naive()))
        .await?;
    Ok(cycles.into_iter().map(CycleView::from).collect())
}

/// An item of the nominee's file, as the nomination names it: its kind and
/// its id (a plan version's number), as `GET /api/v1/me/file` shows them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceInput {
    pub kind: EvidenceKind,
    #[schema(example = "0190f4c2-8a7e-7c3b-9d1e-2f6a5b4c3d21")]
    pub item: String,
}

fn evidence_refs(input: &[EvidenceInput]) -> AppResult<Vec<EvidenceRef>> {
    input
        .iter()
        .enumerate()
        .map(|(i, e)| {
            EvidenceRef::parse(e.kind.as_str(), &e.item)
                .map_err(|err| err.within(&format!("evidence[{i}]")).into())
        })
        .collect()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Nominate {
    /// The member nominated, by username; leave out to nominate yourself.
    /// Naming someone else makes you their sponsor.
    #[serde(default)]
    pub nominee: Option<Username>,
    /// A rank of the cycle's track above any the nominee holds.
    #[schema(example = "Distinguished engineer")]
    pub target_rank: String,
    pub statement: String,
    /// Items of your own file, for a self-nomination. A sponsor names none:
    /// the nominee picks them (`PUT /api/v1/nominations/{id}/evidence`).
    #[serde(default)]
    pub evidence: Vec<EvidenceInput>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PickEvidence {
    pub evidence: Vec<EvidenceInput>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decide {
    /// The stage you decide for (from 1): the one the nomination is at. If
    /// it moved on meanwhile, nothing is recorded.
    #[schema(example = 1)]
    pub stage: u32,
    pub decision: Decision,
    pub rationale: Rationale,
}

/// Where a nomination stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for (or deferred at) the decision of `stage`.
    InStage,
    /// Rejected at `stage`.
    Rejected,
    /// Approved by the last stage: the nominee holds the rank.
    Inducted,
    /// Withdrawn by the nominee.
    Withdrawn,
}

/// What the caller is to a nomination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Nominee,
    Sponsor,
    /// A member of a committee of the nomination's cycle.
    Committee,
}

/// One skill of a reviewed skill review: the ratings, not the comments.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewedSkill {
    pub skill: SkillKey,
    pub self_rating: Option<SkillLevel>,
    pub mentor_rating: Option<SkillLevel>,
}

/// An item of the nominee's file offered as evidence, summarised: dates,
/// topics, ratings; never a note.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EvidenceView {
    Session {
        item: String,
        held_at: DateTime<Utc>,
        duration_minutes: u16,
        topics: Vec<String>,
    },
    Review {
        item: String,
        completed_at: Option<DateTime<Utc>>,
        skills: Vec<ReviewedSkill>,
    },
    Mentorship {
        item: String,
        /// The nominee's side.
        role: Party,
        with: PartyView,
        state: MentorshipState,
        since: DateTime<Utc>,
    },
    Plan {
        item: String,
        version: u32,
        created_at: DateTime<Utc>,
        /// The goals' titles.
        goals: Vec<String>,
    },
}

/// A decision of the log.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogEntryView {
    /// The stage that decided, from 1.
    pub stage: u32,
    pub stage_name: String,
    pub decider: Option<Username>,
    pub decision: Decision,
    pub rationale: Rationale,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NominationView {
    pub id: Uuid,
    pub cycle_id: Uuid,
    pub track_id: Uuid,
    pub nominee: Username,
    /// `null` for a self-nomination.
    pub sponsor: Option<Username>,
    pub target_rank: String,
    pub status: Status,
    /// The stage it is at (in stage) or was rejected at, from 1.
    pub stage: Option<u32>,
    pub stage_name: Option<String>,
    /// What the caller is to it.
    pub roles: Vec<Role>,
    pub statement: String,
    /// Whether the caller may record the decision the nomination waits for.
    pub awaiting_you: bool,
    /// Whether the nominee picked the evidence; a sponsored nomination is
    /// not decided on before.
    pub accepted: bool,
    /// For the nominee and the committees (left out of lists).
    pub evidence: Option<Vec<EvidenceView>>,
    /// For the nominee and the committees (left out of lists).
    pub log: Option<Vec<LogEntryView>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn status_of(record: &NominationRecord) -> (Status, Option<usize>) {
    if record.withdrawn_at.is_some() {
        return (Status::Withdrawn, record.state.current_stage());
    }
    match record.state {
        NominationState::InStage { stage } => (Status::InStage, Some(stage)),
        NominationState::Rejected { stage } => (Status::Rejected, Some(stage)),
        NominationState::Inducted => (Status::Inducted, None),
    }
}

fn roles_of(viewer: Uuid, record: &NominationRecord, cycle: &CycleRecord) -> Vec<Role> {
    let n = &record.nomination;
    let mut roles = Vec::new();
    if n.nominee == viewer {
        roles.push(Role::Nominee);
    }
    if n.sponsor == Some(viewer) {
        roles.push(Role::Sponsor);
    }
    if cycle
        .cycle
        .stages
        .iter()
        .any(|s| s.committee.contains(&viewer))
    {
        roles.push(Role::Committee);
    }
    roles
}

fn log_view(log: &[LogEntry], cycle: &CycleRecord) -> Vec<LogEntryView> {
    let names = names(cycle);
    log.iter()
        .map(|e| LogEntryView {
            stage: number(e.stage),
            stage_name: cycle
                .cycle
                .stages
                .get(e.stage)
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            decider: names.get(&e.decider).cloned(),
            decision: e.decision,
            rationale: e.rationale.clone(),
            at: e.at,
        })
        .collect()
}

impl NominationView {
    /// The nomination as `viewer` sees it, with its evidence and log when
    /// given (the caller checks who may read them).
    fn new(
        record: NominationRecord,
        cycle: &CycleRecord,
        viewer: Uuid,
        evidence: Option<Vec<EvidenceView>>,
    ) -> Self {
        let (status, stage) = status_of(&record);
        let log = evidence.is_some().then(|| log_view(&record.log, cycle));
        let awaiting_you = status == Status::InStage
            && record.accepted_at.is_some()
            && stage
                .and_then(|i| cycle.cycle.stages.get(i))
                .is_some_and(|s| eligible_deciders(s, &record.nomination).contains(&viewer));
        Self {
            id: record.id,
            cycle_id: record.cycle_id,
            track_id: record.track_id,
            roles: roles_of(viewer, &record, cycle),
            nominee: record.nominee.username,
            sponsor: record.sponsor.map(|s| s.username),
            target_rank: record.nomination.target_rank,
            status,
            stage: stage.map(number),
            stage_name: stage
                .and_then(|i| cycle.cycle.stages.get(i))
                .map(|s| s.name.clone()),
            statement: record.nomination.statement,
            accepted: record.accepted_at.is_some(),
            awaiting_you,
            evidence,
            log,
            created_at: record.created_at,
            updated_at: record.updated_at,
        }
    }
}

/// The evidence of a nomination, summarised from the nominee's file.
async fn evidence_views(app: &App, n: &Nomination) -> AppResult<Vec<EvidenceView>> {
    let mut views = Vec::with_capacity(n.evidence.len());
    for e in &n.evidence {
        let item = e.item();
        let view = match e.kind {
            EvidenceKind::Session => {
                // Read as the nominee sees it; their private note is dropped.
                let s = app.store.session(e.id, n.nominee).await?;
                EvidenceView::Session {
                    item,
                    held_at: s.content.held_at,
                    duration_minutes: s.content.duration_minutes,
                    topics: s.content.topics,
                }
            }
            EvidenceKind::Review => {
                let r = app.store.review(e.id).await?;
                let rating = |part: &Option<trellis_store::Submitted>, skill: &SkillKey| {
                    part.as_ref().and_then(|p| {
                        p.part
                            .ratings
                            .iter()
                            .find(|x| x.skill == *skill)
                            .map(|x| x.rating)
                    })
                };
                EvidenceView::Review {
                    item,
                    completed_at: r.completed_at,
                    skills: r
                        .skills
                        .iter()
                        .map(|skill| ReviewedSkill {
                            skill: skill.clone(),
                            self_rating: rating(&r.mentee_part, skill),
                            mentor_rating: rating(&r.mentor_part, skill),
                        })
                        .collect(),
                }
            }
            EvidenceKind::Mentorship => {
                let m = app.store.mentorship(e.id).await?;
                let (role, with) = if m.mentor.account_id == n.nominee {
                    (Party::Mentor, m.mentee)
                } else {
                    (Party::Mentee, m.mentor)
                };
                EvidenceView::Mentorship {
                    item,
                    role,
                    with: with.into(),
                    state: m.state,
                    since: m.created_at,
                }
            }
            EvidenceKind::Plan => {
                let history = app.store.plan_history(n.nominee).await?;
                let Some(v) = history.into_iter().find(|v| Some(v.version) == e.version()) else {
                    continue;
                };
                EvidenceView::Plan {
                    item,
                    version: v.version,
                    created_at: v.created_at,
                    goals: v.plan.goals.into_iter().map(|g| g.title).collect(),
                }
            }
            // The store takes no credentials as evidence.
            EvidenceKind::Credential => continue,
        };
        views.push(view);
    }
    Ok(views)
}

/// A nomination the caller may see (`may_see_state`), with its cycle;
/// anyone else is told it does not exist.
async fn visible(
    app: &App,
    caller: &Caller,
    id: Uuid,
) -> AppResult<(NominationRecord, CycleRecord)> {
    let not_found = || AppError::not_found("nomination");
    let record = match app.store.nomination(id).await {
        Err(StoreError::NotFound) => return Err(not_found()),
        other => other?,
    };
    let cycle = app.store.cycle(record.cycle_id).await?;
    if !may_see_state(caller.account.id, &cycle.cycle.stages, &record.nomination) {
        return Err(not_found());
    }
    Ok((record, cycle))
}

/// The whole view for the caller: evidence and log only for those who read
/// the log.
async fn full_view(
    app: &App,
    caller: &Caller,
    record: NominationRecord,
    cycle: &CycleRecord,
) -> AppResult<NominationView> {
    let viewer = caller.account.id;
    let evidence = if may_read_log(viewer, &cycle.cycle.stages, &record.nomination) {
        Some(evidence_views(app, &record.nomination).await?)
    } else {
        None
    };
    Ok(NominationView::new(record, cycle, viewer, evidence))
}

/// Nominates a member of this instance for a rank of the cycle's track:
/// yourself (with evidence from your file), or someone else as their
/// sponsor (they pick the evidence, which accepts the nomination). The
/// cycle must be taking nominations, and the rank above any the nominee
/// holds in the track. One nomination per member and cycle.
pub async fn nominate(
    app: &App,
    caller: &Caller,
    id: Uuid,
    body: Nominate,
) -> AppResult<NominationView> {
    let cycle = find_cycle(app, id).await?;
    let me = caller.account.id;
    let nominee = match &body.nominee {
        Some(username) => member_called(app, username, "nominee").await?,
        None => me,
    };
    let nomination = Nomination {
        nominee,
        sponsor: (nominee != me).then_some(me),
        target_rank: body.target_rank,
        statement: body.statement,
        evidence: evidence_refs(&body.evidence)?,
    };
    let new = NewNomination {
        cycle_id: cycle.id,
        submitted_by: me,
        nomination,
    };
    let record = app.store.nominate(&new, Utc::now()).await?;
    let view = full_view(app, caller, record, &cycle).await?;
    Ok(view)
}

/// The caller's nominations, newest first: as nominee, as sponsor, and
/// those of cycles whose committees they sit on. Without evidence or log:
/// read one nomination for those.
pub async fn list_nominations(app: &App, caller: &Caller) -> AppResult<Vec<NominationView>> {
    let records = app.store.nominations(None, Some(caller.account.id)).await?;
    let mut cycles: HashMap<Uuid, CycleRecord> = HashMap::new();
    let mut views = Vec::with_capacity(records.len());
    for record in records {
        if !cycles.contains_key(&record.cycle_id) {
            let cycle = app.store.cycle(record.cycle_id).await?;
            cycles.insert(cycle.id, cycle);
        }
        if let Some(cycle) = cycles.get(&record.cycle_id) {
            views.push(NominationView::new(record, cycle, caller.account.id, None));
        }
    }
    Ok(views)
}

/// One nomination. The nominee and the cycle's committee members see its
/// evidence (summarised from the nominee's file, never a note) and its
/// decision log; the sponsor sees where it stands; to anyone else it does
/// not exist.
pub async fn get_nomination(app: &App, caller: &Caller, id: Uuid) -> AppResult<NominationView> {
    let (record, cycle) = visible(app, caller, id).await?;
    full_view(app, caller, record, &cycle).await
}

/// The decision log of a nomination, oldest first: for the nominee and
/// the cycle's committee members. The sponsor is refused (they see the
/// state, not the rationales); to anyone else it does not exist.
pub async fn get_log(app: &App, caller: &Caller, id: Uuid) -> AppResult<Vec<LogEntryView>> {
    let (record, cycle) = visible(app, caller, id).await?;
    if !may_read_log(caller.account.id, &cycle.cycle.stages, &record.nomination) {
        return Err(AppError::Forbidden(
            "the sponsor sees where the nomination stands, not the committees' rationales".into(),
        ));
    }
    Ok(log_view(&record.log, &cycle))
}

/// The nominee picks the evidence from their own file (replacing any
/// picked before), until a stage has decided. For a sponsored nomination
/// this is also the nominee's acceptance: no stage decides before it.
pub async fn pick_evidence(
    app: &App,
    caller: &Caller,
    id: Uuid,
    body: PickEvidence,
) -> AppResult<NominationView> {
    let (record, cycle) = visible(app, caller, id).await?;
    let evidence = evidence_refs(&body.evidence)?;
    let record = app
        .store
        .set_evidence(record.id, caller.account.id, &evidence, Utc::now())
        .await?;
    full_view(app, caller, record, &cycle).await
}

/// The nominee withdraws their nomination while it is undecided (no stage
/// rejected it, and they were not inducted). The log stays.
pub async fn withdraw(app: &App, caller: &Caller, id: Uuid) -> AppResult<NominationView> {
    let (record, cycle) = visible(app, caller, id).await?;
    let record = app
        .store
        .withdraw_nomination(record.id, caller.account.id, Utc::now())
        .await?;
    full_view(app, caller, record, &cycle).await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InductionView {
    pub id: Uuid,
    pub track_id: Uuid,
    pub track: String,
    pub rank: String,
    pub cycle_id: Uuid,
    pub cycle: String,
    pub nomination_id: Uuid,
    pub inducted_at: DateTime<Utc>,
}

impl From<Induction> for InductionView {
    fn from(i: Induction) -> Self {
        Self {
            id: i.id,
            track_id: i.track_id,
            track: i.track_name,
            rank: i.rank,
            cycle_id: i.cycle_id,
            cycle: i.cycle_name,
            nomination_id: i.nomination_id,
            inducted_at: i.inducted_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionView {
    /// The nomination after the decision.
    pub nomination: NominationView,
    /// The induction the last stage's approval made.
    pub induction: Option<InductionView>,
}

/// Records the decision of the stage the nomination is at, by a member of
/// that stage's committee: `advance` (to the next stage, or induction at
/// the last), `reject` (closes it) or `defer` (decided again later), with
/// a rationale. The nominee and the sponsor are refused even when they sit
/// on the committee: they must recuse themselves. The log only grows.
pub async fn decide(app: &App, caller: &Caller, id: Uuid, body: Decide) -> AppResult<DecisionView> {
    let (record, cycle) = visible(app, caller, id).await?;
    let stage = usize::try_from(body.stage)
        .ok()
        .and_then(|s| s.checked_sub(1))
        .ok_or_else(|| CoreError::invalid("stage", "stages are numbered from 1"))?;
    let new = NewDecision {
        nomination_id: record.id,
        decider: caller.account.id,
        stage,
        decision: StageDecision {
            decision: body.decision,
            rationale: body.rationale,
        },
    };
    let outcome = app.store.record_decision(&new, Utc::now()).await?;
    let nomination = full_view(app, caller, outcome.nomination, &cycle).await?;
    Ok(DecisionView {
        nomination,
        induction: outcome.induction.map(InductionView::from),
    })
}

/// The ranks the caller holds: one induction each, oldest first. They are
/// the caller's own; their profile does not show them.
pub async fn my_ranks(app: &App, caller: &Caller) -> AppResult<Vec<InductionView>> {
    let held = app.store.inductions_of(caller.account.id).await?;
    Ok(held.into_iter().map(InductionView::from).collect())
}

/// A nomination as figures, for admins: who, for what, where it stands,
/// how many decisions; never the statement, evidence or rationales.
#[derive(Debug, Serialize, ToSchema)]
pub struct NominationFigures {
    pub id: Uuid,
    pub nominee: Username,
    pub sponsor: Option<Username>,
    pub target_rank: String,
    pub status: Status,
    /// From 1.
    pub stage: Option<u32>,
    pub accepted: bool,
    pub decisions: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Every nomination of a cycle as figures, newest first.
pub async fn cycle_nominations(
    app: &App,
    _admin: &Admin,
    id: Uuid,
) -> AppResult<Vec<NominationFigures>> {
    let cycle = find_cycle(app, id).await?;
    let records = app.store.nominations(Some(cycle.id), None).await?;
    Ok(records
        .into_iter()
        .map(|r| {
            let (status, stage) = status_of(&r);
            NominationFigures {
                id: r.id,
                nominee: r.nominee.username,
                sponsor: r.sponsor.map(|s| s.username),
                target_rank: r.nomination.target_rank,
                status,
                stage: stage.map(number),
                accepted: r.accepted_at.is_some(),
                decisions: u32::try_from(r.log.len()).unwrap_or(u32::MAX),
                created_at: r.created_at,
                updated_at: r.updated_at,
            }
        })
        .collect())
}
