//! Aid, approval and funds (257号 §三(二) 2, 5, §四(二)): temporary assistance proposed from the
//! standard in force and shown with its calculation, review (审核) and approval (审批) by the
//! level the amount and the rules require, 公示 where required, and payment from a fund whose
//! balance can never go below zero.

use jiujinan_domain::aid::{
    AidKind, AidStatus, AidType, DeliveryMethod, FundKind, Level, propose, required_level, yuan,
};
use jiujinan_domain::case::{CaseStatus, Member};
use jiujinan_domain::disposition::reason;
use jiujinan_domain::lead::HardshipType;
use jiujinan_domain::org::{DivisionCode, DivisionLevel, UnitCode};
use jiujinan_domain::user::Role;
use jiujinan_store::{
    AidApproval, AidChange, AidItem, AidRules, Conflict, FrequencyGuard, Fund, Money, Posting, StoreError,
};
use serde::Serialize;
use serde_json::json;

use crate::access::{covers, field, who};
use crate::auth::Actor;
use crate::ids::new_id;
use crate::{App, AppError};

/// Temporary assistance, the programme this module computes amounts for.
pub const TEMPORARY: &str = "temporary";

/// What a caseworker proposes.
#[derive(Debug, Clone, Default)]
pub struct AidInput {
    pub kind: String,
    pub aid_type: String,
    /// The hardship type the aid answers (frequency limits count per cause).
    pub cause: String,
    pub tier: i64,
    pub description: String,
    /// A different amount than proposed, in fen; needs `change_reason`.
    pub amount_fen: Option<i64>,
    pub change_reason: String,
    /// 一事一议: lifts the ceiling, needs the district.
    pub special: bool,
    pub fund_id: String,
    /// The aid-first action (先行救助) this item completes the paperwork of: allowed before
    /// the review, its amount by default; approving the item completes the action.
    pub action_id: String,
}

/// An aid item with its opinions and posting.
#[derive(Debug, Clone, Serialize)]
pub struct AidView {
    pub item: AidItem,
    pub approvals: Vec<AidApproval>,
    pub posting: Option<Posting>,
}

/// A month of a fund: opening, money in, money out, reserved at the end, closing.
#[derive(Debug, Clone, Serialize)]
pub struct Reconciliation {
    pub fund: Fund,
    pub month: String,
    pub opening_fen: i64,
    pub in_fen: i64,
    pub out_fen: i64,
    pub reserved_fen: i64,
    pub closing_fen: i64,
    pub lines: Vec<jiujinan_store::LedgerEntry>,
}

/// Civil-affairs staff who handle aid (not departments, auditors, community workers).
fn handles_aid(actor: &Actor) -> bool {
    actor.jurisdiction.department.is_none()
        && matches!(actor.role, Role::WindowClerk | Role::StreetReviewer | Role::DistrictApprover | Role::Admin)
}

fn reviews(actor: &Actor) -> bool {
    actor.jurisdiction.department.is_none()
        && matches!(actor.role, Role::StreetReviewer | Role::DistrictApprover | Role::Admin)
}

/// The level an approver acts at: street staff at street level, district and city staff at
/// district level.
fn approver_level(actor: &Actor) -> Option<Level> {
    if !reviews(actor) {
        return None;
    }
    match actor.jurisdiction.division.level() {
        DivisionLevel::Street => Some(Level::Street),
        DivisionLevel::District | DivisionLevel::City => Some(Level::District),
        DivisionLevel::Community => None,
    }
}

/// The latest row with `effective_from <= at` among those `keep` selects.
fn in_force<T>(rows: &[T], at: i64, eff: impl Fn(&T) -> i64, keep: impl Fn(&T) -> bool) -> Option<&T> {
    rows.iter().filter(|r| keep(r) && eff(r) <= at).max_by_key(|r| eff(r))
}

/// A name as posted: the family name and a mask (DOMAIN §8, minimal fields).
fn posted_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => format!("{first}{}", "*".repeat(chars.count().max(1))),
        None => String::new(),
    }
}

/// What a change carries besides its step: a refusal reason, the delivery, a 公示 posting, and
/// the frequency limit to check again inside its transaction.
#[derive(Default)]
struct Extras {
    refusal_reason: Option<String>,
    delivery: Option<(String, String)>,
    posting: Option<Posting>,
    frequency: Option<FrequencyGuard>,
}

/// An administrator's dated rule row: when it takes effect (start of that Beijing day) and its
/// source.
fn dated_rule(actor: &Actor, effective_from: &str, source: &str) -> Result<(i64, String), AppError> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let from = crate::calendar::start_of_beijing_day(effective_from).ok_or(field("INVALID_DAY", "effective_from"))?;
    Ok((from, reason(source, 500, "DETAIL_REQUIRED", "source")?))
}

/// A rule row already there for the same key and date.
fn rule_exists(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => AppError::Conflict("RULE_EXISTS"),
        other => other.into(),
    }
}

fn aid_conflict(e: StoreError, state_code: &'static str) -> AppError {
    match e {
        StoreError::Conflict(Conflict::FrequencyLimit) => field("FREQUENCY_LIMIT", "cause"),
        StoreError::Conflict(Conflict::AidState) => AppError::Conflict(state_code),
        StoreError::Conflict(Conflict::InsufficientFunds) => AppError::Conflict("INSUFFICIENT_FUNDS"),
        StoreError::Conflict(Conflict::PostingOpen) => AppError::Conflict("POSTING_OPEN"),
        StoreError::Conflict(_) => AppError::StaleVersion,
        other => other.into(),
    }
}

impl App {
    /// Every aid rule row.
    pub async fn aid_rules(&self) -> Result<AidRules, AppError> {
        Ok(self.store.aid_rules().await?)
    }

    /// The 低保 standard in force for a division (a district's own row before the city's).
    pub fn standard_in_force<'a>(rules: &'a AidRules, division: &str, at: i64) -> Option<&'a jiujinan_store::Standard> {
        let district = division.get(..6).unwrap_or(division);
        in_force(&rules.standards, at, |s| s.effective_from, |s| s.kind == "dibao" && s.region == district)
            .or_else(|| in_force(&rules.standards, at, |s| s.effective_from, |s| s.kind == "dibao" && s.region == "11"))
    }

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
                        && a.route == jiujinan_domain::case::Route::AidFirst.code()
                        && a.status == "accepted"
                });
                Some(a.ok_or(field("AID_FIRST_SOURCE", "action_id"))?)
            }
        };
        if let Some(a) = &aid_first {
            let live = self
                .store
                .aid_of_case(&case.id)
                .await?
                .into_iter()
                .any(|i| i.action_id == a.id && !matches!(i.status.as_str(), "refused" | "cancelled" | "reversed"));
            if live {
                return Err(field("AID_FIRST_SOURCE", "action_id"));
            }
        }
        match CaseStatus::parse(&case.status)? {
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
        let members: Vec<Member> = serde_json::from_str(&case.household).unwrap_or_default();
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
        let change_reason = if amount == proposal.amount_fen {
            String::new()
        } else if given == Some(amount) && input.change_reason.trim().is_empty() {
            "先行救助已给予的金额".to_owned()
        } else {
            reason(&input.change_reason, 1_000, "REASON_REQUIRED", "change_reason")?
        };
        // "In principle" once a year per cause; a special case (一事一议, decided by the district)
        // may go beyond it.
        if !input.special {
            self.check_frequency(&rules, case.subject_id_number.as_deref(), &case.id, cause.code(), now).await?;
        }
        let ceiling = |level: &str| {
            in_force(&rules.authority, now, |a| a.effective_from, |a| a.programme == TEMPORARY && a.level == level)
                .map(|a| a.max_fen)
                .unwrap_or(0)
        };
        let level = required_level(amount, ceiling("street"), ceiling("district"), input.special)?;
        let fund = self.store.fund(&input.fund_id).await?.ok_or(field("UNKNOWN_FUND", "fund_id"))?;
        if !case.division.starts_with(&fund.division) {
            return Err(field("UNKNOWN_FUND", "fund_id"));
        }
        let calculation = format!(
            "{}{} × {} 个月 × {} 人（{}）",
            if standard.placeholder { "[待确认标准] " } else { "" },
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
            kind: kind.code().into(),
            aid_type: aid_type.code().into(),
            cause: cause.code().into(),
            tier: tier.tier,
            persons,
            description,
            proposed_fen: proposal.amount_fen,
            amount_fen: amount,
            calculation,
            change_reason,
            special: input.special,
            required_level: level.code().into(),
            fund_id: fund.id.clone(),
            status: AidStatus::Proposed.code().into(),
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
            &json!({"amount_fen": amount, "proposed_fen": proposal.amount_fen, "level": level.code(), "special": input.special}),
        );
        audit.division = case.division.clone();
        self.store.create_aid(&item, &who(actor), audit, now).await?;
        Ok(item.id)
    }

    /// Refuses when the person (or case) already had aid for this cause within a year, as often
    /// as the frequency rule in force allows. Returns the limit for a write to check again in
    /// its own transaction (`None` when no rule is in force).
    async fn check_frequency(
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

    /// The aid items of a case the actor may see, with opinions and postings.
    pub async fn aid_of_case(&self, case_id: &str) -> Result<Vec<AidView>, AppError> {
        let items = self.store.aid_of_case(case_id).await?;
        let mut out = Vec::new();
        for item in items {
            let approvals = self.store.aid_approvals(&item.id).await?;
            out.push(AidView { item, approvals, posting: None });
        }
        Ok(out)
    }

    async fn aid_in_scope(&self, actor: &Actor, id: &str) -> Result<AidItem, AppError> {
        let item = self.store.aid(id).await?.ok_or(AppError::NotFound)?;
        if !covers(actor, &item.division) || !handles_aid(actor) {
            return Err(AppError::NotFound);
        }
        Ok(item)
    }

    fn opinion(actor: &Actor, item: &AidItem, step: &str, opinion: &str, now: i64) -> AidApproval {
        AidApproval {
            id: new_id(now),
            aid_id: item.id.clone(),
            step: step.into(),
            level: approver_level(actor).map(|l| l.code()).unwrap_or("").into(),
            actor: actor.username.clone(),
            unit: actor.unit.to_string(),
            opinion: opinion.into(),
            at_ms: now,
        }
    }

    async fn change(
        &self,
        actor: &Actor,
        item: &AidItem,
        expected_version: i64,
        to: AidStatus,
        spec: (&str, &str, Money),
        extra: Extras,
        state_code: &'static str,
    ) -> Result<AidItem, AppError> {
        let from = AidStatus::parse(&item.status)?;
        if !from.can_become(to) {
            return Err(AppError::Conflict(state_code));
        }
        let now = self.now_ms();
        let (step, opinion, money) = spec;
        let change = AidChange {
            id: item.id.clone(),
            expected_version,
            from: from.code().into(),
            to: to.code().into(),
            approval: Self::opinion(actor, item, step, opinion, now),
            money,
            refusal_reason: extra.refusal_reason,
            delivery: extra.delivery,
            posting: extra.posting,
            frequency: extra.frequency,
        };
        let mut audit =
            actor.audit(&format!("aid.{}", to.code()), ("aid", &item.id), &json!({"amount_fen": item.amount_fen}));
        audit.division = item.division.clone();
        self.store.change_aid(&change, &who(actor), audit, now).await.map_err(|e| aid_conflict(e, state_code))
    }

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
        if item.status != AidStatus::Proposed.code() {
            return Err(AppError::Conflict("AID_STATE"));
        }
        let opinion = reason(opinion, 2_000, "OPINION_REQUIRED", "opinion")?;
        self.change(
            actor,
            &item,
            expected_version,
            AidStatus::Reviewed,
            ("review", &opinion, Money::None),
            Extras::default(),
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
        let needed = Level::parse(&item.required_level)?;
        if level < needed {
            return Err(AppError::Conflict("ABOVE_AUTHORITY"));
        }
        let opinion = reason(opinion, 2_000, "OPINION_REQUIRED", "opinion")?;
        let now = self.now_ms();
        let rules = self.store.aid_rules().await?;
        // Checked again here (another item for the same cause may have been approved since this
        // one was proposed), and once more inside the approval's transaction, serialised per
        // person and cause, so that two approvals at the same instant cannot both pass.
        let frequency = if !item.special && item.status == AidStatus::Reviewed.code() {
            let case = self.store.case_by_id(&item.case_id).await?.ok_or(AppError::NotFound)?;
            self.check_frequency(&rules, case.subject_id_number.as_deref(), &case.id, &item.cause, now).await?
        } else {
            None
        };
        let rule = in_force(
            &rules.publicity,
            now,
            |p| p.effective_from,
            |p| p.programme == item.programme && p.aid_type == item.aid_type,
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
                    status: "open".into(),
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
                Extras { posting, frequency, ..Extras::default() },
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
        if a.status != "accepted" {
            return Ok(());
        }
        let change = jiujinan_store::ActionChange {
            id: a.id.clone(),
            expected_version: a.version,
            from: a.status.clone(),
            to: "completed".into(),
            outcome: Some("granted".into()),
            outcome_detail: Some(format!("补办审批：{} 元", yuan(item.amount_fen))),
            close_deadlines: true,
            step: "paperwork_completed".into(),
            note: format!("aid {}", item.id),
            ..jiujinan_store::ActionChange::default()
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
        if item.status == AidStatus::Paid.code() {
            return Err(AppError::Conflict("ALREADY_PAID"));
        }
        let delivery = Some((method.code().to_owned(), reference.clone()));
        self.change(
            actor,
            &item,
            expected_version,
            AidStatus::Paid,
            ("pay", &reference, Money::Pay),
            Extras { delivery, ..Extras::default() },
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
        let money = if item.status == AidStatus::Approved.code() { Money::Release } else { Money::None };
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
    pub async fn approvals_inbox(&self, actor: &Actor) -> Result<(Vec<AidItem>, Vec<AidItem>), AppError> {
        let Some(level) = approver_level(actor) else { return Err(AppError::Forbidden) };
        let to_approve =
            self.store.aid_queue(&actor.jurisdiction, AidStatus::Reviewed.code(), Some(level.code()), 500).await?;
        let to_review = self.store.aid_queue(&actor.jurisdiction, AidStatus::Proposed.code(), None, 500).await?;
        Ok((to_approve, to_review))
    }

    /// Public postings within the actor's jurisdiction.
    pub async fn postings(&self, actor: &Actor, open_only: bool) -> Result<Vec<Posting>, AppError> {
        if matches!(actor.role, Role::Auditor) || actor.jurisdiction.department.is_some() {
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
        if item.status != AidStatus::Approved.code() || posting.status != "open" {
            return Err(AppError::Conflict("POSTING_CLOSED"));
        }
        let now = self.now_ms();
        let reopen = AidChange {
            id: item.id.clone(),
            expected_version: item.version,
            from: item.status.clone(),
            to: AidStatus::Reviewed.code().into(),
            approval: Self::opinion(actor, &item, "objection", &text, now),
            money: Money::Release,
            refusal_reason: None,
            delivery: None,
            posting: None,
            frequency: None,
        };
        let mut audit = actor.audit("aid.objection", ("aid", &item.id), &json!({"posting": posting.id}));
        audit.division = item.division.clone();
        self.store
            .object_to_posting(&posting.id, (&new_id(now), &text), &reopen, &who(actor), audit, now)
            .await
            .map_err(|e| aid_conflict(e, "POSTING_CLOSED"))
    }

    /// Adds a dated ceiling up to which a level approves temporary assistance (above the
    /// street's goes to the district; above the district's only 一事一议); audited.
    pub async fn add_ceiling(
        &self,
        actor: &Actor,
        level: &str,
        effective_from: &str,
        max_fen: i64,
        source: &str,
    ) -> Result<(), AppError> {
        let (from, source) = dated_rule(actor, effective_from, source)?;
        let level = Level::parse(level)?;
        if max_fen <= 0 {
            return Err(field("NEGATIVE_AMOUNT", "amount"));
        }
        let a = jiujinan_store::Authority {
            programme: TEMPORARY.into(),
            level: level.code().into(),
            max_fen,
            effective_from: from,
            placeholder: false,
            source,
        };
        let (y, m, d) = crate::calendar::beijing_date(from);
        let audit = actor.audit(
            "rule.ceiling_added",
            ("ceiling", &format!("{}/{}@{y}-{m:02}-{d:02}", a.programme, a.level)),
            &json!({"max_fen": max_fen}),
        );
        self.store.insert_authority(&a, audit, self.now_ms()).await.map_err(rule_exists)
    }

    /// Adds a dated tier of temporary assistance: how many months of the standard a grant of
    /// that aid type and tier gives; audited.
    pub async fn add_tier(
        &self,
        actor: &Actor,
        aid_type: &str,
        tier: i64,
        months: i64,
        effective_from: &str,
        source: &str,
    ) -> Result<(), AppError> {
        let (from, source) = dated_rule(actor, effective_from, source)?;
        let aid_type = AidType::parse(aid_type)?;
        if !(1..=12).contains(&tier) {
            return Err(field("UNKNOWN_TIER", "tier"));
        }
        if !(1..=24).contains(&months) {
            return Err(field("INVALID_MONTHS", "months"));
        }
        let t = jiujinan_store::Tier {
            aid_type: aid_type.code().into(),
            tier,
            months,
            effective_from: from,
            placeholder: false,
            source,
        };
        let audit = actor.audit(
            "rule.tier_added",
            ("tier", &format!("{}/{tier}@{from}", t.aid_type)),
            &json!({"months": months}),
        );
        self.store.insert_tier(&t, audit, self.now_ms()).await.map_err(rule_exists)
    }

    /// Adds a dated limit on how often temporary assistance is granted per cause and year;
    /// audited.
    pub async fn add_frequency(
        &self,
        actor: &Actor,
        max_per_year: i64,
        effective_from: &str,
        source: &str,
    ) -> Result<(), AppError> {
        let (from, source) = dated_rule(actor, effective_from, source)?;
        if !(1..=12).contains(&max_per_year) {
            return Err(field("INVALID_FREQUENCY", "max_per_year"));
        }
        let f = jiujinan_store::FrequencyRule {
            programme: TEMPORARY.into(),
            max_per_year,
            effective_from: from,
            placeholder: false,
            source,
        };
        let audit = actor.audit(
            "rule.frequency_added",
            ("frequency", &format!("{}@{from}", f.programme)),
            &json!({"max_per_year": max_per_year}),
        );
        self.store.insert_frequency(&f, audit, self.now_ms()).await.map_err(rule_exists)
    }

    /// Adds a dated 低保 standard for Beijing (`11`) or a district (administrators).
    pub async fn add_standard(
        &self,
        actor: &Actor,
        region: &str,
        effective_from: &str,
        amount_fen: i64,
        source: &str,
    ) -> Result<(), AppError> {
        if actor.role != Role::Admin {
            return Err(AppError::Forbidden);
        }
        let region = DivisionCode::parse(region).map_err(|_| field("INVALID_DIVISION_CODE", "region"))?;
        if !matches!(region.level(), DivisionLevel::City | DivisionLevel::District) {
            return Err(field("INVALID_DIVISION_CODE", "region"));
        }
        let from =
            crate::calendar::start_of_beijing_day(effective_from).ok_or(field("INVALID_DAY", "effective_from"))?;
        let (y, m, d) = crate::calendar::beijing_date(from);
        let iso = format!("{y}-{m:02}-{d:02}");
        if amount_fen <= 0 {
            return Err(field("NEGATIVE_AMOUNT", "amount"));
        }
        let s = jiujinan_store::Standard {
            region: region.to_string(),
            kind: "dibao".into(),
            effective_from: from,
            amount_fen,
            placeholder: false,
            source: reason(source, 500, "DETAIL_REQUIRED", "source")?,
        };
        let audit = actor.audit(
            "rule.standard_added",
            ("standard", &format!("{}@{iso}", s.region)),
            &json!({"amount_fen": amount_fen}),
        );
        self.store.insert_standard(&s, audit, self.now_ms()).await.map_err(rule_exists)
    }

    // --- funds ---

    /// Opens a fund for a unit within the actor's jurisdiction (district approvers and
    /// administrators).
    pub async fn create_fund(&self, actor: &Actor, unit: &str, kind: &str, name: &str) -> Result<String, AppError> {
        if !matches!(actor.role, Role::DistrictApprover | Role::Admin) || actor.jurisdiction.department.is_some() {
            return Err(AppError::Forbidden);
        }
        let unit = UnitCode::parse(unit).map_err(|_| field("UNKNOWN_UNIT", "unit"))?;
        if self.cached_unit(&unit).await?.is_none() || !actor.jurisdiction.covers(&unit.division()) {
            return Err(field("UNKNOWN_UNIT", "unit"));
        }
        let kind = FundKind::parse(kind)?;
        let name = reason(name, 100, "TITLE_REQUIRED", "name")?;
        let now = self.now_ms();
        let f = Fund {
            id: new_id(now),
            unit: unit.to_string(),
            division: unit.division().to_string(),
            kind: kind.code().into(),
            name,
            available_fen: 0,
            reserved_fen: 0,
            paid_fen: 0,
            created_ms: now,
            version: 1,
        };
        let mut audit = actor.audit("fund.created", ("fund", &f.id), &json!({"unit": f.unit, "kind": f.kind}));
        audit.division = f.division.clone();
        self.store.create_fund(&f, audit, now).await?;
        Ok(f.id)
    }

    /// Funds within the actor's jurisdiction.
    pub async fn funds(&self, actor: &Actor) -> Result<Vec<Fund>, AppError> {
        if !handles_aid(actor) && !matches!(actor.role, Role::Auditor | Role::CitySupervisor) {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.funds(&actor.jurisdiction).await?)
    }

    async fn fund_in_scope(&self, actor: &Actor, id: &str) -> Result<Fund, AppError> {
        let f = self.store.fund(id).await?.ok_or(AppError::NotFound)?;
        if !covers(actor, &f.division) || actor.jurisdiction.department.is_some() {
            return Err(AppError::NotFound);
        }
        Ok(f)
    }

    /// Money into a fund from outside (budget appropriation, donation).
    pub async fn deposit(&self, actor: &Actor, fund_id: &str, amount_fen: i64, memo: &str) -> Result<(), AppError> {
        if !matches!(actor.role, Role::DistrictApprover | Role::Admin) {
            return Err(AppError::Forbidden);
        }
        let f = self.fund_in_scope(actor, fund_id).await?;
        if amount_fen <= 0 {
            return Err(field("NEGATIVE_AMOUNT", "amount"));
        }
        let memo = reason(memo, 500, "DETAIL_REQUIRED", "memo")?;
        let mut audit = actor.audit("fund.deposit", ("fund", &f.id), &json!({"amount_fen": amount_fen}));
        audit.division = f.division.clone();
        Ok(self.store.deposit(&f.id, amount_fen, &memo, &who(actor), audit, self.now_ms()).await?)
    }

    /// Allocates from a fund to another within the actor's jurisdiction (district to street).
    pub async fn allocate(
        &self,
        actor: &Actor,
        from: &str,
        to: &str,
        amount_fen: i64,
        memo: &str,
    ) -> Result<(), AppError> {
        if !matches!(actor.role, Role::DistrictApprover | Role::Admin) {
            return Err(AppError::Forbidden);
        }
        let (f, t) = (self.fund_in_scope(actor, from).await?, self.fund_in_scope(actor, to).await?);
        if f.id == t.id {
            return Err(field("UNKNOWN_FUND", "to"));
        }
        if amount_fen <= 0 {
            return Err(field("NEGATIVE_AMOUNT", "amount"));
        }
        let memo = reason(memo, 500, "DETAIL_REQUIRED", "memo")?;
        let mut audit = actor.audit("fund.allocation", ("fund", &f.id), &json!({"to": t.id, "amount_fen": amount_fen}));
        audit.division = f.division.clone();
        self.store.allocate(&f.id, &t.id, amount_fen, &memo, &who(actor), audit, self.now_ms()).await.map_err(|e| {
            match e {
                StoreError::Conflict(c) => AppError::Conflict(c.code()),
                other => other.into(),
            }
        })
    }

    /// A fund's month (YYYY-MM, Beijing): opening and closing money held (available and
    /// reserved), money in (deposits, allocations in, reversals), money out (payments,
    /// allocations out), reserved at the end, and every ledger line.
    pub async fn reconciliation(&self, actor: &Actor, fund_id: &str, month: &str) -> Result<Reconciliation, AppError> {
        if !handles_aid(actor) && !matches!(actor.role, Role::Auditor | Role::CitySupervisor) {
            return Err(AppError::Forbidden);
        }
        let fund = self.fund_in_scope(actor, fund_id).await?;
        let (start, end) = month_bounds(month).ok_or(field("INVALID_DAY", "month"))?;
        let before = self.store.ledger(&fund.id, i64::MIN / 4, start).await?;
        let lines = self.store.ledger(&fund.id, start, end).await?;
        let after = self.store.ledger(&fund.id, end, i64::MAX / 4).await?;
        let held = |ls: &[jiujinan_store::LedgerEntry]| -> i64 {
            ls.iter().filter(|l| l.account == "available" || l.account == "reserved").map(|l| l.amount_fen).sum()
        };
        let reserved = |ls: &[jiujinan_store::LedgerEntry]| -> i64 {
            ls.iter().filter(|l| l.account == "reserved").map(|l| l.amount_fen).sum()
        };
        let opening = held(&before);
        let in_fen: i64 = lines
            .iter()
            .filter(|l| {
                l.account == "available"
                    && l.amount_fen > 0
                    && matches!(l.kind.as_str(), "deposit" | "allocation" | "reversal")
            })
            .map(|l| l.amount_fen)
            .sum();
        let out_fen: i64 = lines
            .iter()
            .filter(|l| {
                (l.account == "paid" && l.kind == "posting")
                    || (l.account == "available" && l.kind == "allocation" && l.amount_fen < 0)
            })
            .map(|l| l.amount_fen.abs())
            .sum();
        let closing = opening + held(&lines);
        debug_assert_eq!(closing, opening + in_fen - out_fen);
        let reserved_end = reserved(&before) + reserved(&lines);
        // The books agree with the balances when nothing was posted after the month.
        if after.is_empty() && closing != fund.available_fen + fund.reserved_fen {
            tracing::error!(fund = %fund.id, closing, "ledger and balances disagree");
            return Err(AppError::Internal("ledger and balances disagree".into()));
        }
        Ok(Reconciliation {
            month: month.trim().to_owned(),
            opening_fen: opening,
            in_fen,
            out_fen,
            reserved_fen: reserved_end,
            closing_fen: closing,
            lines,
            fund,
        })
    }
}

/// The instants a Beijing month (`YYYY-MM`) begins and ends.
pub fn month_bounds(month: &str) -> Option<(i64, i64)> {
    let (y, m) = month.trim().split_once('-')?;
    let (y, m): (i64, u32) = (y.parse().ok()?, m.parse().ok()?);
    if !(1..=12).contains(&m) {
        return None;
    }
    let start = crate::calendar::beijing_noon_ms(&format!("{y:04}-{m:02}-01"))? - 12 * 3_600_000;
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let end = crate::calendar::beijing_noon_ms(&format!("{ny:04}-{nm:02}-01"))? - 12 * 3_600_000;
    Some((start, end))
}

impl Reconciliation {
    /// The month as a spreadsheet: the summary, then every ledger line.
    pub fn to_xlsx(&self) -> Vec<u8> {
        use crate::xlsx::{Cell, workbook, yuan_cell};
        let t = |s: &str| Cell::Text(s.to_owned());
        let mut rows = vec![
            vec![t("资金账户 Fund"), t(&self.fund.name), t(&self.fund.unit), t(&self.fund.kind)],
            vec![t("月份 Month"), t(&self.month)],
            vec![t("期初 Opening"), yuan_cell(self.opening_fen)],
            vec![t("收入 In"), yuan_cell(self.in_fen)],
            vec![t("支出 Out"), yuan_cell(self.out_fen)],
            vec![t("期末预留 Reserved"), yuan_cell(self.reserved_fen)],
            vec![t("期末 Closing"), yuan_cell(self.closing_fen)],
            vec![],
            vec![
                t("序号 Seq"),
                t("时间 Time"),
                t("类型 Kind"),
                t("科目 Account"),
                t("金额 Amount (yuan)"),
                t("救助事项 Aid"),
                t("摘要 Memo"),
                t("经办 By"),
            ],
        ];
        for l in &self.lines {
            rows.push(vec![
                Cell::Number(l.seq as f64),
                t(&crate::calendar::beijing_datetime_text(l.at_ms)),
                t(&l.kind),
                t(&l.account),
                yuan_cell(l.amount_fen),
                t(&l.aid_id),
                t(&l.memo),
                t(&l.actor),
            ]);
        }
        workbook(&format!("{} {}", self.month, "对账"), &rows)
    }
}
