//! The audit log for auditors, supervisors and administrators, with the chain's status.

use askama::Template;
use axum::extract::{Query, State};
use jiujinan_app::AppError;
use jiujinan_app::audit::ChainStatus;
use serde::Deserialize;

use crate::AppState;
use crate::context::Ctx;
use crate::errors::PageResult;
use crate::i18n::chain_break_text;
use crate::view::{Chrome, beijing_time, render};
use jiujinan_domain::org::DivisionCode;

/// Entries per page.
const PAGE: i64 = 100;

struct ChainView {
    ok: bool,
    text: String,
}

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
    /// City-level readers may verify the platform-wide chain (on request: it reads it all).
    can_verify: bool,
    chain: Option<ChainView>,
    entries: Vec<EntryRow>,
    older: Option<i64>,
}

#[derive(Deserialize)]
pub struct AuditQuery {
    before: Option<i64>,
    #[serde(default)]
    verify: bool,
}

/// Newest entries within the user's jurisdiction, and whether the whole chain verifies.
pub async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<AuditQuery>) -> PageResult {
    let actor = ctx.user()?;
    if !actor.may(jiujinan_domain::policy::Permission::ReadAudit) {
        return Err(AppError::Forbidden.into());
    }
    let entries = state.app.audit_page(actor, q.before, PAGE).await?;
    let can_verify = actor.jurisdiction.division == DivisionCode::city();
    let m = &crate::i18n::catalogue(ctx.lang).common;
    let chain = if can_verify && q.verify {
        Some(match state.app.verify_audit_chain(&[]).await? {
            ChainStatus::Intact { entries, keyed, .. } => {
                let ok = m.audit_chain_ok.replace("{}", &entries.to_string());
                let text = match keyed {
                    Some(k) => format!("{ok}{}", m.audit_chain_keyed.replace("{}", &k.to_string())),
                    None => format!("{ok}{}", m.audit_chain_unkeyed),
                };
                ChainView { ok: true, text }
            }
            ChainStatus::Broken(b) => {
                ChainView { ok: false, text: format!("{}{}", m.audit_chain_broken, chain_break_text(&b, ctx.lang)) }
            }
        })
    } else {
        None
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
    render(&AuditPage { c: Chrome::new(&ctx), can_verify, chain, entries: rows, older })
}
