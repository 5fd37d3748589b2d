//! Disposition (257号 §三(二) items 1–6): the six routes as typed actions on a case, each
//! with a receiving unit, a person accountable, deadlines and an outcome; route suggestions
//! from the programme catalogue; closed-loop referrals (accept or return with a reason, then
//! feed back the result).

mod clocks;
mod create;
mod inbox;

pub use inbox::InboxItem;
mod referral;

use jiujinan_domain::case::{CaseStatus, Route};
use jiujinan_domain::disposition::{ActionDetails, ActionStatus, EventKind, LimitUnit, Outcome, reason};
use jiujinan_domain::lead::Urgency;
use jiujinan_domain::org::{DivisionCode, UnitCode, UnitKind};
use jiujinan_domain::policy::Permission;
use jiujinan_store::{
    ActionChange, ActionEvent, ActionRecord, CaseRecord, ClockChange, Conflict, DeadlineRecord, Decision, NewAction,
    NewDeadline, Programme, StoreError, SupervisionRecord,
};
use serde::Serialize;
use serde_json::json;

use crate::access::{covers, field, stored_json, who};
use crate::auth::Actor;
use crate::calendar::beijing_day;
use crate::deadlines::{ClockOwner, rule_key};
use crate::ids::new_id;
use crate::{App, AppError};

/// A route the platform suggests for a case, with the reason.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub route: String,
    pub programme: String,
    pub to_unit: String,
    pub reason_zh: String,
    pub reason_en: String,
}

/// What a caseworker asks for when creating an action.
#[derive(Debug, Clone, Default)]
pub struct ActionInput {
    pub route: String,
    pub programme: String,
    /// The receiving unit; empty for the default unit of the programme.
    pub to_unit: String,
    /// A charity organisation or project (charity route).
    pub to_party: String,
    pub request: String,
    /// Aid first: the amount given at once, in fen.
    pub amount_fen: i64,
    pub details: ActionDetails,
    /// The returned referral this one replaces.
    pub redirect_from: String,
}

/// An action with its events, clocks and (for escalations) the meeting decisions.
#[derive(Debug, Clone, Serialize)]
pub struct ActionView {
    pub action: ActionRecord,
    pub events: Vec<ActionEvent>,
    pub deadlines: Vec<DeadlineRecord>,
    pub decisions: Vec<Decision>,
    /// Who is accountable now: the sender (first-inquiry holder) until the receiver accepts.
    pub accountable_unit: String,
    /// The route's own details, parsed from the stored JSON (`CORRUPT_DATA` if it does not parse).
    pub details: ActionDetails,
}

/// The disposition part of a case page.
#[derive(Debug, Clone, Serialize)]
pub struct DispositionView {
    pub actions: Vec<ActionView>,
    pub suggestions: Vec<Suggestion>,
    pub supervision: Vec<SupervisionRecord>,
    pub deadlines: Vec<DeadlineRecord>,
    pub programmes: Vec<Programme>,
}

/// Who answers for an action now (首问负责): the sender, as first-inquiry holder, until the
/// receiver accepts; the receiver while it works on it and for the result it fed back; the
/// sender again once the receiver returned it or the sender withdrew it (and throughout for a
/// party outside the platform, whose answer the sender records).
pub fn accountable_unit(a: &ActionRecord) -> String {
    match a.status {
        ActionStatus::Accepted | ActionStatus::Completed if !a.to_unit.is_empty() => a.to_unit.clone(),
        ActionStatus::Sent
        | ActionStatus::Accepted
        | ActionStatus::Completed
        | ActionStatus::Returned
        | ActionStatus::Cancelled => a.from_unit.clone(),
    }
}

/// The unit that answers an action: its receiver, or the sender for a party outside the
/// platform (the sender records that party's answer).
pub fn answering_unit(a: &ActionRecord) -> &str {
    if a.to_unit.is_empty() { &a.from_unit } else { &a.to_unit }
}

/// Civil-affairs staff who dispose of cases (not department handlers, auditors).
fn disposes(actor: &Actor) -> bool {
    actor.may(Permission::DisposeCase)
}

fn district_of(division: &str) -> Result<DivisionCode, AppError> {
    DivisionCode::parse(division.get(..6).unwrap_or(division)).map_err(|_| AppError::Internal("bad division".into()))
}

fn kind_code(unit: &str) -> &'static str {
    match unit.split_once(':').map(|(_, s)| s) {
        Some("wj") => UnitKind::Health.code(),
        Some("jw") => UnitKind::Education.code(),
        Some("zj") => UnitKind::Housing.code(),
        Some("rs") => UnitKind::HumanResources.code(),
        Some("jzz") => UnitKind::ReliefStation.code(),
        Some("mz") => UnitKind::CivilAffairs.code(),
        _ => "*",
    }
}

fn action_conflict(e: StoreError, state_code: &'static str) -> AppError {
    match e {
        StoreError::Conflict(Conflict::ActionState) => AppError::Conflict(state_code),
        StoreError::Conflict(_) => AppError::StaleVersion,
        other => other.into(),
    }
}

impl App {
    /// Routes the catalogue suggests for a case, each with its reason.
    pub async fn suggest_routes(&self, case: &CaseRecord) -> Result<Vec<Suggestion>, AppError> {
        let programmes = self.store.programmes(self.now_ms()).await?;
        let types: Vec<&str> = case.hardship_types.split(',').filter(|s| !s.is_empty()).collect();
        let district = district_of(&case.division)?;
        let mut out = Vec::new();
        if matches!(case.urgency, Urgency::Critical | Urgency::Urgent) {
            out.push(Suggestion {
                route: Route::AidFirst.code().into(),
                programme: "temporary".into(),
                to_unit: case.responsible_unit.clone(),
                reason_zh: "情况紧急：先行救助，事后补办手续（257号 §三(二)5）".into(),
                reason_en: "Urgent: aid first, paperwork later (257号 §三(二)5)".into(),
            });
        }
        if case.subject_id_number.is_none() && types.contains(&"SUDDEN_ILLNESS") {
            out.push(Suggestion {
                route: Route::DiseaseEmergency.code().into(),
                programme: "disease_emergency".into(),
                to_unit: "11:wj".into(),
                reason_zh: "身份不明的急危重病人：主动核查并申请疾病应急救助（257号 §三(二)6）".into(),
                reason_en: "Critically ill person of unknown identity: disease emergency aid (257号 §三(二)6)".into(),
            });
        }
        for p in &programmes {
            if !p.hardship_types.split(',').any(|t| types.contains(&t)) {
                continue;
            }
            if p.route == Route::DiseaseEmergency.code() && case.subject_id_number.is_none() {
                continue;
            }
            out.push(Suggestion {
                route: p.route.clone(),
                programme: p.code.clone(),
                to_unit: self.default_receiver(p, &district),
                reason_zh: p.reason_zh.clone(),
                reason_en: p.reason_en.clone(),
            });
        }
        Ok(out)
    }

    fn default_receiver(&self, p: &Programme, district: &DivisionCode) -> String {
        let Ok(kind) = UnitKind::parse(&p.department) else { return String::new() };
        let division = if p.level == "city" { DivisionCode::city() } else { district.clone() };
        UnitCode::of(&division, kind).to_string()
    }

    /// The disposition part of a case page (the caller has checked the actor may see the case).
    pub async fn disposition_of(&self, case: &CaseRecord) -> Result<DispositionView, AppError> {
        let (actions, supervision, deadlines, programmes) = tokio::join!(
            self.store.actions_of_case(&case.id),
            self.store.supervision_of_case(&case.id),
            self.store.deadlines_of_case(&case.id),
            self.store.programmes(self.now_ms()),
        );
        let deadlines = deadlines?;
        let mut views = Vec::new();
        for a in actions? {
            views.push(self.action_view(a, &deadlines).await?);
        }
        Ok(DispositionView {
            actions: views,
            suggestions: self.suggest_routes(case).await?,
            supervision: supervision?,
            deadlines,
            programmes: programmes?,
        })
    }

    async fn action_view(&self, a: ActionRecord, deadlines: &[DeadlineRecord]) -> Result<ActionView, AppError> {
        let events = self.store.action_events(&a.id).await?;
        let decisions =
            if a.route == Route::JointMeeting { self.store.decisions_of_action(&a.id).await? } else { vec![] };
        let mut clocks: Vec<DeadlineRecord> = deadlines.iter().filter(|d| d.subject_id == a.id).cloned().collect();
        clocks.extend(deadlines.iter().filter(|d| decisions.iter().any(|x| x.id == d.subject_id)).cloned());
        let accountable_unit = accountable_unit(&a);
        let details = stored_json(&a.details, "action details", &a.id)?;
        Ok(ActionView { action: a, events, deadlines: clocks, decisions, accountable_unit, details })
    }

    /// An action the actor may see: its sender's or receiver's staff, and civil-affairs staff
    /// whose jurisdiction covers the case.
    pub async fn action_for(&self, actor: &Actor, id: &str) -> Result<ActionView, AppError> {
        let a = self.store.action(id).await?.ok_or(AppError::NotFound)?;
        let mine = a.to_unit == actor.unit.as_str() || a.from_unit == actor.unit.as_str();
        let lead = self.store.decisions_of_action(&a.id).await?.iter().any(|d| d.lead_unit == actor.unit.as_str());
        let supervisor = actor.may(Permission::OverseeActions) && covers(actor, &a.division);
        if !(mine || lead || supervisor) {
            return Err(AppError::NotFound);
        }
        let mut audit = actor.audit("action.read", ("action", &a.id), &json!({}));
        audit.division = a.division.clone();
        self.store.append_audit(audit, self.now_ms()).await?;
        let deadlines = self.store.deadlines_of_case(&a.case_id).await?;
        self.action_view(a, &deadlines).await
    }

    /// Used by the case page: may a department user see this case (through a referral to
    /// their unit or a meeting decision they lead)?
    pub(crate) async fn department_sees_case(&self, actor: &Actor, case_id: &str) -> Result<bool, AppError> {
        let actions = self.store.actions_of_case(case_id).await?;
        if actions.iter().any(|a| a.to_unit == actor.unit.as_str()) {
            return Ok(true);
        }
        for a in actions.iter().filter(|a| a.route == Route::JointMeeting) {
            if self.store.decisions_of_action(&a.id).await?.iter().any(|d| d.lead_unit == actor.unit.as_str()) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
