//! The hot writes of the SQLite store on its synchronous writer (`sqlite_sync_writer.rs`): a
//! new lead (with its verification clock), and an audit entry on its own (the record of a read). The statements are the
//! shared ones of `intake.rs`; PostgreSQL runs the same through sqlx
//! (`postgres_hot_writer.rs`), and the conformance suite holds both to the same behaviour.

use jiujinan_domain::audit::{self, AuditDraft, AuditEntry};
use jiujinan_domain::audit_key::AuditKey;
use rusqlite::{Connection, ToSql};

use crate::intake;
use crate::pii::SealedLead;
use crate::sqlite::SqliteStore;
use crate::sqlite_sync_writer::Finish;
use crate::{Created, IdempotencyKey, StoreError};

impl SqliteStore {
    /// A new lead: number, duplicate link, idempotency key, timeline and audit entry in one
    /// savepoint of the writer's batch.
    pub(crate) async fn insert_new_lead(
        &self,
        l: &SealedLead,
        idempotency: Option<&IdempotencyKey>,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<Created, StoreError> {
        let (l, key, audit_key) = (l.clone(), idempotency.cloned(), self.audit_key());
        self.sync_writer()
            .write(move |conn| create_lead(conn, &l, key.as_ref(), audit, now_ms, audit_key.as_deref()))
            .await
    }

    /// An audit entry on its own, group-committed with whatever else is queued.
    pub(crate) async fn append_standalone(&self, audit: AuditDraft, now_ms: i64) -> Result<AuditEntry, StoreError> {
        let key = self.audit_key();
        self.sync_writer().write(move |conn| append_audit(conn, audit, now_ms, key.as_deref()).map(Finish::Keep)).await
    }
}

fn create_lead(
    conn: &Connection,
    sealed: &SealedLead,
    key: Option<&IdempotencyKey>,
    audit: AuditDraft,
    now_ms: i64,
    audit_key: Option<&AuditKey>,
) -> Result<Finish<Created>, StoreError> {
    let l = &sealed.row;
    let window = l.duplicate_window_start_ms;
    let duplicate_of: Option<String> = match (&sealed.dup_id, &sealed.dup_name_phone) {
        (Some([cur, prev]), _) => query_one(conn, &intake::DUPLICATE_BY_ID, &[&window, cur, prev], |r| r.get(0))?,
        (None, Some([cur, prev])) => {
            query_one(conn, &intake::DUPLICATE_BY_NAME_PHONE, &[&window, cur, prev], |r| r.get(0))?
        }
        (None, None) => None,
    };
    let seq: i64 = query_one(conn, intake::NEXT_NUMBER, &[&l.street, &l.year], |r| r.get(0))?
        .ok_or_else(|| StoreError::Corrupt("no lead number drawn".into()))?;
    let receipt = intake::receipt(l, seq, duplicate_of.clone());
    if let Some(k) = key {
        // Claim the key with the reply. A twin later in the same batch (or a later batch) finds
        // it taken and answers with the stored reply; its savepoint is discarded, giving back
        // the number it drew. The reply goes out only after the first one's commit.
        let response = intake::stored_reply(&receipt)?;
        let claimed = execute(conn, intake::CLAIM_KEY, &[&k.actor, &k.key, &k.request_hash, &response, &now_ms])?;
        if claimed == 0 {
            let (hash, response): (String, String) =
                query_one(conn, intake::STORED_KEY, &[&k.actor, &k.key], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .ok_or_else(|| StoreError::Corrupt("idempotency key vanished".into()))?;
            return intake::replay(k, &hash, &response).map(Finish::Discard);
        }
    }
    let (channel, urgency, urgency_rank) = (l.channel.code(), l.urgency.code(), l.urgency.rank());
    execute(
        conn,
        &intake::INSERT_LEAD,
        &[
            &l.id,
            &receipt.number,
            &channel,
            &l.reporter_name,
            &l.reporter_phone,
            &l.reporter_relation,
            &l.subject_name,
            &l.subject_id_number,
            &l.subject_phone,
            &l.hukou,
            &l.location_code,
            &l.address,
            &l.division,
            &l.responsible_unit,
            &l.first_inquiry_unit,
            &l.first_inquiry_user,
            &l.description,
            &l.hardship_types,
            &urgency,
            &l.needs,
            &duplicate_of,
            &l.verify_due_ms,
            &now_ms,
            &urgency_rank,
            &sealed.id_bidx,
            &sealed.phone_bidx,
            &sealed.name_phone_bidx,
            &sealed.name_tokens,
        ],
    )?;
    let c = &l.verify_clock;
    let warn = c.warn_ms.clamp(now_ms, l.verify_due_ms.max(now_ms));
    execute(
        conn,
        &intake::INSERT_VERIFY_DEADLINE,
        &[
            &format!("{}-verify", l.id),
            &l.id,
            &receipt.number,
            &l.division,
            &c.rule,
            &l.responsible_unit,
            &c.responsible_user,
            &now_ms,
            &l.verify_due_ms,
            &warn,
            &c.escalate_days,
        ],
    )?;
    let step = |suffix: &str, step: &str, note: &str| {
        let id = format!("{}-{suffix}", l.id);
        execute(
            conn,
            intake::INSERT_TIMELINE,
            &[&id, &"lead", &l.id, &now_ms, &l.first_inquiry_user, &l.first_inquiry_unit, &step, &note],
        )
    };
    step("1", "reported", channel)?;
    if let Some(d) = &duplicate_of {
        step("2", "duplicate_flagged", d)?;
    }
    let mut audit = audit;
    audit.entity_id = l.id.clone();
    append_audit(conn, audit, now_ms, audit_key)?;
    Ok(Finish::Keep(Created::New(receipt)))
}

/// Seals the draft onto the chain head; the `audit_log_head` trigger moves the head.
fn append_audit(
    conn: &Connection,
    draft: AuditDraft,
    now_ms: i64,
    key: Option<&AuditKey>,
) -> Result<AuditEntry, StoreError> {
    let (prev_seq, prev_hash): (i64, String) =
        query_one(conn, intake::AUDIT_HEAD, &[], |r| Ok((r.get(0)?, r.get(1)?)))?
            .ok_or_else(|| StoreError::Corrupt("audit head missing".into()))?;
    let e = audit::seal(draft, prev_seq + 1, now_ms, &prev_hash, key);
    execute(
        conn,
        intake::INSERT_AUDIT,
        &[
            &e.seq,
            &e.at_ms,
            &e.actor,
            &e.unit,
            &e.division,
            &e.action,
            &e.entity_type,
            &e.entity_id,
            &e.detail,
            &e.digest,
            &e.prev_hash,
            &e.hash,
            &e.mac,
        ],
    )?;
    Ok(e)
}

/// Binds `values` to a statement written with `$n` placeholders: `$n` takes `values[n - 1]`
/// wherever it appears (SQLite numbers named parameters by first appearance, not by name).
fn bind(stmt: &mut rusqlite::CachedStatement<'_>, values: &[&dyn ToSql]) -> Result<(), StoreError> {
    for i in 1..=stmt.parameter_count() {
        let value = stmt
            .parameter_name(i)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| values.get(n.checked_sub(1)?))
            .ok_or_else(|| StoreError::Corrupt(format!("statement parameter {i} has no value")))?;
        stmt.raw_bind_parameter(i, *value).map_err(engine)?;
    }
    Ok(())
}

fn execute(conn: &Connection, sql: &str, values: &[&dyn ToSql]) -> Result<usize, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(engine)?;
    bind(&mut stmt, values)?;
    stmt.raw_execute().map_err(engine)
}

/// The first row (if any), mapped.
fn query_one<T>(
    conn: &Connection,
    sql: &str,
    values: &[&dyn ToSql],
    map: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Option<T>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(engine)?;
    bind(&mut stmt, values)?;
    let mut rows = stmt.raw_query();
    rows.next().map_err(engine)?.map(map).transpose().map_err(engine)
}

fn engine(e: rusqlite::Error) -> StoreError {
    StoreError::Engine(e.to_string())
}
