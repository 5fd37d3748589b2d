//! Proposing aid on a case: standard × months × members, the calculation kept, the yearly limit.

use super::*;

impl App {
    /// Proposes an aid item on a reviewed case: the amount comes from the standard in force,
    /// the tier and the household living together, with the calculation kept; a different
    /// amount needs a reason. Frequency limits and the approval ceiling apply here already.
    pub async fn propose_aid(&self, actor: &Actor, case_id: &str, input: AidInput) -> Result<String, AppError> {
        if !handles_aid(actor) {
            return Err(AppError::Forbidden);
        }
        let case = self.store.case_by_id(case_id).await?.ok_or(AppError::NotFound)?;
        if !covers(actor, &case.division) {
            return Err(AppError::NotFound);
        }
        let aid_first = match input.action_id.trim() {
            "" => None,
            id => {
                let a = self.store.action(id).await?.filter(|a| {
                    a.case_id == case.id
                        && a.route == jiujinan_domain::case::Route::AidFirst
                        && a.status == ActionStatus::Accepted
                });
                Some(a.ok_or(field("AID_FIRST_SOURCE", "action_id"))?)
            }
        };
        if let Some(a) = &aid_first {
            let live = self.store.aid_of_case(&case.id).await?.into_iter().any(|i| {
                i.action_id == a.id
                    && !matches!(i.status, AidStatus::Refused | AidStatus::Cancelled | AidStatus::Reversed)
            });
            if live {
                return Err(field("AID_FIRST_SOURCE", "action_id"));
            }
        }
        match case.status {
            CaseStatus::Reviewed => {}
            CaseStatus::Closed => return Err(AppError::Conflict("CASE_CLOSED")),
            // Aid already given first: its paperwork may come before the review.
            _ if aid_first.is_some() => {}
            _ => return Err(AppError::Conflict("REVIEW_REQUIRED")),
        }
        if aid_first.is_none() && self.store.investigations(&case.id).await?.is_empty() {
            return Err(field("INVESTIGATION_REQUIRED", "investigations"));
        }
        let kind = AidKind::parse(&input.kind)?;
        let aid_type = AidType::parse(&input.aid_type)?;
        let cause = HardshipType::parse(&input.cause).map_err(|_| field("UNKNOWN_HARDSHIP_TYPE", "cause"))?;
        let description = input.description.trim().chars().take(1_000).collect::<String>();
        let now = self.now_ms();
        let rules = self.store.aid_rules().await?;
        let tier = in_force(
            &rules.tiers,
            now,
            |t| t.effective_from,
            |t| t.aid_type == aid_type.code() && t.tier == input.tier,
        )
        .ok_or(field("UNKNOWN_TIER", "tier"))?;
        let standard = Self::standard_in_force(&rules, &case.division, now)
            .ok_or_else(|| AppError::Internal("no assistance standard in force".into()))?;
        let members: Vec<Member> = stored_json(&case.household, "household", &case.id)?;
        let persons = (members.iter().filter(|m| m.living_together).count() as i64).max(1);
        let proposal = propose(standard.amount_fen, tier.months, persons);
        let given = aid_first.as_ref().map(|a| a.amount_fen).filter(|a| *a > 0);
        let amount = input.amount_fen.or(given).unwrap_or(proposal.amount_fen);
        if amount < 0 {
            return Err(field("NEGATIVE_AMOUNT", "amount"));
        }
        if kind == AidKind::Cash && amount == 0 {
            return Err(field("AMOUNT_REQUIRED", "amount"));
        }
        // However it is decided (also 一事一议), one grant stays within the ceiling in force.
        Fen::new(amount, "amount")?.within(money_ceiling(&rules, MoneyOperation::Grant, now), "amount")?;
        let change_reason = if amount == proposal.amount_fen {
            String::new()
        } else if given == Some(amount) && input.change_reason.trim().is_empty() {
            "先行救助已给予的金额".to_owned()
        } else {
            reason(&input.change_reason, 1_000, "REASON_REQUIRED", "change_reason")?
        };
        // "In principle" once a year per cause; a special case (一事一议, decided by the district)
        // may go beyond it.
        // The paperwork of aid given first is that grant, not another one: never refused by the
        // limit (it may come after the main grant for the same cause).
        if !input.special && aid_first.is_none() {
            self.check_frequency(&rules, case.subject_id_number.as_deref(), &case.id, cause.code(), now).await?;
        }
        // A level without a ceiling in force approves nothing (0), and that is no placeholder.
        let ceiling = |level: &str| {
            in_force(&rules.authority, now, |a| a.effective_from, |a| a.programme == TEMPORARY && a.level == level)
                .map_or((0, false), |a| (a.max_fen, a.placeholder))
        };
        let (street, district) = (ceiling("street"), ceiling("district"));
        let level = required_level(amount, street.0, district.0, input.special)?;
        // The standard and the tier decided the amount only when it is the one they gave (not
        // one entered by hand or taken from aid given first).
        let computed = amount == proposal.amount_fen;
        let placeholders: Vec<PlaceholderRule> = [
            (computed && standard.placeholder, PlaceholderRule::Standard),
            (computed && tier.placeholder, PlaceholderRule::Tier),
            (authority_from_placeholder(amount, street, district.1, input.special), PlaceholderRule::Authority),
        ]
        .into_iter()
        .filter_map(|(on, rule)| on.then_some(rule))
        .collect();
        let fund = self.store.fund(&input.fund_id).await?.ok_or(field("UNKNOWN_FUND", "fund_id"))?;
        if !case.division.starts_with(&fund.division) {
            return Err(field("UNKNOWN_FUND", "fund_id"));
        }
        // Placeholders are recorded beside the text (`placeholders`), marked in both languages.
        let calculation = format!(
            "{} × {} 个月 × {} 人（{}）",
            yuan(standard.amount_fen),
            tier.months,
            persons,
            proposal.calculation
        );
        let item = AidItem {
            id: new_id(now),
            case_id: case.id.clone(),
            case_number: case.number.clone(),
            division: case.division.clone(),
            programme: TEMPORARY.into(),
            kind,
            aid_type,
            cause: cause.code().into(),
            tier: tier.tier,
            persons,
            description,
            proposed_fen: proposal.amount_fen,
            amount_fen: amount,
            calculation,
            placeholders: placeholders_text(&placeholders),
            change_reason,
            special: input.special,
            required_level: level,
            fund_id: fund.id.clone(),
            status: AidStatus::Proposed,
            delivery_method: String::new(),
            delivery_ref: String::new(),
            paid_ms: 0,
            refusal_reason: String::new(),
            action_id: aid_first.as_ref().map(|a| a.id.clone()).unwrap_or_default(),
            created_by: actor.username.clone(),
            created_unit: actor.unit.to_string(),
            created_ms: now,
            updated_ms: now,
            version: 1,
        };
        let mut audit = actor.audit(
            "aid.proposed",
            ("aid", &item.id),
            &json!({
                "amount_fen": amount,
                "proposed_fen": proposal.amount_fen,
                "level": level.code(),
                "special": input.special,
                "placeholders": placeholders.iter().map(|p| p.code()).collect::<Vec<_>>(),
            }),
        );
        audit.division = case.division.clone();
        let clock = self.aid_clock(&item, AidStatus::Proposed, None).await?;
        self.store.create_aid(&item, clock.as_ref(), &who(actor), audit, now).await?;
        Ok(item.id)
    }

    /// Refuses when the person (or case) already had aid for this cause within a year, as often
    /// as the frequency rule in force allows. Returns the limit for a write to check again in
    /// its own transaction (`None` when no rule is in force).
    pub(crate) async fn check_frequency(
        &self,
        rules: &AidRules,
        id_number: Option<&str>,
        case_id: &str,
        cause: &str,
        now: i64,
    ) -> Result<Option<FrequencyGuard>, AppError> {
        let Some(f) = in_force(&rules.frequency, now, |f| f.effective_from, |f| f.programme == TEMPORARY) else {
            return Ok(None);
        };
        let year_ago = now - 365 * 86_400_000;
        let prior = self.store.prior_aid_count(id_number, case_id, TEMPORARY, cause, year_ago).await?;
        if prior >= f.max_per_year {
            return Err(field("FREQUENCY_LIMIT", "cause"));
        }
        Ok(Some(FrequencyGuard {
            id_number: id_number.map(str::to_owned),
            case_id: case_id.to_owned(),
            programme: TEMPORARY.to_owned(),
            cause: cause.to_owned(),
            since_ms: year_ago,
            max_per_year: f.max_per_year,
        }))
    }
}
