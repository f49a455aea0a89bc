//! Credentials in practice: the store's signer (the instance key, through
//! `credentials`), the public documents anyone fetches to check one — each
//! credential at its stable URL and the revocation status lists — and the
//! verifier that checks a credential from any instance.
//!
//! A credential's `kid` is the instance key, `<instance actor>#main-key`;
//! fetching it gives the actor document whose `publicKey.publicKeyPem` is
//! the key. A verifier trusts a key only for issuers on the key's own
//! origin: anyone can sign a credential that names someone else's issuer.

use std::time::Duration;

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::Value;
use trellis_core::recognition::{CredentialCheck, IssuerNamed};
use trellis_store::{CredentialSigner, UnsignedCredential};
use url::Url;
use uuid::Uuid;

use crate::context::Data;
use crate::credentials::{
    self, AchievementClaim, Alignment, CredentialDraft, CredentialError, Issuer,
    STATUS_LIST_MIN_ENTRIES, StatusEntry, StatusList,
};
use crate::error::{FederationError, FederationResult};
use crate::settings::FederationSettings;

/// Bits in each status list: the spec's minimum, so every list is equal.
pub const ENTRIES_PER_LIST: u64 = STATUS_LIST_MIN_ENTRIES as u64;
/// The media type of a VC-JWT.
pub const VC_JWT: &str = "application/vc+jwt";
/// The most a key document or status list fetched may weigh.
const FETCH_LIMIT: usize = 1024 * 1024;

/// Signs with the instance key, for the store.
pub struct InstanceSigner {
    settings: std::sync::Arc<FederationSettings>,
    private_key_pem: String,
}

impl std::fmt::Debug for InstanceSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstanceSigner")
            .field("domain", &self.settings.domain)
            .finish_non_exhaustive()
    }
}

impl InstanceSigner {
    pub fn new(settings: std::sync::Arc<FederationSettings>, private_key_pem: String) -> Self {
        Self {
            settings,
            private_key_pem,
        }
    }
}

/// This instance as the issuer of its credentials.
fn issuer(settings: &FederationSettings, name: &str, private_key_pem: &str) -> Issuer {
    Issuer {
        id: settings.instance_actor_url().to_string(),
        name: name.to_owned(),
        key_id: settings.instance_key_id(),
        private_key_pem: private_key_pem.to_owned(),
    }
}

impl CredentialSigner for InstanceSigner {
    fn sign(&self, c: &UnsignedCredential<'_>) -> Result<String, String> {
        let s = &self.settings;
        let issuer = issuer(s, c.issuer_name, &self.private_key_pem);
        let a = &c.content.achievement;
        let alignment = a
            .alignment
            .iter()
            .map(|al| Alignment {
                target_name: al.target_name.clone(),
                target_url: match (&al.target_url, &al.skill) {
                    (Some(url), _) => url.clone(),
                    (None, Some(skill)) => s.skill_url(skill.as_str()).to_string(),
                    (None, None) => s.base_url().to_string(),
                },
            })
            .collect();
        let list = c.status_index / ENTRIES_PER_LIST;
        let index = u32::try_from(c.status_index % ENTRIES_PER_LIST).map_err(|e| e.to_string())?;
        let draft = CredentialDraft {
            id: s.credential_url(c.id).to_string(),
            name: c.content.name.clone(),
            subject_id: c.subject_actor_url.map_or_else(
                || s.person_url(c.subject_username.as_str()).to_string(),
                str::to_owned,
            ),
            achievement: AchievementClaim {
                id: s.achievement_url(&a.key).to_string(),
                name: a.name.clone(),
                description: a.description.clone(),
                criteria_narrative: a.criteria_narrative.clone(),
                alignment,
                achievement_type: a.achievement_type.clone(),
            },
            valid_from: c.issued_at,
            valid_until: c.content.valid_until,
            status: Some(StatusEntry {
                list_url: s.status_list_url(list).to_string(),
                index,
            }),
            subject_extra: c.content.subject_extra.clone(),
            evidence: c.content.evidence.clone(),
        };
        credentials::sign(&issuer, &credentials::credential_json(&issuer, &draft))
            .map_err(|e| e.to_string())
    }
}

/// A VC-JWT as its media type, or its claims as JSON when the client
/// asks for `application/json` only. Never cached: a status list changes
/// with every revocation.
fn vc_response(jwt: String, headers: &HeaderMap) -> Response {
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("json") && !accept.contains(VC_JWT));
    let mut response = if wants_json {
        match credentials::decode_unverified(&jwt) {
            Ok((_, claims)) => axum::Json(claims).into_response(),
            Err(e) => return FederationError::Internal(e.to_string()).into_response(),
        }
    } else {
        (
            [(header::CONTENT_TYPE, HeaderValue::from_static(VC_JWT))],
            jwt,
        )
            .into_response()
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /credentials/{id}`: a credential this instance issued, as the
/// signed VC-JWT. Public by design: the URL is the credential's id, and
/// the member shares it to be checked.
pub async fn credential(
    Path(id): Path<String>,
    headers: HeaderMap,
    data: Data,
) -> FederationResult<Response> {
    let id: Uuid = id.parse().map_err(|_| FederationError::NotFound)?;
    let credential = data.store.credential(id).await.map_err(not_found)?;
    Ok(vc_response(credential.jwt, &headers))
}

/// `GET /credentials/status/{n}`: revocation status list `n`, built and
/// signed at each request from the credentials revoked now.
pub async fn status_list(
    Path(n): Path<String>,
    headers: HeaderMap,
    data: Data,
) -> FederationResult<Response> {
    let n: u64 = n.parse().map_err(|_| FederationError::NotFound)?;
    if n >= data.store.status_lists(ENTRIES_PER_LIST).await? {
        return Err(FederationError::NotFound);
    }
    Ok(vc_response(signed_status_list(&data, n).await?, &headers))
}

/// `GET /achievements/{key}`: the `Achievement` a credential of this
/// instance names by that id, as the newest such credential states it,
/// with the credential's `@context`. An id no credential names is 404.
pub async fn achievement(Path(key): Path<String>, data: Data) -> FederationResult<Response> {
    let credential = data
        .store
        .latest_credential_for(&key)
        .await?
        .ok_or(FederationError::NotFound)?;
    let (_, claims) = credentials::decode_unverified(&credential.jwt)
        .map_err(|e| FederationError::Internal(e.to_string()))?;
    let id = data.settings.achievement_url(&key);
    let mut achievement = match claims.pointer("/credentialSubject/achievement") {
        Some(Value::Object(a)) if a.get("id").and_then(Value::as_str) == Some(id.as_str()) => {
            a.clone()
        }
        _ => return Err(FederationError::NotFound),
    };
    let mut document = serde_json::Map::new();
    document.insert(
        "@context".into(),
        claims.get("@context").cloned().unwrap_or(Value::Null),
    );
    document.append(&mut achievement);
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/ld+json"),
        )],
        axum::Json(Value::Object(document)),
    )
        .into_response())
}

fn not_found(err: trellis_store::StoreError) -> FederationError {
    match err {
        trellis_store::StoreError::NotFound => FederationError::NotFound,
        other => other.into(),
    }
}

/// Status list `n` as a signed VC-JWT.
async fn signed_status_list(data: &Data, n: u64) -> FederationResult<String> {
    let from = n * ENTRIES_PER_LIST;
    let mut list = StatusList::new();
    for index in data
        .store
        .revoked_indexes(from, from + ENTRIES_PER_LIST)
        .await?
    {
        let bit =
            u32::try_from(index - from).map_err(|e| FederationError::Internal(e.to_string()))?;
        list.set(bit, true)
            .map_err(|e| FederationError::Internal(e.to_string()))?;
    }
    let (issuer, _) = local_issuer(data).await?;
    let url = data.settings.status_list_url(n).to_string();
    let document = credentials::status_list_credential_json(&issuer, &url, &list, Utc::now());
    credentials::sign(&issuer, &document).map_err(|e| FederationError::Internal(e.to_string()))
}

/// This instance as issuer, and its public key.
async fn local_issuer(data: &Data) -> FederationResult<(Issuer, String)> {
    let keys = data
        .store
        .instance_keys()
        .await?
        .ok_or_else(|| FederationError::Internal("the instance has no key yet".into()))?;
    let name = data.store.settings().await?.organization_name;
    Ok((
        issuer(&data.settings, &name, &keys.private_key_pem),
        keys.public_key_pem,
    ))
}

/// Checks a credential: its issuer's key (this instance's own without
/// HTTP, another's fetched from the `kid` URL), the signature, the dates
/// and the revocation bit. Unreadable input is `BadRequest`; every other
/// failure is a report that says what is wrong.
pub async fn verify(data: &Data, jwt: &str) -> FederationResult<CredentialCheck> {
    let (header, claims) = credentials::decode_unverified(jwt)
        .map_err(|e| FederationError::BadRequest(e.to_string()))?;
    let text = |path: &[&str]| -> Option<String> {
        let mut value = &claims;
        for key in path {
            value = value.get(key)?;
        }
        value.as_str().map(str::to_owned)
    };
    let mut report = CredentialCheck {
        issuer: IssuerNamed {
            id: text(&["issuer", "id"]).or_else(|| text(&["issuer"])),
            name: text(&["issuer", "name"]),
        },
        subject: text(&["credentialSubject", "id"]),
        credential_id: text(&["id"]),
        name: text(&["name"]),
        achievement_name: text(&["credentialSubject", "achievement", "name"]),
        key_id: header.kid.clone(),
        ..CredentialCheck::default()
    };
    if let Err(problem) = check(data, jwt, &mut report).await {
        report.problems.push(problem);
    }
    Ok(report.conclude())
}

/// The checks after reading: the first failure that stops them is the
/// error; what can be told apart (dates) is recorded in the report.
async fn check(data: &Data, jwt: &str, report: &mut CredentialCheck) -> Result<(), String> {
    let kid = report
        .key_id
        .clone()
        .ok_or("the credential names no key (the JWT header has no kid)")?;
    let issuer_id = report
        .issuer
        .id
        .clone()
        .ok_or("the credential names no issuer")?;
    let kid_url = Url::parse(&kid).map_err(|_| format!("the key id {kid} is not a URL"))?;
    let issuer_url =
        Url::parse(&issuer_id).map_err(|_| format!("the issuer id {issuer_id} is not a URL"))?;
    if kid_url.origin() != issuer_url.origin() {
        return Err(format!(
            "the key {kid} is not on the issuer's site ({issuer_id}): a key speaks only for \
             issuers of its own origin"
        ));
    }
    let local = data.settings.is_local(&kid_url);
    let public_key = if local {
        if kid != data.settings.instance_key_id() {
            return Err(format!("this instance has no key {kid}"));
        }
        local_issuer(data).await.map_err(|e| e.to_string())?.1
    } else {
        fetch_key(data, &kid_url, &kid, &issuer_id).await?
    };
    let verified = match credentials::verify(jwt, &public_key, Utc::now()) {
        Ok(verified) => verified,
        Err(CredentialError::SignatureMismatch) => {
            return Err(
                "the signature does not match the issuer's key: the credential was \
                        changed or someone else signed it"
                    .into(),
            );
        }
        Err(other) => return Err(other.to_string()),
    };
    let now = Utc::now();
    report.signature_valid = verified.signature_valid;
    report.issuer.name = verified.issuer_name.clone();
    report.subject = Some(verified.subject_id.clone());
    report.valid_from = Some(verified.valid_from);
    report.valid_until = verified.valid_until;
    report.expired = verified.valid_until.is_some_and(|until| until < now);
    report.not_yet_valid = now < verified.valid_from;
    if report.expired {
        report.problems.push("the credential has expired".into());
    }
    if report.not_yet_valid {
        report
            .problems
            .push("the credential is not valid yet".into());
    }
    let Some(entry) = verified.status else {
        // Nothing can revoke it.
        report.revoked = Some(false);
        return Ok(());
    };
    let list_url = Url::parse(&entry.list_url)
        .map_err(|_| format!("the status list {} is not a URL", entry.list_url))?;
    if list_url.origin() != issuer_url.origin() {
        return Err(format!(
            "the status list {} is not on the issuer's site, so its revocation cannot be trusted",
            entry.list_url
        ));
    }
    let list_jwt = match data.settings.local_status_list(&list_url).filter(|_| local) {
        Some(n) => signed_status_list(data, n)
            .await
            .map_err(|e| e.to_string())?,
        None => {
            let body = fetch(data, &list_url, VC_JWT)
                .await
                .map_err(|why| format!("the revocation status could not be fetched: {why}"))?;
            String::from_utf8_lossy(&body).trim().to_owned()
        }
    };
    let revoked = credentials::verify_status_list(&list_jwt, &public_key, &issuer_id, &entry)
        .map_err(|e| match e {
            // How it is unreadable would quote what the server answered.
            CredentialError::Malformed(_) => {
                "the revocation status could not be checked: the status list is not a \
                 readable VC-JWT"
                    .to_owned()
            }
            other => format!("the revocation status could not be checked: {other}"),
        })?;
    report.revoked = Some(revoked);
    if revoked {
        report
            .problems
            .push("the issuer has revoked the credential".into());
    }
    Ok(())
}

/// The PEM of key `kid`, from the document its URL serves: an actor whose
/// `publicKey` (one or a list) has that id, or the key itself.
async fn fetch_key(data: &Data, url: &Url, kid: &str, issuer_id: &str) -> Result<String, String> {
    let could_not =
        |why: String| format!("the issuer's key could not be fetched from {url}: {why}");
    let body = fetch(
        data,
        url,
        "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
    )
    .await
    .map_err(could_not)?;
    let document: Value =
        serde_json::from_slice(&body).map_err(|_| could_not("the answer is not JSON".into()))?;
    let keys: Vec<&Value> = match document.get("publicKey") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one) => vec![one],
        None => vec![&document],
    };
    let key = keys
        .into_iter()
        .find(|k| k.get("id").and_then(Value::as_str) == Some(kid))
        .ok_or_else(|| could_not(format!("the document has no key {kid}")))?;
    // What the document says is not repeated: the verifier is open to
    // anyone, and must not show them what a server answered.
    if let Some(owner) = key.get("owner").and_then(Value::as_str)
        && owner != issuer_id
    {
        return Err(format!(
            "the key {kid} belongs to someone other than the issuer {issuer_id}"
        ));
    }
    key.get("publicKeyPem")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| could_not("the key has no publicKeyPem".into()))
}

/// GETs a URL with federation's rules (https on its default port, host
/// names that resolve to public addresses only, unless
/// `federation_insecure`; checked before the request, proxy or not), at
/// most `FETCH_LIMIT` bytes. Failures are told without what the server
/// answered.
async fn fetch(data: &Data, url: &Url, accept: &str) -> Result<Vec<u8>, String> {
    let mut url = url.clone();
    url.set_fragment(None);
    crate::egress::check_url(&url, &data.settings, &data.store)
        .await
        .map_err(|refused| refused.0)?;
    let mut response = data
        .http
        .get(url.as_str())
        .header(header::ACCEPT, accept)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .map_err(|e| format!("the request failed ({})", e.without_url()))?;
    if !response.status().is_success() {
        return Err(format!("the server answered {}", response.status()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("the answer broke off ({e})"))?
    {
        body.extend_from_slice(&chunk);
        if body.len() > FETCH_LIMIT {
            return Err("the answer is too large".into());
        }
    }
    Ok(body)
}

/// The compact VC-JWT a credential URL serves: this instance's own from
/// the store, another's fetched with federation's rules.
pub async fn fetch_credential(data: &Data, url: &str) -> FederationResult<String> {
    let url = Url::parse(url.trim())
        .map_err(|_| FederationError::BadRequest(format!("{url} is not a URL")))?;
    if data.settings.is_local(&url) {
        let id = url
            .path()
            .strip_prefix("/credentials/")
            .and_then(|id| Uuid::parse_str(id).ok())
            .ok_or(FederationError::NotFound)?;
        return match data.store.credential(id).await {
            Ok(c) => Ok(c.jwt),
            Err(trellis_store::StoreError::NotFound) => Err(FederationError::NotFound),
            Err(other) => Err(other.into()),
        };
    }
    let body = fetch(data, &url, VC_JWT)
        .await
        .map_err(|why| FederationError::Peer(format!("{url} could not be fetched: {why}")))?;
    Ok(String::from_utf8_lossy(&body).trim().to_owned())
}
