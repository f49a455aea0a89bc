//! Instances become partners by consent, end it, and block each other.

use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_store::Backend;
use trellis_testing::{TestApp, eventually, on_every_backend};

pub struct Peer {
    pub app: TestApp,
    pub admin: String,
}

impl Peer {
    pub async fn start(backend: Backend) -> Self {
        Self::start_with(backend, |_| {}).await
    }

    /// An instance with some settings of its own.
    pub async fn start_with(
        backend: Backend,
        adjust: impl FnOnce(&mut trellis_server::Config),
    ) -> Self {
        let app = TestApp::spawn_with(backend, adjust)
            .await
            .expect("a test database");
        let admin = app.admin("root").await;
        Self { app, admin }
    }

    pub async fn partners(&self) -> Vec<Value> {
        self.app
            .get("/api/v1/admin/partners", Some(&self.admin))
            .await
            .expect(StatusCode::OK)
            .as_array()
            .unwrap()
            .clone()
    }

    /// The partnership with `other` as this instance sees it.
    pub async fn partnership(&self, other: &Peer) -> String {
        let domain = other.app.domain();
        self.partners()
            .await
            .iter()
            .find(|p| p["domain"] == domain.as_str())
            .map_or_else(
                || "none".to_owned(),
                |p| p["partnership"].as_str().unwrap().to_owned(),
            )
    }

    pub async fn wait_for(&self, other: &Peer, state: &str) {
        eventually(
            &format!(
                "{} sees the partnership with {} as {state}",
                self.app.domain(),
                other.app.domain()
            ),
            || async { self.partnership(other).await == state },
        )
        .await;
    }

    pub async fn ask(&self, other: &Peer) -> Value {
        self.app
            .post(
                "/api/v1/admin/partners",
                Some(&self.admin),
                json!({"domain": other.app.domain()}),
            )
            .await
            .expect(StatusCode::OK)
    }

    pub async fn accept(&self, other: &Peer) -> Value {
        self.app
            .post(
                &format!("/api/v1/admin/partners/{}/accept", other.app.domain()),
                Some(&self.admin),
                json!({}),
            )
            .await
            .expect(StatusCode::OK)
    }
}

/// Two instances made partners the usual way.
pub async fn partnered(backend: Backend) -> (Peer, Peer) {
    let (a, b) = (Peer::start(backend).await, Peer::start(backend).await);
    a.ask(&b).await;
    b.wait_for(&a, "pending").await;
    b.accept(&a).await;
    a.wait_for(&b, "active").await;
    (a, b)
}

/// Three instances, each a partner of the other two.
pub async fn three_partnered(backend: Backend) -> (Peer, Peer, Peer) {
    let (a, b) = partnered(backend).await;
    let c = Peer::start(backend).await;
    for other in [&a, &b] {
        c.ask(other).await;
        other.wait_for(&c, "pending").await;
        other.accept(&c).await;
        c.wait_for(other, "active").await;
    }
    (a, b, c)
}

#[on_every_backend]
async fn partners_by_request_and_acceptance(backend: Backend) {
    let (a, b) = (Peer::start(backend).await, Peer::start(backend).await);
    let asked = a.ask(&b).await;
    assert_eq!(asked["partnership"], "requested");
    assert!(asked["actor"].as_str().unwrap().ends_with("/actor"));
    b.wait_for(&a, "pending").await;
    assert_eq!(
        a.partnership(&b).await,
        "requested",
        "nothing happens until B's admin answers"
    );
    let told = b
        .app
        .get("/api/v1/notifications", Some(&b.admin))
        .await
        .expect(StatusCode::OK);
    assert_eq!(told[0]["kind"], "partnership_pending");
    assert_eq!(told[0]["domain"], a.app.domain());
    let accepted = b.accept(&a).await;
    assert_eq!(accepted["partnership"], "active");
    a.wait_for(&b, "active").await;

    // Asking again, or accepting twice, is refused and changes nothing.
    let again = a
        .app
        .post(
            "/api/v1/admin/partners",
            Some(&a.admin),
            json!({"domain": b.app.domain()}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let twice = b
        .app
        .post(
            &format!("/api/v1/admin/partners/{}/accept", a.app.domain()),
            Some(&b.admin),
            json!({}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(
        (a.partnership(&b).await, b.partnership(&a).await),
        ("active".into(), "active".into())
    );

    // Admins see the peer's health.
    let status = a
        .app
        .get("/api/v1/admin/federation", Some(&a.admin))
        .await
        .expect(StatusCode::OK);
    assert_eq!(status["domain"], a.app.domain());
    assert_eq!(status["mode"], "partners-only");
    let peer = status["peers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["domain"] == b.app.domain().as_str())
        .unwrap();
    assert_eq!(peer["delivery"]["state"], "ok");
    assert!(
        peer["delivery"]["delivered_total"].as_u64().unwrap() >= 1,
        "the Follow was delivered"
    );
    eventually("A's queue is empty", || async {
        a.app
            .get("/api/v1/admin/federation", Some(&a.admin))
            .await
            .body["queue_depth"]
            == 0
    })
    .await;
}

#[on_every_backend]
async fn an_open_instance_accepts_at_once(backend: Backend) {
    let (a, b) = (Peer::start(backend).await, Peer::start(backend).await);
    b.app
        .patch(
            "/api/v1/admin/settings",
            Some(&b.admin),
            json!({"federation_mode": "open"}),
        )
        .await
        .expect(StatusCode::OK);
    a.ask(&b).await;
    a.wait_for(&b, "active").await;
    assert_eq!(b.partnership(&a).await, "active");
}

#[on_every_backend]
async fn a_declined_request_and_an_ended_partnership(backend: Backend) {
    let (a, b) = (Peer::start(backend).await, Peer::start(backend).await);
    a.ask(&b).await;
    b.wait_for(&a, "pending").await;
    b.app
        .post(
            &format!("/api/v1/admin/partners/{}/decline", a.app.domain()),
            Some(&b.admin),
            json!({}),
        )
        .await
        .expect(StatusCode::OK);
    a.wait_for(&b, "declined").await;
    assert_eq!(b.partnership(&a).await, "declined");

    // Asked again, accepted, then ended by the side that accepted.
    a.ask(&b).await;
    b.wait_for(&a, "pending").await;
    b.accept(&a).await;
    a.wait_for(&b, "active").await;
    let ended = b
        .app
        .delete(
            &format!("/api/v1/admin/partners/{}", a.app.domain()),
            Some(&b.admin),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(ended["partnership"], "none");
    a.wait_for(&b, "none").await;

    // And again, ended this time by the side that asked.
    a.ask(&b).await;
    b.wait_for(&a, "pending").await;
    b.accept(&a).await;
    a.wait_for(&b, "active").await;
    a.app
        .delete(
            &format!("/api/v1/admin/partners/{}", b.app.domain()),
            Some(&a.admin),
        )
        .await
        .expect(StatusCode::OK);
    b.wait_for(&a, "none").await;
}

#[on_every_backend]
async fn bad_partnership_requests_are_refused(backend: Backend) {
    let a = Peer::start(backend).await;
    let member = a.app.member("ada").await;
    let cases = [
        (
            Some(a.admin.as_str()),
            json!({"domain": "not a domain"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Some(a.admin.as_str()),
            json!({"domain": a.app.domain()}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Some(a.admin.as_str()),
            json!({"domain": "https://x.example/"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // Nobody answers on this port.
        (
            Some(a.admin.as_str()),
            json!({"domain": "localhost:1"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Some(member.as_str()),
            json!({"domain": "localhost:1"}),
            StatusCode::FORBIDDEN,
        ),
        (
            None,
            json!({"domain": "localhost:1"}),
            StatusCode::UNAUTHORIZED,
        ),
    ];
    for (token, body, status) in cases {
        let reply = a
            .app
            .post("/api/v1/admin/partners", token, body.clone())
            .await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
    }
    for path in [
        "/api/v1/admin/partners/localhost:1/accept",
        "/api/v1/admin/partners/localhost:1/decline",
    ] {
        assert_eq!(
            a.app.post(path, Some(&a.admin), json!({})).await.status,
            StatusCode::NOT_FOUND
        );
    }
    assert!(
        a.partners().await.is_empty(),
        "refused requests left nothing behind"
    );
    let status = a
        .app
        .get("/api/v1/admin/federation", Some(&a.admin))
        .await
        .expect(StatusCode::OK);
    assert_eq!(status["queue_depth"], 0);
}

#[on_every_backend]
async fn instances_that_ask_each_other_at_once_can_end_it_from_either_side(backend: Backend) {
    for ender in [0, 1] {
        let (a, b) = (Peer::start(backend).await, Peer::start(backend).await);
        // Both ask before either request arrives.
        let (x, y) = tokio::join!(
            a.app.post(
                "/api/v1/admin/partners",
                Some(&a.admin),
                json!({"domain": b.app.domain()})
            ),
            b.app.post(
                "/api/v1/admin/partners",
                Some(&b.admin),
                json!({"domain": a.app.domain()})
            ),
        );
        // Either both requests crossed, or one arrived before the other
        // instance asked, which is then told to accept it instead.
        let first_came_first = |r: &trellis_testing::Reply| {
            r.status == StatusCode::CONFLICT
                && r.body["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("accept their request"))
        };
        match (x.status.is_success(), y.status.is_success()) {
            (true, true) => {}
            (true, false) if first_came_first(&y) => {
                b.accept(&a).await;
            }
            (false, true) if first_came_first(&x) => {
                a.accept(&b).await;
            }
            _ => panic!("{:?} / {:?}", x.body, y.body),
        }
        a.wait_for(&b, "active").await;
        b.wait_for(&a, "active").await;
        let (ending, other) = if ender == 0 { (&a, &b) } else { (&b, &a) };
        ending
            .app
            .delete(
                &format!("/api/v1/admin/partners/{}", other.app.domain()),
                Some(&ending.admin),
            )
            .await
            .expect(StatusCode::OK);
        other.wait_for(ending, "none").await;
    }
}
