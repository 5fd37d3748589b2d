//! `backup` and `restore` as an operator runs them (issue 11): a backup taken while users are
//! being added restores to a database whose audit chain verifies and is exactly the source's
//! chain up to the moment of the copy; SQLite and, with `pg_dump` at hand, PostgreSQL.

use std::thread;

use crate::cli::Env;

type Row = (i64, String, String);

fn chain(db: &std::path::Path) -> Vec<Row> {
    let c = rusqlite::Connection::open(db).unwrap();
    c.prepare("SELECT seq, hash, mac FROM audit_log ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn add_user(e: &Env, name: &str) {
    e.ok(
        &["user", "add", "--username", name, "--unit", "110105:mz", "--role", "admin", "--password-stdin"],
        Some("Good-password-1"),
    );
}

#[test]
fn a_backup_taken_during_writes_restores_to_an_identical_chain() {
    let e = Env::sqlite();
    e.import_small_org();
    let out = e.dir.path().join("backup.db");
    let backup = thread::scope(|s| {
        let writer = s.spawn(|| {
            for i in 0..12 {
                add_user(&e, &format!("load_{i}"));
            }
        });
        thread::sleep(std::time::Duration::from_millis(300));
        let b = e.run(&["backup", "--out", out.to_str().unwrap()], None);
        writer.join().unwrap();
        b
    });
    let text = String::from_utf8_lossy(&backup.stdout).into_owned();
    assert!(backup.status.success(), "{text}{}", String::from_utf8_lossy(&backup.stderr));
    assert!(text.contains("backup: audit chain intact"), "{text}");
    let source = chain(&e.db_path());
    let copied = chain(&out);
    assert!(!copied.is_empty() && copied.len() <= source.len());
    assert_eq!(copied[..], source[..copied.len()], "the copy is the source's chain at one instant");
    assert!(copied.iter().all(|(_, _, mac)| mac.len() == 64), "entries carry their MACs");
    // A backup never overwrites a file.
    assert!(!e.run(&["backup", "--out", out.to_str().unwrap()], None).status.success());

    // Restore into another database file with the same key.
    let restored = e.dir.path().join("restored.db");
    let url = format!("sqlite://{}", restored.display());
    let key = e.dir.path().join("j.db.audit-key");
    let cfg = e.file("restore.toml", &format!("audit_key_file = {:?}\n", key.display().to_string()));
    let run = |args: &[&str]| {
        let mut all = vec!["--config", cfg.to_str().unwrap(), "--database-url", &url];
        all.extend_from_slice(args);
        std::process::Command::new(env!("CARGO_BIN_EXE_jiujinan"))
            .args(&all)
            .current_dir(e.dir.path())
            .output()
            .unwrap()
    };
    let r = run(&["restore", "--from", out.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&r.stdout).into_owned();
    assert!(r.status.success(), "{text}{}", String::from_utf8_lossy(&r.stderr));
    assert!(text.contains("restored database: audit chain intact"), "{text}");
    assert_eq!(chain(&restored), copied);
    let verified = run(&["audit", "verify"]);
    assert_eq!(verified.status.code(), Some(0), "{}", String::from_utf8_lossy(&verified.stdout));
    // Restoring over an existing database needs --force.
    let again = run(&["restore", "--from", out.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert!(run(&["restore", "--from", out.to_str().unwrap(), "--force"]).status.success());
    // The backup file is readable by its owner only (it holds personal data).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // A backup that does not verify replaces nothing, even with --force.
    let bad = e.dir.path().join("bad.db");
    std::fs::copy(&out, &bad).unwrap();
    let c = rusqlite::Connection::open(&bad).unwrap();
    c.execute_batch("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 1;").unwrap();
    drop(c);
    let before = chain(&restored);
    let r = run(&["restore", "--from", bad.to_str().unwrap(), "--force"]);
    assert_eq!(r.status.code(), Some(2), "{}", String::from_utf8_lossy(&r.stdout));
    assert!(String::from_utf8_lossy(&r.stdout).contains("nothing restored"));
    assert_eq!(chain(&restored), before, "the database stays as it was");
    assert!(!e.dir.path().join("restored.db.restoring").exists());
}

#[test]
fn postgresql_backs_up_with_pg_dump_and_restores_with_pg_restore() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let Some(source) = rt.block_on(jiujinan_store::testing::fresh_postgres_url()) else { return };
    let Some(target) = rt.block_on(jiujinan_store::testing::fresh_postgres_url()) else { return };
    let has_tools = ["pg_dump", "pg_restore"]
        .iter()
        .all(|t| std::process::Command::new(t).arg("--version").output().is_ok_and(|o| o.status.success()));
    if !has_tools {
        assert!(std::env::var("JIUJINAN_REQUIRE_PG").is_err(), "pg_dump and pg_restore are needed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("jiujinan.toml"), "audit_key_file = \"audit.key\"\npii_key_file = \"pii.key\"\n")
        .unwrap();
    let e = crate::cli::Env::at(dir, source);
    e.import_small_org();
    add_user(&e, "pg_backup");
    let out = e.dir.path().join("pg.dump");
    let text = e.ok(&["backup", "--out", out.to_str().unwrap()], None);
    assert!(text.contains("database: audit chain intact") && text.contains("pg_dump"), "{text}");
    let t = crate::cli::Env::at(tempfile::tempdir().unwrap(), target);
    std::fs::copy(e.dir.path().join("audit.key"), t.dir.path().join("audit.key")).unwrap();
    std::fs::copy(e.dir.path().join("pii.key"), t.dir.path().join("pii.key")).unwrap();
    std::fs::write(t.dir.path().join("jiujinan.toml"), "audit_key_file = \"audit.key\"\npii_key_file = \"pii.key\"\n")
        .unwrap();
    let text = t.ok(&["restore", "--from", out.to_str().unwrap()], None);
    assert!(text.contains("restored database: audit chain intact, 2 entries (2 checked under the key)"), "{text}");
    assert!(t.ok(&["user", "list"], None).contains("pg_backup"));
    let again = t.run(&["restore", "--from", out.to_str().unwrap()], None);
    assert!(!again.status.success(), "a database that holds data is not replaced without --force");
}
