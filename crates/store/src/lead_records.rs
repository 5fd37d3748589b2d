//! Lead rows as the store accepts and returns them.

use jiujinan_domain::lead::{Channel, LeadStatus, Urgency};
use serde::{Deserialize, Serialize};

/// A validated lead ready to store; the store adds the number, status and duplicate link.
#[derive(Debug, Clone)]
pub struct NewLeadRow {
    pub id: String,
    pub channel: Channel,
    pub reporter_name: String,
    pub reporter_phone: Option<String>,
    pub reporter_relation: String,
    pub subject_name: String,
    pub subject_id_number: Option<String>,
    pub subject_phone: Option<String>,
    pub hukou: String,
    pub location_code: String,
    pub address: String,
    /// The division where the person is (scopes who sees the lead).
    pub division: String,
    /// The street whose office is responsible (numbers are per street and year).
    pub street: String,
    pub year: i64,
    pub responsible_unit: String,
    pub first_inquiry_unit: String,
    pub first_inquiry_user: String,
    pub description: String,
    /// Comma-separated hardship codes.
    pub hardship_types: String,
    /// Sorts the queues too, through its rank (`Urgency::rank`).
    pub urgency: Urgency,
    pub needs: String,
    pub verify_due_ms: i64,
    /// The verification clock started with the lead (a row in `deadlines`).
    pub verify_clock: VerifyClock,
    /// Open leads created since then about the same person are duplicates.
    pub duplicate_window_start_ms: i64,
}

/// The verification clock of a new lead: the rest of its deadline row is the lead's own
/// (`{id}-verify`, subject the lead, step `lead.verify`, the responsible office, due at
/// `verify_due_ms`).
#[derive(Debug, Clone, Default)]
pub struct VerifyClock {
    /// The rule key (`limits/verify/{urgency}@{effective_from}`).
    pub rule: String,
    pub warn_ms: i64,
    pub escalate_days: i64,
    /// The person answerable for the step: the recorder, when the lead stays in their unit.
    pub responsible_user: String,
}

/// A stored lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeadRecord {
    pub id: String,
    pub number: String,
    pub channel: Channel,
    pub reporter_name: String,
    pub reporter_phone: Option<String>,
    pub reporter_relation: String,
    pub subject_name: String,
    pub subject_id_number: Option<String>,
    pub subject_phone: Option<String>,
    pub hukou: String,
    pub location_code: String,
    pub address: String,
    pub division: String,
    pub responsible_unit: String,
    pub first_inquiry_unit: String,
    pub first_inquiry_user: String,
    pub description: String,
    pub hardship_types: String,
    pub urgency: Urgency,
    pub needs: String,
    pub status: LeadStatus,
    pub duplicate_of: Option<String>,
    pub verify_due_ms: i64,
    pub created_ms: i64,
    pub version: i64,
    /// Reasons when not accepted; the transfer or merge target otherwise.
    pub outcome_note: String,
}

/// What the intake API answers; stored with the idempotency key so a retry gets the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadReceipt {
    pub id: String,
    pub number: String,
    pub status: LeadStatus,
    pub responsible_unit: String,
    pub first_inquiry_unit: String,
    pub duplicate_of: Option<String>,
    pub verify_due_ms: i64,
}

/// A retried request's key: per caller, with a hash of the request body.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub actor: String,
    pub key: String,
    pub request_hash: String,
}

/// Whether a create made something new or replayed an earlier reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    New(LeadReceipt),
    Replayed(LeadReceipt),
}

/// One step in a lead's or case's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    pub at_ms: i64,
    pub actor: String,
    pub unit: String,
    pub step: String,
    pub note: String,
}

/// Filters of a lead queue.
#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    /// Only this status (`new` for the verification queue).
    pub status: Option<String>,
    pub urgency: Option<String>,
    /// Only leads whose verification deadline has passed at this instant.
    pub overdue_at_ms: Option<i64>,
    /// Name fragment, full ID number, phone or lead number.
    pub search: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// A time limit in force for a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TimeLimit {
    pub hours: i64,
    /// True while the value is a placeholder no source fixes.
    pub placeholder: bool,
    /// The first warning comes this many hours before the limit.
    pub warn_hours: i64,
    /// While the step stays overdue, it escalates one level further every this many working days.
    pub escalate_after_days: i64,
    /// The effective date of the row in force (part of the rule key a clock records).
    pub effective_from: i64,
}
