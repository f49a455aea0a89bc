//! JOSE, through `jsonwebtoken`: a credential secured as a compact VC-JWT
//! (RS256), its header read before the key is known, its signature and
//! registered claims checked.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey, EncodeRsaPrivateKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::Deserialize;
use serde_json::{Value, json};

use super::common::{
    Common, Issuer, date_field, has_type, issuer_id, missing_for_signing, str_field,
};
use super::error::{CredentialError, Result};

/// Smaller RSA keys are refused, for signing and for verifying.
const MIN_RSA_BITS: usize = 2048;

/// The JOSE `typ` of a VC-JWT.
pub const VC_JWT_TYP: &str = "vc+jwt";

/// The JWT registered claims `sign` adds to the credential.
const JWT_CLAIMS: [&str; 6] = ["iss", "jti", "sub", "nbf", "exp", "iat"];

/// The header fields a verifier needs before it has the key.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct JwtHeader {
    pub alg: String,
    #[serde(default)]
    pub typ: Option<String>,
    #[serde(default)]
    pub kid: Option<String>,
}

/// Secures a credential (an `OpenBadgeCredential` or a status list) as a
/// compact VC-JWT: header `{alg: RS256, typ: vc+jwt, kid}`, claims the
/// credential itself plus `iss` = issuer id, `jti` = `id` (not on a
/// status list: the VC 2.0 context, its only one, does not define `jti`,
/// and its `id` says the same), `sub` = `credentialSubject.id`, `nbf` =
/// `validFrom`, `exp` = `validUntil` (if set) and `iat` = now, all in
/// seconds.
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
    if has_type(credential.get("type"), "BitstringStatusListCredential") {
        claims.remove("jti");
    } else {
        claims.insert("jti".into(), json!(id));
    }
    claims.insert("sub".into(), json!(subject));
    claims.insert("nbf".into(), json!(valid_from.timestamp()));
    match valid_until {
        Some(until) => claims.insert("exp".into(), json!(until.timestamp())),
        None => claims.remove("exp"),
    };
    claims.insert("iat".into(), json!(Utc::now().timestamp()));

    let mut header = Header::new(Algorithm::RS256);
    // What VC-JOSE-COSE registers for a VCDM 2.0 credential secured as a
    // JWT (media type application/vc+jwt).
    header.typ = Some(VC_JWT_TYP.into());
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

/// `iss` and `sub` must name what the credential names, and `jti` too
/// when present (a status list has none); `nbf` and `exp`, where
/// present, must be its dates.
pub(super) fn check_jwt_claims(claims: &Value, common: &Common) -> Result<()> {
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
            None if claim == "jti" => {}
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

pub(super) fn without_jwt_claims(claims: Value) -> Value {
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

/// The claims of a JWT whose RS256 signature verifies with the key.
pub(super) fn verified_claims(
    jwt: &str,
    header: &JwtHeader,
    public_key_pem: &str,
) -> Result<Value> {
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

pub(super) fn encoding_key(private_key_pem: &str) -> Result<EncodingKey> {
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
