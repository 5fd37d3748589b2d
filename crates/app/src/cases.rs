//! Verification (核查) outcomes and the case file: acceptance, not-accepted notices,
//! transfers, merges, household and economy, investigations, preliminary review.

use jiujinan_domain::ValidationError;
use jiujinan_domain::case::{CaseStatus, Economy, InvestigationMethod, Member, Relationship, Route};
use jiujinan_domain::id_number::IdNumber;
use jiujinan_domain::lead::text;
use jiujinan_domain::org::{DivisionCode, DivisionLevel, UnitCode, UnitKind};
use jiujinan_domain::user::Role;
use jiujinan_store::{
    CaseFileEdit, CaseRecord, CaseTransition, Investigation, LeadFilter, LeadOutcome, LeadRecord, NewCaseRow,
    TimelineEntry,
};
use serde::Serialize;
use serde_json::json;

use crate::access::{covers, field, who};
use crate::auth::Actor;
use crate::calendar::{beijing_date, beijing_yyyymmdd};
use crate::ids::new_id;
use crate::{App, AppError};

/// What the verifier decided about a lead.
#[derive(Debug, Clone)]
pub enum Verification {
    /// 受理; `documents_pending` for "accept first, documents later" (先行受理).
    Accept { documents_pending: bool },
    /// 不予受理, with written reasons (they go on the printed notice).
    NotAccept { reason: String },
    /// To the handling office of the street where the person really is.
    Transfer { location_code: String },
    /// Into another open lead or a case about the same person.
    Merge { into_id: String },
}

/// Where a verified lead went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Verified {
    CaseOpened { case_id: String, number: String },
    Closed,
}

/// A household member as typed.
#[derive(Debug, Clone, Default)]
pub struct MemberInput {
    pub name: String,
    pub relationship: String,
    pub id_number: String,
    pub living_together: bool,
}

/// The case file as shown: record, parsed household, investigations and the full timeline.
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    pub case: CaseRecord,
    pub members: Vec<Member>,
    pub economy: Economy,
    pub investigations: Vec<Investigation>,
    pub timeline: Vec<TimelineEntry>,
}

impl App {
    async fn step_limit_ms(&self, step: &str, urgency: &str, now: i64) -> Result<i64, AppError> {
        Ok(now + self.time_limit(step, urgency).await?.hours * 3_600_000)
    }

    /// Decides about an open lead. Only handling-office staff and those above, within the
    /// lead's jurisdiction; `expected_version` guards against two verifiers at once.
    pub async fn verify_lead(
        &self,
        actor: &Actor,
        lead_id: &str,
        expected_version: i64,
        v: Verification,
    ) -> Result<Verified, AppError> {
        if !matches!(actor.role, Role::WindowClerk | Role::StreetReviewer | Role::DistrictApprover | Role::Admin) {
            return Err(AppError::Forbidden);
        }
        let lead = self.store.lead(lead_id).await?.ok_or(AppError::NotFound)?;
        if !covers(actor, &lead.division) {
            return Err(AppError::NotFound);
        }
        let now = self.now_ms();
        let audit = |act: &str, detail: serde_json::Value| {
            let mut a = actor.audit(act, ("lead", &lead.id), &detail);
            a.division = lead.division.clone();
            a
        };
        match v {
            Verification::Accept { documents_pending } => {
                let row = NewCaseRow {
                    id: new_id(now),
                    street: lead.division[..9.min(lead.division.len())].to_owned(),
                    year: beijing_date(now).0,
                    responsible_user: actor.username.clone(),
                    documents_pending,
                    step_due_ms: self.step_limit_ms("investigate", &lead.urgency, now).await?,
                };
                let case = self
                    .store
                    .accept_lead(
                        &lead.id,
                        expected_version,
                        &row,
                        &who(actor),
                        audit("lead.accepted", json!({"documents_pending": documents_pending})),
                        now,
                    )
                    .await
                    .map_err(lead_conflict)?;
                Ok(Verified::CaseOpened { case_id: case.id, number: case.number })
            }
            Verification::NotAccept { reason } => {
                let reason = text(&reason, 2_000, "REASON_REQUIRED", "reason")?;
                let outcome = jiujinan_store::LeadOutcome::NotAccepted { reason };
                self.store
                    .close_lead(
                        &lead.id,
                        expected_version,
                        &outcome,
                        &who(actor),
                        audit("lead.not_accepted", json!({})),
                        now,
                    )
                    .await
                    .map_err(lead_conflict)?;
                Ok(Verified::Closed)
            }
            Verification::Transfer { location_code } => {
                let loc =
                    DivisionCode::parse(&location_code).map_err(|_| field("UNKNOWN_LOCATION", "location_code"))?;
                if !matches!(loc.level(), DivisionLevel::Street | DivisionLevel::Community) {
                    return Err(field("LOCATION_TOO_COARSE", "location_code"));
                }
                let street =
                    DivisionCode::parse(&loc.as_str()[..9]).map_err(|_| field("UNKNOWN_LOCATION", "location_code"))?;
                let office = UnitCode::of(&street, UnitKind::AssistanceOffice);
                if self.cached_unit(&UnitCode::of(&loc, UnitKind::Government)).await?.is_none()
                    || self.cached_unit(&office).await?.is_none()
                {
                    return Err(field("UNKNOWN_LOCATION", "location_code"));
                }
                if office.as_str() == lead.responsible_unit {
                    return Err(field("SAME_OFFICE", "location_code"));
                }
                let outcome = LeadOutcome::Transferred { division: loc.to_string(), office: office.to_string() };
                self.store
                    .close_lead(
                        &lead.id,
                        expected_version,
                        &outcome,
                        &who(actor),
                        audit("lead.transferred", json!({"to": office.as_str()})),
                        now,
                    )
                    .await
                    .map_err(lead_conflict)?;
                Ok(Verified::Closed)
            }
            Verification::Merge { into_id } => {
                if into_id == lead.id {
                    return Err(field("MERGE_TARGET", "into"));
                }
                let report = format!(
                    "{} · {}: {}",
                    lead.number,
                    lead.channel,
                    lead.description.chars().take(200).collect::<String>()
                );
                let (into_number, into_type) = match self.store.lead(&into_id).await? {
                    Some(t) if t.status == "new" && covers(actor, &t.division) => (t.number, "lead"),
                    Some(_) => return Err(field("MERGE_TARGET", "into")),
                    None => match self.store.case_by_id(&into_id).await? {
                        Some(c) if covers(actor, &c.division) => (c.number, "case"),
                        _ => return Err(field("MERGE_TARGET", "into")),
                    },
                };
                let outcome = LeadOutcome::Merged { into_id: into_id.clone(), into_number, into_type, report };
                self.store
                    .close_lead(
                        &lead.id,
                        expected_version,
                        &outcome,
                        &who(actor),
                        audit("lead.merged", json!({"into": into_id})),
                        now,
                    )
                    .await
                    .map_err(lead_conflict)?;
                Ok(Verified::Closed)
            }
        }
    }

    /// The case file if the actor's jurisdiction covers it; the read is audited.
    pub async fn case_for(&self, actor: &Actor, id: &str) -> Result<CaseView, AppError> {
        if matches!(actor.role, Role::Auditor) {
            return Err(AppError::Forbidden);
        }
        let case = self.store.case_by_id(id).await?.ok_or(AppError::NotFound)?;
        let visible = if actor.jurisdiction.department.is_some() {
            // Departments see the cases referred to them, not every case of their district.
            self.department_sees_case(actor, &case.id).await?
        } else {
            covers(actor, &case.division) || case.first_inquiry_unit == actor.unit.as_str()
        };
        if !visible {
            return Err(AppError::NotFound);
        }
        let mut audit = actor.audit("case.read", ("case", &case.id), &json!({}));
        audit.division = case.division.clone();
        // The read is recorded durably before anything is shown; the file is read meanwhile.
        let (recorded, timeline, investigations) = tokio::join!(
            self.store.append_audit(audit, self.now_ms()),
            self.store.case_timeline(&case.lead_id, &case.id),
            self.store.investigations(&case.id),
        );
        recorded?;
        let (timeline, investigations) = (timeline?, investigations?);
        let members: Vec<Member> = serde_json::from_str(&case.household).unwrap_or_default();
        let economy: Economy = serde_json::from_str(&case.economy).unwrap_or_default();
        Ok(CaseView { case, members, economy, investigations, timeline })
    }

    /// The case opened from a lead, when the actor may see it.
    pub async fn case_of_lead(&self, actor: &Actor, lead: &LeadRecord) -> Result<Option<CaseRecord>, AppError> {
        let case = self.store.case_of_lead(&lead.id).await?;
        Ok(case.filter(|c| covers(actor, &c.division) || c.first_inquiry_unit == actor.unit.as_str()))
    }

    /// The actor's case queue.
    pub async fn case_queue(&self, actor: &Actor, filter: &LeadFilter) -> Result<Vec<CaseRecord>, AppError> {
        // Departments see the cases referred to them (through `/referrals`), not the district's.
        if matches!(actor.role, Role::Auditor) || actor.jurisdiction.department.is_some() {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.list_cases(&actor.jurisdiction, filter).await?)
    }

    /// Case counts per status in the actor's jurisdiction.
    pub async fn case_counts(&self, actor: &Actor) -> Result<Vec<(String, i64)>, AppError> {
        Ok(self.store.count_cases(&actor.jurisdiction).await?)
    }

    async fn editable_case(&self, actor: &Actor, id: &str) -> Result<CaseRecord, AppError> {
        if !matches!(
            actor.role,
            Role::WindowClerk | Role::CommunityWorker | Role::StreetReviewer | Role::DistrictApprover | Role::Admin
        ) {
            return Err(AppError::Forbidden);
        }
        let case = self.store.case_by_id(id).await?.ok_or(AppError::NotFound)?;
        if !covers(actor, &case.division) {
            return Err(AppError::NotFound);
        }
        Ok(case)
    }

    fn case_audit(
        actor: &Actor,
        case: &CaseRecord,
        act: &str,
        detail: serde_json::Value,
    ) -> jiujinan_domain::audit::AuditDraft {
        let mut a = actor.audit(act, ("case", &case.id), &detail);
        a.division = case.division.clone();
        a
    }

    /// Replaces the household, economy and population part of the file. Returns the new
    /// version; a stale version is refused, so two editors never overwrite each other.
    pub async fn update_case_file(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: i64,
        members: &[MemberInput],
        economy: &Economy,
        population: &str,
        documents_pending: bool,
    ) -> Result<i64, AppError> {
        let case = self.editable_case(actor, id).await?;
        let today = beijing_yyyymmdd(self.now_ms());
        let mut parsed = Vec::new();
        for m in members.iter().filter(|m| !m.name.trim().is_empty()) {
            let id_number = match m.id_number.trim() {
                "" => None,
                s => Some(
                    IdNumber::parse(s, today)
                        .map_err(|r| AppError::Validation(r.error("members.id_number")))?
                        .to_string(),
                ),
            };
            parsed.push(Member {
                name: text(&m.name, 50, "INVALID_MEMBER", "members.name")?,
                relationship: Relationship::parse(&m.relationship)?,
                id_number,
                living_together: m.living_together,
            });
        }
        economy.validate()?;
        let population = population.trim();
        if population.chars().count() > 200 {
            return Err(field("TEXT_TOO_LONG", "population"));
        }
        let edit = CaseFileEdit {
            household: serde_json::to_string(&parsed).map_err(|e| AppError::Internal(e.to_string()))?,
            economy: serde_json::to_string(economy).map_err(|e| AppError::Internal(e.to_string()))?,
            population: population.to_owned(),
            documents_pending,
        };
        let audit = Self::case_audit(
            actor,
            &case,
            "case.file_updated",
            json!({"members": parsed.len(), "documents_pending": documents_pending}),
        );
        Ok(self.store.update_case_file(&case.id, expected_version, &edit, &who(actor), audit, self.now_ms()).await?)
    }

    /// Records an investigation by one of the five methods; `done_ms` defaults to now.
    pub async fn record_investigation(
        &self,
        actor: &Actor,
        case_id: &str,
        method: &str,
        done_ms: Option<i64>,
        findings: &str,
    ) -> Result<(), AppError> {
        let case = self.editable_case(actor, case_id).await?;
        let method = InvestigationMethod::parse(method)?;
        let findings = text(findings, 4_000, "FINDINGS_REQUIRED", "findings")?;
        let now = self.now_ms();
        let done = done_ms.unwrap_or(now);
        if done > now || done < case.created_ms - 30 * 86_400_000 {
            return Err(field("INVALID_DATE", "done_at"));
        }
        let rec = Investigation {
            id: new_id(now),
            case_id: case.id.clone(),
            method: method.code().to_owned(),
            investigator: actor.username.clone(),
            unit: actor.unit.to_string(),
            done_ms: done,
            findings,
            created_ms: now,
        };
        let audit = Self::case_audit(actor, &case, "case.investigated", json!({"method": method.code()}));
        Ok(self.store.add_investigation(&rec, audit, now).await?)
    }

    async fn move_case(
        &self,
        actor: &Actor,
        case: &CaseRecord,
        expected_version: i64,
        to: CaseStatus,
        opinion: Option<(String, String)>,
        note: String,
    ) -> Result<i64, AppError> {
        let from = CaseStatus::parse(&case.status)?;
        if !from.can_become(to) {
            return Err(AppError::InvalidTransition);
        }
        let now = self.now_ms();
        let (step, due) = match to {
            CaseStatus::Reviewing => ("submitted_for_review", self.step_limit_ms("review", &case.urgency, now).await?),
            CaseStatus::Investigating => ("sent_back", self.step_limit_ms("investigate", &case.urgency, now).await?),
            CaseStatus::Reviewed => ("reviewed", case.step_due_ms),
            CaseStatus::Closed => ("closed", case.step_due_ms),
        };
        let t = CaseTransition {
            from: from.code().into(),
            to: to.code().into(),
            opinion,
            step_due_ms: due,
            step: step.into(),
            note,
            close_case_deadlines: false,
            open_deadline: None,
        };
        let audit =
            Self::case_audit(actor, case, &format!("case.{step}"), json!({"from": from.code(), "to": to.code()}));
        self.store.transition_case(&case.id, expected_version, &t, &who(actor), audit, now).await.map_err(stale)
    }

    /// Investigation done: the case goes to preliminary review (with the review deadline).
    pub async fn submit_for_review(
        &self,
        actor: &Actor,
        case_id: &str,
        expected_version: i64,
    ) -> Result<i64, AppError> {
        let case = self.editable_case(actor, case_id).await?;
        if self.store.investigations(&case.id).await?.is_empty() {
            return Err(AppError::Validation(ValidationError::new("INVESTIGATION_REQUIRED", "investigations")));
        }
        self.move_case(actor, &case, expected_version, CaseStatus::Reviewing, None, String::new()).await
    }

    /// Records the preliminary review opinion (初审意见) with the recommended routes.
    pub async fn record_review(
        &self,
        actor: &Actor,
        case_id: &str,
        expected_version: i64,
        opinion: &str,
        routes: &[String],
    ) -> Result<i64, AppError> {
        if !matches!(actor.role, Role::StreetReviewer | Role::DistrictApprover | Role::Admin) {
            return Err(AppError::Forbidden);
        }
        let case = self.editable_case(actor, case_id).await?;
        let opinion = text(opinion, 4_000, "OPINION_REQUIRED", "opinion")?;
        let mut rs: Vec<Route> = routes.iter().map(|r| Route::parse(r)).collect::<Result<_, _>>()?;
        rs.sort();
        rs.dedup();
        let codes: Vec<&str> = rs.iter().map(|r| r.code()).collect();
        self.move_case(
            actor,
            &case,
            expected_version,
            CaseStatus::Reviewed,
            Some((opinion, codes.join(","))),
            String::new(),
        )
        .await
    }

    /// Sends a case under review back for more investigation, with the reason.
    pub async fn send_back(
        &self,
        actor: &Actor,
        case_id: &str,
        expected_version: i64,
        reason: &str,
    ) -> Result<i64, AppError> {
        if !matches!(actor.role, Role::StreetReviewer | Role::DistrictApprover | Role::Admin) {
            return Err(AppError::Forbidden);
        }
        let case = self.editable_case(actor, case_id).await?;
        let reason = text(reason, 2_000, "REASON_REQUIRED", "reason")?;
        self.move_case(actor, &case, expected_version, CaseStatus::Investigating, None, reason).await
    }
}

impl App {
    /// Closes a reviewed case once every action has an outcome; the follow-up visit (回访)
    /// is scheduled from rule data.
    pub async fn close_case(
        &self,
        actor: &Actor,
        case_id: &str,
        expected_version: i64,
        note: &str,
    ) -> Result<i64, AppError> {
        if !matches!(actor.role, Role::StreetReviewer | Role::DistrictApprover | Role::Admin) {
            return Err(AppError::Forbidden);
        }
        let case = self.editable_case(actor, case_id).await?;
        let note = text(note, 2_000, "OPINION_REQUIRED", "note")?;
        if CaseStatus::parse(&case.status)? != CaseStatus::Reviewed {
            return Err(AppError::InvalidTransition);
        }
        let actions = self.store.actions_of_case(&case.id).await?;
        if actions.iter().any(|a| !matches!(a.status.as_str(), "completed" | "cancelled" | "returned")) {
            return Err(AppError::Conflict("ACTIONS_OPEN"));
        }
        let owner = crate::deadlines::ClockOwner {
            subject: ("case", &case.id),
            case: (&case.id, &case.number, &case.division),
            responsible: (&case.responsible_unit, &case.responsible_user),
        };
        let followup = self.new_deadline("case", "followup", "*", owner).await?;
        let t = CaseTransition {
            from: case.status.clone(),
            to: CaseStatus::Closed.code().into(),
            opinion: None,
            step_due_ms: followup.due_ms,
            step: "closed".into(),
            note,
            close_case_deadlines: true,
            open_deadline: Some(followup),
        };
        let audit = Self::case_audit(actor, &case, "case.closed", json!({"actions": actions.len()}));
        self.store
            .transition_case(&case.id, expected_version, &t, &who(actor), audit, self.now_ms())
            .await
            .map_err(stale)
    }

    /// Reopens a closed case with the reason; the follow-up clock stops.
    pub async fn reopen_case(
        &self,
        actor: &Actor,
        case_id: &str,
        expected_version: i64,
        why: &str,
    ) -> Result<i64, AppError> {
        if !matches!(actor.role, Role::StreetReviewer | Role::DistrictApprover | Role::Admin) {
            return Err(AppError::Forbidden);
        }
        let case = self.editable_case(actor, case_id).await?;
        let why = text(why, 2_000, "REASON_REQUIRED", "reason")?;
        if CaseStatus::parse(&case.status)? != CaseStatus::Closed {
            return Err(AppError::InvalidTransition);
        }
        let t = CaseTransition {
            from: case.status.clone(),
            to: CaseStatus::Reviewed.code().into(),
            opinion: None,
            step_due_ms: self.now_ms(),
            step: "reopened".into(),
            note: why,
            close_case_deadlines: true,
            open_deadline: None,
        };
        let audit = Self::case_audit(actor, &case, "case.reopened", json!({}));
        self.store
            .transition_case(&case.id, expected_version, &t, &who(actor), audit, self.now_ms())
            .await
            .map_err(stale)
    }

    /// Records the follow-up visit (回访) of a closed case; its clock stops.
    pub async fn record_followup(&self, actor: &Actor, case_id: &str, findings: &str) -> Result<(), AppError> {
        let case = self.editable_case(actor, case_id).await?;
        let findings = text(findings, 4_000, "FINDINGS_REQUIRED", "findings")?;
        if CaseStatus::parse(&case.status)? != CaseStatus::Closed {
            return Err(AppError::InvalidTransition);
        }
        let audit = Self::case_audit(actor, &case, "case.followup", json!({}));
        Ok(self
            .store
            .close_subject_deadlines(
                ("case", &case.id),
                &case.id,
                ("followup_done", &findings),
                &who(actor),
                audit,
                self.now_ms(),
            )
            .await?)
    }
}

fn stale(e: jiujinan_store::StoreError) -> AppError {
    match e {
        jiujinan_store::StoreError::Conflict(_) => AppError::StaleVersion,
        other => other.into(),
    }
}

fn lead_conflict(e: jiujinan_store::StoreError) -> AppError {
    match e {
        jiujinan_store::StoreError::Conflict(jiujinan_store::Conflict::LeadClosed) => AppError::LeadClosed,
        jiujinan_store::StoreError::Conflict(_) => AppError::StaleVersion,
        other => other.into(),
    }
}
