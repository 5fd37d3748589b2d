//! Small helpers every use case shares: a field error, the actor as a timeline entry's
//! "who", and whether the actor's jurisdiction covers a division.

use jiujinan_domain::ValidationError;
use jiujinan_domain::org::DivisionCode;
use jiujinan_store::Who;

use crate::AppError;
use crate::auth::Actor;

/// Stored JSON read back as `T`; a row that no longer parses is `CORRUPT_DATA`, never a
/// default (an empty household would make aid be computed for one person).
pub(crate) fn stored_json<T: serde::de::DeserializeOwned>(json: &str, what: &str, id: &str) -> Result<T, AppError> {
    serde_json::from_str(json).map_err(|e| {
        tracing::error!(%what, %id, error = %e, "stored JSON does not parse");
        AppError::CorruptData(format!("{what} of {id}: {e}"))
    })
}

/// A validation error on one field.
pub(crate) fn field(code: &'static str, f: &'static str) -> AppError {
    AppError::Validation(ValidationError::new(code, f))
}

/// The actor as recorded on timeline steps.
pub(crate) fn who(actor: &Actor) -> Who {
    Who { user: actor.username.clone(), unit: actor.unit.to_string() }
}

/// True when the actor's jurisdiction covers `division` (a malformed code is not covered).
pub(crate) fn covers(actor: &Actor, division: &str) -> bool {
    DivisionCode::parse(division).is_ok_and(|d| actor.jurisdiction.covers(&d))
}
