//! The home page, shaped by the user's role.

use askama::Template;
use axum::extract::State;
use jiujinan_domain::org::{DivisionCode, DivisionLevel, UnitKind};

use jiujinan_app::work::{WorkItem, WorkKind};

use crate::AppState;
use crate::context::Ctx;
use crate::errors::PageResult;
use crate::i18n::{level_text, role_text};
use crate::pages::home_due::{Chart, ChartData, DueRow, Series, due_rows, figure_charts};
use crate::view::{Chrome, render};

/// One line of "waiting for you": what, how many (with the link to them), how many overdue.
struct WorkRow {
    id: &'static str,
    label: &'static str,
    href: &'static str,
    count: String,
    overdue: i64,
    overdue_href: Option<&'static str>,
}

fn work_row(item: &WorkItem, lang: jiujinan_app::i18n::Lang) -> WorkRow {
    use WorkKind as W;
    let zh = lang == jiujinan_app::i18n::Lang::Zh;
    let t = |z: &'static str, e: &'static str| if zh { z } else { e };
    let (id, label, href, overdue_href) = match item.kind {
        W::LeadsToVerify => (
            "home-to-verify",
            t("待核查线索", "Leads to verify"),
            "/leads?status=new",
            Some("/leads?status=new&overdue=1"),
        ),
        W::CasesToInvestigate => {
            ("home-investigating", t("调查中案件", "Cases to investigate"), "/cases?status=investigating", None)
        }
        W::CasesToReview => ("home-to-review", t("待初审案件", "Cases to review"), "/cases?status=reviewing", None),
        W::ReferralsToAccept => {
            ("home-referrals", t("待接收转办", "Referrals to accept"), "/referrals?status=sent", None)
        }
        W::ReferralsInProgress => (
            "home-referrals-open",
            t("办理中转办（待反馈）", "Referrals to answer"),
            "/referrals?status=accepted",
            None,
        ),
        W::AidToReview => ("home-aid-review", t("待审核救助", "Aid to review"), "/approvals", None),
        W::AidToApprove => ("home-aid-approve", t("待审批救助", "Aid to approve"), "/approvals", None),
        W::AidToPay => ("home-aid-pay", t("已审批待发放", "Aid to pay"), "/approvals", None),
        W::SupervisionOpen => ("home-supervision", t("督办事项", "Supervision items"), "/supervision", None),
        W::FollowupsDue => ("home-followups", t("待结案回访", "Follow-up visits due"), "/cases?status=closed", None),
    };
    let count =
        if item.count >= jiujinan_app::work::MAX_COUNTED { format!("{}+", item.count) } else { item.count.to_string() };
    WorkRow { id, label, href, count, overdue: item.overdue, overdue_href }
}

/// A shortcut on the home page.
struct Shortcut {
    href: &'static str,
    label: &'static str,
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
    /// The city's streets per district (city users), and the figures of reviewers and approvers.
    charts: Vec<Chart>,
    /// What waits for the user and their unit, in a day's order.
    work: Vec<WorkRow>,
    /// The running clocks of the user's unit, soonest due first.
    due: Vec<DueRow>,
    /// The words of the deadline list.
    due_title: &'static str,
    due_heads: [&'static str; 4],
    due_none: &'static str,
    chart_data: &'static str,
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
    if records_leads {
        shortcuts.push(Shortcut { href: "/leads/new", label: cat.leads.new_lead });
        if !department {
            shortcuts.push(Shortcut { href: "/leads", label: cat.leads.lead_queue });
        }
    }
    let work = state.app.work_waiting(actor).await?.iter().map(|i| work_row(i, ctx.lang)).collect();
    shortcuts.push(Shortcut { href: "/org", label: m.nav_org });
    if actor.may(Permission::ManageUsers) {
        shortcuts.push(Shortcut { href: "/admin/users", label: m.nav_users });
    }
    if actor.may(Permission::ReadAudit) {
        shortcuts.push(Shortcut { href: "/audit", label: m.nav_audit });
    }
    let mut charts: Vec<Chart> = (actor.jurisdiction.division.level() == DivisionLevel::City && !sub_units.is_empty())
        .then(|| ChartData {
            title: m.chart_streets.to_owned(),
            names: sub_units.iter().map(|s| s.1.clone()).collect(),
            series: vec![Series {
                name: m.chart_streets.to_owned(),
                values: sub_units.iter().map(|s| s.2 as f64).collect(),
            }],
            stack: false,
        })
        .and_then(|d| {
            Chart::new(
                "home-chart",
                if ctx.lang == jiujinan_app::i18n::Lang::Zh { "区" } else { "District" },
                d,
                |v| format!("{v:.0}"),
            )
        })
        .into_iter()
        .collect();
    if let Some(figures) = state.app.home_figures(actor).await? {
        charts.extend(figure_charts(&figures, ctx.lang));
    }
    let due = due_rows(&state.app.deadlines_due(actor).await?, state.app.now_ms(), ctx.lang);
    let zh = ctx.lang == jiujinan_app::i18n::Lang::Zh;
    let t = |z: &'static str, e: &'static str| if zh { z } else { e };
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
        charts,
        work,
        due,
        due_title: t("本单位办理时限（按到期先后）", "My unit's time limits, soonest first"),
        due_heads: [t("编号", "Number"), t("环节", "Step"), t("到期时间", "Due"), t("状态", "State")],
        due_none: t("本单位没有正在计时的环节。", "No step of your unit is on the clock."),
        chart_data: t("图表数据", "The chart's figures"),
    };
    render(&page)
}
