//! `serve --demo` and the test clock refuse a database that holds real accounts (issue 19,
//! guards): the demo accounts share a published password, and the test clock moves time.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::cli::Env;

const BIN: &str = env!("CARGO_BIN_EXE_jiujinan");

/// Runs `jiujinan serve` with `args`; it must exit by itself within 30 s (a guard that let it
/// serve fails the test instead of hanging it). Returns (success, standard error).
fn serve_exits(e: &Env, url: &str, args: &[&str]) -> (bool, String) {
    let mut child = Command::new(BIN)
        .arg("serve")
        .args(args)
        .args(["--listen", "127.0.0.1:0", "--database-url", url])
        .current_dir(e.dir.path())
        .env_remove("JIUJINAN_DATABASE_URL")
        .env_remove("JIUJINAN_CONFIG")
        .env_remove("JIUJINAN_TEST_CLOCK")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("serve {args:?} started on a database holding real accounts");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn the_demo_and_the_test_clock_stay_off_a_database_with_real_accounts() {
    let e = Env::sqlite();
    let url = format!("sqlite://{}", e.db_path().display());
    e.import_small_org();
    e.ok(
        &[
            "user",
            "add",
            "--username",
            "wang_li",
            "--unit",
            "110105001:mz",
            "--role",
            "street_reviewer",
            "--display-name",
            "王丽",
            "--password-stdin",
        ],
        Some("Good-password-1\n"),
    );
    let (ok, err) = serve_exits(&e, &url, &["--demo"]);
    assert!(!ok && err.contains("NOT_A_DEMO_DATABASE"), "{err}");
    let config = e.file("j.toml", "test_clock = true\n");
    let (ok, err) = serve_exits(&e, &url, &["--config", config.to_str().unwrap()]);
    assert!(!ok && err.contains("test_clock") && err.contains("--demo"), "{err}");
    let users = e.ok(&["user", "list"], None);
    assert!(!users.contains("admin"), "no demo account was added: {users}");
}
