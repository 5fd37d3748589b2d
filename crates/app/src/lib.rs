//! Use cases of jiujinan.
//!
//! Each use case takes the store, the clock and the acting user, checks permissions and
//! rules, and asks the store to make the change together with its audit record in one
//! transaction. Nothing here knows about HTTP or SQL.
// A bad index is an error, not a panic: `.get()` or an iterator, never `v[i]`.
#![deny(clippy::indexing_slicing)]

mod access;
pub mod aid;
pub mod audit;
pub mod auth;
pub mod cache;
pub mod calendar;
pub mod cases;
pub mod clock;
pub mod deadlines;
pub mod demo;
pub mod dispositions;
pub mod error;
pub mod i18n;
pub mod ids;
pub mod leads;
pub mod meetings;
pub mod model;
pub mod org;
pub mod pii;
pub mod rules;
#[cfg(feature = "bench")]
pub mod seed;
#[cfg(feature = "bench")]
mod seed_file;
pub mod submissions;
pub mod supervision;
pub mod tokens;
pub mod users;
pub mod work;
pub mod xlsx;

use std::sync::Arc;

pub use error::AppError;
pub use jiujinan_domain as domain;
use jiujinan_store::{Store, ThrottlePolicy};

use crate::clock::Clock;

/// Settings the use cases need (the CLI builds them from the configuration).
#[derive(Debug, Clone)]
pub struct AppSettings {
    /// How long a browser session lives, in milliseconds.
    pub session_ttl_ms: i64,
    /// When repeated login failures lock a name or a client address (ADR 0020).
    pub lockout: ThrottlePolicy,
    /// An open lead about the same person within this many days is flagged as a duplicate.
    pub duplicate_window_days: i64,
    /// The audit chain's key (kept outside the database), to verify entries' MACs and to sign
    /// checkpoints; the store is opened with the same key to seal entries.
    pub audit_key: Option<jiujinan_domain::audit_key::AuditKey>,
}

impl Default for AppSettings {
    fn default() -> Self {
        Self {
            session_ttl_ms: 12 * 3600 * 1000,
            lockout: ThrottlePolicy::default(),
            duplicate_window_days: 30,
            audit_key: None,
        }
    }
}

/// The application: store, clock and settings, shared by the web layer and the CLI.
#[derive(Clone)]
pub struct App {
    /// Private: the layers above reach data only through use cases (see `model` for the
    /// records they return).
    store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub settings: AppSettings,
    caches: Arc<cache::Caches>,
}

impl App {
    /// Builds the application around a connected store.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, settings: AppSettings) -> Self {
        Self { store, clock, settings, caches: Arc::new(cache::Caches::default()) }
    }

    /// A unit by code, from the cache when possible.
    pub(crate) async fn cached_unit(
        &self,
        code: &jiujinan_domain::org::UnitCode,
    ) -> Result<Option<jiujinan_store::Unit>, AppError> {
        if let Some(u) = self.caches.unit(code.as_str()) {
            return Ok(Some(u));
        }
        let unit = self.store.unit(code).await?;
        if let Some(u) = &unit {
            self.caches.put_unit(u);
        }
        Ok(unit)
    }

    /// The time limit in force now for a step and urgency, from the cache when fresh.
    pub(crate) async fn time_limit(&self, step: &str, urgency: &str) -> Result<jiujinan_store::TimeLimit, AppError> {
        let now = self.now_ms();
        if let Some(l) = self.caches.limit(step, urgency, now) {
            return Ok(l);
        }
        let limit = self
            .store
            .time_limit(step, urgency, now)
            .await?
            .ok_or_else(|| AppError::Internal(format!("no time limit for {step}/{urgency}")))?;
        self.caches.put_limit(step, urgency, limit, now);
        Ok(limit)
    }

    /// Checks the database answers (for `/readyz` and `/healthz`).
    pub async fn ping(&self) -> Result<(), AppError> {
        Ok(self.store.ping().await?)
    }

    /// A consistent copy of an SQLite database in the new file `path`, taken while the server
    /// goes on writing (`jiujinan backup`; PostgreSQL is dumped with `pg_dump` instead).
    pub async fn backup_to_file(&self, path: &std::path::Path) -> Result<(), AppError> {
        Ok(self.store.backup_to_file(path).await?)
    }

    /// The durability settings of every database connection (see
    /// `jiujinan_store::DurabilitySetting`).
    pub async fn durability(&self) -> Result<Vec<jiujinan_store::DurabilitySetting>, AppError> {
        Ok(self.store.durability().await?)
    }

    /// Refreshes the planner's statistics after a bulk change (see
    /// `jiujinan_store::Store::refresh_statistics`).
    pub async fn refresh_statistics(&self) -> Result<(), AppError> {
        Ok(self.store.refresh_statistics().await?)
    }

    /// Closes the database connections (graceful shutdown).
    pub async fn close(&self) {
        self.store.close().await;
    }

    /// The store, for tests that inspect rows directly (never compiled into the server).
    #[cfg(feature = "testing")]
    pub fn test_store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Current time in milliseconds since the epoch, from the injected clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}
