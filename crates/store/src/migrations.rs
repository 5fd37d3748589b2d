//! Schema migrations: one table of versions, names and SQL files, each migration written once.
//!
//! A small runner of our own (a `schema_migrations` table, one transaction per migration)
//! keeps sqlx's macro and offline machinery out of the build. A migration whose SQL is the
//! same on both databases lives in `migrations/common/`; only one whose SQL must differ has a
//! file per dialect in `migrations/sqlite/` and `migrations/postgres/` (ADR 0002).
//! `tests/it/migrations.rs` checks the versions and the unchanged text of applied migrations.

/// One migration: its version, a name shared by both backends, and the SQL.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// 1, 2, 3, … without gaps: the key in `schema_migrations`.
    pub version: i64,
    /// The same on both backends, so the two bookkeeping tables read alike.
    pub name: &'static str,
    /// The statements this backend executes, in one transaction.
    pub sql: &'static str,
}

/// Where a migration's SQL comes from: one shared text, or one per dialect where they differ.
#[derive(Debug, Clone, Copy)]
enum Sql {
    /// The same statements run on SQLite and PostgreSQL (`migrations/common/`).
    Common(&'static str),
    /// Statements that must differ (index opclasses, trigger syntax, identity columns).
    Dialect { sqlite: &'static str, postgres: &'static str },
}

/// One row of the declaration table.
#[derive(Debug, Clone, Copy)]
struct Entry {
    version: i64,
    name: &'static str,
    sql: Sql,
}

/// Every migration, oldest first. Add a `Common` file unless the SQL must differ.
const MIGRATIONS: [Entry; 21] = [
    Entry {
        version: 1,
        name: "foundation",
        sql: Sql::Dialect {
            sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
            postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
        },
    },
    Entry {
        version: 2,
        name: "leads",
        sql: Sql::Dialect {
            sqlite: include_str!("../migrations/sqlite/0002_leads.sql"),
            postgres: include_str!("../migrations/postgres/0002_leads.sql"),
        },
    },
    Entry {
        version: 3,
        name: "cases",
        sql: Sql::Dialect {
            sqlite: include_str!("../migrations/sqlite/0003_cases.sql"),
            postgres: include_str!("../migrations/postgres/0003_cases.sql"),
        },
    },
    Entry {
        version: 4,
        name: "audit_head_trigger",
        sql: Sql::Dialect {
            sqlite: include_str!("../migrations/sqlite/0004_audit_head_trigger.sql"),
            postgres: include_str!("../migrations/postgres/0004_audit_head_trigger.sql"),
        },
    },
    Entry {
        version: 5,
        name: "queue_indexes",
        sql: Sql::Common(include_str!("../migrations/common/0005_queue_indexes.sql")),
    },
    Entry {
        version: 6,
        name: "dispositions",
        sql: Sql::Common(include_str!("../migrations/common/0006_dispositions.sql")),
    },
    Entry {
        version: 7,
        name: "aid_funds",
        sql: Sql::Dialect {
            sqlite: include_str!("../migrations/sqlite/0007_aid_funds.sql"),
            postgres: include_str!("../migrations/postgres/0007_aid_funds.sql"),
        },
    },
    Entry {
        version: 8,
        name: "duplicate_indexes",
        sql: Sql::Common(include_str!("../migrations/common/0008_duplicate_indexes.sql")),
    },
    Entry {
        version: 9,
        name: "form_submissions",
        sql: Sql::Common(include_str!("../migrations/common/0009_form_submissions.sql")),
    },
    Entry {
        version: 10,
        name: "audit_head_forward_only",
        sql: Sql::Dialect {
            sqlite: include_str!("../migrations/sqlite/0010_audit_head_forward_only.sql"),
            postgres: include_str!("../migrations/postgres/0010_audit_head_forward_only.sql"),
        },
    },
    Entry {
        version: 11,
        name: "money_limits",
        sql: Sql::Dialect {
            sqlite: include_str!("../migrations/sqlite/0011_money_limits.sql"),
            postgres: include_str!("../migrations/postgres/0011_money_limits.sql"),
        },
    },
    Entry {
        version: 12,
        name: "duty_rules",
        sql: Sql::Common(include_str!("../migrations/common/0012_duty_rules.sql")),
    },
    Entry { version: 13, name: "audit_mac", sql: Sql::Common(include_str!("../migrations/common/0013_audit_mac.sql")) },
    Entry {
        version: 14,
        name: "login_throttle_addresses",
        sql: Sql::Common(include_str!("../migrations/common/0014_login_throttle_addresses.sql")),
    },
    Entry {
        version: 15,
        name: "pii_at_rest",
        sql: Sql::Common(include_str!("../migrations/common/0015_pii_at_rest.sql")),
    },
    Entry {
        version: 16,
        name: "login_throttle_address_age",
        sql: Sql::Common(include_str!("../migrations/common/0016_login_throttle_address_age.sql")),
    },
    Entry {
        version: 17,
        name: "supervision_of_every_step",
        sql: Sql::Common(include_str!("../migrations/common/0017_supervision_of_every_step.sql")),
    },
    Entry {
        version: 18,
        name: "aid_steps_on_clocks",
        sql: Sql::Common(include_str!("../migrations/common/0018_aid_steps_on_clocks.sql")),
    },
    Entry {
        version: 19,
        name: "home_work_indexes",
        sql: Sql::Common(include_str!("../migrations/common/0019_home_work_indexes.sql")),
    },
    Entry {
        version: 20,
        name: "instance_marks",
        sql: Sql::Common(include_str!("../migrations/common/0020_instance_marks.sql")),
    },
    Entry {
        version: 21,
        name: "aid_placeholders",
        sql: Sql::Common(include_str!("../migrations/common/0021_aid_placeholders.sql")),
    },
];

/// The two databases a migration can be written for.
#[derive(Clone, Copy)]
enum Dialect {
    Sqlite,
    Postgres,
}

/// One backend's list, picked from the declaration table at compile time.
const fn for_dialect<const N: usize>(table: &[Entry; N], dialect: Dialect) -> [Migration; N] {
    let mut out = [Migration { version: 0, name: "", sql: "" }; N];
    let (mut rest, mut slots): (&[Entry], &mut [Migration]) = (table, &mut out);
    while let ([e, tail @ ..], [slot, free @ ..]) = (rest, slots) {
        let sql = match (e.sql, dialect) {
            (Sql::Common(sql), _) => sql,
            (Sql::Dialect { sqlite, .. }, Dialect::Sqlite) => sqlite,
            (Sql::Dialect { postgres, .. }, Dialect::Postgres) => postgres,
        };
        *slot = Migration { version: e.version, name: e.name, sql };
        (rest, slots) = (tail, free);
    }
    out
}

/// The SQLite list, built once from `MIGRATIONS`.
static SQLITE: [Migration; MIGRATIONS.len()] = for_dialect(&MIGRATIONS, Dialect::Sqlite);
/// The PostgreSQL list, built once from `MIGRATIONS`.
static POSTGRES: [Migration; MIGRATIONS.len()] = for_dialect(&MIGRATIONS, Dialect::Postgres);

/// The SQLite migrations, oldest first.
pub fn sqlite_migrations() -> &'static [Migration] {
    &SQLITE
}

/// The PostgreSQL migrations, oldest first.
pub fn postgres_migrations() -> &'static [Migration] {
    &POSTGRES
}

/// Creates the bookkeeping table (same statement on both backends).
pub(crate) const CREATE_SCHEMA_MIGRATIONS: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_ms BIGINT NOT NULL)";
