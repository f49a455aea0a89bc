//! What leaves an instance when anyone asks it to fetch something (the
//! public credential verifier), with an egress proxy (`HTTPS_PROXY`) in
//! the way: in production no request for a private address or an
//! explicit port reaches the proxy, and what a server answered is never
//! shown to the one who asked. Real processes, since a proxy is set for
//! a whole process.

use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use trellis_store::Backend;
use trellis_store::testing::TestDatabase;
use trellis_testing::on_every_backend;
use trellis_testing::process::Trellis;

const BIN: &str = env!("CARGO_BIN_EXE_trellis");

/// Words a server behind the proxy answers with, that no report may show.
const SECRET: &str = "secret-of-the-internal-server";

/// An actor-like document whose key has a wrong owner.
fn wrongly_owned(target: &str) -> String {
    json!({
        "id": target,
        "publicKey": {"id": format!("{target}#main-key"), "owner": SECRET,
                      "publicKeyPem": SECRET},
    })
    .to_string()
}

/// An HTTP proxy that notes the first line of every request it gets and
/// answers plain requests with what `answer` gives for their URL;
/// tunnels (`CONNECT`) it refuses.
async fn proxy_answering(
    answer: impl Fn(&str) -> String + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let answer = Arc::new(answer);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let noted = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let noted = noted.clone();
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let line = head.lines().next().unwrap_or_default().to_owned();
                noted.lock().unwrap().push(line.clone());
                let answer = if line.starts_with("CONNECT") {
                    "HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n".to_owned()
                } else {
                    let body = answer(line.split_whitespace().nth(1).unwrap_or_default());
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/activity+json\r\n\
                         content-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    )
                };
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    (url, seen)
}

async fn proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    proxy_answering(wrongly_owned).await
}

/// A credential that names `actor` as its issuer and `actor#main-key`
/// as its key (its signature is never reached).
fn credential_of(actor: &str) -> String {
    let part = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.AAAA",
        part(json!({"alg": "RS256", "typ": "vc+jwt", "kid": format!("{actor}#main-key")})),
        part(json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": actor, "type": ["Profile"], "name": "Someone"},
            "credentialSubject": {"id": "https://example.org/users/ada"},
        }))
    )
}

/// A Trellis process behind the proxy at `proxy`.
async fn behind(
    proxy: &str,
    production: bool,
    backend: Backend,
    dir: &std::path::Path,
) -> (Trellis, Option<TestDatabase>) {
    let mut trellis = Trellis::new(BIN, dir);
    for key in [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
    ] {
        trellis.set(key, proxy);
    }
    trellis.set("NO_PROXY", "").set("no_proxy", "").set(
        "TRELLIS_FEDERATION_INSECURE",
        if production { "false" } else { "true" },
    );
    let db = match backend {
        Backend::Postgres => TestDatabase::postgres().await,
        Backend::Sqlite => None,
    };
    if let Some(db) = &db {
        trellis.set("TRELLIS_DATABASE_URL", db.url());
    }
    trellis.start().await;
    (trellis, db)
}

async fn report(at: &Trellis, jwt: &str) -> String {
    let (status, report) = at
        .call(
            Method::POST,
            "/api/v1/credentials/verify",
            None,
            Some(json!({"credential": jwt})),
        )
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["verified"], false, "{report}");
    // The whole report, so that nothing in it repeats an answer.
    report.to_string()
}

#[on_every_backend]
async fn the_verifier_sends_nothing_to_refused_addresses_through_a_proxy(backend: Backend) {
    let (proxy, seen) = proxy().await;
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());

    // Where plain HTTP and loopback are allowed (tests, demos), the
    // proxy carries the fetch: it is in the way. What it answered is
    // not shown.
    let (insecure, _db) = behind(&proxy, false, backend, dirs.0.path()).await;
    let told = report(&insecure, &credential_of("http://localhost:9/actor")).await;
    assert!(
        seen.lock()
            .unwrap()
            .iter()
            .any(|line| line.starts_with("GET http://localhost:9/actor")),
        "{:?}",
        seen.lock().unwrap()
    );
    assert!(!told.contains(SECRET), "the answer is echoed: {told}");
    assert!(told.contains("someone other than the issuer"), "{told}");
    drop(insecure);
    seen.lock().unwrap().clear();

    // In production, nothing for a loopback name, an address or an
    // explicit port reaches the proxy, and each refusal says why.
    let (production, _db) = behind(&proxy, true, backend, dirs.1.path()).await;
    for (actor, why) in [
        ("https://localhost/actor", "private or local address"),
        ("https://127.0.0.1/actor", "names an address"),
        ("https://[::1]/actor", "names an address"),
        ("https://partner.example:8443/actor", "explicit port"),
        ("http://partner.example/actor", "only https"),
    ] {
        let told = report(&production, &credential_of(actor)).await;
        assert!(
            seen.lock().unwrap().is_empty(),
            "{actor}: a request reached the proxy: {:?}",
            seen.lock().unwrap()
        );
        assert!(told.contains(why), "{actor}: {told}");
    }
}

#[on_every_backend]
async fn a_status_list_that_cannot_be_read_is_reported_without_its_words(backend: Backend) {
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    use trellis_federation::credentials::{
        self, AchievementClaim, CredentialDraft, Issuer, StatusEntry,
    };
    let key = tokio::task::spawn_blocking(|| {
        rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).unwrap()
    })
    .await
    .unwrap();
    let public = rsa::RsaPublicKey::from(&key)
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    // An issuer behind the proxy, whose credential verifies, and whose
    // status list is a JWT with a header a JSON reader would quote.
    let site = "http://localhost:9";
    let issuer = Issuer {
        id: format!("{site}/actor"),
        name: "Elsewhere".into(),
        key_id: format!("{site}/actor#main-key"),
        private_key_pem: key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
    };
    let draft = CredentialDraft {
        id: format!("{site}/credentials/1"),
        name: "Badge".into(),
        subject_id: format!("{site}/users/ada"),
        achievement: AchievementClaim {
            id: format!("{site}/achievements/1"),
            name: "Badge".into(),
            description: "d".into(),
            criteria_narrative: "c".into(),
            alignment: vec![],
            achievement_type: None,
        },
        valid_from: chrono::Utc::now() - chrono::Duration::days(1),
        valid_until: None,
        status: Some(StatusEntry {
            list_url: format!("{site}/credentials/status/0"),
            index: 3,
        }),
        subject_extra: serde_json::Map::new(),
        evidence: vec![],
    };
    let jwt = credentials::sign(&issuer, &credentials::credential_json(&issuer, &draft)).unwrap();
    let actor = json!({
        "id": issuer.id,
        "publicKey": {"id": issuer.key_id, "owner": issuer.id, "publicKeyPem": public},
    })
    .to_string();
    let (proxy, seen) = proxy_answering(move |target| {
        if target.ends_with("/actor") {
            actor.clone()
        } else {
            format!(
                "{}.e30.AAAA",
                URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","kid":987654321}"#)
            )
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (insecure, _db) = behind(&proxy, false, backend, dir.path()).await;
    let (status, told) = insecure
        .call(
            Method::POST,
            "/api/v1/credentials/verify",
            None,
            Some(json!({"credential": jwt})),
        )
        .await;
    assert_eq!(status, 200, "{told}");
    assert_eq!(told["signature_valid"], true, "{told}");
    assert!(
        seen.lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("/credentials/status/0")),
        "{:?}",
        seen.lock().unwrap()
    );
    let told = told.to_string();
    assert!(!told.contains("987654321"), "the answer is echoed: {told}");
    assert!(told.contains("not a readable VC-JWT"), "{told}");
}
