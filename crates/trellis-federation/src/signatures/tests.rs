//! The signature bases and derived components of RFC 9421's own examples
//! (§2.2 and Appendix B.2, whose test request is reproduced below), the
//! Content-Digest of RFC 9530's example, and round trips of both flavours
//! with every refusal. RFC 9421's example signatures use RSA-PSS, ECDSA,
//! HMAC and Ed25519, not `rsa-v1_5-sha256`; its bases, which do not depend
//! on the algorithm, are what is checked against the RFC.

use std::sync::OnceLock;

use super::*;

fn key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap())
}

fn other_key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap())
}

fn pem(key: &RsaPrivateKey) -> String {
    use rsa::pkcs8::{EncodePublicKey, LineEnding};
    RsaPublicKey::from(key)
        .to_public_key_pem(LineEnding::LF)
        .unwrap()
}

fn signing_key() -> SigningKey {
    SigningKey {
        key_id: "https://a.example/actor#main-key".into(),
        key: key().clone(),
    }
}

fn headers(list: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in list {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    map
}

const B2_BODY: &[u8] = br#"{"hello": "world"}"#;
const B2_DIGEST: &str = "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:";

/// RFC 9421 B.2's test request:
/// `POST /foo?param=Value&Pet=dog` to `example.com`.
fn b2_request() -> (Url, HeaderMap) {
    (
        Url::parse("https://example.com/foo?param=Value&Pet=dog").unwrap(),
        headers(&[
            ("host", "example.com"),
            ("date", "Tue, 20 Apr 2021 02:07:55 GMT"),
            ("content-type", "application/json"),
            ("content-digest", B2_DIGEST),
            ("content-length", "18"),
        ]),
    )
}

/// The base of the signature that `input` (a `Signature-Input` value)
/// describes, over the B.2 request.
fn b2_base(input: &str) -> String {
    let (target, headers) = b2_request();
    let dict: Dictionary = Parser::new(input).parse().unwrap();
    let (_, ListEntry::InnerList(inner)) = dict.first().unwrap() else {
        panic!("not an inner list");
    };
    let components: Vec<String> = inner
        .items
        .iter()
        .map(|i| i.bare_item.as_string().unwrap().as_str().to_owned())
        .collect();
    let request = Incoming {
        method: &Method::POST,
        target: &target,
        headers: &headers,
        body: Some(B2_BODY),
    };
    signature_base(&request, &components, inner).unwrap()
}

#[test]
fn rfc9421_b21_minimal_signature_base() {
    assert_eq!(
        b2_base(
            r#"sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd""#
        ),
        r#""@signature-params": ();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd""#
    );
}

#[test]
fn rfc9421_b23_full_coverage_signature_base() {
    let expected = [
        r#""date": Tue, 20 Apr 2021 02:07:55 GMT"#,
        r#""@method": POST"#,
        r#""@path": /foo"#,
        r#""@query": ?param=Value&Pet=dog"#,
        r#""@authority": example.com"#,
        r#""content-type": application/json"#,
        &format!(r#""content-digest": {B2_DIGEST}"#),
        r#""content-length": 18"#,
        r#""@signature-params": ("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss""#,
    ]
    .join("\n");
    assert_eq!(
        b2_base(
            r#"sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss""#
        ),
        expected
    );
}

#[test]
fn rfc9421_b26_ed25519_example_signature_base() {
    let expected = [
        r#""date": Tue, 20 Apr 2021 02:07:55 GMT"#,
        r#""@method": POST"#,
        r#""@path": /foo"#,
        r#""@authority": example.com"#,
        r#""content-type": application/json"#,
        r#""content-length": 18"#,
        r#""@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519""#,
    ]
    .join("\n");
    assert_eq!(
        b2_base(
            r#"sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519""#
        ),
        expected
    );
}

#[test]
fn rfc9421_derived_components_as_section_2_2_gives_them() {
    let target = Url::parse("https://www.example.com/path?param=value").unwrap();
    let headers = headers(&[("host", "www.example.com")]);
    let request = Incoming {
        method: &Method::POST,
        target: &target,
        headers: &headers,
        body: None,
    };
    let value = |name: &str| component_value(&request, name).unwrap();
    assert_eq!(value("@method"), "POST");
    assert_eq!(
        value("@target-uri"),
        "https://www.example.com/path?param=value"
    );
    assert_eq!(value("@authority"), "www.example.com");
    assert_eq!(value("@scheme"), "https");
    assert_eq!(value("@request-target"), "/path?param=value");
    assert_eq!(value("@path"), "/path");
    assert_eq!(value("@query"), "?param=value");
    let bare = Url::parse("https://www.example.com/path").unwrap();
    let request = Incoming {
        target: &bare,
        ..request
    };
    assert_eq!(component_value(&request, "@query").unwrap(), "?");
    assert!(component_value(&request, "@query-param").is_err());
    assert!(component_value(&request, "x-missing").is_err());
}

#[test]
fn rfc9530_content_digest_example() {
    let ok = headers(&[(
        "content-digest",
        "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
    )]);
    assert!(check_content_digest(&ok, B2_BODY).is_ok());
    let (_, b2) = b2_request();
    assert!(check_content_digest(&b2, B2_BODY).is_ok());
    assert!(check_content_digest(&b2, b"{}").is_err());
    let unknown = headers(&[("content-digest", "md5=:AAAA:")]);
    assert!(check_content_digest(&unknown, B2_BODY).is_err());
    assert!(check_content_digest(&HeaderMap::new(), B2_BODY).is_err());
}

/// What a receiver sees of a request signed with `sign`.
fn received(
    signed: Vec<(HeaderName, HeaderValue)>,
    extra: &[(&str, &str)],
) -> (HeaderMap, Vec<(HeaderName, HeaderValue)>) {
    let mut map = headers(extra);
    for (name, value) in &signed {
        map.insert(name.clone(), value.clone());
    }
    (map, signed)
}

fn check(
    flavour: Flavour,
    method: &Method,
    url: &str,
    body: Option<&[u8]>,
    signed_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Claimed, SignatureError> {
    let url = Url::parse(url).unwrap();
    let content_type = "application/activity+json";
    let signed = sign(
        flavour,
        &signing_key(),
        Outgoing {
            method,
            url: &url,
            body: body.map(|b| (b, content_type)),
        },
        signed_at,
    )
    .unwrap();
    let (map, _) = received(signed, &[("content-type", content_type)]);
    let claimed = inspect(
        Incoming {
            method,
            target: &url,
            headers: &map,
            body,
        },
        Accepted::BOTH,
        now,
    )?;
    claimed.verify(&pem(key()))?;
    Ok(claimed)
}

#[test]
fn both_flavours_round_trip_on_posts_and_gets() {
    let now = Utc::now();
    for flavour in Flavour::ALL {
        let post = check(
            flavour,
            &Method::POST,
            "https://b.example/inbox",
            Some(b"{\"type\":\"Follow\"}"),
            now,
            now,
        )
        .unwrap();
        assert_eq!(post.flavour, flavour);
        assert_eq!(post.key_id, "https://a.example/actor#main-key");
        assert_eq!(
            post.key_owner().unwrap().as_str(),
            "https://a.example/actor"
        );
        let get = check(
            flavour,
            &Method::GET,
            "https://b.example:8443/users/bo?x=1",
            None,
            now,
            now,
        )
        .unwrap();
        assert_eq!(get.flavour, flavour);
    }
}

#[test]
fn signed_gets_cover_host_and_date_and_send_date() {
    let url = Url::parse("https://b.example/users/bo").unwrap();
    let now = Utc::now();
    for flavour in Flavour::ALL {
        let signed = sign(
            flavour,
            &signing_key(),
            Outgoing {
                method: &Method::GET,
                url: &url,
                body: None,
            },
            now,
        )
        .unwrap();
        let get = |name: &str| {
            signed
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.to_str().unwrap().to_owned())
        };
        assert_eq!(get("date").unwrap(), http_date(now));
        assert_eq!(get("host").unwrap(), "b.example");
        if flavour == Flavour::Cavage {
            assert!(
                get("signature")
                    .unwrap()
                    .contains("headers=\"(request-target) host date\""),
                "{signed:?}"
            );
        } else {
            let input = get("signature-input").unwrap();
            assert!(
                input.starts_with("sig1=(\"@method\" \"@target-uri\");created="),
                "{input}"
            );
            assert!(input.contains("alg=\"rsa-v1_5-sha256\""));
        }
    }
}

#[test]
fn dates_outside_the_window_are_refused_in_both_flavours() {
    let now = Utc::now();
    let body = Some(&b"{}"[..]);
    for flavour in Flavour::ALL {
        let at = |offset: Duration| {
            check(
                flavour,
                &Method::POST,
                "https://b.example/inbox",
                body,
                now + offset,
                now,
            )
        };
        let ahead = at(Duration::hours(13)).unwrap_err();
        assert!(ahead.0.contains("13 hours ahead"), "{ahead}");
        assert!(at(Duration::minutes(6)).is_err());
        assert!(at(Duration::minutes(2)).is_ok(), "a little clock skew");
        assert!(at(Duration::minutes(-59)).is_ok());
        let old = at(Duration::hours(-2)).unwrap_err();
        assert!(old.0.contains("ago"), "{old}");
    }
}

#[test]
fn tampering_and_other_keys_are_refused() {
    let now = Utc::now();
    let url = Url::parse("https://b.example/inbox").unwrap();
    for flavour in Flavour::ALL {
        let signed = sign(
            flavour,
            &signing_key(),
            Outgoing {
                method: &Method::POST,
                url: &url,
                body: Some((b"{\"a\":1}", "application/activity+json")),
            },
            now,
        )
        .unwrap();
        let (map, _) = received(signed, &[("content-type", "application/activity+json")]);
        let incoming = |body: &'static [u8], target: &'static str| {
            let target = Url::parse(target).unwrap();
            inspect(
                Incoming {
                    method: &Method::POST,
                    target: &target,
                    headers: &map,
                    body: Some(body),
                },
                Accepted::BOTH,
                now,
            )
        };
        let changed = incoming(b"{\"a\":2}", "https://b.example/inbox").unwrap_err();
        assert!(changed.0.contains("does not match the body"), "{changed}");
        let elsewhere = incoming(b"{\"a\":1}", "https://b.example/actor/inbox").unwrap();
        assert!(elsewhere.verify(&pem(key())).is_err(), "another target");
        let fine = incoming(b"{\"a\":1}", "https://b.example/inbox").unwrap();
        assert!(fine.verify(&pem(key())).is_ok());
        let wrong = fine.verify(&pem(other_key())).unwrap_err();
        assert!(wrong.0.contains("does not verify"), "{wrong}");
    }
}

#[test]
fn unsigned_and_unaccepted_flavours_are_refused_before_any_key() {
    let url = Url::parse("https://b.example/inbox").unwrap();
    let empty = HeaderMap::new();
    let request = Incoming {
        method: &Method::POST,
        target: &url,
        headers: &empty,
        body: Some(b"{}"),
    };
    let unsigned = inspect(request, Accepted::BOTH, Utc::now()).unwrap_err();
    assert!(unsigned.0.contains("not signed"), "{unsigned}");

    let now = Utc::now();
    for flavour in Flavour::ALL {
        let signed = sign(
            flavour,
            &signing_key(),
            Outgoing {
                method: &Method::POST,
                url: &url,
                body: Some((b"{}", "application/activity+json")),
            },
            now,
        )
        .unwrap();
        let (map, _) = received(signed, &[("content-type", "application/activity+json")]);
        let request = Incoming {
            headers: &map,
            ..request
        };
        assert!(inspect(request, Accepted::only(flavour), now).is_ok());
        let refused = inspect(request, Accepted::only(flavour.other()), now).unwrap_err();
        assert!(refused.0.contains("does not accept"), "{refused}");
    }
}

/// A draft-cavage signature made as Mastodon makes it, by hand.
#[test]
fn a_mastodon_style_cavage_signature_verifies() {
    let now = Utc::now();
    let body = br#"{"type":"Create"}"#;
    let date = http_date(now);
    let digest = format!("SHA-256={}", BASE64.encode(Sha256::digest(body)));
    let base = format!(
        "(request-target): post /users/bo/inbox\nhost: b.example\ndate: {date}\ndigest: {digest}"
    );
    let signature = BASE64.encode(
        key()
            .sign(
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(base.as_bytes()),
            )
            .unwrap(),
    );
    let header = format!(
        "keyId=\"https://a.example/users/ada#main-key\",algorithm=\"rsa-sha256\",\
         headers=\"(request-target) host date digest\",signature=\"{signature}\""
    );
    let map = headers(&[
        ("host", "b.example"),
        ("date", &date),
        ("digest", &digest),
        ("signature", &header),
    ]);
    let url = Url::parse("https://b.example/users/bo/inbox").unwrap();
    let claimed = inspect(
        Incoming {
            method: &Method::POST,
            target: &url,
            headers: &map,
            body: Some(body),
        },
        Accepted::BOTH,
        now,
    )
    .unwrap();
    assert_eq!(claimed.base(), base);
    claimed.verify(&pem(key())).unwrap();

    // Without host, or without a digest on a POST, it is refused.
    let no_host = header.replace(
        "(request-target) host date digest",
        "(request-target) date digest",
    );
    let map2 = headers(&[
        ("date", &date),
        ("digest", &digest),
        ("signature", &no_host),
    ]);
    let refused = inspect(
        Incoming {
            method: &Method::POST,
            target: &url,
            headers: &map2,
            body: Some(body),
        },
        Accepted::BOTH,
        now,
    )
    .unwrap_err();
    assert!(refused.0.contains("host"), "{refused}");
}

#[test]
fn cavage_parameters_are_read_with_quotes_and_numbers() {
    let params = cavage_params(
        r#"keyId="https://a.example/x#k",algorithm="hs2019",created=1618884473,expires=1618888073,headers="(request-target) (created)",signature="c2ln""#,
    )
    .unwrap();
    assert_eq!(params[0], ("keyId".into(), "https://a.example/x#k".into()));
    assert_eq!(params[2], ("created".into(), "1618884473".into()));
    assert_eq!(params.len(), 6);
    assert!(cavage_params("keyId=\"unterminated").is_err());
    assert!(cavage_params("garbage").is_err());
}

#[test]
fn flavours_are_named() {
    for flavour in Flavour::ALL {
        assert_eq!(Flavour::parse(flavour.as_str()), Some(flavour));
        assert_ne!(flavour.other(), flavour);
    }
    assert_eq!(Flavour::parse("cavage"), None);
}
