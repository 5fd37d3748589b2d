//! Submitting a case for review (初审), the review opinion, sending it back.

use super::*;

impl App {
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
        if !actor.may(Permission::ReviewCase) {
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
        if !actor.may(Permission::ReviewCase) {
            return Err(AppError::Forbidden);
        }
        let case = self.editable_case(actor, case_id).await?;
        let reason = text(reason, 2_000, "REASON_REQUIRED", "reason")?;
        self.move_case(actor, &case, expected_version, CaseStatus::Investigating, None, reason).await
    }
}
