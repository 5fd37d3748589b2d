//! The store's integration tests, in one binary so the crate links its tests once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod conformance;
mod migrations;
mod schema;
mod tls;
