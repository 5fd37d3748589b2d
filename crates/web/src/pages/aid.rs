//! Aid pages: the aid panel of the case page, the approvals inbox, funds with their ledger and
//! month-end reconciliation (XLSX), 公示 postings with objections, and the refusal notice.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use jiujinan_app::AppError;
use jiujinan_app::aid::{AidView, Reconciliation};
use jiujinan_app::auth::Actor;
use jiujinan_app::i18n::Lang;
use jiujinan_app::store::{AidItem, CaseRecord, Fund};
use jiujinan_domain::aid::yuan;
use jiujinan_domain::case::yuan_to_fen;
use jiujinan_domain::user::Role;
use serde::Deserialize;

use super::dispositions::{Flash, flash_error};
use super::form::{back, get, pairs, redirect_after, version};
use super::leads::Choice;
use crate::AppState;
use crate::context::Ctx;
use crate::errors::{PageError, WithCtx};
use crate::i18n::labels;
use crate::i18n::{Aid, catalogue};
use crate::view::{Chrome, beijing_time, render};

/// An aid item as the case page shows it.
pub struct AidRow {
    pub id: String,
    pub kind: &'static str,
    pub aid_type: &'static str,
    pub cause: &'static str,
    pub amount: String,
    pub proposed: String,
    pub calculation: String,
    pub change_reason: String,
    pub special: bool,
    pub level: &'static str,
    pub status_code: String,
    pub status: &'static str,
    pub fund: String,
    pub delivery: String,
    pub refusal: String,
    pub opinions: Vec<(&'static str, String, String, String)>,
    pub version: i64,
    pub can_review: bool,
    pub can_approve: bool,
    pub can_pay: bool,
    pub can_reverse: bool,
    pub can_cancel: bool,
}

/// The aid panel of the case page.
pub struct AidPanel {
    pub a: &'static Aid,
    pub rows: Vec<AidRow>,
    pub funds: Vec<(String, String)>,
    pub causes: Vec<Choice>,
    pub standard: String,
    pub standard_placeholder: bool,
    pub can_propose: bool,
    /// Aid-first actions of the case waiting for their paperwork (id, label).
    pub aid_first: Vec<(String, String)>,
}

fn is_reviewer(actor: &Actor) -> bool {
    actor.jurisdiction.department.is_none()
        && matches!(actor.role, Role::StreetReviewer | Role::DistrictApprover | Role::Admin)
}

fn actor_level(actor: &Actor) -> u8 {
    match actor.jurisdiction.division.level() {
        jiujinan_domain::org::DivisionLevel::Street => 1,
        jiujinan_domain::org::DivisionLevel::Community => 0,
        _ => 2,
    }
}

fn row(v: AidView, actor: &Actor, funds: &[Fund], lang: Lang) -> AidRow {
    let i = v.item;
    let reviewer = is_reviewer(actor);
    let needed = if i.required_level == "district" { 2 } else { 1 };
    let handles = actor.jurisdiction.department.is_none()
        && matches!(actor.role, Role::WindowClerk | Role::StreetReviewer | Role::DistrictApprover | Role::Admin);
    AidRow {
        kind: labels::aid(&i.kind, lang),
        aid_type: labels::aid(&i.aid_type, lang),
        cause: labels::hardship(&i.cause, lang),
        amount: yuan(i.amount_fen),
        proposed: yuan(i.proposed_fen),
        calculation: i.calculation.clone(),
        change_reason: i.change_reason.clone(),
        special: i.special,
        level: labels::aid(&i.required_level, lang),
        status: labels::aid(&i.status, lang),
        fund: funds.iter().find(|f| f.id == i.fund_id).map(|f| f.name.clone()).unwrap_or_else(|| i.fund_id.clone()),
        delivery: if i.delivery_method.is_empty() {
            String::new()
        } else {
            format!("{} · {}", labels::delivery(&i.delivery_method, lang), i.delivery_ref)
        },
        refusal: i.refusal_reason.clone(),
        opinions: v
            .approvals
            .into_iter()
            .map(|o| (labels::aid(&o.step, lang), format!("{} {}", o.actor, o.unit), o.opinion, beijing_time(o.at_ms)))
            .collect(),
        can_review: reviewer && i.status == "proposed",
        can_approve: reviewer && i.status == "reviewed" && actor_level(actor) >= needed,
        can_pay: handles && i.status == "approved",
        can_reverse: reviewer && i.status == "paid",
        can_cancel: handles && matches!(i.status.as_str(), "proposed" | "reviewed" | "approved"),
        status_code: i.status,
        version: i.version,
        id: i.id,
    }
}

/// The aid panel for a case the actor may see.
pub async fn panel(state: &AppState, ctx: &Ctx, case: &CaseRecord) -> Result<AidPanel, PageError> {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let items = state.app.aid_of_case(&case.id).await.ctx(ctx)?;
    let funds = if actor.jurisdiction.department.is_none() && !matches!(actor.role, Role::CommunityWorker) {
        state.app.store.funds_covering(&case.division).await.map_err(AppError::from).ctx(ctx)?
    } else {
        vec![]
    };
    let rules = state.app.aid_rules().await.ctx(ctx)?;
    let standard = jiujinan_app::App::standard_in_force(&rules, &case.division, state.app.now_ms());
    let covers = jiujinan_domain::org::DivisionCode::parse(&case.division).is_ok_and(|d| actor.jurisdiction.covers(&d));
    let aid_first: Vec<(String, String)> = state
        .app
        .store
        .actions_of_case(&case.id)
        .await
        .map_err(AppError::from)
        .ctx(ctx)?
        .into_iter()
        .filter(|a| a.route == "aid_first" && a.status == "accepted")
        .map(|a| {
            let label = format!("{} {} {}", labels::route("aid_first", lang), yuan(a.amount_fen), a.request);
            (a.id, label)
        })
        .collect();
    let usable: Vec<(String, String)> = funds
        .iter()
        .filter(|f| case.division.starts_with(&f.division))
        .map(|f| (f.id.clone(), format!("{}（{} {}）", f.name, catalogue(lang).aid.available, yuan(f.available_fen))))
        .collect();
    Ok(AidPanel {
        a: &catalogue(lang).aid,
        rows: items.into_iter().map(|v| row(v, actor, &funds, lang)).collect(),
        causes: case
            .hardship_types
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|h| Choice {
                code: jiujinan_domain::lead::HardshipType::parse(h).map(|t| t.code()).unwrap_or("OTHER_URGENT"),
                label: labels::hardship(h, lang),
                selected: false,
            })
            .collect(),
        standard: standard.map(|s| yuan(s.amount_fen)).unwrap_or_default(),
        standard_placeholder: standard.is_some_and(|s| s.placeholder),
        can_propose: covers
            && (case.status == "reviewed" || (!aid_first.is_empty() && case.status != "closed"))
            && actor.jurisdiction.department.is_none()
            && matches!(actor.role, Role::WindowClerk | Role::StreetReviewer | Role::DistrictApprover | Role::Admin)
            && !usable.is_empty(),
        funds: usable,
        aid_first,
    })
}

/// Proposes an aid item on a case.
pub async fn propose(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let p = pairs(&body);
    let r = async {
        let amount = match get(&p, "amount").trim() {
            "" => None,
            s => Some(yuan_to_fen(s).map_err(AppError::Validation)?),
        };
        let input = jiujinan_app::aid::AidInput {
            kind: get(&p, "kind").into(),
            aid_type: get(&p, "aid_type").into(),
            cause: get(&p, "cause").into(),
            tier: get(&p, "tier").parse().unwrap_or(0),
            description: get(&p, "description").into(),
            amount_fen: amount,
            change_reason: get(&p, "change_reason").into(),
            special: !get(&p, "special").is_empty(),
            fund_id: get(&p, "fund_id").into(),
            action_id: get(&p, "action_id").into(),
        };
        state.app.propose_aid(actor, &id, input).await.map(|_| ())
    }
    .await;
    redirect_after(&format!("/cases/{id}"), r, &ctx)
}

/// Review, approve, refuse, pay, reverse or cancel an aid item.
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
        let v = version(&p)?;
        match verb.as_str() {
            "review" => app.review_aid(actor, &id, v, get(&p, "opinion")).await,
            "approve" => app.approve_aid(actor, &id, v, get(&p, "opinion")).await,
            "refuse" => app.refuse_aid(actor, &id, v, get(&p, "reason")).await,
            "pay" => app.pay_aid(actor, &id, v, get(&p, "method"), get(&p, "reference")).await,
            "reverse" => app.reverse_payment(actor, &id, v, get(&p, "reason")).await,
            "cancel" => app.cancel_aid(actor, &id, v, get(&p, "reason")).await,
            _ => Err(AppError::NotFound),
        }
        .map(|_| ())
    }
    .await;
    redirect_after(&back(&p, "/approvals"), r, &ctx)
}

struct ApprovalRow {
    id: String,
    case_id: String,
    case_number: String,
    aid_type: &'static str,
    special: bool,
    amount: String,
    level: &'static str,
    calculation: String,
}

#[derive(Template)]
#[template(path = "approvals.html")]
struct ApprovalsPage {
    c: Chrome,
    a: &'static Aid,
    sections: Vec<(&'static str, &'static str, Vec<ApprovalRow>)>,
}

/// Aid items waiting for the user's review or approval.
pub async fn approvals(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let (to_approve, to_review) = state.app.approvals_inbox(actor).await.ctx(&ctx)?;
    let rows = |v: Vec<AidItem>| -> Vec<ApprovalRow> {
        v.into_iter()
            .map(|i| ApprovalRow {
                aid_type: labels::aid(&i.aid_type, lang),
                level: labels::aid(&i.required_level, lang),
                amount: yuan(i.amount_fen),
                special: i.special,
                id: i.id,
                case_id: i.case_id,
                case_number: i.case_number,
                calculation: i.calculation,
            })
            .collect()
    };
    let a = &catalogue(lang).aid;
    let sections = vec![(a.to_approve, "to-approve", rows(to_approve)), (a.to_review, "to-review", rows(to_review))];
    render(&ApprovalsPage { c: Chrome::new(&ctx), a, sections }, &ctx)
}

struct FundRow {
    id: String,
    name: String,
    unit: String,
    kind: &'static str,
    available: String,
    reserved: String,
    paid: String,
}

fn fund_row(f: &Fund, lang: Lang) -> FundRow {
    FundRow {
        id: f.id.clone(),
        name: f.name.clone(),
        unit: f.unit.clone(),
        kind: labels::aid(&f.kind, lang),
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
    error: Option<String>,
}

fn manages_funds(actor: &Actor) -> bool {
    matches!(actor.role, Role::DistrictApprover | Role::Admin) && actor.jurisdiction.department.is_none()
}

/// The funds of the user's jurisdiction.
pub async fn funds(State(state): State<AppState>, ctx: Ctx, Query(f): Query<Flash>) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let list = state.app.funds(actor).await.ctx(&ctx)?;
    let page = FundsPage {
        c: Chrome::new(&ctx),
        a: &catalogue(lang).aid,
        rows: list.iter().map(|f| fund_row(f, lang)).collect(),
        can_manage: manages_funds(actor),
        error: flash_error(f.error(), lang),
    };
    render(&page, &ctx)
}

/// Opens a fund.
pub async fn create_fund(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let p = pairs(&body);
    match state.app.create_fund(actor, get(&p, "unit"), get(&p, "kind"), get(&p, "name")).await {
        Ok(id) => Ok(Redirect::to(&format!("/funds/{id}")).into_response()),
        Err(e) => redirect_after("/funds", Err(e), &ctx),
    }
}

struct LineRow {
    seq: i64,
    time: String,
    kind: &'static str,
    account: &'static str,
    amount: String,
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
pub async fn fund(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<MonthQuery>,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let month = if q.month.is_empty() { current_month(state.app.now_ms()) } else { q.month.clone() };
    let Reconciliation { fund, opening_fen, in_fen, out_fen, reserved_fen, closing_fen, lines, .. } =
        state.app.reconciliation(actor, &id, &month).await.ctx(&ctx)?;
    let others = state
        .app
        .funds(actor)
        .await
        .ctx(&ctx)?
        .into_iter()
        .filter(|f| f.id != fund.id)
        .map(|f| (f.id, format!("{} ({})", f.name, f.unit)))
        .collect();
    let mut held = opening_fen;
    let mut names = vec![month.clone()];
    let mut values = vec![held as f64 / 100.0];
    for l in lines.iter().filter(|l| l.account == "available" || l.account == "reserved") {
        held += l.amount_fen;
        names.push(beijing_time(l.at_ms));
        values.push(held as f64 / 100.0);
    }
    let chart_json =
        serde_json::json!({"title": catalogue(lang).aid.ledger, "names": names, "values": values}).to_string();
    let page = FundPage {
        chart_json,
        c: Chrome::new(&ctx),
        a: &catalogue(lang).aid,
        f: fund_row(&fund, lang),
        r: (yuan(opening_fen), yuan(in_fen), yuan(out_fen), yuan(reserved_fen), yuan(closing_fen)),
        lines: lines
            .into_iter()
            .map(|l| LineRow {
                seq: l.seq,
                time: beijing_time(l.at_ms),
                kind: labels::aid(&l.kind, lang),
                account: labels::aid(&l.account, lang),
                amount: yuan(l.amount_fen),
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
    render(&page, &ctx)
}

/// The month's reconciliation as a spreadsheet.
pub async fn reconciliation_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<MonthQuery>,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let month = if q.month.is_empty() { current_month(state.app.now_ms()) } else { q.month.clone() };
    let r = state.app.reconciliation(actor, &id, &month).await.ctx(&ctx)?;
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

/// Deposit into or allocate from a fund.
pub async fn fund_act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, verb)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let p = pairs(&body);
    let r = async {
        let amount = yuan_to_fen(get(&p, "amount")).map_err(AppError::Validation)?;
        match verb.as_str() {
            "deposit" => state.app.deposit(actor, &id, amount, get(&p, "memo")).await,
            "allocate" => state.app.allocate(actor, &id, get(&p, "to"), amount, get(&p, "memo")).await,
            _ => Err(AppError::NotFound),
        }
    }
    .await;
    redirect_after(&format!("/funds/{id}"), r, &ctx)
}

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
pub async fn publicity(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PublicityQuery>,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let open_only = q.all.is_empty();
    let rows = state
        .app
        .postings(actor, open_only)
        .await
        .ctx(&ctx)?
        .into_iter()
        .map(|p| PostingRow {
            reason: labels::hardship(&p.reason, lang),
            period: format!(
                "{} – {}",
                beijing_time(p.start_ms).chars().take(10).collect::<String>(),
                beijing_time(p.end_ms).chars().take(10).collect::<String>()
            ),
            open: p.status == "open",
            status: p.status,
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
    render(&page, &ctx)
}

/// Records an objection to a posting.
pub async fn object(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let p = pairs(&body);
    let r = state.app.object_to_posting(actor, &id, get(&p, "text")).await;
    redirect_after("/publicity", r, &ctx)
}

#[derive(Template)]
#[template(path = "aid_notice.html")]
struct NoticePage {
    c: Chrome,
    a: &'static Aid,
    case_number: String,
    subject: String,
    reason: String,
    date: String,
}

/// The printable notice of a refusal, with the person's rights (Order 649 Art. 65).
pub async fn notice(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let item = state.app.store.aid(&id).await.map_err(AppError::from).ctx(&ctx)?.ok_or(AppError::NotFound).ctx(&ctx)?;
    let case = state.app.case_for(actor, &item.case_id).await.ctx(&ctx)?.case;
    if item.status != "refused" {
        return Err(AppError::NotFound).ctx(&ctx);
    }
    let page = NoticePage {
        c: Chrome::new(&ctx),
        a: &catalogue(ctx.lang).aid,
        case_number: case.number,
        subject: case.subject_name,
        reason: item.refusal_reason,
        date: beijing_time(item.updated_ms).chars().take(10).collect(),
    };
    render(&page, &ctx)
}
