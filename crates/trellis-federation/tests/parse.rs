//! Trellis reads what other ActivityPub software sends (real JSON from
//! Mastodon, Lemmy, Mbin and Fedify, in `assets/`), and reads back what
//! it sends itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use activitypub_federation::protocol::context::WithContext;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use trellis_federation::activities::{Accept, Follow, FollowRef, Undo};
use trellis_federation::actors::{ActorJson, ActorKind};
use trellis_federation::inbox::InboxActivity;
use trellis_federation::objects::MentorProfile;

fn asset<T: DeserializeOwned>(path: &str) -> T {
    let full = format!("{}/tests/assets/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} does not parse: {e}"))
}

#[test]
fn actors_of_other_software_parse() {
    let mastodon: ActorJson = asset("mastodon/person.json");
    assert_eq!(mastodon.kind().unwrap(), ActorKind::Person);
    assert_eq!(mastodon.preferred_username, "felix");
    assert_eq!(mastodon.public_key.owner, mastodon.id);
    assert_eq!(
        mastodon
            .endpoints
            .and_then(|e| e.shared_inbox)
            .map(String::from),
        Some("https://mastodon.madrid/inbox".to_owned())
    );
    assert!(
        mastodon
            .public_key
            .public_key_pem
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );

    for (path, kind, name) in [
        (
            "fedify/application.json",
            ActorKind::Instance,
            "fedify.example",
        ),
        ("fedify/person.json", ActorKind::Person, "fay"),
    ] {
        let fedify: ActorJson = asset(path);
        assert_eq!(fedify.kind().unwrap(), kind, "{path}");
        assert_eq!(fedify.preferred_username, name, "{path}");
        assert_eq!(fedify.public_key.owner, fedify.id, "{path}");
        assert!(
            fedify
                .public_key
                .public_key_pem
                .starts_with("-----BEGIN PUBLIC KEY-----")
        );
        assert_eq!(
            fedify
                .endpoints
                .and_then(|e| e.shared_inbox)
                .map(String::from),
            Some("https://fedify.example/inbox".to_owned()),
            "{path}: Fedify types its endpoints (`as:Endpoints`)"
        );
    }

    let lemmy: ActorJson = asset("lemmy/instance.json");
    assert_eq!(
        lemmy.kind().unwrap(),
        ActorKind::Instance,
        "Lemmy's instance actor is a Service"
    );
    assert_eq!(lemmy.name.as_deref(), Some("Enterprise"));
    assert!(lemmy.endpoints.is_none());
    assert_eq!(lemmy.preferred_username, "", "Lemmy leaves it off");
}

#[test]
fn partnership_activities_of_other_software_parse() {
    let follow: Follow = asset("lemmy/follow.json");
    assert_eq!(follow.object.as_str(), "http://enterprise.lemmy.ml/c/main");
    for path in [
        "lemmy/accept.json",
        "mbin/accept.json",
        "fedify/accept_embedded_follow.json",
    ] {
        let accept: Accept = asset(path);
        assert!(matches!(accept.object, FollowRef::Embedded(_)), "{path}");
        assert!(accept.object.id().as_str().starts_with("http"), "{path}");
    }
    let undo: Undo = asset("mastodon/undo_follow.json");
    assert_eq!(
        undo.object.id().as_str(),
        "https://masto.asonix.dog/1ea87517-63c5-4118-8831-460ee641b2cf"
    );

    // The inbox tells them apart.
    for (path, kind) in [
        ("lemmy/follow.json", "Follow"),
        ("lemmy/accept.json", "Accept"),
        ("mbin/accept.json", "Accept"),
        ("mastodon/undo_follow.json", "Undo"),
        ("fedify/follow.json", "Follow"),
        ("fedify/accept_embedded_follow.json", "Accept"),
        ("fedify/undo_follow.json", "Undo"),
    ] {
        let activity: serde_json::Value = asset(path);
        let parsed = kind_of(activity);
        assert_eq!(parsed, kind, "{path}");
    }
}

fn kind_of(activity: serde_json::Value) -> &'static str {
    kind(&serde_json::from_value::<InboxActivity>(activity).unwrap())
}

fn kind(activity: &InboxActivity) -> &'static str {
    match activity {
        InboxActivity::Follow(_) => "Follow",
        InboxActivity::Accept(_) => "Accept",
        InboxActivity::Reject(_) => "Reject",
        InboxActivity::Undo(_) => "Undo",
        InboxActivity::Profile(_) => "Profile",
        InboxActivity::Delete(_) => "Delete",
        InboxActivity::Offer(_) => "Offer",
        InboxActivity::OfferAnswer(_) => "OfferAnswer",
        InboxActivity::MentorshipUpdate(_) => "MentorshipUpdate",
        InboxActivity::Session(_) => "Session",
        InboxActivity::Review(_) => "Review",
        InboxActivity::Growth(_) => "Growth",
        InboxActivity::Move(_) => "Move",
        InboxActivity::Endorsement(_) => "Endorsement",
        InboxActivity::EndorsementWithdrawal(_) => "EndorsementWithdrawal",
    }
}

#[test]
fn mentorship_activities_are_told_apart_from_partnership_and_profile_ones() {
    let mentorship = json!({
        "type": "Mentorship",
        "id": "https://a.example/mentorships/0190",
        "mentor": "https://b.example/users/bo",
        "mentee": "https://a.example/users/ada",
        "state": "requested",
        "content": "Could you help me with DNS?",
        "goals": "Run our resolvers",
        "published": "2026-11-22T10:00:00Z"
    });
    let offer_ref = json!({
        "id": "https://a.example/mentorships/0190#offer",
        "type": "Offer",
        "actor": "https://a.example/users/ada",
        "object": "https://a.example/mentorships/0190"
    });
    let offer = json!({
        "id": "https://a.example/mentorships/0190#offer",
        "type": "Offer",
        "actor": "https://a.example/users/ada",
        "to": "https://b.example/users/bo",
        "object": mentorship,
    });
    assert_eq!(kind_of(offer), "Offer");
    for (kind, actor) in [
        ("Accept", "https://b.example/users/bo"),
        ("Reject", "https://b.example/users/bo"),
        ("Undo", "https://a.example/users/ada"),
    ] {
        let answer = json!({
            "id": "https://b.example/activities/1",
            "type": kind,
            "actor": actor,
            "object": offer_ref,
        });
        assert_eq!(kind_of(answer), "OfferAnswer", "{kind}");
    }
    let mut paused = mentorship.clone();
    paused["state"] = json!("paused");
    let update = json!({
        "id": "https://b.example/activities/2",
        "type": "Update",
        "actor": "https://b.example/users/bo",
        "object": paused,
    });
    assert_eq!(kind_of(update), "MentorshipUpdate");
    // A state outside the machine is no mentorship update at all.
    let mut odd = mentorship;
    odd["state"] = json!("archived");
    let update = json!({
        "id": "https://b.example/activities/3",
        "type": "Update",
        "actor": "https://b.example/users/bo",
        "object": odd,
    });
    assert!(serde_json::from_value::<InboxActivity>(update).is_err());

    let session = json!({
        "id": "https://a.example/activities/4",
        "type": "Create",
        "actor": "https://a.example/users/ada",
        "object": {
            "type": "MentoringSession",
            "id": "https://a.example/sessions/0191",
            "mentorship": "https://a.example/mentorships/0190",
            "attributedTo": "https://a.example/users/ada",
            "startTime": "2026-11-22T10:00:00Z",
            "durationMinutes": 45,
            "topics": ["DNSSEC"],
            "content": "Shared notes",
            "actionItems": [{"text": "Read RFC 9364", "owner": "mentee", "done": false}]
        }
    });
    assert_eq!(kind_of(session), "Session");
    let review = json!({
        "id": "https://b.example/activities/0193",
        "type": "Update",
        "actor": "https://b.example/users/bo",
        "to": ["https://a.example/users/ada"],
        "object": {
            "type": "SkillReview",
            "id": "https://a.example/reviews/0192",
            "mentorship": "https://a.example/mentorships/0190",
            "attributedTo": "https://a.example/users/ada",
            "skills": ["networking.dns"],
            "startTime": "2026-11-22T10:00:00Z",
            "mentorPart": {"ratings": [{"skill": "networking.dns", "rating": 4, "comment": "Solid"}]}
        }
    });
    assert_eq!(kind_of(review), "Review");
    // As FEDERATION.md shows a growth summary.
    let growth = json!({
        "id": "https://a.example/activities/0194",
        "type": "Update",
        "actor": "https://a.example/users/ada",
        "to": ["https://b.example/users/bo"],
        "object": {
            "type": "GrowthSummary",
            "id": "https://a.example/mentorships/0190/growth",
            "mentorship": "https://a.example/mentorships/0190",
            "attributedTo": "https://a.example/users/ada",
            "published": "2026-11-22T10:00:00Z",
            "growth": {
                "reviews": 1,
                "skills": [{"skill": "networking.dns", "points": [
                    {"at": "2026-11-22T10:00:00Z", "self_rating": 3, "mentor_rating": 4}
                ]}],
                "plan_skills": ["networking.dns"],
                "drift": {"outcome": "not_enough_reviews", "have": 1, "need": 3}
            }
        }
    });
    assert_eq!(kind_of(growth), "Growth");
}

/// An endorsement as FEDERATION.md shows it.
fn endorsement() -> serde_json::Value {
    json!({
        "id": "https://b.example/activities/0195",
        "type": "Create",
        "actor": "https://b.example/users/bo",
        "to": ["https://a.example/users/ada"],
        "object": {
            "type": "Endorsement",
            "id": "https://b.example/endorsements/0196",
            "attributedTo": "https://b.example/users/bo",
            "subject": "https://a.example/users/ada",
            "mentorship": "https://a.example/mentorships/0190",
            "skill": "networking.dns",
            "content": "Ran our DNSSEC rollover calmly and by the book.",
            "published": "2026-11-22T10:00:00Z"
        }
    })
}

#[test]
fn endorsements_are_told_apart_from_sessions_reviews_and_profiles() {
    use trellis_federation::endorsements::EndorsementActivity;
    assert_eq!(kind_of(endorsement()), "Endorsement");
    let mut with_credential = endorsement();
    with_credential["object"]["credential"] = json!("eyJhbGciOiJSUzI1NiJ9.eyJqdGkiOiIxIn0.c2ln");
    let InboxActivity::Endorsement(parsed) =
        serde_json::from_value::<InboxActivity>(with_credential.clone()).unwrap()
    else {
        panic!("not an endorsement");
    };
    assert_eq!(
        parsed.object.credential.as_deref(),
        Some("eyJhbGciOiJSUzI1NiJ9.eyJqdGkiOiIxIn0.c2ln"),
        "kept as sent"
    );
    assert_eq!(serde_json::to_value(&parsed).unwrap(), with_credential);
    // Without a credential the field is left out, not sent as null.
    let plain: EndorsementActivity = serde_json::from_value(endorsement()).unwrap();
    assert!(
        serde_json::to_value(&plain).unwrap()["object"]
            .get("credential")
            .is_none()
    );
    // An endorsement names its subject: without one it is nothing we accept.
    let mut no_subject = endorsement();
    no_subject["object"]
        .as_object_mut()
        .unwrap()
        .remove("subject");
    assert!(serde_json::from_value::<InboxActivity>(no_subject).is_err());
    // Nor is an `Update` of one.
    let mut update = endorsement();
    update["type"] = json!("Update");
    assert!(serde_json::from_value::<InboxActivity>(update).is_err());

    // Its withdrawal is a `Delete` of a `Tombstone` that says it was an
    // endorsement; any other `Delete` is a profile's.
    let withdrawal = json!({
        "id": "https://b.example/activities/0197",
        "type": "Delete",
        "actor": "https://b.example/users/bo",
        "to": ["https://a.example/users/ada"],
        "object": {
            "type": "Tombstone",
            "id": "https://b.example/endorsements/0196",
            "formerType": "Endorsement"
        }
    });
    assert_eq!(kind_of(withdrawal.clone()), "EndorsementWithdrawal");
    let parsed: trellis_federation::endorsements::EndorsementWithdrawal =
        serde_json::from_value(withdrawal.clone()).unwrap();
    assert_eq!(serde_json::to_value(&parsed).unwrap(), withdrawal);
    let mut of_profile = withdrawal.clone();
    of_profile["object"] =
        json!({"type": "Tombstone", "id": "https://b.example/users/bo/mentor-profile"});
    assert_eq!(kind_of(of_profile), "Delete");
    let mut by_id = withdrawal;
    by_id["object"] = json!("https://b.example/users/bo/mentor-profile");
    assert_eq!(kind_of(by_id), "Delete");
}

#[test]
fn an_answer_may_name_the_follow_by_its_id() {
    let accept: Accept = serde_json::from_value(json!({
        "id": "https://b.example/activities/2",
        "type": "Accept",
        "actor": "https://b.example/actor",
        "object": "https://a.example/activities/1"
    }))
    .unwrap();
    assert!(matches!(accept.object, FollowRef::Id(_)));
    assert_eq!(
        accept.object.id().as_str(),
        "https://a.example/activities/1"
    );
}

#[test]
fn our_own_payloads_round_trip() {
    let follow = json!({
        "@context": trellis_federation::vocabulary::context(),
        "id": "https://a.example/activities/1",
        "type": "Follow",
        "actor": "https://a.example/actor",
        "object": "https://b.example/actor"
    });
    let parsed: WithContext<InboxActivity> = serde_json::from_value(follow.clone()).unwrap();
    assert!(matches!(parsed.inner(), InboxActivity::Follow(_)));

    let profile = json!({
        "@context": trellis_federation::vocabulary::context(),
        "id": "https://b.example/activities/3",
        "type": "Update",
        "actor": "https://b.example/users/bo",
        "to": ["https://a.example/actor"],
        "object": {
            "type": "MentorProfile",
            "id": "https://b.example/users/bo/mentor-profile",
            "attributedTo": "https://b.example/users/bo",
            "name": "Bo",
            "summary": "Routing",
            "content": "",
            "timezone": "Europe/Stockholm",
            "languages": ["sv"],
            "skills": [{"skill": "networking.dns", "level": 6, "wantsToGrow": false}],
            "mentoring": {"acceptingMentees": true, "capacity": 2, "hoursPerMonth": 4},
            "visibility": "federated"
        }
    });
    let parsed: WithContext<InboxActivity> = serde_json::from_value(profile.clone()).unwrap();
    let InboxActivity::Profile(activity) = parsed.inner() else {
        panic!("not a profile activity");
    };
    let again: Value = serde_json::to_value(&activity.object).unwrap();
    assert_eq!(again, profile["object"]);
    let object: MentorProfile = serde_json::from_value(again).unwrap();
    assert_eq!(object, activity.object);
}

/// One activity of every kind an inbox takes, with references as ids.
fn one_of_each_kind() -> Vec<(&'static str, Value, &'static [&'static str])> {
    let a_actor = "https://a.example/actor";
    let b_actor = "https://b.example/actor";
    let ada = "https://a.example/users/ada";
    let bo = "https://b.example/users/bo";
    let follow = json!({
        "id": "https://a.example/activities/1", "type": "Follow",
        "actor": a_actor, "object": b_actor
    });
    let answer = |kind: &str| json!({"id": "https://b.example/activities/2", "type": kind, "actor": b_actor, "object": follow});
    let mut undo = answer("Undo");
    undo["actor"] = json!(a_actor);
    undo["id"] = json!("https://a.example/activities/3");
    let mentorship = json!({
        "type": "Mentorship", "id": "https://a.example/mentorships/0190",
        "mentor": bo, "mentee": ada, "state": "requested",
        "content": "Could you help me with DNS?", "goals": "Run our resolvers",
        "published": "2026-11-22T10:00:00Z"
    });
    let offer = json!({
        "id": "https://a.example/mentorships/0190#offer", "type": "Offer",
        "actor": ada, "to": bo, "object": mentorship
    });
    let offer_answer = json!({
        "id": "https://b.example/activities/4", "type": "Accept", "actor": bo,
        "object": {"id": "https://a.example/mentorships/0190#offer", "type": "Offer",
                   "actor": ada, "object": "https://a.example/mentorships/0190"}
    });
    let mut paused = mentorship.clone();
    paused["state"] = json!("paused");
    let update = json!({"id": "https://b.example/activities/5", "type": "Update", "actor": bo, "object": paused});
    let profile = json!({
        "id": "https://b.example/activities/6", "type": "Update", "actor": bo, "to": [a_actor],
        "object": {
            "type": "MentorProfile", "id": "https://b.example/users/bo/mentor-profile",
            "attributedTo": bo, "name": "Bo", "summary": "Routing", "content": "",
            "languages": ["sv"], "skills": [{"skill": "networking.dns", "level": 6}],
            "mentoring": {"acceptingMentees": true, "capacity": 2, "hoursPerMonth": 4},
            "visibility": "federated"
        }
    });
    let delete = json!({
        "id": "https://b.example/activities/7", "type": "Delete", "actor": bo,
        "object": "https://b.example/users/bo/mentor-profile"
    });
    let session = json!({
        "id": "https://a.example/activities/8", "type": "Create", "actor": ada,
        "object": {
            "type": "MentoringSession", "id": "https://a.example/sessions/0191",
            "mentorship": "https://a.example/mentorships/0190", "attributedTo": ada,
            "startTime": "2026-11-22T10:00:00Z", "durationMinutes": 45, "topics": ["DNSSEC"],
            "content": "Shared notes", "actionItems": []
        }
    });
    let review = json!({
        "id": "https://b.example/activities/9", "type": "Update", "actor": bo, "to": [ada],
        "object": {
            "type": "SkillReview", "id": "https://a.example/reviews/0192",
            "mentorship": "https://a.example/mentorships/0190", "attributedTo": ada,
            "skills": ["networking.dns"], "startTime": "2026-11-22T10:00:00Z",
            "mentorPart": {"ratings": [{"skill": "networking.dns", "rating": 4, "comment": ""}]}
        }
    });
    let growth = json!({
        "id": "https://a.example/activities/10", "type": "Update", "actor": ada, "to": [bo],
        "object": {
            "type": "GrowthSummary", "id": "https://a.example/mentorships/0190/growth",
            "mentorship": "https://a.example/mentorships/0190", "attributedTo": ada,
            "published": "2026-11-22T10:00:00Z",
            "growth": {"reviews": 0, "skills": [], "plan_skills": [],
                       "drift": {"outcome": "not_enough_reviews", "have": 0, "need": 3}}
        }
    });
    let moved = json!({
        "id": "https://a.example/activities/11", "type": "Move", "actor": ada,
        "object": ada, "target": "https://c.example/users/ada",
        "to": ["https://c.example/users/ada"]
    });
    let withdrawal = json!({
        "id": "https://b.example/activities/12", "type": "Delete", "actor": bo, "to": [ada],
        "object": {"type": "Tombstone", "id": "https://b.example/endorsements/0196",
                   "formerType": "Endorsement"}
    });
    vec![
        ("Follow", follow.clone(), &["/actor", "/object"][..]),
        (
            "Accept",
            answer("Accept"),
            &["/actor", "/object/actor", "/object/object"][..],
        ),
        (
            "Reject",
            answer("Reject"),
            &["/actor", "/object/actor", "/object/object"][..],
        ),
        (
            "Undo",
            undo,
            &["/actor", "/object/actor", "/object/object"][..],
        ),
        ("Profile", profile, &["/actor", "/object/attributedTo"][..]),
        ("Delete", delete, &["/actor", "/object"][..]),
        (
            "Offer",
            offer,
            &["/actor", "/object/mentor", "/object/mentee"][..],
        ),
        (
            "OfferAnswer",
            offer_answer,
            &["/actor", "/object/actor"][..],
        ),
        (
            "MentorshipUpdate",
            update,
            &["/actor", "/object/mentor", "/object/mentee"][..],
        ),
        ("Session", session, &["/actor", "/object/attributedTo"][..]),
        ("Review", review, &["/actor", "/object/attributedTo"][..]),
        ("Growth", growth, &["/actor", "/object/attributedTo"][..]),
        ("Move", moved, &["/actor", "/object", "/target"][..]),
        (
            "Endorsement",
            endorsement(),
            &["/actor", "/object/attributedTo"][..],
        ),
        ("EndorsementWithdrawal", withdrawal, &["/actor"][..]),
    ]
}

/// `value` with the reference at `pointer` replaced by the object it
/// names, as a peer that embeds objects (Fedify, by default) sends it.
fn embedded(mut value: Value, pointer: &str) -> Value {
    let slot = value
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer}"));
    let id = slot
        .as_str()
        .unwrap_or_else(|| panic!("{pointer} is no id"))
        .to_owned();
    let kind = if id.ends_with("/actor") {
        "Organization"
    } else if id.ends_with("/mentor-profile") {
        "MentorProfile"
    } else {
        "Person"
    };
    *slot = json!({"id": id, "type": kind, "name": "Embedded as a whole"});
    value
}

#[test]
fn every_kind_takes_embedded_objects_where_activitystreams_allows_them() {
    use activitypub_federation::traits::Activity;
    let kinds = one_of_each_kind();
    assert_eq!(kinds.len(), 15, "one of each kind in InboxActivity");
    for (kind, plain, pointers) in kinds {
        let as_ids = serde_json::from_value::<InboxActivity>(plain.clone())
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(kind_of(plain.clone()), kind);
        // Each reference embedded alone, then all of them at once.
        let mut all = plain.clone();
        for pointer in pointers {
            all = embedded(all, pointer);
            let one = embedded(plain.clone(), pointer);
            let parsed = serde_json::from_value::<InboxActivity>(one)
                .unwrap_or_else(|e| panic!("{kind} with {pointer} embedded: {e}"));
            assert_eq!(self::kind(&parsed), kind, "{pointer}");
            assert_eq!(parsed.id(), as_ids.id(), "{kind} {pointer}");
            assert_eq!(parsed.actor(), as_ids.actor(), "{kind} {pointer}");
        }
        let parsed = serde_json::from_value::<InboxActivity>(all.clone())
            .unwrap_or_else(|e| panic!("{kind} with everything embedded: {e}\n{all}"));
        assert_eq!(self::kind(&parsed), kind);
        assert_eq!(parsed.id(), as_ids.id(), "{kind}");
        assert_eq!(parsed.actor(), as_ids.actor(), "{kind}");
    }
}

#[test]
fn fedify_s_accept_names_the_follow_and_its_parties_by_id() {
    let accept: Accept = asset("fedify/accept_embedded_follow.json");
    assert_eq!(
        accept.object.id().as_str(),
        "https://trellis.example/activities/0193a1b2-follow"
    );
    let FollowRef::Embedded(follow) = &accept.object else {
        panic!("Fedify embeds the Follow");
    };
    assert_eq!(
        follow.actor.inner().as_str(),
        "https://trellis.example/actor"
    );
    assert_eq!(follow.object.as_str(), "https://fedify.example/actor");
    let undo: Undo = asset("fedify/undo_follow.json");
    assert_eq!(
        undo.object.id().as_str(),
        "https://fedify.example/activities/follow-2"
    );
}
