//! What makes an acknowledged write survive a crash or power loss, read back from the
//! database's own connections (issue 19): SQLite's `synchronous` and `journal_mode` on every
//! connection the store opened, PostgreSQL's `fsync`, `synchronous_commit` and
//! `full_page_writes`. `jiujinan serve` and `supervise` refuse a database where one is unsafe.

use serde::Serialize;

/// One durability setting as one connection reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DurabilitySetting {
    /// Which connection (`writer`, `intake writer`, `reader 1` …; `server` on PostgreSQL).
    pub connection: String,
    pub name: String,
    pub value: String,
    /// False when a committed write could be lost with this value.
    pub safe: bool,
}

impl DurabilitySetting {
    fn new(connection: &str, name: &str, value: String, safe: bool) -> Self {
        Self { connection: connection.to_owned(), name: name.to_owned(), value, safe }
    }

    /// SQLite's `PRAGMA synchronous` (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA): in WAL mode only FULL
    /// or EXTRA fsync the log at every commit.
    pub(crate) fn sqlite_synchronous(connection: &str, level: i64) -> Self {
        let value = match level {
            0 => "off".to_owned(),
            1 => "normal".to_owned(),
            2 => "full".to_owned(),
            3 => "extra".to_owned(),
            n => n.to_string(),
        };
        Self::new(connection, "synchronous", value, level >= 2)
    }

    /// SQLite's `PRAGMA journal_mode`: the store is built for WAL (readers beside the writer).
    pub(crate) fn sqlite_journal_mode(connection: &str, mode: String) -> Self {
        let safe = mode.eq_ignore_ascii_case("wal");
        Self::new(connection, "journal_mode", mode.to_lowercase(), safe)
    }

    /// One of PostgreSQL's settings: `fsync` and `full_page_writes` must be on;
    /// `synchronous_commit` anything but `off` (`local`, `on`, `remote_write`, `remote_apply`
    /// all wait for the local flush).
    pub(crate) fn postgres(name: &str, value: String) -> Self {
        let safe = match name {
            "synchronous_commit" => value != "off",
            _ => value == "on",
        };
        Self::new("server", name, value, safe)
    }
}

/// The settings to read back on PostgreSQL.
pub(crate) const POSTGRES_SETTINGS: [&str; 3] = ["fsync", "synchronous_commit", "full_page_writes"];

/// The unsafe settings of a report, as `name = value (connection)`, for an operator.
pub fn unsafe_settings(report: &[DurabilitySetting]) -> Vec<String> {
    report.iter().filter(|s| !s.safe).map(|s| format!("{} = {} ({})", s.name, s.value, s.connection)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_settings_that_flush_every_commit_are_safe() {
        assert!(DurabilitySetting::sqlite_synchronous("writer", 2).safe);
        assert!(DurabilitySetting::sqlite_synchronous("writer", 3).safe);
        assert!(!DurabilitySetting::sqlite_synchronous("writer", 1).safe);
        assert!(!DurabilitySetting::sqlite_synchronous("writer", 0).safe);
        assert!(DurabilitySetting::sqlite_journal_mode("writer", "WAL".into()).safe);
        assert!(!DurabilitySetting::sqlite_journal_mode("writer", "memory".into()).safe);
        for v in ["on", "local", "remote_write", "remote_apply"] {
            assert!(DurabilitySetting::postgres("synchronous_commit", v.into()).safe, "{v}");
        }
        assert!(!DurabilitySetting::postgres("synchronous_commit", "off".into()).safe);
        assert!(!DurabilitySetting::postgres("fsync", "off".into()).safe);
        assert!(!DurabilitySetting::postgres("full_page_writes", "off".into()).safe);
        let report = [
            DurabilitySetting::postgres("fsync", "off".into()),
            DurabilitySetting::postgres("synchronous_commit", "on".into()),
        ];
        assert_eq!(unsafe_settings(&report), ["fsync = off (server)"]);
    }
}
