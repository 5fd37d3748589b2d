//! Referrals over the API, for department systems: the referrals addressed to the caller's
//! unit, one referral, and the three answers of the closed loop (accept, return with a
//! reason, feed back the result).

use axum::Json;
use axum::extract::{Path, State};
use jiujinan_app::dispositions::{ActionView, accountable_unit};
use jiujinan_app::model::{ActionRecord, DeadlineRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiActor, ApiJson, ApiQuery};
use crate::AppState;
use crate::errors::{ApiError, ErrorBody};

/// A running or finished clock on a step.
#[derive(Serialize, ToSchema)]
pub struct ClockDto {
    pub id: String,
    /// e.g. `refer.accept`, `refer.feedback`, `aid_first.paperwork`.
    pub step: String,
    /// `open` or `met`.
    pub state: String,
    pub due_ms: i64,
    pub responsible_unit: String,
    /// 0 until overdue; then the escalation level (1 = supervised by the level above).
    pub level: i64,
    pub paused: bool,
}

impl From<&DeadlineRecord> for ClockDto {
    fn from(d: &DeadlineRecord) -> Self {
        Self {
            id: d.id.clone(),
            step: d.step.clone(),
            state: d.state.clone(),
            due_ms: d.due_ms,
            responsible_unit: d.responsible_unit.clone(),
            level: d.level,
            paused: d.paused_ms != 0,
        }
    }
}

/// A referral (an action of any of the six routes).
#[derive(Serialize, ToSchema)]
pub struct ReferralDto {
    pub id: String,
    pub case_id: String,
    pub case_number: String,
    /// `refer`, `shelter`, `charity`, `joint_meeting`, `aid_first` or `disease_emergency`.
    pub route: String,
    /// Programme code of the catalogue, e.g. `medical`, `housing`, `temporary`.
    pub programme: String,
    pub from_unit: String,
    pub from_user: String,
    pub to_unit: String,
    /// `sent`, `accepted`, `returned`, `completed` or `cancelled`.
    pub status: String,
    /// The unit accountable now: the sender (first-inquiry holder) until acceptance and again
    /// after a return or withdrawal; the receiver once it accepted.
    pub accountable_unit: String,
    pub request: String,
    pub return_reason: String,
    /// `granted`, `refused` or empty.
    pub outcome: String,
    pub outcome_detail: String,
    /// Amount in integer fen (granted amount, or aid given first).
    pub amount_fen: i64,
    pub version: i64,
    pub clocks: Vec<ClockDto>,
}

fn dto(a: &ActionRecord, clocks: &[DeadlineRecord]) -> ReferralDto {
    ReferralDto {
        id: a.id.clone(),
        case_id: a.case_id.clone(),
        case_number: a.case_number.clone(),
        route: a.route.code().into(),
        programme: a.programme.clone(),
        from_unit: a.from_unit.clone(),
        from_user: a.from_user.clone(),
        to_unit: a.to_unit.clone(),
        status: a.status.code().into(),
        accountable_unit: accountable_unit(a),
        request: a.request.clone(),
        return_reason: a.return_reason.clone(),
        outcome: a.outcome.clone(),
        outcome_detail: a.outcome_detail.clone(),
        amount_fen: a.amount_fen,
        version: a.version,
        clocks: clocks.iter().filter(|d| d.subject_id == a.id).map(Into::into).collect(),
    }
}

impl From<ActionView> for ReferralDto {
    fn from(v: ActionView) -> Self {
        dto(&v.action, &v.deadlines)
    }
}

/// Inbox filters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// `sent` (waiting for an answer), `accepted`, `returned`, `completed` or `cancelled`.
    pub status: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The version the caller saw, so two answers never overwrite each other.
#[derive(Deserialize, ToSchema)]
pub struct AcceptDto {
    pub version: i64,
}

/// A return: the reason is required.
#[derive(Deserialize, ToSchema)]
pub struct ReturnDto {
    pub version: i64,
    pub reason: String,
}

/// The result of a referral.
#[derive(Deserialize, ToSchema)]
pub struct FeedbackDto {
    pub version: i64,
    /// `granted` (with what and how much), `refused` (with why) or `in_progress`.
    pub outcome: String,
    pub detail: String,
    /// Amount granted in integer fen (optional).
    #[serde(default)]
    pub amount_fen: i64,
}

/// Referrals addressed to the caller's unit, newest first.
#[utoipa::path(get, path = "/api/v1/referrals", tag = "referrals", params(InboxQuery),
    responses((status = 200, body = [ReferralDto]), (status = 401, body = ErrorBody)))]
pub async fn list(
    caller: ApiActor,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> Result<Json<Vec<ReferralDto>>, ApiError> {
    let items = state
        .app
        .inbox_items(&caller.actor, q.status.as_deref(), q.limit.unwrap_or(50), q.offset.unwrap_or(0))
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Json(items.into_iter().map(|i| i.view.into()).collect()))
}

/// One referral with its clocks; `404` for a caller outside the units concerned.
#[utoipa::path(get, path = "/api/v1/referrals/{id}", tag = "referrals", params(("id" = String, Path)),
    responses((status = 200, body = ReferralDto), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    caller: ApiActor,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ReferralDto>, ApiError> {
    let v = state.app.action_for(&caller.actor, &id).await.map_err(|e| caller.err(e))?;
    Ok(Json(v.into()))
}

async fn reply(state: &AppState, caller: &ApiActor, id: &str) -> Result<Json<ReferralDto>, ApiError> {
    let v = state.app.action_for(&caller.actor, id).await.map_err(|e| caller.err(e))?;
    Ok(Json(v.into()))
}

/// Accepts a referral: the acceptance clock stops, the feedback clock starts. Accepting
/// twice, or after a return, is `409 ALREADY_ANSWERED`.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/accept", tag = "referrals", params(("id" = String, Path)), request_body = AcceptDto,
    responses((status = 200, body = ReferralDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn accept(
    caller: ApiActor,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<AcceptDto>,
) -> Result<Json<ReferralDto>, ApiError> {
    state.app.accept_action(&caller.actor, &id, b.version).await.map_err(|e| caller.err(e))?;
    reply(&state, &caller, &id).await
}

/// Returns a referral to its sender with the reason (`422 REASON_REQUIRED` without one).
#[utoipa::path(post, path = "/api/v1/referrals/{id}/return", tag = "referrals", params(("id" = String, Path)), request_body = ReturnDto,
    responses((status = 200, body = ReferralDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn give_back(
    caller: ApiActor,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReturnDto>,
) -> Result<Json<ReferralDto>, ApiError> {
    state.app.return_action(&caller.actor, &id, b.version, &b.reason).await.map_err(|e| caller.err(e))?;
    reply(&state, &caller, &id).await
}

/// Feeds back the result of an accepted referral.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/feedback", tag = "referrals", params(("id" = String, Path)), request_body = FeedbackDto,
    responses((status = 200, body = ReferralDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn feedback(
    caller: ApiActor,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<FeedbackDto>,
) -> Result<Json<ReferralDto>, ApiError> {
    state
        .app
        .feed_back(&caller.actor, &id, b.version, &b.outcome, &b.detail, b.amount_fen)
        .await
        .map_err(|e| caller.err(e))?;
    reply(&state, &caller, &id).await
}
