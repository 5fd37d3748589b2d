//! Verification (核查) outcomes and the case file: acceptance, not-accepted notices,
//! transfers, merges, household and economy, investigations, preliminary review.

mod closure;
mod file;
mod review;
mod verify;

use jiujinan_domain::ValidationError;
use jiujinan_domain::case::{CaseStatus, Economy, InvestigationMethod, Member, Relationship, Route};
use jiujinan_domain::id_number::IdNumber;
use jiujinan_domain::lead::text;
use jiujinan_domain::org::{DivisionCode, DivisionLevel, UnitCode, UnitKind};
use jiujinan_domain::policy::Permission;
use jiujinan_store::{
    CaseFileEdit, CaseRecord, CaseTransition, Investigation, LeadFilter, LeadOutcome, LeadRecord, NewCaseRow,
    TimelineEntry,
};
use serde::Serialize;
use serde_json::json;

use crate::access::{covers, field, stored_json, who};
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
    /// How much of the people's data is shown (`case` and `members` are masked accordingly).
    pub disclosure: crate::pii::Disclosure,
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

impl App {
    /// The case file if the actor's jurisdiction covers it; the read is audited.
    pub async fn case_for(&self, actor: &Actor, id: &str, reveal: bool) -> Result<CaseView, AppError> {
        if !actor.may(Permission::ReadCaseFile) {
            return Err(AppError::Forbidden);
        }
        let disclosure = crate::pii::Disclosure::for_actor(actor, reveal)?;
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
        let mut audit = actor.audit(&crate::pii::read_action("case", disclosure), ("case", &case.id), &json!({}));
        audit.division = case.division.clone();
        // The read is recorded durably before anything is shown; the file is read meanwhile.
        let (recorded, timeline, investigations) = tokio::join!(
            self.store.append_audit(audit, self.now_ms()),
            self.store.case_timeline(&case.lead_id, &case.id),
            self.store.investigations(&case.id),
        );
        recorded?;
        let (timeline, investigations) = (timeline?, investigations?);
        let members: Vec<Member> = stored_json(&case.household, "household", &case.id)?;
        let economy: Economy = stored_json(&case.economy, "economy", &case.id)?;
        let members = crate::pii::disclose_members(members, disclosure);
        let mut case = crate::pii::disclose_case(case, disclosure);
        if !disclosure.is_full() {
            // The raw household JSON holds the members' full numbers: replaced by the masked view.
            case.household = serde_json::to_string(&members).map_err(|e| AppError::Internal(e.to_string()))?;
        }
        Ok(CaseView { case, members, economy, investigations, timeline, disclosure })
    }

    /// The case opened from a lead, when the actor may see it.
    pub async fn case_of_lead(&self, actor: &Actor, lead: &LeadRecord) -> Result<Option<CaseRecord>, AppError> {
        let case = self.store.case_of_lead(&lead.id).await?;
        Ok(case.filter(|c| covers(actor, &c.division) || c.first_inquiry_unit == actor.unit.as_str()))
    }

    /// The actor's case queue.
    pub async fn case_queue(&self, actor: &Actor, filter: &LeadFilter) -> Result<Vec<CaseRecord>, AppError> {
        // Departments see the cases referred to them (through `/referrals`), not the district's.
        if !actor.may(Permission::WorkQueues) {
            return Err(AppError::Forbidden);
        }
        let d = crate::pii::Disclosure::for_actor(actor, false)?;
        let cases = self.store.list_cases(&actor.jurisdiction, filter).await?;
        Ok(cases.into_iter().map(|c| crate::pii::disclose_case(c, d)).collect())
    }

    /// Case counts per status in the actor's jurisdiction.
    pub async fn case_counts(&self, actor: &Actor) -> Result<Vec<(String, i64)>, AppError> {
        Ok(self.store.count_cases(&actor.jurisdiction).await?)
    }

    async fn editable_case(&self, actor: &Actor, id: &str) -> Result<CaseRecord, AppError> {
        if !actor.may(Permission::EditCaseFile) {
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

    async fn move_case(
        &self,
        actor: &Actor,
        case: &CaseRecord,
        expected_version: i64,
        to: CaseStatus,
        opinion: Option<(String, String)>,
        note: String,
    ) -> Result<i64, AppError> {
        let from = case.status;
        if !from.can_become(to) {
            return Err(AppError::InvalidTransition);
        }
        let now = self.now_ms();
        let owner = |user| crate::deadlines::ClockOwner {
            subject: ("case", &case.id),
            case: (&case.id, &case.number, &case.division),
            responsible: (&case.responsible_unit, user),
        };
        let urgency = case.urgency.code();
        // Each step's clock stops as the case moves on; the next step's starts (ADR 0009).
        let (step, clock) = match to {
            // The review is the office's, not yet any one reviewer's.
            CaseStatus::Reviewing => {
                ("submitted_for_review", Some(self.case_step_clock("review", urgency, owner("")).await?))
            }
            CaseStatus::Investigating => {
                ("sent_back", Some(self.case_step_clock("investigate", urgency, owner(&case.responsible_user)).await?))
            }
            CaseStatus::Reviewed => ("reviewed", None),
            CaseStatus::Closed => ("closed", None),
        };
        let t = CaseTransition {
            from,
            to,
            opinion,
            step_due_ms: clock.as_ref().map_or(case.step_due_ms, |c| c.due_ms),
            step: step.into(),
            note,
            close_case_deadlines: true,
            open_deadline: clock,
        };
        let audit =
            Self::case_audit(actor, case, &format!("case.{step}"), json!({"from": from.code(), "to": to.code()}));
        self.store.transition_case(&case.id, expected_version, &t, &who(actor), audit, now).await.map_err(stale)
    }
}
