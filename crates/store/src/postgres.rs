//! The production backend: PostgreSQL.
//!
//! Audit appends lock the chain head row (`FOR UPDATE`), so several `jiujinan serve`
//! processes on one database extend one unbroken chain. Audit entries on their own (the
//! records of reads) are batched: one task appends whatever has queued in one transaction,
//! so concurrent audited reads share one head lock and one commit instead of queueing for
//! one each. Migrations take an advisory lock so two processes starting together do not both
//! apply them.

use std::time::Duration;

use jiujinan_domain::audit::{self, AuditDraft, AuditEntry};
use jiujinan_domain::jurisdiction::Jurisdiction;
use jiujinan_domain::org::{NewUnit, UnitCode};
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};

use crate::aid_records::*;
use crate::aid_sql::*;
use crate::case_records::*;
use crate::case_sql::*;
use crate::disposition_records::*;
use crate::disposition_sql::*;
use crate::lead_records::*;
use crate::lead_sql::*;
use crate::migrations::{CREATE_SCHEMA_MIGRATIONS, postgres_migrations};
use crate::records::*;
use crate::seed_sql::*;
use crate::sql::*;
use crate::sqlite::now_ms;
use crate::{
    AidStore, Backend, CaseStore, DispositionStore, LeadStore, SeedLead, SeedStep, SeedStore, Store, StoreError,
};

/// Key of the advisory lock held while migrating ("jiujinan" in ASCII, truncated).
const MIGRATION_LOCK: i64 = 0x6a69_756a_696e_616e;

/// A write transaction.
pub(crate) type WriteTx = sqlx::Transaction<'static, sqlx::Postgres>;

/// One audit entry waiting for the batcher, with where to send its result.
type AuditJob = (AuditDraft, i64, tokio::sync::oneshot::Sender<Result<AuditEntry, StoreError>>);

/// At most this many queued entries go into one batch transaction.
const AUDIT_BATCH: usize = 256;

/// PostgreSQL store.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    audits: tokio::sync::mpsc::Sender<AuditJob>,
}

impl PgStore {
    const BACKEND: Backend = Backend::Postgres;
    const HEAD_FOR_UPDATE: &'static str = "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE";

    /// Connects to `url`, failing fast when the server is unreachable.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let (audits, jobs) = tokio::sync::mpsc::channel(4 * AUDIT_BATCH);
        tokio::spawn(Self::audit_batcher(pool.clone(), jobs));
        Ok(Self { pool, audits })
    }

    /// Appends queued stand-alone audit entries, as many as have queued (up to
    /// `AUDIT_BATCH`) in one transaction. Each caller gets its reply only after the commit.
    /// If a batch fails, its entries are retried one transaction each, so one failure does
    /// not fail the others. Ends when every store handle is gone.
    async fn audit_batcher(pool: PgPool, mut jobs: tokio::sync::mpsc::Receiver<AuditJob>) {
        while let Some(first) = jobs.recv().await {
            let mut batch = vec![first];
            while batch.len() < AUDIT_BATCH {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            let drafts: Vec<(AuditDraft, i64)> = batch.iter().map(|(d, t, _)| (d.clone(), *t)).collect();
            match Self::append_batch(&pool, drafts).await {
                Ok(entries) => {
                    for ((_, _, reply), e) in batch.into_iter().zip(entries) {
                        let _ = reply.send(Ok(e));
                    }
                }
                // A statement failed before the commit: nothing was written; try each entry on
                // its own so one bad entry does not fail the others.
                Err(StoreError::Database(sqlx::Error::Database(_))) => {
                    for (draft, at, reply) in batch {
                        let one = Self::append_batch(&pool, vec![(draft, at)]).await.map(|mut v| v.remove(0));
                        let _ = reply.send(one);
                    }
                }
                // No connection, or the commit's outcome is unknown: fail the batch at once
                // rather than retrying (a retry after an unknown commit could record twice).
                Err(e) => {
                    let msg = e.to_string();
                    for (_, _, reply) in batch {
                        let _ = reply.send(Err(StoreError::Unavailable(msg.clone())));
                    }
                }
            }
        }
    }

    async fn append_batch(pool: &PgPool, drafts: Vec<(AuditDraft, i64)>) -> Result<Vec<AuditEntry>, StoreError> {
        let mut tx = pool.begin().await?;
        let mut out = Vec::with_capacity(drafts.len());
        for (draft, at) in drafts {
            out.push(Self::append_audit_in(&mut tx, draft, at).await?);
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn append_standalone(&self, audit: AuditDraft, now_ms: i64) -> Result<AuditEntry, StoreError> {
        let (reply, result) = tokio::sync::oneshot::channel();
        self.audits
            .send((audit, now_ms, reply))
            .await
            .map_err(|_| StoreError::Unavailable("the audit writer has stopped".into()))?;
        result.await.map_err(|_| StoreError::Unavailable("the audit writer has stopped".into()))?
    }

    /// A new lead in its own transaction (sqlx; the SQLite store has its own, `sqlite_intake.rs`).
    async fn insert_new_lead(
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
                sqlx::query(intake_sql::DUPLICATE_BY_ID)
                    .bind(l.duplicate_window_start_ms)
                    .bind(id_number)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            (None, Some(phone)) => {
                sqlx::query(intake_sql::DUPLICATE_BY_NAME_PHONE)
                    .bind(l.duplicate_window_start_ms)
                    .bind(&l.subject_name)
                    .bind(phone)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            (None, None) => None,
        };
        let duplicate_of: Option<String> = dup.map(|r| r.try_get("id")).transpose()?;
        let seq: i64 = sqlx::query(intake_sql::NEXT_NUMBER)
            .bind(&l.street)
            .bind(l.year)
            .fetch_one(&mut *tx)
            .await?
            .try_get("last")?;
        let receipt = intake_sql::receipt(l, seq, duplicate_of.clone());
        if let Some(k) = idempotency {
            // Claim the key with the reply. A concurrent twin waits on this row, then
            // finds it taken and answers with the stored reply; dropping its
            // transaction gives back the number it drew.
            let response = intake_sql::stored_reply(&receipt)?;
            let claimed = sqlx::query(intake_sql::CLAIM_KEY)
                .bind(&k.actor)
                .bind(&k.key)
                .bind(&k.request_hash)
                .bind(&response)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if claimed == 0 {
                let row = sqlx::query(intake_sql::STORED_KEY).bind(&k.actor).bind(&k.key).fetch_one(&mut *tx).await?;
                let hash: String = row.try_get("request_hash")?;
                let response: String = row.try_get("response")?;
                return intake_sql::replay(k, &hash, &response);
            }
        }
        sqlx::query(sqlx::AssertSqlSafe(intake_sql::INSERT_LEAD.as_str()))
            .bind(&l.id)
            .bind(&receipt.number)
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

    async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        Ok(self.pool.begin().await?)
    }

    fn reader(&self) -> &PgPool {
        &self.pool
    }

    async fn ping_db(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(())
    }

    async fn close_pools(&self) {
        self.pool.close().await;
    }

    async fn run_migrations(&self) -> Result<Vec<i64>, StoreError> {
        use sqlx::Row;
        let mut conn = self.pool.acquire().await?;
        sqlx::query("SELECT pg_advisory_lock($1)").bind(MIGRATION_LOCK).execute(&mut *conn).await?;
        let result = async {
            sqlx::query(CREATE_SCHEMA_MIGRATIONS).execute(&mut *conn).await?;
            let mut applied = Vec::new();
            for m in postgres_migrations() {
                let done = sqlx::query("SELECT version FROM schema_migrations WHERE version = $1")
                    .bind(m.version)
                    .fetch_optional(&mut *conn)
                    .await?
                    .map(|r| r.try_get::<i64, _>("version"))
                    .transpose()?;
                if done.is_some() {
                    continue;
                }
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                sqlx::raw_sql(m.sql).execute(&mut *tx).await?;
                sqlx::query("INSERT INTO schema_migrations (version, name, applied_ms) VALUES ($1, $2, $3)")
                    .bind(m.version)
                    .bind(m.name)
                    .bind(now_ms())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                applied.push(m.version);
            }
            Ok::<_, StoreError>(applied)
        }
        .await;
        sqlx::query("SELECT pg_advisory_unlock($1)").bind(MIGRATION_LOCK).execute(&mut *conn).await?;
        result
    }
}

impl_store!(PgStore, PgRow);
impl_lead_store!(PgStore, PgRow);
impl_case_store!(PgStore, PgRow);
impl_disposition_store!(PgStore, PgRow);
impl_aid_store!(PgStore, PgRow);
impl_seed_store!(PgStore);
