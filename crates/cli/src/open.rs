//! Opening the store and the app with the keys kept outside the database: the audit key
//! (created beside an SQLite file, never replaced under a keyed chain), the personal-data keys
//! (created on first use, never replaced while values are sealed under them) and the re-seal a
//! start runs after a rotation or the upgrade that brought encryption; and `key rotate`.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use jiujinan_app::App;
use jiujinan_app::clock::SystemClock;
use jiujinan_domain::pii::PiiKeyring;
use jiujinan_store::Keys;

use crate::commands::app_err;
use crate::config::Settings;
use crate::keys::{self, Missing};

pub(crate) async fn open(settings: &Settings) -> anyhow::Result<App> {
    open_keyed(settings, Missing::Create).await
}

pub(crate) async fn open_keyed(settings: &Settings, missing: Missing) -> anyhow::Result<App> {
    let clock: Arc<dyn jiujinan_app::clock::Clock> =
        if settings.test_clock { Arc::new(jiujinan_app::clock::OffsetClock::default()) } else { Arc::new(SystemClock) };
    open_with(settings, clock, Some(missing)).await
}

pub(crate) async fn open_with_clock(
    settings: &Settings,
    clock: Arc<dyn jiujinan_app::clock::Clock>,
) -> anyhow::Result<App> {
    open_with(settings, clock, Some(Missing::Create)).await
}

/// Opens the store and the app; the audit key is loaded (`Some`) or left out (`None`, for a
/// links-only verification). Commands that write (`Some(Missing::Create)`) also load the
/// personal-data keys; the others (verification, checkpoints, backups) never touch personal
/// data and write nothing of their own.
pub(crate) async fn open_with(
    settings: &Settings,
    clock: Arc<dyn jiujinan_app::clock::Clock>,
    key: Option<Missing>,
) -> anyhow::Result<App> {
    Ok(open_with_report(settings, clock, key).await?.0)
}

/// [`open_with`], also saying what the start re-sealed under the current personal-data key.
async fn open_with_report(
    settings: &Settings,
    clock: Arc<dyn jiujinan_app::clock::Clock>,
    key: Option<Missing>,
) -> anyhow::Result<(App, Option<jiujinan_store::ResealReport>)> {
    let audit_key = match (key, settings.audit_key_path()) {
        (Some(Missing::Create), Some(path)) if !path.exists() => {
            // A chain that already carries MACs must never get a new key: it would verify
            // under neither. Look before creating one.
            let probe = open_with_key(settings, clock.clone(), None).await?;
            let keyed = probe.audit_chain_is_keyed().await.map_err(app_err)?;
            probe.close().await;
            // Another process starting at the same time may have created the key meanwhile.
            anyhow::ensure!(
                !keyed || path.exists(),
                "the audit chain of this database is keyed but the key file {} is missing: put the key \
                 file back (or set audit_key_file to where it is); a new key would break the chain",
                path.display()
            );
            Some(keys::load(&path, Missing::Create)?)
        }
        (Some(missing), Some(path)) => Some(keys::load(&path, missing)?),
        (Some(Missing::Fail), None) => {
            anyhow::bail!("no audit key file is configured (set audit_key_file, or verify with --links-only)")
        }
        (Some(Missing::Create), None) => {
            tracing::warn!("audit_key_file is not set: audit entries are written without a MAC");
            None
        }
        (None, _) => None,
    };
    let writing = key == Some(Missing::Create);
    let pii = if writing { pii_keys(settings).await? } else { None };
    let keyed = writing && audit_key.is_some();
    let (app, report) = open_with_keys(settings, clock, Keys { audit: audit_key, pii }).await?;
    if keyed {
        app.ensure_chain_keyed().await.map_err(app_err)?;
    }
    Ok((app, report))
}

/// The personal-data keys of a command that writes: read from their file, or, when the file
/// does not exist yet, created, but never for a database with values sealed under another key.
async fn pii_keys(settings: &Settings) -> anyhow::Result<Option<PiiKeyring>> {
    let Some(path) = settings.pii_key_path() else {
        // Said after the database answers, so an unreachable server is named first.
        let (probe, _) = open_with_keys(settings, Arc::new(SystemClock), Keys::default()).await?;
        probe.close().await;
        anyhow::bail!(
            "pii_key_file is not set: names, ID numbers and phones are sealed under a key kept outside the \
             database. Create one with `jiujinan key generate --pii --out FILE` and set pii_key_file (or \
             JIUJINAN_PII_KEY_FILE) on every server"
        );
    };
    if path.exists() {
        return Ok(Some(keys::load(&path, Missing::Fail)?));
    }
    let (probe, _) = open_with_keys(settings, Arc::new(SystemClock), Keys::default()).await?;
    let sealed_under = probe.pii_key_ids().await.map_err(app_err)?;
    probe.close().await;
    // Another process starting at the same time may have created the key meanwhile.
    anyhow::ensure!(
        sealed_under.is_empty() || path.exists(),
        "personal data in this database is sealed under key {} but the key file {} is missing: put the key \
         file back (or set pii_key_file to where it is); a new key could not read it",
        sealed_under.join(", "),
        path.display()
    );
    Ok(Some(keys::load(&path, Missing::Create)?))
}

/// Connects, migrates and builds the app with `audit_key` (entries sealed with it).
async fn open_with_key(
    settings: &Settings,
    clock: Arc<dyn jiujinan_app::clock::Clock>,
    audit_key: Option<jiujinan_domain::audit_key::AuditKey>,
) -> anyhow::Result<App> {
    Ok(open_with_keys(settings, clock, Keys { audit: audit_key, pii: None }).await?.0)
}

/// Connects, migrates and builds the app with `keys`; with personal-data keys, brings every
/// value under the current one first (after a rotation or the upgrade that brought encryption)
/// and says what it re-sealed.
async fn open_with_keys(
    settings: &Settings,
    clock: Arc<dyn jiujinan_app::clock::Clock>,
    keys: Keys,
) -> anyhow::Result<(App, Option<jiujinan_store::ResealReport>)> {
    let audit_key = keys.audit.clone();
    let sealing = keys.pii.is_some();
    let store = jiujinan_store::connect_with(&settings.database_url, keys).await.map_err(|e| {
        anyhow::anyhow!("cannot open the database {}: {e}", jiujinan_store::redact_url(&settings.database_url))
    })?;
    store.migrate().await.context("migrating the database")?;
    let mut app_settings = settings.app_settings();
    app_settings.audit_key = audit_key;
    let app = App::new(store, clock, app_settings);
    let report = if sealing { app.seal_personal_data().await.map_err(app_err)? } else { None };
    if let Some(r) = report.filter(|r| r.rows > 0 || r.left > 0) {
        tracing::warn!(rows = r.rows, left = r.left, "personal data re-sealed under the current key");
    }
    Ok((app, report))
}

/// `key rotate`: a new current key added to the key file (the old ones stay, to open values
/// until they are re-sealed, and older backups), then every value re-sealed under it in
/// batches. Run with the servers stopped (they hold the old ring) and start them after; a lock
/// file beside the key file keeps two rotations from racing.
pub(crate) async fn rotate_pii_key(settings: &Settings) -> anyhow::Result<ExitCode> {
    let path = settings
        .pii_key_path()
        .ok_or_else(|| anyhow::anyhow!("pii_key_file is not set: there is no key file to rotate"))?;
    // Rotate the file itself, not a symbolic link to it.
    let path = std::fs::canonicalize(&path).with_context(|| format!("cannot find the key file {}", path.display()))?;
    let _lock = keys::RotationLock::take(&path)?;
    let clock: Arc<dyn jiujinan_app::clock::Clock> = Arc::new(SystemClock);
    // Opening finishes an interrupted rotation first (nothing may stay under an older key).
    let (app, before) = open_with_report(settings, clock.clone(), Some(Missing::Create)).await?;
    app.close().await;
    let ring: PiiKeyring = keys::load(&path, Missing::Fail)?;
    if let Some(r) = before.filter(|r| r.rows > 0 || r.left > 0) {
        println!("re-sealed {} rows left under older keys, now under {}", r.rows, ring.current().id());
        anyhow::ensure!(r.left == 0, "{} rows changed during the re-seal: stop the servers and run again", r.left);
    }
    let rotated = ring.rotated(jiujinan_app::pii::generate_key()).map_err(|e| anyhow::anyhow!("{e}"))?;
    keys::replace(&path, &rotated)?;
    println!(
        "key file {}: new current key {} (older: {})",
        path.display(),
        rotated.current().id(),
        ring.ids().join(", ")
    );
    let (app, report) = open_with_report(settings, clock, Some(Missing::Create)).await?;
    app.close().await;
    let r = report.unwrap_or_default();
    println!(
        "re-sealed {} rows under {} ({} already under it, {} changed meanwhile)",
        r.rows,
        rotated.current().id(),
        r.unchanged,
        r.left
    );
    if r.left > 0 {
        println!("rows changed meanwhile: stop the servers, then any jiujinan command finishes the re-seal");
        return Ok(ExitCode::from(1));
    }
    println!("start the servers again: they must load the new key file");
    Ok(ExitCode::SUCCESS)
}
