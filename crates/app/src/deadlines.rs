//! Durable deadlines: time limits from rule data on the working-day calendar, warnings
//! before a breach, supervision items (督办) on breach, and escalation up the four levels
//! while a step stays overdue.
//!
//! Deadlines are rows, so they survive restarts; whichever `jiujinan serve` process sweeps
//! first fires a due deadline, the others find its version moved on (see ADR 0009).

use std::sync::Arc;

use jiujinan_domain::audit::AuditDraft;
use jiujinan_domain::disposition::{LimitUnit, supervisor_of};
use jiujinan_domain::org::UnitCode;
use jiujinan_store::{DeadlineFire, DeadlineRecord, DeadlineRule, NewDeadline, NewSupervision, TimeLimit};
use serde::Serialize;
use serde_json::json;

use crate::calendar::WorkCalendar;
use crate::ids::new_id;
use crate::{App, AppError};

/// Never: the escalation chain has reached the city.
const NEVER: i64 = i64::MAX / 4;

/// What one supervision sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    pub warned: u32,
    pub overdue: u32,
    pub escalated: u32,
    /// Deadlines another process fired first.
    pub lost: u32,
}

/// The case and the people a new clock belongs to.
#[derive(Debug, Clone)]
pub struct ClockOwner<'a> {
    pub subject: (&'a str, &'a str),
    pub case: (&'a str, &'a str, &'a str),
    pub responsible: (&'a str, &'a str),
}

/// The rule key stored on a deadline, so an administrator can find the clocks a rule set.
pub fn rule_key(r: &DeadlineRule) -> String {
    format!("{}/{}/{}@{}", r.route, r.step, r.to_kind, r.effective_from)
}

/// The rule key of a clock set by a time limit of verification, investigation or review.
pub fn limit_key(step: &str, urgency: &str, l: &TimeLimit) -> String {
    format!("limits/{step}/{urgency}@{}", l.effective_from)
}

/// Due and warning instants of a step begun at `start` under `rule`.
pub fn due_under(rule: &DeadlineRule, cal: &WorkCalendar, start: i64) -> (i64, i64) {
    let due = match LimitUnit::parse(&rule.unit) {
        Ok(LimitUnit::Hours) => start + rule.amount * 3_600_000,
        _ => cal.add_working_days(start, rule.amount),
    };
    (due, (due - rule.warn_hours * 3_600_000).max(start))
}

impl App {
    /// The working-day calendar, from the cache when fresh.
    pub async fn work_calendar(&self) -> Result<Arc<WorkCalendar>, AppError> {
        let now = self.now_ms();
        if let Some(c) = self.caches.calendar(now) {
            return Ok(c);
        }
        let days = self.store.calendar_days().await?;
        let cal = Arc::new(WorkCalendar::new(days.iter().map(|d| (d.day.clamp(0, u32::MAX as i64) as u32, d.workday))));
        self.caches.put_calendar(cal.clone(), now);
        Ok(cal)
    }

    /// The rule in force for a step: the receiving kind's own rule before the `*` rule, the
    /// latest effective date not in the future.
    pub async fn deadline_rule(&self, route: &str, step: &str, to_kind: &str) -> Result<DeadlineRule, AppError> {
        let now = self.now_ms();
        let rules = self.store.deadline_rules().await?;
        rules
            .into_iter()
            .filter(|r| r.route == route && r.step == step && r.effective_from <= now)
            .filter(|r| r.to_kind == to_kind || r.to_kind == "*")
            .max_by_key(|r| (r.to_kind != "*", r.effective_from))
            .ok_or_else(|| AppError::Internal(format!("no time limit for {route}/{step}")))
    }

    /// A new clock for a step, computed from the rule in force now.
    pub(crate) async fn new_deadline(
        &self,
        route: &str,
        step: &str,
        to_kind: &str,
        owner: ClockOwner<'_>,
    ) -> Result<NewDeadline, AppError> {
        self.new_deadline_from(route, step, to_kind, owner, self.now_ms()).await
    }

    /// A new clock for a step that can begin only at `start` (a payment after its 公示 ends),
    /// computed from the rule in force now.
    pub(crate) async fn new_deadline_from(
        &self,
        route: &str,
        step: &str,
        to_kind: &str,
        owner: ClockOwner<'_>,
        start: i64,
    ) -> Result<NewDeadline, AppError> {
        let now = self.now_ms();
        let rule = self.deadline_rule(route, step, to_kind).await?;
        let cal = self.work_calendar().await?;
        let (due, warn) = due_under(&rule, &cal, start.max(now));
        Ok(NewDeadline {
            id: new_id(now),
            subject_type: owner.subject.0.to_owned(),
            subject_id: owner.subject.1.to_owned(),
            case_id: owner.case.0.to_owned(),
            case_number: owner.case.1.to_owned(),
            division: owner.case.2.to_owned(),
            step: format!("{route}.{step}"),
            rule: rule_key(&rule),
            responsible_unit: owner.responsible.0.to_owned(),
            responsible_user: owner.responsible.1.to_owned(),
            started_ms: now,
            due_ms: due,
            warn_ms: warn,
            escalate_days: rule.escalate_after_days,
        })
    }

    /// A new clock for a step of a case (`investigate`, `review`), from the time limit in
    /// force now for the case's urgency (hours, not working days: these limits are short).
    pub(crate) async fn case_step_clock(
        &self,
        step: &str,
        urgency: &str,
        owner: ClockOwner<'_>,
    ) -> Result<NewDeadline, AppError> {
        let now = self.now_ms();
        let limit = self.time_limit(step, urgency).await?;
        let due = now + limit.hours * 3_600_000;
        Ok(NewDeadline {
            id: new_id(now),
            subject_type: owner.subject.0.to_owned(),
            subject_id: owner.subject.1.to_owned(),
            case_id: owner.case.0.to_owned(),
            case_number: owner.case.1.to_owned(),
            division: owner.case.2.to_owned(),
            step: format!("case.{step}"),
            rule: limit_key(step, urgency, &limit),
            responsible_unit: owner.responsible.0.to_owned(),
            responsible_user: owner.responsible.1.to_owned(),
            started_ms: now,
            due_ms: due,
            warn_ms: (due - limit.warn_hours * 3_600_000).max(now),
            escalate_days: limit.escalate_after_days,
        })
    }

    /// Moves a test clock (administrators only; the real clock refuses). Sessions move with
    /// it, so a jump of days signs nobody out.
    pub async fn set_test_clock(&self, actor: &crate::auth::Actor, ms: i64) -> Result<(), AppError> {
        let before = self.now_ms();
        if !actor.may(jiujinan_domain::policy::Permission::SetTestClock) {
            return Err(AppError::Forbidden);
        }
        // Time never runs backwards: audit entries, ledger months and clocks stay in order.
        if ms < before {
            return Err(AppError::Conflict("CLOCK_BACKWARDS"));
        }
        // The move is on record before it happens (it changes every later timestamp).
        let audit = actor.audit(
            jiujinan_domain::audit::action::CLOCK_MOVED,
            ("clock", "test"),
            &json!({"from_ms": before, "to_ms": ms}),
        );
        self.store.append_audit(audit, before).await?;
        if !self.clock.set_now(ms) {
            return Err(AppError::Forbidden);
        }
        if let Err(e) = self.store.shift_sessions(self.now_ms() - before).await {
            // Both or neither: the clock goes back when the sessions could not move with it.
            self.clock.set_now(before);
            return Err(e.into());
        }
        tracing::warn!(now_ms = ms, by = %actor.username, "test clock moved");
        Ok(())
    }

    /// Sets a test clock at start to `start_ms` (a demo or browser test that plays out past
    /// dates), or where the database's newest audit entry left off if that is later: a
    /// restart never takes the clock back behind what is on record. Nothing is written yet
    /// (the database may turn out not to be a demo): returns the move, `(from, to)`, for
    /// [`Self::record_clock_start`] once it is known to be one.
    pub async fn start_test_clock(&self, start_ms: Option<i64>) -> Result<Option<(i64, i64)>, AppError> {
        let before = self.now_ms();
        let newest = self.store.audit_newest_ms().await?.unwrap_or(i64::MIN);
        let target = start_ms.unwrap_or(before).max(newest);
        if target == before || !self.clock.set_now(target) {
            return Ok(None);
        }
        Ok(Some((before, target)))
    }

    /// Puts the start move of the test clock on record, on a demo database only.
    pub async fn record_clock_start(&self, (from_ms, to_ms): (i64, i64)) -> Result<(), AppError> {
        if !self.is_demo().await? {
            return Err(AppError::Conflict("NOT_A_DEMO_DATABASE"));
        }
        let actor = crate::users::cli_actor();
        let audit = actor.audit(
            jiujinan_domain::audit::action::CLOCK_MOVED,
            ("clock", "test"),
            &json!({"from_ms": from_ms, "to_ms": to_ms, "at": "start"}),
        );
        self.store.append_audit(audit, self.now_ms()).await?;
        Ok(())
    }

    /// How many deadlines the next sweep would fire (warnings, breaches, escalations), at most
    /// 1,000; nothing is written (`supervise --dry-run`).
    pub async fn deadlines_due_now(&self) -> Result<usize, AppError> {
        Ok(self.store.due_deadlines(self.now_ms(), 1_000).await?.len())
    }

    /// Looks at every deadline whose time has come: warns before a breach, opens a
    /// supervision item on breach, escalates one level further each time the escalation
    /// interval passes. Safe to run from several processes at once.
    pub async fn run_supervision(&self) -> Result<SweepReport, AppError> {
        let mut report = SweepReport::default();
        let now = self.now_ms();
        let cal = self.work_calendar().await?;
        loop {
            // Catching up after downtime, one deadline may need its breach and then its
            // escalations: look again until a round fires nothing (levels end at the city).
            let due = self.store.due_deadlines(now, 200).await?;
            let mut fired = 0;
            for d in due {
                let (fire, kind) = next_fire(&d, &cal, now);
                let detail = json!({"step": d.step, "level": fire.level, "due_ms": d.due_ms});
                let audit = AuditDraft::new(
                    "system",
                    "",
                    &d.division,
                    &format!("deadline.{kind}"),
                    ("deadline", &d.id),
                    &detail,
                );
                if self.store.fire_deadline(&fire, audit, now).await? {
                    fired += 1;
                    match kind {
                        "warning" => report.warned += 1,
                        "overdue" => report.overdue += 1,
                        _ => report.escalated += 1,
                    }
                } else {
                    report.lost += 1;
                }
            }
            if fired == 0 {
                break;
            }
        }
        if report != SweepReport::default() {
            tracing::info!(?report, "supervision sweep");
        }
        Ok(report)
    }
}

/// The supervising unit at escalation `level` (1 = the level above the responsible unit).
pub fn supervisor_at(responsible: &str, level: i64) -> Option<UnitCode> {
    let mut unit = UnitCode::parse(responsible).ok()?;
    for _ in 0..level {
        unit = supervisor_of(&unit)?;
    }
    Some(unit)
}

/// What the sweep does to a deadline whose `next_ms` has come.
fn next_fire(d: &DeadlineRecord, cal: &WorkCalendar, now: i64) -> (DeadlineFire, &'static str) {
    let base = DeadlineFire {
        id: d.id.clone(),
        expected_version: d.version,
        warned: true,
        level: d.level,
        next_ms: d.due_ms,
        supervision: None,
        step: String::new(),
        note: d.step.clone(),
    };
    if !d.warned && now < d.due_ms {
        return (DeadlineFire { step: "deadline_warning".into(), ..base }, "warning");
    }
    let level = d.level + 1;
    let supervising = supervisor_at(&d.responsible_unit, level);
    let next_ms = match supervisor_at(&d.responsible_unit, level + 1) {
        Some(_) if d.escalate_days > 0 => {
            // From the breach, or from a handover after it (a lead transferred while overdue
            // starts a fresh clock then: the new office's chain is not escalated for the old
            // office's delay).
            let from = if d.level == 0 { d.due_ms.max(d.started_ms) } else { d.next_ms };
            cal.add_working_days(from - 1, d.escalate_days)
        }
        _ => NEVER,
    };
    let Some(sup) = supervising else {
        // Nobody above: the item stays with the top level without further escalation.
        return (DeadlineFire { next_ms: NEVER, step: "overdue".into(), ..base }, "overdue");
    };
    let supervision = NewSupervision {
        id: new_id(now),
        deadline_id: d.id.clone(),
        // The step's subject: a lead (verified before any case exists), a case, an action…
        subject_type: d.subject_type.clone(),
        subject_id: d.subject_id.clone(),
        case_id: d.case_id.clone(),
        case_number: d.case_number.clone(),
        division: d.division.clone(),
        step: d.step.clone(),
        level,
        responsible_unit: d.responsible_unit.clone(),
        responsible_user: d.responsible_user.clone(),
        supervising_unit: sup.to_string(),
        due_ms: d.due_ms,
    };
    let kind = if d.level == 0 { "overdue" } else { "escalated" };
    let note = format!("{} → {}", d.step, sup);
    (DeadlineFire { level, next_ms, supervision: Some(supervision), step: kind.into(), note, ..base }, kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(started_ms: i64, due_ms: i64) -> DeadlineRecord {
        DeadlineRecord {
            id: "d".into(),
            subject_type: "lead".into(),
            subject_id: "l".into(),
            case_id: String::new(),
            case_number: "L110105001-2026-000001".into(),
            division: "110105001024".into(),
            step: "lead.verify".into(),
            rule: "limits/verify/urgent@0".into(),
            responsible_unit: "110105001:mz".into(),
            responsible_user: String::new(),
            started_ms,
            due_ms,
            warn_ms: due_ms,
            escalate_days: 1,
            state: "open".into(),
            warned: true,
            level: 0,
            next_ms: due_ms,
            paused_ms: 0,
            pause_reason: String::new(),
            closed_ms: 0,
            version: 1,
        }
    }

    #[test]
    fn a_clock_handed_over_late_escalates_from_the_handover_not_the_old_breach() {
        let cal = WorkCalendar::new(std::iter::empty());
        let day = 24 * 3_600_000;
        // 2026-12-07 (Monday) 00:00 Beijing; due a week earlier; handed over now.
        let monday = 1_796_572_800_000;
        let now = monday + 10 * 3_600_000;
        let (fresh, _) = next_fire(&clock(now, monday - 7 * day), &cal, now);
        assert!(fresh.next_ms > now, "the next escalation is still to come: {}", fresh.next_ms);
        let (late, _) = next_fire(&clock(monday - 8 * day, monday - 7 * day), &cal, now);
        assert!(late.next_ms <= now, "a clock of its own office escalates at once when long overdue");
    }
}
