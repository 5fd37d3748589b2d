//! Aid, approval and funds on SQLite and PostgreSQL: temporary assistance proposed from the
//! standard in force, approval by the level the amount needs, 一事一议, 公示 for 支出型 only,
//! payment once, reversal of a wrong payment, frequency limits, and a ledger that never
//! overspends, also when a thousand approvals race for a fund that covers five hundred.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use jiujinan_app::aid::{AidInput, month_bounds};
use jiujinan_app::calendar::parse_beijing_datetime;
use jiujinan_app::cases::{Verification, Verified};
use jiujinan_app::clock::Clock;
use jiujinan_app::{App, AppError};
use jiujinan_domain::aid::Level;

both!(
    temporary_assistance_from_proposal_to_payment,
    aid_first_paperwork_is_an_aid_approval,
    a_thousand_approvals_race_for_five_hundred,
    approvals_at_the_same_instant_pass_the_yearly_limit_once,
    a_new_street_ceiling_sends_larger_items_to_the_district,
    placeholder_rules_that_decide_an_item_are_recorded_on_it,
    new_tiers_and_frequency_limits_take_effect,
    rule_data_is_edited_at_its_own_level,
    amounts_beyond_the_ceilings_are_field_errors,
    one_person_does_not_take_two_steps_of_one_item,
    a_small_street_may_have_an_exception_recorded_in_the_audit,
    names_of_one_line_refuse_line_breaks
);

/// A fund's or a user's name is one line: a line break would forge lines in lists and exports.
async fn names_of_one_line_refuse_line_breaks(t: T) {
    let err = t.app.create_fund(&t.hotline, "110105:mz", "budget", "朝阳区\n临时救助资金").await.unwrap_err();
    assert_eq!(err.code(), "INVALID_TEXT");
    let req = jiujinan_app::users::CreateUser {
        username: "two_lines".into(),
        display_name: "张\n三".into(),
        unit: "110105001:mz".into(),
        role: "window_clerk".into(),
        password: "Good-password-1".into(),
    };
    let err = t.app.create_user(&jiujinan_app::users::cli_actor(), &req).await.unwrap_err();
    assert_eq!(err.code(), "INVALID_DISPLAY_NAME");
    assert!(t.app.create_fund(&t.hotline, "110105:mz", "budget", "朝阳区临时救助资金").await.is_ok());
}

async fn reviewed_case_of(t: &T, name: &str, id_number: &str) -> String {
    let mut input = walk_in();
    input.subject.name = name.into();
    input.subject.id_number = id_number.into();
    input.subject.phone = String::new();
    reviewed_case(t, input).await
}

fn aid(aid_type: &str, tier: i64, fund: &str) -> AidInput {
    AidInput {
        kind: "cash".into(),
        aid_type: aid_type.into(),
        cause: "FIRE".into(),
        tier,
        description: "火灾后基本生活救助".into(),
        fund_id: fund.into(),
        ..Default::default()
    }
}

async fn version(app: &App, id: &str) -> i64 {
    app.test_store().aid(id).await.unwrap().unwrap().version
}

async fn temporary_assistance_from_proposal_to_payment(t: T) {
    let approver = user(&t.app, "cy_approver", "110105:mz", "district_approver").await;
    t.clock.set_now(parse_beijing_datetime("2026-11-30T09:00").unwrap());
    let budget = t.app.create_fund(&t.hotline, "110105:mz", "budget", "朝阳区临时救助资金").await.unwrap();
    let reserve = t.app.create_fund(&approver, "110105001:mz", "reserve", "建外街道备用金").await.unwrap();
    assert!(matches!(t.app.create_fund(&t.reviewer, "110105001:mz", "reserve", "x").await, Err(AppError::Forbidden)));
    t.app.deposit(&t.hotline, &budget, 10_000_000, "区级预算").await.unwrap();
    assert_eq!(
        t.app.allocate(&approver, &budget, &reserve, 20_000_000, "超额下拨").await.unwrap_err().code(),
        "INSUFFICIENT_FUNDS"
    );
    t.app.allocate(&approver, &budget, &reserve, 500_000, "下拨备用金").await.unwrap();
    let case_id = reviewed_case_of(&t, "张伟", "11010519491231002X").await;
    let covering: Vec<String> =
        t.app.test_store().funds_covering("110105001024").await.unwrap().into_iter().map(|f| f.id).collect();
    assert_eq!(covering, vec![reserve.clone(), budget.clone()], "the street's fund first, then the district's");
    assert!(t.app.test_store().funds_covering("110108001001").await.unwrap().is_empty(), "not another district's");

    // The street proposes from the current standard (1,450 yuan, a placeholder for 2026),
    // approves within its authority and pays from its reserve fund.
    assert_eq!(
        t.app.propose_aid(&t.clerk, &case_id, aid("emergency", 9, &reserve)).await.unwrap_err().code(),
        "UNKNOWN_TIER"
    );
    let moved = AidInput { amount_fen: Some(100_000), ..aid("emergency", 1, &reserve) };
    assert_eq!(t.app.propose_aid(&t.clerk, &case_id, moved).await.unwrap_err().code(), "REASON_REQUIRED");
    let negative = AidInput { amount_fen: Some(-1), change_reason: "x".into(), ..aid("emergency", 1, &reserve) };
    assert_eq!(t.app.propose_aid(&t.clerk, &case_id, negative).await.unwrap_err().code(), "NEGATIVE_AMOUNT");
    let a1 = t.app.propose_aid(&t.clerk, &case_id, aid("emergency", 1, &reserve)).await.unwrap();
    let item = t.app.test_store().aid(&a1).await.unwrap().unwrap();
    assert_eq!((item.amount_fen, item.required_level.code(), item.persons), (145_000, "street", 1));
    assert!(item.calculation.contains("1450.00 × 1 × 1 = 1450.00"), "{}", item.calculation);
    assert_eq!(item.placeholders, "standard,authority", "the placeholder standard and ceiling are marked");
    assert_eq!(t.app.approve_aid(&t.chief, &a1, 1, "同意").await.unwrap_err().code(), "AID_STATE", "review first");
    t.app.review_aid(&t.reviewer, &a1, 1, "情况属实，拟给予 1 个月救助").await.unwrap();
    t.app.approve_aid(&t.chief, &a1, 2, "同意").await.unwrap();
    let f = t.app.test_store().fund(&reserve).await.unwrap().unwrap();
    assert_eq!((f.available_fen, f.reserved_fen), (355_000, 145_000));
    assert!(t.app.postings(&t.reviewer, false).await.unwrap().is_empty(), "急难型 is not posted");
    assert_eq!(t.app.pay_aid(&t.clerk, &a1, 3, "wire", "x").await.unwrap_err().code(), "UNKNOWN_DELIVERY");
    t.app.pay_aid(&t.clerk, &a1, 3, "bank", "工行转账 20261130-001").await.unwrap();
    assert_eq!(
        t.app.pay_aid(&t.clerk, &a1, 4, "bank", "工行转账 20261130-001").await.unwrap_err().code(),
        "ALREADY_PAID"
    );
    assert_eq!(t.app.pay_aid(&t.clerk, &a1, 3, "bank", "again").await.unwrap_err().code(), "ALREADY_PAID", "paid once");
    let f = t.app.test_store().fund(&reserve).await.unwrap().unwrap();
    assert_eq!((f.available_fen, f.reserved_fen, f.paid_fen), (355_000, 0, 145_000));

    // The same cause again within a year: refused with the rule.
    assert_eq!(
        t.app.propose_aid(&t.clerk, &case_id, aid("emergency", 1, &reserve)).await.unwrap_err().code(),
        "FREQUENCY_LIMIT"
    );
    // Two proposals for one cause made before either is approved: only the first is approved.
    let twin = reviewed_case_of(&t, "周杰", "110105198001010016").await;
    let t1 = t.app.propose_aid(&t.clerk, &twin, aid("emergency", 1, &reserve)).await.unwrap();
    let t2 = t.app.propose_aid(&t.clerk, &twin, aid("emergency", 1, &reserve)).await.unwrap();
    for id in [&t1, &t2] {
        t.app.review_aid(&t.reviewer, id, 1, "拟救助").await.unwrap();
    }
    t.app.approve_aid(&t.chief, &t1, 2, "同意").await.unwrap();
    assert_eq!(t.app.approve_aid(&t.chief, &t2, 2, "同意").await.unwrap_err().code(), "FREQUENCY_LIMIT");
    t.app.cancel_aid(&t.reviewer, &t1, 3, "测试完毕，撤销").await.unwrap();

    // A larger amount needs the district approver.
    let other = reviewed_case_of(&t, "王芳", "110105194912310046").await;
    let mut big = aid("emergency", 3, &budget);
    big.cause = "SUDDEN_ILLNESS".into();
    let a2 = t.app.propose_aid(&t.clerk, &other, big).await.unwrap();
    let item = t.app.test_store().aid(&a2).await.unwrap().unwrap();
    assert_eq!((item.amount_fen, item.required_level.code()), (435_000, "district"));
    t.app.review_aid(&t.reviewer, &a2, 1, "拟给予 3 个月救助").await.unwrap();
    assert_eq!(t.app.approve_aid(&t.chief, &a2, 2, "同意").await.unwrap_err().code(), "ABOVE_AUTHORITY");
    let (to_approve, _) = t.app.approvals_inbox(&approver).await.unwrap();
    assert_eq!(to_approve.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), vec![a2.as_str()]);
    t.app.approve_aid(&approver, &a2, 2, "同意").await.unwrap();

    // Above the district ceiling only 一事一议, which the district approves.
    let mut huge = AidInput {
        amount_fen: Some(3_000_000),
        change_reason: "重大火灾，一次性救助".into(),
        ..aid("emergency", 3, &budget)
    };
    huge.cause = "OTHER_URGENT".into();
    assert_eq!(t.app.propose_aid(&t.clerk, &other, huge.clone()).await.unwrap_err().code(), "ABOVE_AUTHORITY");
    huge.special = true;
    let a3 = t.app.propose_aid(&t.clerk, &other, huge).await.unwrap();
    assert_eq!(t.app.test_store().aid(&a3).await.unwrap().unwrap().required_level.code(), "district");

    // 支出型 gets a 公示 posting with minimal fields; an objection reopens the review.
    let third = reviewed_case_of(&t, "李娜", "110105194912310062").await;
    let mut spending = aid("expenditure", 1, &budget);
    spending.cause = "MEDICAL_EXPENSE".into();
    let a4 = t.app.propose_aid(&t.clerk, &third, spending).await.unwrap();
    t.app.review_aid(&t.reviewer, &a4, 1, "医疗支出过大").await.unwrap();
    t.app.approve_aid(&t.chief, &a4, 2, "同意").await.unwrap();
    let postings = t.app.postings(&t.reviewer, true).await.unwrap();
    assert_eq!(postings.len(), 1);
    assert_eq!(
        (postings[0].head_name.as_str(), postings[0].amount_fen, postings[0].reason.as_str()),
        ("李*", 290_000, "MEDICAL_EXPENSE")
    );
    assert_eq!(
        t.app.pay_aid(&t.clerk, &a4, 3, "bank", "x").await.unwrap_err().code(),
        "POSTING_OPEN",
        "not during 公示"
    );
    let ds = t.app.test_store().deadlines_of_case(&third).await.unwrap();
    let pay = ds.iter().find(|d| d.state == "open" && d.step == "aid.pay").expect("the payment's clock");
    assert!(pay.warn_ms >= postings[0].end_ms, "payment is timed from the end of the 公示, not warned during it");
    assert_eq!(
        t.app.review_aid(&t.reviewer, &a4, 3, "again").await.unwrap_err().code(),
        "AID_STATE",
        "no second review"
    );
    let before = t.app.test_store().fund(&budget).await.unwrap().unwrap();
    t.app.object_to_posting(&t.clerk, &postings[0].id, "群众反映其家庭有营业收入").await.unwrap();
    assert_eq!(t.app.test_store().aid(&a4).await.unwrap().unwrap().status.code(), "reviewed");
    let after = t.app.test_store().fund(&budget).await.unwrap().unwrap();
    assert_eq!(after.available_fen, before.available_fen + 290_000, "the reservation is released");
    assert_eq!(t.app.object_to_posting(&t.clerk, &postings[0].id, "again").await.unwrap_err().code(), "POSTING_CLOSED");

    // A wrong payment is corrected by a reversing entry; posted entries never change.
    t.app.pay_aid(&t.clerk, &a2, version(&t.app, &a2).await, "cash", "现金签收单 No.0007").await.unwrap();
    t.app.reverse_payment(&approver, &a2, version(&t.app, &a2).await, "误发：应发往其他账户").await.unwrap();
    let f = t.app.test_store().fund(&budget).await.unwrap().unwrap();
    assert_eq!(f.paid_fen, 0);
    assert!(t.app.test_store().raw_execute_for_tests("UPDATE ledger_entries SET amount_fen = 0").await.is_err());
    assert!(t.app.test_store().raw_execute_for_tests("DELETE FROM ledger_entries").await.is_err());

    // Refusal with written reasons; an unknown fund; a fund that cannot pay reserves nothing.
    let a5 = t
        .app
        .propose_aid(&t.clerk, &third, AidInput { cause: "TRAFFIC".into(), ..aid("emergency", 1, &reserve) })
        .await
        .unwrap();
    assert_eq!(t.app.refuse_aid(&t.reviewer, &a5, 1, " ").await.unwrap_err().code(), "REASON_REQUIRED");
    t.app.refuse_aid(&t.reviewer, &a5, 1, "经核查不符合临时救助条件").await.unwrap();
    let bad = AidInput { cause: "OTHER_ACCIDENT".into(), ..aid("emergency", 1, "nope") };
    assert_eq!(t.app.propose_aid(&t.clerk, &third, bad).await.unwrap_err().code(), "UNKNOWN_FUND");
    let dry = t.app.create_fund(&approver, "110105001:mz", "special", "空账户").await.unwrap();
    let a6 = t
        .app
        .propose_aid(&t.clerk, &third, AidInput { cause: "OTHER_ACCIDENT".into(), ..aid("emergency", 1, &dry) })
        .await
        .unwrap();
    t.app.review_aid(&t.reviewer, &a6, 1, "拟救助").await.unwrap();
    assert_eq!(t.app.approve_aid(&t.chief, &a6, 2, "同意").await.unwrap_err().code(), "INSUFFICIENT_FUNDS");
    assert_eq!(t.app.test_store().aid(&a6).await.unwrap().unwrap().status.code(), "reviewed", "nothing changed");
    let dry_fund = t.app.test_store().fund(&dry).await.unwrap().unwrap();
    assert_eq!((dry_fund.available_fen, dry_fund.reserved_fen), (0, 0));

    // A district's own standard, entered by an administrator, applies from its date.
    assert!(matches!(
        t.app.add_standard(&approver, "110105", "2026-11-01", 150_000, "x").await,
        Err(AppError::Forbidden)
    ));
    t.app.add_standard(&t.hotline, "110105", "2026-11-01", 150_000, "朝阳区 2026 年标准（示例）").await.unwrap();
    assert_eq!(
        t.app.add_standard(&t.hotline, "110105", "2026-11-01", 150_000, "again").await.unwrap_err().code(),
        "RULE_EXISTS"
    );
    let a7 = t
        .app
        .propose_aid(&t.clerk, &third, AidInput { cause: "NATURAL_DISASTER".into(), ..aid("emergency", 1, &reserve) })
        .await
        .unwrap();
    let a7 = t.app.test_store().aid(&a7).await.unwrap().unwrap();
    assert_eq!(a7.amount_fen, 150_000);
    assert!(!a7.calculation.contains("待确认"), "a confirmed standard: {}", a7.calculation);

    // The month adds up, and agrees with the balances.
    for fund in [&budget, &reserve] {
        let r = t.app.reconciliation(&approver, fund, "2026-11").await.unwrap();
        assert_eq!(r.opening_fen + r.in_fen - r.out_fen, r.closing_fen, "{r:?}");
        let f = t.app.test_store().fund(fund).await.unwrap().unwrap();
        assert_eq!((r.closing_fen, r.reserved_fen), (f.available_fen + f.reserved_fen, f.reserved_fen));
    }
    let r = t.app.reconciliation(&approver, &budget, "2026-11").await.unwrap();
    assert_eq!((r.opening_fen, r.in_fen), (0, 10_000_000 + 435_000), "deposit and the reversal came in");
    assert_eq!(r.out_fen, 500_000 + 435_000, "the allocation and the payment went out");
    // The spreadsheet reads as words and case numbers, not codes and ids.
    let sheet = String::from_utf8_lossy(&r.to_xlsx()).into_owned();
    assert!(sheet.contains("支付 posting") && sheet.contains("冲正 reversal"), "ledger kinds in words");
    let case_number = t.app.test_store().aid(&a2).await.unwrap().unwrap().case_number;
    assert!(sheet.contains(&case_number), "the case number of the paid item");
    assert!(!sheet.contains(&a2), "no aid ids");
    assert!(month_bounds("2026-13").is_none());
    assert_eq!(t.app.reconciliation(&approver, &budget, "2026-13").await.unwrap_err().code(), "INVALID_DAY");
}

async fn aid_first_paperwork_is_an_aid_approval(t: T) {
    let approver = user(&t.app, "cy_approver", "110105:mz", "district_approver").await;
    let reserve = t.app.create_fund(&approver, "110105001:mz", "reserve", "建外街道备用金").await.unwrap();
    t.app.deposit(&approver, &reserve, 1_000_000, "备用金").await.unwrap();
    // A case just accepted, not reviewed: aid is given first.
    let (lead, _) = t.app.record_lead(&t.clerk, &walk_in(), None).await.unwrap();
    let Verified::CaseOpened { case_id, .. } =
        t.app.verify_lead(&t.reviewer, &lead.id, 1, Verification::Accept { documents_pending: true }).await.unwrap()
    else {
        panic!("expected a case")
    };
    let first = jiujinan_app::dispositions::ActionInput {
        route: "aid_first".into(),
        request: "火灾当晚先行救助".into(),
        amount_fen: 80_000,
        ..Default::default()
    };
    let action = t.app.create_action(&t.reviewer, &case_id, first).await.unwrap();
    assert_eq!(
        t.app.propose_aid(&t.clerk, &case_id, aid("emergency", 1, &reserve)).await.unwrap_err().code(),
        "REVIEW_REQUIRED"
    );
    let bad = AidInput { action_id: "nope".into(), ..aid("emergency", 1, &reserve) };
    assert_eq!(t.app.propose_aid(&t.clerk, &case_id, bad).await.unwrap_err().code(), "AID_FIRST_SOURCE");
    // The case is reviewed and the main grant for the fire approved and paid first: the paperwork
    // of the help given that night still goes through (the same event, not a second grant).
    t.app.record_investigation(&t.reviewer, &case_id, "home_visit", None, "入户核实").await.unwrap();
    let v = t.app.test_store().case_by_id(&case_id).await.unwrap().unwrap().version;
    t.app.submit_for_review(&t.reviewer, &case_id, v).await.unwrap();
    t.app.record_review(&t.reviewer, &case_id, v + 1, "属实", &["aid_first".into()]).await.unwrap();
    let main = t.app.propose_aid(&t.clerk, &case_id, aid("emergency", 2, &reserve)).await.unwrap();
    t.app.review_aid(&t.reviewer, &main, 1, "拟救助").await.unwrap();
    t.app.approve_aid(&t.chief, &main, 2, "同意").await.unwrap();
    t.app.pay_aid(&t.clerk, &main, 3, "bank", "转账 001").await.unwrap();
    let paperwork = AidInput { action_id: action.clone(), ..aid("emergency", 1, &reserve) };
    let id = t.app.propose_aid(&t.clerk, &case_id, paperwork).await.unwrap();
    let item = t.app.test_store().aid(&id).await.unwrap().unwrap();
    assert_eq!(
        (item.amount_fen, item.change_reason.as_str()),
        (80_000, "先行救助已给予的金额"),
        "the amount given first"
    );
    t.app.review_aid(&t.reviewer, &id, 1, "补办审核").await.unwrap();
    t.app.approve_aid(&t.chief, &id, 2, "补办审批").await.unwrap();
    let a = t.app.test_store().action(&action).await.unwrap().unwrap();
    assert_eq!((a.status.code(), a.outcome.as_str()), ("completed", "granted"), "the approval completes the paperwork");
    let clocks = t.app.test_store().deadlines_of_case(&case_id).await.unwrap();
    assert!(clocks.iter().filter(|d| d.subject_id == action).all(|d| d.state == "met"), "and stops its clock");
    // Paid against the receipt signed that night, the money given first is in the fund's books.
    t.app.pay_aid(&t.clerk, &id, 3, "cash", "先行救助当晚签收单").await.unwrap();
    let lines = t.app.test_store().ledger(&reserve, i64::MIN / 4, i64::MAX / 4).await.unwrap();
    assert!(
        lines.iter().any(|l| l.aid_id == id && l.kind == "posting" && l.account == "paid" && l.amount_fen == 80_000),
        "the money given first is in the fund's ledger"
    );
}

async fn a_thousand_approvals_race_for_five_hundred(t: T) {
    let approver = user(&t.app, "cy_approver", "110105:mz", "district_approver").await;
    let fund = t.app.create_fund(&approver, "110105001:mz", "reserve", "建外街道备用金").await.unwrap();
    t.app.deposit(&approver, &fund, 500 * 10_000, "可支付 500 笔").await.unwrap();
    let case_id = reviewed_case_of(&t, "张伟", "11010519491231002X").await;
    let mut ids = Vec::new();
    for _ in 0..1_000 {
        // 一事一议 items: the yearly limit per cause does not stop them, the money does.
        let input = AidInput {
            amount_fen: Some(10_000),
            change_reason: "压力测试：每笔 100 元".into(),
            special: true,
            ..aid("emergency", 1, &fund)
        };
        let id = t.app.propose_aid(&t.clerk, &case_id, input).await.unwrap();
        t.app.review_aid(&t.reviewer, &id, 1, "拟救助").await.unwrap();
        ids.push(id);
    }
    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    for id in ids {
        let (app, actor) = (t.app.clone(), approver.clone());
        tasks.push(tokio::spawn(async move { app.approve_aid(&actor, &id, 2, "同意").await }));
    }
    let (mut approved, mut refused) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => approved += 1,
            Err(e) => {
                assert_eq!(e.code(), "INSUFFICIENT_FUNDS");
                refused += 1;
            }
        }
    }
    assert_eq!((approved, refused), (500, 500));
    // Reported for docs/PERFORMANCE.md (run with --no-capture); never asserted.
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "1,000 concurrent approvals on {:?}: {secs:.2} s ({:.0}/s)",
        t.app.test_store().backend(),
        1_000.0 / secs
    );
    let f = t.app.test_store().fund(&fund).await.unwrap().unwrap();
    assert_eq!((f.available_fen, f.reserved_fen), (0, 5_000_000), "exactly used up, never below zero");
    let lines = t.app.test_store().ledger(&fund, i64::MIN / 4, i64::MAX / 4).await.unwrap();
    assert_eq!(lines.iter().map(|l| l.amount_fen).sum::<i64>(), 0, "double entry: every transaction balances");
    assert_eq!(lines.iter().filter(|l| l.kind == "reservation").count(), 1_000, "500 reservations of two lines");
}

/// Ten items for the same cause, proposed while none was approved, approved all at once: the
/// yearly limit (once per cause) lets exactly one through, on both databases.
async fn approvals_at_the_same_instant_pass_the_yearly_limit_once(t: T) {
    let approver = user(&t.app, "cy_approver", "110105:mz", "district_approver").await;
    let fund = t.app.create_fund(&approver, "110105001:mz", "reserve", "建外街道备用金").await.unwrap();
    t.app.deposit(&approver, &fund, 100 * 1_000_000, "足额").await.unwrap();
    let case_id = reviewed_case_of(&t, "张伟", "11010519491231002X").await;
    let mut ids = Vec::new();
    for _ in 0..10 {
        let id = t.app.propose_aid(&t.clerk, &case_id, aid("emergency", 1, &fund)).await.unwrap();
        t.app.review_aid(&t.reviewer, &id, 1, "拟救助").await.unwrap();
        ids.push(id);
    }
    let mut tasks = Vec::new();
    for id in ids {
        let (app, actor) = (t.app.clone(), approver.clone());
        tasks.push(tokio::spawn(async move { app.approve_aid(&actor, &id, 2, "同意").await }));
    }
    let mut approved = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => approved += 1,
            Err(e) => assert_eq!(e.code(), "FREQUENCY_LIMIT"),
        }
    }
    assert_eq!(approved, 1, "once a year per cause, also under a race");
}

/// Approval ceilings are rule data: an administrator lowers the street's to 1,000 yuan from
/// today, and a one-month grant (1,450 yuan) that the street approved before now needs the district.
async fn a_new_street_ceiling_sends_larger_items_to_the_district(t: T) {
    let approver = user(&t.app, "cy_approver", "110105:mz", "district_approver").await;
    let admin = user(&t.app, "city_admin", "11:mz", "admin").await;
    let fund = t.app.create_fund(&approver, "110105001:mz", "reserve", "建外街道备用金").await.unwrap();
    let case_id = reviewed_case_of(&t, "张伟", "11010519491231002X").await;
    let level_of = |id: String| {
        let app = t.app.clone();
        async move { app.test_store().aid(&id).await.unwrap().unwrap().required_level }
    };
    let first = t.app.propose_aid(&t.clerk, &case_id, aid("emergency", 1, &fund)).await.unwrap();
    assert_eq!(level_of(first).await, Level::Street);
    let today = "2026-11-29";
    assert!(matches!(t.app.add_ceiling(&t.reviewer, "street", today, 100_000, "x").await, Err(AppError::Forbidden)));
    for (level, day, fen, code) in [
        ("city", today, 100_000, "UNKNOWN_LEVEL"),
        ("street", "2026-13-01", 100_000, "INVALID_DAY"),
        ("street", today, 0, "NEGATIVE_AMOUNT"),
    ] {
        assert_eq!(t.app.add_ceiling(&admin, level, day, fen, "区民政局通知").await.unwrap_err().code(), code);
    }
    t.app.add_ceiling(&admin, "street", today, 100_000, "区民政局通知：街道审批上限 1000 元").await.unwrap();
    let again = t.app.add_ceiling(&admin, "street", today, 200_000, "重复").await;
    assert_eq!(again.unwrap_err().code(), "RULE_EXISTS");
    let second = t.app.propose_aid(&t.clerk, &case_id, aid("emergency", 1, &fund)).await.unwrap();
    assert_eq!(level_of(second).await, Level::District, "1,450 yuan is above the new street ceiling");
    let actions: Vec<String> =
        t.app.test_store().audit_after(0, 10_000).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions.iter().filter(|a| *a == "rule.ceiling_added").count(), 1);
}

/// Issue 19: an item records the placeholder rules it was decided under — the standard and the
/// tier for its amount, the approval ceilings for its level — and only those that decided it.
async fn placeholder_rules_that_decide_an_item_are_recorded_on_it(t: T) {
    let approver = user(&t.app, "cy_approver", "110105:mz", "district_approver").await;
    let admin = user(&t.app, "city_admin", "11:mz", "admin").await;
    let fund = t.app.create_fund(&approver, "110105001:mz", "reserve", "建外街道备用金").await.unwrap();
    let case_id = reviewed_case_of(&t, "张伟", "11010519491231002X").await;
    let marks = |id: String| {
        let app = t.app.clone();
        async move {
            let i = app.test_store().aid(&id).await.unwrap().unwrap();
            (i.placeholders, i.required_level)
        }
    };
    let with_cause =
        |aid_type: &str, tier: i64, cause: &str| AidInput { cause: cause.into(), ..aid(aid_type, tier, &fund) };
    // The seeded 2025 standard, the street ceiling and the 支出型 tiers are placeholders.
    let id = t.app.propose_aid(&t.clerk, &case_id, with_cause("emergency", 1, "FIRE")).await.unwrap();
    assert_eq!(marks(id).await, ("standard,authority".into(), Level::Street));
    let id = t.app.propose_aid(&t.clerk, &case_id, with_cause("expenditure", 1, "MEDICAL_EXPENSE")).await.unwrap();
    assert_eq!(marks(id).await, ("standard,tier,authority".into(), Level::Street));
    // 一事一议 goes to the district whatever the ceilings say: they decided nothing.
    let special = AidInput { special: true, ..with_cause("emergency", 1, "FIRE") };
    let id = t.app.propose_aid(&t.clerk, &case_id, special).await.unwrap();
    assert_eq!(marks(id).await, ("standard".into(), Level::District));

    // Confirmed values from today: nothing on an item within the street's ceiling...
    let today = "2026-11-29";
    t.app.add_standard(&admin, "11", today, 145_000, "市民政局通知：低保标准 1450 元").await.unwrap();
    t.app.add_ceiling(&admin, "street", today, 300_000, "区民政局通知：街道审批上限 3000 元").await.unwrap();
    let id = t.app.propose_aid(&t.clerk, &case_id, with_cause("emergency", 1, "OTHER_ACCIDENT")).await.unwrap();
    assert_eq!(marks(id).await, (String::new(), Level::Street));
    // ...but above it the district's ceiling, still a placeholder, decided the level.
    let above = AidInput {
        amount_fen: Some(500_000),
        change_reason: "房屋损毁严重".into(),
        ..with_cause("emergency", 1, "NATURAL_DISASTER")
    };
    let id = t.app.propose_aid(&t.clerk, &case_id, above).await.unwrap();
    assert_eq!(marks(id).await, ("authority".into(), Level::District));
    let audit = t.app.test_store().audit_after(0, 10_000).await.unwrap();
    let proposed: Vec<_> = audit.iter().filter(|e| e.action == "aid.proposed").collect();
    let detail: serde_json::Value = serde_json::from_str(&proposed.last().unwrap().detail).unwrap();
    assert_eq!(detail["placeholders"], serde_json::json!(["authority"]), "audited");
}

/// Tiers and the yearly limit are rule data too: from today tier 1 of 急难型 gives two months of
/// the standard, and a cause may be aided twice a year.
async fn new_tiers_and_frequency_limits_take_effect(t: T) {
    let approver = user(&t.app, "cy_approver", "110105:mz", "district_approver").await;
    let admin = user(&t.app, "city_admin", "11:mz", "admin").await;
    let fund = t.app.create_fund(&approver, "110105001:mz", "reserve", "建外街道备用金").await.unwrap();
    t.app.deposit(&approver, &fund, 10_000_000, "足额").await.unwrap();
    let case_id = reviewed_case_of(&t, "张伟", "11010519491231002X").await;
    let today = "2026-11-29";
    assert!(matches!(t.app.add_tier(&t.reviewer, "emergency", 1, 2, today, "x").await, Err(AppError::Forbidden)));
    for (aid_type, tier, months, code) in
        [("gift", 1, 2, "UNKNOWN_AID_TYPE"), ("emergency", 0, 2, "UNKNOWN_TIER"), ("emergency", 1, 0, "INVALID_MONTHS")]
    {
        assert_eq!(t.app.add_tier(&admin, aid_type, tier, months, today, "区政府通知").await.unwrap_err().code(), code);
    }
    t.app.add_tier(&admin, "emergency", 1, 2, today, "区政府通知：一档按 2 个月").await.unwrap();
    let id = t.app.propose_aid(&t.clerk, &case_id, aid("emergency", 1, &fund)).await.unwrap();
    assert_eq!(t.app.test_store().aid(&id).await.unwrap().unwrap().amount_fen, 2 * 145_000, "two months of 1,450 yuan");
    t.app.review_aid(&t.reviewer, &id, 1, "拟救助").await.unwrap();
    t.app.approve_aid(&approver, &id, 2, "同意").await.unwrap();
    // Once a year by default: a second grant for the fire is refused, until the limit is two.
    let second = t.app.propose_aid(&t.clerk, &case_id, aid("emergency", 1, &fund)).await;
    assert_eq!(second.unwrap_err().code(), "FREQUENCY_LIMIT");
    assert_eq!(t.app.add_frequency(&admin, 0, today, "x").await.unwrap_err().code(), "INVALID_FREQUENCY");
    t.app.add_frequency(&admin, 2, today, "区政府通知：每年两次").await.unwrap();
    assert_eq!(t.app.add_frequency(&admin, 3, today, "重复").await.unwrap_err().code(), "RULE_EXISTS");
    t.app.propose_aid(&t.clerk, &case_id, aid("emergency", 1, &fund)).await.unwrap();
}

/// Issue 11, defect 1: rule data by level. City-wide rows (ceilings, tiers, yearly limits, time
/// limits, the calendar, Beijing's standard) only by city administrators; a district's own
/// standard also by that district's administrators; a street administrator edits none. Nothing
/// is written by a refused edit.
async fn rule_data_is_edited_at_its_own_level(t: T) {
    let street = user(&t.app, "jw_admin", "110105001:mz", "admin").await;
    let chaoyang = user(&t.app, "cy_admin", "110105:mz", "admin").await;
    let haidian = user(&t.app, "hd_admin", "110108:mz", "admin").await;
    let day = "2026-12-01";
    let forbidden = |r: Result<(), AppError>| matches!(r, Err(AppError::Forbidden));
    for a in [&street, &chaoyang, &haidian] {
        assert!(forbidden(t.app.add_ceiling(a, "street", day, 100_000_000, "raise").await), "{}", a.username);
        assert!(forbidden(t.app.add_tier(a, "emergency", 1, 3, day, "x").await), "{}", a.username);
        assert!(forbidden(t.app.add_frequency(a, 9, day, "x").await), "{}", a.username);
        assert!(forbidden(t.app.set_calendar_day(a, "2026-12-02", Some((false, "假日"))).await), "{}", a.username);
        assert!(forbidden(t.app.add_standard(a, "11", day, 100, "x").await), "{}", a.username);
    }
    assert!(forbidden(t.app.add_standard(&street, "110105", day, 100, "x").await));
    assert!(forbidden(t.app.add_standard(&haidian, "110105", day, 100, "朝阳的标准由朝阳定").await));
    let before = t.app.aid_rules().await.unwrap();
    assert!(before.standards.iter().all(|s| s.effective_from != parse_day(day) || s.region != "110105"));
    assert!(t.app.calendar_days().await.unwrap().iter().all(|d| d.day != 20_261_202));
    // 朝阳's administrator sets 朝阳's own standard; the city administrator any.
    t.app.add_standard(&chaoyang, "110105", day, 150_000, "朝阳区通知").await.unwrap();
    t.app.add_standard(&t.hotline, "110108", day, 150_000, "市民政局通知").await.unwrap();
    t.app.add_ceiling(&t.hotline, "street", day, 100_000, "市民政局通知").await.unwrap();
    let after = t.app.aid_rules().await.unwrap();
    let added: Vec<&str> =
        after.standards.iter().filter(|s| s.effective_from == parse_day(day)).map(|s| s.region.as_str()).collect();
    assert_eq!(added.len(), 2, "{added:?}");
    assert!(added.contains(&"110105") && added.contains(&"110108"));
}

fn parse_day(day: &str) -> i64 {
    jiujinan_app::calendar::start_of_beijing_day(day).unwrap()
}

/// Issue 11, defect 2: a deposit of i64::MAX fen overflowed a SQLite balance into REAL (and
/// every later read of the fund failed); each operation now has a dated ceiling and no balance
/// can pass `MAX_BALANCE_FEN`.
async fn amounts_beyond_the_ceilings_are_field_errors(t: T) {
    use jiujinan_domain::money::MAX_BALANCE_FEN;
    let approver = user(&t.app, "cy_approver", "110105:mz", "district_approver").await;
    let budget = t.app.create_fund(&approver, "110105:mz", "budget", "朝阳区临时救助资金").await.unwrap();
    let reserve = t.app.create_fund(&approver, "110105001:mz", "reserve", "建外街道备用金").await.unwrap();
    let too_large = |r: Result<(), AppError>| {
        let e = r.unwrap_err();
        assert_eq!((e.code(), e.field(), e.status()), ("AMOUNT_TOO_LARGE", Some("amount"), 422), "{e:?}");
    };
    // The reproduction, twice (the second used to overflow the first).
    for _ in 0..2 {
        too_large(t.app.deposit(&approver, &budget, i64::MAX, "溢出").await);
    }
    // The default ceilings: 100,000,000 yuan per deposit and per allocation.
    t.app.deposit(&approver, &budget, 10_000_000_000, "上限以内").await.unwrap();
    too_large(t.app.deposit(&approver, &budget, 10_000_000_001, "超过单笔上限").await);
    too_large(t.app.allocate(&approver, &budget, &reserve, 10_000_000_001, "超过单笔上限").await);
    t.app.allocate(&approver, &budget, &reserve, 10_000_000_000, "上限以内").await.unwrap();
    let f = t.app.funds(&approver).await.unwrap();
    assert_eq!(f.iter().map(|f| f.available_fen).sum::<i64>(), 10_000_000_000, "nothing beyond the ceiling moved");

    // A city administrator raises the deposit ceiling from a date (rule data); a street
    // reviewer or district approver cannot.
    t.clock.set_now(T0);
    assert!(matches!(
        t.app.add_money_limit(&approver, "deposit", "2026-11-29", MAX_BALANCE_FEN, "x").await,
        Err(AppError::Forbidden)
    ));
    assert_eq!(
        t.app.add_money_limit(&t.hotline, "deposit", "2026-11-29", i64::MAX, "溢出").await.unwrap_err().code(),
        "AMOUNT_TOO_LARGE"
    );
    assert_eq!(
        t.app.add_money_limit(&t.hotline, "withdrawal", "2026-11-29", 1, "x").await.unwrap_err().code(),
        "UNKNOWN_OPERATION"
    );
    t.app.add_money_limit(&t.hotline, "deposit", "2026-11-29", MAX_BALANCE_FEN, "测试：不设单笔上限").await.unwrap();
    // The reserve holds 10^10 fen; filling it to the most a balance may hold passes, one fen
    // more is refused, and the balance stays an integer on both databases.
    t.app.deposit(&approver, &reserve, MAX_BALANCE_FEN - 10_000_000_000, "填满").await.unwrap();
    too_large(t.app.deposit(&approver, &reserve, 1, "超过余额上限").await);
    too_large(t.app.allocate(&approver, &budget, &reserve, 1, "超过余额上限").await);
    let f = t.app.test_store().fund(&reserve).await.unwrap().unwrap();
    assert_eq!(f.available_fen, MAX_BALANCE_FEN);
    // The store refuses it too (the guard inside the transaction), naming the conflict.
    let audit = t.hotline.audit("fund.deposit", ("fund", &reserve), &serde_json::json!({}));
    let who = jiujinan_store::Who { user: "hotline".into(), unit: "11:mz".into() };
    let e = t.app.test_store().deposit(&reserve, 1, "x", &who, audit, T0).await.unwrap_err();
    assert!(matches!(e, jiujinan_store::StoreError::Conflict(jiujinan_store::Conflict::BalanceLimit)), "{e:?}");
    // Reads keep working: the fund list and the month's reconciliation.
    assert_eq!(t.app.funds(&approver).await.unwrap().len(), 2);
    let r = t.app.reconciliation(&approver, &reserve, "2026-11").await.unwrap();
    assert_eq!(r.closing_fen, MAX_BALANCE_FEN);

    // A grant above the grant ceiling (1,000,000 yuan by default) is refused even as 一事一议.
    let case_id = reviewed_case_of(&t, "张伟", "11010519491231002X").await;
    let huge = AidInput {
        amount_fen: Some(100_000_001),
        change_reason: "重大灾害".into(),
        special: true,
        ..aid("emergency", 1, &reserve)
    };
    let e = t.app.propose_aid(&t.clerk, &case_id, huge).await.unwrap_err();
    assert_eq!((e.code(), e.field()), ("AMOUNT_TOO_LARGE", Some("amount")));
    let max = AidInput {
        amount_fen: Some(100_000_000),
        change_reason: "重大灾害".into(),
        special: true,
        ..aid("emergency", 1, &reserve)
    };
    t.app.propose_aid(&t.clerk, &case_id, max).await.unwrap();
}

/// Issue 11, defect 4: one street reviewer proposed, reviewed, approved and paid the same item.
/// Now the proposer, reviewer and approver are three people and the approver does not pay.
async fn one_person_does_not_take_two_steps_of_one_item(t: T) {
    let approver = user(&t.app, "cy_approver", "110105:mz", "district_approver").await;
    let fund = t.app.create_fund(&approver, "110105001:mz", "reserve", "建外街道备用金").await.unwrap();
    t.app.deposit(&approver, &fund, 1_000_000, "备用金").await.unwrap();
    let case_id = reviewed_case_of(&t, "张伟", "11010519491231002X").await;
    let same = |r: Result<jiujinan_app::model::AidItem, AppError>| {
        let e = r.unwrap_err();
        assert_eq!((e.code(), e.status()), ("SAME_PERSON", 409), "{e:?}");
        assert!(e.message(jiujinan_app::i18n::Lang::Zh).contains("职责分离"));
    };
    let id = t.app.propose_aid(&t.reviewer, &case_id, aid("emergency", 1, &fund)).await.unwrap();
    same(t.app.review_aid(&t.reviewer, &id, 1, "自己审核").await);
    t.app.review_aid(&t.chief, &id, 1, "情况属实").await.unwrap();
    same(t.app.approve_aid(&t.chief, &id, 2, "自己审批").await);
    same(t.app.approve_aid(&t.reviewer, &id, 2, "提出人审批").await);
    assert_eq!(version(&t.app, &id).await, 2, "nothing changed");
    // A third person approves (a district approver may approve a street item).
    t.app.approve_aid(&approver, &id, 2, "同意").await.unwrap();
    let f = t.app.test_store().fund(&fund).await.unwrap().unwrap();
    assert_eq!((f.available_fen, f.reserved_fen), (855_000, 145_000), "the money was reserved once");
    same(t.app.pay_aid(&approver, &id, 3, "bank", "审批人发放").await);
    t.app.pay_aid(&t.reviewer, &id, 3, "bank", "工行转账 20261130-009").await.unwrap();
    assert_eq!(t.app.test_store().aid(&id).await.unwrap().unwrap().status.code(), "paid");
    let mut steps: Vec<(String, String)> =
        t.app.test_store().aid_approvals(&id).await.unwrap().into_iter().map(|a| (a.step, a.actor)).collect();
    steps.sort();
    let expected = [("approve", "cy_approver"), ("pay", "jw_reviewer"), ("review", "jw_chief")];
    assert_eq!(steps, expected.map(|(s, a)| (s.to_owned(), a.to_owned())).to_vec(), "only the allowed steps");
    let audit = t.app.test_store().audit_after(0, 10_000).await.unwrap();
    assert!(audit.iter().filter(|e| e.entity_id == id).all(|e| !e.detail.contains("duty_exception")));
}

/// A street with too few staff: its district's administrator lets one person review and
/// approve the same item from a date; the exception is recorded with the step. Nobody below
/// may grant it, and it never lets one person propose, review and approve.
async fn a_small_street_may_have_an_exception_recorded_in_the_audit(t: T) {
    let approver = user(&t.app, "cy_approver", "110105:mz", "district_approver").await;
    let district_admin = user(&t.app, "cy_admin", "110105:mz", "admin").await;
    let street_admin = user(&t.app, "jw_admin", "110105001:mz", "admin").await;
    let fund = t.app.create_fund(&approver, "110105001:mz", "reserve", "建外街道备用金").await.unwrap();
    t.app.deposit(&approver, &fund, 1_000_000, "备用金").await.unwrap();
    t.clock.set_now(T0);
    let today = "2026-11-29";
    let forbidden = |r: Result<(), AppError>| assert!(matches!(r, Err(AppError::Forbidden)), "{r:?}");
    forbidden(t.app.add_duty_rule(&street_admin, "110105001", today, "review_approve", "街道自批").await);
    forbidden(t.app.add_duty_rule(&district_admin, "110105", today, "review_approve", "区自批").await);
    forbidden(t.app.add_duty_rule(&district_admin, "110108001", today, "review_approve", "他区街道").await);
    forbidden(t.app.add_duty_rule(&t.reviewer, "110105001", today, "review_approve", "x").await);
    assert_eq!(
        t.app.add_duty_rule(&district_admin, "110105001", today, "review_pay", "x").await.unwrap_err().code(),
        "UNKNOWN_DUTY_EXCEPTION"
    );
    assert_eq!(
        t.app.add_duty_rule(&district_admin, "110105001024", today, "review_approve", "x").await.unwrap_err().code(),
        "INVALID_DIVISION_CODE"
    );
    let case_id = reviewed_case_of(&t, "张伟", "11010519491231002X").await;
    let before = t.app.propose_aid(&t.clerk, &case_id, aid("emergency", 1, &fund)).await.unwrap();
    t.app.review_aid(&t.reviewer, &before, 1, "拟救助").await.unwrap();
    assert_eq!(t.app.approve_aid(&t.reviewer, &before, 2, "同意").await.unwrap_err().code(), "SAME_PERSON");
    // From tomorrow (a dated row) the street's reviewer may also approve.
    t.app
        .add_duty_rule(
            &district_admin,
            "110105001",
            "2026-11-30",
            "review_approve",
            "建外街道仅一名审核人员，区民政局批准",
        )
        .await
        .unwrap();
    assert_eq!(
        t.app.approve_aid(&t.reviewer, &before, 2, "同意").await.unwrap_err().code(),
        "SAME_PERSON",
        "not before its date"
    );
    t.clock.set_now(parse_beijing_datetime("2026-11-30T09:00").unwrap());
    t.app.approve_aid(&t.reviewer, &before, 2, "同意（依据例外）").await.unwrap();
    // The exception covers only the pair it names: the approver still does not pay.
    assert_eq!(t.app.pay_aid(&t.reviewer, &before, 3, "bank", "x").await.unwrap_err().code(), "SAME_PERSON");
    t.app.pay_aid(&t.clerk, &before, 3, "bank", "工行转账 20261130-010").await.unwrap();
    let audit = t.app.test_store().audit_after(0, 10_000).await.unwrap();
    let approved = audit.iter().find(|e| e.entity_id == before && e.action == "aid.approved").unwrap();
    let detail: serde_json::Value = serde_json::from_str(&approved.detail).unwrap();
    assert_eq!(detail["duty_exception"], serde_json::json!(["review_approve"]), "{}", approved.detail);
    let paid = audit.iter().find(|e| e.entity_id == before && e.action == "aid.paid").unwrap();
    assert!(!paid.detail.contains("duty_exception"));
    assert_eq!(audit.iter().filter(|e| e.action == "rule.duties_added").count(), 1);
    let view = t.app.aid_of_case(&case_id).await.unwrap();
    let shared = view.iter().find(|v| v.item.id == before).unwrap().duty_history().shared();
    assert_eq!(shared, vec![jiujinan_domain::duties::DutyException::ReviewApprove], "shown on the item");

    // Even with every pair allowed, one person never proposes, reviews and approves one item.
    let all = "propose_review,propose_approve,review_approve";
    t.app.add_duty_rule(&t.hotline, "110105001", "2026-12-01", all, "测试：全部例外").await.unwrap();
    t.clock.set_now(parse_beijing_datetime("2026-12-01T09:00").unwrap());
    let other = reviewed_case_of(&t, "王芳", "110105194912310046").await;
    let own = t.app.propose_aid(&t.reviewer, &other, aid("emergency", 1, &fund)).await.unwrap();
    t.app.review_aid(&t.reviewer, &own, 1, "依据例外").await.unwrap();
    assert_eq!(t.app.approve_aid(&t.reviewer, &own, 2, "x").await.unwrap_err().code(), "SAME_PERSON", "three steps");
    t.app.approve_aid(&t.chief, &own, 2, "同意").await.unwrap();
}
