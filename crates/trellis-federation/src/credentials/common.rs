//! What every credential document has, signed here or checked: the
//! issuer, the properties read from every credential, and the JSON helpers
//! the others share.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use std::fmt;

use super::error::{CredentialError, Result};

/// The W3C Verifiable Credentials 2.0 context, first in every `@context`.
pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";

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

/// What every credential we sign or check has.
pub(super) struct Common {
    pub(super) id: String,
    pub(super) issuer_id: String,
    pub(super) subject_id: String,
    pub(super) valid_from: DateTime<Utc>,
    pub(super) valid_until: Option<DateTime<Utc>>,
}

pub(super) fn not_badge(what: impl Into<String>) -> CredentialError {
    CredentialError::NotOpenBadge(what.into())
}

pub(super) fn require_str<'a>(value: &'a Value, path: &str) -> Result<&'a str> {
    match lookup(value, path) {
        None | Some(Value::Null) => Err(not_badge(format!("{path} is missing"))),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(not_badge(format!("{path} must be a string"))),
    }
}

pub(super) fn require_object<'a>(value: &'a Value, path: &str) -> Result<&'a Value> {
    match lookup(value, path) {
        None | Some(Value::Null) => Err(not_badge(format!("{path} is missing"))),
        Some(object @ Value::Object(_)) => Ok(object),
        Some(_) => Err(not_badge(format!("{path} must be an object"))),
    }
}

pub(super) fn require_type(value: &Value, path: &str, wanted: &[&str]) -> Result<()> {
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

pub(super) fn read_common(claims: &Value) -> Result<Common> {
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

pub(super) fn profile(issuer: &Issuer) -> Value {
    json!({"id": issuer.id, "type": ["Profile"], "name": issuer.name})
}

pub(super) fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A value by dotted path (`credentialSubject.achievement.name`).
fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, key| v.get(key))
}

pub(super) fn str_field<'a>(value: &'a Value, path: &str) -> Option<&'a str> {
    lookup(value, path).and_then(Value::as_str)
}

/// The issuer's id, whether `issuer` is an object or (plain VC) a URL.
pub(super) fn issuer_id(credential: &Value) -> Option<&str> {
    match credential.get("issuer")? {
        Value::String(id) => Some(id),
        other => other.get("id")?.as_str(),
    }
}

/// `type` as a string or a list of strings, containing `name`.
pub(super) fn has_type(types: Option<&Value>, name: &str) -> bool {
    match types {
        Some(Value::String(s)) => s == name,
        Some(Value::Array(list)) => list.iter().any(|t| t.as_str() == Some(name)),
        _ => false,
    }
}

/// An optional RFC 3339 date; Err names the property when it is not one.
pub(super) fn date_field(
    value: &Value,
    path: &str,
) -> std::result::Result<Option<DateTime<Utc>>, String> {
    match lookup(value, path) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| format!("{path} is not an RFC 3339 date-time")),
        Some(_) => Err(format!("{path} must be a date-time string")),
    }
}

pub(super) fn missing_for_signing(path: &str) -> CredentialError {
    CredentialError::Sign(format!("{path} is missing"))
}
