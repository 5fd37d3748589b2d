//! Disposition pages. An *action* is one of the six disposition routes taken on a case (the
//! panel on the case page creates and lists them); a *referral* is an action as its receiving
//! unit sees and answers it (the inbox, the referral page). See
//! docs/adr/0015-referral-and-action.md.

mod clock;
mod closure;
mod create;
mod inbox;
mod letter;
mod referral;
mod supervision;

use axum::Router;
use axum::routing::{get, post};
use jiujinan_app::auth::Actor;
use jiujinan_app::dispositions::{ActionView, answering_unit};
use jiujinan_app::i18n::Lang;
use jiujinan_app::model::{DeadlineRecord, Programme, SupervisionRecord};
use jiujinan_domain::aid::yuan;
use jiujinan_domain::case::Route;
use jiujinan_domain::disposition::{ActionStatus, DecisionStatus};
use jiujinan_domain::policy::Permission;

pub use create::{Panel, panel};

use crate::AppState;
use crate::i18n::labels;
use crate::pages::unit_names::UnitNames;
use crate::view::beijing_time;

/// The routes of the disposition pages, one per step.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/actions", post(create::create_action))
        .route("/cases/{id}/close", post(closure::close_case))
        .route("/cases/{id}/reopen", post(closure::reopen_case))
        .route("/cases/{id}/followup", post(closure::record_followup))
        .route("/referrals", get(inbox::inbox))
        .route("/referrals/{id}", get(referral::show_referral))
        .route("/referrals/{id}/letter", get(letter::letter))
        .route("/referrals/{id}/accept", post(referral::accept_referral))
        .route("/referrals/{id}/return", post(referral::return_referral))
        .route("/referrals/{id}/feedback", post(referral::feed_back))
        .route("/referrals/{id}/paperwork", post(referral::complete_paperwork))
        .route("/referrals/{id}/cancel", post(referral::cancel_referral))
        .route("/referrals/{id}/event", post(referral::record_event))
        .route("/deadlines/{id}/pause", post(clock::pause_clock))
        .route("/deadlines/{id}/resume", post(clock::resume_clock))
        .route("/supervision", get(supervision::supervision))
        .route("/supervision/{id}/instruction", post(supervision::instruct))
        .route("/supervision/{id}/reply", post(supervision::reply))
        .route("/admin/supervision/run", post(supervision::run_sweep))
        .route("/admin/test-clock", post(supervision::set_clock))
}

/// A running or finished clock as shown.
pub struct ClockRow {
    pub id: String,
    pub step: &'static str,
    pub due: String,
    pub overdue: bool,
    pub open: bool,
    pub paused: bool,
    pub pause_reason: String,
    /// How far the step has been escalated, in words ("未督办" before its first 督办 item).
    pub level: String,
    /// The responsible unit's name and user; `responsible_code` the unit's code (on hover).
    pub responsible: String,
    pub responsible_code: String,
    pub version: i64,
}

/// An event recorded on an action.
pub struct EventRow {
    pub time: String,
    pub kind: &'static str,
    pub who: String,
    pub detail: String,
}

/// An action as shown on the case page and as a referral.
pub struct ActionRow {
    pub id: String,
    /// The route, for the template's conditions and data attributes.
    pub route_value: Route,
    pub route: &'static str,
    pub programme: String,
    /// The receiving unit's name (or the charity partner); `receiver_code` its code (on hover).
    pub receiver: String,
    pub receiver_code: String,
    /// The sending unit's name and the sender; `from_code` is the unit's code (on hover).
    pub from: String,
    pub from_code: String,
    /// The case's number, as people read and type it.
    pub case_number: String,
    /// The status, for the template's conditions and data attributes.
    pub status_value: ActionStatus,
    pub status: &'static str,
    /// The accountable unit's name; `accountable_code` its code (on hover).
    pub accountable: String,
    pub accountable_code: String,
    pub request: String,
    pub outcome: String,
    pub amount: String,
    pub return_reason: String,
    pub hospital: String,
    pub identity_unknown: bool,
    pub given: String,
    pub version: i64,
    pub can_receive: bool,
    pub can_cancel: bool,
    pub clocks: Vec<ClockRow>,
    pub events: Vec<EventRow>,
    /// Text, the carrying unit's name and code, done.
    pub decisions: Vec<(String, String, String, bool)>,
}

/// A supervision item as shown.
pub struct SupRow {
    pub id: String,
    /// The lead (a verification overdue) or the case the step belongs to.
    pub href: String,
    pub case_number: String,
    pub step: &'static str,
    pub level: i64,
    /// Names for people; the `_code` fields are the units' codes (on hover, data attributes).
    pub responsible: String,
    pub supervising: String,
    pub responsible_code: String,
    pub supervising_code: String,
    pub due: String,
    pub created: String,
    pub resolved: bool,
    /// The supervisor's instruction and the unit's reply, with who wrote them when.
    pub instruction: String,
    pub instruction_meta: String,
    pub reply: String,
    pub reply_meta: String,
    pub can_instruct: bool,
    pub can_reply: bool,
}

/// An action's amount, blank when it has none.
fn amount_text(fen: i64) -> String {
    if fen == 0 { String::new() } else { yuan(fen) }
}

fn programme_name(ps: &[Programme], code: &str, lang: Lang) -> String {
    ps.iter()
        .find(|p| p.code == code)
        .map(|p| if lang == Lang::Zh { p.name_zh.clone() } else { p.name_en.clone() })
        .unwrap_or_default()
}

fn clock_rows(ds: &[DeadlineRecord], now: i64, lang: Lang, names: &UnitNames) -> Vec<ClockRow> {
    ds.iter()
        .map(|d| ClockRow {
            id: d.id.clone(),
            step: labels::deadline_step(&d.step, lang),
            due: beijing_time(d.due_ms),
            overdue: d.state == "open" && d.paused_ms == 0 && d.due_ms <= now,
            open: d.state == "open",
            paused: d.paused_ms != 0,
            pause_reason: d.pause_reason.clone(),
            level: labels::supervision_level(d.level, lang),
            responsible: format!("{} {}", names.name(&d.responsible_unit), d.responsible_user).trim().to_owned(),
            responsible_code: d.responsible_unit.clone(),
            version: d.version,
        })
        .collect()
}

fn sup_rows(items: Vec<SupervisionRecord>, actor: &Actor, lang: Lang, names: &UnitNames) -> Vec<SupRow> {
    let meta = |by: &str, ms: i64| if ms == 0 { String::new() } else { format!("{by} · {}", beijing_time(ms)) };
    items
        .into_iter()
        .map(|s| SupRow {
            can_instruct: s.instruction_ms == 0
                && s.resolved_ms == 0
                && jiujinan_app::supervision::may_instruct(actor, &s),
            can_reply: s.reply_ms == 0 && s.instruction_ms != 0 && jiujinan_app::supervision::may_reply(actor, &s),
            id: s.id.clone(),
            href: if s.subject_type == "lead" {
                format!("/leads/{}", s.subject_id)
            } else {
                format!("/cases/{}", s.case_id)
            },
            step: labels::deadline_step(&s.step, lang),
            level: s.level,
            responsible: format!("{} {}", names.name(&s.responsible_unit), s.responsible_user).trim().to_owned(),
            supervising: names.name(&s.supervising_unit),
            responsible_code: s.responsible_unit,
            supervising_code: s.supervising_unit,
            due: beijing_time(s.due_ms),
            created: beijing_time(s.created_ms),
            resolved: s.resolved_ms != 0,
            instruction_meta: meta(&s.instruction_by, s.instruction_ms),
            reply_meta: meta(&s.reply_by, s.reply_ms),
            instruction: s.instruction,
            reply: s.reply,
            case_number: s.case_number,
        })
        .collect()
}

async fn action_row(
    state: &AppState,
    v: ActionView,
    actor: &Actor,
    ps: &[Programme],
    now: i64,
    lang: Lang,
) -> ActionRow {
    let a = v.action;
    let details = v.details;
    let receiver = if !a.to_party.is_empty() {
        a.to_party.clone()
    } else {
        match state.app.unit(&a.to_unit).await {
            Ok(u) => u.name,
            Err(_) => a.to_unit.clone(),
        }
    };
    let mut codes: Vec<String> = v.deadlines.iter().map(|d| d.responsible_unit.clone()).collect();
    codes.extend([a.from_unit.clone(), v.accountable_unit.clone()]);
    codes.extend(v.events.iter().map(|e| e.unit.clone()).chain(v.decisions.iter().map(|d| d.lead_unit.clone())));
    let names = UnitNames::load(state, codes).await;
    let from_name = names.name(&a.from_unit);
    let accountable = names.name(&v.accountable_unit);
    let can_receive = answering_unit(&a) == actor.unit.as_str() && actor.may(Permission::AnswerReferrals);
    ActionRow {
        route: labels::route(a.route.code(), lang),
        programme: programme_name(ps, &a.programme, lang),
        receiver,
        receiver_code: a.to_unit.clone(),
        from: format!("{from_name} {}", a.from_user).trim().to_owned(),
        from_code: a.from_unit.clone(),
        case_number: a.case_number.clone(),
        status: labels::action_status(a.status.code(), lang),
        accountable,
        accountable_code: v.accountable_unit,
        outcome: if a.outcome.is_empty() {
            String::new()
        } else {
            format!("{}：{}", labels::outcome(&a.outcome, lang), a.outcome_detail)
        },
        amount: amount_text(a.amount_fen),
        can_cancel: a.from_unit == actor.unit.as_str()
            && actor.may(Permission::DisposeCase)
            && matches!(a.status, ActionStatus::Sent | ActionStatus::Accepted),
        can_receive,
        clocks: clock_rows(&v.deadlines, now, lang, &names),
        events: v
            .events
            .into_iter()
            .map(|e| EventRow {
                time: beijing_time(e.at_ms),
                kind: labels::event_kind(&e.kind, lang),
                who: format!("{} {}", e.actor, names.name(&e.unit)),
                detail: e.detail,
            })
            .collect(),
        decisions: v
            .decisions
            .into_iter()
            .map(|d| (d.text, names.name(&d.lead_unit), d.lead_unit, d.status == DecisionStatus::Done))
            .collect(),
        hospital: details.hospital,
        identity_unknown: details.identity_unknown,
        given: details.given,
        id: a.id,
        route_value: a.route,
        status_value: a.status,
        request: a.request,
        return_reason: a.return_reason,
        version: a.version,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_action_amount_is_blank_when_none_and_signed_when_negative() {
        assert_eq!(super::amount_text(0), "");
        assert_eq!(super::amount_text(-150), "-1.50");
        assert_eq!(super::amount_text(123_456), "1234.56");
    }
}
