//! The storage traits of jiujinan and their one implementation on SQLite and PostgreSQL.
//!
//! The web and app layers hold an `Arc<dyn Store>` chosen by the database URL's scheme, so
//! they compile once. `Store` is the sum of one trait per aggregate (org, users, submissions,
//! audit, leads, cases, dispositions, deadlines, meetings, rules, aid, funds); callers write
//! `use jiujinan_store::prelude::*;`. Every method that changes data takes the audit draft
//! and writes it in the same transaction. Methods that list personal data take a
//! `Jurisdiction`, so a query cannot forget the scope. The conformance suite in `tests/` runs
//! on both backends. See docs/adr/0014-store-without-macros.md for the layout.
#![deny(clippy::indexing_slicing)]

mod aid;
mod aid_records;
mod audit;
mod backend;
mod case_records;
mod cases;
mod db;
mod deadlines;
mod disposition_records;
mod dispositions;
mod durability;
mod error;
mod funds;
mod intake;
mod lead_records;
mod leads;
mod marks;
mod meetings;
mod migrations;
mod org;
mod pii;
mod pii_reseal;
mod postgres;
mod postgres_hot_writer;
mod postgres_tls;
mod query;
mod records;
mod rows;
mod rules;
#[cfg(feature = "bench")]
mod seed;
mod sqlite;
mod sqlite_intake;
mod sqlite_sync_writer;
mod sqlite_writer;
mod submissions;
mod supervision;
#[cfg(feature = "testing")]
pub mod testing;
mod users;

use std::sync::Arc;

use async_trait::async_trait;

pub use aid::AidStore;
pub use aid_records::*;
pub use audit::AuditStore;
pub use backend::SqlStore;
pub use case_records::*;
pub use cases::CaseStore;
pub use deadlines::DeadlineStore;
pub use disposition_records::*;
pub use dispositions::DispositionStore;
pub use durability::{DurabilitySetting, unsafe_settings};
pub use error::{Conflict, StoreError};
pub use funds::FundStore;
pub use lead_records::*;
pub use leads::LeadStore;
pub use marks::{BENCH_MARK, DEMO_MARK, MarkStore};
pub use meetings::MeetingStore;
pub use migrations::{Migration, postgres_migrations, sqlite_migrations};
pub use org::{OrgStore, UnitSearch};
pub use pii_reseal::{PiiStatus, PiiStore, ResealReport};
pub use records::*;
pub use rules::RuleStore;
#[cfg(feature = "bench")]
pub use seed::{SeedBatch, SeedLead, SeedStep, SeedStore};
pub use submissions::SubmissionStore;
pub use supervision::SupervisionStore;
pub use users::UserStore;

/// Every store trait, for `use jiujinan_store::prelude::*;` (a trait's methods are callable
/// only where it is in scope).
pub mod prelude {
    #[cfg(feature = "bench")]
    pub use crate::SeedStore;
    pub use crate::{
        AidStore, AuditStore, CaseStore, DeadlineStore, DispositionStore, FundStore, LeadStore, MeetingStore, OrgStore,
        PiiStore, RuleStore, Store, SubmissionStore, SupervisionStore, UserStore,
    };
}

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Benchmark seeding is part of `Store` only when built with the `bench` feature.
#[cfg(feature = "bench")]
pub trait Seeding: SeedStore {}
#[cfg(feature = "bench")]
impl<T: SeedStore + ?Sized> Seeding for T {}
/// Benchmark seeding is part of `Store` only when built with the `bench` feature.
#[cfg(not(feature = "bench"))]
pub trait Seeding {}
#[cfg(not(feature = "bench"))]
impl<T: ?Sized> Seeding for T {}

/// The one storage interface: every aggregate's trait, plus running the database itself.
#[async_trait]
pub trait Store:
    OrgStore
    + MarkStore
    + UserStore
    + SubmissionStore
    + AuditStore
    + LeadStore
    + CaseStore
    + DispositionStore
    + DeadlineStore
    + SupervisionStore
    + MeetingStore
    + RuleStore
    + AidStore
    + FundStore
    + PiiStore
    + Seeding
    + Send
    + Sync
{
    /// Which backend this is.
    fn backend(&self) -> Backend;
    /// Applies pending migrations; returns the versions applied now.
    async fn migrate(&self) -> Result<Vec<i64>, StoreError>;
    /// Checks the database answers (for `/readyz`).
    async fn ping(&self) -> Result<(), StoreError>;
    /// Closes the connections (graceful shutdown).
    async fn close(&self);
    /// The durability settings of every connection the store holds open (SQLite: each writer
    /// and reader; PostgreSQL: the server's), read back from the database.
    async fn durability(&self) -> Result<Vec<DurabilitySetting>, StoreError>;
    /// Brings the planner's statistics up to date after a bulk change (an import, a restore, a
    /// benchmark seed), so that no plan is chosen from counts of a different table (issue 18:
    /// intake fell to 37 leads/s on statistics taken before the seed's open leads existed).
    /// PostgreSQL: `ANALYZE`. SQLite plans from the schema alone (no `sqlite_stat1` is ever
    /// gathered), so there is nothing to refresh.
    async fn refresh_statistics(&self) -> Result<(), StoreError>;
    /// Writes a consistent copy of the whole database to the new file `path` while writers go
    /// on (SQLite: `VACUUM INTO` inside one read transaction, so a busy server never makes it
    /// start over). PostgreSQL backups are made with `pg_dump`: `Unavailable` here.
    async fn backup_to_file(&self, path: &std::path::Path) -> Result<(), StoreError>;

    /// Runs raw SQL as someone with a database shell would (tests of the triggers only).
    #[cfg(feature = "testing")]
    async fn raw_execute_for_tests(&self, sql: &'static str) -> Result<(), StoreError>;
    /// How many rows the PostgreSQL planner believes each table holds (`pg_class.reltuples`,
    /// -1 before the first statistics); empty on SQLite.
    #[cfg(feature = "testing")]
    async fn planner_row_counts_for_tests(&self) -> Result<Vec<(String, i64)>, StoreError>;
}

/// The keys kept outside the database that a store works with.
#[derive(Debug, Clone, Default)]
pub struct Keys {
    /// Seals every audit entry with a MAC (docs/adr/0004-audit-chain.md); none: no MAC.
    pub audit: Option<jiujinan_domain::audit_key::AuditKey>,
    /// Seals personal data (docs/adr/0023-pii-at-rest.md). None: the store can migrate, verify
    /// the audit chain and back up, but refuses to write or read any personal data.
    pub pii: Option<jiujinan_domain::pii::PiiKeyring>,
}

/// Opens a test database with the test keys ([`testing::pii_keys`]), as every store of the
/// test suites on one database must share them.
#[cfg(feature = "testing")]
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    connect_with(url, Keys { audit: None, pii: Some(testing::pii_keys()) }).await
}

/// Opens the store for a URL: `sqlite://PATH` (created if missing) or `postgres://…`, with the
/// keys kept outside the database.
pub async fn connect_with(url: &str, keys: Keys) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(SqlStore::connect_postgres(url, keys).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(SqlStore::connect_sqlite(url, keys).await?))
    } else {
        Err(StoreError::Unavailable(format!(
            "unsupported database URL scheme (use sqlite://PATH or postgres://…): {}",
            redact_url(url)
        )))
    }
}

/// The URL with any password replaced by `***`, for logs and `config show`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let Some((auth, host)) = rest.rsplit_once('@') else { return url.to_owned() };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords_only() {
        assert_eq!(super::redact_url("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(super::redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}
