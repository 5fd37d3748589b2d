//! The worked part of a synthetic case file for benchmarks (issue 19): a household of three to
//! five with income and assets, one or two investigations, and, once reviewed, three
//! disposition actions with their events and clocks and a paid aid item with its opinions —
//! about twenty timeline steps in all, like a case a street has really worked.

use jiujinan_domain::aid::{AidKind, AidStatus, AidType, Level, propose, required_level, yuan};
use jiujinan_domain::case::{CaseStatus, Route};
use jiujinan_domain::disposition::ActionStatus;
use jiujinan_store::{
    ActionEvent, ActionRecord, AidApproval, AidItem, DeadlineRecord, Investigation, SeedBatch, SeedStep, TimelineEntry,
};
use rand::Rng;
use rand::rngs::StdRng;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// Who the case is about and where, as the generator drew it.
pub(crate) struct CaseDraw<'a> {
    pub case_id: &'a str,
    pub case_number: &'a str,
    pub community: &'a str,
    pub office: &'a str,
    pub name: &'a str,
    pub id_number: Option<&'a str>,
    pub hardship: &'a str,
    pub status: CaseStatus,
    pub opened_ms: i64,
    pub now_ms: i64,
}

const RELATIVES: &[&str] = &["spouse", "child", "child", "parent", "grandchild"];
const FINDINGS: &[&str] = &[
    "入户核实：房屋受损，家中无其他收入来源，情况属实。",
    "走访邻里：邻居证实申请人近月无业，子女就学。",
    "信息核查：名下无机动车，无工商登记。",
];

/// A timeline step of a lead or case (`subject`: its type and id) taken by the seed at `office`.
pub(crate) fn seed_step(
    subject: (&str, &str),
    id: String,
    at_ms: i64,
    office: &str,
    step: &str,
    note: String,
) -> SeedStep {
    SeedStep {
        id,
        subject_type: subject.0.into(),
        subject_id: subject.1.to_owned(),
        entry: TimelineEntry { at_ms, actor: "seed".into(), unit: office.to_owned(), step: step.into(), note },
    }
}

/// A step of the case `case_id`.
fn step(id: String, case_id: &str, at_ms: i64, office: &str, step: &str, note: String) -> SeedStep {
    seed_step(("case", case_id), id, at_ms, office, step, note)
}

/// The household JSON (the applicant first) and the economy JSON of a case, and the number
/// of members living together.
pub(crate) fn household(rng: &mut StdRng, d: &CaseDraw<'_>, relatives: &[String]) -> (String, String, i64) {
    let extra = rng.random_range(2..=4);
    let mut members = vec![serde_json::json!({
        "name": d.name, "relationship": "self", "id_number": d.id_number, "living_together": true
    })];
    for (name, code) in relatives.iter().zip(RELATIVES.iter().cycle()).take(extra) {
        members.push(serde_json::json!({
            "name": name, "relationship": code, "id_number": null, "living_together": rng.random_range(0..6) > 0
        }));
    }
    let together = members.iter().filter(|m| m["living_together"] == true).count() as i64;
    let economy = serde_json::json!({
        "income": [
            {"kind": "工资", "amount_fen": rng.random_range(0..4_000) * 100},
            {"kind": "养老金", "amount_fen": rng.random_range(0..2_500) * 100},
        ],
        "assets": [
            {"kind": "存款", "amount_fen": rng.random_range(0..30_000) * 100},
            {"kind": "车辆", "amount_fen": 0},
        ],
        "note": "申请人声明",
    });
    (serde_json::Value::Array(members).to_string(), economy.to_string(), together)
}

/// Investigations, actions, events, clocks, aid and timeline steps of one case, into `batch`;
/// what its aid paid out, in fen (0 before review).
pub(crate) fn worked(rng: &mut StdRng, d: &CaseDraw<'_>, persons: i64, batch: &mut SeedBatch) -> i64 {
    let (case, office) = (d.case_id, d.office);
    let district = &d.community[..6];
    let mut at = d.opened_ms + HOUR;
    batch.steps.push(step(format!("{case}-file"), case, at, office, "file_updated", String::new()));
    let visits = rng.random_range(1..=2);
    let methods = ["home_visit", "neighbours"].into_iter().zip(FINDINGS.iter().copied());
    for (n, (method, findings)) in methods.take(visits).enumerate() {
        at += rng.random_range(2..30) * HOUR;
        batch.investigations.push(Investigation {
            id: format!("{case}-inv{n}"),
            case_id: case.to_owned(),
            method: method.into(),
            investigator: "seed".into(),
            unit: office.to_owned(),
            done_ms: at,
            findings: findings.into(),
            created_ms: at,
        });
        batch.steps.push(step(format!("{case}-inv{n}"), case, at, office, "investigated", method.into()));
    }
    if d.status == CaseStatus::Investigating {
        return 0;
    }
    at += rng.random_range(2..24) * HOUR;
    batch.steps.push(step(format!("{case}-sub"), case, at, office, "submitted_for_review", String::new()));
    if d.status != CaseStatus::Reviewed {
        return 0;
    }
    at += rng.random_range(2..48) * HOUR;
    batch.steps.push(step(
        format!("{case}-rev"),
        case,
        at,
        office,
        "reviewed",
        "情况属实，建议转介并给予临时救助".into(),
    ));
    // Three actions: medical assistance done and fed back, employment accepted and under way,
    // a charity match still waiting for an answer. Each carries its clock.
    let plans = [
        (Route::Refer, "medical", format!("{district}:wj"), ActionStatus::Completed),
        (Route::Refer, "employment", format!("{district}:rs"), ActionStatus::Accepted),
        (Route::Charity, "", String::new(), ActionStatus::Sent),
    ];
    for (n, (route, programme, to_unit, status)) in plans.into_iter().enumerate() {
        let id = format!("{case}-a{n}");
        let created = at + HOUR * (n as i64 + 1);
        let mut touched = created;
        batch.steps.push(step(format!("{id}-v1"), case, created, office, "action_created", route.code().into()));
        let clock = format!("{}.{}", route.code(), if status == ActionStatus::Sent { "accept" } else { "feedback" });
        batch.steps.push(step(format!("{id}-dl-open"), case, created, office, "deadline_opened", clock));
        let event = |kind: &str, at_ms: i64, detail: &str, batch: &mut SeedBatch| {
            batch.events.push(ActionEvent {
                id: format!("{id}-{kind}-{at_ms}"),
                action_id: id.clone(),
                kind: kind.into(),
                at_ms,
                actor: "seed".into(),
                unit: if to_unit.is_empty() { office.to_owned() } else { to_unit.clone() },
                detail: detail.into(),
                created_ms: at_ms,
            });
        };
        let mut changes = 0;
        if status != ActionStatus::Sent {
            touched += rng.random_range(4..48) * HOUR;
            changes += 1;
            batch.steps.push(step(format!("{id}-acc"), case, touched, office, "action_accepted", String::new()));
            touched += rng.random_range(1..5) * DAY;
            event("progress", touched, "已联系申请人，材料审核中", batch);
            touched += rng.random_range(1..3) * DAY;
            event("progress", touched, "材料齐全，已提交审批", batch);
        }
        if status == ActionStatus::Completed {
            touched += rng.random_range(1..5) * DAY;
            changes += 1;
            batch.steps.push(step(
                format!("{id}-fb"),
                case,
                touched,
                office,
                "action_feedback",
                "granted: 已给予医疗救助".into(),
            ));
        }
        let (clock_step, state, closed) = match status {
            ActionStatus::Sent => ("accept", "open", 0),
            ActionStatus::Accepted => ("feedback", "open", 0),
            _ => ("feedback", "closed", touched),
        };
        // Open clocks run into the future, so the benchmark's server has nothing to sweep.
        let due = if state == "open" { d.now_ms + rng.random_range(2..15) * DAY } else { touched };
        batch.deadlines.push(DeadlineRecord {
            id: format!("{id}-dl"),
            subject_type: "action".into(),
            subject_id: id.clone(),
            case_id: case.to_owned(),
            case_number: d.case_number.to_owned(),
            division: d.community.to_owned(),
            step: format!("{}.{clock_step}", route.code()),
            rule: format!("{}/{clock_step}/department@0", route.code()),
            responsible_unit: if to_unit.is_empty() { office.to_owned() } else { to_unit.clone() },
            responsible_user: String::new(),
            started_ms: created,
            due_ms: due,
            warn_ms: due - DAY,
            escalate_days: 2,
            state: state.into(),
            warned: false,
            level: 0,
            next_ms: due - DAY,
            paused_ms: 0,
            pause_reason: String::new(),
            closed_ms: closed,
            version: 1,
        });
        batch.actions.push(ActionRecord {
            id: id.clone(),
            case_id: case.to_owned(),
            case_number: d.case_number.to_owned(),
            route,
            programme: programme.into(),
            division: d.community.to_owned(),
            from_unit: office.to_owned(),
            from_user: "seed".into(),
            to_party: if to_unit.is_empty() { "北京市慈善协会".into() } else { String::new() },
            to_unit,
            status,
            request: "请协助办理".into(),
            amount_fen: 0,
            accepted_by: if status == ActionStatus::Sent { String::new() } else { "seed".into() },
            return_reason: String::new(),
            outcome: if status == ActionStatus::Completed { "granted".into() } else { String::new() },
            outcome_detail: if status == ActionStatus::Completed {
                "已给予医疗救助".into()
            } else {
                String::new()
            },
            redirected_from: String::new(),
            details: "{}".into(),
            created_ms: created,
            updated_ms: touched,
            version: 1 + changes,
        });
    }
    // Temporary assistance: one month of the standard for the household, proposed, reviewed,
    // approved and paid, each with its opinion.
    let standard = 145_000;
    let p = propose(standard, 1, persons);
    // The level the seeded ceilings (3,000 yuan street, 20,000 district) give the amount.
    let level = required_level(p.amount_fen, 300_000, 2_000_000, false).unwrap_or(Level::District);
    let aid_id = format!("{case}-aid");
    let mut t = at + 6 * HOUR;
    batch.steps.push(step(
        format!("{aid_id}-proposed"),
        case,
        t,
        office,
        "aid_proposed",
        format!("{} {}", yuan(p.amount_fen), p.calculation),
    ));
    for (n, (opinion_step, timeline_step)) in
        [("review", "aid_reviewed"), ("approve", "aid_approved"), ("pay", "aid_paid")].into_iter().enumerate()
    {
        t += rng.random_range(2..30) * HOUR;
        batch.opinions.push(AidApproval {
            id: format!("{aid_id}-{n}"),
            aid_id: aid_id.clone(),
            step: opinion_step.into(),
            level: level.code().into(),
            actor: format!("seed{n}"),
            unit: office.to_owned(),
            opinion: "同意".into(),
            at_ms: t,
        });
        batch.steps.push(step(format!("{aid_id}-{n}"), case, t, office, timeline_step, String::new()));
    }
    batch.aid.push(AidItem {
        id: aid_id,
        case_id: case.to_owned(),
        case_number: d.case_number.to_owned(),
        division: d.community.to_owned(),
        programme: "temporary".into(),
        kind: AidKind::Cash,
        aid_type: AidType::Emergency,
        cause: d.hardship.to_owned(),
        tier: 1,
        persons,
        description: "基本生活救助".into(),
        proposed_fen: p.amount_fen,
        amount_fen: p.amount_fen,
        calculation: format!("{} × 1 个月 × {persons} 人（{}）", yuan(standard), p.calculation),
        placeholders: "standard,authority".into(),
        change_reason: String::new(),
        special: false,
        required_level: level,
        fund_id: format!("seed-fund-{}", &d.community[..9]),
        status: AidStatus::Paid,
        delivery_method: "bank".into(),
        delivery_ref: format!("TX-{}", rng.random_range(100_000..999_999)),
        paid_ms: t,
        refusal_reason: String::new(),
        action_id: String::new(),
        created_by: "seed".into(),
        created_unit: office.to_owned(),
        created_ms: at + 6 * HOUR,
        updated_ms: t,
        version: 4,
    });
    p.amount_fen
}
