//! Case pages: the queue of cases to investigate and review, the case file (household,
//! investigations, review, timeline, with the disposition and aid panels), and the steps that
//! edit it.

mod edit;
mod file;
mod print;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use jiujinan_app::model::LeadFilter;
use jiujinan_domain::case::CaseStatus;
use jiujinan_domain::id_number::mask;
use serde::Deserialize;

use crate::AppState;
use crate::context::Ctx;
use crate::errors::PageResult;
use crate::i18n::{catalogue, labels};
use crate::view::{Chrome, beijing_time, render};

/// The routes of the case pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases", get(queue))
        .route("/cases/{id}", get(file::show))
        .route("/cases/{id}/print", get(print::print))
        .route("/cases/{id}/file", post(edit::save_file))
        .route("/cases/{id}/investigations", post(edit::add_investigation))
        .route("/cases/{id}/submit", post(edit::submit))
        .route("/cases/{id}/review", post(edit::review))
        .route("/cases/{id}/send-back", post(edit::send_back))
}

struct Row {
    id: String,
    number: String,
    urgency: &'static str,
    urgency_code: String,
    subject_name: String,
    id_masked: String,
    status: &'static str,
    responsible_user: String,
    deadline: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct QueuePage {
    c: Chrome,
    rows: Vec<Row>,
    tabs: Vec<(&'static str, String, i64, bool)>,
    q: String,
    status: String,
}

#[derive(Deserialize)]
pub struct QueueQuery {
    status: Option<String>,
    #[serde(default)]
    q: String,
}

/// Cases in the user's jurisdiction, most urgent and earliest deadline first.
pub async fn queue(State(state): State<AppState>, ctx: Ctx, Query(q): Query<QueueQuery>) -> PageResult {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let now = state.app.now_ms();
    let counts = state.app.case_counts(actor).await?;
    let count = |s: CaseStatus| counts.iter().find(|(c, _)| c == s.code()).map(|(_, n)| *n).unwrap_or(0);
    // A search looks through every status; without one the queue opens on the first step that
    // has work (investigating, then reviewing, then reviewed), not on an empty tab.
    let status = if !q.q.trim().is_empty() {
        "all".to_owned()
    } else {
        q.status.unwrap_or_else(|| {
            [CaseStatus::Investigating, CaseStatus::Reviewing, CaseStatus::Reviewed]
                .into_iter()
                .find(|s| count(*s) > 0)
                .unwrap_or(CaseStatus::Investigating)
                .code()
                .to_owned()
        })
    };
    let filter = LeadFilter {
        status: Some(status.clone()).filter(|s| s != "all"),
        search: Some(q.q.clone()),
        limit: 200,
        ..Default::default()
    };
    let cases = state.app.case_queue(actor, &filter).await?;
    let mut tabs: Vec<(&'static str, String, i64, bool)> = CaseStatus::ALL
        .iter()
        .map(|s| (labels::case_status(s.code(), lang), s.code().to_owned(), count(*s), status == s.code()))
        .collect();
    tabs.push((catalogue(lang).common.all, "all".into(), counts.iter().map(|(_, n)| n).sum(), status == "all"));
    let rows = cases
        .into_iter()
        .map(|k| Row {
            urgency: labels::urgency(k.urgency.code(), lang),
            status: labels::case_status(k.status.code(), lang),
            id_masked: k.subject_id_number.as_deref().map(mask).unwrap_or_default(),
            deadline: beijing_time(k.step_due_ms),
            overdue: k.status != CaseStatus::Reviewed && k.step_due_ms < now,
            id: k.id,
            number: k.number,
            urgency_code: k.urgency.code().into(),
            subject_name: k.subject_name,
            responsible_user: k.responsible_user,
        })
        .collect();
    render(&QueuePage { c: Chrome::new(&ctx), rows, tabs, q: q.q, status })
}
