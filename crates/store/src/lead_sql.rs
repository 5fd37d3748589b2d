//! The one implementation of `LeadStore`, instantiated per backend like `impl_store!`.

pub(crate) const LEAD_COLUMNS: &str = "id, number, channel, reporter_name, reporter_phone, reporter_relation, subject_name, \
     subject_id_number, subject_phone, hukou, location_code, address, division, responsible_unit, first_inquiry_unit, \
     first_inquiry_user, description, hardship_types, urgency, needs, status, duplicate_of, verify_due_ms, created_ms, version";

/// The statements of lead intake, shared by the sqlx version (PostgreSQL, in `postgres_intake.rs`)
/// and the rusqlite version (SQLite's synchronous writer, in `sqlite_intake.rs`).
pub(crate) mod intake_sql {
    /// An open lead about the same ID number within the duplicate window.
    pub(crate) const DUPLICATE_BY_ID: &str = "SELECT id FROM leads WHERE status = 'new' AND created_ms >= $1 AND subject_id_number = $2 \
         ORDER BY created_ms, id LIMIT 1";
    /// An open lead about the same name and phone within the duplicate window.
    pub(crate) const DUPLICATE_BY_NAME_PHONE: &str = "SELECT id FROM leads WHERE status = 'new' AND created_ms >= $1 \
         AND subject_name = $2 AND subject_phone = $3 ORDER BY created_ms, id LIMIT 1";
    /// Draws the next lead number of a street and year.
    pub(crate) const NEXT_NUMBER: &str = "INSERT INTO lead_numbers (street, year, last) VALUES ($1, $2, 1) \
         ON CONFLICT (street, year) DO UPDATE SET last = lead_numbers.last + 1 RETURNING last";
    /// Claims an idempotency key with the reply; no row changed means it was taken.
    pub(crate) const CLAIM_KEY: &str = "INSERT INTO idempotency_keys (actor, key, request_hash, response, created_ms) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (actor, key) DO NOTHING";
    /// The request hash and reply stored with a taken key.
    pub(crate) const STORED_KEY: &str =
        "SELECT request_hash, response FROM idempotency_keys WHERE actor = $1 AND key = $2";
    /// The lead itself ($1–$24 in the order of `LEAD_COLUMNS` without status and version).
    pub(crate) static INSERT_LEAD: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "INSERT INTO leads ({}, urgency_rank) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 'new', $21, $22, $23, 1, $24)",
            super::LEAD_COLUMNS
        )
    });
    /// One step of a lead's or case's timeline.
    pub(crate) const INSERT_TIMELINE: &str = "INSERT INTO timeline (id, subject_type, subject_id, at_ms, actor, unit, step, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    /// An audit entry; the `audit_log_head` trigger moves the chain head (migration 4).
    pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_log (seq, at_ms, actor, unit, division, action, entity_type, \
         entity_id, detail, digest, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
    /// The chain head, on a backend whose writes are already serialised (SQLite).
    pub(crate) const AUDIT_HEAD: &str = "SELECT seq, hash FROM audit_head WHERE id = 1";

    use crate::{Created, IdempotencyKey, LeadReceipt, NewLeadRow, StoreError};

    /// The reply to a new lead: its readable number is street, year and sequence.
    pub(crate) fn receipt(l: &NewLeadRow, seq: i64, duplicate_of: Option<String>) -> LeadReceipt {
        LeadReceipt {
            id: l.id.clone(),
            number: format!("L{}-{}-{:06}", l.street, l.year, seq),
            status: "new".into(),
            responsible_unit: l.responsible_unit.clone(),
            first_inquiry_unit: l.first_inquiry_unit.clone(),
            duplicate_of,
            verify_due_ms: l.verify_due_ms,
        }
    }

    /// The stored reply as stored with the key, as JSON.
    pub(crate) fn stored_reply(r: &LeadReceipt) -> Result<String, StoreError> {
        serde_json::to_string(r).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// A key already taken: the first reply again if the request is the same, else a conflict.
    pub(crate) fn replay(k: &IdempotencyKey, stored_hash: &str, response: &str) -> Result<Created, StoreError> {
        if stored_hash != k.request_hash {
            return Err(StoreError::Conflict("IDEMPOTENCY_KEY_REUSED"));
        }
        let stored: LeadReceipt =
            serde_json::from_str(response).map_err(|e| StoreError::Corrupt(format!("stored reply: {e}")))?;
        Ok(Created::Replayed(stored))
    }
}

/// Implements `LeadStore` for a backend type that already has `impl_store!`.
macro_rules! impl_lead_store {
    ($ty:ty, $row:ty) => {
        mod lead_row_map {
            use super::*;
            use sqlx::Row;

            pub(super) fn lead(r: &$row) -> Result<LeadRecord, sqlx::Error> {
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

        impl $ty {
            async fn insert_timeline(
                tx: &mut WriteTx,
                id: String,
                subject: (&str, &str),
                at: (i64, &str, &str),
                step: &str,
                note: &str,
            ) -> Result<(), StoreError> {
                sqlx::query(intake_sql::INSERT_TIMELINE)
                .bind(id)
                .bind(subject.0)
                .bind(subject.1)
                .bind(at.0)
                .bind(at.1)
                .bind(at.2)
                .bind(step)
                .bind(note)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl LeadStore for $ty {
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
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {LEAD_COLUMNS}, outcome_note FROM leads WHERE id = $1")))
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
                use sqlx::Row;
                let rows = sqlx::query("SELECT at_ms, actor, unit, step, note FROM timeline WHERE subject_id = $1 ORDER BY at_ms, id")
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
                use sqlx::Row;
                let rows = sqlx::query("SELECT at_ms, actor, unit, step, note FROM timeline WHERE subject_id = $1 OR subject_id = $2 \
                     ORDER BY at_ms, CASE WHEN subject_type = 'lead' THEN 0 ELSE 1 END, id")
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
                use sqlx::Row;
                let row = sqlx::query(
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
    };
}

pub(crate) use impl_lead_store;
