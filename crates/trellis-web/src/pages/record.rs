//! What the member's record holds: their long-term file as a timeline
//! (and its export), their recognition, and their notifications.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use trellis_app::endorsements::MyEndorsements;
use trellis_app::file::{EntryKind, FileEntry, FilePage, FileParams};
use trellis_app::moves::HeldView;
use trellis_app::notifications::FeedItem;
use trellis_app::recognition::{AwardView, CredentialView};
use trellis_app::tracks::InductionView;
use trellis_core::recognition::Participation;
use trellis_core::skill::SkillKey;
use uuid::Uuid;

use crate::forms::{Fields, Posted};
use crate::kit::{changer, chrome, fail, member, page};
use crate::render::{Chrome, PageResult, see_other};
use crate::visitor::{Visitor, Web};

const PER_PAGE: u32 = 50;

#[derive(Template)]
#[template(path = "file.html")]
struct FilePageView {
    c: Chrome,
    f: FilePage,
    names: HashMap<SkillKey, String>,
}

impl FilePageView {
    /// An entry in the reader's words.
    fn summary(&self, e: &FileEntry) -> String {
        crate::words::file_entry(&self.c, &self.names, e)
    }

    fn kind(&self, e: &FileEntry) -> String {
        self.c.t(match e.kind {
            EntryKind::Mentorship => "file-kind-mentorship",
            EntryKind::Session => "file-kind-session",
            EntryKind::Review => "file-kind-review",
            EntryKind::Plan => "file-kind-plan",
            EntryKind::Recognition => "file-kind-recognition",
        })
    }

    /// Where an entry's page is, if it has one.
    fn link(&self, e: &FileEntry) -> Option<String> {
        match (e.kind, e.mentorship_id, &e.item) {
            (EntryKind::Recognition, _, Some(item)) if item.starts_with("http") => {
                Some(item.clone())
            }
            (EntryKind::Session, Some(m), Some(item)) => {
                Some(format!("/mentorships/{m}#session-{item}"))
            }
            (EntryKind::Review, Some(m), Some(item)) => {
                Some(format!("/mentorships/{m}#review-{item}"))
            }
            (_, Some(m), _) => Some(format!("/mentorships/{m}")),
            (EntryKind::Plan, None, _) => Some("/plan".to_owned()),
            _ => None,
        }
    }

    fn pages(&self) -> u32 {
        u32::try_from(self.f.total.div_ceil(u64::from(PER_PAGE)))
            .unwrap_or(1)
            .max(1)
    }
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    page: Option<u32>,
}

pub async fn file(
    State(web): State<Web>,
    visitor: Visitor,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let caller = member(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    let f = trellis_app::file::file(
        &web.app,
        caller,
        FileParams {
            page: Some(q.page.unwrap_or(1).max(1)),
            per_page: Some(PER_PAGE),
        },
    )
    .await
    .map_err(|e| fail(&c, e))?;
    let names = trellis_app::skills::names(&web.app)
        .await
        .map_err(|e| fail(&c, e))?;
    page(&web, &visitor, &FilePageView { c, f, names })
}

/// The whole file as its versioned JSON archive, to download.
pub async fn export(State(web): State<Web>, visitor: Visitor) -> PageResult {
    let caller = member(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    let archive = trellis_app::file::export(&web.app, caller)
        .await
        .map_err(|e| fail(&c, e))?;
    let body = serde_json::to_vec_pretty(&archive)
        .map_err(|e| fail(&c, trellis_app::AppError::internal(e)))?;
    let name = format!(
        "attachment; filename=\"trellis-file-{}.json\"",
        caller.account.username
    );
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/json".to_owned(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, name),
            (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "recognition.html")]
struct RecognitionPage {
    c: Chrome,
    participation: Participation,
    awards: Vec<AwardView>,
    credentials: Vec<CredentialView>,
    endorsements: MyEndorsements,
    ranks: Vec<InductionView>,
    held: Vec<HeldView>,
    names: HashMap<SkillKey, String>,
}

impl RecognitionPage {
    fn skill(&self, key: &SkillKey) -> String {
        self.names
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    fn kind(&self, kind: &str) -> String {
        self.c.t(&format!("credential-kind-{kind}"))
    }

    fn credential_kind(&self, c: &CredentialView) -> String {
        self.kind(c.kind.as_str())
    }

    /// A held credential's name, as its JWT states it.
    fn held_name(&self, h: &HeldView) -> String {
        claim(&h.jwt, "name").unwrap_or_else(|| self.kind(&h.kind))
    }
}

/// A claim of a compact JWT, read without checking it (the credential
/// was verified when it was brought here).
fn claim(jwt: &str, name: &str) -> Option<String> {
    use base64::Engine;
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get(name)?.as_str().map(str::to_owned)
}

pub async fn recognition(State(web): State<Web>, visitor: Visitor) -> PageResult {
    let caller = member(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    let app = &web.app;
    let f = |e| fail(&c, e);
    let participation = trellis_app::recognition::my_participation(app, caller)
        .await
        .map_err(f)?;
    let awards = trellis_app::recognition::my_awards(app, caller)
        .await
        .map_err(|e| fail(&c, e))?;
    let credentials = trellis_app::recognition::my_credentials(app, caller)
        .await
        .map_err(|e| fail(&c, e))?;
    let endorsements = trellis_app::endorsements::mine(app, caller)
        .await
        .map_err(|e| fail(&c, e))?;
    let ranks = trellis_app::tracks::my_ranks(app, caller)
        .await
        .map_err(|e| fail(&c, e))?;
    let held = trellis_app::moves::held(app, caller)
        .await
        .map_err(|e| fail(&c, e))?;
    let names = trellis_app::skills::names(app)
        .await
        .map_err(|e| fail(&c, e))?;
    page(
        &web,
        &visitor,
        &RecognitionPage {
            c,
            participation,
            awards,
            credentials,
            endorsements,
            ranks,
            held,
            names,
        },
    )
}

/// Issues the member a signed statement of their participation now.
pub async fn issue_participation(
    State(web): State<Web>,
    Posted(visitor, _form): Posted<Fields>,
) -> PageResult {
    let caller = changer(&visitor)?;
    trellis_app::recognition::issue_participation(&web.app, caller)
        .await
        .map_err(|e| crate::render::Failure::new(e, &visitor))?;
    Ok(see_other(
        &web,
        &visitor,
        "/recognition#credentials",
        CookieJar::new(),
    ))
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    c: Chrome,
    items: Vec<FeedItem>,
}

impl NotificationsPage {
    /// A notification as a sentence: who, what.
    fn sentence(&self, item: &FeedItem) -> String {
        let n = &item.notification;
        let who = item.counterpart.as_ref().map_or_else(
            || self.c.t("notification-someone"),
            trellis_app::views::PartyView::handle,
        );
        let domain = n.domain.clone().unwrap_or_default();
        let key = format!("notification-{}", n.kind.replace('_', "-"));
        self.c
            .lang
            .try_with(&key, &[("name", who.into()), ("domain", domain.into())])
            .unwrap_or_else(|| n.message.clone())
    }

    /// The page the notification is about.
    fn link(&self, item: &FeedItem) -> Option<String> {
        let n = &item.notification;
        if let Some(m) = n.mentorship_id {
            return Some(format!("/mentorships/{m}"));
        }
        if let Some(id) = n.nomination_id {
            return Some(format!("/nominations/{id}"));
        }
        match n.kind.as_str() {
            "achievement_awarded" | "credential_revoked" => Some("/recognition".to_owned()),
            "file_imported" => Some("/moving".to_owned()),
            _ => None,
        }
    }
}

pub async fn notifications(State(web): State<Web>, visitor: Visitor) -> PageResult {
    let caller = member(&visitor)?;
    let c = chrome(&web, &visitor).await?;
    let items = trellis_app::notifications::feed(&web.app, caller, 100)
        .await
        .map_err(|e| fail(&c, e))?;
    page(&web, &visitor, &NotificationsPage { c, items })
}

pub async fn read_one(
    State(web): State<Web>,
    Path(id): Path<Uuid>,
    Posted(visitor, _form): Posted<Fields>,
) -> PageResult {
    let caller = member(&visitor)?;
    trellis_app::notifications::read_one(&web.app, caller, id)
        .await
        .map_err(|e| crate::render::Failure::new(e, &visitor))?;
    Ok(see_other(
        &web,
        &visitor,
        "/notifications",
        CookieJar::new(),
    ))
}

pub async fn read_all(
    State(web): State<Web>,
    Posted(visitor, _form): Posted<Fields>,
) -> PageResult {
    let caller = member(&visitor)?;
    trellis_app::notifications::read_all(&web.app, caller)
        .await
        .map_err(|e| crate::render::Failure::new(e, &visitor))?;
    Ok(see_other(
        &web,
        &visitor,
        "/notifications",
        CookieJar::new(),
    ))
}
