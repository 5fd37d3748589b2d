#![allow(clippy::expect_used)]
//! Fresh databases for tests on either backend (used by this crate's conformance suite and
//! by the layers above). Each call gets its own database, so tests run in parallel.

use std::sync::Arc;

use crate::{Store, connect};

/// The personal-data key of the test suites: fixed, so that every store the tests open on one
/// database (a second server, a command run beside it) reads what the others sealed.
pub fn pii_keys() -> jiujinan_domain::pii::PiiKeyring {
    use jiujinan_domain::pii::{KEY_BYTES, PiiKey, PiiKeyring};
    PiiKeyring::new(PiiKey::from_bytes([0x5a; KEY_BYTES]))
}

/// A store on a fresh SQLite file; keep the returned directory alive while testing.
pub async fn fresh_sqlite() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/test.db", dir.path().display());
    let store = connect(&url).await.expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    (store, dir)
}

/// Appends `outcome` (`ran` or `skipped`) to the file named by `JIUJINAN_PG_TEST_LOG`, one
/// line per PostgreSQL test; `scripts/test.sh` counts the lines and prints them in its summary.
fn log_pg_test(outcome: &str) {
    use std::io::Write;
    let Ok(path) = std::env::var("JIUJINAN_PG_TEST_LOG") else { return };
    let test = std::env::var("NEXTEST_TEST_NAME")
        .ok()
        .or_else(|| std::thread::current().name().map(str::to_owned))
        .unwrap_or_default();
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = writeln!(f, "{outcome} {test}");
    }
}

/// The URL of a fresh, empty PostgreSQL database, or `None` when `JIUJINAN_TEST_PG_URL` is
/// unset. With `JIUJINAN_REQUIRE_PG=1` a missing URL is a failure, not a skip.
pub async fn fresh_postgres_url() -> Option<String> {
    let Ok(admin) = std::env::var("JIUJINAN_TEST_PG_URL") else {
        log_pg_test("skipped");
        assert!(
            std::env::var("JIUJINAN_REQUIRE_PG").as_deref() != Ok("1"),
            "JIUJINAN_REQUIRE_PG=1 but JIUJINAN_TEST_PG_URL is unset: run the tests with `bash scripts/test.sh`"
        );
        eprintln!("skipping PostgreSQL: JIUJINAN_TEST_PG_URL is unset (bash scripts/test.sh sets it)");
        return None;
    };
    log_pg_test("ran");
    let name = format!("t_{:016x}", rand::random::<u64>());
    let pool = sqlx::PgPool::connect(&admin).await.expect("connect to the test PostgreSQL server");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&pool)
        .await
        .expect("create test database");
    pool.close().await;
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    Some(format!("{base}/{name}"))
}

/// Runs `ALTER DATABASE <the database of url> SET <setting> = <value>` as the test server's
/// administrator: later sessions on that database see the setting (a misconfiguration a test
/// can make without touching the rest of the cluster).
pub async fn set_database_setting(url: &str, setting: &str, value: &str) {
    let admin = std::env::var("JIUJINAN_TEST_PG_URL").expect("JIUJINAN_TEST_PG_URL");
    let name = url.rsplit('/').next().and_then(|n| n.split('?').next()).unwrap_or_default();
    assert!(name.starts_with("t_") && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "{name}");
    assert!(setting.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{setting}");
    assert!(value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "{value}");
    let pool = sqlx::PgPool::connect(&admin).await.expect("connect to the test PostgreSQL server");
    sqlx::query(sqlx::AssertSqlSafe(format!("ALTER DATABASE {name} SET {setting} = {value}")))
        .execute(&pool)
        .await
        .expect("alter the test database");
    pool.close().await;
}

/// A migrated store on a fresh PostgreSQL database (see `fresh_postgres_url`).
pub async fn fresh_postgres() -> Option<Arc<dyn Store>> {
    let url = fresh_postgres_url().await?;
    let store = connect(&url).await.expect("open postgres");
    store.migrate().await.expect("migrate postgres");
    Some(store)
}
