//! The binary's tests (it runs the built `jiujinan`), in one binary so the crate links its
//! tests once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod audit_key;
mod backup;
mod cli;
mod durability;
mod guards;
mod pii_keys;
mod supervise;
mod two_servers;
