//! Funds: the list of the user's jurisdiction, opening a fund, a fund's page with the month's
//! reconciliation and ledger (also as XLSX), deposits and allocations.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect};
use jiujinan_app::AppError;
use jiujinan_app::aid::Reconciliation;
use jiujinan_app::auth::Actor;
use jiujinan_app::i18n::Lang;
use jiujinan_app::model::Fund;
use jiujinan_domain::aid::{FundKind, yuan};
use jiujinan_domain::case::yuan_to_fen;
use jiujinan_domain::policy::Permission;
use serde::Deserialize;

use crate::AppState;
use crate::context::Ctx;
use crate::errors::PageResult;
use crate::i18n::{Aid, catalogue, labels};
use crate::pages::form::{Flash, Form, flash_error, redirect_after};
use crate::pages::unit_names::UnitNames;
use crate::view::{Chrome, beijing_time, render};

struct FundRow {
    id: String,
    name: String,
    /// The unit's code (on hover) and name.
    unit: String,
    unit_name: String,
    kind: &'static str,
    available: String,
    reserved: String,
    paid: String,
}

fn fund_row(f: &Fund, lang: Lang, names: &UnitNames) -> FundRow {
    FundRow {
        id: f.id.clone(),
        name: f.name.clone(),
        unit: f.unit.clone(),
        unit_name: names.name(&f.unit),
        kind: labels::aid(f.kind.code(), lang),
        available: yuan(f.available_fen),
        reserved: yuan(f.reserved_fen),
        paid: yuan(f.paid_fen),
    }
}

#[derive(Template)]
#[template(path = "funds.html")]
struct FundsPage {
    c: Chrome,
    a: &'static Aid,
    rows: Vec<FundRow>,
    can_manage: bool,
    /// The new-fund form's choices: units that hold money (more by search), kinds by name.
    units: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

fn manages_funds(actor: &Actor) -> bool {
    actor.may(Permission::ManageFunds)
}

/// The funds of the user's jurisdiction.
pub async fn list_funds(State(state): State<AppState>, ctx: Ctx, Query(f): Query<Flash>) -> PageResult {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let list = state.app.funds(actor).await?;
    // The user's own unit first, then its jurisdiction's civil-affairs bureau (when there is one).
    let mut unit_codes = vec![actor.unit.as_str().to_owned()];
    let bureau = format!("{}:mz", actor.jurisdiction.division.as_str());
    if !unit_codes.contains(&bureau) {
        unit_codes.push(bureau);
    }
    let names =
        UnitNames::load(&state, list.iter().map(|f| f.unit.clone()).chain(unit_codes.iter().cloned()).collect()).await;
    let page = FundsPage {
        c: Chrome::new(&ctx),
        a: &catalogue(lang).aid,
        rows: list.iter().map(|f| fund_row(f, lang, &names)).collect(),
        can_manage: manages_funds(actor),
        units: unit_codes
            .into_iter()
            .filter(|c| names.knows(c))
            .map(|c| {
                let name = names.name(&c);
                (c, name)
            })
            .collect(),
        kinds: FundKind::ALL.iter().map(|k| (k.code(), labels::aid(k.code(), lang))).collect(),
        error: f.error(lang),
    };
    render(&page)
}

/// A fund to open.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewFundForm {
    unit: String,
    kind: String,
    name: String,
}

/// Opens a fund.
pub async fn create_fund(State(state): State<AppState>, ctx: Ctx, Form(f): Form<NewFundForm>) -> PageResult {
    let actor = ctx.user()?;
    match state.app.create_fund(actor, &f.unit, &f.kind, &f.name).await {
        Ok(id) => Ok(Redirect::to(&format!("/funds/{id}")).into_response()),
        Err(e) => redirect_after("/funds", Err::<(), _>(e)),
    }
}

struct LineRow {
    seq: i64,
    time: String,
    kind: &'static str,
    account: &'static str,
    amount: String,
    /// The number of the case the money went to (empty for deposits and allocations).
    case_number: String,
    memo: String,
    actor: String,
}

#[derive(Template)]
#[template(path = "fund.html")]
struct FundPage {
    c: Chrome,
    a: &'static Aid,
    f: FundRow,
    month: String,
    r: (String, String, String, String, String),
    lines: Vec<LineRow>,
    others: Vec<(String, String)>,
    can_manage: bool,
    error: Option<String>,
    saved: bool,
    /// Money held (available and reserved) after each line of the month, for the chart.
    chart_json: String,
}

#[derive(Deserialize)]
pub struct MonthQuery {
    #[serde(default)]
    month: String,
    #[serde(default)]
    error: String,
    #[serde(default)]
    saved: String,
}

fn current_month(ms: i64) -> String {
    let (y, m, _) = jiujinan_app::calendar::beijing_date(ms);
    format!("{y:04}-{m:02}")
}

/// A fund: balances, the month's reconciliation and ledger, deposits and allocations.
pub async fn show_fund(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<MonthQuery>,
) -> PageResult {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let a = &catalogue(lang).aid;
    let month = if q.month.is_empty() { current_month(state.app.now_ms()) } else { q.month.clone() };
    let Reconciliation { fund, opening_fen, in_fen, out_fen, reserved_fen, closing_fen, lines, aid_cases, .. } =
        state.app.reconciliation(actor, &id, &month).await?;
    let all = state.app.funds(actor).await?;
    let units = UnitNames::load(&state, all.iter().map(|f| f.unit.clone()).chain([fund.unit.clone()]).collect()).await;
    let others = all
        .into_iter()
        .filter(|f| f.id != fund.id)
        .map(|f| (f.id, format!("{}（{}）", f.name, units.name(&f.unit))))
        .collect();
    let mut held = opening_fen;
    let mut names = vec![month.clone()];
    let mut values = vec![held as f64 / 100.0];
    // One point per transaction: a reservation moves money between the fund's own accounts
    // (both halves net to nothing held), a deposit or payment changes what it holds.
    let mut last_tx: Option<&str> = None;
    for l in lines.iter().filter(|l| l.account == "available" || l.account == "reserved") {
        held += l.amount_fen;
        if last_tx == Some(l.tx_id.as_str()) {
            if let Some(v) = values.last_mut() {
                *v = held as f64 / 100.0;
            }
            continue;
        }
        last_tx = Some(l.tx_id.as_str());
        names.push(beijing_time(l.at_ms));
        values.push(held as f64 / 100.0);
    }
    let chart_json = serde_json::json!({"title": a.ledger, "names": names, "values": values}).to_string();
    let page = FundPage {
        chart_json,
        c: Chrome::new(&ctx),
        a,
        f: fund_row(&fund, lang, &units),
        r: (yuan(opening_fen), yuan(in_fen), yuan(out_fen), yuan(reserved_fen), yuan(closing_fen)),
        lines: lines
            .into_iter()
            .map(|l| LineRow {
                seq: l.seq,
                time: beijing_time(l.at_ms),
                kind: labels::aid(&l.kind, lang),
                account: labels::aid(&l.account, lang),
                amount: yuan(l.amount_fen),
                case_number: aid_cases.get(&l.aid_id).cloned().unwrap_or_default(),
                memo: l.memo,
                actor: l.actor,
            })
            .collect(),
        month,
        others,
        can_manage: manages_funds(actor),
        error: flash_error(&q.error, lang),
        saved: !q.saved.is_empty(),
    };
    render(&page)
}

/// The month's reconciliation as a spreadsheet.
pub async fn reconciliation_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<MonthQuery>,
) -> PageResult {
    let actor = ctx.user()?;
    let month = if q.month.is_empty() { current_month(state.app.now_ms()) } else { q.month.clone() };
    let r = state.app.reconciliation(actor, &id, &month).await?;
    let file = format!("attachment; filename=\"reconciliation-{}-{}.xlsx\"", r.fund.id, r.month);
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (header::CONTENT_DISPOSITION, file),
        ],
        r.to_xlsx(),
    )
        .into_response())
}

/// Money moved into a fund or on to another.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MoveForm {
    /// Yuan as typed.
    amount: String,
    /// The receiving fund (allocations).
    to: String,
    memo: String,
}

/// Deposits into a fund.
pub async fn deposit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<MoveForm>,
) -> PageResult {
    let actor = ctx.user()?;
    let r = match yuan_to_fen(&f.amount) {
        Ok(amount) => state.app.deposit(actor, &id, amount, &f.memo).await,
        Err(e) => Err(AppError::Validation(e)),
    };
    redirect_after(&format!("/funds/{id}"), r)
}

/// Allocates from a fund to another.
pub async fn allocate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<MoveForm>,
) -> PageResult {
    let actor = ctx.user()?;
    let r = match yuan_to_fen(&f.amount) {
        Ok(amount) => state.app.allocate(actor, &id, &f.to, amount, &f.memo).await,
        Err(e) => Err(AppError::Validation(e)),
    };
    redirect_after(&format!("/funds/{id}"), r)
}
