//! Issue 19: `serve` and `supervise` refuse a database whose settings can lose a write after
//! it was acknowledged (here a PostgreSQL database with `synchronous_commit = off`), and start
//! with a loud warning only when `allow_unsafe_durability` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::cli::Env;

/// The binary on `e`'s database, without the test command's override.
fn command(e: &Env, args: &[&str]) -> Command {
    let mut cmd = e.command(args);
    cmd.env_remove("JIUJINAN_ALLOW_UNSAFE_DURABILITY");
    cmd
}

#[test]
fn a_postgresql_that_can_lose_acknowledged_writes_is_refused() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let Some(url) = rt.block_on(jiujinan_store::testing::fresh_postgres_url()) else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("jiujinan.toml"),
        "audit_key_file = \"keys/audit.key\"\npii_key_file = \"keys/pii.key\"\n",
    )
    .unwrap();
    let e = Env::at(dir, url.clone());
    e.ok(&["migrate"], None);
    // Before: whatever else this server does (the test cluster runs with fsync off), this
    // database commits synchronously and is not blamed for it.
    let before = command(&e, &["supervise"]).output().unwrap();
    let before = String::from_utf8_lossy(&before.stderr);
    assert!(!before.contains("synchronous_commit = off"), "{before}");
    rt.block_on(jiujinan_store::testing::set_database_setting(&url, "synchronous_commit", "off"));

    for args in [&["serve", "--listen", "127.0.0.1:0"][..], &["supervise"][..]] {
        let out = command(&e, args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} started on an unsafe database: {err}");
        assert!(err.contains("synchronous_commit = off (server)"), "{args:?} names the setting: {err}");
        assert!(err.contains("allow_unsafe_durability"), "and the way out for a test database: {err}");
    }

    // Allowed for a throwaway database: it starts, and says what it risks.
    let mut child = command(&e, &["serve", "--listen", "127.0.0.1:0"])
        .env("JIUJINAN_ALLOW_UNSAFE_DURABILITY", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut listening = false;
    for line in stdout.lines() {
        if line.unwrap().contains("listening on") {
            listening = true;
            break;
        }
        assert!(Instant::now() < deadline, "no start within a minute");
    }
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(listening, "it started");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("WARNING: this database can lose acknowledged writes"), "{err}");
    assert!(err.contains("synchronous_commit = off (server)"), "{err}");
}
