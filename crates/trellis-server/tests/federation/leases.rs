//! Delivery under faults, with real processes: a process holding a peer's
//! queue is killed while another runs on the same database; a process is
//! told to stop with a long queue; changes not yet turned into activities
//! count as waiting.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use trellis_store::{Backend, NewDelivery, Store};
use trellis_testing::process::{Balancer, Trellis, database, partner};
use trellis_testing::{eventually, mentor, on_every_backend};

const BIN: &str = env!("CARGO_BIN_EXE_trellis");

/// What `admin`'s view of federation says of `peer`.
async fn peer_view(at: &Trellis, admin: &str, peer: &str) -> (Value, Value) {
    let (status, view) = at
        .call(Method::GET, "/api/v1/admin/federation", Some(admin), None)
        .await;
    assert_eq!(status, 200, "{view}");
    let peer = view["peers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["domain"] == peer)
        .cloned()
        .unwrap_or(Value::Null);
    (view, peer)
}

#[on_every_backend]
async fn a_killed_lease_holder_s_queue_is_taken_over_by_the_other_process(backend: Backend) {
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (_db, url) = database(backend).await;
    // A runs as two processes on one database (one data directory on
    // SQLite) behind a load balancer, whose address is A's domain; B is
    // its partner.
    let mut a1 = Trellis::new(BIN, dirs.0.path());
    let mut a2 = Trellis::new(BIN, dirs.0.path());
    let mut b = Trellis::new(BIN, dirs.1.path());
    let balancer = Balancer::start(vec![a1.port, a2.port]).await;
    let domain = format!("localhost:{}", balancer.port);
    for a in [&mut a1, &mut a2] {
        a.set("TRELLIS_DOMAIN", &domain)
            .set("TRELLIS_DELIVERY_LEASE_SECS", "5");
        if let Some(url) = &url {
            a.set("TRELLIS_DATABASE_URL", url);
        }
    }
    a1.create_admin("root");
    b.create_admin("root");
    a1.start().await;
    b.start().await;
    let (admin_a, admin_b) = (a1.token("root").await, b.token("root").await);
    partner(&a1, &domain, &b, &admin_a, &admin_b).await;
    let (status, _) = a1
        .call(
            Method::POST,
            "/api/v1/accounts",
            None,
            Some(json!({"username": "ada", "password": trellis_testing::PASSWORD})),
        )
        .await;
    assert_eq!(status, 201);
    let ada = a1.token("ada").await;
    let put = |headline: &'static str| {
        let (a1, ada) = (&a1, ada.clone());
        async move {
            let mut profile = mentor("federated", &[("networking.dns", 5)]);
            profile["headline"] = json!(headline);
            let (status, _) = a1
                .call(Method::PUT, "/api/v1/me/profile", Some(&ada), Some(profile))
                .await;
            assert_eq!(status, 200);
        }
    };

    // B hangs (stopped): A's worker holds B's queue, stuck in a send.
    b.signal("STOP");
    put("First").await;
    eventually("a process holds B's queue", || async {
        peer_view(&a1, &admin_a, &b.domain()).await.1["delivery"]["lease"].is_object()
    })
    .await;
    // Meanwhile another change waits as an outbox event, not yet an
    // activity: the queue depth counts it.
    put("Second").await;
    let (view, peer) = peer_view(&a1, &admin_a, &b.domain()).await;
    assert!(view["events_waiting"].as_u64().unwrap() >= 1, "{view}");
    assert_eq!(
        view["queue_depth"].as_u64().unwrap(),
        view["deliveries_queued"].as_u64().unwrap() + view["events_waiting"].as_u64().unwrap(),
        "{view}"
    );
    assert!(view["queue_depth"].as_u64().unwrap() >= 2, "{view}");
    let lease = &peer["delivery"]["lease"];
    assert!(lease["since"].is_string(), "{lease}");
    assert_eq!(lease["lapsed"], false, "{lease}");

    // A second process comes up; the holder is killed mid-send.
    a2.start().await;
    let (_, peer) = peer_view(&a2, &admin_a, &b.domain()).await;
    let holder = peer["delivery"]["lease"]["holder"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_default();
    let pid: u32 = holder
        .split(':')
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("the lease names no process: {peer}"));
    let survivor = if pid == a1.pid() {
        a1.sigkill();
        &a2
    } else {
        assert_eq!(pid, a2.pid(), "the holder is one of A's processes");
        a2.sigkill();
        &a1
    };
    b.signal("CONT");

    // The survivor takes the queue over once the lease lapses (seconds),
    // and B gets both changes.
    eventually("B gets A's changes from the survivor", || async {
        let (_, page) = b
            .call(
                Method::GET,
                "/api/v1/directory/mentors?scope=federated",
                Some(&admin_b),
                None,
            )
            .await;
        page["items"][0]["headline"] == "Second"
    })
    .await;
    eventually("the queue is empty and free", || async {
        let (view, peer) = peer_view(survivor, &admin_a, &b.domain()).await;
        view["queue_depth"] == 0 && peer["delivery"]["lease"].is_null()
    })
    .await;
}

/// An inbox that takes its time answering, and counts what it gets.
async fn slow_inbox() -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let received = Arc::new(AtomicUsize::new(0));
    let counter = received.clone();
    let app = axum::Router::new().route(
        "/inbox",
        axum::routing::post(move || {
            let counter = counter.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                counter.fetch_add(1, Ordering::SeqCst);
                axum::http::StatusCode::ACCEPTED
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, received)
}

#[tokio::test]
async fn sigterm_with_a_long_queue_stops_soon_gives_up_its_lease_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = Trellis::new(BIN, dir.path());
    a.set("TRELLIS_SHUTDOWN_TIMEOUT_SECS", "5");
    let migrated = a.command().arg("migrate").output().unwrap();
    assert!(migrated.status.success());
    // A long queue for a peer that answers, slowly: delivering it all
    // would take 300 × 50 ms.
    let (inbox, received) = slow_inbox().await;
    let peer = format!("localhost:{}", inbox.port());
    let queued = 300;
    let url = format!("sqlite://{}", dir.path().join("data/trellis.db").display());
    let store = Store::connect(&url, 1).await.unwrap();
    let deliveries: Vec<NewDelivery> = (0..queued)
        .map(|n| NewDelivery {
            domain: peer.clone(),
            inbox_url: format!("http://{peer}/inbox"),
            activity_id: format!("http://{}/activities/{n}", a.domain()),
            signer: None,
            body: json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": format!("http://{}/activities/{n}", a.domain()),
                "type": "Announce",
                "actor": format!("http://{}/actor", a.domain()),
                "object": "https://example.org/note",
            })
            .to_string(),
        })
        .collect();
    store
        .enqueue_deliveries(&deliveries, chrono::Utc::now())
        .await
        .unwrap();
    store.close().await;

    a.start().await;
    eventually("delivery is under way", || async {
        received.load(Ordering::SeqCst) >= 3
    })
    .await;
    a.signal("TERM");
    let status = a.wait_exit(Duration::from_secs(60)).await;
    assert!(status.success(), "{status}: {:?}", a.log());

    // It stopped between deliveries, not after the last one; what is left
    // stays queued, and no lease is left to lapse.
    let store = Store::connect(&url, 1).await.unwrap();
    let left = store.instance(&peer).await.unwrap().unwrap();
    assert!(
        left.pending_deliveries > 0,
        "the whole queue was delivered before it stopped"
    );
    assert_eq!(
        left.pending_deliveries + left.delivered_total,
        u64::try_from(queued).unwrap()
    );
    assert_eq!(left.lease, None, "the lease was given up");
    store.close().await;
    // The worker stopped at its next delivery; nothing had to be cut.
    let log = a.log();
    assert!(!log.iter().any(|l| l.contains("abandoned")), "{log:?}");
}
