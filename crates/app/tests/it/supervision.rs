//! Every step on the same durable clocks (issue 12 item 7), on SQLite and PostgreSQL: a lead's
//! verification, a case's investigation and review, and an aid item's review, approval and payment warn, open 督办 items at the level above
//! and close them when the step is done; the supervisor writes an instruction, the responsible
//! unit replies, each once, and only they may.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use jiujinan_app::AppError;
use jiujinan_app::aid::AidInput;
use jiujinan_app::calendar::parse_beijing_datetime;
use jiujinan_app::cases::{Verification, Verified};
use jiujinan_app::clock::Clock;

both!(
    a_late_verification_is_supervised_instructed_answered_and_resolved,
    each_case_step_runs_on_its_own_clock,
    a_transferred_lead_keeps_its_clock_at_the_new_office,
    each_aid_step_runs_on_its_own_clock,
);

const HOUR: i64 = 3_600_000;

async fn a_late_verification_is_supervised_instructed_answered_and_resolved(t: T) {
    let approver = user(&t.app, "cy_approver", "110105:mz", "district_approver").await;
    let other = user(&t.app, "hd_approver", "110108:mz", "district_approver").await;
    let (lead, _) = t.app.record_lead(&t.clerk, &walk_in(), None).await.unwrap();
    let d = t.app.test_store().deadline(&format!("{}-verify", lead.id)).await.unwrap().expect("a verification clock");
    assert_eq!(
        (d.step.as_str(), d.subject_type.as_str(), d.case_number.as_str(), d.responsible_unit.as_str()),
        ("lead.verify", "lead", lead.number.as_str(), "110105001:mz")
    );
    assert_eq!((d.responsible_user.as_str(), d.due_ms, d.warn_ms), ("jw_clerk", T0 + 2 * HOUR, T0 + HOUR));
    assert_eq!(d.rule, "limits/verify/critical@0", "the clock names the time limit that set it");

    t.clock.set_now(T0 + HOUR + 1);
    let r = t.app.run_supervision().await.unwrap();
    assert_eq!((r.warned, r.overdue), (1, 0), "{r:?}");
    t.clock.set_now(T0 + 2 * HOUR + 1);
    assert_eq!(t.app.run_supervision().await.unwrap().overdue, 1);
    let items = t.app.supervision_list(&approver, true).await.unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    let item = &items[0];
    assert_eq!(
        (item.step.as_str(), item.subject_type.as_str(), item.subject_id.as_str(), item.case_number.as_str()),
        ("lead.verify", "lead", lead.id.as_str(), lead.number.as_str())
    );
    assert_eq!(
        (item.level, item.responsible_unit.as_str(), item.supervising_unit.as_str()),
        (1, "110105001:mz", "110105:mz"),
        "the district supervises its street's office"
    );
    assert_eq!(t.app.supervision_list(&t.reviewer, true).await.unwrap().len(), 1, "the street sees its own item");
    let steps: Vec<String> =
        t.app.lead_for(&t.reviewer, &lead.id, false).await.unwrap().timeline.into_iter().map(|s| s.step).collect();
    assert!(steps.contains(&"deadline_warning".into()) && steps.contains(&"overdue".into()), "{steps:?}");

    // A reply answers an instruction: none before it.
    let early = t.app.reply_supervision(&t.reviewer, &item.id, "已安排").await.unwrap_err();
    assert_eq!(early.code(), "SUPERVISION_NOT_INSTRUCTED");
    // The instruction: the supervising unit only, once, with words.
    for who in [&t.clerk, &t.reviewer] {
        let e = t.app.instruct_supervision(who, &item.id, "请今日完成核查").await.unwrap_err();
        assert!(matches!(e, AppError::Forbidden), "{}: {e:?}", who.username);
    }
    assert!(matches!(t.app.instruct_supervision(&other, &item.id, "x").await, Err(AppError::NotFound)));
    let e = t.app.instruct_supervision(&approver, &item.id, "  ").await.unwrap_err();
    assert_eq!((e.code(), e.field()), ("INSTRUCTION_REQUIRED", Some("instruction")));
    t.app.instruct_supervision(&approver, &item.id, "请今日完成核查，结果报区民政局").await.unwrap();
    let again = t.app.instruct_supervision(&approver, &item.id, "再次督办").await.unwrap_err();
    assert_eq!(again.code(), "SUPERVISION_NOTED");

    // The reply: the responsible unit only, once.
    assert!(matches!(t.app.reply_supervision(&approver, &item.id, "已办").await, Err(AppError::Forbidden)));
    t.app.reply_supervision(&t.reviewer, &item.id, "已安排入户核查").await.unwrap();
    assert_eq!(t.app.reply_supervision(&t.chief, &item.id, "已办").await.unwrap_err().code(), "SUPERVISION_NOTED");
    let noted = t.app.test_store().supervision_item(&item.id).await.unwrap().unwrap();
    assert_eq!(
        (noted.instruction.as_str(), noted.instruction_by.as_str(), noted.instruction_ms),
        ("请今日完成核查，结果报区民政局", "cy_approver", T0 + 2 * HOUR + 1)
    );
    assert_eq!((noted.reply.as_str(), noted.reply_by.as_str()), ("已安排入户核查", "jw_reviewer"));
    assert_eq!(noted.resolved_ms, 0, "writing does not close the item: doing the step does");
    let community = user(&t.app, "jw_community", "110105001024", "community_worker").await;
    assert!(jiujinan_app::supervision::visible_to(&community, vec![noted.clone()]).is_empty(), "not for 社区");
    assert_eq!(jiujinan_app::supervision::visible_to(&t.reviewer, vec![noted]).len(), 1);

    // Verifying is the step: the clock stops, the item is resolved, the investigation's clock starts.
    t.clock.set_now(T0 + 3 * HOUR);
    let Verified::CaseOpened { case_id, number } = t
        .app
        .verify_lead(
            &t.reviewer,
            &lead.id,
            lead_version(&t, &lead.id).await,
            Verification::Accept { documents_pending: false },
        )
        .await
        .unwrap()
    else {
        panic!("expected a case")
    };
    assert!(t.app.supervision_list(&approver, true).await.unwrap().is_empty());
    let done = t.app.test_store().supervision_item(&item.id).await.unwrap().unwrap();
    assert_eq!(done.resolved_ms, T0 + 3 * HOUR);
    let verify = t.app.test_store().deadline(&format!("{}-verify", lead.id)).await.unwrap().unwrap();
    assert_eq!((verify.state.as_str(), verify.closed_ms), ("met", T0 + 3 * HOUR));
    let e = t.app.instruct_supervision(&approver, &item.id, "补充督办").await.unwrap_err();
    assert_eq!(e.code(), "SUPERVISION_RESOLVED");
    let clocks = t.app.test_store().deadlines_of_case(&case_id).await.unwrap();
    let open: Vec<(&str, &str, &str)> = clocks
        .iter()
        .filter(|d| d.state == "open")
        .map(|d| (d.step.as_str(), d.case_number.as_str(), d.responsible_user.as_str()))
        .collect();
    assert_eq!(open, vec![("case.investigate", number.as_str(), "jw_reviewer")]);
    let steps: Vec<String> =
        t.app.lead_for(&t.reviewer, &lead.id, false).await.unwrap().timeline.into_iter().map(|s| s.step).collect();
    for s in ["supervision_instructed", "supervision_replied", "accepted"] {
        assert!(steps.iter().any(|x| x == s), "the lead's timeline has {s}: {steps:?}");
    }
}

async fn lead_version(t: &T, id: &str) -> i64 {
    t.app.test_store().lead(id).await.unwrap().unwrap().version
}

async fn each_case_step_runs_on_its_own_clock(t: T) {
    let approver = user(&t.app, "cy_approver", "110105:mz", "district_approver").await;
    let (lead, _) = t.app.record_lead(&t.clerk, &walk_in(), None).await.unwrap();
    let Verified::CaseOpened { case_id, .. } =
        t.app.verify_lead(&t.reviewer, &lead.id, 1, Verification::Accept { documents_pending: false }).await.unwrap()
    else {
        panic!("expected a case")
    };
    // A critical case: 24 hours to investigate, then 24 to review (rule data, placeholders).
    assert_eq!(open_steps(&t, &case_id).await, vec![("case.investigate".to_owned(), T0 + 24 * HOUR)]);
    t.clock.set_now(T0 + 25 * HOUR);
    let r = t.app.run_supervision().await.unwrap();
    assert_eq!(r.overdue, 1, "the investigation is late (the verification was done in time): {r:?}");
    let items = t.app.supervision_list(&approver, true).await.unwrap();
    assert_eq!(items.iter().map(|i| i.step.as_str()).collect::<Vec<_>>(), vec!["case.investigate"]);
    assert_eq!(items[0].subject_type, "case");

    t.app.record_investigation(&t.reviewer, &case_id, "home_visit", None, "入户核实，情况属实").await.unwrap();
    t.app.submit_for_review(&t.reviewer, &case_id, 1).await.unwrap();
    assert!(t.app.supervision_list(&approver, true).await.unwrap().is_empty(), "submitting ends the investigation");
    let review = open_steps(&t, &case_id).await;
    assert_eq!(review, vec![("case.review".to_owned(), t.clock.now_ms() + 24 * HOUR)]);
    let reason = "请补充收入证明".to_owned();
    t.app.send_back(&t.reviewer, &case_id, 2, &reason).await.unwrap();
    assert_eq!(open_steps(&t, &case_id).await[0].0, "case.investigate", "sent back: investigating again");
    t.app.submit_for_review(&t.reviewer, &case_id, 3).await.unwrap();
    t.app.record_review(&t.reviewer, &case_id, 4, "建议临时救助", &["refer".into()]).await.unwrap();
    assert!(open_steps(&t, &case_id).await.is_empty(), "reviewed: no case step is running");
}

async fn open_steps(t: &T, case_id: &str) -> Vec<(String, i64)> {
    let ds = t.app.test_store().deadlines_of_case(case_id).await.unwrap();
    ds.into_iter().filter(|d| d.state == "open").map(|d| (d.step, d.due_ms)).collect()
}

async fn a_transferred_lead_keeps_its_clock_at_the_new_office(t: T) {
    let (lead, _) = t.app.record_lead(&t.clerk, &walk_in(), None).await.unwrap();
    t.clock.set_now(T0 + HOUR / 2);
    t.app
        .verify_lead(&t.reviewer, &lead.id, 1, Verification::Transfer { location_code: "110108001001".into() })
        .await
        .unwrap();
    let d = t.app.test_store().deadline(&format!("{}-verify", lead.id)).await.unwrap().unwrap();
    assert_eq!(
        (d.state.as_str(), d.responsible_unit.as_str(), d.division.as_str(), d.responsible_user.as_str()),
        ("open", "110108001:mz", "110108001001", "")
    );
    assert_eq!(d.due_ms, T0 + 2 * HOUR, "the clock runs on from the first contact");
    t.clock.set_now(T0 + 3 * HOUR);
    t.app.run_supervision().await.unwrap();
    let items = t.app.supervision_list(&t.haidian, true).await.unwrap();
    assert_eq!(
        items.iter().map(|i| (i.responsible_unit.as_str(), i.supervising_unit.as_str())).collect::<Vec<_>>(),
        vec![("110108001:mz", "110108:mz")]
    );
}

/// The open aid clocks of a case: (step, responsible unit, due).
async fn aid_clocks(t: &T, case_id: &str) -> Vec<(String, String, i64)> {
    let ds = t.app.test_store().deadlines_of_case(case_id).await.unwrap();
    ds.into_iter()
        .filter(|d| d.state == "open" && d.subject_type == "aid")
        .map(|d| (d.step, d.responsible_unit, d.due_ms))
        .collect()
}

async fn each_aid_step_runs_on_its_own_clock(t: T) {
    let approver = user(&t.app, "cy_approver", "110105:mz", "district_approver").await;
    let at = |s: &str| parse_beijing_datetime(s).unwrap();
    // Monday 30 November: ten working days to review end with Monday 14 December.
    t.clock.set_now(at("2026-11-30T09:00"));
    let fund = t.app.create_fund(&t.hotline, "110105:mz", "budget", "朝阳区临时救助资金").await.unwrap();
    t.app.deposit(&t.hotline, &fund, 10_000_000, "区级预算").await.unwrap();
    let case_id = reviewed_case(&t, walk_in()).await;
    let input = AidInput {
        kind: "cash".into(),
        aid_type: "emergency".into(),
        cause: "FIRE".into(),
        tier: 1,
        description: "火灾后基本生活救助".into(),
        fund_id: fund.clone(),
        ..Default::default()
    };
    let id = t.app.propose_aid(&t.clerk, &case_id, input.clone()).await.unwrap();
    let street = "110105001:mz".to_owned();
    assert_eq!(aid_clocks(&t, &case_id).await, vec![("aid.review".into(), street.clone(), at("2026-12-15T00:00"))]);

    t.clock.set_now(at("2026-12-15T00:01"));
    let r = t.app.run_supervision().await.unwrap();
    assert_eq!(r.overdue, 1, "{r:?}");
    let items = t.app.supervision_list(&approver, true).await.unwrap();
    assert_eq!(
        items.iter().map(|i| (i.step.as_str(), i.subject_type.as_str(), i.case_id.as_str())).collect::<Vec<_>>(),
        vec![("aid.review", "aid", case_id.as_str())],
        "the district chases its street's late review"
    );

    // Reviewing is the step: the item is resolved and the approval's clock starts at the
    // level the amount needs (the street, within its ceiling).
    t.app.review_aid(&t.reviewer, &id, 1, "情况属实").await.unwrap();
    assert!(t.app.supervision_list(&approver, true).await.unwrap().is_empty());
    let now = t.clock.now_ms();
    assert_eq!(aid_clocks(&t, &case_id).await, vec![("aid.approve".into(), street.clone(), at("2026-12-30T00:00"))]);
    assert!(now < at("2026-12-30T00:00"));
    t.app.approve_aid(&t.chief, &id, 2, "同意").await.unwrap();
    let pay = aid_clocks(&t, &case_id).await;
    assert_eq!((pay[0].0.as_str(), pay[0].1.as_str(), pay.len()), ("aid.pay", street.as_str(), 1));
    t.app.pay_aid(&t.clerk, &id, 3, "bank", "工行转账 20261215-001").await.unwrap();
    assert!(aid_clocks(&t, &case_id).await.is_empty(), "paid: no aid step is running");

    // 一事一议 needs the district: its approval clock is the district bureau's.
    let special = AidInput {
        special: true,
        amount_fen: Some(500_000),
        change_reason: "重大火灾，一事一议".into(),
        cause: "MEDICAL_EXPENSE".into(),
        ..input
    };
    let big = t.app.propose_aid(&t.clerk, &case_id, special).await.unwrap();
    t.app.review_aid(&t.reviewer, &big, 1, "建议一事一议").await.unwrap();
    let approve = aid_clocks(&t, &case_id).await;
    assert_eq!((approve[0].0.as_str(), approve[0].1.as_str(), approve.len()), ("aid.approve", "110105:mz", 1));
    t.app.refuse_aid(&approver, &big, 2, "不符合一事一议条件").await.unwrap_or_else(|e| panic!("{e:?}"));
    assert!(aid_clocks(&t, &case_id).await.is_empty(), "refused: the clock stops");
}
