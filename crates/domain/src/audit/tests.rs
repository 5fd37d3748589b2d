use super::*;

fn chain(n: i64) -> Vec<AuditEntry> {
    keyed_chain(n, None)
}

fn keyed_chain(n: i64, key: Option<&AuditKey>) -> Vec<AuditEntry> {
    let mut prev = GENESIS_HASH.to_owned();
    (1..=n)
        .map(|i| {
            let d = AuditDraft::new(
                "admin",
                "11:mz",
                "11",
                action::USER_CREATED,
                ("user", "u1"),
                &serde_json::json!({"i": i}),
            );
            let e = seal(d, i, 1_700_000_000_000 + i, &prev, key);
            prev = e.hash.clone();
            e
        })
        .collect()
}

fn verify(entries: &[AuditEntry]) -> Result<i64, ChainBreak> {
    let mut v = ChainVerifier::default();
    for e in entries {
        v.check(e)?;
    }
    let head = entries.last().map(|e| (e.seq, e.hash.clone()));
    v.finish(head)
}

#[test]
fn intact_chain_verifies() {
    assert_eq!(verify(&chain(5)), Ok(5));
    assert_eq!(verify(&[]), Ok(0));
}

#[test]
fn edits_and_deletions_name_the_first_broken_entry() {
    let mut c = chain(5);
    c[2].actor = "mallory".into();
    assert_eq!(verify(&c), Err(ChainBreak::HashMismatch { seq: 3 }));

    let mut c = chain(5);
    c[1].detail = "{}".into();
    assert_eq!(verify(&c), Err(ChainBreak::DigestMismatch { seq: 2 }));

    let mut c = chain(5);
    c.remove(3);
    assert_eq!(verify(&c), Err(ChainBreak::Gap { expected: 4, found: 5 }));
}

#[test]
fn truncated_tail_is_caught_by_the_head() {
    let c = chain(5);
    let mut v = ChainVerifier::default();
    for e in &c[..4] {
        v.check(e).unwrap();
    }
    assert_eq!(v.finish(Some((5, c[4].hash.clone()))), Err(ChainBreak::HeadMismatch { head_seq: 5, last_seq: 4 }));
}

fn key() -> AuditKey {
    AuditKey::from_bytes([9; 32])
}

fn verify_keyed(entries: &[AuditEntry], checkpoints: Vec<Checkpoint>) -> Result<i64, ChainBreak> {
    let mut v = ChainVerifier::keyed(key(), checkpoints)?;
    for e in entries {
        v.check(e)?;
    }
    v.finish(entries.last().map(|e| (e.seq, e.hash.clone())))
}

/// Rewrites entry `at` (0-based) and recomputes every later hash, as someone with a
/// database shell but without the key could.
fn rewrite_and_rehash(c: &mut [AuditEntry], at: usize) {
    c[at].actor = "mallory".into();
    for i in at..c.len() {
        let prev = if i == 0 { GENESIS_HASH.to_owned() } else { c[i - 1].hash.clone() };
        let e = &c[i];
        let d = AuditDraft {
            actor: e.actor.clone(),
            unit: e.unit.clone(),
            division: e.division.clone(),
            action: e.action.clone(),
            entity_type: e.entity_type.clone(),
            entity_id: e.entity_id.clone(),
            detail: e.detail.clone(),
        };
        let mac = c[i].mac.clone();
        c[i] = seal(d, e.seq, e.at_ms, &prev, None);
        c[i].mac = mac;
    }
}

#[test]
fn a_rewritten_and_rehashed_chain_is_caught_by_the_key() {
    let k = key();
    let mut c = keyed_chain(6, Some(&k));
    assert_eq!(verify_keyed(&c, vec![]), Ok(6));
    rewrite_and_rehash(&mut c, 2);
    assert_eq!(verify(&c), Ok(6), "the links alone cannot tell");
    assert_eq!(verify_keyed(&c, vec![]), Err(ChainBreak::MacMismatch { seq: 3 }));
    // Dropping the MACs from the rewritten part does not help either.
    for e in &mut c[2..] {
        e.mac.clear();
    }
    assert_eq!(verify_keyed(&c, vec![]), Err(ChainBreak::MacMissing { seq: 3 }));
}

#[test]
fn checkpoints_catch_a_cut_tail_an_emptied_log_and_a_rehashed_unkeyed_chain() {
    let k = key();
    let c = keyed_chain(6, Some(&k));
    let cp = k.checkpoint(5, &c[4].hash, 1);
    assert_eq!(verify_keyed(&c, vec![cp.clone()]), Ok(6));
    // The tail cut below the checkpoint and the head rewound to match.
    assert_eq!(
        verify_keyed(&c[..3], vec![cp.clone()]),
        Err(ChainBreak::CheckpointBeyondLog { checkpoint_seq: 5, last_seq: 3 })
    );
    assert_eq!(
        verify_keyed(&[], vec![cp.clone()]),
        Err(ChainBreak::CheckpointBeyondLog { checkpoint_seq: 5, last_seq: 0 })
    );
    // An unkeyed chain (written before keying) rewritten before the checkpoint.
    let mut old = chain(6);
    let cp_old = k.checkpoint(5, &old[4].hash, 1);
    rewrite_and_rehash(&mut old, 1);
    assert_eq!(verify_keyed(&old, vec![cp_old]), Err(ChainBreak::CheckpointMismatch { seq: 5 }));
    // A checkpoint file edited to an earlier entry is not signed.
    let forged = Checkpoint { seq: 2, hash: c[1].hash.clone(), ..cp };
    assert_eq!(verify_keyed(&c, vec![forged]), Err(ChainBreak::CheckpointForged { seq: 2 }));
}

#[test]
fn blanking_every_mac_and_rehashing_is_caught_by_the_last_entry() {
    let k = key();
    let mut c = keyed_chain(6, Some(&k));
    for e in &mut c {
        e.mac.clear();
    }
    rewrite_and_rehash(&mut c, 3);
    assert_eq!(verify_keyed(&c, vec![]), Err(ChainBreak::MacMissing { seq: 6 }));
    // Cutting a keyed log back to its unkeyed part is caught the same way.
    let mut old = chain(3);
    let mut prev = old[2].hash.clone();
    let d = AuditDraft::new("system", "", "11", action::AUDIT_KEYED, ("audit", "chain"), &serde_json::json!({}));
    let e = seal(d, 4, 1_700_000_000_004, &prev, Some(&k));
    prev = e.hash.clone();
    old.push(e);
    assert_eq!(verify_keyed(&old, vec![]), Ok(4));
    assert_eq!(verify_keyed(&old[..3], vec![]), Err(ChainBreak::MacMissing { seq: 3 }));
    assert!(!prev.is_empty());
}

#[test]
fn unkeyed_entries_before_keying_are_accepted_and_counted() {
    let k = key();
    let mut c = chain(3);
    let mut prev = c[2].hash.clone();
    for i in 4..=5 {
        let d = AuditDraft::new("admin", "11:mz", "11", action::LOGIN, ("user", "u1"), &serde_json::json!({}));
        let e = seal(d, i, 1_700_000_000_000 + i, &prev, Some(&k));
        prev = e.hash.clone();
        c.push(e);
    }
    let mut v = ChainVerifier::keyed(k, vec![]).unwrap();
    for e in &c {
        v.check(e).unwrap();
    }
    assert_eq!(v.keyed_entries(), 2);
    assert_eq!(verify_keyed(&c, vec![]), Ok(5));
    assert!(verify_keyed(&keyed_chain(2, Some(&AuditKey::from_bytes([1; 32]))), vec![]).is_err(), "another key");
}
