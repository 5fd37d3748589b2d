//! Case rows as the store accepts and returns them.

use jiujinan_domain::case::CaseStatus;
use jiujinan_domain::lead::Urgency;
use serde::Serialize;

/// What acceptance adds to the lead's data to open a case.
#[derive(Debug, Clone)]
pub struct NewCaseRow {
    pub id: String,
    /// Case numbers are per street and year.
    pub street: String,
    pub year: i64,
    pub responsible_user: String,
    /// 先行受理: accepted before the documents are complete.
    pub documents_pending: bool,
    /// Investigation deadline.
    pub step_due_ms: i64,
    /// The investigation's clock; the store writes the new case's number on it.
    pub clock: crate::NewDeadline,
}

/// A stored case. `household` and `economy` hold JSON of the domain types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseRecord {
    pub id: String,
    pub number: String,
    pub lead_id: String,
    pub subject_name: String,
    pub subject_id_number: Option<String>,
    pub subject_phone: Option<String>,
    pub division: String,
    pub responsible_unit: String,
    pub responsible_user: String,
    pub first_inquiry_unit: String,
    pub status: CaseStatus,
    pub urgency: Urgency,
    pub hardship_types: String,
    pub documents_pending: bool,
    pub household: String,
    pub economy: String,
    pub population: String,
    pub review_opinion: String,
    pub recommended_routes: String,
    pub step_due_ms: i64,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub version: i64,
}

/// How a lead leaves the verification queue without becoming a case of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeadOutcome {
    /// 不予受理, with the written reasons.
    NotAccepted { reason: String },
    /// Merged into another open lead or a case, whose timeline keeps this report.
    Merged { into_id: String, into_number: String, into_type: &'static str, report: String },
    /// Sent to the handling office of the street where the person really is.
    Transferred { division: String, office: String },
}

/// One investigation record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Investigation {
    pub id: String,
    pub case_id: String,
    pub method: String,
    pub investigator: String,
    pub unit: String,
    pub done_ms: i64,
    pub findings: String,
    pub created_ms: i64,
}

/// A change of a case's status with what goes with it.
#[derive(Debug, Clone)]
pub struct CaseTransition {
    pub from: CaseStatus,
    pub to: CaseStatus,
    /// Review opinion and recommended routes, when the review is recorded.
    pub opinion: Option<(String, String)>,
    pub step_due_ms: i64,
    pub step: String,
    pub note: String,
    /// Closes every open deadline of the case's own steps (e.g. the follow-up on reopening).
    pub close_case_deadlines: bool,
    /// Starts a clock on the case (e.g. the follow-up visit after closure).
    pub open_deadline: Option<crate::NewDeadline>,
}

/// The editable household part of the case file.
#[derive(Debug, Clone)]
pub struct CaseFileEdit {
    pub household: String,
    pub economy: String,
    pub population: String,
    pub documents_pending: bool,
}

/// Who acts, for timeline rows.
#[derive(Debug, Clone)]
pub struct Who {
    pub user: String,
    pub unit: String,
}
