//! Adapts `trellis_federation::Federation` to the client API's port.

use async_trait::async_trait;
use trellis_api::federation::{FederationPort, PortError};
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
    match err {
        FederationError::NotFound => PortError::NotFound("not found".into()),
        FederationError::BadRequest(m) => PortError::BadRequest(m),
        FederationError::Refused(m) => PortError::Refused(m),
        FederationError::Conflict(m) => PortError::Conflict(m),
        FederationError::Peer(m) => PortError::Peer(m),
        FederationError::Protocol(e) => PortError::Peer(e.to_string()),
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

    fn credential_url(&self, id: uuid::Uuid) -> String {
        self.federation.credential_url(id)
    }

    async fn verify_credential(&self, jwt: &str) -> Result<CredentialCheck, PortError> {
        self.federation
            .verify_credential(jwt)
            .await
            .map_err(port_error)
    }
}
