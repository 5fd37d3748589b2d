//! The pure core of jiujinan: validated types and rules with no I/O.
//!
//! Everything here is parsed once at the edge (`parse` constructors) and trusted inside,
//! so that the layers above cannot hold an invalid division code, role or audit entry.
// A bad index is an error, not a panic: `.get()` or an iterator, never `v[i]`.
#![deny(clippy::indexing_slicing)]

pub mod aid;
pub mod audit;
pub mod audit_key;
pub mod case;
pub mod client;
pub mod disposition;
pub mod duties;
pub mod id_number;
pub mod jurisdiction;
pub mod lead;
pub mod money;
pub mod org;
pub mod pii;
pub mod policy;
pub mod text;
pub mod user;
pub mod validation;

pub use validation::ValidationError;
