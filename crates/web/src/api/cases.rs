//! Cases over the API: the caller's queue and one case file with its timeline.

use axum::Json;
use axum::extract::{Path, State};
use jiujinan_app::cases::CaseView;
use jiujinan_app::model::CaseRecord;
use serde::Serialize;
use utoipa::ToSchema;

use super::leads::{LeadQuery, RevealQuery, TimelineDto};
use super::{ApiActor, ApiQuery};
use crate::AppState;
use crate::errors::{ApiError, ErrorBody};

/// A case in a list: the ID number is masked.
#[derive(Serialize, ToSchema)]
pub struct CaseSummaryDto {
    pub id: String,
    /// Street code, year and sequence, e.g. `110105001-2026-00001`.
    pub number: String,
    pub lead_id: String,
    pub subject_name: String,
    pub subject_id_number: Option<String>,
    pub division: String,
    pub responsible_unit: String,
    /// The named person responsible for the current step.
    pub responsible_user: String,
    pub first_inquiry_unit: String,
    /// `investigating`, `reviewing` or `reviewed`.
    pub status: String,
    pub urgency: String,
    pub hardship_types: Vec<String>,
    pub documents_pending: bool,
    /// Deadline of the current step, milliseconds since the epoch (UTC).
    pub step_due_ms: i64,
    pub version: i64,
}

fn codes(list: &str) -> Vec<String> {
    list.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

impl From<&CaseRecord> for CaseSummaryDto {
    fn from(k: &CaseRecord) -> Self {
        Self {
            id: k.id.clone(),
            number: k.number.clone(),
            lead_id: k.lead_id.clone(),
            subject_name: k.subject_name.clone(),
            // Already masked by the use case unless the caller asked for, and may see, it all.
            subject_id_number: k.subject_id_number.clone(),
            division: k.division.clone(),
            responsible_unit: k.responsible_unit.clone(),
            responsible_user: k.responsible_user.clone(),
            first_inquiry_unit: k.first_inquiry_unit.clone(),
            status: k.status.code().into(),
            urgency: k.urgency.code().into(),
            hardship_types: codes(&k.hardship_types),
            documents_pending: k.documents_pending,
            step_due_ms: k.step_due_ms,
            version: k.version,
        }
    }
}

/// One investigation record.
#[derive(Serialize, ToSchema)]
pub struct InvestigationDto {
    /// `home_visit`, `neighbours`, `letters`, `community_appraisal` or `data_check`.
    pub method: String,
    pub investigator: String,
    pub unit: String,
    pub done_ms: i64,
    pub findings: String,
}

/// A household member as recorded.
#[derive(Serialize, ToSchema)]
pub struct MemberDto {
    pub name: String,
    /// `self`, `spouse`, `child`, `parent`, `sibling`, `grandparent`, `grandchild` or `other`.
    pub relationship: String,
    /// The member's ID number: masked unless the file was read with `reveal=true`.
    pub id_number: Option<String>,
    pub living_together: bool,
}

/// A declared income item (per month) or asset (in total), in integer fen.
#[derive(Serialize, ToSchema)]
pub struct MoneyItemDto {
    pub kind: String,
    pub amount_fen: i64,
}

/// Declared income and assets.
#[derive(Serialize, ToSchema)]
pub struct EconomyDto {
    pub income: Vec<MoneyItemDto>,
    pub assets: Vec<MoneyItemDto>,
    pub note: String,
}

/// The case file (reading it is audited). ID numbers and phones, the members' too, are masked
/// unless the request says `reveal=true` (recorded as `pii.revealed`).
#[derive(Serialize, ToSchema)]
pub struct CaseDto {
    #[serde(flatten)]
    pub summary: CaseSummaryDto,
    /// `full`, `working` (ID numbers and phones masked) or `onlooker` (names masked too).
    pub disclosure: String,
    /// Household members as recorded.
    pub household: Vec<MemberDto>,
    /// Declared income and assets in integer fen.
    pub economy: EconomyDto,
    pub population: String,
    pub review_opinion: String,
    pub recommended_routes: Vec<String>,
    pub investigations: Vec<InvestigationDto>,
    pub timeline: Vec<TimelineDto>,
}

impl From<CaseView> for CaseDto {
    fn from(v: CaseView) -> Self {
        Self {
            summary: (&v.case).into(),
            disclosure: super::leads::disclosure_code(v.disclosure).to_owned(),
            household: v
                .members
                .iter()
                .map(|m| MemberDto {
                    name: m.name.clone(),
                    relationship: m.relationship.code().to_owned(),
                    id_number: m.id_number.clone(),
                    living_together: m.living_together,
                })
                .collect(),
            economy: EconomyDto {
                income: items(&v.economy.income),
                assets: items(&v.economy.assets),
                note: v.economy.note.clone(),
            },
            population: v.case.population.clone(),
            review_opinion: v.case.review_opinion.clone(),
            recommended_routes: codes(&v.case.recommended_routes),
            investigations: v
                .investigations
                .into_iter()
                .map(|i| InvestigationDto {
                    method: i.method,
                    investigator: i.investigator,
                    unit: i.unit,
                    done_ms: i.done_ms,
                    findings: i.findings,
                })
                .collect(),
            timeline: v.timeline.into_iter().map(Into::into).collect(),
        }
    }
}

/// The caller's cases, most urgent and earliest deadline first.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(LeadQuery),
    responses((status = 200, body = [CaseSummaryDto]), (status = 401, body = ErrorBody)))]
pub async fn list_cases(
    caller: ApiActor,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<LeadQuery>,
) -> Result<Json<Vec<CaseSummaryDto>>, ApiError> {
    let filter = q.filter(state.app.now_ms());
    let cases = state.app.case_queue(&caller.actor, &filter).await.map_err(|e| caller.err(e))?;
    Ok(Json(cases.iter().map(Into::into).collect()))
}

/// One case with its household file, investigations and timeline; `404` outside the
/// caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = String, Path), RevealQuery),
    responses((status = 200, body = CaseDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_case(
    caller: ApiActor,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(r): ApiQuery<RevealQuery>,
) -> Result<Json<CaseDto>, ApiError> {
    let v = state.app.case_for(&caller.actor, &id, r.reveal).await.map_err(|e| caller.err(e))?;
    Ok(Json(v.into()))
}

fn items(list: &[jiujinan_domain::case::MoneyItem]) -> Vec<MoneyItemDto> {
    list.iter().map(|i| MoneyItemDto { kind: i.kind.clone(), amount_fen: i.amount_fen }).collect()
}
