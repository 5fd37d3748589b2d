//! The aid panel of the case page (the case's aid items with the steps the user may take,
//! and the proposal form) and proposing aid.

use axum::extract::{Path, State};
use jiujinan_app::AppError;
use jiujinan_app::aid::{AidInput, AidView};
use jiujinan_app::auth::Actor;
use jiujinan_app::i18n::Lang;
use jiujinan_app::model::{AidRules, CaseRecord, Fund};
use jiujinan_domain::aid::yuan;
use jiujinan_domain::case::{CaseStatus, yuan_to_fen};
use jiujinan_domain::lead::HardshipType;
use jiujinan_domain::policy::Permission;
use serde::Deserialize;

use crate::AppState;
use crate::context::Ctx;
use crate::errors::{PageError, PageResult};
use crate::i18n::{Aid, catalogue, labels};
use crate::pages::form::{Form, redirect_after};
use crate::pages::unit_names::UnitNames;
use crate::view::{Choice, beijing_time};

/// An aid item as the case page shows it.
pub struct AidRow {
    pub id: String,
    pub kind: &'static str,
    pub aid_type: &'static str,
    pub cause: &'static str,
    pub amount: String,
    pub proposed: String,
    pub calculation: String,
    /// Placeholder rules that gave the amount, as (code, mark).
    pub amount_placeholders: Vec<(&'static str, &'static str)>,
    /// The mark when a placeholder ceiling decided the approving level.
    pub level_placeholder: Option<&'static str>,
    pub change_reason: String,
    pub special: bool,
    pub level: &'static str,
    pub status_code: String,
    pub status: &'static str,
    pub fund: String,
    pub delivery: String,
    pub refusal: String,
    pub opinions: Vec<(&'static str, String, String, String)>,
    pub version: i64,
    pub can_review: bool,
    pub can_approve: bool,
    pub can_pay: bool,
    pub can_reverse: bool,
    pub can_cancel: bool,
    /// Why a step is not offered (separation of duties), or empty.
    pub separated: String,
    /// Steps one person took under a rule exception, as shown on the item.
    pub shared: Vec<&'static str>,
}

/// The aid panel of the case page.
pub struct AidPanel {
    pub a: &'static Aid,
    pub rows: Vec<AidRow>,
    pub funds: Vec<(String, String)>,
    pub causes: Vec<Choice>,
    pub standard: String,
    pub standard_placeholder: bool,
    pub can_propose: bool,
    /// Aid-first actions of the case waiting for their paperwork (id, label).
    pub aid_first: Vec<(String, String)>,
    /// The kinds of aid and the ways of paying, as (code, label in the page's language).
    pub kinds: Vec<(&'static str, &'static str)>,
    pub methods: Vec<(&'static str, &'static str)>,
    /// The two types of temporary assistance, (code, label).
    pub aid_types: Vec<(&'static str, &'static str)>,
    /// Each tier with what it gives under each type in force, e.g. "1 档：急难型 1 个月；支出型
    /// 2 个月（待确认）", so a tier's months are never a surprise.
    pub tiers: Vec<(i64, String)>,
}

/// The tiers in force at `now` and what each gives per type of aid.
fn tier_choices(rules: &AidRules, now: i64, lang: Lang) -> Vec<(i64, String)> {
    let mut numbers: Vec<i64> = rules.tiers.iter().filter(|t| t.effective_from <= now).map(|t| t.tier).collect();
    numbers.sort_unstable();
    numbers.dedup();
    let zh = lang == Lang::Zh;
    numbers
        .into_iter()
        .map(|n| {
            let parts: Vec<String> = ["emergency", "expenditure"]
                .iter()
                .filter_map(|ty| {
                    let t = rules
                        .tiers
                        .iter()
                        .filter(|t| t.aid_type == *ty && t.tier == n && t.effective_from <= now)
                        .max_by_key(|t| t.effective_from)?;
                    let unconfirmed = if !t.placeholder {
                        ""
                    } else if zh {
                        "（待确认）"
                    } else {
                        " (to be confirmed)"
                    };
                    Some(if zh {
                        format!("{} {} 个月{unconfirmed}", labels::aid(ty, lang), t.months)
                    } else {
                        format!("{} {} month(s){unconfirmed}", labels::aid(ty, lang), t.months)
                    })
                })
                .collect();
            let sep = if zh { "；" } else { "; " };
            let label =
                if zh { format!("{n} 档：{}", parts.join(sep)) } else { format!("Tier {n}: {}", parts.join(sep)) };
            (n, label)
        })
        .collect()
}

/// What a row needs besides the item: who looks, the funds, the rules, the units' names.
struct RowCtx<'a> {
    actor: &'a Actor,
    funds: &'a [Fund],
    rules: &'a AidRules,
    units: &'a UnitNames,
    now: i64,
    lang: Lang,
}

fn row(v: AidView, cx: &RowCtx<'_>) -> AidRow {
    let RowCtx { actor, funds, rules, units, now, lang } = *cx;
    let history = v.duty_history();
    let allowed = jiujinan_app::App::duty_exceptions_in_force(rules, &v.item.division, now);
    let i = v.item;
    let steps = actor.principal().aid_steps_of(i.status, i.required_level, &actor.username, &history, &allowed);
    let (amount_placeholders, level_placeholder) = labels::placeholder_marks(&i.placeholders, lang);
    AidRow {
        amount_placeholders,
        level_placeholder,
        kind: labels::aid(i.kind.code(), lang),
        aid_type: labels::aid(i.aid_type.code(), lang),
        cause: labels::hardship(&i.cause, lang),
        amount: yuan(i.amount_fen),
        proposed: yuan(i.proposed_fen),
        calculation: i.calculation.clone(),
        change_reason: i.change_reason.clone(),
        special: i.special,
        level: labels::aid(i.required_level.code(), lang),
        status: labels::aid(i.status.code(), lang),
        fund: funds.iter().find(|f| f.id == i.fund_id).map(|f| f.name.clone()).unwrap_or_else(|| i.fund_id.clone()),
        delivery: if i.delivery_method.is_empty() {
            String::new()
        } else {
            format!("{} · {}", labels::delivery(&i.delivery_method, lang), i.delivery_ref)
        },
        refusal: i.refusal_reason.clone(),
        opinions: v
            .approvals
            .into_iter()
            .map(|o| {
                (
                    labels::aid(&o.step, lang),
                    format!("{} {}", units.name(&o.unit), o.actor),
                    o.opinion,
                    beijing_time(o.at_ms),
                )
            })
            .collect(),
        can_review: steps.review,
        can_approve: steps.approve,
        can_pay: steps.pay,
        can_reverse: steps.reverse,
        can_cancel: steps.cancel,
        separated: steps.separated.map(|e| labels::duty_separated(e, lang)).unwrap_or_default(),
        shared: history.shared().into_iter().map(|e| labels::duty_shared(e, lang)).collect(),
        status_code: i.status.code().into(),
        version: i.version,
        id: i.id,
    }
}

/// The aid panel for a case the actor may see.
pub async fn panel(state: &AppState, ctx: &Ctx, case: &CaseRecord) -> Result<AidPanel, PageError> {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let a = &catalogue(lang).aid;
    let items = state.app.aid_of_case(&case.id).await?;
    let funds = state.app.funds_for_case(actor, case).await?;
    let rules = state.app.aid_rules().await?;
    let standard = jiujinan_app::App::standard_in_force(&rules, &case.division, state.app.now_ms());
    let covers = jiujinan_domain::org::DivisionCode::parse(&case.division).is_ok_and(|d| actor.jurisdiction.covers(&d));
    let aid_first: Vec<(String, String)> = state
        .app
        .aid_first_waiting(&case.id)
        .await?
        .into_iter()
        .map(|a| {
            let label = format!("{} {} {}", labels::route("aid_first", lang), yuan(a.amount_fen), a.request);
            (a.id, label)
        })
        .collect();
    let usable: Vec<(String, String)> = funds
        .iter()
        .filter(|f| case.division.starts_with(&f.division))
        .map(|f| (f.id.clone(), format!("{}（{} {}）", f.name, a.available, yuan(f.available_fen))))
        .collect();
    let units =
        UnitNames::load(state, items.iter().flat_map(|v| v.approvals.iter().map(|o| o.unit.clone())).collect()).await;
    let cx = RowCtx { actor, funds: &funds, rules: &rules, units: &units, now: state.app.now_ms(), lang };
    Ok(AidPanel {
        a,
        rows: items.into_iter().map(|v| row(v, &cx)).collect(),
        causes: case
            .hardship_types
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|h| Choice {
                code: HardshipType::parse(h).map(|t| t.code()).unwrap_or("OTHER_URGENT"),
                label: labels::hardship(h, lang),
                selected: false,
            })
            .collect(),
        standard: standard.map(|s| yuan(s.amount_fen)).unwrap_or_default(),
        standard_placeholder: standard.is_some_and(|s| s.placeholder),
        can_propose: covers
            && (case.status == CaseStatus::Reviewed || (!aid_first.is_empty() && case.status != CaseStatus::Closed))
            && actor.may(Permission::HandleAid)
            && !usable.is_empty(),
        funds: usable,
        aid_first,
        kinds: ["cash", "in_kind", "service", "medical"].into_iter().map(|k| (k, labels::aid(k, lang))).collect(),
        methods: ["bank", "cash", "goods"].into_iter().map(|m| (m, labels::delivery(m, lang))).collect(),
        aid_types: ["emergency", "expenditure"].into_iter().map(|t| (t, labels::aid(t, lang))).collect(),
        tiers: tier_choices(&rules, state.app.now_ms(), lang),
    })
}

/// The proposal form of the case page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProposalForm {
    kind: String,
    aid_type: String,
    cause: String,
    /// A number of months of the standard; anything else counts as none.
    tier: String,
    description: String,
    /// Yuan as typed; empty for the computed amount.
    amount: String,
    change_reason: String,
    special: bool,
    fund_id: String,
    action_id: String,
}

impl ProposalForm {
    fn input(self) -> Result<AidInput, AppError> {
        let amount_fen = match self.amount.trim() {
            "" => None,
            s => Some(yuan_to_fen(s).map_err(AppError::Validation)?),
        };
        Ok(AidInput {
            kind: self.kind,
            aid_type: self.aid_type,
            cause: self.cause,
            tier: self.tier.parse().unwrap_or(0),
            description: self.description,
            amount_fen,
            change_reason: self.change_reason,
            special: self.special,
            fund_id: self.fund_id,
            action_id: self.action_id,
        })
    }
}

/// Proposes an aid item on a case.
pub async fn propose_aid(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ProposalForm>,
) -> PageResult {
    let actor = ctx.user()?;
    let r = match f.input() {
        Ok(input) => state.app.propose_aid(actor, &id, input).await,
        Err(e) => Err(e),
    };
    redirect_after(&format!("/cases/{id}"), r)
}
