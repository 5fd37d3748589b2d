//! Intake pages: recording a request, the unit's lead queue, and the lead file with its
//! verification and the notice of non-acceptance.

mod file;
mod intake;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use jiujinan_app::auth::Actor;
use jiujinan_app::model::LeadFilter;
use jiujinan_domain::id_number::mask;
use jiujinan_domain::lead::{LeadStatus, Urgency};
use jiujinan_domain::policy::Permission;
use serde::Deserialize;

use crate::AppState;
use crate::context::Ctx;
use crate::errors::PageResult;
use crate::i18n::{catalogue, labels};
use crate::pages::unit_names::UnitNames;
use crate::view::{Choice, Chrome, beijing_time, render};

/// The routes of the intake pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/leads", get(queue).post(intake::create))
        .route("/leads/new", get(intake::new_form))
        .route("/leads/{id}", get(file::show))
        .route("/leads/{id}/verify", post(file::verify))
        .route("/leads/{id}/notice", get(file::notice))
}

fn may_record(actor: &Actor) -> bool {
    actor.may(Permission::RecordLead)
}

struct Row {
    id: String,
    number: String,
    urgency: &'static str,
    urgency_code: String,
    subject_name: String,
    id_masked: String,
    channel: &'static str,
    status: &'static str,
    /// Units by name, their codes on hover.
    responsible_unit: String,
    responsible_name: String,
    first_inquiry_unit: String,
    first_inquiry_name: String,
    deadline: String,
    overdue: bool,
    duplicate: bool,
}

#[derive(Template)]
#[template(path = "leads.html")]
struct QueuePage {
    c: Chrome,
    rows: Vec<Row>,
    counts: Vec<(&'static str, String, i64, bool)>,
    q: String,
    urgencies: Vec<Choice>,
    status: String,
    overdue_only: bool,
    can_record: bool,
}

#[derive(Deserialize)]
pub struct QueueQuery {
    status: Option<String>,
    urgency: Option<String>,
    #[serde(default)]
    q: String,
    #[serde(default)]
    overdue: Option<String>,
}

/// The unit's queue, most urgent and earliest deadline first.
pub async fn queue(State(state): State<AppState>, ctx: Ctx, Query(q): Query<QueueQuery>) -> PageResult {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let now = state.app.now_ms();
    let status = q.status.clone().unwrap_or_else(|| "new".to_owned());
    let overdue_only = q.overdue.is_some();
    let filter = LeadFilter {
        status: Some(status.clone()).filter(|s| !s.is_empty() && s != "all"),
        urgency: q.urgency.clone().filter(|s| !s.is_empty()),
        overdue_at_ms: overdue_only.then_some(now),
        search: Some(q.q.clone()),
        limit: 200,
        offset: 0,
    };
    let leads = state.app.lead_queue(actor, &filter).await?;
    let counts_raw = state.app.lead_counts(actor).await?;
    let mut counts: Vec<(&'static str, String, i64, bool)> = LeadStatus::ALL
        .iter()
        .map(|s| {
            let n = counts_raw.iter().find(|(c, _)| c == s.code()).map(|(_, n)| *n).unwrap_or(0);
            (labels::status(s.code(), lang), s.code().to_owned(), n, status == s.code())
        })
        .collect();
    let total = counts_raw.iter().map(|(_, n)| n).sum();
    counts.push((catalogue(lang).common.all, "all".to_owned(), total, status == "all"));
    let names = UnitNames::load(
        &state,
        leads.iter().flat_map(|l| [l.responsible_unit.clone(), l.first_inquiry_unit.clone()]).collect(),
    )
    .await;
    let rows = leads
        .into_iter()
        .map(|l| Row {
            responsible_name: names.name(&l.responsible_unit),
            first_inquiry_name: names.name(&l.first_inquiry_unit),
            urgency: labels::urgency(l.urgency.code(), lang),
            channel: labels::channel(l.channel.code(), lang),
            status: labels::status(l.status.code(), lang),
            id_masked: l.subject_id_number.as_deref().map(mask).unwrap_or_default(),
            deadline: beijing_time(l.verify_due_ms),
            overdue: l.status == LeadStatus::New && l.verify_due_ms < now,
            duplicate: l.duplicate_of.is_some(),
            id: l.id,
            number: l.number,
            urgency_code: l.urgency.code().into(),
            subject_name: l.subject_name,
            responsible_unit: l.responsible_unit,
            first_inquiry_unit: l.first_inquiry_unit,
        })
        .collect();
    let urgency = q.urgency.unwrap_or_default();
    let page = QueuePage {
        c: Chrome::new(&ctx),
        rows,
        counts,
        q: q.q,
        urgencies: Urgency::ALL
            .iter()
            .map(|u| Choice { code: u.code(), label: labels::urgency(u.code(), lang), selected: u.code() == urgency })
            .collect(),
        status,
        overdue_only,
        can_record: may_record(actor),
    };
    render(&page)
}
