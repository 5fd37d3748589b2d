//! The referral letter (转介单) for paper: what the sending unit asks of the receiving unit,
//! for whom (the name, which the receiver needs; the ID number masked), by when, and a receipt
//! to sign, on one A4 page with no form controls. Opening it is the same audited read as the
//! referral's page. A withdrawn or returned referral says so at the top.

use askama::Template;
use axum::extract::{Path, State};
use jiujinan_domain::disposition::ActionStatus;

use super::referral::case_facts;
use super::{ActionRow, action_row};
use crate::AppState;
use crate::context::Ctx;
use crate::errors::PageResult;
use crate::i18n::{Dispositions, catalogue};
use crate::view::{Chrome, beijing_time, render};

#[derive(Template)]
#[template(path = "referral_letter.html")]
struct LetterPage {
    c: Chrome,
    d: &'static Dispositions,
    a: ActionRow,
    case_number: String,
    subject: String,
    id_number: String,
    hardships: Vec<&'static str>,
    /// The day the referral was sent and the day the letter is printed (Beijing dates).
    sent: String,
    printed: String,
    words: &'static LetterWords,
}

/// The letter's own words.
pub struct LetterWords {
    pub title: &'static str,
    pub to: &'static str,
    pub body: &'static str,
    pub sent_on: &'static str,
    pub time_limits: &'static str,
    pub receipt: &'static str,
    pub receiver_sign: &'static str,
    pub date: &'static str,
    pub seal: &'static str,
    pub printed_on: &'static str,
    pub back: &'static str,
    /// Said on a withdrawn or returned referral: the letter asks nothing of the receiver.
    pub void: &'static str,
}

const ZH: LetterWords = LetterWords {
    title: "救急难转介单",
    to: "致",
    body: "根据京民社救发〔2014〕257号“一门受理、协同办理”的要求，现将以下求助事项转介贵单位，请在时限内接收办理，并将办理结果反馈转出单位。",
    sent_on: "转介日期",
    time_limits: "办理时限",
    receipt: "接收回执",
    receiver_sign: "接收人（签字）",
    date: "日期",
    seal: "接收单位（盖章）",
    printed_on: "打印日期",
    back: "返回转办",
    void: "本转介已不再有效，不作为办理依据",
};

const EN: LetterWords = LetterWords {
    title: "Referral letter",
    to: "To",
    body: "Under notice 京民社救发〔2014〕257号 (one door, joint handling), the request below is referred to your unit: please accept it within the time limit, handle it and report the result to the sending unit.",
    sent_on: "Sent on",
    time_limits: "Time limits",
    receipt: "Receipt",
    receiver_sign: "Received by (signature)",
    date: "Date",
    seal: "Receiving unit (seal)",
    printed_on: "Printed on",
    back: "Back to the referral",
    void: "This referral is no longer in force: it asks nothing of the receiver",
};

/// The referral letter, laid out for printing.
pub async fn letter(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let actor = ctx.user()?;
    let lang = ctx.lang;
    let now = state.app.now_ms();
    let (view, case) = state.app.action_with_case(actor, &id).await?;
    let sent = beijing_time(view.action.created_ms).chars().take(10).collect();
    let ps = state.app.programmes_in_force().await?;
    let a = action_row(&state, view, actor, &ps, now, lang).await;
    let (case_number, _, subject, id_number, hardships) = case_facts(case, actor, lang);
    let page = LetterPage {
        c: Chrome::new(&ctx),
        d: &catalogue(lang).dispositions,
        a,
        case_number,
        subject,
        id_number,
        hardships,
        sent,
        printed: beijing_time(now).chars().take(10).collect(),
        words: if lang == jiujinan_app::i18n::Lang::Zh { &ZH } else { &EN },
    };
    render(&page)
}
