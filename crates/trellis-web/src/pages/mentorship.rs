//! A mentorship's page: its state and the steps the member may take, the
//! session log with action items, the member's private notes, skill
//! reviews, and endorsing the other party.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;
use trellis_app::dashboard::{self, MentorshipDesk};
use trellis_app::reviews::{ReviewView, StartReview};
use trellis_app::sessions::{PrivateNote, SessionView};
use trellis_app::{AppError, Caller};
use trellis_core::mentorship::{Party, Transition};
use trellis_core::recognition::Endorsement;
use trellis_core::review::{ReviewPart, ReviewState, SkillRating};
use trellis_core::session::{ActionItem, SessionContent};
use trellis_core::skill::{SkillKey, SkillLevel};
use uuid::Uuid;

use crate::forms::{Errors, Fields, Posted};
use crate::kit::{changer, chrome, fail, member, page_with};
use crate::render::{Chrome, Failure, PageResult, see_other};
use crate::visitor::{Visitor, Web};

/// How many empty action-item rows a session form offers.
const NEW_ITEMS: usize = 3;

/// What the log-a-session form holds, as typed.
#[derive(Debug, Default)]
struct SessionDraft {
    held_at: String,
    duration: String,
    topics: String,
    notes: String,
    items: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "mentorship.html")]
struct MentorshipPage {
    c: Chrome,
    d: MentorshipDesk,
    names: std::collections::HashMap<SkillKey, String>,
    /// Which form the errors belong to.
    errors_for: &'static str,
    errors: Errors,
    draft: SessionDraft,
}

impl MentorshipPage {
    fn other(&self) -> String {
        match self.d.mentorship.role {
            Party::Mentor => self.d.mentorship.mentee.handle(),
            Party::Mentee => self.d.mentorship.mentor.handle(),
        }
    }

    fn is_mentor(&self) -> bool {
        self.d.mentorship.role == Party::Mentor
    }

    fn errors_of(&self, form: &str) -> Option<&Errors> {
        (self.errors_for == form).then_some(&self.errors)
    }

    fn transition_value(&self, t: &Transition) -> &'static str {
        t.as_str()
    }

    fn transition_label(&self, t: &Transition) -> String {
        self.c.t(&format!("step-{}", t.as_str()))
    }

    fn skill(&self, key: &SkillKey) -> String {
        self.names
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    fn party(&self, p: &Party) -> String {
        self.c.t(match p {
            Party::Mentor => "party-mentor",
            Party::Mentee => "party-mentee",
        })
    }

    fn by(&self, p: &Party) -> String {
        if *p == self.d.mentorship.role {
            self.c.t("party-you")
        } else {
            self.other()
        }
    }

    fn levels(&self) -> std::ops::RangeInclusive<u8> {
        1..=7
    }

    fn level(&self, n: &u8) -> String {
        format!("{n} · {}", self.c.t(&format!("level-{n}")))
    }

    fn level_of(&self, l: &SkillLevel) -> String {
        self.level(&l.get())
    }

    fn review_state(&self, r: &ReviewView) -> String {
        self.c.t(match r.state {
            ReviewState::Open => "review-open",
            ReviewState::MenteeDone => "review-mentee-done",
            ReviewState::MentorDone => "review-mentor-done",
            ReviewState::Completed => "review-completed",
        })
    }

    /// Whether the caller's part of a review is still to come.
    fn my_part_due(&self, r: &ReviewView) -> bool {
        r.state != ReviewState::Completed
            && match self.d.mentorship.role {
                Party::Mentee => !r.mentee_submitted,
                Party::Mentor => !r.mentor_submitted,
            }
    }

    fn reviews_newest_first(&self) -> impl Iterator<Item = &ReviewView> {
        self.d.reviews.iter().rev()
    }

    /// A part's rating of a skill, if it rates it.
    fn rating<'a>(
        &self,
        part: &'a Option<trellis_app::reviews::PartView>,
        skill: &SkillKey,
    ) -> Option<&'a SkillRating> {
        part.as_ref()?.ratings.iter().find(|r| r.skill == *skill)
    }

    fn held(&self, s: &SessionView) -> String {
        self.c.when(&s.content.held_at)
    }

    fn held_input(&self, s: &SessionView) -> String {
        self.c.local_input(&s.content.held_at)
    }

    fn now_input(&self) -> String {
        self.c.local_input(&Utc::now())
    }

    fn item_rows(&self, s: &SessionView) -> std::ops::Range<usize> {
        0..s.content.action_items.len() + NEW_ITEMS
    }

    fn item<'a>(&self, s: &'a SessionView, i: &usize) -> Option<&'a ActionItem> {
        s.content.action_items.get(*i)
    }

    fn new_item_rows(&self) -> std::ops::Range<usize> {
        0..NEW_ITEMS
    }

    fn draft_item(&self, i: &usize) -> (&str, &str) {
        self.draft
            .items
            .get(*i)
            .map_or(("", "mentee"), |(t, o)| (t.as_str(), o.as_str()))
    }

    fn topics(&self, s: &SessionView) -> String {
        s.content.topics.join(", ")
    }

    /// Whether the mentorship allows endorsing now (under way or completed).
    fn endorsable(&self) -> bool {
        matches!(
            self.d.mentorship.state,
            trellis_core::mentorship::MentorshipState::Active
                | trellis_core::mentorship::MentorshipState::Paused
                | trellis_core::mentorship::MentorshipState::Completed
        )
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    asked: Option<String>,
}

/// The notice a finished action leaves on the page it returns to.
fn notice_of(c: &Chrome, done: &Done) -> Option<String> {
    if done.asked.is_some() {
        return Some(c.t("notice-asked"));
    }
    let key = match done.done.as_deref()? {
        "step" => "notice-step",
        "session" => "notice-session",
        "note" => "notice-note",
        "review" => "notice-review",
        "part" => "notice-part",
        "endorsed" => "notice-endorsed",
        _ => return None,
    };
    Some(c.t(key))
}

/// How the page comes back: its status, and the form whose errors it
/// shows with what was typed in it.
#[derive(Debug)]
struct Shown {
    status: StatusCode,
    form: &'static str,
    errors: Errors,
    draft: SessionDraft,
}

impl Default for Shown {
    fn default() -> Self {
        Self {
            status: StatusCode::OK,
            form: "",
            errors: Errors::default(),
            draft: SessionDraft::default(),
        }
    }
}

async fn render(
    web: &Web,
    visitor: &Visitor,
    caller: &Caller,
    id: Uuid,
    c: Chrome,
    shown: Shown,
) -> PageResult {
    let d = dashboard::mentorship(&web.app, caller, id)
        .await
        .map_err(|e| fail(&c, e))?;
    let names = trellis_app::skills::names(&web.app)
        .await
        .map_err(|e| fail(&c, e))?;
    page_with(
        web,
        visitor,
        shown.status,
        &MentorshipPage {
            c,
            d,
            names,
            errors_for: shown.form,
            errors: shown.errors,
            draft: shown.draft,
        },
    )
}

fn mentorship_id(c: &Chrome, raw: &str) -> Result<Uuid, Failure> {
    Uuid::parse_str(raw).map_err(|_| fail(c, AppError::not_found("mentorship")))
}

pub async fn show(
    State(web): State<Web>,
    visitor: Visitor,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> PageResult {
    let caller = member(&visitor)?;
    let mut c = chrome(&web, &visitor).await?;
    let id = mentorship_id(&c, &id)?;
    c.notice = notice_of(&c, &done);
    render(&web, &visitor, caller, id, c, Shown::default()).await
}

/// Back to the mentorship's page, saying what was done.
fn back(web: &Web, visitor: &Visitor, id: Uuid, done: &str, anchor: &str) -> Response {
    see_other(
        web,
        visitor,
        &format!("/mentorships/{id}?done={done}#{anchor}"),
        CookieJar::new(),
    )
}

/// What an action refused, shown beside its form on the mentorship's
/// page; other failures are error pages.
async fn refused(
    (web, visitor, caller, id): (&Web, &Visitor, &Caller, Uuid),
    form: &'static str,
    fields: &[&str],
    err: AppError,
    draft: SessionDraft,
) -> PageResult {
    let c = chrome(web, visitor).await?;
    let status = match &err {
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        e if crate::forms::is_input_error(e) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => return Err(fail(&c, err)),
    };
    let shown = Shown {
        status,
        form,
        errors: Errors::of(&err, fields),
        draft,
    };
    render(web, visitor, caller, id, c, shown).await
}

#[derive(Debug, Deserialize)]
pub struct StepForm {
    transition: String,
    #[serde(default)]
    note: String,
}

pub async fn step(
    State(web): State<Web>,
    Path(id): Path<Uuid>,
    Posted(visitor, form): Posted<StepForm>,
) -> PageResult {
    let caller = changer(&visitor)?;
    let body = trellis_app::mentorships::TransitionBody { note: form.note };
    match trellis_app::mentorships::transition(&web.app, caller, id, form.transition, Some(body))
        .await
    {
        Ok(_) => Ok(back(&web, &visitor, id, "step", "state")),
        Err(err) => {
            refused(
                (&web, &visitor, caller, id),
                "step",
                &["note"],
                err,
                SessionDraft::default(),
            )
            .await
        }
    }
}

/// A moment typed in a `datetime-local` field, in the member's time zone.
fn local_time(c: &Chrome, raw: &str) -> Result<DateTime<Utc>, Errors> {
    let naive = NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| Errors::field("held_at", c.t("session-when-invalid")))?;
    c.tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| Errors::field("held_at", c.t("session-when-invalid")))
}

/// A session form read into what both parties share of it.
fn content_of(c: &Chrome, form: &Fields) -> Result<SessionContent, Errors> {
    let held_at = local_time(c, form.get("held_at"))?;
    let duration_minutes = form
        .get("duration_minutes")
        .parse()
        .map_err(|_| Errors::field("duration_minutes", c.t("session-duration-invalid")))?;
    let topics = form
        .get("topics")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let rows = (form.get("item_rows").parse::<usize>().unwrap_or(0) + NEW_ITEMS).min(100);
    let mut action_items = Vec::new();
    for i in 0..rows {
        let text = form.get(&format!("item_text_{i}"));
        if text.is_empty() {
            continue;
        }
        let owner = match form.get(&format!("item_owner_{i}")) {
            "mentor" => Party::Mentor,
            _ => Party::Mentee,
        };
        action_items.push(ActionItem {
            text: text.to_owned(),
            owner,
            done: form.checked(&format!("item_done_{i}")),
        });
    }
    Ok(SessionContent {
        held_at,
        duration_minutes,
        topics,
        notes: form.get("notes").to_owned(),
        action_items,
    })
}

fn draft_of(form: &Fields) -> SessionDraft {
    SessionDraft {
        held_at: form.get("held_at").to_owned(),
        duration: form.get("duration_minutes").to_owned(),
        topics: form.get("topics").to_owned(),
        notes: form.get("notes").to_owned(),
        items: (0..NEW_ITEMS)
            .map(|i| {
                (
                    form.get(&format!("item_text_{i}")).to_owned(),
                    form.get(&format!("item_owner_{i}")).to_owned(),
                )
            })
            .collect(),
    }
}

const SESSION_FIELDS: &[&str] = &[
    "held_at",
    "duration_minutes",
    "topics",
    "notes",
    "action_items",
];

pub async fn log_session(
    State(web): State<Web>,
    Path(id): Path<Uuid>,
    Posted(visitor, form): Posted<Fields>,
) -> PageResult {
    let caller = changer(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    let outcome = match content_of(&c, &form) {
        Ok(content) => trellis_app::sessions::create(&web.app, caller, id, content)
            .await
            .map(|_| ())
            .map_err(Ok),
        Err(errors) => Err(Err(errors)),
    };
    match outcome {
        Ok(()) => Ok(back(&web, &visitor, id, "session", "sessions")),
        Err(Ok(err)) => {
            refused(
                (&web, &visitor, caller, id),
                "log",
                SESSION_FIELDS,
                err,
                draft_of(&form),
            )
            .await
        }
        Err(Err(errors)) => {
            render(
                &web,
                &visitor,
                caller,
                id,
                c,
                Shown {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    form: "log",
                    errors,
                    draft: draft_of(&form),
                },
            )
            .await
        }
    }
}

pub async fn edit_session(
    State(web): State<Web>,
    Path((id, session)): Path<(Uuid, Uuid)>,
    Posted(visitor, form): Posted<Fields>,
) -> PageResult {
    let caller = changer(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    let outcome = match content_of(&c, &form) {
        Ok(content) => trellis_app::sessions::put(&web.app, caller, id, session, content)
            .await
            .map(|_| ())
            .map_err(Ok),
        Err(errors) => Err(Err(errors)),
    };
    match outcome {
        Ok(()) => Ok(back(
            &web,
            &visitor,
            id,
            "session",
            &format!("session-{session}"),
        )),
        Err(Ok(err)) => {
            refused(
                (&web, &visitor, caller, id),
                "edit",
                SESSION_FIELDS,
                err,
                SessionDraft::default(),
            )
            .await
        }
        Err(Err(errors)) => {
            render(
                &web,
                &visitor,
                caller,
                id,
                c,
                Shown {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    form: "edit",
                    errors,
                    draft: SessionDraft::default(),
                },
            )
            .await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    text: String,
}

pub async fn private_note(
    State(web): State<Web>,
    Path((id, session)): Path<(Uuid, Uuid)>,
    Posted(visitor, form): Posted<NoteForm>,
) -> PageResult {
    let caller = changer(&visitor)?;
    let note = PrivateNote { text: form.text };
    match trellis_app::sessions::private_note(&web.app, caller, id, session, note).await {
        Ok(_) => Ok(back(
            &web,
            &visitor,
            id,
            "note",
            &format!("session-{session}"),
        )),
        Err(err) => {
            refused(
                (&web, &visitor, caller, id),
                "note",
                &["text"],
                err,
                SessionDraft::default(),
            )
            .await
        }
    }
}

pub async fn start_review(
    State(web): State<Web>,
    Path(id): Path<Uuid>,
    Posted(visitor, _form): Posted<Fields>,
) -> PageResult {
    let caller = changer(&visitor)?;
    match trellis_app::reviews::start(&web.app, caller, id, StartReview { skills: None }).await {
        Ok(_) => Ok(back(&web, &visitor, id, "review", "reviews")),
        Err(err) => {
            refused(
                (&web, &visitor, caller, id),
                "review",
                &["skills"],
                err,
                SessionDraft::default(),
            )
            .await
        }
    }
}

/// The caller's part of a review: a rating (and a comment) for each skill
/// they can judge; a skill left without a rating is left out.
pub async fn submit_part(
    State(web): State<Web>,
    Path((id, review)): Path<(Uuid, Uuid)>,
    Posted(visitor, form): Posted<Fields>,
) -> PageResult {
    let caller = changer(&visitor)?;
    let mut ratings = Vec::new();
    for key in form.all("skill") {
        let Ok(skill) = SkillKey::parse(key) else {
            continue;
        };
        let rating = form.get(&format!("rating_{key}"));
        if rating.is_empty() {
            continue;
        }
        let Some(rating) = rating
            .parse::<u8>()
            .ok()
            .and_then(|n| SkillLevel::try_from(n).ok())
        else {
            continue;
        };
        ratings.push(SkillRating {
            skill,
            rating,
            comment: form.get(&format!("comment_{key}")).to_owned(),
        });
    }
    match trellis_app::reviews::submit(&web.app, caller, id, review, ReviewPart { ratings }).await {
        Ok(_) => Ok(back(
            &web,
            &visitor,
            id,
            "part",
            &format!("review-{review}"),
        )),
        Err(err) => {
            refused(
                (&web, &visitor, caller, id),
                "part",
                &["ratings"],
                err,
                SessionDraft::default(),
            )
            .await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct EndorseForm {
    #[serde(default)]
    skill: String,
    #[serde(default)]
    text: String,
}

pub async fn endorse(
    State(web): State<Web>,
    Path(id): Path<Uuid>,
    Posted(visitor, form): Posted<EndorseForm>,
) -> PageResult {
    let caller = changer(&visitor)?;
    let endorsement = match SkillKey::parse(&form.skill) {
        Ok(skill) => Endorsement {
            skill,
            text: form.text,
        },
        Err(e) => {
            return refused(
                (&web, &visitor, caller, id),
                "endorse",
                &["skill", "text"],
                AppError::Validation(format!("skill: {e}")),
                SessionDraft::default(),
            )
            .await;
        }
    };
    match trellis_app::endorsements::give(&web.app, caller, id, endorsement).await {
        Ok(_) => Ok(back(&web, &visitor, id, "endorsed", "endorse")),
        Err(err) => {
            refused(
                (&web, &visitor, caller, id),
                "endorse",
                &["skill", "text"],
                err,
                SessionDraft::default(),
            )
            .await
        }
    }
}
