//! The tamper-evident audit chain.
//!
//! Each entry stores a SHA-256 digest of its change and the hash of the previous entry; the
//! entry's own hash covers both. Editing any stored field, deleting a row in the middle or
//! cutting the tail (checked against the stored head) breaks the chain, and the verifier
//! names the first broken entry. See docs/adr/0004-audit-chain.md.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::audit_key::{AuditKey, Checkpoint};

/// The hash that precedes the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Actions recorded in the audit log. Stable codes: auditors filter by them.
pub mod action;

/// What a use case wants recorded; the store adds sequence, time and hashes in the same
/// transaction as the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditDraft {
    /// Username of the actor, or `system` / `cli` for non-interactive actors.
    pub actor: String,
    /// Unit code the actor acted for (empty for the system).
    pub unit: String,
    /// The division the record belongs to, for scoping reads of the log.
    pub division: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// JSON describing the change (never secrets).
    pub detail: String,
}

impl AuditDraft {
    /// Builds a draft, serialising `detail` to JSON.
    pub fn new(
        actor: &str,
        unit: &str,
        division: &str,
        action: &str,
        entity: (&str, &str),
        detail: &serde_json::Value,
    ) -> Self {
        Self {
            actor: actor.to_owned(),
            unit: unit.to_owned(),
            division: division.to_owned(),
            action: action.to_owned(),
            entity_type: entity.0.to_owned(),
            entity_id: entity.1.to_owned(),
            detail: detail.to_string(),
        }
    }
}

/// A stored audit entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at_ms: i64,
    pub actor: String,
    pub unit: String,
    pub division: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub detail: String,
    pub digest: String,
    pub prev_hash: String,
    pub hash: String,
    /// HMAC of `hash` under the audit key (empty for entries written before the chain was
    /// keyed, or by a store opened without a key).
    pub mac: String,
}

/// SHA-256 of the change description, hex.
pub fn digest(detail: &str) -> String {
    hex::encode(Sha256::digest(detail.as_bytes()))
}

/// The hash of an entry: every stored field, length-prefixed so fields cannot run together.
pub fn entry_hash(prev_hash: &str, seq: i64, at_ms: i64, d: &AuditDraft, digest: &str) -> String {
    let mut h = Sha256::new();
    let seq_s = seq.to_string();
    let at_s = at_ms.to_string();
    let fields: [&str; 10] =
        [prev_hash, &seq_s, &at_s, &d.actor, &d.unit, &d.division, &d.action, &d.entity_type, &d.entity_id, digest];
    for f in fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Seals a draft as entry `seq` following `prev_hash`, with its MAC when the store has a key.
pub fn seal(draft: AuditDraft, seq: i64, at_ms: i64, prev_hash: &str, key: Option<&AuditKey>) -> AuditEntry {
    let digest = digest(&draft.detail);
    let hash = entry_hash(prev_hash, seq, at_ms, &draft, &digest);
    let mac = key.map(|k| k.entry_mac(&hash)).unwrap_or_default();
    AuditEntry {
        seq,
        at_ms,
        actor: draft.actor,
        unit: draft.unit,
        division: draft.division,
        action: draft.action,
        entity_type: draft.entity_type,
        entity_id: draft.entity_id,
        detail: draft.detail,
        digest,
        prev_hash: prev_hash.to_owned(),
        hash,
        mac,
    }
}

/// Why the chain is broken at an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ChainBreak {
    /// The entry's sequence number is not the one expected: entries were deleted.
    Gap { expected: i64, found: i64 },
    /// The entry does not point at the previous entry's hash.
    PrevHashMismatch { seq: i64 },
    /// The stored digest does not match the stored detail: the detail was edited.
    DigestMismatch { seq: i64 },
    /// The stored hash does not match the entry's fields: a field was edited.
    HashMismatch { seq: i64 },
    /// The recorded head is not the last entry: the tail was cut or the head was edited.
    HeadMismatch { head_seq: i64, last_seq: i64 },
    /// The head names the last entry but with another hash: the head or the entry was edited.
    HeadHashMismatch { seq: i64 },
    /// The head row is gone (the table was dropped or emptied).
    HeadMissing,
    /// A keyed chain has an entry without a MAC after keyed entries: it was rewritten.
    MacMissing { seq: i64 },
    /// The entry's MAC does not match under the key: rewritten, or verified with another key.
    MacMismatch { seq: i64 },
    /// A checkpoint names an entry the log no longer holds: the tail was cut or the log emptied.
    CheckpointBeyondLog { checkpoint_seq: i64, last_seq: i64 },
    /// The entry a checkpoint names has another hash: the chain was rewritten and rehashed.
    CheckpointMismatch { seq: i64 },
    /// A checkpoint's own MAC does not match: the checkpoint file was edited, or another key.
    CheckpointForged { seq: i64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Gap { expected, found } => write!(f, "entry {expected} is missing (next entry found is {found})"),
            Self::PrevHashMismatch { seq } => write!(f, "entry {seq} does not link to the previous entry"),
            Self::DigestMismatch { seq } => write!(f, "entry {seq}: detail does not match its digest (edited)"),
            Self::HashMismatch { seq } => write!(f, "entry {seq}: fields do not match its hash (edited)"),
            Self::HeadMismatch { head_seq, last_seq } => {
                write!(f, "chain head says entry {head_seq} is last but the log ends at {last_seq} (entries removed)")
            }
            Self::HeadHashMismatch { seq } => write!(f, "chain head does not match the hash of entry {seq} (edited)"),
            Self::HeadMissing => write!(f, "the chain head (audit_head) is missing (dropped or emptied)"),
            Self::MacMissing { seq } => write!(f, "entry {seq} has no MAC although earlier entries do (rewritten)"),
            Self::MacMismatch { seq } => {
                write!(f, "entry {seq}: MAC does not match under the audit key (rewritten, or another key)")
            }
            Self::CheckpointBeyondLog { checkpoint_seq, last_seq } => write!(
                f,
                "a checkpoint records entry {checkpoint_seq} but the log ends at {last_seq} (entries removed)"
            ),
            Self::CheckpointMismatch { seq } => {
                write!(f, "entry {seq} does not have the hash its checkpoint recorded (chain rewritten)")
            }
            Self::CheckpointForged { seq } => {
                write!(f, "the checkpoint of entry {seq} is not signed by the audit key (forged, or another key)")
            }
        }
    }
}

/// Checks entries one at a time, in sequence order, keeping only the running state, so the
/// whole log never has to sit in memory.
///
/// With a key, every entry's MAC is checked too (entries before the first keyed one, written
/// before the chain was keyed, are counted as unkeyed), and so are checkpoints: each must be
/// signed by the key, and the entry it names must still be there with the hash it recorded.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    next_seq: i64,
    prev_hash: String,
    key: Option<AuditKey>,
    keyed: i64,
    /// Whether the last entry seen carried a valid MAC.
    last_keyed: bool,
    /// Checkpoints not reached yet, by descending `seq` (the next one is last).
    checkpoints: Vec<Checkpoint>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            next_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
            key: None,
            keyed: 0,
            last_keyed: false,
            checkpoints: Vec::new(),
        }
    }
}

impl ChainVerifier {
    /// A verifier that checks MACs and checkpoints under `key`. A checkpoint the key did not
    /// sign is a break before any entry is read.
    pub fn keyed(key: AuditKey, mut checkpoints: Vec<Checkpoint>) -> Result<Self, ChainBreak> {
        if let Some(c) = checkpoints.iter().find(|c| !key.signed(c)) {
            return Err(ChainBreak::CheckpointForged { seq: c.seq });
        }
        checkpoints.sort_by_key(|c| std::cmp::Reverse(c.seq));
        Ok(Self { key: Some(key), checkpoints, ..Self::default() })
    }

    /// The last entry checked (`seq`, `hash`): what a checkpoint of this verification signs.
    pub fn last(&self) -> (i64, String) {
        (self.next_seq - 1, self.prev_hash.clone())
    }

    /// Entries that carried a valid MAC so far.
    pub fn keyed_entries(&self) -> i64 {
        self.keyed
    }

    /// Checks the next entry; the first error is the first broken entry.
    pub fn check(&mut self, e: &AuditEntry) -> Result<(), ChainBreak> {
        if e.seq != self.next_seq {
            return Err(ChainBreak::Gap { expected: self.next_seq, found: e.seq });
        }
        if e.prev_hash != self.prev_hash {
            return Err(ChainBreak::PrevHashMismatch { seq: e.seq });
        }
        if digest(&e.detail) != e.digest {
            return Err(ChainBreak::DigestMismatch { seq: e.seq });
        }
        let draft = AuditDraft {
            actor: e.actor.clone(),
            unit: e.unit.clone(),
            division: e.division.clone(),
            action: e.action.clone(),
            entity_type: e.entity_type.clone(),
            entity_id: e.entity_id.clone(),
            detail: e.detail.clone(),
        };
        if entry_hash(&e.prev_hash, e.seq, e.at_ms, &draft, &e.digest) != e.hash {
            return Err(ChainBreak::HashMismatch { seq: e.seq });
        }
        if let Some(key) = &self.key {
            if e.mac.is_empty() {
                if self.keyed > 0 {
                    return Err(ChainBreak::MacMissing { seq: e.seq });
                }
                self.last_keyed = false;
            } else if key.entry_signed(&e.hash, &e.mac) {
                self.keyed += 1;
                self.last_keyed = true;
            } else {
                return Err(ChainBreak::MacMismatch { seq: e.seq });
            }
        }
        while let Some(c) = self.checkpoints.last() {
            if c.seq > e.seq {
                break;
            }
            if c.seq == e.seq && c.hash != e.hash {
                return Err(ChainBreak::CheckpointMismatch { seq: e.seq });
            }
            self.checkpoints.pop();
        }
        self.next_seq += 1;
        self.prev_hash = e.hash.clone();
        Ok(())
    }

    /// Checks the stored head `(seq, hash)` against the last entry seen.
    ///
    /// With a key, the last entry must carry a valid MAC: a keyed store appends an
    /// `audit.keyed` entry when it opens a chain whose last entry has none, so after keying
    /// the chain always ends keyed. Someone who blanks every MAC and rehashes the log, or cuts
    /// it back to its unkeyed part, is caught here: the last hash is theirs and they cannot
    /// sign it.
    pub fn finish(&self, head: Option<(i64, String)>) -> Result<i64, ChainBreak> {
        let last_seq = self.next_seq - 1;
        if self.key.is_some() && last_seq > 0 && !self.last_keyed {
            return Err(ChainBreak::MacMissing { seq: last_seq });
        }
        if let Some(c) = self.checkpoints.first() {
            return Err(ChainBreak::CheckpointBeyondLog { checkpoint_seq: c.seq, last_seq });
        }
        match head {
            None if last_seq == 0 => Ok(0),
            Some((seq, hash)) if seq == last_seq && hash == self.prev_hash => Ok(last_seq),
            Some((seq, _)) if seq == last_seq => Err(ChainBreak::HeadHashMismatch { seq }),
            Some((seq, _)) => Err(ChainBreak::HeadMismatch { head_seq: seq, last_seq }),
            None => Err(ChainBreak::HeadMissing),
        }
    }
}

#[cfg(test)]
mod tests;
