//! The storage trait of jiujinan and its two implementations.
//!
//! The web and app layers hold an `Arc<dyn Store>` chosen by the database URL's scheme, so
//! they compile once. Every method that changes data takes the audit draft and writes it in
//! the same transaction. Methods that list personal data take a `Jurisdiction`, so a query
//! cannot forget the scope. The conformance suite in `tests/` runs on both backends.

mod aid_records;
mod aid_sql;
mod backend;
mod case_records;
mod case_sql;
mod db;
mod disposition_records;
mod disposition_sql;
mod error;
mod intake;
mod lead_records;
mod lead_sql;
mod migrations;
mod postgres;
mod postgres_hot_writer;
mod records;
mod seed_sql;
mod sql;
mod sqlite;
mod sqlite_intake;
mod sqlite_sync_writer;
mod sqlite_writer;
#[cfg(feature = "testing")]
pub mod testing;

use std::sync::Arc;

use async_trait::async_trait;
use jiujinan_domain::audit::{AuditDraft, AuditEntry};
use jiujinan_domain::jurisdiction::Jurisdiction;
use jiujinan_domain::org::{NewUnit, UnitCode};

pub use aid_records::*;
pub use backend::SqlStore;
pub use case_records::*;
pub use disposition_records::*;
pub use error::{Conflict, StoreError};
pub use lead_records::*;
pub use migrations::{Migration, postgres_migrations, sqlite_migrations};
pub use records::*;

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Intake: leads, their timeline and idempotent creation.
#[async_trait]
pub trait LeadStore: Send + Sync {
    /// Stores a lead with its number, duplicate link, timeline and audit entry in one
    /// transaction. With a key: the same key and body replays the first reply, the same key
    /// with another body is `Conflict::IdempotencyKeyReused`.
    async fn create_lead(
        &self,
        lead: &NewLeadRow,
        idempotency: Option<&IdempotencyKey>,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<Created, StoreError>;
    /// One lead by id (callers check the jurisdiction).
    async fn lead(&self, id: &str) -> Result<Option<LeadRecord>, StoreError>;
    /// Leads located within `scope`, most urgent and earliest deadline first.
    async fn list_leads(&self, scope: &Jurisdiction, filter: &LeadFilter) -> Result<Vec<LeadRecord>, StoreError>;
    /// How many leads within `scope` have each status.
    async fn count_leads(&self, scope: &Jurisdiction) -> Result<Vec<(String, i64)>, StoreError>;
    /// The history of a lead or case, oldest first.
    async fn timeline(&self, subject_id: &str) -> Result<Vec<TimelineEntry>, StoreError>;
    /// The histories of a case and the lead it came from, merged, oldest first.
    async fn case_timeline(&self, lead_id: &str, case_id: &str) -> Result<Vec<TimelineEntry>, StoreError>;
    /// The time limit in force at `at_ms` for a step and urgency.
    async fn time_limit(&self, step: &str, urgency: &str, at_ms: i64) -> Result<Option<TimeLimit>, StoreError>;
}

/// Verification outcomes and the case file.
#[async_trait]
pub trait CaseStore: Send + Sync {
    /// Accepts an open lead at `expected_version` and opens its case (numbered per street and
    /// year), with timeline and audit, in one transaction.
    async fn accept_lead(
        &self,
        lead_id: &str,
        expected_version: i64,
        case: &NewCaseRow,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<CaseRecord, StoreError>;
    /// Closes or re-routes an open lead at `expected_version`.
    async fn close_lead(
        &self,
        lead_id: &str,
        expected_version: i64,
        outcome: &LeadOutcome,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// One case by id (callers check the jurisdiction).
    async fn case_by_id(&self, id: &str) -> Result<Option<CaseRecord>, StoreError>;
    /// The case opened from a lead, if any.
    async fn case_of_lead(&self, lead_id: &str) -> Result<Option<CaseRecord>, StoreError>;
    /// Cases located within `scope`, most urgent and earliest deadline first.
    async fn list_cases(&self, scope: &Jurisdiction, filter: &LeadFilter) -> Result<Vec<CaseRecord>, StoreError>;
    /// How many cases within `scope` have each status.
    async fn count_cases(&self, scope: &Jurisdiction) -> Result<Vec<(String, i64)>, StoreError>;
    /// Replaces the household part of the file if `expected_version` still matches; returns
    /// the new version.
    async fn update_case_file(
        &self,
        id: &str,
        expected_version: i64,
        edit: &CaseFileEdit,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<i64, StoreError>;
    /// Adds an investigation record (and its timeline step).
    async fn add_investigation(&self, record: &Investigation, audit: AuditDraft, now_ms: i64)
    -> Result<(), StoreError>;
    /// The investigation records of a case, in the order they were done.
    async fn investigations(&self, case_id: &str) -> Result<Vec<Investigation>, StoreError>;
    /// Moves a case between statuses if it is still at `expected_version` and `from`.
    async fn transition_case(
        &self,
        id: &str,
        expected_version: i64,
        t: &CaseTransition,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<i64, StoreError>;
}

/// Disposition: actions on cases, deadlines and supervision, rule data, joint meetings.
#[async_trait]
pub trait DispositionStore: Send + Sync {
    /// Stores an action with its first deadline, timeline step and audit entry. With
    /// `redirected_from`, the clocks of the returned referral it replaces stop.
    async fn create_action(
        &self,
        action: &NewAction,
        deadline: Option<&NewDeadline>,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// One action by id (callers check who may see it).
    async fn action(&self, id: &str) -> Result<Option<ActionRecord>, StoreError>;
    /// The actions of a case, oldest first.
    async fn actions_of_case(&self, case_id: &str) -> Result<Vec<ActionRecord>, StoreError>;
    /// Actions addressed to a unit, newest first.
    async fn inbox(
        &self,
        to_unit: &str,
        status: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<ActionRecord>, StoreError>;
    /// Moves an action if it is still at the expected version and status:
    /// `Conflict::ActionState` when its status moved on, `Conflict::StaleVersion` otherwise.
    async fn change_action(
        &self,
        change: &ActionChange,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<ActionRecord, StoreError>;
    /// Records an event on an action (and a step in the case timeline).
    async fn add_action_event(
        &self,
        event: &ActionEvent,
        case_id: &str,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// The events of an action in the order they happened.
    async fn action_events(&self, action_id: &str) -> Result<Vec<ActionEvent>, StoreError>;
    /// Starts a clock on its own.
    async fn open_deadline(&self, d: &NewDeadline, who: &Who, audit: AuditDraft, now_ms: i64)
    -> Result<(), StoreError>;
    /// Stops the clocks of a subject's open steps (e.g. the follow-up visit was made), with a
    /// timeline step on the case and the audit entry.
    async fn close_subject_deadlines(
        &self,
        subject: (&str, &str),
        case_id: &str,
        step: (&str, &str),
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// One deadline by id.
    async fn deadline(&self, id: &str) -> Result<Option<DeadlineRecord>, StoreError>;
    /// All deadlines of a case, oldest first.
    async fn deadlines_of_case(&self, case_id: &str) -> Result<Vec<DeadlineRecord>, StoreError>;
    /// Open, running deadlines whose `next_ms` has come.
    async fn due_deadlines(&self, now_ms: i64, limit: i64) -> Result<Vec<DeadlineRecord>, StoreError>;
    /// Open deadlines computed from a rule.
    async fn open_deadlines_by_rule(&self, rule: &str) -> Result<Vec<DeadlineRecord>, StoreError>;
    /// Applies a warning, breach or escalation if the deadline is still at its version;
    /// `false` when another process did it first (each deadline fires once).
    async fn fire_deadline(&self, fire: &DeadlineFire, audit: AuditDraft, now_ms: i64) -> Result<bool, StoreError>;
    /// Pauses (with a reason) or resumes the clock; resuming moves every instant of the
    /// deadline by the shift the caller worked out (the working days left, or the pause).
    async fn set_deadline_paused(
        &self,
        id: &str,
        expected_version: i64,
        change: ClockChange<'_>,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// Moves a running deadline (an administrator applying a changed time limit).
    async fn reschedule_deadline(
        &self,
        id: &str,
        expected_version: i64,
        rule: &str,
        due_ms: i64,
        warn_ms: i64,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<bool, StoreError>;
    /// Supervision items whose case, responsible unit or supervising unit lies within `scope`.
    async fn supervision_items(
        &self,
        scope: &Jurisdiction,
        open_only: bool,
        limit: i64,
    ) -> Result<Vec<SupervisionRecord>, StoreError>;
    /// The supervision items of one case.
    async fn supervision_of_case(&self, case_id: &str) -> Result<Vec<SupervisionRecord>, StoreError>;

    /// The programme catalogue in force at `at_ms`.
    async fn programmes(&self, at_ms: i64) -> Result<Vec<Programme>, StoreError>;
    /// Adds a version of a programme from its `effective_from`; `Conflict::RuleExists` for
    /// the same code and date.
    async fn insert_programme(&self, p: &Programme, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
    /// Every time-limit rule, including superseded ones.
    async fn deadline_rules(&self) -> Result<Vec<DeadlineRule>, StoreError>;
    /// Adds a time-limit rule; `Conflict::RuleExists` for the same key and date.
    async fn insert_deadline_rule(&self, rule: &DeadlineRule, audit: AuditDraft, now_ms: i64)
    -> Result<(), StoreError>;
    /// The holidays and make-up working days.
    async fn calendar_days(&self) -> Result<Vec<CalendarDay>, StoreError>;
    /// Sets (or with `None` removes) the calendar entry of a day.
    async fn set_calendar_day(
        &self,
        day: i64,
        entry: Option<&CalendarDay>,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;

    /// Schedules a joint meeting.
    async fn create_meeting(&self, m: &Meeting, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
    /// Meetings of the districts within `scope`, latest first.
    async fn meetings(&self, scope: &Jurisdiction, limit: i64) -> Result<Vec<Meeting>, StoreError>;
    /// One meeting.
    async fn meeting(&self, id: &str) -> Result<Option<Meeting>, StoreError>;
    /// Records the minutes and marks the meeting held.
    async fn record_minutes(
        &self,
        id: &str,
        expected_version: i64,
        minutes: &str,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<i64, StoreError>;
    /// Puts an escalated case on the agenda, accepting its escalation action in the same
    /// transaction when `accept` is given.
    async fn add_agenda_item(
        &self,
        item: &AgendaItem,
        accept: Option<&ActionChange>,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// A meeting's agenda.
    async fn agenda(&self, meeting_id: &str) -> Result<Vec<AgendaItem>, StoreError>;
    /// Records a decision with its lead department and deadline.
    async fn add_decision(
        &self,
        d: &Decision,
        deadline: &NewDeadline,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// A meeting's decisions.
    async fn decisions_of_meeting(&self, meeting_id: &str) -> Result<Vec<Decision>, StoreError>;
    /// The decisions taken on an escalation action.
    async fn decisions_of_action(&self, action_id: &str) -> Result<Vec<Decision>, StoreError>;
    /// One decision.
    async fn decision(&self, id: &str) -> Result<Option<Decision>, StoreError>;
    /// Marks a decision carried out and stops its clock; `Conflict::DecisionDone` twice.
    async fn complete_decision(
        &self,
        id: &str,
        note: &str,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
}

/// Aid items with their approvals, funds and the ledger, 公示 postings, aid rule data.
#[async_trait]
pub trait AidStore: Send + Sync {
    /// Every rule row of aid (standards, tiers, authority, frequency, publicity).
    async fn aid_rules(&self) -> Result<AidRules, StoreError>;
    /// Adds a dated standard; `Conflict::RuleExists` for the same key and date.
    async fn insert_standard(&self, s: &Standard, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
    /// Adds a dated approval ceiling of a level; `Conflict::RuleExists` for the same key and date.
    async fn insert_authority(&self, a: &Authority, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
    /// Adds a dated tier (months of the standard); `Conflict::RuleExists` for the same key and date.
    async fn insert_tier(&self, t: &Tier, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
    /// Adds a dated frequency limit; `Conflict::RuleExists` for the same programme and date.
    async fn insert_frequency(&self, f: &FrequencyRule, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
    /// Stores a proposed aid item with its timeline step and audit entry.
    async fn create_aid(&self, item: &AidItem, who: &Who, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
    /// One aid item.
    async fn aid(&self, id: &str) -> Result<Option<AidItem>, StoreError>;
    /// The aid items of a case, oldest first.
    async fn aid_of_case(&self, case_id: &str) -> Result<Vec<AidItem>, StoreError>;
    /// The opinions recorded on an aid item, in order.
    async fn aid_approvals(&self, aid_id: &str) -> Result<Vec<AidApproval>, StoreError>;
    /// Aid items within `scope` in a status (and needing a level), oldest first.
    async fn aid_queue(
        &self,
        scope: &Jurisdiction,
        status: &str,
        level: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AidItem>, StoreError>;
    /// Moves an aid item and its money in one transaction: `Conflict::AidState` when the
    /// status moved on, `Conflict::StaleVersion`, `Conflict::InsufficientFunds` when the
    /// fund cannot cover a reservation (nothing is written then).
    async fn change_aid(
        &self,
        change: &AidChange,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<AidItem, StoreError>;
    /// Approved or paid items of the same programme and cause for the same person (ID number)
    /// or case since `since_ms`.
    async fn prior_aid_count(
        &self,
        id_number: Option<&str>,
        case_id: &str,
        programme: &str,
        cause: &str,
        since_ms: i64,
    ) -> Result<i64, StoreError>;
    /// Opens a fund account with zero balances.
    async fn create_fund(&self, f: &Fund, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
    /// Funds whose division lies within `scope`.
    async fn funds(&self, scope: &Jurisdiction) -> Result<Vec<Fund>, StoreError>;
    /// Funds of the division and the divisions above it (street, district, city funds that
    /// can pay for a case there).
    async fn funds_covering(&self, division: &str) -> Result<Vec<Fund>, StoreError>;
    /// One fund.
    async fn fund(&self, id: &str) -> Result<Option<Fund>, StoreError>;
    /// Money into a fund from outside (a budget appropriation, a donation).
    async fn deposit(
        &self,
        fund_id: &str,
        amount_fen: i64,
        memo: &str,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// Money from one fund to another (district to street); `Conflict::InsufficientFunds`.
    async fn allocate(
        &self,
        from: &str,
        to: &str,
        amount_fen: i64,
        memo: &str,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// Ledger lines of a fund with `from_ms <= at_ms < to_ms`, in order.
    async fn ledger(&self, fund_id: &str, from_ms: i64, to_ms: i64) -> Result<Vec<LedgerEntry>, StoreError>;
    /// 公示 postings within `scope`.
    async fn postings(&self, scope: &Jurisdiction, open_only: bool) -> Result<Vec<Posting>, StoreError>;
    /// One posting.
    async fn posting(&self, id: &str) -> Result<Option<Posting>, StoreError>;
    /// Records an objection to an open posting and reopens the review (`reopen`) in one
    /// transaction; `Conflict::PostingClosed` when the posting is not open.
    async fn object_to_posting(
        &self,
        posting_id: &str,
        objection: (&str, &str),
        reopen: &AidChange,
        who: &Who,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
}

/// A synthetic lead for benchmarks, with its sort rank.
#[derive(Debug, Clone)]
pub struct SeedLead {
    pub lead: LeadRecord,
    pub urgency_rank: i64,
}

/// A synthetic timeline step for benchmarks.
#[derive(Debug, Clone)]
pub struct SeedStep {
    pub id: String,
    pub subject_type: String,
    pub subject_id: String,
    pub entry: TimelineEntry,
}

/// Bulk loading for the benchmark generator (`jiujinan bench seed`).
#[async_trait]
pub trait SeedStore: Send + Sync {
    /// Inserts synthetic rows in one transaction, without audit entries.
    async fn bulk_seed(&self, leads: &[SeedLead], cases: &[CaseRecord], steps: &[SeedStep]) -> Result<(), StoreError>;
    /// Raises the lead and case number counters to at least the given values.
    async fn seed_counters(&self, leads: &[(String, i64, i64)], cases: &[(String, i64, i64)])
    -> Result<(), StoreError>;
}

/// The one storage interface. See the crate documentation.
#[async_trait]
pub trait Store: LeadStore + CaseStore + DispositionStore + AidStore + SeedStore + Send + Sync {
    /// Which backend this is.
    fn backend(&self) -> Backend;
    /// Applies pending migrations; returns the versions applied now.
    async fn migrate(&self) -> Result<Vec<i64>, StoreError>;
    /// Checks the database answers (for `/readyz`).
    async fn ping(&self) -> Result<(), StoreError>;
    /// Closes the connections (graceful shutdown).
    async fn close(&self);

    // --- organisation ---
    /// Inserts new units and updates changed ones, in one transaction with its audit entry.
    async fn import_units(&self, units: &[NewUnit], now_ms: i64, audit: AuditDraft)
    -> Result<ImportCounts, StoreError>;
    /// One unit by code.
    async fn unit(&self, code: &UnitCode) -> Result<Option<Unit>, StoreError>;
    /// The units directly below `parent`, each with its number of sub-units.
    async fn child_units(&self, parent: &UnitCode) -> Result<Vec<UnitNode>, StoreError>;
    /// Units whose name contains `q` (any length, including two-character names) or whose
    /// code starts with `q`, shortest codes first.
    async fn search_units(&self, q: &str, limit: i64) -> Result<Vec<Unit>, StoreError>;
    /// Number of units per level and kind.
    async fn unit_counts(&self) -> Result<Vec<UnitCount>, StoreError>;

    // --- users ---
    /// Creates a user; `Conflict::UsernameTaken` if the name exists.
    async fn insert_user(&self, user: &NewUserRow, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
    /// A user by login name, for authentication only (not scoped).
    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>, StoreError>;
    /// Users whose unit lies within `scope`.
    async fn list_users(&self, scope: &Jurisdiction) -> Result<Vec<UserRecord>, StoreError>;
    /// A user by id if within `scope`.
    async fn user_in_scope(&self, scope: &Jurisdiction, id: &str) -> Result<Option<UserRecord>, StoreError>;
    /// Disables or enables a user if `expected_version` still matches; disabling also ends
    /// the user's sessions and revokes nothing else.
    async fn set_user_disabled(
        &self,
        id: &str,
        disabled: bool,
        expected_version: i64,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;

    // --- login ---
    /// The failure record of a login name (existing or not).
    async fn login_throttle(&self, username: &str) -> Result<Option<LoginThrottle>, StoreError>;
    /// Counts a failed login and locks the name when `policy` says so; audited.
    async fn record_login_failure(
        &self,
        username: &str,
        policy: LockoutPolicy,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<LoginThrottle, StoreError>;
    /// Clears failures, stores the new session; audited.
    async fn record_login_success(
        &self,
        session: &NewSession,
        audit: AuditDraft,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// A live session with its user.
    async fn session(&self, token_hash: &str, now_ms: i64) -> Result<Option<SessionRecord>, StoreError>;
    /// Ends a session; audited when `audit` is given.
    async fn delete_session(&self, token_hash: &str, audit: Option<AuditDraft>, now_ms: i64) -> Result<(), StoreError>;

    // --- API tokens ---
    /// Stores a token (its hash only); audited.
    async fn insert_api_token(&self, token: &NewApiToken, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;
    /// A token that is not revoked, with its user.
    async fn api_token(&self, token_hash: &str) -> Result<Option<ApiTokenRecord>, StoreError>;
    /// The tokens of a user.
    async fn api_tokens_of(&self, user_id: &str) -> Result<Vec<ApiTokenInfo>, StoreError>;
    /// The user a token (revoked or not) belongs to.
    async fn api_token_owner(&self, id: &str) -> Result<Option<UserRecord>, StoreError>;
    /// Revokes a token; `NotFound` if unknown or already revoked.
    async fn revoke_api_token(&self, id: &str, audit: AuditDraft, now_ms: i64) -> Result<(), StoreError>;

    // --- form submissions ---
    /// Claims a web form submission by its key, stamped `now_ms`. `Fresh` the first time (the
    /// caller carries it out, then records where it led or releases the claim, naming the
    /// stamp); otherwise what the first one recorded. A claim left running longer than
    /// `abandon_after_ms` (its process died) is taken over as `Fresh` with the new stamp. A new
    /// claim prunes those older than a day.
    async fn claim_submission(
        &self,
        key: &str,
        now_ms: i64,
        abandon_after_ms: i64,
    ) -> Result<SubmissionClaim, StoreError>;
    /// Records where the claim stamped `stamp_ms` led (nothing if it was taken over since).
    async fn finish_submission(&self, key: &str, stamp_ms: i64, location: &str) -> Result<(), StoreError>;
    /// Gives the claim stamped `stamp_ms` back (the submission failed and may be sent again).
    async fn release_submission(&self, key: &str, stamp_ms: i64) -> Result<(), StoreError>;

    // --- audit ---
    /// Appends an entry on its own (e.g. a failed login that changes nothing else).
    async fn append_audit(&self, audit: AuditDraft, now_ms: i64) -> Result<AuditEntry, StoreError>;
    /// Newest entries first within `scope`, older than `before_seq`.
    async fn audit_page(
        &self,
        scope: &Jurisdiction,
        before_seq: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError>;
    /// Entries with `seq > after_seq` in order, for verification (not scoped: CLI and auditors).
    async fn audit_after(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditEntry>, StoreError>;
    /// The recorded head of the chain.
    async fn audit_head(&self) -> Result<Option<(i64, String)>, StoreError>;

    /// Runs raw SQL as someone with a database shell would (tests of the triggers only).
    #[cfg(feature = "testing")]
    async fn raw_execute_for_tests(&self, sql: &'static str) -> Result<(), StoreError>;
}

/// Opens the store for a URL: `sqlite://PATH` (created if missing) or `postgres://…`.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(SqlStore::connect_postgres(url).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(SqlStore::connect_sqlite(url).await?))
    } else {
        Err(StoreError::Unavailable(format!(
            "unsupported database URL scheme (use sqlite://PATH or postgres://…): {}",
            redact_url(url)
        )))
    }
}

/// The URL with any password replaced by `***`, for logs and `config show`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let Some((auth, host)) = rest.rsplit_once('@') else { return url.to_owned() };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords_only() {
        assert_eq!(super::redact_url("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(super::redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}
