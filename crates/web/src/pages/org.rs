//! The organisation browser: the tree from the city down to communities, search, unit pages.

use askama::Template;
use axum::extract::{Path, Query, State};
use jiujinan_app::i18n::Lang;
use jiujinan_app::model::{Unit, UnitNode};
use serde::Deserialize;

use crate::AppState;
use crate::context::Ctx;
use crate::errors::PageResult;
use crate::i18n::{kind_text, level_text};
use crate::view::{Chrome, render};

/// A unit as a row of the tree or a search hit.
pub struct NodeView {
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub is_government: bool,
    pub children: i64,
}

impl NodeView {
    fn from_node(n: &UnitNode, lang: Lang) -> Self {
        Self {
            code: n.unit.code.clone(),
            name: n.unit.name.clone(),
            kind: kind_text(&n.unit.kind, lang),
            is_government: n.unit.kind == "government",
            children: n.children,
        }
    }

    fn from_unit(u: &Unit, lang: Lang) -> Self {
        Self {
            code: u.code.clone(),
            name: u.name.clone(),
            kind: kind_text(&u.kind, lang),
            is_government: u.kind == "government",
            children: 0,
        }
    }
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    c: Chrome,
    q: String,
    results: Option<Vec<NodeView>>,
    root: NodeView,
    /// The city's departments and districts (rendered by the included children fragment).
    nodes: Vec<NodeView>,
}

#[derive(Template)]
#[template(path = "org_children.html")]
struct ChildrenFragment {
    c: Chrome,
    nodes: Vec<NodeView>,
}

#[derive(Template)]
#[template(path = "org_unit.html")]
struct UnitPage {
    c: Chrome,
    path: Vec<NodeView>,
    unit: NodeView,
    level: &'static str,
    nodes: Vec<NodeView>,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// The tree (city and districts open) and, with `?q=`, search results.
pub async fn show(State(state): State<AppState>, ctx: Ctx, Query(query): Query<SearchQuery>) -> PageResult {
    ctx.user()?;
    let q = query.q.trim().to_owned();
    let results = if q.is_empty() {
        None
    } else {
        let hits = state.app.search_units(&q, 100).await?;
        Some(hits.iter().map(|u| NodeView::from_unit(u, ctx.lang)).collect())
    };
    let city = state.app.unit("11").await?;
    let top = state.app.child_units("11").await?;
    let mut root = NodeView::from_unit(&city, ctx.lang);
    root.children = top.len() as i64;
    let page = OrgPage {
        c: Chrome::new(&ctx),
        q,
        results,
        root,
        nodes: top.iter().map(|n| NodeView::from_node(n, ctx.lang)).collect(),
    };
    render(&page)
}

/// The units below one unit, as list items for htmx to insert.
pub async fn children(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> PageResult {
    ctx.user()?;
    let nodes = state.app.child_units(&code).await?;
    let page = ChildrenFragment {
        c: Chrome::new(&ctx),
        nodes: nodes.iter().map(|n| NodeView::from_node(n, ctx.lang)).collect(),
    };
    render(&page)
}

/// One unit: where it sits and what is below it.
pub async fn unit(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> PageResult {
    ctx.user()?;
    let path = state.app.unit_path(&code).await?;
    let Some(u) = path.last() else {
        return Err(jiujinan_app::AppError::NotFound.into());
    };
    let nodes = state.app.child_units(&code).await?;
    let page = UnitPage {
        c: Chrome::new(&ctx),
        level: level_text(&u.level, ctx.lang),
        unit: NodeView::from_unit(u, ctx.lang),
        path: path.iter().map(|p| NodeView::from_unit(p, ctx.lang)).collect(),
        nodes: nodes.iter().map(|n| NodeView::from_node(n, ctx.lang)).collect(),
    };
    render(&page)
}
