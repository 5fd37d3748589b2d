//! PostgreSQL over TLS (ADR 0022), against a real server that serves TLS: the throwaway
//! cluster of `scripts/test.sh`, whose certificate for 127.0.0.1 is signed by a throwaway CA.
//!
//! `JIUJINAN_TEST_PG_TLS_URL` is that cluster with `sslmode=verify-full&sslrootcert=<CA>`,
//! `JIUJINAN_TEST_PG_TLS_CA` the CA file and `JIUJINAN_TEST_PG_TLS_WRONG_CA` an unrelated CA
//! with the same name. scripts/test.sh always sets them; with `JIUJINAN_REQUIRE_PG=1` a
//! missing URL is a failure, not a skip.
//!
//! Whether a connection is encrypted is read from the server (`pg_stat_ssl`), never assumed.

use std::sync::Arc;

use jiujinan_domain::audit::{AuditDraft, action};
use jiujinan_store::{Store, StoreError, connect};
use serde_json::json;
use sqlx::{Connection, PgConnection, Row};

/// The TLS test cluster, from the environment.
struct TlsCluster {
    /// `postgres://user@host:port` without a database or query.
    server: String,
    ca: String,
    wrong_ca: String,
}

impl TlsCluster {
    fn from_env() -> Option<Self> {
        let Ok(url) = std::env::var("JIUJINAN_TEST_PG_TLS_URL") else {
            assert!(
                std::env::var("JIUJINAN_REQUIRE_PG").as_deref() != Ok("1"),
                "JIUJINAN_REQUIRE_PG=1 but JIUJINAN_TEST_PG_TLS_URL is unset: run the tests with \
                 `bash scripts/test.sh`, whose PostgreSQL cluster serves TLS (or start one the same way)"
            );
            eprintln!("skipping PostgreSQL over TLS: JIUJINAN_TEST_PG_TLS_URL is unset (bash scripts/test.sh sets it)");
            return None;
        };
        let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} must be set with the TLS URL"));
        let without_query = url.split_once('?').map_or(url.as_str(), |(u, _)| u);
        let server = without_query.rsplit_once('/').map_or(without_query, |(s, _)| s).to_owned();
        Some(Self { server, ca: var("JIUJINAN_TEST_PG_TLS_CA"), wrong_ca: var("JIUJINAN_TEST_PG_TLS_WRONG_CA") })
    }

    /// The URL of database `db` with the query `query` (e.g. `sslmode=require`).
    fn url(&self, db: &str, query: &str) -> String {
        if query.is_empty() { format!("{}/{db}", self.server) } else { format!("{}/{db}?{query}", self.server) }
    }

    fn verify_full(&self) -> String {
        format!("sslmode=verify-full&sslrootcert={}", self.ca)
    }

    /// A fresh, empty database on the cluster (created over a verified TLS connection).
    async fn fresh_db(&self) -> String {
        let name = format!("t_{:016x}", rand::random::<u64>());
        let mut admin = PgConnection::connect(&self.url("postgres", &self.verify_full())).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.unwrap();
        admin.close().await.unwrap();
        name
    }

    /// Whether the server sees this connection encrypted.
    async fn own_connection_is_encrypted(&self, url: &str) -> bool {
        let mut conn = PgConnection::connect(url).await.unwrap();
        let row =
            sqlx::query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetch_one(&mut conn).await.unwrap();
        conn.close().await.unwrap();
        row.get::<bool, _>("ssl")
    }

    /// How many connections to database `db` the server has, and how many of them are encrypted.
    async fn connections_to(&self, db: &str) -> (i64, i64) {
        let mut admin = PgConnection::connect(&self.url("postgres", &self.verify_full())).await.unwrap();
        let row = sqlx::query(
            "SELECT count(*) AS n, count(*) FILTER (WHERE s.ssl) AS encrypted \
             FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.datname = $1",
        )
        .bind(db)
        .fetch_one(&mut admin)
        .await
        .unwrap();
        admin.close().await.unwrap();
        (row.get("n"), row.get("encrypted"))
    }
}

/// Opens the store on a fresh database with `query`, migrates it, writes and reads back an
/// audit entry, and returns the store (still open) with the database's name.
async fn store_round_trip(tls: &TlsCluster, query: &str) -> (Arc<dyn Store>, String) {
    let db = tls.fresh_db().await;
    let store = connect(&tls.url(&db, query)).await.unwrap_or_else(|e| panic!("connect with {query}: {e}"));
    assert!(!store.migrate().await.unwrap().is_empty(), "migrations ran over {query}");
    let draft = AuditDraft::new("tester", "11:mz", "11", action::LOGIN, ("test", "tls"), &json!({"q": query}));
    let written = store.append_audit(draft, 1_790_000_000_000).await.unwrap();
    let read = store.audit_after(0, 10).await.unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].hash, written.hash, "the entry written over {query} reads back");
    (store, db)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn require_and_verify_full_encrypt_every_connection() {
    let Some(tls) = TlsCluster::from_env() else { return };
    let require_with_ca = format!("sslmode=require&sslrootcert={}", tls.ca);
    for query in ["sslmode=require".to_owned(), require_with_ca, tls.verify_full()] {
        let (store, db) = store_round_trip(&tls, &query).await;
        assert!(tls.own_connection_is_encrypted(&tls.url(&db, &query)).await, "{query}: a connection is encrypted");
        // The store's own pool, seen from the server while the store is open.
        let (n, encrypted) = tls.connections_to(&db).await;
        assert!(n >= 1, "{query}: the store holds connections ({n})");
        assert_eq!(encrypted, n, "{query}: every connection of the store is encrypted");
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disable_stays_in_the_clear_and_prefer_takes_tls_when_offered() {
    let Some(tls) = TlsCluster::from_env() else { return };
    // `disable` works as before, unencrypted: the check above can tell the difference.
    let (store, db) = store_round_trip(&tls, "sslmode=disable").await;
    assert!(!tls.own_connection_is_encrypted(&tls.url(&db, "sslmode=disable")).await);
    let (n, encrypted) = tls.connections_to(&db).await;
    assert!(n >= 1 && encrypted == 0, "sslmode=disable: {encrypted} of {n} connections encrypted");
    store.close().await;
    // No sslmode is `prefer`: encrypted when the server offers TLS (this one does).
    let (store, db) = store_round_trip(&tls, "").await;
    assert!(tls.own_connection_is_encrypted(&tls.url(&db, "")).await);
    store.close().await;
}

/// Why the store could not connect with `url` (it must not).
async fn refused(url: &str) -> String {
    match connect(url).await {
        Ok(_) => panic!("connecting with {url} must fail"),
        Err(StoreError::Unavailable(msg)) => msg,
        Err(e) => panic!("connecting with {url}: expected Unavailable, got {e:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_from_another_ca_is_refused() {
    let Some(tls) = TlsCluster::from_env() else { return };
    let db = tls.fresh_db().await;
    let msg = refused(&tls.url(&db, &format!("sslmode=verify-full&sslrootcert={}", tls.wrong_ca))).await;
    let clear = format!("(sslmode=verify-full, sslrootcert={}): ", tls.wrong_ca);
    assert!(
        msg.contains(&clear) && msg.contains("invalid peer certificate"),
        "a clear error names the mode, the CA file and the refused certificate: {msg}"
    );
    // `require` with a CA file checks the certificate against it, as libpq does.
    let msg = refused(&tls.url(&db, &format!("sslmode=require&sslrootcert={}", tls.wrong_ca))).await;
    assert!(msg.contains("sslmode=verify-ca") && msg.contains("invalid peer certificate"), "{msg}");
    // A CA file that cannot be read is refused before connecting, naming the file.
    let missing = format!("{}.missing", tls.ca);
    let msg = refused(&tls.url(&db, &format!("sslmode=verify-full&sslrootcert={missing}"))).await;
    assert!(msg.contains(&missing), "the error names the missing CA file: {msg}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_full_checks_the_host_name() {
    let Some(tls) = TlsCluster::from_env() else { return };
    let db = tls.fresh_db().await;
    // The certificate is for 127.0.0.1 only; `localhost` reaches the same server by another name.
    let Some(by_name) = tls.server.contains("127.0.0.1").then(|| tls.server.replace("127.0.0.1", "localhost")) else {
        panic!("the TLS test cluster is expected on 127.0.0.1: {}", tls.server);
    };
    let msg = refused(&format!("{by_name}/{db}?{}", tls.verify_full())).await;
    assert!(msg.contains("invalid peer certificate"), "a certificate for another name is refused: {msg}");
    // verify-ca checks the chain but not the name, so the same server is accepted.
    let ca_only = format!("{by_name}/{db}?sslmode=verify-ca&sslrootcert={}", tls.ca);
    assert!(tls.own_connection_is_encrypted(&ca_only).await);
}
