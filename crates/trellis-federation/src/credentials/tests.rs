//! The credentials' public API: building, signing, verifying, revoking.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::LazyLock;

use activitypub_federation::http_signatures::{Keypair, generate_actor_keypair};
use chrono::{Duration, TimeZone};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use sha2::Sha256;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::RsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use serde_json::{Map, Value, json};

use super::common::not_badge;
use super::jwt::encoding_key;
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
    assert_eq!(
        header.typ.as_deref(),
        Some("vc+jwt"),
        "VC-JOSE-COSE's typ for VCDM 2.0"
    );
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
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], "https://a.example/actor#main-key");
    let payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
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
    let jwt =
        jsonwebtoken::encode(&header, &claims, &encoding_key(&KEYS.private_key).unwrap()).unwrap();
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
    // No `jti`: the VC 2.0 context does not define it; `id` says it.
    assert_eq!(claims.get("jti"), None);
    assert_eq!(claims["id"], url);

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

#[test]
fn the_status_list_uses_only_terms_its_context_defines() {
    let list = status_list_credential_json(
        &issuer(),
        "https://a.example/credentials/status/0",
        &StatusList::new(),
        at(2026, 1, 1),
    );
    assert_eq!(list["@context"], json!([super::common::VC_CONTEXT]));
    // `Profile` is an Open Badges term; the VC 2.0 context has none.
    assert_eq!(
        list["issuer"],
        json!({"id": issuer().id, "name": issuer().name})
    );
    let signed = sign(&issuer(), &list).unwrap();
    let (header, _) = decode_unverified(&signed).unwrap();
    assert_eq!(header.typ.as_deref(), Some("vc+jwt"));
}
