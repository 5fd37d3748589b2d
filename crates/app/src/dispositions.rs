//! Disposition (257号 §三(二) items 1–6): the six routes as typed actions on a case, each
//! with a receiving unit, a person accountable, deadlines and an outcome; route suggestions
//! from the programme catalogue; closed-loop referrals (accept or return with a reason, then
//! feed back the result).

use jiujinan_domain::case::{CaseStatus, Route};
use jiujinan_domain::disposition::{ActionDetails, ActionStatus, EventKind, LimitUnit, Outcome, reason};
use jiujinan_domain::org::{DivisionCode, UnitCode, UnitKind};
use jiujinan_domain::user::Role;
use jiujinan_store::{
    ActionChange, ActionEvent, ActionRecord, CaseRecord, ClockChange, Conflict, DeadlineRecord, Decision, NewAction,
    NewDeadline, Programme, StoreError, SupervisionRecord,
};
use serde::Serialize;
use serde_json::json;

use crate::access::{covers, field, who};
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

/// Civil-affairs staff who dispose of cases (not department handlers, auditors).
fn disposes(actor: &Actor) -> bool {
    matches!(actor.role, Role::WindowClerk | Role::StreetReviewer | Role::DistrictApprover | Role::Admin)
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
        if case.urgency == "critical" || case.urgency == "urgent" {
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
            if a.route == Route::JointMeeting.code() { self.store.decisions_of_action(&a.id).await? } else { vec![] };
        let mut clocks: Vec<DeadlineRecord> = deadlines.iter().filter(|d| d.subject_id == a.id).cloned().collect();
        clocks.extend(deadlines.iter().filter(|d| decisions.iter().any(|x| x.id == d.subject_id)).cloned());
        let accountable_unit =
            if a.status == ActionStatus::Sent.code() { a.from_unit.clone() } else { a.to_unit.clone() };
        Ok(ActionView { action: a, events, deadlines: clocks, decisions, accountable_unit })
    }

    /// Creates an action on a case. Referral, charity and the joint meeting come after the
    /// review opinion; shelter, aid first and disease emergency aid may come at any time
    /// before closure.
    pub async fn create_action(&self, actor: &Actor, case_id: &str, input: ActionInput) -> Result<String, AppError> {
        if !disposes(actor) {
            return Err(AppError::Forbidden);
        }
        let case = self.store.case_by_id(case_id).await?.ok_or(AppError::NotFound)?;
        if !covers(actor, &case.division) {
            return Err(AppError::NotFound);
        }
        let status = CaseStatus::parse(&case.status)?;
        if status == CaseStatus::Closed {
            return Err(AppError::Conflict("CASE_CLOSED"));
        }
        let route = Route::parse(&input.route)?;
        if matches!(route, Route::Refer | Route::Charity | Route::JointMeeting) && status != CaseStatus::Reviewed {
            return Err(AppError::Conflict("REVIEW_REQUIRED"));
        }
        let request = reason(&input.request, 2_000, "REQUEST_REQUIRED", "request")?;
        let now = self.now_ms();
        let district = district_of(&case.division)?;
        let programmes = self.store.programmes(now).await?;
        let programme_code = match route {
            Route::Refer => input.programme.trim().to_owned(),
            Route::Shelter => "vagrant".into(),
            Route::Charity => "charity".into(),
            Route::JointMeeting => String::new(),
            Route::AidFirst => "temporary".into(),
            Route::DiseaseEmergency => "disease_emergency".into(),
        };
        let programme = programmes.iter().find(|p| p.code == programme_code);
        if route == Route::Refer && programme.is_none_or(|p| p.department.is_empty()) {
            return Err(field("UNKNOWN_PROGRAMME", "programme"));
        }
        let mut details = input.details.clone();
        let (to_unit, to_party) = match route {
            Route::Charity => {
                let party = reason(&input.to_party, 200, "RECEIVER_REQUIRED", "to_party")?;
                (String::new(), party)
            }
            Route::AidFirst => (actor.unit.to_string(), String::new()),
            Route::JointMeeting => (UnitCode::of(&district, UnitKind::CivilAffairs).to_string(), String::new()),
            _ => {
                let default = programme.map(|p| self.default_receiver(p, &district)).unwrap_or_default();
                let to =
                    if input.to_unit.trim().is_empty() { default.clone() } else { input.to_unit.trim().to_owned() };
                let code = UnitCode::parse(&to).map_err(|_| field("UNKNOWN_RECEIVER", "to_unit"))?;
                let wanted = programme.map(|p| p.department.as_str()).unwrap_or("");
                if !wanted.is_empty() && kind_code(code.as_str()) != wanted {
                    return Err(field("UNKNOWN_RECEIVER", "to_unit"));
                }
                let unit = self.cached_unit(&code).await?.ok_or(field("UNKNOWN_RECEIVER", "to_unit"))?;
                (unit.code, String::new())
            }
        };
        if route == Route::DiseaseEmergency {
            details.hospital = reason(&details.hospital, 200, "HOSPITAL_REQUIRED", "hospital")?;
            details.identity_unknown = details.identity_unknown || case.subject_id_number.is_none();
        }
        if route == Route::AidFirst {
            details.given = details.given.trim().chars().take(500).collect();
            if input.amount_fen < 0 {
                return Err(field("NEGATIVE_AMOUNT", "amount"));
            }
            if input.amount_fen == 0 && details.given.is_empty() {
                return Err(field("AMOUNT_REQUIRED", "amount"));
            }
        }
        details.home_province = details.home_province.trim().chars().take(50).collect();
        if !input.redirect_from.is_empty() {
            let src = self.store.action(&input.redirect_from).await?;
            if src.as_ref().is_none_or(|s| s.case_id != case.id || s.status != ActionStatus::Returned.code()) {
                return Err(field("REDIRECT_SOURCE", "redirect_from"));
            }
        }
        let id = new_id(now);
        let immediate = route == Route::AidFirst;
        let action = NewAction {
            id: id.clone(),
            case_id: case.id.clone(),
            case_number: case.number.clone(),
            route: route.code().into(),
            programme: programme_code,
            division: case.division.clone(),
            from_unit: actor.unit.to_string(),
            from_user: actor.username.clone(),
            to_unit: to_unit.clone(),
            to_party,
            status: if immediate { ActionStatus::Accepted } else { ActionStatus::Sent }.code().into(),
            request,
            amount_fen: input.amount_fen.max(0),
            redirected_from: input.redirect_from.clone(),
            details: serde_json::to_string(&details).map_err(|e| AppError::Internal(e.to_string()))?,
        };
        // The receiver must answer within the acceptance limit; for a party outside the
        // platform the sender records its answer and carries the clock.
        let responsible = if immediate || to_unit.is_empty() {
            (actor.unit.as_str(), actor.username.as_str())
        } else {
            (to_unit.as_str(), "")
        };
        let step = if immediate { "paperwork" } else { "accept" };
        let owner = ClockOwner {
            subject: ("action", &id),
            case: (&case.id, &case.number, &case.division),
            responsible: (responsible.0, responsible.1),
        };
        let deadline = self.new_deadline(route.code(), step, kind_code(&to_unit), owner).await?;
        let mut audit = actor.audit(
            "action.created",
            ("action", &id),
            &json!({"route": route.code(), "to": to_unit, "case": case.id}),
        );
        audit.division = case.division.clone();
        self.store.create_action(&action, Some(&deadline), &who(actor), audit, now).await?;
        Ok(id)
    }

    /// An action the actor may see: its sender's or receiver's staff, and civil-affairs staff
    /// whose jurisdiction covers the case.
    pub async fn action_for(&self, actor: &Actor, id: &str) -> Result<ActionView, AppError> {
        let a = self.store.action(id).await?.ok_or(AppError::NotFound)?;
        let mine = a.to_unit == actor.unit.as_str() || a.from_unit == actor.unit.as_str();
        let lead = self.store.decisions_of_action(&a.id).await?.iter().any(|d| d.lead_unit == actor.unit.as_str());
        let supervisor = actor.jurisdiction.department.is_none()
            && !matches!(actor.role, Role::Auditor | Role::CommunityWorker)
            && covers(actor, &a.division);
        if !(mine || lead || supervisor) {
            return Err(AppError::NotFound);
        }
        let mut audit = actor.audit("action.read", ("action", &a.id), &json!({}));
        audit.division = a.division.clone();
        self.store.append_audit(audit, self.now_ms()).await?;
        let deadlines = self.store.deadlines_of_case(&a.case_id).await?;
        self.action_view(a, &deadlines).await
    }

    /// The referrals addressed to the actor's unit.
    pub async fn inbox(
        &self,
        actor: &Actor,
        status: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<ActionRecord>, AppError> {
        if let Some(s) = status.filter(|s| !s.is_empty()) {
            ActionStatus::parse(s)?;
        }
        Ok(self.store.inbox(actor.unit.as_str(), status, limit, offset).await?)
    }

    /// The action if the actor answers for its receiver: the receiving unit's staff, or the
    /// sender's staff for a party outside the platform.
    async fn receivable(&self, actor: &Actor, id: &str) -> Result<ActionRecord, AppError> {
        let a = self.store.action(id).await?.ok_or(AppError::NotFound)?;
        let receiver = if a.to_unit.is_empty() { &a.from_unit } else { &a.to_unit };
        if receiver != actor.unit.as_str() {
            // Existence does not leak outside the units concerned.
            return Err(if a.from_unit == actor.unit.as_str() { AppError::Forbidden } else { AppError::NotFound });
        }
        if matches!(actor.role, Role::Auditor | Role::CitySupervisor) {
            return Err(AppError::Forbidden);
        }
        Ok(a)
    }

    fn action_audit(
        actor: &Actor,
        a: &ActionRecord,
        act: &str,
        detail: serde_json::Value,
    ) -> jiujinan_domain::audit::AuditDraft {
        let mut audit = actor.audit(act, ("action", &a.id), &detail);
        audit.division = a.division.clone();
        audit
    }

    /// The receiver accepts the action: the acceptance clock stops and the feedback clock starts.
    pub async fn accept_action(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: i64,
    ) -> Result<ActionRecord, AppError> {
        let a = self.receivable(actor, id).await?;
        if a.status != ActionStatus::Sent.code() {
            return Err(AppError::Conflict("ALREADY_ANSWERED"));
        }
        let open_deadline = if a.route == Route::JointMeeting.code() {
            None
        } else {
            let (unit, user) = if a.to_unit.is_empty() {
                (a.from_unit.as_str(), a.from_user.as_str())
            } else {
                (a.to_unit.as_str(), actor.username.as_str())
            };
            let owner = ClockOwner {
                subject: ("action", &a.id),
                case: (&a.case_id, &a.case_number, &a.division),
                responsible: (unit, user),
            };
            Some(self.new_deadline(&a.route, "feedback", kind_code(&a.to_unit), owner).await?)
        };
        self.apply_change(
            actor,
            &a,
            ChangeSpec {
                expected_version,
                to: ActionStatus::Accepted,
                accepted_by: Some(actor.username.clone()),
                open_deadline,
                step: "action_accepted",
                note: String::new(),
                ..ChangeSpec::default()
            },
            "ALREADY_ANSWERED",
        )
        .await
    }

    /// The receiver returns the action to the sender with its reason.
    pub async fn return_action(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: i64,
        why: &str,
    ) -> Result<ActionRecord, AppError> {
        let a = self.receivable(actor, id).await?;
        let why = reason(why, 2_000, "REASON_REQUIRED", "reason")?;
        if a.status != ActionStatus::Sent.code() {
            return Err(AppError::Conflict("ALREADY_ANSWERED"));
        }
        self.apply_change(
            actor,
            &a,
            ChangeSpec {
                expected_version,
                to: ActionStatus::Returned,
                return_reason: Some(why.clone()),
                step: "action_returned",
                note: why,
                ..ChangeSpec::default()
            },
            "ALREADY_ANSWERED",
        )
        .await
    }

    /// The receiver feeds back the result: granted (with what and how much), refused (with
    /// why), or still in progress (the clock keeps running).
    pub async fn feed_back(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: i64,
        outcome: &str,
        detail: &str,
        amount_fen: i64,
    ) -> Result<ActionRecord, AppError> {
        let a = self.receivable(actor, id).await?;
        // Aid first ends with its paperwork, an escalation with its meeting decisions.
        if a.route == Route::AidFirst.code() || a.route == Route::JointMeeting.code() {
            return Err(AppError::InvalidTransition);
        }
        let outcome = Outcome::parse(outcome)?;
        let detail = reason(detail, 2_000, "DETAIL_REQUIRED", "detail")?;
        if amount_fen < 0 {
            return Err(field("NEGATIVE_AMOUNT", "amount"));
        }
        if a.status != ActionStatus::Accepted.code() {
            return Err(AppError::Conflict("NOT_ACCEPTED"));
        }
        if outcome == Outcome::InProgress {
            let now = self.now_ms();
            let event = ActionEvent {
                id: new_id(now),
                action_id: a.id.clone(),
                kind: EventKind::Progress.code().into(),
                at_ms: now,
                actor: actor.username.clone(),
                unit: actor.unit.to_string(),
                detail,
                created_ms: now,
            };
            let audit = Self::action_audit(actor, &a, "action.progress", json!({}));
            self.store.add_action_event(&event, &a.case_id, audit, now).await?;
            return Ok(a);
        }
        self.apply_change(
            actor,
            &a,
            ChangeSpec {
                expected_version,
                to: ActionStatus::Completed,
                outcome: Some(outcome.code().into()),
                outcome_detail: Some(detail.clone()),
                amount_fen: (amount_fen > 0).then_some(amount_fen),
                step: "action_feedback",
                note: format!("{}: {detail}", outcome.code()),
                ..ChangeSpec::default()
            },
            "NOT_ACCEPTED",
        )
        .await
    }

    /// Aid first: the paperwork was completed, which ends the action.
    pub async fn complete_paperwork(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: i64,
        note: &str,
    ) -> Result<ActionRecord, AppError> {
        let a = self.receivable(actor, id).await?;
        if a.route != Route::AidFirst.code() {
            return Err(AppError::InvalidTransition);
        }
        let note = reason(note, 2_000, "DETAIL_REQUIRED", "detail")?;
        if a.status != ActionStatus::Accepted.code() {
            return Err(AppError::Conflict("ACTION_CLOSED"));
        }
        self.apply_change(
            actor,
            &a,
            ChangeSpec {
                expected_version,
                to: ActionStatus::Completed,
                outcome: Some(Outcome::Granted.code().into()),
                outcome_detail: Some(note.clone()),
                step: "paperwork_completed",
                note,
                ..ChangeSpec::default()
            },
            "ACTION_CLOSED",
        )
        .await
    }

    /// The sender withdraws an action that is no longer needed, with the reason.
    pub async fn cancel_action(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: i64,
        why: &str,
    ) -> Result<ActionRecord, AppError> {
        let a = self.store.action(id).await?.ok_or(AppError::NotFound)?;
        if a.from_unit != actor.unit.as_str() || !disposes(actor) {
            return Err(AppError::NotFound);
        }
        let why = reason(why, 2_000, "REASON_REQUIRED", "reason")?;
        let status = ActionStatus::parse(&a.status)?;
        if !status.can_become(ActionStatus::Cancelled) {
            return Err(AppError::Conflict("ACTION_CLOSED"));
        }
        self.apply_change(
            actor,
            &a,
            ChangeSpec {
                expected_version,
                to: ActionStatus::Cancelled,
                step: "action_cancelled",
                note: why,
                ..ChangeSpec::default()
            },
            "ACTION_CLOSED",
        )
        .await
    }

    async fn apply_change(
        &self,
        actor: &Actor,
        a: &ActionRecord,
        spec: ChangeSpec,
        state_code: &'static str,
    ) -> Result<ActionRecord, AppError> {
        let change = ActionChange {
            id: a.id.clone(),
            expected_version: spec.expected_version,
            from: a.status.clone(),
            to: spec.to.code().into(),
            accepted_by: spec.accepted_by,
            return_reason: spec.return_reason,
            outcome: spec.outcome,
            outcome_detail: spec.outcome_detail,
            amount_fen: spec.amount_fen,
            close_deadlines: true,
            open_deadline: spec.open_deadline,
            step: spec.step.into(),
            note: spec.note,
        };
        let audit = Self::action_audit(actor, a, &format!("action.{}", spec.to.code()), json!({"from": a.status}));
        self.store
            .change_action(&change, &who(actor), audit, self.now_ms())
            .await
            .map_err(|e| action_conflict(e, state_code))
    }

    /// Records a stay, items provided, a contact with the home government, the trip home,
    /// the arrival, a proactive check or progress on an action.
    pub async fn record_event(
        &self,
        actor: &Actor,
        id: &str,
        kind: &str,
        at_ms: Option<i64>,
        detail: &str,
    ) -> Result<(), AppError> {
        let a = self.store.action(id).await?.ok_or(AppError::NotFound)?;
        let party = a.to_unit == actor.unit.as_str() || a.from_unit == actor.unit.as_str();
        if !party {
            return Err(AppError::NotFound);
        }
        if matches!(actor.role, Role::Auditor | Role::CitySupervisor) {
            return Err(AppError::Forbidden);
        }
        let kind = EventKind::parse(kind)?;
        let detail = reason(detail, 2_000, "DETAIL_REQUIRED", "detail")?;
        if ActionStatus::parse(&a.status)?.is_final() {
            return Err(AppError::Conflict("ACTION_CLOSED"));
        }
        let now = self.now_ms();
        let at = at_ms.unwrap_or(now);
        if at > now + 60_000 || at < a.created_ms - 30 * 86_400_000 {
            return Err(field("INVALID_DATE", "at"));
        }
        let event = ActionEvent {
            id: new_id(now),
            action_id: a.id.clone(),
            kind: kind.code().into(),
            at_ms: at,
            actor: actor.username.clone(),
            unit: actor.unit.to_string(),
            detail,
            created_ms: now,
        };
        let audit = Self::action_audit(actor, &a, "action.event", json!({"kind": kind.code()}));
        Ok(self.store.add_action_event(&event, &a.case_id, audit, now).await?)
    }

    /// Stops (with a reason, e.g. waiting for the applicant's documents) or restarts a clock.
    /// The responsible unit or the case's handling office may do it.
    pub async fn pause_clock(
        &self,
        actor: &Actor,
        deadline_id: &str,
        expected_version: i64,
        pause: Option<&str>,
    ) -> Result<(), AppError> {
        let d = self.store.deadline(deadline_id).await?.ok_or(AppError::NotFound)?;
        let sender_side = disposes(actor) && covers(actor, &d.division);
        let allowed = d.responsible_unit == actor.unit.as_str() || sender_side;
        if !allowed {
            return Err(AppError::NotFound);
        }
        if matches!(actor.role, Role::Auditor | Role::CitySupervisor) {
            return Err(AppError::Forbidden);
        }
        // An overdue step cannot stop its own supervision: only the case's side may pause it then.
        if pause.is_some() && d.level > 0 && !sender_side {
            return Err(AppError::Conflict("CLOCK_STATE"));
        }
        let why = pause.map(|p| reason(p, 500, "REASON_REQUIRED", "reason")).transpose()?;
        let mut audit = actor.audit(
            if why.is_some() { "deadline.paused" } else { "deadline.resumed" },
            ("deadline", &d.id),
            &json!({"reason": why}),
        );
        audit.division = d.division.clone();
        let now = self.now_ms();
        let change = match &why {
            Some(w) => ClockChange::Pause(w),
            None => ClockChange::Resume { shift_ms: self.resume_shift(&d, now).await? },
        };
        self.store.set_deadline_paused(&d.id, expected_version, change, &who(actor), audit, now).await.map_err(|e| {
            match e {
                StoreError::Conflict(Conflict::DeadlineState) => AppError::Conflict("CLOCK_STATE"),
                other => other.into(),
            }
        })
    }

    /// How far a clock's instants move when it restarts. A limit in working days keeps the
    /// working days it had left: it ends that many working days after the day it restarts (the
    /// rest of the restart day is a bonus, as for a step begun mid-day), so a pause over a
    /// weekend or holiday costs the office nothing. Hour limits, and steps already overdue when
    /// paused, move by the time the clock stood still.
    async fn resume_shift(&self, d: &DeadlineRecord, now: i64) -> Result<i64, AppError> {
        let stood_still = (now - d.paused_ms).max(0);
        if d.paused_ms == 0 || d.paused_ms >= d.due_ms {
            return Ok(stood_still);
        }
        let rules = self.store.deadline_rules().await?;
        let in_working_days =
            rules.iter().find(|r| rule_key(r) == d.rule).is_some_and(|r| r.unit == LimitUnit::WorkingDays.code());
        if !in_working_days {
            return Ok(stood_still);
        }
        let cal = self.work_calendar().await?;
        let (paused_day, last_day) = (beijing_day(d.paused_ms), beijing_day(d.due_ms - 1));
        let left = (paused_day + 1..=last_day).filter(|day| cal.is_workday(*day)).count() as i64;
        Ok((cal.add_working_days(now, left) - d.due_ms).max(0))
    }

    /// The actor's supervision list: overdue steps of their units and of those they supervise.
    pub async fn supervision_list(&self, actor: &Actor, open_only: bool) -> Result<Vec<SupervisionRecord>, AppError> {
        if matches!(actor.role, Role::CommunityWorker) {
            return Err(AppError::Forbidden);
        }
        let mut items = self.store.supervision_items(&actor.jurisdiction, open_only, 500).await?;
        if actor.jurisdiction.department.is_some() {
            items.retain(|i| i.responsible_unit == actor.unit.as_str() || i.supervising_unit == actor.unit.as_str());
        }
        Ok(items)
    }

    /// Used by the case page: may a department user see this case (through a referral to
    /// their unit or a meeting decision they lead)?
    pub(crate) async fn department_sees_case(&self, actor: &Actor, case_id: &str) -> Result<bool, AppError> {
        let actions = self.store.actions_of_case(case_id).await?;
        if actions.iter().any(|a| a.to_unit == actor.unit.as_str()) {
            return Ok(true);
        }
        for a in actions.iter().filter(|a| a.route == Route::JointMeeting.code()) {
            if self.store.decisions_of_action(&a.id).await?.iter().any(|d| d.lead_unit == actor.unit.as_str()) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// The parts of an action change that vary per use case.
struct ChangeSpec {
    expected_version: i64,
    to: ActionStatus,
    accepted_by: Option<String>,
    return_reason: Option<String>,
    outcome: Option<String>,
    outcome_detail: Option<String>,
    amount_fen: Option<i64>,
    open_deadline: Option<NewDeadline>,
    step: &'static str,
    note: String,
}

impl Default for ChangeSpec {
    fn default() -> Self {
        Self {
            expected_version: 0,
            to: ActionStatus::Sent,
            accepted_by: None,
            return_reason: None,
            outcome: None,
            outcome_detail: None,
            amount_fen: None,
            open_deadline: None,
            step: "",
            note: String::new(),
        }
    }
}
