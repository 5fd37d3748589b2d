//! The organisation over the API: units by code, their children, and search.

use axum::Json;
use axum::extract::{Path, State};
use jiujinan_app::model::{Unit, UnitNode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiActor, ApiQuery};
use crate::AppState;
use crate::errors::{ApiError, ErrorBody};

/// A unit.
#[derive(Serialize, ToSchema)]
pub struct UnitDto {
    /// Stable unit code: a division code, or division code plus `:mz`, `:wj`, `:jw`, `:zj`, `:rs`, `:jzz`.
    pub code: String,
    pub name: String,
    /// `government`, `civil_affairs`, `health`, `education`, `housing`, `human_resources`, `relief_station` or `assistance_office`.
    pub kind: String,
    /// `city`, `district`, `street` or `community`.
    pub level: String,
    pub division: String,
    pub parent: Option<String>,
}

impl From<Unit> for UnitDto {
    fn from(u: Unit) -> Self {
        Self { code: u.code, name: u.name, kind: u.kind, level: u.level, division: u.division, parent: u.parent }
    }
}

/// A unit with the number of units directly below it.
#[derive(Serialize, ToSchema)]
pub struct UnitNodeDto {
    #[serde(flatten)]
    pub unit: UnitDto,
    pub children: i64,
}

impl From<UnitNode> for UnitNodeDto {
    fn from(n: UnitNode) -> Self {
        Self { unit: n.unit.into(), children: n.children }
    }
}

/// Search parameters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Part of a name (two characters are enough) or the start of a code.
    #[serde(default)]
    pub q: String,
    /// At most this many results (1–200, default 50).
    pub limit: Option<i64>,
}

/// One unit by code.
#[utoipa::path(get, path = "/api/v1/units/{code}", tag = "organisation",
    params(("code" = String, Path, description = "Unit code, e.g. 110105:mz")),
    responses((status = 200, body = UnitDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_unit(
    caller: ApiActor,
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<UnitDto>, ApiError> {
    let u = state.app.unit(&code).await.map_err(|e| caller.err(e))?;
    Ok(Json(u.into()))
}

/// The units directly below a unit.
#[utoipa::path(get, path = "/api/v1/units/{code}/children", tag = "organisation",
    params(("code" = String, Path, description = "Unit code, e.g. 110105")),
    responses((status = 200, body = [UnitNodeDto]), (status = 422, body = ErrorBody)))]
pub async fn unit_children(
    caller: ApiActor,
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<Vec<UnitNodeDto>>, ApiError> {
    let nodes = state.app.child_units(&code).await.map_err(|e| caller.err(e))?;
    Ok(Json(nodes.into_iter().map(Into::into).collect()))
}

/// Units by name or code.
#[utoipa::path(get, path = "/api/v1/units", tag = "organisation", params(SearchParams),
    responses((status = 200, body = [UnitDto]), (status = 401, body = ErrorBody)))]
pub async fn search_units(
    caller: ApiActor,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Json<Vec<UnitDto>>, ApiError> {
    let hits = state.app.search_units(&p.q, p.limit.unwrap_or(50)).await.map_err(|e| caller.err(e))?;
    Ok(Json(hits.into_iter().map(Into::into).collect()))
}
