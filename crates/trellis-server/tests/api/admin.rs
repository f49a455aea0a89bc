//! The skills catalog and instance settings, as admins run them.

use reqwest::StatusCode;
use serde_json::json;
use trellis_testing::{TestApp, mentor, on_every_backend};

#[on_every_backend]
async fn anyone_reads_the_catalog_and_its_levels(app: TestApp) {
    let catalog = app.get("/api/v1/skills", None).await.expect(StatusCode::OK);
    let skills = catalog["skills"].as_array().unwrap();
    assert!(skills.len() >= 40);
    let families: std::collections::BTreeSet<_> = skills
        .iter()
        .map(|s| s["family"].as_str().unwrap())
        .collect();
    assert!(families.len() >= 8, "{families:?}");
    assert!(
        skills
            .iter()
            .all(|s| s["builtin"] == true && !s["description"].as_str().unwrap().is_empty())
    );
    let levels = catalog["levels"].as_array().unwrap();
    assert_eq!(levels.len(), 7);
    assert_eq!(
        (levels[0]["level"].as_u64(), levels[6]["level"].as_u64()),
        (Some(1), Some(7))
    );
}

#[on_every_backend]
async fn admins_add_rename_and_retire_skills(app: TestApp) {
    let admin = app.admin("root").await;
    let member = app.member("ada").await;
    let new = json!({"key": "networking.bgp", "family": "networking", "name": "BGP", "description": "Routing between networks."});
    assert_eq!(
        app.post("/api/v1/admin/skills", Some(&member), new.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post("/api/v1/admin/skills", None, new.clone())
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let created = app
        .post("/api/v1/admin/skills", Some(&admin), new.clone())
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(
        (created["key"].as_str(), created["builtin"].as_bool()),
        (Some("networking.bgp"), Some(false))
    );
    let again = app.post("/api/v1/admin/skills", Some(&admin), new).await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::CONFLICT, "conflict")
    );
    for bad in [
        json!({"key": "Networking BGP", "family": "networking", "name": "BGP"}),
        json!({"key": "networking.ospf", "family": "networking", "name": ""}),
        json!({"key": "networking.ospf", "family": "", "name": "OSPF"}),
        json!({"key": "networking.ospf", "name": "OSPF"}),
    ] {
        let reply = app
            .post("/api/v1/admin/skills", Some(&admin), bad.clone())
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }

    let renamed = app
        .patch(
            "/api/v1/admin/skills/networking.bgp",
            Some(&admin),
            json!({"name": "Border Gateway Protocol"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(renamed["name"], "Border Gateway Protocol");
    assert_eq!(renamed["description"], "Routing between networks.");
    let blank = app
        .patch(
            "/api/v1/admin/skills/networking.bgp",
            Some(&admin),
            json!({"name": "  "}),
        )
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.patch(
            "/api/v1/admin/skills/networking.nothing",
            Some(&admin),
            json!({"name": "X"})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.patch(
            "/api/v1/admin/skills/networking.bgp",
            Some(&member),
            json!({"name": "Mine"})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    app.patch(
        "/api/v1/admin/skills/networking.bgp",
        Some(&admin),
        json!({"retired": true}),
    )
    .await
    .expect(StatusCode::OK);
    let listed = app.get("/api/v1/skills", None).await.expect(StatusCode::OK);
    assert!(!listed.to_string().contains("networking.bgp"));
    let with_retired = app
        .get("/api/v1/skills?include_retired=true", None)
        .await
        .expect(StatusCode::OK);
    let bgp = with_retired["skills"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "networking.bgp")
        .unwrap();
    assert_eq!(
        (bgp["retired"].as_bool(), bgp["name"].as_str()),
        (Some(true), Some("Border Gateway Protocol"))
    );
}

#[on_every_backend]
async fn retired_skills_cannot_be_added_to_profiles(app: TestApp) {
    let admin = app.admin("root").await;
    let member = app.member("ada").await;
    let before = app
        .set_profile(
            &member,
            mentor(
                "organization",
                &[("networking.dns", 3), ("networking.routing", 2)],
            ),
        )
        .await;
    app.patch(
        "/api/v1/admin/skills/networking.dns",
        Some(&admin),
        json!({"retired": true}),
    )
    .await
    .expect(StatusCode::OK);
    // The profile still shows the retired skill, marked as such…
    let shown = app
        .get("/api/v1/me/profile", Some(&member))
        .await
        .expect(StatusCode::OK);
    assert_eq!(shown["skills"][0]["retired"], true);
    // …but a profile that names it is refused, naming it, and nothing changes.
    let mut edit = mentor("organization", &[("networking.dns", 4)]);
    edit["headline"] = json!("Changed");
    let refused = app.put("/api/v1/me/profile", Some(&member), edit).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.message().contains("networking.dns") && refused.message().contains("retired"));
    let after = app
        .get("/api/v1/me/profile", Some(&member))
        .await
        .expect(StatusCode::OK);
    assert_eq!(after["headline"], before["headline"]);
    assert_eq!(after["skills"][0]["level"], 3);
    // Restored, it may be used again.
    app.patch(
        "/api/v1/admin/skills/networking.dns",
        Some(&admin),
        json!({"retired": false}),
    )
    .await
    .expect(StatusCode::OK);
    app.set_profile(&member, mentor("organization", &[("networking.dns", 4)]))
        .await;
}

#[on_every_backend]
async fn settings_are_validated_and_for_admins_only(app: TestApp) {
    let admin = app.admin("root").await;
    let member = app.member("ada").await;
    assert_eq!(
        app.get("/api/v1/admin/settings", Some(&member))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/admin/settings", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let changed = app
        .patch("/api/v1/admin/settings", Some(&admin), json!({"organization_name": "  Sysadmins of the North  ", "organization_description": "A society"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(changed["organization_name"], "Sysadmins of the North");
    assert_eq!(changed["registration_mode"], "open");
    assert_eq!(changed["federation_mode"], "partners-only", "the default");
    let open = app
        .patch(
            "/api/v1/admin/settings",
            Some(&admin),
            json!({"federation_mode": "open"}),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(open["federation_mode"], "open");
    let changed = app
        .patch(
            "/api/v1/admin/settings",
            Some(&admin),
            json!({"federation_mode": "partners-only"}),
        )
        .await
        .expect(StatusCode::OK);
    for bad in [
        json!({"organization_name": ""}),
        json!({"organization_name": "x".repeat(101)}),
        json!({"organization_description": "x".repeat(2001)}),
        json!({"registration_mode": "invite_only"}),
        json!({"federation_mode": "everyone"}),
        json!({"federation": "open"}),
    ] {
        let reply = app
            .patch("/api/v1/admin/settings", Some(&admin), bad.clone())
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let after = app
        .get("/api/v1/admin/settings", Some(&admin))
        .await
        .expect(StatusCode::OK);
    assert_eq!(after, changed, "a refused change changed the settings");
}
