//! Finding a mentor: the directory (here, at partners, or both), the
//! matches with their reasons, and asking a mentor.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use trellis_app::directory::{self, DirectoryPage, DirectoryParams, DirectoryScope};
use trellis_app::matching::{self, MatchParams, MatchView};
use trellis_app::mentorships::{self, MentorshipRequest};
use trellis_app::skills::{self, CatalogParams, SkillView};
use trellis_core::matching::{Factor, FactorDetail, FactorScore};

use crate::forms::{Errors, Posted};
use crate::i18n::ToArg;
use crate::kit::{changer, chrome, fail, member, page, page_with};
use crate::render::{Chrome, PageResult, encode_query, see_other};
use crate::visitor::{Visitor, Web};

#[derive(Debug, Default, Deserialize)]
pub struct Search {
    #[serde(default)]
    scope: String,
    #[serde(default)]
    skill: String,
    #[serde(default)]
    min_level: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    accepting: Option<String>,
    #[serde(default)]
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "mentors.html")]
struct MentorsPage {
    c: Chrome,
    search: Search,
    found: Option<DirectoryPage>,
    catalog: Vec<SkillView>,
    errors: Errors,
}

const PER_PAGE: u32 = 20;

impl MentorsPage {
    fn scope_is(&self, scope: &str) -> bool {
        let current = if self.search.scope.is_empty() {
            "all"
        } else {
            self.search.scope.as_str()
        };
        current == scope
    }

    fn levels(&self) -> std::ops::RangeInclusive<u8> {
        1..=7
    }

    fn level(&self, n: &u8) -> String {
        format!("{n} · {}", self.c.t(&format!("level-{n}")))
    }

    fn level_name(&self, n: &trellis_core::skill::SkillLevel) -> String {
        self.c.t(&format!("level-{}", n.get()))
    }

    fn accepting(&self) -> bool {
        self.search.accepting.is_some()
    }

    /// The search as a query string, for the page links.
    fn query_for(&self, page: u32) -> String {
        let s = &self.search;
        let mut q = format!(
            "scope={}&skill={}&min_level={}&language={}&q={}",
            encode_query(&s.scope),
            encode_query(&s.skill),
            encode_query(&s.min_level),
            encode_query(&s.language),
            encode_query(&s.q)
        );
        if s.accepting.is_some() {
            q.push_str("&accepting=1");
        }
        q.push_str(&format!("&page={page}"));
        q
    }

    fn pages(&self) -> u32 {
        self.found
            .as_ref()
            .map_or(1, |f| {
                u32::try_from(f.total.div_ceil(u64::from(PER_PAGE))).unwrap_or(1)
            })
            .max(1)
    }

    fn current(&self) -> u32 {
        self.search.page.unwrap_or(1)
    }

    fn next_page(&self) -> u32 {
        self.current() + 1
    }

    fn previous_page(&self) -> u32 {
        self.current().saturating_sub(1).max(1)
    }
}

async fn catalog(web: &Web) -> trellis_app::AppResult<Vec<SkillView>> {
    Ok(skills::list(
        &web.app,
        CatalogParams {
            include_retired: false,
        },
    )
    .await?
    .skills)
}

/// The directory, searched as the form asks.
pub async fn directory(
    State(web): State<Web>,
    visitor: Visitor,
    Query(search): Query<Search>,
) -> PageResult {
    let caller = member(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    let catalog = catalog(&web).await.map_err(|e| fail(&c, e))?;
    let scope = match search.scope.as_str() {
        "local" => DirectoryScope::Local,
        "federated" => DirectoryScope::Federated,
        _ => DirectoryScope::All,
    };
    let params = DirectoryParams {
        scope,
        skills: (!search.skill.is_empty()).then(|| search.skill.clone()),
        min_level: search.min_level.parse().ok(),
        language: (!search.language.trim().is_empty()).then(|| search.language.trim().to_owned()),
        q: (!search.q.trim().is_empty()).then(|| search.q.clone()),
        accepting: search.accepting.is_some(),
        page: Some(search.page.unwrap_or(1).max(1)),
        per_page: Some(PER_PAGE),
    };
    match directory::mentors(&web.app, Some(caller), params).await {
        Ok(found) => page(
            &web,
            &visitor,
            &MentorsPage {
                c,
                search,
                found: Some(found),
                catalog,
                errors: Errors::default(),
            },
        ),
        Err(err) if crate::forms::is_input_error(&err) => {
            let errors = Errors::of(&err, &["skills", "min_level", "language", "q", "page"]);
            page_with(
                &web,
                &visitor,
                StatusCode::UNPROCESSABLE_ENTITY,
                &MentorsPage {
                    c,
                    search,
                    found: None,
                    catalog,
                    errors,
                },
            )
        }
        Err(err) => Err(fail(&c, err)),
    }
}

#[derive(Template)]
#[template(path = "matches.html")]
struct MatchesPage {
    c: Chrome,
    matches: Vec<MatchView>,
}

impl MatchesPage {
    fn factor_name(&self, f: &FactorScore) -> String {
        self.c.t(match f.factor {
            Factor::Skills => "factor-skills",
            Factor::Timezone => "factor-timezone",
            Factor::Load => "factor-load",
            Factor::TrackRecord => "factor-track-record",
            Factor::Organization => "factor-organization",
        })
    }

    /// What a factor found, in words.
    fn reason(&self, f: &FactorScore) -> String {
        let l = self.c.lang;
        match f.detail {
            FactorDetail::Skills { all: 0, .. } => l.t("reason-no-goals"),
            FactorDetail::Skills { full, all, percent } => l.with(
                "reason-skills",
                &[
                    ("full", full.to_arg()),
                    ("all", all.to_arg()),
                    ("percent", percent.to_arg()),
                ],
            ),
            FactorDetail::Timezone { hours_apart: None } => l.t("reason-timezone-unknown"),
            FactorDetail::Timezone {
                hours_apart: Some(0),
            } => l.t("reason-timezone-same"),
            FactorDetail::Timezone {
                hours_apart: Some(h),
            } => l.with("reason-timezone", &[("hours", h.to_arg())]),
            FactorDetail::Load {
                free,
                capacity,
                active,
                pending,
            } => l.with(
                "reason-load",
                &[
                    ("free", free.to_arg()),
                    ("capacity", capacity.to_arg()),
                    ("active", active.to_arg()),
                    ("pending", pending.to_arg()),
                ],
            ),
            FactorDetail::TrackRecord { completed } => {
                l.with("reason-track-record", &[("count", completed.to_arg())])
            }
            FactorDetail::Organization { same: true } => l.t("reason-same-organization"),
            FactorDetail::Organization { same: false } => l.t("reason-partner-organization"),
            FactorDetail::Unknown => f.explanation.clone(),
        }
    }

    fn points(&self, f: &FactorScore) -> String {
        format!("{:.0}", f.points)
    }

    fn level_name(&self, n: &trellis_core::skill::SkillLevel) -> String {
        self.c.t(&format!("level-{}", n.get()))
    }
}

/// The mentors that suit the member best, with the reasons.
pub async fn matches(State(web): State<Web>, visitor: Visitor) -> PageResult {
    let caller = member(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    let matches = matching::matches(&web.app, caller, MatchParams { limit: Some(20) })
        .await
        .map_err(|e| fail(&c, e))?;
    page(&web, &visitor, &MatchesPage { c, matches })
}

#[derive(Debug, Deserialize)]
pub struct AskQuery {
    #[serde(default)]
    mentor: String,
}

#[derive(Template)]
#[template(path = "ask.html")]
struct AskPage {
    c: Chrome,
    mentor: String,
    message: String,
    goals: String,
    errors: Errors,
}

/// The form to ask a mentor (here, or `user@domain` at a partner).
pub async fn ask_form(
    State(web): State<Web>,
    visitor: Visitor,
    Query(query): Query<AskQuery>,
) -> PageResult {
    member(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    page(
        &web,
        &visitor,
        &AskPage {
            c,
            mentor: query.mentor,
            message: String::new(),
            goals: String::new(),
            errors: Errors::default(),
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct AskForm {
    #[serde(default)]
    mentor: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    goals: String,
}

/// Asks the mentor; the mentorship's page follows.
pub async fn ask(State(web): State<Web>, Posted(visitor, form): Posted<AskForm>) -> PageResult {
    let caller = changer(&visitor)?;
    let request = MentorshipRequest {
        mentor: form.mentor.trim().to_owned(),
        message: form.message.clone(),
        goals: form.goals.clone(),
    };
    match mentorships::request(&web.app, caller, request).await {
        Ok(m) => Ok(see_other(
            &web,
            &visitor,
            &format!("/mentorships/{}?asked=1", m.id),
            axum_extra::extract::cookie::CookieJar::new(),
        )),
        Err(err) => {
            let c = chrome(&web, &visitor).await?;
            let status = match &err {
                trellis_app::AppError::NotFound(_) => StatusCode::NOT_FOUND,
                trellis_app::AppError::Conflict(_) => StatusCode::CONFLICT,
                e if crate::forms::is_input_error(e) => StatusCode::UNPROCESSABLE_ENTITY,
                _ => return Err(fail(&c, err)),
            };
            let mut errors = Errors::of(&err, &["mentor", "message", "goals"]);
            if !errors.general.is_empty() && matches!(err, trellis_app::AppError::NotFound(_)) {
                errors = Errors::field("mentor", c.t("ask-no-such-mentor"));
            }
            page_with(
                &web,
                &visitor,
                status,
                &AskPage {
                    c,
                    mentor: form.mentor,
                    message: form.message,
                    goals: form.goals,
                    errors,
                },
            )
        }
    }
}
