//! Files that hold secrets or personal data: created readable by their owner only, and the
//! directory synced after a rename or link so the new name survives a power loss.

use std::path::Path;

use anyhow::Context;

/// Creates `path` empty, readable and writable by its owner only (`VACUUM INTO` and
/// `pg_dump` then write into it).
pub fn create_private(path: &Path) -> anyhow::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path).with_context(|| format!("cannot create {}", path.display()))?;
    Ok(())
}

/// Syncs the directory holding `path`, so that a rename into it survives a power loss.
pub fn sync_dir(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    if let Some(dir) = path.parent().map(|d| if d.as_os_str().is_empty() { Path::new(".") } else { d }) {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .with_context(|| format!("cannot sync {}", dir.display()))?;
    }
    Ok(())
}
