//! Clocks on steps (deadlines) and the supervision items their breaches raise.
//!
//! The trait and its one implementation on [`SqlStore`], written against `db.rs`.

use async_trait::async_trait;
use jiujinan_domain::audit::AuditDraft;
use jiujinan_domain::jurisdiction::Jurisdiction;

use crate::backend::SqlStore;
use crate::db::{Arg, Sql, WriteTx};
use crate::query::{MAX_IN_LIST, in_scope, placeholders};
use crate::rows::{self, DEADLINE_COLUMNS, SUPERVISION_COLUMNS};
use crate::supervision::open_supervision;
use crate::{ClockChange, Conflict, DeadlineFire, DeadlineRecord, NewDeadline, StoreError, SupervisionRecord, Who};

/// A week in milliseconds.
const WEEK_MS: i64 = 7 * 24 * 3_600_000;

/// Clocks on steps (deadlines) and the supervision items their breaches raise.
#[async_trait]
pub trait DeadlineStore: Send + Sync {
    /// Starts a clock on its own.
    async fn open_deadline(&self, d: &NewDeadline, who: &Who, audit: AuditDraft, now_ms: i64)
    -> Result<(), StoreError>;
    /// Stops the clocks of a subject's open steps (e.g. the follow-up visit was made), with a
    /// timeline step on the case and the audit entry.
    async fn close_subject_deadlines(
        &self,
        subject: (&str, &str),
        case_id: &str,
        step: (&str, &str),
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// One deadline by id.
    async fn deadline(&self, id: &str) -> Result<Option<DeadlineRecord>, StoreError>;
    /// All deadlines of a case, oldest first.
    async fn deadlines_of_case(&self, case_id: &str) -> Result<Vec<DeadlineRecord>, StoreError>;
    /// The deadlines of several actions at once (a referral inbox page), oldest first; at
    /// most `MAX_IN_LIST` ids are read, the rest ignored.
    async fn deadlines_of_actions(&self, action_ids: &[String]) -> Result<Vec<DeadlineRecord>, StoreError>;
    /// Open, running deadlines whose `next_ms` has come.
    async fn due_deadlines(&self, now_ms: i64, limit: i64) -> Result<Vec<DeadlineRecord>, StoreError>;
    /// Open deadlines computed from a rule.
    async fn open_deadlines_by_rule(&self, rule: &str) -> Result<Vec<DeadlineRecord>, StoreError>;
    /// The running clocks a unit is responsible for, soonest due first (the home page's list).
    async fn open_deadlines_of_unit(&self, unit: &str, limit: i64) -> Result<Vec<DeadlineRecord>, StoreError>;
    /// How many clocks of one step run in a scope, and how many of them are past due at `now_ms`.
    async fn count_open_steps(&self, scope: &Jurisdiction, step: &str, now_ms: i64) -> Result<(i64, i64), StoreError>;
    /// 督办 items opened in a scope from `since_ms` on, counted per week: `(week, count)` with
    /// week 0 starting at `since_ms`; weeks without items are absent.
    async fn supervision_opened_by_week(
        &self,
        scope: &Jurisdiction,
        since_ms: i64,
    ) -> Result<Vec<(i64, i64)>, StoreError>;
    /// Applies a warning, breach or escalation if the deadline is still at its version;
    /// `false` when another process did it first (each deadline fires once).
    async fn fire_deadline(&self, fire: &DeadlineFire, audit: AuditDraft, now_ms: i64) -> Result<bool, StoreError>;
    /// Pauses (with a reason) or resumes the clock; resuming moves every instant of the
    /// deadline by the shift the caller worked out (the working days left, or the pause).
    async fn set_deadline_paused(
        &self,
        id: &str,
        expected_version: i64,
        change: ClockChange<'_>,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// Moves a running deadline (an administrator applying a changed time limit).
    #[allow(clippy::too_many_arguments)]
    async fn reschedule_deadline(
        &self,
        id: &str,
        expected_version: i64,
        rule: &str,
        due_ms: i64,
        warn_ms: i64,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<bool, StoreError>;
    /// Supervision items whose case, responsible unit or supervising unit lies within `scope`.
    async fn supervision_items(
        &self,
        scope: &Jurisdiction,
        open_only: bool,
        limit: i64,
    ) -> Result<Vec<SupervisionRecord>, StoreError>;
    /// The supervision items of one case.
    async fn supervision_of_case(&self, case_id: &str) -> Result<Vec<SupervisionRecord>, StoreError>;
}

#[async_trait]
impl DeadlineStore for SqlStore {
    async fn open_deadline(
        &self,
        d: &NewDeadline,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Self::insert_deadline(&mut tx, d).await?;
        let at = (now_ms, who.user.as_str(), who.unit.as_str());
        tx.timeline(format!("{}-open", d.id), ("case", &d.case_id), at, "deadline_opened", &d.step).await?;
        tx.finish(audit, now_ms).await
    }

    async fn close_subject_deadlines(
        &self,
        subject: (&str, &str),
        case_id: &str,
        step: (&str, &str),
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        // A follow-up visit's findings describe the person: sealed like an investigation's.
        let note = crate::pii::Sealer::seal_note(self.pii()?, step.0, step.1);
        let mut tx = self.begin_write().await?;
        Self::close_deadlines_of(&mut tx, subject.0, subject.1, now_ms).await?;
        let at = (now_ms, who.user.as_str(), who.unit.as_str());
        tx.timeline(format!("{}-{}-{now_ms}", subject.1, step.0), ("case", case_id), at, step.0, &note).await?;
        tx.finish(audit, now_ms).await
    }

    async fn deadline(&self, id: &str) -> Result<Option<DeadlineRecord>, StoreError> {
        Ok(self.fetch_deadlines("id = $1", vec![Arg::Text(id.to_owned())]).await?.into_iter().next())
    }

    async fn deadlines_of_case(&self, case_id: &str) -> Result<Vec<DeadlineRecord>, StoreError> {
        self.fetch_deadlines("case_id = $1 ORDER BY started_ms, id", vec![Arg::Text(case_id.to_owned())]).await
    }

    async fn deadlines_of_actions(&self, action_ids: &[String]) -> Result<Vec<DeadlineRecord>, StoreError> {
        let ids = action_ids.get(..action_ids.len().min(MAX_IN_LIST)).unwrap_or_default();
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let filter = format!("subject_id IN ({}) ORDER BY started_ms, id", placeholders(1, ids.len()));
        self.fetch_deadlines(&filter, ids.iter().map(|i| Arg::Text(i.clone())).collect()).await
    }

    async fn due_deadlines(&self, now_ms: i64, limit: i64) -> Result<Vec<DeadlineRecord>, StoreError> {
        self.fetch_deadlines(
            "state = 'open' AND paused_ms = 0 AND next_ms <= $1 ORDER BY next_ms, id LIMIT $2",
            vec![Arg::Int(now_ms), Arg::Int(limit.clamp(1, 1_000))],
        )
        .await
    }

    async fn open_deadlines_by_rule(&self, rule: &str) -> Result<Vec<DeadlineRecord>, StoreError> {
        self.fetch_deadlines("state = 'open' AND rule = $1 ORDER BY started_ms, id", vec![Arg::Text(rule.to_owned())])
            .await
    }

    async fn open_deadlines_of_unit(&self, unit: &str, limit: i64) -> Result<Vec<DeadlineRecord>, StoreError> {
        self.fetch_deadlines(
            "responsible_unit = $1 AND state = 'open' ORDER BY due_ms, id LIMIT $2",
            vec![Arg::Text(unit.to_owned()), Arg::Int(limit.clamp(1, 200))],
        )
        .await
    }

    async fn count_open_steps(&self, scope: &Jurisdiction, step: &str, now_ms: i64) -> Result<(i64, i64), StoreError> {
        let sql = format!(
            "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN paused_ms = 0 AND due_ms <= $3 THEN 1 ELSE 0 END), 0) AS late \
             FROM deadlines WHERE step = $2 AND state = 'open' AND {}",
            in_scope("division", scope)
        );
        let row = Sql::new(sql).bind(scope.division.as_str()).bind(step).bind(now_ms).fetch_one(self.reader()).await?;
        Ok((row.try_get("n")?, row.try_get("late")?))
    }

    async fn supervision_opened_by_week(
        &self,
        scope: &Jurisdiction,
        since_ms: i64,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        // Integer division on BIGINT: the same week number on both backends.
        let sql = format!(
            "SELECT (created_ms - $2) / {WEEK_MS} AS week, COUNT(*) AS n FROM supervision_items \
             WHERE {} AND created_ms >= $2 GROUP BY (created_ms - $2) / {WEEK_MS} ORDER BY week",
            in_scope("division", scope)
        );
        let rows = Sql::new(sql).bind(scope.division.as_str()).bind(since_ms).fetch_all(self.reader()).await?;
        rows.iter().map(|r| Ok((r.try_get("week")?, r.try_get("n")?))).collect()
    }

    async fn fire_deadline(&self, f: &DeadlineFire, audit: AuditDraft, now_ms: i64) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let res = Sql::new(
            "UPDATE deadlines SET warned = $1, level = $2, next_ms = $3, version = version + 1 \
             WHERE id = $4 AND version = $5 AND state = 'open' AND paused_ms = 0",
        )
        .bind(f.warned)
        .bind(f.level)
        .bind(f.next_ms)
        .bind(&f.id)
        .bind(f.expected_version)
        .execute(&mut tx)
        .await?;
        if res.rows_affected() == 0 {
            // Another supervisor process fired it first, or the step was done meanwhile.
            return Ok(false);
        }
        let row = Sql::new("SELECT case_id, subject_type, subject_id FROM deadlines WHERE id = $1")
            .bind(&f.id)
            .fetch_one(&mut tx)
            .await?;
        let (case_id, subject_type, subject_id): (String, String, String) =
            (row.try_get("case_id")?, row.try_get("subject_type")?, row.try_get("subject_id")?);
        // A lead's verification has no case yet: its warnings go on the lead's timeline.
        let on =
            if case_id.is_empty() { (subject_type.as_str(), subject_id.as_str()) } else { ("case", case_id.as_str()) };
        if let Some(s) = &f.supervision {
            Sql::new(
                "INSERT INTO supervision_items (id, deadline_id, case_id, case_number, division, step, level, \
                 responsible_unit, responsible_user, supervising_unit, due_ms, created_ms, resolved_ms, subject_type, \
                 subject_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $14)",
            )
            .bind(&s.id)
            .bind(&s.deadline_id)
            .bind(&s.case_id)
            .bind(&s.case_number)
            .bind(&s.division)
            .bind(&s.step)
            .bind(s.level)
            .bind(&s.responsible_unit)
            .bind(&s.responsible_user)
            .bind(&s.supervising_unit)
            .bind(s.due_ms)
            .bind(now_ms)
            .bind(&s.subject_type)
            .bind(&s.subject_id)
            .execute(&mut tx)
            .await?;
        }
        let at = (now_ms, "system", "");
        tx.timeline(format!("{}-f{}", f.id, f.expected_version + 1), on, at, &f.step, &f.note).await?;
        tx.finish(audit, now_ms).await?;
        Ok(true)
    }

    async fn set_deadline_paused(
        &self,
        id: &str,
        expected_version: i64,
        change: ClockChange<'_>,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let pause = match change {
            ClockChange::Pause(reason) => Some(reason),
            ClockChange::Resume { .. } => None,
        };
        let mut tx = self.begin_write().await?;
        let row = Sql::new("SELECT case_id, paused_ms, state, version FROM deadlines WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let (case_id, paused_ms, state, version): (String, i64, String, i64) =
            (row.try_get("case_id")?, row.try_get("paused_ms")?, row.try_get("state")?, row.try_get("version")?);
        if version != expected_version {
            return Err(StoreError::Conflict(Conflict::StaleVersion));
        }
        if state != "open" || (pause.is_some() == (paused_ms != 0)) {
            return Err(StoreError::Conflict(Conflict::DeadlineState));
        }
        match pause {
            Some(reason) => {
                Sql::new("UPDATE deadlines SET paused_ms = $1, pause_reason = $2, version = version + 1 WHERE id = $3")
                    .bind(now_ms)
                    .bind(reason)
                    .bind(id)
                    .execute(&mut tx)
                    .await?;
            }
            None => {
                let shift = match change {
                    ClockChange::Resume { shift_ms } => shift_ms.max(0),
                    ClockChange::Pause(_) => 0,
                };
                Sql::new(
                    "UPDATE deadlines SET paused_ms = 0, pause_reason = '', due_ms = due_ms + $1, warn_ms = warn_ms + \
                     $1, \
                     next_ms = next_ms + $1, version = version + 1 WHERE id = $2",
                )
                .bind(shift)
                .bind(id)
                .execute(&mut tx)
                .await?;
            }
        }
        let at = (now_ms, who.user.as_str(), who.unit.as_str());
        let step = if pause.is_some() { "clock_paused" } else { "clock_resumed" };
        tx.timeline(format!("{id}-p{}", version + 1), ("case", &case_id), at, step, pause.unwrap_or("")).await?;
        tx.finish(audit, now_ms).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn reschedule_deadline(
        &self,
        id: &str,
        expected_version: i64,
        rule: &str,
        due_ms: i64,
        warn_ms: i64,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let res = Sql::new(
            "UPDATE deadlines SET due_ms = $1, warn_ms = $2, next_ms = CASE WHEN level > 0 THEN next_ms \
             WHEN warned THEN $1 ELSE $2 END, rule = $5, version = version + 1 WHERE id = $3 AND version = $4 AND \
             state = 'open'",
        )
        .bind(due_ms)
        .bind(warn_ms.min(due_ms))
        .bind(id)
        .bind(expected_version)
        .bind(rule)
        .execute(&mut tx)
        .await?;
        if res.rows_affected() == 0 {
            return Ok(false);
        }
        tx.finish(audit, now_ms).await?;
        Ok(true)
    }

    async fn supervision_items(
        &self,
        scope: &Jurisdiction,
        open_only: bool,
        limit: i64,
    ) -> Result<Vec<SupervisionRecord>, StoreError> {
        let open = if open_only { " AND resolved_ms = 0" } else { "" };
        let sql = format!(
            "SELECT {SUPERVISION_COLUMNS} FROM supervision_items WHERE ({} OR {} OR {}){open} \
             ORDER BY resolved_ms, level DESC, due_ms, id LIMIT $2",
            in_scope("division", scope),
            in_scope("supervising_unit", scope),
            in_scope("responsible_unit", scope),
        );
        let ring = self.pii()?;
        let rows =
            Sql::new(sql).bind(scope.division.as_str()).bind(limit.clamp(1, 1_000)).fetch_all(self.reader()).await?;
        rows.iter().map(|r| open_supervision(ring, rows::supervision(r)?)).collect()
    }

    async fn supervision_of_case(&self, case_id: &str) -> Result<Vec<SupervisionRecord>, StoreError> {
        let sql = format!(
            "SELECT {SUPERVISION_COLUMNS} FROM supervision_items WHERE case_id = $1 ORDER BY created_ms, level"
        );
        let ring = self.pii()?;
        let rows = Sql::new(sql).bind(case_id).fetch_all(self.reader()).await?;
        rows.iter().map(|r| open_supervision(ring, rows::supervision(r)?)).collect()
    }
}

impl SqlStore {
    pub(crate) async fn insert_deadline(tx: &mut WriteTx, d: &NewDeadline) -> Result<(), StoreError> {
        Sql::new(
            "INSERT INTO deadlines (id, subject_type, subject_id, case_id, case_number, division, step, rule, \
             responsible_unit, responsible_user, started_ms, due_ms, warn_ms, escalate_days, state, warned, level, \
             next_ms, paused_ms, pause_reason, closed_ms, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             $11, $12, $13, $14, 'open', FALSE, 0, $15, 0, '', 0, 1)",
        )
        .bind(&d.id)
        .bind(&d.subject_type)
        .bind(&d.subject_id)
        .bind(&d.case_id)
        .bind(&d.case_number)
        .bind(&d.division)
        .bind(&d.step)
        .bind(&d.rule)
        .bind(&d.responsible_unit)
        .bind(&d.responsible_user)
        .bind(d.started_ms)
        .bind(d.due_ms)
        .bind(d.warn_ms)
        .bind(d.escalate_days)
        .bind(d.warn_ms.min(d.due_ms))
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    /// Stops the clocks of a subject's open steps and resolves their supervision items.
    pub(crate) async fn close_deadlines_of(
        tx: &mut WriteTx,
        subject_type: &str,
        subject_id: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        Sql::new(
            "UPDATE supervision_items SET resolved_ms = $1 WHERE resolved_ms = 0 AND deadline_id IN \
             (SELECT id FROM deadlines WHERE subject_type = $2 AND subject_id = $3 AND state = 'open')",
        )
        .bind(now_ms)
        .bind(subject_type)
        .bind(subject_id)
        .execute(&mut *tx)
        .await?;
        Sql::new(
            "UPDATE deadlines SET state = 'met', closed_ms = $1, version = version + 1 \
             WHERE subject_type = $2 AND subject_id = $3 AND state = 'open'",
        )
        .bind(now_ms)
        .bind(subject_type)
        .bind(subject_id)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    pub(crate) async fn fetch_deadlines(
        &self,
        where_sql: &str,
        binds: Vec<Arg>,
    ) -> Result<Vec<DeadlineRecord>, StoreError> {
        let sql = format!("SELECT {DEADLINE_COLUMNS} FROM deadlines WHERE {where_sql}");
        let rows = self.fetch_built(sql, binds).await?;
        Ok(rows.iter().map(rows::deadline).collect::<Result<_, _>>()?)
    }
}
