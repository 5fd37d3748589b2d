//! Verifying a lead: merge it, accept it as a case, or close or re-route it.

use super::*;

impl App {
    /// Decides about an open lead. Only handling-office staff and those above, within the
    /// lead's jurisdiction; `expected_version` guards against two verifiers at once.
    pub async fn verify_lead(
        &self,
        actor: &Actor,
        lead_id: &str,
        expected_version: i64,
        v: Verification,
    ) -> Result<Verified, AppError> {
        if !actor.may(Permission::VerifyLead) {
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
                let id = new_id(now);
                let owner = crate::deadlines::ClockOwner {
                    subject: ("case", &id),
                    // The store writes the case number on the clock when it draws it.
                    case: (&id, "", &lead.division),
                    responsible: (&lead.responsible_unit, &actor.username),
                };
                let clock = self.case_step_clock("investigate", lead.urgency.code(), owner).await?;
                let row = NewCaseRow {
                    street: lead.division[..9.min(lead.division.len())].to_owned(),
                    year: beijing_date(now).0,
                    responsible_user: actor.username.clone(),
                    documents_pending,
                    step_due_ms: clock.due_ms,
                    clock,
                    id,
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
                // The target as a caseworker knows it: a lead or case number, or an id.
                let into = into_id.trim();
                let target_lead = match self.store.lead(into).await? {
                    Some(t) => Some(t),
                    None => self.store.lead_by_number(&into.to_uppercase()).await?,
                };
                let target_case = match target_lead {
                    Some(_) => None,
                    None => match self.store.case_by_id(into).await? {
                        Some(c) => Some(c),
                        None => self.store.case_by_number(into).await?,
                    },
                };
                let into_id = match (&target_lead, &target_case) {
                    (Some(t), _) => t.id.clone(),
                    (None, Some(c)) => c.id.clone(),
                    (None, None) => return Err(field("MERGE_TARGET", "into")),
                };
                if into_id == lead.id {
                    return Err(field("MERGE_TARGET", "into"));
                }
                // The number and channel only: the description is personal data, sealed in the
                // lead (which stays readable through its number), never copied into a timeline.
                let report = format!("{} · {}", lead.number, lead.channel.code());
                let (into_number, into_type) = match (target_lead, target_case) {
                    (Some(t), _)
                        if t.status == jiujinan_domain::lead::LeadStatus::New && covers(actor, &t.division) =>
                    {
                        (t.number, "lead")
                    }
                    (None, Some(c)) if covers(actor, &c.division) => (c.number, "case"),
                    _ => return Err(field("MERGE_TARGET", "into")),
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
}
