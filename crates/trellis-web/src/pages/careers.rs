//! Career tracks from a member's side: their nominations (as nominee, as
//! sponsor), nominating in an open cycle, and picking the evidence from
//! their own file; and moving to another organization's instance.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use trellis_app::file::{EntryKind, FileEntry, FileParams};
use trellis_app::moves::{Aliases, ImportView, StartMove};
use trellis_app::tracks::{
    CycleView, EvidenceInput, EvidenceView, Nominate, NominationView, PickEvidence, Role, Status,
    TrackView,
};
use trellis_core::account::Username;
use trellis_core::track::EvidenceKind;
use uuid::Uuid;

use crate::forms::{Errors, Fields, Posted};
use crate::kit::{changer, chrome, fail, member, page_with};
use crate::render::{Chrome, Failure, PageResult, see_other};
use crate::visitor::{Visitor, Web};

/// An item of the member's file they may offer as evidence.
struct Offerable {
    kind: EvidenceKind,
    item: String,
    at: String,
    label: String,
}

/// The items of the member's file that can be evidence, newest first.
async fn offerable(
    web: &Web,
    c: &Chrome,
    caller: &trellis_app::Caller,
) -> Result<Vec<Offerable>, Failure> {
    let names = trellis_app::skills::names(&web.app)
        .await
        .map_err(|e| fail(c, e))?;
    let page = trellis_app::file::file(
        &web.app,
        caller,
        FileParams {
            page: Some(1),
            per_page: Some(200),
        },
    )
    .await
    .map_err(|e| fail(c, e))?;
    let mut seen = std::collections::HashSet::new();
    Ok(page
        .entries
        .into_iter()
        .filter_map(|e: FileEntry| {
            let (kind, item) = match (e.kind, &e.item, e.mentorship_id) {
                (EntryKind::Session, Some(item), _) => (EvidenceKind::Session, item.clone()),
                (EntryKind::Review, Some(item), _) => (EvidenceKind::Review, item.clone()),
                (EntryKind::Plan, Some(item), _) => (EvidenceKind::Plan, item.clone()),
                (EntryKind::Mentorship, _, Some(m)) => (EvidenceKind::Mentorship, m.to_string()),
                _ => return None,
            };
            seen.insert((kind, item.clone())).then(|| Offerable {
                kind,
                at: c.when(&e.at),
                label: crate::words::file_entry(c, &names, &e),
                item,
            })
        })
        .collect())
}

#[derive(Template)]
#[template(path = "nominations.html")]
struct NominationsPage {
    c: Chrome,
    nominations: Vec<NominationView>,
    cycles: Vec<(CycleView, Option<TrackView>)>,
    offerable: Vec<Offerable>,
    errors: Errors,
}

impl NominationsPage {
    fn status(&self, n: &NominationView) -> String {
        status_words(&self.c, n)
    }

    fn role(&self, r: &Role) -> String {
        self.c.t(match r {
            Role::Nominee => "nomination-role-nominee",
            Role::Sponsor => "nomination-role-sponsor",
            Role::Committee => "nomination-role-committee",
        })
    }

    fn kind(&self, k: &EvidenceKind) -> String {
        self.c.t(&format!("evidence-{}", k.as_str()))
    }

    fn kind_value(&self, k: &EvidenceKind) -> &'static str {
        k.as_str()
    }
}

fn status_words(c: &Chrome, n: &NominationView) -> String {
    match n.status {
        Status::InStage => c.t1(
            "nomination-in-stage",
            "stage",
            n.stage_name.clone().unwrap_or_default(),
        ),
        Status::Rejected => c.t("nomination-rejected"),
        Status::Inducted => c.t("nomination-inducted"),
        Status::Withdrawn => c.t("nomination-withdrawn"),
    }
}

async fn nominations_page(
    web: &Web,
    visitor: &Visitor,
    c: Chrome,
    status: StatusCode,
    errors: Errors,
) -> PageResult {
    let caller = member(visitor)?;
    let app = &web.app;
    let nominations = trellis_app::tracks::list_nominations(app, caller)
        .await
        .map_err(|e| fail(&c, e))?;
    let open = trellis_app::tracks::open_cycles(app, caller)
        .await
        .map_err(|e| fail(&c, e))?;
    let mut cycles = Vec::with_capacity(open.len());
    for cycle in open {
        let track = trellis_app::tracks::get_track(app, caller, cycle.track_id)
            .await
            .ok();
        cycles.push((cycle, track));
    }
    let offerable = offerable(web, &c, caller).await?;
    page_with(
        web,
        visitor,
        status,
        &NominationsPage {
            c,
            nominations,
            cycles,
            offerable,
            errors,
        },
    )
}

pub async fn nominations(State(web): State<Web>, visitor: Visitor) -> PageResult {
    member(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    nominations_page(&web, &visitor, c, StatusCode::OK, Errors::default()).await
}

/// The evidence a form ticked: `evidence` values of `kind:item`.
fn evidence_of(form: &Fields) -> Vec<EvidenceInput> {
    form.all("evidence")
        .into_iter()
        .filter_map(|v| {
            let (kind, item) = v.split_once(':')?;
            let kind = [
                EvidenceKind::Session,
                EvidenceKind::Review,
                EvidenceKind::Mentorship,
                EvidenceKind::Plan,
            ]
            .into_iter()
            .find(|k| k.as_str() == kind)?;
            Some(EvidenceInput {
                kind,
                item: item.to_owned(),
            })
        })
        .collect()
}

pub async fn nominate(State(web): State<Web>, Posted(visitor, form): Posted<Fields>) -> PageResult {
    let caller = changer(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    let Ok(cycle) = Uuid::parse_str(form.get("cycle")) else {
        let errors = Errors::field("cycle", c.t("nominate-choose-cycle"));
        return nominations_page(&web, &visitor, c, StatusCode::UNPROCESSABLE_ENTITY, errors).await;
    };
    let nominee = match form.get("nominee") {
        "" => None,
        raw => match Username::parse(raw) {
            Ok(u) => Some(u),
            Err(e) => {
                let errors = Errors::field("nominee", e.to_string());
                return nominations_page(
                    &web,
                    &visitor,
                    c,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    errors,
                )
                .await;
            }
        },
    };
    let body = Nominate {
        evidence: if nominee.is_some() {
            Vec::new()
        } else {
            evidence_of(&form)
        },
        nominee,
        target_rank: form.get("target_rank").to_owned(),
        statement: form.get("statement").to_owned(),
    };
    match trellis_app::tracks::nominate(&web.app, caller, cycle, body).await {
        Ok(n) => Ok(see_other(
            &web,
            &visitor,
            &format!("/nominations/{}", n.id),
            CookieJar::new(),
        )),
        Err(err) if crate::forms::is_input_error(&err) => {
            let errors = Errors::of(&err, &["nominee", "target_rank", "statement", "evidence"]);
            nominations_page(&web, &visitor, c, StatusCode::UNPROCESSABLE_ENTITY, errors).await
        }
        Err(err) => Err(fail(&c, err)),
    }
}

#[derive(Template)]
#[template(path = "nomination.html")]
struct NominationPage {
    c: Chrome,
    n: NominationView,
    offerable: Vec<Offerable>,
    errors: Errors,
}

impl NominationPage {
    fn status(&self) -> String {
        status_words(&self.c, &self.n)
    }

    fn recused(&self) -> Option<String> {
        recusal(&self.c, &self.n)
    }

    fn decisions(&self) -> [trellis_core::track::Decision; 3] {
        use trellis_core::track::Decision;
        [Decision::Advance, Decision::Defer, Decision::Reject]
    }

    fn is_nominee(&self) -> bool {
        self.n.roles.contains(&Role::Nominee)
    }

    fn open(&self) -> bool {
        self.n.status == Status::InStage
    }

    fn kind(&self, k: &EvidenceKind) -> String {
        self.c.t(&format!("evidence-{}", k.as_str()))
    }

    fn kind_value(&self, k: &EvidenceKind) -> &'static str {
        k.as_str()
    }

    fn decision(&self, d: &trellis_core::track::Decision) -> String {
        self.c.t(&format!("decision-{}", d.as_str()))
    }

    /// An item of evidence in words.
    fn evidence_words(&self, e: &EvidenceView) -> String {
        let c = &self.c;
        match e {
            EvidenceView::Session {
                held_at,
                duration_minutes,
                topics,
                ..
            } => {
                c.t2(
                    "evidence-session-words",
                    "when",
                    c.when(held_at),
                    "minutes",
                    *duration_minutes,
                ) + &if topics.is_empty() {
                    String::new()
                } else {
                    format!(": {}", topics.join(", "))
                }
            }
            EvidenceView::Review {
                completed_at,
                skills,
                ..
            } => c.t2(
                "evidence-review-words",
                "when",
                completed_at.map(|t| c.when(&t)).unwrap_or_default(),
                "skills",
                skills.len(),
            ),
            EvidenceView::Mentorship {
                with, state, since, ..
            } => {
                c.t2(
                    "evidence-mentorship-words",
                    "name",
                    with.handle(),
                    "since",
                    c.when(since),
                ) + &format!(" ({})", c.state(state))
            }
            EvidenceView::Plan { version, goals, .. } => {
                c.t1("evidence-plan-words", "version", *version)
                    + &format!(": {}", goals.join(", "))
            }
        }
    }
}

async fn nomination_page(
    web: &Web,
    visitor: &Visitor,
    id: Uuid,
    c: Chrome,
    status: StatusCode,
    errors: Errors,
) -> PageResult {
    let caller = member(visitor)?;
    let n = trellis_app::tracks::get_nomination(&web.app, caller, id)
        .await
        .map_err(|e| fail(&c, e))?;
    let offerable = if n.roles.contains(&Role::Nominee) {
        offerable(web, &c, caller).await?
    } else {
        Vec::new()
    };
    page_with(
        web,
        visitor,
        status,
        &NominationPage {
            c,
            n,
            offerable,
            errors,
        },
    )
}

pub async fn nomination(
    State(web): State<Web>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> PageResult {
    member(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    let id = Uuid::parse_str(&id)
        .map_err(|_| fail(&c, trellis_app::AppError::not_found("nomination")))?;
    nomination_page(&web, &visitor, id, c, StatusCode::OK, Errors::default()).await
}

pub async fn pick_evidence(
    State(web): State<Web>,
    Path(id): Path<Uuid>,
    Posted(visitor, form): Posted<Fields>,
) -> PageResult {
    let caller = changer(&visitor)?;
    let body = PickEvidence {
        evidence: evidence_of(&form),
    };
    match trellis_app::tracks::pick_evidence(&web.app, caller, id, body).await {
        Ok(_) => Ok(see_other(
            &web,
            &visitor,
            &format!("/nominations/{id}"),
            CookieJar::new(),
        )),
        Err(err) => {
            let c = chrome(&web, &visitor).await?;
            let status = match &err {
                trellis_app::AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                trellis_app::AppError::Conflict(_) => StatusCode::CONFLICT,
                e if crate::forms::is_input_error(e) => StatusCode::UNPROCESSABLE_ENTITY,
                _ => return Err(fail(&c, err)),
            };
            let errors = Errors::of(&err, &["evidence"]);
            nomination_page(&web, &visitor, id, c, status, errors).await
        }
    }
}

pub async fn withdraw(
    State(web): State<Web>,
    Path(id): Path<Uuid>,
    Posted(visitor, _form): Posted<Fields>,
) -> PageResult {
    let caller = changer(&visitor)?;
    trellis_app::tracks::withdraw(&web.app, caller, id)
        .await
        .map_err(|e| Failure::new(e, &visitor))?;
    Ok(see_other(
        &web,
        &visitor,
        &format!("/nominations/{id}"),
        CookieJar::new(),
    ))
}

#[derive(Template)]
#[template(path = "moving.html")]
struct MovingPage {
    c: Chrome,
    aliases: Vec<String>,
    imports: Vec<ImportView>,
    errors_for: &'static str,
    errors: Errors,
    moved: Option<trellis_app::moves::MoveView>,
}

impl MovingPage {
    fn aliases_text(&self) -> String {
        self.aliases.join("\n")
    }

    fn errors_of(&self, form: &str) -> Option<&Errors> {
        (self.errors_for == form).then_some(&self.errors)
    }

    /// A figure of an import's report.
    fn count(&self, i: &ImportView, what: &str) -> u64 {
        i.report
            .as_ref()
            .and_then(|r| r.get(what))
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0)
    }

    /// What an import refused, and why.
    fn refused(&self, i: &ImportView) -> Vec<(String, String)> {
        i.report
            .as_ref()
            .and_then(|r| r.get("refused"))
            .and_then(serde_json::Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|r| {
                        let text = |k: &str| {
                            r.get(k)
                                .and_then(serde_json::Value::as_str)
                                .unwrap_or_default()
                                .to_owned()
                        };
                        (text("what"), text("why"))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn failure(&self, i: &ImportView) -> Option<String> {
        i.report
            .as_ref()
            .and_then(|r| r.get("error"))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    }

    fn state(&self, i: &ImportView) -> String {
        self.c.t(&format!("import-{}", i.state))
    }
}

async fn moving_page(
    web: &Web,
    visitor: &Visitor,
    c: Chrome,
    status: StatusCode,
    errors_for: &'static str,
    errors: Errors,
    moved: Option<trellis_app::moves::MoveView>,
) -> PageResult {
    let caller = member(visitor)?;
    let aliases = trellis_app::moves::get_aliases(&web.app, caller)
        .await
        .map_err(|e| fail(&c, e))?
        .also_known_as;
    let imports = trellis_app::moves::imports(&web.app, caller)
        .await
        .map_err(|e| fail(&c, e))?;
    page_with(
        web,
        visitor,
        status,
        &MovingPage {
            c,
            aliases,
            imports,
            errors_for,
            errors,
            moved,
        },
    )
}

pub async fn moving(State(web): State<Web>, visitor: Visitor) -> PageResult {
    member(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    moving_page(
        &web,
        &visitor,
        c,
        StatusCode::OK,
        "",
        Errors::default(),
        None,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct AliasForm {
    #[serde(default)]
    aliases: String,
}

pub async fn set_aliases(
    State(web): State<Web>,
    Posted(visitor, form): Posted<AliasForm>,
) -> PageResult {
    let caller = changer(&visitor)?;
    let also_known_as = form
        .aliases
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let result = trellis_app::moves::put_aliases(&web.app, caller, Aliases { also_known_as }).await;
    let c = chrome(&web, &visitor).await?;
    match result {
        Ok(_) => {
            let c = Chrome {
                notice: Some(c.t("moving-aliases-saved")),
                ..c
            };
            moving_page(
                &web,
                &visitor,
                c,
                StatusCode::OK,
                "",
                Errors::default(),
                None,
            )
            .await
        }
        Err(err)
            if crate::forms::is_input_error(&err)
                || matches!(err, trellis_app::AppError::NotFound(_)) =>
        {
            let errors = Errors::field("aliases", err.to_string());
            moving_page(
                &web,
                &visitor,
                c,
                StatusCode::UNPROCESSABLE_ENTITY,
                "aliases",
                errors,
                None,
            )
            .await
        }
        Err(err) => Err(fail(&c, err)),
    }
}

#[derive(Debug, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    confirm: Option<String>,
}

pub async fn start_move(
    State(web): State<Web>,
    Posted(visitor, form): Posted<MoveForm>,
) -> PageResult {
    let caller = changer(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    if form.confirm.is_none() {
        let errors = Errors::field("confirm", c.t("moving-confirm-needed"));
        return moving_page(
            &web,
            &visitor,
            c,
            StatusCode::UNPROCESSABLE_ENTITY,
            "move",
            errors,
            None,
        )
        .await;
    }
    match trellis_app::moves::start(&web.app, caller, StartMove { to: form.to }).await {
        Ok(moved) => {
            let c = Chrome {
                notice: Some(c.t1("moving-done", "target", moved.moved_to.as_str())),
                ..c
            };
            moving_page(
                &web,
                &visitor,
                c,
                StatusCode::OK,
                "",
                Errors::default(),
                Some(moved),
            )
            .await
        }
        Err(err) => {
            let status = match &err {
                trellis_app::AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                trellis_app::AppError::NotFound(_) => StatusCode::NOT_FOUND,
                trellis_app::AppError::Conflict(_) => StatusCode::CONFLICT,
                trellis_app::AppError::BadGateway(_) => StatusCode::BAD_GATEWAY,
                e if crate::forms::is_input_error(e) => StatusCode::UNPROCESSABLE_ENTITY,
                _ => return Err(fail(&c, err)),
            };
            let errors = Errors::field("to", err.to_string());
            moving_page(&web, &visitor, c, status, "move", errors, None).await
        }
    }
}

#[derive(Template)]
#[template(path = "committee.html")]
struct CommitteePage {
    c: Chrome,
    waiting: Vec<NominationView>,
    others: Vec<NominationView>,
}

impl CommitteePage {
    fn status(&self, n: &NominationView) -> String {
        status_words(&self.c, n)
    }

    /// Why the member may not decide on a nomination they sit on, if so.
    fn recused(&self, n: &NominationView) -> Option<String> {
        recusal(&self.c, n)
    }
}

/// The member's recusal from a nomination of their committee: as its
/// nominee or its sponsor they may not decide it.
fn recusal(c: &Chrome, n: &NominationView) -> Option<String> {
    if !n.roles.contains(&Role::Committee) {
        return None;
    }
    if n.roles.contains(&Role::Nominee) {
        Some(c.t("committee-recused-nominee"))
    } else if n.roles.contains(&Role::Sponsor) {
        Some(c.t("committee-recused-sponsor"))
    } else {
        None
    }
}

/// The nominations of the committees the member sits on: those waiting
/// for their stage's decision first.
pub async fn committee(State(web): State<Web>, visitor: Visitor) -> PageResult {
    let caller = member(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    let all = trellis_app::tracks::list_nominations(&web.app, caller)
        .await
        .map_err(|e| fail(&c, e))?;
    let (waiting, others) = all
        .into_iter()
        .filter(|n| n.roles.contains(&Role::Committee))
        .partition(|n| n.awaiting_you);
    page_with(
        &web,
        &visitor,
        StatusCode::OK,
        &CommitteePage { c, waiting, others },
    )
}

/// A committee member's decision for the stage a nomination is at.
pub async fn decide(
    State(web): State<Web>,
    Path(id): Path<Uuid>,
    Posted(visitor, form): Posted<Fields>,
) -> PageResult {
    use trellis_core::track::{Decision, Rationale};
    let caller = changer(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    let parsed = (|| {
        let stage = form
            .get("stage")
            .parse::<u32>()
            .map_err(|_| trellis_app::AppError::Validation("stage: which stage?".into()))?;
        let decision = Decision::parse(form.get("decision"))?;
        let rationale = Rationale::parse(form.get("rationale"))?;
        Ok::<_, trellis_app::AppError>(trellis_app::tracks::Decide {
            stage,
            decision,
            rationale,
        })
    })();
    let result = match parsed {
        Ok(body) => trellis_app::tracks::decide(&web.app, caller, id, body)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other(
            &web,
            &visitor,
            &format!("/nominations/{id}#log"),
            CookieJar::new(),
        )),
        Err(err) => {
            let status = match &err {
                trellis_app::AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                trellis_app::AppError::Conflict(_) => StatusCode::CONFLICT,
                e if crate::forms::is_input_error(e) => StatusCode::UNPROCESSABLE_ENTITY,
                _ => return Err(fail(&c, err)),
            };
            let errors = Errors::of(&err, &["rationale", "decision"]);
            nomination_page(&web, &visitor, id, c, status, errors).await
        }
    }
}
