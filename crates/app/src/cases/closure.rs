//! Closing a case when every action has an outcome, reopening it, the follow-up visit.

use super::*;

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
        if !actor.may(Permission::ReviewCase) {
            return Err(AppError::Forbidden);
        }
        let case = self.editable_case(actor, case_id).await?;
        let note = text(note, 2_000, "OPINION_REQUIRED", "note")?;
        if case.status != CaseStatus::Reviewed {
            return Err(AppError::InvalidTransition);
        }
        let actions = self.store.actions_of_case(&case.id).await?;
        if actions.iter().any(|a| !a.status.is_final()) {
            return Err(AppError::Conflict("ACTIONS_OPEN"));
        }
        let owner = crate::deadlines::ClockOwner {
            subject: ("case", &case.id),
            case: (&case.id, &case.number, &case.division),
            responsible: (&case.responsible_unit, &case.responsible_user),
        };
        let followup = self.new_deadline("case", "followup", "*", owner).await?;
        let t = CaseTransition {
            from: case.status,
            to: CaseStatus::Closed,
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
        if !actor.may(Permission::ReviewCase) {
            return Err(AppError::Forbidden);
        }
        let case = self.editable_case(actor, case_id).await?;
        let why = text(why, 2_000, "REASON_REQUIRED", "reason")?;
        if case.status != CaseStatus::Closed {
            return Err(AppError::InvalidTransition);
        }
        let t = CaseTransition {
            from: case.status,
            to: CaseStatus::Reviewed,
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
        if case.status != CaseStatus::Closed {
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
