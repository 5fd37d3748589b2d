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
    /// Communities (and the street itself) a street-level user picks from; empty: free input.
    places: Vec<(String, String, bool)>,
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

async fn new_page(state: &AppState, ctx: &Ctx, actor: &Actor, f: LeadForm, error: Option<AppError>) -> PageResult {
    let lang = ctx.lang;
    let level = actor.jurisdiction.division.level();
    let mut places = Vec::new();
    if matches!(level, DivisionLevel::Street | DivisionLevel::Community) {
        let street = &actor.jurisdiction.division.as_str()[..9];
        let unit = state.app.unit(street).await?;
        places.push((unit.code.clone(), unit.name.clone(), f.location_code == unit.code));
        for n in state.app.child_units(street).await? {
            if n.unit.kind == "government" {
                let sel = f.location_code == n.unit.code
                    || (f.location_code.is_empty() && n.unit.code == actor.jurisdiction.division.as_str());
                places.push((n.unit.code.clone(), n.unit.name.clone(), sel));
            }
        }
    }
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
