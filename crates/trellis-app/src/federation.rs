//! What the use cases need from federation, as a port the server fills
//! in (so that this crate knows nothing of ActivityPub).

use async_trait::async_trait;
use trellis_core::recognition::CredentialCheck;
use trellis_store::{Instance, ProfileRecord};
use uuid::Uuid;

/// Why a federation step failed, in the use cases' terms.
#[derive(Debug, thiserror::Error)]
pub enum PortError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Conflict(String),
    /// The other instance could not be reached or answered nonsense.
    #[error("{0}")]
    Peer(String),
    #[error("{0}")]
    Internal(String),
}

#[async_trait]
pub trait FederationPort: Send + Sync + std::fmt::Debug {
    /// This instance's domain.
    fn domain(&self) -> &str;
    /// Checks an instance domain as an admin typed it.
    fn parse_domain(&self, raw: &str) -> Result<String, PortError>;
    /// Asks another instance to partner.
    async fn request_partnership(&self, domain: &str) -> Result<Instance, PortError>;
    /// Accepts or declines another instance's request.
    async fn answer_partnership(&self, domain: &str, accept: bool) -> Result<Instance, PortError>;
    /// Ends a partnership, or withdraws or declines a request.
    async fn end_partnership(&self, domain: &str) -> Result<Instance, PortError>;
    /// A member of another instance, by `user@domain`.
    async fn resolve_member(&self, handle: &str) -> Result<ProfileRecord, PortError>;
    /// Wakes the delivery workers (after a block changes what is queued).
    fn wake(&self);

    /// A local member's actor URL.
    fn actor_url(&self, username: &str) -> String;
    /// The federated id of a mentorship this instance names.
    fn mentorship_url(&self, id: Uuid) -> String;
    /// The local member an actor URL names, if it is one of this instance's.
    fn local_username(&self, actor_url: &str) -> Option<String>;
    /// The actor URL of `user@domain` (this instance's, or found by WebFinger).
    async fn actor_of(&self, handle: &str) -> Result<String, PortError>;
    /// A member elsewhere, by actor URL (fetched if not known), as an account here.
    async fn account_of_actor(&self, actor_url: &str) -> Result<Uuid, PortError>;
    /// Starts a local member's move to their account `handle` elsewhere;
    /// `token` opens their archive to the new instance, which keeps its hash.
    /// `archive` is their file as it is now, served to the new instance.
    async fn start_move(
        &self,
        account_id: Uuid,
        handle: &str,
        archive: String,
        token: &str,
        token_hash: &[u8],
    ) -> Result<MoveStarted, PortError>;
    /// Fetches a moved member's archive from their old instance, at most
    /// `limit` bytes.
    async fn fetch_archive(&self, url: &str, limit: usize) -> Result<Vec<u8>, PortError>;
    /// Waits until an import is announced, or `timeout` passes.
    async fn imports_announced(&self, timeout: std::time::Duration);
    /// Wakes the importer.
    fn wake_importer(&self);
    /// Where an actor says it moved (`movedTo`), fetched afresh.
    async fn moved_to(&self, actor_url: &str) -> Result<Option<String>, PortError>;
    /// The public URL of a credential this instance issued.
    fn credential_url(&self, id: uuid::Uuid) -> String;
    /// Checks an Open Badges credential (a compact VC-JWT) from this
    /// instance or any other. Unreadable input is `BadRequest`; a
    /// credential that fails a check is a report saying why.
    async fn verify_credential(&self, jwt: &str) -> Result<CredentialCheck, PortError>;
    /// The compact VC-JWT a credential's URL serves, from this instance
    /// or fetched from its issuer with federation's rules.
    async fn fetch_credential(&self, url: &str) -> Result<String, PortError>;
    /// The claims of a compact VC-JWT, read without checking it (to name
    /// or date it); `None` when it is not one.
    fn credential_claims(&self, jwt: &str) -> Option<serde_json::Value>;
}

/// What starting a move did.
#[derive(Debug, Clone)]
pub struct MoveStarted {
    /// The new actor.
    pub target: String,
    /// Mentorships with other members here now held with the new actor.
    pub repointed: u64,
    /// Instances told of the move.
    pub told: usize,
}
