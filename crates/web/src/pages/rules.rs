//! Rule data pages for administrators: the programme catalogue, time limits with effective
//! dates, and the working-day calendar. Others may read them.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use jiujinan_app::AppError;
use jiujinan_app::i18n::Lang;
use jiujinan_app::rules::RuleInput;
use jiujinan_app::rules::programmes::ProgrammeInput;
use jiujinan_domain::case::yuan_to_fen;
use serde::Deserialize;

use super::form::{Flash, Form, redirect_after};
use crate::AppState;
use crate::context::Ctx;
use crate::errors::PageResult;
use crate::i18n::{Dispositions, Rules, catalogue, labels};
use crate::view::{Chrome, beijing_time, render};

/// The routes of the rule data page.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/rules", get(show))
        .route("/admin/rules/limits", post(add_limit))
        .route("/admin/rules/calendar", post(set_day))
        .route("/admin/rules/standards", post(add_standard))
        .route("/admin/rules/programmes", post(add_programme))
        .route("/admin/rules/ceilings", post(add_ceiling))
        .route("/admin/rules/tiers", post(add_tier))
        .route("/admin/rules/frequency", post(add_frequency))
        .route("/admin/rules/duties", post(add_duties))
}

struct LimitRow {
    route: &'static str,
    step: &'static str,
    to_kind: String,
    limit: String,
    warn_hours: i64,
    escalate: i64,
    from: String,
    placeholder: bool,
    source: String,
}

struct DayRow {
    day: String,
    workday: bool,
    name: String,
    placeholder: bool,
}

struct ProgrammeRow {
    code: String,
    name: String,
    department: &'static str,
    level: String,
    route: &'static str,
    placeholder: bool,
    source: String,
}

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage {
    c: Chrome,
    d: &'static Dispositions,
    r: &'static Rules,
    limits: Vec<LimitRow>,
    days: Vec<DayRow>,
    programmes: Vec<ProgrammeRow>,
    kinds: Vec<(&'static str, &'static str)>,
    standards: Vec<(String, String, String, bool, String)>,
    aid_rules: Vec<(String, String, bool, String)>,
    /// City administrators: every form (city-wide rule data).
    is_admin: bool,
    /// May add separation-of-duties exceptions (for streets at least).
    edits_duties: bool,
    /// The pairs of steps an exception may name, with their labels.
    duty_pairs: Vec<(&'static str, &'static str)>,
    /// City and district administrators: the standard form (a district its own standard).
    edits_standards: bool,
    /// The region the standard form starts with: Beijing for the city, else the district.
    standard_region: String,
    routes: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    saved: bool,
}

/// The rule data.
pub async fn show(State(state): State<AppState>, ctx: Ctx, Query(f): Query<Flash>) -> PageResult {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let d = &catalogue(lang).dispositions;
    let rm = &catalogue(lang).rules;
    let limits = state.app.deadline_rules().await?;
    let days = state.app.calendar_days().await?;
    let programmes = state.app.programmes_in_force().await?;
    let aid = state.app.aid_rules().await?;
    let date = |ms: i64| if ms == 0 { "—".to_owned() } else { beijing_time(ms).chars().take(10).collect() };
    let standards = aid
        .standards
        .iter()
        .rev()
        .map(|s| {
            (
                s.region.clone(),
                date(s.effective_from),
                jiujinan_domain::aid::yuan(s.amount_fen),
                s.placeholder,
                s.source.clone(),
            )
        })
        .collect();
    let mut aid_rules: Vec<(String, String, bool, String)> = Vec::new();
    for t in &aid.tiers {
        aid_rules.push((
            format!("{} {} · {}", labels::aid(&t.aid_type, lang), t.tier, date(t.effective_from)),
            format!("{} × 标准", t.months),
            t.placeholder,
            t.source.clone(),
        ));
    }
    for a in &aid.authority {
        aid_rules.push((
            format!("{} · {} · {}", a.programme, labels::aid(&a.level, lang), date(a.effective_from)),
            format!("≤ {}", jiujinan_domain::aid::yuan(a.max_fen)),
            a.placeholder,
            a.source.clone(),
        ));
    }
    for f in &aid.frequency {
        aid_rules.push((
            format!("{} · {}", f.programme, date(f.effective_from)),
            format!("{} / 年", f.max_per_year),
            f.placeholder,
            f.source.clone(),
        ));
    }
    for p in &aid.publicity {
        aid_rules.push((
            format!("{} · {} · 公示", p.programme, labels::aid(&p.aid_type, lang)),
            if p.required { format!("{} 天: {}", p.days, p.fields) } else { "—".into() },
            p.placeholder,
            p.source.clone(),
        ));
    }
    for m in &aid.money_limits {
        aid_rules.push((
            format!("{} · {}", labels::aid(&m.operation, lang), date(m.effective_from)),
            format!("≤ {}", jiujinan_domain::aid::yuan(m.max_fen)),
            m.placeholder,
            m.source.clone(),
        ));
    }
    for d in &aid.duty_rules {
        let allowed = jiujinan_domain::duties::DutyException::parse_list(&d.allowed).unwrap_or_default();
        aid_rules.push((
            format!("{} · {}", d.division, date(d.effective_from)),
            if allowed.is_empty() {
                rm.duties_strict.to_owned()
            } else {
                allowed.iter().map(|e| labels::duty_shared(*e, lang)).collect::<Vec<_>>().join("；")
            },
            d.placeholder,
            d.source.clone(),
        ));
    }
    let step_code = |r: &str, s: &str| format!("{r}.{s}");
    let page = RulesPage {
        c: Chrome::new(&ctx),
        d,
        r: rm,
        limits: limits
            .into_iter()
            .map(|r| LimitRow {
                route: if r.route == "case" { d.followup } else { labels::route(&r.route, lang) },
                step: labels::deadline_step(&step_code(&r.route, &r.step), lang),
                to_kind: if r.to_kind == "*" {
                    "*".into()
                } else {
                    crate::i18n::kind_text(&r.to_kind, lang).to_owned()
                },
                limit: format!("{} {}", r.amount, if r.unit == "hours" { rm.hours } else { rm.working_days }),
                warn_hours: r.warn_hours,
                escalate: r.escalate_after_days,
                from: if r.effective_from == 0 {
                    "—".into()
                } else {
                    beijing_time(r.effective_from).chars().take(10).collect()
                },
                placeholder: r.placeholder,
                source: r.source,
            })
            .collect(),
        days: days
            .into_iter()
            .map(|x| DayRow {
                day: format!("{}-{:02}-{:02}", x.day / 10_000, x.day / 100 % 100, x.day % 100),
                workday: x.workday,
                name: x.name,
                placeholder: x.placeholder,
            })
            .collect(),
        programmes: programmes
            .into_iter()
            .map(|p| ProgrammeRow {
                name: if lang == Lang::Zh { p.name_zh } else { p.name_en },
                department: if p.department.is_empty() { "—" } else { crate::i18n::kind_text(&p.department, lang) },
                level: p.level,
                route: labels::route(&p.route, lang),
                placeholder: p.placeholder,
                source: p.source,
                code: p.code,
            })
            .collect(),
        kinds: jiujinan_domain::org::UnitKind::ALL
            .iter()
            .filter(|k| !matches!(k, jiujinan_domain::org::UnitKind::Government))
            .map(|k| (k.code(), crate::i18n::kind_text(k.code(), lang)))
            .collect(),
        standards,
        aid_rules,
        is_admin: actor.principal().edits_rules_at(jiujinan_domain::org::DivisionLevel::City),
        edits_standards: actor.may(jiujinan_domain::policy::Permission::EditRules),
        duty_pairs: jiujinan_domain::duties::DutyException::ALL
            .iter()
            .map(|e| (e.code(), labels::duty_shared(*e, lang)))
            .collect(),
        edits_duties: actor.principal().edits_duty_exceptions_at(jiujinan_domain::org::DivisionLevel::Street),
        standard_region: actor.jurisdiction.division.to_string(),
        routes: jiujinan_domain::case::Route::ALL
            .iter()
            .map(|r| (r.code(), labels::route(r.code(), lang)))
            .chain([("case", d.followup)])
            .collect(),
        error: f.error(lang),
        saved: f.saved(),
    };
    render(&page)
}

/// A time limit to add.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LimitForm {
    route: String,
    step: String,
    to_kind: String,
    unit: String,
    /// Whole numbers as typed; anything else is refused by the use case.
    amount: String,
    warn_hours: String,
    escalate_after_days: String,
    effective_from: String,
    source: String,
    apply_to_running: bool,
}

/// A whole number as typed, or `or` when it is not one.
fn number(s: &str, or: i64) -> i64 {
    s.trim().parse().unwrap_or(or)
}

/// Adds a time limit.
pub async fn add_limit(State(state): State<AppState>, ctx: Ctx, Form(f): Form<LimitForm>) -> PageResult {
    let actor = ctx.user()?;
    let input = RuleInput {
        amount: number(&f.amount, -1),
        warn_hours: number(&f.warn_hours, -1).max(0),
        escalate_after_days: number(&f.escalate_after_days, -1).max(0),
        route: f.route,
        step: f.step,
        to_kind: f.to_kind,
        unit: f.unit,
        effective_from: f.effective_from,
        source: f.source,
        apply_to_running: f.apply_to_running,
    };
    redirect_after("/admin/rules", state.app.add_deadline_rule(actor, input).await)
}

/// A dated amount of a region (低保 standard) or of a level (approval ceiling).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AmountForm {
    region: String,
    level: String,
    effective_from: String,
    /// Yuan as typed.
    amount: String,
    source: String,
}

/// Adds a dated 低保 standard.
pub async fn add_standard(State(state): State<AppState>, ctx: Ctx, Form(f): Form<AmountForm>) -> PageResult {
    let actor = ctx.user()?;
    let r = match yuan_to_fen(&f.amount) {
        Ok(amount) => state.app.add_standard(actor, &f.region, &f.effective_from, amount, &f.source).await,
        Err(e) => Err(AppError::Validation(e)),
    };
    redirect_after("/admin/rules", r)
}

/// Adds a dated approval ceiling of a level.
pub async fn add_ceiling(State(state): State<AppState>, ctx: Ctx, Form(f): Form<AmountForm>) -> PageResult {
    let actor = ctx.user()?;
    let r = match yuan_to_fen(&f.amount) {
        Ok(amount) => state.app.add_ceiling(actor, &f.level, &f.effective_from, amount, &f.source).await,
        Err(e) => Err(AppError::Validation(e)),
    };
    redirect_after("/admin/rules", r)
}

/// A dated tier of temporary assistance.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TierForm {
    aid_type: String,
    tier: String,
    months: String,
    effective_from: String,
    source: String,
}

/// Adds a dated tier of temporary assistance.
pub async fn add_tier(State(state): State<AppState>, ctx: Ctx, Form(f): Form<TierForm>) -> PageResult {
    let actor = ctx.user()?;
    let (tier, months) = (number(&f.tier, 0), number(&f.months, 0));
    let r = state.app.add_tier(actor, &f.aid_type, tier, months, &f.effective_from, &f.source).await;
    redirect_after("/admin/rules", r)
}

/// A dated frequency limit.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FrequencyForm {
    max_per_year: String,
    effective_from: String,
    source: String,
}

/// Adds a dated frequency limit.
pub async fn add_frequency(State(state): State<AppState>, ctx: Ctx, Form(f): Form<FrequencyForm>) -> PageResult {
    let actor = ctx.user()?;
    let r = state.app.add_frequency(actor, number(&f.max_per_year, 0), &f.effective_from, &f.source).await;
    redirect_after("/admin/rules", r)
}

/// A dated separation-of-duties exception of a street or district.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DutiesForm {
    division: String,
    effective_from: String,
    /// One pair of steps (`review_approve`, …) or empty for strict.
    allowed: String,
    source: String,
}

/// Adds a dated separation-of-duties exception.
pub async fn add_duties(State(state): State<AppState>, ctx: Ctx, Form(f): Form<DutiesForm>) -> PageResult {
    let actor = ctx.user()?;
    let r = state.app.add_duty_rule(actor, &f.division, &f.effective_from, &f.allowed, &f.source).await;
    redirect_after("/admin/rules", r)
}

/// A version of a programme; empty fields keep the current version's values.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProgrammeForm {
    code: String,
    name_zh: String,
    name_en: String,
    department: String,
    level: String,
    route: String,
    hardship_types: String,
    reason_zh: String,
    reason_en: String,
    effective_from: String,
    source: String,
}

/// Adds a version of a programme (empty fields keep the current version's values).
pub async fn add_programme(State(state): State<AppState>, ctx: Ctx, Form(f): Form<ProgrammeForm>) -> PageResult {
    let actor = ctx.user()?;
    let input = ProgrammeInput {
        code: f.code,
        name_zh: f.name_zh,
        name_en: f.name_en,
        department: f.department,
        level: f.level,
        route: f.route,
        hardship_types: f.hardship_types,
        reason_zh: f.reason_zh,
        reason_en: f.reason_en,
        effective_from: f.effective_from,
        source: f.source,
    };
    redirect_after("/admin/rules", state.app.add_programme_version(actor, input).await)
}

/// A calendar day to set (`kind`: `workday` or `holiday`) or remove (`remove`).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DayForm {
    day: String,
    kind: String,
    name: String,
}

/// Sets or removes a calendar day.
pub async fn set_day(State(state): State<AppState>, ctx: Ctx, Form(f): Form<DayForm>) -> PageResult {
    let actor = ctx.user()?;
    let entry = match f.kind.as_str() {
        "remove" => None,
        k => Some((k == "workday", f.name.as_str())),
    };
    redirect_after("/admin/rules", state.app.set_calendar_day(actor, &f.day, entry).await)
}
