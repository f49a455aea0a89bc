//! Revocation through a W3C Bitstring Status List: the bitstring, the
//! credential that publishes it, the `credentialStatus` entry that points
//! into it, and the check of a published list.

use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde_json::{Value, json};
use std::fmt;
use std::io::{Read, Write};

use super::common::{Issuer, VC_CONTEXT, has_type, not_badge, read_common, rfc3339, str_field};
use super::error::{CredentialError, Result};
use super::jwt::{check_jwt_claims, decode_unverified, verified_claims};

/// The smallest status list the Bitstring Status List spec allows (16 KiB).
pub const STATUS_LIST_MIN_ENTRIES: usize = 131_072;

/// The largest decompressed status list accepted (a guard against GZIP bombs).
const STATUS_LIST_MAX_BYTES: usize = 16 * 1024 * 1024;

/// A revocation entry in a Bitstring Status List.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    /// The status list credential's URL (`statusListCredential`).
    pub list_url: String,
    /// The credential's bit in the list (`statusListIndex`).
    pub index: u32,
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
        // Only terms the VC 2.0 context defines (`Profile` is Open
        // Badges', which a status list does not use).
        "issuer": {"id": issuer.id, "name": issuer.name},
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
        Some(_) => return Err(bad("it is not a revocation list")),
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
    // What the list says is not repeated in the errors: it is what a
    // server answered.
    if common.id != entry.list_url {
        return Err(bad(format!("it is another list than {}", entry.list_url)));
    }
    if common.issuer_id != issuer_id {
        return Err(bad(format!(
            "it is not issued by the credential's issuer {issuer_id}"
        )));
    }
    check_jwt_claims(&claims, &common)?;
    status_bit(&claims, entry.index)
}

/// The revocation entry of `credentialStatus` (an object or a list). A
/// status this module cannot check is an error rather than ignored, so that
/// a suspended or otherwise flagged credential never passes as unflagged.
pub(super) fn read_status(claims: &Value) -> Result<Option<StatusEntry>> {
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

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
            format!("u{}", URL_SAFE_NO_PAD.encode(gzip.finish().unwrap()))
        };
        for bad in ["", "H4sI", "u!!!", "uAAAA", short.as_str()] {
            assert!(
                matches!(StatusList::decode(bad), Err(CredentialError::StatusList(_))),
                "{bad}"
            );
        }
    }
}
