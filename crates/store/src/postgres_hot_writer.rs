//! Group commit for PostgreSQL's hot writes: new leads and audit entries on their own (the
//! records of reads). See docs/adr/0012-postgres-hot-writer.md.
//!
//! Every write appends to the audit chain, whose head row is locked (`FOR UPDATE`) until
//! commit, so one transaction per lead serialises leads one commit (one WAL flush) at a time.
//! Here one task runs whatever has queued in one transaction: it locks the head once, gives each
//! job its own savepoint (a failing job is rolled back alone), commits once and only then
//! answers every caller. A lead costs four round trips: the savepoint, its number with the
//! duplicate check, the idempotency key, and one statement that inserts the lead, its timeline,
//! its verification clock and its audit entry together.

use std::sync::{Arc, LazyLock};

use jiujinan_domain::audit::{self, AuditDraft, AuditEntry};
use jiujinan_domain::audit_key::AuditKey;
use sqlx::postgres::{PgPool, PgRow};
use sqlx::{Postgres, Row, Transaction};
use tokio::sync::{mpsc, oneshot};

use crate::intake;
use crate::pii::SealedLead;
use crate::{Created, IdempotencyKey, StoreError};

/// At most this many queued jobs go into one transaction.
const MAX_BATCH: usize = 256;

/// The next number of the street and year with the duplicate check, in one round trip. The
/// three variants differ in how a duplicate is recognised (ID number; name and phone; not at all);
/// the checks themselves are the shared ones of `intake.rs`.
fn number_and_duplicate(by: Duplicate) -> &'static str {
    static BY_ID: LazyLock<String> = LazyLock::new(|| with_number(&intake::duplicate_by_id("$3", "$4", "$5")));
    static BY_NAME_PHONE: LazyLock<String> =
        LazyLock::new(|| with_number(&intake::duplicate_by_name_phone("$3", "$4", "$5")));
    static NONE: LazyLock<String> = LazyLock::new(|| format!("{}, NULL::text AS dup", intake::NEXT_NUMBER));
    match by {
        Duplicate::ById => BY_ID.as_str(),
        Duplicate::ByNamePhone => BY_NAME_PHONE.as_str(),
        Duplicate::None => NONE.as_str(),
    }
}

fn with_number(duplicate: &str) -> String {
    format!("WITH n AS ({}) SELECT n.last, ({duplicate}) AS dup FROM n", intake::NEXT_NUMBER)
}

#[derive(Clone, Copy)]
enum Duplicate {
    ById,
    ByNamePhone,
    None,
}

/// The lead ($1–$28 as in `intake::INSERT_LEAD`), its audit entry ($29–$41), its first
/// timeline step ($42), its verification clock (rule $43, user $44, first warning $45,
/// escalation $46; the rest is the lead's own) and, when it duplicates an open lead, the
/// `duplicate_flagged` step ($47), in one statement. The `audit_log_head` trigger moves the
/// chain head.
fn insert_all(flagged: bool) -> &'static str {
    static PLAIN: LazyLock<String> = LazyLock::new(|| insert_all_sql(false));
    static FLAGGED: LazyLock<String> = LazyLock::new(|| insert_all_sql(true));
    if flagged { FLAGGED.as_str() } else { PLAIN.as_str() }
}

fn insert_all_sql(flagged: bool) -> String {
    let dup_step = if flagged { ", ($47, 'lead', $1, $23, $16, $15, 'duplicate_flagged', $21)" } else { "" };
    let clock = intake::insert_verify_deadline([
        "$1 || '-verify'",
        "$1",
        "$2",
        "$13",
        "$43",
        "$14",
        "$44",
        "$23",
        "$22",
        "$45",
        "$46",
    ]);
    format!(
        "WITH l AS ({}), d AS ({clock}), \
         t AS (INSERT INTO timeline (id, subject_type, subject_id, at_ms, actor, unit, step, note) VALUES \
         ($42, 'lead', $1, $23, $16, $15, 'reported', $3){dup_step}) \
         INSERT INTO audit_log (seq, at_ms, actor, unit, division, action, entity_type, entity_id, detail, digest, \
         prev_hash, hash, mac) \
         VALUES ($29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39, $40, $41)",
        *intake::INSERT_LEAD
    )
}

/// A job and where its answer goes.
enum Job {
    Lead {
        lead: Box<SealedLead>,
        key: Option<IdempotencyKey>,
        audit: AuditDraft,
        now_ms: i64,
        reply: oneshot::Sender<Result<Created, StoreError>>,
    },
    Audit {
        draft: AuditDraft,
        now_ms: i64,
        reply: oneshot::Sender<Result<AuditEntry, StoreError>>,
    },
}

/// A job's result, sent once the batch's commit is known.
enum Answer {
    Lead(oneshot::Sender<Result<Created, StoreError>>, Result<Created, StoreError>),
    Audit(oneshot::Sender<Result<AuditEntry, StoreError>>, Result<AuditEntry, StoreError>),
}

impl Answer {
    fn send(self, committed: &Result<(), String>) {
        fn after<T>(r: Result<T, StoreError>, committed: &Result<(), String>) -> Result<T, StoreError> {
            match (r, committed) {
                (Ok(v), Ok(())) => Ok(v),
                (Ok(_), Err(e)) => Err(StoreError::Unavailable(format!("commit failed: {e}"))),
                (Err(e), _) => Err(e),
            }
        }
        match self {
            Self::Lead(to, r) => drop(to.send(after(r, committed))),
            Self::Audit(to, r) => drop(to.send(after(r, committed))),
        }
    }
}

impl Job {
    fn fail(self, why: &str) -> Answer {
        let e = || StoreError::Unavailable(why.to_owned());
        match self {
            Self::Lead { reply, .. } => Answer::Lead(reply, Err(e())),
            Self::Audit { reply, .. } => Answer::Audit(reply, Err(e())),
        }
    }
}

/// The handle the store sends hot writes to.
#[derive(Debug, Clone)]
pub(crate) struct HotWriter {
    jobs: mpsc::Sender<Job>,
}

impl HotWriter {
    /// Starts the writer task; it ends when every handle is gone.
    pub(crate) fn start(pool: PgPool, audit_key: Option<Arc<AuditKey>>) -> Self {
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(pool, queue, audit_key));
        Self { jobs }
    }

    pub(crate) async fn create_lead(
        &self,
        lead: &SealedLead,
        key: Option<&IdempotencyKey>,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<Created, StoreError> {
        let (reply, answer) = oneshot::channel();
        let job = Job::Lead { lead: Box::new(lead.clone()), key: key.cloned(), audit, now_ms, reply };
        self.submit(job).await?;
        answer.await.map_err(|_| stopped())?
    }

    pub(crate) async fn append_audit(&self, draft: AuditDraft, now_ms: i64) -> Result<AuditEntry, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Audit { draft, now_ms, reply }).await?;
        answer.await.map_err(|_| stopped())?
    }

    async fn submit(&self, job: Job) -> Result<(), StoreError> {
        self.jobs.send(job).await.map_err(|_| stopped())
    }
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Lead { .. } => "Job::Lead",
            Self::Audit { .. } => "Job::Audit",
        })
    }
}

fn stopped() -> StoreError {
    StoreError::Unavailable("the PostgreSQL writer has stopped".into())
}

async fn run(pool: PgPool, mut queue: mpsc::Receiver<Job>, audit_key: Option<Arc<AuditKey>>) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let (answers, committed) = run_batch(&pool, batch, audit_key.as_deref()).await;
        for a in answers {
            a.send(&committed);
        }
    }
}

/// One transaction for the batch. Returns every job's answer and the commit's outcome.
async fn run_batch(pool: &PgPool, batch: Vec<Job>, audit_key: Option<&AuditKey>) -> (Vec<Answer>, Result<(), String>) {
    let mut tx = match pool.begin().await {
        Ok(tx) => tx,
        Err(e) => return fail_all(batch, e.to_string()),
    };
    let mut head: (i64, String) = match sqlx::query(crate::postgres::HEAD_FOR_UPDATE).fetch_one(&mut *tx).await {
        Ok(row) => match (row.try_get("seq"), row.try_get("hash")) {
            (Ok(seq), Ok(hash)) => (seq, hash),
            _ => return fail_all(batch, "the audit head cannot be read".into()),
        },
        Err(e) => return fail_all(batch, e.to_string()),
    };
    let mut answers = Vec::with_capacity(batch.len());
    let mut savepoint_open = false;
    let mut jobs = batch.into_iter().peekable();
    while let Some(job) = jobs.next() {
        // Consecutive audit entries (the records of reads) go in as one group.
        let work = match job {
            Job::Lead { lead, key, audit, now_ms, reply } => Work::Lead(lead, key, audit, now_ms, reply),
            Job::Audit { draft, now_ms, reply } => {
                let mut group = vec![(draft, now_ms, reply)];
                while let Some(Job::Audit { .. }) = jobs.peek() {
                    if let Some(Job::Audit { draft, now_ms, reply }) = jobs.next() {
                        group.push((draft, now_ms, reply));
                    }
                }
                Work::Audits(group)
            }
        };
        if let Err(why) = savepoint(&mut tx, &mut savepoint_open).await {
            // The transaction is no longer usable: nothing of the batch is committed.
            answers.extend(work.fail(&why));
            answers.extend(jobs.map(|j| j.fail(&why)));
            return (answers, Err(why));
        }
        let (done, keep) = match work {
            Work::Lead(lead, key, audit, now_ms, reply) => {
                match create_lead(&mut tx, (&mut head, audit_key), &lead, key.as_ref(), audit, now_ms).await {
                    Ok((created, keep)) => (vec![Answer::Lead(reply, Ok(created))], keep),
                    Err(e) => (vec![Answer::Lead(reply, Err(e))], false),
                }
            }
            Work::Audits(group) => match append_group(&mut tx, (&mut head, audit_key), &group).await {
                Ok(entries) => {
                    let done = group.into_iter().zip(entries).map(|((_, _, reply), e)| Answer::Audit(reply, Ok(e)));
                    (done.collect(), true)
                }
                // One entry the database refuses must not fail the others: roll the group
                // back and append its entries one savepoint each.
                Err(_) => match rollback_to_savepoint(&mut tx).await {
                    Err(why) => {
                        answers.extend(Work::Audits(group).fail(&why));
                        answers.extend(jobs.map(|j| j.fail(&why)));
                        return (answers, Err(why));
                    }
                    Ok(()) => {
                        let mut rest = group.into_iter();
                        while let Some((draft, now_ms, reply)) = rest.next() {
                            if let Err(why) = savepoint(&mut tx, &mut savepoint_open).await {
                                answers.push(Answer::Audit(reply, Err(StoreError::Unavailable(why.clone()))));
                                answers.extend(Work::Audits(rest.collect()).fail(&why));
                                answers.extend(jobs.map(|j| j.fail(&why)));
                                return (answers, Err(why));
                            }
                            let one = append_group(&mut tx, (&mut head, audit_key), &[(draft, now_ms, ())])
                                .await
                                .map(|mut v| v.remove(0));
                            if one.is_err()
                                && let Err(why) = rollback_to_savepoint(&mut tx).await
                            {
                                answers.push(Answer::Audit(reply, one));
                                answers.extend(Work::Audits(rest.collect()).fail(&why));
                                answers.extend(jobs.map(|j| j.fail(&why)));
                                return (answers, Err(why));
                            }
                            answers.push(Answer::Audit(reply, one));
                        }
                        (Vec::new(), true)
                    }
                },
            },
        };
        if !keep && let Err(why) = rollback_to_savepoint(&mut tx).await {
            answers.extend(done);
            answers.extend(jobs.map(|j| j.fail(&why)));
            return (answers, Err(why));
        }
        answers.extend(done);
    }
    let committed = tx.commit().await.map_err(|e| e.to_string());
    (answers, committed)
}

/// A stand-alone audit entry waiting in a batch, with where its answer goes.
type QueuedAudit = (AuditDraft, i64, oneshot::Sender<Result<AuditEntry, StoreError>>);

/// One job's (or one group's) work, taken out of the queue.
#[allow(clippy::large_enum_variant)] // one value per job, moved once
enum Work {
    Lead(Box<SealedLead>, Option<IdempotencyKey>, AuditDraft, i64, oneshot::Sender<Result<Created, StoreError>>),
    Audits(Vec<QueuedAudit>),
}

impl Work {
    fn fail(self, why: &str) -> Vec<Answer> {
        let e = || StoreError::Unavailable(why.to_owned());
        match self {
            Self::Lead(.., reply) => vec![Answer::Lead(reply, Err(e()))],
            Self::Audits(group) => group.into_iter().map(|(_, _, reply)| Answer::Audit(reply, Err(e()))).collect(),
        }
    }
}

/// Opens the savepoint of the next job, closing the previous one in the same round trip.
async fn savepoint(tx: &mut Transaction<'static, Postgres>, open: &mut bool) -> Result<(), String> {
    let sql = if *open { "RELEASE SAVEPOINT hot; SAVEPOINT hot" } else { "SAVEPOINT hot" };
    sqlx::raw_sql(sql).execute(&mut **tx).await.map_err(|e| e.to_string())?;
    *open = true;
    Ok(())
}

async fn rollback_to_savepoint(tx: &mut Transaction<'static, Postgres>) -> Result<(), String> {
    sqlx::raw_sql("ROLLBACK TO SAVEPOINT hot").execute(&mut **tx).await.map(|_| ()).map_err(|e| e.to_string())
}

fn fail_all(batch: Vec<Job>, why: String) -> (Vec<Answer>, Result<(), String>) {
    (batch.into_iter().map(|j| j.fail(&why)).collect(), Err(why))
}

/// A new lead; `false` when its work is to be discarded (a replayed idempotent request: the
/// number it drew goes back). Moves `head` only when the lead's audit entry was written.
async fn create_lead(
    tx: &mut Transaction<'static, Postgres>,
    (head, audit_key): (&mut (i64, String), Option<&AuditKey>),
    sealed: &SealedLead,
    key: Option<&IdempotencyKey>,
    audit: AuditDraft,
    now_ms: i64,
) -> Result<(Created, bool), StoreError> {
    let l = &sealed.row;
    let window = l.duplicate_window_start_ms;
    let q = |by| sqlx::query(number_and_duplicate(by)).bind(&l.street).bind(l.year);
    let row: PgRow = match (&sealed.dup_id, &sealed.dup_name_phone) {
        (Some([cur, prev]), _) => q(Duplicate::ById).bind(window).bind(cur).bind(prev).fetch_one(&mut **tx).await?,
        (None, Some([cur, prev])) => {
            q(Duplicate::ByNamePhone).bind(window).bind(cur).bind(prev).fetch_one(&mut **tx).await?
        }
        (None, None) => q(Duplicate::None).fetch_one(&mut **tx).await?,
    };
    let seq: i64 = row.try_get("last")?;
    let duplicate_of: Option<String> = row.try_get("dup")?;
    let receipt = intake::receipt(l, seq, duplicate_of.clone());
    if let Some(k) = key {
        // Claim the key with the reply. A twin in another transaction waits on this row, then
        // finds it taken and answers with the stored reply.
        let response = intake::stored_reply(&receipt)?;
        let claimed = sqlx::query(intake::CLAIM_KEY)
            .bind(&k.actor)
            .bind(&k.key)
            .bind(&k.request_hash)
            .bind(&response)
            .bind(now_ms)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        if claimed == 0 {
            let row = sqlx::query(intake::STORED_KEY).bind(&k.actor).bind(&k.key).fetch_one(&mut **tx).await?;
            let hash: String = row.try_get("request_hash")?;
            let response: String = row.try_get("response")?;
            return intake::replay(k, &hash, &response).map(|r| (r, false));
        }
    }
    let mut audit = audit;
    audit.entity_id = l.id.clone();
    let e = audit::seal(audit, head.0 + 1, now_ms, &head.1, audit_key);
    let mut q = sqlx::query(insert_all(duplicate_of.is_some()))
        .bind(&l.id)
        .bind(&receipt.number)
        .bind(l.channel.code())
        .bind(&l.reporter_name)
        .bind(&l.reporter_phone)
        .bind(&l.reporter_relation)
        .bind(&l.subject_name)
        .bind(&l.subject_id_number)
        .bind(&l.subject_phone)
        .bind(&l.hukou)
        .bind(&l.location_code)
        .bind(&l.address)
        .bind(&l.division)
        .bind(&l.responsible_unit)
        .bind(&l.first_inquiry_unit)
        .bind(&l.first_inquiry_user)
        .bind(&l.description)
        .bind(&l.hardship_types)
        .bind(l.urgency.code())
        .bind(&l.needs)
        .bind(&duplicate_of)
        .bind(l.verify_due_ms)
        .bind(now_ms)
        .bind(l.urgency.rank())
        .bind(&sealed.id_bidx)
        .bind(&sealed.phone_bidx)
        .bind(&sealed.name_phone_bidx)
        .bind(&sealed.name_tokens);
    let c = &l.verify_clock;
    let warn = c.warn_ms.clamp(now_ms, l.verify_due_ms.max(now_ms));
    q = bind_entry(q, &e).bind(format!("{}-1", l.id)).bind(&c.rule).bind(&c.responsible_user).bind(warn);
    q = q.bind(c.escalate_days);
    if duplicate_of.is_some() {
        q = q.bind(format!("{}-2", l.id));
    }
    q.execute(&mut **tx).await?;
    *head = (e.seq, e.hash);
    Ok((Created::New(receipt), true))
}

/// Audit entries on their own, sealed one after another onto `head` and inserted by one
/// statement (in chain order, so the `audit_log_head` trigger leaves the head on the last).
/// Moves `head` only when the insert succeeded.
async fn append_group<R>(
    tx: &mut Transaction<'static, Postgres>,
    (head, key): (&mut (i64, String), Option<&AuditKey>),
    group: &[(AuditDraft, i64, R)],
) -> Result<Vec<AuditEntry>, StoreError> {
    let mut entries: Vec<AuditEntry> = Vec::with_capacity(group.len());
    for (draft, at, _) in group {
        let (seq, prev) = entries.last().map_or((head.0, head.1.as_str()), |e| (e.seq, e.hash.as_str()));
        let e = audit::seal(draft.clone(), seq + 1, *at, prev, key);
        entries.push(e);
    }
    let col = |f: fn(&AuditEntry) -> &str| entries.iter().map(|e| f(e).to_owned()).collect::<Vec<String>>();
    sqlx::query(
        "INSERT INTO audit_log (seq, at_ms, actor, unit, division, action, entity_type, entity_id, detail, digest, \
         prev_hash, hash, mac) \
         SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], \
         $8::text[], \
         $9::text[], $10::text[], $11::text[], $12::text[], $13::text[]) ORDER BY 1",
    )
    .bind(entries.iter().map(|e| e.seq).collect::<Vec<i64>>())
    .bind(entries.iter().map(|e| e.at_ms).collect::<Vec<i64>>())
    .bind(col(|e| &e.actor))
    .bind(col(|e| &e.unit))
    .bind(col(|e| &e.division))
    .bind(col(|e| &e.action))
    .bind(col(|e| &e.entity_type))
    .bind(col(|e| &e.entity_id))
    .bind(col(|e| &e.detail))
    .bind(col(|e| &e.digest))
    .bind(col(|e| &e.prev_hash))
    .bind(col(|e| &e.hash))
    .bind(col(|e| &e.mac))
    .execute(&mut **tx)
    .await?;
    if let Some(last) = entries.last() {
        *head = (last.seq, last.hash.clone());
    }
    Ok(entries)
}

type Query<'q> = sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>;

/// Binds the thirteen columns of an audit entry, in `INSERT_AUDIT` order.
fn bind_entry<'q>(q: Query<'q>, e: &AuditEntry) -> Query<'q> {
    q.bind(e.seq)
        .bind(e.at_ms)
        .bind(e.actor.clone())
        .bind(e.unit.clone())
        .bind(e.division.clone())
        .bind(e.action.clone())
        .bind(e.entity_type.clone())
        .bind(e.entity_id.clone())
        .bind(e.detail.clone())
        .bind(e.digest.clone())
        .bind(e.prev_hash.clone())
        .bind(e.hash.clone())
        .bind(e.mac.clone())
}
