//! The home page, shaped by the user's role.

use askama::Template;
use axum::extract::State;
use jiujinan_domain::org::{DivisionCode, DivisionLevel, UnitKind};
use serde::Serialize;

use crate::AppState;
use crate::context::Ctx;
use crate::errors::PageResult;
use crate::i18n::{level_text, role_text};
use crate::view::{Chrome, render};

/// A shortcut on the home page.
struct Shortcut {
    href: &'static str,
    label: &'static str,
}

#[derive(Serialize)]
struct ChartData {
    title: &'static str,
    names: Vec<String>,
    values: Vec<i64>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    display_name: String,
    role_name: &'static str,
    duty: &'static str,
    unit_name: String,
    unit_code: String,
    jurisdiction_name: String,
    jurisdiction_level: &'static str,
    sub_units: Vec<(String, String, i64)>,
    shortcuts: Vec<Shortcut>,
    chart_json: Option<String>,
    to_verify: Option<i64>,
    referrals_waiting: usize,
    supervision_open: Option<usize>,
}

/// Shows the signed-in user's home page.
pub async fn show(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let actor = ctx.user()?;
    let cat = crate::i18n::catalogue(ctx.lang);
    let m = &cat.common;
    let (role_name, duty) = role_text(actor.role, ctx.lang);
    let division = actor.jurisdiction.division.as_str();
    let juris = state.app.unit(division).await?;
    let children = state.app.child_units(division).await?;
    // Sub-divisions with how many divisions lie below each (departments not counted).
    let sub_units: Vec<(String, String, i64)> = children
        .iter()
        .filter(|n| n.unit.kind == "government")
        .map(|n| {
            let departments = DivisionCode::parse(&n.unit.division)
                .map(|d| UnitKind::departments_at(d.level()).len() as i64)
                .unwrap_or(0);
            (n.unit.code.clone(), n.unit.name.clone(), (n.children - departments).max(0))
        })
        .collect();
    use jiujinan_domain::policy::Permission;
    let department = actor.jurisdiction.department.is_some();
    let records_leads = actor.may(Permission::RecordLead);
    let mut shortcuts = Vec::new();
    let mut to_verify = None;
    if records_leads {
        shortcuts.push(Shortcut { href: "/leads/new", label: cat.leads.new_lead });
        if !department {
            shortcuts.push(Shortcut { href: "/leads", label: cat.leads.lead_queue });
            let counts = state.app.lead_counts(actor).await?;
            to_verify = Some(counts.iter().find(|(s, _)| s == "new").map(|(_, n)| *n).unwrap_or(0));
        }
    }
    let referrals_waiting = if records_leads { state.app.inbox(actor, Some("sent"), 500, 0).await?.len() } else { 0 };
    let supervision_open = if !actor.may(Permission::ReadSupervision) {
        None
    } else {
        Some(state.app.supervision_list(actor, true).await?.len())
    };
    shortcuts.push(Shortcut { href: "/org", label: m.nav_org });
    if actor.may(Permission::ManageUsers) {
        shortcuts.push(Shortcut { href: "/admin/users", label: m.nav_users });
    }
    if actor.may(Permission::ReadAudit) {
        shortcuts.push(Shortcut { href: "/audit", label: m.nav_audit });
    }
    let chart_json = (actor.jurisdiction.division.level() == DivisionLevel::City && !sub_units.is_empty())
        .then(|| ChartData {
            title: m.chart_streets,
            names: sub_units.iter().map(|s| s.1.clone()).collect(),
            values: sub_units.iter().map(|s| s.2).collect(),
        })
        .and_then(|d| serde_json::to_string(&d).ok());
    let page = HomePage {
        c: Chrome::new(&ctx),
        display_name: actor.display_name.clone(),
        role_name,
        duty,
        unit_name: actor.unit_name.clone(),
        unit_code: actor.unit.to_string(),
        jurisdiction_name: juris.name,
        jurisdiction_level: level_text(&juris.level, ctx.lang),
        sub_units,
        shortcuts,
        chart_json,
        to_verify,
        referrals_waiting,
        supervision_open,
    };
    render(&page)
}
