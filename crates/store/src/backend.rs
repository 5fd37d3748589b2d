//! The one store type: either backend behind one struct, so each store trait is implemented
//! once, in its aggregate's module, with plain functions over `db.rs`.
//!
//! Only what truly differs is dispatched here to `sqlite.rs` or `postgres.rs`: connecting,
//! migrating, beginning a write, and the two hot writers (new leads and audit entries on their
//! own). See docs/adr/0014-store-without-macros.md.

use jiujinan_domain::audit::{AuditDraft, AuditEntry};

use std::sync::Arc;

use jiujinan_domain::pii::PiiKeyring;

use crate::db::{On, WriteTx};
use crate::pii::SealedLead;
use crate::postgres::PgStore;
use crate::postgres::SharedKey;
use crate::sqlite::SqliteStore;
use crate::{Backend, Created, IdempotencyKey, Keys, StoreError};

/// The store on SQLite or PostgreSQL, chosen by [`crate::connect`] from the URL.
#[derive(Debug, Clone)]
pub struct SqlStore {
    db: Db,
    /// The audit chain's key (kept outside the database); entries get no MAC without one.
    audit_key: SharedKey,
    /// The personal-data keys (kept outside the database); without them no personal data is
    /// written or read.
    pii: Option<Arc<PiiKeyring>>,
}

#[derive(Debug, Clone)]
enum Db {
    Lite(SqliteStore),
    Pg(PgStore),
}

impl SqlStore {
    /// Opens an SQLite file (`sqlite://PATH`, created if missing).
    pub async fn connect_sqlite(url: &str, keys: Keys) -> Result<Self, StoreError> {
        let audit_key = keys.audit.map(Arc::new);
        let db = Db::Lite(SqliteStore::connect(url, audit_key.clone()).await?);
        Ok(Self { db, audit_key, pii: keys.pii.map(Arc::new) })
    }

    /// Connects to PostgreSQL, failing fast when the server is unreachable.
    pub async fn connect_postgres(url: &str, keys: Keys) -> Result<Self, StoreError> {
        let audit_key = keys.audit.map(Arc::new);
        let db = Db::Pg(PgStore::connect(url, audit_key.clone()).await?);
        Ok(Self { db, audit_key, pii: keys.pii.map(Arc::new) })
    }

    /// The personal-data key ring, or a clear refusal when the store was opened without one.
    pub(crate) fn pii(&self) -> Result<&PiiKeyring, StoreError> {
        self.pii.as_deref().ok_or_else(|| {
            StoreError::Unavailable(
                "no personal-data key is configured (pii_key_file or JIUJINAN_PII_KEY_FILE): names, ID numbers \
                 and phones can be neither written nor read"
                    .into(),
            )
        })
    }

    /// Which backend this is.
    pub(crate) fn kind(&self) -> Backend {
        match self.db {
            Db::Lite(_) => Backend::Sqlite,
            Db::Pg(_) => Backend::Postgres,
        }
    }

    /// A write transaction (on SQLite a savepoint in the writer's group commit).
    pub(crate) async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        match &self.db {
            Db::Lite(s) => Ok(WriteTx::Lite(s.begin_write().await?, self.audit_key.clone())),
            Db::Pg(p) => Ok(WriteTx::Pg(p.begin_write().await?, self.audit_key.clone())),
        }
    }

    /// Where reads run (SQLite's reader pool never waits for the writer).
    pub(crate) fn reader(&self) -> On<'_> {
        match &self.db {
            Db::Lite(s) => On::LiteReaders(s.reader()),
            Db::Pg(p) => On::PgReaders(p.reader()),
        }
    }

    pub(crate) async fn run_migrations(&self) -> Result<Vec<i64>, StoreError> {
        match &self.db {
            Db::Lite(s) => s.run_migrations().await,
            Db::Pg(p) => p.run_migrations().await,
        }
    }

    pub(crate) async fn ping_db(&self) -> Result<(), StoreError> {
        match &self.db {
            Db::Lite(s) => s.ping_db().await,
            Db::Pg(p) => p.ping_db().await,
        }
    }

    pub(crate) async fn durability_settings(&self) -> Result<Vec<crate::DurabilitySetting>, StoreError> {
        match &self.db {
            Db::Lite(s) => s.durability().await,
            Db::Pg(p) => p.durability().await,
        }
    }

    pub(crate) async fn close_pools(&self) {
        match &self.db {
            Db::Lite(s) => s.close_pools().await,
            Db::Pg(p) => p.close_pools().await,
        }
    }

    /// A new lead on the backend's hot writer (ADR 0011 / 0012).
    pub(crate) async fn insert_new_lead(
        &self,
        l: &SealedLead,
        idempotency: Option<&IdempotencyKey>,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<Created, StoreError> {
        match &self.db {
            Db::Lite(s) => s.insert_new_lead(l, idempotency, audit, now_ms).await,
            Db::Pg(p) => p.insert_new_lead(l, idempotency, audit, now_ms).await,
        }
    }

    /// An audit entry on its own (the record of a read), group-committed on the hot writer.
    pub(crate) async fn append_standalone(&self, audit: AuditDraft, now_ms: i64) -> Result<AuditEntry, StoreError> {
        match &self.db {
            Db::Lite(s) => s.append_standalone(audit, now_ms).await,
            Db::Pg(p) => p.append_standalone(audit, now_ms).await,
        }
    }
}

/// Wall-clock time for migration bookkeeping only; use cases pass their own clock.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

#[async_trait::async_trait]
impl crate::Store for SqlStore {
    fn backend(&self) -> Backend {
        self.kind()
    }

    async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        self.run_migrations().await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.ping_db().await
    }

    async fn close(&self) {
        self.close_pools().await
    }

    async fn durability(&self) -> Result<Vec<crate::DurabilitySetting>, StoreError> {
        self.durability_settings().await
    }

    async fn refresh_statistics(&self) -> Result<(), StoreError> {
        match &self.db {
            Db::Lite(_) => Ok(()),
            Db::Pg(p) => {
                sqlx::query("ANALYZE").execute(p.reader()).await?;
                Ok(())
            }
        }
    }

    #[cfg(feature = "testing")]
    async fn planner_row_counts_for_tests(&self) -> Result<Vec<(String, i64)>, StoreError> {
        match &self.db {
            Db::Lite(_) => Ok(Vec::new()),
            Db::Pg(p) => Ok(sqlx::query_as(
                "SELECT c.relname::text, c.reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = \
                 c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY c.relname",
            )
            .fetch_all(p.reader())
            .await?),
        }
    }

    async fn backup_to_file(&self, path: &std::path::Path) -> Result<(), StoreError> {
        match &self.db {
            Db::Lite(s) => s.backup_to_file(path).await,
            Db::Pg(_) => Err(StoreError::Unavailable("PostgreSQL is backed up with pg_dump".into())),
        }
    }

    #[cfg(feature = "testing")]
    async fn raw_execute_for_tests(&self, sql: &'static str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        tx.raw(sql).await?;
        tx.commit().await?;
        Ok(())
    }
}
