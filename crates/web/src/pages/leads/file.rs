//! The lead file with its timeline (opening it is audited), the verification decision, and the
//! printable notice of non-acceptance.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use jiujinan_app::AppError;
use jiujinan_app::cases::{Verification, Verified};
use jiujinan_app::model::LeadRecord;
use jiujinan_domain::lead::LeadStatus;
use jiujinan_domain::policy::Permission;
use serde::Deserialize;

use crate::AppState;
use crate::context::Ctx;
use crate::errors::PageResult;
use crate::i18n::labels;
use crate::pages::form::Form;
use crate::pages::timeline::{self, StepRow};
use crate::view::{Chrome, beijing_time, render};

#[derive(Template)]
#[template(path = "lead.html")]
struct LeadPage {
    c: Chrome,
    created: bool,
    l: LeadRecord,
    channel: &'static str,
    urgency: &'static str,
    status: &'static str,
    hardships: Vec<&'static str>,
    responsible_name: String,
    first_inquiry_name: String,
    location_name: String,
    deadline: String,
    overdue: bool,
    placeholder: bool,
    steps: Vec<StepRow>,
    can_verify: bool,
    case: Option<(String, String)>,
    merge_target: String,
    /// The lead this one may duplicate: its id (for the link) and what is shown (its number).
    duplicate_id: String,
    duplicate_label: String,
    error: Option<String>,
    /// For a person whose hukou is outside Beijing: the district relief station to involve.
    relief_station: Option<(String, String)>,
    /// The full ID number and phones are shown (an audited reveal).
    revealed: bool,
    /// The reader may ask for them (masked otherwise).
    can_reveal: bool,
}

#[derive(Template)]
#[template(path = "lead_notice.html")]
struct NoticePage {
    c: Chrome,
    l: LeadRecord,
    office: String,
    date: String,
}

#[derive(Deserialize)]
pub struct VerifyForm {
    version: i64,
    action: String,
    #[serde(default)]
    documents_pending: Option<String>,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    location_code: String,
    #[serde(default)]
    into: String,
}

/// The lead file with its timeline; opening it is audited.
pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, uri: axum::http::Uri) -> PageResult {
    let query = |p: &str| uri.query().is_some_and(|q| q.split('&').any(|kv| kv == p));
    lead_page(&state, &ctx, &id, query("created=1"), query("reveal=1"), None).await
}

/// Records the verification decision; accepting opens the case page.
pub async fn verify(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<VerifyForm>,
) -> PageResult {
    let actor = ctx.user()?;
    let v = match f.action.as_str() {
        "accept" => Verification::Accept { documents_pending: f.documents_pending.is_some() },
        "not_accept" => Verification::NotAccept { reason: f.reason },
        "transfer" => Verification::Transfer { location_code: f.location_code.trim().to_owned() },
        "merge" => Verification::Merge { into_id: f.into.trim().to_owned() },
        _ => {
            return Err(AppError::Validation(jiujinan_domain::ValidationError::new("BAD_REQUEST", "action")).into());
        }
    };
    match state.app.verify_lead(actor, &id, f.version, v).await {
        Ok(Verified::CaseOpened { case_id, .. }) => Ok(Redirect::to(&format!("/cases/{case_id}")).into_response()),
        Ok(Verified::Closed) => Ok(Redirect::to(&format!("/leads/{id}")).into_response()),
        Err(e) if e.status() == 422 || e.status() == 409 => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::CONFLICT);
            Ok((status, lead_page(&state, &ctx, &id, false, false, Some(e.message(ctx.lang))).await?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The printable notice of non-acceptance, stating the right to reconsideration or litigation.
pub async fn notice(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let actor = ctx.user()?;
    let view = state.app.lead_for(actor, &id, false).await?;
    if view.lead.status != LeadStatus::NotAccepted {
        return Err(AppError::NotFound.into());
    }
    let office = state
        .app
        .unit(&view.lead.responsible_unit)
        .await
        .map(|u| u.name)
        .unwrap_or_else(|_| view.lead.responsible_unit.clone());
    let decided =
        view.timeline.iter().rev().find(|t| t.step == "not_accepted").map(|t| t.at_ms).unwrap_or(view.lead.created_ms);
    let date = beijing_time(decided).chars().take(10).collect();
    render(&NoticePage { c: Chrome::new(&ctx), l: view.lead, office, date })
}

async fn lead_page(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    created: bool,
    reveal: bool,
    error: Option<String>,
) -> PageResult {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let view = state.app.lead_for(actor, id, reveal).await?;
    let names = timeline::unit_names(state, &view.timeline).await;
    let l = view.lead;
    let duplicate_id = l.duplicate_of.clone().unwrap_or_default();
    let duplicate_label = view.duplicate_number.clone().unwrap_or_else(|| duplicate_id.clone());
    let case = state.app.case_of_lead(actor, &l).await?.map(|c| (c.id, c.number));
    let in_scope = jiujinan_domain::org::DivisionCode::parse(&l.division).is_ok_and(|d| actor.jurisdiction.covers(&d));
    let can_verify = l.status == LeadStatus::New && in_scope && actor.may(Permission::VerifyLead);
    let unit_name = |code: &str| {
        let app = state.app.clone();
        let code = code.to_owned();
        async move { app.unit(&code).await.map(|u| u.name).unwrap_or(code) }
    };
    let responsible_name = unit_name(&l.responsible_unit).await;
    let first_inquiry_name = unit_name(&l.first_inquiry_unit).await;
    // Where the person is, by name: the street and the community (the code on hover).
    let location_name = match l.location_code.get(..9) {
        Some(street) if l.location_code.len() > 9 => {
            format!("{} · {}", unit_name(street).await, unit_name(&l.location_code).await)
        }
        _ => unit_name(&l.location_code).await,
    };
    let non_local = !l.hukou.trim().is_empty() && !l.hukou.trim().starts_with("11");
    let relief_station = if non_local && l.division.len() >= 6 {
        let code = format!("{}:jzz", &l.division[..6]);
        Some((code.clone(), unit_name(&code).await))
    } else {
        None
    };
    let placeholder = state
        .app
        .time_limit_at("verify", l.urgency.code(), l.created_ms)
        .await
        .ok()
        .flatten()
        .is_some_and(|t| t.placeholder);
    let page = LeadPage {
        c: Chrome::new(ctx),
        created,
        revealed: view.disclosure.is_full(),
        can_reveal: actor.may(Permission::RevealPersonalData),
        can_verify,
        case,
        merge_target: view.duplicate_number.clone().unwrap_or_else(|| duplicate_id.clone()),
        duplicate_id,
        duplicate_label,
        relief_station,
        error,
        channel: labels::channel(l.channel.code(), lang),
        urgency: labels::urgency(l.urgency.code(), lang),
        status: labels::status(l.status.code(), lang),
        hardships: l.hardship_types.split(',').filter(|s| !s.is_empty()).map(|h| labels::hardship(h, lang)).collect(),
        responsible_name,
        first_inquiry_name,
        location_name,
        deadline: beijing_time(l.verify_due_ms),
        overdue: l.status == LeadStatus::New && l.verify_due_ms < state.app.now_ms(),
        placeholder,
        steps: timeline::rows(view.timeline, lang, &names),
        l,
    };
    render(&page)
}
