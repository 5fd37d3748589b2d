//! The embedded default: one SQLite file in WAL mode with `synchronous=FULL`.
//!
//! All writes go through a single-connection pool and begin with `BEGIN IMMEDIATE`, so
//! writers queue instead of failing, and a committed write is on disk before the reply.
//! Reads use a separate pool and never block on the writer.

use std::str::FromStr;
use std::time::Duration;

use jiujinan_domain::audit::{self, AuditDraft, AuditEntry};
use jiujinan_domain::jurisdiction::Jurisdiction;
use jiujinan_domain::org::{NewUnit, UnitCode};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};

use crate::aid_records::*;
use crate::aid_sql::*;
use crate::case_records::*;
use crate::case_sql::*;
use crate::disposition_records::*;
use crate::disposition_sql::*;
use crate::lead_records::*;
use crate::lead_sql::*;
use crate::migrations::{CREATE_SCHEMA_MIGRATIONS, sqlite_migrations};
use crate::records::*;
use crate::seed_sql::*;
use crate::sql::*;
use crate::{
    AidStore, Backend, CaseStore, DispositionStore, LeadStore, SeedLead, SeedStep, SeedStore, Store, StoreError,
};

use crate::sqlite_sync_writer::{SyncWriter, WriteTurn};

/// A write transaction: a savepoint inside the writer's group commit.
pub(crate) type WriteTx = crate::sqlite_writer::WriteTx;

/// SQLite store: two group-commit writers taking turns (the synchronous one for the hot
/// paths, the sqlx one for the rest) and a reader pool.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: crate::sqlite_writer::Writer,
    sync_writer: SyncWriter,
    readers: SqlitePool,
}

impl SqliteStore {
    const BACKEND: Backend = Backend::Sqlite;
    /// The single writer already serialises appends.
    const HEAD_FOR_UPDATE: &'static str = crate::lead_sql::intake_sql::AUDIT_HEAD;

    /// Opens (creating if missing, with its folder) the database file named by `url`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Unavailable(format!("bad SQLite URL: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            // Savepoint journals (one per caller in a group commit) stay in memory instead of a
            // temporary file; the WAL itself is still fsynced on every commit.
            .pragma("temp_store", "memory");
        if opts.get_filename().as_os_str() == ":memory:" {
            // Each connection would get its own empty database.
            return Err(StoreError::Unavailable("an in-memory SQLite database is not supported; name a file".into()));
        }
        if let Some(dir) = opts.get_filename().parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Unavailable(format!("cannot create {}: {e}", dir.display())))?;
        }
        // Page cache: 16 MiB for the synchronous writer (intake), 4 MiB for the general writer,
        // 8 MiB per reader (SQLite's default of 2 MiB thrashes on a million-case file); sized so
        // the whole server stays near 64 MiB.
        let turn = WriteTurn::default();
        let writer =
            crate::sqlite_writer::Writer::start(opts.clone().pragma("cache_size", "-4096"), turn.clone()).await?;
        let sync_writer = SyncWriter::start(opts.get_filename(), 16_384, turn)?;
        let opts = opts.pragma("cache_size", "-8192");
        let readers = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(Self { writer, sync_writer, readers })
    }

    async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        self.writer.begin().await
    }

    pub(crate) fn sync_writer(&self) -> &SyncWriter {
        &self.sync_writer
    }

    fn reader(&self) -> &SqlitePool {
        &self.readers
    }

    async fn ping_db(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.readers).await.map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(())
    }

    async fn close_pools(&self) {
        self.readers.close().await;
    }

    async fn run_migrations(&self) -> Result<Vec<i64>, StoreError> {
        use sqlx::Row;
        let mut tx = self.begin_write().await?;
        sqlx::query(CREATE_SCHEMA_MIGRATIONS).execute(&mut *tx).await?;
        tx.commit().await?;
        let mut applied = Vec::new();
        for m in sqlite_migrations() {
            let mut tx = self.begin_write().await?;
            let done = sqlx::query("SELECT version FROM schema_migrations WHERE version = $1")
                .bind(m.version)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get::<i64, _>("version"))
                .transpose()?;
            if done.is_some() {
                continue;
            }
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
        Ok(applied)
    }
}

/// Wall-clock time for migration bookkeeping only; use cases pass their own clock.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

impl_store!(SqliteStore, SqliteRow);
impl_lead_store!(SqliteStore, SqliteRow);
impl_case_store!(SqliteStore, SqliteRow);
impl_disposition_store!(SqliteStore, SqliteRow);
impl_aid_store!(SqliteStore, SqliteRow);
impl_seed_store!(SqliteStore);
