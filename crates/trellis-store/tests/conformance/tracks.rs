//! Career tracks: nominations through the stages of a cycle, and the append-only decision log.

use chrono::Duration;
use trellis_store::{Store, StoreError};
use trellis_test_macros::on_every_backend;

use crate::support::{account, ask, mentor_with_capacity, now, remote_person, tracks};

#[on_every_backend]
async fn a_nomination_runs_through_every_stage_to_an_induction(store: Store) {
    use trellis_core::track::{Decision, EvidenceRef, NominationState};
    let admin = account(&store, "root").await.id;
    let ada = account(&store, "ada").await.id;
    let sam = account(&store, "sam").await.id;
    let unit = account(&store, "unit").await.id;
    let global = account(&store, "global").await.id;
    let lead = account(&store, "lead").await.id;
    let cycle = tracks::cycle(&store, &[&[unit, sam], &[global, ada], &[lead]], admin).await;
    assert_eq!(cycle.cycle.stages.len(), 3);
    assert_eq!(cycle.cycle.stages[1].committee, [global, ada]);
    assert_eq!(
        cycle
            .members
            .iter()
            .map(|m| m.username.as_str())
            .collect::<Vec<_>>(),
        ["unit", "sam", "global", "ada", "lead"]
    );
    assert_eq!(store.cycle(cycle.id).await.unwrap(), cycle);

    // Sam sponsors Ada; Ada picks the evidence from her own file.
    let plan: trellis_core::plan::CareerPlan = serde_json::from_value(serde_json::json!({
        "goals": [{"title": "Lead", "target_skills": [{"skill": "networking.dns", "level": 6}]}]
    }))
    .unwrap();
    store.put_plan(ada, &plan, now()).await.unwrap();
    let sponsored = tracks::nominate(
        &store,
        cycle.id,
        sam,
        tracks::nomination(ada, Some(sam), vec![]),
    )
    .await
    .unwrap();
    assert_eq!(sponsored.nomination.target_rank, "Distinguished");
    assert_eq!(sponsored.state, NominationState::START);
    assert_eq!(sponsored.accepted_at, None);
    let start = now();
    let waiting = tracks::decide(&store, sponsored.id, unit, 0, Decision::Advance, start).await;
    assert!(
        matches!(
            waiting,
            Err(StoreError::Refused(trellis_core::CoreError::Conflict(_)))
        ),
        "not before the nominee accepts: {waiting:?}"
    );
    let by_sponsor = store
        .set_evidence(sponsored.id, sam, &[EvidenceRef::plan_version(1)], now())
        .await;
    assert!(matches!(
        by_sponsor,
        Err(StoreError::Refused(trellis_core::CoreError::Forbidden(_)))
    ));
    let accepted = store
        .set_evidence(sponsored.id, ada, &[EvidenceRef::plan_version(1)], now())
        .await
        .unwrap();
    assert!(accepted.accepted_at.is_some());
    assert_eq!(accepted.nomination.evidence, [EvidenceRef::plan_version(1)]);

    // Recusal: the sponsor on stage 1, the nominee on stage 2.
    let recused = tracks::decide(&store, sponsored.id, sam, 0, Decision::Advance, start).await;
    assert!(matches!(
        recused,
        Err(StoreError::Refused(trellis_core::CoreError::Forbidden(_)))
    ));
    let outcome = tracks::decide(&store, sponsored.id, unit, 0, Decision::Defer, start)
        .await
        .unwrap();
    assert_eq!(
        outcome.nomination.state,
        NominationState::InStage { stage: 0 }
    );
    let outcome = tracks::decide(
        &store,
        sponsored.id,
        unit,
        0,
        Decision::Advance,
        start + Duration::minutes(1),
    )
    .await
    .unwrap();
    assert_eq!(
        tracks::state(&outcome.nomination),
        NominationState::InStage { stage: 1 }
    );
    let again = store.set_evidence(sponsored.id, ada, &[], now()).await;
    assert!(again.is_err(), "evidence is settled once a stage decided");
    let own = tracks::decide(
        &store,
        sponsored.id,
        ada,
        1,
        Decision::Advance,
        start + Duration::minutes(2),
    )
    .await;
    assert!(matches!(
        own,
        Err(StoreError::Refused(trellis_core::CoreError::Forbidden(_)))
    ));
    let outcome = tracks::decide(
        &store,
        sponsored.id,
        global,
        1,
        Decision::Advance,
        start + Duration::minutes(2),
    )
    .await
    .unwrap();
    assert!(outcome.induction.is_none());
    let done = tracks::decide(
        &store,
        sponsored.id,
        lead,
        2,
        Decision::Advance,
        start + Duration::minutes(3),
    )
    .await
    .unwrap();
    assert_eq!(done.nomination.state, NominationState::Inducted);
    assert_eq!(done.nomination.log.len(), 4);
    let induction = done.induction.expect("the last approval inducts");
    assert_eq!(
        (
            induction.account_id,
            induction.rank.as_str(),
            induction.rank_position,
            induction.nomination_id
        ),
        (ada, "Distinguished", 1, sponsored.id)
    );
    assert_eq!(
        (induction.track_id, induction.cycle_id),
        (cycle.track_id, cycle.id)
    );
    assert_eq!(induction.track_name, "Technical leadership");
    assert_eq!(induction.cycle_name, "Spring");
    let held = store.inductions_of(ada).await.unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held, std::slice::from_ref(&induction));
    assert_eq!(store.induction(induction.id).await.unwrap(), induction);
    assert!(matches!(
        store.induction(uuid::Uuid::now_v7()).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.inductions_of(sam).await.unwrap().is_empty());
    let closed = tracks::decide(&store, sponsored.id, lead, 2, Decision::Advance, now()).await;
    assert!(closed.is_err(), "an induction closes the nomination");

    // Everyone sees it in their own list; a stranger does not.
    for member in [ada, sam, unit, lead] {
        let listed = store.nominations(None, Some(member)).await.unwrap();
        assert_eq!(listed.len(), 1, "{member}");
    }
    let stranger = account(&store, "eve").await.id;
    assert!(
        store
            .nominations(None, Some(stranger))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.nominations(Some(cycle.id), None).await.unwrap().len(),
        1
    );
}

#[on_every_backend]
async fn nominations_keep_to_the_cycle_the_track_and_the_nominees_file(store: Store) {
    use trellis_core::track::{Cycle, Decision, EvidenceRef, Stage};
    let admin = account(&store, "root").await.id;
    let ada = account(&store, "ada").await.id;
    let bo = account(&store, "bo").await.id;
    let unit = account(&store, "unit").await.id;
    let cycle = tracks::cycle(&store, &[&[unit]], admin).await;
    let track = store.track(cycle.track_id).await.unwrap();
    assert_eq!(track.track.ranks.len(), 3);
    assert_eq!(store.tracks().await.unwrap(), std::slice::from_ref(&track));
    let twice = store.create_track(&tracks::track(), admin, now()).await;
    assert!(matches!(twice, Err(StoreError::Refused(_))), "{twice:?}");

    // Bo's plan and mentorship are not Ada's evidence.
    let plan: trellis_core::plan::CareerPlan = serde_json::from_value(serde_json::json!({
        "goals": [{"title": "Grow"}]
    }))
    .unwrap();
    store.put_plan(bo, &plan, now()).await.unwrap();
    let mentor = mentor_with_capacity(&store, "grace", 2).await;
    let theirs = store
        .request_mentorship(&ask(mentor, bo), now())
        .await
        .unwrap();
    for evidence in [
        EvidenceRef::plan_version(1),
        EvidenceRef {
            kind: trellis_core::track::EvidenceKind::Mentorship,
            id: theirs.id,
        },
        EvidenceRef {
            kind: trellis_core::track::EvidenceKind::Session,
            id: uuid::Uuid::now_v7(),
        },
    ] {
        let refused = tracks::nominate(
            &store,
            cycle.id,
            ada,
            tracks::nomination(ada, None, vec![evidence]),
        )
        .await;
        assert!(
            matches!(
                refused,
                Err(StoreError::Refused(trellis_core::CoreError::Invalid { .. }))
            ),
            "{refused:?}"
        );
    }
    let mine = store
        .request_mentorship(&ask(mentor, ada), now())
        .await
        .unwrap();
    let evidence = EvidenceRef {
        kind: trellis_core::track::EvidenceKind::Mentorship,
        id: mine.id,
    };
    // An unknown rank, a sponsor naming evidence, a stranger submitting.
    let mut unknown = tracks::nomination(ada, None, vec![]);
    unknown.target_rank = "Intern".into();
    assert!(
        tracks::nominate(&store, cycle.id, ada, unknown)
            .await
            .is_err()
    );
    assert!(
        tracks::nominate(
            &store,
            cycle.id,
            bo,
            tracks::nomination(ada, Some(bo), vec![evidence])
        )
        .await
        .is_err()
    );
    assert!(
        tracks::nominate(&store, cycle.id, bo, tracks::nomination(ada, None, vec![]))
            .await
            .is_err()
    );
    assert!(
        store
            .nominations(Some(cycle.id), None)
            .await
            .unwrap()
            .is_empty(),
        "nothing was kept"
    );

    let own = tracks::nominate(
        &store,
        cycle.id,
        ada,
        tracks::nomination(ada, None, vec![evidence]),
    )
    .await
    .unwrap();
    assert!(own.accepted_at.is_some(), "a self-nomination is accepted");
    assert_eq!(own.nomination.evidence, [evidence]);
    let second = tracks::nominate(
        &store,
        cycle.id,
        bo,
        tracks::nomination(ada, Some(bo), vec![]),
    )
    .await;
    assert!(
        matches!(
            second,
            Err(StoreError::Refused(trellis_core::CoreError::Conflict(_)))
        ),
        "{second:?}"
    );
    // Withdrawn by the nominee only; then nothing is decided on it.
    assert!(store.withdraw_nomination(own.id, bo, now()).await.is_err());
    let withdrawn = store.withdraw_nomination(own.id, ada, now()).await.unwrap();
    assert!(withdrawn.withdrawn_at.is_some());
    assert!(
        tracks::decide(&store, own.id, unit, 0, Decision::Advance, now())
            .await
            .is_err()
    );
    assert!(store.nomination(own.id).await.unwrap().log.is_empty());
    // Withdrawn, the member may be nominated again in the same cycle.
    tracks::nominate(
        &store,
        cycle.id,
        bo,
        tracks::nomination(ada, Some(bo), vec![]),
    )
    .await
    .unwrap();

    // A cycle that closed takes no nominations; committees are local members.
    let today = now().date_naive();
    let past = Cycle {
        name: "Last year".into(),
        opens: today - Duration::days(400),
        closes: today - Duration::days(300),
        stages: vec![Stage {
            name: "Only".into(),
            committee: vec![unit],
        }],
    };
    let past = store
        .create_cycle(track.id, &past, admin, now())
        .await
        .unwrap();
    let late = tracks::nominate(&store, past.id, bo, tracks::nomination(bo, None, vec![])).await;
    assert!(matches!(
        late,
        Err(StoreError::Refused(trellis_core::CoreError::Conflict(_)))
    ));
    let remote = store
        .upsert_remote_person(&remote_person("zed", "b.example"))
        .await
        .unwrap();
    let mut elsewhere = past_cycle(unit);
    elsewhere.stages[0].committee.push(remote.account_id);
    let refused = store.create_cycle(track.id, &elsewhere, admin, now()).await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Refused(trellis_core::CoreError::Invalid { .. }))
        ),
        "{refused:?}"
    );
    assert_eq!(store.cycles(Some(track.id), None).await.unwrap().len(), 2);
    assert_eq!(
        store
            .cycles(None, Some(today))
            .await
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect::<Vec<_>>(),
        [cycle.id],
        "only the cycle taking nominations today is open"
    );
}

fn past_cycle(member: uuid::Uuid) -> trellis_core::track::Cycle {
    let today = now().date_naive();
    trellis_core::track::Cycle {
        name: "Another".into(),
        opens: today,
        closes: today + Duration::days(30),
        stages: vec![trellis_core::track::Stage {
            name: "Only".into(),
            committee: vec![member],
        }],
    }
}

#[on_every_backend]
async fn the_decision_log_refuses_updates_and_deletes(store: Store) {
    use trellis_core::track::Decision;
    let admin = account(&store, "root").await.id;
    let ada = account(&store, "ada").await.id;
    let unit = account(&store, "unit").await.id;
    let cycle = tracks::cycle(&store, &[&[unit], &[unit]], admin).await;
    let own = tracks::nominate(&store, cycle.id, ada, tracks::nomination(ada, None, vec![]))
        .await
        .unwrap();
    tracks::decide(&store, own.id, unit, 0, Decision::Advance, now())
        .await
        .unwrap();
    let before = store.nomination(own.id).await.unwrap();
    for statement in [
        "UPDATE nomination_decisions SET rationale = 'Rewritten later.'",
        "UPDATE nomination_decisions SET decision = 'reject'",
        "DELETE FROM nomination_decisions",
    ] {
        let refused = store.execute_unchecked(statement).await;
        let message = format!("{refused:?}");
        assert!(message.contains("append-only"), "{statement}: {message}");
    }
    assert_eq!(
        store.nomination(own.id).await.unwrap(),
        before,
        "the log is as it was"
    );
}

#[on_every_backend]
async fn two_decisions_on_one_log_cannot_both_apply(store: Store) {
    use trellis_core::track::{Decision, NominationState};
    let admin = account(&store, "root").await.id;
    let first = account(&store, "first").await.id;
    let second = account(&store, "second").await.id;
    // Both sit on both stages: a late decision for stage 1 must not land on stage 2.
    let cycle = tracks::cycle(
        &store,
        &[&[first, second], &[first, second], &[first]],
        admin,
    )
    .await;
    for round in 0..5 {
        let nominee = account(&store, &format!("n{round}")).await.id;
        let own = tracks::nominate(
            &store,
            cycle.id,
            nominee,
            tracks::nomination(nominee, None, vec![]),
        )
        .await
        .unwrap();
        let at = now();
        let (x, y) = tokio::join!(
            tracks::decide(&store, own.id, first, 0, Decision::Advance, at),
            tracks::decide(&store, own.id, second, 0, Decision::Advance, at),
        );
        assert_eq!(
            u8::from(x.is_ok()) + u8::from(y.is_ok()),
            1,
            "round {round}: {x:?} / {y:?}"
        );
        let kept = store.nomination(own.id).await.unwrap();
        assert_eq!(kept.log.len(), 1);
        assert_eq!(kept.state, NominationState::InStage { stage: 1 });
    }
}
