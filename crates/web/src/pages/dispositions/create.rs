//! The disposition panel of the case page (suggested routes, the case's actions, clocks and
//! supervision) and creating an action on a case (any of the six routes).

use axum::extract::{Path, State};
use jiujinan_app::AppError;
use jiujinan_app::dispositions::{ActionInput, DispositionView};
use jiujinan_app::i18n::Lang;
use jiujinan_app::model::{CaseRecord, DeadlineRecord};
use jiujinan_domain::case::{Route, yuan_to_fen};
use jiujinan_domain::disposition::ActionDetails;
use jiujinan_domain::policy::Permission;
use serde::Deserialize;

use super::{ActionRow, ClockRow, SupRow, action_row, clock_rows, programme_name, sup_rows};
use crate::AppState;
use crate::context::Ctx;
use crate::errors::{PageError, PageResult};
use crate::i18n::{Dispositions, catalogue, labels};
use crate::pages::form::{Form, redirect_after};
use crate::pages::unit_names::UnitNames;
use crate::view::{Choice, choices};

/// A suggested route.
pub struct SuggestionRow {
    pub route_code: String,
    pub route: &'static str,
    pub programme_code: String,
    pub programme: String,
    /// The suggested receiver's code (for the hover title) and name.
    pub to_unit: String,
    pub to_unit_name: String,
    pub reason: String,
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
    /// The units a case of this district can be referred to, by name: (code, name).
    pub receivers: Vec<(String, String)>,
    /// Each referral programme's default receiving unit by name: (programme code, name).
    pub defaults: Vec<(String, String)>,
    pub can_dispose: bool,
    pub can_close: bool,
    /// The follow-up visit (回访) of a closed case: whoever may edit the case file (the
    /// community worker who visits, too).
    pub can_follow_up: bool,
}

/// The panel for a case the actor may see.
pub async fn panel(state: &AppState, ctx: &Ctx, case: &CaseRecord) -> Result<Panel, PageError> {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let now = state.app.now_ms();
    let DispositionView { actions, suggestions, supervision, deadlines, programmes } =
        state.app.disposition_of(case).await?;
    let supervision = jiujinan_app::supervision::visible_to(actor, supervision);
    let mut rows = Vec::new();
    for v in actions {
        rows.push(action_row(state, v, actor, &programmes, now, lang).await);
    }
    let covers = jiujinan_domain::org::DivisionCode::parse(&case.division).is_ok_and(|d| actor.jurisdiction.covers(&d));
    let can_dispose = covers && actor.may(Permission::DisposeCase);
    let case_deadlines: Vec<DeadlineRecord> = deadlines.into_iter().filter(|d| d.subject_type == "case").collect();
    let codes: Vec<String> = case_deadlines
        .iter()
        .map(|d| d.responsible_unit.clone())
        .chain(supervision.iter().flat_map(|s| [s.responsible_unit.clone(), s.supervising_unit.clone()]))
        .chain(suggestions.iter().map(|s| s.to_unit.clone()))
        .collect();
    // Whom a case of this district can be referred to: the district's departments and the
    // city's, by name.
    let district = case.division.get(..6).and_then(|d| jiujinan_domain::org::DivisionCode::parse(d).ok());
    let mut receiver_codes: Vec<String> = Vec::new();
    for division in district.iter().cloned().chain([jiujinan_domain::org::DivisionCode::city()]) {
        for kind in jiujinan_domain::org::UnitKind::departments_at(division.level()) {
            receiver_codes.push(jiujinan_domain::org::UnitCode::of(&division, *kind).to_string());
        }
    }
    let default_codes: Vec<(String, String)> = programmes
        .iter()
        .filter(|p| p.route == Route::Refer.code() && !p.department.is_empty())
        .filter_map(|p| {
            let kind = jiujinan_domain::org::UnitKind::parse(&p.department).ok()?;
            let division =
                if p.level == "city" { jiujinan_domain::org::DivisionCode::city() } else { district.clone()? };
            Some((p.code.clone(), jiujinan_domain::org::UnitCode::of(&division, kind).to_string()))
        })
        .collect();
    let codes: Vec<String> = codes
        .into_iter()
        .chain(receiver_codes.iter().cloned())
        .chain(default_codes.iter().map(|d| d.1.clone()))
        .collect();
    let names = UnitNames::load(state, codes).await;
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
                to_unit_name: names.name(&s.to_unit),
                to_unit: s.to_unit,
            })
            .collect(),
        actions: rows,
        supervision: sup_rows(supervision, actor, lang, &names),
        case_clocks: clock_rows(&case_deadlines, now, lang, &names),
        routes: choices(Route::ALL, Route::code, |c| labels::route(c, lang)),
        programmes: programme_choices,
        // Only units that exist (a name was found), in the order of the catalogue.
        receivers: receiver_codes
            .iter()
            .filter_map(|c| {
                let n = names.name(c);
                (n != *c).then(|| (c.clone(), n))
            })
            .collect(),
        defaults: default_codes.into_iter().map(|(p, c)| (p, names.name(&c))).collect(),
        can_close: can_dispose && actor.may(Permission::ReviewCase),
        can_follow_up: covers && actor.may(Permission::EditCaseFile),
        can_dispose,
    })
}

/// The new-action form of the case page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    route: String,
    programme: String,
    to_unit: String,
    to_party: String,
    request: String,
    /// Yuan as typed; empty for none.
    amount: String,
    hospital: String,
    identity_unknown: bool,
    home_province: String,
    given: String,
    redirect_from: String,
}

impl ActionForm {
    fn input(self) -> Result<ActionInput, AppError> {
        let amount_fen = match self.amount.trim() {
            "" => 0,
            s => yuan_to_fen(s).map_err(AppError::Validation)?,
        };
        Ok(ActionInput {
            route: self.route,
            programme: self.programme,
            to_unit: self.to_unit,
            to_party: self.to_party,
            request: self.request,
            amount_fen,
            details: ActionDetails {
                hospital: self.hospital,
                identity_unknown: self.identity_unknown,
                home_province: self.home_province,
                given: self.given,
            },
            redirect_from: self.redirect_from,
        })
    }
}

/// Creates an action on a case (any of the six routes).
pub async fn create_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> PageResult {
    let actor = ctx.user()?;
    let r = match f.input() {
        Ok(input) => state.app.create_action(actor, &id, input).await,
        Err(e) => Err(e),
    };
    redirect_after(&format!("/cases/{id}"), r)
}
