//! The referrals addressed to the user's unit.

use askama::Template;
use axum::extract::{Query, State};
use jiujinan_app::AppError;
use jiujinan_app::dispositions::ActionView;
use jiujinan_domain::id_number::mask;
use serde::Deserialize;

use super::{ActionRow, action_row};
use crate::AppState;
use crate::context::Ctx;
use crate::errors::PageResult;
use crate::i18n::{Dispositions, catalogue, labels};
use crate::view::{Chrome, render};

#[derive(Template)]
#[template(path = "referrals.html")]
struct InboxPage {
    c: Chrome,
    d: &'static Dispositions,
    rows: Vec<(ActionRow, String, String)>,
    tabs: Vec<(&'static str, &'static str, bool)>,
}

#[derive(Deserialize)]
pub struct InboxQuery {
    #[serde(default)]
    status: String,
}

/// The referrals addressed to the user's unit, by status (waiting for acceptance first).
pub async fn inbox(State(state): State<AppState>, ctx: Ctx, Query(q): Query<InboxQuery>) -> PageResult {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let now = state.app.now_ms();
    let status = if q.status.is_empty() { "sent".to_owned() } else { q.status };
    let filter = Some(status.as_str()).filter(|s| *s != "all");
    let actions = state.app.inbox(actor, filter, 200, 0).await?;
    let ps = state.app.store.programmes(now).await.map_err(AppError::from)?;
    let mut rows = Vec::new();
    for a in actions {
        let deadlines = state.app.store.deadlines_of_case(&a.case_id).await.map_err(AppError::from)?;
        let case = state.app.store.case_by_id(&a.case_id).await.map_err(AppError::from)?;
        let (name, id_masked) = case
            .map(|c| (c.subject_name, c.subject_id_number.as_deref().map(mask).unwrap_or_default()))
            .unwrap_or_default();
        let view = ActionView {
            accountable_unit: if a.status == "sent" { a.from_unit.clone() } else { a.to_unit.clone() },
            deadlines: deadlines.into_iter().filter(|d| d.subject_id == a.id).collect(),
            events: vec![],
            decisions: vec![],
            action: a,
        };
        rows.push((action_row(&state, view, actor, &ps, now, lang).await, name, id_masked));
    }
    let cat = catalogue(lang);
    let tabs = ["sent", "accepted", "returned", "completed", "all"]
        .into_iter()
        .map(|s| {
            let label = if s == "all" { cat.common.all } else { labels::action_status(s, lang) };
            (s, label, s == status)
        })
        .collect();
    render(&InboxPage { c: Chrome::new(&ctx), d: &cat.dispositions, rows, tabs })
}
