//! Server-rendered pages.

mod aid;
mod audit;
mod cases;
mod dispositions;
mod form;
mod home;
mod lang;
mod leads;
mod login;
mod meetings;
mod org;
mod rules;
mod timeline;
mod users;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/login", get(login::show).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/lang/{code}", get(lang::switch))
        .route("/org", get(org::show))
        .route("/org/children/{code}", get(org::children))
        .route("/org/unit/{code}", get(org::unit))
        .route("/admin/users", get(users::list).post(users::create))
        .route("/admin/users/{id}/disable", post(users::disable))
        .route("/admin/users/{id}/enable", post(users::enable))
        .route("/audit", get(audit::list))
        .route("/leads", get(leads::queue).post(leads::create))
        .route("/leads/new", get(leads::new_form))
        .route("/leads/{id}", get(leads::show))
        .route("/leads/{id}/verify", post(leads::verify))
        .route("/leads/{id}/notice", get(leads::notice))
        .route("/cases", get(cases::queue))
        .route("/cases/{id}", get(cases::show))
        .route("/cases/{id}/file", post(cases::save_file))
        .route("/cases/{id}/investigations", post(cases::add_investigation))
        .route("/cases/{id}/submit", post(cases::submit))
        .route("/cases/{id}/review", post(cases::review))
        .route("/cases/{id}/send-back", post(cases::send_back))
        .route("/cases/{id}/actions", post(dispositions::create))
        .route("/cases/{id}/{step}", post(dispositions::case_step))
        .route("/referrals", get(dispositions::inbox))
        .route("/referrals/{id}", get(dispositions::show))
        .route("/referrals/{id}/{verb}", post(dispositions::act))
        .route("/deadlines/{id}/{verb}", post(dispositions::clock))
        .route("/supervision", get(dispositions::supervision))
        .route("/admin/supervision/run", post(dispositions::run_sweep))
        .route("/admin/test-clock", post(dispositions::set_clock))
        .route("/cases/{id}/aid", post(aid::propose))
        .route("/aid/{id}/notice", get(aid::notice))
        .route("/aid/{id}/{verb}", post(aid::act))
        .route("/approvals", get(aid::approvals))
        .route("/funds", get(aid::funds).post(aid::create_fund))
        .route("/funds/{id}", get(aid::fund))
        .route("/funds/{id}/reconciliation.xlsx", get(aid::reconciliation_xlsx))
        .route("/funds/{id}/{verb}", post(aid::fund_act))
        .route("/publicity", get(aid::publicity))
        .route("/publicity/{id}/object", post(aid::object))
        .route("/meetings", get(meetings::list).post(meetings::create))
        .route("/meetings/{id}", get(meetings::show))
        .route("/meetings/{id}/{verb}", post(meetings::act))
        .route("/admin/rules", get(rules::show))
        .route("/admin/rules/limits", post(rules::add_limit))
        .route("/admin/rules/calendar", post(rules::set_day))
        .route("/admin/rules/standards", post(rules::add_standard))
        .route("/admin/rules/programmes", post(rules::add_programme))
        .route("/admin/rules/ceilings", post(rules::add_ceiling))
        .route("/admin/rules/tiers", post(rules::add_tier))
        .route("/admin/rules/frequency", post(rules::add_frequency))
}
