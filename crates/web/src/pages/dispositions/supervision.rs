//! The supervision list (overdue steps of the user's units and of the units they supervise),
//! the supervisor's instruction and the unit's reply on an item, running the sweep now, and
//! the test clock of demos and browser tests.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use jiujinan_app::AppError;
use jiujinan_domain::policy::Permission;
use serde::Deserialize;

use super::{SupRow, sup_rows};
use crate::AppState;
use crate::context::Ctx;
use crate::errors::PageResult;
use crate::i18n::{Dispositions, catalogue};
use crate::pages::form::{Form, redirect_after};
use crate::view::{Chrome, beijing_time, render};

#[derive(Template)]
#[template(path = "supervision.html")]
struct SupervisionPage {
    c: Chrome,
    d: &'static Dispositions,
    rows: Vec<SupRow>,
    open_only: bool,
    can_run: bool,
    report: String,
    test_clock: bool,
    now: String,
    error: Option<String>,
    saved: bool,
}

#[derive(Deserialize)]
pub struct SupQuery {
    #[serde(default)]
    all: String,
    #[serde(default)]
    report: String,
    #[serde(default)]
    error: String,
    #[serde(default)]
    saved: String,
}

/// The words of an instruction or a reply.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoteForm {
    text: String,
}

/// The supervisor writes the instruction (督办意见) on an item.
pub async fn instruct(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<NoteForm>,
) -> PageResult {
    let actor = ctx.user()?;
    let r = state.app.instruct_supervision(actor, &id, &f.text).await;
    redirect_after(&format!("/supervision?all=1#sup-{id}"), r)
}

/// The responsible unit replies how the step is handled (办理情况反馈).
pub async fn reply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<NoteForm>,
) -> PageResult {
    let actor = ctx.user()?;
    let r = state.app.reply_supervision(actor, &id, &f.text).await;
    redirect_after(&format!("/supervision?all=1#sup-{id}"), r)
}

/// Overdue steps of the user's units and of the units they supervise.
pub async fn supervision(State(state): State<AppState>, ctx: Ctx, Query(q): Query<SupQuery>) -> PageResult {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let open_only = q.all.is_empty();
    let items = state.app.supervision_list(actor, open_only).await?;
    let names = crate::pages::unit_names::UnitNames::load(
        &state,
        items.iter().flat_map(|s| [s.responsible_unit.clone(), s.supervising_unit.clone()]).collect::<Vec<_>>(),
    )
    .await;
    let page = SupervisionPage {
        c: Chrome::new(&ctx),
        d: &catalogue(lang).dispositions,
        rows: sup_rows(items, actor, lang, &names),
        open_only,
        can_run: actor.may(Permission::RunSupervision),
        report: q.report.chars().take(100).collect(),
        test_clock: state.web.test_clock && actor.may(Permission::SetTestClock),
        now: beijing_time(state.app.now_ms()),
        error: crate::pages::form::flash_error(&q.error, lang),
        saved: !q.saved.is_empty(),
    };
    render(&page)
}

/// The time the test clock is set to.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ClockForm {
    /// `YYYY-MM-DD HH:MM` in Beijing time.
    at: String,
}

/// Moves the test clock (only when the server runs with `test_clock`), then sweeps.
pub async fn set_clock(State(state): State<AppState>, ctx: Ctx, Form(f): Form<ClockForm>) -> PageResult {
    let actor = ctx.user()?;
    if !state.web.test_clock {
        return Err(AppError::NotFound.into());
    }
    let at = jiujinan_app::calendar::parse_beijing_datetime(&f.at)
        .ok_or_else(|| AppError::Validation(jiujinan_domain::ValidationError::new("INVALID_DATE", "at")))?;
    state.app.set_test_clock(actor, at).await?;
    sweep(&state).await
}

/// Runs the supervision sweep now (administrators and city supervisors).
pub async fn run_sweep(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let actor = ctx.user()?;
    if !actor.may(Permission::RunSupervision) {
        return Err(AppError::Forbidden.into());
    }
    sweep(&state).await
}

/// Sweeps and shows what it did.
async fn sweep(state: &AppState) -> PageResult {
    let r = state.app.run_supervision().await?;
    let report = format!("{}/{}/{}", r.warned, r.overdue, r.escalated);
    Ok(Redirect::to(&format!("/supervision?report={report}")).into_response())
}
