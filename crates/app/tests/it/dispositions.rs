//! Disposition on SQLite and PostgreSQL: closed-loop referrals, overdue steps on the
//! working-day calendar with supervision and escalation, the joint meeting, aid first,
//! shelter and the way home, disease emergency aid, closure, rule edits and paused clocks,
//! and two supervisors on one database firing each deadline once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::sync::Arc;

use common::*;
use jiujinan_app::auth::Actor;
use jiujinan_app::calendar::parse_beijing_datetime;
use jiujinan_app::cases::{Verification, Verified};
use jiujinan_app::clock::{Clock, ManualClock};
use jiujinan_app::dispositions::ActionInput;
use jiujinan_app::rules::RuleInput;
use jiujinan_app::{App, AppError, AppSettings};
use jiujinan_domain::disposition::{ActionDetails, ActionStatus};

both!(
    referrals_close_the_loop_and_overdue_steps_escalate,
    meeting_aid_first_shelter_disease_emergency_and_closure,
    time_limit_edits_and_paused_clocks,
    programme_versions_take_effect_on_their_date,
    a_charity_match_is_in_the_sending_streets_inbox,
);

/// A charity match has no receiving unit: the street that sent it works it and finds it in its
/// own inbox (and the street's home page counts it), not only on the case page.
async fn a_charity_match_is_in_the_sending_streets_inbox(t: T) {
    let case_id = reviewed_case(&t, walk_in()).await;
    let input = ActionInput {
        route: "charity".into(),
        to_party: "北京市慈善协会 · 助医项目".into(),
        request: "对接慈善助医项目".into(),
        ..Default::default()
    };
    let id = t.app.create_action(&t.reviewer, &case_id, input).await.unwrap();
    let inbox: Vec<String> = t.app.inbox(&t.reviewer, None, 50, 0).await.unwrap().into_iter().map(|a| a.id).collect();
    assert_eq!(inbox, vec![id.clone()], "in the street's inbox");
    let work = t.app.work_waiting(&t.reviewer).await.unwrap();
    let waiting: i64 = work
        .iter()
        .filter(|w| {
            matches!(
                w.kind,
                jiujinan_app::work::WorkKind::ReferralsToAccept | jiujinan_app::work::WorkKind::ReferralsInProgress
            )
        })
        .map(|w| w.count)
        .sum();
    assert_eq!(waiting, 1, "and counted on its home page");
    let haidian = t.app.inbox(&t.haidian, None, 50, 0).await.unwrap();
    assert!(haidian.is_empty(), "not in another street's");
}

fn at(s: &str) -> i64 {
    parse_beijing_datetime(s).unwrap()
}

fn refer(programme: &str, request: &str) -> ActionInput {
    ActionInput { route: "refer".into(), programme: programme.into(), request: request.into(), ..Default::default() }
}

async fn referrals_close_the_loop_and_overdue_steps_escalate(t: T) {
    let health = user(&t.app, "cy_health", "110105:wj", "department_handler").await;
    let relief = user(&t.app, "cy_relief", "110105:jzz", "relief_station_staff").await;
    let approver = user(&t.app, "cy_approver", "110105:mz", "district_approver").await;
    // Wednesday 30 September 2026, the day before the National Day holiday.
    t.clock.set_now(at("2026-09-30T10:00"));
    let case_id = reviewed_case(&t, walk_in()).await;
    let case = t.app.test_store().case_by_id(&case_id).await.unwrap().unwrap();
    let suggested = t.app.suggest_routes(&case).await.unwrap();
    assert!(suggested.iter().any(|s| s.route == "aid_first"), "a critical case suggests aid first: {suggested:?}");
    assert!(suggested.iter().any(|s| s.programme == "housing" && s.to_unit == "110105:zj" && !s.reason_zh.is_empty()));

    // 1. Refer to the district health commission, which accepts and feeds back.
    assert_eq!(
        t.app.create_action(&t.reviewer, &case_id, refer("nonsense", "x")).await.unwrap_err().code(),
        "UNKNOWN_PROGRAMME"
    );
    let e = t.app.create_action(&t.reviewer, &case_id, refer(" ", "x")).await.unwrap_err();
    assert_eq!((e.code(), e.field()), ("PROGRAMME_REQUIRED", Some("programme")));
    assert_eq!(
        t.app.create_action(&t.reviewer, &case_id, refer("medical", " ")).await.unwrap_err().code(),
        "REQUEST_REQUIRED"
    );
    let r1 =
        t.app.create_action(&t.reviewer, &case_id, refer("medical", "住院费用自付部分申请医疗救助")).await.unwrap();
    assert!(matches!(t.app.create_action(&health, &case_id, refer("medical", "x")).await, Err(AppError::Forbidden)));
    let inbox = t.app.inbox(&health, Some("sent"), 50, 0).await.unwrap();
    assert_eq!(inbox.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), vec![r1.as_str()]);
    let view = t.app.action_for(&health, &r1).await.unwrap();
    assert_eq!(view.accountable_unit, "110105001:mz", "the first-inquiry holder is accountable until acceptance");
    assert!(matches!(t.app.action_for(&relief, &r1).await, Err(AppError::NotFound)), "other departments do not see it");
    assert!(matches!(t.app.accept_action(&relief, &r1, 1).await, Err(AppError::NotFound)));
    assert!(t.app.case_for(&health, &case_id, false).await.is_ok(), "the receiving department may open the case");
    assert!(matches!(t.app.case_for(&relief, &case_id, false).await, Err(AppError::NotFound)));
    let all = jiujinan_store::LeadFilter { limit: 50, ..Default::default() };
    assert!(matches!(t.app.case_queue(&health, &all).await, Err(AppError::Forbidden)), "not the district's queue");
    assert!(matches!(t.app.lead_queue(&health, &all).await, Err(AppError::Forbidden)));
    assert!(matches!(t.app.accept_action(&health, &r1, 7).await, Err(AppError::StaleVersion)));
    let accepted = t.app.accept_action(&health, &r1, 1).await.unwrap();
    assert_eq!((accepted.status.code(), accepted.accepted_by.as_str()), ("accepted", "cy_health"));
    assert_eq!(t.app.accept_action(&health, &r1, 2).await.unwrap_err().code(), "ALREADY_ANSWERED");
    assert_eq!(t.app.action_for(&health, &r1).await.unwrap().accountable_unit, "110105:wj");
    assert_eq!(t.app.feed_back(&health, &r1, 2, "maybe", "x", 0).await.unwrap_err().code(), "UNKNOWN_OUTCOME");
    assert_eq!(t.app.feed_back(&health, &r1, 2, "granted", "x", -1).await.unwrap_err().code(), "NEGATIVE_AMOUNT");
    let done = t.app.feed_back(&health, &r1, 2, "granted", "核定医疗救助 5000 元", 500_000).await.unwrap();
    assert_eq!((done.status.code(), done.outcome.as_str(), done.amount_fen), ("completed", "granted", 500_000));
    let clocks = t.app.test_store().deadlines_of_case(&case_id).await.unwrap();
    let mut r1_clocks: Vec<_> =
        clocks.iter().filter(|d| d.subject_id == r1).map(|d| (d.step.as_str(), d.state.as_str())).collect();
    r1_clocks.sort();
    assert_eq!(r1_clocks, vec![("refer.accept", "met"), ("refer.feedback", "met")]);

    // 2. A second referral is returned with a reason and redirected.
    let r2 = t.app.create_action(&t.reviewer, &case_id, refer("major_illness", "重特大疾病医疗救助")).await.unwrap();
    let err = t.app.return_action(&health, &r2, 1, "  ").await.unwrap_err();
    assert_eq!((err.code(), err.field()), ("REASON_REQUIRED", Some("reason")));
    let returned = t.app.return_action(&health, &r2, 1, "不属于重特大疾病范围，请按临时救助办理").await.unwrap();
    assert_eq!(returned.status.code(), "returned");
    assert_eq!(t.app.accept_action(&health, &r2, 2).await.unwrap_err().code(), "ALREADY_ANSWERED");
    let not_returned = ActionInput { redirect_from: r1.clone(), ..refer("temporary", "改按临时救助办理") };
    assert_eq!(t.app.create_action(&t.reviewer, &case_id, not_returned).await.unwrap_err().code(), "REDIRECT_SOURCE");
    let redirect = ActionInput { redirect_from: r2.clone(), ..refer("temporary", "改按临时救助办理") };
    let r2b = t.app.create_action(&t.reviewer, &case_id, redirect).await.unwrap();
    let r2b = t.app.test_store().action(&r2b).await.unwrap().unwrap();
    assert_eq!((r2b.to_unit.as_str(), r2b.redirected_from.as_str()), ("110105:mz", r2.as_str()));
    approver_accepts(&t, &approver, &r2b.id).await;

    // 3. A third referral is left unanswered: three working days after Wednesday 30
    // September are Thursday 8, Friday 9 and the make-up Saturday 10 October.
    let r3 = t.app.create_action(&t.reviewer, &case_id, refer("employment", "就业援助")).await.unwrap();
    t.clock.set_now(at("2026-10-10T23:59"));
    let r = t.app.run_supervision().await.unwrap();
    assert_eq!(r.overdue, 0, "not overdue during the holiday nor on the make-up Saturday: {r:?}");
    assert!(r.warned >= 1, "a warning comes a day before the breach: {r:?}");
    t.clock.set_now(at("2026-10-11T00:01"));
    let r = t.app.run_supervision().await.unwrap();
    assert_eq!(r.overdue, 1, "{r:?}");
    assert_eq!(t.app.run_supervision().await.unwrap().overdue, 0, "a breach fires once");
    let items = t.app.supervision_list(&approver, true).await.unwrap();
    let item = items.iter().find(|i| i.step == "refer.accept").expect("a supervision item");
    assert_eq!(
        (item.level, item.responsible_unit.as_str(), item.supervising_unit.as_str()),
        (1, "110105:rs", "110105:mz"),
        "the district supervises its department"
    );
    assert!(
        t.app.supervision_list(&health, true).await.unwrap().is_empty(),
        "health is neither responsible nor supervising"
    );
    // Still unanswered two working days later (Monday 12 and Tuesday 13): escalated to the city.
    t.clock.set_now(at("2026-10-13T23:00"));
    assert_eq!(t.app.run_supervision().await.unwrap().escalated, 0);
    t.clock.set_now(at("2026-10-14T00:01"));
    assert_eq!(t.app.run_supervision().await.unwrap().escalated, 1);
    let all = t.app.test_store().supervision_of_case(&case_id).await.unwrap();
    let levels: Vec<(i64, &str)> = all.iter().map(|s| (s.level, s.supervising_unit.as_str())).collect();
    assert_eq!(levels, vec![(1, "110105:mz"), (2, "11:mz")]);
    let steps: Vec<String> =
        t.app.case_for(&t.reviewer, &case_id, false).await.unwrap().timeline.into_iter().map(|s| s.step).collect();
    for s in [
        "action_created",
        "action_accepted",
        "action_feedback",
        "action_returned",
        "deadline_warning",
        "overdue",
        "escalated",
    ] {
        assert!(steps.iter().any(|x| x == s), "timeline has {s}: {steps:?}");
    }
    let _ = r3;
}

async fn approver_accepts(t: &T, approver: &Actor, id: &str) {
    let a = t.app.accept_action(approver, id, 1).await.unwrap();
    assert_eq!(a.status.code(), "accepted");
}

async fn meeting_aid_first_shelter_disease_emergency_and_closure(t: T) {
    let health = user(&t.app, "cy_health", "110105:wj", "department_handler").await;
    let relief = user(&t.app, "cy_relief", "110105:jzz", "relief_station_staff").await;
    let approver = user(&t.app, "cy_approver", "110105:mz", "district_approver").await;
    let city_health = user(&t.app, "city_health", "11:wj", "department_handler").await;
    t.clock.set_now(at("2026-11-30T09:00"));
    let case_id = reviewed_case(&t, walk_in()).await;

    // Aid first: given at once, paperwork within five working days, chased when late.
    let aid = |amount_fen, given: &str| ActionInput {
        route: "aid_first".into(),
        request: "火灾后先行给予临时救助".into(),
        amount_fen,
        details: ActionDetails { given: given.into(), ..Default::default() },
        ..Default::default()
    };
    assert_eq!(t.app.create_action(&t.reviewer, &case_id, aid(0, "")).await.unwrap_err().code(), "AMOUNT_REQUIRED");
    let a = t.app.create_action(&t.reviewer, &case_id, aid(100_000, "棉被两床")).await.unwrap();
    let a_rec = t.app.test_store().action(&a).await.unwrap().unwrap();
    assert_eq!(a_rec.status.code(), "accepted", "aid first is given at once");
    assert!(matches!(t.app.feed_back(&t.reviewer, &a, 1, "granted", "x", 1).await, Err(AppError::InvalidTransition)));
    let clock =
        t.app.test_store().deadlines_of_case(&case_id).await.unwrap().into_iter().find(|d| d.subject_id == a).unwrap();
    assert_eq!((clock.step.as_str(), clock.due_ms), ("aid_first.paperwork", at("2026-12-08T00:00")));
    t.clock.set_now(at("2026-12-08T00:01"));
    assert_eq!(t.app.run_supervision().await.unwrap().overdue, 1);
    let open = t.app.supervision_list(&approver, true).await.unwrap();
    assert_eq!(open.iter().map(|i| i.responsible_unit.as_str()).collect::<Vec<_>>(), vec!["110105001:mz"]);
    t.app.complete_paperwork(&t.reviewer, &a, a_rec.version, "申请书、身份证明已补齐").await.unwrap();
    assert!(t.app.supervision_list(&approver, true).await.unwrap().is_empty(), "the item is resolved with the step");
    assert_eq!(t.app.supervision_list(&approver, false).await.unwrap().len(), 1, "and kept on record");

    // Escalation to the district joint meeting, a decision, and its follow-up.
    let e = t
        .app
        .create_action(
            &t.reviewer,
            &case_id,
            ActionInput {
                route: "joint_meeting".into(),
                request: "无对口救助政策，提请区联席会议研究".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        t.app.create_meeting(&t.reviewer, "110105", "x", "2026-12-10", &[]).await,
        Err(AppError::Forbidden)
    ));
    assert_eq!(
        t.app.create_meeting(&approver, "110105", "第四季度联席会议", "2026-12-40", &[]).await.unwrap_err().code(),
        "INVALID_DAY"
    );
    let m = t
        .app
        .create_meeting(
            &approver,
            "110105",
            "第四季度联席会议",
            "2026-12-10",
            &["110105:wj".into(), "110105:mz".into()],
        )
        .await
        .unwrap();
    let view = t.app.meeting_for(&approver, &m).await.unwrap();
    assert_eq!(view.waiting.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), vec![e.as_str()]);
    t.app.add_to_agenda(&approver, &m, &e).await.unwrap();
    assert_eq!(t.app.add_to_agenda(&approver, &m, &e).await.unwrap_err().code(), "ALREADY_ON_AGENDA");
    assert_eq!(
        t.app.test_store().action(&e).await.unwrap().unwrap().status,
        ActionStatus::Accepted,
        "on the agenda means accepted"
    );
    let d = t.app.add_decision(&approver, &m, &e, "由区卫健委牵头协调医疗费用减免", "110105:wj").await.unwrap();
    assert!(t.app.meeting_for(&health, &m).await.is_ok(), "the lead department sees the meeting");
    assert!(matches!(t.app.complete_decision(&relief, &d, "x").await, Err(AppError::NotFound)));
    t.app.complete_decision(&health, &d, "医院已减免费用 3000 元").await.unwrap();
    assert_eq!(t.app.complete_decision(&health, &d, "again").await.unwrap_err().code(), "DECISION_DONE");
    let e_rec = t.app.test_store().action(&e).await.unwrap().unwrap();
    assert_eq!(e_rec.status.code(), "completed", "all decisions carried out completes the escalation");
    let haidian = user(&t.app, "hd_approver", "110108:mz", "district_approver").await;
    assert!(matches!(t.app.record_minutes(&haidian, &m, 1, "x").await, Err(AppError::NotFound)), "not their district");
    assert!(matches!(t.app.add_decision(&haidian, &m, &e, "x", "110105:wj").await, Err(AppError::NotFound)));
    assert!(t.app.meetings(&relief).await.unwrap().is_empty(), "departments see the meetings they take part in");
    t.app.record_minutes(&approver, &m, 1, "会议研究了 1 件个案").await.unwrap();

    // Shelter for a person from another province, and the way home.
    let s = t
        .app
        .create_action(
            &t.reviewer,
            &case_id,
            ActionInput {
                route: "shelter".into(),
                request: "临时安置并协助返乡".into(),
                details: ActionDetails { home_province: "河北省".into(), ..Default::default() },
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(t.app.test_store().action(&s).await.unwrap().unwrap().to_unit, "110105:jzz");
    t.app.accept_action(&relief, &s, 1).await.unwrap();
    for (kind, detail) in [
        ("stay_in", "入站，单独安排男性寝室"),
        ("items_provided", "提供餐食、衣物"),
        ("home_contact", "联系保定市民政局，约定接站"),
        ("return_trip", "购买火车票，工作人员护送"),
        ("arrival_confirmed", "保定市救助站确认接回"),
    ] {
        t.app.record_event(&relief, &s, kind, None, detail).await.unwrap();
    }
    assert_eq!(t.app.record_event(&relief, &s, "teleport", None, "x").await.unwrap_err().code(), "UNKNOWN_EVENT");
    let s_rec = t.app.test_store().action(&s).await.unwrap().unwrap();
    t.app.feed_back(&relief, &s, s_rec.version, "granted", "已护送返回河北省保定市", 0).await.unwrap();
    assert_eq!(t.app.test_store().action_events(&s).await.unwrap().len(), 5);

    // Closing needs every action finished; the follow-up visit is then scheduled.
    let pending = t.app.create_action(&t.reviewer, &case_id, refer("housing", "危房修缮")).await.unwrap();
    assert_eq!(
        t.app.record_event(&t.reviewer, &pending, "stay_in", None, "入站").await.unwrap_err().code(),
        "EVENT_NOT_FOR_ROUTE",
        "a housing referral has no relief-station stay"
    );
    let version = t.app.test_store().case_by_id(&case_id).await.unwrap().unwrap().version;
    assert_eq!(t.app.close_case(&t.reviewer, &case_id, version, "已办结").await.unwrap_err().code(), "ACTIONS_OPEN");
    t.app.cancel_action(&t.reviewer, &pending, 1, "申请人已自行解决住房").await.unwrap();
    let v = t.app.close_case(&t.reviewer, &case_id, version, "各项救助均已落实").await.unwrap();
    assert_eq!(t.app.test_store().case_by_id(&case_id).await.unwrap().unwrap().status.code(), "closed");
    assert_eq!(
        t.app.create_action(&t.reviewer, &case_id, refer("housing", "x")).await.unwrap_err().code(),
        "CASE_CLOSED"
    );
    let followup =
        |ds: Vec<jiujinan_store::DeadlineRecord>| ds.into_iter().find(|d| d.step == "case.followup").unwrap();
    assert_eq!(followup(t.app.test_store().deadlines_of_case(&case_id).await.unwrap()).state, "open");
    t.app.record_followup(&t.reviewer, &case_id, "回访：已入住修缮后的住房").await.unwrap();
    assert_eq!(followup(t.app.test_store().deadlines_of_case(&case_id).await.unwrap()).state, "met");
    assert_eq!(t.app.reopen_case(&t.reviewer, &case_id, v, " ").await.unwrap_err().code(), "REASON_REQUIRED");
    t.app.reopen_case(&t.reviewer, &case_id, v, "申请人再次遇困").await.unwrap();
    assert_eq!(t.app.test_store().case_by_id(&case_id).await.unwrap().unwrap().status.code(), "reviewed");

    // A critically ill person of unknown identity: disease emergency aid, before any review.
    let mut unknown = walk_in();
    unknown.subject.name = "无名男子（约60岁）".into();
    unknown.subject.id_number = String::new();
    unknown.subject.phone = String::new();
    unknown.hardship_types = vec!["SUDDEN_ILLNESS".into()];
    unknown.channel = "department_transfer".into();
    let (lead, _) = t.app.record_lead(&t.clerk, &unknown, None).await.unwrap();
    let Verified::CaseOpened { case_id: sick, .. } =
        t.app.verify_lead(&t.reviewer, &lead.id, 1, Verification::Accept { documents_pending: true }).await.unwrap()
    else {
        panic!("expected a case")
    };
    let sick_case = t.app.test_store().case_by_id(&sick).await.unwrap().unwrap();
    let s = t.app.suggest_routes(&sick_case).await.unwrap();
    assert!(s.iter().any(|x| x.route == "disease_emergency" && x.to_unit == "11:wj"), "{s:?}");
    assert_eq!(
        t.app.create_action(&t.reviewer, &sick, refer("medical", "x")).await.unwrap_err().code(),
        "REVIEW_REQUIRED"
    );
    let de = ActionInput {
        route: "disease_emergency".into(),
        request: "主动核查：急诊抢救中，无法联系家属，申请疾病应急救助基金".into(),
        ..Default::default()
    };
    assert_eq!(t.app.create_action(&t.reviewer, &sick, de.clone()).await.unwrap_err().code(), "HOSPITAL_REQUIRED");
    let de = ActionInput { details: ActionDetails { hospital: "朝阳医院".into(), ..Default::default() }, ..de };
    let d_id = t.app.create_action(&t.reviewer, &sick, de).await.unwrap();
    let d_rec = t.app.test_store().action(&d_id).await.unwrap().unwrap();
    assert_eq!(d_rec.to_unit, "11:wj");
    assert!(d_rec.details.contains("\"identity_unknown\":true"), "{}", d_rec.details);
    t.app.accept_action(&city_health, &d_id, 1).await.unwrap();
    t.app.feed_back(&city_health, &d_id, 2, "granted", "基金已向朝阳医院支付抢救费用", 1_200_000).await.unwrap();
}

async fn time_limit_edits_and_paused_clocks(t: T) {
    t.clock.set_now(at("2026-11-30T09:00"));
    let case_id = reviewed_case(&t, walk_in()).await;
    let r = t.app.create_action(&t.reviewer, &case_id, refer("employment", "就业援助")).await.unwrap();
    let clock_of = |id: String| {
        let app = t.app.clone();
        async move {
            app.test_store()
                .deadlines_of_case(&case_id_of(&app, &id).await)
                .await
                .unwrap()
                .into_iter()
                .find(|d| d.subject_id == id)
                .unwrap()
        }
    };
    let d0 = clock_of(r.clone()).await;
    assert_eq!(d0.due_ms, at("2026-12-04T00:00"), "3 working days: 1, 2 and 3 December");

    let rule = |to_kind: &str, amount, apply| RuleInput {
        route: "refer".into(),
        step: "accept".into(),
        to_kind: to_kind.into(),
        unit: "working_days".into(),
        amount,
        warn_hours: 4,
        escalate_after_days: 1,
        effective_from: String::new(),
        source: "区政府办公室 2026 年通知".into(),
        apply_to_running: apply,
    };
    assert!(matches!(t.app.add_deadline_rule(&t.reviewer, rule("*", 5, false)).await, Err(AppError::Forbidden)));
    assert_eq!(t.app.add_deadline_rule(&t.hotline, rule("*", 0, false)).await.unwrap_err().code(), "INVALID_LIMIT");
    assert_eq!(
        t.app.add_deadline_rule(&t.hotline, rule("martians", 2, false)).await.unwrap_err().code(),
        "INVALID_UNIT_KIND"
    );
    // A rule for one receiving kind does not move the clocks of the general rule's other kinds.
    let added = t.app.add_deadline_rule(&t.hotline, rule("health", 1, true)).await.unwrap();
    assert_eq!(added.rescheduled, 0);
    assert_eq!(clock_of(r.clone()).await.due_ms, at("2026-12-04T00:00"));
    // Asked explicitly, running clocks under the replaced rule move.
    let added = t.app.add_deadline_rule(&t.hotline, rule("*", 1, true)).await.unwrap();
    assert_eq!(added.rescheduled, 1);
    assert_eq!(clock_of(r.clone()).await.due_ms, at("2026-12-02T00:00"));
    // Otherwise they keep their dates; only new clocks use the new limit.
    t.clock.set_now(at("2026-11-30T10:00"));
    let added = t.app.add_deadline_rule(&t.hotline, rule("*", 5, false)).await.unwrap();
    assert_eq!(added.rescheduled, 0);
    assert_eq!(clock_of(r.clone()).await.due_ms, at("2026-12-02T00:00"), "not rewritten");
    let other = t.app.create_action(&t.reviewer, &case_id, refer("education", "学费减免")).await.unwrap();
    assert_eq!(clock_of(other).await.due_ms, at("2026-12-08T00:00"), "5 working days from Monday 30 November");
    // An administrator declares Tuesday 1 December a holiday: new clocks skip it.
    assert!(matches!(
        t.app.set_calendar_day(&t.reviewer, "2026-12-01", Some((false, "x"))).await,
        Err(AppError::Forbidden)
    ));
    t.app.set_calendar_day(&t.hotline, "2026-12-01", Some((false, "临时休假"))).await.unwrap();
    let third = t.app.create_action(&t.reviewer, &case_id, refer("housing", "危房修缮")).await.unwrap();
    assert_eq!(clock_of(third).await.due_ms, at("2026-12-09T00:00"));
    t.app.set_calendar_day(&t.hotline, "2026-12-01", None).await.unwrap();

    // Pausing stops the clock (e.g. waiting for documents); resuming moves the deadline.
    let d = clock_of(r.clone()).await;
    assert_eq!(
        t.app.pause_clock(&t.reviewer, &d.id, d.version, Some(" ")).await.unwrap_err().code(),
        "REASON_REQUIRED"
    );
    t.app.pause_clock(&t.reviewer, &d.id, d.version, Some("等待申请人补充材料")).await.unwrap();
    assert_eq!(
        t.app.pause_clock(&t.reviewer, &d.id, d.version + 1, Some("again")).await.unwrap_err().code(),
        "CLOCK_STATE"
    );
    t.clock.set_now(at("2026-12-03T10:00"));
    assert_eq!(t.app.run_supervision().await.unwrap().overdue, 0, "a paused clock does not fall due");
    t.app.pause_clock(&t.reviewer, &d.id, d.version + 1, None).await.unwrap();
    let resumed = clock_of(r.clone()).await;
    assert_eq!(resumed.due_ms, at("2026-12-05T00:00"), "the working day it had left (Tue) becomes Fri");
    // Paused on its last day, Friday 17:00, over the weekend, restarted Monday 09:00: it keeps
    // the rest of a day, so it ends with Monday, not Monday 16:00 as wall time would give.
    t.clock.set_now(at("2026-12-04T17:00"));
    t.app.pause_clock(&t.reviewer, &resumed.id, resumed.version, Some("等待医院出具证明")).await.unwrap();
    t.clock.set_now(at("2026-12-07T09:00"));
    t.app.pause_clock(&t.reviewer, &resumed.id, resumed.version + 1, None).await.unwrap();
    assert_eq!(clock_of(r.clone()).await.due_ms, at("2026-12-08T00:00"), "a weekend pause costs nothing");
}

async fn case_id_of(app: &App, action_id: &str) -> String {
    app.test_store().action(action_id).await.unwrap().unwrap().case_id
}

/// Two supervisors (two processes' stores) on one database: each deadline fires once.
async fn two_supervisors(url: &str, store: Arc<dyn jiujinan_store::Store>) {
    let t = setup(store).await;
    t.clock.set_now(at("2026-11-30T09:00"));
    let case_id = reviewed_case(&t, walk_in()).await;
    for p in ["employment", "education", "housing", "medical"] {
        t.app.create_action(&t.reviewer, &case_id, refer(p, "请办理")).await.unwrap();
    }
    let later = at("2026-12-10T09:00");
    let second_store = jiujinan_store::connect(url).await.unwrap();
    let b = App::new(second_store, Arc::new(ManualClock::new(later)), AppSettings::default());
    t.clock.set_now(later);
    let (ra, rb) = tokio::join!(t.app.run_supervision(), b.run_supervision());
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.overdue + rb.overdue, 4, "each of the four breaches fired once: {ra:?} {rb:?}");
    let items = t.app.test_store().supervision_of_case(&case_id).await.unwrap();
    assert_eq!(items.iter().filter(|i| i.level == 1).count(), 4);
    // Overdue since 4 December, escalated on 8 December: both happened once, in the same sweep.
    assert_eq!(ra.escalated + rb.escalated, 4, "{ra:?} {rb:?}");
    assert_eq!(items.iter().filter(|i| i.level == 2).count(), 4);
    // A restart (a new process) finds nothing left to fire at the same instant.
    let c = App::new(
        jiujinan_store::connect(url).await.unwrap(),
        Arc::new(ManualClock::new(later)),
        AppSettings::default(),
    );
    let rc = c.run_supervision().await.unwrap();
    assert_eq!(rc.overdue + rc.escalated, 0, "{rc:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_supervisors_on_one_sqlite_file_fire_each_deadline_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/two.db", dir.path().display());
    let store = jiujinan_store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    two_supervisors(&url, store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_supervisors_on_one_postgresql_fire_each_deadline_once() {
    let Some(url) = jiujinan_store::testing::fresh_postgres_url().await else { return };
    let store = jiujinan_store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    two_supervisors(&url, store).await;
}

/// The programme catalogue is rule data: medical assistance moves to the civil-affairs bureau
/// from 1 January 2027 (the clock is at 29 November 2026), a new programme is added, and bad
/// input or a second version on the same day changes nothing.
async fn programme_versions_take_effect_on_their_date(t: T) {
    use jiujinan_app::rules::programmes::ProgrammeInput;
    let admin = user(&t.app, "city_admin", "11:mz", "admin").await;
    let medical = |at: i64, app: App| async move {
        app.test_store().programmes(at).await.unwrap().into_iter().find(|p| p.code == "medical").unwrap()
    };
    let move_medical = ProgrammeInput {
        code: "medical".into(),
        department: "civil_affairs".into(),
        effective_from: "2027-01-01".into(),
        source: "京民发〔2026〕示例号：医疗救助划转".into(),
        ..Default::default()
    };
    assert!(matches!(t.app.add_programme_version(&t.reviewer, move_medical.clone()).await, Err(AppError::Forbidden)));
    let v = t.app.add_programme_version(&admin, move_medical.clone()).await.unwrap();
    assert_eq!((v.department.as_str(), v.name_zh.as_str(), v.route.as_str()), ("civil_affairs", "医疗救助", "refer"));
    assert_eq!(v.hardship_types, "MEDICAL_EXPENSE,SUDDEN_ILLNESS", "empty fields keep the version in force");
    let new_year = parse_beijing_datetime("2027-01-01 00:00").unwrap();
    assert_eq!(medical(T0, t.app.clone()).await.department, "health", "until its date the old version holds");
    assert_eq!(medical(new_year, t.app.clone()).await.department, "civil_affairs");
    assert_eq!(medical(new_year - 1, t.app.clone()).await.department, "health");
    let again = t.app.add_programme_version(&admin, move_medical).await;
    assert_eq!(again.unwrap_err().code(), "RULE_EXISTS");

    let new = ProgrammeInput {
        code: "heating".into(),
        name_zh: "冬季取暖救助".into(),
        name_en: "Winter heating aid".into(),
        department: "civil_affairs".into(),
        level: "district".into(),
        route: "refer".into(),
        hardship_types: "PRICE_RISE, OTHER_URGENT".into(),
        source: "区政府决定".into(),
        ..Default::default()
    };
    let bad = |f: fn(&mut ProgrammeInput)| {
        let mut i = new.clone();
        f(&mut i);
        i
    };
    for (input, code) in [
        (bad(|i| i.code = "Heating!".into()), "INVALID_PROGRAMME_CODE"),
        (bad(|i| i.name_zh = String::new()), "NAME_REQUIRED"),
        (bad(|i| i.route = "teleport".into()), "UNKNOWN_ROUTE"),
        (bad(|i| i.department = "police".into()), "INVALID_UNIT_KIND"),
        (bad(|i| i.level = "province".into()), "INVALID_LEVEL"),
        (bad(|i| i.hardship_types = "FIRE,COLD".into()), "UNKNOWN_HARDSHIP_TYPE"),
        (bad(|i| i.source = String::new()), "DETAIL_REQUIRED"),
    ] {
        let e = t.app.add_programme_version(&admin, input).await.unwrap_err();
        assert_eq!(e.code(), code);
    }
    assert!(
        t.app.test_store().programmes(T0).await.unwrap().iter().all(|p| p.code != "heating"),
        "nothing half-written"
    );
    let h = t.app.add_programme_version(&admin, new).await.unwrap();
    assert_eq!(h.hardship_types, "PRICE_RISE,OTHER_URGENT");
    assert!(
        t.app.test_store().programmes(T0).await.unwrap().iter().any(|p| p.code == "heating"),
        "in force from today"
    );
    let actions: Vec<String> =
        t.app.test_store().audit_after(0, 10_000).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions.iter().filter(|a| *a == "rule.programme_added").count(), 2, "each version audited");
}
