//! What each subcommand does. Errors from use cases print their stable code and both
//! languages; anything else prints its cause chain. Exit codes: 0 ok, 1 error, 2 audit
//! chain broken.

use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use jiujinan_app::audit::ChainStatus;
use jiujinan_app::clock::SystemClock;
use jiujinan_app::demo::DEMO_PASSWORD;
use jiujinan_app::i18n::Lang;
use jiujinan_app::org::OrgFiles;
use jiujinan_app::users::{CreateUser, cli_actor};
use jiujinan_app::{App, AppError};
use jiujinan_web::{AppState, WebSettings};

#[cfg(feature = "bench")]
use crate::BenchCommand;
use crate::config::Settings;
use crate::keys::{self, Missing};
use crate::open::{open, open_keyed, open_with, open_with_clock, rotate_pii_key};
use crate::{AuditCommand, Cli, Command, ConfigCommand, KeyCommand, OrgCommand, TokenCommand, UserCommand};
use jiujinan_domain::audit_key::Checkpoint;
use jiujinan_domain::pii::PiiKeyring;
use jiujinan_store::Keys;

/// A use-case error as the CLI prints it.
pub(crate) fn app_err(e: AppError) -> anyhow::Error {
    anyhow::anyhow!("[{}] {} / {}", e.code(), e.message(Lang::Zh), e.message(Lang::En))
}

/// Logs go to standard error: everything from `info` for the server, warnings and errors
/// (with their causes) for the other commands.
fn init_logging(settings: &Settings, serving: bool) {
    let default = if serving { "info,sqlx=warn,tower_http=info" } else { "warn,sqlx=error" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).with_writer(std::io::stderr);
    if settings.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Reads a checkpoint file: one signed head per line; blank lines and `#` comments skipped.
fn read_checkpoints(path: &std::path::Path) -> anyhow::Result<Vec<Checkpoint>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| {
            Checkpoint::parse_line(l)
                .ok_or_else(|| anyhow::anyhow!("{}, line {}: not a checkpoint", path.display(), i + 1))
        })
        .collect()
}

/// Runs the supervision sweep every `interval` until the process ends.
fn spawn_supervisor(app: App, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = app.run_supervision().await {
                tracing::error!(error = %e, "supervision sweep failed");
            }
        }
    })
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut settings = Settings::load(cli.config.as_deref())?;
    if let Some(url) = cli.database_url {
        settings.database_url = url;
    }
    init_logging(&settings, matches!(cli.command, Command::Serve { .. }));
    match cli.command {
        Command::Serve { listen, demo } => {
            if let Some(l) = listen {
                settings.listen = l;
            }
            serve(settings, demo).await
        }
        Command::Supervise { at, dry_run } => {
            let drill = at.is_some();
            let clock: Arc<dyn jiujinan_app::clock::Clock> = match at {
                Some(t) => {
                    let ms = jiujinan_app::calendar::parse_beijing_datetime(&t)
                        .with_context(|| format!("--at {t} is not a Beijing time like 2026-10-12T09:00"))?;
                    Arc::new(jiujinan_app::clock::ManualClock::new(ms))
                }
                None => Arc::new(SystemClock),
            };
            if !dry_run {
                ensure_durable(&settings).await?;
            }
            let app = open_with_clock(&settings, clock).await?;
            if dry_run {
                let n = app.deadlines_due_now().await.map_err(app_err)?;
                println!("dry run: {n} deadline(s) due for a warning, a 督办 item or an escalation; nothing written");
                app.close().await;
                return Ok(ExitCode::SUCCESS);
            }
            if drill && !app.is_demo().await.map_err(app_err)? {
                app.close().await;
                anyhow::bail!(
                    "--at writes 督办 items and audit entries stamped at a time that is not now: only on a demo \
                     database (made by `jiujinan serve --demo`); add --dry-run to see what would fire"
                );
            }
            // Only drills (`--at`, on a demo database) wait at a test barrier.
            if let Some(barrier) = std::env::var_os("JIUJINAN_SUPERVISE_BARRIER").filter(|_| drill) {
                wait_at_barrier(std::path::Path::new(&barrier)).await?;
            }
            let r = app.run_supervision().await.map_err(app_err)?;
            println!(
                "warned {} overdue {} escalated {} (fired elsewhere first: {})",
                r.warned, r.overdue, r.escalated, r.lost
            );
            app.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let store = jiujinan_store::connect_with(&settings.database_url, Keys::default())
                .await
                .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
            let applied = store.migrate().await?;
            println!("migrations applied now: {applied:?}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Org { command: OrgCommand::Import { divisions, communities } } => {
            let app = open(&settings).await?;
            let files = OrgFiles::read(&divisions, &communities).map_err(app_err)?;
            let c = app.import_org(&cli_actor(), &files).await.map_err(app_err)?;
            println!("imported: {} new, {} updated, {} unchanged", c.inserted, c.updated, c.unchanged);
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { command: AuditCommand::Checkpoint { out } } => {
            let app = open_keyed(&settings, Missing::Fail).await?;
            match app.audit_checkpoint().await.map_err(app_err)? {
                Ok(c) => {
                    let mut f = std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(&out)
                        .with_context(|| format!("cannot open {}", out.display()))?;
                    std::io::Write::write_all(&mut f, format!("{}\n", c.to_line()).as_bytes())?;
                    f.sync_all()?;
                    println!("checkpoint of entry {} appended to {}", c.seq, out.display());
                    Ok(ExitCode::SUCCESS)
                }
                Err(b) => {
                    println!("audit chain BROKEN: {b}; no checkpoint written");
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Backup { out } => crate::backup::backup(&settings, &out).await,
        Command::Restore { from, force } => crate::backup::restore(&settings, &from, force).await,
        Command::Key { command: KeyCommand::Generate { out, pii: false } } => {
            keys::write_new(&out, &jiujinan_app::audit::generate_key())?;
            println!("new audit key written to {} (owner-readable only); keep a copy off this machine", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Key { command: KeyCommand::Generate { out, pii: true } } => {
            keys::write_new(&out, &PiiKeyring::new(jiujinan_app::pii::generate_key()))?;
            println!(
                "new personal-data key written to {} (owner-readable only); keep a copy off this machine",
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Key { command: KeyCommand::Rotate } => rotate_pii_key(&settings).await,
        Command::User { command } => user(settings, command).await,
        Command::Token { command } => token(settings, command).await,
        Command::Audit { command: AuditCommand::Verify { checkpoints, links_only } } => {
            let checkpoints = match &checkpoints {
                Some(p) => read_checkpoints(p)?,
                None => Vec::new(),
            };
            let clock: Arc<dyn jiujinan_app::clock::Clock> = Arc::new(SystemClock);
            let key = if links_only { None } else { Some(Missing::Fail) };
            let app = open_with(&settings, clock, key).await?;
            match app.verify_audit_chain(&checkpoints).await.map_err(app_err)? {
                ChainStatus::Intact { entries, keyed, checkpoints } => {
                    println!("audit chain intact: {entries} entries");
                    match keyed {
                        Some(k) => println!(
                            "MACs checked under the audit key: {k} entries ({} written before the chain was keyed)",
                            entries - k
                        ),
                        None => println!("MACs NOT checked (--links-only)"),
                    }
                    println!("checkpoints held: {checkpoints}");
                    Ok(ExitCode::SUCCESS)
                }
                ChainStatus::Broken(b) => {
                    println!("audit chain BROKEN: {b}");
                    Ok(ExitCode::from(2))
                }
            }
        }
        #[cfg(feature = "bench")]
        Command::Bench { command: BenchCommand::Seed { cases, open_leads, seed, sample_out } } => {
            let app = open(&settings).await?;
            let started = std::time::Instant::now();
            let plan = jiujinan_app::seed::SeedPlan { cases, open_leads, seed };
            let report = app
                .seed_benchmark(plan, |done| {
                    if done % 100_000 == 0 {
                        eprintln!("  {done} rows generated ({:.0} s)", started.elapsed().as_secs_f64());
                    }
                })
                .await
                .map_err(app_err)?;
            if let Some(path) = sample_out {
                std::fs::write(&path, report.sample_case_ids.join("\n") + "\n")
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            println!(
                "seeded {} leads, {} cases, {} timeline steps, {} investigations, {} actions, {} clocks, {} aid \
                 items in {:.1} s; busiest street {}",
                report.leads,
                report.cases,
                report.timeline_steps,
                report.investigations,
                report.actions,
                report.deadlines,
                report.aid_items,
                started.elapsed().as_secs_f64(),
                report.busiest_street
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Config { command: ConfigCommand::Show } => {
            print!("{}", settings.redacted_toml());
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn user(settings: Settings, command: UserCommand) -> anyhow::Result<ExitCode> {
    let app = open(&settings).await?;
    let actor = cli_actor();
    match command {
        UserCommand::Add { username, unit, role, password_stdin: _, display_name } => {
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password).context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            let req = CreateUser { username, display_name, unit, role, password };
            let u = app.create_user(&actor, &req).await.map_err(app_err)?;
            println!("created user {} ({}) at {} {}", u.username, u.role, u.unit_code, u.unit_name);
        }
        UserCommand::List => {
            for u in app.list_users(&actor).await.map_err(app_err)? {
                let state = if u.disabled { "disabled" } else { "active" };
                println!("{}\t{}\t{}\t{}\t{}", u.username, u.role, u.unit_code, state, u.display_name);
            }
        }
        UserCommand::Disable { username } => {
            let u = app.user_by_name_in_scope(&actor, &username).await.map_err(app_err)?;
            app.set_user_disabled(&actor, &u.id, true, u.version).await.map_err(app_err)?;
            println!("disabled {}", u.username);
        }
        UserCommand::Enable { username } => {
            let u = app.user_by_name_in_scope(&actor, &username).await.map_err(app_err)?;
            app.set_user_disabled(&actor, &u.id, false, u.version).await.map_err(app_err)?;
            println!("enabled {}", u.username);
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn token(settings: Settings, command: TokenCommand) -> anyhow::Result<ExitCode> {
    let app = open(&settings).await?;
    let actor = cli_actor();
    match command {
        TokenCommand::Issue { username, name } => {
            let t = app.issue_token(&actor, &username, &name).await.map_err(app_err)?;
            eprintln!("token id {} (shown once; keep it secret)", t.id);
            println!("{}", t.secret);
        }
        TokenCommand::Revoke { id } => {
            app.revoke_token(&actor, &id).await.map_err(app_err)?;
            println!("revoked {id}");
        }
        TokenCommand::List { username } => {
            for t in app.tokens_of(&actor, &username).await.map_err(app_err)? {
                let state = if t.revoked_ms.is_some() { "revoked" } else { "active" };
                println!("{}\t{}\t{}", t.id, state, t.name);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// For tests of several supervisors at once (`JIUJINAN_SUPERVISE_BARRIER=PATH`): once the
/// database is open, says so with the file `PATH.ready.<pid>`, then sweeps only when `PATH`
/// exists, so that processes started one after another sweep at the same instant.
async fn wait_at_barrier(path: &std::path::Path) -> anyhow::Result<()> {
    let mut ready = path.as_os_str().to_owned();
    ready.push(format!(".ready.{}", std::process::id()));
    std::fs::write(&ready, b"").with_context(|| format!("cannot write {}", ready.to_string_lossy()))?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while !path.exists() {
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "{} did not appear within two minutes", path.display());
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Ok(())
}

/// Refuses a database whose settings can lose a write after it was acknowledged, unless
/// `allow_unsafe_durability` is set (then logs an error at every start). Runs on a bare
/// connection before anything is migrated, sealed or written.
async fn ensure_durable(settings: &Settings) -> anyhow::Result<()> {
    let store = jiujinan_store::connect_with(&settings.database_url, Keys::default())
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
    let report = store.durability().await;
    store.close().await;
    let bad = jiujinan_store::unsafe_settings(&report?);
    if bad.is_empty() {
        return Ok(());
    }
    let list = bad.join(", ");
    if settings.allow_unsafe_durability {
        tracing::error!(settings = %list, "allow_unsafe_durability is on: acknowledged writes can be lost on a crash");
        eprintln!(
            "WARNING: this database can lose acknowledged writes on a crash ({list}); allowed by allow_unsafe_durability"
        );
        return Ok(());
    }
    anyhow::bail!(
        "this database can lose writes it has acknowledged on a crash or power loss: {list}. Fix the database \
         server's configuration (fsync = on, full_page_writes = on, synchronous_commit other than off); only a \
         throwaway test database may be run like this, with allow_unsafe_durability = true"
    )
}

async fn serve(settings: Settings, demo: bool) -> anyhow::Result<ExitCode> {
    ensure_durable(&settings).await?;
    let app = open(&settings).await?;
    // The test clock starts before anything is written, so the demo's records carry its time;
    // the move goes on record once the database is known to be a demo.
    let clock_start = match settings.test_clock {
        true => app.start_test_clock(settings.test_clock_start_ms()?).await.map_err(app_err)?,
        false => None,
    };
    if demo {
        app.mark_demo().await.map_err(app_err)?;
    }
    if settings.test_clock && !app.is_demo().await.map_err(app_err)? {
        anyhow::bail!(
            "test_clock is on, but this database was not made by `jiujinan serve --demo`: the test clock \
             moves time only on a demo database (turn test_clock off, or use a new database with --demo)"
        );
    }
    if let Some(moved) = clock_start {
        app.record_clock_start(moved).await.map_err(app_err)?;
        tracing::warn!(from_ms = moved.0, to_ms = moved.1, "test clock started");
    }
    if demo {
        let accounts = app.load_demo().await.map_err(app_err)?;
        println!("demo data loaded. Demo accounts (password for all: {DEMO_PASSWORD}):");
        for a in accounts {
            println!("  {:<14} {:<22} {:<14} {}", a.username, a.role, a.unit, a.display_name);
        }
    }
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let addr = listener.local_addr()?;
    println!("jiujinan listening on http://{addr}");
    tracing::info!(%addr, database = %jiujinan_store::redact_url(&settings.database_url), "serving");
    let web = WebSettings {
        secure_cookies: settings.secure_cookies,
        request_timeout: Duration::from_secs(settings.request_timeout_seconds),
        test_clock: settings.test_clock,
        trusted_proxies: settings.trusted_proxies()?,
        timeouts: jiujinan_web::ConnectionTimeouts {
            header_read: Duration::from_secs(settings.header_read_timeout_seconds),
            idle: Duration::from_secs(settings.idle_timeout_seconds),
        },
    };
    if settings.test_clock {
        tracing::warn!("test_clock is on: administrators can move this server's clock");
    }
    // Deadlines due while the server was down fire on the first tick.
    let supervisor = (settings.supervision_interval_seconds > 0)
        .then(|| spawn_supervisor(app.clone(), Duration::from_secs(settings.supervision_interval_seconds)));
    let closer = app.clone();
    jiujinan_web::serve(AppState::new(app, web), listener, shutdown_signal()).await?;
    if let Some(s) = supervisor {
        s.abort();
    }
    closer.close().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
