//! `jiujinan backup` and `jiujinan restore`: a consistent copy of the database taken while it
//! is in use, put back in place, and the audit chain verified on both sides. SQLite copies its
//! file (`VACUUM INTO`); PostgreSQL goes through `pg_dump` / `pg_restore`, which must be on the
//! PATH (Debian: `postgresql-client`). See docs/adr/0021-backup-and-restore.md.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use jiujinan_app::audit::ChainStatus;
use jiujinan_app::clock::SystemClock;

use crate::config::Settings;
use crate::files::{create_private, sync_dir};

/// The SQLite file a `sqlite:` URL names, or `None` for PostgreSQL.
fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    rest.split('?').next().filter(|p| !p.is_empty()).map(PathBuf::from)
}

/// Verifies the audit chain of the database at `url` with the configured key, printing the
/// outcome; exit 2 when broken.
async fn verify(settings: &Settings, url: &str, what: &str) -> anyhow::Result<ExitCode> {
    let s = Settings { database_url: url.to_owned(), ..settings.clone() };
    // The key of the database backed up (an SQLite backup file has no key beside it).
    let key_of = Settings { database_url: settings.database_url.clone(), ..settings.clone() };
    let s = Settings { audit_key_file: key_of.audit_key_path(), ..s };
    let missing = s.audit_key_file.as_ref().map(|_| crate::keys::Missing::Fail);
    let app = crate::open::open_with(&s, Arc::new(SystemClock), missing).await?;
    let status = app.verify_audit_chain(&[]).await.map_err(crate::commands::app_err)?;
    app.close().await;
    Ok(match status {
        ChainStatus::Intact { entries, keyed, .. } => {
            println!("{what}: audit chain intact, {entries} entries ({} checked under the key)", keyed.unwrap_or(0));
            ExitCode::SUCCESS
        }
        ChainStatus::Broken(b) => {
            println!("{what}: audit chain BROKEN: {b}");
            ExitCode::from(2)
        }
    })
}

fn tool(name: &str) -> anyhow::Result<PathBuf> {
    let found =
        std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).map(|d| d.join(name)).find(|p| p.is_file()));
    found.ok_or_else(|| {
        anyhow::anyhow!("{name} not found on the PATH: install the PostgreSQL client tools (Debian: postgresql-client)")
    })
}

fn run(mut cmd: std::process::Command, what: &str) -> anyhow::Result<()> {
    let out = cmd.output().with_context(|| format!("cannot run {what}"))?;
    anyhow::ensure!(out.status.success(), "{what} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    Ok(())
}

/// `backup --out FILE`.
pub async fn backup(settings: &Settings, out: &Path) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(!out.exists(), "{} already exists; a backup never overwrites a file", out.display());
    match sqlite_path(&settings.database_url) {
        Some(_) => {
            let app =
                crate::open::open_with(settings, Arc::new(SystemClock), Some(crate::keys::Missing::Create)).await?;
            // An empty file readable by its owner only: the copy holds personal data.
            create_private(out)?;
            if let Err(e) = app.backup_to_file(out).await {
                let _ = std::fs::remove_file(out);
                return Err(crate::commands::app_err(e));
            }
            app.close().await;
            std::fs::File::open(out).and_then(|f| f.sync_all()).context("syncing the backup")?;
            println!("backup written to {}", out.display());
            verify(settings, &format!("sqlite://{}", out.display()), "backup").await
        }
        None => {
            // The live chain first: a dump of a broken chain would only carry the break along.
            let code = verify(settings, &settings.database_url, "database").await?;
            if code != ExitCode::SUCCESS {
                return Ok(code);
            }
            let mut cmd = std::process::Command::new(tool("pg_dump")?);
            let url = without_password(&settings.database_url, &mut cmd);
            create_private(out)?;
            cmd.args(["--format=custom", "--no-owner", "--serializable-deferrable", "--file"]).arg(out).arg(url);
            if let Err(e) = run(cmd, "pg_dump") {
                let _ = std::fs::remove_file(out);
                return Err(e);
            }
            println!("backup written to {} (pg_dump custom format)", out.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `restore --from FILE [--force]`.
pub async fn restore(settings: &Settings, from: &Path, force: bool) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(from.is_file(), "{} is not a file", from.display());
    match sqlite_path(&settings.database_url) {
        Some(target) => {
            anyhow::ensure!(
                force || !target.exists(),
                "{} exists; stop the servers and pass --force to replace it",
                target.display()
            );
            if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            // The copy is verified before anything of the live database is touched.
            let tmp = PathBuf::from(format!("{}.restoring", target.display()));
            let _ = std::fs::remove_file(&tmp);
            std::fs::copy(from, &tmp).with_context(|| format!("cannot copy {}", from.display()))?;
            std::fs::File::open(&tmp).and_then(|f| f.sync_all())?;
            let checked = verify(settings, &format!("sqlite://{}", tmp.display()), "backup to restore").await;
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
            }
            match checked {
                Ok(code) if code == ExitCode::SUCCESS => {}
                other => {
                    let _ = std::fs::remove_file(&tmp);
                    println!("nothing restored: {} stays as it was", target.display());
                    return other;
                }
            }
            for suffix in ["-wal", "-shm"] {
                let stale = PathBuf::from(format!("{}{suffix}", target.display()));
                if stale.exists() {
                    std::fs::remove_file(&stale)?;
                }
            }
            std::fs::rename(&tmp, &target)?;
            sync_dir(&target)?;
            println!("restored {} to {}", from.display(), target.display());
        }
        None => {
            let holds_data = {
                let app = crate::open::open_with(settings, Arc::new(SystemClock), None).await;
                match app {
                    Ok(app) => {
                        let head = app.verify_audit_chain(&[]).await;
                        app.close().await;
                        !matches!(head, Ok(ChainStatus::Intact { entries: 0, .. }))
                    }
                    // Cannot tell (unreachable, another application's schema, a newer
                    // version): assume it holds data.
                    Err(_) => true,
                }
            };
            anyhow::ensure!(force || !holds_data, "the target database holds data; pass --force to replace it");
            let mut cmd = std::process::Command::new(tool("pg_restore")?);
            let url = without_password(&settings.database_url, &mut cmd);
            cmd.args(["--no-owner", "--clean", "--if-exists", "--exit-on-error", "--single-transaction", "--dbname"])
                .arg(url)
                .arg(from);
            run(cmd, "pg_restore")?;
            // A dump carries no planner statistics: gather them before any server plans a query.
            let app = crate::open::open_with(settings, Arc::new(SystemClock), None).await?;
            let analyzed = app.refresh_statistics().await;
            app.close().await;
            analyzed.map_err(crate::commands::app_err)?;
            println!("restored {} into the database", from.display());
        }
    }
    verify(settings, &settings.database_url, "restored database").await
}

/// The URL without its password, which goes to the child in `PGPASSWORD` instead of its
/// command line (where every local user could read it).
fn without_password(url: &str, cmd: &mut std::process::Command) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let Some((auth, host)) = rest.rsplit_once('@') else { return url.to_owned() };
    let Some((user, password)) = auth.split_once(':') else { return url.to_owned() };
    cmd.env("PGPASSWORD", percent_decode(password));
    format!("{scheme}://{user}@{host}")
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (b, hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_command_line() {
        let mut cmd = std::process::Command::new("true");
        assert_eq!(without_password("postgres://app:p%40ss@db:5432/jjn", &mut cmd), "postgres://app@db:5432/jjn");
        let env: Vec<_> = cmd.get_envs().collect();
        assert_eq!(env, vec![(std::ffi::OsStr::new("PGPASSWORD"), Some(std::ffi::OsStr::new("p@ss")))]);
        let mut cmd = std::process::Command::new("true");
        assert_eq!(without_password("postgres://app@db/jjn", &mut cmd), "postgres://app@db/jjn");
        assert_eq!(cmd.get_envs().count(), 0);
    }
}
