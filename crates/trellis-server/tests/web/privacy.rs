//! What a page shows depends on who looks: anonymous visitors, members of
//! the organization, other members; forged and cross-site forms are
//! refused and change nothing; the pages work at phone width and in
//! German.

use reqwest::StatusCode;
use serde_json::json;
use trellis_testing::PASSWORD;

use crate::browser::Browser;
use crate::journey::sign_in;
use crate::{Site, api};

const MARKER: &str = "a bio only members may read";

#[tokio::test]
async fn each_visitor_sees_what_they_may_and_forged_forms_change_nothing() {
    let north = Site::start("Northwind Networks").await;
    let ada = north.app.member("ada").await;
    north
        .app
        .set_profile(
            &ada,
            json!({"display_name": "Ada", "bio": MARKER, "visibility": "organization",
                   "languages": ["en"]}),
        )
        .await;
    north.app.member("mallory").await;
    let Some(anonymous) = Browser::open(&north.base(), 1280).await else {
        return;
    };

    // Anonymous: a member's page is answered like a member who does not
    // exist, and members' pages ask to sign in.
    anonymous.go("/users/ada").await;
    let hidden = anonymous.text().await;
    anonymous.go("/users/nobody-at-all").await;
    assert_eq!(hidden, anonymous.text().await);
    assert!(!anonymous.html().await.contains(MARKER));
    anonymous.assert_accessible().await;
    anonymous.go("/home").await;
    assert_eq!(anonymous.path().await, "/login?next=/home");
    anonymous.assert_accessible().await;
    anonymous.go("/credentials/check").await;
    anonymous.assert_accessible().await;

    // Another member of the organization sees the profile…
    let mallory = Browser::open(&north.base(), 1280).await.unwrap();
    sign_in(&mallory, "mallory").await;
    mallory.go("/users/ada").await;
    assert!(mallory.text().await.contains(MARKER));
    mallory.assert_accessible().await;
    // …until it is private: then it does not exist for them either.
    north
        .app
        .set_profile(&ada, json!({"bio": MARKER, "visibility": "private"}))
        .await;
    mallory.go("/users/ada").await;
    assert!(!mallory.html().await.contains(MARKER));
    assert!(mallory.text().await.contains("Not found"));

    // A form with a forged token is refused and changes nothing.
    mallory.go("/profile").await;
    mallory.fill("headline", "Forged headline").await;
    mallory
        .client
        .execute(
            "document.querySelector('form[action=\"/profile\"] input[name=csrf]').value = 'forged';",
            vec![],
        )
        .await
        .unwrap();
    mallory.press("Save profile").await;
    assert!(
        mallory
            .text()
            .await
            .contains("This form cannot be accepted")
    );
    let token = north.app.login("mallory").await;
    let profile = api(&north, "/api/v1/me/profile", &token).await;
    assert_eq!(profile["headline"], "");

    // A post from elsewhere with no token (another site's form) likewise.
    let forged = reqwest::Client::new()
        .post(north.app.url("/profile"))
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("headline=From+elsewhere")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let signed_in_elsewhere = reqwest::Client::new()
        .post(north.app.url("/login"))
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "username=mallory&password={}",
            PASSWORD.replace(' ', "+")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in_elsewhere.status(), StatusCode::FORBIDDEN);
    assert!(
        signed_in_elsewhere
            .headers()
            .get("set-cookie")
            .is_none_or(|c| {
                !c.to_str()
                    .unwrap_or_default()
                    .contains("trellis_session=trl_")
            })
    );

    for b in [anonymous, mallory] {
        b.close().await;
    }
}

#[tokio::test]
async fn the_pages_work_at_phone_width_and_in_german() {
    let north = Site::start("Northwind Networks").await;
    north.app.member("lin").await;
    let Some(phone) = Browser::open(&north.base(), 360).await else {
        return;
    };
    phone.go("/").await;
    phone.select("language", "de").await;
    phone.press("Change").await;
    assert!(
        phone.text().await.contains("So funktioniert es"),
        "{}",
        phone.text().await
    );
    phone.assert_accessible().await;
    phone.screenshot("landing-de-phone").await;
    phone.go("/login").await;
    phone.fill("username", "lin").await;
    phone.fill("password", PASSWORD).await;
    phone.press("Anmelden").await;
    assert_eq!(phone.h1().await, "Willkommen, lin");
    phone.assert_accessible().await;
    for page in [
        "/profile",
        "/mentors",
        "/plan",
        "/plan/growth",
        "/file",
        "/recognition",
        "/notifications",
        "/nominations",
        "/moving",
    ] {
        phone.go(page).await;
        phone.assert_accessible().await;
        crate::browser::assert_fits(&phone).await;
    }
    phone.go("/profile").await;
    phone.screenshot("profile-de-phone").await;
    phone.close().await;
}

/// A member whose profile reaches partners is seen by a member of a
/// partner organization, through that member's own instance, and by
/// nobody at an organization that is no partner.
#[tokio::test]
async fn partners_see_a_federated_member_and_others_do_not() {
    let (north, harbor) = crate::partnered("Northwind Networks", "Harbor Systems").await;
    let south = Site::start("Southport").await;
    crate::mentor_at(&north, "grace").await;
    harbor.app.member("hal").await;
    south.app.member("sal").await;
    let handle = format!("grace@{}", north.app.domain());
    let Some(at_harbor) = Browser::open(&harbor.base(), 1280).await else {
        return;
    };
    sign_in(&at_harbor, "hal").await;
    trellis_testing::eventually("Harbor has Grace's profile", || async {
        at_harbor.go(&format!("/users/{handle}")).await;
        at_harbor.text().await.contains("grace the mentor")
    })
    .await;
    at_harbor.assert_accessible().await;
    let at_south = Browser::open(&south.base(), 1280).await.unwrap();
    sign_in(&at_south, "sal").await;
    at_south.go(&format!("/users/{handle}")).await;
    assert!(at_south.text().await.contains("Not found"));
    assert!(!at_south.text().await.contains("grace the mentor"));
    // And at Northwind itself, anonymous visitors do not see it either.
    let anonymous = Browser::open(&north.base(), 1280).await.unwrap();
    anonymous.go("/users/grace").await;
    assert!(anonymous.text().await.contains("Not found"));
    for b in [at_harbor, at_south, anonymous] {
        b.close().await;
    }
}

#[tokio::test]
async fn too_many_sign_ins_are_refused_on_the_form_saying_how_long_to_wait() {
    let app = trellis_testing::TestApp::spawn_with(trellis_store::Backend::Sqlite, |c| {
        c.limit_sign_in_failures = 3;
    })
    .await
    .unwrap();
    app.register("lin").await;
    let Some(phone) = Browser::open(&app.url(""), 360).await else {
        return;
    };
    phone.go("/").await;
    phone.select("language", "de").await;
    phone.press("Change").await;
    phone.go("/login").await;
    let mut refused = false;
    for _ in 0..6 {
        phone.fill("username", "lin").await;
        phone.fill("password", "not the password at all").await;
        phone.press("Anmelden").await;
        let text = phone.text().await;
        if text.contains("Zu viele Versuche in kurzer Zeit") {
            refused = true;
            break;
        }
        assert!(
            text.contains("Benutzername oder Passwort ist falsch."),
            "{text}"
        );
    }
    assert!(refused, "the sign-in form was never limited");
    // The form is still there, with the name typed, and says when to come back.
    let text = phone.text().await;
    assert!(text.contains("Versuchen Sie es in"), "{text}");
    assert_eq!(phone.value_of("username").await, "lin");
    phone.assert_accessible().await;
    crate::browser::assert_fits(&phone).await;
    phone.screenshot("sign-in-too-many-phone").await;
    // Locked for a while: the right password waits too.
    phone.fill("password", PASSWORD).await;
    phone.press("Anmelden").await;
    assert!(
        phone
            .text()
            .await
            .contains("Zu viele Versuche in kurzer Zeit")
    );
    assert_eq!(phone.path().await, "/login");
    phone.close().await;
}
