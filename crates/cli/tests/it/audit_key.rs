//! The keyed audit chain (issue 11, defect 8) as an operator meets it: a log rewritten and
//! rehashed with a database shell, a cut tail with the head rewound, an emptied log and a
//! dropped head are all caught by `audit verify` (exit 2); the key is created beside an
//! SQLite database on first use and never stored in it.

use jiujinan_domain::audit::{AuditDraft, seal};

use crate::cli::Env;

fn setup() -> Env {
    let e = Env::sqlite();
    e.import_small_org();
    for name in ["a_admin", "b_admin", "c_admin"] {
        e.ok(
            &["user", "add", "--username", name, "--unit", "110105:mz", "--role", "admin", "--password-stdin"],
            Some("Good-password-1"),
        );
    }
    e
}

fn sql(e: &Env, statements: &str) {
    let c = rusqlite::Connection::open(e.db_path()).unwrap();
    c.execute_batch(statements).unwrap();
}

/// What someone with the database file but not the key can do: change entry `seq`, then
/// recompute every later hash and the head so that the links all hold again.
fn rewrite_and_rehash(e: &Env, seq: i64) {
    let c = rusqlite::Connection::open(e.db_path()).unwrap();
    c.execute_batch(
        "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; \
         DROP TRIGGER IF EXISTS audit_log_head;",
    )
    .unwrap();
    let mut rows: Vec<(i64, i64, AuditDraft)> = c
        .prepare("SELECT seq, at_ms, actor, unit, division, action, entity_type, entity_id, detail FROM audit_log ORDER BY seq")
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                AuditDraft {
                    actor: r.get(2)?,
                    unit: r.get(3)?,
                    division: r.get(4)?,
                    action: r.get(5)?,
                    entity_type: r.get(6)?,
                    entity_id: r.get(7)?,
                    detail: r.get(8)?,
                },
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut prev = jiujinan_domain::audit::GENESIS_HASH.to_owned();
    for (s, at, draft) in &mut rows {
        if *s == seq {
            draft.actor = "mallory".into();
        }
        let sealed = seal(draft.clone(), *s, *at, &prev, None);
        if *s >= seq {
            c.execute(
                "UPDATE audit_log SET actor = ?1, digest = ?2, prev_hash = ?3, hash = ?4 WHERE seq = ?5",
                rusqlite::params![sealed.actor, sealed.digest, sealed.prev_hash, sealed.hash, *s],
            )
            .unwrap();
        }
        prev = sealed.hash;
    }
    let last = rows.last().unwrap().0;
    c.execute("UPDATE audit_head SET seq = ?1, hash = ?2", rusqlite::params![last, prev]).unwrap();
}

fn verify(e: &Env, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["audit", "verify"];
    args.extend_from_slice(extra);
    let out = e.run(&args, None);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code(), text)
}

#[test]
fn a_rewritten_and_rehashed_log_is_caught_by_the_key() {
    let e = setup();
    let key_file = e.dir.path().join("j.db.audit-key");
    assert!(key_file.exists(), "the key is created beside the database on first use");
    let key = std::fs::read_to_string(&key_file).unwrap();
    let db = std::fs::read(e.db_path()).unwrap();
    assert!(!db.windows(32).any(|w| w == &key.as_bytes()[..32]), "the key is not in the database");
    let (code, text) = verify(&e, &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("intact: 4 entries") && text.contains("MACs checked under the audit key: 4"), "{text}");
    rewrite_and_rehash(&e, 2);
    let (code, text) = verify(&e, &["--links-only"]);
    assert_eq!(code, Some(0), "the links alone cannot tell: {text}");
    let (code, text) = verify(&e, &[]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("BROKEN") && text.contains("entry 2") && text.contains("MAC"), "{text}");
}

#[test]
fn checkpoints_catch_a_cut_tail_and_an_emptied_log() {
    let e = setup();
    let cps = e.dir.path().join("checkpoints.txt");
    let out = e.ok(&["audit", "checkpoint", "--out", cps.to_str().unwrap()], None);
    assert!(out.contains("checkpoint of entry 4"), "{out}");
    e.ok(
        &["user", "add", "--username", "d_admin", "--unit", "110105:mz", "--role", "admin", "--password-stdin"],
        Some("Good-password-1"),
    );
    let cp_arg = cps.to_str().unwrap();
    assert_eq!(verify(&e, &["--checkpoints", cp_arg]).0, Some(0));
    // Cut the tail below the checkpoint and rewind the head to the new last entry.
    sql(
        &e,
        "DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_log_head; DELETE FROM audit_log WHERE seq >= 3; \
         UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_log WHERE seq = 2);",
    );
    assert_eq!(verify(&e, &[]).0, Some(0), "without the checkpoint a clean cut looks whole");
    let (code, text) = verify(&e, &["--checkpoints", cp_arg]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("checkpoint records entry 4") && text.contains("ends at 2"), "{text}");
    // Empty the log and the head.
    sql(
        &e,
        "DELETE FROM audit_log; UPDATE audit_head SET seq = 0, hash = '0000000000000000000000000000000000000000000000000000000000000000';",
    );
    let (code, text) = verify(&e, &["--checkpoints", cp_arg]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("ends at 0"), "{text}");
    // A checkpoint file edited by hand is refused.
    let edited = std::fs::read_to_string(&cps).unwrap().replacen('4', "3", 1);
    std::fs::write(&cps, edited).unwrap();
    let (code, text) = verify(&e, &["--checkpoints", cp_arg]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("not signed by the audit key"), "{text}");
}

#[test]
fn a_dropped_head_is_a_break_and_a_missing_key_an_error() {
    let e = setup();
    sql(&e, "DROP TABLE audit_head;");
    let (code, text) = verify(&e, &[]);
    assert_eq!(code, Some(2), "a dropped head is a broken chain, not a failure: {text}");
    assert!(text.contains("audit_head") && text.contains("missing"), "{text}");
    // Without its key the chain cannot be checked: exit 1 with a clear message, and the
    // verification does not create a new key.
    let e = setup();
    std::fs::remove_file(e.dir.path().join("j.db.audit-key")).unwrap();
    let (code, text) = verify(&e, &[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("does not exist") && text.contains("--links-only"), "{text}");
    assert!(!e.dir.path().join("j.db.audit-key").exists());
    let (code, text) = verify(&e, &["--links-only"]);
    assert_eq!(code, Some(0), "{text}");
    // A generated key file is 64 hex digits, owner-readable only, and never overwritten.
    let k = e.dir.path().join("other.key");
    e.ok(&["key", "generate", "--out", k.to_str().unwrap()], None);
    assert_eq!(std::fs::read_to_string(&k).unwrap().trim().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&k).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert!(!e.run(&["key", "generate", "--out", k.to_str().unwrap()], None).status.success());
}

#[test]
fn blanking_every_mac_before_rehashing_does_not_help() {
    let e = setup();
    sql(&e, "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET mac = '';");
    rewrite_and_rehash(&e, 2);
    let (code, text) = verify(&e, &[]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("entry 4 has no MAC"), "the last entry must be signed: {text}");
}

#[test]
fn a_lost_key_is_never_replaced_but_a_chain_from_before_keying_gets_keyed() {
    let e = setup();
    let key = e.dir.path().join("j.db.audit-key");
    std::fs::remove_file(&key).unwrap();
    let out = e.run(
        &["user", "add", "--username", "x_admin", "--unit", "110105:mz", "--role", "admin", "--password-stdin"],
        Some("Good-password-1"),
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("keyed") && err.contains("missing"), "{err}");
    assert!(!key.exists(), "no new key for a keyed chain");
    // A chain written before the chain was keyed (no MACs, no key): the next writing command
    // creates a key and seals an `audit.keyed` entry, so the chain ends keyed.
    sql(&e, "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET mac = '';");
    e.ok(&["user", "list"], None);
    assert!(key.exists());
    let (code, text) = verify(&e, &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("intact: 5 entries") && text.contains("MACs checked under the audit key: 1"), "{text}");
}
