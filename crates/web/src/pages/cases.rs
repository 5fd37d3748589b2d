//! Case pages: the queue of cases to investigate and review, and the case file with its
//! household form, investigations, review and timeline.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiujinan_app::AppError;
use jiujinan_app::calendar::beijing_noon_ms;
use jiujinan_app::cases::{CaseView, MemberInput};
use jiujinan_app::store::LeadFilter;
use jiujinan_domain::aid::yuan;
use jiujinan_domain::case::{CaseStatus, Economy, InvestigationMethod, MoneyItem, Relationship, Route, yuan_to_fen};
use jiujinan_domain::id_number::mask;
use jiujinan_domain::user::Role;
use serde::Deserialize;

use super::form::{get, pairs, version};
use super::leads::Choice;
use super::timeline::{self, StepRow};
use crate::AppState;
use crate::context::Ctx;
use crate::errors::{PageError, WithCtx};
use crate::i18n::labels;
use crate::view::{Chrome, beijing_time, render};

/// Rows of household members and money items the form offers.
const MEMBER_ROWS: usize = 6;
const MONEY_ROWS: usize = 3;

struct Row {
    id: String,
    number: String,
    urgency: &'static str,
    urgency_code: String,
    subject_name: String,
    id_masked: String,
    status: &'static str,
    responsible_user: String,
    deadline: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct QueuePage {
    c: Chrome,
    rows: Vec<Row>,
    tabs: Vec<(&'static str, String, i64, bool)>,
    q: String,
    status: String,
}

struct MemberRow {
    name: String,
    relationships: Vec<Choice>,
    id_number: String,
    living_together: bool,
}

struct MoneyRow {
    kind: String,
    yuan: String,
}

struct InvRow {
    method: &'static str,
    date: String,
    investigator: String,
    unit: String,
    findings: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    c: Chrome,
    k: jiujinan_app::store::CaseRecord,
    status: &'static str,
    urgency: &'static str,
    hardships: Vec<&'static str>,
    responsible_name: String,
    deadline: String,
    overdue: bool,
    members: Vec<MemberRow>,
    income: Vec<MoneyRow>,
    assets: Vec<MoneyRow>,
    monthly_income: String,
    investigations: Vec<InvRow>,
    methods: Vec<Choice>,
    routes: Vec<Choice>,
    route_names: Vec<&'static str>,
    steps: Vec<StepRow>,
    can_edit: bool,
    can_review: bool,
    today: String,
    error: Option<String>,
    error_field: &'static str,
    saved: bool,
    disp: super::dispositions::Panel,
    aidp: super::aid::AidPanel,
}

#[derive(Deserialize)]
pub struct QueueQuery {
    status: Option<String>,
    #[serde(default)]
    q: String,
}

/// The money items of the household form, with empty rows to add more.
fn money_rows(items: &[MoneyItem]) -> Vec<MoneyRow> {
    let mut v: Vec<MoneyRow> =
        items.iter().map(|i| MoneyRow { kind: i.kind.clone(), yuan: yuan(i.amount_fen) }).collect();
    while v.len() < MONEY_ROWS.max(items.len() + 1) {
        v.push(MoneyRow { kind: String::new(), yuan: String::new() });
    }
    v
}

/// Cases in the user's jurisdiction, most urgent and earliest deadline first.
pub async fn queue(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<QueueQuery>,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let now = state.app.now_ms();
    let status = q.status.unwrap_or_else(|| "investigating".to_owned());
    let filter = LeadFilter {
        status: Some(status.clone()).filter(|s| s != "all"),
        search: Some(q.q.clone()),
        limit: 200,
        ..Default::default()
    };
    let cases = state.app.case_queue(actor, &filter).await.ctx(&ctx)?;
    let counts = state.app.case_counts(actor).await.ctx(&ctx)?;
    let mut tabs: Vec<(&'static str, String, i64, bool)> = CaseStatus::ALL
        .iter()
        .map(|s| {
            let n = counts.iter().find(|(c, _)| c == s.code()).map(|(_, n)| *n).unwrap_or(0);
            (labels::case_status(s.code(), lang), s.code().to_owned(), n, status == s.code())
        })
        .collect();
    tabs.push((
        crate::i18n::catalogue(lang).common.all,
        "all".into(),
        counts.iter().map(|(_, n)| n).sum(),
        status == "all",
    ));
    let rows = cases
        .into_iter()
        .map(|k| Row {
            urgency: labels::urgency(&k.urgency, lang),
            status: labels::case_status(&k.status, lang),
            id_masked: k.subject_id_number.as_deref().map(mask).unwrap_or_default(),
            deadline: beijing_time(k.step_due_ms),
            overdue: k.status != "reviewed" && k.step_due_ms < now,
            id: k.id,
            number: k.number,
            urgency_code: k.urgency,
            subject_name: k.subject_name,
            responsible_user: k.responsible_user,
        })
        .collect();
    render(&QueuePage { c: Chrome::new(&ctx), rows, tabs, q: q.q, status }, &ctx)
}

async fn case_page(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    error: Option<AppError>,
    saved: bool,
    flash: Option<String>,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let CaseView { case: k, members, economy, investigations, timeline } =
        state.app.case_for(actor, id).await.ctx(ctx)?;
    let now = state.app.now_ms();
    let mut member_rows: Vec<MemberRow> = members
        .iter()
        .map(|m| MemberRow {
            name: m.name.clone(),
            relationships: Relationship::ALL
                .iter()
                .map(|r| Choice {
                    code: r.code(),
                    label: labels::relationship(r.code(), lang),
                    selected: *r == m.relationship,
                })
                .collect(),
            id_number: m.id_number.clone().unwrap_or_default(),
            living_together: m.living_together,
        })
        .collect();
    while member_rows.len() < MEMBER_ROWS.max(members.len() + 1) {
        let first = member_rows.is_empty();
        member_rows.push(MemberRow {
            name: if first { k.subject_name.clone() } else { String::new() },
            relationships: Relationship::ALL
                .iter()
                .map(|r| {
                    let default = if first { Relationship::Applicant } else { Relationship::Other };
                    Choice { code: r.code(), label: labels::relationship(r.code(), lang), selected: *r == default }
                })
                .collect(),
            id_number: if first { k.subject_id_number.clone().unwrap_or_default() } else { String::new() },
            living_together: true,
        });
    }
    let editable = matches!(
        actor.role,
        Role::WindowClerk | Role::CommunityWorker | Role::StreetReviewer | Role::DistrictApprover | Role::Admin
    ) && jiujinan_domain::org::DivisionCode::parse(&k.division)
        .is_ok_and(|d| actor.jurisdiction.covers(&d));
    let reviewer = editable && matches!(actor.role, Role::StreetReviewer | Role::DistrictApprover | Role::Admin);
    let responsible_name =
        state.app.unit(&k.responsible_unit).await.map(|u| u.name).unwrap_or_else(|_| k.responsible_unit.clone());
    let disp = super::dispositions::panel(state, ctx, &k).await?;
    let aidp = super::aid::panel(state, ctx, &k).await?;
    let page = CasePage {
        c: Chrome::new(ctx),
        status: labels::case_status(&k.status, lang),
        urgency: labels::urgency(&k.urgency, lang),
        hardships: k.hardship_types.split(',').filter(|s| !s.is_empty()).map(|h| labels::hardship(h, lang)).collect(),
        responsible_name,
        deadline: beijing_time(k.step_due_ms),
        overdue: k.status != "reviewed" && k.step_due_ms < now,
        disp,
        aidp,
        members: member_rows,
        income: money_rows(&economy.income),
        assets: money_rows(&economy.assets),
        monthly_income: yuan(economy.monthly_income_fen()),
        investigations: investigations
            .into_iter()
            .map(|i| InvRow {
                method: labels::method(&i.method, lang),
                date: beijing_time(i.done_ms).chars().take(10).collect(),
                investigator: i.investigator,
                unit: i.unit,
                findings: i.findings,
            })
            .collect(),
        methods: InvestigationMethod::ALL
            .iter()
            .map(|m| Choice { code: m.code(), label: labels::method(m.code(), lang), selected: false })
            .collect(),
        routes: Route::ALL
            .iter()
            .map(|r| Choice {
                code: r.code(),
                label: labels::route(r.code(), lang),
                selected: k.recommended_routes.split(',').any(|x| x == r.code()),
            })
            .collect(),
        route_names: k
            .recommended_routes
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|r| labels::route(r, lang))
            .collect(),
        steps: timeline::rows(timeline, lang),
        can_edit: editable,
        can_review: reviewer,
        today: beijing_time(now).chars().take(10).collect(),
        error_field: error.as_ref().and_then(|e| e.field()).unwrap_or(""),
        error: error.map(|e| e.message(lang)).or(flash),
        saved,
        k,
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, render(&page, ctx)?).into_response())
}

/// The case file; opening it is audited.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    uri: axum::http::Uri,
) -> Result<Response, PageError> {
    let query = uri.query().unwrap_or("");
    let flash = form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "error").map(|(_, v)| v.into_owned());
    // An error code carried over from a disposition form (a redirect after POST).
    let flash = flash.and_then(|c| super::dispositions::flash_error(&c, ctx.lang));
    case_page(&state, &ctx, &id, None, query.contains("saved=1"), flash).await
}

/// After a write: back to the case, or the case with the error shown.
async fn after(state: &AppState, ctx: &Ctx, id: &str, r: Result<(), AppError>) -> Result<Response, PageError> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}?saved=1")).into_response()),
        Err(e) if matches!(e.status(), 409 | 422) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::CONFLICT);
            let page = case_page(state, ctx, id, Some(e), false, None).await?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(e).ctx(ctx),
    }
}

fn money_items(p: &[(String, String)], prefix: &str) -> Result<Vec<MoneyItem>, AppError> {
    let mut out = Vec::new();
    for i in 0..20 {
        let kind = get(p, &format!("{prefix}_kind_{i}")).trim().to_owned();
        let amount = get(p, &format!("{prefix}_yuan_{i}")).trim().to_owned();
        if kind.is_empty() && amount.is_empty() {
            continue;
        }
        out.push(MoneyItem { kind, amount_fen: yuan_to_fen(&amount).map_err(AppError::Validation)? });
    }
    Ok(out)
}

/// Saves the household part of the file (members, economy, population).
pub async fn save_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let p = pairs(&body);
    let r = async {
        let members: Vec<MemberInput> = (0..20)
            .map(|i| MemberInput {
                name: get(&p, &format!("member_name_{i}")).to_owned(),
                relationship: get(&p, &format!("member_rel_{i}")).to_owned(),
                id_number: get(&p, &format!("member_id_{i}")).to_owned(),
                living_together: !get(&p, &format!("member_live_{i}")).is_empty(),
            })
            .filter(|m| !m.name.trim().is_empty())
            .collect();
        let economy = Economy {
            income: money_items(&p, "income")?,
            assets: money_items(&p, "asset")?,
            note: get(&p, "economy_note").to_owned(),
        };
        state
            .app
            .update_case_file(
                actor,
                &id,
                version(&p)?,
                &members,
                &economy,
                get(&p, "population"),
                !get(&p, "documents_pending").is_empty(),
            )
            .await
            .map(|_| ())
    }
    .await;
    after(&state, &ctx, &id, r).await
}

/// Adds an investigation record.
pub async fn add_investigation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let p = pairs(&body);
    let done = match get(&p, "done_at").trim() {
        "" => None,
        d => match beijing_noon_ms(d) {
            Some(ms) => Some(ms.min(state.app.now_ms())),
            None => {
                let e = AppError::Validation(jiujinan_domain::ValidationError::new("INVALID_DATE", "done_at"));
                return after(&state, &ctx, &id, Err(e)).await;
            }
        },
    };
    let r = state.app.record_investigation(actor, &id, get(&p, "method"), done, get(&p, "findings")).await;
    after(&state, &ctx, &id, r).await
}

/// Submits the investigated case for preliminary review.
pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let p = pairs(&body);
    let r = async { state.app.submit_for_review(actor, &id, version(&p)?).await.map(|_| ()) }.await;
    after(&state, &ctx, &id, r).await
}

/// Records the preliminary review opinion and recommended routes.
pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let p = pairs(&body);
    let routes: Vec<String> = p.iter().filter(|(k, _)| k == "routes").map(|(_, v)| v.clone()).collect();
    let r = async { state.app.record_review(actor, &id, version(&p)?, get(&p, "opinion"), &routes).await.map(|_| ()) }
        .await;
    after(&state, &ctx, &id, r).await
}

/// Sends the case back for more investigation.
pub async fn send_back(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let p = pairs(&body);
    let r = async { state.app.send_back(actor, &id, version(&p)?, get(&p, "reason")).await.map(|_| ()) }.await;
    after(&state, &ctx, &id, r).await
}

#[cfg(test)]
mod tests {
    use jiujinan_domain::case::MoneyItem;

    #[test]
    fn negative_amounts_show_as_negative_yuan() {
        let items =
            [MoneyItem { kind: "退款".into(), amount_fen: -150 }, MoneyItem { kind: "工资".into(), amount_fen: 5 }];
        let rows = super::money_rows(&items);
        assert_eq!(rows.iter().map(|r| r.yuan.as_str()).collect::<Vec<_>>(), ["-1.50", "0.05", ""]);
    }
}
