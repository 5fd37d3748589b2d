//! Application-generated identifiers and secrets.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new id: 12 hex digits of milliseconds (so ids sort by creation) and 20 random ones.
pub fn new_id(now_ms: i64) -> String {
    let mut r = [0u8; 10];
    rand::rng().fill_bytes(&mut r);
    format!("{:012x}{}", now_ms.max(0), hex::encode(r))
}

/// A new secret token (256 random bits, hex).
pub fn new_secret() -> String {
    let mut r = [0u8; 32];
    rand::rng().fill_bytes(&mut r);
    hex::encode(r)
}

/// The SHA-256 of a secret, as stored: the database never holds a usable token.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_sort_by_time_and_differ() {
        let a = super::new_id(1_000);
        let b = super::new_id(2_000);
        assert!(a < b);
        assert_ne!(super::new_id(1_000), super::new_id(1_000));
        assert_eq!(a.len(), 32);
        assert_ne!(super::new_secret(), super::new_secret());
        assert_eq!(super::secret_hash("x").len(), 64);
    }
}
