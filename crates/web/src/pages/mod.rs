//! Server-rendered pages, one module per feature; each feature lists its own routes, one per
//! step (`POST /aid/{id}/approve`, not a verb matched inside a handler).

mod aid;
mod audit;
mod cases;
mod dispositions;
mod form;
mod home;
mod home_due;
mod lang;
mod leads;
mod login;
mod meetings;
mod org;
mod rules;
mod timeline;
mod unit_names;
mod unit_picker;
mod users;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

/// Every page route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/login", get(login::show).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/lang/{code}", get(lang::switch))
        .route("/org", get(org::show))
        .route("/org/children/{code}", get(org::children))
        .route("/org/unit/{code}", get(org::unit))
        .route("/org/pick", get(unit_picker::pick))
        .route("/admin/users", get(users::list).post(users::create))
        .route("/admin/users/{id}/disable", post(users::disable))
        .route("/admin/users/{id}/enable", post(users::enable))
        .route("/audit", get(audit::list))
        .merge(leads::routes())
        .merge(cases::routes())
        .merge(dispositions::routes())
        .merge(aid::routes())
        .merge(meetings::routes())
        .merge(rules::routes())
}
