//! `GET /api/v1/me`: who the token or session belongs to, and what it may see.

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::ApiActor;
use crate::errors::ErrorBody;

/// The caller's identity and jurisdiction.
#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    pub username: String,
    pub display_name: String,
    /// Stable role code, e.g. `window_clerk`.
    pub role: String,
    /// Unit code, e.g. `110105001:mz`.
    pub unit: String,
    pub unit_name: String,
    /// Division code at the top of what the caller may see.
    pub jurisdiction: String,
}

/// Who am I?
#[utoipa::path(get, path = "/api/v1/me", tag = "identity",
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody)))]
pub async fn me(caller: ApiActor) -> Json<MeResponse> {
    let a = caller.actor;
    Json(MeResponse {
        username: a.username,
        display_name: a.display_name,
        role: a.role.code().to_owned(),
        unit: a.unit.to_string(),
        unit_name: a.unit_name,
        jurisdiction: a.jurisdiction.division.to_string(),
    })
}
