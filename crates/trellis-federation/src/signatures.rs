//! HTTP signatures, both flavours the fediverse speaks: draft-cavage
//! (`Signature` with `keyId`, `headers`, `signature`) and RFC 9421 HTTP
//! Message Signatures (`Signature-Input` + `Signature`, with bodies bound
//! by an RFC 9530 `Content-Digest`). Both are RSASSA-PKCS1-v1_5 over
//! SHA-256 with the actor's RSA key.
//!
//! Checking a request goes in two steps so that nothing is fetched for a
//! request that could never pass: [`inspect`] reads the signature, checks
//! that it covers what it must, that its date is in the window and that
//! the body matches its digest, and names the key; only then does the
//! caller fetch that key and [`Claimed::verify`] the signature with it.
//!
//! A leaf: it knows HTTP and RSA, nothing of actors or the store.

use std::fmt;

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Duration, TimeZone, Utc};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sfv::{BareItem, Dictionary, FieldType, InnerList, Item, ListEntry, Parser};
use sha2::{Digest, Sha256, Sha512};
use url::Url;

/// How long after it was made a signature is accepted.
pub const MAX_AGE: Duration = Duration::hours(1);
/// How far ahead of our clock a signature's date may be (clock skew).
pub const MAX_AHEAD: Duration = Duration::minutes(5);

/// The RFC 9421 algorithm name of what both flavours use.
const RFC9421_ALG: &str = "rsa-v1_5-sha256";
/// The label of the signatures we make.
const OUR_LABEL: &str = "sig1";

/// The two ways to sign a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flavour {
    /// draft-cavage-http-signatures-12, as Mastodon, Lemmy and most of
    /// the fediverse make them.
    Cavage,
    /// RFC 9421 HTTP Message Signatures.
    Rfc9421,
}

impl Flavour {
    pub const ALL: [Self; 2] = [Self::Rfc9421, Self::Cavage];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cavage => "draft-cavage",
            Self::Rfc9421 => "rfc9421",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == raw)
    }

    /// The flavour that is not this one.
    pub fn other(self) -> Self {
        match self {
            Self::Cavage => Self::Rfc9421,
            Self::Rfc9421 => Self::Cavage,
        }
    }
}

impl fmt::Display for Flavour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which flavours this instance accepts on the way in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accepted {
    pub cavage: bool,
    pub rfc9421: bool,
}

impl Accepted {
    pub const BOTH: Self = Self {
        cavage: true,
        rfc9421: true,
    };

    pub fn only(flavour: Flavour) -> Self {
        Self {
            cavage: flavour == Flavour::Cavage,
            rfc9421: flavour == Flavour::Rfc9421,
        }
    }

    fn admits(self, flavour: Flavour) -> bool {
        match flavour {
            Flavour::Cavage => self.cavage,
            Flavour::Rfc9421 => self.rfc9421,
        }
    }
}

/// Why a request's signature is refused: a sentence for the sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureError(pub String);

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SignatureError {}

fn refuse<T>(why: impl Into<String>) -> Result<T, SignatureError> {
    Err(SignatureError(why.into()))
}

/// A request as the receiver saw it.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    pub method: &'a Method,
    /// The full URI the request was made to, as this instance is known
    /// (`https://example.org/inbox`): behind a proxy the connection's own
    /// scheme and host may differ.
    pub target: &'a Url,
    pub headers: &'a HeaderMap,
    /// The body of a POST; `None` for a GET.
    pub body: Option<&'a [u8]>,
}

/// A signature that is well formed, in its window and over the right
/// body, waiting for the key it names.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub flavour: Flavour,
    /// The key the signature names (`keyId`, `keyid`).
    pub key_id: String,
    /// When it says it was made.
    pub created: DateTime<Utc>,
    /// What was signed.
    base: String,
    signature: Vec<u8>,
}

impl Claimed {
    /// The actor the key id names: the key id without its fragment
    /// (`https://example.org/users/ada#main-key`).
    pub fn key_owner(&self) -> Result<Url, SignatureError> {
        let mut url = Url::parse(&self.key_id)
            .map_err(|_| SignatureError(format!("the key id {} is not a URL", self.key_id)))?;
        url.set_fragment(None);
        Ok(url)
    }

    /// Checks the signature with the public key (SPKI or PKCS#1 PEM).
    pub fn verify(&self, public_key_pem: &str) -> Result<(), SignatureError> {
        let key = RsaPublicKey::from_public_key_pem(public_key_pem.trim())
            .or_else(|_| RsaPublicKey::from_pkcs1_pem(public_key_pem.trim()))
            .map_err(|_| SignatureError("the signer's key is not an RSA public key".into()))?;
        key.verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(self.base.as_bytes()),
            &self.signature,
        )
        .map_err(|_| {
            SignatureError(format!(
                "the {} signature does not verify with the key {}",
                self.flavour, self.key_id
            ))
        })
    }

    /// What was signed (for tests and debugging).
    pub fn base(&self) -> &str {
        &self.base
    }
}

/// Reads a request's signature, of whichever flavour its headers carry
/// (`Signature-Input` means RFC 9421), and checks all that can be checked
/// without the key: what it covers, its date and the body's digest.
pub fn inspect(
    request: Incoming<'_>,
    accepted: Accepted,
    now: DateTime<Utc>,
) -> Result<Claimed, SignatureError> {
    let flavour = if request.headers.contains_key("signature-input") {
        Flavour::Rfc9421
    } else if request.headers.contains_key("signature") {
        Flavour::Cavage
    } else {
        return refuse("the request is not signed (no Signature header)");
    };
    if !accepted.admits(flavour) {
        return refuse(format!(
            "this instance does not accept {flavour} signatures; sign with {}",
            flavour.other()
        ));
    }
    match flavour {
        Flavour::Cavage => inspect_cavage(request, now),
        Flavour::Rfc9421 => inspect_rfc9421(request, now),
    }
}

/// Refuses a date outside the window.
fn in_window(created: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), SignatureError> {
    if created > now + MAX_AHEAD {
        return refuse(format!(
            "the signature is dated {} ahead of this server's clock (at most {} minutes are \
             allowed): check the sender's clock",
            human(created - now),
            MAX_AHEAD.num_minutes()
        ));
    }
    if created < now - MAX_AGE {
        return refuse(format!(
            "the signature was made {} ago; it is valid for {} minutes",
            human(now - created),
            MAX_AGE.num_minutes()
        ));
    }
    Ok(())
}

fn human(d: Duration) -> String {
    // Rounded: dates in headers have whole seconds.
    let seconds = d.num_seconds() + 1;
    if seconds >= 2 * 3600 {
        format!("{} hours", (seconds + 1800) / 3600)
    } else if seconds >= 120 {
        format!("{} minutes", (seconds + 30) / 60)
    } else {
        format!("{seconds} seconds")
    }
}

/// The values of a header, joined as both specifications join them.
fn header_value(headers: &HeaderMap, name: &str) -> Option<String> {
    let values: Vec<&str> = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::trim)
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

/// `Host` as the signer saw it: the header, else the target's authority
/// (HTTP/2 has no `Host`).
fn host_of(request: &Incoming<'_>) -> String {
    header_value(request.headers, "host").unwrap_or_else(|| authority(request.target))
}

/// A URL's authority as RFC 9421 gives it: host, and a port that is not
/// the scheme's default.
fn authority(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    }
}

fn path_and_query(url: &Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

fn parse_http_date(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(raw.trim())
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// An HTTP date (`Tue, 20 Apr 2021 02:07:55 GMT`).
pub fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

// ---- draft-cavage ----

/// The parameters of a draft-cavage `Signature` header:
/// `keyId="…",algorithm="…",headers="…",signature="…"` (quoted strings,
/// or bare numbers for `created` and `expires`).
fn cavage_params(header: &str) -> Result<Vec<(String, String)>, SignatureError> {
    let bad = || SignatureError("the Signature header is not a draft-cavage signature".into());
    let mut params = Vec::new();
    let mut rest = header.trim();
    while !rest.is_empty() {
        let (name, after) = rest.split_once('=').ok_or_else(bad)?;
        let name = name.trim().to_owned();
        let after = after.trim_start();
        let (value, after) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted.find('"').ok_or_else(bad)?;
            (quoted[..end].to_owned(), &quoted[end + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        params.push((name, value));
        let after = after.trim_start();
        rest = match after.strip_prefix(',') {
            Some(next) => next.trim_start(),
            None if after.is_empty() => after,
            None => return Err(bad()),
        };
    }
    Ok(params)
}

fn inspect_cavage(request: Incoming<'_>, now: DateTime<Utc>) -> Result<Claimed, SignatureError> {
    let header = header_value(request.headers, "signature").unwrap_or_default();
    let params = cavage_params(&header)?;
    let param = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let key_id = param("keyId")
        .ok_or_else(|| SignatureError("the signature has no keyId".into()))?
        .to_owned();
    match param("algorithm") {
        None | Some("rsa-sha256" | "hs2019") => {}
        Some(other) => {
            return refuse(format!(
                "the signature algorithm {other} is not supported; use rsa-sha256 or hs2019 \
                 with an RSA key"
            ));
        }
    }
    let signature = BASE64
        .decode(param("signature").unwrap_or_default())
        .map_err(|_| SignatureError("the signature is not base64".into()))?;
    let names: Vec<String> = param("headers")
        .unwrap_or("date")
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    let covers = |n: &str| names.iter().any(|h| h == n);
    if !covers("(request-target)") {
        return refuse("the signature must cover (request-target)");
    }
    if !covers("host") {
        return refuse("the signature must cover host");
    }
    let number = |name: &str| -> Result<Option<i64>, SignatureError> {
        param(name)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| SignatureError(format!("the signature's {name} is not a number")))
            })
            .transpose()
    };
    let created = number("created")?;
    let expires = number("expires")?;
    let date = if covers("(created)") {
        let seconds =
            created.ok_or_else(|| SignatureError("(created) is signed but not given".into()))?;
        Utc.timestamp_opt(seconds, 0)
            .single()
            .ok_or_else(|| SignatureError("the signature's created is out of range".into()))?
    } else if covers("date") {
        let raw = header_value(request.headers, "date")
            .ok_or_else(|| SignatureError("the signed Date header is missing".into()))?;
        parse_http_date(&raw)
            .ok_or_else(|| SignatureError(format!("the Date header {raw:?} is not an HTTP date")))?
    } else {
        return refuse("the signature must cover date or (created)");
    };
    in_window(date, now)?;
    if let Some(expires) = expires
        && expires < now.timestamp()
    {
        return refuse("the signature has expired");
    }
    if let Some(body) = request.body {
        if !covers("digest") {
            return refuse("the signature of a POST must cover digest");
        }
        check_legacy_digest(request.headers, body)?;
    }
    let mut lines = Vec::with_capacity(names.len());
    for name in &names {
        let value = match name.as_str() {
            "(request-target)" => format!(
                "{} {}",
                request.method.as_str().to_ascii_lowercase(),
                path_and_query(request.target)
            ),
            "(created)" => created.map(|c| c.to_string()).unwrap_or_default(),
            "(expires)" => expires
                .map(|e| e.to_string())
                .ok_or_else(|| SignatureError("(expires) is signed but not given".into()))?,
            "host" => host_of(&request),
            other => header_value(request.headers, other)
                .ok_or_else(|| SignatureError(format!("the signed header {other} is missing")))?,
        };
        lines.push(format!("{name}: {value}"));
    }
    Ok(Claimed {
        flavour: Flavour::Cavage,
        key_id,
        created: date,
        base: lines.join("\n"),
        signature,
    })
}

/// Checks a `Digest` header (RFC 3230: `SHA-256=<base64>`, or SHA-512).
fn check_legacy_digest(headers: &HeaderMap, body: &[u8]) -> Result<(), SignatureError> {
    let raw = header_value(headers, "digest")
        .ok_or_else(|| SignatureError("the Digest header of the body is missing".into()))?;
    let mut checked = false;
    for part in raw.split(',') {
        let Some((algorithm, value)) = part.trim().split_once('=') else {
            continue;
        };
        let expected = match algorithm.to_ascii_lowercase().as_str() {
            "sha-256" => BASE64.encode(Sha256::digest(body)),
            "sha-512" => BASE64.encode(Sha512::digest(body)),
            _ => continue,
        };
        if value.trim() != expected {
            return refuse("the Digest header does not match the body");
        }
        checked = true;
    }
    if checked {
        Ok(())
    } else {
        refuse("the Digest header has no SHA-256 or SHA-512 digest")
    }
}

// ---- RFC 9421 ----

fn sf_dictionary(headers: &HeaderMap, name: &str) -> Result<Dictionary, SignatureError> {
    let raw = header_value(headers, name).unwrap_or_default();
    Parser::new(&raw)
        .parse::<Dictionary>()
        .map_err(|e| SignatureError(format!("the {name} header is not a structured field: {e}")))
}

fn inspect_rfc9421(request: Incoming<'_>, now: DateTime<Utc>) -> Result<Claimed, SignatureError> {
    let inputs = sf_dictionary(request.headers, "signature-input")?;
    let signatures = sf_dictionary(request.headers, "signature")?;
    // The first signature that has both its input and its value.
    let Some((label, inner, signature)) = inputs.iter().find_map(|(label, entry)| {
        let ListEntry::InnerList(inner) = entry else {
            return None;
        };
        match signatures.get(label) {
            Some(ListEntry::Item(item)) => item
                .bare_item
                .as_byte_sequence()
                .map(|bytes| (label.as_str().to_owned(), inner, bytes.to_vec())),
            _ => None,
        }
    }) else {
        return refuse("Signature-Input and Signature name no signature in common");
    };
    let params = &inner.params;
    let string_param = |name: &str| {
        params
            .get(name)
            .and_then(|v| v.as_string())
            .map(|s| s.as_str().to_owned())
    };
    let int_param = |name: &str| {
        params
            .get(name)
            .and_then(BareItem::as_integer)
            .map(i64::from)
    };
    let key_id = string_param("keyid")
        .ok_or_else(|| SignatureError(format!("signature {label} has no keyid")))?;
    if let Some(alg) = string_param("alg")
        && alg != RFC9421_ALG
    {
        return refuse(format!(
            "the signature algorithm {alg} is not supported; use {RFC9421_ALG}"
        ));
    }
    let created = int_param("created")
        .ok_or_else(|| SignatureError(format!("signature {label} has no created time")))?;
    let created = Utc
        .timestamp_opt(created, 0)
        .single()
        .ok_or_else(|| SignatureError("the signature's created is out of range".into()))?;
    in_window(created, now)?;
    if let Some(expires) = int_param("expires")
        && expires < now.timestamp()
    {
        return refuse("the signature has expired");
    }
    let mut components = Vec::with_capacity(inner.items.len());
    for item in &inner.items {
        let Some(name) = item.bare_item.as_string() else {
            return refuse("a covered component is not a string");
        };
        if let Some((param, _)) = item.params.first() {
            return refuse(format!(
                "the component {};{} is not supported",
                name.as_str(),
                param.as_str()
            ));
        }
        components.push(name.as_str().to_owned());
    }
    let covers = |n: &str| components.iter().any(|c| c == n);
    for required in ["@method", "@target-uri"] {
        if !covers(required) {
            return refuse(format!("the signature must cover {required}"));
        }
    }
    if let Some(body) = request.body {
        if !covers("content-digest") {
            return refuse("the signature of a POST must cover content-digest");
        }
        check_content_digest(request.headers, body)?;
    }
    let base = signature_base(&request, &components, inner)?;
    Ok(Claimed {
        flavour: Flavour::Rfc9421,
        key_id,
        created,
        base,
        signature,
    })
}

/// The value of one covered component (RFC 9421 §2.1, §2.2).
fn component_value(request: &Incoming<'_>, name: &str) -> Result<String, SignatureError> {
    let target = request.target;
    Ok(match name {
        "@method" => request.method.as_str().to_owned(),
        "@target-uri" => target.as_str().to_owned(),
        "@authority" => authority(target),
        "@scheme" => target.scheme().to_ascii_lowercase(),
        "@request-target" => path_and_query(target),
        "@path" => target.path().to_owned(),
        "@query" => format!("?{}", target.query().unwrap_or_default()),
        derived if derived.starts_with('@') => {
            return refuse(format!("the component {derived} is not supported"));
        }
        "host" => host_of(request),
        header => header_value(request.headers, header)
            .ok_or_else(|| SignatureError(format!("the covered header {header} is missing")))?,
    })
}

/// The signature base (RFC 9421 §2.5): one line per covered component,
/// then the signature's parameters.
fn signature_base(
    request: &Incoming<'_>,
    components: &[String],
    inner: &InnerList,
) -> Result<String, SignatureError> {
    let mut base = String::new();
    for name in components {
        let value = component_value(request, name)?;
        if value.contains('\n') {
            return refuse(format!("the component {name} holds a line break"));
        }
        base.push_str(&format!("\"{name}\": {value}\n"));
    }
    base.push_str("\"@signature-params\": ");
    base.push_str(&serialize_inner(inner));
    Ok(base)
}

fn serialize_inner(inner: &InnerList) -> String {
    vec![ListEntry::InnerList(inner.clone())]
        .serialize()
        .unwrap_or_default()
}

/// Checks a `Content-Digest` header (RFC 9530) against the body: every
/// digest of an algorithm we know must match, and there must be one.
fn check_content_digest(headers: &HeaderMap, body: &[u8]) -> Result<(), SignatureError> {
    if !headers.contains_key("content-digest") {
        return refuse("the Content-Digest header of the body is missing");
    }
    let digests = sf_dictionary(headers, "content-digest")?;
    let mut checked = false;
    for (algorithm, entry) in &digests {
        let ListEntry::Item(item) = entry else {
            continue;
        };
        let Some(value) = item.bare_item.as_byte_sequence() else {
            return refuse("a Content-Digest value is not a byte sequence");
        };
        let expected: Vec<u8> = match algorithm.as_str() {
            "sha-256" => Sha256::digest(body).to_vec(),
            "sha-512" => Sha512::digest(body).to_vec(),
            _ => continue,
        };
        if value != expected.as_slice() {
            return refuse("the Content-Digest header does not match the body");
        }
        checked = true;
    }
    if checked {
        Ok(())
    } else {
        refuse("the Content-Digest header has no sha-256 or sha-512 digest")
    }
}

// ---- signing ----

/// A key to sign with, and the id its public half is published under.
#[derive(Clone)]
pub struct SigningKey {
    pub key_id: String,
    key: RsaPrivateKey,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Reads a private key (PKCS#8 or PKCS#1 PEM).
    pub fn from_pem(key_id: String, private_key_pem: &str) -> Result<Self, SignatureError> {
        let key = RsaPrivateKey::from_pkcs8_pem(private_key_pem)
            .or_else(|_| RsaPrivateKey::from_pkcs1_pem(private_key_pem))
            .map_err(|_| SignatureError("not an RSA private key".into()))?;
        Ok(Self { key_id, key })
    }

    fn sign(&self, base: &str) -> Result<Vec<u8>, SignatureError> {
        self.key
            .sign(
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(base.as_bytes()),
            )
            .map_err(|e| SignatureError(format!("signing failed: {e}")))
    }
}

/// A request about to be sent.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    pub method: &'a Method,
    pub url: &'a Url,
    /// The body of a POST, and its content type.
    pub body: Option<(&'a [u8], &'a str)>,
}

/// The headers that sign a request in `flavour` at `now`: `Host` and
/// `Date` always (Mastodon's authorized fetch refuses GETs without them),
/// the body's digest for a POST, and the signature.
pub fn sign(
    flavour: Flavour,
    key: &SigningKey,
    request: Outgoing<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<(HeaderName, HeaderValue)>, SignatureError> {
    let mut url = request.url.clone();
    url.set_fragment(None);
    let request = Outgoing {
        url: &url,
        ..request
    };
    let host = authority(request.url);
    let date = http_date(now);
    let mut headers = vec![
        (axum::http::header::HOST, host.clone()),
        (axum::http::header::DATE, date.clone()),
    ];
    match flavour {
        Flavour::Cavage => {
            let mut names = vec!["(request-target)", "host", "date"];
            let mut lines = vec![
                format!(
                    "(request-target): {} {}",
                    request.method.as_str().to_ascii_lowercase(),
                    path_and_query(request.url)
                ),
                format!("host: {host}"),
                format!("date: {date}"),
            ];
            if let Some((body, content_type)) = request.body {
                let digest = format!("SHA-256={}", BASE64.encode(Sha256::digest(body)));
                names.extend(["digest", "content-type"]);
                lines.push(format!("digest: {digest}"));
                lines.push(format!("content-type: {content_type}"));
                headers.push((HeaderName::from_static("digest"), digest));
            }
            let signature = BASE64.encode(key.sign(&lines.join("\n"))?);
            headers.push((
                HeaderName::from_static("signature"),
                format!(
                    "keyId=\"{}\",algorithm=\"rsa-sha256\",headers=\"{}\",signature=\"{signature}\"",
                    key.key_id,
                    names.join(" ")
                ),
            ));
        }
        Flavour::Rfc9421 => {
            let mut components = vec!["@method", "@target-uri"];
            let mut fake = HeaderMap::new();
            if let Some((body, _)) = request.body {
                let digest = format!("sha-256=:{}:", BASE64.encode(Sha256::digest(body)));
                components.push("content-digest");
                fake.insert(
                    HeaderName::from_static("content-digest"),
                    header(digest.clone())?,
                );
                headers.push((HeaderName::from_static("content-digest"), digest));
            }
            let items = components
                .iter()
                .map(|c| sf_string(c).map(Item::new))
                .collect::<Result<Vec<_>, _>>()?;
            let mut params = sfv::Parameters::new();
            let created = sfv::Integer::try_from(now.timestamp())
                .map_err(|_| SignatureError("the time is out of range".into()))?;
            params.insert(sf_key("created")?, BareItem::Integer(created));
            params.insert(sf_key("keyid")?, BareItem::String(sf_string(&key.key_id)?));
            params.insert(sf_key("alg")?, BareItem::String(sf_string(RFC9421_ALG)?));
            let inner = InnerList::with_params(items, params);
            let names: Vec<String> = components.iter().map(|c| (*c).to_owned()).collect();
            let base = signature_base(
                &Incoming {
                    method: request.method,
                    target: request.url,
                    headers: &fake,
                    body: None,
                },
                &names,
                &inner,
            )?;
            let signature = BASE64.encode(key.sign(&base)?);
            headers.push((
                HeaderName::from_static("signature-input"),
                format!("{OUR_LABEL}={}", serialize_inner(&inner)),
            ));
            headers.push((
                HeaderName::from_static("signature"),
                format!("{OUR_LABEL}=:{signature}:"),
            ));
        }
    }
    headers
        .into_iter()
        .map(|(name, value)| Ok((name, header(value)?)))
        .collect()
}

fn header(value: String) -> Result<HeaderValue, SignatureError> {
    HeaderValue::try_from(value).map_err(|_| SignatureError("a header value is not valid".into()))
}

fn sf_string(value: &str) -> Result<sfv::String, SignatureError> {
    sfv::String::from_string(value.to_owned())
        .map_err(|_| SignatureError(format!("{value:?} cannot be a structured field string")))
}

fn sf_key(value: &str) -> Result<sfv::Key, SignatureError> {
    sfv::Key::from_string(value.to_owned())
        .map_err(|_| SignatureError(format!("{value:?} cannot be a structured field key")))
}

#[cfg(test)]
mod tests;
