//! HTTP signatures as Mastodon makes them (draft-cavage, `rsa-sha256`,
//! `(request-target) host date digest`), written from the specification
//! for tests and benchmarks: nothing here comes from Trellis or the
//! federation library it uses.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use rsa::RsaPrivateKey;
use rsa::pkcs1v15::Pkcs1v15Sign;
use sha2::{Digest, Sha256};

/// The headers that sign a POST of `body` to `target` with `key` (whose
/// public half is published at `key_id`), dated `date`.
pub fn sign_post(
    key: &RsaPrivateKey,
    key_id: &str,
    target: &str,
    body: &[u8],
    date: chrono::DateTime<chrono::Utc>,
) -> Vec<(String, String)> {
    let url = reqwest::Url::parse(target).expect("a URL");
    let host = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    };
    let date = date.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let digest = format!("SHA-256={}", BASE64.encode(Sha256::digest(body)));
    let signing = format!(
        "(request-target): post {}\nhost: {host}\ndate: {date}\ndigest: {digest}",
        url.path()
    );
    let signature = key
        .sign(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(signing.as_bytes()),
        )
        .expect("RSA signing");
    vec![
        ("host".into(), host),
        ("date".into(), date),
        ("digest".into(), digest),
        (
            "signature".into(),
            format!(
                "keyId=\"{key_id}\",algorithm=\"rsa-sha256\",headers=\"(request-target) host date digest\",signature=\"{}\"",
                BASE64.encode(signature)
            ),
        ),
    ]
}

/// A POST of `body` to `inbox` as ActivityPub JSON with the signature
/// `headers` from `sign_post` (the client sets `host` itself).
pub fn signed_post(
    client: &reqwest::Client,
    inbox: &str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    let mut request = client
        .post(inbox)
        .header("content-type", "application/activity+json")
        .body(body);
    for (name, value) in headers {
        if name != "host" {
            request = request.header(name, value);
        }
    }
    request
}
