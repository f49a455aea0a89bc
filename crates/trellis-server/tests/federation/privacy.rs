//! Who must NOT see each kind of private data of a mentorship across
//! instances: a mentee at A, her mentor at B, and C, a partner of both.
//! Every kind (shared notes, action items, private notes, reviews, plan,
//! growth, the file and its export) is tried from every kind of caller.

use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_store::Backend;
use trellis_testing::{eventually, on_every_backend};

use crate::mentorships::{pair_across, reviews_of, sessions_of};
use crate::partnership::{Peer, three_partnered};

const SHARED_NOTE: &str = "shared-note-7d1c";
const ACTION_ITEM: &str = "action-item-3f9a";
const ADA_PRIVATE: &str = "ada-private-52be";
const BO_PRIVATE: &str = "bo-private-90ac";
const SELF_COMMENT: &str = "self-comment-1e44";
const MENTOR_COMMENT: &str = "mentor-comment-c0d7";
const PLAN_GOAL: &str = "plan-goal-6b21";

const ALL: [&str; 7] = [
    SHARED_NOTE,
    ACTION_ITEM,
    ADA_PRIVATE,
    BO_PRIVATE,
    SELF_COMMENT,
    MENTOR_COMMENT,
    PLAN_GOAL,
];

/// Which of the secrets a text holds.
fn secrets_in(text: &str) -> Vec<&'static str> {
    ALL.iter().copied().filter(|s| text.contains(s)).collect()
}

/// Everything `token` (or nobody) gets from these paths of `peer`, as text.
async fn seen(peer: &Peer, token: Option<&str>, paths: &[String]) -> String {
    let mut all = String::new();
    for path in paths {
        let reply = reqwest::Client::new().get(peer.app.url(path));
        let reply = match token {
            Some(token) => reply.bearer_auth(token),
            None => reply,
        };
        all.push_str(&reply.send().await.unwrap().text().await.unwrap());
    }
    all
}

#[on_every_backend]
async fn private_data_is_seen_only_by_those_allowed_across_three_instances(backend: Backend) {
    let (a, b, c) = three_partnered(backend).await;

    // Bo at B mentors Ada at A.
    let (bo, ada, on_a, on_b) = pair_across(&a, &b, "federated").await;
    let id_a = on_a["id"].as_str().unwrap().to_owned();
    let id_b = on_b["id"].as_str().unwrap().to_owned();

    // A session with shared notes and an action item; each keeps a note.
    let logged = a
        .app
        .post(
            &format!("/api/v1/mentorships/{id_a}/sessions"),
            Some(&ada),
            json!({"held_at": "2026-11-20T09:00:00Z", "duration_minutes": 50, "notes": SHARED_NOTE,
                   "action_items": [{"text": ACTION_ITEM, "owner": "mentee"}]}),
        )
        .await
        .expect(StatusCode::CREATED);
    let sid_a = logged["id"].as_str().unwrap().to_owned();
    a.app
        .put(
            &format!("/api/v1/mentorships/{id_a}/sessions/{sid_a}/private-note"),
            Some(&ada),
            json!({"text": ADA_PRIVATE}),
        )
        .await
        .expect(StatusCode::OK);
    eventually("B has the session", || async {
        sessions_of(&b, &bo, &on_b).await.len() == 1
    })
    .await;
    let sid_b = sessions_of(&b, &bo, &on_b).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    b.app
        .put(
            &format!("/api/v1/mentorships/{id_b}/sessions/{sid_b}/private-note"),
            Some(&bo),
            json!({"text": BO_PRIVATE}),
        )
        .await
        .expect(StatusCode::OK);

    // A review, completed by both, and Ada's plan.
    let review = a
        .app
        .post(
            &format!("/api/v1/mentorships/{id_a}/reviews"),
            Some(&ada),
            json!({}),
        )
        .await
        .expect(StatusCode::CREATED);
    let rid_a = review["id"].as_str().unwrap().to_owned();
    let rating = |comment: &str| json!({"ratings": [{"skill": "networking.dns", "rating": 3, "comment": comment}]});
    a.app
        .put(
            &format!("/api/v1/mentorships/{id_a}/reviews/{rid_a}/part"),
            Some(&ada),
            rating(SELF_COMMENT),
        )
        .await
        .expect(StatusCode::OK);
    eventually("B has Ada's part", || async {
        reviews_of(&b, &bo, &on_b)
            .await
            .first()
            .is_some_and(|r| r["mentee_submitted"] == true)
    })
    .await;
    let rid_b = reviews_of(&b, &bo, &on_b).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    b.app
        .put(
            &format!("/api/v1/mentorships/{id_b}/reviews/{rid_b}/part"),
            Some(&bo),
            rating(MENTOR_COMMENT),
        )
        .await
        .expect(StatusCode::OK);
    eventually("A has the completed review", || async {
        reviews_of(&a, &ada, &on_a).await[0]["state"] == "completed"
    })
    .await;
    a.app
        .put(
            "/api/v1/me/plan",
            Some(&ada),
            json!({"goals": [{"title": PLAN_GOAL, "target_skills": [{"skill": "networking.dns", "level": 5}]}]}),
        )
        .await
        .expect(StatusCode::OK);

    // Each instance's paths for this mentorship, and each member's own.
    let mentorship_paths = |id: &str, sid: &str, rid: &str| {
        vec![
            format!("/api/v1/mentorships/{id}"),
            format!("/api/v1/mentorships/{id}/sessions"),
            format!("/api/v1/mentorships/{id}/sessions/{sid}"),
            format!("/api/v1/mentorships/{id}/reviews"),
            format!("/api/v1/mentorships/{id}/reviews/{rid}"),
            format!("/api/v1/mentorships/{id}/growth"),
        ]
    };
    let on_a_paths = mentorship_paths(&id_a, &sid_a, &rid_a);
    let on_b_paths = mentorship_paths(&id_b, &sid_b, &rid_b);
    let own = [
        "/api/v1/me/plan",
        "/api/v1/me/plan/history",
        "/api/v1/me/growth",
        "/api/v1/me/file",
        "/api/v1/me/export",
        "/api/v1/notifications",
    ]
    .map(str::to_owned)
    .to_vec();
    let admin_paths = [
        "/api/v1/admin/reports/program",
        "/api/v1/admin/reports/program?format=csv",
        "/api/v1/admin/mentoring-tree",
        "/api/v1/admin/federation",
    ]
    .map(str::to_owned)
    .to_vec();
    let public = [
        "/users/ada".to_owned(),
        "/users/ada/outbox".to_owned(),
        "/users/bo".to_owned(),
        "/users/bo/outbox".to_owned(),
        "/api/v1/members/ada/profile".to_owned(),
    ];

    // The member sees all of hers, and not her mentor's private note.
    let hers = seen(&a, Some(&ada), &[on_a_paths.clone(), own.clone()].concat()).await;
    let mut expected = vec![
        SHARED_NOTE,
        ACTION_ITEM,
        ADA_PRIVATE,
        SELF_COMMENT,
        MENTOR_COMMENT,
        PLAN_GOAL,
    ];
    assert_eq!(secrets_in(&hers), expected, "what Ada sees");
    // The counterpart sees what they share and his own note; not hers, not
    // her plan (kept at her instance).
    let his = seen(&b, Some(&bo), &[on_b_paths.clone(), own.clone()].concat()).await;
    expected = vec![
        SHARED_NOTE,
        ACTION_ITEM,
        BO_PRIVATE,
        SELF_COMMENT,
        MENTOR_COMMENT,
    ];
    assert_eq!(secrets_in(&his), expected, "what Bo sees");

    // Nobody else sees any of it: other members and admins of A and B,
    // members and admins of C, and anonymous callers anywhere.
    let eve = a.app.member("eve").await;
    let mallory = b.app.member("mallory").await;
    let carol = c.app.member("carol").await;
    let everything_a = [
        on_a_paths.clone(),
        own.clone(),
        admin_paths.clone(),
        public.to_vec(),
    ]
    .concat();
    let everything_b = [
        on_b_paths.clone(),
        own.clone(),
        admin_paths.clone(),
        public.to_vec(),
    ]
    .concat();
    let everything_c = [
        on_a_paths.clone(),
        on_b_paths.clone(),
        own.clone(),
        admin_paths.clone(),
        public.to_vec(),
    ]
    .concat();
    for (peer, caller, paths, who) in [
        (&a, Some(eve.as_str()), &everything_a, "another member of A"),
        (&a, Some(a.admin.as_str()), &everything_a, "A's admin"),
        (&a, None, &everything_a, "anonymous at A"),
        (
            &b,
            Some(mallory.as_str()),
            &everything_b,
            "another member of B",
        ),
        (&b, Some(b.admin.as_str()), &everything_b, "B's admin"),
        (&b, None, &everything_b, "anonymous at B"),
        (&c, Some(carol.as_str()), &everything_c, "a member of C"),
        (&c, Some(c.admin.as_str()), &everything_c, "C's admin"),
        (&c, None, &everything_c, "anonymous at C"),
    ] {
        let text = seen(peer, caller, paths).await;
        assert!(
            secrets_in(&text).is_empty(),
            "{who} saw {:?}",
            secrets_in(&text)
        );
    }
    // The other instances' tokens mean nothing here.
    for token in [&bo, &carol] {
        let text = seen(&a, Some(token), &on_a_paths).await;
        assert!(secrets_in(&text).is_empty());
    }
    // And C holds nothing of the mentorship at all.
    assert!(c.app.store.current_mentorships().await.unwrap().is_empty());
    let report: Value = c
        .app
        .get("/api/v1/admin/reports/program", Some(&c.admin))
        .await
        .expect(StatusCode::OK);
    assert_eq!(report["active_pairings"], 0);
    // Admins of A and B see the pairing in figures, not its content.
    for peer in [&a, &b] {
        let report = peer
            .app
            .get("/api/v1/admin/reports/program", Some(&peer.admin))
            .await
            .expect(StatusCode::OK);
        assert_eq!(report["active_pairings"], 1);
        assert_eq!(report["reviews_completed"], 1);
    }
}
