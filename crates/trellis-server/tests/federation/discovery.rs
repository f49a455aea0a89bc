//! What another server reads first: WebFinger, actor documents, NodeInfo.

use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_store::Backend;
use trellis_testing::{TestApp, on_every_backend};

use crate::partnership::partnered;

async fn get_json(app: &TestApp, path: &str, accept: &str) -> (StatusCode, String, Value) {
    let response = app
        .client
        .get(app.url(path))
        .header("accept", accept)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, content_type, body)
}

#[on_every_backend]
async fn webfinger_finds_members_and_the_instance(app: TestApp) {
    let ada = app.member("ada").await;
    app.set_profile(&ada, json!({"visibility": "federated"}))
        .await;
    let quiet = app.member("quiet").await;
    app.set_profile(&quiet, json!({"visibility": "organization"}))
        .await;
    let domain = app.domain();
    let (status, content_type, body) = get_json(
        &app,
        &format!("/.well-known/webfinger?resource=acct:ada@{domain}"),
        "application/jrd+json",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/jrd+json");
    assert_eq!(body["subject"], format!("acct:ada@{domain}"));
    let link = body["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "self")
        .unwrap();
    assert_eq!(link["type"], "application/activity+json");
    assert_eq!(link["href"], format!("http://{domain}/users/ada"));
    assert!(
        !body.to_string().contains("template"),
        "no link carries a template (null or not): {body}"
    );
    // By the member's actor URL, the same answer as by acct:.
    let (status, _, by_url) = get_json(
        &app,
        &format!("/.well-known/webfinger?resource=http://{domain}/users/ada"),
        "application/jrd+json",
    )
    .await;
    assert_eq!((status, &by_url), (StatusCode::OK, &body));
    let (status, _, _) = get_json(
        &app,
        &format!("/.well-known/webfinger?resource=http://{domain}/users/quiet"),
        "application/jrd+json",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "hidden by URL as by acct:");

    let (status, _, body) = get_json(
        &app,
        &format!("/.well-known/webfinger?resource=acct:{domain}@{domain}"),
        "application/jrd+json",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.to_string().contains(&format!("http://{domain}/actor")));

    for (query, expected) in [
        (
            format!("resource=acct:nobody@{domain}"),
            StatusCode::NOT_FOUND,
        ),
        (
            "resource=acct:ada@elsewhere.example".to_owned(),
            StatusCode::NOT_FOUND,
        ),
        ("resource=ada".to_owned(), StatusCode::NOT_FOUND),
        (String::new(), StatusCode::BAD_REQUEST),
    ] {
        let (status, _, body) = get_json(
            &app,
            &format!("/.well-known/webfinger?{query}"),
            "application/jrd+json",
        )
        .await;
        assert_eq!(status, expected, "{query}: {body}");
    }
}

#[on_every_backend]
async fn actor_documents_carry_keys_and_show_only_what_visibility_allows(backend: Backend) {
    let (partner, other) = partnered(backend).await;
    let stranger = TestApp::spawn(backend).await.unwrap();
    let app = &other.app;
    let token = app.member("ada").await;
    let domain = app.domain();
    let mut profile = json!({"display_name": "Ada Lovelace", "headline": "Engine whisperer", "visibility": "organization"});
    app.set_profile(&token, profile.clone()).await;

    // An organization-only (or private) member is, to anyone but a
    // partner's signed fetch, exactly a member who does not exist.
    let missing = get_json(app, "/users/nobody", "application/activity+json").await;
    assert_eq!(missing.0, StatusCode::NOT_FOUND);
    for visibility in ["organization", "private"] {
        profile["visibility"] = json!(visibility);
        app.set_profile(&token, profile.clone()).await;
        for path in ["/users/ada", "/users/ada/outbox"] {
            let hidden = get_json(app, path, "application/activity+json").await;
            assert_eq!(
                (hidden.0, &hidden.2),
                (missing.0, &missing.2),
                "{visibility} {path}"
            );
            let by_stranger = app.get_signed_by(&stranger, path).await;
            assert_eq!(by_stranger.status, StatusCode::NOT_FOUND, "{path}");
        }
    }
    profile["visibility"] = json!("organization");
    app.set_profile(&token, profile.clone()).await;

    // A partner's signed fetch gets the bare actor its signature checks need.
    let reply = app.get_signed_by(&partner.app, "/users/ada").await;
    let actor = reply.expect(StatusCode::OK);
    let id = format!("http://{domain}/users/ada");
    assert_eq!(actor["type"], "Person");
    assert_eq!(actor["id"], id);
    assert_eq!(actor["preferredUsername"], "ada");
    assert_eq!(actor["inbox"], format!("{id}/inbox"));
    assert_eq!(actor["outbox"], format!("{id}/outbox"));
    assert_eq!(
        actor["endpoints"]["sharedInbox"],
        format!("http://{domain}/inbox")
    );
    assert_eq!(actor["publicKey"]["owner"], id);
    assert_eq!(actor["alsoKnownAs"], json!([]), "no other accounts yet");
    assert_eq!(actor["publicKey"]["id"], format!("{id}#main-key"));
    assert!(
        actor["publicKey"]["publicKeyPem"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
    let text = actor.to_string();
    assert!(!text.contains("PRIVATE"), "the private key leaked");
    assert!(
        !text.contains("Ada Lovelace") && !text.contains("Engine whisperer"),
        "an organization-only profile showed in the actor document: {text}"
    );

    // A `federated` member: partners see the name and headline; an
    // unsigned fetch or a stranger's gets the bare actor.
    profile["visibility"] = json!("federated");
    app.set_profile(&token, profile).await;
    let actor = app
        .get_signed_by(&partner.app, "/users/ada")
        .await
        .expect(StatusCode::OK);
    assert_eq!(actor["name"], "Ada Lovelace");
    assert_eq!(actor["summary"], "Engine whisperer");
    let (status, content_type, anonymous) =
        get_json(app, "/users/ada", "application/activity+json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/activity+json");
    let by_stranger = app
        .get_signed_by(&stranger, "/users/ada")
        .await
        .expect(StatusCode::OK);
    for seen in [&anonymous, &by_stranger] {
        let text = seen.to_string();
        assert!(
            !text.contains("Ada Lovelace") && !text.contains("Engine whisperer"),
            "a federated profile showed to a non-partner: {text}"
        );
        assert_eq!(seen["publicKey"], actor["publicKey"], "the key is stable");
        assert!(seen.get("published").is_none());
    }

    let (status, _, outbox) = get_json(app, "/users/ada/outbox", "application/activity+json").await;
    assert_eq!(
        (status, outbox["type"].as_str()),
        (StatusCode::OK, Some("OrderedCollection"))
    );
    assert_eq!(
        get_json(app, "/users/nobody", "application/activity+json")
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get_json(app, "/users/No%20Body", "application/activity+json")
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // The profile object is there for anyone only when the profile is public.
    let path = "/users/ada/mentor-profile";
    assert_eq!(
        get_json(app, path, "application/activity+json").await.0,
        StatusCode::NOT_FOUND
    );
    let mut public = trellis_testing::mentor("public", &[("networking.dns", 4)]);
    public["headline"] = json!("Engine whisperer");
    app.set_profile(&token, public).await;
    let (status, _, object) = get_json(app, path, "application/activity+json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (object["type"].as_str(), object["summary"].as_str()),
        (Some("MentorProfile"), Some("Engine whisperer"))
    );
    assert_eq!(object["attributedTo"], id);
    assert_eq!(object["id"], format!("{id}/mentor-profile"));

    let admin = other.admin.clone();
    app.patch(
        "/api/v1/admin/settings",
        Some(&admin),
        json!({"organization_name": "Sysadmins North"}),
    )
    .await
    .expect(StatusCode::OK);
    let (status, _, instance) = get_json(app, "/actor", "application/activity+json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(instance["type"], "Organization");
    assert_eq!(instance["id"], format!("http://{domain}/actor"));
    assert_eq!(instance["name"], "Sysadmins North");
    assert_eq!(instance["manuallyApprovesFollowers"], true);
    assert_ne!(
        instance["publicKey"]["publicKeyPem"],
        actor["publicKey"]["publicKeyPem"]
    );
}

#[on_every_backend]
async fn nodeinfo_describes_the_instance(app: TestApp) {
    let admin = app.admin("root").await;
    app.member("ada").await;
    app.register("bob").await;
    app.patch(
        "/api/v1/admin/settings",
        Some(&admin),
        json!({"organization_name": "Sysadmins North", "registration_mode": "invite-only"}),
    )
    .await
    .expect(StatusCode::OK);
    let (status, _, links) = get_json(&app, "/.well-known/nodeinfo", "application/json").await;
    assert_eq!(status, StatusCode::OK);
    let href = links["links"][0]["href"].as_str().unwrap();
    assert_eq!(href, format!("http://{}/nodeinfo/2.1", app.domain()));
    assert_eq!(
        links["links"][0]["rel"],
        "http://nodeinfo.diaspora.software/ns/schema/2.1"
    );
    let (status, content_type, info) = get_json(&app, "/nodeinfo/2.1", "application/json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("application/json"));
    assert_eq!(info["version"], "2.1");
    assert_eq!(info["software"]["name"], "trellis");
    assert_eq!(info["protocols"], json!(["activitypub"]));
    assert_eq!(info["openRegistrations"], false);
    assert_eq!(info["usage"]["users"]["total"], 3);
    assert_eq!(
        info["usage"]["users"]["activeMonth"], 2,
        "root and ada signed in; bob never did"
    );
    assert_eq!(info["metadata"]["nodeName"], "Sysadmins North");
}

#[on_every_backend]
async fn in_production_discovery_links_use_https(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.federation_insecure = false)
        .await
        .unwrap();
    let domain = app.domain();
    let (status, _, links) = get_json(&app, "/.well-known/nodeinfo", "application/json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        links["links"][0]["href"],
        format!("https://{domain}/nodeinfo/2.1")
    );
    let ada = app.member("ada").await;
    app.set_profile(&ada, json!({"visibility": "federated"}))
        .await;
    let (status, _, by_acct) = get_json(
        &app,
        &format!("/.well-known/webfinger?resource=acct:ada@{domain}"),
        "application/jrd+json",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        by_acct["aliases"],
        json!([format!("https://{domain}/users/ada")])
    );
    let (status, _, by_url) = get_json(
        &app,
        &format!("/.well-known/webfinger?resource=https://{domain}/users/ada"),
        "application/jrd+json",
    )
    .await;
    assert_eq!((status, &by_url), (StatusCode::OK, &by_acct));
}
