//! The key ring against the database, and the re-seal: every personal value brought under the
//! current key (after `jiujinan key rotate`, and once after the upgrade that introduced
//! encryption, when the values written before it are still plain text).
//!
//! The re-seal walks each table in id order, a batch of rows per write transaction, so it
//! holds no long lock and can be stopped and run again: a value already under the current key
//! is skipped. A row changed meanwhile (its version or sealed value no longer what was read)
//! is left for the next pass. See docs/adr/0023-pii-at-rest.md.

use async_trait::async_trait;
use jiujinan_domain::pii::{Field, PiiKeyring};

use crate::StoreError;
use crate::backend::SqlStore;
use crate::db::Sql;
use crate::intake::LEAD_COLUMNS;
use crate::pii::Sealer;
use crate::rows::{self, CASE_COLUMNS};

/// How the key ring and the database stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PiiStatus {
    /// The key that seals new values.
    pub current: String,
    /// The key the last complete re-seal left every value under (`None`: never re-sealed).
    pub resealed_under: Option<String>,
}

impl PiiStatus {
    /// Whether values may remain under an older key or in plain text.
    pub fn needs_reseal(&self) -> bool {
        self.resealed_under.as_deref() != Some(self.current.as_str())
    }
}

/// What a re-seal did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResealReport {
    /// Rows whose values were sealed anew.
    pub rows: u64,
    /// Rows already under the current key.
    pub unchanged: u64,
    /// Rows changed by someone else during the last pass (a later run takes them).
    pub left: u64,
}

/// The personal-data keys against the database.
#[async_trait]
pub trait PiiStore: Send + Sync {
    /// Checks the store's key ring against the keys that sealed values here and records the
    /// current key. Refuses (`Unavailable`) a ring that lacks a key under which values remain:
    /// they could never be read, and a new key must not be taken for a lost one.
    async fn prepare_pii(&self, now_ms: i64) -> Result<PiiStatus, StoreError>;
    /// Seals every value not yet under the current key anew (and its indexes), `batch` rows per
    /// transaction; records the key as complete when nothing was left.
    async fn reseal_pii(&self, batch: usize, now_ms: i64) -> Result<ResealReport, StoreError>;
    /// The keys recorded as having sealed values here (works without a key ring).
    async fn pii_key_ids(&self) -> Result<Vec<String>, StoreError>;
}

#[async_trait]
impl PiiStore for SqlStore {
    async fn pii_key_ids(&self) -> Result<Vec<String>, StoreError> {
        let rows = Sql::new("SELECT key_id FROM pii_keys ORDER BY added_ms, key_id").fetch_all(self.reader()).await?;
        rows.iter().map(|r| Ok(r.try_get("key_id")?)).collect()
    }

    async fn prepare_pii(&self, now_ms: i64) -> Result<PiiStatus, StoreError> {
        let ring = self.pii()?;
        let current = ring.current().id().to_owned();
        let mut tx = self.begin_write().await?;
        if tx.is_postgres() {
            // Two servers starting at once with different key files: one records its key first,
            // the other then finds it missing from its ring and stops.
            Sql::new("SELECT pg_advisory_xact_lock(hashtextextended('jiujinan pii_keys', 0))").execute(&mut tx).await?;
        }
        let known = Sql::new("SELECT key_id FROM pii_keys ORDER BY added_ms, key_id").fetch_all(&mut tx).await?;
        let mut missing = Vec::new();
        for row in &known {
            let id: String = row.try_get("key_id")?;
            if !ring.contains(&id) {
                missing.push(id);
            }
        }
        if !missing.is_empty() {
            // Never a new key for a lost one: values sealed under it, here or in a backup of
            // this database, could never be read again. A key is retired from this table only
            // when a complete re-seal has left nothing under it.
            return Err(StoreError::Unavailable(format!(
                "personal data in this database is sealed under key {}, which the key file (pii_key_file) \
                 lacks (it holds {}): put back the key file that holds it",
                missing.join(", "),
                ring.ids().join(", ")
            )));
        }
        Sql::new("INSERT INTO pii_keys (key_id, added_ms) VALUES ($1, $2) ON CONFLICT (key_id) DO NOTHING")
            .bind(&current)
            .bind(now_ms)
            .execute(&mut tx)
            .await?;
        let state = Sql::new("SELECT resealed_under FROM pii_state WHERE id = 1").fetch_optional(&mut tx).await?;
        let resealed_under = state.map(|r| r.try_get::<String>("resealed_under")).transpose()?;
        tx.commit().await?;
        Ok(PiiStatus { current, resealed_under })
    }

    async fn reseal_pii(&self, batch: usize, now_ms: i64) -> Result<ResealReport, StoreError> {
        let ring = self.pii()?;
        let batch = batch.clamp(1, 5_000);
        let mut total = ResealReport::default();
        // A row changed under a pass is taken by the next; three passes settle any real load.
        for _ in 0..3 {
            let mut pass = ResealReport::default();
            self.reseal_leads(ring, batch, &mut pass).await?;
            self.reseal_cases(ring, batch, &mut pass).await?;
            self.reseal_single(ring, batch, ("investigations", "findings", Field::Findings), &mut pass).await?;
            self.reseal_single(ring, batch, ("publicity_postings", "head_name", Field::Name), &mut pass).await?;
            self.reseal_single(ring, batch, ("supervision_items", "instruction", Field::Findings), &mut pass).await?;
            self.reseal_single(ring, batch, ("supervision_items", "reply", Field::Findings), &mut pass).await?;
            self.reseal_timeline(ring, batch, &mut pass).await?;
            total.rows += pass.rows;
            total.unchanged = pass.unchanged;
            total.left = pass.left;
            if pass.left == 0 {
                break;
            }
        }
        if total.left == 0 {
            let mut tx = self.begin_write().await?;
            Sql::new(
                "INSERT INTO pii_state (id, resealed_under, resealed_ms) VALUES (1, $1, $2) \
                 ON CONFLICT (id) DO UPDATE SET resealed_under = excluded.resealed_under, \
                 resealed_ms = excluded.resealed_ms",
            )
            .bind(ring.current().id())
            .bind(now_ms)
            .execute(&mut tx)
            .await?;
            // Nothing is sealed under the older keys any more: their lines may leave the key
            // file (once no backup sealed under them is kept).
            Sql::new("DELETE FROM pii_keys WHERE key_id <> $1").bind(ring.current().id()).execute(&mut tx).await?;
            tx.commit().await?;
        }
        Ok(total)
    }
}

fn current_opt(ring: &PiiKeyring, v: Option<&str>) -> bool {
    v.is_none_or(|v| ring.is_current(v))
}

impl SqlStore {
    async fn reseal_leads(&self, ring: &PiiKeyring, batch: usize, report: &mut ResealReport) -> Result<(), StoreError> {
        let mut after = String::new();
        loop {
            let rows = Sql::new(format!(
                "SELECT {LEAD_COLUMNS}, outcome_note FROM leads WHERE id > $1 ORDER BY id LIMIT {batch}"
            ))
            .bind(&after)
            .fetch_all(self.reader())
            .await?;
            let Some(last) = rows.last() else { return Ok(()) };
            after = last.try_get("id")?;
            let mut tx = self.begin_write().await?;
            for r in &rows {
                let raw = rows::lead(r)?;
                let current = [&raw.reporter_name, &raw.subject_name, &raw.address, &raw.description, &raw.needs]
                    .iter()
                    .all(|v| ring.is_current(v))
                    && [&raw.reporter_phone, &raw.subject_id_number, &raw.subject_phone]
                        .iter()
                        .all(|v| current_opt(ring, v.as_deref()));
                if current {
                    report.unchanged += 1;
                    continue;
                }
                let (l, ix) = ring.seal_lead_record(&ring.open_lead(raw.clone())?);
                let done = Sql::new(
                    "UPDATE leads SET reporter_name = $1, reporter_phone = $2, subject_name = $3, \
                     subject_id_number = $4, subject_phone = $5, address = $6, description = $7, \
                     subject_id_bidx = $8, subject_phone_bidx = $9, subject_name_phone_bidx = $10, \
                     subject_name_tokens = $11, needs = $15 WHERE id = $12 AND subject_name = $13 \
                     AND description = $14",
                )
                .bind(&l.reporter_name)
                .bind(&l.reporter_phone)
                .bind(&l.subject_name)
                .bind(&l.subject_id_number)
                .bind(&l.subject_phone)
                .bind(&l.address)
                .bind(&l.description)
                .bind(ix.id_bidx)
                .bind(ix.phone_bidx)
                .bind(ix.name_phone_bidx)
                .bind(ix.name_tokens)
                .bind(&raw.id)
                .bind(&raw.subject_name)
                .bind(&raw.description)
                .bind(&l.needs)
                .execute(&mut tx)
                .await?;
                count(report, done.rows_affected());
            }
            tx.commit().await?;
        }
    }

    async fn reseal_cases(&self, ring: &PiiKeyring, batch: usize, report: &mut ResealReport) -> Result<(), StoreError> {
        let mut after = String::new();
        loop {
            let rows = Sql::new(format!("SELECT {CASE_COLUMNS} FROM cases WHERE id > $1 ORDER BY id LIMIT {batch}"))
                .bind(&after)
                .fetch_all(self.reader())
                .await?;
            let Some(last) = rows.last() else { return Ok(()) };
            after = last.try_get("id")?;
            let mut tx = self.begin_write().await?;
            for r in &rows {
                let raw = rows::case(r)?;
                let current = [&raw.subject_name, &raw.household, &raw.economy, &raw.population]
                    .iter()
                    .all(|v| ring.is_current(v))
                    && [&raw.subject_id_number, &raw.subject_phone].iter().all(|v| current_opt(ring, v.as_deref()));
                if current {
                    report.unchanged += 1;
                    continue;
                }
                let (c, ix) = ring.seal_case_record(&ring.open_case(raw.clone())?);
                let done = Sql::new(
                    "UPDATE cases SET subject_name = $1, subject_id_number = $2, subject_phone = $3, household = $4, \
                     economy = $5, population = $6, subject_id_bidx = $7, subject_phone_bidx = $8, \
                     subject_name_tokens = $9 WHERE id = $10 AND version = $11 AND household = $12",
                )
                .bind(&c.subject_name)
                .bind(&c.subject_id_number)
                .bind(&c.subject_phone)
                .bind(&c.household)
                .bind(&c.economy)
                .bind(&c.population)
                .bind(ix.id_bidx)
                .bind(ix.phone_bidx)
                .bind(ix.name_tokens)
                .bind(&raw.id)
                .bind(raw.version)
                .bind(&raw.household)
                .execute(&mut tx)
                .await?;
                count(report, done.rows_affected());
            }
            tx.commit().await?;
        }
    }

    /// A table with one sealed column that is written once (on insert, or later once: a 督办
    /// item's instruction and reply; an empty value is not written yet and stays empty).
    async fn reseal_single(
        &self,
        ring: &PiiKeyring,
        batch: usize,
        (table, column, field): (&str, &str, Field),
        report: &mut ResealReport,
    ) -> Result<(), StoreError> {
        let mut after = String::new();
        loop {
            let rows = Sql::new(format!(
                "SELECT id, {column} AS value FROM {table} WHERE id > $1 AND {column} <> '' ORDER BY id LIMIT {batch}"
            ))
            .bind(&after)
            .fetch_all(self.reader())
            .await?;
            let Some(last) = rows.last() else { return Ok(()) };
            after = last.try_get("id")?;
            let mut tx = self.begin_write().await?;
            for r in &rows {
                let (id, value): (String, String) = (r.try_get("id")?, r.try_get("value")?);
                if ring.is_current(&value) {
                    report.unchanged += 1;
                    continue;
                }
                let sealed = ring.seal_text(field, &ring.open_text(field, &value)?);
                let done = Sql::new(format!("UPDATE {table} SET {column} = $1 WHERE id = $2 AND {column} = $3"))
                    .bind(&sealed)
                    .bind(&id)
                    .bind(&value)
                    .execute(&mut tx)
                    .await?;
                count(report, done.rows_affected());
            }
            tx.commit().await?;
        }
    }
}

impl SqlStore {
    /// Timeline notes: a follow-up's findings sealed like an investigation's; and the merge
    /// reports written before encryption, which copied the merged lead's description
    /// (`L… · channel: description`), cut back to the number and channel.
    async fn reseal_timeline(
        &self,
        ring: &PiiKeyring,
        batch: usize,
        report: &mut ResealReport,
    ) -> Result<(), StoreError> {
        let mut after = String::new();
        loop {
            let rows = Sql::new(format!(
                "SELECT id, step, note FROM timeline WHERE id > $1 AND step IN ('followup_done', 'merged_report') \
                 ORDER BY id LIMIT {batch}"
            ))
            .bind(&after)
            .fetch_all(self.reader())
            .await?;
            let Some(last) = rows.last() else { return Ok(()) };
            after = last.try_get("id")?;
            let mut tx = self.begin_write().await?;
            for r in &rows {
                let (id, step, note): (String, String, String) =
                    (r.try_get("id")?, r.try_get("step")?, r.try_get("note")?);
                let new = match step.as_str() {
                    "merged_report" => match note.split_once(": ") {
                        Some((head, _)) if !note.starts_with(jiujinan_domain::pii::PREFIX) => head.to_owned(),
                        _ => {
                            report.unchanged += 1;
                            continue;
                        }
                    },
                    _ if ring.is_current(&note) => {
                        report.unchanged += 1;
                        continue;
                    }
                    _ => ring.seal_note(&step, &ring.open_note(note.clone())?),
                };
                let done = Sql::new("UPDATE timeline SET note = $1 WHERE id = $2 AND note = $3")
                    .bind(&new)
                    .bind(&id)
                    .bind(&note)
                    .execute(&mut tx)
                    .await?;
                count(report, done.rows_affected());
            }
            tx.commit().await?;
        }
    }
}

fn count(report: &mut ResealReport, affected: u64) {
    if affected == 0 {
        report.left += 1;
    } else {
        report.rows += 1;
    }
}
