//! The SQLite writer of the hot paths (lead intake, the audit records of reads): one OS thread
//! owns a rusqlite connection and runs the write closures sent to it synchronously, as many as
//! have queued in one transaction (group commit), each in its own savepoint, then commits once
//! and answers every caller. See docs/adr/0011-sqlite-sync-writer.md.
//!
//! The general writer (`sqlite_writer.rs`) lends an sqlx connection to async callers, and with
//! sqlx every statement is a round trip to the connection's own thread: a lead cost about a
//! dozen thread hand-offs on the serial writer. Here a lead costs two (the job in, the reply
//! out) and its statements run back to back. Both writers take turns through one
//! [`WriteTurn`], so only one of them is in a write transaction at a time and neither waits in
//! SQLite's busy handler. A reply is sent only after the commit that holds the work.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use tokio::sync::{mpsc, oneshot};

use crate::StoreError;

/// Taken by a writer for the whole of its write transaction (BEGIN … COMMIT).
pub(crate) type WriteTurn = Arc<tokio::sync::Mutex<()>>;

/// Most jobs served by one commit.
const MAX_BATCH: usize = 512;

/// How a job's work ends: kept (released into the batch) or discarded (rolled back to its
/// savepoint, e.g. a replayed idempotent request). Either way the value is the reply, sent
/// after the batch's commit.
pub(crate) enum Finish<T> {
    Keep(T),
    Discard(T),
}

/// Answers a caller with the batch's commit result.
type Notify = Box<dyn FnOnce(Result<(), String>) + Send>;

/// A caller's work, given the connection (or why the transaction could not begin). Returns
/// whether to keep the work and how to answer once the batch is committed.
type Job = Box<dyn FnOnce(Result<&Connection, &str>) -> (bool, Notify) + Send>;

/// The handle callers send their work to.
#[derive(Clone)]
pub(crate) struct SyncWriter {
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for SyncWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SyncWriter")
    }
}

impl SyncWriter {
    /// Opens the database file with the same settings as the sqlx connections (WAL,
    /// `synchronous=FULL`, foreign keys) and starts the writer thread.
    pub(crate) fn start(path: &Path, cache_kib: i64, turn: WriteTurn) -> Result<Self, StoreError> {
        let conn = open(path, cache_kib).map_err(|e| StoreError::Unavailable(format!("SQLite writer: {e}")))?;
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run(conn, queue, turn))
            .map_err(|e| StoreError::Unavailable(format!("cannot start the SQLite writer: {e}")))?;
        Ok(Self { jobs })
    }

    /// Runs `work` in the next batch and returns its reply once the batch is on disk. An error
    /// from `work` rolls back only this caller's savepoint.
    pub(crate) async fn write<T, W>(&self, work: W) -> Result<T, StoreError>
    where
        T: Send + 'static,
        W: FnOnce(&Connection) -> Result<Finish<T>, StoreError> + Send + 'static,
    {
        let (reply, wait) = oneshot::channel::<Result<T, StoreError>>();
        let job: Job = Box::new(move |conn| {
            let (keep, outcome) = match conn {
                Err(why) => (false, Err(StoreError::Unavailable(format!("cannot begin a write: {why}")))),
                Ok(conn) => match work(conn) {
                    Ok(Finish::Keep(v)) => (true, Ok(v)),
                    Ok(Finish::Discard(v)) => (false, Ok(v)),
                    Err(e) => (false, Err(e)),
                },
            };
            let notify: Notify = Box::new(move |committed| {
                let answer = match (outcome, committed) {
                    (Ok(v), Ok(())) => Ok(v),
                    (Ok(_), Err(e)) => Err(StoreError::Unavailable(format!("commit failed: {e}"))),
                    (Err(e), _) => Err(e),
                };
                let _ = reply.send(answer);
            });
            (keep, notify)
        });
        self.jobs.send(job).await.map_err(|_| StoreError::Unavailable("writer stopped".into()))?;
        wait.await.map_err(|_| StoreError::Unavailable("the write failed inside the writer".into()))?
    }
}

fn open(path: &Path, cache_kib: i64) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(30))?;
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
         PRAGMA temp_store = MEMORY; PRAGMA cache_size = -{cache_kib};"
    ))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// The writer loop: a batch per wake-up, one commit, then the answers.
fn run(conn: Connection, mut queue: mpsc::Receiver<Job>, turn: WriteTurn) {
    while let Some(first) = queue.blocking_recv() {
        let held = turn.blocking_lock();
        let began = conn.execute_batch("BEGIN IMMEDIATE").map_err(|e| e.to_string());
        let mut answers: Vec<Notify> = Vec::new();
        let mut next = Some(first);
        while let Some(job) = next.take() {
            // SQLite rolls a whole transaction back on some errors (disk full, I/O): then the
            // batch is lost, and the jobs still queued in it must not run outside it.
            let lost = began.is_ok() && conn.is_autocommit();
            let state = if lost {
                Err("the batch's transaction was rolled back")
            } else {
                began.as_ref().map(|_| ()).map_err(String::as_str)
            };
            if let Some(answer) = run_one(&conn, state, job) {
                answers.push(answer);
            }
            if answers.len() < MAX_BATCH {
                next = queue.try_recv().ok();
            }
        }
        let committed = match began {
            Ok(()) => conn.execute_batch("COMMIT").map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        if committed.is_err() && !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        drop(held);
        for answer in answers {
            answer(committed.clone());
        }
    }
}

/// One job in its own savepoint. `None` when it panicked (its caller sees the writer's
/// error; its work is rolled back).
fn run_one(conn: &Connection, began: Result<(), &str>, job: Job) -> Option<Notify> {
    if let Err(why) = began {
        return Some(job(Err(why)).1);
    }
    if let Err(e) = conn.execute_batch("SAVEPOINT jjn") {
        return Some(job(Err(&e.to_string())).1);
    }
    match catch_unwind(AssertUnwindSafe(|| job(Ok(conn)))) {
        Ok((true, answer)) => match conn.execute_batch("RELEASE jjn") {
            Ok(()) => Some(answer),
            Err(e) => {
                rollback_to_savepoint(conn);
                answer(Err(e.to_string()));
                None
            }
        },
        Ok((false, answer)) => {
            rollback_to_savepoint(conn);
            Some(answer)
        }
        Err(_) => {
            tracing::error!("a write panicked in the SQLite writer; its work is rolled back");
            rollback_to_savepoint(conn);
            None
        }
    }
}

/// Undoes one caller's work and leaves the batch's transaction open. If SQLite already rolled
/// the whole transaction back (a disk error), the commit fails and every caller is told.
fn rollback_to_savepoint(conn: &Connection) {
    if let Err(e) = conn.execute_batch("ROLLBACK TO jjn; RELEASE jjn") {
        tracing::error!(error = %e, "rollback to savepoint failed");
    }
}
