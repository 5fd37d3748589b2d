//! The one implementation of `LeadStore`, instantiated per backend like `impl_store!`.

#![allow(unused_imports)]
use jiujinan_domain::audit::{self, AuditDraft, AuditEntry};
use jiujinan_domain::jurisdiction::Jurisdiction;
use jiujinan_domain::org::{NewUnit, UnitCode};

use crate::aid_sql::*;
use crate::backend::SqlStore;
use crate::case_sql::CASE_COLUMNS;
use crate::db::*;
use crate::disposition_sql::*;
use crate::intake::*;
use crate::sql::*;
use crate::*;

/// Implements `LeadStore` for a backend type that already has `impl_store!`.
mod lead_row_map {
    use super::*;

    pub(super) fn lead(r: &DbRow) -> Result<LeadRecord, sqlx::Error> {
        Ok(LeadRecord {
            id: r.try_get("id")?,
            number: r.try_get("number")?,
            channel: r.try_get("channel")?,
            reporter_name: r.try_get("reporter_name")?,
            reporter_phone: r.try_get("reporter_phone")?,
            reporter_relation: r.try_get("reporter_relation")?,
            subject_name: r.try_get("subject_name")?,
            subject_id_number: r.try_get("subject_id_number")?,
            subject_phone: r.try_get("subject_phone")?,
            hukou: r.try_get("hukou")?,
            location_code: r.try_get("location_code")?,
            address: r.try_get("address")?,
            division: r.try_get("division")?,
            responsible_unit: r.try_get("responsible_unit")?,
            first_inquiry_unit: r.try_get("first_inquiry_unit")?,
            first_inquiry_user: r.try_get("first_inquiry_user")?,
            description: r.try_get("description")?,
            hardship_types: r.try_get("hardship_types")?,
            urgency: r.try_get("urgency")?,
            needs: r.try_get("needs")?,
            status: r.try_get("status")?,
            duplicate_of: r.try_get("duplicate_of")?,
            verify_due_ms: r.try_get("verify_due_ms")?,
            created_ms: r.try_get("created_ms")?,
            version: r.try_get("version")?,
            outcome_note: r.try_get("outcome_note")?,
        })
    }
}

impl SqlStore {
    pub(crate) async fn insert_timeline(
        tx: &mut WriteTx,
        id: String,
        subject: (&str, &str),
        at: (i64, &str, &str),
        step: &str,
        note: &str,
    ) -> Result<(), StoreError> {
        Sql::new(INSERT_TIMELINE)
            .bind(id)
            .bind(subject.0)
            .bind(subject.1)
            .bind(at.0)
            .bind(at.1)
            .bind(at.2)
            .bind(step)
            .bind(note)
            .execute(&mut *tx)
            .await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl LeadStore for SqlStore {
    async fn create_lead(
        &self,
        l: &NewLeadRow,
        idempotency: Option<&IdempotencyKey>,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<Created, StoreError> {
        // Each backend has its own, tuned for its writer (sqlite_intake.rs, postgres_intake.rs).
        self.insert_new_lead(l, idempotency, audit, now_ms).await
    }

    async fn lead(&self, id: &str) -> Result<Option<LeadRecord>, StoreError> {
        let row = Sql::new(format!("SELECT {LEAD_COLUMNS}, outcome_note FROM leads WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        Ok(row.as_ref().map(lead_row_map::lead).transpose()?)
    }

    async fn list_leads(&self, scope: &Jurisdiction, f: &LeadFilter) -> Result<Vec<LeadRecord>, StoreError> {
        let (sql, binds) = queue_query(&format!("{LEAD_COLUMNS}, outcome_note"), "leads", "verify_due_ms", scope, f);
        let rows = self.fetch_built(sql, binds).await?;
        Ok(rows.iter().map(lead_row_map::lead).collect::<Result<_, _>>()?)
    }

    async fn count_leads(&self, scope: &Jurisdiction) -> Result<Vec<(String, i64)>, StoreError> {
        self.count_by_status("leads", scope).await
    }

    async fn timeline(&self, subject_id: &str) -> Result<Vec<TimelineEntry>, StoreError> {
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
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }

    async fn case_timeline(&self, lead_id: &str, case_id: &str) -> Result<Vec<TimelineEntry>, StoreError> {
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
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }

    async fn time_limit(&self, step: &str, urgency: &str, at_ms: i64) -> Result<Option<TimeLimit>, StoreError> {
        let row = Sql::new(
            "SELECT hours, placeholder FROM rule_time_limits WHERE step = $1 AND urgency = $2 AND effective_from <= $3 \
             ORDER BY effective_from DESC LIMIT 1",
        )
        .bind(step)
        .bind(urgency)
        .bind(at_ms)
        .fetch_optional(self.reader())
        .await?;
        row.map(|r| Ok(TimeLimit { hours: r.try_get("hours")?, placeholder: r.try_get("placeholder")? })).transpose()
    }
}
