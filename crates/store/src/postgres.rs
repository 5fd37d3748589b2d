//! The production backend: PostgreSQL.
//!
//! Audit appends lock the chain head row (`FOR UPDATE`), so several `jiujinan serve`
//! processes on one database extend one unbroken chain. Audit entries on their own (the
//! records of reads) and new leads are group-committed: one task runs whatever has queued in
//! one transaction (`postgres_hot_writer.rs`), so they share one head lock and one commit
//! instead of queueing for one each. Migrations take an advisory lock so two processes starting together do not both
//! apply them.

use std::time::Duration;

use jiujinan_domain::audit::{AuditDraft, AuditEntry};
use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::backend::now_ms;
use crate::migrations::{CREATE_SCHEMA_MIGRATIONS, postgres_migrations};
use crate::pii::SealedLead;
use crate::postgres_hot_writer::HotWriter;
use crate::{Created, IdempotencyKey, StoreError};

/// The chain head, locked until commit so several processes extend one chain.
pub(crate) const HEAD_FOR_UPDATE: &str = "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE";

/// Key of the advisory lock held while migrating ("jiujinan" in ASCII, truncated).
const MIGRATION_LOCK: i64 = 0x6a69_756a_696e_616e;

/// A write transaction.
pub(crate) type WriteTx = sqlx::Transaction<'static, sqlx::Postgres>;

/// PostgreSQL store.
#[derive(Debug, Clone)]
pub(crate) struct PgStore {
    pool: PgPool,
    hot: HotWriter,
}

/// The audit key shared by a store's writers.
pub(crate) type SharedKey = Option<std::sync::Arc<jiujinan_domain::audit_key::AuditKey>>;

impl PgStore {
    /// Connects to `url`, failing fast when the server is unreachable; TLS as the URL asks
    /// (`sslmode`, `sslrootcert`: postgres_tls.rs).
    pub(crate) async fn connect(url: &str, audit_key: SharedKey) -> Result<Self, StoreError> {
        let (options, server) = crate::postgres_tls::connect_options(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Unavailable(format!("cannot connect to {server}: {e}")))?;
        let hot = HotWriter::start(pool.clone(), audit_key);
        Ok(Self { pool, hot })
    }

    /// A new lead, group-committed with the other queued hot writes (postgres_hot_writer.rs).
    pub(crate) async fn insert_new_lead(
        &self,
        l: &SealedLead,
        idempotency: Option<&IdempotencyKey>,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<Created, StoreError> {
        self.hot.create_lead(l, idempotency, audit, now_ms).await
    }

    /// An audit entry on its own (the record of a read), group-committed likewise.
    pub(crate) async fn append_standalone(&self, audit: AuditDraft, now_ms: i64) -> Result<AuditEntry, StoreError> {
        self.hot.append_audit(audit, now_ms).await
    }

    pub(crate) async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        Ok(self.pool.begin().await?)
    }

    pub(crate) fn reader(&self) -> &PgPool {
        &self.pool
    }

    pub(crate) async fn ping_db(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(())
    }

    /// The server's `fsync`, `synchronous_commit` and `full_page_writes` as this store's
    /// sessions see them (`synchronous_commit` may be set per database or role).
    pub(crate) async fn durability(&self) -> Result<Vec<crate::DurabilitySetting>, StoreError> {
        let mut out = Vec::new();
        for name in crate::durability::POSTGRES_SETTINGS {
            let value: String =
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SHOW {name}"))).fetch_one(&self.pool).await?;
            out.push(crate::DurabilitySetting::postgres(name, value));
        }
        Ok(out)
    }

    pub(crate) async fn close_pools(&self) {
        self.pool.close().await;
    }

    pub(crate) async fn run_migrations(&self) -> Result<Vec<i64>, StoreError> {
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
