//! Real `trellis` processes, killed with SIGKILL: nothing acknowledged is lost.

use serde_json::json;
use trellis_store::Backend;
use trellis_testing::process::{Trellis, database, partner};
use trellis_testing::{PASSWORD, eventually, mentor, on_every_backend};

/// A process on `dir`, on the database `url` names (its own SQLite file if none).
fn process(dir: &std::path::Path, url: Option<&String>) -> Trellis {
    let mut process = Trellis::new(env!("CARGO_BIN_EXE_trellis"), dir);
    if let Some(url) = url {
        process.set("TRELLIS_DATABASE_URL", url);
    }
    process
}

#[on_every_backend]
async fn sigkill_on_both_sides_loses_nothing_acknowledged(backend: Backend) {
    trellis_server::install_tls_provider();
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (_db_a, url_a) = database(backend).await;
    let (_db_b, url_b) = database(backend).await;
    let mut a = process(dirs.0.path(), url_a.as_ref());
    let mut b = process(dirs.1.path(), url_b.as_ref());
    a.create_admin("root");
    b.create_admin("root");
    a.start().await;
    b.start().await;
    let (admin_a, admin_b) = (a.token("root").await, b.token("root").await);
    partner(&a, &a.domain(), &b, &admin_a, &admin_b).await;

    // B dies. A acknowledges a change, and dies too, before it can deliver.
    b.sigkill();
    let (status, _) = a
        .call(
            reqwest::Method::POST,
            "/api/v1/accounts",
            None,
            Some(json!({"username": "ada", "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, 201);
    let ada = a.token("ada").await;
    let mut profile = mentor("federated", &[("networking.dns", 5)]);
    profile["headline"] = json!("Acknowledged before the crash");
    let (status, _) = a
        .call(
            reqwest::Method::PUT,
            "/api/v1/me/profile",
            Some(&ada),
            Some(profile),
        )
        .await;
    assert_eq!(status, 200, "acknowledged");
    a.sigkill();

    // Both come back; what A acknowledged reaches B.
    a.start().await;
    b.start().await;
    let admin_b = b.token("root").await;
    eventually("A's change reaches B after both crashed", || async {
        let (_, page) = b
            .call(
                reqwest::Method::GET,
                "/api/v1/directory/mentors?scope=federated",
                Some(&admin_b),
                None,
            )
            .await;
        page["items"][0]["headline"] == "Acknowledged before the crash"
    })
    .await;
}
