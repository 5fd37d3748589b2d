//! The embedded default: one SQLite file in WAL mode with `synchronous=FULL`.
//!
//! All writes go through a single-connection pool and begin with `BEGIN IMMEDIATE`, so
//! writers queue instead of failing, and a committed write is on disk before the reply.
//! Reads use a separate pool and never block on the writer.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::StoreError;
use crate::backend::now_ms;
use crate::migrations::{CREATE_SCHEMA_MIGRATIONS, sqlite_migrations};
use crate::sqlite_sync_writer::{SyncWriter, WriteTurn};

use crate::sqlite_writer::WriteTx;

/// SQLite store: two group-commit writers taking turns (the synchronous one for the hot
/// paths, the sqlx one for the rest) and a reader pool.
#[derive(Debug, Clone)]
pub(crate) struct SqliteStore {
    writer: crate::sqlite_writer::Writer,
    sync_writer: SyncWriter,
    readers: SqlitePool,
    audit_key: crate::postgres::SharedKey,
}

impl SqliteStore {
    /// Opens (creating if missing, with its folder) the database file named by `url`.
    pub(crate) async fn connect(url: &str, audit_key: crate::postgres::SharedKey) -> Result<Self, StoreError> {
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
        Ok(Self { writer, sync_writer, readers, audit_key })
    }

    pub(crate) async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        self.writer.begin().await
    }

    /// The audit key the writers seal entries with, if any.
    pub(crate) fn audit_key(&self) -> crate::postgres::SharedKey {
        self.audit_key.clone()
    }

    pub(crate) fn sync_writer(&self) -> &SyncWriter {
        &self.sync_writer
    }

    /// `VACUUM INTO` the new file `path`: one read transaction, so the copy is the database
    /// at one instant (audit head included) and writers are never blocked.
    pub(crate) async fn backup_to_file(&self, path: &std::path::Path) -> Result<(), StoreError> {
        let target = path.to_str().ok_or_else(|| StoreError::Unavailable("the backup path is not UTF-8".into()))?;
        // `VACUUM INTO` writes into a new file or an empty one (the caller may have created it
        // with restrictive permissions), never over data.
        if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
            return Err(StoreError::Unavailable(format!("{target} already exists")));
        }
        sqlx::query("VACUUM INTO $1").bind(target).execute(&self.readers).await?;
        Ok(())
    }

    pub(crate) fn reader(&self) -> &SqlitePool {
        &self.readers
    }

    pub(crate) async fn ping_db(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.readers).await.map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(())
    }

    /// `synchronous` and `journal_mode` on the general writer, the intake writer and every
    /// reader connection (all opened at once, so none is left out).
    pub(crate) async fn durability(&self) -> Result<Vec<crate::DurabilitySetting>, StoreError> {
        use crate::DurabilitySetting as D;
        let mut out = Vec::new();
        let mut tx = self.begin_write().await?;
        let level: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut *tx).await?;
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut *tx).await?;
        drop(tx);
        out.extend([D::sqlite_synchronous("writer", level), D::sqlite_journal_mode("writer", mode)]);
        let (level, mode) = self
            .sync_writer
            .write(|conn| {
                let read = || -> rusqlite::Result<(i64, String)> {
                    Ok((
                        conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?,
                        conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?,
                    ))
                };
                read().map(crate::sqlite_sync_writer::Finish::Discard).map_err(|e| StoreError::Engine(e.to_string()))
            })
            .await?;
        out.extend([D::sqlite_synchronous("intake writer", level), D::sqlite_journal_mode("intake writer", mode)]);
        let mut readers = Vec::new();
        for _ in 0..self.readers.options().get_max_connections() {
            readers.push(self.readers.acquire().await?);
        }
        for (i, conn) in readers.iter_mut().enumerate() {
            let name = format!("reader {}", i + 1);
            let level: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut **conn).await?;
            let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut **conn).await?;
            out.extend([D::sqlite_synchronous(&name, level), D::sqlite_journal_mode(&name, mode)]);
        }
        Ok(out)
    }

    pub(crate) async fn close_pools(&self) {
        self.readers.close().await;
    }

    pub(crate) async fn run_migrations(&self) -> Result<Vec<i64>, StoreError> {
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
