//! The one implementation of `DispositionStore`, instantiated per backend like `impl_store!`.

#![allow(unused_imports)]
use jiujinan_domain::audit::{self, AuditDraft, AuditEntry};
use jiujinan_domain::jurisdiction::Jurisdiction;
use jiujinan_domain::org::{NewUnit, UnitCode};

use crate::aid_sql::*;
use crate::backend::SqlStore;
use crate::case_sql::CASE_COLUMNS;
use crate::db::*;
use crate::intake::*;
use crate::lead_sql::*;
use crate::sql::*;
use crate::*;

pub(crate) const ACTION_COLUMNS: &str = "id, case_id, case_number, route, programme, division, from_unit, from_user, \
     to_unit, to_party, status, request, amount_fen, accepted_by, return_reason, outcome, outcome_detail, redirected_from, \
     details, created_ms, updated_ms, version";

pub(crate) const DEADLINE_COLUMNS: &str = "id, subject_type, subject_id, case_id, case_number, division, step, rule, \
     responsible_unit, responsible_user, started_ms, due_ms, warn_ms, escalate_days, state, warned, level, next_ms, \
     paused_ms, pause_reason, closed_ms, version";

pub(crate) const SUPERVISION_COLUMNS: &str = "id, deadline_id, case_id, case_number, division, step, level, \
     responsible_unit, responsible_user, supervising_unit, due_ms, created_ms, resolved_ms";

pub(crate) const MEETING_COLUMNS: &str =
    "id, district, title, meeting_day, departments, status, minutes, created_by, created_ms, version";

pub(crate) const DECISION_COLUMNS: &str =
    "id, meeting_id, action_id, case_id, text, lead_unit, status, done_note, done_by, done_ms, created_ms";

/// Implements `DispositionStore` for a backend type that already has `impl_store!` and
/// `impl_lead_store!`.
mod disposition_row_map {
    use super::*;

    pub(super) fn action(r: &DbRow) -> Result<ActionRecord, sqlx::Error> {
        Ok(from_row!(
            r,
            ActionRecord {
                id,
                case_id,
                case_number,
                route,
                programme,
                division,
                from_unit,
                from_user,
                to_unit,
                to_party,
                status,
                request,
                amount_fen,
                accepted_by,
                return_reason,
                outcome,
                outcome_detail,
                redirected_from,
                details,
                created_ms,
                updated_ms,
                version
            }
        ))
    }

    pub(super) fn deadline(r: &DbRow) -> Result<DeadlineRecord, sqlx::Error> {
        Ok(from_row!(
            r,
            DeadlineRecord {
                id,
                subject_type,
                subject_id,
                case_id,
                case_number,
                division,
                step,
                rule,
                responsible_unit,
                responsible_user,
                started_ms,
                due_ms,
                warn_ms,
                escalate_days,
                state,
                warned,
                level,
                next_ms,
                paused_ms,
                pause_reason,
                closed_ms,
                version
            }
        ))
    }

    pub(super) fn supervision(r: &DbRow) -> Result<SupervisionRecord, sqlx::Error> {
        Ok(from_row!(
            r,
            SupervisionRecord {
                id,
                deadline_id,
                case_id,
                case_number,
                division,
                step,
                level,
                responsible_unit,
                responsible_user,
                supervising_unit,
                due_ms,
                created_ms,
                resolved_ms
            }
        ))
    }

    pub(super) fn event(r: &DbRow) -> Result<ActionEvent, sqlx::Error> {
        Ok(from_row!(r, ActionEvent { id, action_id, kind, at_ms, actor, unit, detail, created_ms }))
    }

    pub(super) fn programme(r: &DbRow) -> Result<Programme, sqlx::Error> {
        Ok(from_row!(
            r,
            Programme {
                code,
                name_zh,
                name_en,
                department,
                level,
                route,
                hardship_types,
                reason_zh,
                reason_en,
                effective_from,
                placeholder,
                source
            }
        ))
    }

    pub(super) fn rule(r: &DbRow) -> Result<DeadlineRule, sqlx::Error> {
        Ok(from_row!(
            r,
            DeadlineRule {
                route,
                step,
                to_kind,
                unit,
                amount,
                warn_hours,
                escalate_after_days,
                effective_from,
                placeholder,
                source,
                created_by,
                created_ms
            }
        ))
    }

    pub(super) fn day(r: &DbRow) -> Result<CalendarDay, sqlx::Error> {
        Ok(from_row!(r, CalendarDay { day, workday, name, placeholder, source }))
    }

    pub(super) fn meeting(r: &DbRow) -> Result<Meeting, sqlx::Error> {
        Ok(from_row!(
            r,
            Meeting { id, district, title, meeting_day, departments, status, minutes, created_by, created_ms, version }
        ))
    }

    pub(super) fn agenda(r: &DbRow) -> Result<AgendaItem, sqlx::Error> {
        Ok(from_row!(r, AgendaItem { meeting_id, action_id, case_id, added_by, added_ms }))
    }

    pub(super) fn decision(r: &DbRow) -> Result<Decision, sqlx::Error> {
        Ok(from_row!(
            r,
            Decision {
                id,
                meeting_id,
                action_id,
                case_id,
                text,
                lead_unit,
                status,
                done_note,
                done_by,
                done_ms,
                created_ms
            }
        ))
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

    pub(crate) async fn apply_action_change(
        tx: &mut WriteTx,
        c: &ActionChange,
        who: &Who,
        now_ms: i64,
    ) -> Result<ActionRecord, StoreError> {
        let res = Sql::new(
            "UPDATE actions SET status = $1, version = version + 1, updated_ms = $2, \
             accepted_by = COALESCE($3, accepted_by), return_reason = COALESCE($4, return_reason), \
             outcome = COALESCE($5, outcome), outcome_detail = COALESCE($6, outcome_detail), \
             amount_fen = COALESCE($7, amount_fen) WHERE id = $8 AND version = $9 AND status = $10",
        )
        .bind(&c.to)
        .bind(now_ms)
        .bind(c.accepted_by.as_deref())
        .bind(c.return_reason.as_deref())
        .bind(c.outcome.as_deref())
        .bind(c.outcome_detail.as_deref())
        .bind(c.amount_fen)
        .bind(&c.id)
        .bind(c.expected_version)
        .bind(&c.from)
        .execute(&mut *tx)
        .await?;
        if res.rows_affected() == 0 {
            let row = Sql::new("SELECT status, version FROM actions WHERE id = $1")
                .bind(&c.id)
                .fetch_optional(&mut *tx)
                .await?;
            return Err(match row {
                None => StoreError::NotFound,
                Some(r) if r.try_get::<String>("status")? != c.from => StoreError::Conflict(Conflict::ActionState),
                Some(_) => StoreError::Conflict(Conflict::StaleVersion),
            });
        }
        let row = Sql::new(format!("SELECT {ACTION_COLUMNS} FROM actions WHERE id = $1"))
            .bind(&c.id)
            .fetch_one(&mut *tx)
            .await?;
        let action = disposition_row_map::action(&row)?;
        if c.close_deadlines {
            Self::close_deadlines_of(tx, "action", &c.id, now_ms).await?;
            // An escalation that ends takes the clocks of its meeting decisions with it.
            let decisions: Vec<String> =
                Sql::new("SELECT id FROM joint_decisions WHERE action_id = $1 AND status = 'open'")
                    .bind(&c.id)
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(|r| r.try_get::<String>("id"))
                    .collect::<Result<_, _>>()?;
            for d in decisions {
                Self::close_deadlines_of(tx, "decision", &d, now_ms).await?;
            }
        }
        if let Some(d) = &c.open_deadline {
            Self::insert_deadline(tx, d).await?;
        }
        let at = (now_ms, who.user.as_str(), who.unit.as_str());
        Self::insert_timeline(
            tx,
            format!("{}-v{}", c.id, c.expected_version + 1),
            ("case", &action.case_id),
            at,
            &c.step,
            &c.note,
        )
        .await?;
        Ok(action)
    }

    pub(crate) async fn fetch_actions(
        &self,
        where_sql: &str,
        binds: Vec<Arg>,
    ) -> Result<Vec<ActionRecord>, StoreError> {
        let sql = format!("SELECT {ACTION_COLUMNS} FROM actions WHERE {where_sql}");
        let rows = self.fetch_built(sql, binds).await?;
        Ok(rows.iter().map(disposition_row_map::action).collect::<Result<_, _>>()?)
    }

    pub(crate) async fn fetch_deadlines(
        &self,
        where_sql: &str,
        binds: Vec<Arg>,
    ) -> Result<Vec<DeadlineRecord>, StoreError> {
        let sql = format!("SELECT {DEADLINE_COLUMNS} FROM deadlines WHERE {where_sql}");
        let rows = self.fetch_built(sql, binds).await?;
        Ok(rows.iter().map(disposition_row_map::deadline).collect::<Result<_, _>>()?)
    }

    pub(crate) async fn fetch_decisions(&self, where_sql: &str, arg: &str) -> Result<Vec<Decision>, StoreError> {
        let sql = format!("SELECT {DECISION_COLUMNS} FROM joint_decisions WHERE {where_sql} ORDER BY created_ms, id");
        let rows = self.fetch_built(sql, vec![Arg::Text(arg.to_owned())]).await?;
        Ok(rows.iter().map(disposition_row_map::decision).collect::<Result<_, _>>()?)
    }
}

#[async_trait::async_trait]
impl DispositionStore for SqlStore {
    async fn create_action(
        &self,
        a: &NewAction,
        deadline: Option<&NewDeadline>,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Sql::new(
            "INSERT INTO actions (id, case_id, case_number, route, programme, division, from_unit, from_user, to_unit, \
             to_party, status, request, amount_fen, accepted_by, return_reason, outcome, outcome_detail, redirected_from, \
             details, created_ms, updated_ms, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
             $14, '', '', '', $15, $16, $17, $17, 1)",
        )
        .bind(&a.id)
        .bind(&a.case_id)
        .bind(&a.case_number)
        .bind(&a.route)
        .bind(&a.programme)
        .bind(&a.division)
        .bind(&a.from_unit)
        .bind(&a.from_user)
        .bind(&a.to_unit)
        .bind(&a.to_party)
        .bind(&a.status)
        .bind(&a.request)
        .bind(a.amount_fen)
        .bind(if a.status == "accepted" { a.from_user.as_str() } else { "" })
        .bind(&a.redirected_from)
        .bind(&a.details)
        .bind(now_ms)
        .execute(&mut tx)
        .await?;
        if !a.redirected_from.is_empty() {
            // The returned referral it replaces is now closed by the redirection.
            Self::close_deadlines_of(&mut tx, "action", &a.redirected_from, now_ms).await?;
        }
        if let Some(d) = deadline {
            Self::insert_deadline(&mut tx, d).await?;
        }
        let at = (now_ms, who.user.as_str(), who.unit.as_str());
        let note = format!("{} → {}", a.route, if a.to_party.is_empty() { &a.to_unit } else { &a.to_party });
        Self::insert_timeline(&mut tx, format!("{}-v1", a.id), ("case", &a.case_id), at, "action_created", &note)
            .await?;
        let mut audit = audit;
        audit.entity_id = a.id.clone();
        tx.finish(audit, now_ms).await?;
        Ok(())
    }

    async fn action(&self, id: &str) -> Result<Option<ActionRecord>, StoreError> {
        Ok(self.fetch_actions("id = $1", vec![Arg::Text(id.to_owned())]).await?.into_iter().next())
    }

    async fn actions_of_case(&self, case_id: &str) -> Result<Vec<ActionRecord>, StoreError> {
        self.fetch_actions("case_id = $1 ORDER BY created_ms, id", vec![Arg::Text(case_id.to_owned())]).await
    }

    async fn inbox(
        &self,
        to_unit: &str,
        status: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<ActionRecord>, StoreError> {
        let mut binds = vec![Arg::Text(to_unit.to_owned())];
        let mut cond = "to_unit = $1".to_owned();
        if let Some(s) = status.filter(|s| !s.is_empty()) {
            binds.push(Arg::Text(s.to_owned()));
            cond.push_str(" AND status = $2");
        }
        let n = binds.len();
        binds.push(Arg::Int(limit.clamp(1, 500)));
        binds.push(Arg::Int(offset.max(0)));
        let sql = format!("{cond} ORDER BY created_ms DESC, id LIMIT ${} OFFSET ${}", n + 1, n + 2);
        self.fetch_actions(&sql, binds).await
    }

    async fn change_action(
        &self,
        c: &ActionChange,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<ActionRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        let action = Self::apply_action_change(&mut tx, c, who, now_ms).await?;
        tx.finish(audit, now_ms).await?;
        Ok(action)
    }

    async fn add_action_event(
        &self,
        e: &ActionEvent,
        case_id: &str,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Sql::new(
            "INSERT INTO action_events (id, action_id, kind, at_ms, actor, unit, detail, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&e.id)
        .bind(&e.action_id)
        .bind(&e.kind)
        .bind(e.at_ms)
        .bind(&e.actor)
        .bind(&e.unit)
        .bind(&e.detail)
        .bind(now_ms)
        .execute(&mut tx)
        .await?;
        let at = (now_ms, e.actor.as_str(), e.unit.as_str());
        Self::insert_timeline(&mut tx, format!("{}-ev", e.id), ("case", case_id), at, &e.kind, &e.detail).await?;
        tx.finish(audit, now_ms).await?;
        Ok(())
    }

    async fn action_events(&self, action_id: &str) -> Result<Vec<ActionEvent>, StoreError> {
        let sql = format!(
            "SELECT id, action_id, kind, at_ms, actor, unit, detail, created_ms FROM action_events \
             WHERE action_id = $1 ORDER BY at_ms, id"
        );
        let rows = self.fetch_built(sql, vec![Arg::Text(action_id.to_owned())]).await?;
        Ok(rows.iter().map(disposition_row_map::event).collect::<Result<_, _>>()?)
    }

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
        Self::insert_timeline(&mut tx, format!("{}-open", d.id), ("case", &d.case_id), at, "deadline_opened", &d.step)
            .await?;
        tx.finish(audit, now_ms).await?;
        Ok(())
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
        let mut tx = self.begin_write().await?;
        Self::close_deadlines_of(&mut tx, subject.0, subject.1, now_ms).await?;
        let at = (now_ms, who.user.as_str(), who.unit.as_str());
        Self::insert_timeline(
            &mut tx,
            format!("{}-{}-{now_ms}", subject.1, step.0),
            ("case", case_id),
            at,
            step.0,
            step.1,
        )
        .await?;
        tx.finish(audit, now_ms).await?;
        Ok(())
    }

    async fn deadline(&self, id: &str) -> Result<Option<DeadlineRecord>, StoreError> {
        Ok(self.fetch_deadlines("id = $1", vec![Arg::Text(id.to_owned())]).await?.into_iter().next())
    }

    async fn deadlines_of_case(&self, case_id: &str) -> Result<Vec<DeadlineRecord>, StoreError> {
        self.fetch_deadlines("case_id = $1 ORDER BY started_ms, id", vec![Arg::Text(case_id.to_owned())]).await
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
        let case_id: String = Sql::new("SELECT case_id FROM deadlines WHERE id = $1")
            .bind(&f.id)
            .fetch_one(&mut tx)
            .await?
            .try_get("case_id")?;
        if let Some(s) = &f.supervision {
            Sql::new(
                "INSERT INTO supervision_items (id, deadline_id, case_id, case_number, division, step, level, \
                 responsible_unit, responsible_user, supervising_unit, due_ms, created_ms, resolved_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0)",
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
            .execute(&mut tx)
            .await?;
        }
        let at = (now_ms, "system", "");
        Self::insert_timeline(
            &mut tx,
            format!("{}-f{}", f.id, f.expected_version + 1),
            ("case", &case_id),
            at,
            &f.step,
            &f.note,
        )
        .await?;
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
                    "UPDATE deadlines SET paused_ms = 0, pause_reason = '', due_ms = due_ms + $1, warn_ms = warn_ms + $1, \
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
        Self::insert_timeline(
            &mut tx,
            format!("{id}-p{}", version + 1),
            ("case", &case_id),
            at,
            step,
            pause.unwrap_or(""),
        )
        .await?;
        tx.finish(audit, now_ms).await?;
        Ok(())
    }

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
             WHEN warned THEN $1 ELSE $2 END, rule = $5, version = version + 1 WHERE id = $3 AND version = $4 AND state = 'open'",
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
        let rows =
            self.fetch_built(sql, vec![Arg::Text(scope.division.to_string()), Arg::Int(limit.clamp(1, 1_000))]).await?;
        Ok(rows.iter().map(disposition_row_map::supervision).collect::<Result<_, _>>()?)
    }

    async fn supervision_of_case(&self, case_id: &str) -> Result<Vec<SupervisionRecord>, StoreError> {
        let sql = format!(
            "SELECT {SUPERVISION_COLUMNS} FROM supervision_items WHERE case_id = $1 ORDER BY created_ms, level"
        );
        let rows = self.fetch_built(sql, vec![Arg::Text(case_id.to_owned())]).await?;
        Ok(rows.iter().map(disposition_row_map::supervision).collect::<Result<_, _>>()?)
    }

    async fn programmes(&self, at_ms: i64) -> Result<Vec<Programme>, StoreError> {
        let sql = "SELECT p.code, p.name_zh, p.name_en, p.department, p.level, p.route, p.hardship_types, p.reason_zh, \
             p.reason_en, p.effective_from, p.placeholder, p.source FROM programmes p WHERE p.effective_from = \
             (SELECT MAX(q.effective_from) FROM programmes q WHERE q.code = p.code AND q.effective_from <= $1) ORDER BY p.code"
            .to_owned();
        let rows = self.fetch_built(sql, vec![Arg::Int(at_ms)]).await?;
        Ok(rows.iter().map(disposition_row_map::programme).collect::<Result<_, _>>()?)
    }

    async fn insert_programme(&self, p: &Programme, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        let row = Sql::new(
            "INSERT INTO programmes (code, name_zh, name_en, department, level, route, hardship_types, reason_zh, reason_en, \
             effective_from, placeholder, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&p.code)
        .bind(&p.name_zh)
        .bind(&p.name_en)
        .bind(&p.department)
        .bind(&p.level)
        .bind(&p.route)
        .bind(&p.hardship_types)
        .bind(&p.reason_zh)
        .bind(&p.reason_en)
        .bind(p.effective_from)
        .bind(p.placeholder)
        .bind(&p.source);
        self.insert_rule_row(row, audit, now_ms).await
    }

    async fn deadline_rules(&self) -> Result<Vec<DeadlineRule>, StoreError> {
        let sql =
            "SELECT route, step, to_kind, unit, amount, warn_hours, escalate_after_days, effective_from, placeholder, \
             source, created_by, created_ms FROM rule_deadlines ORDER BY route, step, to_kind, effective_from"
                .to_owned();
        let rows = self.fetch_built(sql, vec![]).await?;
        Ok(rows.iter().map(disposition_row_map::rule).collect::<Result<_, _>>()?)
    }

    async fn insert_deadline_rule(&self, r: &DeadlineRule, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        let row = Sql::new(
            "INSERT INTO rule_deadlines (route, step, to_kind, unit, amount, warn_hours, escalate_after_days, \
             effective_from, placeholder, source, created_by, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&r.route)
        .bind(&r.step)
        .bind(&r.to_kind)
        .bind(&r.unit)
        .bind(r.amount)
        .bind(r.warn_hours)
        .bind(r.escalate_after_days)
        .bind(r.effective_from)
        .bind(r.placeholder)
        .bind(&r.source)
        .bind(&r.created_by)
        .bind(now_ms);
        self.insert_rule_row(row, audit, now_ms).await
    }

    async fn calendar_days(&self) -> Result<Vec<CalendarDay>, StoreError> {
        let sql = "SELECT day, workday, name, placeholder, source FROM calendar_days ORDER BY day".to_owned();
        let rows = self.fetch_built(sql, vec![]).await?;
        Ok(rows.iter().map(disposition_row_map::day).collect::<Result<_, _>>()?)
    }

    async fn set_calendar_day(
        &self,
        day: i64,
        entry: Option<&CalendarDay>,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Sql::new("DELETE FROM calendar_days WHERE day = $1").bind(day).execute(&mut tx).await?;
        if let Some(e) = entry {
            Sql::new("INSERT INTO calendar_days (day, workday, name, placeholder, source) VALUES ($1, $2, $3, $4, $5)")
                .bind(day)
                .bind(e.workday)
                .bind(&e.name)
                .bind(e.placeholder)
                .bind(&e.source)
                .execute(&mut tx)
                .await?;
        }
        tx.finish(audit, now_ms).await?;
        Ok(())
    }

    async fn create_meeting(&self, m: &Meeting, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Sql::new(
            "INSERT INTO joint_meetings (id, district, title, meeting_day, departments, status, minutes, created_by, created_ms, version) \
             VALUES ($1, $2, $3, $4, $5, 'scheduled', '', $6, $7, 1)",
        )
        .bind(&m.id)
        .bind(&m.district)
        .bind(&m.title)
        .bind(m.meeting_day)
        .bind(&m.departments)
        .bind(&m.created_by)
        .bind(now_ms)
        .execute(&mut tx)
        .await?;
        tx.finish(audit, now_ms).await?;
        Ok(())
    }

    async fn meetings(&self, scope: &Jurisdiction, limit: i64) -> Result<Vec<Meeting>, StoreError> {
        let sql = format!(
            "SELECT {MEETING_COLUMNS} FROM joint_meetings WHERE {} ORDER BY meeting_day DESC, id LIMIT $2",
            if scope.division.level().code_len() <= 6 {
                "substr(district, 1, length($1)) = $1"
            } else {
                "district = substr($1, 1, 6)"
            }
        );
        let rows =
            self.fetch_built(sql, vec![Arg::Text(scope.division.to_string()), Arg::Int(limit.clamp(1, 500))]).await?;
        Ok(rows.iter().map(disposition_row_map::meeting).collect::<Result<_, _>>()?)
    }

    async fn meeting(&self, id: &str) -> Result<Option<Meeting>, StoreError> {
        let sql = format!("SELECT {MEETING_COLUMNS} FROM joint_meetings WHERE id = $1");
        let rows = self.fetch_built(sql, vec![Arg::Text(id.to_owned())]).await?;
        Ok(rows.iter().map(disposition_row_map::meeting).next().transpose()?)
    }

    async fn record_minutes(
        &self,
        id: &str,
        expected_version: i64,
        minutes: &str,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let res = Sql::new("UPDATE joint_meetings SET status = 'held', minutes = $1, version = version + 1 WHERE id = $2 AND version = $3")
            .bind(minutes)
            .bind(id)
            .bind(expected_version)
            .execute(&mut tx)
            .await?;
        if res.rows_affected() == 0 {
            return Err(StoreError::Conflict(Conflict::StaleVersion));
        }
        tx.finish(audit, now_ms).await?;
        Ok(expected_version + 1)
    }

    async fn add_agenda_item(
        &self,
        item: &AgendaItem,
        accept: Option<&ActionChange>,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Sql::new(
            "INSERT INTO joint_agenda (meeting_id, action_id, case_id, added_by, added_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&item.meeting_id)
        .bind(&item.action_id)
        .bind(&item.case_id)
        .bind(&item.added_by)
        .bind(now_ms)
        .execute(&mut tx)
        .await
        .map_err(|e| unique_to_conflict(e, Conflict::AlreadyOnAgenda))?;
        if let Some(c) = accept {
            Self::apply_action_change(&mut tx, c, who, now_ms).await?;
        }
        tx.finish(audit, now_ms).await?;
        Ok(())
    }

    async fn agenda(&self, meeting_id: &str) -> Result<Vec<AgendaItem>, StoreError> {
        let sql = "SELECT meeting_id, action_id, case_id, added_by, added_ms FROM joint_agenda WHERE meeting_id = $1 \
             ORDER BY added_ms, action_id"
            .to_owned();
        let rows = self.fetch_built(sql, vec![Arg::Text(meeting_id.to_owned())]).await?;
        Ok(rows.iter().map(disposition_row_map::agenda).collect::<Result<_, _>>()?)
    }

    async fn add_decision(
        &self,
        d: &Decision,
        deadline: &NewDeadline,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Sql::new(
            "INSERT INTO joint_decisions (id, meeting_id, action_id, case_id, text, lead_unit, status, done_note, done_by, \
             done_ms, created_ms) VALUES ($1, $2, $3, $4, $5, $6, 'open', '', '', 0, $7)",
        )
        .bind(&d.id)
        .bind(&d.meeting_id)
        .bind(&d.action_id)
        .bind(&d.case_id)
        .bind(&d.text)
        .bind(&d.lead_unit)
        .bind(now_ms)
        .execute(&mut tx)
        .await?;
        Self::insert_deadline(&mut tx, deadline).await?;
        let at = (now_ms, who.user.as_str(), who.unit.as_str());
        Self::insert_timeline(&mut tx, format!("{}-dec", d.id), ("case", &d.case_id), at, "joint_decision", &d.text)
            .await?;
        tx.finish(audit, now_ms).await?;
        Ok(())
    }

    async fn decisions_of_meeting(&self, meeting_id: &str) -> Result<Vec<Decision>, StoreError> {
        self.fetch_decisions("meeting_id = $1", meeting_id).await
    }

    async fn decisions_of_action(&self, action_id: &str) -> Result<Vec<Decision>, StoreError> {
        self.fetch_decisions("action_id = $1", action_id).await
    }

    async fn decision(&self, id: &str) -> Result<Option<Decision>, StoreError> {
        Ok(self.fetch_decisions("id = $1", id).await?.into_iter().next())
    }

    async fn complete_decision(
        &self,
        id: &str,
        note: &str,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let res = Sql::new(
            "UPDATE joint_decisions SET status = 'done', done_note = $1, done_by = $2, done_ms = $3 WHERE id = $4 AND status = 'open'",
        )
        .bind(note)
        .bind(&who.user)
        .bind(now_ms)
        .bind(id)
        .execute(&mut tx)
        .await?;
        if res.rows_affected() == 0 {
            return Err(StoreError::Conflict(Conflict::DecisionDone));
        }
        let case_id: String = Sql::new("SELECT case_id FROM joint_decisions WHERE id = $1")
            .bind(id)
            .fetch_one(&mut tx)
            .await?
            .try_get("case_id")?;
        Self::close_deadlines_of(&mut tx, "decision", id, now_ms).await?;
        let at = (now_ms, who.user.as_str(), who.unit.as_str());
        Self::insert_timeline(&mut tx, format!("{id}-done"), ("case", &case_id), at, "decision_done", note).await?;
        tx.finish(audit, now_ms).await?;
        Ok(())
    }
}
