//! Trellis against an ActivityPub peer that shares none of its code: a
//! small server written here from the specifications (draft-cavage HTTP
//! signatures as Mastodon makes them, WebFinger, actor documents), with
//! its own keys, signing and verification.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::pkcs8::{DecodePublicKey, EncodePublicKey, LineEnding};
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use trellis_store::Backend;

/// What the peer received: path, whether the signature verified, body.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    signed_by: Option<String>,
    body: Value,
}

#[derive(Clone)]
struct PeerState {
    domain: String,
    instance_key: Arc<RsaPrivateKey>,
    member_key: Arc<RsaPrivateKey>,
    received: Arc<Mutex<Vec<Received>>>,
    /// Paths fetched with a valid signature, and by whom.
    signed_fetches: Arc<Mutex<Vec<(String, String)>>>,
    /// Every path fetched, signed or not, with the signature's flavour
    /// (`rfc9421`, `draft-cavage` or `none`).
    fetches: Arc<Mutex<Vec<(String, &'static str)>>>,
    /// Answer every fetch with 401, as a peer that cannot check us would.
    refuse_fetches: Arc<std::sync::atomic::AtomicBool>,
}

/// The peer: `localhost:PORT`, with an instance actor at `/actor` (an
/// `Application`, as Mastodon has) and one member, `mal`.
struct IndependentPeer {
    state: PeerState,
}

fn pem(key: &RsaPrivateKey) -> String {
    RsaPublicKey::from(key)
        .to_public_key_pem(LineEnding::LF)
        .unwrap()
}

fn new_key() -> RsaPrivateKey {
    RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).unwrap()
}

impl IndependentPeer {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let domain = format!("localhost:{}", listener.local_addr().unwrap().port());
        let (instance_key, member_key) = tokio::task::spawn_blocking(|| (new_key(), new_key()))
            .await
            .unwrap();
        let state = PeerState {
            domain,
            instance_key: Arc::new(instance_key),
            member_key: Arc::new(member_key),
            received: Arc::default(),
            signed_fetches: Arc::default(),
            fetches: Arc::default(),
            refuse_fetches: Arc::default(),
        };
        let app = Router::new()
            .route("/.well-known/webfinger", get(webfinger))
            .route("/actor", get(instance_actor))
            .route("/users/mal", get(member_actor))
            .route("/inbox", post(inbox))
            .route("/actor/inbox", post(inbox))
            .fallback(get(unknown))
            .with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { state }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.state.domain)
    }

    fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    fn sign(
        &self,
        key: &RsaPrivateKey,
        key_id: &str,
        target: &str,
        body: &[u8],
        date: chrono::DateTime<chrono::Utc>,
    ) -> Vec<(String, String)> {
        trellis_testing::cavage::sign_post(key, key_id, target, body, date)
    }

    /// Sends `activity` to `inbox`, signed by the member or the instance.
    async fn send(&self, inbox: &str, activity: &Value, as_instance: bool) -> StatusCode {
        let body = serde_json::to_vec(activity).unwrap();
        let (key, key_id) = if as_instance {
            (&self.state.instance_key, self.url("/actor#main-key"))
        } else {
            (&self.state.member_key, self.url("/users/mal#main-key"))
        };
        let headers = self.sign(key, &key_id, inbox, &body, chrono::Utc::now());
        self.post(inbox, headers, body).await
    }

    /// Sends `activity` to `inbox` signed as RFC 9421 (as Fedify does), made at `at`.
    async fn send_rfc9421(
        &self,
        inbox: &str,
        activity: &Value,
        as_instance: bool,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StatusCode {
        let body = serde_json::to_vec(activity).unwrap();
        let (key, key_id) = if as_instance {
            (&self.state.instance_key, self.url("/actor#main-key"))
        } else {
            (&self.state.member_key, self.url("/users/mal#main-key"))
        };
        let headers = trellis_testing::rfc9421::sign_post(key, &key_id, inbox, &body, at);
        self.post(inbox, headers, body).await
    }

    async fn post(&self, inbox: &str, headers: Vec<(String, String)>, body: Vec<u8>) -> StatusCode {
        trellis_testing::cavage::signed_post(&reqwest::Client::new(), inbox, headers, body)
            .send()
            .await
            .unwrap()
            .status()
    }

    fn activity_id(&self) -> String {
        self.url(&format!("/activities/{}", uuid::Uuid::now_v7()))
    }
}

/// Notes a fetch; `true` when the peer is to refuse it.
fn note_fetch(state: &PeerState, uri: &Uri, headers: &HeaderMap) -> bool {
    let flavour = if headers.contains_key("signature-input") {
        "rfc9421"
    } else if headers.contains_key("signature") {
        "draft-cavage"
    } else {
        "none"
    };
    state
        .fetches
        .lock()
        .unwrap()
        .push((uri.path().to_owned(), flavour));
    state
        .refuse_fetches
        .load(std::sync::atomic::Ordering::SeqCst)
}

async fn unknown(State(state): State<PeerState>, uri: Uri, headers: HeaderMap) -> StatusCode {
    note_fetch(&state, &uri, &headers);
    StatusCode::NOT_FOUND
}

async fn webfinger(
    State(state): State<PeerState>,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> axum::response::Response {
    if note_fetch(&state, &uri, &headers) {
        return (StatusCode::UNAUTHORIZED, "Request not signed").into_response();
    }
    record_signed_fetch(&state, &Method::GET, &uri, &headers).await;
    let resource = q.get("resource").cloned().unwrap_or_default();
    let (subject, href) = if resource == format!("acct:{0}@{0}", state.domain) {
        (resource, format!("http://{}/actor", state.domain))
    } else if resource == format!("acct:mal@{}", state.domain) {
        (resource, format!("http://{}/users/mal", state.domain))
    } else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let body = json!({"subject": subject, "links": [{"rel": "self", "type": "application/activity+json", "href": href}]});
    ([("content-type", "application/jrd+json")], body.to_string()).into_response()
}

use axum::response::IntoResponse;
use trellis_testing::{TestApp, eventually, on_every_backend};

fn actor_document(
    state: &PeerState,
    path: &str,
    kind: &str,
    name: &str,
    key: &RsaPrivateKey,
) -> axum::response::Response {
    let id = format!("http://{}{path}", state.domain);
    let body = json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": id,
        "type": kind,
        "preferredUsername": name,
        "inbox": format!("{id}/inbox"),
        "endpoints": {"sharedInbox": format!("http://{}/inbox", state.domain)},
        "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": pem(key)},
    });
    (
        [("content-type", "application/activity+json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

async fn instance_actor(
    State(state): State<PeerState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> axum::response::Response {
    if note_fetch(&state, &uri, &headers) {
        return (StatusCode::UNAUTHORIZED, "Request not signed").into_response();
    }
    record_signed_fetch(&state, &method, &uri, &headers).await;
    actor_document(
        &state,
        "/actor",
        "Application",
        &state.domain.clone(),
        &state.instance_key.clone(),
    )
}

async fn member_actor(
    State(state): State<PeerState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> axum::response::Response {
    if note_fetch(&state, &uri, &headers) {
        return (StatusCode::UNAUTHORIZED, "Request not signed").into_response();
    }
    record_signed_fetch(&state, &method, &uri, &headers).await;
    actor_document(
        &state,
        "/users/mal",
        "Person",
        "mal",
        &state.member_key.clone(),
    )
}

async fn record_signed_fetch(state: &PeerState, method: &Method, uri: &Uri, headers: &HeaderMap) {
    if let Ok(signer) = verify_signature(method, uri, headers).await {
        state
            .signed_fetches
            .lock()
            .unwrap()
            .push((uri.path().to_owned(), signer));
    }
}

async fn inbox(
    State(state): State<PeerState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let digest = format!("SHA-256={}", BASE64.encode(Sha256::digest(&body)));
    let digest_ok = headers.get("digest").and_then(|v| v.to_str().ok()) == Some(digest.as_str());
    let signed_by = match verify_signature(&method, &uri, &headers).await {
        Ok(signer) if digest_ok => Some(signer),
        _ => None,
    };
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    state.received.lock().unwrap().push(Received {
        path: uri.path().to_owned(),
        signed_by,
        body,
    });
    StatusCode::ACCEPTED
}

/// Verifies a draft-cavage signature against the key its `keyId` names,
/// fetched over HTTP; returns the key's owner.
async fn verify_signature(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<String, String> {
    let header = headers
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .ok_or("unsigned")?;
    let params: std::collections::HashMap<&str, &str> = header
        .split(',')
        .filter_map(|part| part.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim().trim_matches('"')))
        .collect();
    let key_id = params.get("keyId").ok_or("no keyId")?;
    let names = params.get("headers").copied().unwrap_or("date");
    // As Mastodon's authorized fetch: the request line, the host and the
    // date must be signed (and a digest on a POST), and the Date sent
    // must be recent.
    let covered: Vec<&str> = names.split_whitespace().collect();
    let mut required = vec!["(request-target)", "host", "date"];
    if method == Method::POST {
        required.push("digest");
    }
    if let Some(missing) = required.iter().find(|name| !covered.contains(name)) {
        return Err(format!("the signature does not cover {missing}"));
    }
    let date = headers
        .get("date")
        .and_then(|v| v.to_str().ok())
        .ok_or("no Date header")?;
    let date = chrono::DateTime::parse_from_rfc2822(date).map_err(|e| e.to_string())?;
    if (chrono::Utc::now() - date.with_timezone(&chrono::Utc))
        .num_seconds()
        .abs()
        > 3600
    {
        return Err("the Date is not recent".into());
    }
    let mut lines = Vec::new();
    for name in names.split_whitespace() {
        let line = match name {
            "(request-target)" => format!(
                "(request-target): {} {}",
                method.as_str().to_lowercase(),
                uri.path_and_query().map_or("/", |p| p.as_str())
            ),
            "(created)" => format!("(created): {}", params.get("created").ok_or("no created")?),
            "(expires)" => format!("(expires): {}", params.get("expires").ok_or("no expires")?),
            other => format!(
                "{other}: {}",
                headers
                    .get(other)
                    .and_then(|v| v.to_str().ok())
                    .ok_or("missing header")?
            ),
        };
        lines.push(line);
    }
    let signature = BASE64
        .decode(params.get("signature").ok_or("no signature")?)
        .map_err(|e| e.to_string())?;
    let owner = key_id.split('#').next().unwrap_or_default().to_owned();
    let actor: Value = reqwest::Client::new()
        .get(&owner)
        .header("accept", "application/activity+json")
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let key = RsaPublicKey::from_public_key_pem(
        actor["publicKey"]["publicKeyPem"]
            .as_str()
            .ok_or("no key")?,
    )
    .map_err(|e| e.to_string())?;
    key.verify(
        Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(lines.join("\n").as_bytes()),
        &signature,
    )
    .map_err(|e| e.to_string())?;
    Ok(owner)
}

async fn admin_of(backend: Backend, open: bool) -> (TestApp, String) {
    let app = TestApp::spawn(backend).await.unwrap();
    let admin = app.admin("root").await;
    if open {
        app.patch(
            "/api/v1/admin/settings",
            Some(&admin),
            json!({"federation_mode": "open"}),
        )
        .await
        .expect(reqwest::StatusCode::OK);
    }
    (app, admin)
}

fn follow(peer: &IndependentPeer, app: &TestApp) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": peer.activity_id(),
        "type": "Follow",
        "actor": peer.url("/actor"),
        "object": format!("http://{}/actor", app.domain()),
    })
}

fn profile_create(peer: &IndependentPeer, app: &TestApp, id: &str, headline: &str) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id,
        "type": "Create",
        "actor": peer.url("/users/mal"),
        "to": [format!("http://{}/actor", app.domain())],
        "object": {
            "type": "MentorProfile",
            "id": peer.url("/users/mal/mentor-profile"),
            "attributedTo": peer.url("/users/mal"),
            "name": "Mal",
            "summary": headline,
            "languages": ["en"],
            "skills": [{"skill": "networking.dns", "level": 4}],
            "mentoring": {"acceptingMentees": true, "capacity": 2, "hoursPerMonth": 2},
            "visibility": "public",
        },
    })
}

async fn federated_headlines(app: &TestApp) -> Vec<String> {
    let page = app
        .get("/api/v1/directory/mentors?scope=federated", None)
        .await
        .expect(reqwest::StatusCode::OK);
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["headline"].as_str().unwrap().to_owned())
        .collect()
}

#[on_every_backend]
async fn an_independent_peer_partners_with_us_and_verifies_our_signatures(backend: Backend) {
    let (app, admin) = admin_of(backend, true).await;
    let peer = IndependentPeer::start().await;
    // It finds us by WebFinger, as Mastodon would.
    let finger: Value = reqwest::get(app.url(&format!(
        "/.well-known/webfinger?resource=acct:{0}@{0}",
        app.domain()
    )))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert!(finger.to_string().contains("/actor"));

    let request = follow(&peer, &app);
    let status = peer.send(&app.url("/inbox"), &request, true).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    eventually("the peer receives our Accept", || async {
        peer.received().iter().any(|r| r.body["type"] == "Accept")
    })
    .await;
    let accept = peer
        .received()
        .into_iter()
        .find(|r| r.body["type"] == "Accept")
        .unwrap();
    let our_actor = format!("http://{}/actor", app.domain());
    assert_eq!(
        accept.signed_by.as_deref(),
        Some(our_actor.as_str()),
        "our signature verified with our published key"
    );
    assert_eq!(accept.body["object"]["id"], request["id"]);
    assert_eq!(accept.body["actor"], our_actor);
    assert!(accept.path == "/inbox" || accept.path == "/actor/inbox");
    // We fetched its actor with a signed GET (signed fetch).
    let fetches = peer.state.signed_fetches.lock().unwrap().clone();
    assert!(
        fetches
            .iter()
            .any(|(path, signer)| path == "/actor" && *signer == our_actor),
        "{fetches:?}"
    );

    let partners = app
        .get("/api/v1/admin/partners", Some(&admin))
        .await
        .expect(reqwest::StatusCode::OK);
    assert_eq!(partners[0]["partnership"], "active");
    assert_eq!(partners[0]["domain"], peer.state.domain);

    // Its member's profile, signed by the member, arrives in the directory.
    let create = profile_create(&peer, &app, &peer.activity_id(), "Independent");
    assert_eq!(
        peer.send(&app.url("/inbox"), &create, false).await,
        StatusCode::ACCEPTED
    );
    assert_eq!(federated_headlines(&app).await, ["Independent"]);
}

#[on_every_backend]
async fn forged_unsigned_stale_oversized_and_replayed_requests_change_nothing(backend: Backend) {
    let (app, _admin) = admin_of(backend, true).await;
    let peer = IndependentPeer::start().await;
    assert_eq!(
        peer.send(&app.url("/inbox"), &follow(&peer, &app), true)
            .await,
        StatusCode::ACCEPTED
    );
    let inbox = app.url("/inbox");
    let key_id = peer.url("/users/mal#main-key");
    let create = profile_create(&peer, &app, &peer.activity_id(), "Should not appear");
    let body = serde_json::to_vec(&create).unwrap();
    let now = chrono::Utc::now();

    // Unsigned.
    assert_eq!(
        peer.post(&inbox, vec![], body.clone()).await,
        StatusCode::UNAUTHORIZED
    );
    // Signed with a key that is not the actor's.
    let stranger = tokio::task::spawn_blocking(new_key).await.unwrap();
    let forged = peer.sign(&stranger, &key_id, &inbox, &body, now);
    assert_eq!(
        peer.post(&inbox, forged, body.clone()).await,
        StatusCode::UNAUTHORIZED
    );
    // Signed, then the body changed.
    let signed = peer.sign(&peer.state.member_key, &key_id, &inbox, &body, now);
    let mut tampered = create.clone();
    tampered["object"]["summary"] = json!("Tampered");
    assert_eq!(
        peer.post(&inbox, signed, serde_json::to_vec(&tampered).unwrap())
            .await,
        StatusCode::UNAUTHORIZED
    );
    // Signed two hours ago.
    let stale = peer.sign(
        &peer.state.member_key,
        &key_id,
        &inbox,
        &body,
        now - chrono::Duration::hours(2),
    );
    assert_eq!(
        peer.post(&inbox, stale, body.clone()).await,
        StatusCode::UNAUTHORIZED
    );
    // Signed for another inbox.
    let elsewhere = peer.sign(
        &peer.state.member_key,
        &key_id,
        &app.url("/actor/inbox"),
        &body,
        now,
    );
    assert_eq!(
        peer.post(&inbox, elsewhere, body.clone()).await,
        StatusCode::UNAUTHORIZED
    );
    // Far too large.
    let mut huge = create.clone();
    huge["object"]["content"] = json!("x".repeat(300 * 1024));
    let huge = serde_json::to_vec(&huge).unwrap();
    let signed = peer.sign(&peer.state.member_key, &key_id, &inbox, &huge, now);
    assert_eq!(
        peer.post(&inbox, signed, huge).await,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    // Not an activity Trellis knows.
    let like = json!({"id": peer.activity_id(), "type": "Like", "actor": peer.url("/users/mal"), "object": app.url("/actor")});
    assert_eq!(
        peer.send(&inbox, &like, false).await,
        StatusCode::BAD_REQUEST
    );
    // Malformed JSON.
    let garbage = b"{\"type\": \"Create\",".to_vec();
    let signed = peer.sign(&peer.state.member_key, &key_id, &inbox, &garbage, now);
    assert_eq!(
        peer.post(&inbox, signed, garbage).await,
        StatusCode::BAD_REQUEST
    );
    // An id on another domain than its actor.
    let mut foreign = create.clone();
    foreign["id"] = json!("http://elsewhere.invalid/activities/1");
    assert!(peer.send(&inbox, &foreign, false).await.is_client_error());
    // A profile sent by someone else than its subject.
    let mut impostor = create.clone();
    impostor["object"]["attributedTo"] = json!(peer.url("/users/someone"));
    assert_eq!(
        peer.send(&inbox, &impostor, false).await,
        StatusCode::FORBIDDEN
    );
    assert!(
        federated_headlines(&app).await.is_empty(),
        "a refused request changed something"
    );

    // Properly signed, it is accepted; a replay of it has no second effect.
    assert_eq!(
        peer.send(&inbox, &create, false).await,
        StatusCode::ACCEPTED
    );
    assert_eq!(federated_headlines(&app).await, ["Should not appear"]);
    let delete = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": peer.activity_id(), "type": "Delete", "actor": peer.url("/users/mal"),
        "to": [app.url("/actor")], "object": peer.url("/users/mal/mentor-profile"),
    });
    assert_eq!(
        peer.send(&inbox, &delete, false).await,
        StatusCode::ACCEPTED
    );
    assert!(federated_headlines(&app).await.is_empty());
    assert_eq!(
        peer.send(&inbox, &create, false).await,
        StatusCode::ACCEPTED,
        "a replay is acknowledged"
    );
    assert!(
        federated_headlines(&app).await.is_empty(),
        "…but has no effect"
    );
}

#[on_every_backend]
async fn a_peer_that_is_no_partner_is_refused(backend: Backend) {
    let (app, admin) = admin_of(backend, false).await;
    let peer = IndependentPeer::start().await;
    let create = profile_create(&peer, &app, &peer.activity_id(), "Uninvited");
    assert_eq!(
        peer.send(&app.url("/inbox"), &create, false).await,
        StatusCode::FORBIDDEN
    );
    assert!(federated_headlines(&app).await.is_empty());
    // Asking to partner is what a stranger may do; it waits for our admin.
    assert_eq!(
        peer.send(&app.url("/actor/inbox"), &follow(&peer, &app), true)
            .await,
        StatusCode::ACCEPTED
    );
    let partners = app
        .get("/api/v1/admin/partners", Some(&admin))
        .await
        .expect(reqwest::StatusCode::OK);
    assert_eq!(partners[0]["partnership"], "pending");
    assert_eq!(
        peer.send(&app.url("/inbox"), &create, false).await,
        StatusCode::FORBIDDEN,
        "pending is no partnership"
    );
    // A member may not ask on the instance's behalf.
    let mut from_member = follow(&peer, &app);
    from_member["actor"] = json!(peer.url("/users/mal"));
    assert_eq!(
        peer.send(&app.url("/inbox"), &from_member, false).await,
        StatusCode::FORBIDDEN
    );
    assert!(peer.received().is_empty(), "nothing was sent to a stranger");
}

/// The mentorships of our member signed in with `token`, with history.
async fn mentorships_of(app: &TestApp, token: &str) -> Vec<Value> {
    let list = app
        .get("/api/v1/mentorships", Some(token))
        .await
        .expect(reqwest::StatusCode::OK);
    let mut full = Vec::new();
    for m in list.as_array().unwrap() {
        full.push(
            app.get(
                &format!("/api/v1/mentorships/{}", m["id"].as_str().unwrap()),
                Some(token),
            )
            .await
            .expect(reqwest::StatusCode::OK),
        );
    }
    full
}

#[on_every_backend]
async fn mentorship_steps_from_an_independent_peer_are_checked_like_local_ones(backend: Backend) {
    let (app, _admin) = admin_of(backend, true).await;
    let peer = IndependentPeer::start().await;
    let inbox = app.url("/inbox");
    assert_eq!(
        peer.send(&inbox, &follow(&peer, &app), true).await,
        StatusCode::ACCEPTED
    );
    let bo = app.member("bo").await;
    app.set_profile(
        &bo,
        trellis_testing::mentor("federated", &[("networking.dns", 6)]),
    )
    .await;

    let object = peer.url("/mentorships/1");
    let offer_id = format!("{object}#offer");
    let bo_url = format!("http://{}/users/bo", app.domain());
    let mal = peer.url("/users/mal");
    let mentorship = |state: &str| {
        json!({
            "type": "Mentorship", "id": object, "mentor": bo_url, "mentee": mal,
            "state": state, "content": "Could you help me with DNS?", "goals": "Resolvers",
            "published": "2026-11-22T10:00:00Z",
        })
    };
    let context = "https://www.w3.org/ns/activitystreams";
    let offer = json!({
        "@context": context, "id": offer_id, "type": "Offer", "actor": mal,
        "to": [bo_url], "object": mentorship("requested"),
    });
    let update = |state: &str| {
        json!({
            "@context": context, "id": peer.activity_id(), "type": "Update", "actor": mal,
            "object": mentorship(state),
        })
    };
    let answer = |kind: &str| {
        json!({
            "@context": context, "id": peer.activity_id(), "type": kind, "actor": mal,
            "object": {"id": offer_id, "type": "Offer", "actor": mal, "object": object},
        })
    };

    // Nothing is known of the mentorship yet.
    assert_eq!(
        peer.send(&inbox, &update("paused"), false).await,
        StatusCode::CONFLICT
    );
    // An offer on someone else's behalf, or not as a request, is refused.
    let mut for_another = offer.clone();
    for_another["object"]["mentee"] = json!(peer.url("/users/someone"));
    assert_eq!(
        peer.send(&inbox, &for_another, false).await,
        StatusCode::FORBIDDEN
    );
    let mut not_a_request = offer.clone();
    not_a_request["object"]["state"] = json!("active");
    assert_eq!(
        peer.send(&inbox, &not_a_request, false).await,
        StatusCode::BAD_REQUEST
    );
    assert!(mentorships_of(&app, &bo).await.is_empty());

    // The offer, twice: one request.
    for _ in 0..2 {
        assert_eq!(peer.send(&inbox, &offer, false).await, StatusCode::ACCEPTED);
    }
    let asked = mentorships_of(&app, &bo).await;
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0]["state"], "requested");
    assert_eq!(asked[0]["mentee"]["username"], "mal");
    assert_eq!(asked[0]["mentee"]["domain"], peer.state.domain);

    // The mentee cannot accept her own request, and nothing under way can
    // be paused, completed or undone before it starts.
    for (activity, status) in [
        (answer("Accept"), StatusCode::FORBIDDEN),
        (answer("Reject"), StatusCode::FORBIDDEN),
        (update("paused"), StatusCode::CONFLICT),
        (update("completed"), StatusCode::CONFLICT),
        (update("active"), StatusCode::CONFLICT),
    ] {
        assert_eq!(
            peer.send(&inbox, &activity, false).await,
            status,
            "{activity}"
        );
    }
    let unchanged = mentorships_of(&app, &bo).await;
    assert_eq!(unchanged[0]["state"], "requested");
    assert_eq!(unchanged[0]["history"].as_array().unwrap().len(), 1);

    // Our mentor accepts: the peer gets an Accept of its Offer, signed by
    // him with the key his actor document publishes.
    app.post(
        &format!(
            "/api/v1/mentorships/{}/accept",
            asked[0]["id"].as_str().unwrap()
        ),
        Some(&bo),
        json!({"note": "Gladly"}),
    )
    .await
    .expect(reqwest::StatusCode::OK);
    eventually("the peer receives our Accept", || async {
        peer.received()
            .iter()
            .any(|r| r.body["type"] == "Accept" && r.body["object"]["type"] == "Offer")
    })
    .await;
    let accept = peer
        .received()
        .into_iter()
        .find(|r| r.body["type"] == "Accept" && r.body["object"]["type"] == "Offer")
        .unwrap();
    assert_eq!(accept.signed_by.as_deref(), Some(bo_url.as_str()));
    assert_eq!(accept.body["actor"], bo_url);
    assert_eq!(accept.body["object"]["id"], offer_id);
    assert_eq!(accept.body["object"]["object"], object);
    assert_eq!(accept.body["summary"], "Gladly");

    // Our mentor logs a session with a private note: the peer gets the
    // shared part, signed by him and addressed to its member alone.
    let sessions = format!(
        "/api/v1/mentorships/{}/sessions",
        asked[0]["id"].as_str().unwrap()
    );
    let logged = app
        .post(
            &sessions,
            Some(&bo),
            json!({"held_at": "2026-11-20T09:00:00Z", "duration_minutes": 30,
                   "notes": "Shared notes", "action_items": [{"text": "Read RFC 9364", "owner": "mentee"}]}),
        )
        .await
        .expect(reqwest::StatusCode::CREATED);
    app.put(
        &format!("{sessions}/{}/private-note", logged["id"].as_str().unwrap()),
        Some(&bo),
        json!({"text": "only for bo"}),
    )
    .await
    .expect(reqwest::StatusCode::OK);
    eventually("the peer receives the session", || async {
        peer.received()
            .iter()
            .any(|r| r.body["object"]["type"] == "MentoringSession")
    })
    .await;
    let created = peer
        .received()
        .into_iter()
        .find(|r| r.body["object"]["type"] == "MentoringSession")
        .unwrap();
    assert_eq!(created.body["type"], "Create");
    assert_eq!(created.signed_by.as_deref(), Some(bo_url.as_str()));
    assert_eq!(created.body["to"], json!([mal]));
    assert_eq!(created.body["object"]["content"], "Shared notes");
    assert_eq!(created.body["object"]["mentorship"], object);
    let everything = peer
        .received()
        .iter()
        .map(|r| r.body.to_string())
        .collect::<String>();
    assert!(
        !everything.contains("only for bo"),
        "a private note left us"
    );

    // The peer's member ticks off her item; a session of a mentorship we
    // do not know is refused.
    let mut done = created.body["object"].clone();
    done["actionItems"][0]["done"] = json!(true);
    let update_session = json!({
        "@context": context, "id": peer.activity_id(), "type": "Update", "actor": mal,
        "object": done,
    });
    assert_eq!(
        peer.send(&inbox, &update_session, false).await,
        StatusCode::ACCEPTED
    );
    let ours = app
        .get(&sessions, Some(&bo))
        .await
        .expect(reqwest::StatusCode::OK);
    assert_eq!(ours[0]["action_items"][0]["done"], true);
    assert_eq!(ours[0]["private_note"], "only for bo");
    let mut stray = created.body["object"].clone();
    stray["id"] = json!(peer.url("/sessions/9"));
    stray["attributedTo"] = json!(mal);
    stray["mentorship"] = json!(peer.url("/mentorships/unknown"));
    let stray_create = json!({
        "@context": context, "id": peer.activity_id(), "type": "Create", "actor": mal,
        "object": stray,
    });
    assert_eq!(
        peer.send(&inbox, &stray_create, false).await,
        StatusCode::CONFLICT
    );

    // Now the mentee may pause it; a replay has no second effect.
    let pause = update("paused");
    for _ in 0..2 {
        assert_eq!(peer.send(&inbox, &pause, false).await, StatusCode::ACCEPTED);
    }
    assert_eq!(mentorships_of(&app, &bo).await[0]["state"], "paused");
    // An Undo that crossed our Accept on the wire ends it, freeing the
    // mentor's place; after that, nothing moves it.
    assert_eq!(
        peer.send(&inbox, &answer("Undo"), false).await,
        StatusCode::ACCEPTED
    );
    for late in [update("active"), update("completed"), answer("Undo")] {
        assert_eq!(
            peer.send(&inbox, &late, false).await,
            StatusCode::CONFLICT,
            "{late}"
        );
    }
    let ended = mentorships_of(&app, &bo).await;
    assert_eq!(ended[0]["state"], "ended");
    assert_eq!(
        ended[0]["history"][3]["note"],
        "withdrawn before the acceptance arrived"
    );
    let states: Vec<_> = ended[0]["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["state"].as_str().unwrap(), h["by"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [
            ("requested", "mentee"),
            ("active", "mentor"),
            ("paused", "mentee"),
            ("ended", "mentee")
        ]
    );
}

#[on_every_backend]
async fn rfc9421_requests_and_fedify_shaped_answers_are_taken(backend: Backend) {
    let (app, admin) = admin_of(backend, false).await;
    let peer = IndependentPeer::start().await;
    // We ask the peer; it answers as Fedify does: an `Accept` signed with
    // RFC 9421, embedding our `Follow` with its actor and object embedded.
    app.post(
        "/api/v1/admin/partners",
        Some(&admin),
        json!({"domain": peer.state.domain}),
    )
    .await
    .expect(reqwest::StatusCode::OK);
    eventually("the peer receives our Follow", || async {
        peer.received().iter().any(|r| r.body["type"] == "Follow")
    })
    .await;
    let our_follow = peer
        .received()
        .into_iter()
        .find(|r| r.body["type"] == "Follow")
        .unwrap();
    let our_actor = format!("http://{}/actor", app.domain());
    assert_eq!(our_follow.signed_by.as_deref(), Some(our_actor.as_str()));
    // It found the peer by WebFinger and fetched its actor, both with
    // GETs signed over `(request-target) host date`, as Mastodon's
    // authorized fetch requires.
    let fetches = peer.state.signed_fetches.lock().unwrap().clone();
    for path in ["/.well-known/webfinger", "/actor"] {
        assert!(
            fetches
                .iter()
                .any(|(fetched, signer)| fetched == path && *signer == our_actor),
            "{path} was not fetched with a signature the peer takes: {fetches:?}"
        );
    }
    let accept = json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": peer.activity_id(),
        "type": "Accept",
        "actor": peer.url("/actor"),
        "object": {
            "id": our_follow.body["id"],
            "type": "Follow",
            "actor": {"id": our_actor, "type": "Organization"},
            "object": {"id": peer.url("/actor"), "type": "Application", "preferredUsername": "peer"},
        },
    });
    let now = chrono::Utc::now();
    // Signed for the URL our actor document gives (RFC 9421 signs it whole).
    let inbox = format!("http://{}/inbox", app.domain());
    assert_eq!(
        peer.send_rfc9421(&inbox, &accept, true, now).await,
        StatusCode::ACCEPTED
    );
    let partners = app
        .get("/api/v1/admin/partners", Some(&admin))
        .await
        .expect(reqwest::StatusCode::OK);
    assert_eq!(partners[0]["partnership"], "active");

    // A member's profile, RFC 9421-signed, with an embedded actor.
    let mut create = profile_create(&peer, &app, &peer.activity_id(), "Signed the new way");
    create["actor"] = json!({"id": peer.url("/users/mal"), "type": "Person"});
    assert_eq!(
        peer.send_rfc9421(
            &format!("http://{}/users/root/inbox", app.domain()),
            &create,
            false,
            now
        )
        .await,
        StatusCode::ACCEPTED
    );
    assert_eq!(federated_headlines(&app).await, ["Signed the new way"]);

    // Dated 13 hours ahead, in either flavour: refused, and nothing changes.
    let later = now + chrono::Duration::hours(13);
    let ahead = profile_create(&peer, &app, &peer.activity_id(), "From the future");
    assert_eq!(
        peer.send_rfc9421(&inbox, &ahead, false, later).await,
        StatusCode::UNAUTHORIZED
    );
    let body = serde_json::to_vec(&ahead).unwrap();
    let key_id = peer.url("/users/mal#main-key");
    let cavage = peer.sign(
        &peer.state.member_key,
        &key_id,
        &app.url("/inbox"),
        &body,
        later,
    );
    assert_eq!(
        peer.post(&app.url("/inbox"), cavage, body).await,
        StatusCode::UNAUTHORIZED
    );
    // An RFC 9421 POST without its Content-Digest.
    let mut headers = trellis_testing::rfc9421::sign_post(
        &peer.state.member_key,
        &key_id,
        &inbox,
        &serde_json::to_vec(&ahead).unwrap(),
        now,
    );
    headers.retain(|(n, _)| n != "content-digest");
    let reply = trellis_testing::cavage::signed_post(
        &reqwest::Client::new(),
        &inbox,
        headers,
        serde_json::to_vec(&ahead).unwrap(),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(reply.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(federated_headlines(&app).await, ["Signed the new way"]);

    // Unsigned, from an actor never seen: refused before it is fetched,
    // and the answer names no setting of ours.
    let mut stranger = profile_create(&peer, &app, &peer.activity_id(), "Unsigned");
    stranger["actor"] = json!(peer.url("/users/zed"));
    let reply = reqwest::Client::new()
        .post(app.url("/inbox"))
        .header("content-type", "application/activity+json")
        .body(serde_json::to_vec(&stranger).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::UNAUTHORIZED);
    let text = reply.text().await.unwrap();
    assert!(text.contains("not signed"), "{text}");
    assert!(!text.contains("DANGER"), "{text}");
    let fetched = peer.state.fetches.lock().unwrap().clone();
    assert!(
        !fetched.iter().any(|(path, _)| path == "/users/zed"),
        "{fetched:?}"
    );
}

#[on_every_backend]
async fn a_peer_that_refuses_our_signatures_is_named_in_the_error(backend: Backend) {
    let (app, admin) = admin_of(backend, false).await;
    let peer = IndependentPeer::start().await;
    peer.state
        .refuse_fetches
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let reply = app
        .post(
            "/api/v1/admin/partners",
            Some(&admin),
            json!({"domain": peer.state.domain}),
        )
        .await;
    assert_eq!(
        reply.status,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.code(), "peer_unavailable");
    let message = reply.message();
    assert!(
        message.starts_with(&format!(
            "{} refused our signature (401) on GET http://{}/",
            peer.state.domain, peer.state.domain
        )),
        "{message}"
    );
    assert!(
        !message.contains("Request not signed"),
        "the peer's words are not echoed: {message}"
    );
    assert!(!message.contains("Failed to parse"), "{message}");
    // Both flavours were tried, and no fall-back to /actor hid the cause.
    let fetched = peer.state.fetches.lock().unwrap().clone();
    assert!(
        fetched.iter().any(|(_, f)| *f == "draft-cavage"),
        "{fetched:?}"
    );
    assert!(fetched.iter().any(|(_, f)| *f == "rfc9421"), "{fetched:?}");
    assert!(!fetched.iter().any(|(p, _)| p == "/actor"), "{fetched:?}");
    let partners = app
        .get("/api/v1/admin/partners", Some(&admin))
        .await
        .expect(reqwest::StatusCode::OK);
    assert!(partners.as_array().unwrap().is_empty());
}

#[on_every_backend]
async fn a_peer_posting_too_often_is_told_to_wait_and_others_are_not(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.limit_inbox_per_minute = 3)
        .await
        .unwrap();
    let peer = IndependentPeer::start().await;
    let inbox = app.url("/inbox");
    for _ in 0..3 {
        let create = profile_create(&peer, &app, &peer.activity_id(), "Uninvited");
        assert_eq!(
            peer.send(&inbox, &create, false).await,
            StatusCode::FORBIDDEN,
            "checked and refused: no partner"
        );
    }
    // The fourth is refused before its signature is even looked at.
    let create = profile_create(&peer, &app, &peer.activity_id(), "Uninvited");
    let body = serde_json::to_vec(&create).unwrap();
    let headers = peer.sign(
        &peer.state.member_key,
        &peer.url("/users/mal#main-key"),
        &inbox,
        &body,
        chrono::Utc::now(),
    );
    let answer =
        trellis_testing::cavage::signed_post(&reqwest::Client::new(), &inbox, headers, body)
            .send()
            .await
            .unwrap();
    assert_eq!(answer.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = answer.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let error: Value = answer.json().await.unwrap();
    assert_eq!(error["error"]["code"], "too_many_requests");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&peer.state.domain)
    );
    // Another instance, from the same address, has its own allowance.
    let other = IndependentPeer::start().await;
    let create = profile_create(&other, &app, &other.activity_id(), "Also uninvited");
    assert_eq!(
        other.send(&inbox, &create, false).await,
        StatusCode::FORBIDDEN
    );
    assert!(federated_headlines(&app).await.is_empty());
}
