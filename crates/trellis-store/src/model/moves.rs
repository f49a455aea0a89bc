//! Moves between instances and the imports of moved files.

use chrono::{DateTime, Utc};
use trellis_core::mentorship::MentorshipState;
use trellis_core::skill::SkillKey;
use uuid::Uuid;

use super::outbox::NewDelivery;
use super::reviews::Submitted;

/// How an import of a moved member's archive stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportState {
    /// Waiting to be fetched and imported (retried until it is, or fails).
    Pending,
    Imported,
    /// Given up on; the report says why.
    Failed,
}

impl ImportState {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Imported => "imported",
            Self::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Pending, Self::Imported, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// An archive to import into a local member's account: announced by a
/// `Move` (fetched from `archive_url`) or uploaded by the member.
#[derive(Debug, Clone)]
pub struct NewImport {
    pub account_id: Uuid,
    /// The old actor the archive belongs to.
    pub from_actor: String,
    /// The old actor's instance (the domain imported history is marked with).
    pub origin: String,
    pub archive_url: Option<String>,
    pub archive: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    pub id: Uuid,
    pub account_id: Uuid,
    pub from_actor: String,
    pub origin: String,
    pub archive_url: Option<String>,
    pub archive: Option<String>,
    pub state: ImportState,
    pub attempts: u32,
    pub report: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A moved member's file, resolved to this instance's accounts, ready to
/// be written in one transaction.
#[derive(Debug, Clone, Default)]
pub struct ImportedFile {
    /// Plan versions, oldest first, each with where it was kept.
    pub plan_versions: Vec<ImportedPlanVersion>,
    pub mentorships: Vec<ImportedMentorship>,
    /// Credentials of other issuers, each verified.
    pub credentials: Vec<HeldCredential>,
}

/// A credential of another issuer that a member brought with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldCredential {
    /// Its id (public URL at the issuer).
    pub url: String,
    /// `award`, `endorsement`, `induction`, `participation`, as the archive says.
    pub kind: String,
    pub issuer: String,
    pub jwt: String,
    /// The instance it came from.
    pub origin: String,
}

#[derive(Debug, Clone)]
pub struct ImportedPlanVersion {
    pub plan: trellis_core::plan::CareerPlan,
    pub created_at: DateTime<Utc>,
    pub origin: String,
}

#[derive(Debug, Clone)]
pub struct ImportedMentorship {
    pub mentor_id: Uuid,
    pub mentee_id: Uuid,
    pub state: MentorshipState,
    pub message: String,
    pub goals: String,
    /// The federated `Mentorship` object's id, by which both instances
    /// keep naming it.
    pub object_url: String,
    pub origin: String,
    pub created_at: DateTime<Utc>,
    /// Every state it entered: (state, by whom, note, when), oldest first.
    pub history: Vec<(MentorshipState, Uuid, String, DateTime<Utc>)>,
    pub sessions: Vec<ImportedSession>,
    pub reviews: Vec<ImportedReview>,
}

#[derive(Debug, Clone)]
pub struct ImportedSession {
    pub author_id: Uuid,
    pub content: trellis_core::session::SessionContent,
    /// The moving member's own private note.
    pub private_note: Option<String>,
    pub origin: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct ImportedReview {
    pub started_by: Uuid,
    pub skills: Vec<SkillKey>,
    pub state: trellis_core::review::ReviewState,
    pub mentee_part: Option<Submitted>,
    pub mentor_part: Option<Submitted>,
    pub origin: String,
    pub started_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// A local member's move to their account elsewhere, as the old instance
/// records it.
#[derive(Debug, Clone)]
pub struct MoveOut {
    pub account_id: Uuid,
    /// The new account, as an account here (a member elsewhere).
    pub target_id: Uuid,
    pub target_url: String,
    /// What opens the archive to the new instance, hashed.
    pub token_hash: Vec<u8>,
    /// The `Move`s to send.
    pub deliveries: Vec<NewDelivery>,
    /// The member's file as it is now (the JSON archive), served to the
    /// new instance: taken before anything is re-pointed.
    pub archive: String,
    /// The archive stays open until then.
    pub expires_at: DateTime<Utc>,
}
