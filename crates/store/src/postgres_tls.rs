//! The connection options of a PostgreSQL URL, TLS read as libpq reads it (ADR 0022).
//!
//! sqlx does the TLS (rustls with the ring provider). Two things are settled here:
//! - `sslmode=require` with a CA file (`sslrootcert`) checks the server's certificate against
//!   it, as libpq does (verify-ca); sqlx alone would ignore the file and accept any
//!   certificate. A CA file named with `require`, `verify-ca` or `verify-full` must be
//!   readable, so a wrong path fails at start instead of silently checking nothing.
//! - A failed connection names the host, the port, the TLS mode and the CA file (never the
//!   password).

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgSslMode};

use crate::{StoreError, redact_url};

/// Options parsed from a URL (and the `PG*` environment variables sqlx reads), and how to
/// name the server in errors.
pub(crate) fn connect_options(url: &str) -> Result<(PgConnectOptions, String), StoreError> {
    let mut options = PgConnectOptions::from_str(url)
        .map_err(|e| StoreError::Unavailable(format!("invalid PostgreSQL URL {}: {e}", redact_url(url))))?;
    let checks_certificates =
        matches!(options.get_ssl_mode(), PgSslMode::Require | PgSslMode::VerifyCa | PgSslMode::VerifyFull);
    let ca = root_cert(url).filter(|_| checks_certificates);
    if let Some(ca) = &ca {
        std::fs::File::open(ca)
            .map_err(|e| StoreError::Unavailable(format!("cannot read the CA file {ca} (sslrootcert): {e}")))?;
        if matches!(options.get_ssl_mode(), PgSslMode::Require) {
            options = options.ssl_mode(PgSslMode::VerifyCa);
        }
    }
    let mode = mode_name(options.get_ssl_mode());
    let tls = match ca {
        Some(ca) => format!("sslmode={mode}, sslrootcert={ca}"),
        None => format!("sslmode={mode}"),
    };
    let server = format!("PostgreSQL at {}:{} ({tls})", options.get_host(), options.get_port());
    Ok((options, server))
}

/// The CA file the URL names (`sslrootcert` or its aliases), else `PGSSLROOTCERT`.
fn root_cert(url: &str) -> Option<String> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| matches!(&**k, "sslrootcert" | "ssl-root-cert" | "ssl-ca"))
        .map(|(_, v)| v.into_owned())
        .or_else(|| std::env::var("PGSSLROOTCERT").ok())
}

fn mode_name(mode: PgSslMode) -> &'static str {
    match mode {
        PgSslMode::Disable => "disable",
        PgSslMode::Allow => "allow",
        PgSslMode::Prefer => "prefer",
        PgSslMode::Require => "require",
        PgSslMode::VerifyCa => "verify-ca",
        PgSslMode::VerifyFull => "verify-full",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(url: &str) -> &'static str {
        mode_name(connect_options(url).unwrap().0.get_ssl_mode())
    }

    #[test]
    fn require_with_a_ca_file_checks_the_certificate() {
        let dir = std::env::temp_dir();
        let ca = dir.join(format!("jjn-ca-{}.crt", std::process::id()));
        std::fs::write(&ca, "not parsed here").unwrap();
        let base = "postgres://u:secret@db.example:5433/x";
        assert_eq!(mode(&format!("{base}?sslmode=require&sslrootcert={}", ca.display())), "verify-ca");
        assert_eq!(mode(&format!("{base}?sslmode=require")), "require");
        assert_eq!(mode(&format!("{base}?sslmode=verify-full&ssl-ca={}", ca.display())), "verify-full");
        assert_eq!(mode(&format!("{base}?sslmode=disable&sslrootcert=/nowhere")), "disable");
        let server = connect_options(&format!("{base}?sslmode=require&sslrootcert={}", ca.display())).unwrap().1;
        assert_eq!(server, format!("PostgreSQL at db.example:5433 (sslmode=verify-ca, sslrootcert={})", ca.display()));
        std::fs::remove_file(&ca).unwrap();
    }

    #[test]
    fn a_missing_ca_file_fails_before_connecting_and_errors_name_no_password() {
        let url = "postgres://u:secret@db.example:5433/x?sslmode=verify-full&sslrootcert=/nowhere/ca.crt";
        let Err(StoreError::Unavailable(msg)) = connect_options(url) else {
            panic!("a missing CA file must be refused");
        };
        assert!(msg.contains("/nowhere/ca.crt") && !msg.contains("secret"), "{msg}");
        let ok = "postgres://u:secret@db.example:5433/x?sslmode=require";
        let server = connect_options(ok).unwrap().1;
        assert_eq!(server, "PostgreSQL at db.example:5433 (sslmode=require)");
    }
}
