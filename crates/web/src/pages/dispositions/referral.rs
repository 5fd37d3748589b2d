//! A referral's page and the receiver's answers (accept, return, feed back, record what was
//! done, complete the paperwork of aid first), and the sender's withdrawal.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use jiujinan_app::AppError;
use jiujinan_app::calendar::beijing_noon_ms;
use jiujinan_domain::case::{Route, yuan_to_fen};
use jiujinan_domain::disposition::{ActionStatus, EventKind, Outcome};
use serde::Deserialize;

use super::{ActionRow, action_row};
use crate::AppState;
use crate::context::Ctx;
use crate::errors::PageResult;
use crate::i18n::{Dispositions, catalogue, labels};
use crate::pages::form::{Flash, Form, ReasonForm, VersionForm, back, redirect_after};
use crate::view::{Choice, Chrome, beijing_time, choices, render};

#[derive(Template)]
#[template(path = "referral.html")]
struct ReferralPage {
    c: Chrome,
    d: &'static Dispositions,
    a: ActionRow,
    case_number: String,
    case_id: String,
    subject: String,
    id_number: String,
    hardships: Vec<&'static str>,
    events: Vec<Choice>,
    outcomes: Vec<Choice>,
    error: Option<String>,
    saved: bool,
    today: String,
}

/// A referral (any action) with what the receiver can do; opening it is audited.
pub async fn show_referral(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(f): Query<Flash>,
) -> PageResult {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let now = state.app.now_ms();
    let (view, case) = state.app.action_with_case(actor, &id).await?;
    let ps = state.app.programmes_in_force().await?;
    let row = action_row(&state, view, actor, &ps, now, lang).await;
    // Only the records that belong to this route (a medical referral has no 入站安置 or 返乡).
    let fitting: Vec<EventKind> = EventKind::ALL.iter().copied().filter(|e| e.fits(row.route_value)).collect();
    let (case_number, case_id, subject, id_number, hardships) = case_facts(case, actor, lang);
    let page = ReferralPage {
        c: Chrome::new(&ctx),
        d: &catalogue(lang).dispositions,
        a: row,
        case_number,
        case_id,
        subject,
        id_number,
        hardships,
        events: choices(&fitting, EventKind::code, |c| labels::event_kind(c, lang)),
        outcomes: choices(Outcome::ALL, Outcome::code, |c| labels::outcome(c, lang)),
        error: f.error(lang),
        saved: f.saved(),
        today: beijing_time(now).chars().take(10).collect(),
    };
    let status = if page.error.is_some() { StatusCode::CONFLICT } else { StatusCode::OK };
    Ok((status, render(&page)?).into_response())
}

/// The case as a referral shows it: number, id, the person (name masked for those who may not
/// see it, ID number always masked: the full one is on the case file, where reading is audited)
/// and the hardships by name.
pub(super) fn case_facts(
    case: Option<jiujinan_app::model::CaseRecord>,
    actor: &jiujinan_app::auth::Actor,
    lang: jiujinan_app::i18n::Lang,
) -> (String, String, String, String, Vec<&'static str>) {
    use jiujinan_domain::pii::{Blind, mask};
    let Some(c) = case else { return Default::default() };
    let subject = if actor.may(jiujinan_domain::policy::Permission::RevealPersonalData) {
        c.subject_name
    } else {
        mask(Blind::Name, &c.subject_name)
    };
    let id_number = c.subject_id_number.map(|n| mask(Blind::IdNumber, &n)).unwrap_or_default();
    let hardships = c.hardship_types.split(',').filter(|s| !s.is_empty()).map(|h| labels::hardship(h, lang)).collect();
    (c.number, c.id, subject, id_number, hardships)
}

/// Back to the referral page unless the form names another page.
fn after(id: &str, back_to: &str, r: Result<impl Sized, AppError>) -> PageResult {
    redirect_after(&back(back_to, &format!("/referrals/{id}")), r)
}

/// The receiver accepts: its acceptance clock stops and the feedback clock starts.
pub async fn accept_referral(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> PageResult {
    let actor = ctx.user()?;
    after(&id, &f.back, state.app.accept_action(actor, &id, f.version).await)
}

/// The receiver returns the referral to the sender with its reason.
pub async fn return_referral(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ReasonForm>,
) -> PageResult {
    let actor = ctx.user()?;
    after(&id, &f.back, state.app.return_action(actor, &id, f.version, &f.reason).await)
}

/// The result the receiver feeds back.
#[derive(Deserialize)]
pub struct FeedbackForm {
    version: i64,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    detail: String,
    /// Yuan as typed; empty for none.
    #[serde(default)]
    amount: String,
    #[serde(default)]
    back: String,
}

/// The receiver feeds back the result, closing the loop.
pub async fn feed_back(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<FeedbackForm>,
) -> PageResult {
    let actor = ctx.user()?;
    let amount = match f.amount.trim() {
        "" => Ok(0),
        s => yuan_to_fen(s).map_err(AppError::Validation),
    };
    let r = match amount {
        Ok(amount) => state.app.feed_back(actor, &id, f.version, &f.outcome, &f.detail, amount).await,
        Err(e) => Err(e),
    };
    after(&id, &f.back, r)
}

/// A versioned step with a free-text detail.
#[derive(Deserialize)]
pub struct DetailForm {
    version: i64,
    #[serde(default)]
    detail: String,
    #[serde(default)]
    back: String,
}

/// The paperwork of aid first is completed.
pub async fn complete_paperwork(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<DetailForm>,
) -> PageResult {
    let actor = ctx.user()?;
    after(&id, &f.back, state.app.complete_paperwork(actor, &id, f.version, &f.detail).await)
}

/// The sender withdraws the action.
pub async fn cancel_referral(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ReasonForm>,
) -> PageResult {
    let actor = ctx.user()?;
    after(&id, &f.back, state.app.cancel_action(actor, &id, f.version, &f.reason).await)
}

/// Something done on the referral (a stay in the shelter, a ticket home …).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EventForm {
    kind: String,
    /// The day it happened (Beijing time); empty for now.
    at: String,
    detail: String,
    back: String,
}

/// Records something done on the referral.
pub async fn record_event(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<EventForm>,
) -> PageResult {
    let actor = ctx.user()?;
    let app = &state.app;
    let at = match f.at.trim() {
        "" => Ok(None),
        d => beijing_noon_ms(d)
            .map(|t| Some(t.min(app.now_ms())))
            .ok_or_else(|| AppError::Validation(jiujinan_domain::ValidationError::new("INVALID_DATE", "at"))),
    };
    let r = match at {
        Ok(at) => app.record_event(actor, &id, &f.kind, at, &f.detail).await,
        Err(e) => Err(e),
    };
    after(&id, &f.back, r)
}
