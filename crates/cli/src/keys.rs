//! Key files kept outside the database (the audit key, the personal-data keys): read, or
//! created on first use beside an SQLite database; replaced atomically on rotation.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use jiujinan_domain::audit_key::AuditKey;
use jiujinan_domain::pii::PiiKeyring;

/// A key kept in a file of its own.
pub trait KeyFile: Sized {
    /// What the file is called in messages.
    const WHAT: &'static str;
    /// What to do when the file is missing.
    const MISSING_HINT: &'static str;
    fn parse(text: &str) -> Option<Self>;
    fn to_text(&self) -> String;
    fn generate() -> Self;
}

impl KeyFile for AuditKey {
    const WHAT: &'static str = "audit key";
    const MISSING_HINT: &'static str = "set audit_key_file, or verify with --links-only";
    fn parse(text: &str) -> Option<Self> {
        AuditKey::parse(text).ok()
    }
    fn to_text(&self) -> String {
        self.to_file_text()
    }
    fn generate() -> Self {
        jiujinan_app::audit::generate_key()
    }
}

impl KeyFile for PiiKeyring {
    const WHAT: &'static str = "personal-data key";
    const MISSING_HINT: &'static str = "set pii_key_file to where the key file is";
    fn parse(text: &str) -> Option<Self> {
        PiiKeyring::parse(text).ok()
    }
    fn to_text(&self) -> String {
        self.to_file_text()
    }
    fn generate() -> Self {
        PiiKeyring::new(jiujinan_app::pii::generate_key())
    }
}

/// Whether a missing key file is created (commands that write) or an error (verification).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Create,
    Fail,
}

/// Reads the key at `path`; a missing file is created with a new key when `missing` says so.
pub fn load<K: KeyFile>(path: &Path, missing: Missing) -> anyhow::Result<K> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            warn_if_readable_by_others(path, K::WHAT);
            K::parse(&text)
                .ok_or_else(|| anyhow::anyhow!("the {} file {} is not lines of 64 hex digits", K::WHAT, path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && missing == Missing::Create => {
            let key = K::generate();
            match write_new(path, &key) {
                Ok(()) => {
                    tracing::warn!(
                        path = %path.display(),
                        "created a new {}; keep a copy off this machine (without it the data it protects \
                         cannot be checked or read)",
                        K::WHAT
                    );
                    Ok(key)
                }
                // Another process created it meanwhile: use theirs.
                Err(e)
                    if e.downcast_ref::<std::io::Error>()
                        .is_some_and(|io| io.kind() == std::io::ErrorKind::AlreadyExists) =>
                {
                    load(path, Missing::Fail)
                }
                Err(e) => Err(e),
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            anyhow::bail!("the {} file {} does not exist ({})", K::WHAT, path.display(), K::MISSING_HINT)
        }
        Err(e) => Err(e).with_context(|| format!("cannot read the {} file {}", K::WHAT, path.display())),
    }
}

/// Writes a new key file readable by its owner only; never overwrites one. The key is written
/// to a temporary file first and linked into place, so a process racing to create the same key
/// file either wins or finds the other's complete key (`AlreadyExists`), never half a file.
pub fn write_new<K: KeyFile>(path: &Path, key: &K) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    // Unique per attempt (threads share a process id): digits of another random key, never
    // of the key itself, which must not appear in a file name.
    let tag: String = jiujinan_app::audit::generate_key().to_file_text().chars().take(16).collect();
    let tmp = PathBuf::from(format!("{}.{}-{tag}.tmp", path.display(), std::process::id()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let written = opts.open(&tmp).and_then(|mut f| {
        f.write_all(key.to_text().as_bytes())?;
        f.sync_all()
    });
    let linked = written.and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    linked.with_context(|| format!("cannot create the {} file {}", K::WHAT, path.display()))?;
    // The new name must survive a power loss as what is made with the key will.
    crate::files::sync_dir(path)
}

/// Says so when a key file can be read by others than its owner.
fn warn_if_readable_by_others(path: &Path, what: &str) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(m) = std::fs::metadata(path)
            && m.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(path = %path.display(), "the {what} file is readable by others: chmod 600 it");
        }
    }
}

/// A rotation of the key file at a path, held from start to end: a second rotation started
/// meanwhile stops instead of writing a key file the first would then overwrite.
pub struct RotationLock(PathBuf);

impl RotationLock {
    pub fn take(key_file: &Path) -> anyhow::Result<Self> {
        let lock = PathBuf::from(format!("{}.rotate-lock", key_file.display()));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&lock) {
            Ok(_) => Ok(Self(lock)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => anyhow::bail!(
                "another key rotation is running ({} exists; remove it if a rotation was killed)",
                lock.display()
            ),
            Err(e) => Err(e).with_context(|| format!("cannot create {}", lock.display())),
        }
    }
}

impl Drop for RotationLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Replaces the key file at `path` with `key` (a rotated ring): written beside it, synced and
/// renamed over it, so a crash leaves the old file or the new one, never half of one.
pub fn replace<K: KeyFile>(path: &Path, key: &K) -> anyhow::Result<()> {
    let tag: String = jiujinan_app::audit::generate_key().to_file_text().chars().take(16).collect();
    let tmp = PathBuf::from(format!("{}.{tag}.rotate.tmp", path.display()));
    let mut opts = std::fs::OpenOptions::new();
    // A new file (never an old one with other permissions), readable by its owner only.
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let written = opts.open(&tmp).and_then(|mut f| {
        f.write_all(key.to_text().as_bytes())?;
        f.sync_all()
    });
    let renamed = written.and_then(|()| std::fs::rename(&tmp, path));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    renamed.with_context(|| format!("cannot replace the {} file {}", K::WHAT, path.display()))?;
    crate::files::sync_dir(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processes_racing_to_create_the_key_all_get_the_same_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/audit.key");
        let keys: Vec<AuditKey> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8).map(|_| s.spawn(|| load(&path, Missing::Create).unwrap())).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(keys.windows(2).all(|w| w[0] == w[1]), "one key for all");
        assert_eq!(load::<AuditKey>(&path, Missing::Fail).unwrap(), keys[0]);
        assert_eq!(std::fs::read_dir(dir.path().join("sub")).unwrap().count(), 1, "no temporary files left");
        assert!(load::<AuditKey>(&dir.path().join("none.key"), Missing::Fail).is_err());
    }
}
