//! The Open Badges 3.0 `OpenBadgeCredential`: built from a draft, and read
//! back and verified.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::common::{
    Common, Issuer, VC_CONTEXT, has_type, not_badge, profile, read_common, require_object,
    require_str, require_type, rfc3339, str_field,
};
use super::error::Result;
use super::jwt::{check_jwt_claims, decode_unverified, verified_claims, without_jwt_claims};
use super::status_list::{StatusEntry, read_status};

/// The Open Badges 3.0 context this module issues with.
pub const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

/// Any Open Badges 3.0 context version is accepted when verifying.
const OB_CONTEXT_PREFIX: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.";

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

/// What an `OpenBadgeCredential` adds.
struct Badge {
    common: Common,
    name: String,
    issuer_name: Option<String>,
    achievement_name: String,
    status: Option<StatusEntry>,
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
