//! Disposition: actions (referrals) on cases and their events.
//!
//! The trait and its one implementation on [`SqlStore`], written against `db.rs`.

use async_trait::async_trait;
use jiujinan_domain::audit::AuditDraft;
use jiujinan_domain::disposition::ActionStatus;

use crate::backend::SqlStore;
use crate::db::{Arg, Sql, WriteTx};
use crate::rows::{self, ACTION_COLUMNS};
use crate::{ActionChange, ActionEvent, ActionRecord, Conflict, NewAction, NewDeadline, StoreError, Who};

/// Disposition: actions (referrals) on cases and their events.
#[async_trait]
pub trait DispositionStore: Send + Sync {
    /// Stores an action with its first deadline, timeline step and audit entry. With
    /// `redirected_from`, the clocks of the returned referral it replaces stop.
    async fn create_action(
        &self,
        action: &NewAction,
        deadline: Option<&NewDeadline>,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// One action by id (callers check who may see it).
    async fn action(&self, id: &str) -> Result<Option<ActionRecord>, StoreError>;
    /// The actions of a case, oldest first.
    async fn actions_of_case(&self, case_id: &str) -> Result<Vec<ActionRecord>, StoreError>;
    /// Actions addressed to a unit, and the charity matches it sent (which it works itself),
    /// newest first.
    async fn inbox(
        &self,
        to_unit: &str,
        status: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<ActionRecord>, StoreError>;
    /// Moves an action if it is still at the expected version and status:
    /// `Conflict::ActionState` when its status moved on, `Conflict::StaleVersion` otherwise.
    async fn change_action(
        &self,
        change: &ActionChange,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<ActionRecord, StoreError>;
    /// Records an event on an action (and a step in the case timeline).
    async fn add_action_event(
        &self,
        event: &ActionEvent,
        case_id: &str,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// The events of an action in the order they happened.
    async fn action_events(&self, action_id: &str) -> Result<Vec<ActionEvent>, StoreError>;
}

#[async_trait]
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
             to_party, status, request, amount_fen, accepted_by, return_reason, outcome, outcome_detail, \
             redirected_from, \
             details, created_ms, updated_ms, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
             $14, '', '', '', $15, $16, $17, $17, 1)",
        )
        .bind(&a.id)
        .bind(&a.case_id)
        .bind(&a.case_number)
        .bind(a.route.code())
        .bind(&a.programme)
        .bind(&a.division)
        .bind(&a.from_unit)
        .bind(&a.from_user)
        .bind(&a.to_unit)
        .bind(&a.to_party)
        .bind(a.status.code())
        .bind(&a.request)
        .bind(a.amount_fen)
        .bind(if a.status == ActionStatus::Accepted { a.from_user.as_str() } else { "" })
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
        let note = format!("{} → {}", a.route.code(), if a.to_party.is_empty() { &a.to_unit } else { &a.to_party });
        tx.timeline(format!("{}-v1", a.id), ("case", &a.case_id), at, "action_created", &note).await?;
        let mut audit = audit;
        audit.entity_id = a.id.clone();
        tx.finish(audit, now_ms).await
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
        // A charity match has no receiving unit: the sending street works it itself, so it is
        // in that street's inbox too.
        let mut cond = "(to_unit = $1 OR (to_unit = '' AND from_unit = $1))".to_owned();
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
        tx.timeline(format!("{}-ev", e.id), ("case", case_id), at, &e.kind, &e.detail).await?;
        tx.finish(audit, now_ms).await
    }

    async fn action_events(&self, action_id: &str) -> Result<Vec<ActionEvent>, StoreError> {
        let rows = Sql::new(
            "SELECT id, action_id, kind, at_ms, actor, unit, detail, created_ms FROM action_events \
             WHERE action_id = $1 ORDER BY at_ms, id",
        )
        .bind(action_id)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.iter().map(rows::event).collect::<Result<_, _>>()?)
    }
}

impl SqlStore {
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
        .bind(c.to.code())
        .bind(now_ms)
        .bind(c.accepted_by.as_deref())
        .bind(c.return_reason.as_deref())
        .bind(c.outcome.as_deref())
        .bind(c.outcome_detail.as_deref())
        .bind(c.amount_fen)
        .bind(&c.id)
        .bind(c.expected_version)
        .bind(c.from.code())
        .execute(&mut *tx)
        .await?;
        if res.rows_affected() == 0 {
            let row = Sql::new("SELECT status, version FROM actions WHERE id = $1")
                .bind(&c.id)
                .fetch_optional(&mut *tx)
                .await?;
            return Err(match row {
                None => StoreError::NotFound,
                Some(r) if r.try_get::<String>("status")? != c.from.code() => {
                    StoreError::Conflict(Conflict::ActionState)
                }
                Some(_) => StoreError::Conflict(Conflict::StaleVersion),
            });
        }
        let row = Sql::new(format!("SELECT {ACTION_COLUMNS} FROM actions WHERE id = $1"))
            .bind(&c.id)
            .fetch_one(&mut *tx)
            .await?;
        let action = rows::action(&row)?;
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
        tx.timeline(format!("{}-v{}", c.id, c.expected_version + 1), ("case", &action.case_id), at, &c.step, &c.note)
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
        Ok(rows.iter().map(rows::action).collect::<Result<_, _>>()?)
    }
}
