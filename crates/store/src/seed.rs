//! Bulk loading of synthetic leads, cases and timelines for benchmarks (`jiujinan bench seed`),
//! built only with the `bench` feature so production builds carry no seeding.
//! Multi-row INSERTs in large transactions; no audit entries, because nobody acted.

use async_trait::async_trait;

use crate::backend::SqlStore;
use crate::db::Sql;
use crate::db::{Arg, WriteTx};
use crate::intake::{LEAD_COLUMNS, LEAD_INDEX_COLUMNS};
use crate::pii::Sealer;
use crate::rows::CASE_COLUMNS;
use crate::rows::{ACTION_COLUMNS, AID_COLUMNS, DEADLINE_COLUMNS, FUND_COLUMNS};
use crate::{
    ActionEvent, ActionRecord, AidApproval, AidItem, CaseRecord, DeadlineRecord, Fund, Investigation, LeadRecord,
    StoreError, TimelineEntry,
};

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

/// One transaction's worth of synthetic rows: leads, cases and their timelines, and what a
/// worked case file holds besides (investigations, disposition actions with their events and
/// clocks, aid items with their opinions).
#[derive(Debug, Clone, Default)]
pub struct SeedBatch {
    pub leads: Vec<SeedLead>,
    pub cases: Vec<CaseRecord>,
    pub steps: Vec<SeedStep>,
    pub investigations: Vec<Investigation>,
    pub actions: Vec<ActionRecord>,
    pub events: Vec<ActionEvent>,
    pub deadlines: Vec<DeadlineRecord>,
    pub aid: Vec<AidItem>,
    pub opinions: Vec<AidApproval>,
    pub funds: Vec<Fund>,
}

/// Bulk loading for the benchmark generator (`jiujinan bench seed`).
#[async_trait]
pub trait SeedStore: Send + Sync {
    /// Inserts synthetic rows in one transaction, without audit entries.
    async fn bulk_seed(&self, batch: &SeedBatch) -> Result<(), StoreError>;
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

/// Inserts `rows` (each `cols` values, in the order of `columns`) into `table`, `SEED_CHUNK`
/// rows per statement.
async fn insert_rows(
    tx: &mut WriteTx,
    table: &str,
    columns: &str,
    cols: usize,
    rows: Vec<Vec<Arg>>,
) -> Result<(), StoreError> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Arg>> = rows.by_ref().take(SEED_CHUNK).collect();
        let mut q = Sql::new(format!("INSERT INTO {table} ({columns}) VALUES {}", placeholders(chunk.len(), cols)));
        for row in chunk {
            debug_assert_eq!(row.len(), cols, "{table}");
            for v in row {
                q = q.bind(v);
            }
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

fn action_row(a: &ActionRecord) -> Vec<Arg> {
    vec![
        a.id.clone().into(),
        a.case_id.clone().into(),
        a.case_number.clone().into(),
        a.route.code().into(),
        a.programme.clone().into(),
        a.division.clone().into(),
        a.from_unit.clone().into(),
        a.from_user.clone().into(),
        a.to_unit.clone().into(),
        a.to_party.clone().into(),
        a.status.code().into(),
        a.request.clone().into(),
        a.amount_fen.into(),
        a.accepted_by.clone().into(),
        a.return_reason.clone().into(),
        a.outcome.clone().into(),
        a.outcome_detail.clone().into(),
        a.redirected_from.clone().into(),
        a.details.clone().into(),
        a.created_ms.into(),
        a.updated_ms.into(),
        a.version.into(),
    ]
}

fn deadline_row(d: &DeadlineRecord) -> Vec<Arg> {
    vec![
        d.id.clone().into(),
        d.subject_type.clone().into(),
        d.subject_id.clone().into(),
        d.case_id.clone().into(),
        d.case_number.clone().into(),
        d.division.clone().into(),
        d.step.clone().into(),
        d.rule.clone().into(),
        d.responsible_unit.clone().into(),
        d.responsible_user.clone().into(),
        d.started_ms.into(),
        d.due_ms.into(),
        d.warn_ms.into(),
        d.escalate_days.into(),
        d.state.clone().into(),
        d.warned.into(),
        d.level.into(),
        d.next_ms.into(),
        d.paused_ms.into(),
        d.pause_reason.clone().into(),
        d.closed_ms.into(),
        d.version.into(),
    ]
}

fn aid_row(i: &AidItem) -> Vec<Arg> {
    vec![
        i.id.clone().into(),
        i.case_id.clone().into(),
        i.case_number.clone().into(),
        i.division.clone().into(),
        i.programme.clone().into(),
        i.kind.code().into(),
        i.aid_type.code().into(),
        i.cause.clone().into(),
        i.tier.into(),
        i.persons.into(),
        i.description.clone().into(),
        i.proposed_fen.into(),
        i.amount_fen.into(),
        i.calculation.clone().into(),
        i.change_reason.clone().into(),
        i.special.into(),
        i.required_level.code().into(),
        i.fund_id.clone().into(),
        i.status.code().into(),
        i.delivery_method.clone().into(),
        i.delivery_ref.clone().into(),
        i.paid_ms.into(),
        i.refusal_reason.clone().into(),
        i.action_id.clone().into(),
        i.created_by.clone().into(),
        i.created_unit.clone().into(),
        i.created_ms.into(),
        i.updated_ms.into(),
        i.version.into(),
        i.placeholders.clone().into(),
    ]
}

#[async_trait]
impl SeedStore for SqlStore {
    async fn bulk_seed(&self, batch: &SeedBatch) -> Result<(), StoreError> {
        let SeedBatch { leads, cases, steps, .. } = batch;
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
        let investigations = batch
            .investigations
            .iter()
            .map(|i| {
                vec![
                    i.id.clone().into(),
                    i.case_id.clone().into(),
                    i.method.clone().into(),
                    i.investigator.clone().into(),
                    i.unit.clone().into(),
                    i.done_ms.into(),
                    ring.seal_text(jiujinan_domain::pii::Field::Findings, &i.findings).into(),
                    i.created_ms.into(),
                ]
            })
            .collect();
        insert_rows(
            &mut tx,
            "investigations",
            "id, case_id, method, investigator, unit, done_ms, findings, created_ms",
            8,
            investigations,
        )
        .await?;
        insert_rows(&mut tx, "actions", ACTION_COLUMNS, 22, batch.actions.iter().map(action_row).collect()).await?;
        let events = batch
            .events
            .iter()
            .map(|e| {
                vec![
                    e.id.clone().into(),
                    e.action_id.clone().into(),
                    e.kind.clone().into(),
                    e.at_ms.into(),
                    e.actor.clone().into(),
                    e.unit.clone().into(),
                    e.detail.clone().into(),
                    e.created_ms.into(),
                ]
            })
            .collect();
        insert_rows(&mut tx, "action_events", "id, action_id, kind, at_ms, actor, unit, detail, created_ms", 8, events)
            .await?;
        insert_rows(&mut tx, "deadlines", DEADLINE_COLUMNS, 22, batch.deadlines.iter().map(deadline_row).collect())
            .await?;
        insert_rows(&mut tx, "aid_items", AID_COLUMNS, 30, batch.aid.iter().map(aid_row).collect()).await?;
        let opinions = batch
            .opinions
            .iter()
            .map(|o| {
                vec![
                    o.id.clone().into(),
                    o.aid_id.clone().into(),
                    o.step.clone().into(),
                    o.level.clone().into(),
                    o.actor.clone().into(),
                    o.unit.clone().into(),
                    o.opinion.clone().into(),
                    o.at_ms.into(),
                ]
            })
            .collect();
        insert_rows(&mut tx, "aid_approvals", "id, aid_id, step, level, actor, unit, opinion, at_ms", 8, opinions)
            .await?;
        let funds = batch
            .funds
            .iter()
            .map(|f| {
                vec![
                    f.id.clone().into(),
                    f.unit.clone().into(),
                    f.division.clone().into(),
                    f.kind.code().into(),
                    f.name.clone().into(),
                    f.available_fen.into(),
                    f.reserved_fen.into(),
                    f.paid_fen.into(),
                    f.created_ms.into(),
                    f.version.into(),
                ]
            })
            .collect();
        insert_rows(&mut tx, "funds", FUND_COLUMNS, 10, funds).await?;
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
