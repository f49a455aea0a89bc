//! Recognition as verifiable credentials: Open Badges 3.0
//! `OpenBadgeCredential`s secured as VC-JWT (RS256, signed with the instance
//! actor's key), and their revocation through a W3C Bitstring Status List.
//!
//! Pure and synchronous: no store, no HTTP. The caller fetches keys and
//! status lists; this module builds, signs and checks the documents.
//!
//! - [`credential_json`] builds the credential, [`sign`] secures it as a
//!   compact JWT whose claims are the credential itself plus `iss`, `jti`,
//!   `sub`, `nbf`, `exp` and `iat`.
//! - [`decode_unverified`] reads the `kid` and the issuer of a JWT before its
//!   key is known; [`verify`] checks, in order, the shape, the algorithm, the
//!   signature, that the JWT claims agree with the credential, and the
//!   validity dates (reported, not refused).
//! - [`StatusList`] is the revocation bitstring; [`status_list_credential_json`]
//!   publishes it, [`verify_status_list`] and [`status_bit`] read it back.
//!
//! Signing and signature checks are `jsonwebtoken`'s; keys are read with
//! `rsa` from the PEM the instance actor stores (PKCS#8 private key, SPKI
//! public key). A credential verifies with any standard JWT library and the
//! issuer's public key alone.

use std::fmt;
use std::io::{Read, Write};

use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use chrono::{DateTime, SecondsFormat, Utc};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey, EncodeRsaPrivateKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The W3C Verifiable Credentials 2.0 context, first in every `@context`.
pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
/// The Open Badges 3.0 context this module issues with.
pub const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// Any Open Badges 3.0 context version is accepted when verifying.
const OB_CONTEXT_PREFIX: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.";
/// The smallest status list the Bitstring Status List spec allows (16 KiB).
pub const STATUS_LIST_MIN_ENTRIES: usize = 131_072;
/// The largest decompressed status list accepted (a guard against GZIP bombs).
const STATUS_LIST_MAX_BYTES: usize = 16 * 1024 * 1024;
/// Smaller RSA keys are refused, for signing and for verifying.
const MIN_RSA_BITS: usize = 2048;
/// The JWT registered claims `sign` adds to the credential.
const JWT_CLAIMS: [&str; 6] = ["iss", "jti", "sub", "nbf", "exp", "iat"];

/// Why a credential could not be issued or verified. The messages are meant
/// for the person who pasted a credential into the verifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// Not a compact JWT with JSON header and payload.
    #[error("not a readable credential: {0}")]
    Malformed(String),
    /// The claims are not an Open Badges 3.0 credential (names what is wrong).
    #[error("not an OpenBadgeCredential: {0}")]
    NotOpenBadge(String),
    /// The JWT's `alg` is anything but RS256 (`none`, `HS256`, …).
    #[error("the credential is signed with {0:?}; only RS256 is accepted")]
    Algorithm(String),
    /// The signature does not verify: the payload or signature was changed,
    /// or another key signed it.
    #[error("the credential's signature does not match the issuer's key")]
    SignatureMismatch,
    /// A key that cannot be read or is too weak.
    #[error("the issuer's key is unusable: {0}")]
    Key(String),
    /// The JWT claims disagree with the credential they carry.
    #[error("the credential's JWT claims disagree with its content: {0}")]
    Inconsistent(String),
    /// A `credentialStatus` this module cannot check.
    #[error("the credential's status cannot be checked: {0}")]
    UnsupportedStatus(String),
    /// A status list credential or `encodedList` that cannot be used.
    #[error("not a usable status list: {0}")]
    StatusList(String),
    /// A status list index beyond the end of the list.
    #[error("status list index {index} is beyond the list's {entries} entries")]
    IndexOutOfRange { index: u32, entries: usize },
    /// The document handed to [`sign`] cannot be signed as it is.
    #[error("the credential cannot be signed: {0}")]
    Sign(String),
}

type Result<T> = std::result::Result<T, CredentialError>;

/// The issuing instance: its actor and the key that signs for it.
#[derive(Clone)]
pub struct Issuer {
    /// The issuer profile URL: the instance actor, `https://a.example/actor`.
    pub id: String,
    /// The organization's name.
    pub name: String,
    /// The `kid`: a URL resolving to the public key,
    /// `https://a.example/actor#main-key`.
    pub key_id: String,
    /// PKCS#8 PEM (`BEGIN PRIVATE KEY`), RSA 2048, as the instance actor
    /// stores it. PKCS#1 (`BEGIN RSA PRIVATE KEY`) is read too.
    pub private_key_pem: String,
}

impl fmt::Debug for Issuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issuer")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("key_id", &self.key_id)
            .field("private_key_pem", &"[redacted]")
            .finish()
    }
}

/// A framework entry the achievement aligns with (an OB 3.0 `Alignment`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alignment {
    pub target_name: String,
    pub target_url: String,
}

/// What the credential recognises (an OB 3.0 `Achievement`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AchievementClaim {
    /// The achievement's URL.
    pub id: String,
    pub name: String,
    pub description: String,
    /// How it is earned, in words (`criteria.narrative`).
    pub criteria_narrative: String,
    pub alignment: Vec<Alignment>,
    /// `achievementType`: a term of the OB 3.0 vocabulary (`Award`,
    /// `Badge`, `Membership`, `Competency`, …); other values should carry
    /// the `ext:` prefix the spec asks of extensions (`ext:Endorsement`).
    pub achievement_type: Option<String>,
}

/// A revocation entry in a Bitstring Status List.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    /// The status list credential's URL (`statusListCredential`).
    pub list_url: String,
    /// The credential's bit in the list (`statusListIndex`).
    pub index: u32,
}

/// A credential before it is shaped and signed.
#[derive(Debug, Clone, PartialEq)]
pub struct CredentialDraft {
    /// The credential's stable URL.
    pub id: String,
    pub name: String,
    /// The member's actor URL.
    pub subject_id: String,
    pub achievement: AchievementClaim,
    /// Written with whole seconds (the JWT's `nbf` has no more).
    pub valid_from: DateTime<Utc>,
    pub valid_until: Option<DateTime<Utc>>,
    pub status: Option<StatusEntry>,
    /// Further `AchievementSubject` properties, merged into
    /// `credentialSubject`: `narrative` for an endorsement's text, `role`,
    /// `activityStartDate`/`activityEndDate`, `result`… `id`, `type` and
    /// `achievement` are this module's and are not overridden.
    pub subject_extra: Map<String, Value>,
    /// OB 3.0 `Evidence` objects, e.g. `{"name": "Sessions", "narrative":
    /// "42 sessions, 63 hours"}` for participation figures; `type:
    /// ["Evidence"]` is added where missing. None: no `evidence` property.
    pub evidence: Vec<Value>,
}

/// The header fields a verifier needs before it has the key.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct JwtHeader {
    pub alg: String,
    #[serde(default)]
    pub typ: Option<String>,
    #[serde(default)]
    pub kid: Option<String>,
}

/// What [`verify`] found. It is only ever returned for a credential whose
/// signature verified with the given key: a changed payload, a changed
/// signature or another key's signature is an error
/// ([`CredentialError::SignatureMismatch`]), so a report never shows
/// claims nobody signed. `signature_valid` is therefore always true; it is
/// kept so that the report says so itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    /// The JWT's `kid`, if it has one.
    pub key_id: Option<String>,
    pub issuer_id: String,
    /// The issuer profile's `name` (optional in OB 3.0).
    pub issuer_name: Option<String>,
    pub subject_id: String,
    pub credential_id: String,
    pub name: String,
    pub achievement_name: String,
    pub valid_from: DateTime<Utc>,
    pub valid_until: Option<DateTime<Utc>>,
    pub signature_valid: bool,
    /// `now` lies in `[validFrom, validUntil]` (no `validUntil`: no end).
    pub within_validity: bool,
    /// The revocation entry to look up with [`verify_status_list`].
    pub status: Option<StatusEntry>,
    /// The credential as signed, without the JWT registered claims.
    pub credential: Value,
}

impl Verified {
    /// Signed by the key and within its dates (revocation is checked apart).
    pub fn is_current(&self) -> bool {
        self.signature_valid && self.within_validity
    }
}

/// The `OpenBadgeCredential` for a draft, in the shape Open Badges 3.0
/// gives (VC 2.0 data model).
pub fn credential_json(issuer: &Issuer, draft: &CredentialDraft) -> Value {
    let a = &draft.achievement;
    let mut achievement = json!({
        "id": a.id,
        "type": ["Achievement"],
        "name": a.name,
        "description": a.description,
        "criteria": {"narrative": a.criteria_narrative},
    });
    if let Some(kind) = &a.achievement_type {
        achievement["achievementType"] = json!(kind);
    }
    if !a.alignment.is_empty() {
        achievement["alignment"] = a
            .alignment
            .iter()
            .map(|al| {
                json!({
                    "type": ["Alignment"],
                    "targetName": al.target_name,
                    "targetUrl": al.target_url,
                })
            })
            .collect();
    }

    let mut subject = draft.subject_extra.clone();
    subject.insert("id".into(), json!(draft.subject_id));
    subject.insert("type".into(), json!(["AchievementSubject"]));
    subject.insert("achievement".into(), achievement);

    let mut credential = json!({
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": draft.id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": draft.name,
        "issuer": profile(issuer),
        "validFrom": rfc3339(draft.valid_from),
        "credentialSubject": subject,
    });
    if let Some(until) = draft.valid_until {
        credential["validUntil"] = json!(rfc3339(until));
    }
    if let Some(status) = &draft.status {
        credential["credentialStatus"] = json!({
            "id": format!("{}#{}", status.list_url, status.index),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": status.index.to_string(),
            "statusListCredential": status.list_url,
        });
    }
    if !draft.evidence.is_empty() {
        credential["evidence"] = draft
            .evidence
            .iter()
            .map(|item| {
                let mut item = item.clone();
                if let Some(object) = item.as_object_mut() {
                    object.entry("type").or_insert_with(|| json!(["Evidence"]));
                }
                item
            })
            .collect();
    }
    credential
}

/// Secures a credential (an `OpenBadgeCredential` or a status list) as a
/// compact VC-JWT: header `{alg: RS256, typ: JWT, kid}`, claims the
/// credential itself plus `iss` = issuer id, `jti` = `id`, `sub` =
/// `credentialSubject.id`, `nbf` = `validFrom`, `exp` = `validUntil` (if
/// set) and `iat` = now, all in seconds.
pub fn sign(issuer: &Issuer, credential: &Value) -> Result<String> {
    let Some(fields) = credential.as_object() else {
        return Err(CredentialError::Sign("it is not a JSON object".into()));
    };
    let id = str_field(credential, "id").ok_or_else(|| missing_for_signing("id"))?;
    let named = issuer_id(credential).ok_or_else(|| missing_for_signing("issuer.id"))?;
    if named != issuer.id {
        return Err(CredentialError::Sign(format!(
            "it names the issuer {named}, not {}",
            issuer.id
        )));
    }
    let subject = str_field(credential, "credentialSubject.id")
        .ok_or_else(|| missing_for_signing("credentialSubject.id"))?;
    let valid_from = date_field(credential, "validFrom")
        .map_err(CredentialError::Sign)?
        .ok_or_else(|| missing_for_signing("validFrom"))?;
    let valid_until = date_field(credential, "validUntil").map_err(CredentialError::Sign)?;
    if valid_until.is_some_and(|until| until < valid_from) {
        return Err(CredentialError::Sign(
            "validUntil is before validFrom".into(),
        ));
    }

    let mut claims = fields.clone();
    claims.insert("iss".into(), json!(issuer.id));
    claims.insert("jti".into(), json!(id));
    claims.insert("sub".into(), json!(subject));
    claims.insert("nbf".into(), json!(valid_from.timestamp()));
    match valid_until {
        Some(until) => claims.insert("exp".into(), json!(until.timestamp())),
        None => claims.remove("exp"),
    };
    claims.insert("iat".into(), json!(Utc::now().timestamp()));

    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(issuer.key_id.clone());
    let key = encoding_key(&issuer.private_key_pem)?;
    jsonwebtoken::encode(&header, &Value::Object(claims), &key)
        .map_err(|e| CredentialError::Sign(e.to_string()))
}

/// Reads a JWT's header and claims without checking anything: to learn the
/// `kid` and `iss` before fetching the key. Never trust what it returns.
///
/// It reads the two JSON segments itself (signature checks are
/// `jsonwebtoken`'s) so that it can name algorithms such as `none` that
/// `jsonwebtoken` does not know.
pub fn decode_unverified(jwt: &str) -> Result<(JwtHeader, Value)> {
    let parts: Vec<&str> = jwt.trim().split('.').collect();
    let [header, payload, _signature] = parts[..] else {
        return Err(CredentialError::Malformed(
            "a VC-JWT has three parts separated by dots".into(),
        ));
    };
    let header: JwtHeader = serde_json::from_slice(&segment(header, "header")?)
        .map_err(|e| CredentialError::Malformed(format!("the JWT header is not usable: {e}")))?;
    let claims: Value = serde_json::from_slice(&segment(payload, "payload")?)
        .map_err(|e| CredentialError::Malformed(format!("the JWT payload is not JSON: {e}")))?;
    if !claims.is_object() {
        return Err(CredentialError::Malformed(
            "the JWT payload is not a JSON object".into(),
        ));
    }
    Ok((header, claims))
}

/// Verifies an `OpenBadgeCredential` VC-JWT against the issuer's public key
/// (SPKI PEM, `BEGIN PUBLIC KEY`, as the instance actor publishes it).
///
/// In order: the shape (the required OB 3.0 properties and types), the
/// algorithm (RS256 only), the signature, the consistency of `iss`, `sub`,
/// `jti` (and `nbf`/`exp` where present) with the credential, and the
/// validity dates — which are reported in `within_validity`, not refused.
/// Anything that fails before the dates is an error; in particular a
/// credential that does not verify with the key is
/// [`CredentialError::SignatureMismatch`], never a report.
///
/// Revocation is not checked here: fetch `status.list_url` and use
/// [`verify_status_list`].
pub fn verify(jwt: &str, public_key_pem: &str, now: DateTime<Utc>) -> Result<Verified> {
    let (header, claims) = decode_unverified(jwt)?;
    read_badge(&claims)?;
    let claims = verified_claims(jwt, &header, public_key_pem)?;
    let badge = read_badge(&claims)?;
    check_jwt_claims(&claims, &badge.common)?;

    let within_validity =
        badge.common.valid_from <= now && badge.common.valid_until.is_none_or(|until| now <= until);
    Ok(Verified {
        key_id: header.kid,
        issuer_id: badge.common.issuer_id,
        issuer_name: badge.issuer_name,
        subject_id: badge.common.subject_id,
        credential_id: badge.common.id,
        name: badge.name,
        achievement_name: badge.achievement_name,
        valid_from: badge.common.valid_from,
        valid_until: badge.common.valid_until,
        signature_valid: true,
        within_validity,
        status: badge.status,
        credential: without_jwt_claims(claims),
    })
}

/// The revocation bitstring of a W3C Bitstring Status List
/// (`statusPurpose: revocation`, one bit per credential).
///
/// Bit order as the spec gives it: the bitstring is read left to right,
/// index 0 being its left-most bit, i.e. the most significant bit of the
/// first byte; index 9 is the mask `0x40` of the second byte.
#[derive(Clone, PartialEq, Eq)]
pub struct StatusList {
    bits: Vec<u8>,
}

impl fmt::Debug for StatusList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set: u32 = self.bits.iter().map(|b| b.count_ones()).sum();
        f.debug_struct("StatusList")
            .field("entries", &self.entries())
            .field("revoked", &set)
            .finish()
    }
}

impl Default for StatusList {
    fn default() -> Self {
        Self::new()
    }
}

impl StatusList {
    /// An empty list (nothing revoked) of the minimum 131,072 entries.
    pub fn new() -> Self {
        Self {
            bits: vec![0; STATUS_LIST_MIN_ENTRIES / 8],
        }
    }

    /// How many credentials the list has room for.
    pub fn entries(&self) -> usize {
        self.bits.len() * 8
    }

    fn locate(&self, index: u32) -> Result<(usize, u8)> {
        let byte = usize::try_from(index / 8).unwrap_or(usize::MAX);
        if byte >= self.bits.len() {
            return Err(CredentialError::IndexOutOfRange {
                index,
                entries: self.entries(),
            });
        }
        Ok((byte, 0x80 >> (index % 8)))
    }

    /// Marks a credential revoked (or not).
    pub fn set(&mut self, index: u32, revoked: bool) -> Result<()> {
        let (byte, mask) = self.locate(index)?;
        if revoked {
            self.bits[byte] |= mask;
        } else {
            self.bits[byte] &= !mask;
        }
        Ok(())
    }

    /// Whether a credential is revoked.
    pub fn get(&self, index: u32) -> Result<bool> {
        let (byte, mask) = self.locate(index)?;
        Ok(self.bits[byte] & mask != 0)
    }

    /// The `encodedList`: GZIP-compressed, then multibase base64url without
    /// padding (`u` followed by the base64url text).
    pub fn encode(&self) -> String {
        let mut gzip = GzEncoder::new(Vec::new(), Compression::default());
        #[allow(clippy::expect_used)] // Writing into a Vec cannot fail.
        let compressed = gzip
            .write_all(&self.bits)
            .and_then(|()| gzip.finish())
            .expect("GZIP into memory");
        format!("u{}", URL_SAFE_NO_PAD.encode(compressed))
    }

    /// Reads an `encodedList` (padding is tolerated). Lists shorter than the
    /// spec's minimum, or larger than 16 MiB unpacked, are refused.
    pub fn decode(encoded: &str) -> Result<Self> {
        let Some(text) = encoded.strip_prefix('u') else {
            return Err(CredentialError::StatusList(
                "encodedList must be multibase base64url, starting with 'u'".into(),
            ));
        };
        let compressed = BASE64URL_ANY_PADDING
            .decode(text)
            .map_err(|_| CredentialError::StatusList("encodedList is not base64url".into()))?;
        let mut bits = Vec::new();
        GzDecoder::new(compressed.as_slice())
            .take(STATUS_LIST_MAX_BYTES as u64 + 1)
            .read_to_end(&mut bits)
            .map_err(|_| CredentialError::StatusList("encodedList is not GZIP data".into()))?;
        if bits.len() > STATUS_LIST_MAX_BYTES {
            return Err(CredentialError::StatusList(
                "the list is larger than this server reads".into(),
            ));
        }
        if bits.len() * 8 < STATUS_LIST_MIN_ENTRIES {
            return Err(CredentialError::StatusList(format!(
                "the list has {} entries; the spec requires at least {STATUS_LIST_MIN_ENTRIES}",
                bits.len() * 8
            )));
        }
        Ok(Self { bits })
    }
}

const BASE64URL_ANY_PADDING: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The `BitstringStatusListCredential` that publishes a revocation list at
/// `list_url`; sign it with [`sign`].
pub fn status_list_credential_json(
    issuer: &Issuer,
    list_url: &str,
    list: &StatusList,
    valid_from: DateTime<Utc>,
) -> Value {
    json!({
        "@context": [VC_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": profile(issuer),
        "validFrom": rfc3339(valid_from),
        "credentialSubject": {
            "id": format!("{list_url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": list.encode(),
        },
    })
}

/// Whether the credential at `index` is revoked, read from the claims of a
/// revocation status list credential. The claims must come from a JWT whose
/// signature was checked: [`verify_status_list`] does both.
pub fn status_bit(status_list_jwt_claims: &Value, index: u32) -> Result<bool> {
    let claims = status_list_jwt_claims;
    let bad = |what: &str| CredentialError::StatusList(what.to_owned());
    if !has_type(claims.get("type"), "BitstringStatusListCredential") {
        return Err(bad("type must include BitstringStatusListCredential"));
    }
    let subject = claims
        .get("credentialSubject")
        .ok_or_else(|| bad("credentialSubject is missing"))?;
    if !has_type(subject.get("type"), "BitstringStatusList") {
        return Err(bad("credentialSubject.type must be BitstringStatusList"));
    }
    match str_field(subject, "statusPurpose") {
        Some("revocation") => {}
        Some(other) => {
            return Err(bad(&format!("it is a {other} list, not a revocation list")));
        }
        None => return Err(bad("credentialSubject.statusPurpose is missing")),
    }
    let encoded = str_field(subject, "encodedList")
        .ok_or_else(|| bad("credentialSubject.encodedList is missing"))?;
    StatusList::decode(encoded)?.get(index)
}

/// Checks a status list VC-JWT (RS256, signed with `public_key_pem`,
/// published at `entry.list_url` by `issuer_id`, its claims consistent) and
/// returns whether the entry's credential is revoked.
pub fn verify_status_list(
    jwt: &str,
    public_key_pem: &str,
    issuer_id: &str,
    entry: &StatusEntry,
) -> Result<bool> {
    let (header, _) = decode_unverified(jwt)?;
    let claims = verified_claims(jwt, &header, public_key_pem)?;
    let bad = |what: String| CredentialError::StatusList(what);
    let common = read_common(&claims).map_err(|e| match e {
        CredentialError::NotOpenBadge(what) => bad(what),
        other => other,
    })?;
    if common.id != entry.list_url {
        return Err(bad(format!(
            "it is the list {}, not {}",
            common.id, entry.list_url
        )));
    }
    if common.issuer_id != issuer_id {
        return Err(bad(format!(
            "it is issued by {}, not by the credential's issuer {issuer_id}",
            common.issuer_id
        )));
    }
    check_jwt_claims(&claims, &common)?;
    status_bit(&claims, entry.index)
}

// ---------------------------------------------------------------------------
// Reading credentials

/// What every credential we sign or check has.
struct Common {
    id: String,
    issuer_id: String,
    subject_id: String,
    valid_from: DateTime<Utc>,
    valid_until: Option<DateTime<Utc>>,
}

/// What an `OpenBadgeCredential` adds.
struct Badge {
    common: Common,
    name: String,
    issuer_name: Option<String>,
    achievement_name: String,
    status: Option<StatusEntry>,
}

fn not_badge(what: impl Into<String>) -> CredentialError {
    CredentialError::NotOpenBadge(what.into())
}

fn require_str<'a>(value: &'a Value, path: &str) -> Result<&'a str> {
    match lookup(value, path) {
        None | Some(Value::Null) => Err(not_badge(format!("{path} is missing"))),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(not_badge(format!("{path} must be a string"))),
    }
}

fn require_object<'a>(value: &'a Value, path: &str) -> Result<&'a Value> {
    match lookup(value, path) {
        None | Some(Value::Null) => Err(not_badge(format!("{path} is missing"))),
        Some(object @ Value::Object(_)) => Ok(object),
        Some(_) => Err(not_badge(format!("{path} must be an object"))),
    }
}

fn require_type(value: &Value, path: &str, wanted: &[&str]) -> Result<()> {
    let at = if path.is_empty() {
        "type".to_owned()
    } else {
        format!("{path}.type")
    };
    let types = lookup(value, &at);
    if types.is_none() {
        return Err(not_badge(format!("{at} is missing")));
    }
    for name in wanted {
        if !has_type(types, name) {
            return Err(not_badge(format!("{at} must include {name}")));
        }
    }
    Ok(())
}

fn read_common(claims: &Value) -> Result<Common> {
    let id = require_str(claims, "id")?.to_owned();
    // A profile object (as Open Badges requires) or, in a plain VC, a URL.
    let issuer_id = match claims.get("issuer") {
        Some(Value::String(id)) => id.clone(),
        _ => require_str(claims, "issuer.id")?.to_owned(),
    };
    require_object(claims, "credentialSubject")?;
    let subject_id = require_str(claims, "credentialSubject.id")?.to_owned();
    let valid_from = date_field(claims, "validFrom")
        .map_err(not_badge)?
        .ok_or_else(|| not_badge("validFrom is missing"))?;
    let valid_until = date_field(claims, "validUntil").map_err(not_badge)?;
    Ok(Common {
        id,
        issuer_id,
        subject_id,
        valid_from,
        valid_until,
    })
}

fn read_badge(claims: &Value) -> Result<Badge> {
    let contexts = match claims.get("@context") {
        Some(Value::Array(list)) => list.as_slice(),
        Some(_) => return Err(not_badge("@context must be a list")),
        None => return Err(not_badge("@context is missing")),
    };
    if contexts.first().and_then(Value::as_str) != Some(VC_CONTEXT) {
        return Err(not_badge(format!("@context must start with {VC_CONTEXT}")));
    }
    if !contexts
        .iter()
        .filter_map(Value::as_str)
        .any(|c| c.starts_with(OB_CONTEXT_PREFIX))
    {
        return Err(not_badge(format!(
            "@context must include the Open Badges 3.0 context ({OB_CONTEXT})"
        )));
    }
    require_type(claims, "", &["VerifiableCredential"])?;
    if !has_type(claims.get("type"), "OpenBadgeCredential")
        && !has_type(claims.get("type"), "AchievementCredential")
    {
        return Err(not_badge("type must include OpenBadgeCredential"));
    }
    let common = read_common(claims)?;
    let name = require_str(claims, "name")?.to_owned();
    require_object(claims, "issuer")?;
    require_type(claims, "issuer", &["Profile"])?;
    let issuer_name = str_field(claims, "issuer.name").map(str::to_owned);
    require_type(claims, "credentialSubject", &["AchievementSubject"])?;
    require_object(claims, "credentialSubject.achievement")?;
    require_str(claims, "credentialSubject.achievement.id")?;
    require_type(claims, "credentialSubject.achievement", &["Achievement"])?;
    let achievement_name = require_str(claims, "credentialSubject.achievement.name")?.to_owned();
    require_str(claims, "credentialSubject.achievement.description")?;
    require_object(claims, "credentialSubject.achievement.criteria")?;
    if str_field(claims, "credentialSubject.achievement.criteria.narrative").is_none()
        && str_field(claims, "credentialSubject.achievement.criteria.id").is_none()
    {
        return Err(not_badge(
            "credentialSubject.achievement.criteria needs a narrative or an id",
        ));
    }
    let status = read_status(claims)?;
    Ok(Badge {
        common,
        name,
        issuer_name,
        achievement_name,
        status,
    })
}

/// The revocation entry of `credentialStatus` (an object or a list). A
/// status this module cannot check is an error rather than ignored, so that
/// a suspended or otherwise flagged credential never passes as unflagged.
fn read_status(claims: &Value) -> Result<Option<StatusEntry>> {
    let entries = match claims.get("credentialStatus") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(list)) => list.iter().collect::<Vec<_>>(),
        Some(one) => vec![one],
    };
    let unsupported = |what: String| CredentialError::UnsupportedStatus(what);
    let mut found = None;
    for entry in entries {
        if !has_type(entry.get("type"), "BitstringStatusListEntry") {
            return Err(unsupported(
                "only BitstringStatusListEntry is understood".into(),
            ));
        }
        match str_field(entry, "statusPurpose") {
            Some("revocation") => {}
            Some(other) => return Err(unsupported(format!("statusPurpose {other}"))),
            None => return Err(not_badge("credentialStatus.statusPurpose is missing")),
        }
        let index = str_field(entry, "statusListIndex")
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse::<u32>().ok())
            .ok_or_else(|| {
                not_badge("credentialStatus.statusListIndex must be a base-10 number in a string")
            })?;
        let list_url = str_field(entry, "statusListCredential")
            .ok_or_else(|| not_badge("credentialStatus.statusListCredential is missing"))?;
        if found.is_some() {
            return Err(unsupported("more than one revocation entry".into()));
        }
        found = Some(StatusEntry {
            list_url: list_url.to_owned(),
            index,
        });
    }
    Ok(found)
}

/// `iss`, `sub` and `jti` must name what the credential names; `nbf` and
/// `exp`, where present, must be its dates.
fn check_jwt_claims(claims: &Value, common: &Common) -> Result<()> {
    let inconsistent = |what: String| CredentialError::Inconsistent(what);
    for (claim, property, expected) in [
        ("iss", "issuer.id", &common.issuer_id),
        ("sub", "credentialSubject.id", &common.subject_id),
        ("jti", "id", &common.id),
    ] {
        match claims.get(claim) {
            Some(Value::String(s)) if s == expected => {}
            Some(Value::String(s)) => {
                return Err(inconsistent(format!(
                    "{claim} is {s} but {property} is {expected}"
                )));
            }
            Some(_) => return Err(inconsistent(format!("{claim} is not a string"))),
            None => return Err(inconsistent(format!("the {claim} claim is missing"))),
        }
    }
    let seconds = |claim: &str| -> Result<Option<i64>> {
        match claims.get(claim) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| inconsistent(format!("{claim} is not a number of seconds"))),
        }
    };
    if let Some(nbf) = seconds("nbf")?
        && nbf != common.valid_from.timestamp()
    {
        return Err(inconsistent("nbf is not validFrom".into()));
    }
    match (seconds("exp")?, common.valid_until) {
        (Some(exp), Some(until)) if exp != until.timestamp() => {
            Err(inconsistent("exp is not validUntil".into()))
        }
        (Some(_), None) => Err(inconsistent("exp is set but validUntil is not".into())),
        _ => Ok(()),
    }
}

fn without_jwt_claims(claims: Value) -> Value {
    match claims {
        Value::Object(mut fields) => {
            for claim in JWT_CLAIMS {
                fields.remove(claim);
            }
            Value::Object(fields)
        }
        other => other,
    }
}

// ---------------------------------------------------------------------------
// JOSE, through jsonwebtoken

/// The claims of a JWT whose RS256 signature verifies with the key.
fn verified_claims(jwt: &str, header: &JwtHeader, public_key_pem: &str) -> Result<Value> {
    if header.alg != "RS256" {
        return Err(CredentialError::Algorithm(header.alg.clone()));
    }
    let key = decoding_key(public_key_pem)?;
    let mut validation = Validation::new(Algorithm::RS256);
    // Dates are this module's to report; no audience is used.
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    match jsonwebtoken::decode::<Value>(jwt.trim(), &key, &validation) {
        Ok(data) => Ok(data.claims),
        Err(e) => Err(match e.kind() {
            // The header and payload decoded already, so a base64 error is
            // in the signature.
            ErrorKind::InvalidSignature | ErrorKind::Base64(_) => {
                CredentialError::SignatureMismatch
            }
            ErrorKind::InvalidAlgorithm => CredentialError::Algorithm(header.alg.clone()),
            ErrorKind::InvalidRsaKey(why) => CredentialError::Key(why.clone()),
            _ => CredentialError::Malformed(e.to_string()),
        }),
    }
}

fn encoding_key(private_key_pem: &str) -> Result<EncodingKey> {
    let key = RsaPrivateKey::from_pkcs8_pem(private_key_pem)
        .or_else(|_| RsaPrivateKey::from_pkcs1_pem(private_key_pem))
        .map_err(|_| CredentialError::Key("not an RSA private key in PEM".into()))?;
    strong_enough(key.n().bits())?;
    let der = key
        .to_pkcs1_der()
        .map_err(|e| CredentialError::Key(e.to_string()))?;
    Ok(EncodingKey::from_rsa_der(der.as_bytes()))
}

fn decoding_key(public_key_pem: &str) -> Result<DecodingKey> {
    let key = RsaPublicKey::from_public_key_pem(public_key_pem.trim())
        .or_else(|_| RsaPublicKey::from_pkcs1_pem(public_key_pem.trim()))
        .map_err(|_| CredentialError::Key("not an RSA public key in PEM".into()))?;
    strong_enough(key.n().bits())?;
    Ok(DecodingKey::from_rsa_raw_components(
        &key.n().to_bytes_be(),
        &key.e().to_bytes_be(),
    ))
}

fn strong_enough(bits: usize) -> Result<()> {
    if bits < MIN_RSA_BITS {
        return Err(CredentialError::Key(format!(
            "an RSA key of {bits} bits is too short; at least {MIN_RSA_BITS} are needed"
        )));
    }
    Ok(())
}

fn segment(text: &str, which: &str) -> Result<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| CredentialError::Malformed(format!("the JWT {which} is not base64url")))
}

// ---------------------------------------------------------------------------
// JSON helpers

fn profile(issuer: &Issuer) -> Value {
    json!({"id": issuer.id, "type": ["Profile"], "name": issuer.name})
}

fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A value by dotted path (`credentialSubject.achievement.name`).
fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, key| v.get(key))
}

fn str_field<'a>(value: &'a Value, path: &str) -> Option<&'a str> {
    lookup(value, path).and_then(Value::as_str)
}

/// The issuer's id, whether `issuer` is an object or (plain VC) a URL.
fn issuer_id(credential: &Value) -> Option<&str> {
    match credential.get("issuer")? {
        Value::String(id) => Some(id),
        other => other.get("id")?.as_str(),
    }
}

/// `type` as a string or a list of strings, containing `name`.
fn has_type(types: Option<&Value>, name: &str) -> bool {
    match types {
        Some(Value::String(s)) => s == name,
        Some(Value::Array(list)) => list.iter().any(|t| t.as_str() == Some(name)),
        _ => false,
    }
}

/// An optional RFC 3339 date; Err names the property when it is not one.
fn date_field(value: &Value, path: &str) -> std::result::Result<Option<DateTime<Utc>>, String> {
    match lookup(value, path) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| format!("{path} is not an RFC 3339 date-time")),
        Some(_) => Err(format!("{path} must be a date-time string")),
    }
}

fn missing_for_signing(path: &str) -> CredentialError {
    CredentialError::Sign(format!("{path} is missing"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::sync::LazyLock;

    use activitypub_federation::http_signatures::{Keypair, generate_actor_keypair};
    use chrono::{Duration, TimeZone};
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::signature::Verifier;
    use sha2::Sha256;

    use super::*;

    /// Keys made exactly as the instance actor makes and stores its own.
    static KEYS: LazyLock<Keypair> = LazyLock::new(|| generate_actor_keypair().unwrap());
    static OTHER_KEYS: LazyLock<Keypair> = LazyLock::new(|| generate_actor_keypair().unwrap());

    fn issuer() -> Issuer {
        issuer_with(&KEYS)
    }

    fn issuer_with(keys: &Keypair) -> Issuer {
        Issuer {
            id: "https://a.example/actor".into(),
            name: "Sysadmin Society".into(),
            key_id: "https://a.example/actor#main-key".into(),
            private_key_pem: keys.private_key.clone(),
        }
    }

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    fn draft() -> CredentialDraft {
        CredentialDraft {
            id: "https://a.example/credentials/0190a1b2".into(),
            name: "Mentor of the year 2025".into(),
            subject_id: "https://a.example/users/alice".into(),
            achievement: AchievementClaim {
                id: "https://a.example/achievements/mentor-of-the-year".into(),
                name: "Mentor of the year".into(),
                description: "The mentor whose mentees grew most.".into(),
                criteria_narrative: "Chosen by the program committee.".into(),
                alignment: vec![Alignment {
                    target_name: "Leadership".into(),
                    target_url: "https://a.example/skills/leadership".into(),
                }],
                achievement_type: Some("Award".into()),
            },
            valid_from: at(2025, 1, 1),
            valid_until: Some(at(2027, 1, 1)),
            status: Some(StatusEntry {
                list_url: "https://a.example/credentials/status/1".into(),
                index: 42,
            }),
            subject_extra: Map::new(),
            evidence: vec![json!({"name": "Sessions", "narrative": "42 sessions, 63 hours"})],
        }
    }

    fn signed() -> String {
        sign(&issuer(), &credential_json(&issuer(), &draft())).unwrap()
    }

    fn b64(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Rewrites a JWT's payload, keeping its header and signature.
    fn with_payload(jwt: &str, edit: impl FnOnce(&mut Value)) -> String {
        let parts: Vec<&str> = jwt.split('.').collect();
        let mut claims: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        edit(&mut claims);
        let payload = b64(&serde_json::to_vec(&claims).unwrap());
        format!("{}.{payload}.{}", parts[0], parts[2])
    }

    #[test]
    fn credential_has_the_open_badges_shape() {
        let mut d = draft();
        d.subject_extra
            .insert("narrative".into(), json!("Alice made us better."));
        d.subject_extra
            .insert("id".into(), json!("https://evil.example"));
        let credential = credential_json(&issuer(), &d);
        assert_eq!(
            credential,
            json!({
                "@context": [
                    "https://www.w3.org/ns/credentials/v2",
                    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
                ],
                "id": "https://a.example/credentials/0190a1b2",
                "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "name": "Mentor of the year 2025",
                "issuer": {
                    "id": "https://a.example/actor",
                    "type": ["Profile"],
                    "name": "Sysadmin Society"
                },
                "validFrom": "2025-01-01T12:00:00Z",
                "validUntil": "2027-01-01T12:00:00Z",
                "credentialSubject": {
                    "id": "https://a.example/users/alice",
                    "type": ["AchievementSubject"],
                    "narrative": "Alice made us better.",
                    "achievement": {
                        "id": "https://a.example/achievements/mentor-of-the-year",
                        "type": ["Achievement"],
                        "achievementType": "Award",
                        "name": "Mentor of the year",
                        "description": "The mentor whose mentees grew most.",
                        "criteria": {"narrative": "Chosen by the program committee."},
                        "alignment": [{
                            "type": ["Alignment"],
                            "targetName": "Leadership",
                            "targetUrl": "https://a.example/skills/leadership"
                        }]
                    }
                },
                "credentialStatus": {
                    "id": "https://a.example/credentials/status/1#42",
                    "type": "BitstringStatusListEntry",
                    "statusPurpose": "revocation",
                    "statusListIndex": "42",
                    "statusListCredential": "https://a.example/credentials/status/1"
                },
                "evidence": [{
                    "type": ["Evidence"],
                    "name": "Sessions",
                    "narrative": "42 sessions, 63 hours"
                }]
            })
        );
    }

    #[test]
    fn optional_parts_are_left_out() {
        let mut d = draft();
        d.valid_until = None;
        d.status = None;
        d.evidence.clear();
        d.achievement.alignment.clear();
        d.achievement.achievement_type = None;
        let credential = credential_json(&issuer(), &d);
        for absent in ["validUntil", "credentialStatus", "evidence"] {
            assert!(credential.get(absent).is_none(), "{absent}");
        }
        let achievement = &credential["credentialSubject"]["achievement"];
        assert!(achievement.get("alignment").is_none());
        assert!(achievement.get("achievementType").is_none());
    }

    #[test]
    fn sign_then_verify_round_trip() {
        let jwt = signed();
        let report = verify(&jwt, &KEYS.public_key, at(2026, 6, 1)).unwrap();
        assert_eq!(
            report.key_id.as_deref(),
            Some("https://a.example/actor#main-key")
        );
        assert_eq!(report.issuer_id, "https://a.example/actor");
        assert_eq!(report.issuer_name.as_deref(), Some("Sysadmin Society"));
        assert_eq!(report.subject_id, "https://a.example/users/alice");
        assert_eq!(
            report.credential_id,
            "https://a.example/credentials/0190a1b2"
        );
        assert_eq!(report.name, "Mentor of the year 2025");
        assert_eq!(report.achievement_name, "Mentor of the year");
        assert_eq!(report.valid_from, at(2025, 1, 1));
        assert_eq!(report.valid_until, Some(at(2027, 1, 1)));
        assert!(report.signature_valid);
        assert!(report.within_validity);
        assert!(report.is_current());
        assert_eq!(
            report.status,
            Some(StatusEntry {
                list_url: "https://a.example/credentials/status/1".into(),
                index: 42
            })
        );
        // The credential comes back as it was issued.
        assert_eq!(report.credential, credential_json(&issuer(), &draft()));
    }

    #[test]
    fn jwt_header_and_claims_follow_vc_jwt() {
        let (header, claims) = decode_unverified(&signed()).unwrap();
        assert_eq!(header.alg, "RS256");
        assert_eq!(header.typ.as_deref(), Some("JWT"));
        assert_eq!(
            header.kid.as_deref(),
            Some("https://a.example/actor#main-key")
        );
        assert_eq!(claims["iss"], "https://a.example/actor");
        assert_eq!(claims["jti"], "https://a.example/credentials/0190a1b2");
        assert_eq!(claims["sub"], "https://a.example/users/alice");
        assert_eq!(claims["nbf"], at(2025, 1, 1).timestamp());
        assert_eq!(claims["exp"], at(2027, 1, 1).timestamp());
        assert!(claims["iat"].as_i64().unwrap() >= Utc::now().timestamp() - 60);
        assert_eq!(claims["type"][1], "OpenBadgeCredential");

        let mut d = draft();
        d.valid_until = None;
        let jwt = sign(&issuer(), &credential_json(&issuer(), &d)).unwrap();
        let (_, claims) = decode_unverified(&jwt).unwrap();
        assert!(claims.get("exp").is_none());
    }

    /// Proves the claim of the design: a credential verifies with any
    /// standard RS256 implementation and the issuer's public key alone.
    #[test]
    fn signature_verifies_without_this_module() {
        let jwt = signed();
        let (signing_input, signature) = jwt.rsplit_once('.').unwrap();
        let (header, payload) = signing_input.split_once('.').unwrap();
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
        assert_eq!(header["alg"], "RS256");
        assert_eq!(header["kid"], "https://a.example/actor#main-key");
        let payload: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        assert_eq!(
            payload["credentialSubject"]["id"],
            "https://a.example/users/alice"
        );

        let public = RsaPublicKey::from_public_key_pem(&KEYS.public_key).unwrap();
        let verifier = VerifyingKey::<Sha256>::new(public);
        let signature =
            Signature::try_from(URL_SAFE_NO_PAD.decode(signature).unwrap().as_slice()).unwrap();
        verifier
            .verify(signing_input.as_bytes(), &signature)
            .expect("RS256 signature over header.payload");

        // And the same check fails for another key.
        let other = RsaPublicKey::from_public_key_pem(&OTHER_KEYS.public_key).unwrap();
        assert!(
            VerifyingKey::<Sha256>::new(other)
                .verify(signing_input.as_bytes(), &signature)
                .is_err()
        );
    }

    #[test]
    fn a_changed_claim_breaks_the_signature() {
        let jwt = signed();
        let now = at(2026, 6, 1);
        // The subject swapped for someone else, consistently in both places.
        let stolen = with_payload(&jwt, |c| {
            c["credentialSubject"]["id"] = json!("https://b.example/users/mallory");
            c["sub"] = json!("https://b.example/users/mallory");
        });
        assert_eq!(
            verify(&stolen, &KEYS.public_key, now),
            Err(CredentialError::SignatureMismatch)
        );
        // Only the subject's id changed.
        let edited = with_payload(&jwt, |c| {
            c["credentialSubject"]["id"] = json!("https://b.example/users/mallory");
        });
        assert_eq!(
            verify(&edited, &KEYS.public_key, now),
            Err(CredentialError::SignatureMismatch)
        );
        // A longer validity.
        let extended = with_payload(&jwt, |c| {
            c["validUntil"] = json!("2099-01-01T00:00:00Z");
            c["exp"] = json!(at(2099, 1, 1).timestamp());
        });
        assert_eq!(
            verify(&extended, &KEYS.public_key, now),
            Err(CredentialError::SignatureMismatch)
        );
    }

    #[test]
    fn a_changed_signature_is_refused() {
        let jwt = signed();
        let (input, signature) = jwt.rsplit_once('.').unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
        bytes[10] ^= 1;
        let flipped = format!("{input}.{}", b64(&bytes));
        assert_eq!(
            verify(&flipped, &KEYS.public_key, at(2026, 6, 1)),
            Err(CredentialError::SignatureMismatch)
        );
        let garbage = format!("{input}.!!");
        assert_eq!(
            verify(&garbage, &KEYS.public_key, at(2026, 6, 1)),
            Err(CredentialError::SignatureMismatch)
        );
        let empty = format!("{input}.");
        assert!(verify(&empty, &KEYS.public_key, at(2026, 6, 1)).is_err());
    }

    #[test]
    fn another_keys_signature_is_refused() {
        let forger = issuer_with(&OTHER_KEYS);
        let jwt = sign(&forger, &credential_json(&forger, &draft())).unwrap();
        assert_eq!(
            verify(&jwt, &KEYS.public_key, at(2026, 6, 1)),
            Err(CredentialError::SignatureMismatch)
        );
        assert!(verify(&jwt, &OTHER_KEYS.public_key, at(2026, 6, 1)).is_ok());
    }

    #[test]
    fn alg_none_and_hs256_are_refused() {
        let jwt = signed();
        let payload = jwt.split('.').nth(1).unwrap();

        let none = format!("{}.{payload}.", b64(br#"{"alg":"none","typ":"JWT"}"#));
        let err = verify(&none, &KEYS.public_key, at(2026, 6, 1)).unwrap_err();
        assert_eq!(err, CredentialError::Algorithm("none".into()));
        assert_eq!(
            err.to_string(),
            "the credential is signed with \"none\"; only RS256 is accepted"
        );

        // The classic confusion: HMAC keyed with the issuer's public key.
        let (_, claims) = decode_unverified(&jwt).unwrap();
        let hs256 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(KEYS.public_key.as_bytes()),
        )
        .unwrap();
        assert_eq!(
            verify(&hs256, &KEYS.public_key, at(2026, 6, 1)),
            Err(CredentialError::Algorithm("HS256".into()))
        );

        // Another RSA algorithm over the same key is not RS256 either.
        let rs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::RS512),
            &claims,
            &encoding_key(&KEYS.private_key).unwrap(),
        )
        .unwrap();
        assert_eq!(
            verify(&rs512, &KEYS.public_key, at(2026, 6, 1)),
            Err(CredentialError::Algorithm("RS512".into()))
        );
    }

    #[test]
    fn validity_window_is_reported() {
        let jwt = signed();
        let before = verify(&jwt, &KEYS.public_key, at(2024, 12, 31)).unwrap();
        assert!(before.signature_valid);
        assert!(!before.within_validity);
        assert!(!before.is_current());
        let after = verify(
            &jwt,
            &KEYS.public_key,
            at(2027, 1, 1) + Duration::seconds(1),
        )
        .unwrap();
        assert!(!after.within_validity);
        let first = verify(&jwt, &KEYS.public_key, at(2025, 1, 1)).unwrap();
        assert!(first.within_validity);
        let last = verify(&jwt, &KEYS.public_key, at(2027, 1, 1)).unwrap();
        assert!(last.within_validity);

        let mut d = draft();
        d.valid_until = None;
        let open = sign(&issuer(), &credential_json(&issuer(), &d)).unwrap();
        let far = verify(&open, &KEYS.public_key, at(2090, 1, 1)).unwrap();
        assert!(far.within_validity);
        assert_eq!(far.valid_until, None);
    }

    #[test]
    fn claims_that_are_not_a_badge_name_what_is_missing() {
        let mut credential = credential_json(&issuer(), &draft());
        credential["credentialSubject"]
            .as_object_mut()
            .unwrap()
            .remove("achievement");
        let jwt = sign(&issuer(), &credential).unwrap();
        let err = verify(&jwt, &KEYS.public_key, at(2026, 6, 1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "not an OpenBadgeCredential: credentialSubject.achievement is missing"
        );

        let mut credential = credential_json(&issuer(), &draft());
        credential["type"] = json!(["VerifiableCredential"]);
        let jwt = sign(&issuer(), &credential).unwrap();
        assert_eq!(
            verify(&jwt, &KEYS.public_key, at(2026, 6, 1)),
            Err(not_badge("type must include OpenBadgeCredential"))
        );

        let mut credential = credential_json(&issuer(), &draft());
        credential["credentialSubject"]["achievement"]["type"] = json!("Badge");
        let jwt = sign(&issuer(), &credential).unwrap();
        assert_eq!(
            verify(&jwt, &KEYS.public_key, at(2026, 6, 1)),
            Err(not_badge(
                "credentialSubject.achievement.type must include Achievement"
            ))
        );

        let mut credential = credential_json(&issuer(), &draft());
        credential["issuer"] = json!("https://a.example/actor");
        let jwt = sign(&issuer(), &credential).unwrap();
        assert_eq!(
            verify(&jwt, &KEYS.public_key, at(2026, 6, 1)),
            Err(not_badge("issuer must be an object"))
        );

        // A status list is a credential, but not a badge.
        let list = status_list_credential_json(
            &issuer(),
            "https://a.example/credentials/status/1",
            &StatusList::new(),
            at(2025, 1, 1),
        );
        let jwt = sign(&issuer(), &list).unwrap();
        assert!(matches!(
            verify(&jwt, &KEYS.public_key, at(2026, 6, 1)),
            Err(CredentialError::NotOpenBadge(_))
        ));

        // Not a JWT at all.
        assert!(matches!(
            verify("hello", &KEYS.public_key, at(2026, 6, 1)),
            Err(CredentialError::Malformed(_))
        ));
    }

    #[test]
    fn jwt_claims_must_agree_with_the_credential() {
        // Signed consistently by the right key, but `sub` names someone else.
        let mut d = draft();
        d.status = None;
        let mut claims = credential_json(&issuer(), &d);
        claims["iss"] = json!("https://a.example/actor");
        claims["jti"] = json!(d.id);
        claims["sub"] = json!("https://b.example/users/mallory");
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("https://a.example/actor#main-key".into());
        let jwt = jsonwebtoken::encode(&header, &claims, &encoding_key(&KEYS.private_key).unwrap())
            .unwrap();
        let err = verify(&jwt, &KEYS.public_key, at(2026, 6, 1)).unwrap_err();
        assert!(matches!(err, CredentialError::Inconsistent(_)), "{err}");
        assert!(
            err.to_string()
                .contains("sub is https://b.example/users/mallory")
        );
    }

    #[test]
    fn sign_refuses_what_it_cannot_stand_behind() {
        let mut credential = credential_json(&issuer(), &draft());
        credential["issuer"]["id"] = json!("https://b.example/actor");
        assert!(matches!(
            sign(&issuer(), &credential),
            Err(CredentialError::Sign(_))
        ));
        let mut d = draft();
        d.valid_until = Some(at(2024, 1, 1));
        assert!(matches!(
            sign(&issuer(), &credential_json(&issuer(), &d)),
            Err(CredentialError::Sign(_))
        ));
        let mut bad_key = issuer();
        bad_key.private_key_pem = KEYS.public_key.clone();
        assert!(matches!(
            sign(&bad_key, &credential_json(&issuer(), &draft())),
            Err(CredentialError::Key(_))
        ));
        assert!(matches!(
            verify(&signed(), "not a key", at(2026, 6, 1)),
            Err(CredentialError::Key(_))
        ));
    }

    #[test]
    fn unknown_status_mechanisms_are_not_ignored() {
        let mut credential = credential_json(&issuer(), &draft());
        credential["credentialStatus"]["statusPurpose"] = json!("suspension");
        let jwt = sign(&issuer(), &credential).unwrap();
        assert!(matches!(
            verify(&jwt, &KEYS.public_key, at(2026, 6, 1)),
            Err(CredentialError::UnsupportedStatus(_))
        ));
        let mut credential = credential_json(&issuer(), &draft());
        credential["credentialStatus"]["statusListIndex"] = json!(42);
        let jwt = sign(&issuer(), &credential).unwrap();
        assert!(matches!(
            verify(&jwt, &KEYS.public_key, at(2026, 6, 1)),
            Err(CredentialError::NotOpenBadge(_))
        ));
    }

    #[test]
    fn status_list_bits_in_spec_order() {
        let mut list = StatusList::new();
        assert_eq!(list.entries(), 131_072);
        assert_eq!(list.bits.len(), 16 * 1024);
        list.set(0, true).unwrap();
        list.set(9, true).unwrap();
        list.set(131_071, true).unwrap();
        // Index 0 is the most significant bit of the first byte.
        assert_eq!(list.bits[0], 0x80);
        assert_eq!(list.bits[1], 0x40);
        assert_eq!(list.bits[16_383], 0x01);
        assert!(list.get(0).unwrap());
        assert!(!list.get(1).unwrap());
        assert!(list.get(9).unwrap());
        assert!(list.get(131_071).unwrap());
        list.set(9, false).unwrap();
        assert!(!list.get(9).unwrap());
        assert_eq!(list.bits[1], 0);
        assert_eq!(
            list.get(131_072),
            Err(CredentialError::IndexOutOfRange {
                index: 131_072,
                entries: 131_072
            })
        );
        assert!(list.set(u32::MAX, true).is_err());
    }

    #[test]
    fn status_list_encodes_and_decodes() {
        let mut list = StatusList::new();
        for index in [0, 7, 42, 1000, 99_999, 131_071] {
            list.set(index, true).unwrap();
        }
        let encoded = list.encode();
        assert!(encoded.starts_with('u'));
        assert!(!encoded.contains('='));
        assert!(encoded.len() < 1000, "compressed: {}", encoded.len());
        // GZIP magic bytes after the multibase prefix.
        let raw = URL_SAFE_NO_PAD.decode(&encoded[1..]).unwrap();
        assert_eq!(raw[..2], [0x1f, 0x8b]);
        let back = StatusList::decode(&encoded).unwrap();
        assert_eq!(back, list);
        assert!(back.get(42).unwrap());
        assert!(!back.get(43).unwrap());
    }

    #[test]
    fn status_list_decodes_the_spec_example() {
        // The empty 131,072-entry list of the W3C Bitstring Status List
        // spec's examples, made by another implementation.
        let example = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA";
        let list = StatusList::decode(example).unwrap();
        assert_eq!(list, StatusList::new());
    }

    #[test]
    fn bad_encoded_lists_are_refused() {
        let short = {
            let mut gzip = GzEncoder::new(Vec::new(), Compression::default());
            gzip.write_all(&[0; 100]).unwrap();
            format!("u{}", b64(&gzip.finish().unwrap()))
        };
        for bad in ["", "H4sI", "u!!!", "uAAAA", short.as_str()] {
            assert!(
                matches!(StatusList::decode(bad), Err(CredentialError::StatusList(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn status_list_credential_signs_and_answers() {
        let url = "https://a.example/credentials/status/1";
        let mut list = StatusList::new();
        list.set(42, true).unwrap();
        let credential = status_list_credential_json(&issuer(), url, &list, at(2025, 3, 1));
        assert_eq!(
            credential["type"],
            json!(["VerifiableCredential", "BitstringStatusListCredential"])
        );
        assert_eq!(credential["credentialSubject"]["id"], format!("{url}#list"));
        assert_eq!(
            credential["credentialSubject"]["type"],
            "BitstringStatusList"
        );
        assert_eq!(
            credential["credentialSubject"]["statusPurpose"],
            "revocation"
        );
        assert_eq!(status_bit(&credential, 42), Ok(true));
        assert_eq!(status_bit(&credential, 41), Ok(false));

        let jwt = sign(&issuer(), &credential).unwrap();
        let (_, claims) = decode_unverified(&jwt).unwrap();
        assert_eq!(claims["sub"], format!("{url}#list"));
        assert_eq!(claims["jti"], url);

        // The credential issued with entry 42 is now seen as revoked.
        let report = verify(&signed(), &KEYS.public_key, at(2026, 6, 1)).unwrap();
        let entry = report.status.unwrap();
        assert_eq!(
            verify_status_list(&jwt, &KEYS.public_key, &report.issuer_id, &entry),
            Ok(true)
        );
        let other = StatusEntry {
            list_url: url.into(),
            index: 43,
        };
        assert_eq!(
            verify_status_list(&jwt, &KEYS.public_key, &report.issuer_id, &other),
            Ok(false)
        );
        // Another list, another issuer or another key do not answer.
        let elsewhere = StatusEntry {
            list_url: "https://a.example/credentials/status/2".into(),
            index: 42,
        };
        assert!(matches!(
            verify_status_list(&jwt, &KEYS.public_key, &report.issuer_id, &elsewhere),
            Err(CredentialError::StatusList(_))
        ));
        assert!(matches!(
            verify_status_list(&jwt, &KEYS.public_key, "https://b.example/actor", &entry),
            Err(CredentialError::StatusList(_))
        ));
        assert_eq!(
            verify_status_list(&jwt, &OTHER_KEYS.public_key, &report.issuer_id, &entry),
            Err(CredentialError::SignatureMismatch)
        );
        // A list whose issuer is a plain URL, as in the spec's examples.
        let mut plain = credential.clone();
        plain["issuer"] = json!("https://a.example/actor");
        let plain = sign(&issuer(), &plain).unwrap();
        assert_eq!(
            verify_status_list(&plain, &KEYS.public_key, &report.issuer_id, &entry),
            Ok(true)
        );
        // Un-revoking by editing the list breaks its signature.
        let unrevoked = with_payload(&jwt, |c| {
            c["credentialSubject"]["encodedList"] = json!(StatusList::new().encode());
        });
        assert_eq!(
            verify_status_list(&unrevoked, &KEYS.public_key, &report.issuer_id, &entry),
            Err(CredentialError::SignatureMismatch)
        );
        // A badge is not a status list.
        assert!(matches!(
            status_bit(&credential_json(&issuer(), &draft()), 42),
            Err(CredentialError::StatusList(_))
        ));
    }

    #[test]
    fn issuer_debug_hides_the_private_key() {
        let shown = format!("{:?}", issuer());
        assert!(shown.contains("[redacted]"));
        assert!(!shown.contains("PRIVATE KEY"));
    }
}
