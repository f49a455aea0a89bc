//! Career plans kept as versions, and growth shared with mentors elsewhere.

use trellis_core::mentorship::MentorshipState;
use trellis_core::visibility::Visibility;
use trellis_store::{Store, StoreError};
use trellis_test_macros::on_every_backend;

use crate::support::{account, ask, key, mentor_profile, now, remote_account, step_to, under_way};

#[on_every_backend]
async fn plans_are_kept_as_versions(store: Store) {
    let ada = account(&store, "ada").await.id;
    assert_eq!(store.plan(ada).await.unwrap(), None);
    let plan = |skill: &str| -> trellis_core::plan::CareerPlan {
        serde_json::from_value(serde_json::json!({"goals": [{
            "title": "Grow", "target_skills": [{"skill": skill, "level": 5}]
        }]}))
        .unwrap()
    };
    let first = store
        .put_plan(ada, &plan("networking.dns"), now())
        .await
        .unwrap();
    assert_eq!(first.version, 1);
    let same = store
        .put_plan(ada, &plan("networking.dns"), now())
        .await
        .unwrap();
    assert_eq!(same.version, 1, "an unchanged plan adds no version");
    let second = store
        .put_plan(ada, &plan("networking.routing"), now())
        .await
        .unwrap();
    assert_eq!(second.version, 2);
    assert_eq!(store.plan(ada).await.unwrap(), Some(second.clone()));
    let history = store.plan_history(ada).await.unwrap();
    assert_eq!(
        history.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(history[0].plan, plan("networking.dns"));
    let eve = account(&store, "eve").await.id;
    assert!(store.plan_history(eve).await.unwrap().is_empty());
}

#[on_every_backend]
async fn growth_is_shared_with_mentors_elsewhere_and_kept_while_under_way(store: Store) {
    use trellis_core::growth::{DriftOutcome, Growth};
    use trellis_store::OutboxEvent;
    let plan = |skill: &str| -> trellis_core::plan::CareerPlan {
        serde_json::from_value(serde_json::json!({"goals": [{
            "title": "Grow", "target_skills": [{"skill": skill, "level": 5}]
        }]}))
        .unwrap()
    };
    // Sending: a mentee here whose mentor is elsewhere.
    let lin = account(&store, "lin").await.id;
    let far = remote_account(&store, "grace", "c.example").await;
    let offers = mentor_profile(Visibility::Federated, &[], &["en"]);
    store.put_profile(far, &offers, now()).await.unwrap();
    let shares = |store: Store| async move {
        store
            .next_outbox_events(100)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.event == OutboxEvent::GrowthShared { mentee_id: lin })
            .count()
    };
    store
        .put_plan(lin, &plan("networking.dns"), now())
        .await
        .unwrap();
    assert_eq!(
        shares(store.clone()).await,
        0,
        "no mentor to share with yet"
    );
    let asked = store
        .request_mentorship(&ask(far, lin), now())
        .await
        .unwrap();
    assert_eq!(
        shares(store.clone()).await,
        0,
        "a request is not a mentorship"
    );
    store
        .step_mentorship(
            &step_to(
                asked.id,
                MentorshipState::Requested,
                MentorshipState::Active,
                far,
            ),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(shares(store.clone()).await, 1, "the new mentor gets it");
    store
        .put_plan(lin, &plan("networking.routing"), now())
        .await
        .unwrap();
    assert_eq!(
        shares(store.clone()).await,
        2,
        "and again when the plan changes"
    );
    store
        .put_plan(lin, &plan("networking.routing"), now())
        .await
        .unwrap();
    assert_eq!(
        shares(store.clone()).await,
        2,
        "an unchanged plan is no change"
    );

    // Receiving: a mentor here whose mentee is elsewhere.
    let (m, mentor, _) = under_way(&store, true).await;
    assert_eq!(store.shared_growth(m).await.unwrap(), None);
    let growth = |reviews: usize| Growth {
        reviews,
        skills: Vec::new(),
        plan_skills: vec![key("networking.dns")],
        drift: DriftOutcome::NotEnoughReviews {
            have: reviews,
            need: 3,
        },
    };
    // Whole seconds: every backend keeps them exactly.
    let start = chrono::Timelike::with_nanosecond(&now(), 0).unwrap();
    let at = move |minutes: i64| start + chrono::Duration::minutes(minutes);
    let receive = |g: Growth, shared: i64, activity: &'static str| {
        let store = store.clone();
        async move {
            store
                .receive_shared_growth(m, &g, at(shared), activity, now())
                .await
        }
    };
    receive(growth(1), 10, "https://b.example/activities/1")
        .await
        .unwrap();
    let kept = || async { store.shared_growth(m).await.unwrap().unwrap() };
    assert_eq!(
        (kept().await.growth.reviews, kept().await.shared_at),
        (1, at(10))
    );
    receive(growth(0), 5, "https://b.example/activities/2")
        .await
        .unwrap();
    assert_eq!(
        kept().await.growth.reviews,
        1,
        "an older share arriving late changes nothing"
    );
    receive(growth(9), 30, "https://b.example/activities/1")
        .await
        .unwrap();
    assert_eq!(
        kept().await.growth.reviews,
        1,
        "a repeated activity changes nothing"
    );
    receive(growth(2), 20, "https://b.example/activities/3")
        .await
        .unwrap();
    assert_eq!(kept().await.growth, growth(2));
    // The copy goes with the mentorship, and none is taken after.
    store
        .step_mentorship(
            &step_to(
                m,
                MentorshipState::Active,
                MentorshipState::Completed,
                mentor,
            ),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(store.shared_growth(m).await.unwrap(), None);
    assert!(matches!(
        receive(growth(3), 40, "https://b.example/activities/4").await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.shared_growth(m).await.unwrap(), None);
}
