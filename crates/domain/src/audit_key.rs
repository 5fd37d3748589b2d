//! The audit chain's key: an HMAC-SHA-256 key kept outside the database. Each entry carries
//! `mac = HMAC(key, "entry" ‖ hash)`, and checkpoints of the head, written to a file (or
//! wherever an operator keeps them) as `HMAC(key, "checkpoint" ‖ seq ‖ hash ‖ at)`, pin how
//! long the chain was and what it ended with.
//!
//! Without the key, someone with a database shell can still recompute every SHA-256 link,
//! but not the MACs; and no rewrite of the entries can reach back past a checkpoint, nor
//! can cutting or emptying the log hide from one. See docs/adr/0004-audit-chain.md.

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::ValidationError;

/// Length of a key in bytes.
pub const KEY_BYTES: usize = 32;

/// A 256-bit HMAC key. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey([u8; KEY_BYTES]);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(…)")
    }
}

impl AuditKey {
    /// A key from random bytes (the caller draws them from the OS).
    pub fn from_bytes(bytes: [u8; KEY_BYTES]) -> Self {
        Self(bytes)
    }

    /// Parses the key file's text: 64 hex digits (surrounding whitespace ignored).
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let bad = || ValidationError::new("INVALID_AUDIT_KEY", "audit_key");
        let bytes = hex::decode(text.trim()).map_err(|_| bad())?;
        let arr: [u8; KEY_BYTES] = bytes.try_into().map_err(|_| bad())?;
        Ok(Self(arr))
    }

    /// The key file's text: 64 hex digits and a newline.
    pub fn to_file_text(&self) -> String {
        format!("{}\n", hex::encode(self.0))
    }

    fn mac(&self, parts: &[&[u8]]) -> String {
        // A key of any length is accepted by HMAC; 32 bytes cannot fail.
        let mut m = match <Hmac<Sha256> as Mac>::new_from_slice(&self.0) {
            Ok(m) => m,
            Err(_) => return String::new(),
        };
        for p in parts {
            m.update(&(p.len() as u64).to_be_bytes());
            m.update(p);
        }
        hex::encode(m.finalize().into_bytes())
    }

    /// The MAC of the entry whose hash is `hash`.
    pub fn entry_mac(&self, hash: &str) -> String {
        self.mac(&[b"entry", hash.as_bytes()])
    }

    /// A signed checkpoint of the head `(seq, hash)` taken at `at_ms`.
    pub fn checkpoint(&self, seq: i64, hash: &str, at_ms: i64) -> Checkpoint {
        let mac = self.checkpoint_mac(seq, hash, at_ms);
        Checkpoint { seq, hash: hash.to_owned(), at_ms, mac }
    }

    fn checkpoint_mac(&self, seq: i64, hash: &str, at_ms: i64) -> String {
        self.mac(&[b"checkpoint", seq.to_string().as_bytes(), hash.as_bytes(), at_ms.to_string().as_bytes()])
    }

    /// Whether the checkpoint was signed with this key.
    pub fn signed(&self, c: &Checkpoint) -> bool {
        constant_eq(&self.checkpoint_mac(c.seq, &c.hash, c.at_ms), &c.mac)
    }

    /// Whether `mac` is this key's MAC of the entry hash `hash`.
    pub fn entry_signed(&self, hash: &str, mac: &str) -> bool {
        constant_eq(&self.entry_mac(hash), mac)
    }
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A signed record of the chain's head at a moment: one line of a checkpoint file,
/// `seq hash at_ms mac`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub at_ms: i64,
    pub mac: String,
}

impl Checkpoint {
    /// The line written to a checkpoint file.
    pub fn to_line(&self) -> String {
        format!("{} {} {} {}", self.seq, self.hash, self.at_ms, self.mac)
    }

    /// Parses one line; `None` when it is not a checkpoint (the line number is reported).
    pub fn parse_line(line: &str) -> Option<Self> {
        let mut it = line.split_whitespace();
        let seq = it.next()?.parse().ok()?;
        let hash = it.next()?.to_owned();
        let at_ms = it.next()?.parse().ok()?;
        let mac = it.next()?.to_owned();
        it.next().is_none().then_some(Self { seq, hash, at_ms, mac })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_are_not_shown() {
        let k = AuditKey::from_bytes([7; KEY_BYTES]);
        assert_eq!(AuditKey::parse(&k.to_file_text()), Ok(k.clone()));
        assert!(AuditKey::parse("abc").is_err());
        assert!(AuditKey::parse(&"0".repeat(62)).is_err(), "31 bytes");
        assert_eq!(format!("{k:?}"), "AuditKey(…)");
    }

    #[test]
    fn macs_depend_on_the_key_and_the_hash() {
        let k = AuditKey::from_bytes([1; KEY_BYTES]);
        let other = AuditKey::from_bytes([2; KEY_BYTES]);
        let m = k.entry_mac("abc");
        assert_eq!(m.len(), 64);
        assert!(k.entry_signed("abc", &m));
        assert!(!k.entry_signed("abd", &m));
        assert!(!other.entry_signed("abc", &m));
    }

    #[test]
    fn checkpoints_are_signed_lines() {
        let k = AuditKey::from_bytes([1; KEY_BYTES]);
        let c = k.checkpoint(42, "ff00", 1_700_000_000_000);
        let back = Checkpoint::parse_line(&c.to_line()).unwrap();
        assert_eq!(back, c);
        assert!(k.signed(&back));
        let forged = Checkpoint { seq: 41, ..back.clone() };
        assert!(!k.signed(&forged), "moving a checkpoint back breaks its MAC");
        assert!(!AuditKey::from_bytes([3; KEY_BYTES]).signed(&back));
        assert_eq!(Checkpoint::parse_line("1 2 3"), None);
        assert_eq!(Checkpoint::parse_line("x ff 3 aa"), None);
    }
}
