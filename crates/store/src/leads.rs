//! Intake: leads, their timeline and idempotent creation.
//!
//! The trait and its one implementation on [`SqlStore`], written against `db.rs`.

use async_trait::async_trait;
use jiujinan_domain::audit::AuditDraft;
use jiujinan_domain::jurisdiction::Jurisdiction;

use crate::backend::SqlStore;
use crate::db::Sql;
use crate::intake::*;
use crate::pii::Sealer;
use crate::query::queue_query;
use crate::rows::{self};
use crate::{Created, IdempotencyKey, LeadFilter, LeadRecord, NewLeadRow, StoreError, TimelineEntry};

/// Intake: leads, their timeline and idempotent creation.
#[async_trait]
pub trait LeadStore: Send + Sync {
    /// Stores a lead with its number, duplicate link, timeline and audit entry in one
    /// transaction. With a key: the same key and body replays the first reply, the same key
    /// with another body is `Conflict::IdempotencyKeyReused`.
    async fn create_lead(
        &self,
        lead: &NewLeadRow,
        idempotency: Option<&IdempotencyKey>,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<Created, StoreError>;
    /// One lead by id (callers check the jurisdiction).
    async fn lead(&self, id: &str) -> Result<Option<LeadRecord>, StoreError>;
    /// One lead by its number (e.g. `L110105001-2026-000001`; callers check the jurisdiction).
    async fn lead_by_number(&self, number: &str) -> Result<Option<LeadRecord>, StoreError>;
    /// Leads located within `scope`, most urgent and earliest deadline first. A list shows the
    /// subject only: the reporter, address, description and needs are left empty (read the
    /// lead for them).
    async fn list_leads(&self, scope: &Jurisdiction, filter: &LeadFilter) -> Result<Vec<LeadRecord>, StoreError>;
    /// How many leads within `scope` have each status.
    async fn count_leads(&self, scope: &Jurisdiction) -> Result<Vec<(String, i64)>, StoreError>;
    /// How many leads within `scope` of each status are past their verification deadline at `at_ms`.
    async fn count_leads_overdue(&self, scope: &Jurisdiction, at_ms: i64) -> Result<Vec<(String, i64)>, StoreError>;
    /// The history of a lead or case, oldest first.
    async fn timeline(&self, subject_id: &str) -> Result<Vec<TimelineEntry>, StoreError>;
    /// The histories of a case and the lead it came from, merged, oldest first.
    async fn case_timeline(&self, lead_id: &str, case_id: &str) -> Result<Vec<TimelineEntry>, StoreError>;
}

#[async_trait]
impl LeadStore for SqlStore {
    async fn create_lead(
        &self,
        l: &NewLeadRow,
        idempotency: Option<&IdempotencyKey>,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<Created, StoreError> {
        // Each backend has its own, tuned for its writer (sqlite_intake.rs, postgres_hot_writer.rs).
        let sealed = self.pii()?.seal_lead(l);
        self.insert_new_lead(&sealed, idempotency, audit, now_ms).await
    }

    async fn lead(&self, id: &str) -> Result<Option<LeadRecord>, StoreError> {
        let row = Sql::new(format!("SELECT {LEAD_COLUMNS}, outcome_note FROM leads WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(|r| self.pii()?.open_lead(rows::lead(r)?)).transpose()
    }

    async fn lead_by_number(&self, number: &str) -> Result<Option<LeadRecord>, StoreError> {
        let row = Sql::new(format!("SELECT {LEAD_COLUMNS}, outcome_note FROM leads WHERE number = $1"))
            .bind(number)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(|r| self.pii()?.open_lead(rows::lead(r)?)).transpose()
    }

    async fn list_leads(&self, scope: &Jurisdiction, f: &LeadFilter) -> Result<Vec<LeadRecord>, StoreError> {
        let ring = self.pii()?;
        let columns = format!("{LEAD_COLUMNS}, outcome_note");
        let (sql, binds) = queue_query(&columns, "leads", "verify_due_ms", scope, f, ring);
        let rows = self.fetch_built(sql, binds).await?;
        rows.iter().map(|r| ring.open_lead_listing(rows::lead(r)?)).collect()
    }

    async fn count_leads_overdue(&self, scope: &Jurisdiction, at_ms: i64) -> Result<Vec<(String, i64)>, StoreError> {
        self.count_by_status_due("leads", scope, Some(("verify_due_ms", at_ms))).await
    }

    async fn count_leads(&self, scope: &Jurisdiction) -> Result<Vec<(String, i64)>, StoreError> {
        self.count_by_status("leads", scope).await
    }

    async fn timeline(&self, subject_id: &str) -> Result<Vec<TimelineEntry>, StoreError> {
        let ring = self.pii()?;
        let rows =
            Sql::new("SELECT at_ms, actor, unit, step, note FROM timeline WHERE subject_id = $1 ORDER BY at_ms, id")
                .bind(subject_id)
                .fetch_all(self.reader())
                .await?;
        rows.iter()
            .map(|r| {
                Ok(TimelineEntry {
                    at_ms: r.try_get("at_ms")?,
                    actor: r.try_get("actor")?,
                    unit: r.try_get("unit")?,
                    step: r.try_get("step")?,
                    note: ring.open_note(r.try_get("note")?)?,
                })
            })
            .collect()
    }

    async fn case_timeline(&self, lead_id: &str, case_id: &str) -> Result<Vec<TimelineEntry>, StoreError> {
        let ring = self.pii()?;
        let rows = Sql::new(
            "SELECT at_ms, actor, unit, step, note FROM timeline WHERE subject_id = $1 OR subject_id = $2 \
             ORDER BY at_ms, CASE WHEN subject_type = 'lead' THEN 0 ELSE 1 END, id",
        )
        .bind(lead_id)
        .bind(case_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TimelineEntry {
                    at_ms: r.try_get("at_ms")?,
                    actor: r.try_get("actor")?,
                    unit: r.try_get("unit")?,
                    step: r.try_get("step")?,
                    note: ring.open_note(r.try_get("note")?)?,
                })
            })
            .collect()
    }
}
