//! Rows as the store returns and accepts them.

use serde::Serialize;

/// A stored unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub level: String,
    pub division: String,
    pub parent: Option<String>,
}

/// A unit in the organisation tree, with how many units hang below it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitNode {
    pub unit: Unit,
    pub children: i64,
}

/// How many units of a level and kind exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitCount {
    pub level: String,
    pub kind: String,
    pub count: i64,
}

/// The outcome of an organisation import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
}

/// A user to create; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub unit_code: String,
    pub division: String,
    pub role: String,
    pub password_hash: String,
}

/// A stored user, joined with its unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRecord {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub unit_code: String,
    pub unit_name: String,
    pub unit_kind: String,
    pub division: String,
    pub role: String,
    #[serde(skip)]
    pub password_hash: String,
    pub disabled: bool,
    pub created_ms: i64,
    pub version: i64,
}

/// Failed-login bookkeeping for one login name or one client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LoginThrottle {
    pub failures: i64,
    pub locked_until_ms: i64,
}

/// How many failures lock a name or an address, for how long, and the longest lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: i64,
    pub lock_ms: i64,
    pub max_lock_ms: i64,
}

impl LockoutPolicy {
    /// The lock that follows the `failures`-th counted failure (0 = none): after
    /// `max_failures` the lock is `lock_ms`, doubling per further failure, at most `max_lock_ms`.
    pub fn lock_after(&self, failures: i64) -> i64 {
        if failures < self.max_failures {
            return 0;
        }
        let doublings = (failures - self.max_failures).min(62);
        self.lock_ms.saturating_mul(1 << doublings).min(self.max_lock_ms.max(self.lock_ms))
    }
}

/// Login throttling (ADR 0020): per login name, short and capped low (what a victim whose
/// name is guessed at suffers), and per client address, growing long (what the guesser
/// suffers). An address's failures count until it has been quiet for `address_quiet_ms`
/// after its last failure or lock; a name's until the next successful login (or a day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub name: LockoutPolicy,
    pub address: LockoutPolicy,
    pub address_quiet_ms: i64,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        const MIN: i64 = 60_000;
        Self {
            name: LockoutPolicy { max_failures: 5, lock_ms: MIN, max_lock_ms: 5 * MIN },
            address: LockoutPolicy { max_failures: 20, lock_ms: 5 * MIN, max_lock_ms: 320 * MIN },
            address_quiet_ms: 60 * MIN,
        }
    }
}

/// A new browser session; the cookie holds the token, the store its hash.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: String,
    pub user_id: String,
    pub username: String,
    pub csrf_token: String,
    pub expires_ms: i64,
}

/// A live session and its user.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub csrf_token: String,
    pub expires_ms: i64,
    pub user: UserRecord,
}

/// A new API token (hash only).
#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub token_hash: String,
}

/// A live API token and its user.
#[derive(Debug, Clone)]
pub struct ApiTokenRecord {
    pub id: String,
    pub user: UserRecord,
}

/// What may be shown about a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiTokenInfo {
    pub id: String,
    pub name: String,
    pub created_ms: i64,
    pub revoked_ms: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::{LockoutPolicy, ThrottlePolicy};

    #[test]
    fn lockout_doubles_and_caps() {
        let p = LockoutPolicy { max_failures: 5, lock_ms: 60_000, max_lock_ms: 64 * 60_000 };
        assert_eq!(p.lock_after(4), 0);
        assert_eq!(p.lock_after(5), 60_000);
        assert_eq!(p.lock_after(6), 120_000);
        assert_eq!(p.lock_after(100), 60_000 * 64);
        assert_eq!(p.lock_after(i64::MAX), 60_000 * 64);
    }

    #[test]
    fn a_names_lock_stays_shorter_than_an_addresses() {
        let p = ThrottlePolicy::default();
        let longest_name_lock = (1..1000).map(|f| p.name.lock_after(f)).max().unwrap_or_default();
        assert_eq!(longest_name_lock, 5 * 60_000);
        assert_eq!(p.address.lock_after(p.address.max_failures + 10), 320 * 60_000);
        assert!(p.address.lock_after(p.address.max_failures) >= longest_name_lock);
    }
}

/// What is known of a web form submission when it is claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmissionClaim {
    /// Not seen before (or abandoned): carry it out.
    Fresh,
    /// The first one is still running.
    Running,
    /// The first one led here.
    Done(String),
}
