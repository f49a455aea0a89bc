//! Adapts `trellis_federation::Federation` to the client API's port.

use async_trait::async_trait;
use trellis_app::federation::{FederationPort, MoveStarted, PortError};
use trellis_core::recognition::CredentialCheck;
use trellis_federation::Federation;
use trellis_federation::error::FederationError;
use trellis_store::{Instance, ProfileRecord};

#[derive(Debug)]
pub struct FederationAdapter {
    pub federation: Federation,
    pub domain: String,
}

fn port_error(err: FederationError) -> PortError {
    match &err {
        FederationError::NotFound => PortError::NotFound("not found".into()),
        FederationError::BadRequest(m) => PortError::BadRequest(m.clone()),
        FederationError::Refused(m) => PortError::Refused(m.clone()),
        FederationError::Conflict(m) => PortError::Conflict(m.clone()),
        FederationError::Peer(m) => PortError::Peer(m.clone()),
        FederationError::Protocol(_) | FederationError::Unsigned(_) => {
            PortError::Peer(err.public_message())
        }
        FederationError::Store(trellis_store::StoreError::NotFound) => {
            PortError::NotFound("not found".into())
        }
        other => PortError::Internal(other.to_string()),
    }
}

#[async_trait]
impl FederationPort for FederationAdapter {
    fn domain(&self) -> &str {
        &self.domain
    }

    fn parse_domain(&self, raw: &str) -> Result<String, PortError> {
        self.federation.parse_domain(raw).map_err(port_error)
    }

    async fn request_partnership(&self, domain: &str) -> Result<Instance, PortError> {
        self.federation
            .request_partnership(domain)
            .await
            .map_err(port_error)
    }

    async fn answer_partnership(&self, domain: &str, accept: bool) -> Result<Instance, PortError> {
        self.federation
            .answer_partnership(domain, accept)
            .await
            .map_err(port_error)
    }

    async fn end_partnership(&self, domain: &str) -> Result<Instance, PortError> {
        self.federation
            .end_partnership(domain)
            .await
            .map_err(port_error)
    }

    async fn resolve_member(&self, handle: &str) -> Result<ProfileRecord, PortError> {
        self.federation
            .resolve_member(handle)
            .await
            .map_err(port_error)
    }

    fn wake(&self) {
        self.federation.wake();
    }

    fn actor_url(&self, username: &str) -> String {
        self.federation.settings().person_url(username).to_string()
    }

    fn mentorship_url(&self, id: uuid::Uuid) -> String {
        self.federation.settings().mentorship_url(id).to_string()
    }

    fn local_username(&self, actor_url: &str) -> Option<String> {
        let url = url::Url::parse(actor_url).ok()?;
        let name = self.federation.settings().local_username(&url)?;
        Some(name.to_owned())
    }

    async fn actor_of(&self, handle: &str) -> Result<String, PortError> {
        let url = self.federation.actor_of(handle).await.map_err(port_error)?;
        Ok(url.to_string())
    }

    async fn account_of_actor(&self, actor_url: &str) -> Result<uuid::Uuid, PortError> {
        self.federation
            .account_of_actor(actor_url)
            .await
            .map_err(port_error)
    }

    async fn start_move(
        &self,
        account_id: uuid::Uuid,
        handle: &str,
        archive: String,
        token: &str,
        token_hash: &[u8],
    ) -> Result<MoveStarted, PortError> {
        let started = self
            .federation
            .start_move(account_id, handle, archive, token, token_hash)
            .await
            .map_err(port_error)?;
        Ok(MoveStarted {
            target: started.target.to_string(),
            repointed: started.repointed,
            told: started.told,
        })
    }

    async fn fetch_archive(&self, url: &str, limit: usize) -> Result<Vec<u8>, PortError> {
        self.federation
            .fetch_archive(url, limit)
            .await
            .map_err(port_error)
    }

    async fn imports_announced(&self, timeout: std::time::Duration) {
        self.federation.imports_announced(timeout).await;
    }

    fn wake_importer(&self) {
        self.federation.wake_importer();
    }

    async fn moved_to(&self, actor_url: &str) -> Result<Option<String>, PortError> {
        let moved = self
            .federation
            .moved_to(actor_url)
            .await
            .map_err(port_error)?;
        Ok(moved.map(|u| u.to_string()))
    }
    fn credential_url(&self, id: uuid::Uuid) -> String {
        self.federation.credential_url(id)
    }

    async fn verify_credential(&self, jwt: &str) -> Result<CredentialCheck, PortError> {
        self.federation
            .verify_credential(jwt)
            .await
            .map_err(port_error)
    }

    async fn fetch_credential(&self, url: &str) -> Result<String, PortError> {
        self.federation
            .fetch_credential(url)
            .await
            .map_err(port_error)
    }

    fn credential_claims(&self, jwt: &str) -> Option<serde_json::Value> {
        trellis_federation::credentials::decode_unverified(jwt)
            .ok()
            .map(|(_, claims)| claims)
    }
}
