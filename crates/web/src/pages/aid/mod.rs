//! Aid pages: the aid panel of the case page and proposing aid, the approvals inbox with the
//! steps of an aid item, funds with their ledger and month-end reconciliation (XLSX), and
//! 公示 postings with objections.

mod approval;
mod funds;
mod proposal;
mod publicity;

use axum::Router;
use axum::routing::{get, post};

pub use proposal::{AidPanel, AidRow, panel};

use crate::AppState;

/// The routes of the aid pages, one per step.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/aid", post(proposal::propose_aid))
        .route("/aid/{id}/notice", get(approval::notice))
        .route("/aid/{id}/review", post(approval::review_aid))
        .route("/aid/{id}/approve", post(approval::approve_aid))
        .route("/aid/{id}/refuse", post(approval::refuse_aid))
        .route("/aid/{id}/pay", post(approval::pay_aid))
        .route("/aid/{id}/reverse", post(approval::reverse_payment))
        .route("/aid/{id}/cancel", post(approval::cancel_aid))
        .route("/approvals", get(approval::approvals))
        .route("/funds", get(funds::list_funds).post(funds::create_fund))
        .route("/funds/{id}", get(funds::show_fund))
        .route("/funds/{id}/reconciliation.xlsx", get(funds::reconciliation_xlsx))
        .route("/funds/{id}/deposit", post(funds::deposit))
        .route("/funds/{id}/allocate", post(funds::allocate))
        .route("/publicity", get(publicity::publicity))
        .route("/publicity/{id}/object", post(publicity::object))
}
