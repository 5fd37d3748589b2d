//! Disposition pages: the panel on the case page (suggestions, actions, clocks, supervision,
//! closure), the referral inbox and a referral's page, and the supervision list.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiujinan_app::AppError;
use jiujinan_app::auth::Actor;
use jiujinan_app::calendar::beijing_noon_ms;
use jiujinan_app::dispositions::{ActionInput, ActionView, DispositionView};
use jiujinan_app::i18n::Lang;
use jiujinan_app::store::{CaseRecord, DeadlineRecord, Programme, SupervisionRecord};
use jiujinan_domain::aid::yuan;
use jiujinan_domain::case::{Route, yuan_to_fen};
use jiujinan_domain::disposition::{ActionDetails, EventKind};
use jiujinan_domain::id_number::mask;
use jiujinan_domain::user::Role;
use serde::Deserialize;

use super::form::{back, get, pairs, redirect_after, version};
use super::leads::Choice;
use crate::AppState;
use crate::context::Ctx;
use crate::errors::{PageError, WithCtx};
use crate::i18n::labels;
use crate::i18n::{Dispositions, catalogue};
use crate::view::{Chrome, beijing_time, render};

/// A running or finished clock as shown.
pub struct ClockRow {
    pub id: String,
    pub step: &'static str,
    pub due: String,
    pub overdue: bool,
    pub open: bool,
    pub paused: bool,
    pub pause_reason: String,
    pub level: i64,
    pub responsible: String,
    pub version: i64,
}

/// An event recorded on an action.
pub struct EventRow {
    pub time: String,
    pub kind: &'static str,
    pub who: String,
    pub detail: String,
}

/// An action as shown on the case and referral pages.
pub struct ActionRow {
    pub id: String,
    pub route_code: String,
    pub route: &'static str,
    pub programme: String,
    pub receiver: String,
    pub from: String,
    pub status_code: String,
    pub status: &'static str,
    pub accountable: String,
    pub request: String,
    pub outcome: String,
    pub amount: String,
    pub return_reason: String,
    pub hospital: String,
    pub identity_unknown: bool,
    pub given: String,
    pub version: i64,
    pub can_receive: bool,
    pub can_cancel: bool,
    pub clocks: Vec<ClockRow>,
    pub events: Vec<EventRow>,
    pub decisions: Vec<(String, String, bool)>,
}

/// A suggested route.
pub struct SuggestionRow {
    pub route_code: String,
    pub route: &'static str,
    pub programme_code: String,
    pub programme: String,
    pub to_unit: String,
    pub reason: String,
}

/// A supervision item as shown.
pub struct SupRow {
    pub case_id: String,
    pub case_number: String,
    pub step: &'static str,
    pub level: i64,
    pub responsible: String,
    pub supervising: String,
    pub due: String,
    pub created: String,
    pub resolved: bool,
}

/// The disposition panel of the case page.
pub struct Panel {
    pub d: &'static Dispositions,
    pub actions: Vec<ActionRow>,
    pub suggestions: Vec<SuggestionRow>,
    pub supervision: Vec<SupRow>,
    pub case_clocks: Vec<ClockRow>,
    pub routes: Vec<Choice>,
    pub programmes: Vec<(String, String)>,
    pub can_dispose: bool,
    pub can_close: bool,
}

/// An action's amount, blank when it has none.
fn amount_text(fen: i64) -> String {
    if fen == 0 { String::new() } else { yuan(fen) }
}

fn programme_name(ps: &[Programme], code: &str, lang: Lang) -> String {
    ps.iter()
        .find(|p| p.code == code)
        .map(|p| if lang == Lang::Zh { p.name_zh.clone() } else { p.name_en.clone() })
        .unwrap_or_default()
}

pub fn clock_rows(ds: &[DeadlineRecord], now: i64, lang: Lang) -> Vec<ClockRow> {
    ds.iter()
        .map(|d| ClockRow {
            id: d.id.clone(),
            step: labels::deadline_step(&d.step, lang),
            due: beijing_time(d.due_ms),
            overdue: d.state == "open" && d.paused_ms == 0 && d.due_ms <= now,
            open: d.state == "open",
            paused: d.paused_ms != 0,
            pause_reason: d.pause_reason.clone(),
            level: d.level,
            responsible: format!("{} {}", d.responsible_unit, d.responsible_user).trim().to_owned(),
            version: d.version,
        })
        .collect()
}

pub fn sup_rows(items: Vec<SupervisionRecord>, lang: Lang) -> Vec<SupRow> {
    items
        .into_iter()
        .map(|s| SupRow {
            step: labels::deadline_step(&s.step, lang),
            level: s.level,
            responsible: format!("{} {}", s.responsible_unit, s.responsible_user).trim().to_owned(),
            supervising: s.supervising_unit,
            due: beijing_time(s.due_ms),
            created: beijing_time(s.created_ms),
            resolved: s.resolved_ms != 0,
            case_id: s.case_id,
            case_number: s.case_number,
        })
        .collect()
}

async fn action_row(
    state: &AppState,
    v: ActionView,
    actor: &Actor,
    ps: &[Programme],
    now: i64,
    lang: Lang,
) -> ActionRow {
    let a = v.action;
    let details: ActionDetails = serde_json::from_str(&a.details).unwrap_or_default();
    let receiver = if !a.to_party.is_empty() {
        a.to_party.clone()
    } else {
        match state.app.unit(&a.to_unit).await {
            Ok(u) => format!("{} ({})", u.name, u.code),
            Err(_) => a.to_unit.clone(),
        }
    };
    let receiver_unit = if a.to_unit.is_empty() { &a.from_unit } else { &a.to_unit };
    let can_receive =
        receiver_unit == actor.unit.as_str() && !matches!(actor.role, Role::Auditor | Role::CitySupervisor);
    ActionRow {
        route: labels::route(&a.route, lang),
        programme: programme_name(ps, &a.programme, lang),
        receiver,
        from: format!("{} {}", a.from_unit, a.from_user),
        status: labels::action_status(&a.status, lang),
        accountable: v.accountable_unit,
        outcome: if a.outcome.is_empty() {
            String::new()
        } else {
            format!("{}：{}", labels::outcome(&a.outcome, lang), a.outcome_detail)
        },
        amount: amount_text(a.amount_fen),
        can_cancel: a.from_unit == actor.unit.as_str() && matches!(a.status.as_str(), "sent" | "accepted"),
        can_receive,
        clocks: clock_rows(&v.deadlines, now, lang),
        events: v
            .events
            .into_iter()
            .map(|e| EventRow {
                time: beijing_time(e.at_ms),
                kind: labels::event_kind(&e.kind, lang),
                who: format!("{} {}", e.actor, e.unit),
                detail: e.detail,
            })
            .collect(),
        decisions: v.decisions.into_iter().map(|d| (d.text, d.lead_unit, d.status == "done")).collect(),
        hospital: details.hospital,
        identity_unknown: details.identity_unknown,
        given: details.given,
        id: a.id,
        route_code: a.route,
        status_code: a.status,
        request: a.request,
        return_reason: a.return_reason,
        version: a.version,
    }
}

fn choices<T: Copy>(all: &[T], code: fn(T) -> &'static str, label: impl Fn(&str) -> &'static str) -> Vec<Choice> {
    all.iter().map(|x| Choice { code: code(*x), label: label(code(*x)), selected: false }).collect()
}

/// The panel for a case the actor may see.
pub async fn panel(state: &AppState, ctx: &Ctx, case: &CaseRecord) -> Result<Panel, PageError> {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let now = state.app.now_ms();
    let DispositionView { actions, suggestions, supervision, deadlines, programmes } =
        state.app.disposition_of(case).await.ctx(ctx)?;
    let mut rows = Vec::new();
    for v in actions {
        rows.push(action_row(state, v, actor, &programmes, now, lang).await);
    }
    let covers = jiujinan_domain::org::DivisionCode::parse(&case.division).is_ok_and(|d| actor.jurisdiction.covers(&d));
    let can_dispose = covers
        && actor.jurisdiction.department.is_none()
        && matches!(actor.role, Role::WindowClerk | Role::StreetReviewer | Role::DistrictApprover | Role::Admin);
    let case_deadlines: Vec<DeadlineRecord> = deadlines.into_iter().filter(|d| d.subject_type == "case").collect();
    let programme_choices = programmes
        .iter()
        .filter(|p| p.route == Route::Refer.code())
        .map(|p| (p.code.clone(), programme_name(&programmes, &p.code, lang)))
        .collect();
    Ok(Panel {
        d: &catalogue(lang).dispositions,
        suggestions: suggestions
            .into_iter()
            .map(|s| SuggestionRow {
                route: labels::route(&s.route, lang),
                programme: programme_name(&programmes, &s.programme, lang),
                reason: if lang == Lang::Zh { s.reason_zh } else { s.reason_en },
                route_code: s.route,
                programme_code: s.programme,
                to_unit: s.to_unit,
            })
            .collect(),
        actions: rows,
        supervision: sup_rows(supervision, lang),
        case_clocks: clock_rows(&case_deadlines, now, lang),
        routes: choices(Route::ALL, Route::code, |c| labels::route(c, lang)),
        programmes: programme_choices,
        can_close: can_dispose && matches!(actor.role, Role::StreetReviewer | Role::DistrictApprover | Role::Admin),
        can_dispose,
    })
}

fn amount(p: &[(String, String)], key: &str) -> Result<i64, AppError> {
    match get(p, key).trim() {
        "" => Ok(0),
        s => yuan_to_fen(s).map_err(AppError::Validation),
    }
}

/// Creates an action on a case (any of the six routes).
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let p = pairs(&body);
    let r = async {
        let input = ActionInput {
            route: get(&p, "route").to_owned(),
            programme: get(&p, "programme").to_owned(),
            to_unit: get(&p, "to_unit").to_owned(),
            to_party: get(&p, "to_party").to_owned(),
            request: get(&p, "request").to_owned(),
            amount_fen: amount(&p, "amount")?,
            details: ActionDetails {
                hospital: get(&p, "hospital").to_owned(),
                identity_unknown: !get(&p, "identity_unknown").is_empty(),
                home_province: get(&p, "home_province").to_owned(),
                given: get(&p, "given").to_owned(),
            },
            redirect_from: get(&p, "redirect_from").to_owned(),
        };
        state.app.create_action(actor, &id, input).await.map(|_| ())
    }
    .await;
    redirect_after(&format!("/cases/{id}"), r, &ctx)
}

/// Accept, return, feed back, record, complete paperwork or withdraw.
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
            "accept" => app.accept_action(actor, &id, version(&p)?).await.map(|_| ()),
            "return" => app.return_action(actor, &id, version(&p)?, get(&p, "reason")).await.map(|_| ()),
            "feedback" => app
                .feed_back(actor, &id, version(&p)?, get(&p, "outcome"), get(&p, "detail"), amount(&p, "amount")?)
                .await
                .map(|_| ()),
            "paperwork" => app.complete_paperwork(actor, &id, version(&p)?, get(&p, "detail")).await.map(|_| ()),
            "cancel" => app.cancel_action(actor, &id, version(&p)?, get(&p, "reason")).await.map(|_| ()),
            "event" => {
                let at = match get(&p, "at").trim() {
                    "" => None,
                    d => Some(beijing_noon_ms(d).ok_or_else(|| {
                        AppError::Validation(jiujinan_domain::ValidationError::new("INVALID_DATE", "at"))
                    })?),
                };
                app.record_event(actor, &id, get(&p, "kind"), at.map(|t| t.min(app.now_ms())), get(&p, "detail")).await
            }
            _ => Err(AppError::NotFound),
        }
    }
    .await;
    redirect_after(&back(&p, &format!("/referrals/{id}")), r, &ctx)
}

/// Pauses or resumes a clock.
pub async fn clock(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, verb)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let p = pairs(&body);
    let r = async {
        let pause = match verb.as_str() {
            "pause" => Some(get(&p, "reason")),
            "resume" => None,
            _ => return Err(AppError::NotFound),
        };
        state.app.pause_clock(actor, &id, version(&p)?, pause).await
    }
    .await;
    redirect_after(&back(&p, "/supervision"), r, &ctx)
}

/// Closes, reopens or records the follow-up visit of a case.
pub async fn case_step(
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
            "close" => app.close_case(actor, &id, version(&p)?, get(&p, "note")).await.map(|_| ()),
            "reopen" => app.reopen_case(actor, &id, version(&p)?, get(&p, "reason")).await.map(|_| ()),
            "followup" => app.record_followup(actor, &id, get(&p, "findings")).await,
            _ => Err(AppError::NotFound),
        }
    }
    .await;
    redirect_after(&format!("/cases/{id}"), r, &ctx)
}

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

/// The referrals addressed to the user's unit.
pub async fn inbox(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InboxQuery>,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let now = state.app.now_ms();
    let status = if q.status.is_empty() { "sent".to_owned() } else { q.status };
    let filter = Some(status.as_str()).filter(|s| *s != "all");
    let actions = state.app.inbox(actor, filter, 200, 0).await.ctx(&ctx)?;
    let ps = state.app.store.programmes(now).await.map_err(AppError::from).ctx(&ctx)?;
    let mut rows = Vec::new();
    for a in actions {
        let deadlines = state.app.store.deadlines_of_case(&a.case_id).await.map_err(AppError::from).ctx(&ctx)?;
        let case = state.app.store.case_by_id(&a.case_id).await.map_err(AppError::from).ctx(&ctx)?;
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
    let tabs = ["sent", "accepted", "returned", "completed", "all"]
        .into_iter()
        .map(|s| {
            let label =
                if s == "all" { crate::i18n::catalogue(lang).common.all } else { labels::action_status(s, lang) };
            (s, label, s == status)
        })
        .collect();
    render(&InboxPage { c: Chrome::new(&ctx), d: &catalogue(lang).dispositions, rows, tabs }, &ctx)
}

#[derive(Template)]
#[template(path = "referral.html")]
struct ReferralPage {
    c: Chrome,
    d: &'static Dispositions,
    a: ActionRow,
    case_number: String,
    case_id: String,
    subject: String,
    id_number: String,
    hardships: Vec<&'static str>,
    events: Vec<Choice>,
    outcomes: Vec<Choice>,
    error: Option<String>,
    saved: bool,
    today: String,
}

#[derive(Deserialize)]
pub struct Flash {
    #[serde(default)]
    error: String,
    #[serde(default)]
    saved: String,
}

impl Flash {
    /// The error code carried over, if any.
    pub fn error(&self) -> &str {
        &self.error
    }

    /// True after a successful write.
    pub fn saved(&self) -> bool {
        !self.saved.is_empty()
    }
}

/// Shows an error code from a redirect in the user's language.
pub fn flash_error(code: &str, lang: Lang) -> Option<String> {
    (!code.is_empty()).then(|| jiujinan_app::error::catalogue(code, lang).to_owned())
}

/// A referral (any action) with what the receiver can do; opening it is audited.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(f): Query<Flash>,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let now = state.app.now_ms();
    let view = state.app.action_for(actor, &id).await.ctx(&ctx)?;
    let case = state.app.store.case_by_id(&view.action.case_id).await.map_err(AppError::from).ctx(&ctx)?;
    let ps = state.app.store.programmes(now).await.map_err(AppError::from).ctx(&ctx)?;
    let row = action_row(&state, view, actor, &ps, now, lang).await;
    let (case_number, case_id, subject, id_number, hardships) = match case {
        Some(c) => (
            c.number,
            c.id,
            c.subject_name,
            c.subject_id_number.unwrap_or_default(),
            c.hardship_types.split(',').filter(|s| !s.is_empty()).map(|h| labels::hardship(h, lang)).collect(),
        ),
        None => Default::default(),
    };
    let page = ReferralPage {
        c: Chrome::new(&ctx),
        d: &catalogue(lang).dispositions,
        a: row,
        case_number,
        case_id,
        subject,
        id_number,
        hardships,
        events: choices(EventKind::ALL, EventKind::code, |c| labels::event_kind(c, lang)),
        outcomes: choices(
            jiujinan_domain::disposition::Outcome::ALL,
            jiujinan_domain::disposition::Outcome::code,
            |c| labels::outcome(c, lang),
        ),
        error: flash_error(&f.error, lang),
        saved: !f.saved.is_empty(),
        today: beijing_time(now).chars().take(10).collect(),
    };
    let status = if page.error.is_some() { StatusCode::CONFLICT } else { StatusCode::OK };
    Ok((status, render(&page, &ctx)?).into_response())
}

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
}

#[derive(Deserialize)]
pub struct SupQuery {
    #[serde(default)]
    all: String,
    #[serde(default)]
    report: String,
}

/// Overdue steps of the user's units and of the units they supervise.
pub async fn supervision(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SupQuery>,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let open_only = q.all.is_empty();
    let items = state.app.supervision_list(actor, open_only).await.ctx(&ctx)?;
    let page = SupervisionPage {
        c: Chrome::new(&ctx),
        d: &catalogue(lang).dispositions,
        rows: sup_rows(items, lang),
        open_only,
        can_run: matches!(actor.role, Role::Admin | Role::CitySupervisor),
        report: q.report.chars().take(100).collect(),
        test_clock: state.web.test_clock && actor.role == Role::Admin,
        now: beijing_time(state.app.now_ms()),
    };
    render(&page, &ctx)
}

/// Moves the test clock (only when the server runs with `test_clock`), then sweeps.
pub async fn set_clock(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    if !state.web.test_clock {
        return Err(AppError::NotFound).ctx(&ctx);
    }
    let p = pairs(&body);
    let at = jiujinan_app::calendar::parse_beijing_datetime(get(&p, "at"))
        .ok_or_else(|| AppError::Validation(jiujinan_domain::ValidationError::new("INVALID_DATE", "at")))
        .ctx(&ctx)?;
    state.app.set_test_clock(actor, at).ctx(&ctx)?;
    let r = state.app.run_supervision().await.ctx(&ctx)?;
    let report = format!("{}/{}/{}", r.warned, r.overdue, r.escalated);
    Ok(Redirect::to(&format!("/supervision?report={report}")).into_response())
}

/// Runs the supervision sweep now (administrators and city supervisors).
pub async fn run_sweep(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    if !matches!(actor.role, Role::Admin | Role::CitySupervisor) {
        return Err(AppError::Forbidden).ctx(&ctx);
    }
    let r = state.app.run_supervision().await.ctx(&ctx)?;
    let report = format!("{}/{}/{}", r.warned, r.overdue, r.escalated);
    Ok(Redirect::to(&format!("/supervision?report={report}")).into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_action_amount_is_blank_when_none_and_signed_when_negative() {
        assert_eq!(super::amount_text(0), "");
        assert_eq!(super::amount_text(-150), "-1.50");
        assert_eq!(super::amount_text(123_456), "1234.56");
    }
}
