//! Closing and reopening a case, and the follow-up visit after closure.

use axum::extract::{Path, State};
use serde::Deserialize;

use crate::AppState;
use crate::context::Ctx;
use crate::errors::PageResult;
use crate::pages::form::{Form, ReasonForm, redirect_after};

/// The closing opinion.
#[derive(Deserialize)]
pub struct CloseForm {
    version: i64,
    #[serde(default)]
    note: String,
}

/// Closes the case with its closing opinion.
pub async fn close_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<CloseForm>,
) -> PageResult {
    let actor = ctx.user()?;
    redirect_after(&format!("/cases/{id}"), state.app.close_case(actor, &id, f.version, &f.note).await)
}

/// Reopens a closed case with the reason.
pub async fn reopen_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ReasonForm>,
) -> PageResult {
    let actor = ctx.user()?;
    redirect_after(&format!("/cases/{id}"), state.app.reopen_case(actor, &id, f.version, &f.reason).await)
}

/// What the follow-up visit found.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FollowupForm {
    findings: String,
}

/// Records the follow-up visit of a closed case.
pub async fn record_followup(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<FollowupForm>,
) -> PageResult {
    let actor = ctx.user()?;
    redirect_after(&format!("/cases/{id}"), state.app.record_followup(actor, &id, &f.findings).await)
}
