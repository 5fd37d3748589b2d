//! The referrals addressed to the user's unit.

use askama::Template;
use axum::extract::{Query, State};
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
    let items = state.app.inbox_items(actor, filter, 200, 0).await?;
    let ps = state.app.programmes_in_force().await?;
    let mut rows = Vec::new();
    for i in items {
        let id_masked = i.subject_id_number.as_deref().map(mask).unwrap_or_default();
        rows.push((action_row(&state, i.view, actor, &ps, now, lang).await, i.subject_name, id_masked));
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
