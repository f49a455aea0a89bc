//! Federation throughput on this machine, against the ceiling set by RSA.
//!
//!     cargo bench --bench federation
//!
//! Measures, on SQLite and (when `TRELLIS_TEST_POSTGRES_URL` is set) on
//! PostgreSQL:
//! - inbox: signed `Create` activities from a partner's member, posted 16 at
//!   a time, each verified (digest and RSA signature), de-duplicated and
//!   stored; against the `rsa` crate's RSA-2048 verify rate;
//! - outbox: queued activities signed and delivered to one peer (in order,
//!   one at a time) and to eight peers at once; against the RSA-2048 sign
//!   rate. The peers are bare HTTP sinks, so the figure is Trellis's side.
//!
//! The ceilings are the one-core RSA rates times the number of cores.
//!
//! `TRELLIS_BENCH_N` sets how many activities each measurement uses (2000).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::pkcs8::DecodePrivateKey;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::json;
use sha2::{Digest, Sha256};
use trellis_core::account::Username;
use trellis_core::settings::FederationMode;
use trellis_server::{Config, Instance};
use trellis_store::testing::TestDatabase;
use trellis_store::{Backend, NewAccount, NewDelivery, SettingsChange};
use trellis_testing::cavage;

/// A body and the headers that sign it.
type SignedRequest = (Vec<u8>, Vec<(String, String)>);

/// What one measurement found: how many, how long (`None`: skipped).
type Measured = Option<(usize, Duration)>;

struct Ceiling {
    sign: f64,
    verify: f64,
}

fn rate(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

/// RSA-2048 PKCS#1 v1.5 SHA-256 signatures and verifications per second,
/// on one core, for about two seconds each.
fn ceiling() -> Ceiling {
    let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).unwrap();
    let public = RsaPublicKey::from(&key);
    let message =
        Sha256::digest(b"(request-target): post /inbox\nhost: example.org\ndate: x\ndigest: y");
    let scheme = || Pkcs1v15Sign::new::<Sha256>();
    let signature = key.sign(scheme(), &message).unwrap();
    let measure = |mut work: Box<dyn FnMut()>| {
        let start = Instant::now();
        let mut count = 0;
        while start.elapsed() < Duration::from_secs(2) {
            work();
            count += 1;
        }
        rate(count, start.elapsed())
    };
    let sign = measure(Box::new(|| {
        key.sign(scheme(), &message).unwrap();
    }));
    let verify = measure(Box::new(|| {
        public.verify(scheme(), &message, &signature).unwrap();
    }));
    Ceiling { sign, verify }
}

async fn instance(db: &TestDatabase, dir: &std::path::Path) -> Instance {
    let config = Config {
        data_dir: dir.to_owned(),
        database_url: db.url().to_owned(),
        bind: "127.0.0.1:0".parse().unwrap(),
        federation_insecure: true,
        log: "error".into(),
        metrics_bind: "off".into(),
        ..Config::default()
    };
    Instance::start(&config).await.unwrap()
}

fn domain(instance: &Instance) -> String {
    format!("localhost:{}", instance.addr.port())
}

async fn inbox(backend: Backend, n: usize) -> Measured {
    let (db_a, db_b) = (
        TestDatabase::new(backend).await?,
        TestDatabase::new(backend).await?,
    );
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = instance(&db_a, dirs.0.path()).await;
    let b = instance(&db_b, dirs.1.path()).await;
    b.store
        .change_settings(&SettingsChange {
            federation_mode: Some(FederationMode::Open),
            ..Default::default()
        })
        .await
        .unwrap();
    a.federation()
        .request_partnership(&domain(&b))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !a
        .store
        .instance(&domain(&b))
        .await
        .unwrap()
        .is_some_and(|i| i.partnership.is_active())
    {
        assert!(Instant::now() < deadline, "no partnership");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let keys = trellis_app::auth::new_keypair().await.unwrap();
    let key = RsaPrivateKey::from_pkcs8_pem(&keys.private_key_pem).unwrap();
    b.store
        .register_account(
            &NewAccount {
                username: Username::parse("bo").unwrap(),
                password_hash: "-".into(),
                is_admin: false,
                keys,
            },
            None,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let (b_domain, a_domain) = (domain(&b), domain(&a));
    let actor = format!("http://{b_domain}/users/bo");
    let inbox = format!("http://{a_domain}/inbox");
    let activity = |i: usize| {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("http://{b_domain}/activities/bench-{i}"),
            "type": if i == 0 { "Create" } else { "Update" },
            "actor": actor,
            "to": [format!("http://{a_domain}/actor")],
            "object": {
                "type": "MentorProfile",
                "id": format!("{actor}/mentor-profile"),
                "attributedTo": actor,
                "name": "Bo",
                "summary": format!("Headline {i}"),
                "languages": ["en", "sv"],
                "skills": [{"skill": "networking.dns", "level": 5}, {"skill": "systems.observability", "level": 4}],
                "mentoring": {"acceptingMentees": true, "capacity": 3, "hoursPerMonth": 4},
                "visibility": "federated",
            },
        })
    };
    // Signed before the clock starts: the sender's work is not ours.
    let key_id = format!("{actor}#main-key");
    let requests: Vec<SignedRequest> = (0..=n)
        .map(|i| {
            let body = serde_json::to_vec(&activity(i)).unwrap();
            let headers = cavage::sign_post(&key, &key_id, &inbox, &body, chrono::Utc::now());
            (body, headers)
        })
        .collect();
    let client = reqwest::Client::new();
    let post = |(body, headers): SignedRequest| {
        let request = cavage::signed_post(&client, &inbox, headers, body);
        async move { request.send().await.unwrap().status() }
    };
    let mut requests = requests.into_iter();
    // The first one makes A fetch and cache B's member.
    assert_eq!(post(requests.next().unwrap()).await.as_u16(), 202);
    let start = Instant::now();
    let statuses: Vec<_> = futures::stream::iter(requests)
        .map(post)
        .buffer_unordered(16)
        .collect()
        .await;
    let elapsed = start.elapsed();
    assert!(
        statuses.iter().all(|s| s.as_u16() == 202),
        "some activities were refused"
    );
    a.stop().await.unwrap();
    b.stop().await.unwrap();
    Some((n, elapsed))
}

/// Bare HTTP peers that accept every POST.
async fn sinks(count: usize, received: Arc<AtomicUsize>) -> Vec<String> {
    let mut domains = Vec::new();
    for _ in 0..count {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        domains.push(format!(
            "localhost:{}",
            listener.local_addr().unwrap().port()
        ));
        let received = received.clone();
        let app = axum::Router::new().fallback(move || {
            let received = received.clone();
            async move {
                received.fetch_add(1, Ordering::Relaxed);
                axum::http::StatusCode::ACCEPTED
            }
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
    }
    domains
}

async fn outbox(backend: Backend, n: usize, peers: usize) -> Measured {
    let db = TestDatabase::new(backend).await?;
    let dir = tempfile::tempdir().unwrap();
    let a = instance(&db, dir.path()).await;
    let received = Arc::new(AtomicUsize::new(0));
    let domains = sinks(peers, received.clone()).await;
    let actor = format!("http://{}/actor", domain(&a));
    let deliveries: Vec<NewDelivery> = (0..n)
        .map(|i| {
            let peer = &domains[i % peers];
            let id = format!("http://{}/activities/out-{i}", domain(&a));
            NewDelivery {
                domain: peer.clone(),
                inbox_url: format!("http://{peer}/inbox"),
                activity_id: id.clone(),
                signer: None,
                body: json!({"@context": "https://www.w3.org/ns/activitystreams", "id": id, "type": "Update", "actor": actor, "object": {"type": "Note", "content": "x".repeat(600)}}).to_string(),
            }
        })
        .collect();
    a.store
        .enqueue_deliveries(&deliveries, chrono::Utc::now())
        .await
        .unwrap();
    let start = Instant::now();
    a.federation().wake();
    while received.load(Ordering::Relaxed) < n {
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "delivery stalled"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = start.elapsed();
    a.stop().await.unwrap();
    Some((n, elapsed))
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    format!("{cpu}, {cores} cores")
}

fn main() {
    trellis_server::install_tls_provider();
    let n: usize = std::env::var("TRELLIS_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    println!("Trellis federation benchmark on {} (n = {n})", machine());
    let one_core = ceiling();
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get) as f64;
    println!(
        "RSA-2048 (rsa crate): one core signs {:.0}/s and verifies {:.0}/s",
        one_core.sign, one_core.verify
    );
    let ceiling = Ceiling {
        sign: one_core.sign * cores,
        verify: one_core.verify * cores,
    };
    println!(
        "ceiling, all {cores} cores: sign {:.0}/s, verify {:.0}/s",
        ceiling.sign, ceiling.verify
    );
    println!();
    println!(
        "{:<9} {:<44} {:>8} {:>9} {:>10}",
        "backend", "measurement", "per s", "seconds", "of ceiling"
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let name = if backend == Backend::Sqlite {
            "sqlite"
        } else {
            "postgres"
        };
        let measurements: [(&str, Measured, f64, &str); 3] = [
            (
                "inbox: signed Create/Update, verified, stored",
                runtime.block_on(inbox(backend, n)),
                ceiling.verify,
                "verify",
            ),
            (
                "outbox: signed and delivered, 1 peer",
                runtime.block_on(outbox(backend, n, 1)),
                ceiling.sign,
                "sign",
            ),
            (
                "outbox: signed and delivered, 8 peers",
                runtime.block_on(outbox(backend, n, 8)),
                ceiling.sign,
                "sign",
            ),
        ];
        for (what, result, ceiling, of) in measurements {
            match result {
                Some((count, elapsed)) => {
                    let per_second = rate(count, elapsed);
                    println!(
                        "{name:<9} {what:<44} {per_second:>8.0} {:>9.2} {:>6.1}% {of}",
                        elapsed.as_secs_f64(),
                        100.0 * per_second / ceiling
                    );
                }
                None => {
                    println!("{name:<9} {what:<44} skipped: TRELLIS_TEST_POSTGRES_URL is not set")
                }
            }
        }
    }
}
