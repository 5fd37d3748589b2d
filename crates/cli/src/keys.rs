//! The audit key file: read, or created on first use beside an SQLite database.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use jiujinan_domain::audit_key::AuditKey;

/// Whether a missing key file is created (commands that write) or an error (verification).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Create,
    Fail,
}

/// Reads the key at `path`; a missing file is created with a new key when `missing` says so.
pub fn load(path: &Path, missing: Missing) -> anyhow::Result<AuditKey> {
    match std::fs::read_to_string(path) {
        Ok(text) => AuditKey::parse(&text)
            .map_err(|_| anyhow::anyhow!("the audit key file {} is not 64 hex digits", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && missing == Missing::Create => {
            let key = jiujinan_app::audit::generate_key();
            match write_new(path, &key) {
                Ok(()) => {
                    tracing::warn!(
                        path = %path.display(),
                        "created a new audit key; keep a copy off this machine (audit verify needs it)"
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
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => anyhow::bail!(
            "the audit key file {} does not exist (set audit_key_file, or verify with --links-only)",
            path.display()
        ),
        Err(e) => Err(e).with_context(|| format!("cannot read the audit key file {}", path.display())),
    }
}

/// Writes a new key file readable by its owner only; never overwrites one. The key is written
/// to a temporary file first and linked into place, so a process racing to create the same key
/// file either wins or finds the other's complete key (`AlreadyExists`), never half a file.
pub fn write_new(path: &Path, key: &AuditKey) -> anyhow::Result<()> {
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
        f.write_all(key.to_file_text().as_bytes())?;
        f.sync_all()
    });
    let linked = written.and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    linked.with_context(|| format!("cannot create the audit key file {}", path.display()))?;
    // The new name must survive a power loss as the MACs made with the key will.
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
        assert_eq!(load(&path, Missing::Fail).unwrap(), keys[0]);
        assert_eq!(std::fs::read_dir(dir.path().join("sub")).unwrap().count(), 1, "no temporary files left");
        assert!(load(&dir.path().join("none.key"), Missing::Fail).is_err());
    }
}
