//! Every request Trellis makes to another server goes through here: the
//! check of its address before anything is sent (proxy or not), its
//! signature (double-knocking between the two flavours, remembered per
//! peer), and what a refusal is called.
//!
//! Signing is a `reqwest` middleware on the client the federation library
//! fetches with, so its actor, object and WebFinger fetches are signed as
//! our deliveries are. A request signs with the instance key unless it
//! carries a [`SignAs`] extension.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use axum::http::{Extensions, Method, StatusCode, header};
use chrono::Utc;
use reqwest_middleware::{Middleware, Next};
use trellis_store::Store;
use url::Url;

use crate::settings::{FederationSettings, domain_of};
use crate::signatures::{self, Flavour, Outgoing, SigningKey};

/// Sign this request with this key (a member's) instead of the instance's.
#[derive(Debug, Clone)]
pub(crate) struct SignAs(pub Arc<SigningKey>);

/// Why a URL is not requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// What a peer answered that is not what was asked for, in words an
/// admin can act on. It never holds the answer's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerAnswer {
    pub domain: String,
    pub method: Method,
    pub url: Url,
    pub status: StatusCode,
    /// Refused as a signature problem (401, 403, or 400 naming the
    /// signature), in both flavours.
    pub refused_signature: bool,
}

impl fmt::Display for PeerAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.status.as_u16();
        if self.refused_signature {
            write!(
                f,
                "{} refused our signature ({code}) on {} {}, signed as draft-cavage and as \
                 RFC 9421: it may be unable to fetch this instance's actor (/actor) for our key, \
                 its clock or ours may be wrong, or it may not federate with us",
                self.domain, self.method, self.url
            )
        } else {
            write!(
                f,
                "{} answered {code} to {} {}",
                self.domain, self.method, self.url
            )
        }
    }
}

impl std::error::Error for PeerAnswer {}

/// Whether an address is one Trellis may talk to in production: not
/// loopback, private, link-local, unique-local, shared (CGNAT),
/// documentation, benchmarking, multicast, reserved or unspecified.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && c == 0)
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8
                || first == 0x0064 && v6.segments()[1] == 0xff9b)
        }
    }
}

/// Checks a URL before anything is sent to it: in production https on
/// the default port, a host name (not an address) that resolves to public
/// addresses only; never a blocked instance. The check resolves the name
/// itself, so it holds when a proxy makes the connection.
pub async fn check_url(
    url: &Url,
    settings: &FederationSettings,
    store: &Store,
) -> Result<(), Refused> {
    if let Some(domain) = domain_of(url)
        && let Ok(Some(instance)) = store.instance(&domain).await
        && instance.blocked_at.is_some()
    {
        return Err(Refused(format!("{domain} is blocked")));
    }
    check_target(url, settings).await
}

/// The address part of `check_url`.
async fn check_target(url: &Url, settings: &FederationSettings) -> Result<(), Refused> {
    let refuse = |why: String| Err(Refused(why));
    if !url.username().is_empty() || url.password().is_some() {
        return refuse(format!(
            "{} carries credentials; it is not requested",
            shown(url)
        ));
    }
    match url.scheme() {
        "https" => {}
        "http" if settings.insecure => {}
        _ => return refuse(format!("only https URLs are requested, not {}", shown(url))),
    }
    let Some(host) = url.host() else {
        return refuse(format!("{} has no host", shown(url)));
    };
    if settings.insecure {
        return Ok(());
    }
    let name = match host {
        url::Host::Domain(name) => name.trim_end_matches('.').to_owned(),
        _ => {
            return refuse(format!(
                "{} names an address; only host names are requested",
                shown(url)
            ));
        }
    };
    if url.port().is_some() {
        return refuse(format!(
            "{} has an explicit port; only the https port is used",
            shown(url)
        ));
    }
    let addresses: Vec<IpAddr> = tokio::net::lookup_host((name.as_str(), 443))
        .await
        .map_err(|_| Refused(format!("{name} cannot be resolved")))?
        .map(|a| a.ip())
        .collect();
    if addresses.is_empty() {
        return refuse(format!("{name} cannot be resolved"));
    }
    if addresses.iter().any(|ip| !is_public(*ip)) {
        return refuse(format!(
            "{name} resolves to a private or local address, which this instance does not \
             contact"
        ));
    }
    Ok(())
}

/// A URL fit for messages: without its query and fragment, which can
/// carry tokens.
fn shown(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.to_string()
}

/// The signing middleware.
pub(crate) struct Signing {
    pub(crate) store: Store,
    pub(crate) settings: Arc<FederationSettings>,
    pub(crate) instance_key: Arc<SigningKey>,
}

impl fmt::Debug for Signing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signing").finish_non_exhaustive()
    }
}

/// What a peer is known to take, and what to try first with it now.
pub async fn flavour_for(
    store: &Store,
    settings: &FederationSettings,
    domain: &str,
) -> (Flavour, Option<Flavour>) {
    let preferred = settings.signatures.first;
    let known = match store.peer_signature(domain).await {
        Ok(known) => known,
        Err(err) => {
            tracing::warn!(peer = domain, error = %err, "cannot read the peer's signature flavour");
            None
        }
    };
    let Some((flavour, settled_at)) = known else {
        return (preferred, None);
    };
    let Some(flavour) = Flavour::parse(&flavour) else {
        return (preferred, None);
    };
    let stale = chrono::Duration::from_std(settings.signatures.retry_first_after)
        .map(|after| Utc::now() - settled_at > after)
        .unwrap_or(false);
    if flavour != preferred && stale {
        // Now and then, the preferred flavour is offered again.
        (preferred, Some(flavour))
    } else {
        (flavour, Some(flavour))
    }
}

/// Whether an answer means the signature was not taken.
fn refuses(status: StatusCode, body: Option<&[u8]>) -> bool {
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => true,
        StatusCode::BAD_REQUEST => body.is_some_and(|b| {
            String::from_utf8_lossy(b)
                .to_ascii_lowercase()
                .contains("signature")
        }),
        _ => false,
    }
}

/// The most of a 400's body read to see whether it names the signature.
const PEEK_LIMIT: usize = 16 * 1024;

impl Signing {
    async fn attempt(
        &self,
        request: &reqwest::Request,
        key: &SigningKey,
        flavour: Flavour,
        next: &Next<'_>,
    ) -> reqwest_middleware::Result<(reqwest::Response, bool)> {
        let mut signed = request.try_clone().ok_or_else(|| {
            reqwest_middleware::Error::Middleware(anyhow::anyhow!(
                "a request with a streamed body cannot be signed"
            ))
        })?;
        let body = request.body().and_then(reqwest::Body::as_bytes);
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/activity+json")
            .to_owned();
        let headers = signatures::sign(
            flavour,
            key,
            Outgoing {
                method: request.method(),
                url: request.url(),
                body: body.map(|b| (b, content_type.as_str())),
            },
            Utc::now(),
        )
        .map_err(|e| reqwest_middleware::Error::Middleware(anyhow::anyhow!(e)))?;
        for (name, value) in headers {
            signed.headers_mut().insert(name, value);
        }
        let mut extensions = Extensions::new();
        let response = next.clone().run(signed, &mut extensions).await?;
        if response.status() != StatusCode::BAD_REQUEST {
            let refused = refuses(response.status(), None);
            return Ok((response, refused));
        }
        // A 400 may name the signature: read a little of it, and give
        // back an answer with the same status and body.
        let status = response.status();
        let mut bytes = Vec::new();
        let mut response = response;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(reqwest_middleware::Error::from)?
        {
            bytes.extend_from_slice(&chunk);
            if bytes.len() > PEEK_LIMIT {
                break;
            }
        }
        let refused = refuses(status, Some(&bytes));
        let rebuilt = axum::http::Response::builder()
            .status(status)
            .body(bytes)
            .map_err(|e| reqwest_middleware::Error::Middleware(anyhow::anyhow!(e)))?;
        Ok((reqwest::Response::from(rebuilt), refused))
    }

    async fn remember(&self, domain: &str, flavour: Flavour) {
        if let Err(err) = self
            .store
            .set_peer_signature(domain, flavour.as_str(), Utc::now())
            .await
        {
            tracing::warn!(peer = domain, error = %err, "cannot remember the peer's signature flavour");
        } else {
            tracing::info!(peer = domain, flavour = %flavour, "the peer takes this signature flavour");
        }
    }
}

#[async_trait::async_trait]
impl Middleware for Signing {
    async fn handle(
        &self,
        request: reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let url = request.url().clone();
        check_url(&url, &self.settings, &self.store)
            .await
            .map_err(|e| reqwest_middleware::Error::Middleware(e.into()))?;
        let key = extensions
            .get::<SignAs>()
            .map_or_else(|| self.instance_key.clone(), |k| k.0.clone());
        let domain = domain_of(&url).unwrap_or_default();
        let (first, known) = flavour_for(&self.store, &self.settings, &domain).await;
        let (response, refused) = self.attempt(&request, &key, first, &next).await?;
        let (response, refused, used) = if refused {
            let second = first.other();
            tracing::info!(peer = %domain, refused = %first, status = response.status().as_u16(),
                "the peer refused a signature; knocking again with the other flavour");
            let (retry, refused) = self.attempt(&request, &key, second, &next).await?;
            (retry, refused, second)
        } else {
            (response, false, first)
        };
        // Remember what worked when it is news, and when the preferred
        // flavour was offered again in vain (so that it waits again).
        if !refused && (known != Some(used) || used != first) {
            self.remember(&domain, used).await;
        }
        let status = response.status();
        if request.method() == Method::GET
            && !status.is_success()
            && !status.is_redirection()
            && status != StatusCode::GONE
        {
            return Err(reqwest_middleware::Error::Middleware(
                PeerAnswer {
                    domain,
                    method: Method::GET,
                    url: url.clone(),
                    status,
                    refused_signature: refused,
                }
                .into(),
            ));
        }
        Ok(response)
    }
}

/// The peer's answer inside a federation error, if that is what it is.
pub fn peer_answer(err: &crate::error::FederationError) -> Option<&PeerAnswer> {
    use activitypub_federation::error::Error as ApubError;
    match err {
        crate::error::FederationError::Protocol(ApubError::ReqwestMiddleware(
            reqwest_middleware::Error::Middleware(inner),
        )) => inner.downcast_ref::<PeerAnswer>(),
        _ => None,
    }
}

/// A refused URL inside a federation error, if that is what it is.
pub fn refused_url(err: &crate::error::FederationError) -> Option<&Refused> {
    use activitypub_federation::error::Error as ApubError;
    match err {
        crate::error::FederationError::Protocol(ApubError::ReqwestMiddleware(
            reqwest_middleware::Error::Middleware(inner),
        )) => inner.downcast_ref::<Refused>(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "192.0.0.8",
            "198.18.0.1",
            "240.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
            "64:ff9b::a00:1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[tokio::test]
    async fn production_requests_go_to_public_host_names_on_https_only() {
        let production = FederationSettings::new(
            "trellis.example.org",
            false,
            crate::settings::DeliverySettings::default(),
        )
        .unwrap();
        for (url, why) in [
            ("http://example.org/actor", "only https"),
            ("https://127.0.0.1/actor", "names an address"),
            ("https://[::1]/actor", "names an address"),
            ("https://example.org:8443/actor", "explicit port"),
            ("https://localhost/actor", "private or local address"),
            ("https://user:pw@example.org/actor", "credentials"),
            ("file:///etc/passwd", "only https"),
        ] {
            let refused = check_target(&Url::parse(url).unwrap(), &production)
                .await
                .unwrap_err();
            assert!(refused.0.contains(why), "{url}: {refused}");
        }
        let tests = FederationSettings::new(
            "localhost:8080",
            true,
            crate::settings::DeliverySettings::default(),
        )
        .unwrap();
        assert!(
            check_target(&Url::parse("http://localhost:9/x").unwrap(), &tests)
                .await
                .is_ok()
        );
    }

    #[test]
    fn refusals_are_told_by_status_or_by_a_body_naming_the_signature() {
        assert!(refuses(StatusCode::UNAUTHORIZED, None));
        assert!(refuses(StatusCode::FORBIDDEN, None));
        assert!(refuses(
            StatusCode::BAD_REQUEST,
            Some(b"Invalid Signature header")
        ));
        assert!(!refuses(StatusCode::BAD_REQUEST, Some(b"unknown activity")));
        assert!(!refuses(StatusCode::ACCEPTED, None));
        assert!(!refuses(StatusCode::NOT_FOUND, None));
    }

    #[test]
    fn answers_name_the_peer_the_request_and_what_to_do() {
        let answer = PeerAnswer {
            domain: "localhost:18550".into(),
            method: Method::GET,
            url: Url::parse("http://localhost:18550/actor").unwrap(),
            status: StatusCode::UNAUTHORIZED,
            refused_signature: true,
        };
        let text = answer.to_string();
        assert!(
            text.starts_with(
                "localhost:18550 refused our signature (401) on GET http://localhost:18550/actor"
            ),
            "{text}"
        );
        assert!(text.contains("unable to fetch"), "{text}");
    }
}
