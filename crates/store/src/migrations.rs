//! Schema migrations, one list per backend with the same version numbers.
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

/// The SQLite migrations, oldest first.
pub fn sqlite_migrations() -> &'static [Migration] {
    &[
        Migration { version: 1, name: "foundation", sql: include_str!("../migrations/sqlite/0001_foundation.sql") },
        Migration { version: 2, name: "leads", sql: include_str!("../migrations/sqlite/0002_leads.sql") },
        Migration { version: 3, name: "cases", sql: include_str!("../migrations/sqlite/0003_cases.sql") },
        Migration {
            version: 4,
            name: "audit_head_trigger",
            sql: include_str!("../migrations/sqlite/0004_audit_head_trigger.sql"),
        },
        Migration {
            version: 5,
            name: "queue_indexes",
            sql: include_str!("../migrations/sqlite/0005_queue_indexes.sql"),
        },
        Migration { version: 6, name: "dispositions", sql: include_str!("../migrations/sqlite/0006_dispositions.sql") },
        Migration { version: 7, name: "aid_funds", sql: include_str!("../migrations/sqlite/0007_aid_funds.sql") },
        Migration {
            version: 8,
            name: "duplicate_indexes",
            sql: include_str!("../migrations/sqlite/0008_duplicate_indexes.sql"),
        },
        Migration {
            version: 9,
            name: "form_submissions",
            sql: include_str!("../migrations/sqlite/0009_form_submissions.sql"),
        },
        Migration {
            version: 10,
            name: "audit_head_forward_only",
            sql: include_str!("../migrations/sqlite/0010_audit_head_forward_only.sql"),
        },
    ]
}

/// The PostgreSQL migrations, oldest first.
pub fn postgres_migrations() -> &'static [Migration] {
    &[
        Migration { version: 1, name: "foundation", sql: include_str!("../migrations/postgres/0001_foundation.sql") },
        Migration { version: 2, name: "leads", sql: include_str!("../migrations/postgres/0002_leads.sql") },
        Migration { version: 3, name: "cases", sql: include_str!("../migrations/postgres/0003_cases.sql") },
        Migration {
            version: 4,
            name: "audit_head_trigger",
            sql: include_str!("../migrations/postgres/0004_audit_head_trigger.sql"),
        },
        Migration {
            version: 5,
            name: "queue_indexes",
            sql: include_str!("../migrations/postgres/0005_queue_indexes.sql"),
        },
        Migration {
            version: 6,
            name: "dispositions",
            sql: include_str!("../migrations/postgres/0006_dispositions.sql"),
        },
        Migration { version: 7, name: "aid_funds", sql: include_str!("../migrations/postgres/0007_aid_funds.sql") },
        Migration {
            version: 8,
            name: "duplicate_indexes",
            sql: include_str!("../migrations/postgres/0008_duplicate_indexes.sql"),
        },
        Migration {
            version: 9,
            name: "form_submissions",
            sql: include_str!("../migrations/postgres/0009_form_submissions.sql"),
        },
        Migration {
            version: 10,
            name: "audit_head_forward_only",
            sql: include_str!("../migrations/postgres/0010_audit_head_forward_only.sql"),
        },
    ]
}

/// Creates the bookkeeping table (same statement on both backends).
pub(crate) const CREATE_SCHEMA_MIGRATIONS: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_ms BIGINT NOT NULL)";
