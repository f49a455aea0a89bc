//! Credentials, achievements and awards.

use chrono::{DateTime, Utc};
use trellis_core::account::Username;
use uuid::Uuid;

/// What a credential recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// An achievement awarded (automatically or by hand).
    Award,
    /// One member's endorsement of another's skill.
    Endorsement,
    /// A career-track rank reached through an induction cycle.
    Induction,
    /// A statement of a member's participation figures, on demand.
    Participation,
}

impl CredentialKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Award => "award",
            Self::Endorsement => "endorsement",
            Self::Induction => "induction",
            Self::Participation => "participation",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, trellis_core::CoreError> {
        [
            Self::Award,
            Self::Endorsement,
            Self::Induction,
            Self::Participation,
        ]
        .into_iter()
        .find(|k| k.as_str() == raw)
        .ok_or_else(|| trellis_core::CoreError::invalid("kind", "unknown credential kind"))
    }
}

/// The achievement a credential recognises, as the issuer states it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AchievementContent {
    /// Names the achievement under the instance's `/achievements/` URL:
    /// an achievement's id, or a fixed key such as `participation`.
    pub key: String,
    pub name: String,
    pub description: String,
    pub criteria_narrative: String,
    /// A catalog skill without `target_url` is aligned through the
    /// instance's catalog URL.
    #[serde(default)]
    pub alignment: Vec<trellis_core::recognition::Alignment>,
    /// An Open Badges `achievementType` (`Award`, `Badge`, …, or `ext:…`).
    #[serde(default)]
    pub achievement_type: Option<String>,
}

/// What a credential says, before the issuer adds itself, the URLs, the
/// status entry and the dates. Stored with the credential as JSON, so that
/// what was signed can be explained without decoding the JWT.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CredentialContent {
    /// The credential's `name`.
    pub name: String,
    pub achievement: AchievementContent,
    /// Further `credentialSubject` properties (`narrative`, `role`, …).
    #[serde(default)]
    pub subject_extra: serde_json::Map<String, serde_json::Value>,
    /// Open Badges `Evidence` objects.
    #[serde(default)]
    pub evidence: Vec<serde_json::Value>,
    #[serde(default)]
    pub valid_until: Option<DateTime<Utc>>,
}

/// A credential about to be signed: everything the signer needs.
#[derive(Debug, Clone, Copy)]
pub struct UnsignedCredential<'a> {
    pub id: Uuid,
    pub kind: CredentialKind,
    /// Its index across all status lists (list `index / 131072`).
    pub status_index: u64,
    /// The subject's username, and their actor URL if they are a member
    /// of another instance (a local member's is the signer's to build).
    pub subject_username: &'a Username,
    pub subject_actor_url: Option<&'a str>,
    /// The organization's name, as its settings say now.
    pub issuer_name: &'a str,
    pub issued_at: DateTime<Utc>,
    pub content: &'a CredentialContent,
}

/// Signs credentials with the instance key, inside the transaction that
/// issues them (federation provides it; the store only calls it).
pub trait CredentialSigner: Send + Sync + std::fmt::Debug {
    /// The compact VC-JWT for the credential, or why it cannot be signed.
    fn sign(&self, credential: &UnsignedCredential<'_>) -> Result<String, String>;
}

/// A credential this instance issued.
#[derive(Debug, Clone, PartialEq)]
pub struct Credential {
    pub id: Uuid,
    pub kind: CredentialKind,
    pub subject_id: Uuid,
    pub content: CredentialContent,
    /// The compact VC-JWT.
    pub jwt: String,
    pub status_index: u64,
    pub issued_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
}

/// An achievement the organization offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Achievement {
    pub id: Uuid,
    pub definition: trellis_core::recognition::AchievementDefinition,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

/// An achievement held by a member.
#[derive(Debug, Clone, PartialEq)]
pub struct Award {
    pub id: Uuid,
    pub achievement_id: Uuid,
    pub achievement_name: String,
    pub account_id: Uuid,
    /// Earned by the achievement's rule (false: awarded by hand).
    pub automatic: bool,
    pub reason: String,
    pub awarded_by: Option<Uuid>,
    pub credential_id: Uuid,
    pub awarded_at: DateTime<Utc>,
}

/// An admin's award of an achievement to a member.
#[derive(Debug, Clone)]
pub struct HandAward {
    pub achievement_id: Uuid,
    pub account_id: Uuid,
    pub reason: String,
    pub awarded_by: Uuid,
}

/// Where a store keeps its credential signer, once installed (shared by
/// every clone of the store).
pub(crate) type SignerSlot =
    std::sync::Arc<std::sync::RwLock<Option<std::sync::Arc<dyn CredentialSigner>>>>;
