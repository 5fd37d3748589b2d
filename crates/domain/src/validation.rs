//! The one error type for input that breaks a domain rule.

/// A rule broken by input: a stable code for machines and the offending field for forms.
///
/// The message text lives in the app layer's catalogue (zh-CN and English), not here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code} ({field})")]
pub struct ValidationError {
    /// Stable machine-readable code, e.g. `INVALID_DIVISION_CODE`.
    pub code: &'static str,
    /// The input field that is wrong, e.g. `unit`.
    pub field: &'static str,
}

impl ValidationError {
    /// Builds an error for `field` with the stable `code`.
    pub const fn new(code: &'static str, field: &'static str) -> Self {
        Self { code, field }
    }
}
