//! Aid and funds over the API: the caller's approval inbox, approval and payment of an aid
//! item, funds and a month's reconciliation.

use axum::Json;
use axum::extract::{Path, State};
use jiujinan_app::aid::Reconciliation;
use jiujinan_app::model::{AidItem, Fund};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiActor, ApiJson, ApiQuery};
use crate::AppState;
use crate::errors::{ApiError, ErrorBody};

/// An aid item (amounts in integer fen).
#[derive(Serialize, ToSchema)]
pub struct AidDto {
    pub id: String,
    pub case_id: String,
    pub case_number: String,
    /// `temporary`.
    pub programme: String,
    /// `cash`, `in_kind`, `service` or `medical`.
    pub kind: String,
    /// `emergency` (急难型) or `expenditure` (支出型).
    pub aid_type: String,
    /// The hardship type the aid answers.
    pub cause: String,
    pub proposed_fen: i64,
    pub amount_fen: i64,
    /// How the proposal was computed (standard × months × persons).
    pub calculation: String,
    /// The placeholder rules (values not yet confirmed) the item was decided under:
    /// `standard` and `tier` gave its amount, `authority` its approving level.
    pub placeholders: Vec<String>,
    pub change_reason: String,
    /// 一事一议.
    pub special: bool,
    /// `street` or `district`.
    pub required_level: String,
    pub fund_id: String,
    /// `proposed`, `reviewed`, `approved`, `paid`, `refused`, `cancelled` or `reversed`.
    pub status: String,
    pub version: i64,
}

impl From<AidItem> for AidDto {
    fn from(i: AidItem) -> Self {
        Self {
            id: i.id,
            case_id: i.case_id,
            case_number: i.case_number,
            programme: i.programme,
            kind: i.kind.code().into(),
            aid_type: i.aid_type.code().into(),
            cause: i.cause,
            proposed_fen: i.proposed_fen,
            amount_fen: i.amount_fen,
            calculation: i.calculation,
            placeholders: jiujinan_domain::aid::placeholders_of(&i.placeholders)
                .into_iter()
                .map(|p| p.code().to_owned())
                .collect(),
            change_reason: i.change_reason,
            special: i.special,
            required_level: i.required_level.code().into(),
            fund_id: i.fund_id,
            status: i.status.code().into(),
            version: i.version,
        }
    }
}

/// Items waiting for the caller: approval at their level, and review.
#[derive(Serialize, ToSchema)]
pub struct ApprovalsDto {
    pub to_approve: Vec<AidDto>,
    pub to_review: Vec<AidDto>,
}

/// An approval opinion.
#[derive(Deserialize, ToSchema)]
pub struct ApproveDto {
    pub version: i64,
    pub opinion: String,
}

/// A payment record.
#[derive(Deserialize, ToSchema)]
pub struct PayDto {
    pub version: i64,
    /// `bank`, `cash` (against a signed receipt) or `goods`.
    pub method: String,
    /// Bank record or receipt number.
    pub reference: String,
}

/// A fund with its balances in fen.
#[derive(Serialize, ToSchema)]
pub struct FundDto {
    pub id: String,
    pub unit: String,
    /// `budget`, `reserve`, `special` or `charity`.
    pub kind: String,
    pub name: String,
    pub available_fen: i64,
    pub reserved_fen: i64,
    pub paid_fen: i64,
}

impl From<Fund> for FundDto {
    fn from(f: Fund) -> Self {
        Self {
            id: f.id,
            unit: f.unit,
            kind: f.kind.code().into(),
            name: f.name,
            available_fen: f.available_fen,
            reserved_fen: f.reserved_fen,
            paid_fen: f.paid_fen,
        }
    }
}

/// A fund's month: opening + in − out = closing (money held: available and reserved).
#[derive(Serialize, ToSchema)]
pub struct ReconciliationDto {
    pub fund: FundDto,
    pub month: String,
    pub opening_fen: i64,
    pub in_fen: i64,
    pub out_fen: i64,
    pub reserved_fen: i64,
    pub closing_fen: i64,
    pub lines: usize,
}

impl From<Reconciliation> for ReconciliationDto {
    fn from(r: Reconciliation) -> Self {
        Self {
            month: r.month,
            opening_fen: r.opening_fen,
            in_fen: r.in_fen,
            out_fen: r.out_fen,
            reserved_fen: r.reserved_fen,
            closing_fen: r.closing_fen,
            lines: r.lines.len(),
            fund: r.fund.into(),
        }
    }
}

/// The month of a reconciliation.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// `YYYY-MM` (Beijing time).
    pub month: String,
}

/// Aid items waiting for the caller's approval (their level, their jurisdiction) or review.
#[utoipa::path(get, path = "/api/v1/approvals", tag = "aid",
    responses((status = 200, body = ApprovalsDto), (status = 403, body = ErrorBody)))]
pub async fn approvals(caller: ApiActor, State(state): State<AppState>) -> Result<Json<ApprovalsDto>, ApiError> {
    let (a, r) = state.app.approvals_inbox(&caller.actor).await.map_err(|e| caller.err(e))?;
    Ok(Json(ApprovalsDto {
        to_approve: a.into_iter().map(Into::into).collect(),
        to_review: r.into_iter().map(Into::into).collect(),
    }))
}

/// Approves a reviewed item and reserves its money: `409 ABOVE_AUTHORITY` above the caller's
/// level, `409 INSUFFICIENT_FUNDS` when the fund cannot cover it (nothing reserved),
/// `409 SAME_PERSON` when the caller proposed or reviewed the item (separation of duties).
#[utoipa::path(post, path = "/api/v1/aid/{id}/approve", tag = "aid", params(("id" = String, Path)), request_body = ApproveDto,
    responses((status = 200, body = AidDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn approve(
    caller: ApiActor,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ApproveDto>,
) -> Result<Json<AidDto>, ApiError> {
    let item = state.app.approve_aid(&caller.actor, &id, b.version, &b.opinion).await.map_err(|e| caller.err(e))?;
    Ok(Json(item.into()))
}

/// Records the payment of an approved item; a repeated payment is `409 ALREADY_PAID`, a payment
/// by the item's approver `409 SAME_PERSON` (separation of duties).
#[utoipa::path(post, path = "/api/v1/aid/{id}/pay", tag = "aid", params(("id" = String, Path)), request_body = PayDto,
    responses((status = 200, body = AidDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn pay(
    caller: ApiActor,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PayDto>,
) -> Result<Json<AidDto>, ApiError> {
    let item =
        state.app.pay_aid(&caller.actor, &id, b.version, &b.method, &b.reference).await.map_err(|e| caller.err(e))?;
    Ok(Json(item.into()))
}

/// Funds within the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/funds", tag = "aid", responses((status = 200, body = [FundDto]), (status = 403, body = ErrorBody)))]
pub async fn funds(caller: ApiActor, State(state): State<AppState>) -> Result<Json<Vec<FundDto>>, ApiError> {
    let f = state.app.funds(&caller.actor).await.map_err(|e| caller.err(e))?;
    Ok(Json(f.into_iter().map(Into::into).collect()))
}

/// A fund's month-end reconciliation.
#[utoipa::path(get, path = "/api/v1/funds/{id}/reconciliation", tag = "aid", params(("id" = String, Path), MonthQuery),
    responses((status = 200, body = ReconciliationDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reconciliation(
    caller: ApiActor,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> Result<Json<ReconciliationDto>, ApiError> {
    let r = state.app.reconciliation(&caller.actor, &id, &q.month).await.map_err(|e| caller.err(e))?;
    Ok(Json(r.into()))
}
