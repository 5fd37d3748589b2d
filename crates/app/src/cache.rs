//! In-process caches of data every request reads and that rarely changes: units and time-limit
//! rules. They spare the database (and, on SQLite, a thread hand-off per query) on the intake
//! hot path.
//!
//! Units are cached until the next organisation import in this process. Time limits live for
//! `RULE_TTL_MS`. Bearer tokens and sessions are never cached: a revoked token or a disabled
//! user is refused on the next request by every process (ADR 0019).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use jiujinan_store::{TimeLimit, Unit};

use crate::calendar::WorkCalendar;

/// How long a time-limit rule is reused before it is read again.
pub const RULE_TTL_MS: i64 = 60_000;

/// The caches (one per `App`, shared by its clones).
#[derive(Default)]
pub struct Caches {
    units: RwLock<HashMap<String, Unit>>,
    limits: RwLock<HashMap<(String, String), (TimeLimit, i64)>>,
    calendar: RwLock<Option<(Arc<WorkCalendar>, i64)>>,
}

impl Caches {
    /// The working-day calendar, when read less than `RULE_TTL_MS` ago.
    pub(crate) fn calendar(&self, now_ms: i64) -> Option<Arc<WorkCalendar>> {
        let g = self.calendar.read().ok()?;
        g.as_ref().filter(|(_, at)| now_ms - at < RULE_TTL_MS && now_ms >= *at).map(|(c, _)| c.clone())
    }

    pub(crate) fn put_calendar(&self, cal: Arc<WorkCalendar>, now_ms: i64) {
        if let Ok(mut g) = self.calendar.write() {
            *g = Some((cal, now_ms));
        }
    }

    /// Forgets the calendar (after an edit in this process).
    pub(crate) fn clear_calendar(&self) {
        if let Ok(mut g) = self.calendar.write() {
            *g = None;
        }
    }

    pub(crate) fn unit(&self, code: &str) -> Option<Unit> {
        self.units.read().ok()?.get(code).cloned()
    }

    pub(crate) fn put_unit(&self, unit: &Unit) {
        if let Ok(mut m) = self.units.write() {
            m.insert(unit.code.clone(), unit.clone());
        }
    }

    pub(crate) fn clear_units(&self) {
        if let Ok(mut m) = self.units.write() {
            m.clear();
        }
    }

    pub(crate) fn limit(&self, step: &str, urgency: &str, now: i64) -> Option<TimeLimit> {
        let m = self.limits.read().ok()?;
        m.get(&(step.to_owned(), urgency.to_owned())).filter(|(_, at)| now - at < RULE_TTL_MS).map(|(l, _)| *l)
    }

    pub(crate) fn put_limit(&self, step: &str, urgency: &str, limit: TimeLimit, now: i64) {
        if let Ok(mut m) = self.limits.write() {
            m.insert((step.to_owned(), urgency.to_owned()), (limit, now));
        }
    }
}
