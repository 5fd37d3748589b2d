//! Intake over the API: hotline and department systems post leads; retries with the same
//! `Idempotency-Key` never create duplicates.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use jiujinan_app::leads::{LeadInput, LeadView};
use jiujinan_app::model::{LeadFilter, LeadReceipt, LeadRecord, TimelineEntry};
use jiujinan_app::pii::Disclosure;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiActor, ApiJson, ApiQuery};
use crate::AppState;
use crate::errors::{ApiError, ErrorBody};

/// Who reported the lead.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ReporterDto {
    /// Caller, agent or discoverer; defaults to the API user's display name.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    /// Required for `on_behalf`: the agent's relation or entrustment.
    #[serde(default)]
    pub relation: String,
}

/// The person in trouble.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct SubjectDto {
    /// Name, or a description for a person of unknown identity.
    pub name: String,
    /// GB 11643: 18 characters (MOD 11-2 check) or legacy 15 digits; empty when unknown.
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub phone: String,
}

/// A new lead.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewLeadDto {
    /// `window`, `on_behalf`, `discovery`, `hotline_12349`, `hotline_96156`, `hotline_12345`,
    /// `letters_visits`, `online`, `department_transfer` or `early_warning`.
    pub channel: String,
    #[serde(default)]
    pub reporter: Option<ReporterDto>,
    pub subject: SubjectDto,
    /// Beijing division code of the hukou, or another province's name.
    #[serde(default)]
    pub hukou: String,
    /// Where the person is now: community (12 digits) or street (9 digits) code. When unknown,
    /// leave it empty and give a Beijing street or community code as `hukou`.
    #[serde(default)]
    pub location_code: String,
    #[serde(default)]
    pub address: String,
    /// What happened and what is needed (1–4,000 characters).
    pub description: String,
    /// `critical`, `urgent` or `normal`.
    pub urgency: String,
    /// Codes such as `FIRE`, `SUDDEN_ILLNESS`, `MEDICAL_EXPENSE`.
    #[serde(default)]
    pub hardship_types: Vec<String>,
    #[serde(default)]
    pub needs: String,
}

impl From<NewLeadDto> for LeadInput {
    fn from(d: NewLeadDto) -> Self {
        let r =
            d.reporter.unwrap_or(ReporterDto { name: String::new(), phone: String::new(), relation: String::new() });
        LeadInput {
            channel: d.channel,
            reporter: jiujinan_app::leads::ReporterInput { name: r.name, phone: r.phone, relation: r.relation },
            subject: jiujinan_app::leads::SubjectInput {
                name: d.subject.name,
                id_number: d.subject.id_number,
                phone: d.subject.phone,
            },
            hukou: d.hukou,
            location_code: d.location_code,
            address: d.address,
            description: d.description,
            urgency: d.urgency,
            hardship_types: d.hardship_types,
            needs: d.needs,
        }
    }
}

/// The reply to a new lead (the same for a retried request).
#[derive(Serialize, ToSchema)]
pub struct LeadReceiptDto {
    pub id: String,
    /// Readable number: `L` + street code + year + sequence.
    pub number: String,
    pub status: String,
    /// The street handling office that must verify the lead.
    pub responsible_unit: String,
    /// The unit that received it first and stays accountable until the responsible unit accepts.
    pub first_inquiry_unit: String,
    /// An open lead about the same person, if any.
    pub duplicate_of: Option<String>,
    /// Verification deadline, milliseconds since the epoch (UTC).
    pub verify_due_ms: i64,
}

impl From<LeadReceipt> for LeadReceiptDto {
    fn from(r: LeadReceipt) -> Self {
        Self {
            id: r.id,
            number: r.number,
            status: r.status.code().into(),
            responsible_unit: r.responsible_unit,
            first_inquiry_unit: r.first_inquiry_unit,
            duplicate_of: r.duplicate_of,
            verify_due_ms: r.verify_due_ms,
        }
    }
}

/// A lead in a list: the ID number is masked.
#[derive(Serialize, ToSchema)]
pub struct LeadSummaryDto {
    pub id: String,
    pub number: String,
    pub channel: String,
    pub subject_name: String,
    /// Masked, e.g. `110105********002X` (in full only in a file read with `reveal=true`).
    pub subject_id_number: Option<String>,
    pub location_code: String,
    pub responsible_unit: String,
    pub first_inquiry_unit: String,
    pub urgency: String,
    pub hardship_types: Vec<String>,
    pub status: String,
    pub duplicate_of: Option<String>,
    pub verify_due_ms: i64,
    pub created_ms: i64,
}

fn codes(list: &str) -> Vec<String> {
    list.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

impl From<LeadRecord> for LeadSummaryDto {
    fn from(l: LeadRecord) -> Self {
        Self {
            // Already masked by the use case unless the caller asked for, and may see, it all.
            subject_id_number: l.subject_id_number,
            hardship_types: codes(&l.hardship_types),
            id: l.id,
            number: l.number,
            channel: l.channel.code().into(),
            subject_name: l.subject_name,
            location_code: l.location_code,
            responsible_unit: l.responsible_unit,
            first_inquiry_unit: l.first_inquiry_unit,
            urgency: l.urgency.code().into(),
            status: l.status.code().into(),
            duplicate_of: l.duplicate_of,
            verify_due_ms: l.verify_due_ms,
            created_ms: l.created_ms,
        }
    }
}

/// One step of the timeline.
#[derive(Serialize, ToSchema)]
pub struct TimelineDto {
    pub at_ms: i64,
    pub actor: String,
    pub unit: String,
    pub step: String,
    pub note: String,
}

impl From<TimelineEntry> for TimelineDto {
    fn from(t: TimelineEntry) -> Self {
        Self { at_ms: t.at_ms, actor: t.actor, unit: t.unit, step: t.step, note: t.note }
    }
}

/// The lead file (reading it is audited). ID numbers and phones are masked unless the request
/// says `reveal=true` (roles that work with the person only; recorded as `pii.revealed`).
#[derive(Serialize, ToSchema)]
pub struct LeadDto {
    #[serde(flatten)]
    pub summary: LeadSummaryDto,
    /// `full`, `working` (ID numbers and phones masked) or `onlooker` (names masked too).
    pub disclosure: String,
    pub subject_phone: Option<String>,
    pub reporter_name: String,
    pub reporter_phone: Option<String>,
    pub reporter_relation: String,
    pub hukou: String,
    pub address: String,
    pub description: String,
    pub needs: String,
    pub first_inquiry_user: String,
    pub timeline: Vec<TimelineDto>,
}

impl From<LeadView> for LeadDto {
    fn from(v: LeadView) -> Self {
        let l = v.lead;
        Self {
            disclosure: disclosure_code(v.disclosure).to_owned(),
            subject_phone: l.subject_phone.clone(),
            reporter_name: l.reporter_name.clone(),
            reporter_phone: l.reporter_phone.clone(),
            reporter_relation: l.reporter_relation.clone(),
            hukou: l.hukou.clone(),
            address: l.address.clone(),
            description: l.description.clone(),
            needs: l.needs.clone(),
            first_inquiry_user: l.first_inquiry_user.clone(),
            summary: l.into(),
            timeline: v.timeline.into_iter().map(Into::into).collect(),
        }
    }
}

/// The code of a disclosure, as the API documents it.
pub(crate) fn disclosure_code(d: Disclosure) -> &'static str {
    match d {
        Disclosure::Full => "full",
        Disclosure::Working => "working",
        Disclosure::Onlooker => "onlooker",
    }
}

/// Whether to show a person's full ID number and phones.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevealQuery {
    /// `true`: the full values (roles that work with the person only, else `403`); the read is
    /// recorded as `pii.revealed`. Masked otherwise.
    #[serde(default)]
    pub reveal: bool,
}

/// Queue filters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeadQuery {
    /// `new`, `accepted`, `not_accepted`, `transferred` or `merged`.
    pub status: Option<String>,
    /// `critical`, `urgent` or `normal`.
    pub urgency: Option<String>,
    /// Only leads past their verification deadline.
    #[serde(default)]
    pub overdue: bool,
    /// Name (two characters are enough), full ID number, phone or lead number.
    pub q: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

impl LeadQuery {
    /// The store filter for these parameters at `now_ms`.
    pub fn filter(self, now_ms: i64) -> LeadFilter {
        LeadFilter {
            status: self.status.filter(|s| !s.is_empty()),
            urgency: self.urgency.filter(|s| !s.is_empty()),
            overdue_at_ms: self.overdue.then_some(now_ms),
            search: self.q,
            limit: self.limit.unwrap_or(50),
            offset: self.offset.unwrap_or(0),
        }
    }
}

/// Records a lead. Send `Idempotency-Key` so that a retry never creates a second lead.
#[utoipa::path(post, path = "/api/v1/leads", tag = "intake", request_body = NewLeadDto,
    params(("Idempotency-Key" = Option<String>, Header, description = "Same key and body: the first reply again; same key, other body: 409")),
    responses((status = 201, body = LeadReceiptDto), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create_lead(
    caller: ApiActor,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewLeadDto>,
) -> Result<Response, ApiError> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let input: LeadInput = body.into();
    let (receipt, new) = state.app.record_lead(&caller.actor, &input, key).await.map_err(|e| caller.err(e))?;
    let mut res = (StatusCode::CREATED, Json(LeadReceiptDto::from(receipt))).into_response();
    if !new {
        res.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(res)
}

/// One lead with its timeline; `404` outside the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "intake", params(("id" = String, Path), RevealQuery),
    responses((status = 200, body = LeadDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_lead(
    caller: ApiActor,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(r): ApiQuery<RevealQuery>,
) -> Result<Json<LeadDto>, ApiError> {
    let v = state.app.lead_for(&caller.actor, &id, r.reveal).await.map_err(|e| caller.err(e))?;
    Ok(Json(v.into()))
}

/// The caller's queue: leads located in its jurisdiction, most urgent first.
#[utoipa::path(get, path = "/api/v1/leads", tag = "intake", params(LeadQuery),
    responses((status = 200, body = [LeadSummaryDto]), (status = 401, body = ErrorBody)))]
pub async fn list_leads(
    caller: ApiActor,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<LeadQuery>,
) -> Result<Json<Vec<LeadSummaryDto>>, ApiError> {
    let filter = q.filter(state.app.now_ms());
    let leads = state.app.lead_queue(&caller.actor, &filter).await.map_err(|e| caller.err(e))?;
    Ok(Json(leads.into_iter().map(Into::into).collect()))
}
