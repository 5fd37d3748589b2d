//! 公示 postings of approved aid and objections to them.

use super::*;

impl App {
    /// Public postings within the actor's jurisdiction.
    pub async fn postings(&self, actor: &Actor, open_only: bool) -> Result<Vec<Posting>, AppError> {
        if !actor.may(Permission::ReadPostings) {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.postings(&actor.jurisdiction, open_only).await?)
    }

    /// Records an objection to a posting; the approval is withdrawn (the reservation is
    /// released) and the item goes back to review.
    pub async fn object_to_posting(&self, actor: &Actor, posting_id: &str, text: &str) -> Result<(), AppError> {
        let posting = self.store.posting(posting_id).await?.ok_or(AppError::NotFound)?;
        if !covers(actor, &posting.division) || !handles_aid(actor) {
            return Err(AppError::NotFound);
        }
        let text = reason(text, 2_000, "DETAIL_REQUIRED", "text")?;
        let item = self.store.aid(&posting.aid_id).await?.ok_or(AppError::NotFound)?;
        if item.status != AidStatus::Approved || posting.status != PostingStatus::Open {
            return Err(AppError::Conflict("POSTING_CLOSED"));
        }
        let now = self.now_ms();
        let reopen = AidChange {
            id: item.id.clone(),
            expected_version: item.version,
            from: item.status,
            to: AidStatus::Reviewed,
            approval: Self::opinion(actor, &item, "objection", &text, now),
            money: Money::Release,
            refusal_reason: None,
            delivery: None,
            posting: None,
            frequency: None,
            open_deadline: self.aid_clock(&item, AidStatus::Reviewed, None).await?,
        };
        let mut audit = actor.audit("aid.objection", ("aid", &item.id), &json!({"posting": posting.id}));
        audit.division = item.division.clone();
        self.store
            .object_to_posting(&posting.id, (&new_id(now), &text), &reopen, &who(actor), audit, now)
            .await
            .map_err(|e| aid_conflict(e, "POSTING_CLOSED"))
    }
}
