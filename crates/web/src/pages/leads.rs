//! Intake pages: record a request (any channel), the unit's lead queue, and the lead file.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiujinan_app::AppError;
use jiujinan_app::auth::Actor;
use jiujinan_app::cases::{Verification, Verified};
use jiujinan_app::leads::{LeadInput, ReporterInput, SubjectInput};
use jiujinan_app::store::LeadFilter;
use jiujinan_domain::id_number::mask;
use jiujinan_domain::lead::{Channel, HardshipType, LeadStatus, Urgency};
use jiujinan_domain::org::DivisionLevel;
use jiujinan_domain::user::Role;
use serde::Deserialize;

use super::timeline::{self, StepRow};
use crate::AppState;
use crate::context::Ctx;
use crate::errors::{PageError, WithCtx};
use crate::i18n::labels;
use crate::view::{Chrome, beijing_time, render};

/// A code with its label, and whether it is selected in the form.
pub struct Choice {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// The form's values, echoed back after an error.
#[derive(Default, Clone)]
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
    fn parse(body: &[u8]) -> Self {
        let mut f = Self::default();
        for (k, v) in form_urlencoded::parse(body) {
            let v = v.into_owned();
            match k.as_ref() {
                "channel" => f.channel = v,
                "reporter_name" => f.reporter_name = v,
                "reporter_phone" => f.reporter_phone = v,
                "reporter_relation" => f.reporter_relation = v,
                "subject_name" => f.subject_name = v,
                "subject_id_number" => f.subject_id_number = v,
                "subject_phone" => f.subject_phone = v,
                "hukou" => f.hukou = v,
                "location_code" => f.location_code = v,
                "address" => f.address = v,
                "description" => f.description = v,
                "urgency" => f.urgency = v,
                "hardship_types" => f.hardship_types.push(v),
                "needs" => f.needs = v,
                _ => {}
            }
        }
        f
    }

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

struct Row {
    id: String,
    number: String,
    urgency: &'static str,
    urgency_code: String,
    subject_name: String,
    id_masked: String,
    channel: &'static str,
    status: &'static str,
    responsible_unit: String,
    first_inquiry_unit: String,
    deadline: String,
    overdue: bool,
    duplicate: bool,
}

#[derive(Template)]
#[template(path = "leads.html")]
struct QueuePage {
    c: Chrome,
    rows: Vec<Row>,
    counts: Vec<(&'static str, String, i64, bool)>,
    q: String,
    urgencies: Vec<Choice>,
    status: String,
    overdue_only: bool,
    can_record: bool,
}

#[derive(Template)]
#[template(path = "lead.html")]
struct LeadPage {
    c: Chrome,
    created: bool,
    l: jiujinan_app::store::LeadRecord,
    channel: &'static str,
    urgency: &'static str,
    status: &'static str,
    hardships: Vec<&'static str>,
    responsible_name: String,
    first_inquiry_name: String,
    deadline: String,
    overdue: bool,
    placeholder: bool,
    steps: Vec<StepRow>,
    can_verify: bool,
    case: Option<(String, String)>,
    merge_target: String,
    error: Option<String>,
    /// For a person whose hukou is outside Beijing: the district relief station to involve.
    relief_station: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "lead_notice.html")]
struct NoticePage {
    c: Chrome,
    l: jiujinan_app::store::LeadRecord,
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

fn may_record(actor: &Actor) -> bool {
    !matches!(actor.role, Role::Auditor)
}

fn default_channel(actor: &Actor) -> &'static str {
    match actor.role {
        Role::CommunityWorker => "discovery",
        Role::DepartmentHandler => "department_transfer",
        Role::ReliefStationStaff | Role::CitySupervisor => "discovery",
        _ => "window",
    }
}

async fn new_page(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    f: LeadForm,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let lang = ctx.lang;
    let level = actor.jurisdiction.division.level();
    let mut places = Vec::new();
    if matches!(level, DivisionLevel::Street | DivisionLevel::Community) {
        let street = &actor.jurisdiction.division.as_str()[..9];
        let unit = state.app.unit(street).await.ctx(ctx)?;
        places.push((unit.code.clone(), unit.name.clone(), f.location_code == unit.code));
        for n in state.app.child_units(street).await.ctx(ctx)? {
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
    Ok((status, render(&page, ctx)?).into_response())
}

fn recorder(ctx: &Ctx) -> Result<&Actor, PageError> {
    let actor = ctx.user()?;
    if !may_record(actor) {
        return Err(PageError::from_app(AppError::Forbidden, ctx.lang).with_ctx(ctx));
    }
    Ok(actor)
}

/// The intake form.
pub async fn new_form(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let actor = recorder(&ctx)?;
    new_page(&state, &ctx, actor, LeadForm::default(), None).await
}

/// Records the lead; field errors re-show the form with the message.
pub async fn create(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Result<Response, PageError> {
    let actor = recorder(&ctx)?;
    let form = LeadForm::parse(&body);
    match state.app.record_lead(actor, &form.input(), None).await {
        Ok((receipt, _)) => Ok(Redirect::to(&format!("/leads/{}?created=1", receipt.id)).into_response()),
        Err(e @ AppError::Validation(_)) => new_page(&state, &ctx, actor, form, Some(e)).await,
        Err(e) => Err(e).ctx(&ctx),
    }
}

#[derive(Deserialize)]
pub struct QueueQuery {
    status: Option<String>,
    urgency: Option<String>,
    #[serde(default)]
    q: String,
    #[serde(default)]
    overdue: Option<String>,
}

/// The unit's queue, most urgent and earliest deadline first.
pub async fn queue(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<QueueQuery>,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let now = state.app.now_ms();
    let status = q.status.clone().unwrap_or_else(|| "new".to_owned());
    let overdue_only = q.overdue.is_some();
    let filter = LeadFilter {
        status: Some(status.clone()).filter(|s| !s.is_empty() && s != "all"),
        urgency: q.urgency.clone().filter(|s| !s.is_empty()),
        overdue_at_ms: overdue_only.then_some(now),
        search: Some(q.q.clone()),
        limit: 200,
        offset: 0,
    };
    let leads = state.app.lead_queue(actor, &filter).await.ctx(&ctx)?;
    let counts_raw = state.app.lead_counts(actor).await.ctx(&ctx)?;
    let mut counts: Vec<(&'static str, String, i64, bool)> = LeadStatus::ALL
        .iter()
        .map(|s| {
            let n = counts_raw.iter().find(|(c, _)| c == s.code()).map(|(_, n)| *n).unwrap_or(0);
            (labels::status(s.code(), lang), s.code().to_owned(), n, status == s.code())
        })
        .collect();
    let total = counts_raw.iter().map(|(_, n)| n).sum();
    counts.push((crate::i18n::catalogue(lang).common.all, "all".to_owned(), total, status == "all"));
    let rows = leads
        .into_iter()
        .map(|l| Row {
            urgency: labels::urgency(&l.urgency, lang),
            channel: labels::channel(&l.channel, lang),
            status: labels::status(&l.status, lang),
            id_masked: l.subject_id_number.as_deref().map(mask).unwrap_or_default(),
            deadline: beijing_time(l.verify_due_ms),
            overdue: l.status == "new" && l.verify_due_ms < now,
            duplicate: l.duplicate_of.is_some(),
            id: l.id,
            number: l.number,
            urgency_code: l.urgency,
            subject_name: l.subject_name,
            responsible_unit: l.responsible_unit,
            first_inquiry_unit: l.first_inquiry_unit,
        })
        .collect();
    let urgency = q.urgency.unwrap_or_default();
    let page = QueuePage {
        c: Chrome::new(&ctx),
        rows,
        counts,
        q: q.q,
        urgencies: Urgency::ALL
            .iter()
            .map(|u| Choice { code: u.code(), label: labels::urgency(u.code(), lang), selected: u.code() == urgency })
            .collect(),
        status,
        overdue_only,
        can_record: may_record(actor),
    };
    render(&page, &ctx)
}

/// The lead file with its timeline; opening it is audited.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    uri: axum::http::Uri,
) -> Result<Response, PageError> {
    lead_page(&state, &ctx, &id, uri.query().is_some_and(|q| q.contains("created=1")), None).await
}

/// Records the verification decision; accepting opens the case page.
pub async fn verify(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<VerifyForm>,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let v = match f.action.as_str() {
        "accept" => Verification::Accept { documents_pending: f.documents_pending.is_some() },
        "not_accept" => Verification::NotAccept { reason: f.reason },
        "transfer" => Verification::Transfer { location_code: f.location_code.trim().to_owned() },
        "merge" => Verification::Merge { into_id: f.into.trim().to_owned() },
        _ => {
            return Err(PageError::from_app(
                AppError::Validation(jiujinan_domain::ValidationError::new("BAD_REQUEST", "action")),
                ctx.lang,
            )
            .with_ctx(&ctx));
        }
    };
    match state.app.verify_lead(actor, &id, f.version, v).await {
        Ok(Verified::CaseOpened { case_id, .. }) => Ok(Redirect::to(&format!("/cases/{case_id}")).into_response()),
        Ok(Verified::Closed) => Ok(Redirect::to(&format!("/leads/{id}")).into_response()),
        Err(e) if e.status() == 422 || e.status() == 409 => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::CONFLICT);
            Ok((status, lead_page(&state, &ctx, &id, false, Some(e.message(ctx.lang))).await?).into_response())
        }
        Err(e) => Err(e).ctx(&ctx),
    }
}

/// The printable notice of non-acceptance, stating the right to reconsideration or litigation.
pub async fn notice(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let view = state.app.lead_for(actor, &id).await.ctx(&ctx)?;
    if view.lead.status != "not_accepted" {
        return Err(PageError::from_app(AppError::NotFound, ctx.lang).with_ctx(&ctx));
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
    render(&NoticePage { c: Chrome::new(&ctx), l: view.lead, office, date }, &ctx)
}

async fn lead_page(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    created: bool,
    error: Option<String>,
) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let view = state.app.lead_for(actor, id).await.ctx(ctx)?;
    let l = view.lead;
    let case = state.app.case_of_lead(actor, &l).await.ctx(ctx)?.map(|c| (c.id, c.number));
    let in_scope = jiujinan_domain::org::DivisionCode::parse(&l.division).is_ok_and(|d| actor.jurisdiction.covers(&d));
    let can_verify = l.status == "new"
        && in_scope
        && matches!(actor.role, Role::WindowClerk | Role::StreetReviewer | Role::DistrictApprover | Role::Admin);
    let unit_name = |code: &str| {
        let app = state.app.clone();
        let code = code.to_owned();
        async move { app.unit(&code).await.map(|u| u.name).unwrap_or(code) }
    };
    let responsible_name = unit_name(&l.responsible_unit).await;
    let first_inquiry_name = unit_name(&l.first_inquiry_unit).await;
    let non_local = !l.hukou.trim().is_empty() && !l.hukou.trim().starts_with("11");
    let relief_station = if non_local && l.division.len() >= 6 {
        let code = format!("{}:jzz", &l.division[..6]);
        Some((code.clone(), unit_name(&code).await))
    } else {
        None
    };
    let placeholder = state
        .app
        .store
        .time_limit("verify", &l.urgency, l.created_ms)
        .await
        .ok()
        .flatten()
        .is_some_and(|t| t.placeholder);
    let page = LeadPage {
        c: Chrome::new(ctx),
        created,
        can_verify,
        case,
        merge_target: l.duplicate_of.clone().unwrap_or_default(),
        relief_station,
        error,
        channel: labels::channel(&l.channel, lang),
        urgency: labels::urgency(&l.urgency, lang),
        status: labels::status(&l.status, lang),
        hardships: l.hardship_types.split(',').filter(|s| !s.is_empty()).map(|h| labels::hardship(h, lang)).collect(),
        responsible_name,
        first_inquiry_name,
        deadline: beijing_time(l.verify_due_ms),
        overdue: l.status == "new" && l.verify_due_ms < state.app.now_ms(),
        placeholder,
        steps: timeline::rows(view.timeline, lang),
        l,
    };
    render(&page, ctx)
}
