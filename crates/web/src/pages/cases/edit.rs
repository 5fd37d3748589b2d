//! The steps that edit a case file: the household form, investigation records, submitting for
//! review, the review opinion, sending back. An expected refusal shows the case page again
//! with the message.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use jiujinan_app::AppError;
use jiujinan_app::calendar::beijing_noon_ms;
use jiujinan_app::cases::MemberInput;
use jiujinan_domain::case::{Economy, MoneyItem, yuan_to_fen};
use serde::Deserialize;

use super::file::case_page;
use crate::AppState;
use crate::context::Ctx;
use crate::errors::PageResult;
use crate::pages::form::{Form, ReasonForm, VersionForm};

/// Rows of household members and of each kind of money item read from the form.
const MAX_ROWS: usize = 20;

/// After a write: back to the case, or the case with the error shown.
async fn after(state: &AppState, ctx: &Ctx, id: &str, r: Result<impl Sized, AppError>) -> PageResult {
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}?saved=1")).into_response()),
        Err(e) if matches!(e.status(), 409 | 422) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::CONFLICT);
            let page = case_page(state, ctx, id, Some(e), false, None, false).await?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The household form: its numbered rows (`member_name_0`, `income_yuan_2` …) and the rest.
#[derive(Deserialize)]
pub struct CaseFileForm {
    version: i64,
    #[serde(default)]
    population: String,
    #[serde(default)]
    economy_note: String,
    #[serde(default)]
    documents_pending: bool,
    /// The numbered fields of the member and money rows.
    #[serde(flatten)]
    rows: BTreeMap<String, String>,
}

impl CaseFileForm {
    fn cell(&self, name: &str, i: usize) -> &str {
        self.rows.get(&format!("{name}_{i}")).map(String::as_str).unwrap_or("")
    }

    /// The members named on the form.
    fn members(&self) -> Vec<MemberInput> {
        (0..MAX_ROWS)
            .map(|i| MemberInput {
                name: self.cell("member_name", i).to_owned(),
                relationship: self.cell("member_rel", i).to_owned(),
                id_number: self.cell("member_id", i).to_owned(),
                living_together: !self.cell("member_live", i).is_empty(),
            })
            .filter(|m| !m.name.trim().is_empty())
            .collect()
    }

    /// The filled money rows of one kind (`income`, `asset`).
    fn money(&self, prefix: &str) -> Result<Vec<MoneyItem>, AppError> {
        let mut out = Vec::new();
        for i in 0..MAX_ROWS {
            let kind = self.cell(&format!("{prefix}_kind"), i).trim().to_owned();
            let amount = self.cell(&format!("{prefix}_yuan"), i).trim();
            if kind.is_empty() && amount.is_empty() {
                continue;
            }
            out.push(MoneyItem { kind, amount_fen: yuan_to_fen(amount).map_err(AppError::Validation)? });
        }
        Ok(out)
    }

    fn economy(&self) -> Result<Economy, AppError> {
        Ok(Economy { income: self.money("income")?, assets: self.money("asset")?, note: self.economy_note.clone() })
    }
}

/// Saves the household part of the file (members, economy, population).
pub async fn save_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<CaseFileForm>,
) -> PageResult {
    let actor = ctx.user()?;
    let r = match f.economy() {
        Ok(economy) => {
            let app = &state.app;
            app.update_case_file(actor, &id, f.version, &f.members(), &economy, &f.population, f.documents_pending)
                .await
        }
        Err(e) => Err(e),
    };
    after(&state, &ctx, &id, r).await
}

/// An investigation record.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InvestigationForm {
    method: String,
    /// The day it was done (Beijing time); empty for today.
    done_at: String,
    findings: String,
}

/// Adds an investigation record.
pub async fn add_investigation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<InvestigationForm>,
) -> PageResult {
    let actor = ctx.user()?;
    let done = match f.done_at.trim() {
        "" => None,
        d => match beijing_noon_ms(d) {
            Some(ms) => Some(ms.min(state.app.now_ms())),
            None => {
                let e = AppError::Validation(jiujinan_domain::ValidationError::new("INVALID_DATE", "done_at"));
                return after(&state, &ctx, &id, Err::<(), _>(e)).await;
            }
        },
    };
    let r = state.app.record_investigation(actor, &id, &f.method, done, &f.findings).await;
    after(&state, &ctx, &id, r).await
}

/// Submits the investigated case for preliminary review.
pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> PageResult {
    let actor = ctx.user()?;
    let r = state.app.submit_for_review(actor, &id, f.version).await;
    after(&state, &ctx, &id, r).await
}

/// The preliminary review: its opinion and the recommended routes (a checkbox group).
#[derive(Deserialize)]
pub struct ReviewForm {
    version: i64,
    #[serde(default)]
    opinion: String,
    #[serde(default)]
    routes: Vec<String>,
}

/// Records the preliminary review opinion and recommended routes.
pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ReviewForm>,
) -> PageResult {
    let actor = ctx.user()?;
    let r = state.app.record_review(actor, &id, f.version, &f.opinion, &f.routes).await;
    after(&state, &ctx, &id, r).await
}

/// Sends the case back for more investigation.
pub async fn send_back(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ReasonForm>,
) -> PageResult {
    let actor = ctx.user()?;
    let r = state.app.send_back(actor, &id, f.version, &f.reason).await;
    after(&state, &ctx, &id, r).await
}
