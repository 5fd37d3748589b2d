//! The audit log for auditors, supervisors and administrators, with the chain's status.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jiujinan_app::AppError;
use jiujinan_app::audit::ChainStatus;
use serde::Deserialize;

use crate::AppState;
use crate::context::Ctx;
use crate::errors::{PageError, WithCtx};
use crate::view::{Chrome, beijing_time, render};

/// Entries per page.
const PAGE: i64 = 100;

struct EntryRow {
    seq: i64,
    time: String,
    actor: String,
    unit: String,
    action: String,
    entity: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    chain_ok: bool,
    chain_text: String,
    entries: Vec<EntryRow>,
    older: Option<i64>,
}

#[derive(Deserialize)]
pub struct AuditQuery {
    before: Option<i64>,
}

/// Newest entries within the user's jurisdiction, and whether the whole chain verifies.
pub async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<AuditQuery>) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    if !actor.role.can_read_audit() {
        return Err(PageError::from_app(AppError::Forbidden, ctx.lang).with_ctx(&ctx));
    }
    let entries = state.app.audit_page(actor, q.before, PAGE).await.ctx(&ctx)?;
    let status = state.app.verify_audit_chain().await.ctx(&ctx)?;
    let m = crate::i18n::msgs(ctx.lang);
    let (chain_ok, chain_text) = match status {
        ChainStatus::Intact { entries } => (true, m.audit_chain_ok.replace("{}", &entries.to_string())),
        ChainStatus::Broken(b) => (false, format!("{}{b}", m.audit_chain_broken)),
    };
    let older = (entries.len() as i64 == PAGE).then(|| entries.last().map(|e| e.seq)).flatten();
    let rows = entries
        .into_iter()
        .map(|e| EntryRow {
            seq: e.seq,
            time: beijing_time(e.at_ms),
            actor: e.actor,
            unit: e.unit,
            action: e.action,
            entity: format!("{}:{}", e.entity_type, e.entity_id),
            detail: e.detail,
        })
        .collect();
    render(&AuditPage { c: Chrome::new(&ctx), chain_ok, chain_text, entries: rows, older }, &ctx)
}
