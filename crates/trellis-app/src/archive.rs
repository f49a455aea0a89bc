//! The long-term file as an interchange format: one versioned JSON
//! archive of everything a member may read of their file, in a shape
//! another instance can import. It is the format moves carry and exports
//! download; it depends on no view type of any front door, so that it
//! changes only when its version does. Its schema is
//! `docs/export-schema.json` (generated from these types by
//! `trellis export-schema`, and checked against them by a test).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trellis_core::account::Username;
use trellis_core::mentorship::{MentorshipState, Party};
use trellis_core::plan::CareerPlan;
use trellis_core::profile::Profile;
use trellis_core::review::{ReviewState, SkillRating};
use trellis_core::session::SessionContent;
use trellis_core::skill::SkillKey;
use trellis_store::{Account, PartyRecord, Submitted};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use crate::app::App;
use crate::error::AppResult;

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
    /// Every credential issued to the member here, oldest first, as
    /// signed: an importer checks each with its issuer's key alone.
    #[serde(default)]
    pub credentials: Vec<ArchiveCredential>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArchiveCredential {
    /// Its public URL (the credential's `id`).
    pub url: String,
    /// `award`, `endorsement`, `induction` or `participation`.
    #[schema(value_type = String)]
    pub kind: trellis_store::CredentialKind,
    /// The Open Badges 3.0 credential as a compact VC-JWT (RS256).
    pub jwt: String,
    pub issued_at: DateTime<Utc>,
    /// When its issuer revoked it, if it did (the status list says so too).
    pub revoked_at: Option<DateTime<Utc>>,
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

/// One party's part of a review: their ratings, and when they gave them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArchivePart {
    pub ratings: Vec<SkillRating>,
    pub submitted_at: DateTime<Utc>,
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
    pub mentee_part: Option<ArchivePart>,
    pub mentor_part: Option<ArchivePart>,
    /// Where it took place, when imported from elsewhere.
    #[serde(default)]
    pub origin: Option<String>,
}

/// The archive's schema, as JSON Schema objects (OpenAPI 3.1 components).
#[derive(Debug, OpenApi)]
#[openapi(components(schemas(Archive)))]
pub struct ArchiveSchema;

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

/// Whether an archive is one this version of Trellis imports.
pub fn check_shape(archive: &Archive) -> Result<(), String> {
    if archive.format != FORMAT {
        return Err(format!("format: expected {FORMAT:?}"));
    }
    if archive.version != VERSION {
        return Err(format!(
            "version: this instance imports version {VERSION}, not {}",
            archive.version
        ));
    }
    Ok(())
}

/// The old account an archive belongs to.
pub fn member_actor(archive: &Archive) -> String {
    party_actor(&archive.member, archive)
}

/// An archived party's actor: as the archive names it, or, in archives
/// made before they named actors, where a Trellis instance serves it.
pub fn party_actor(party: &ArchiveParty, archive: &Archive) -> String {
    party.actor.clone().unwrap_or_else(|| {
        let domain = party.domain.as_deref().unwrap_or(&archive.instance);
        format!("https://{domain}/users/{}", party.username.as_str())
    })
}

// Writing an archive.

impl ArchiveParty {
    fn of(p: &PartyRecord, app: &App) -> Self {
        Self {
            username: p.username.clone(),
            domain: p.domain.clone(),
            actor: Some(
                p.actor_url
                    .clone()
                    .unwrap_or_else(|| app.federation.actor_url(p.username.as_str())),
            ),
        }
    }
}

/// A member's whole file, as they may read it.
pub async fn archive_of(app: &App, account: &Account) -> AppResult<Archive> {
    let me = account.id;
    let profile = app.store.profile(me).await?.profile;
    let plan_history = app
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
    let mut all = app.store.list_mentorships(me, true, true, None).await?;
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
        let history = app
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
        let mut sessions: Vec<ArchiveSession> = app
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
        let reviews = app
            .store
            .reviews_of(m.id)
            .await?
            .into_iter()
            .map(|r| {
                let part = |p: Option<Submitted>, author| {
                    p.filter(|_| r.state.part_visible_to(author, role))
                        .map(|s| ArchivePart {
                            ratings: s.part.ratings,
                            submitted_at: s.at,
                        })
                };
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
            mentor: ArchiveParty::of(&m.mentor, app),
            mentee: ArchiveParty::of(&m.mentee, app),
            state: m.state,
            message: m.message,
            goals: m.goals,
            created_at: m.created_at,
            object: Some(
                m.object_url
                    .clone()
                    .unwrap_or_else(|| app.federation.mentorship_url(m.id)),
            ),
            origin: m.origin.clone(),
            history,
            sessions,
            reviews,
        });
    }
    let mut credentials: Vec<ArchiveCredential> = app
        .store
        .credentials_of(me)
        .await?
        .into_iter()
        .map(|c| ArchiveCredential {
            url: app.federation.credential_url(c.id),
            kind: c.kind,
            jwt: c.jwt,
            issued_at: c.issued_at,
            revoked_at: c.revoked_at,
        })
        .collect();
    credentials.reverse();
    // Credentials of other issuers the member holds: endorsements given
    // from elsewhere, and those brought from an instance left before.
    let from_elsewhere = app
        .store
        .endorsements_of(me, false)
        .await?
        .into_iter()
        .filter(|e| !e.endorser.is_local())
        .filter_map(|e| e.credential.map(|jwt| ("endorsement".to_owned(), jwt)));
    let brought = app
        .store
        .held_credentials(me)
        .await?
        .into_iter()
        .map(|h| (h.kind, h.jwt));
    for (kind, jwt) in from_elsewhere.chain(brought) {
        let Some(claims) = app.federation.credential_claims(&jwt) else {
            continue;
        };
        let (Some(url), Ok(kind)) = (
            claims.get("jti").and_then(|v| v.as_str()),
            trellis_store::CredentialKind::parse(&kind),
        ) else {
            continue;
        };
        let issued_at = claims
            .get("validFrom")
            .and_then(|v| v.as_str())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(Utc::now);
        if credentials.iter().all(|c| c.url != url) {
            credentials.push(ArchiveCredential {
                url: url.to_owned(),
                kind,
                jwt,
                issued_at,
                revoked_at: None,
            });
        }
    }
    Ok(Archive {
        format: FORMAT.to_owned(),
        version: VERSION,
        exported_at: Utc::now(),
        instance: app.federation.domain().to_owned(),
        member: ArchiveParty {
            username: account.username.clone(),
            domain: None,
            actor: Some(app.federation.actor_url(account.username.as_str())),
        },
        profile,
        plan_history,
        mentorships,
        credentials,
    })
}
