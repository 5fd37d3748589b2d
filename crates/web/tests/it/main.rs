//! The router tests, in one binary so the crate links its tests once. `common` comes first:
//! its `both!` runs a test on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[macro_use]
mod common;

mod aid_web;
mod api;
mod cases_web;
mod form_submissions;
mod input_edge;
mod leads_api;
mod login_throttle;
mod pages;
mod referrals_web;
mod server;
