//! Faults survived, with real processes: a full disk, a lost PostgreSQL
//! server, a SQLite database locked by another writer, a shutdown under
//! load balancers, two processes migrating one fresh database.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use trellis_testing::process::{PgCluster, Trellis};
use trellis_testing::{PASSWORD, eventually};

const BIN: &str = env!("CARGO_BIN_EXE_trellis");

/// A small file system of the test's own (a tmpfs), unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    /// `None` (with a note) where the test may not mount (not root).
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !mounted {
            eprintln!("skipped: cannot mount a tmpfs here (the test needs root)");
            return None;
        }
        Some(Self { dir })
    }

    /// Fills what is left with a file, until the disk refuses more.
    fn fill(&self) {
        use std::io::Write;
        let mut filler = std::fs::File::create(self.filler()).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        while filler.write_all(&chunk).is_ok() {}
        let _ = filler.write_all(&chunk[..512]);
    }

    fn free(&self) {
        std::fs::remove_file(self.filler()).unwrap();
    }

    fn filler(&self) -> std::path::PathBuf {
        self.dir.path().join("filler")
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

fn profile(n: usize) -> Value {
    // Long enough that each change needs new pages.
    let bio: String = (0..3900)
        .map(|i| char::from(b'a' + ((i * 7 + n) % 26) as u8))
        .collect();
    json!({
        "headline": format!("change {n}"), "bio": bio, "timezone": "UTC",
        "languages": ["en"], "skills": [], "visibility": "organization",
    })
}

#[tokio::test]
async fn after_the_disk_was_full_writes_work_again_once_space_is_freed() {
    let Some(disk) = SmallDisk::mount("3m") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut server = Trellis::new(BIN, dir.path());
    server
        .set(
            "TRELLIS_DATA_DIR",
            disk.dir.path().join("data").to_str().unwrap(),
        )
        // One connection, so that every request meets the one a failed
        // transaction went through.
        .set("TRELLIS_DB_MAX_CONNECTIONS", "1");
    server.create_admin("ada");
    server.start().await;
    let token = server.token("ada").await;

    disk.fill();
    let mut refused = None;
    let change = |n| {
        server.call(
            Method::PUT,
            "/api/v1/me/profile",
            Some(&token),
            Some(profile(n)),
        )
    };
    for n in 0..200 {
        let (status, body) = change(n).await;
        if status != 200 {
            refused = Some((status, body));
            break;
        }
    }
    let (status, body) = refused.expect("no write failed on a full disk");
    assert_eq!(
        status, 503,
        "a full disk is unavailable, not an error: {body}"
    );
    assert_eq!(body["error"]["code"], "unavailable");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("disk is full"),
        "{body}"
    );

    disk.free();
    // Every write goes through again, and health says so, without a restart.
    for n in 200..205 {
        let (status, body) = change(n).await;
        assert_eq!(status, 200, "after space was freed: {body}");
    }
    let (status, health) = server.call(Method::GET, "/healthz", None, None).await;
    assert_eq!((status, &health), (200, &json!({"status": "ok"})));
    let (status, ready) = server.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(status, 200, "{ready}");
}

#[tokio::test]
async fn with_postgresql_down_requests_are_told_503_and_readiness_says_why() {
    let Some(cluster) = PgCluster::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut server = Trellis::new(BIN, dir.path());
    server
        .set("TRELLIS_DATABASE_URL", &cluster.url())
        .set("TRELLIS_DB_ACQUIRE_TIMEOUT_SECS", "1");
    server.create_admin("ada");
    server.start().await;
    let token = server.token("ada").await;

    cluster.halt();
    for path in ["/api/v1/me", "/api/v1/skills"] {
        let response = reqwest::Client::new()
            .get(server.url(path))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 503, "{path}");
        assert!(response.headers().contains_key("retry-after"), "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unavailable", "{path}: {body}");
    }
    let (status, ready) = server.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(status, 503);
    assert_eq!(ready["status"], "not_ready");
    assert!(
        ready["checks"]["database"]
            .as_str()
            .unwrap()
            .contains("unavailable"),
        "{ready}"
    );
    let (status, _) = server.call(Method::GET, "/livez", None, None).await;
    assert_eq!(status, 200, "the process itself is alive");

    // The server comes back; so does Trellis, without a restart.
    cluster.resume();
    eventually("requests succeed again", || async {
        server
            .call(Method::GET, "/api/v1/me", Some(&token), None)
            .await
            .0
            == 200
    })
    .await;
    let (status, _) = server.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_sqlite_database_locked_by_another_writer_is_unavailable_not_an_error() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let mut server = Trellis::new(BIN, dir.path());
    server.create_admin("ada");
    server.start().await;
    let token = server.token("ada").await;
    // Another process's long write transaction holds the lock.
    let file = dir.path().join("data/trellis.db");
    let mut other = sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap();
    let (status, body) = server
        .call(
            Method::PUT,
            "/api/v1/me/profile",
            Some(&token),
            Some(profile(1)),
        )
        .await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("locked"),
        "{body}"
    );
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    let (status, body) = server
        .call(
            Method::PUT,
            "/api/v1/me/profile",
            Some(&token),
            Some(profile(2)),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn on_sigterm_it_is_not_ready_while_it_still_serves_then_it_stops() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Trellis::new(BIN, dir.path());
    server.set("TRELLIS_SHUTDOWN_DRAIN_SECS", "120");
    server.start().await;
    let (status, _) = server.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(status, 200);

    server.signal("TERM");
    eventually("readiness says it is draining", || async {
        let (status, ready) = server.call(Method::GET, "/readyz", None, None).await;
        status == 503
            && ready["checks"]["serving"]
                .as_str()
                .unwrap()
                .contains("draining")
    })
    .await;
    // Still serving, on new connections too: load balancers may not have
    // noticed yet.
    for _ in 0..3 {
        let response = reqwest::Client::new()
            .get(server.url("/api/v1/skills"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    // A second signal skips the rest of the drain; it stops cleanly.
    server.signal("TERM");
    let status = server.wait_exit(Duration::from_secs(60)).await;
    assert!(status.success(), "{status}: {:?}", server.log());
}

#[test]
fn processes_starting_at_once_on_a_fresh_sqlite_file_all_succeed() {
    // The README's "Trying federation on one machine" starts `serve` and
    // `admin create-user` together; here, a few rounds of three one-off
    // commands on a fresh data directory each.
    for round in 0..4 {
        let dir = tempfile::tempdir().unwrap();
        let trellis = Trellis::new(BIN, dir.path());
        let spawn = |args: &[&str]| {
            let mut command = trellis.command();
            command
                .args(args)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped());
            let mut child = command.spawn().unwrap();
            use std::io::Write;
            let _ = child
                .stdin
                .take()
                .unwrap()
                .write_all(format!("{PASSWORD}\n").as_bytes());
            child
        };
        let children = [
            spawn(&["migrate"]),
            spawn(&["admin", "create-user", "root", "--admin"]),
            spawn(&["migrate"]),
        ];
        let started = Instant::now();
        for child in children {
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "round {round} after {:?}: {}",
                started.elapsed(),
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
}

#[tokio::test]
async fn idle_sockets_are_closed_and_cannot_exhaust_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Trellis::new(BIN, dir.path());
    server
        .set("TRELLIS_MAX_CONNECTIONS", "64")
        .set("TRELLIS_HEADER_READ_TIMEOUT_SECS", "1");
    server.start().await;
    // As few files as a small container gives: more idle sockets than that.
    let limited = std::process::Command::new("prlimit")
        .arg(format!("--pid={}", server.pid()))
        .arg("--nofile=256:256")
        .status()
        .is_ok_and(|s| s.success());
    assert!(limited, "prlimit");
    let mut idle = Vec::new();
    for _ in 0..300 {
        idle.push(
            tokio::net::TcpStream::connect(("127.0.0.1", server.port))
                .await
                .unwrap(),
        );
    }
    // Half a request's headers, never finished, on some more.
    for _ in 0..20 {
        use tokio::io::AsyncWriteExt;
        let mut slow = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
            .await
            .unwrap();
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        idle.push(slow);
    }
    // Health still answers: the idle and slow ones are closed in turn.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let health = client.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    // And the idle sockets were closed by the server.
    let mut first = idle.swap_remove(0);
    let mut buf = [0u8; 1];
    use tokio::io::AsyncReadExt;
    let read = tokio::time::timeout(Duration::from_secs(30), first.read(&mut buf))
        .await
        .expect("an idle socket stayed open");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
}
