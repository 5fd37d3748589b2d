//! Joint meetings: agenda, decisions and carrying them out.
//!
//! The trait and its one implementation on [`SqlStore`], written against `db.rs`.

use async_trait::async_trait;
use jiujinan_domain::audit::AuditDraft;
use jiujinan_domain::jurisdiction::Jurisdiction;

use crate::backend::SqlStore;
use crate::db::Sql;
use crate::query::unique_to_conflict;
use crate::rows::{self, DECISION_COLUMNS, MEETING_COLUMNS};
use crate::{ActionChange, AgendaItem, Conflict, Decision, Meeting, NewDeadline, StoreError, Who};

/// Joint meetings: agenda, decisions and carrying them out.
#[async_trait]
pub trait MeetingStore: Send + Sync {
    /// Schedules a joint meeting.
    async fn create_meeting(&self, m: &Meeting, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
    /// Meetings of the districts within `scope`, latest first.
    async fn meetings(&self, scope: &Jurisdiction, limit: i64) -> Result<Vec<Meeting>, StoreError>;
    /// One meeting.
    async fn meeting(&self, id: &str) -> Result<Option<Meeting>, StoreError>;
    /// Records the minutes and marks the meeting held.
    async fn record_minutes(
        &self,
        id: &str,
        expected_version: i64,
        minutes: &str,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<i64, StoreError>;
    /// Puts an escalated case on the agenda, accepting its escalation action in the same
    /// transaction when `accept` is given.
    async fn add_agenda_item(
        &self,
        item: &AgendaItem,
        accept: Option<&ActionChange>,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// A meeting's agenda.
    async fn agenda(&self, meeting_id: &str) -> Result<Vec<AgendaItem>, StoreError>;
    /// Records a decision with its lead department and deadline.
    async fn add_decision(
        &self,
        d: &Decision,
        deadline: &NewDeadline,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// A meeting's decisions.
    async fn decisions_of_meeting(&self, meeting_id: &str) -> Result<Vec<Decision>, StoreError>;
    /// The decisions taken on an escalation action.
    async fn decisions_of_action(&self, action_id: &str) -> Result<Vec<Decision>, StoreError>;
    /// One decision.
    async fn decision(&self, id: &str) -> Result<Option<Decision>, StoreError>;
    /// Marks a decision carried out and stops its clock; `Conflict::DecisionDone` twice.
    async fn complete_decision(
        &self,
        id: &str,
        note: &str,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
}

#[async_trait]
impl MeetingStore for SqlStore {
    async fn create_meeting(&self, m: &Meeting, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Sql::new(
            "INSERT INTO joint_meetings (id, district, title, meeting_day, departments, status, minutes, created_by, \
             created_ms, version) \
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
        tx.finish(audit, now_ms).await
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
            Sql::new(sql).bind(scope.division.as_str()).bind(limit.clamp(1, 500)).fetch_all(self.reader()).await?;
        Ok(rows.iter().map(rows::meeting).collect::<Result<_, _>>()?)
    }

    async fn meeting(&self, id: &str) -> Result<Option<Meeting>, StoreError> {
        let sql = format!("SELECT {MEETING_COLUMNS} FROM joint_meetings WHERE id = $1");
        let rows = Sql::new(sql).bind(id).fetch_all(self.reader()).await?;
        Ok(rows.iter().map(rows::meeting).next().transpose()?)
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
        let res = Sql::new(
            "UPDATE joint_meetings SET status = 'held', minutes = $1, version = version + 1 WHERE id = \
                            $2 AND version = $3",
        )
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
        tx.finish(audit, now_ms).await
    }

    async fn agenda(&self, meeting_id: &str) -> Result<Vec<AgendaItem>, StoreError> {
        let sql = "SELECT meeting_id, action_id, case_id, added_by, added_ms FROM joint_agenda WHERE meeting_id = $1 \
             ORDER BY added_ms, action_id"
            .to_owned();
        let rows = Sql::new(sql).bind(meeting_id).fetch_all(self.reader()).await?;
        Ok(rows.iter().map(rows::agenda).collect::<Result<_, _>>()?)
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
            "INSERT INTO joint_decisions (id, meeting_id, action_id, case_id, text, lead_unit, status, done_note, \
             done_by, \
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
        tx.timeline(format!("{}-dec", d.id), ("case", &d.case_id), at, "joint_decision", &d.text).await?;
        tx.finish(audit, now_ms).await
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
            "UPDATE joint_decisions SET status = 'done', done_note = $1, done_by = $2, done_ms = $3 WHERE id = $4 AND \
             status = 'open'",
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
        tx.timeline(format!("{id}-done"), ("case", &case_id), at, "decision_done", note).await?;
        tx.finish(audit, now_ms).await
    }
}

impl SqlStore {
    pub(crate) async fn fetch_decisions(&self, where_sql: &str, arg: &str) -> Result<Vec<Decision>, StoreError> {
        let sql = format!("SELECT {DECISION_COLUMNS} FROM joint_decisions WHERE {where_sql} ORDER BY created_ms, id");
        let rows = Sql::new(sql).bind(arg).fetch_all(self.reader()).await?;
        Ok(rows.iter().map(rows::decision).collect::<Result<_, _>>()?)
    }
}
