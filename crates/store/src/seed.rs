//! Bulk loading of synthetic leads, cases and timelines for benchmarks (`jiujinan bench seed`),
//! built only with the `bench` feature so production builds carry no seeding.
//! Multi-row INSERTs in large transactions; no audit entries, because nobody acted.

use async_trait::async_trait;

use crate::backend::SqlStore;
use crate::db::Sql;
use crate::intake::{LEAD_COLUMNS, LEAD_INDEX_COLUMNS};
use crate::pii::Sealer;
use crate::rows::CASE_COLUMNS;
use crate::{CaseRecord, LeadRecord, StoreError, TimelineEntry};

/// A synthetic lead for benchmarks (its sort rank comes from its urgency).
#[derive(Debug, Clone)]
pub struct SeedLead {
    pub lead: LeadRecord,
}

/// A synthetic timeline step for benchmarks.
#[derive(Debug, Clone)]
pub struct SeedStep {
    pub id: String,
    pub subject_type: String,
    pub subject_id: String,
    pub entry: TimelineEntry,
}

/// Bulk loading for the benchmark generator (`jiujinan bench seed`).
#[async_trait]
pub trait SeedStore: Send + Sync {
    /// Inserts synthetic rows in one transaction, without audit entries.
    async fn bulk_seed(&self, leads: &[SeedLead], cases: &[CaseRecord], steps: &[SeedStep]) -> Result<(), StoreError>;
    /// Raises the lead and case number counters to at least the given values.
    async fn seed_counters(&self, leads: &[(String, i64, i64)], cases: &[(String, i64, i64)])
    -> Result<(), StoreError>;
}

/// Rows per multi-row INSERT (stays under both databases' parameter limits).
pub(crate) const SEED_CHUNK: usize = 100;

/// `($1,…,$n),(…)`: placeholders for `rows` rows of `cols` values.
fn placeholders(rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push(',');
            }
            s.push('$');
            s.push_str(&(r * cols + c + 1).to_string());
        }
        s.push(')');
    }
    s
}

#[async_trait]
impl SeedStore for SqlStore {
    async fn bulk_seed(&self, leads: &[SeedLead], cases: &[CaseRecord], steps: &[SeedStep]) -> Result<(), StoreError> {
        let ring = self.pii()?;
        let mut tx = self.begin_write().await?;
        for chunk in leads.chunks(SEED_CHUNK) {
            let sql = format!(
                "INSERT INTO leads ({LEAD_COLUMNS}, urgency_rank, outcome_note, {LEAD_INDEX_COLUMNS}) VALUES {}",
                placeholders(chunk.len(), 31)
            );
            let mut q = Sql::new(sql);
            for s in chunk {
                let (l, ix) = ring.seal_lead_record(&s.lead);
                let l = &l;
                q = q
                    .bind(&l.id)
                    .bind(&l.number)
                    .bind(l.channel.code())
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
                    .bind(l.urgency.code())
                    .bind(&l.needs)
                    .bind(l.status.code())
                    .bind(&l.duplicate_of)
                    .bind(l.verify_due_ms)
                    .bind(l.created_ms)
                    .bind(l.version)
                    .bind(s.lead.urgency.rank())
                    .bind(&l.outcome_note)
                    .bind(ix.id_bidx)
                    .bind(ix.phone_bidx)
                    .bind(ix.name_phone_bidx)
                    .bind(ix.name_tokens);
            }
            q.execute(&mut tx).await?;
        }
        for chunk in cases.chunks(SEED_CHUNK) {
            let sql = format!(
                "INSERT INTO cases ({CASE_COLUMNS}, urgency_rank, subject_id_bidx, subject_phone_bidx, \
                 subject_name_tokens) VALUES {}",
                placeholders(chunk.len(), 27)
            );
            let mut q = Sql::new(sql);
            for k in chunk {
                let rank = k.urgency.rank();
                let (k, ix) = ring.seal_case_record(k);
                let k = &k;
                q = q
                    .bind(&k.id)
                    .bind(&k.number)
                    .bind(&k.lead_id)
                    .bind(&k.subject_name)
                    .bind(&k.subject_id_number)
                    .bind(&k.subject_phone)
                    .bind(&k.division)
                    .bind(&k.responsible_unit)
                    .bind(&k.responsible_user)
                    .bind(&k.first_inquiry_unit)
                    .bind(k.status.code())
                    .bind(k.urgency.code())
                    .bind(&k.hardship_types)
                    .bind(k.documents_pending)
                    .bind(&k.household)
                    .bind(&k.economy)
                    .bind(&k.population)
                    .bind(&k.review_opinion)
                    .bind(&k.recommended_routes)
                    .bind(k.step_due_ms)
                    .bind(k.created_ms)
                    .bind(k.updated_ms)
                    .bind(k.version)
                    .bind(rank)
                    .bind(ix.id_bidx)
                    .bind(ix.phone_bidx)
                    .bind(ix.name_tokens);
            }
            q.execute(&mut tx).await?;
        }
        for chunk in steps.chunks(SEED_CHUNK) {
            let sql = format!(
                "INSERT INTO timeline (id, subject_type, subject_id, at_ms, actor, unit, step, note) VALUES {}",
                placeholders(chunk.len(), 8)
            );
            let mut q = Sql::new(sql);
            for s in chunk {
                q = q
                    .bind(&s.id)
                    .bind(&s.subject_type)
                    .bind(&s.subject_id)
                    .bind(s.entry.at_ms)
                    .bind(&s.entry.actor)
                    .bind(&s.entry.unit)
                    .bind(&s.entry.step)
                    .bind(&s.entry.note);
            }
            q.execute(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn seed_counters(
        &self,
        leads: &[(String, i64, i64)],
        cases: &[(String, i64, i64)],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        for (street, year, last) in leads {
            Sql::new(
                "INSERT INTO lead_numbers (street, year, last) VALUES ($1, $2, $3) \
                 ON CONFLICT (street, year) DO UPDATE SET last = CASE WHEN lead_numbers.last > $3 THEN \
                 lead_numbers.last ELSE $3 END",
            )
            .bind(street)
            .bind(year)
            .bind(last)
            .execute(&mut tx)
            .await?;
        }
        for (street, year, last) in cases {
            Sql::new(
                "INSERT INTO case_numbers (street, year, last) VALUES ($1, $2, $3) \
                 ON CONFLICT (street, year) DO UPDATE SET last = CASE WHEN case_numbers.last > $3 THEN \
                 case_numbers.last ELSE $3 END",
            )
            .bind(street)
            .bind(year)
            .bind(last)
            .execute(&mut tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
