//! The unit picker behind every "choose a unit" field: `GET /org/pick?q=卫健&kind=department`
//! answers with units whose name (or code) matches, labelled with the district or street they
//! belong to, so two 光明社区 can be told apart. Two characters are enough; the pages' select
//! keeps working without scripts (its first options are the likely ones).

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use jiujinan_app::model::Unit;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::context::Ctx;
use crate::errors::PageError;
use crate::pages::unit_names::UnitNames;

/// At most this many choices: a person narrows the search rather than scrolls.
const LIMIT: usize = 30;

/// What a field accepts.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug, Default)]
#[serde(rename_all = "snake_case")]
pub enum PickKind {
    /// Any unit.
    #[default]
    Any,
    /// A department or office that can receive a referral (any unit but a division's own
    /// government).
    Department,
    /// A unit that holds civil-affairs money: a civil-affairs bureau or a street's office.
    CivilAffairs,
    /// A place a person lives: a street or a community (their governments).
    Place,
}

impl PickKind {
    /// The store's filter: applied in the query, before its limit.
    fn search(self) -> jiujinan_app::model::UnitSearch {
        use jiujinan_app::model::UnitSearch as S;
        match self {
            Self::Any => S::Any,
            Self::Department => S::NotGovernment,
            Self::CivilAffairs => S::CivilAffairs,
            Self::Place => S::Place,
        }
    }

    fn accepts(self, u: &Unit) -> bool {
        match self {
            Self::Any => true,
            Self::Department => u.kind != "government",
            Self::CivilAffairs => matches!(u.kind.as_str(), "civil_affairs" | "assistance_office"),
            Self::Place => u.kind == "government" && u.division.len() >= 9,
        }
    }
}

#[derive(Deserialize)]
pub struct PickQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: PickKind,
}

/// One choice: the code to submit and the words to show.
#[derive(Serialize, Debug, PartialEq)]
pub struct Choice {
    pub code: String,
    pub label: String,
}

/// The choices for `q` (empty under two characters).
pub async fn pick(State(state): State<AppState>, ctx: Ctx, Query(p): Query<PickQuery>) -> Result<Response, PageError> {
    ctx.user()?;
    let q = p.q.trim();
    if q.chars().count() < 2 {
        return Ok(Json(Vec::<Choice>::new()).into_response());
    }
    let hits: Vec<Unit> = state
        .app
        .search_units_of(q, p.kind.search(), LIMIT as i64)
        .await?
        .into_iter()
        .filter(|u| p.kind.accepts(u))
        .collect();
    let names = UnitNames::load(&state, hits.iter().flat_map(context_codes).collect()).await;
    Ok(Json(hits.iter().map(|u| choice(u, &names)).collect::<Vec<_>>()).into_response())
}

/// The divisions that place a unit: its district, and its street below district level.
fn context_codes(u: &Unit) -> Vec<String> {
    let d = u.division.as_str();
    let mut codes = Vec::new();
    if d.len() >= 6 && u.code != d[..6] {
        codes.push(d[..6].to_owned());
    }
    if d.len() > 9 {
        codes.push(d[..9].to_owned());
    }
    codes
}

fn choice(u: &Unit, names: &UnitNames) -> Choice {
    let context: Vec<String> = context_codes(u).iter().map(|c| names.name(c)).collect();
    let label = if context.is_empty() { u.name.clone() } else { format!("{}（{}）", u.name, context.join(" · ")) };
    Choice { code: u.code.clone(), label }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code: &str, kind: &str, division: &str) -> Unit {
        Unit {
            code: code.into(),
            name: "光明社区".into(),
            kind: kind.into(),
            level: String::new(),
            division: division.into(),
            parent: None,
        }
    }

    #[test]
    fn a_community_is_placed_by_its_district_and_street() {
        let names = UnitNames::from_pairs(&[("110105", "朝阳区"), ("110105001", "建外街道")]);
        let c = unit("110105001024", "government", "110105001024");
        assert_eq!(choice(&c, &names).label, "光明社区（朝阳区 · 建外街道）");
        let district = unit("110105", "government", "110105");
        assert_eq!(choice(&district, &names).label, "光明社区", "a district needs no context");
        let bureau = unit("110105:wj", "health", "110105");
        assert_eq!(choice(&bureau, &names).label, "光明社区（朝阳区）");
    }

    #[test]
    fn each_field_accepts_its_kind_of_unit() {
        let community = unit("110105001024", "government", "110105001024");
        let district = unit("110105", "government", "110105");
        let office = unit("110105001:mz", "assistance_office", "110105001");
        let health = unit("110105:wj", "health", "110105");
        assert!(PickKind::Place.accepts(&community) && !PickKind::Place.accepts(&district));
        assert!(!PickKind::Place.accepts(&office));
        assert!(PickKind::Department.accepts(&health) && PickKind::Department.accepts(&office));
        assert!(!PickKind::Department.accepts(&community));
        assert!(PickKind::CivilAffairs.accepts(&office) && !PickKind::CivilAffairs.accepts(&health));
    }
}
