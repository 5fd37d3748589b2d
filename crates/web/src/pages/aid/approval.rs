//! The approvals inbox and the steps of an aid item after its proposal: review, approve,
//! refuse (with the printable notice), pay, reverse a payment, cancel.

use askama::Template;
use axum::extract::{Path, State};
use jiujinan_app::AppError;
use jiujinan_app::model::AidItem;
use jiujinan_domain::aid::yuan;
use serde::Deserialize;

use crate::AppState;
use crate::context::Ctx;
use crate::errors::PageResult;
use crate::i18n::{Aid, catalogue, labels};
use crate::pages::form::{Form, ReasonForm, back, redirect_after};
use crate::view::{Chrome, beijing_time, render};

struct ApprovalRow {
    id: String,
    case_id: String,
    case_number: String,
    aid_type: &'static str,
    special: bool,
    amount: String,
    level: &'static str,
    calculation: String,
    amount_placeholders: Vec<(&'static str, &'static str)>,
    level_placeholder: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "approvals.html")]
struct ApprovalsPage {
    c: Chrome,
    a: &'static Aid,
    sections: Vec<(&'static str, &'static str, Vec<ApprovalRow>)>,
}

/// Aid items waiting for the user's review or approval.
pub async fn approvals(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    // Approvers see what waits for their review and approval; those who pay, what waits to be
    // paid (a window clerk has only that section).
    let (to_approve, to_review) = if actor.principal().aid_approval_level().is_some() {
        state.app.approvals_inbox(actor).await?
    } else {
        (Vec::new(), Vec::new())
    };
    let pays = actor.may(jiujinan_domain::policy::Permission::HandleAid);
    let to_pay = if pays { state.app.aid_to_pay(actor).await? } else { Vec::new() };
    if !pays && actor.principal().aid_approval_level().is_none() {
        return Err(AppError::Forbidden.into());
    }
    let rows = |v: Vec<AidItem>| -> Vec<ApprovalRow> {
        v.into_iter()
            .map(|i| {
                let (amount_placeholders, level_placeholder) = labels::placeholder_marks(&i.placeholders, lang);
                ApprovalRow {
                    amount_placeholders,
                    level_placeholder,
                    aid_type: labels::aid(i.aid_type.code(), lang),
                    level: labels::aid(i.required_level.code(), lang),
                    amount: yuan(i.amount_fen),
                    special: i.special,
                    id: i.id,
                    case_id: i.case_id,
                    case_number: i.case_number,
                    calculation: i.calculation,
                }
            })
            .collect()
    };
    let a = &catalogue(lang).aid;
    let mut sections = Vec::new();
    if actor.principal().aid_approval_level().is_some() {
        sections.push((a.to_approve, "to-approve", rows(to_approve)));
        sections.push((a.to_review, "to-review", rows(to_review)));
    }
    if pays {
        sections.push((a.to_pay, "to-pay", rows(to_pay)));
    }
    render(&ApprovalsPage { c: Chrome::new(&ctx), a, sections })
}

/// Back to the approvals inbox unless the form names another page (the case page).
fn after(back_to: &str, r: Result<impl Sized, AppError>) -> PageResult {
    redirect_after(&back(back_to, "/approvals"), r)
}

/// A review or approval with its opinion.
#[derive(Deserialize)]
pub struct OpinionForm {
    version: i64,
    #[serde(default)]
    opinion: String,
    #[serde(default)]
    back: String,
}

/// Reviews a proposed item.
pub async fn review_aid(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<OpinionForm>,
) -> PageResult {
    let actor = ctx.user()?;
    after(&f.back, state.app.review_aid(actor, &id, f.version, &f.opinion).await)
}

/// Approves a reviewed item at the level its amount needs.
pub async fn approve_aid(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<OpinionForm>,
) -> PageResult {
    let actor = ctx.user()?;
    after(&f.back, state.app.approve_aid(actor, &id, f.version, &f.opinion).await)
}

/// Refuses an item with the reasons the notice states.
pub async fn refuse_aid(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ReasonForm>,
) -> PageResult {
    let actor = ctx.user()?;
    after(&f.back, state.app.refuse_aid(actor, &id, f.version, &f.reason).await)
}

/// How an approved item was paid.
#[derive(Deserialize)]
pub struct PaymentForm {
    version: i64,
    #[serde(default)]
    method: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    back: String,
}

/// Pays an approved item.
pub async fn pay_aid(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<PaymentForm>,
) -> PageResult {
    let actor = ctx.user()?;
    after(&f.back, state.app.pay_aid(actor, &id, f.version, &f.method, &f.reference).await)
}

/// Reverses a wrong payment.
pub async fn reverse_payment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ReasonForm>,
) -> PageResult {
    let actor = ctx.user()?;
    after(&f.back, state.app.reverse_payment(actor, &id, f.version, &f.reason).await)
}

/// Cancels an item not yet paid.
pub async fn cancel_aid(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ReasonForm>,
) -> PageResult {
    let actor = ctx.user()?;
    after(&f.back, state.app.cancel_aid(actor, &id, f.version, &f.reason).await)
}

#[derive(Template)]
#[template(path = "aid_notice.html")]
struct NoticePage {
    c: Chrome,
    a: &'static Aid,
    case_number: String,
    subject: String,
    reason: String,
    date: String,
}

/// The printable notice of a refusal, with the person's rights (Order 649 Art. 65).
pub async fn notice(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let actor = ctx.user()?;
    let (item, case) = state.app.refusal_notice(actor, &id).await?;
    let page = NoticePage {
        c: Chrome::new(&ctx),
        a: &catalogue(ctx.lang).aid,
        case_number: case.number,
        subject: case.subject_name,
        reason: item.refusal_reason,
        date: beijing_time(item.updated_ms).chars().take(10).collect(),
    };
    render(&page)
}
