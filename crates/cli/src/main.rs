//! `jiujinan`: the one binary. Serves the platform and administers it from the shell.
// A bad index is an error, not a panic: `.get()` or an iterator, never `v[i]`.
#![deny(clippy::indexing_slicing)]

mod backup;
mod commands;
mod config;
mod files;
mod keys;
mod open;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// 救急难综合服务平台 — Beijing emergency social-assistance platform.
#[derive(Parser)]
#[command(name = "jiujinan", version, about)]
struct Cli {
    /// Configuration file (default: ./jiujinan.toml when present).
    #[arg(long, global = true, env = "JIUJINAN_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL: sqlite://PATH (default sqlite://data/jiujinan.db) or postgres://… (TLS:
    /// ?sslmode=verify-full&sslrootcert=CA_FILE)
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (migrations run first).
    Serve {
        /// Address to listen on (default 127.0.0.1:8080; env JIUJINAN_LISTEN).
        #[arg(long)]
        listen: Option<String>,
        /// Load Beijing's organisation and demo accounts into an empty database.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Organisation data.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// User accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Bearer tokens for integrations.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The tamper-evident audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Back the database up to FILE while it is in use, then verify the copy's audit chain
    /// (SQLite: a consistent copy of the file; PostgreSQL: `pg_dump --format=custom`).
    Backup {
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Restore a backup made by `backup` into the configured database (stop the servers
    /// first), then verify its audit chain. SQLite refuses to replace an existing file and
    /// PostgreSQL a database that holds data, unless `--force`.
    Restore {
        #[arg(long)]
        from: std::path::PathBuf,
        #[arg(long)]
        force: bool,
    },
    /// The keys kept outside the database: the audit key and the personal-data keys.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Look once for due deadlines: warn, open supervision items, escalate (for cron, or
    /// when `serve` runs with supervision_interval_seconds = 0).
    Supervise {
        /// Act as if it were this Beijing time (e.g. 2026-10-12T09:00): only on a demo database
        /// (it writes 督办 items and audit entries stamped at that time), or with --dry-run.
        #[arg(long)]
        at: Option<String>,
        /// Report how many deadlines would fire, and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Benchmark support (built with the `bench` feature).
    #[cfg(feature = "bench")]
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[cfg(feature = "bench")]
#[derive(Subcommand)]
enum BenchCommand {
    /// Fill the database with synthetic leads and cases over Beijing's real communities.
    Seed {
        /// Cases to generate (each with its lead).
        #[arg(long, default_value_t = 100_000)]
        cases: u64,
        /// Extra leads still waiting for verification.
        #[arg(long, default_value_t = 10_000)]
        open_leads: u64,
        /// Random seed (same seed, same data).
        #[arg(long, default_value_t = 2014)]
        seed: u64,
        /// Write sample case ids (one per line) here, for load tests.
        #[arg(long)]
        sample_out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Import divisions and communities (idempotent; a malformed file imports nothing).
    Import {
        #[arg(long)]
        divisions: PathBuf,
        #[arg(long)]
        communities: PathBuf,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// Unit code, e.g. 110105001:mz.
        #[arg(long)]
        unit: String,
        /// window_clerk, community_worker, street_reviewer, district_approver, department_handler,
        /// relief_station_staff, city_supervisor, auditor or admin.
        #[arg(long)]
        role: String,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Name shown in the UI (default: the username).
        #[arg(long, default_value = "")]
        display_name: String,
    },
    /// List users.
    List,
    /// Disable a user (ends their sessions).
    Disable { username: String },
    /// Re-enable a user.
    Enable { username: String },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Issue a bearer token acting as a user; printed once, stored only as a hash.
    Issue {
        #[arg(long)]
        username: String,
        /// A label for the integration, e.g. "12345 hotline".
        #[arg(long, default_value = "integration")]
        name: String,
    },
    /// Revoke a token by id.
    Revoke { id: String },
    /// List a user's tokens.
    List {
        #[arg(long)]
        username: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify the hash chain, each entry's MAC under the audit key and the checkpoints; exit 0
    /// when intact, 2 with the first break otherwise, 1 when it cannot be checked.
    Verify {
        /// A checkpoint file written by `audit checkpoint` (one signed head per line).
        #[arg(long)]
        checkpoints: Option<std::path::PathBuf>,
        /// Check the hash links only, without the audit key (e.g. the key is not at hand).
        #[arg(long)]
        links_only: bool,
    },
    /// Sign the chain's current head with the audit key and append it to FILE (keep the file
    /// outside the database, e.g. on another machine); the chain is verified first.
    Checkpoint {
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Write a new random key to FILE (refuses to overwrite one): the audit key, or with
    /// `--pii` a personal-data key file.
    Generate {
        #[arg(long)]
        out: std::path::PathBuf,
        /// A personal-data key file (pii_key_file) instead of an audit key.
        #[arg(long)]
        pii: bool,
    },
    /// Add a new current personal-data key to pii_key_file and re-seal every name, ID number
    /// and phone under it, in batches (stop the servers first; start them after).
    Rotate,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print the effective configuration with secrets redacted.
    Show,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
