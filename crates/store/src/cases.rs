//! Verification outcomes and the case file.
//!
//! The trait and its one implementation on [`SqlStore`], written against `db.rs`.

use async_trait::async_trait;
use jiujinan_domain::audit::AuditDraft;
use jiujinan_domain::jurisdiction::Jurisdiction;
use jiujinan_domain::lead::LeadStatus;
use jiujinan_domain::pii::Field;

use crate::backend::SqlStore;
use crate::db::{Arg, Sql, WriteTx};
use crate::pii::Sealer;
use crate::query::{MAX_IN_LIST, placeholders, queue_query};
use crate::rows::{self, CASE_COLUMNS};
use crate::{
    CaseFileEdit, CaseRecord, CaseTransition, Conflict, Investigation, LeadFilter, LeadOutcome, NewCaseRow, StoreError,
    Who,
};

/// Verification outcomes and the case file.
#[async_trait]
pub trait CaseStore: Send + Sync {
    /// Accepts an open lead at `expected_version` and opens its case (numbered per street and
    /// year), with timeline and audit, in one transaction.
    async fn accept_lead(
        &self,
        lead_id: &str,
        expected_version: i64,
        case: &NewCaseRow,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<CaseRecord, StoreError>;
    /// Closes or re-routes an open lead at `expected_version`.
    async fn close_lead(
        &self,
        lead_id: &str,
        expected_version: i64,
        outcome: &LeadOutcome,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// One case by id (callers check the jurisdiction).
    async fn case_by_id(&self, id: &str) -> Result<Option<CaseRecord>, StoreError>;
    /// Several cases by id at once, for lists (callers check the jurisdiction); at most
    /// `MAX_IN_LIST` ids are read, the rest ignored. The subject only: the household file is
    /// left empty (read the case for it).
    async fn cases_by_ids(&self, ids: &[String]) -> Result<Vec<CaseRecord>, StoreError>;
    /// One case by its number (e.g. `110105001-2026-00001`; callers check the jurisdiction).
    async fn case_by_number(&self, number: &str) -> Result<Option<CaseRecord>, StoreError>;
    /// The case opened from a lead, if any.
    async fn case_of_lead(&self, lead_id: &str) -> Result<Option<CaseRecord>, StoreError>;
    /// Cases located within `scope`, most urgent and earliest deadline first; the subject only,
    /// the household file left empty.
    async fn list_cases(&self, scope: &Jurisdiction, filter: &LeadFilter) -> Result<Vec<CaseRecord>, StoreError>;
    /// How many cases within `scope` have each status.
    async fn count_cases(&self, scope: &Jurisdiction) -> Result<Vec<(String, i64)>, StoreError>;
    /// How many cases within `scope` of each status are past their step's deadline at `at_ms`.
    async fn count_cases_overdue(&self, scope: &Jurisdiction, at_ms: i64) -> Result<Vec<(String, i64)>, StoreError>;
    /// Replaces the household part of the file if `expected_version` still matches; returns
    /// the new version.
    async fn update_case_file(
        &self,
        id: &str,
        expected_version: i64,
        edit: &CaseFileEdit,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<i64, StoreError>;
    /// Adds an investigation record (and its timeline step).
    async fn add_investigation(&self, record: &Investigation, audit: AuditDraft, now_ms: i64)
    -> Result<(), StoreError>;
    /// The investigation records of a case, in the order they were done.
    async fn investigations(&self, case_id: &str) -> Result<Vec<Investigation>, StoreError>;
    /// Moves a case between statuses if it is still at `expected_version` and `from`.
    async fn transition_case(
        &self,
        id: &str,
        expected_version: i64,
        t: &CaseTransition,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<i64, StoreError>;
}

#[async_trait]
impl CaseStore for SqlStore {
    async fn accept_lead(
        &self,
        lead_id: &str,
        expected_version: i64,
        c: &NewCaseRow,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<CaseRecord, StoreError> {
        let ring = self.pii()?;
        let mut tx = self.begin_write().await?;
        Self::claim_open_lead(&mut tx, lead_id, expected_version, LeadStatus::Accepted, ("", "", ""), "").await?;
        let seq: i64 = Sql::new(
            "INSERT INTO case_numbers (street, year, last) VALUES ($1, $2, 1) \
             ON CONFLICT (street, year) DO UPDATE SET last = case_numbers.last + 1 RETURNING last",
        )
        .bind(&c.street)
        .bind(c.year)
        .fetch_one(&mut tx)
        .await?
        .try_get("last")?;
        let number = format!("{}-{}-{:05}", c.street, c.year, seq);
        Sql::new(
            "INSERT INTO cases (id, number, lead_id, subject_name, subject_id_number, subject_phone, division, \
             responsible_unit, \
             responsible_user, first_inquiry_unit, status, urgency, urgency_rank, hardship_types, documents_pending, \
             household, \
             economy, population, review_opinion, recommended_routes, step_due_ms, created_ms, updated_ms, version, \
             subject_id_bidx, subject_phone_bidx, subject_name_tokens) \
             SELECT $1, $2, id, subject_name, subject_id_number, subject_phone, division, responsible_unit, $3, \
             first_inquiry_unit, \
             'investigating', urgency, urgency_rank, hardship_types, $4, $8, $9, $10, '', '', $5, $6, $6, 1, \
             subject_id_bidx, subject_phone_bidx, subject_name_tokens \
             FROM leads WHERE id = $7",
        )
        .bind(&c.id)
        .bind(&number)
        .bind(&c.responsible_user)
        .bind(c.documents_pending)
        .bind(c.step_due_ms)
        .bind(now_ms)
        .bind(lead_id)
        .bind(ring.seal_text(Field::Household, "[]"))
        .bind(ring.seal_text(Field::Economy, "{}"))
        .bind(ring.seal_text(Field::Population, ""))
        .execute(&mut tx)
        .await?;
        // Verification is done: its clock stops (resolving any 督办 item), the investigation's starts.
        Self::close_deadlines_of(&mut tx, "lead", lead_id, now_ms).await?;
        Self::insert_deadline(&mut tx, &crate::NewDeadline { case_number: number.clone(), ..c.clock.clone() }).await?;
        let at = (now_ms, who.user.as_str(), who.unit.as_str());
        tx.timeline(format!("{}-acc", lead_id), ("lead", lead_id), at, "accepted", &number).await?;
        tx.timeline(format!("{}-acc", c.id), ("case", &c.id), at, "case_opened", &number).await?;
        let mut audit = audit;
        audit.entity_id = c.id.clone();
        let row =
            Sql::new(format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1")).bind(&c.id).fetch_one(&mut tx).await?;
        let case = ring.open_case(rows::case(&row)?)?;
        tx.finish(audit, now_ms).await?;
        Ok(case)
    }

    async fn close_lead(
        &self,
        lead_id: &str,
        expected_version: i64,
        outcome: &LeadOutcome,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let at = (now_ms, who.user.as_str(), who.unit.as_str());
        let step_id = format!("{lead_id}-{now_ms}-{}", expected_version);
        match outcome {
            LeadOutcome::NotAccepted { reason } => {
                Self::claim_open_lead(
                    &mut tx,
                    lead_id,
                    expected_version,
                    LeadStatus::NotAccepted,
                    ("", "", ""),
                    reason,
                )
                .await?;
                Self::close_deadlines_of(&mut tx, "lead", lead_id, now_ms).await?;
                tx.timeline(step_id, ("lead", lead_id), at, "not_accepted", reason).await?;
            }
            LeadOutcome::Transferred { division, office } => {
                Self::claim_open_lead(
                    &mut tx,
                    lead_id,
                    expected_version,
                    LeadStatus::New,
                    (office, division, ""),
                    office,
                )
                .await?;
                // The clock runs on from the first contact; the office it names is the new one.
                // The old office's 督办 items close (it handed the lead over). A clock that has
                // raised items ends (`handed_over`) and a fresh one at level 0 takes its due time,
                // so the new office's district is the next to chase it; one that has not is
                // re-pointed. Either way the new office is warned again.
                Sql::new(
                    "UPDATE supervision_items SET resolved_ms = $1 WHERE resolved_ms = 0 AND deadline_id IN \
                     (SELECT id FROM deadlines WHERE subject_type = 'lead' AND subject_id = $2 AND state = 'open')",
                )
                .bind(now_ms)
                .bind(lead_id)
                .execute(&mut tx)
                .await?;
                Sql::new(
                    "INSERT INTO deadlines (id, subject_type, subject_id, case_id, case_number, division, step, rule, \
                     responsible_unit, responsible_user, started_ms, due_ms, warn_ms, escalate_days, state, warned, \
                     level, next_ms, paused_ms, pause_reason, closed_ms, version) \
                     SELECT id || '-' || version, subject_type, subject_id, case_id, case_number, $2, step, rule, $1, \
                     '', $4, due_ms, warn_ms, escalate_days, 'open', FALSE, 0, warn_ms, paused_ms, \
                     pause_reason, 0, 1 FROM deadlines \
                     WHERE subject_type = 'lead' AND subject_id = $3 AND state = 'open' AND level > 0",
                )
                .bind(office)
                .bind(division)
                .bind(lead_id)
                .bind(now_ms)
                .execute(&mut tx)
                .await?;
                Sql::new(
                    "UPDATE deadlines SET state = 'handed_over', closed_ms = $1, version = version + 1 \
                     WHERE subject_type = 'lead' AND subject_id = $2 AND state = 'open' AND level > 0",
                )
                .bind(now_ms)
                .bind(lead_id)
                .execute(&mut tx)
                .await?;
                Sql::new(
                    "UPDATE deadlines SET responsible_unit = $1, division = $2, responsible_user = '', \
                     warned = FALSE, next_ms = CASE WHEN warn_ms < due_ms THEN warn_ms ELSE due_ms END, \
                     version = version + 1 WHERE subject_type = 'lead' AND subject_id = $3 AND state = 'open'",
                )
                .bind(office)
                .bind(division)
                .bind(lead_id)
                .execute(&mut tx)
                .await?;
                tx.timeline(step_id, ("lead", lead_id), at, "transferred", office).await?;
            }
            LeadOutcome::Merged { into_id, into_number, into_type, report } => {
                Self::claim_open_lead(
                    &mut tx,
                    lead_id,
                    expected_version,
                    LeadStatus::Merged,
                    ("", "", into_id),
                    into_number,
                )
                .await?;
                Self::close_deadlines_of(&mut tx, "lead", lead_id, now_ms).await?;
                tx.timeline(step_id.clone(), ("lead", lead_id), at, "merged", into_number).await?;
                tx.timeline(format!("{step_id}-into"), (into_type, into_id), at, "merged_report", report).await?;
            }
        }
        tx.finish(audit, now_ms).await
    }

    async fn case_by_id(&self, id: &str) -> Result<Option<CaseRecord>, StoreError> {
        let row = Sql::new(format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(|r| self.pii()?.open_case(rows::case(r)?)).transpose()
    }

    async fn cases_by_ids(&self, ids: &[String]) -> Result<Vec<CaseRecord>, StoreError> {
        let ids = ids.get(..ids.len().min(MAX_IN_LIST)).unwrap_or_default();
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE id IN ({})", placeholders(1, ids.len()));
        let ring = self.pii()?;
        let rows = self.fetch_built(sql, ids.iter().map(|i| Arg::Text(i.clone())).collect()).await?;
        rows.iter().map(|r| ring.open_case_listing(rows::case(r)?)).collect()
    }

    async fn case_by_number(&self, number: &str) -> Result<Option<CaseRecord>, StoreError> {
        let row = Sql::new(format!("SELECT {CASE_COLUMNS} FROM cases WHERE number = $1"))
            .bind(number)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(|r| self.pii()?.open_case(rows::case(r)?)).transpose()
    }

    async fn case_of_lead(&self, lead_id: &str) -> Result<Option<CaseRecord>, StoreError> {
        let row = Sql::new(format!("SELECT {CASE_COLUMNS} FROM cases WHERE lead_id = $1"))
            .bind(lead_id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(|r| self.pii()?.open_case(rows::case(r)?)).transpose()
    }

    async fn list_cases(&self, scope: &Jurisdiction, f: &LeadFilter) -> Result<Vec<CaseRecord>, StoreError> {
        let ring = self.pii()?;
        let (sql, binds) = queue_query(CASE_COLUMNS, "cases", "step_due_ms", scope, f, ring);
        let rows = self.fetch_built(sql, binds).await?;
        rows.iter().map(|r| ring.open_case_listing(rows::case(r)?)).collect()
    }

    async fn count_cases_overdue(&self, scope: &Jurisdiction, at_ms: i64) -> Result<Vec<(String, i64)>, StoreError> {
        self.count_by_status_due("cases", scope, Some(("step_due_ms", at_ms))).await
    }

    async fn count_cases(&self, scope: &Jurisdiction) -> Result<Vec<(String, i64)>, StoreError> {
        self.count_by_status("cases", scope).await
    }

    async fn update_case_file(
        &self,
        id: &str,
        expected_version: i64,
        e: &CaseFileEdit,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let ring = self.pii()?;
        let mut tx = self.begin_write().await?;
        let res = Sql::new(
            "UPDATE cases SET household = $1, economy = $2, population = $3, documents_pending = $4, updated_ms = $5, \
             version = version + 1 WHERE id = $6 AND version = $7",
        )
        .bind(ring.seal_text(Field::Household, &e.household))
        .bind(ring.seal_text(Field::Economy, &e.economy))
        .bind(ring.seal_text(Field::Population, &e.population))
        .bind(e.documents_pending)
        .bind(now_ms)
        .bind(id)
        .bind(expected_version)
        .execute(&mut tx)
        .await?;
        if res.rows_affected() == 0 {
            let exists = Sql::new("SELECT 1 AS one FROM cases WHERE id = $1").bind(id).fetch_optional(&mut tx).await?;
            return Err(if exists.is_some() {
                StoreError::Conflict(Conflict::StaleVersion)
            } else {
                StoreError::NotFound
            });
        }
        let at = (now_ms, who.user.as_str(), who.unit.as_str());
        tx.timeline(format!("{id}-file-{}", expected_version + 1), ("case", id), at, "file_updated", "").await?;
        tx.finish(audit, now_ms).await?;
        Ok(expected_version + 1)
    }

    async fn add_investigation(&self, i: &Investigation, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        let findings = self.pii()?.seal_text(Field::Findings, &i.findings);
        let mut tx = self.begin_write().await?;
        Sql::new(
            "INSERT INTO investigations (id, case_id, method, investigator, unit, done_ms, findings, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&i.id)
        .bind(&i.case_id)
        .bind(&i.method)
        .bind(&i.investigator)
        .bind(&i.unit)
        .bind(i.done_ms)
        .bind(&findings)
        .bind(now_ms)
        .execute(&mut tx)
        .await?;
        // The history is in the order things were recorded: an investigation dated earlier the
        // same day (a date-only field reads as noon) must not come before the registration.
        let at = (now_ms, i.investigator.as_str(), i.unit.as_str());
        tx.timeline(format!("{}-inv", i.id), ("case", &i.case_id), at, "investigated", &i.method).await?;
        tx.finish(audit, now_ms).await
    }

    async fn investigations(&self, case_id: &str) -> Result<Vec<Investigation>, StoreError> {
        let rows = Sql::new(
            "SELECT id, case_id, method, investigator, unit, done_ms, findings, created_ms FROM investigations \
             WHERE case_id = $1 ORDER BY done_ms, id",
        )
        .bind(case_id)
        .fetch_all(self.reader())
        .await?;
        let ring = self.pii()?;
        rows.iter().map(|r| ring.open_investigation(rows::investigation(r)?)).collect()
    }

    async fn transition_case(
        &self,
        id: &str,
        expected_version: i64,
        t: &CaseTransition,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let (opinion, routes) = t.opinion.clone().unwrap_or_default();
        let res = Sql::new(
            "UPDATE cases SET status = $1, step_due_ms = $2, updated_ms = $3, version = version + 1, \
             review_opinion = CASE WHEN $4 THEN $5 ELSE review_opinion END, \
             recommended_routes = CASE WHEN $4 THEN $6 ELSE recommended_routes END \
             WHERE id = $7 AND version = $8 AND status = $9",
        )
        .bind(t.to.code())
        .bind(t.step_due_ms)
        .bind(now_ms)
        .bind(t.opinion.is_some())
        .bind(opinion)
        .bind(routes)
        .bind(id)
        .bind(expected_version)
        .bind(t.from.code())
        .execute(&mut tx)
        .await?;
        if res.rows_affected() == 0 {
            let exists = Sql::new("SELECT 1 AS one FROM cases WHERE id = $1").bind(id).fetch_optional(&mut tx).await?;
            return Err(if exists.is_some() {
                StoreError::Conflict(Conflict::StaleVersion)
            } else {
                StoreError::NotFound
            });
        }
        if t.close_case_deadlines {
            Self::close_deadlines_of(&mut tx, "case", id, now_ms).await?;
        }
        if let Some(d) = &t.open_deadline {
            Self::insert_deadline(&mut tx, d).await?;
        }
        let at = (now_ms, who.user.as_str(), who.unit.as_str());
        tx.timeline(format!("{id}-st-{}", expected_version + 1), ("case", id), at, &t.step, &t.note).await?;
        tx.finish(audit, now_ms).await?;
        Ok(expected_version + 1)
    }
}

impl SqlStore {
    /// Claims an open lead at a version: `Conflict` when it moved on, `NotFound` when absent.
    pub(crate) async fn claim_open_lead(
        tx: &mut WriteTx,
        lead_id: &str,
        expected_version: i64,
        status: LeadStatus,
        set: (&str, &str, &str),
        note: &str,
    ) -> Result<(), StoreError> {
        let res = Sql::new(
            "UPDATE leads SET status = $1, version = version + 1, outcome_note = $2, \
             responsible_unit = CASE WHEN $3 = '' THEN responsible_unit ELSE $3 END, \
             division = CASE WHEN $4 = '' THEN division ELSE $4 END, \
             duplicate_of = CASE WHEN $5 = '' THEN duplicate_of ELSE $5 END \
             WHERE id = $6 AND version = $7 AND status = 'new'",
        )
        .bind(status.code())
        .bind(note)
        .bind(set.0)
        .bind(set.1)
        .bind(set.2)
        .bind(lead_id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if res.rows_affected() == 1 {
            return Ok(());
        }
        let row = Sql::new("SELECT status FROM leads WHERE id = $1").bind(lead_id).fetch_optional(&mut *tx).await?;
        match row {
            None => Err(StoreError::NotFound),
            Some(r) if r.try_get::<String>("status")? != "new" => Err(StoreError::Conflict(Conflict::LeadClosed)),
            Some(_) => Err(StoreError::Conflict(Conflict::StaleVersion)),
        }
    }
}
