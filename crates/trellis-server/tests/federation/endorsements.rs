//! Endorsements across instances: issued by the endorser's instance,
//! delivered to the subject's, shown there to the subject (and at home to
//! the endorser) and to no one else, withdrawn on both; a forged one is
//! refused.

use reqwest::StatusCode;
use rsa::RsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use serde_json::{Value, json};
use trellis_store::Backend;
use trellis_testing::{eventually, on_every_backend};

use crate::mentorships::pair_across;
use crate::partnership::{Peer, partnered};

async fn mine(on: &Peer, token: &str) -> Value {
    on.app
        .get("/api/v1/me/endorsements", Some(token))
        .await
        .expect(StatusCode::OK)
}

/// Endorses the DNS skill of the other party of mentorship `m` on `on`.
async fn endorse(on: &Peer, token: &str, m: &Value, text: &str) -> Value {
    let path = format!(
        "/api/v1/mentorships/{}/endorsements",
        m["id"].as_str().unwrap()
    );
    on.app
        .post(
            &path,
            Some(token),
            json!({"skill": "networking.dns", "text": text}),
        )
        .await
        .expect(StatusCode::CREATED)
}

/// `username@domain` of a party as the API shows it.
fn handle(party: &Value) -> String {
    format!(
        "{}@{}",
        party["username"].as_str().unwrap(),
        party["domain"].as_str().unwrap_or("-")
    )
}

#[on_every_backend]
async fn an_endorsement_travels_to_the_subject_and_is_seen_by_the_two_members_only(
    backend: Backend,
) {
    let (a, b) = partnered(backend).await;
    let (bo, ada, on_a, on_b) = pair_across(&a, &b, "organization").await;
    let given = endorse(&b, &bo, &on_b, "Ran our DNSSEC rollover calmly.").await;
    assert_eq!(handle(&given["subject"]), format!("ada@{}", a.app.domain()));

    eventually("A has the endorsement", || async {
        mine(&a, &ada).await["received"].as_array().unwrap().len() == 1
    })
    .await;
    let at_a = mine(&a, &ada).await["received"][0].clone();
    assert_eq!(handle(&at_a["endorser"]), format!("bo@{}", b.app.domain()));
    assert_eq!(handle(&at_a["subject"]), "ada@-", "a member of A");
    assert_eq!(at_a["skill"], "networking.dns");
    assert_eq!(at_a["text"], "Ran our DNSSEC rollover calmly.");
    assert_eq!(at_a["mentorship_id"], on_a["id"]);
    // Issued by B, it arrives with the endorsement and verifies at A.
    let jwt = at_a["credential"].as_str().expect("B's credential");
    assert_eq!(jwt, given["credential"].as_str().unwrap());
    let report = a.app.verify_credential(jwt).await;
    assert_eq!(report["verified"], true, "{report}");
    assert_eq!(
        report["issuer"]["id"],
        format!("http://{}/actor", b.app.domain())
    );
    assert_eq!(
        report["subject"],
        format!("http://{}/users/ada", a.app.domain())
    );
    let told = a
        .app
        .get("/api/v1/notifications", Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert!(
        told.as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "endorsement_received"),
        "{told}"
    );
    let own = a
        .app
        .get("/api/v1/members/ada/endorsements", Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(own.as_array().unwrap().len(), 1);
    // At home, bo sees what he gave.
    let at_b = mine(&b, &bo).await;
    assert_eq!(at_b["given"].as_array().unwrap().len(), 1);
    assert_eq!(at_b["received"], json!([]));

    // The mentee endorses her mentor back; it reaches B.
    endorse(&a, &ada, &on_a, "Explains resolvers patiently.").await;
    eventually("B has ada's endorsement", || async {
        mine(&b, &bo).await["received"].as_array().unwrap().len() == 1
    })
    .await;
    let back = mine(&b, &bo).await["received"][0].clone();
    assert_eq!(handle(&back["endorser"]), format!("ada@{}", a.app.domain()));

    // Members of either instance who are no party see none of it, and
    // neither does an admin.
    for (peer, who) in [(&a, "eve"), (&b, "cy")] {
        let token = peer.app.member(who).await;
        assert_eq!(
            mine(peer, &token).await,
            json!({"received": [], "given": []}),
            "{who}"
        );
        for (member, admin) in [("ada", false), ("bo", false), ("ada", true)] {
            let caller = if admin { &peer.admin } else { &token };
            let seen = peer
                .app
                .get(
                    &format!("/api/v1/members/{member}/endorsements"),
                    Some(caller),
                )
                .await;
            if seen.status == StatusCode::OK {
                assert_eq!(seen.expect(StatusCode::OK), json!([]), "{who} on {member}");
            } else {
                assert_eq!(seen.status, StatusCode::NOT_FOUND, "{who} on {member}");
            }
        }
        let anonymous = peer.app.get("/api/v1/members/ada/endorsements", None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    }
    for path in [
        format!("/api/v1/members/ada@{}/endorsements", a.app.domain()),
        format!("/api/v1/members/bo@{}/endorsements", b.app.domain()),
    ] {
        let token = a.app.login("eve").await;
        let seen = a.app.get(&path, Some(&token)).await;
        if seen.status == StatusCode::OK {
            assert_eq!(seen.expect(StatusCode::OK), json!([]), "{path}");
        } else {
            assert_eq!(seen.status, StatusCode::NOT_FOUND, "{path}");
        }
    }
}

/// A URL of `peer` as it federates: on `localhost:PORT`.
pub(crate) fn at(peer: &Peer, path: &str) -> String {
    format!("http://{}{path}", peer.app.domain())
}

/// Posts `activity` to `to`'s shared inbox, signed with the key of
/// `username`, a member of `from`, as their instance would sign it.
pub(crate) async fn post_as(
    from: &Peer,
    username: &str,
    to: &Peer,
    activity: &Value,
) -> StatusCode {
    let name = trellis_core::account::Username::parse(username).unwrap();
    let actor = from.app.store.local_actor(&name).await.unwrap().unwrap();
    let key = RsaPrivateKey::from_pkcs8_pem(&actor.keys.private_key_pem).unwrap();
    let inbox = at(to, "/inbox");
    let body = serde_json::to_vec(activity).unwrap();
    let key_id = at(from, &format!("/users/{username}#main-key"));
    let headers =
        trellis_testing::cavage::sign_post(&key, &key_id, &inbox, &body, chrono::Utc::now());
    trellis_testing::cavage::signed_post(&reqwest::Client::new(), &inbox, headers, body)
        .send()
        .await
        .unwrap()
        .status()
}

#[on_every_backend]
async fn an_endorsement_from_someone_who_is_no_party_is_refused(backend: Backend) {
    let (a, b) = partnered(backend).await;
    let (bo, ada, on_a, _) = pair_across(&a, &b, "organization").await;
    b.app.member("cy").await;
    let mentorship = at(
        &a,
        &format!("/mentorships/{}", on_a["id"].as_str().unwrap()),
    );
    let endorsement = |actor: &str, id: &str, subject: String| {
        let actor = at(&b, &format!("/users/{actor}"));
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams"],
            "id": at(&b, &format!("/activities/{}", uuid::Uuid::now_v7())),
            "type": "Create",
            "actor": actor,
            "to": [subject.clone()],
            "object": {
                "type": "Endorsement",
                "id": id,
                "attributedTo": actor,
                "subject": subject,
                "mentorship": mentorship,
                "skill": "networking.dns",
                "content": "Forged praise.",
                "published": "2026-11-20T09:00:00Z"
            }
        })
    };
    let ada_actor = at(&a, "/users/ada");
    let own_id = |who: &str| at(&b, &format!("/endorsements/{who}-{}", uuid::Uuid::now_v7()));

    // Cy at B is no party of the mentorship: as good as unknown to him.
    let forged = endorsement("cy", &own_id("cy"), ada_actor.clone());
    assert_eq!(post_as(&b, "cy", &a, &forged).await, StatusCode::CONFLICT);
    // Bo is a party, but may not endorse in cy's name, nor name an object
    // on another instance, nor endorse someone else than ada.
    let mut in_cys_name = endorsement("bo", &own_id("bo"), ada_actor.clone());
    in_cys_name["object"]["attributedTo"] = json!(at(&b, "/users/cy"));
    assert_eq!(
        post_as(&b, "bo", &a, &in_cys_name).await,
        StatusCode::FORBIDDEN
    );
    let elsewhere = endorsement("bo", &at(&a, "/endorsements/1"), ada_actor.clone());
    assert_eq!(
        post_as(&b, "bo", &a, &elsewhere).await,
        StatusCode::FORBIDDEN
    );
    let eve = a.app.member("eve").await;
    let of_eve = endorsement("bo", &own_id("bo"), at(&a, "/users/eve"));
    assert_eq!(post_as(&b, "bo", &a, &of_eve).await, StatusCode::FORBIDDEN);
    // A malformed credential is refused too.
    let mut bad_credential = endorsement("bo", &own_id("bo"), ada_actor.clone());
    bad_credential["object"]["credential"] = json!("not a JWT");
    assert_eq!(
        post_as(&b, "bo", &a, &bad_credential).await,
        StatusCode::BAD_REQUEST
    );

    for token in [&ada, &eve] {
        assert_eq!(
            mine(&a, token).await,
            json!({"received": [], "given": []}),
            "nothing was kept"
        );
    }

    // Signed by bo himself, well formed, with a credential: kept once, the
    // credential verbatim; a repeat changes nothing.
    let mut genuine = endorsement("bo", &own_id("bo"), ada_actor);
    genuine["object"]["credential"] = json!("eyJhbGciOiJSUzI1NiJ9.eyJqdGkiOiIxIn0.c2ln");
    for _ in 0..2 {
        assert_eq!(post_as(&b, "bo", &a, &genuine).await, StatusCode::ACCEPTED);
    }
    let kept = mine(&a, &ada).await["received"].clone();
    assert_eq!(kept.as_array().unwrap().len(), 1, "{kept}");
    assert_eq!(
        kept[0]["credential"],
        "eyJhbGciOiJSUzI1NiJ9.eyJqdGkiOiIxIn0.c2ln"
    );
    assert_eq!(
        mine(&b, &bo).await["given"],
        json!([]),
        "B gave none itself"
    );
}

#[on_every_backend]
async fn a_withdrawn_endorsement_is_gone_on_both_instances(backend: Backend) {
    let (a, b) = partnered(backend).await;
    let (bo, ada, _, on_b) = pair_across(&a, &b, "organization").await;
    let given = endorse(&b, &bo, &on_b, "Ran our DNSSEC rollover calmly.").await;
    eventually("A has the endorsement", || async {
        mine(&a, &ada).await["received"].as_array().unwrap().len() == 1
    })
    .await;

    // Only bo can withdraw it: a Delete signed by cy at B changes nothing.
    b.app.member("cy").await;
    let object = at(
        &b,
        &format!("/endorsements/{}", given["id"].as_str().unwrap()),
    );
    let delete = |actor: &str| {
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams"],
            "id": at(&b, &format!("/activities/{}", uuid::Uuid::now_v7())),
            "type": "Delete",
            "actor": at(&b, &format!("/users/{actor}")),
            "to": [at(&a, "/users/ada")],
            "object": {"type": "Tombstone", "id": object, "formerType": "Endorsement"}
        })
    };
    assert_eq!(
        post_as(&b, "cy", &a, &delete("cy")).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        mine(&a, &ada).await["received"].as_array().unwrap().len(),
        1
    );

    let path = format!("/api/v1/endorsements/{}", given["id"].as_str().unwrap());
    assert_eq!(
        b.app.delete(&path, Some(&bo)).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(mine(&b, &bo).await["given"], json!([]));
    eventually("A drops the endorsement", || async {
        mine(&a, &ada).await["received"] == json!([])
    })
    .await;
    let of_ada = a
        .app
        .get("/api/v1/members/ada/endorsements", Some(&ada))
        .await
        .expect(StatusCode::OK);
    assert_eq!(of_ada, json!([]));
}
