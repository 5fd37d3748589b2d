//! The effective configuration: defaults, then the config file, then `JIUJINAN_*`
//! environment variables, then command-line flags (each overriding the one before).

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// Keys allowed in the configuration file (`jiujinan.toml`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    listen: Option<String>,
    secure_cookies: Option<bool>,
    session_ttl_minutes: Option<i64>,
    login_max_failures: Option<i64>,
    login_lock_minutes: Option<i64>,
    login_lock_max_minutes: Option<i64>,
    login_address_max_failures: Option<i64>,
    login_address_lock_minutes: Option<i64>,
    login_address_lock_max_minutes: Option<i64>,
    login_address_quiet_minutes: Option<i64>,
    trusted_proxies: Option<Vec<String>>,
    request_timeout_seconds: Option<u64>,
    header_read_timeout_seconds: Option<u64>,
    idle_timeout_seconds: Option<u64>,
    log_format: Option<String>,
    duplicate_window_days: Option<i64>,
    supervision_interval_seconds: Option<u64>,
    test_clock: Option<bool>,
    test_clock_start: Option<String>,
    allow_unsafe_durability: Option<bool>,
    audit_key_file: Option<PathBuf>,
    pii_key_file: Option<PathBuf>,
}

/// The settings the binary runs with.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub config_file: Option<PathBuf>,
    pub database_url: String,
    pub listen: String,
    pub secure_cookies: bool,
    pub session_ttl_minutes: i64,
    pub login_max_failures: i64,
    pub login_lock_minutes: i64,
    /// The longest lock of a login name (the lock doubles per further failure up to this).
    pub login_lock_max_minutes: i64,
    /// Failures from one client address (across names) before it is locked.
    pub login_address_max_failures: i64,
    pub login_address_lock_minutes: i64,
    pub login_address_lock_max_minutes: i64,
    /// An address quiet this long after its last failure or lock starts counting again.
    pub login_address_quiet_minutes: i64,
    /// Reverse proxies (addresses or networks) whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<String>,
    pub request_timeout_seconds: u64,
    /// A request's line and headers must arrive within this (also the keep-alive idle limit).
    pub header_read_timeout_seconds: u64,
    /// A connection on which no byte moves for this long while a request body is read or a
    /// response written is closed; longer than `request_timeout_seconds`.
    pub idle_timeout_seconds: u64,
    /// `text` or `json`.
    pub log_format: String,
    /// An open lead about the same person within this many days is flagged as a duplicate.
    pub duplicate_window_days: i64,
    /// How often `serve` looks for due deadlines, in seconds; 0 turns the supervisor off
    /// in this process (another process or `jiujinan supervise` from cron does it).
    pub supervision_interval_seconds: u64,
    /// A settable clock for demos and browser tests (never in production).
    pub test_clock: bool,
    /// Where a test clock starts (`YYYY-MM-DDTHH:MM`, Beijing time), so a browser test can play
    /// out dates before today; never before the database's newest audit entry.
    pub test_clock_start: Option<String>,
    /// Start `serve` and `supervise` on a database whose settings can lose acknowledged
    /// writes (PostgreSQL `fsync`/`full_page_writes` off, `synchronous_commit = off`), with a
    /// warning; for throwaway test clusters only. Off: such a database is refused.
    pub allow_unsafe_durability: bool,
    /// The audit chain's key file; by default beside an SQLite database (`<file>.audit-key`,
    /// created on first use). On PostgreSQL there is no default: name a file every server
    /// process can read, kept off the database server.
    pub audit_key_file: Option<PathBuf>,
    /// The personal-data keys (names, ID numbers, phones sealed at rest); by default beside an
    /// SQLite database (`<file>.pii-key`, created on first use). On PostgreSQL there is no
    /// default and the server does not start without one.
    pub pii_key_file: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            config_file: None,
            database_url: "sqlite://data/jiujinan.db".into(),
            listen: "127.0.0.1:8080".into(),
            secure_cookies: false,
            session_ttl_minutes: 12 * 60,
            login_max_failures: 5,
            login_lock_minutes: 1,
            login_lock_max_minutes: 5,
            login_address_max_failures: 20,
            login_address_lock_minutes: 5,
            login_address_lock_max_minutes: 320,
            login_address_quiet_minutes: 60,
            trusted_proxies: Vec::new(),
            request_timeout_seconds: 30,
            header_read_timeout_seconds: 10,
            idle_timeout_seconds: 60,
            log_format: "text".into(),
            duplicate_window_days: 30,
            supervision_interval_seconds: 60,
            test_clock: false,
            test_clock_start: None,
            allow_unsafe_durability: false,
            audit_key_file: None,
            pii_key_file: None,
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn parse_env<T: std::str::FromStr>(name: &str) -> anyhow::Result<Option<T>> {
    match env(name) {
        Some(v) => v.parse().map(Some).map_err(|_| anyhow::anyhow!("{name}={v} is not a valid value")),
        None => Ok(None),
    }
}

impl Settings {
    /// Loads the file (explicit path, or `./jiujinan.toml` when present) and the
    /// environment; flags are applied by the caller afterwards.
    pub fn load(explicit_file: Option<&Path>) -> anyhow::Result<Self> {
        let mut s = Settings::default();
        let file = match explicit_file {
            Some(p) => Some(p.to_path_buf()),
            None => Some(PathBuf::from("jiujinan.toml")).filter(|p| p.exists()),
        };
        if let Some(path) = &file {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("cannot read config file {}", path.display()))?;
            let f: FileConfig =
                toml::from_str(&text).with_context(|| format!("invalid config file {}", path.display()))?;
            s.config_file = Some(path.clone());
            if let Some(v) = f.database_url {
                s.database_url = v;
            }
            if let Some(v) = f.listen {
                s.listen = v;
            }
            if let Some(v) = f.secure_cookies {
                s.secure_cookies = v;
            }
            if let Some(v) = f.session_ttl_minutes {
                s.session_ttl_minutes = v;
            }
            if let Some(v) = f.login_max_failures {
                s.login_max_failures = v;
            }
            if let Some(v) = f.login_lock_minutes {
                s.login_lock_minutes = v;
            }
            if let Some(v) = f.login_lock_max_minutes {
                s.login_lock_max_minutes = v;
            }
            if let Some(v) = f.login_address_max_failures {
                s.login_address_max_failures = v;
            }
            if let Some(v) = f.login_address_lock_minutes {
                s.login_address_lock_minutes = v;
            }
            if let Some(v) = f.login_address_lock_max_minutes {
                s.login_address_lock_max_minutes = v;
            }
            if let Some(v) = f.login_address_quiet_minutes {
                s.login_address_quiet_minutes = v;
            }
            if let Some(v) = f.trusted_proxies {
                s.trusted_proxies = v;
            }
            if let Some(v) = f.request_timeout_seconds {
                s.request_timeout_seconds = v;
            }
            if let Some(v) = f.header_read_timeout_seconds {
                s.header_read_timeout_seconds = v;
            }
            if let Some(v) = f.idle_timeout_seconds {
                s.idle_timeout_seconds = v;
            }
            if let Some(v) = f.log_format {
                s.log_format = v;
            }
            if let Some(v) = f.duplicate_window_days {
                s.duplicate_window_days = v;
            }
            if let Some(v) = f.supervision_interval_seconds {
                s.supervision_interval_seconds = v;
            }
            if let Some(v) = f.test_clock {
                s.test_clock = v;
            }
            if let Some(v) = f.test_clock_start {
                s.test_clock_start = Some(v);
            }
            if let Some(v) = f.allow_unsafe_durability {
                s.allow_unsafe_durability = v;
            }
            if let Some(v) = f.audit_key_file {
                s.audit_key_file = Some(v);
            }
            if let Some(v) = f.pii_key_file {
                s.pii_key_file = Some(v);
            }
        }
        if let Some(v) = env("JIUJINAN_DATABASE_URL") {
            s.database_url = v;
        }
        if let Some(v) = env("JIUJINAN_LISTEN") {
            s.listen = v;
        }
        if let Some(v) = parse_env("JIUJINAN_SECURE_COOKIES")? {
            s.secure_cookies = v;
        }
        if let Some(v) = parse_env("JIUJINAN_SESSION_TTL_MINUTES")? {
            s.session_ttl_minutes = v;
        }
        if let Some(v) = parse_env("JIUJINAN_LOGIN_MAX_FAILURES")? {
            s.login_max_failures = v;
        }
        if let Some(v) = parse_env("JIUJINAN_LOGIN_LOCK_MINUTES")? {
            s.login_lock_minutes = v;
        }
        if let Some(v) = parse_env("JIUJINAN_LOGIN_LOCK_MAX_MINUTES")? {
            s.login_lock_max_minutes = v;
        }
        if let Some(v) = parse_env("JIUJINAN_LOGIN_ADDRESS_MAX_FAILURES")? {
            s.login_address_max_failures = v;
        }
        if let Some(v) = parse_env("JIUJINAN_LOGIN_ADDRESS_LOCK_MINUTES")? {
            s.login_address_lock_minutes = v;
        }
        if let Some(v) = parse_env("JIUJINAN_LOGIN_ADDRESS_LOCK_MAX_MINUTES")? {
            s.login_address_lock_max_minutes = v;
        }
        if let Some(v) = parse_env("JIUJINAN_LOGIN_ADDRESS_QUIET_MINUTES")? {
            s.login_address_quiet_minutes = v;
        }
        if let Some(v) = env("JIUJINAN_TRUSTED_PROXIES") {
            s.trusted_proxies = v.split(',').map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect();
        }
        if let Some(v) = parse_env("JIUJINAN_REQUEST_TIMEOUT_SECONDS")? {
            s.request_timeout_seconds = v;
        }
        if let Some(v) = parse_env("JIUJINAN_HEADER_READ_TIMEOUT_SECONDS")? {
            s.header_read_timeout_seconds = v;
        }
        if let Some(v) = parse_env("JIUJINAN_IDLE_TIMEOUT_SECONDS")? {
            s.idle_timeout_seconds = v;
        }
        if let Some(v) = env("JIUJINAN_LOG_FORMAT") {
            s.log_format = v;
        }
        if let Some(v) = parse_env("JIUJINAN_DUPLICATE_WINDOW_DAYS")? {
            s.duplicate_window_days = v;
        }
        if let Some(v) = parse_env("JIUJINAN_SUPERVISION_INTERVAL_SECONDS")? {
            s.supervision_interval_seconds = v;
        }
        if let Some(v) = parse_env("JIUJINAN_TEST_CLOCK")? {
            s.test_clock = v;
        }
        if let Some(v) = env("JIUJINAN_TEST_CLOCK_START") {
            s.test_clock_start = Some(v);
        }
        if let Some(v) = parse_env("JIUJINAN_ALLOW_UNSAFE_DURABILITY")? {
            s.allow_unsafe_durability = v;
        }
        if let Some(v) = env("JIUJINAN_AUDIT_KEY_FILE") {
            s.audit_key_file = Some(PathBuf::from(v));
        }
        if let Some(v) = env("JIUJINAN_PII_KEY_FILE") {
            s.pii_key_file = Some(PathBuf::from(v));
        }
        s.validate()?;
        Ok(s)
    }

    fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(self.session_ttl_minutes > 0, "session_ttl_minutes must be positive");
        anyhow::ensure!(self.login_max_failures > 0, "login_max_failures must be positive");
        anyhow::ensure!(self.login_lock_minutes > 0, "login_lock_minutes must be positive");
        anyhow::ensure!(
            self.login_lock_max_minutes >= self.login_lock_minutes,
            "login_lock_max_minutes must be at least login_lock_minutes"
        );
        anyhow::ensure!(self.login_address_max_failures > 0, "login_address_max_failures must be positive");
        anyhow::ensure!(self.login_address_lock_minutes > 0, "login_address_lock_minutes must be positive");
        anyhow::ensure!(
            self.login_address_lock_max_minutes >= self.login_address_lock_minutes,
            "login_address_lock_max_minutes must be at least login_address_lock_minutes"
        );
        anyhow::ensure!(self.login_address_quiet_minutes > 0, "login_address_quiet_minutes must be positive");
        jiujinan_domain::client::TrustedProxies::parse(&self.trusted_proxies)
            .map_err(|e| anyhow::anyhow!("trusted_proxies: {e}"))?;
        anyhow::ensure!(self.duplicate_window_days >= 0, "duplicate_window_days must not be negative");
        anyhow::ensure!(self.request_timeout_seconds > 0, "request_timeout_seconds must be positive");
        anyhow::ensure!(self.header_read_timeout_seconds > 0, "header_read_timeout_seconds must be positive");
        // A handler's quiet time counts as idle: the request timeout must answer first.
        anyhow::ensure!(
            self.idle_timeout_seconds > self.request_timeout_seconds,
            "idle_timeout_seconds must be longer than request_timeout_seconds"
        );
        if self.test_clock_start.is_some() {
            anyhow::ensure!(self.test_clock, "test_clock_start needs test_clock = true");
            self.test_clock_start_ms()?;
        }
        anyhow::ensure!(matches!(self.log_format.as_str(), "text" | "json"), "log_format must be text or json");
        Ok(())
    }

    /// [`Self::test_clock_start`] in milliseconds, if set.
    pub fn test_clock_start_ms(&self) -> anyhow::Result<Option<i64>> {
        self.test_clock_start
            .as_deref()
            .map(|s| {
                jiujinan_app::calendar::parse_beijing_datetime(s)
                    .ok_or_else(|| anyhow::anyhow!("test_clock_start must be YYYY-MM-DDTHH:MM (Beijing time): {s:?}"))
            })
            .transpose()
    }

    /// The configuration as TOML with secrets redacted (`config show`).
    pub fn redacted_toml(&self) -> String {
        let mut out = String::new();
        if let Some(p) = &self.config_file {
            out.push_str(&format!("# from {} (then environment, then flags)\n", p.display()));
        } else {
            out.push_str("# no config file (defaults, then environment, then flags)\n");
        }
        out.push_str(&format!("database_url = {:?}\n", jiujinan_store::redact_url(&self.database_url)));
        out.push_str(&format!("listen = {:?}\n", self.listen));
        out.push_str(&format!("secure_cookies = {}\n", self.secure_cookies));
        out.push_str(&format!("session_ttl_minutes = {}\n", self.session_ttl_minutes));
        out.push_str(&format!("login_max_failures = {}\n", self.login_max_failures));
        out.push_str(&format!("login_lock_minutes = {}\n", self.login_lock_minutes));
        out.push_str(&format!("login_lock_max_minutes = {}\n", self.login_lock_max_minutes));
        out.push_str(&format!("login_address_max_failures = {}\n", self.login_address_max_failures));
        out.push_str(&format!("login_address_lock_minutes = {}\n", self.login_address_lock_minutes));
        out.push_str(&format!("login_address_lock_max_minutes = {}\n", self.login_address_lock_max_minutes));
        out.push_str(&format!("login_address_quiet_minutes = {}\n", self.login_address_quiet_minutes));
        out.push_str(&format!("trusted_proxies = {:?}\n", self.trusted_proxies));
        out.push_str(&format!("request_timeout_seconds = {}\n", self.request_timeout_seconds));
        out.push_str(&format!("header_read_timeout_seconds = {}\n", self.header_read_timeout_seconds));
        out.push_str(&format!("idle_timeout_seconds = {}\n", self.idle_timeout_seconds));
        out.push_str(&format!("log_format = {:?}\n", self.log_format));
        out.push_str(&format!("duplicate_window_days = {}\n", self.duplicate_window_days));
        out.push_str(&format!("supervision_interval_seconds = {}\n", self.supervision_interval_seconds));
        out.push_str(&format!("test_clock = {}\n", self.test_clock));
        if let Some(v) = &self.test_clock_start {
            out.push_str(&format!("test_clock_start = {v:?}\n"));
        }
        out.push_str(&format!("allow_unsafe_durability = {}\n", self.allow_unsafe_durability));
        match self.audit_key_path() {
            Some(p) => out.push_str(&format!("audit_key_file = {:?}\n", p.display().to_string())),
            None => out.push_str("# audit_key_file not set: audit entries carry no MAC\n"),
        }
        match self.pii_key_path() {
            Some(p) => out.push_str(&format!("pii_key_file = {:?}\n", p.display().to_string())),
            None => out.push_str("# pii_key_file not set: the server will not start on this database\n"),
        }
        out
    }

    /// Where the audit key is: the configured file, else beside an SQLite database file.
    pub fn audit_key_path(&self) -> Option<PathBuf> {
        self.audit_key_file.clone().or_else(|| self.beside_sqlite("audit-key"))
    }

    /// Where the personal-data keys are: the configured file, else beside an SQLite file.
    pub fn pii_key_path(&self) -> Option<PathBuf> {
        self.pii_key_file.clone().or_else(|| self.beside_sqlite("pii-key"))
    }

    fn beside_sqlite(&self, suffix: &str) -> Option<PathBuf> {
        let path = self.database_url.strip_prefix("sqlite://").or_else(|| self.database_url.strip_prefix("sqlite:"))?;
        let path = path.split('?').next().filter(|p| !p.is_empty())?;
        Some(PathBuf::from(format!("{path}.{suffix}")))
    }

    /// The trusted proxies (validated by `load`).
    pub fn trusted_proxies(&self) -> anyhow::Result<jiujinan_domain::client::TrustedProxies> {
        jiujinan_domain::client::TrustedProxies::parse(&self.trusted_proxies)
            .map_err(|e| anyhow::anyhow!("trusted_proxies: {e}"))
    }

    /// The use-case settings.
    pub fn app_settings(&self) -> jiujinan_app::AppSettings {
        jiujinan_app::AppSettings {
            session_ttl_ms: self.session_ttl_minutes * 60_000,
            lockout: jiujinan_store::ThrottlePolicy {
                name: jiujinan_store::LockoutPolicy {
                    max_failures: self.login_max_failures,
                    lock_ms: self.login_lock_minutes * 60_000,
                    max_lock_ms: self.login_lock_max_minutes * 60_000,
                },
                address: jiujinan_store::LockoutPolicy {
                    max_failures: self.login_address_max_failures,
                    lock_ms: self.login_address_lock_minutes * 60_000,
                    max_lock_ms: self.login_address_lock_max_minutes * 60_000,
                },
                address_quiet_ms: self.login_address_quiet_minutes * 60_000,
            },
            duplicate_window_days: self.duplicate_window_days,
            audit_key: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_the_database_password() {
        let s = Settings { database_url: "postgres://app:hunter2@db:5432/jjn".into(), ..Settings::default() };
        let t = s.redacted_toml();
        assert!(t.contains("postgres://app:***@db:5432/jjn"));
        assert!(!t.contains("hunter2"));
    }

    #[test]
    fn file_values_apply_and_unknown_keys_fail() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j.toml");
        std::fs::write(&p, "listen = \"0.0.0.0:9000\"\nsession_ttl_minutes = 30\n").unwrap();
        let s = Settings::load(Some(&p)).unwrap();
        assert_eq!(s.listen, "0.0.0.0:9000");
        assert_eq!(s.session_ttl_minutes, 30);
        std::fs::write(&p, "lisen = \"typo\"\n").unwrap();
        assert!(Settings::load(Some(&p)).is_err());
    }

    #[test]
    fn a_test_clock_start_needs_the_test_clock_and_a_real_time() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j.toml");
        std::fs::write(&p, "test_clock_start = \"2026-09-30T08:00\"\n").unwrap();
        let err = Settings::load(Some(&p)).unwrap_err().to_string();
        assert!(err.contains("needs test_clock"), "{err}");
        std::fs::write(&p, "test_clock = true\ntest_clock_start = \"2026-09-31T08:00\"\n").unwrap();
        let err = Settings::load(Some(&p)).unwrap_err().to_string();
        assert!(err.contains("YYYY-MM-DDTHH:MM"), "{err}");
        std::fs::write(&p, "test_clock = true\ntest_clock_start = \"2026-09-30T08:00\"\n").unwrap();
        let s = Settings::load(Some(&p)).unwrap();
        // 08:00 in Beijing is 00:00 UTC.
        assert_eq!(s.test_clock_start_ms().unwrap(), Some(1_790_726_400_000));
    }

    #[test]
    fn trusted_proxies_and_lock_bounds_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j.toml");
        std::fs::write(&p, "trusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n").unwrap();
        let s = Settings::load(Some(&p)).unwrap();
        assert_eq!(
            s.trusted_proxies().unwrap(),
            jiujinan_domain::client::TrustedProxies::parse(&["10.0.0.0/8", "::1"]).unwrap()
        );
        assert_eq!(s.app_settings().lockout.name.max_lock_ms, 5 * 60_000);
        std::fs::write(&p, "trusted_proxies = [\"proxy.internal\"]\n").unwrap();
        assert!(Settings::load(Some(&p)).is_err(), "a proxy must be an address or a network");
        std::fs::write(&p, "request_timeout_seconds = 60\nidle_timeout_seconds = 60\n").unwrap();
        assert!(Settings::load(Some(&p)).is_err(), "the request timeout answers before a connection counts as idle");
        std::fs::write(&p, "login_lock_minutes = 10\nlogin_lock_max_minutes = 5\n").unwrap();
        assert!(Settings::load(Some(&p)).is_err(), "the longest lock is at least the first");
    }
}
