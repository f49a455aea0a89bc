//! Running the program: the admins' pages. The program's health as a
//! dashboard with charts, settings and invites, the skills catalog,
//! partners and blocks with federation health, matching weights, cohorts,
//! achievements and credentials, career tracks and their cycles. A member
//! who is not an admin is answered as if these pages did not exist.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use trellis_app::admin::{CreatedInvite, InviteRequest, InviteView, SettingsEdit, SettingsView};
use trellis_app::cohorts::{
    CohortSummaryView, CohortView, MembersBody, NewCohortBody, ProposalView,
};
use trellis_app::partners::{BlockRequest, FederationStatus, PartnerRequest, PeerView};
use trellis_app::recognition::{AchievementView, AwardRequest, Revocation};
use trellis_app::reports::Dashboard;
use trellis_app::skills::{CatalogParams, NewSkill, SkillEdit, SkillView};
use trellis_app::tracks::{CreateCycle, CycleView, NominationFigures, StageInput, TrackView};
use trellis_app::{Admin, AppError};
use trellis_core::account::Username;
use trellis_core::matching::{Factor, FactorScore, Weights};
use trellis_core::recognition::{AchievementDefinition, AwardRule, Metric};
use trellis_core::settings::RegistrationMode;
use trellis_core::track::{CareerTrack, Rank};
use uuid::Uuid;

use crate::forms::{Errors, Fields, Posted};
use crate::kit::{chrome, fail, page, page_with};
use crate::render::{Chrome, Failure, PageResult, see_other};
use crate::visitor::{Visitor, Web};

/// The visitor as an admin; anyone else is told the page does not exist.
fn admin(visitor: &Visitor) -> Result<Admin, Failure> {
    let caller = crate::kit::member(visitor)?;
    caller
        .clone()
        .admin()
        .map_err(|_| Failure::new(AppError::not_found("page"), visitor))
}

/// An admin page's start: who looks (an admin, else "not found") and the
/// frame, with the notice of what the last action did.
async fn admin_page(web: &Web, visitor: &Visitor, done: &Done) -> Result<(Admin, Chrome), Failure> {
    let admin = admin(visitor)?;
    let mut c = chrome(web, visitor).await?;
    notice(&mut c, done);
    Ok((admin, c))
}

/// An admin who may change things (a moved admin may not).
fn changing_admin(visitor: &Visitor) -> Result<Admin, Failure> {
    crate::kit::changer(visitor)?;
    admin(visitor)
}

/// Back to an admin page after an action, saying what was done.
fn back(web: &Web, visitor: &Visitor, to: &str) -> Response {
    see_other(web, visitor, to, CookieJar::new())
}

/// The status an action's refusal answers with.
fn refusal_status(err: &AppError) -> Option<StatusCode> {
    match err {
        AppError::Conflict(_) => Some(StatusCode::CONFLICT),
        AppError::Forbidden(_) => Some(StatusCode::FORBIDDEN),
        AppError::NotFound(_) => Some(StatusCode::NOT_FOUND),
        AppError::BadGateway(_) => Some(StatusCode::BAD_GATEWAY),
        e if crate::forms::is_input_error(e) => Some(StatusCode::UNPROCESSABLE_ENTITY),
        _ => None,
    }
}

#[derive(Debug, Deserialize)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

/// The notice an action leaves on the page it comes back to.
fn notice(c: &mut Chrome, done: &Done) {
    if let Some(key) = done.done.as_deref()
        && key.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-')
    {
        c.notice = c.lang.try_with(&format!("admin-done-{key}"), &[]);
    }
}

// ------------------------------------------------------------- dashboard

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct DashboardPage {
    c: Chrome,
    d: Dashboard,
}

impl DashboardPage {
    fn weeks_chart(&self) -> (String, String) {
        let values: Vec<(String, u64)> = self
            .d
            .sessions_per_week
            .iter()
            .map(|(week, n)| (self.c.day(week), *n))
            .collect();
        crate::charts::bars(&values, 13)
    }

    fn states_chart(&self) -> (String, String) {
        crate::charts::hbars(&self.states())
    }

    fn states(&self) -> Vec<(String, u64)> {
        self.d
            .by_state
            .iter()
            .map(|(state, n)| (self.c.t(&format!("state-{state}")), *n))
            .collect()
    }

    fn cohorts_chart(&self) -> (String, String) {
        crate::charts::hbars(&self.cohort_rows())
    }

    fn cohort_rows(&self) -> Vec<(String, u64)> {
        self.d
            .cohorts
            .iter()
            .map(|c| {
                let percent = (c.reviews_completed * 100)
                    .checked_div(c.reviews_started)
                    .unwrap_or(0);
                (c.name.clone(), percent)
            })
            .collect()
    }

    fn tree_chart(&self) -> (String, String) {
        let edges: Vec<(String, String)> = self
            .d
            .tree
            .edges
            .iter()
            .map(|e| (e.mentor.handle(), e.mentee.handle()))
            .collect();
        crate::charts::tree(&edges)
    }

    fn completion(&self) -> String {
        self.d
            .report
            .review_completion
            .map_or_else(|| "–".to_owned(), |r| format!("{:.0} %", r * 100.0))
    }

    fn weeks_total(&self) -> u64 {
        self.d.sessions_per_week.iter().map(|(_, n)| n).sum()
    }
}

pub async fn dashboard(State(web): State<Web>, visitor: Visitor) -> PageResult {
    let admin = admin(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    let d = trellis_app::reports::dashboard(&web.app, &admin)
        .await
        .map_err(|e| fail(&c, e))?;
    page(&web, &visitor, &DashboardPage { c, d })
}

/// The program report as CSV, one row a pairing.
pub async fn report_csv(State(web): State<Web>, visitor: Visitor) -> PageResult {
    let admin = admin(&visitor)?;
    let csv = trellis_app::reports::program_csv(&web.app, &admin)
        .await
        .map_err(|e| Failure::new(e, &visitor))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"program-report.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}

// -------------------------------------------------------------- settings

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    c: Chrome,
    s: SettingsView,
    invites: Vec<InviteView>,
    created: Option<CreatedInvite>,
    join_base: String,
    errors_for: &'static str,
    errors: Errors,
}

impl SettingsPage {
    fn modes(&self) -> [(RegistrationMode, &'static str); 3] {
        [
            (RegistrationMode::Open, "open"),
            (RegistrationMode::InviteOnly, "invite-only"),
            (RegistrationMode::Closed, "closed"),
        ]
    }

    fn mode_words(&self, value: &str) -> String {
        self.c.t(&format!("registration-{value}"))
    }

    fn invite_state(&self, i: &InviteView) -> String {
        let value = serde_json::to_value(i.state)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        self.c.t(&format!("invite-{value}"))
    }

    fn errors_of(&self, form: &str) -> Option<&Errors> {
        (self.errors_for == form).then_some(&self.errors)
    }
}

async fn settings_page(
    web: &Web,
    visitor: &Visitor,
    c: Chrome,
    status: StatusCode,
    created: Option<CreatedInvite>,
    errors_for: &'static str,
    errors: Errors,
) -> PageResult {
    let admin = admin(visitor)?;
    let s = trellis_app::admin::get_settings(&web.app, &admin)
        .await
        .map_err(|e| fail(&c, e))?;
    let invites = trellis_app::admin::list_invites(&web.app, &admin)
        .await
        .map_err(|e| fail(&c, e))?;
    let join_base = format!(
        "{}/join/",
        web.app
            .federation
            .actor_url("x")
            .trim_end_matches("/users/x")
    );
    page_with(
        web,
        visitor,
        status,
        &SettingsPage {
            c,
            s,
            invites,
            created,
            join_base,
            errors_for,
            errors,
        },
    )
}

pub async fn settings(
    State(web): State<Web>,
    visitor: Visitor,
    axum::extract::Query(done): axum::extract::Query<Done>,
) -> PageResult {
    let (_, c) = admin_page(&web, &visitor, &done).await?;
    settings_page(
        &web,
        &visitor,
        c,
        StatusCode::OK,
        None,
        "",
        Errors::default(),
    )
    .await
}

pub async fn save_settings(
    State(web): State<Web>,
    Posted(visitor, form): Posted<Fields>,
) -> PageResult {
    let admin = changing_admin(&visitor)?;
    let registration_mode = match form.get("registration_mode") {
        "open" => Some(RegistrationMode::Open),
        "invite-only" => Some(RegistrationMode::InviteOnly),
        "closed" => Some(RegistrationMode::Closed),
        _ => None,
    };
    let edit = SettingsEdit {
        registration_mode,
        federation_mode: None,
        organization_name: Some(form.get("organization_name").to_owned()),
        organization_description: Some(form.get("organization_description").to_owned()),
    };
    match trellis_app::admin::edit_settings(&web.app, &admin, edit).await {
        Ok(_) => Ok(back(&web, &visitor, "/admin/settings?done=settings")),
        Err(err) => {
            let c = chrome(&web, &visitor).await?;
            let Some(status) = refusal_status(&err) else {
                return Err(fail(&c, err));
            };
            let errors = Errors::of(&err, &["organization_name", "organization_description"]);
            settings_page(&web, &visitor, c, status, None, "settings", errors).await
        }
    }
}

pub async fn create_invite(
    State(web): State<Web>,
    Posted(visitor, form): Posted<Fields>,
) -> PageResult {
    let admin = changing_admin(&visitor)?;
    let number = |name: &str| form.get(name).parse::<u32>().ok();
    let request = InviteRequest {
        note: form.get("note").to_owned(),
        max_uses: number("max_uses"),
        expires_in_days: number("expires_in_days"),
    };
    let c = chrome(&web, &visitor).await?;
    match trellis_app::admin::create_invite(&web.app, &admin, request).await {
        Ok(created) => {
            let c = Chrome {
                notice: Some(c.t("admin-invite-created")),
                ..c
            };
            settings_page(
                &web,
                &visitor,
                c,
                StatusCode::OK,
                Some(created),
                "",
                Errors::default(),
            )
            .await
        }
        Err(err) => {
            let Some(status) = refusal_status(&err) else {
                return Err(fail(&c, err));
            };
            let errors = Errors::of(&err, &["note", "max_uses", "expires_in_days"]);
            settings_page(&web, &visitor, c, status, None, "invite", errors).await
        }
    }
}

pub async fn revoke_invite(
    State(web): State<Web>,
    Path(id): Path<Uuid>,
    Posted(visitor, _form): Posted<Fields>,
) -> PageResult {
    let admin = changing_admin(&visitor)?;
    trellis_app::admin::revoke_invite(&web.app, &admin, id)
        .await
        .map_err(|e| Failure::new(e, &visitor))?;
    Ok(back(
        &web,
        &visitor,
        "/admin/settings?done=invite-revoked#invites",
    ))
}

// ---------------------------------------------------------------- skills

#[derive(Template)]
#[template(path = "admin/skills.html")]
struct SkillsPage {
    c: Chrome,
    skills: Vec<SkillView>,
    errors: Errors,
}

impl SkillsPage {
    fn families(&self) -> Vec<(&str, Vec<&SkillView>)> {
        let mut families: Vec<(&str, Vec<&SkillView>)> = Vec::new();
        for s in &self.skills {
            match families.iter_mut().find(|(f, _)| *f == s.family) {
                Some((_, list)) => list.push(s),
                None => families.push((s.family.as_str(), vec![s])),
            }
        }
        families
    }
}

async fn skills_page(
    web: &Web,
    visitor: &Visitor,
    c: Chrome,
    status: StatusCode,
    errors: Errors,
) -> PageResult {
    admin(visitor)?;
    let skills = trellis_app::skills::list(
        &web.app,
        CatalogParams {
            include_retired: true,
        },
    )
    .await
    .map_err(|e| fail(&c, e))?
    .skills;
    page_with(web, visitor, status, &SkillsPage { c, skills, errors })
}

pub async fn skills(
    State(web): State<Web>,
    visitor: Visitor,
    axum::extract::Query(done): axum::extract::Query<Done>,
) -> PageResult {
    let (_, c) = admin_page(&web, &visitor, &done).await?;
    skills_page(&web, &visitor, c, StatusCode::OK, Errors::default()).await
}

pub async fn add_skill(
    State(web): State<Web>,
    Posted(visitor, form): Posted<Fields>,
) -> PageResult {
    let admin = changing_admin(&visitor)?;
    let new = NewSkill {
        key: form.get("key").to_owned(),
        family: form.get("family").to_owned(),
        name: form.get("name").to_owned(),
        description: form.get("description").to_owned(),
    };
    match trellis_app::skills::create(&web.app, &admin, new).await {
        Ok(_) => Ok(back(&web, &visitor, "/admin/skills?done=skill-added")),
        Err(err) => {
            let c = chrome(&web, &visitor).await?;
            let Some(status) = refusal_status(&err) else {
                return Err(fail(&c, err));
            };
            let errors = Errors::of(&err, &["key", "family", "name", "description"]);
            skills_page(&web, &visitor, c, status, errors).await
        }
    }
}

pub async fn edit_skill(
    State(web): State<Web>,
    Path(key): Path<String>,
    Posted(visitor, form): Posted<Fields>,
) -> PageResult {
    let admin = changing_admin(&visitor)?;
    let edit = SkillEdit {
        family: None,
        name: Some(form.get("name").to_owned()).filter(|n| !n.is_empty()),
        description: None,
        retired: match form.get("retired") {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
    };
    match trellis_app::skills::edit(&web.app, &admin, key, edit).await {
        Ok(_) => Ok(back(&web, &visitor, "/admin/skills?done=skill-changed")),
        Err(err) => {
            let c = chrome(&web, &visitor).await?;
            let Some(status) = refusal_status(&err) else {
                return Err(fail(&c, err));
            };
            skills_page(&web, &visitor, c, status, Errors::of(&err, &[])).await
        }
    }
}

// -------------------------------------------------------------- partners

#[derive(Template)]
#[template(path = "admin/partners.html")]
struct PartnersPage {
    c: Chrome,
    status: FederationStatus,
    errors_for: &'static str,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "admin/health.html")]
struct HealthFragment {
    c: Chrome,
    status: FederationStatus,
}

/// What a peer's partnership and delivery say, in words.
trait PeerWords {
    fn c(&self) -> &Chrome;
    fn partnership(&self, p: &PeerView) -> String {
        self.c().t(&format!("partnership-{}", p.partnership))
    }
    fn delivery(&self, p: &PeerView) -> String {
        self.c().t(&format!("delivery-{}", p.delivery.state))
    }
}

impl PeerWords for PartnersPage {
    fn c(&self) -> &Chrome {
        &self.c
    }
}

impl PeerWords for HealthFragment {
    fn c(&self) -> &Chrome {
        &self.c
    }
}

impl PartnersPage {
    fn errors_of(&self, form: &str) -> Option<&Errors> {
        (self.errors_for == form).then_some(&self.errors)
    }

    fn asked_us(&self, p: &PeerView) -> bool {
        p.partnership == "pending"
    }

    fn partners(&self) -> impl Iterator<Item = &PeerView> {
        self.status
            .peers
            .iter()
            .filter(|p| p.partnership != "none" && !p.blocked)
    }

    fn blocked(&self) -> impl Iterator<Item = &PeerView> {
        self.status.peers.iter().filter(|p| p.blocked)
    }
}

async fn partners_page(
    web: &Web,
    visitor: &Visitor,
    c: Chrome,
    status_code: StatusCode,
    errors_for: &'static str,
    errors: Errors,
) -> PageResult {
    let admin = admin(visitor)?;
    let status = trellis_app::partners::status(&web.app, &admin)
        .await
        .map_err(|e| fail(&c, e))?;
    page_with(
        web,
        visitor,
        status_code,
        &PartnersPage {
            c,
            status,
            errors_for,
            errors,
        },
    )
}

pub async fn partners(
    State(web): State<Web>,
    visitor: Visitor,
    axum::extract::Query(done): axum::extract::Query<Done>,
) -> PageResult {
    let (_, c) = admin_page(&web, &visitor, &done).await?;
    partners_page(&web, &visitor, c, StatusCode::OK, "", Errors::default()).await
}

/// The federation health table alone, for the page to refresh in place.
pub async fn health(State(web): State<Web>, visitor: Visitor) -> PageResult {
    let admin = admin(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    let status = trellis_app::partners::status(&web.app, &admin)
        .await
        .map_err(|e| fail(&c, e))?;
    page(&web, &visitor, &HealthFragment { c, status })
}

async fn partner_refused(
    web: &Web,
    visitor: &Visitor,
    form: &'static str,
    err: AppError,
) -> PageResult {
    let c = chrome(web, visitor).await?;
    let Some(status) = refusal_status(&err) else {
        return Err(fail(&c, err));
    };
    let errors = Errors::field("domain", err.to_string());
    partners_page(web, visitor, c, status, form, errors).await
}

pub async fn ask_partner(
    State(web): State<Web>,
    Posted(visitor, form): Posted<Fields>,
) -> PageResult {
    let admin = changing_admin(&visitor)?;
    let request = PartnerRequest {
        domain: form.get("domain").to_owned(),
    };
    match trellis_app::partners::request_partner(&web.app, &admin, request).await {
        Ok(_) => Ok(back(&web, &visitor, "/admin/partners?done=partner-asked")),
        Err(err) => partner_refused(&web, &visitor, "ask", err).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct PartnerAction {
    action: String,
}

pub async fn partner_step(
    State(web): State<Web>,
    Path(domain): Path<String>,
    Posted(visitor, form): Posted<PartnerAction>,
) -> PageResult {
    let admin = changing_admin(&visitor)?;
    let app = &web.app;
    let result = match form.action.as_str() {
        "accept" => trellis_app::partners::accept_partner(app, &admin, domain).await,
        "decline" => trellis_app::partners::decline_partner(app, &admin, domain).await,
        "end" => trellis_app::partners::end_partner(app, &admin, domain).await,
        "unblock" => trellis_app::partners::unblock(app, &admin, domain).await,
        _ => Err(AppError::BadRequest("no such action".into())),
    };
    match result {
        Ok(_) => Ok(back(
            &web,
            &visitor,
            &format!("/admin/partners?done=partner-{}", form.action),
        )),
        Err(err) => partner_refused(&web, &visitor, "peers", err).await,
    }
}

pub async fn block(State(web): State<Web>, Posted(visitor, form): Posted<Fields>) -> PageResult {
    let admin = changing_admin(&visitor)?;
    let request = BlockRequest {
        domain: form.get("domain").to_owned(),
        reason: form.get("reason").to_owned(),
    };
    match trellis_app::partners::block(&web.app, &admin, request).await {
        Ok(_) => Ok(back(&web, &visitor, "/admin/partners?done=blocked")),
        Err(err) => partner_refused(&web, &visitor, "block", err).await,
    }
}

// -------------------------------------------------------------- matching

#[derive(Template)]
#[template(path = "admin/matching.html")]
struct MatchingPage {
    c: Chrome,
    w: Weights,
    errors: Errors,
}

impl MatchingPage {
    fn factors(&self) -> [(&'static str, u8); 5] {
        [
            ("skills", self.w.skills),
            ("timezone", self.w.timezone),
            ("load", self.w.load),
            ("track_record", self.w.track_record),
            ("organization", self.w.organization),
        ]
    }

    fn factor_name(&self, f: &str) -> String {
        self.c.t(&format!("factor-{}", f.replace('_', "-")))
    }

    fn factor_meaning(&self, f: &str) -> String {
        self.c.t(&format!("weight-{}", f.replace('_', "-")))
    }
}

pub async fn matching(
    State(web): State<Web>,
    visitor: Visitor,
    axum::extract::Query(done): axum::extract::Query<Done>,
) -> PageResult {
    let (admin, c) = admin_page(&web, &visitor, &done).await?;
    let w = trellis_app::matching::get_weights(&web.app, &admin)
        .await
        .map_err(|e| fail(&c, e))?;
    page(
        &web,
        &visitor,
        &MatchingPage {
            c,
            w,
            errors: Errors::default(),
        },
    )
}

pub async fn save_matching(
    State(web): State<Web>,
    Posted(visitor, form): Posted<Fields>,
) -> PageResult {
    let admin = changing_admin(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    let n = |name: &str| form.get(name).parse::<u8>();
    let weights = match (
        n("skills"),
        n("timezone"),
        n("load"),
        n("track_record"),
        n("organization"),
    ) {
        (Ok(skills), Ok(timezone), Ok(load), Ok(track_record), Ok(organization)) => Weights {
            skills,
            timezone,
            load,
            track_record,
            organization,
        },
        _ => {
            let w = trellis_app::matching::get_weights(&web.app, &admin)
                .await
                .map_err(|e| fail(&c, e))?;
            let errors = Errors::general(c.t("weights-numbers"));
            return page_with(
                &web,
                &visitor,
                StatusCode::UNPROCESSABLE_ENTITY,
                &MatchingPage { c, w, errors },
            );
        }
    };
    match trellis_app::matching::put_weights(&web.app, &admin, weights).await {
        Ok(_) => Ok(back(&web, &visitor, "/admin/matching?done=weights")),
        Err(err) => {
            let Some(status) = refusal_status(&err) else {
                return Err(fail(&c, err));
            };
            let errors = Errors::of(&err, &[]);
            page_with(
                &web,
                &visitor,
                status,
                &MatchingPage {
                    c,
                    w: weights,
                    errors,
                },
            )
        }
    }
}

// --------------------------------------------------------------- cohorts

#[derive(Template)]
#[template(path = "admin/cohorts.html")]
struct CohortsPage {
    c: Chrome,
    cohorts: Vec<CohortSummaryView>,
    errors: Errors,
}

pub async fn cohorts(State(web): State<Web>, visitor: Visitor) -> PageResult {
    let admin = admin(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    let cohorts = trellis_app::cohorts::list(&web.app, &admin)
        .await
        .map_err(|e| fail(&c, e))?;
    page(
        &web,
        &visitor,
        &CohortsPage {
            c,
            cohorts,
            errors: Errors::default(),
        },
    )
}

pub async fn create_cohort(
    State(web): State<Web>,
    Posted(visitor, form): Posted<Fields>,
) -> PageResult {
    let admin = changing_admin(&visitor)?;
    let body = NewCohortBody {
        name: form.get("name").to_owned(),
    };
    match trellis_app::cohorts::create(&web.app, &admin, body).await {
        Ok(cohort) => Ok(back(
            &web,
            &visitor,
            &format!("/admin/cohorts/{}", cohort.id),
        )),
        Err(err) => {
            let c = chrome(&web, &visitor).await?;
            let Some(status) = refusal_status(&err) else {
                return Err(fail(&c, err));
            };
            let cohorts = trellis_app::cohorts::list(&web.app, &admin)
                .await
                .map_err(|e| fail(&c, e))?;
            let errors = Errors::of(&err, &["name"]);
            page_with(&web, &visitor, status, &CohortsPage { c, cohorts, errors })
        }
    }
}

#[derive(Template)]
#[template(path = "admin/cohort.html")]
struct CohortPage {
    c: Chrome,
    cohort: CohortView,
    proposal: Option<ProposalView>,
    mentees_text: String,
    mentors_text: String,
    found: Vec<trellis_app::views::ProfileView>,
    search: String,
    errors_for: &'static str,
    errors: Errors,
}

impl CohortPage {
    fn errors_of(&self, form: &str) -> Option<&Errors> {
        (self.errors_for == form).then_some(&self.errors)
    }

    fn state(&self) -> String {
        let value = serde_json::to_value(self.cohort.state)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        self.c.t(&format!("cohort-{value}"))
    }

    fn factor(&self, f: &FactorScore) -> String {
        let name = self.c.t(match f.factor {
            Factor::Skills => "factor-skills",
            Factor::Timezone => "factor-timezone",
            Factor::Load => "factor-load",
            Factor::TrackRecord => "factor-track-record",
            Factor::Organization => "factor-organization",
        });
        format!("{name}: {:.0}", f.points)
    }

    fn approved(&self) -> bool {
        self.proposal
            .as_ref()
            .is_some_and(|p| p.approved_at.is_some())
    }

    fn unassigned_reason(&self, reason: &trellis_core::cohort::Unassigned) -> String {
        let value = serde_json::to_value(reason)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        self.c
            .lang
            .try_with(&format!("unassigned-{}", value.replace('_', "-")), &[])
            .unwrap_or_else(|| reason.describe().to_owned())
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CohortQuery {
    #[serde(default)]
    find: String,
    #[serde(default)]
    done: Option<String>,
}

/// How a cohort's page comes back: its status, the members as typed, the
/// search, and the form whose errors it shows.
struct CohortShown {
    status: StatusCode,
    typed: Option<(String, String)>,
    search: String,
    errors_for: &'static str,
    errors: Errors,
}

impl CohortShown {
    fn refused(status: StatusCode, errors_for: &'static str, errors: Errors) -> Self {
        Self {
            status,
            typed: None,
            search: String::new(),
            errors_for,
            errors,
        }
    }
}

async fn cohort_page(
    web: &Web,
    visitor: &Visitor,
    id: Uuid,
    c: Chrome,
    shown: CohortShown,
) -> PageResult {
    let CohortShown {
        status,
        typed,
        search,
        errors_for,
        errors,
    } = shown;
    let admin = admin(visitor)?;
    let cohort = trellis_app::cohorts::get(&web.app, &admin, id)
        .await
        .map_err(|e| fail(&c, e))?;
    let proposal = trellis_app::cohorts::get_proposal(&web.app, &admin, id)
        .await
        .ok();
    let (mentees_text, mentors_text) = typed.unwrap_or_else(|| {
        (
            cohort
                .mentees
                .iter()
                .map(trellis_app::views::PartyView::handle)
                .collect::<Vec<_>>()
                .join("\n"),
            cohort
                .mentors
                .iter()
                .map(trellis_app::views::PartyView::handle)
                .collect::<Vec<_>>()
                .join("\n"),
        )
    });
    let found = if search.trim().is_empty() {
        Vec::new()
    } else {
        trellis_app::admin::find_members(&web.app, &admin, search.trim())
            .await
            .map_err(|e| fail(&c, e))?
    };
    page_with(
        web,
        visitor,
        status,
        &CohortPage {
            c,
            cohort,
            proposal,
            mentees_text,
            mentors_text,
            found,
            search,
            errors_for,
            errors,
        },
    )
}

pub async fn cohort(
    State(web): State<Web>,
    visitor: Visitor,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<CohortQuery>,
) -> PageResult {
    admin(&visitor)?;
    let mut c = chrome(&web, &visitor).await?;
    let id = Uuid::parse_str(&id).map_err(|_| fail(&c, AppError::not_found("cohort")))?;
    notice(
        &mut c,
        &Done {
            done: query.done.clone(),
        },
    );
    let shown = CohortShown {
        search: query.find,
        ..CohortShown::refused(StatusCode::OK, "", Errors::default())
    };
    cohort_page(&web, &visitor, id, c, shown).await
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .flat_map(|l| l.split(','))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

pub async fn cohort_members(
    State(web): State<Web>,
    Path(id): Path<Uuid>,
    Posted(visitor, form): Posted<Fields>,
) -> PageResult {
    let admin = changing_admin(&visitor)?;
    let body = MembersBody {
        mentees: lines(form.get("mentees")),
        mentors: lines(form.get("mentors")),
    };
    match trellis_app::cohorts::set_members(&web.app, &admin, id, body).await {
        Ok(_) => Ok(back(
            &web,
            &visitor,
            &format!("/admin/cohorts/{id}?done=members"),
        )),
        Err(err) => {
            let c = chrome(&web, &visitor).await?;
            let Some(status) = refusal_status(&err) else {
                return Err(fail(&c, err));
            };
            let errors = Errors::general(err.to_string());
            let typed = (
                form.get("mentees").to_owned(),
                form.get("mentors").to_owned(),
            );
            let shown = CohortShown {
                typed: Some(typed),
                ..CohortShown::refused(status, "members", errors)
            };
            cohort_page(&web, &visitor, id, c, shown).await
        }
    }
}

pub async fn cohort_step(
    State(web): State<Web>,
    Path((id, step)): Path<(Uuid, String)>,
    Posted(visitor, _form): Posted<Fields>,
) -> PageResult {
    let admin = changing_admin(&visitor)?;
    let result = match step.as_str() {
        "match" => trellis_app::cohorts::run_match(&web.app, &admin, id).await,
        "approve" => trellis_app::cohorts::approve(&web.app, &admin, id).await,
        _ => Err(AppError::not_found("page")),
    };
    match result {
        Ok(_) => Ok(back(
            &web,
            &visitor,
            &format!("/admin/cohorts/{id}?done=cohort-{step}#proposal"),
        )),
        Err(err) => {
            let c = chrome(&web, &visitor).await?;
            let Some(status) = refusal_status(&err) else {
                return Err(fail(&c, err));
            };
            let errors = Errors::general(err.to_string());
            cohort_page(
                &web,
                &visitor,
                id,
                c,
                CohortShown::refused(status, "proposal", errors),
            )
            .await
        }
    }
}

// ----------------------------------------------------------- recognition

#[derive(Template)]
#[template(path = "admin/recognition.html")]
struct RecognitionPage {
    c: Chrome,
    achievements: Vec<AchievementView>,
    errors_for: &'static str,
    errors: Errors,
}

impl RecognitionPage {
    fn metrics(&self) -> [Metric; 9] {
        Metric::ALL
    }

    fn metric_words(&self, m: &Metric) -> String {
        self.c
            .t(&format!("metric-{}", m.as_str().replace('_', "-")))
    }

    /// An achievement's rule in words.
    fn rule(&self, a: &AchievementView) -> String {
        match &a.definition.rule {
            Some(rule) => self.c.t2(
                "rule-words",
                "metric",
                self.metric_words(&rule.metric),
                "count",
                rule.at_least,
            ),
            None => self.c.t("rule-by-hand"),
        }
    }

    fn errors_of(&self, form: &str) -> Option<&Errors> {
        (self.errors_for == form).then_some(&self.errors)
    }
}

async fn recognition_page(
    web: &Web,
    visitor: &Visitor,
    c: Chrome,
    status: StatusCode,
    errors_for: &'static str,
    errors: Errors,
) -> PageResult {
    let admin = admin(visitor)?;
    let achievements = trellis_app::recognition::list_achievements(
        &web.app,
        &admin,
        trellis_app::recognition::AchievementQuery {
            include_retired: true,
        },
    )
    .await
    .map_err(|e| fail(&c, e))?;
    page_with(
        web,
        visitor,
        status,
        &RecognitionPage {
            c,
            achievements,
            errors_for,
            errors,
        },
    )
}

pub async fn recognition(
    State(web): State<Web>,
    visitor: Visitor,
    axum::extract::Query(done): axum::extract::Query<Done>,
) -> PageResult {
    let (_, c) = admin_page(&web, &visitor, &done).await?;
    recognition_page(&web, &visitor, c, StatusCode::OK, "", Errors::default()).await
}

async fn recognition_refused(
    web: &Web,
    visitor: &Visitor,
    form: &'static str,
    fields: &[&str],
    err: AppError,
) -> PageResult {
    let c = chrome(web, visitor).await?;
    let Some(status) = refusal_status(&err) else {
        return Err(fail(&c, err));
    };
    let errors = Errors::of(&err, fields);
    recognition_page(web, visitor, c, status, form, errors).await
}

pub async fn define_achievement(
    State(web): State<Web>,
    Posted(visitor, form): Posted<Fields>,
) -> PageResult {
    let admin = changing_admin(&visitor)?;
    let rule = match (form.get("metric"), form.get("at_least").parse::<u32>()) {
        ("", _) => None,
        (metric, Ok(at_least)) => match Metric::parse(metric) {
            Ok(metric) => Some(AwardRule { metric, at_least }),
            Err(e) => {
                return recognition_refused(&web, &visitor, "define", &["rule"], e.into()).await;
            }
        },
        (_, Err(_)) => {
            let err =
                AppError::Validation(format!("rule: {}", visitor.lang.t("rule-count-needed")));
            return recognition_refused(&web, &visitor, "define", &["rule"], err).await;
        }
    };
    let definition = AchievementDefinition {
        name: form.get("name").to_owned(),
        description: form.get("description").to_owned(),
        criteria_narrative: form.get("criteria_narrative").to_owned(),
        alignment: Vec::new(),
        rule,
    };
    match trellis_app::recognition::define_achievement(&web.app, &admin, definition).await {
        Ok(_) => Ok(back(&web, &visitor, "/admin/recognition?done=achievement")),
        Err(err) => {
            recognition_refused(
                &web,
                &visitor,
                "define",
                &["name", "description", "criteria_narrative", "rule"],
                err,
            )
            .await
        }
    }
}

pub async fn achievement_step(
    State(web): State<Web>,
    Path((id, step)): Path<(Uuid, String)>,
    Posted(visitor, form): Posted<Fields>,
) -> PageResult {
    let admin = changing_admin(&visitor)?;
    let result = match step.as_str() {
        "retire" => trellis_app::recognition::retire_achievement(&web.app, &admin, id)
            .await
            .map(|_| "retired"),
        "award" => trellis_app::recognition::award(
            &web.app,
            &admin,
            id,
            AwardRequest {
                member: form.get("member").to_owned(),
                reason: form.get("reason").to_owned(),
            },
        )
        .await
        .map(|_| "awarded"),
        _ => Err(AppError::not_found("page")),
    };
    match result {
        Ok(done) => Ok(back(
            &web,
            &visitor,
            &format!("/admin/recognition?done={done}"),
        )),
        Err(err) => recognition_refused(&web, &visitor, "award", &[], err).await,
    }
}

pub async fn revoke_credential(
    State(web): State<Web>,
    Posted(visitor, form): Posted<Fields>,
) -> PageResult {
    let admin = changing_admin(&visitor)?;
    let id = form
        .get("credential")
        .rsplit('/')
        .next()
        .and_then(|id| Uuid::parse_str(id).ok());
    let Some(id) = id else {
        let err = AppError::Validation(format!("credential: {}", visitor.lang.t("revoke-which")));
        return recognition_refused(&web, &visitor, "revoke", &["credential"], err).await;
    };
    let revocation = Revocation {
        reason: form.get("reason").to_owned(),
    };
    match trellis_app::recognition::revoke(&web.app, &admin, id, revocation).await {
        Ok(_) => Ok(back(&web, &visitor, "/admin/recognition?done=revoked")),
        Err(err) => {
            recognition_refused(&web, &visitor, "revoke", &["credential", "reason"], err).await
        }
    }
}

// ---------------------------------------------------------------- tracks

/// The rows for ranks on the form that defines a track.
const RANK_ROWS: usize = 6;

/// The rows for stages on the form that defines a cycle.
const STAGE_ROWS: usize = 3;

#[derive(Template)]
#[template(path = "admin/tracks.html")]
struct TracksPage {
    c: Chrome,
    tracks: Vec<TrackView>,
    errors: Errors,
    /// What was typed, kept when the form is refused.
    typed: Fields,
}

impl TracksPage {
    fn rank_rows(&self) -> std::ops::Range<usize> {
        0..RANK_ROWS
    }
}

pub async fn tracks(
    State(web): State<Web>,
    visitor: Visitor,
    axum::extract::Query(done): axum::extract::Query<Done>,
) -> PageResult {
    let (admin, c) = admin_page(&web, &visitor, &done).await?;
    let tracks = trellis_app::tracks::list_tracks(&web.app, &admin)
        .await
        .map_err(|e| fail(&c, e))?;
    page(
        &web,
        &visitor,
        &TracksPage {
            c,
            tracks,
            errors: Errors::default(),
            typed: Fields::default(),
        },
    )
}

pub async fn create_track(
    State(web): State<Web>,
    Posted(visitor, form): Posted<Fields>,
) -> PageResult {
    let admin = changing_admin(&visitor)?;
    let (mut rows, mut ranks) = (Vec::new(), Vec::new());
    for row in 0..RANK_ROWS {
        let (name, description) = (
            form.row("rank", row, "name"),
            form.row("rank", row, "description"),
        );
        if name.is_empty() && description.is_empty() {
            continue;
        }
        rows.push(row);
        ranks.push(Rank {
            name: name.to_owned(),
            description: description.to_owned(),
        });
    }
    let track = CareerTrack {
        name: form.get("name").to_owned(),
        description: form.get("description").to_owned(),
        ranks,
    };
    match trellis_app::tracks::create_track(&web.app, &admin, track).await {
        Ok(t) => Ok(back(
            &web,
            &visitor,
            &format!("/admin/tracks/{}?done=track", t.id),
        )),
        Err(err) => {
            let c = chrome(&web, &visitor).await?;
            let Some(status) = refusal_status(&err) else {
                return Err(fail(&c, err));
            };
            let tracks = trellis_app::tracks::list_tracks(&web.app, &admin)
                .await
                .map_err(|e| fail(&c, e))?;
            let errors = Errors::of_rows(
                &err,
                &["name", "description"],
                ("ranks", "rank"),
                &rows,
                &["name", "description"],
            );
            let page = TracksPage {
                c,
                tracks,
                errors,
                typed: form,
            };
            page_with(&web, &visitor, status, &page)
        }
    }
}

#[derive(Template)]
#[template(path = "admin/track.html")]
struct TrackPage {
    c: Chrome,
    track: TrackView,
    cycles: Vec<(CycleView, Vec<NominationFigures>)>,
    errors: Errors,
    /// What was typed, kept when the form is refused.
    typed: Fields,
}

impl TrackPage {
    fn stage_rows(&self) -> std::ops::Range<usize> {
        0..STAGE_ROWS
    }

    fn status(&self, n: &NominationFigures) -> String {
        let value = serde_json::to_value(n.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        self.c
            .t(&format!("nomination-status-{}", value.replace('_', "-")))
    }

    fn counts(&self, list: &[NominationFigures]) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for n in list {
            *counts.entry(self.status(n)).or_insert(0) += 1;
        }
        counts
    }
}

async fn track_page(
    web: &Web,
    visitor: &Visitor,
    id: Uuid,
    c: Chrome,
    status: StatusCode,
    (errors, typed): (Errors, Fields),
) -> PageResult {
    let admin = admin(visitor)?;
    let app = &web.app;
    let track = trellis_app::tracks::get_track(app, &admin, id)
        .await
        .map_err(|e| fail(&c, e))?;
    let mut cycles = Vec::new();
    for cycle in trellis_app::tracks::list_cycles(app, &admin, id)
        .await
        .map_err(|e| fail(&c, e))?
    {
        let figures = trellis_app::tracks::cycle_nominations(app, &admin, cycle.id)
            .await
            .map_err(|e| fail(&c, e))?;
        cycles.push((cycle, figures));
    }
    page_with(
        web,
        visitor,
        status,
        &TrackPage {
            c,
            track,
            cycles,
            errors,
            typed,
        },
    )
}

pub async fn track(
    State(web): State<Web>,
    visitor: Visitor,
    Path(id): Path<String>,
    axum::extract::Query(done): axum::extract::Query<Done>,
) -> PageResult {
    let (_, c) = admin_page(&web, &visitor, &done).await?;
    let id = Uuid::parse_str(&id).map_err(|_| fail(&c, AppError::not_found("track")))?;
    track_page(&web, &visitor, id, c, StatusCode::OK, Default::default()).await
}

pub async fn create_cycle(
    State(web): State<Web>,
    Path(id): Path<Uuid>,
    Posted(visitor, form): Posted<Fields>,
) -> PageResult {
    let admin = changing_admin(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    let (status, errors) = match cycle_of(&c, &form) {
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Ok((cycle, rows)) => {
            match trellis_app::tracks::create_cycle(&web.app, &admin, id, cycle).await {
                Ok(_) => {
                    return Ok(back(
                        &web,
                        &visitor,
                        &format!("/admin/tracks/{id}?done=cycle"),
                    ));
                }
                Err(err) => {
                    let Some(status) = refusal_status(&err) else {
                        return Err(fail(&c, err));
                    };
                    let errors = Errors::of_rows(
                        &err,
                        &["name", "opens", "closes"],
                        ("stages", "stage"),
                        &rows,
                        &["name", "committee"],
                    );
                    (status, errors)
                }
            }
        }
    };
    track_page(&web, &visitor, id, c, status, (errors, form)).await
}

/// The cycle the form describes, with the page's row of each stage; or
/// what is wrong with the form before any use case sees it.
fn cycle_of(c: &Chrome, form: &Fields) -> Result<(CreateCycle, Vec<usize>), Errors> {
    let day = |name: &str| {
        chrono::NaiveDate::parse_from_str(form.get(name), "%Y-%m-%d")
            .map_err(|_| Errors::field(name, c.t("cycle-dates-needed")))
    };
    let (opens, closes) = (day("opens")?, day("closes")?);
    let (mut rows, mut stages) = (Vec::new(), Vec::new());
    for row in 0..STAGE_ROWS {
        let (name, members) = (
            form.row("stage", row, "name"),
            form.row("stage", row, "committee"),
        );
        if name.is_empty() && members.is_empty() {
            continue;
        }
        let committee = lines(members)
            .iter()
            .map(|member| Username::parse(member))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Errors::field(&format!("stage_{row}_committee"), e.to_string()))?;
        rows.push(row);
        stages.push(StageInput {
            name: name.to_owned(),
            committee,
        });
    }
    let cycle = CreateCycle {
        name: form.get("name").to_owned(),
        opens,
        closes,
        stages,
    };
    Ok((cycle, rows))
}
