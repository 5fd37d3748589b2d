//! The use-case tests, in one binary so the crate links its tests once. `common` comes first:
//! its `both!` runs a test on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[macro_use]
mod common;

mod aid;
mod auth;
mod cases;
mod dispositions;
mod guards;
mod leads;
mod pii;
mod seed;
mod supervision;
