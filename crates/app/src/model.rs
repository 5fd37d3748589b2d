//! The records the use cases hand to the web layer and the CLI: plain data read back from the
//! store. Only the data types are re-exported; the store itself (its traits and connection)
//! stays inside this crate, so every read and write above goes through a use case that checks
//! permissions and writes the audit record.

pub use jiujinan_store::{
    ActionRecord, AidApproval, AidItem, AidRules, CaseRecord, DeadlineRecord, DeadlineRule, Fund, LeadFilter,
    LeadReceipt, LeadRecord, LedgerEntry, Posting, Programme, SupervisionRecord, TimeLimit, TimelineEntry, Unit,
    UnitNode, UnitSearch,
};
