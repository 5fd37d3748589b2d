//! The audit chain: entries on their own and reading the chain back.
//!
//! The trait and its one implementation on [`SqlStore`], written against `db.rs`.

use async_trait::async_trait;
use jiujinan_domain::audit::{AuditDraft, AuditEntry};
use jiujinan_domain::jurisdiction::Jurisdiction;

use crate::StoreError;
use crate::backend::SqlStore;
use crate::db::Sql;
use crate::query::in_scope;
use crate::rows::{self, AUDIT_COLUMNS};

/// The audit chain: entries on their own and reading the chain back.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends an entry on its own (e.g. a failed login that changes nothing else).
    async fn append_audit(&self, audit: AuditDraft, now_ms: i64) -> Result<AuditEntry, StoreError>;
    /// Newest entries first within `scope`, older than `before_seq`.
    async fn audit_page(
        &self,
        scope: &Jurisdiction,
        before_seq: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError>;
    /// Entries with `seq > after_seq` in order, for verification (not scoped: CLI and auditors).
    async fn audit_after(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditEntry>, StoreError>;
    /// Whether any entry carries a MAC (the chain was keyed at some point).
    async fn audit_has_macs(&self) -> Result<bool, StoreError>;
    /// The recorded head of the chain; `None` when its row or its table is gone (dropped by
    /// someone with a database shell: the verifier reports it as a break, not a failure).
    async fn audit_head(&self) -> Result<Option<(i64, String)>, StoreError>;
    /// The time of the newest audit entry, if there is one.
    async fn audit_newest_ms(&self) -> Result<Option<i64>, StoreError>;
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn append_audit(&self, audit: AuditDraft, now_ms: i64) -> Result<AuditEntry, StoreError> {
        self.append_standalone(audit, now_ms).await
    }

    async fn audit_page(
        &self,
        scope: &Jurisdiction,
        before_seq: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = Sql::new(format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE {} AND seq < $2 ORDER BY seq DESC LIMIT $3",
            in_scope("division", scope)
        ))
        .bind(scope.division.as_str())
        .bind(before_seq.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.iter().map(rows::audit).collect::<Result<_, _>>()?)
    }

    async fn audit_after(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = Sql::new(format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"))
            .bind(after_seq)
            .bind(limit)
            .fetch_all(self.reader())
            .await?;
        Ok(rows.iter().map(rows::audit).collect::<Result<_, _>>()?)
    }

    async fn audit_has_macs(&self) -> Result<bool, StoreError> {
        let row =
            Sql::new("SELECT 1 AS one FROM audit_log WHERE mac <> '' LIMIT 1").fetch_optional(self.reader()).await?;
        Ok(row.is_some())
    }

    async fn audit_head(&self) -> Result<Option<(i64, String)>, StoreError> {
        let row = match Sql::new("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_optional(self.reader()).await {
            Ok(row) => row,
            Err(sqlx::Error::Database(e)) if is_missing_table(e.as_ref()) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        row.map(|r| Ok((r.try_get("seq")?, r.try_get("hash")?))).transpose()
    }

    async fn audit_newest_ms(&self) -> Result<Option<i64>, StoreError> {
        let row =
            Sql::new("SELECT at_ms FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(self.reader()).await?;
        Ok(row.map(|r| r.try_get("at_ms")).transpose()?)
    }
}

/// PostgreSQL's `undefined_table`, or SQLite's "no such table".
fn is_missing_table(e: &dyn sqlx::error::DatabaseError) -> bool {
    e.code().as_deref() == Some("42P01") || e.message().starts_with("no such table")
}
