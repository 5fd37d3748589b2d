//! An injectable clock, so tests can move time (session expiry, lockouts, deadlines).

use std::sync::atomic::{AtomicI64, Ordering};

/// Source of the current time in milliseconds since the Unix epoch.
pub trait Clock: Send + Sync {
    fn now_ms(&self) -> i64;

    /// Moves a settable clock to `ms`; `false` for the real clock, which cannot be moved.
    fn set_now(&self, _ms: i64) -> bool {
        false
    }
}

/// The real clock shifted by an offset that can be set at run time: a demo or browser test
/// can jump a week ahead to see deadlines fall due. Only `serve` with `test_clock` enabled
/// uses it.
#[derive(Debug, Default)]
pub struct OffsetClock(AtomicI64);

impl Clock for OffsetClock {
    fn now_ms(&self) -> i64 {
        SystemClock.now_ms() + self.0.load(Ordering::SeqCst)
    }

    fn set_now(&self, ms: i64) -> bool {
        self.0.store(ms - SystemClock.now_ms(), Ordering::SeqCst);
        true
    }
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
    }
}

/// A clock tests set and advance by hand.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    /// Starts at `ms`.
    pub fn new(ms: i64) -> Self {
        Self(AtomicI64::new(ms))
    }

    /// Moves time forward by `ms`.
    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }

    fn set_now(&self, ms: i64) -> bool {
        self.0.store(ms, Ordering::SeqCst);
        true
    }
}
