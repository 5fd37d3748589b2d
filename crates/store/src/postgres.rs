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
