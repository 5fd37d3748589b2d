//! The case file page: household, investigations, review and timeline, with the disposition
//! and aid panels; opening it is audited.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use jiujinan_app::AppError;
use jiujinan_app::cases::CaseView;
use jiujinan_domain::aid::yuan;
use jiujinan_domain::case::{CaseStatus, InvestigationMethod, MoneyItem, Relationship, Route};
use jiujinan_domain::disposition::ActionStatus;
use jiujinan_domain::policy::Permission;

use crate::AppState;
use crate::context::Ctx;
use crate::errors::PageResult;
use crate::i18n::labels;
use crate::pages::form::{flash_error, is_field_name};
use crate::pages::timeline::{self, StepRow};
use crate::pages::{aid, dispositions};
use crate::view::{Choice, Chrome, beijing_time, render};

/// Rows of household members and money items the form offers.
const MEMBER_ROWS: usize = 6;
const MONEY_ROWS: usize = 3;

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
    /// The unit's name, and its code for the hover title.
    unit: String,
    unit_code: String,
    findings: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    c: Chrome,
    k: jiujinan_app::model::CaseRecord,
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
    error_field: String,
    saved: bool,
    disp: dispositions::Panel,
    aidp: aid::AidPanel,
    /// The full ID numbers and phones are shown (an audited reveal); masked otherwise.
    revealed: bool,
    can_reveal: bool,
    /// The number of the lead the case came from (the hex id only in the link).
    lead_number: String,
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

pub(super) async fn case_page(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    error: Option<AppError>,
    saved: bool,
    // An error carried over by a redirect: its message and the field it names (may be empty).
    flash: Option<(String, String)>,
    reveal: bool,
) -> PageResult {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let CaseView { case: k, members, economy, investigations, timeline, disclosure } =
        state.app.case_for(actor, id, reveal).await?;
    let names = timeline::unit_names(state, &timeline).await;
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
    let editable = actor.may(Permission::EditCaseFile)
        && jiujinan_domain::org::DivisionCode::parse(&k.division).is_ok_and(|d| actor.jurisdiction.covers(&d));
    let reviewer = editable && actor.may(Permission::ReviewCase);
    let responsible_name =
        state.app.unit(&k.responsible_unit).await.map(|u| u.name).unwrap_or_else(|_| k.responsible_unit.clone());
    let disp = dispositions::panel(state, ctx, &k).await?;
    let aidp = aid::panel(state, ctx, &k).await?;
    let page = CasePage {
        c: Chrome::new(ctx),
        status: labels::case_status(k.status.code(), lang),
        urgency: labels::urgency(k.urgency.code(), lang),
        hardships: k.hardship_types.split(',').filter(|s| !s.is_empty()).map(|h| labels::hardship(h, lang)).collect(),
        responsible_name,
        deadline: beijing_time(k.step_due_ms),
        overdue: k.status != CaseStatus::Reviewed && k.step_due_ms < now,
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
                unit: names.name(&i.unit),
                unit_code: i.unit,
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
        steps: timeline::rows(timeline, lang, &names),
        can_edit: editable,
        can_review: reviewer,
        lead_number: state.app.lead_number(&k.lead_id).await?.unwrap_or_else(|| k.lead_id.clone()),
        revealed: disclosure.is_full(),
        can_reveal: actor.may(Permission::RevealPersonalData),
        today: beijing_time(now).chars().take(10).collect(),
        error_field: match (&error, &flash) {
            (Some(e), _) => e.field().unwrap_or("").to_owned(),
            (None, Some((_, field))) => field.clone(),
            (None, None) => String::new(),
        },
        error: error.map(|e| e.message(lang)).or(flash.map(|(message, _)| message)),
        saved,
        k,
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, render(&page)?).into_response())
}

/// The case file; opening it is audited.
pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, uri: axum::http::Uri) -> PageResult {
    let query = uri.query().unwrap_or("");
    let param =
        |name: &str| form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    // An error code carried over from a disposition form (a redirect after POST), and its field.
    let field = param("field").filter(|f| is_field_name(f)).unwrap_or_default();
    let flash = param("error").and_then(|c| flash_error(&c, ctx.lang)).map(|m| (m, field));
    let reveal = query.split('&').any(|kv| kv == "reveal=1");
    case_page(&state, &ctx, &id, None, query.contains("saved=1"), flash, reveal).await
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
