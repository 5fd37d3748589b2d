//! Personal data sealed at rest: names, ID numbers, phones and addresses of the people helped
//! (and the household file, which lists them) are stored as XChaCha20-Poly1305 ciphertext
//! under a key kept outside the database, and found again through keyed blind indexes.
//!
//! A key file holds one or more 256-bit keys, one per line as 64 hex digits; the last line is
//! the current key, which seals every new value; the earlier ones still open what they
//! sealed until `jiujinan key rotate` has re-sealed it. A key is named by its fingerprint
//! (eight hex digits of an HMAC of the key), so a sealed value names the key that opens it
//! and a wrong key file is recognised instead of producing garbage.
//!
//! A sealed value is `pii1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`. The associated
//! data is the kind of field, so a name's ciphertext cannot be moved into the phone column.
//! A stored value without the prefix is a value written before encryption existed; it reads
//! as itself until the re-seal after the upgrade has sealed it.
//!
//! Exact search (ID number, phone, name and phone for duplicates) compares HMACs under an index
//! key derived from the same key; name search compares HMACs of the name's characters and
//! character pairs. During a rotation, both the current and the previous key's indexes are
//! searched. See docs/adr/0023-pii-at-rest.md.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::ValidationError;

/// Length of a key in bytes.
pub const KEY_BYTES: usize = 32;
/// Length of a nonce in bytes (random per value; 192 bits never repeat by chance).
pub const NONCE_BYTES: usize = 24;
/// What every sealed value starts with.
pub const PREFIX: &str = "pii1:";
/// The longest query searched as part of a name (a longer one cannot be a name).
const MAX_NAME_QUERY_CHARS: usize = 20;

/// Which kind of value is sealed; bound into the ciphertext as associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    IdNumber,
    Phone,
    Address,
    Description,
    Needs,
    Household,
    Economy,
    Population,
    Findings,
}

impl Field {
    fn aad(self) -> &'static [u8] {
        match self {
            Self::Name => b"name",
            Self::IdNumber => b"id_number",
            Self::Phone => b"phone",
            Self::Address => b"address",
            Self::Description => b"description",
            Self::Needs => b"needs",
            Self::Household => b"household",
            Self::Economy => b"economy",
            Self::Population => b"population",
            Self::Findings => b"findings",
        }
    }
}

/// Which exact-match index a value goes into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blind {
    IdNumber,
    Phone,
    Name,
    /// A name and a phone together (the duplicate check when there is no ID number); the value
    /// is [`Blind::name_and_phone`].
    NamePhone,
}

impl Blind {
    fn tag(self) -> &'static [u8] {
        match self {
            Self::IdNumber => b"id_number",
            Self::Phone => b"phone",
            Self::Name => b"name",
            Self::NamePhone => b"name_phone",
        }
    }

    /// The value of a [`Blind::NamePhone`] index: both normalised, separated by a NUL (which
    /// neither can hold).
    pub fn name_and_phone(name: &str, phone: &str) -> String {
        format!("{}\u{0}{}", Self::Name.normalise(name), Self::Phone.normalise(phone))
    }

    /// The form compared: ID numbers upper-case without spaces, phones digits only, names
    /// without white space and in lower case.
    pub fn normalise(self, value: &str) -> String {
        match self {
            Self::IdNumber => value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase(),
            Self::Phone => value.chars().filter(char::is_ascii_digit).collect(),
            Self::Name => value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase(),
            Self::NamePhone => value.to_owned(),
        }
    }
}

/// Why a sealed value could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PiiError {
    #[error("sealed under key {0}, which the key file does not hold")]
    UnknownKey(String),
    #[error("a sealed value fails its authentication check (altered, or moved from another field)")]
    Tampered,
    #[error("a sealed value is malformed")]
    Malformed,
}

/// One key: the master bytes from the key file and the two keys derived from them.
#[derive(Clone)]
pub struct PiiKey {
    id: String,
    master: [u8; KEY_BYTES],
    seal: [u8; KEY_BYTES],
    index: [u8; KEY_BYTES],
}

impl std::fmt::Debug for PiiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PiiKey({})", self.id)
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(m) => m,
        // HMAC takes a key of any length; this cannot happen.
        Err(_) => return [0; 32],
    };
    for p in parts {
        m.update(&(p.len() as u64).to_be_bytes());
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

impl PiiKey {
    /// A key from random bytes (the caller draws them from the operating system).
    pub fn from_bytes(master: [u8; KEY_BYTES]) -> Self {
        let id = hex::encode(hmac(&master, &[b"jiujinan pii key id"]).get(..4).unwrap_or_default());
        let seal = hmac(&master, &[b"jiujinan pii seal v1"]);
        let index = hmac(&master, &[b"jiujinan pii index v1"]);
        Self { id, master, seal, index }
    }

    /// The key's name: eight hex digits of its fingerprint.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn index_hex(&self, parts: &[&[u8]], bytes: usize) -> String {
        hex::encode(hmac(&self.index, parts).get(..bytes).unwrap_or_default())
    }
}

/// The keys of a key file: the current one seals, all of them open.
#[derive(Clone, Debug)]
pub struct PiiKeyring {
    /// The keys before the current one, oldest first.
    older: Vec<PiiKey>,
    current: PiiKey,
}

impl PiiKeyring {
    /// A ring of one key.
    pub fn new(key: PiiKey) -> Self {
        Self { older: Vec::new(), current: key }
    }

    fn keys(&self) -> impl Iterator<Item = &PiiKey> {
        self.older.iter().chain(std::iter::once(&self.current))
    }

    /// Parses a key file: one key per line as 64 hex digits, the last current; blank lines and
    /// `#` comments are skipped.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let bad = || ValidationError::new("INVALID_PII_KEY", "pii_key");
        let mut keys = Vec::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let bytes = hex::decode(line).map_err(|_| bad())?;
            let master: [u8; KEY_BYTES] = bytes.try_into().map_err(|_| bad())?;
            let key = PiiKey::from_bytes(master);
            if keys.iter().any(|k: &PiiKey| k.id == key.id) {
                return Err(bad());
            }
            keys.push(key);
        }
        let current = keys.pop().ok_or_else(bad)?;
        Ok(Self { older: keys, current })
    }

    /// The key file's text: a comment, then one line per key, the current last.
    pub fn to_file_text(&self) -> String {
        let mut s = String::from(
            "# jiujinan personal-data keys: the last line is the current key; earlier lines open\n\
             # values sealed before a rotation. Keep a copy off this machine: without it the\n\
             # names, ID numbers and phones in the database (and in its backups) cannot be read.\n",
        );
        for k in self.keys() {
            s.push_str(&hex::encode(k.master));
            s.push('\n');
        }
        s
    }

    /// This ring with `key` added as the current key.
    pub fn rotated(&self, key: PiiKey) -> Result<Self, ValidationError> {
        if self.contains(&key.id) {
            return Err(ValidationError::new("INVALID_PII_KEY", "pii_key"));
        }
        let mut older = self.older.clone();
        older.push(self.current.clone());
        Ok(Self { older, current: key })
    }

    /// The key that seals new values.
    pub fn current(&self) -> &PiiKey {
        &self.current
    }

    /// The key before the current one (the current one when there is none): its indexes are
    /// searched too until a rotation's re-seal is complete.
    fn previous(&self) -> &PiiKey {
        self.older.last().unwrap_or(&self.current)
    }

    /// The names of the keys, oldest first.
    pub fn ids(&self) -> Vec<&str> {
        self.keys().map(|k| k.id.as_str()).collect()
    }

    /// Whether the ring holds the key named `id`.
    pub fn contains(&self, id: &str) -> bool {
        self.keys().any(|k| k.id == id)
    }

    /// `plain` sealed under the current key with `nonce` (24 random bytes from the caller).
    pub fn seal(&self, field: Field, plain: &str, nonce: [u8; NONCE_BYTES]) -> String {
        let key = self.current();
        let cipher = XChaCha20Poly1305::new((&key.seal).into());
        let sealed = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain.as_bytes(), aad: field.aad() })
            // Encryption fails only past 256 GiB in one value.
            .unwrap_or_default();
        let mut bytes = Vec::with_capacity(NONCE_BYTES + sealed.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&sealed);
        format!("{PREFIX}{}:{}", key.id, B64.encode(bytes))
    }

    /// The plain text of a stored value: opened with the key it names, or (without the prefix)
    /// a value stored before encryption, as it is.
    pub fn open(&self, field: Field, stored: &str) -> Result<String, PiiError> {
        let Some(rest) = stored.strip_prefix(PREFIX) else { return Ok(stored.to_owned()) };
        let (id, body) = rest.split_once(':').ok_or(PiiError::Malformed)?;
        let key = self.keys().find(|k| k.id == id).ok_or_else(|| PiiError::UnknownKey(id.to_owned()))?;
        let bytes = B64.decode(body).map_err(|_| PiiError::Malformed)?;
        if bytes.len() < NONCE_BYTES + 16 {
            return Err(PiiError::Malformed);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let cipher = XChaCha20Poly1305::new((&key.seal).into());
        let plain = cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad: field.aad() })
            .map_err(|_| PiiError::Tampered)?;
        String::from_utf8(plain).map_err(|_| PiiError::Malformed)
    }

    /// The key a stored value is sealed under (`None`: stored before encryption).
    pub fn sealed_under(stored: &str) -> Option<&str> {
        stored.strip_prefix(PREFIX).and_then(|rest| rest.split_once(':')).map(|(id, _)| id)
    }

    /// Whether a stored value is sealed under the current key (nothing to re-seal).
    pub fn is_current(&self, stored: &str) -> bool {
        Self::sealed_under(stored) == Some(self.current().id.as_str())
    }

    /// The exact-match index of `value` under the current key (32 hex digits).
    pub fn blind(&self, kind: Blind, value: &str) -> String {
        Self::blind_with(self.current(), kind, value)
    }

    /// The index under the current and the previous key, for lookups during a rotation.
    pub fn blind_both(&self, kind: Blind, value: &str) -> [String; 2] {
        [Self::blind_with(self.current(), kind, value), Self::blind_with(self.previous(), kind, value)]
    }

    fn blind_with(key: &PiiKey, kind: Blind, value: &str) -> String {
        key.index_hex(&[b"blind", kind.tag(), kind.normalise(value).as_bytes()], 16)
    }

    /// The search tokens of a name under the current key: each character and each pair of
    /// neighbouring characters, hashed, space-separated with a space at both ends (so a
    /// `LIKE '% token %'` matches whole tokens only).
    pub fn name_tokens(&self, name: &str) -> String {
        let chars: Vec<char> = Blind::Name.normalise(name).chars().collect();
        let mut grams: Vec<String> = chars.iter().map(char::to_string).collect();
        grams.extend(chars.windows(2).map(|w| w.iter().collect::<String>()));
        grams.sort();
        grams.dedup();
        let key = self.current();
        let mut s = String::from(" ");
        for g in grams {
            s.push_str(&token_with(key, &g));
            s.push(' ');
        }
        s
    }

    /// What a name query must find among a name's tokens: one entry per token (its hash under
    /// the current and the previous key); every entry must match. A one-character query is its
    /// character; a longer one, its pairs. Empty when the query cannot be part of a name.
    pub fn name_query(&self, q: &str) -> Vec<[String; 2]> {
        let chars: Vec<char> = Blind::Name.normalise(q).chars().collect();
        if chars.is_empty() || chars.len() > MAX_NAME_QUERY_CHARS {
            return Vec::new();
        }
        let mut grams: Vec<String> = if chars.len() == 1 {
            chars.iter().map(char::to_string).collect()
        } else {
            chars.windows(2).map(|w| w.iter().collect()).collect()
        };
        grams.sort();
        grams.dedup();
        grams.iter().map(|g| [token_with(self.current(), g), token_with(self.previous(), g)]).collect()
    }
}

fn token_with(key: &PiiKey, gram: &str) -> String {
    key.index_hex(&[b"token", gram.as_bytes()], 8)
}

/// A value shown where the full one is not needed: an ID number as its first six and last
/// four characters, a phone as its first three and last four digits, a name as its first
/// character; anything short is starred out entirely.
pub fn mask(kind: Blind, value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let keep = |head: usize, tail: usize| -> String {
        if chars.len() <= head + tail {
            return "*".repeat(chars.len().max(1));
        }
        let mut s: String = chars.iter().take(head).collect();
        s.push_str(&"*".repeat(chars.len() - head - tail));
        s.extend(chars.iter().skip(chars.len() - tail));
        s
    };
    match kind {
        Blind::IdNumber => keep(6, 4),
        Blind::Phone => keep(3, 4),
        Blind::Name | Blind::NamePhone => match chars.first() {
            Some(c) => format!("{c}{}", "*".repeat(chars.len().saturating_sub(1).max(1))),
            None => String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn ring(b: u8) -> PiiKeyring {
        PiiKeyring::new(PiiKey::from_bytes([b; KEY_BYTES]))
    }

    #[test]
    fn seals_and_opens_and_hides_the_text() {
        let r = ring(1);
        let s = r.seal(Field::Name, "张三丰", [7; NONCE_BYTES]);
        assert!(s.starts_with(PREFIX));
        assert!(!s.contains("张"));
        assert_eq!(r.open(Field::Name, &s).unwrap(), "张三丰");
        assert!(r.is_current(&s));
        // Two seals of one value differ (fresh nonce), so equal values are not visible as equal.
        assert_ne!(s, r.seal(Field::Name, "张三丰", [8; NONCE_BYTES]));
    }

    #[test]
    fn a_value_moved_to_another_field_or_altered_is_refused() {
        let r = ring(1);
        let s = r.seal(Field::Name, "张三丰", [7; NONCE_BYTES]);
        assert_eq!(r.open(Field::Phone, &s), Err(PiiError::Tampered));
        let mut altered = s.clone();
        let last = altered.pop().unwrap();
        altered.push(if last == 'A' { 'B' } else { 'A' });
        assert!(r.open(Field::Name, &altered).is_err());
        assert_eq!(ring(2).open(Field::Name, &s), Err(PiiError::UnknownKey(ring(1).current().id().to_owned())));
    }

    #[test]
    fn values_stored_before_encryption_read_as_themselves() {
        assert_eq!(ring(1).open(Field::Name, "李四").unwrap(), "李四");
        assert_eq!(PiiKeyring::sealed_under("李四"), None);
    }

    #[test]
    fn a_rotated_ring_opens_old_values_and_seals_under_the_new_key() {
        let old = ring(1);
        let s = old.seal(Field::Phone, "13800000000", [1; NONCE_BYTES]);
        let new = old.rotated(PiiKey::from_bytes([2; KEY_BYTES])).unwrap();
        assert_eq!(new.open(Field::Phone, &s).unwrap(), "13800000000");
        assert!(!new.is_current(&s));
        assert!(new.is_current(&new.seal(Field::Phone, "1", [1; NONCE_BYTES])));
        let [cur, prev] = new.blind_both(Blind::Phone, "138 0000 0000");
        assert_eq!(prev, old.blind(Blind::Phone, "13800000000"));
        assert_ne!(cur, prev);
        // The file keeps both keys, the new one last.
        let back = PiiKeyring::parse(&new.to_file_text()).unwrap();
        assert_eq!(back.ids(), new.ids());
        assert_eq!(back.current().id(), new.current().id());
        assert!(new.rotated(PiiKey::from_bytes([2; KEY_BYTES])).is_err());
    }

    #[test]
    fn key_files_are_checked() {
        assert!(PiiKeyring::parse("").is_err());
        assert!(PiiKeyring::parse("# only a comment\n").is_err());
        assert!(PiiKeyring::parse("abcd\n").is_err());
        let line = hex::encode([3u8; KEY_BYTES]);
        assert!(PiiKeyring::parse(&format!("{line}\n{line}\n")).is_err());
        assert_eq!(PiiKeyring::parse(&format!("  {line}  \n")).unwrap().ids().len(), 1);
    }

    #[test]
    fn blind_indexes_normalise_and_depend_on_the_key() {
        let r = ring(1);
        assert_eq!(r.blind(Blind::IdNumber, "11010519491231002x"), r.blind(Blind::IdNumber, "11010519491231002X"));
        assert_eq!(r.blind(Blind::Phone, "138-0000-0000"), r.blind(Blind::Phone, "13800000000"));
        assert_ne!(r.blind(Blind::Phone, "13800000000"), r.blind(Blind::Name, "13800000000"));
        assert_ne!(r.blind(Blind::Phone, "13800000000"), ring(2).blind(Blind::Phone, "13800000000"));
        assert_eq!(r.blind(Blind::Name, "x").len(), 32);
    }

    #[test]
    fn name_queries_match_the_names_that_contain_them() {
        let r = ring(1);
        let finds = |name: &str, q: &str| {
            let tokens = r.name_tokens(name);
            let need = r.name_query(q);
            !need.is_empty() && need.iter().all(|[t, _]| tokens.contains(&format!(" {t} ")))
        };
        assert!(finds("张三丰", "张"));
        assert!(finds("张三丰", "三丰"));
        assert!(finds("张三丰", "张三丰"));
        assert!(finds("John Smith", "smi"));
        assert!(!finds("张三丰", "张丰"));
        assert!(!finds("张三丰", "李"));
        assert!(r.name_query("").is_empty());
        assert!(r.name_query(&"长".repeat(21)).is_empty());
        assert!(!r.name_tokens("张三丰").contains("张"));
    }

    #[test]
    fn masks_keep_only_what_identifies_nobody() {
        assert_eq!(mask(Blind::IdNumber, "11010519491231002X"), "110105********002X");
        assert_eq!(mask(Blind::Phone, "13800001234"), "138****1234");
        assert_eq!(mask(Blind::Name, "张三丰"), "张**");
        assert_eq!(mask(Blind::Name, "张"), "张*");
        assert_eq!(mask(Blind::Phone, "123"), "***");
    }
}
