//! Group commit for SQLite: one writer task owns the only write connection and runs many
//! callers' write transactions inside one real transaction, each in its own savepoint, then
//! commits once and tells every caller. One fsync serves a whole batch, so throughput grows
//! with concurrency while `synchronous=FULL` still makes every acknowledged write durable.
//! See docs/adr/0007-group-commit.md.
//!
//! A caller gets a [`WriteTx`]: the write connection, lent for the duration of its work.
//! `commit()` hands it back and waits until the batch is on disk; dropping it uncommitted
//! rolls back to the caller's savepoint, leaving the other callers' work untouched.

use std::ops::{Deref, DerefMut};

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection as _};
use tokio::sync::{mpsc, oneshot};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::StoreError;
use crate::sqlite_sync_writer::WriteTurn;

/// Most callers served by one commit.
const MAX_BATCH: usize = 512;

type Done = oneshot::Sender<Result<(), String>>;

/// What a caller gives back: the connection, and whether (and whom to tell) to commit.
struct Returned {
    conn: Box<SqliteConnection>,
    commit: Option<Done>,
}

/// The connection lent to a caller.
struct Lent {
    conn: Box<SqliteConnection>,
    back: oneshot::Sender<Returned>,
}

/// A request for the write connection.
pub(crate) struct Lease {
    give: oneshot::Sender<Result<Lent, String>>,
}

/// A caller's write transaction (a savepoint inside the writer's batch).
pub(crate) struct WriteTx {
    conn: Option<Box<SqliteConnection>>,
    back: Option<oneshot::Sender<Returned>>,
}

impl WriteTx {
    /// Hands the connection back and waits until the batch holding this work is committed.
    pub(crate) async fn commit(mut self) -> Result<(), StoreError> {
        let (done, wait) = oneshot::channel();
        let (Some(conn), Some(back)) = (self.conn.take(), self.back.take()) else {
            return Err(StoreError::Unavailable("write connection already returned".into()));
        };
        back.send(Returned { conn, commit: Some(done) })
            .map_err(|_| StoreError::Unavailable("writer stopped".into()))?;
        match wait.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(StoreError::Unavailable(format!("commit failed: {e}"))),
            Err(_) => Err(StoreError::Unavailable("writer stopped before committing".into())),
        }
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        if let (Some(conn), Some(back)) = (self.conn.take(), self.back.take()) {
            let _ = back.send(Returned { conn, commit: None });
        }
    }
}

impl Deref for WriteTx {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        // The connection is present from creation until commit or drop consume the WriteTx.
        self.conn.as_deref().unwrap_or_else(|| unreachable_conn())
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        match self.conn.as_deref_mut() {
            Some(c) => c,
            None => unreachable_conn(),
        }
    }
}

#[allow(clippy::panic)]
fn unreachable_conn() -> ! {
    panic!("WriteTx used after commit")
}

/// The handle callers use to lease the write connection.
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    leases: mpsc::Sender<Lease>,
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lease")
    }
}

impl Writer {
    /// Opens the write connection and starts the writer task.
    pub(crate) async fn start(opts: SqliteConnectOptions, turn: WriteTurn) -> Result<Self, StoreError> {
        let rolled_back = Arc::new(AtomicBool::new(false));
        let conn = open(&opts, &rolled_back).await.map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(Box::new(conn), opts, rx, turn, rolled_back));
        Ok(Self { leases: tx })
    }

    /// Waits for the write connection; the work becomes part of the next batch.
    pub(crate) async fn begin(&self) -> Result<WriteTx, StoreError> {
        let (give, take) = oneshot::channel();
        self.leases.send(Lease { give }).await.map_err(|_| StoreError::Unavailable("writer stopped".into()))?;
        match take.await {
            Ok(Ok(lent)) => Ok(WriteTx { conn: Some(lent.conn), back: Some(lent.back) }),
            Ok(Err(e)) => Err(StoreError::Unavailable(e)),
            Err(_) => Err(StoreError::Unavailable("writer stopped".into())),
        }
    }
}

/// Opens the write connection with a rollback hook that raises `rolled_back` whenever SQLite
/// rolls a whole transaction back (an explicit `ROLLBACK`, or on its own after a disk or I/O
/// error; not for `ROLLBACK TO` a savepoint).
async fn open(opts: &SqliteConnectOptions, rolled_back: &Arc<AtomicBool>) -> Result<SqliteConnection, sqlx::Error> {
    let mut conn = opts.connect().await?;
    let flag = rolled_back.clone();
    conn.lock_handle().await?.set_rollback_hook(move || flag.store(true, Ordering::SeqCst));
    Ok(conn)
}

async fn exec(conn: &mut SqliteConnection, sql: &'static str) -> Result<(), String> {
    sqlx::raw_sql(sql).execute(&mut *conn).await.map(|_| ()).map_err(|e| e.to_string())
}

/// The writer loop: a batch per wake-up, as many queued callers as there are (up to
/// `MAX_BATCH`), one commit.
async fn run(
    mut conn: Box<SqliteConnection>,
    opts: SqliteConnectOptions,
    mut rx: mpsc::Receiver<Lease>,
    turn: WriteTurn,
    rolled_back: Arc<AtomicBool>,
) {
    while let Some(first) = rx.recv().await {
        // The synchronous writer (sqlite_sync_writer.rs) takes the same turn.
        let _turn = turn.lock().await;
        if let Err(e) = exec(&mut conn, "BEGIN IMMEDIATE").await {
            let _ = first.give.send(Err(e));
            continue;
        }
        rolled_back.store(false, Ordering::SeqCst);
        let mut committed: Vec<Done> = Vec::new();
        let mut in_transaction = true;
        let mut next = Some(first);
        let mut served = 0;
        while let Some(lease) = next.take() {
            served += 1;
            if rolled_back.load(Ordering::SeqCst) {
                // SQLite rolled the batch's transaction back on its own: the callers still
                // queued in it must not run outside it (their savepoints would commit alone).
                let _ = lease.give.send(Err("the batch's transaction was rolled back".into()));
            } else if let Err(e) = exec(&mut conn, "SAVEPOINT jjn").await {
                let _ = lease.give.send(Err(e));
            } else {
                let (back, returned) = oneshot::channel();
                match lease.give.send(Ok(Lent { conn, back })) {
                    Err(Ok(unclaimed)) => {
                        // The caller went away before taking the connection.
                        conn = unclaimed.conn;
                        let _ = exec(&mut conn, "ROLLBACK TO jjn; RELEASE jjn").await;
                    }
                    Err(Err(_)) => unreachable_lent(),
                    Ok(()) => match returned.await {
                        Ok(Returned { conn: c, commit }) => {
                            conn = c;
                            match commit {
                                Some(done) => match exec(&mut conn, "RELEASE jjn").await {
                                    Ok(()) => committed.push(done),
                                    Err(e) => {
                                        let _ = exec(&mut conn, "ROLLBACK TO jjn; RELEASE jjn").await;
                                        let _ = done.send(Err(e));
                                    }
                                },
                                None => {
                                    let _ = exec(&mut conn, "ROLLBACK TO jjn; RELEASE jjn").await;
                                }
                            }
                        }
                        Err(_) => {
                            // The lent connection was lost (the caller's task panicked while
                            // holding it): nothing of this batch can be trusted.
                            tracing::error!("write connection lost; reopening");
                            for d in committed.drain(..) {
                                let _ = d.send(Err("write connection lost".into()));
                            }
                            in_transaction = false;
                            match open(&opts, &rolled_back).await {
                                Ok(c) => conn = Box::new(c),
                                Err(e) => {
                                    tracing::error!(error = %e, "cannot reopen the write connection; writer stops");
                                    return;
                                }
                            }
                            break;
                        }
                    },
                }
            }
            if served < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
        let result = if in_transaction { exec(&mut conn, "COMMIT").await } else { Ok(()) };
        if result.is_err() {
            let _ = exec(&mut conn, "ROLLBACK").await;
        }
        for d in committed {
            let _ = d.send(result.clone());
        }
    }
    let _ = conn.close().await;
}

#[allow(clippy::panic)]
fn unreachable_lent() -> ! {
    panic!("a lease is always offered an Ok connection")
}
