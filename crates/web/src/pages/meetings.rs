//! Joint-meeting pages: the list with a scheduling form, and a meeting with its agenda,
//! the escalations waiting for it, decisions and their follow-up.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use jiujinan_app::auth::Actor;
use jiujinan_app::meetings::MeetingView;
use jiujinan_domain::disposition::{DecisionStatus, MeetingStatus};
use jiujinan_domain::org::{DivisionCode, DivisionLevel, UnitCode, UnitKind};
use serde::Deserialize;

use super::form::{Flash, Form, redirect_after};
use super::unit_names::UnitNames;
use crate::AppState;
use crate::context::Ctx;
use crate::errors::{PageError, PageResult};
use crate::i18n::{Dispositions, catalogue};
use crate::view::{Chrome, beijing_time, render};

/// The routes of the joint-meeting pages, one per step.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(list).post(create))
        .route("/meetings/{id}", get(show))
        .route("/meetings/{id}/agenda", post(add_to_agenda))
        .route("/meetings/{id}/decision", post(add_decision))
        .route("/meetings/{id}/done", post(complete_decision))
        .route("/meetings/{id}/minutes", post(record_minutes))
}

fn day_text(day: i64) -> String {
    format!("{}-{:02}-{:02}", day / 10_000, day / 100 % 100, day % 100)
}

struct MeetingRow {
    id: String,
    title: String,
    /// The district's name.
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
    /// The districts the user may convene a meeting for (code, name, preselected).
    districts: Vec<(String, String, bool)>,
    /// The member departments to tick (code, name); all ticked at first.
    departments: Vec<(String, String)>,
    error: Option<String>,
}

/// The districts whose meetings the actor convenes: their own, or every district of the city.
async fn districts_of(state: &AppState, actor: &Actor) -> Result<Vec<DivisionCode>, PageError> {
    let own = &actor.jurisdiction.division;
    Ok(match own.level() {
        DivisionLevel::District => vec![own.clone()],
        DivisionLevel::City => state
            .app
            .child_units(own.as_str())
            .await?
            .into_iter()
            .filter(|n| n.unit.kind == "government")
            .filter_map(|n| DivisionCode::parse(&n.unit.code).ok())
            .collect(),
        _ => Vec::new(),
    })
}

/// A district's departments that sit on its joint meeting.
fn member_departments(district: &DivisionCode) -> Vec<String> {
    UnitKind::departments_at(DivisionLevel::District).iter().map(|k| UnitCode::of(district, *k).to_string()).collect()
}

fn runs(actor: &jiujinan_app::auth::Actor) -> bool {
    actor.may(jiujinan_domain::policy::Permission::RunMeetings)
}

/// The meetings of the user's district(s).
pub async fn list(State(state): State<AppState>, ctx: Ctx, Query(f): Query<Flash>) -> PageResult {
    let actor = ctx.user()?;
    let meetings = state.app.meetings(actor).await?;
    let districts = if runs(actor) { districts_of(&state, actor).await? } else { Vec::new() };
    let departments = districts.first().map(member_departments).unwrap_or_default();
    let names = UnitNames::load(
        &state,
        meetings
            .iter()
            .map(|m| m.district.clone())
            .chain(districts.iter().map(ToString::to_string))
            .chain(departments.iter().cloned())
            .collect(),
    )
    .await;
    let own = actor.jurisdiction.division.as_str();
    let page = ListPage {
        c: Chrome::new(&ctx),
        d: &catalogue(ctx.lang).dispositions,
        rows: meetings
            .into_iter()
            .map(|m| MeetingRow {
                day: day_text(m.meeting_day),
                held: m.status == MeetingStatus::Held,
                id: m.id,
                title: m.title,
                district: names.name(&m.district),
            })
            .collect(),
        can_run: runs(actor),
        districts: districts
            .iter()
            .map(|d| (d.to_string(), names.name(d.as_str()), d.as_str() == own || districts.len() == 1))
            .collect(),
        // Each district has the same kinds of department: the names shown are the first
        // district's; a city user's meeting in another district gets that district's own.
        departments: departments
            .iter()
            .map(|c| (c.split_once(':').map_or(c.as_str(), |(_, k)| k).to_owned(), names.name(c)))
            .collect(),
        error: f.error(ctx.lang),
    };
    render(&page)
}

/// A meeting to schedule.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewMeetingForm {
    district: String,
    title: String,
    day: String,
    /// The member departments' kinds (`wj`, `zj`, …, the part after the district's code),
    /// one per ticked box; full unit codes are accepted too.
    departments: Vec<String>,
}

/// Schedules a meeting.
pub async fn create(State(state): State<AppState>, ctx: Ctx, Form(f): Form<NewMeetingForm>) -> PageResult {
    let actor = ctx.user()?;
    let deps: Vec<String> = f
        .departments
        .iter()
        .flat_map(|d| d.split([',', '，', ' ']))
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| if d.contains(':') { d.to_owned() } else { format!("{}:{d}", f.district.trim()) })
        .collect();
    match state.app.create_meeting(actor, &f.district, &f.title, &f.day, &deps).await {
        Ok(id) => Ok(Redirect::to(&format!("/meetings/{id}")).into_response()),
        Err(e) => redirect_after("/meetings", Err::<(), _>(e)),
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
    /// The unit that carries it out, by name (its code on hover).
    lead_unit: String,
    lead_unit_name: String,
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
    /// The member departments by name.
    departments: String,
    /// Who can be charged with a decision: the member departments and the district's bureau.
    lead_units: Vec<(String, String)>,
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
) -> PageResult {
    let actor = ctx.user()?;
    let MeetingView { meeting: m, agenda, decisions, waiting } = state.app.meeting_for(actor, &id).await?;
    let can_run = runs(actor);
    let members: Vec<String> = m.departments.split(',').filter(|d| !d.is_empty()).map(str::to_owned).collect();
    let bureau = format!("{}:mz", m.district);
    let mut lead_units = members.clone();
    if !lead_units.contains(&bureau) {
        lead_units.insert(0, bureau);
    }
    let names = UnitNames::load(
        &state,
        lead_units
            .iter()
            .cloned()
            .chain([m.district.clone()])
            .chain(decisions.iter().map(|x| x.lead_unit.clone()))
            .collect(),
    )
    .await;
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
                    lead_unit_name: names.name(&x.lead_unit),
                    done: x.status == DecisionStatus::Done,
                    done_note: if x.status == DecisionStatus::Done {
                        format!("{} · {} {}", x.done_note, x.done_by, beijing_time(x.done_ms))
                    } else {
                        String::new()
                    },
                    can_complete: x.status != DecisionStatus::Done && (can_run || x.lead_unit == actor.unit.as_str()),
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
        district: names.name(&m.district),
        day: day_text(m.meeting_day),
        departments: members.iter().map(|c| names.name(c)).collect::<Vec<_>>().join("、"),
        lead_units: lead_units.iter().map(|c| (c.clone(), names.name(c))).collect(),
        held: m.status == MeetingStatus::Held,
        minutes: m.minutes,
        version: m.version,
        id: m.id,
        agenda,
        waiting: waiting.into_iter().map(|a| (a.id, a.case_number, a.request)).collect(),
        can_run,
        error: f.error(ctx.lang),
        saved: f.saved(),
    };
    render(&page)
}

/// An escalation to put on the agenda.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AgendaForm {
    action_id: String,
}

/// Puts an escalation (a joint-meeting action) on the meeting's agenda.
pub async fn add_to_agenda(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<AgendaForm>,
) -> PageResult {
    let actor = ctx.user()?;
    redirect_after(&format!("/meetings/{id}"), state.app.add_to_agenda(actor, &id, &f.action_id).await)
}

/// A decision on an agenda item and the unit that carries it out.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    action_id: String,
    text: String,
    lead_unit: String,
}

/// Records a decision on an agenda item.
pub async fn add_decision(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> PageResult {
    let actor = ctx.user()?;
    let r = state.app.add_decision(actor, &id, &f.action_id, &f.text, &f.lead_unit).await;
    redirect_after(&format!("/meetings/{id}"), r)
}

/// How a decision was carried out.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneForm {
    decision_id: String,
    note: String,
}

/// Marks a decision as carried out.
pub async fn complete_decision(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<DoneForm>,
) -> PageResult {
    let actor = ctx.user()?;
    redirect_after(&format!("/meetings/{id}"), state.app.complete_decision(actor, &f.decision_id, &f.note).await)
}

/// The meeting's minutes.
#[derive(Deserialize)]
pub struct MinutesForm {
    version: i64,
    #[serde(default)]
    minutes: String,
}

/// Saves the minutes (the meeting is then held).
pub async fn record_minutes(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<MinutesForm>,
) -> PageResult {
    let actor = ctx.user()?;
    redirect_after(&format!("/meetings/{id}"), state.app.record_minutes(actor, &id, f.version, &f.minutes).await)
}
