//! Schema migrations: one table of versions, names and files, with an SQL file per backend.
//!
//! A small runner of our own (a `schema_migrations` table, one transaction per migration)
//! keeps sqlx's macro and offline machinery out of the build. `tests/migrations.rs` checks
//! that both lists stay in step.

/// One migration: its version, a name shared by both backends, and the SQL.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Declares the two lists from one table of (version, name, file): each backend has its own
/// folder of SQL files with the same names, so the versions cannot drift apart.
macro_rules! migrations {
    ($(($version:literal, $name:literal, $file:literal)),* $(,)?) => {
        /// The SQLite migrations, oldest first.
        pub fn sqlite_migrations() -> &'static [Migration] {
            &[$(Migration { version: $version, name: $name, sql: include_str!(concat!("../migrations/sqlite/", $file)) }),*]
        }

        /// The PostgreSQL migrations, oldest first.
        pub fn postgres_migrations() -> &'static [Migration] {
            &[$(Migration { version: $version, name: $name, sql: include_str!(concat!("../migrations/postgres/", $file)) }),*]
        }
    };
}

migrations!(
    (1, "foundation", "0001_foundation.sql"),
    (2, "leads", "0002_leads.sql"),
    (3, "cases", "0003_cases.sql"),
    (4, "audit_head_trigger", "0004_audit_head_trigger.sql"),
    (5, "queue_indexes", "0005_queue_indexes.sql"),
    (6, "dispositions", "0006_dispositions.sql"),
    (7, "aid_funds", "0007_aid_funds.sql"),
    (8, "duplicate_indexes", "0008_duplicate_indexes.sql"),
    (9, "form_submissions", "0009_form_submissions.sql"),
    (10, "audit_head_forward_only", "0010_audit_head_forward_only.sql"),
);

/// Creates the bookkeeping table (same statement on both backends).
pub(crate) const CREATE_SCHEMA_MIGRATIONS: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_ms BIGINT NOT NULL)";
