//! The member's long-term file as one timeline: every step of their
//! mentorships as mentor and as mentee, their sessions, skill reviews and
//! plan changes, newest first, a page at a time, across the years.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::mentorship::{MentorshipState, Party};
use trellis_core::plan::{CareerPlan, diff};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::App;
use crate::archive::{Archive, archive_of};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::views::PartyView;

const MAX_PER_PAGE: u32 = 200;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FileParams {
    /// Page number, from 1 (newest entries first).
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u32>,
    /// Entries per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// What an entry of the file is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A mentorship entered a state (requested, active, completed…).
    Mentorship,
    Session,
    /// A skill review was completed.
    Review,
    /// The career plan changed.
    Plan,
    /// Recognition: a credential issued (an award, an endorsement, an
    /// induction, a participation statement), an endorsement received
    /// from elsewhere, or a credential brought from another instance.
    Recognition,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FileEntry {
    pub at: DateTime<Utc>,
    pub kind: EntryKind,
    /// What happened, in words.
    pub summary: String,
    /// The mentorship it belongs to, if any.
    pub mentorship_id: Option<Uuid>,
    /// The member's side in that mentorship.
    pub role: Option<Party>,
    /// The other party of that mentorship.
    pub with: Option<PartyView>,
    /// The session's, review's or plan version's id (a plan's version number
    /// for plan entries).
    pub item: Option<String>,
    /// What the summary says, as data, for front doors that word it in
    /// the reader's language.
    #[serde(skip)]
    pub detail: EntryDetail,
}

/// The facts behind a file entry's summary.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum EntryDetail {
    /// The mentorship entered a state.
    Step {
        state: MentorshipState,
    },
    Session {
        minutes: u16,
        topics: Vec<String>,
    },
    Review {
        skills: usize,
    },
    Plan {
        changes: Vec<trellis_core::plan::PlanChange>,
    },
    /// A credential issued here to the member.
    Issued {
        kind: String,
        name: String,
        revoked: bool,
    },
    /// An endorsement received from a member elsewhere.
    Endorsed {
        skill: trellis_core::skill::SkillKey,
        by: String,
    },
    /// A credential brought from another instance.
    Brought {
        kind: String,
        name: String,
        origin: String,
    },
    #[default]
    Unknown,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FilePage {
    pub entries: Vec<FileEntry>,
    pub page: u32,
    pub per_page: u32,
    /// Entries in the whole file.
    pub total: u64,
}

/// The caller's long-term file as one timeline, newest first: mentorships
/// as mentor and as mentee (each state they entered), sessions, completed
/// skill reviews, plan changes and recognition (credentials issued here,
/// endorsements from elsewhere, credentials brought from another
/// instance). The file is the member's own: nobody
/// else, admins included, reads it.
pub async fn file(app: &App, caller: &Caller, params: FileParams) -> AppResult<FilePage> {
    let page = params.page.unwrap_or(1);
    let per_page = params.per_page.unwrap_or(50);
    if !(1..=crate::views::MAX_PAGE).contains(&page) {
        return Err(AppError::BadRequest(format!(
            "page must be 1 to {}",
            crate::views::MAX_PAGE
        )));
    }
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(AppError::BadRequest(format!(
            "per_page must be 1 to {MAX_PER_PAGE}"
        )));
    }
    let mut entries = timeline(app, caller.account.id).await?;
    entries.sort_by_key(|e| std::cmp::Reverse(e.at));
    let total = entries.len() as u64;
    let skip = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let entries = entries
        .into_iter()
        .skip(skip)
        .take(per_page as usize)
        .collect();
    Ok(FilePage {
        entries,
        page,
        per_page,
        total,
    })
}

/// Every entry of a member's file, in no particular order.
async fn timeline(app: &App, me: Uuid) -> AppResult<Vec<FileEntry>> {
    let mut entries = Vec::new();
    for m in app.store.list_mentorships(me, true, true, None).await? {
        let (role, other) = if m.mentor.account_id == me {
            (Party::Mentor, &m.mentee)
        } else {
            (Party::Mentee, &m.mentor)
        };
        let other_name = match &other.domain {
            Some(domain) => format!("{}@{domain}", other.username),
            None => other.username.to_string(),
        };
        let about = |at, kind, summary: String, item: Option<String>, detail| FileEntry {
            at,
            kind,
            summary,
            mentorship_id: Some(m.id),
            role: Some(role),
            with: Some(other.clone().into()),
            item,
            detail,
        };
        for event in app.store.mentorship_events(m.id).await? {
            let summary = match (event.state, role) {
                (MentorshipState::Requested, Party::Mentee) => {
                    format!("asked {other_name} to mentor you")
                }
                (MentorshipState::Requested, Party::Mentor) => {
                    format!("{other_name} asked you to mentor them")
                }
                (state, _) => format!("the mentorship with {other_name} became {}", state.as_str()),
            };
            entries.push(about(
                event.at,
                EntryKind::Mentorship,
                summary,
                None,
                EntryDetail::Step { state: event.state },
            ));
        }
        for session in app.store.sessions(m.id, me).await? {
            let topics = if session.content.topics.is_empty() {
                String::new()
            } else {
                format!(" on {}", session.content.topics.join(", "))
            };
            entries.push(about(
                session.content.held_at,
                EntryKind::Session,
                format!(
                    "a {}-minute session with {other_name}{topics}",
                    session.content.duration_minutes
                ),
                Some(session.id.to_string()),
                EntryDetail::Session {
                    minutes: session.content.duration_minutes,
                    topics: session.content.topics.clone(),
                },
            ));
        }
        for review in app.store.reviews_of(m.id).await? {
            if let Some(at) = review.completed_at {
                entries.push(about(
                    at,
                    EntryKind::Review,
                    format!(
                        "a skill review of {} skills with {other_name}",
                        review.skills.len()
                    ),
                    Some(review.id.to_string()),
                    EntryDetail::Review {
                        skills: review.skills.len(),
                    },
                ));
            }
        }
    }
    let mut previous = CareerPlan::default();
    for version in app.store.plan_history(me).await? {
        let changes = diff(&previous, &version.plan);
        let summary = match changes.first() {
            Some(first) if changes.len() == 1 => format!("plan changed: {}", first.describe()),
            Some(first) => format!(
                "plan changed: {} (and {} more changes)",
                first.describe(),
                changes.len() - 1
            ),
            None => "plan saved".to_owned(),
        };
        entries.push(FileEntry {
            at: version.created_at,
            kind: EntryKind::Plan,
            summary,
            mentorship_id: None,
            role: None,
            with: None,
            item: Some(version.version.to_string()),
            detail: EntryDetail::Plan { changes },
        });
        previous = version.plan;
    }
    recognition(app, me, &mut entries).await?;
    Ok(entries)
}

/// The recognition entries of a member's file.
async fn recognition(app: &App, me: Uuid, entries: &mut Vec<FileEntry>) -> AppResult<()> {
    let entry = |at, summary, item, detail| FileEntry {
        at,
        kind: EntryKind::Recognition,
        summary,
        mentorship_id: None,
        role: None,
        with: None,
        item: Some(item),
        detail,
    };
    for c in app.store.credentials_of(me).await? {
        let revoked = if c.revoked_at.is_some() {
            " (revoked)"
        } else {
            ""
        };
        entries.push(entry(
            c.issued_at,
            format!("{}: {}{revoked}", c.kind.as_str(), c.content.name),
            app.federation.credential_url(c.id),
            EntryDetail::Issued {
                kind: c.kind.as_str().to_owned(),
                name: c.content.name.clone(),
                revoked: c.revoked_at.is_some(),
            },
        ));
    }
    for e in app.store.endorsements_of(me, false).await? {
        if let Some(domain) = e.endorser.domain.as_deref() {
            entries.push(FileEntry {
                mentorship_id: Some(e.mentorship_id),
                with: Some(e.endorser.clone().into()),
                ..entry(
                    e.created_at,
                    format!(
                        "endorsed for {} by {}@{domain}",
                        e.endorsement.skill, e.endorser.username
                    ),
                    e.id.to_string(),
                    EntryDetail::Endorsed {
                        skill: e.endorsement.skill.clone(),
                        by: format!("{}@{domain}", e.endorser.username),
                    },
                )
            });
        }
    }
    for h in app.store.held_credentials(me).await? {
        let claims = app.federation.credential_claims(&h.jwt);
        let name = claims
            .as_ref()
            .and_then(|c| c.get("name"))
            .and_then(|n| n.as_str())
            .unwrap_or("a credential");
        let at = claims
            .as_ref()
            .and_then(|c| c.get("validFrom"))
            .and_then(|v| v.as_str())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(Utc::now);
        entries.push(entry(
            at,
            format!("{}: {name}, brought from {}", h.kind, h.origin),
            h.url,
            EntryDetail::Brought {
                kind: h.kind.clone(),
                name: name.to_owned(),
                origin: h.origin.clone(),
            },
        ));
    }
    Ok(())
}

/// The caller's whole long-term file as one versioned archive.
pub async fn export(app: &App, caller: &Caller) -> AppResult<Archive> {
    app.limits.expensive(caller.account.id)?;
    archive_of(app, &caller.account).await
}
