//! 公示: public postings of granted aid (minimal fields only) and objections to them.

use askama::Template;
use axum::extract::{Path, Query, State};
use jiujinan_domain::aid::{PostingStatus, yuan};
use serde::Deserialize;

use crate::AppState;
use crate::context::Ctx;
use crate::errors::PageResult;
use crate::i18n::{Aid, catalogue, labels};
use crate::pages::form::{Form, flash_error, redirect_after};
use crate::view::{Chrome, beijing_time, render};

struct PostingRow {
    id: String,
    head_name: String,
    persons: i64,
    amount: String,
    reason: &'static str,
    period: String,
    open: bool,
    status: String,
}

#[derive(Template)]
#[template(path = "publicity.html")]
struct PublicityPage {
    c: Chrome,
    a: &'static Aid,
    rows: Vec<PostingRow>,
    open_only: bool,
    error: Option<String>,
    saved: bool,
}

#[derive(Deserialize)]
pub struct PublicityQuery {
    #[serde(default)]
    all: String,
    #[serde(default)]
    error: String,
    #[serde(default)]
    saved: String,
}

/// Public postings (minimal fields only) with their objection forms.
pub async fn publicity(State(state): State<AppState>, ctx: Ctx, Query(q): Query<PublicityQuery>) -> PageResult {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let open_only = q.all.is_empty();
    let rows = state
        .app
        .postings(actor, open_only)
        .await?
        .into_iter()
        .map(|p| PostingRow {
            reason: labels::hardship(&p.reason, lang),
            period: format!(
                "{} – {}",
                beijing_time(p.start_ms).chars().take(10).collect::<String>(),
                beijing_time(p.end_ms).chars().take(10).collect::<String>()
            ),
            open: p.status == PostingStatus::Open,
            status: p.status.code().into(),
            amount: yuan(p.amount_fen),
            id: p.id,
            head_name: p.head_name,
            persons: p.persons,
        })
        .collect();
    let page = PublicityPage {
        c: Chrome::new(&ctx),
        a: &catalogue(lang).aid,
        rows,
        open_only,
        error: flash_error(&q.error, lang),
        saved: !q.saved.is_empty(),
    };
    render(&page)
}

/// An objection to a posting.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ObjectionForm {
    text: String,
}

/// Records an objection to a posting.
pub async fn object(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ObjectionForm>,
) -> PageResult {
    let actor = ctx.user()?;
    redirect_after("/publicity", state.app.object_to_posting(actor, &id, &f.text).await)
}
