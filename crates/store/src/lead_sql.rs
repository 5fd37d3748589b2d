//! The one implementation of `LeadStore`, instantiated per backend like `impl_store!`.

pub(crate) const LEAD_COLUMNS: &str = "id, number, channel, reporter_name, reporter_phone, reporter_relation, subject_name, \
     subject_id_number, subject_phone, hukou, location_code, address, division, responsible_unit, first_inquiry_unit, \
     first_inquiry_user, description, hardship_types, urgency, needs, status, duplicate_of, verify_due_ms, created_ms, version";

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
                sqlx::query(
                    "INSERT INTO timeline (id, subject_type, subject_id, at_ms, actor, unit, step, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
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
                use sqlx::Row;
                let mut tx = self.begin_write().await?;
                let dup = match (&l.subject_id_number, &l.subject_phone) {
                    (Some(id_number), _) => {
                        sqlx::query(
                            "SELECT id FROM leads WHERE status = 'new' AND created_ms >= $1 AND subject_id_number = $2 ORDER BY created_ms, id LIMIT 1",
                        )
                        .bind(l.duplicate_window_start_ms)
                        .bind(id_number)
                        .fetch_optional(&mut *tx)
                        .await?
                    }
                    (None, Some(phone)) => {
                        sqlx::query(
                            "SELECT id FROM leads WHERE status = 'new' AND created_ms >= $1 AND subject_name = $2 AND subject_phone = $3 \
                             ORDER BY created_ms, id LIMIT 1",
                        )
                        .bind(l.duplicate_window_start_ms)
                        .bind(&l.subject_name)
                        .bind(phone)
                        .fetch_optional(&mut *tx)
                        .await?
                    }
                    (None, None) => None,
                };
                let duplicate_of: Option<String> = dup.map(|r| r.try_get("id")).transpose()?;
                let seq: i64 = sqlx::query(
                    "INSERT INTO lead_numbers (street, year, last) VALUES ($1, $2, 1) \
                     ON CONFLICT (street, year) DO UPDATE SET last = lead_numbers.last + 1 RETURNING last",
                )
                .bind(&l.street)
                .bind(l.year)
                .fetch_one(&mut *tx)
                .await?
                .try_get("last")?;
                let number = format!("L{}-{}-{:06}", l.street, l.year, seq);
                let receipt = LeadReceipt {
                    id: l.id.clone(),
                    number: number.clone(),
                    status: "new".into(),
                    responsible_unit: l.responsible_unit.clone(),
                    first_inquiry_unit: l.first_inquiry_unit.clone(),
                    duplicate_of: duplicate_of.clone(),
                    verify_due_ms: l.verify_due_ms,
                };
                if let Some(k) = idempotency {
                    // Claim the key with the reply. A concurrent twin waits on this row, then
                    // finds it taken and answers with the stored reply; dropping its
                    // transaction gives back the number it drew.
                    let response = serde_json::to_string(&receipt).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    let claimed = sqlx::query(
                        "INSERT INTO idempotency_keys (actor, key, request_hash, response, created_ms) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (actor, key) DO NOTHING",
                    )
                    .bind(&k.actor)
                    .bind(&k.key)
                    .bind(&k.request_hash)
                    .bind(&response)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if claimed == 0 {
                        let row = sqlx::query("SELECT request_hash, response FROM idempotency_keys WHERE actor = $1 AND key = $2")
                            .bind(&k.actor)
                            .bind(&k.key)
                            .fetch_one(&mut *tx)
                            .await?;
                        let hash: String = row.try_get("request_hash")?;
                        if hash != k.request_hash {
                            return Err(StoreError::Conflict("IDEMPOTENCY_KEY_REUSED"));
                        }
                        let response: String = row.try_get("response")?;
                        let stored: LeadReceipt =
                            serde_json::from_str(&response).map_err(|e| StoreError::Corrupt(format!("stored reply: {e}")))?;
                        return Ok(Created::Replayed(stored));
                    }
                }
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO leads ({LEAD_COLUMNS}, urgency_rank) VALUES \
                     ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 'new', $21, $22, $23, 1, $24)"
                )))
                .bind(&l.id)
                .bind(&number)
                .bind(&l.channel)
                .bind(&l.reporter_name)
                .bind(&l.reporter_phone)
                .bind(&l.reporter_relation)
                .bind(&l.subject_name)
                .bind(&l.subject_id_number)
                .bind(&l.subject_phone)
                .bind(&l.hukou)
                .bind(&l.location_code)
                .bind(&l.address)
                .bind(&l.division)
                .bind(&l.responsible_unit)
                .bind(&l.first_inquiry_unit)
                .bind(&l.first_inquiry_user)
                .bind(&l.description)
                .bind(&l.hardship_types)
                .bind(&l.urgency)
                .bind(&l.needs)
                .bind(&duplicate_of)
                .bind(l.verify_due_ms)
                .bind(now_ms)
                .bind(l.urgency_rank)
                .execute(&mut *tx)
                .await?;
                let who = (now_ms, l.first_inquiry_user.as_str(), l.first_inquiry_unit.as_str());
                Self::insert_timeline(&mut tx, format!("{}-1", l.id), ("lead", &l.id), who, "reported", &l.channel).await?;
                if let Some(d) = &duplicate_of {
                    Self::insert_timeline(&mut tx, format!("{}-2", l.id), ("lead", &l.id), who, "duplicate_flagged", d).await?;
                }
                let mut audit = audit;
                audit.entity_id = l.id.clone();
                Self::append_audit_in(&mut tx, audit, now_ms).await?;
                tx.commit().await?;
                Ok(Created::New(receipt))
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
