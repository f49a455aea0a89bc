//! The member's long-term file as one versioned JSON archive: everything
//! the member may read of it, in a shape another instance can import. Its
//! schema is `docs/export-schema.json` (generated from these types, and
//! checked against them by a test).

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::account::Username;
use trellis_core::mentorship::{MentorshipState, Party};
use trellis_core::plan::CareerPlan;
use trellis_core::profile::Profile;
use trellis_core::review::ReviewState;
use trellis_core::session::SessionContent;
use trellis_core::skill::SkillKey;
use trellis_store::{Account, PartyRecord};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::reviews::PartView;
use crate::error::ApiResult;
use crate::extract::{AppJson, Caller};
use crate::state::AppState;

/// What `format` says every archive is.
pub const FORMAT: &str = "trellis.long-term-file";
/// The archive's version; a change of shape that an importer must know
/// about gives a new one.
pub const VERSION: u32 = 1;

/// A member's long-term file.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Archive {
    /// Always `trellis.long-term-file`.
    pub format: String,
    /// 1 for this shape.
    pub version: u32,
    pub exported_at: DateTime<Utc>,
    /// The instance that exported it (its domain).
    pub instance: String,
    pub member: ArchiveParty,
    pub profile: Profile,
    /// Every version of the career plan, oldest first.
    pub plan_history: Vec<ArchivePlanVersion>,
    /// Every mentorship, as mentor and as mentee, oldest first.
    pub mentorships: Vec<ArchiveMentorship>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArchiveParty {
    #[schema(value_type = String)]
    pub username: Username,
    /// The member's instance; `null` for the exporting one.
    pub domain: Option<String>,
    /// Their ActivityPub actor (absent from archives made before moves).
    #[serde(default)]
    pub actor: Option<String>,
}

impl ArchiveParty {
    fn of(p: &PartyRecord, state: &AppState) -> Self {
        Self {
            username: p.username.clone(),
            domain: p.domain.clone(),
            actor: Some(
                p.actor_url
                    .clone()
                    .unwrap_or_else(|| state.federation.actor_url(p.username.as_str())),
            ),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArchivePlanVersion {
    pub version: u32,
    pub created_at: DateTime<Utc>,
    pub plan: CareerPlan,
    /// The instance it was kept by, when imported there from elsewhere.
    #[serde(default)]
    pub origin: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArchiveMentorship {
    pub id: Uuid,
    /// The member's side.
    pub role: Party,
    pub mentor: ArchiveParty,
    pub mentee: ArchiveParty,
    pub state: MentorshipState,
    pub message: String,
    pub goals: String,
    pub created_at: DateTime<Utc>,
    /// Its federated id, by which both parties' instances name it.
    #[serde(default)]
    pub object: Option<String>,
    /// The instance it was kept by before, when it was imported.
    #[serde(default)]
    pub origin: Option<String>,
    /// Every state it entered, oldest first.
    pub history: Vec<ArchiveStep>,
    /// Its sessions, oldest first.
    pub sessions: Vec<ArchiveSession>,
    /// Its skill reviews, oldest first.
    pub reviews: Vec<ArchiveReview>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArchiveStep {
    pub state: MentorshipState,
    pub by: Party,
    pub note: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArchiveSession {
    pub id: Uuid,
    pub logged_by: Party,
    /// What both parties share of it.
    pub content: SessionContent,
    /// The member's own private note (never the other party's).
    pub private_note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Where it was logged, when imported from elsewhere.
    #[serde(default)]
    pub origin: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArchiveReview {
    pub id: Uuid,
    pub started_by: Party,
    pub skills: Vec<SkillKey>,
    /// `open`, `mentee_done`, `mentor_done` or `completed`.
    #[schema(value_type = String)]
    pub state: ReviewState,
    pub started_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// The parts the member may read: their own, and the other once the
    /// review is completed.
    pub mentee_part: Option<PartView>,
    pub mentor_part: Option<PartView>,
    /// Where it took place, when imported from elsewhere.
    #[serde(default)]
    pub origin: Option<String>,
}

/// The archive's schema, as JSON Schema objects (OpenAPI 3.1 components).
#[derive(OpenApi)]
#[openapi(components(schemas(Archive)))]
pub struct ArchiveSchema;

/// The caller's whole long-term file as one versioned JSON archive
/// (`format` `trellis.long-term-file`, `version` 1; the schema is
/// `docs/export-schema.json` in the repository): profile, every plan
/// version, every mentorship with its history, sessions (with the caller's
/// own private notes) and reviews (the parts the caller may read).
#[utoipa::path(
    get,
    path = "/api/v1/me/export",
    tag = "plan",
    security(("bearer" = [])),
    responses((status = 200, description = "The archive", body = Archive))
)]
pub async fn export(State(state): State<AppState>, caller: Caller) -> ApiResult<AppJson<Archive>> {
    Ok(AppJson(archive_of(&state, &caller.account).await?))
}

/// A member's whole file, as they may read it.
pub async fn archive_of(state: &AppState, account: &Account) -> ApiResult<Archive> {
    let me = account.id;
    let profile = state.store.profile(me).await?.profile;
    let plan_history = state
        .store
        .plan_history(me)
        .await?
        .into_iter()
        .map(|v| ArchivePlanVersion {
            version: v.version,
            created_at: v.created_at,
            plan: v.plan,
            origin: v.origin,
        })
        .collect();
    let mut mentorships = Vec::new();
    let mut all = state.store.list_mentorships(me, true, true, None).await?;
    all.sort_by_key(|m| (m.created_at, m.id));
    for m in all {
        let role = if m.mentor.account_id == me {
            Party::Mentor
        } else {
            Party::Mentee
        };
        let side = |account: Uuid| {
            if account == m.mentor.account_id {
                Party::Mentor
            } else {
                Party::Mentee
            }
        };
        let history = state
            .store
            .mentorship_events(m.id)
            .await?
            .into_iter()
            .map(|e| ArchiveStep {
                state: e.state,
                by: side(e.actor_id),
                note: e.note,
                at: e.at,
            })
            .collect();
        let mut sessions: Vec<ArchiveSession> = state
            .store
            .sessions(m.id, me)
            .await?
            .into_iter()
            .map(|s| ArchiveSession {
                id: s.id,
                logged_by: side(s.author_id),
                content: s.content,
                private_note: s.private_note,
                created_at: s.created_at,
                updated_at: s.updated_at,
                origin: s.origin,
            })
            .collect();
        sessions.sort_by_key(|s| (s.content.held_at, s.id));
        let reviews = state
            .store
            .reviews_of(m.id)
            .await?
            .into_iter()
            .map(|r| {
                let part = |p, author| PartView::visible(r.state, p, author, role);
                ArchiveReview {
                    id: r.id,
                    started_by: side(r.started_by),
                    skills: r.skills.clone(),
                    state: r.state,
                    started_at: r.started_at,
                    completed_at: r.completed_at,
                    mentee_part: part(r.mentee_part.clone(), Party::Mentee),
                    mentor_part: part(r.mentor_part.clone(), Party::Mentor),
                    origin: r.origin.clone(),
                }
            })
            .collect();
        mentorships.push(ArchiveMentorship {
            id: m.id,
            role,
            mentor: ArchiveParty::of(&m.mentor, state),
            mentee: ArchiveParty::of(&m.mentee, state),
            state: m.state,
            message: m.message,
            goals: m.goals,
            created_at: m.created_at,
            object: Some(
                m.object_url
                    .clone()
                    .unwrap_or_else(|| state.federation.mentorship_url(m.id)),
            ),
            origin: m.origin.clone(),
            history,
            sessions,
            reviews,
        });
    }
    Ok(Archive {
        format: FORMAT.to_owned(),
        version: VERSION,
        exported_at: Utc::now(),
        instance: state.federation.domain().to_owned(),
        member: ArchiveParty {
            username: account.username.clone(),
            domain: None,
            actor: Some(state.federation.actor_url(account.username.as_str())),
        },
        profile,
        plan_history,
        mentorships,
    })
}

/// The archive's schema document, as committed in `docs/export-schema.json`.
pub fn archive_schema() -> serde_json::Value {
    let doc = ArchiveSchema::openapi();
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Trellis long-term file archive, version 1",
        "$ref": "#/components/schemas/Archive",
        "components": doc.components,
    })
}
