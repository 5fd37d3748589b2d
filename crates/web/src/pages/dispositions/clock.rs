//! Pausing and resuming a clock (a step's time limit), with the reason for the pause.

use axum::extract::{Path, State};

use crate::AppState;
use crate::context::Ctx;
use crate::errors::PageResult;
use crate::pages::form::{Form, ReasonForm, VersionForm, back, redirect_after};

/// Pauses a clock with its reason.
pub async fn pause_clock(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ReasonForm>,
) -> PageResult {
    let actor = ctx.user()?;
    let r = state.app.pause_clock(actor, &id, f.version, Some(&f.reason)).await;
    redirect_after(&back(&f.back, "/supervision"), r)
}

/// Resumes a paused clock.
pub async fn resume_clock(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> PageResult {
    let actor = ctx.user()?;
    let r = state.app.pause_clock(actor, &id, f.version, None).await;
    redirect_after(&back(&f.back, "/supervision"), r)
}
