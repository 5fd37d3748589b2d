//! Recording a request (any channel) through the intake form; field errors show the form again
//! with the message next to the field.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use jiujinan_app::AppError;
use jiujinan_app::auth::Actor;
use jiujinan_app::leads::{LeadInput, ReporterInput, SubjectInput};
use jiujinan_domain::lead::{Channel, HardshipType, Urgency};
use jiujinan_domain::org::DivisionLevel;
use jiujinan_domain::user::Role;
use serde::Deserialize;

use super::may_record;
use crate::AppState;
use crate::context::Ctx;
use crate::errors::{PageError, PageResult};
use crate::i18n::labels;
use crate::pages::form::Form;
use crate::view::{Choice, Chrome, render};

/// The form's values, echoed back after an error.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct LeadForm {
    pub channel: String,
    pub reporter_name: String,
    pub reporter_phone: String,
    pub reporter_relation: String,
    pub subject_name: String,
    pub subject_id_number: String,
    pub subject_phone: String,
    pub hukou: String,
    pub location_code: String,
    pub address: String,
    pub description: String,
    pub urgency: String,
    pub hardship_types: Vec<String>,
    pub needs: String,
}

impl LeadForm {
    fn input(&self) -> LeadInput {
        LeadInput {
            channel: self.channel.clone(),
            reporter: ReporterInput {
                name: self.reporter_name.clone(),
                phone: self.reporter_phone.clone(),
                relation: self.reporter_relation.clone(),
            },
            subject: SubjectInput {
                name: self.subject_name.clone(),
                id_number: self.subject_id_number.clone(),
                phone: self.subject_phone.clone(),
            },
            hukou: self.hukou.clone(),
            location_code: self.location_code.clone(),
            address: self.address.clone(),
            description: self.description.clone(),
            urgency: self.urgency.clone(),
            hardship_types: self.hardship_types.clone(),
            needs: self.needs.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "lead_new.html")]
struct NewLeadPage {
    c: Chrome,
    f: LeadForm,
    channels: Vec<Choice>,
    urgencies: Vec<Choice>,
    hardships: Vec<Choice>,
    /// Where the person is, by name: a street-level user's street and its communities; a
    /// district's streets; the city's streets grouped by district. A search box (the unit
    /// picker) reaches every community of the city.
    places: Vec<PlaceGroup>,
    /// Whether "not known (by hukou)" is offered first (above street level).
    place_unknown: bool,
    error: Option<String>,
    error_field: &'static str,
}

fn default_channel(actor: &Actor) -> &'static str {
    match actor.role {
        Role::CommunityWorker => "discovery",
        Role::DepartmentHandler => "department_transfer",
        Role::ReliefStationStaff | Role::CitySupervisor => "discovery",
        _ => "window",
    }
}

/// A group of places in the location list (its label empty when there is one group).
struct PlaceGroup {
    label: String,
    /// Code, name, selected.
    options: Vec<(String, String, bool)>,
}

/// The places the lead form offers without a search (see [`NewLeadPage::places`]).
async fn places(state: &AppState, actor: &Actor, chosen: &str) -> Result<Vec<PlaceGroup>, AppError> {
    let own = actor.jurisdiction.division.as_str();
    let selected = |code: &str| chosen == code || (chosen.is_empty() && code == own);
    let governments = |nodes: Vec<jiujinan_app::model::UnitNode>| {
        nodes.into_iter().filter(|n| n.unit.kind == "government").map(|n| n.unit).collect::<Vec<_>>()
    };
    let groups = match actor.jurisdiction.division.level() {
        DivisionLevel::Street | DivisionLevel::Community => {
            let street = state.app.unit(&own[..9]).await?;
            let mut options = vec![(street.code.clone(), street.name.clone(), selected(&street.code))];
            for u in governments(state.app.child_units(&own[..9]).await?) {
                options.push((u.code.clone(), u.name, selected(&u.code)));
            }
            vec![PlaceGroup { label: String::new(), options }]
        }
        DivisionLevel::District => {
            let options = governments(state.app.child_units(own).await?)
                .into_iter()
                .map(|u| (u.code.clone(), u.name, selected(&u.code)))
                .collect();
            vec![PlaceGroup { label: String::new(), options }]
        }
        _ => {
            let mut groups = Vec::new();
            for district in governments(state.app.child_units(own).await?) {
                let options = governments(state.app.child_units(&district.code).await?)
                    .into_iter()
                    .map(|u| (u.code.clone(), u.name, selected(&u.code)))
                    .collect();
                groups.push(PlaceGroup { label: district.name, options });
            }
            groups
        }
    };
    // A place found by search (outside the default list) stays chosen when the form comes back.
    let listed = groups.iter().any(|g| g.options.iter().any(|o| o.0 == chosen));
    if !chosen.is_empty()
        && !listed
        && let Ok(u) = state.app.unit(chosen).await
    {
        let mut groups = groups;
        groups.insert(0, PlaceGroup { label: String::new(), options: vec![(u.code, u.name, true)] });
        return Ok(groups);
    }
    Ok(groups)
}

async fn new_page(state: &AppState, ctx: &Ctx, actor: &Actor, f: LeadForm, error: Option<AppError>) -> PageResult {
    let lang = ctx.lang;
    let level = actor.jurisdiction.division.level();
    let place_unknown = !matches!(level, DivisionLevel::Street | DivisionLevel::Community);
    let places = places(state, actor, &f.location_code).await?;
    let channel = if f.channel.is_empty() { default_channel(actor).to_owned() } else { f.channel.clone() };
    let urgency = if f.urgency.is_empty() { "urgent".to_owned() } else { f.urgency.clone() };
    let page = NewLeadPage {
        c: Chrome::new(ctx),
        channels: Channel::ALL
            .iter()
            .map(|c| Choice { code: c.code(), label: labels::channel(c.code(), lang), selected: c.code() == channel })
            .collect(),
        urgencies: Urgency::ALL
            .iter()
            .map(|u| Choice { code: u.code(), label: labels::urgency(u.code(), lang), selected: u.code() == urgency })
            .collect(),
        hardships: HardshipType::ALL
            .iter()
            .map(|h| Choice {
                code: h.code(),
                label: labels::hardship(h.code(), lang),
                selected: f.hardship_types.iter().any(|x| x == h.code()),
            })
            .collect(),
        places,
        place_unknown,
        error_field: error.as_ref().and_then(|e| e.field()).unwrap_or(""),
        error: error.map(|e| e.message(lang)),
        f,
    };
    let status = if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, render(&page)?).into_response())
}

fn recorder(ctx: &Ctx) -> Result<&Actor, PageError> {
    let actor = ctx.user()?;
    if !may_record(actor) {
        return Err(AppError::Forbidden.into());
    }
    Ok(actor)
}

/// The intake form.
pub async fn new_form(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let actor = recorder(&ctx)?;
    new_page(&state, &ctx, actor, LeadForm::default(), None).await
}

/// Records the lead; field errors re-show the form with the message.
pub async fn create(State(state): State<AppState>, ctx: Ctx, Form(form): Form<LeadForm>) -> PageResult {
    let actor = recorder(&ctx)?;
    match state.app.record_lead(actor, &form.input(), None).await {
        Ok((receipt, _)) => Ok(Redirect::to(&format!("/leads/{}?created=1", receipt.id)).into_response()),
        Err(e @ AppError::Validation(_)) => new_page(&state, &ctx, actor, form, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}
