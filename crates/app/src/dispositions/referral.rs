//! A referral's life after it is sent: accept, return with a reason, feed back an outcome,
//! record events, complete aid-first paperwork, cancel.

use super::*;

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

impl App {
    /// The action if the actor answers for its receiver: the receiving unit's staff, or the
    /// sender's staff for a party outside the platform.
    async fn receivable(&self, actor: &Actor, id: &str) -> Result<ActionRecord, AppError> {
        let a = self.store.action(id).await?.ok_or(AppError::NotFound)?;
        if answering_unit(&a) != actor.unit.as_str() {
            // Existence does not leak outside the units concerned.
            return Err(if a.from_unit == actor.unit.as_str() { AppError::Forbidden } else { AppError::NotFound });
        }
        if !actor.may(Permission::AnswerReferrals) {
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
        if a.status != ActionStatus::Sent {
            return Err(AppError::Conflict("ALREADY_ANSWERED"));
        }
        let open_deadline = if a.route == Route::JointMeeting {
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
            Some(self.new_deadline(a.route.code(), "feedback", kind_code(&a.to_unit), owner).await?)
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
        if a.status != ActionStatus::Sent {
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
        if a.route == Route::AidFirst || a.route == Route::JointMeeting {
            return Err(AppError::InvalidTransition);
        }
        let outcome = Outcome::parse(outcome)?;
        let detail = reason(detail, 2_000, "DETAIL_REQUIRED", "detail")?;
        if amount_fen < 0 {
            return Err(field("NEGATIVE_AMOUNT", "amount"));
        }
        if a.status != ActionStatus::Accepted {
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
        if a.route != Route::AidFirst {
            return Err(AppError::InvalidTransition);
        }
        let note = reason(note, 2_000, "DETAIL_REQUIRED", "detail")?;
        if a.status != ActionStatus::Accepted {
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
        let status = a.status;
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
            from: a.status,
            to: spec.to,
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
        if !actor.may(Permission::AnswerReferrals) {
            return Err(AppError::Forbidden);
        }
        let kind = EventKind::parse(kind)?;
        if !kind.fits(a.route) {
            return Err(field("EVENT_NOT_FOR_ROUTE", "kind"));
        }
        let detail = reason(detail, 2_000, "DETAIL_REQUIRED", "detail")?;
        if a.status.is_final() {
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
}
