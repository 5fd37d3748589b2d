//! The errors of the storage layer, typed so callers match variants, not text.

/// Errors of the storage layer. `Conflict` and `NotFound` are expected outcomes the use
/// cases turn into user-facing errors; `Unavailable` and `Database` become 503/500.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique key or an optimistic-concurrency version check failed.
    #[error("conflict: {}", .0.code())]
    Conflict(Conflict),
    /// The row to change does not exist.
    #[error("not found")]
    NotFound,
    /// The database could not be reached.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Any other database failure.
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// Any other failure of the SQLite engine on the synchronous writer (rusqlite).
    #[error("database error: {0}")]
    Engine(String),
    /// Stored data that does not parse into domain types.
    #[error("corrupt data: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for StoreError {
    /// A stored code its enum does not know (see `db::BadCode`) is corrupt data, not a
    /// database failure; everything else passes through.
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::ColumnDecode { source, .. } if source.is::<crate::db::BadCode>() => {
                Self::Corrupt(source.to_string())
            }
            e => Self::Database(e),
        }
    }
}

/// The conflicts the store reports: expected outcomes the use cases turn into user-facing
/// errors. Each has a stable code, the one shown to users and API clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// The action (referral) moved on to another status meanwhile.
    ActionState,
    /// The aid item moved on to another status meanwhile.
    AidState,
    /// The escalated case is already on the meeting's agenda.
    AlreadyOnAgenda,
    /// The deadline is no longer in the state the change needs (e.g. already closed).
    DeadlineState,
    /// The fund's balance would pass the most a balance may hold.
    BalanceLimit,
    /// The decision was already marked carried out.
    DecisionDone,
    /// The yearly limit of aid for this cause is reached.
    FrequencyLimit,
    /// The same idempotency key came with another request body.
    IdempotencyKeyReused,
    /// The fund cannot cover the amount.
    InsufficientFunds,
    /// The lead was already accepted or closed.
    LeadClosed,
    /// The 公示 posting is no longer open.
    PostingClosed,
    /// The 公示 posting is still running, so the aid cannot be paid yet.
    PostingOpen,
    /// A rule row for the same key and start date exists.
    RuleExists,
    /// The row changed since the caller read it (optimistic concurrency).
    StaleVersion,
    /// The login name is taken.
    UsernameTaken,
}

impl Conflict {
    /// The stable code (e.g. `STALE_VERSION`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::ActionState => "ACTION_STATE",
            Self::AidState => "AID_STATE",
            Self::AlreadyOnAgenda => "ALREADY_ON_AGENDA",
            Self::BalanceLimit => "BALANCE_LIMIT",
            Self::DeadlineState => "DEADLINE_STATE",
            Self::DecisionDone => "DECISION_DONE",
            Self::FrequencyLimit => "FREQUENCY_LIMIT",
            Self::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            Self::InsufficientFunds => "INSUFFICIENT_FUNDS",
            Self::LeadClosed => "LEAD_CLOSED",
            Self::PostingClosed => "POSTING_CLOSED",
            Self::PostingOpen => "POSTING_OPEN",
            Self::RuleExists => "RULE_EXISTS",
            Self::StaleVersion => "STALE_VERSION",
            Self::UsernameTaken => "USERNAME_TAKEN",
        }
    }
}
