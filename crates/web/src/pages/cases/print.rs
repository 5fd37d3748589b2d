//! The case file for paper (打印档案): the household, investigations, review, actions, aid with
//! its calculation and the timeline, as text on A4, with no form controls. Reading it is the
//! audited read of the case file; ID numbers stay masked unless revealed (`?reveal=1`).

use askama::Template;
use axum::extract::{Path, State};
use jiujinan_app::cases::CaseView;
use jiujinan_app::model::CaseRecord;

use crate::AppState;
use crate::context::Ctx;
use crate::errors::PageResult;
use crate::i18n::labels;
use crate::pages::timeline::{self, StepRow};
use crate::pages::{aid, dispositions};
use crate::view::{Chrome, beijing_time, render};

#[derive(Template)]
#[template(path = "case_print.html")]
struct PrintPage {
    c: Chrome,
    k: CaseRecord,
    unit_name: String,
    printed: String,
    status: &'static str,
    hardships: Vec<&'static str>,
    /// Name, relationship, ID number, living together.
    members: Vec<(String, &'static str, String, bool)>,
    income: Vec<(String, String)>,
    assets: Vec<(String, String)>,
    monthly_income: String,
    /// Date, method, investigator and unit, findings.
    investigations: Vec<(String, &'static str, String, String)>,
    routes: Vec<&'static str>,
    actions: Vec<dispositions::ActionRow>,
    aid: Vec<aid::AidRow>,
    steps: Vec<StepRow>,
}

fn yuan(fen: i64) -> String {
    jiujinan_domain::aid::yuan(fen)
}

/// The case file laid out for printing.
pub async fn print(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    uri: axum::http::Uri,
) -> PageResult {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let reveal = uri.query().is_some_and(|q| q.split('&').any(|kv| kv == "reveal=1"));
    let CaseView { case: k, members, economy, investigations, timeline, .. } =
        state.app.case_for(actor, &id, reveal).await?;
    let names = timeline::unit_names(&state, &timeline).await;
    let disp = dispositions::panel(&state, &ctx, &k).await?;
    let aidp = aid::panel(&state, &ctx, &k).await?;
    let unit_name =
        state.app.unit(&k.responsible_unit).await.map(|u| u.name).unwrap_or_else(|_| k.responsible_unit.clone());
    let page = PrintPage {
        c: Chrome::new(&ctx),
        unit_name,
        printed: beijing_time(state.app.now_ms()).chars().take(10).collect(),
        status: labels::case_status(k.status.code(), lang),
        hardships: k.hardship_types.split(',').filter(|s| !s.is_empty()).map(|h| labels::hardship(h, lang)).collect(),
        members: members
            .iter()
            .map(|m| {
                (
                    m.name.clone(),
                    labels::relationship(m.relationship.code(), lang),
                    m.id_number.clone().unwrap_or_default(),
                    m.living_together,
                )
            })
            .collect(),
        income: economy.income.iter().map(|i| (i.kind.clone(), yuan(i.amount_fen))).collect(),
        assets: economy.assets.iter().map(|i| (i.kind.clone(), yuan(i.amount_fen))).collect(),
        monthly_income: yuan(economy.monthly_income_fen()),
        investigations: investigations
            .into_iter()
            .map(|i| {
                (
                    beijing_time(i.done_ms).chars().take(10).collect(),
                    labels::method(&i.method, lang),
                    format!("{} {}", i.investigator, names.name(&i.unit)),
                    i.findings,
                )
            })
            .collect(),
        routes: k.recommended_routes.split(',').filter(|s| !s.is_empty()).map(|r| labels::route(r, lang)).collect(),
        actions: disp.actions,
        aid: aidp.rows,
        steps: timeline::rows(timeline, lang, &names),
        k,
    };
    render(&page)
}
