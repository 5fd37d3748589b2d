//! Creating a disposition action on a case: one of the six routes, its receiver and first clock.

use super::*;

impl App {
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
        let status = case.status;
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
        if route == Route::Refer && programme_code.is_empty() {
            return Err(field("PROGRAMME_REQUIRED", "programme"));
        }
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
        // Only the route's own fields are kept (a form without scripts shows them all).
        if route != Route::DiseaseEmergency {
            details.hospital.clear();
            details.identity_unknown = false;
        }
        if route != Route::AidFirst {
            details.given.clear();
        }
        if route != Route::Shelter {
            details.home_province.clear();
        }
        let amount_fen = if route == Route::AidFirst { input.amount_fen.max(0) } else { 0 };
        if !input.redirect_from.is_empty() {
            let src = self.store.action(&input.redirect_from).await?;
            if src.as_ref().is_none_or(|s| s.case_id != case.id || s.status != ActionStatus::Returned) {
                return Err(field("REDIRECT_SOURCE", "redirect_from"));
            }
        }
        let id = new_id(now);
        let immediate = route == Route::AidFirst;
        let action = NewAction {
            id: id.clone(),
            case_id: case.id.clone(),
            case_number: case.number.clone(),
            route,
            programme: programme_code,
            division: case.division.clone(),
            from_unit: actor.unit.to_string(),
            from_user: actor.username.clone(),
            to_unit: to_unit.clone(),
            to_party,
            status: if immediate { ActionStatus::Accepted } else { ActionStatus::Sent },
            request,
            amount_fen,
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
}
