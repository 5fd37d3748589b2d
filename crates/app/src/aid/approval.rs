//! Review (审核), approval at the required level (审批) with the money reserved, refusal,
//! payment, cancellation and reversal.

use super::*;

impl App {
    /// 审核: the street reviews the proposal with an opinion.
    pub async fn review_aid(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: i64,
        opinion: &str,
    ) -> Result<AidItem, AppError> {
        let item = self.aid_in_scope(actor, id).await?;
        if !reviews(actor) {
            return Err(AppError::Forbidden);
        }
        // Only a proposal is reviewed; an approved item returns to review only by an objection
        // (which releases its reservation).
        if item.status != AidStatus::Proposed {
            return Err(AppError::Conflict("AID_STATE"));
        }
        let opinion = reason(opinion, 2_000, "OPINION_REQUIRED", "opinion")?;
        let rules = self.store.aid_rules().await?;
        let duties = self.separate_duties(actor, &item, DutyStep::Review, &rules).await?;
        self.change(
            actor,
            &item,
            expected_version,
            AidStatus::Reviewed,
            ("review", &opinion, Money::None),
            Extras { duties, ..Extras::default() },
            "AID_STATE",
        )
        .await
    }

    /// 审批: the level the amount requires approves; the money is reserved in the same
    /// transaction, and a 公示 posting opens where the rules require one.
    pub async fn approve_aid(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: i64,
        opinion: &str,
    ) -> Result<AidItem, AppError> {
        let item = self.aid_in_scope(actor, id).await?;
        let level = approver_level(actor).ok_or(AppError::Forbidden)?;
        let needed = item.required_level;
        if level < needed {
            return Err(AppError::Conflict("ABOVE_AUTHORITY"));
        }
        let opinion = reason(opinion, 2_000, "OPINION_REQUIRED", "opinion")?;
        let now = self.now_ms();
        let rules = self.store.aid_rules().await?;
        let duties = self.separate_duties(actor, &item, DutyStep::Approve, &rules).await?;
        // Checked again here (another item for the same cause may have been approved since this
        // one was proposed), and once more inside the approval's transaction, serialised per
        // person and cause, so that two approvals at the same instant cannot both pass.
        let frequency = if !item.special && item.action_id.is_empty() && item.status == AidStatus::Reviewed {
            let case = self.store.case_by_id(&item.case_id).await?.ok_or(AppError::NotFound)?;
            self.check_frequency(&rules, case.subject_id_number.as_deref(), &case.id, &item.cause, now).await?
        } else {
            None
        };
        let rule = in_force(
            &rules.publicity,
            now,
            |p| p.effective_from,
            |p| p.programme == item.programme && p.aid_type == item.aid_type.code(),
        );
        let posting = match rule.filter(|r| r.required) {
            Some(r) => {
                let case = self.store.case_by_id(&item.case_id).await?.ok_or(AppError::NotFound)?;
                Some(Posting {
                    id: new_id(now),
                    aid_id: item.id.clone(),
                    case_id: item.case_id.clone(),
                    division: item.division.clone(),
                    programme: item.programme.clone(),
                    head_name: if r.fields.contains("head_name") {
                        posted_name(&case.subject_name)
                    } else {
                        String::new()
                    },
                    persons: if r.fields.contains("persons") { item.persons } else { 0 },
                    amount_fen: if r.fields.contains("amount") { item.amount_fen } else { 0 },
                    reason: if r.fields.contains("reason") { item.cause.clone() } else { String::new() },
                    start_ms: now,
                    end_ms: now + r.days * 86_400_000,
                    status: PostingStatus::Open,
                    created_ms: now,
                })
            }
            None => None,
        };
        let approved = self
            .change(
                actor,
                &item,
                expected_version,
                AidStatus::Approved,
                ("approve", &opinion, Money::Reserve),
                Extras { posting, frequency, duties, ..Extras::default() },
                "AID_STATE",
            )
            .await?;
        if !approved.action_id.is_empty() {
            self.complete_aid_first(actor, &approved).await?;
        }
        Ok(approved)
    }

    /// The approved item is the aid-first action's paperwork: the action completes and its
    /// paperwork clock stops.
    async fn complete_aid_first(&self, actor: &Actor, item: &AidItem) -> Result<(), AppError> {
        let Some(a) = self.store.action(&item.action_id).await? else { return Ok(()) };
        if a.status != ActionStatus::Accepted {
            return Ok(());
        }
        let change = jiujinan_store::ActionChange {
            outcome: Some("granted".into()),
            outcome_detail: Some(format!("补办审批：{} 元", yuan(item.amount_fen))),
            close_deadlines: true,
            step: "paperwork_approved".into(),
            // The amount approved, in yuan; the timeline says it in words.
            note: yuan(item.amount_fen),
            ..jiujinan_store::ActionChange::new(&a.id, a.version, a.status, ActionStatus::Completed)
        };
        let mut audit = actor.audit("action.completed", ("action", &a.id), &json!({"aid": item.id}));
        audit.division = a.division.clone();
        match self.store.change_action(&change, &who(actor), audit, self.now_ms()).await {
            // Completed by hand meanwhile: nothing left to do.
            Ok(_) | Err(StoreError::Conflict(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Refuses with written reasons (printable notice with the Art. 65 rights).
    pub async fn refuse_aid(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: i64,
        why: &str,
    ) -> Result<AidItem, AppError> {
        let item = self.aid_in_scope(actor, id).await?;
        if !reviews(actor) {
            return Err(AppError::Forbidden);
        }
        let why = reason(why, 2_000, "REASON_REQUIRED", "reason")?;
        self.change(
            actor,
            &item,
            expected_version,
            AidStatus::Refused,
            ("refuse", &why, Money::None),
            Extras { refusal_reason: Some(why.clone()), ..Extras::default() },
            "AID_STATE",
        )
        .await
    }

    /// Records the payment (bank transfer, cash against a signed receipt, goods handed over);
    /// a second submission of the same payment is refused, so it is paid once.
    pub async fn pay_aid(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: i64,
        method: &str,
        reference: &str,
    ) -> Result<AidItem, AppError> {
        let item = self.aid_in_scope(actor, id).await?;
        let method = DeliveryMethod::parse(method)?;
        let reference = reason(reference, 200, "DETAIL_REQUIRED", "reference")?;
        if item.status == AidStatus::Paid {
            return Err(AppError::Conflict("ALREADY_PAID"));
        }
        let rules = self.store.aid_rules().await?;
        let duties = self.separate_duties(actor, &item, DutyStep::Pay, &rules).await?;
        let delivery = Some((method.code().to_owned(), reference.clone()));
        self.change(
            actor,
            &item,
            expected_version,
            AidStatus::Paid,
            ("pay", &reference, Money::Pay),
            Extras { delivery, duties, ..Extras::default() },
            "ALREADY_PAID",
        )
        .await
    }

    /// Withdraws an unpaid item; an approved one releases its reservation.
    pub async fn cancel_aid(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: i64,
        why: &str,
    ) -> Result<AidItem, AppError> {
        let item = self.aid_in_scope(actor, id).await?;
        let why = reason(why, 2_000, "REASON_REQUIRED", "reason")?;
        let money = if item.status == AidStatus::Approved { Money::Release } else { Money::None };
        self.change(
            actor,
            &item,
            expected_version,
            AidStatus::Cancelled,
            ("cancel", &why, money),
            Extras::default(),
            "AID_STATE",
        )
        .await
    }

    /// Corrects a wrong payment by a reversing entry: the money returns to the fund; posted
    /// entries are never changed.
    pub async fn reverse_payment(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: i64,
        why: &str,
    ) -> Result<AidItem, AppError> {
        let item = self.aid_in_scope(actor, id).await?;
        if !reviews(actor) {
            return Err(AppError::Forbidden);
        }
        let why = reason(why, 2_000, "REASON_REQUIRED", "reason")?;
        self.change(
            actor,
            &item,
            expected_version,
            AidStatus::Reversed,
            ("reverse", &why, Money::Reverse),
            Extras::default(),
            "AID_STATE",
        )
        .await
    }

    /// The items waiting for the actor's approval (their level, their jurisdiction), and the
    /// proposals waiting for review.
    /// Approved items of the actor's jurisdiction waiting to be paid, for those who pay (each
    /// item's page still hides the payment from its own approver).
    pub async fn aid_to_pay(&self, actor: &Actor) -> Result<Vec<AidItem>, AppError> {
        if !handles_aid(actor) {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.aid_queue(&actor.jurisdiction, AidStatus::Approved.code(), None, 500).await?)
    }

    pub async fn approvals_inbox(&self, actor: &Actor) -> Result<(Vec<AidItem>, Vec<AidItem>), AppError> {
        let Some(level) = approver_level(actor) else { return Err(AppError::Forbidden) };
        let to_approve =
            self.store.aid_queue(&actor.jurisdiction, AidStatus::Reviewed.code(), Some(level.code()), 500).await?;
        let to_review = self.store.aid_queue(&actor.jurisdiction, AidStatus::Proposed.code(), None, 500).await?;
        Ok((to_approve, to_review))
    }
}
