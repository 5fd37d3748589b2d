//! The statements of lead intake, written once and shared by the sqlx writer of PostgreSQL
//! (`postgres_hot_writer.rs`) and the rusqlite writer of SQLite (`sqlite_intake.rs`), and the
//! audit statements every write uses.

use std::sync::LazyLock;

use jiujinan_domain::lead::LeadStatus;

use crate::{Conflict, Created, IdempotencyKey, LeadReceipt, NewLeadRow, StoreError};

/// The columns of a lead row, in the order the inserts bind them.
pub(crate) const LEAD_COLUMNS: &str = "id, number, channel, reporter_name, reporter_phone, reporter_relation, \
                                       subject_name, \
     subject_id_number, subject_phone, hukou, location_code, address, division, responsible_unit, first_inquiry_unit, \
     first_inquiry_user, description, hardship_types, urgency, needs, status, duplicate_of, verify_due_ms, created_ms, \
     version";

/// The duplicate check by ID number: the oldest open lead about the same ID number since the
/// window start, by its blind index under the current or the previous key. `window`, `cur` and
/// `prev` are the placeholders to use (each writer numbers its parameters differently).
pub(crate) fn duplicate_by_id(window: &str, cur: &str, prev: &str) -> String {
    format!(
        "SELECT id FROM leads WHERE status = 'new' AND created_ms >= {window} AND subject_id_bidx IN ({cur}, {prev}) \
         ORDER BY created_ms, id LIMIT 1"
    )
}

/// The duplicate check by name and phone together (one index of both), likewise.
pub(crate) fn duplicate_by_name_phone(window: &str, cur: &str, prev: &str) -> String {
    format!(
        "SELECT id FROM leads WHERE status = 'new' AND created_ms >= {window} \
         AND subject_name_phone_bidx IN ({cur}, {prev}) ORDER BY created_ms, id LIMIT 1"
    )
}

/// An open lead about the same ID number within the duplicate window ($1 window, $2–$3 index).
pub(crate) static DUPLICATE_BY_ID: LazyLock<String> = LazyLock::new(|| duplicate_by_id("$1", "$2", "$3"));
/// An open lead about the same name and phone within the duplicate window ($1–$3).
pub(crate) static DUPLICATE_BY_NAME_PHONE: LazyLock<String> =
    LazyLock::new(|| duplicate_by_name_phone("$1", "$2", "$3"));
/// Draws the next lead number of a street and year.
pub(crate) const NEXT_NUMBER: &str = "INSERT INTO lead_numbers (street, year, last) VALUES ($1, $2, 1) \
     ON CONFLICT (street, year) DO UPDATE SET last = lead_numbers.last + 1 RETURNING last";
/// Claims an idempotency key with the reply; no row changed means it was taken.
pub(crate) const CLAIM_KEY: &str = "INSERT INTO idempotency_keys (actor, key, request_hash, response, created_ms) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (actor, key) DO NOTHING";
/// The request hash and reply stored with a taken key.
pub(crate) const STORED_KEY: &str = "SELECT request_hash, response FROM idempotency_keys WHERE actor = $1 AND key = $2";
/// The lead itself ($1–$24 in the order of `LEAD_COLUMNS` without status and version, then
/// its blind indexes $25–$28: ID number, phone, name with phone, name tokens).
pub(crate) static INSERT_LEAD: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO leads ({LEAD_COLUMNS}, urgency_rank, {LEAD_INDEX_COLUMNS}) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 'new', $21, $22, \
         $23, 1, $24, $25, $26, $27, $28)"
    )
});
/// The blind-index columns of a lead, in the order the inserts bind them.
pub(crate) const LEAD_INDEX_COLUMNS: &str =
    "subject_id_bidx, subject_phone_bidx, subject_name_phone_bidx, subject_name_tokens";
/// One step of a lead's or case's timeline.
pub(crate) const INSERT_TIMELINE: &str = "INSERT INTO timeline (id, subject_type, subject_id, at_ms, actor, unit, \
                                          step, note) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
/// A new lead's verification clock, a row of `deadlines` like every step's clock. `p` are the
/// placeholders (or expressions) of: deadline id, lead id, lead number, division, rule key,
/// responsible unit, responsible user, start, due, first warning, escalation interval.
pub(crate) fn insert_verify_deadline(p: [&str; 11]) -> String {
    let [id, lead, number, division, rule, unit, user, started, due, warn, escalate] = p;
    format!(
        "INSERT INTO deadlines (id, subject_type, subject_id, case_id, case_number, division, step, rule, \
         responsible_unit, responsible_user, started_ms, due_ms, warn_ms, escalate_days, state, warned, level, \
         next_ms, paused_ms, pause_reason, closed_ms, version) VALUES ({id}, 'lead', {lead}, '', {number}, \
         {division}, 'lead.verify', {rule}, {unit}, {user}, {started}, {due}, {warn}, {escalate}, 'open', FALSE, 0, \
         {warn}, 0, '', 0, 1)"
    )
}
/// The same for SQLite's writer, numbered on its own ($1–$11 in the order above).
pub(crate) static INSERT_VERIFY_DEADLINE: LazyLock<String> =
    LazyLock::new(|| insert_verify_deadline(["$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9", "$10", "$11"]));
/// An audit entry; the `audit_log_head` trigger moves the chain head (migration 4).
pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_log (seq, at_ms, actor, unit, division, action, entity_type, \
     entity_id, detail, digest, prev_hash, hash, mac) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
/// The chain head, on a backend whose writes are already serialised (SQLite).
pub(crate) const AUDIT_HEAD: &str = "SELECT seq, hash FROM audit_head WHERE id = 1";

/// The reply to a new lead: its readable number is street, year and sequence.
pub(crate) fn receipt(l: &NewLeadRow, seq: i64, duplicate_of: Option<String>) -> LeadReceipt {
    LeadReceipt {
        id: l.id.clone(),
        number: format!("L{}-{}-{:06}", l.street, l.year, seq),
        status: LeadStatus::New,
        responsible_unit: l.responsible_unit.clone(),
        first_inquiry_unit: l.first_inquiry_unit.clone(),
        duplicate_of,
        verify_due_ms: l.verify_due_ms,
    }
}

/// The stored reply as stored with the key, as JSON.
pub(crate) fn stored_reply(r: &LeadReceipt) -> Result<String, StoreError> {
    serde_json::to_string(r).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A key already taken: the first reply again if the request is the same, else a conflict.
pub(crate) fn replay(k: &IdempotencyKey, stored_hash: &str, response: &str) -> Result<Created, StoreError> {
    if stored_hash != k.request_hash {
        return Err(StoreError::Conflict(Conflict::IdempotencyKeyReused));
    }
    let stored: LeadReceipt =
        serde_json::from_str(response).map_err(|e| StoreError::Corrupt(format!("stored reply: {e}")))?;
    Ok(Created::Replayed(stored))
}
