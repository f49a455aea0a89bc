//! Every term Trellis uses expands to an IRI with a JSON-LD processor
//! Trellis did not write (pyld, run by `tests/support/jsonld_expand.py`):
//! the documents an instance serves, and every example in FEDERATION.md
//! with the context the instance serves, and a revocation status list
//! with the VC 2.0 context. The context is served at a stable URL, the
//! same document every time.

use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_store::Backend;
use trellis_testing::on_every_backend;

use crate::partnership::partnered;

#[on_every_backend]
async fn every_term_expands_to_an_iri_with_an_independent_processor(backend: Backend) {
    let (partner, peer) = partnered(backend).await;
    let app = &peer.app;
    let ada = app.member("ada").await;
    app.set_profile(
        &ada,
        trellis_testing::mentor("public", &[("networking.dns", 4)]),
    )
    .await;
    let mut documents = Vec::new();
    for path in ["/actor", "/users/ada", "/users/ada/mentor-profile"] {
        let document = app
            .get_signed_by(&partner.app, path)
            .await
            .expect(StatusCode::OK);
        documents.push(json!({"name": path, "document": document}));
    }
    // A revocation status list is a credential of its own, with the VC
    // 2.0 context alone (which also names the JWT's claims, `iss`, `nbf`…).
    app.issue_statement(&ada).await;
    let list: Value = app
        .client
        .get(app.url("/credentials/status/0"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["type"][1], "BitstringStatusListCredential");

    let served = app
        .get("/contexts/trellis.jsonld", None)
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        served["@context"], documents[0]["document"]["@context"],
        "the stable URL serves the context the documents carry"
    );
    let again = app
        .get("/contexts/trellis.jsonld", None)
        .await
        .expect(StatusCode::OK);
    assert_eq!(again, served);

    documents.push(json!({"name": "/credentials/status/0", "document": list, "credential": true}));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("documents.json");
    std::fs::write(&file, serde_json::to_vec(&Value::Array(documents)).unwrap()).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = std::process::Command::new("python3")
        .arg(root.join("tests/support/jsonld_expand.py"))
        .arg(&file)
        .arg(root.join("../../FEDERATION.md"))
        .output()
        .expect("python3 runs (CI installs pyld and bovine: see .ci/run)");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{report}");
    assert!(report.contains(" 0 terms without an IRI"), "{report}");
}
