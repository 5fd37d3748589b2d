//! Rows of aid, approval and funds: rule data, aid items with their approvals, funds and
//! their ledger, 公示 postings and objections.

use jiujinan_domain::aid::{AidKind, AidStatus, AidType, FundKind, Level, PostingStatus};
use serde::Serialize;

/// A dated standard (e.g. Beijing's 低保 standard per person per month).
#[derive(Debug, Clone, Serialize)]
pub struct Standard {
    pub region: String,
    pub kind: String,
    pub effective_from: i64,
    pub amount_fen: i64,
    pub placeholder: bool,
    pub source: String,
}

/// A temporary-assistance tier: months of the standard per person.
#[derive(Debug, Clone, Serialize)]
pub struct Tier {
    pub aid_type: String,
    pub tier: i64,
    pub months: i64,
    pub effective_from: i64,
    pub placeholder: bool,
    pub source: String,
}

/// Up to what amount a level approves a programme.
#[derive(Debug, Clone, Serialize)]
pub struct Authority {
    pub programme: String,
    pub level: String,
    pub max_fen: i64,
    pub effective_from: i64,
    pub placeholder: bool,
    pub source: String,
}

/// How often the same cause may be aided per year.
#[derive(Debug, Clone, Serialize)]
pub struct FrequencyRule {
    pub programme: String,
    pub max_per_year: i64,
    pub effective_from: i64,
    pub placeholder: bool,
    pub source: String,
}

/// The most one operation (deposit, allocation, grant) may move, from a date.
#[derive(Debug, Clone, Serialize)]
pub struct MoneyLimit {
    pub operation: String,
    pub max_fen: i64,
    pub effective_from: i64,
    pub placeholder: bool,
    pub source: String,
}

/// A dated separation-of-duties exception for a street or district: the pairs of steps one
/// person may take on the same aid item there (comma-separated codes; empty = strict).
#[derive(Debug, Clone, Serialize)]
pub struct DutyRule {
    pub division: String,
    pub effective_from: i64,
    pub allowed: String,
    pub placeholder: bool,
    pub source: String,
}

/// Whether a programme and aid type needs a public posting, for how long, with what fields.
#[derive(Debug, Clone, Serialize)]
pub struct PublicityRule {
    pub programme: String,
    pub aid_type: String,
    pub required: bool,
    pub days: i64,
    pub fields: String,
    pub effective_from: i64,
    pub placeholder: bool,
    pub source: String,
}

/// Every rule row of aid (the use cases pick the ones in force).
#[derive(Debug, Clone, Default, Serialize)]
pub struct AidRules {
    pub standards: Vec<Standard>,
    pub tiers: Vec<Tier>,
    pub authority: Vec<Authority>,
    pub frequency: Vec<FrequencyRule>,
    pub publicity: Vec<PublicityRule>,
    pub money_limits: Vec<MoneyLimit>,
    pub duty_rules: Vec<DutyRule>,
}

/// An aid item as stored.
#[derive(Debug, Clone, Serialize)]
pub struct AidItem {
    pub id: String,
    pub case_id: String,
    pub case_number: String,
    pub division: String,
    pub programme: String,
    pub kind: AidKind,
    pub aid_type: AidType,
    pub cause: String,
    pub tier: i64,
    pub persons: i64,
    pub description: String,
    pub proposed_fen: i64,
    pub amount_fen: i64,
    pub calculation: String,
    /// The placeholder rules the item was decided under (`standard,tier,authority`; see
    /// `jiujinan_domain::aid::placeholders_of`).
    pub placeholders: String,
    pub change_reason: String,
    pub special: bool,
    pub required_level: Level,
    pub fund_id: String,
    pub status: AidStatus,
    pub delivery_method: String,
    pub delivery_ref: String,
    pub paid_ms: i64,
    pub refusal_reason: String,
    pub action_id: String,
    pub created_by: String,
    pub created_unit: String,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub version: i64,
}

/// One opinion in the review and approval of an aid item.
#[derive(Debug, Clone, Serialize)]
pub struct AidApproval {
    pub id: String,
    pub aid_id: String,
    /// `review`, `approve`, `refuse`, `pay`, `cancel`, `reverse` or `objection`.
    pub step: String,
    pub level: String,
    pub actor: String,
    pub unit: String,
    pub opinion: String,
    pub at_ms: i64,
}

/// A status change of an aid item, with its opinion row, applied only from `from` at
/// `expected_version`; money moves in the same transaction.
#[derive(Debug, Clone)]
pub struct AidChange {
    pub id: String,
    pub expected_version: i64,
    pub from: AidStatus,
    pub to: AidStatus,
    pub approval: AidApproval,
    pub money: Money,
    pub refusal_reason: Option<String>,
    pub delivery: Option<(String, String)>,
    pub posting: Option<Posting>,
    /// The yearly limit per cause, checked again inside the change's transaction.
    pub frequency: Option<FrequencyGuard>,
    /// The clock of the step the item moves to (审核, 审批, 发放); the clock of the step it
    /// leaves always closes.
    pub open_deadline: Option<crate::NewDeadline>,
}

/// The frequency limit (in principle once a year per cause) as an approval checks it inside
/// its own transaction, serialised per person and cause, so that two approvals at the same
/// instant cannot both pass it. Fails with `Conflict("FREQUENCY_LIMIT")`.
#[derive(Debug, Clone)]
pub struct FrequencyGuard {
    /// The person's ID number, when known: aid in any of their cases counts.
    pub id_number: Option<String>,
    pub case_id: String,
    pub programme: String,
    pub cause: String,
    pub since_ms: i64,
    pub max_per_year: i64,
}

/// What an aid change does to its fund.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Money {
    None,
    /// available → reserved; fails with `INSUFFICIENT_FUNDS` when the fund has too little.
    Reserve,
    /// reserved → paid.
    Pay,
    /// reserved → available.
    Release,
    /// paid → available (a wrong payment returned).
    Reverse,
}

/// A fund account with its balances in fen.
#[derive(Debug, Clone, Serialize)]
pub struct Fund {
    pub id: String,
    pub unit: String,
    pub division: String,
    pub kind: FundKind,
    pub name: String,
    pub available_fen: i64,
    pub reserved_fen: i64,
    pub paid_fen: i64,
    pub created_ms: i64,
    pub version: i64,
}

/// One line of the double-entry ledger; the lines of a `tx_id` sum to zero.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerEntry {
    pub seq: i64,
    pub tx_id: String,
    pub fund_id: String,
    /// `available`, `reserved`, `paid` or `external`.
    pub account: String,
    pub amount_fen: i64,
    /// `deposit`, `allocation`, `reservation`, `posting`, `release` or `reversal`.
    pub kind: String,
    pub aid_id: String,
    pub memo: String,
    pub actor: String,
    pub at_ms: i64,
}

/// A 公示 posting with only the minimal fields.
#[derive(Debug, Clone, Serialize)]
pub struct Posting {
    pub id: String,
    pub aid_id: String,
    pub case_id: String,
    pub division: String,
    pub programme: String,
    pub head_name: String,
    pub persons: i64,
    pub amount_fen: i64,
    pub reason: String,
    pub start_ms: i64,
    pub end_ms: i64,
    pub status: PostingStatus,
    pub created_ms: i64,
}
