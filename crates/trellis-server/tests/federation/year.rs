//! A year of one mentorship across two instances: weekly sessions,
//! quarterly reviews and a change of plan, then the long-term file as each
//! side holds it — the growth timeline, the drift insight (on the mentee's
//! instance and, shared, on the mentor's), the export against its schema,
//! and the report — and what is left when the mentorship is over.

use chrono::{Duration, SecondsFormat, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use trellis_store::Backend;
use trellis_testing::{check_archive, eventually, on_every_backend};

use crate::mentorships::{pair_across, reviews_of, sessions_of, step};
use crate::partnership::{Peer, partnered};

const DNS: &str = "networking.dns";
const ROUTING: &str = "networking.routing";
const PG: &str = "databases.schema-migrations";

fn plan_aiming_at(skill: &str) -> Value {
    json!({"goals": [{
        "title": "Grow where the work needs me",
        "target_role": "Staff engineer",
        "target_skills": [{"skill": skill, "level": 5}],
        "milestones": [{"title": "Lead one migration", "due": "2027-06-30", "status": "in_progress"}]
    }]})
}

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}

/// One quarter's review: `starter` starts it on their side, each party
/// rates at home (the same levels: self and mentor agree here), and both
/// sides see it completed.
async fn quarterly_review(
    (a, ada, on_a): (&Peer, &str, &Value),
    (b, bo, on_b): (&Peer, &str, &Value),
    mentee_starts: bool,
    levels: &[(&str, u8)],
) {
    let done_before = reviews_of(a, ada, on_a).await.len();
    let (starter, token, m) = if mentee_starts {
        (a, ada, on_a)
    } else {
        (b, bo, on_b)
    };
    // The mentee's instance knows her profile's skills; the mentor names
    // them (her profile is not shared beyond her organization).
    let skills: Vec<&str> = levels.iter().map(|(skill, _)| *skill).collect();
    let body = if mentee_starts {
        json!({})
    } else {
        json!({"skills": skills})
    };
    starter
        .app
        .post(
            &format!("/api/v1/mentorships/{}/reviews", id(m)),
            Some(token),
            body,
        )
        .await
        .expect(StatusCode::CREATED);
    eventually("both sides have the review", || async {
        reviews_of(a, ada, on_a).await.len() == done_before + 1
            && reviews_of(b, bo, on_b).await.len() == done_before + 1
    })
    .await;
    let ratings: Vec<Value> = levels
        .iter()
        .map(|(skill, level)| json!({"skill": skill, "rating": level, "comment": "Seen in the work"}))
        .collect();
    for (peer, token, m) in [(a, ada, on_a), (b, bo, on_b)] {
        // Oldest first: this quarter's is the last.
        let review = reviews_of(peer, token, m).await.pop().unwrap();
        peer.app
            .put(
                &format!("/api/v1/mentorships/{}/reviews/{}/part", id(m), id(&review)),
                Some(token),
                json!({"ratings": ratings}),
            )
            .await
            .expect(StatusCode::OK);
    }
    let completed = |reviews: Vec<Value>| reviews.last().is_some_and(|r| r["state"] == "completed");
    eventually("both sides have it completed", || async {
        completed(reviews_of(a, ada, on_a).await) && completed(reviews_of(b, bo, on_b).await)
    })
    .await;
}

/// Ada's growth as she sees it at A, and as Bo sees it at B once A has
/// shared the growth after `reviews` completed reviews.
async fn growth_on_both_sides(
    (a, ada): (&Peer, &str),
    (b, bo, on_b): (&Peer, &str, &Value),
    reviews: usize,
    plan_skill: &str,
) -> (Value, Value) {
    let path = format!("/api/v1/mentorships/{}/growth", id(on_b));
    let shared = || async {
        let reply = b.app.get(&path, Some(bo)).await;
        (reply.status == StatusCode::OK).then_some(reply.body)
    };
    eventually("B has Ada's growth as it is now", || async {
        shared()
            .await
            .is_some_and(|g| g["reviews"] == reviews && g["plan_skills"] == json!([plan_skill]))
    })
    .await;
    let home = a
        .app
        .get("/api/v1/me/growth", Some(ada))
        .await
        .expect(StatusCode::OK);
    (home, shared().await.unwrap())
}

/// The drift outcome's tag.
fn outcome(growth: &Value) -> &str {
    growth["drift"]["outcome"].as_str().unwrap()
}

#[on_every_backend]
async fn a_year_of_mentoring_across_two_instances(backend: Backend) {
    let (a, b) = partnered(backend).await;
    let (bo, ada, on_a, on_b) = pair_across(&a, &b, "organization").await;
    a.app
        .set_profile(
            &ada,
            json!({"languages": ["en"], "visibility": "organization", "skills": [
                {"skill": DNS, "level": 2}, {"skill": ROUTING, "level": 2}, {"skill": PG, "level": 2}
            ]}),
        )
        .await;
    a.app
        .put("/api/v1/me/plan", Some(&ada), plan_aiming_at(DNS))
        .await
        .expect(StatusCode::OK);
    let sides = ((&a, ada.as_str(), &on_a), (&b, bo.as_str(), &on_b));

    // 52 weekly sessions, the last one today; each side logs every other.
    let today = Utc::now();
    for week in 0..52i64 {
        let held_at = today - Duration::weeks(51 - week);
        let (peer, token, m) = if week % 2 == 0 {
            (&a, &ada, &on_a)
        } else {
            (&b, &bo, &on_b)
        };
        peer.app
            .post(
                &format!("/api/v1/mentorships/{}/sessions", id(m)),
                Some(token),
                json!({
                    "held_at": held_at.to_rfc3339_opts(SecondsFormat::Secs, true),
                    "duration_minutes": 45,
                    "topics": [format!("Week {}", week + 1)],
                    "notes": "Worked through the week's incidents",
                }),
            )
            .await
            .expect(StatusCode::CREATED);
        // Each quarter ends with a review; who starts it alternates.
        if week % 13 == 12 {
            let quarter = week / 13;
            let levels: &[(&str, u8)] = match quarter {
                0 => &[(DNS, 3), (ROUTING, 2), (PG, 2)],
                1 => &[(DNS, 3), (ROUTING, 2), (PG, 3)],
                2 => &[(DNS, 3), (ROUTING, 3), (PG, 4)],
                _ => &[(DNS, 3), (ROUTING, 3), (PG, 5)],
            };
            quarterly_review(sides.0, sides.1, quarter % 2 == 0, levels).await;
            match quarter {
                1 => {
                    let (home, shared) = growth_on_both_sides((&a, &ada), sides.1, 2, DNS).await;
                    assert_eq!(outcome(&home), "not_enough_reviews");
                    assert_eq!(home["drift"], shared["drift"]);
                }
                2 => {
                    // DNS, the plan, stalled at 3 while schema migrations
                    // rose from 2 to 4 and routing from 2 to 3: drift,
                    // seen by Ada at home and by Bo at his instance alike.
                    let (home, shared) = growth_on_both_sides((&a, &ada), sides.1, 3, DNS).await;
                    assert_eq!(outcome(&home), "drift", "{home}");
                    let insight = &home["drift"];
                    assert_eq!(insight["plan_rise"], 0);
                    assert_eq!(insight["off_plan_rise"], 3);
                    assert_eq!(insight["off_plan_rises"][0]["skill"], PG);
                    assert_eq!(insight["off_plan_rises"][0]["rise"], 2);
                    assert!(insight["question"].as_str().unwrap().contains(PG));
                    assert_eq!(shared["drift"], home["drift"]);
                    assert_eq!(shared["skills"], home["skills"]);
                    // Ada follows where the work took her: the plan now
                    // aims at schema migrations, and drift starts afresh.
                    a.app
                        .put("/api/v1/me/plan", Some(&ada), plan_aiming_at(PG))
                        .await
                        .expect(StatusCode::OK);
                    let (home, shared) = growth_on_both_sides((&a, &ada), sides.1, 3, PG).await;
                    assert_eq!(
                        home["drift"],
                        json!({"outcome": "not_enough_reviews", "have": 0, "need": 3})
                    );
                    assert_eq!(shared["drift"], home["drift"]);
                }
                _ => {}
            }
        }
    }

    // Both sides hold the whole year.
    eventually("both sides have every session", || async {
        sessions_of(&a, &ada, &on_a).await.len() == 52
            && sessions_of(&b, &bo, &on_b).await.len() == 52
    })
    .await;
    let (home, shared) = growth_on_both_sides((&a, &ada), sides.1, 4, PG).await;
    assert_eq!(home["reviews"], 4);
    let levels = |growth: &Value, skill: &str| -> Vec<u64> {
        growth["skills"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["skill"] == skill)
            .unwrap()["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["mentor_rating"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(levels(&home, DNS), [3, 3, 3, 3]);
    assert_eq!(levels(&home, ROUTING), [2, 2, 3, 3]);
    assert_eq!(levels(&home, PG), [2, 3, 4, 5]);
    assert_eq!(
        home["drift"],
        json!({"outcome": "not_enough_reviews", "have": 1, "need": 3})
    );
    assert_eq!(shared["skills"], home["skills"]);

    // The file: every session, review and plan change, on one timeline.
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    let mut page = 1;
    loop {
        let got = a
            .app
            .get(
                &format!("/api/v1/me/file?page={page}&per_page=25"),
                Some(&ada),
            )
            .await
            .expect(StatusCode::OK);
        let entries = got["entries"].as_array().unwrap();
        for e in entries {
            *kinds
                .entry(e["kind"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
        if entries.is_empty() || page * 25 >= got["total"].as_u64().unwrap() {
            break;
        }
        page += 1;
    }
    assert_eq!(kinds["session"], 52);
    assert_eq!(kinds["review"], 4);
    assert_eq!(kinds["plan"], 2);

    // The export, against its schema.
    let archive = a
        .app
        .get("/api/v1/me/export", Some(&ada))
        .await
        .expect(StatusCode::OK);
    let typed = check_archive(&archive);
    assert_eq!(typed.plan_history.len(), 2);
    assert_eq!(
        archive["mentorships"][0]["sessions"]
            .as_array()
            .unwrap()
            .len(),
        52
    );
    assert_eq!(
        archive["mentorships"][0]["reviews"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    // The reports count the same year on each side: five sessions in the
    // last 30 days, four reviews out of four.
    for peer in [&a, &b] {
        let report = peer
            .app
            .get("/api/v1/admin/reports/program", Some(&peer.admin))
            .await
            .expect(StatusCode::OK);
        assert_eq!(report["active_pairings"], 1);
        assert_eq!(report["sessions_last_30_days"], 5);
        assert_eq!(report["at_risk"], 0);
        assert_eq!(report["reviews_completed"], 4);
        assert_eq!(report["review_completion"], 1.0);
    }

    // Nobody but Bo reads the shared growth at B; and once the mentorship
    // is over, B keeps no copy of it.
    let path = format!("/api/v1/mentorships/{}/growth", id(&on_b));
    let mallory = b.app.member("mallory").await;
    for token in [Some(mallory.as_str()), Some(b.admin.as_str()), None] {
        assert_ne!(b.app.get(&path, token).await.status, StatusCode::OK);
    }
    step(&b, &bo, &on_b, "complete", "A good year").await;
    let gone = b.app.get(&path, Some(&bo)).await;
    assert_eq!(gone.status, StatusCode::CONFLICT, "{}", gone.message());
    assert!(
        b.app
            .get(
                &format!("/api/v1/mentorships/{}/reviews", id(&on_b)),
                Some(&bo)
            )
            .await
            .expect(StatusCode::OK)
            .as_array()
            .unwrap()
            .len()
            == 4,
        "the reviews stay in Bo's file, as his side of the mentorship"
    );
}
