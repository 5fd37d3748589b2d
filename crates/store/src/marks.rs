//! What a database was made for: `demo` once `serve --demo` has loaded the demo accounts into
//! it. The test clock and the demo accounts work only on a database marked so, and the demo is
//! never loaded into a database holding anyone else's accounts (issue 19, guards).
//!
//! The trait and its one implementation on [`SqlStore`], written against `db.rs`.

use async_trait::async_trait;
use jiujinan_domain::audit::AuditDraft;

use crate::StoreError;
use crate::backend::SqlStore;
use crate::db::Sql;

/// The mark of a database made for demonstrations and browser tests.
pub const DEMO_MARK: &str = "demo";

/// The mark of a database made by `bench seed` for benchmarks.
pub const BENCH_MARK: &str = "bench";

/// What a database was made for.
#[async_trait]
pub trait MarkStore: Send + Sync {
    /// Whether the database carries `mark`.
    async fn has_mark(&self, mark: &str) -> Result<bool, StoreError>;
    /// Sets `mark` (once; setting it again changes nothing), audited.
    async fn set_mark(&self, mark: &str, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
    /// The user names other than `known`, at most `limit` of them (is anyone else's account here?).
    async fn other_usernames(&self, known: &[&str], limit: i64) -> Result<Vec<String>, StoreError>;
    /// Whether the database holds any account, lead or case (reference data such as the
    /// organisation and rule data does not count).
    async fn holds_work(&self) -> Result<bool, StoreError>;
}

#[async_trait]
impl MarkStore for SqlStore {
    async fn has_mark(&self, mark: &str) -> Result<bool, StoreError> {
        let row = Sql::new("SELECT 1 AS one FROM instance_marks WHERE mark = $1")
            .bind(mark)
            .fetch_optional(self.reader())
            .await?;
        Ok(row.is_some())
    }

    async fn set_mark(&self, mark: &str, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        if self.has_mark(mark).await? {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        let done = Sql::new("INSERT INTO instance_marks (mark, set_ms) VALUES ($1, $2) ON CONFLICT (mark) DO NOTHING")
            .bind(mark)
            .bind(now_ms)
            .execute(&mut tx)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(());
        }
        tx.finish(audit, now_ms).await
    }

    async fn other_usernames(&self, known: &[&str], limit: i64) -> Result<Vec<String>, StoreError> {
        let rows = Sql::new("SELECT username FROM users ORDER BY username").fetch_all(self.reader()).await?;
        let mut out = Vec::new();
        for r in rows {
            let name: String = r.try_get("username")?;
            if !known.contains(&name.as_str()) {
                out.push(name);
                if out.len() as i64 >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    async fn holds_work(&self) -> Result<bool, StoreError> {
        for table in ["users", "leads", "cases"] {
            let row = Sql::new(format!("SELECT 1 AS one FROM {table} LIMIT 1")).fetch_optional(self.reader()).await?;
            if row.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
