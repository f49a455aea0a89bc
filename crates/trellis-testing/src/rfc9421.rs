//! HTTP Message Signatures (RFC 9421) as Fedify and Mastodon 4.5 make
//! them for a POST: `rsa-v1_5-sha256` over `@method`, `@target-uri` and an
//! RFC 9530 `content-digest`, with `created` and `keyid`. Written from
//! the RFCs for tests: nothing here comes from Trellis.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use rsa::RsaPrivateKey;
use rsa::pkcs1v15::Pkcs1v15Sign;
use sha2::{Digest, Sha256};

/// The headers that sign a POST of `body` to `target` with `key` (public
/// half at `key_id`), made at `created`.
pub fn sign_post(
    key: &RsaPrivateKey,
    key_id: &str,
    target: &str,
    body: &[u8],
    created: chrono::DateTime<chrono::Utc>,
) -> Vec<(String, String)> {
    let digest = format!("sha-256=:{}:", BASE64.encode(Sha256::digest(body)));
    let params = format!(
        "(\"@method\" \"@target-uri\" \"content-digest\");created={};keyid=\"{key_id}\";alg=\"rsa-v1_5-sha256\"",
        created.timestamp()
    );
    let base = format!(
        "\"@method\": POST\n\"@target-uri\": {target}\n\"content-digest\": {digest}\n\"@signature-params\": {params}"
    );
    let signature = key
        .sign(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(base.as_bytes()),
        )
        .expect("RSA signing");
    vec![
        ("content-digest".into(), digest),
        ("signature-input".into(), format!("sig1={params}")),
        (
            "signature".into(),
            format!("sig1=:{}:", BASE64.encode(signature)),
        ),
    ]
}
