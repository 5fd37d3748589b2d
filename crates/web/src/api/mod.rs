//! The JSON API for hotline and department systems, described by an OpenAPI document at
//! `/api/openapi.json` (kept as a snapshot in `crates/web/openapi.json`).
//!
//! Callers authenticate with `Authorization: Bearer <token>` (`jiujinan token issue`) or,
//! from the browser, with the session cookie plus the CSRF header on unsafe requests.

mod aid;
mod cases;
mod json_input;
mod leads;
mod me;
mod referrals;
mod units;

use axum::Json;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum::routing::{get, post};

use jiujinan_app::AppError;
use jiujinan_app::auth::Actor;
use jiujinan_domain::ValidationError;
use jiujinan_domain::text::INVALID_TEXT;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::AppState;
use crate::context::Ctx;
use crate::errors::ApiError;

#[derive(OpenApi)]
#[openapi(
    info(title = "jiujinan API", description = "救急难综合服务平台接口 / Jiujinan emergency-assistance platform API", version = "1"),
    paths(me::me, units::get_unit, units::unit_children, units::search_units, leads::create_lead, leads::get_lead, leads::list_leads,
        cases::list_cases, cases::get_case, referrals::list, referrals::get_one, referrals::accept, referrals::give_back,
        referrals::feedback, aid::approvals, aid::approve, aid::pay, aid::funds, aid::reconciliation),
    components(schemas(crate::errors::ErrorBody, crate::errors::ErrorDetail, me::MeResponse, units::UnitDto, units::UnitNodeDto,
        leads::NewLeadDto, leads::ReporterDto, leads::SubjectDto, leads::LeadReceiptDto, leads::LeadSummaryDto, leads::LeadDto,
        leads::TimelineDto, cases::CaseSummaryDto, cases::CaseDto, cases::MemberDto, cases::MoneyItemDto, cases::EconomyDto, cases::InvestigationDto, referrals::ReferralDto,
        referrals::ClockDto, referrals::AcceptDto, referrals::ReturnDto, referrals::FeedbackDto, aid::AidDto,
        aid::ApprovalsDto, aid::ApproveDto, aid::PayDto, aid::FundDto, aid::ReconciliationDto)),
    modifiers(&BearerAuth, &StandardErrors),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// The error answers every operation can give, added where an operation does not describe
/// them itself: 401 (no or a dead token), 403 (not allowed, or a forged browser request), 422
/// (bad input, e.g. text with a control character in any parameter), 404 where the path
/// names a record, and 413 / 415 where a JSON body is read.
struct StandardErrors;

impl Modify for StandardErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let error = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
                    )
                    .build(),
            )
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let names_a_record = path.contains('{');
            for op in [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch] {
                let Some(op) = op.as_mut() else { continue };
                let has_body = op.request_body.is_some();
                let mut wanted = vec![
                    ("401", "Not signed in, or the token is not valid / 未登录或令牌无效"),
                    ("403", "Not allowed / 无权操作"),
                    ("422", "Invalid input / 输入有误"),
                ];
                if names_a_record {
                    wanted.push(("404", "Not found, or outside your jurisdiction / 未找到或不在管辖范围内"));
                }
                if has_body {
                    wanted.push(("413", "Request body too large / 请求内容过大"));
                    wanted.push(("415", "Content-Type is not application/json / 内容类型不受支持"));
                }
                for (status, description) in wanted {
                    op.responses.responses.entry(status.to_owned()).or_insert_with(|| error(description));
                }
            }
        }
    }
}

/// The OpenAPI document as pretty JSON (what the snapshot test compares).
pub fn openapi_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/v1/me", get(me::me))
        .route("/api/v1/units", get(units::search_units))
        .route("/api/v1/units/{code}", get(units::get_unit))
        .route("/api/v1/units/{code}/children", get(units::unit_children))
        .route("/api/v1/leads", get(leads::list_leads).post(leads::create_lead))
        .route("/api/v1/leads/{id}", get(leads::get_lead))
        .route("/api/v1/cases", get(cases::list_cases))
        .route("/api/v1/cases/{id}", get(cases::get_case))
        .route("/api/v1/referrals", get(referrals::list))
        .route("/api/v1/referrals/{id}", get(referrals::get_one))
        .route("/api/v1/referrals/{id}/accept", post(referrals::accept))
        .route("/api/v1/referrals/{id}/return", post(referrals::give_back))
        .route("/api/v1/referrals/{id}/feedback", post(referrals::feedback))
        .route("/api/v1/approvals", get(aid::approvals))
        .route("/api/v1/aid/{id}/approve", post(aid::approve))
        .route("/api/v1/aid/{id}/pay", post(aid::pay))
        .route("/api/v1/funds", get(aid::funds))
        .route("/api/v1/funds/{id}/reconciliation", get(aid::reconciliation))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// Largest API request body: a lead is a few kilobytes.
const MAX_BODY: usize = 64 * 1024;

/// A JSON body whose errors answer in the API's JSON error shape: `UNSUPPORTED_MEDIA_TYPE`
/// (415) without `Content-Type: application/json`, `BODY_TOO_LARGE` (413), `BAD_REQUEST`
/// (422) with the parser's explanation in `fields.body`, and `INVALID_TEXT` (422) naming the
/// field (e.g. `subject.name`) of a string that holds a control character.
///
/// A number with a zero fraction (`1.0`) is read as the integer it is: JSON Schema counts
/// it as an integer, and clients that only have floating point send it so.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send> axum::extract::FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = req.extensions().get::<Ctx>().map(|c| c.lang).unwrap_or_default();
        let refuse = |code: &'static str| ApiError::new(AppError::Validation(ValidationError::new(code, "body")), lang);
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            });
        if !is_json {
            return Err(refuse("UNSUPPORTED_MEDIA_TYPE"));
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                refuse("BODY_TOO_LARGE")
            } else {
                refuse("BAD_REQUEST").with_detail(r.body_text())
            }
        })?;
        let mut value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| refuse("BAD_REQUEST").with_detail(e.to_string()))?;
        if let Some(field) = json_input::clean(&mut value, &mut String::new()) {
            return Err(
                ApiError::new(AppError::Validation(ValidationError::new(INVALID_TEXT, "body")), lang).with_field(field)
            );
        }
        serde_json::from_value(value).map(Self).map_err(|e| refuse("BAD_REQUEST").with_detail(e.to_string()))
    }
}

/// Query parameters whose parse errors answer in the API's JSON error shape.
pub struct ApiQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send> FromRequestParts<AppState> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = parts.extensions.get::<Ctx>().map(|c| c.lang).unwrap_or_default();
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Self(v)),
            Err(_) => Err(ApiError::new(AppError::Validation(ValidationError::new("BAD_REQUEST", "query")), lang)),
        }
    }
}

/// The caller of an API endpoint: a bearer token's user or the signed-in browser user.
pub struct ApiActor {
    pub actor: Actor,
    pub ctx: Ctx,
}

impl ApiActor {
    /// Wraps a use-case error in the caller's language.
    pub fn err(&self, e: AppError) -> ApiError {
        ApiError::new(e, self.ctx.lang)
    }
}

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ctx = parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or(ApiError::new(AppError::Internal("no context".into()), Default::default()))?;
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        if let Some(token) = bearer {
            return match state.app.bearer(token).await {
                Ok(Some(actor)) => Ok(Self { actor, ctx }),
                Ok(None) => Err(ApiError::new(AppError::Unauthenticated, ctx.lang)),
                Err(e) => Err(ApiError::new(e, ctx.lang)),
            };
        }
        match &ctx.session {
            Some(s) => Ok(Self { actor: s.actor.clone(), ctx }),
            None => Err(ApiError::new(AppError::Unauthenticated, ctx.lang)),
        }
    }
}
