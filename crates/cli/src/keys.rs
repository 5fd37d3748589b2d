//! The audit key file: read, or created on first use beside an SQLite database.

use std::io::Write;
use std::path::Path;

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
            write_new(path, &key)?;
            tracing::warn!(
                path = %path.display(),
                "created a new audit key; keep a copy off this machine (audit verify needs it)"
            );
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => anyhow::bail!(
            "the audit key file {} does not exist (set audit_key_file, or verify with --links-only)",
            path.display()
        ),
        Err(e) => Err(e).with_context(|| format!("cannot read the audit key file {}", path.display())),
    }
}

/// Writes a new key file readable by its owner only; never overwrites one.
pub fn write_new(path: &Path, key: &AuditKey) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path).with_context(|| format!("cannot create the audit key file {}", path.display()))?;
    f.write_all(key.to_file_text().as_bytes())?;
    f.sync_all()?;
    Ok(())
}
