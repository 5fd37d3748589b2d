//! Rule data pages for administrators: the programme catalogue, time limits with effective
//! dates, and the working-day calendar. Others may read them.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::Response;
use jiujinan_app::AppError;
use jiujinan_app::i18n::Lang;
use jiujinan_app::programmes::ProgrammeInput;
use jiujinan_app::rules::RuleInput;
use jiujinan_domain::user::Role;

use super::dispositions::{Flash, flash_error};
use super::form::{get, pairs, redirect_after};
use crate::AppState;
use crate::context::Ctx;
use crate::errors::{PageError, WithCtx};
use crate::i18n::labels;
use crate::i18n::{Dispositions, Rules, catalogue};
use crate::view::{Chrome, beijing_time, render};

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
    is_admin: bool,
    routes: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    saved: bool,
}

/// The rule data.
pub async fn show(State(state): State<AppState>, ctx: Ctx, Query(f): Query<Flash>) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let d = &catalogue(lang).dispositions;
    let rm = &catalogue(lang).rules;
    let now = state.app.now_ms();
    let limits = state.app.deadline_rules().await.ctx(&ctx)?;
    let days = state.app.calendar_days().await.ctx(&ctx)?;
    let programmes = state.app.store.programmes(now).await.map_err(AppError::from).ctx(&ctx)?;
    let aid = state.app.aid_rules().await.ctx(&ctx)?;
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
        is_admin: actor.role == Role::Admin,
        routes: jiujinan_domain::case::Route::ALL
            .iter()
            .map(|r| (r.code(), labels::route(r.code(), lang)))
            .chain([("case", d.followup)])
            .collect(),
        error: flash_error(f.error(), lang),
        saved: f.saved(),
    };
    render(&page, &ctx)
}

/// Adds a time limit.
pub async fn add_limit(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let p = pairs(&body);
    let num = |k: &str| get(&p, k).trim().parse::<i64>().unwrap_or(-1);
    let input = RuleInput {
        route: get(&p, "route").into(),
        step: get(&p, "step").into(),
        to_kind: get(&p, "to_kind").into(),
        unit: get(&p, "unit").into(),
        amount: num("amount"),
        warn_hours: num("warn_hours").max(0),
        escalate_after_days: num("escalate_after_days").max(0),
        effective_from: get(&p, "effective_from").into(),
        source: get(&p, "source").into(),
        apply_to_running: !get(&p, "apply_to_running").is_empty(),
    };
    let r = state.app.add_deadline_rule(actor, input).await.map(|_| ());
    redirect_after("/admin/rules", r, &ctx)
}

/// Adds a dated 低保 standard.
pub async fn add_standard(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let p = pairs(&body);
    let r = async {
        let amount = jiujinan_domain::case::yuan_to_fen(get(&p, "amount")).map_err(AppError::Validation)?;
        state.app.add_standard(actor, get(&p, "region"), get(&p, "effective_from"), amount, get(&p, "source")).await
    }
    .await;
    redirect_after("/admin/rules", r, &ctx)
}

/// Adds a dated approval ceiling of a level.
pub async fn add_ceiling(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let p = pairs(&body);
    let r = async {
        let amount = jiujinan_domain::case::yuan_to_fen(get(&p, "amount")).map_err(AppError::Validation)?;
        state.app.add_ceiling(actor, get(&p, "level"), get(&p, "effective_from"), amount, get(&p, "source")).await
    }
    .await;
    redirect_after("/admin/rules", r, &ctx)
}

/// Adds a dated tier of temporary assistance.
pub async fn add_tier(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let p = pairs(&body);
    let num = |k: &str| get(&p, k).trim().parse::<i64>().unwrap_or(0);
    let r = state
        .app
        .add_tier(actor, get(&p, "aid_type"), num("tier"), num("months"), get(&p, "effective_from"), get(&p, "source"))
        .await;
    redirect_after("/admin/rules", r, &ctx)
}

/// Adds a dated frequency limit.
pub async fn add_frequency(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let p = pairs(&body);
    let max = get(&p, "max_per_year").trim().parse::<i64>().unwrap_or(0);
    let r = state.app.add_frequency(actor, max, get(&p, "effective_from"), get(&p, "source")).await;
    redirect_after("/admin/rules", r, &ctx)
}

/// Adds a version of a programme (empty fields keep the current version's values).
pub async fn add_programme(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let p = pairs(&body);
    let input = ProgrammeInput {
        code: get(&p, "code").into(),
        name_zh: get(&p, "name_zh").into(),
        name_en: get(&p, "name_en").into(),
        department: get(&p, "department").into(),
        level: get(&p, "level").into(),
        route: get(&p, "route").into(),
        hardship_types: get(&p, "hardship_types").into(),
        reason_zh: get(&p, "reason_zh").into(),
        reason_en: get(&p, "reason_en").into(),
        effective_from: get(&p, "effective_from").into(),
        source: get(&p, "source").into(),
    };
    let r = state.app.add_programme_version(actor, input).await.map(|_| ());
    redirect_after("/admin/rules", r, &ctx)
}

/// Sets or removes a calendar day.
pub async fn set_day(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Result<Response, PageError> {
    let actor = ctx.user()?;
    let p = pairs(&body);
    let entry = match get(&p, "kind") {
        "remove" => None,
        k => Some((k == "workday", get(&p, "name"))),
    };
    let r = state.app.set_calendar_day(actor, get(&p, "day"), entry).await;
    redirect_after("/admin/rules", r, &ctx)
}
