//! Rule data an administrator edits without a release, each row dated and audited: time limits
//! and the working-day calendar (holidays and 调休 make-up working days) here, the programme
//! catalogue in `programmes`, and aid standards, ceilings, tiers and yearly limits in `aid_rules`.

mod aid_rules;
pub mod programmes;

use jiujinan_domain::case::Route;
use jiujinan_domain::disposition::{LimitUnit, reason};
use jiujinan_domain::org::{DivisionLevel, UnitKind};
use jiujinan_store::{CalendarDay, DeadlineRule, TimeLimit};
use serde::Serialize;
use serde_json::json;

use crate::access::field;
use crate::auth::Actor;
use crate::calendar::{parse_yyyymmdd, start_of_beijing_day};
use crate::deadlines::{due_under, rule_key};
use crate::{App, AppError};

/// The steps a time limit can be set for, per route.
pub const STEPS: &[&str] = &["accept", "feedback", "paperwork", "decision", "followup"];

/// A new time limit as typed by an administrator.
#[derive(Debug, Clone, Default)]
pub struct RuleInput {
    pub route: String,
    pub step: String,
    pub to_kind: String,
    pub unit: String,
    pub amount: i64,
    pub warn_hours: i64,
    pub escalate_after_days: i64,
    /// YYYY-MM-DD; today when empty.
    pub effective_from: String,
    pub source: String,
    /// Recompute the deadlines already running under the rule this one replaces.
    pub apply_to_running: bool,
}

/// What adding a rule did.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RuleAdded {
    pub rescheduled: usize,
}

/// City-wide rule data: the city's administrators only (ADR 0016).
fn admin(actor: &Actor) -> Result<(), AppError> {
    if !actor.principal().edits_rules_at(DivisionLevel::City) {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

impl App {
    /// The time limit of a step and urgency that was in force at `at_ms` (e.g. when a lead came
    /// in), if any.
    pub async fn time_limit_at(&self, step: &str, urgency: &str, at_ms: i64) -> Result<Option<TimeLimit>, AppError> {
        Ok(self.store.time_limit(step, urgency, at_ms).await?)
    }

    /// Every time-limit rule, including superseded ones.
    pub async fn deadline_rules(&self) -> Result<Vec<DeadlineRule>, AppError> {
        Ok(self.store.deadline_rules().await?)
    }

    /// Adds a time limit. Deadlines already running keep their dates unless
    /// `apply_to_running` says otherwise.
    pub async fn add_deadline_rule(&self, actor: &Actor, input: RuleInput) -> Result<RuleAdded, AppError> {
        admin(actor)?;
        let route = input.route.trim();
        if route != "case" {
            Route::parse(route)?;
        }
        let step = input.step.trim();
        if !STEPS.contains(&step) {
            return Err(field("UNKNOWN_STEP", "step"));
        }
        let to_kind = match input.to_kind.trim() {
            "" | "*" => "*".to_owned(),
            k => UnitKind::parse(k).map_err(|_| field("INVALID_UNIT_KIND", "to_kind"))?.code().to_owned(),
        };
        let unit = LimitUnit::parse(&input.unit)?;
        if !(1..=3_650).contains(&input.amount) {
            return Err(field("INVALID_LIMIT", "amount"));
        }
        if !(0..=720).contains(&input.warn_hours) {
            return Err(field("INVALID_LIMIT", "warn_hours"));
        }
        if !(0..=365).contains(&input.escalate_after_days) {
            return Err(field("INVALID_LIMIT", "escalate_after_days"));
        }
        let now = self.now_ms();
        let effective_from = match input.effective_from.trim() {
            "" => now,
            s => start_of_beijing_day(s).ok_or(field("INVALID_DAY", "effective_from"))?,
        };
        let source = reason(&input.source, 500, "DETAIL_REQUIRED", "source")?;
        let previous = self.deadline_rule(route, step, &to_kind).await.ok();
        let rule = DeadlineRule {
            route: route.to_owned(),
            step: step.to_owned(),
            to_kind,
            unit: unit.code().to_owned(),
            amount: input.amount,
            warn_hours: input.warn_hours,
            escalate_after_days: input.escalate_after_days,
            effective_from,
            placeholder: false,
            source,
            created_by: actor.username.clone(),
            created_ms: now,
        };
        let audit = actor.audit(
            "rule.deadline_added",
            ("rule", &rule_key(&rule)),
            &json!({"apply_to_running": input.apply_to_running}),
        );
        self.store.insert_deadline_rule(&rule, audit, now).await.map_err(|e| match e {
            jiujinan_store::StoreError::Conflict(_) => AppError::Conflict("RULE_EXISTS"),
            other => other.into(),
        })?;
        let mut rescheduled = 0;
        // Only a rule replacing an older one for the same receiving kind moves its clocks (a
        // kind-specific rule must not move the clocks of the `*` rule's other kinds).
        let replaced = previous.filter(|p| {
            input.apply_to_running
                && effective_from <= now
                && rule_key(p) != rule_key(&rule)
                && p.to_kind == rule.to_kind
                && p.effective_from <= rule.effective_from
        });
        if let Some(prev) = replaced {
            {
                let cal = self.work_calendar().await?;
                // Steps already overdue keep their supervision as it stands.
                for d in self.store.open_deadlines_by_rule(&rule_key(&prev)).await?.into_iter().filter(|d| d.level == 0)
                {
                    let (due, warn) = due_under(&rule, &cal, d.started_ms);
                    let audit = actor.audit(
                        "deadline.rescheduled",
                        ("deadline", &d.id),
                        &json!({"from": d.due_ms, "to": due, "rule": rule_key(&rule)}),
                    );
                    if self.store.reschedule_deadline(&d.id, d.version, &rule_key(&rule), due, warn, audit, now).await?
                    {
                        rescheduled += 1;
                    }
                }
            }
        }
        Ok(RuleAdded { rescheduled })
    }

    /// The holidays and make-up working days.
    pub async fn calendar_days(&self) -> Result<Vec<CalendarDay>, AppError> {
        Ok(self.store.calendar_days().await?)
    }

    /// Sets a day as a holiday (`workday` false) or a make-up working day, or with `None`
    /// returns it to the ordinary week.
    pub async fn set_calendar_day(
        &self,
        actor: &Actor,
        day: &str,
        entry: Option<(bool, &str)>,
    ) -> Result<(), AppError> {
        admin(actor)?;
        let day = parse_yyyymmdd(day).ok_or(field("INVALID_DAY", "day"))?;
        let entry = match entry {
            Some((workday, name)) => Some(CalendarDay {
                day,
                workday,
                name: reason(name, 50, "DETAIL_REQUIRED", "name")?,
                placeholder: false,
                source: format!("edited by {}", actor.username),
            }),
            None => None,
        };
        let audit = actor.audit(
            "calendar.day_set",
            ("calendar", &day.to_string()),
            &json!({"workday": entry.as_ref().map(|e| e.workday)}),
        );
        self.store.set_calendar_day(day, entry.as_ref(), audit, self.now_ms()).await?;
        self.caches.clear_calendar();
        Ok(())
    }
}
