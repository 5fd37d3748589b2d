//! The thin backend layer every store module is written against, compiled once.
//!
//! Both databases accept the same statements (`$1` placeholders, `ON CONFLICT`, multi-row
//! `VALUES`), so a statement is a plain value, [`Sql`]: its text and its arguments. Running it
//! matches once on where it runs ([`On`]: a write transaction or the readers of either
//! backend) and hands it to sqlx for that backend. Rows come back as [`DbRow`], read by column
//! name. The store modules therefore hold ordinary functions, not one copy per backend, and
//! only what truly differs lives in `sqlite*.rs` and `postgres*.rs`. See
//! docs/adr/0014-store-without-macros.md.

use std::borrow::Cow;

use jiujinan_domain::ValidationError;
use jiujinan_domain::audit::{self, AuditDraft, AuditEntry};
use sqlx::postgres::{PgConnection, PgPool, PgRow};
use sqlx::sqlite::{SqliteConnection, SqlitePool, SqliteRow};
use sqlx::{AssertSqlSafe, Decode, Postgres, Row as _, Sqlite, Type};

use crate::StoreError;
use crate::intake::{INSERT_AUDIT, INSERT_TIMELINE};

/// A value bound to a statement. Owned, so a statement can be built in one place and run in
/// another; the copy is negligible next to the round trip.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
    Bool(bool),
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Self::Text(v.to_owned())
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Self::Text(v.clone())
    }
}
impl From<&&str> for Arg {
    fn from(v: &&str) -> Self {
        Self::Text((*v).to_owned())
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Self::OptText(v)
    }
}
impl From<&Option<String>> for Arg {
    fn from(v: &Option<String>) -> Self {
        Self::OptText(v.clone())
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        Self::OptText(v.map(str::to_owned))
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}
impl From<&i64> for Arg {
    fn from(v: &i64) -> Self {
        Self::Int(*v)
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Self::OptInt(v)
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Self::Bool(v)
    }
}

/// One statement with its arguments, ready to run on either backend.
#[derive(Debug, Clone)]
pub(crate) struct Sql {
    text: Cow<'static, str>,
    args: Vec<Arg>,
}

/// What a statement that returns no rows reports.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Done(u64);

impl Done {
    /// Rows inserted, updated or deleted.
    pub(crate) fn rows_affected(self) -> u64 {
        self.0
    }
}

/// Where a statement runs: inside a write transaction or on the readers.
pub(crate) enum On<'c> {
    Lite(&'c mut SqliteConnection),
    Pg(&'c mut PgConnection),
    LiteReaders(&'c SqlitePool),
    PgReaders(&'c PgPool),
}

impl<'c> From<&'c mut WriteTx> for On<'c> {
    fn from(tx: &'c mut WriteTx) -> Self {
        match tx {
            WriteTx::Lite(t, _) => On::Lite(t),
            WriteTx::Pg(t, _) => On::Pg(t),
        }
    }
}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Text(v) => q.bind(v),
                Arg::OptText(v) => q.bind(v),
                Arg::Int(v) => q.bind(v),
                Arg::OptInt(v) => q.bind(v),
                Arg::Bool(v) => q.bind(v),
            };
        }
        q
    }};
}

impl Sql {
    /// A statement whose text is fixed or built from fixed parts (never from user input:
    /// user input is always an argument).
    pub(crate) fn new(text: impl Into<Cow<'static, str>>) -> Self {
        Self { text: text.into(), args: Vec::new() }
    }

    /// A statement with arguments gathered beforehand (queries built at run time).
    pub(crate) fn with_args(text: impl Into<Cow<'static, str>>, args: Vec<Arg>) -> Self {
        Self { text: text.into(), args }
    }

    /// Binds the next `$n`.
    pub(crate) fn bind(mut self, v: impl Into<Arg>) -> Self {
        self.args.push(v.into());
        self
    }

    /// Runs a statement that returns no rows.
    pub(crate) async fn execute<'c>(self, on: impl Into<On<'c>>) -> Result<Done, sqlx::Error> {
        self.run_execute(on.into()).await
    }

    /// Every row.
    pub(crate) async fn fetch_all<'c>(self, on: impl Into<On<'c>>) -> Result<Vec<DbRow>, sqlx::Error> {
        self.run_fetch_all(on.into()).await
    }

    /// The first row, if any.
    pub(crate) async fn fetch_optional<'c>(self, on: impl Into<On<'c>>) -> Result<Option<DbRow>, sqlx::Error> {
        self.run_fetch_optional(on.into()).await
    }

    /// Exactly one row (`RowNotFound` otherwise).
    pub(crate) async fn fetch_one<'c>(self, on: impl Into<On<'c>>) -> Result<DbRow, sqlx::Error> {
        self.run_fetch_optional(on.into()).await?.ok_or(sqlx::Error::RowNotFound)
    }

    async fn run_execute(self, on: On<'_>) -> Result<Done, sqlx::Error> {
        let Sql { text, args } = self;
        let text = AssertSqlSafe(text);
        Ok(Done(match on {
            On::Lite(c) => bind_all!(sqlx::query::<Sqlite>(text), args).execute(c).await?.rows_affected(),
            On::LiteReaders(p) => bind_all!(sqlx::query::<Sqlite>(text), args).execute(p).await?.rows_affected(),
            On::Pg(c) => bind_all!(sqlx::query::<Postgres>(text), args).execute(c).await?.rows_affected(),
            On::PgReaders(p) => bind_all!(sqlx::query::<Postgres>(text), args).execute(p).await?.rows_affected(),
        }))
    }

    async fn run_fetch_all(self, on: On<'_>) -> Result<Vec<DbRow>, sqlx::Error> {
        let Sql { text, args } = self;
        let text = AssertSqlSafe(text);
        Ok(match on {
            On::Lite(c) => lite(bind_all!(sqlx::query::<Sqlite>(text), args).fetch_all(c).await?),
            On::LiteReaders(p) => lite(bind_all!(sqlx::query::<Sqlite>(text), args).fetch_all(p).await?),
            On::Pg(c) => pg(bind_all!(sqlx::query::<Postgres>(text), args).fetch_all(c).await?),
            On::PgReaders(p) => pg(bind_all!(sqlx::query::<Postgres>(text), args).fetch_all(p).await?),
        })
    }

    async fn run_fetch_optional(self, on: On<'_>) -> Result<Option<DbRow>, sqlx::Error> {
        let Sql { text, args } = self;
        let text = AssertSqlSafe(text);
        Ok(match on {
            On::Lite(c) => bind_all!(sqlx::query::<Sqlite>(text), args).fetch_optional(c).await?.map(DbRow::Lite),
            On::LiteReaders(p) => {
                bind_all!(sqlx::query::<Sqlite>(text), args).fetch_optional(p).await?.map(DbRow::Lite)
            }
            On::Pg(c) => bind_all!(sqlx::query::<Postgres>(text), args).fetch_optional(c).await?.map(DbRow::Pg),
            On::PgReaders(p) => bind_all!(sqlx::query::<Postgres>(text), args).fetch_optional(p).await?.map(DbRow::Pg),
        })
    }
}

fn lite(rows: Vec<SqliteRow>) -> Vec<DbRow> {
    rows.into_iter().map(DbRow::Lite).collect()
}

fn pg(rows: Vec<PgRow>) -> Vec<DbRow> {
    rows.into_iter().map(DbRow::Pg).collect()
}

/// A column type both backends decode.
pub(crate) trait Column:
    for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}
impl<T> Column for T
where
    T: for<'r> Decode<'r, Sqlite> + Type<Sqlite>,
    T: for<'r> Decode<'r, Postgres> + Type<Postgres>,
{
}

/// A row of either backend.
pub(crate) enum DbRow {
    Lite(SqliteRow),
    Pg(PgRow),
}

impl DbRow {
    /// The value of a column by name.
    pub(crate) fn try_get<T: Column>(&self, column: &str) -> Result<T, sqlx::Error> {
        match self {
            Self::Lite(r) => r.try_get(column),
            Self::Pg(r) => r.try_get(column),
        }
    }

    /// The value of a text column holding a domain code (`status`, `route` …), parsed here so
    /// records carry the domain enum. A code the enum does not know is corrupt data, reported
    /// with the column and value (see [`BadCode`]), never replaced by a default.
    pub(crate) fn code<T>(
        &self,
        column: &str,
        parse: fn(&str) -> Result<T, ValidationError>,
    ) -> Result<T, sqlx::Error> {
        let value: String = self.try_get(column)?;
        parse(&value).map_err(|_| sqlx::Error::ColumnDecode {
            index: column.to_owned(),
            source: Box::new(BadCode { column: column.to_owned(), value }),
        })
    }
}

/// A stored code that its domain enum does not know: the database holds something today's
/// code never writes. Travels inside `sqlx::Error::ColumnDecode` and becomes
/// `StoreError::Corrupt` (see `error.rs`).
#[derive(Debug, thiserror::Error)]
#[error("column {column}: unknown code {value:?}")]
pub(crate) struct BadCode {
    pub(crate) column: String,
    pub(crate) value: String,
}

/// Builds a record from a row whose column names are the field names (a field list, no SQL).
/// Fields listed after `codes` hold domain codes and are parsed into their enum
/// ([`DbRow::code`]).
macro_rules! from_row {
    ($r:expr, $t:ident { $($f:ident),* $(,)? } $(codes { $($c:ident: $ct:ty),* $(,)? })?) => {
        $t { $($f: $r.try_get(stringify!($f))?,)* $($($c: $r.code(stringify!($c), <$ct>::parse)?,)*)? }
    };
}
pub(crate) use from_row;

/// A write transaction of either backend: a savepoint in SQLite's group commit
/// (`sqlite_writer.rs`) or a PostgreSQL transaction.
/// Each carries the store's audit key, to seal the entries it appends.
pub(crate) enum WriteTx {
    Lite(crate::sqlite_writer::WriteTx, crate::postgres::SharedKey),
    Pg(sqlx::Transaction<'static, Postgres>, crate::postgres::SharedKey),
}

impl WriteTx {
    /// Makes the work durable (on SQLite: waits until the batch holding it is committed).
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        match self {
            Self::Lite(t, _) => t.commit().await,
            Self::Pg(t, _) => Ok(t.commit().await?),
        }
    }

    /// The end of every audited change: appends the audit entry and commits.
    pub(crate) async fn finish(mut self, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError> {
        self.append_audit(audit, now_ms).await?;
        self.commit().await
    }

    /// Adds a step to the timeline of a lead or case (`subject` is its type and id, `at` the
    /// instant, user and unit): the visible half of most changes, next to the audit entry.
    pub(crate) async fn timeline(
        &mut self,
        id: String,
        subject: (&str, &str),
        at: (i64, &str, &str),
        step: &str,
        note: &str,
    ) -> Result<(), StoreError> {
        Sql::new(INSERT_TIMELINE)
            .bind(id)
            .bind(subject.0)
            .bind(subject.1)
            .bind(at.0)
            .bind(at.1)
            .bind(at.2)
            .bind(step)
            .bind(note)
            .execute(&mut *self)
            .await?;
        Ok(())
    }

    /// Appends an audit entry inside this transaction, extending the chain. PostgreSQL locks
    /// the head row until commit (several processes may write); SQLite's single writer
    /// already serialises appends.
    pub(crate) async fn append_audit(&mut self, draft: AuditDraft, now_ms: i64) -> Result<AuditEntry, StoreError> {
        let head_sql = match self {
            Self::Lite(..) => crate::intake::AUDIT_HEAD,
            Self::Pg(..) => crate::postgres::HEAD_FOR_UPDATE,
        };
        let key = match self {
            Self::Lite(_, k) | Self::Pg(_, k) => k.clone(),
        };
        let head = Sql::new(head_sql).fetch_one(&mut *self).await?;
        let prev_seq: i64 = head.try_get("seq")?;
        let prev_hash: String = head.try_get("hash")?;
        let e = audit::seal(draft, prev_seq + 1, now_ms, &prev_hash, key.as_deref());
        Sql::new(INSERT_AUDIT)
            .bind(e.seq)
            .bind(e.at_ms)
            .bind(&e.actor)
            .bind(&e.unit)
            .bind(&e.division)
            .bind(&e.action)
            .bind(&e.entity_type)
            .bind(&e.entity_id)
            .bind(&e.detail)
            .bind(&e.digest)
            .bind(&e.prev_hash)
            .bind(&e.hash)
            .bind(&e.mac)
            .execute(&mut *self)
            .await?;
        // The audit_log_head trigger moves the head along (migration 4).
        Ok(e)
    }

    /// Whether this is PostgreSQL (for the few statements only it needs, e.g. advisory locks).
    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self, Self::Pg(..))
    }

    /// Runs several statements as a database shell would (tests of the triggers only).
    #[cfg(feature = "testing")]
    pub(crate) async fn raw(&mut self, sql: &'static str) -> Result<(), StoreError> {
        match self {
            Self::Lite(t, _) => sqlx::raw_sql(sql).execute(&mut **t).await.map(|_| ())?,
            Self::Pg(t, _) => sqlx::raw_sql(sql).execute(&mut **t).await.map(|_| ())?,
        }
        Ok(())
    }
}
