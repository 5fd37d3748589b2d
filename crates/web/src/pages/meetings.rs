//! Joint-meeting pages: the list with a scheduling form, and a meeting with its agenda,
//! the escalations waiting for it, decisions and their follow-up.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiujinan_app::AppError;
use jiujinan_app::meetings::MeetingView;
use jiujinan_domain::user::Role;

use super::dispositions::{Flash, flash_error};
use super::form::{get, pairs, redirect_after, version};
use crate::AppState;
use crate::context::Ctx;
use crate::errors::{PageError, WithCtx};
use crate::i18n::{Dispositions, catalogue};
use crate::view::{Chrome, beijing_time, render};

fn day_text(day: i64) -> String {
    format!("{}-{:02}-{:02}", day / 10_000, day / 100 % 100, day % 100)
}

struct MeetingRow {
    id: String,
    title: String,
    district: String,
    day: String,
    held: bool,
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct ListPage {
    c: Chrome,
    d: &'static Dispositions,
    rows: Vec<MeetingRow>,
    can_run: bool,
    district: String,
    error: Option<String>,
}

fn runs(actor: &jiujinan_app::auth::Actor) -> bool {
    matches!(actor.role, Role::DistrictApprover | Role::Admin) && actor.jurisdiction.department.is_none()
}

/// The meetings of the user's district(s).
pub async fn list(State(state): State<AppState>, ctx: Ctx, Query(f): Query<Flash>) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let meetings = state.app.meetings(actor).await.ctx(&ctx)?;
    let page = ListPage {
        c: Chrome::new(&ctx),
        d: &catalogue(ctx.lang).dispositions,
        rows: meetings
            .into_iter()
            .map(|m| MeetingRow {
                day: day_text(m.meeting_day),
                held: m.status == "held",
                id: m.id,
                title: m.title,
                district: m.district,
            })
            .collect(),
        can_run: runs(actor),
        district: actor.jurisdiction.division.to_string(),
        error: flash_error(f.error(), ctx.lang),
    };
    render(&page, &ctx)
}

/// Schedules a meeting.
pub async fn create(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let p = pairs(&body);
    let deps: Vec<String> = get(&p, "departments").split([',', '，', ' ']).map(str::to_owned).collect();
    match state.app.create_meeting(actor, get(&p, "district"), get(&p, "title"), get(&p, "day"), &deps).await {
        Ok(id) => Ok(Redirect::to(&format!("/meetings/{id}")).into_response()),
        Err(e) => redirect_after("/meetings", Err(e), &ctx),
    }
}

struct AgendaRow {
    action_id: String,
    case_id: String,
    case_number: String,
    request: String,
    decisions: Vec<DecisionRow>,
}

struct DecisionRow {
    id: String,
    text: String,
    lead_unit: String,
    done: bool,
    done_note: String,
    can_complete: bool,
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    c: Chrome,
    d: &'static Dispositions,
    id: String,
    title: String,
    district: String,
    day: String,
    departments: String,
    held: bool,
    minutes: String,
    version: i64,
    agenda: Vec<AgendaRow>,
    waiting: Vec<(String, String, String)>,
    can_run: bool,
    error: Option<String>,
    saved: bool,
}

/// A meeting: agenda, decisions, follow-up.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(f): Query<Flash>,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let MeetingView { meeting: m, agenda, decisions, waiting } = state.app.meeting_for(actor, &id).await.ctx(&ctx)?;
    let can_run = runs(actor);
    let agenda = agenda
        .into_iter()
        .map(|(item, a)| AgendaRow {
            decisions: decisions
                .iter()
                .filter(|x| x.action_id == item.action_id)
                .map(|x| DecisionRow {
                    id: x.id.clone(),
                    text: x.text.clone(),
                    lead_unit: x.lead_unit.clone(),
                    done: x.status == "done",
                    done_note: if x.status == "done" {
                        format!("{} · {} {}", x.done_note, x.done_by, beijing_time(x.done_ms))
                    } else {
                        String::new()
                    },
                    can_complete: x.status != "done" && (can_run || x.lead_unit == actor.unit.as_str()),
                })
                .collect(),
            action_id: item.action_id,
            case_id: item.case_id,
            case_number: a.case_number,
            request: a.request,
        })
        .collect();
    let page = MeetingPage {
        c: Chrome::new(&ctx),
        d: &catalogue(ctx.lang).dispositions,
        title: m.title,
        district: m.district,
        day: day_text(m.meeting_day),
        departments: m.departments,
        held: m.status == "held",
        minutes: m.minutes,
        version: m.version,
        id: m.id,
        agenda,
        waiting: waiting.into_iter().map(|a| (a.id, a.case_number, a.request)).collect(),
        can_run,
        error: flash_error(f.error(), ctx.lang),
        saved: f.saved(),
    };
    render(&page, &ctx)
}

/// Agenda, decisions, completion and minutes.
pub async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, verb)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let p = pairs(&body);
    let app = &state.app;
    let r = async {
        match verb.as_str() {
            "agenda" => app.add_to_agenda(actor, &id, get(&p, "action_id")).await,
            "decision" => app
                .add_decision(actor, &id, get(&p, "action_id"), get(&p, "text"), get(&p, "lead_unit"))
                .await
                .map(|_| ()),
            "done" => app.complete_decision(actor, get(&p, "decision_id"), get(&p, "note")).await,
            "minutes" => app.record_minutes(actor, &id, version(&p)?, get(&p, "minutes")).await.map(|_| ()),
            _ => Err(AppError::NotFound),
        }
    }
    .await;
    redirect_after(&format!("/meetings/{id}"), r, &ctx)
}
