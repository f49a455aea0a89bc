//! What holds for the API as a whole: the OpenAPI document matches the
//! routes that answer, and errors share one shape.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use trellis_testing::{TestApp, on_every_backend};

#[on_every_backend]
async fn every_documented_route_answers(app: TestApp) {
    let doc = app
        .get("/api/openapi.json", None)
        .await
        .expect(StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    let expected = [
        "/healthz",
        "/api/v1/accounts",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/me",
        "/api/v1/me/profile",
        "/api/v1/members/{username}/profile",
        "/api/v1/skills",
        "/api/v1/admin/skills",
        "/api/v1/admin/skills/{key}",
        "/api/v1/directory/mentors",
        "/api/v1/admin/settings",
        "/api/v1/admin/invites",
        "/api/v1/admin/invites/{id}",
        "/api/v1/admin/cohorts",
        "/api/v1/admin/cohorts/{id}",
        "/api/v1/admin/cohorts/{id}/members",
        "/api/v1/admin/cohorts/{id}/match",
        "/api/v1/admin/cohorts/{id}/approve",
        "/api/v1/mentorships/{id}/reviews",
        "/api/v1/mentorships/{id}/reviews/{review_id}/part",
        "/api/v1/mentorships/{id}/review-cadence",
        "/api/v1/mentorships/{id}/growth",
        "/api/v1/me/plan",
        "/api/v1/me/plan/history",
        "/api/v1/me/growth",
        "/api/v1/me/file",
        "/api/v1/me/export",
        "/api/v1/admin/reports/program",
        "/api/v1/me/aliases",
        "/api/v1/me/move",
        "/api/v1/moves/{token}/archive",
        "/api/v1/me/imports",
        "/api/v1/me/credentials/held",
        "/api/v1/admin/tracks",
        "/api/v1/tracks",
        "/api/v1/tracks/{id}",
        "/api/v1/admin/tracks/{id}/cycles",
        "/api/v1/cycles",
        "/api/v1/admin/cycles/{id}/nominations",
        "/api/v1/cycles/{id}/nominations",
        "/api/v1/nominations",
        "/api/v1/nominations/{id}",
        "/api/v1/nominations/{id}/log",
        "/api/v1/nominations/{id}/evidence",
        "/api/v1/nominations/{id}/withdraw",
        "/api/v1/nominations/{id}/decisions",
        "/api/v1/me/ranks",
        "/api/v1/me/participation",
        "/api/v1/me/awards",
        "/api/v1/me/credentials",
        "/api/v1/me/credentials/participation",
        "/api/v1/credentials/verify",
        "/api/v1/admin/credentials/{id}/revoke",
        "/api/v1/admin/achievements",
        "/api/v1/admin/achievements/{id}/retire",
        "/api/v1/admin/achievements/{id}/awards",
    ];
    for path in expected {
        assert!(paths.contains_key(path), "{path} is not documented");
    }
    let admin = app.admin("root").await;
    let mut operations = 0;
    for (path, item) in paths {
        let concrete = path
            .replace("{username}", "root")
            .replace("{key}", "networking.dns")
            .replace("{id}", &uuid::Uuid::now_v7().to_string())
            .replace("{session_id}", &uuid::Uuid::now_v7().to_string())
            .replace("{review_id}", &uuid::Uuid::now_v7().to_string());
        for (method, operation) in item.as_object().unwrap() {
            let method: Method = method.to_uppercase().parse().unwrap();
            if path == "/api/v1/auth/logout" {
                continue; // it would end the session the other requests use
            }
            let body = (method != Method::GET && method != Method::DELETE)
                .then(|| Value::Object(Default::default()));
            let reply = app
                .send(method.clone(), &concrete, Some(&admin), body)
                .await;
            assert_ne!(
                reply.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}"
            );
            assert!(
                reply.message() != "no such route",
                "{method} {path} is documented but not routed"
            );
            let documented: Vec<&String> =
                operation["responses"].as_object().unwrap().keys().collect();
            assert!(
                documented.iter().any(|s| **s == reply.status.as_str()),
                "{method} {path} answered {} but documents {documented:?}",
                reply.status
            );
            operations += 1;
        }
    }
    assert!(operations >= 16, "only {operations} operations documented");
    // The answers every operation of a kind can give are documented.
    for (path, method, statuses) in [
        (
            "/api/v1/accounts",
            "post",
            &["400", "413", "415", "422"][..],
        ),
        ("/api/v1/admin/invites", "get", &["401", "403"][..]),
        ("/api/v1/directory/mentors", "get", &["400", "401"][..]),
    ] {
        let documented = paths[path][method]["responses"].as_object().unwrap();
        for status in statuses {
            assert!(
                documented.contains_key(*status),
                "{method} {path} does not document {status}"
            );
        }
    }
    // Every schema the document refers to is defined.
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for reference in text.split("\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(
            schemas.contains_key(name),
            "{name} is referred to but not defined"
        );
    }
}

#[on_every_backend]
async fn unknown_routes_and_methods_answer_in_the_error_shape(app: TestApp) {
    let missing = app.get("/api/v1/nothing-here", None).await;
    assert_eq!(
        (missing.status, missing.code()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let wrong = app.send(Method::DELETE, "/api/v1/skills", None, None).await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );
}

#[on_every_backend]
async fn probes_tell_anyone_it_is_up_and_admins_what_runs(app: TestApp) {
    // Anonymous callers learn that it is up, not the version or database.
    let health = app.get("/healthz", None).await.expect(StatusCode::OK);
    assert_eq!(health, serde_json::json!({"status": "ok"}));
    let live = app.get("/livez", None).await.expect(StatusCode::OK);
    assert_eq!(live, serde_json::json!({"status": "ok"}));
    let ready = app.get("/readyz", None).await.expect(StatusCode::OK);
    assert_eq!(ready["status"], "ready");
    for check in ["database", "migrations", "writes", "serving"] {
        assert_eq!(ready["checks"][check], "ok", "{ready}");
    }
    assert!(!ready.to_string().contains(env!("CARGO_PKG_VERSION")));
    // Admins read them from the system view.
    let member = app.member("mia").await;
    let refused = app.get("/api/v1/admin/system", Some(&member)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let admin = app.admin("root").await;
    let system = app
        .get("/api/v1/admin/system", Some(&admin))
        .await
        .expect(StatusCode::OK);
    let expected = match trellis_store::Backend::of_url(&app.config.database_url) {
        Some(trellis_store::Backend::Postgres) => "postgres",
        _ => "sqlite",
    };
    assert_eq!(system["database"], expected);
    // Asked of the server itself: a PostgreSQL run talks to PostgreSQL.
    let server = system["database_version"].as_str().unwrap();
    let prefix = if expected == "postgres" {
        "PostgreSQL "
    } else {
        "SQLite 3."
    };
    assert!(server.starts_with(prefix), "{server}");
    assert_eq!(system["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(system["pending_migrations"], 0);
    assert!(system["pool"]["max"].as_u64().unwrap() >= 1);
}

/// What an API fuzzer reading the document found wrong, held right: every
/// status an operation can answer is documented, parameters are where they
/// are read, answers fit their schemas, and bounds are enforced.
#[on_every_backend]
async fn the_document_says_what_the_server_answers(app: TestApp) {
    let doc = app
        .get("/api/openapi.json", None)
        .await
        .expect(StatusCode::OK);
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            let has = |where_: &str| {
                operation["parameters"]
                    .as_array()
                    .is_some_and(|ps| ps.iter().any(|p| p["in"] == where_))
            };
            if has("path") {
                for status in ["400", "422"] {
                    assert!(responses.contains_key(status), "{method} {path}: {status}");
                }
            }
            assert!(responses.contains_key("503"), "{method} {path}: 503");
            for status in responses.keys() {
                assert_ne!(
                    status, "502",
                    "{method} {path}: a peer that is down is a 422"
                );
            }
        }
    }
    let achievements = &doc["paths"]["/api/v1/admin/achievements"]["get"]["parameters"];
    assert_eq!(achievements[0]["name"], "include_retired");
    assert_eq!(achievements[0]["in"], "query");
    // A type that refuses unknown fields is never a closed part of an
    // answer that has more fields beside it.
    for (name, schema) in schemas {
        for part in schema["allOf"].as_array().into_iter().flatten() {
            if let Some(reference) = part["$ref"].as_str() {
                let target = &schemas[reference.trim_start_matches("#/components/schemas/")];
                assert_ne!(
                    target["additionalProperties"], false,
                    "{name} ⊃ {reference}"
                );
            }
            assert_ne!(part["additionalProperties"], false, "{name}");
        }
    }
    let plan = &schemas["PlanView"];
    for field in ["version", "goals", "updated_at"] {
        assert!(
            plan["properties"].get(field).is_some(),
            "PlanView documents {field}: {plan}"
        );
    }
    // Pages past what a client can count are refused, not answered.
    let token = app.member("ada").await;
    for path in [
        "/api/v1/me/file?page=2147483648",
        "/api/v1/me/file?page=1000001",
        "/api/v1/directory/mentors?page=1000001",
    ] {
        let reply = app.get(path, Some(&token)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}");
    }
    for (path, item) in [
        ("/api/v1/me/file", "page"),
        ("/api/v1/directory/mentors", "page"),
    ] {
        let param = doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == item)
            .unwrap();
        assert_eq!(param["schema"]["maximum"], 1_000_000, "{path}");
    }
}
