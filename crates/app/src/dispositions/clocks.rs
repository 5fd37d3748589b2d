//! Working a step's clock by hand (pause with a reason, resume) and the supervision (督办) list.

use super::*;

impl App {
    /// Stops (with a reason, e.g. waiting for the applicant's documents) or restarts a clock.
    /// The responsible unit or the case's handling office may do it.
    pub async fn pause_clock(
        &self,
        actor: &Actor,
        deadline_id: &str,
        expected_version: i64,
        pause: Option<&str>,
    ) -> Result<(), AppError> {
        let d = self.store.deadline(deadline_id).await?.ok_or(AppError::NotFound)?;
        let sender_side = disposes(actor) && covers(actor, &d.division);
        let allowed = d.responsible_unit == actor.unit.as_str() || sender_side;
        if !allowed {
            return Err(AppError::NotFound);
        }
        if !actor.may(Permission::AnswerReferrals) {
            return Err(AppError::Forbidden);
        }
        // An overdue step cannot stop its own supervision: only the case's side may pause it then.
        if pause.is_some() && d.level > 0 && !sender_side {
            return Err(AppError::Conflict("CLOCK_STATE"));
        }
        let why = pause.map(|p| reason(p, 500, "REASON_REQUIRED", "reason")).transpose()?;
        let mut audit = actor.audit(
            if why.is_some() { "deadline.paused" } else { "deadline.resumed" },
            ("deadline", &d.id),
            &json!({"reason": why}),
        );
        audit.division = d.division.clone();
        let now = self.now_ms();
        let change = match &why {
            Some(w) => ClockChange::Pause(w),
            None => ClockChange::Resume { shift_ms: self.resume_shift(&d, now).await? },
        };
        self.store.set_deadline_paused(&d.id, expected_version, change, &who(actor), audit, now).await.map_err(|e| {
            match e {
                StoreError::Conflict(Conflict::DeadlineState) => AppError::Conflict("CLOCK_STATE"),
                other => other.into(),
            }
        })
    }

    /// How far a clock's instants move when it restarts. A limit in working days keeps the
    /// working days it had left: it ends that many working days after the day it restarts (the
    /// rest of the restart day is a bonus, as for a step begun mid-day), so a pause over a
    /// weekend or holiday costs the office nothing. Hour limits, and steps already overdue when
    /// paused, move by the time the clock stood still.
    async fn resume_shift(&self, d: &DeadlineRecord, now: i64) -> Result<i64, AppError> {
        let stood_still = (now - d.paused_ms).max(0);
        if d.paused_ms == 0 || d.paused_ms >= d.due_ms {
            return Ok(stood_still);
        }
        let rules = self.store.deadline_rules().await?;
        let in_working_days =
            rules.iter().find(|r| rule_key(r) == d.rule).is_some_and(|r| r.unit == LimitUnit::WorkingDays.code());
        if !in_working_days {
            return Ok(stood_still);
        }
        let cal = self.work_calendar().await?;
        let (paused_day, last_day) = (beijing_day(d.paused_ms), beijing_day(d.due_ms - 1));
        let left = (paused_day + 1..=last_day).filter(|day| cal.is_workday(*day)).count() as i64;
        Ok((cal.add_working_days(now, left) - d.due_ms).max(0))
    }

    /// The actor's supervision list: overdue steps of their units and of those they supervise.
    pub async fn supervision_list(&self, actor: &Actor, open_only: bool) -> Result<Vec<SupervisionRecord>, AppError> {
        if !actor.may(Permission::ReadSupervision) {
            return Err(AppError::Forbidden);
        }
        let items = self.store.supervision_items(&actor.jurisdiction, open_only, 500).await?;
        Ok(crate::supervision::visible_to(actor, items))
    }
}
