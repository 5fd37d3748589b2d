//! Aid, approval and funds (257号 §三(二) 2, 5, §四(二)): temporary assistance proposed from the
//! standard in force and shown with its calculation, review (审核) and approval (审批) by the
//! level the amount and the rules require, 公示 where required, and payment from a fund whose
//! balance can never go below zero.

mod approval;
mod funds;
mod proposal;
mod publicity;

pub use funds::{Reconciliation, month_bounds};

use jiujinan_domain::aid::{
    AidKind, AidStatus, AidType, DeliveryMethod, FundKind, Level, PlaceholderRule, PostingStatus,
    authority_from_placeholder, placeholders_text, propose, required_level, yuan,
};
use jiujinan_domain::case::{CaseStatus, Member, Route};
use jiujinan_domain::disposition::ActionStatus;
use jiujinan_domain::disposition::reason;
use jiujinan_domain::duties::{DutyException, DutyHistory, DutyStep, SamePerson};
use jiujinan_domain::lead::HardshipType;
use jiujinan_domain::money::{Fen, MoneyOperation};
use jiujinan_domain::org::UnitCode;
use jiujinan_domain::policy::Permission;
use jiujinan_store::{
    ActionRecord, AidApproval, AidChange, AidItem, AidRules, CaseRecord, Conflict, FrequencyGuard, Fund, Money,
    Posting, StoreError,
};
use serde::Serialize;
use serde_json::json;

use crate::access::{covers, field, stored_json, who};
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

impl AidView {
    /// Who took which step of the item so far (separation of duties).
    pub fn duty_history(&self) -> DutyHistory {
        history_of(&self.item, &self.approvals)
    }
}

fn history_of(item: &AidItem, approvals: &[AidApproval]) -> DutyHistory {
    DutyHistory::new(&item.created_by, approvals.iter().map(|a| (a.step.as_str(), a.actor.as_str())))
}

/// Civil-affairs staff who handle aid (not departments, auditors, community workers).
fn handles_aid(actor: &Actor) -> bool {
    actor.may(Permission::HandleAid)
}

fn reviews(actor: &Actor) -> bool {
    actor.may(Permission::ReviewAid)
}

/// The level an approver acts at (see the policy).
fn approver_level(actor: &Actor) -> Option<Level> {
    actor.principal().aid_approval_level()
}

/// The latest row with `effective_from <= at` among those `keep` selects.
fn in_force<T>(rows: &[T], at: i64, eff: impl Fn(&T) -> i64, keep: impl Fn(&T) -> bool) -> Option<&T> {
    rows.iter().filter(|r| keep(r) && eff(r) <= at).max_by_key(|r| eff(r))
}

/// The most one `op` may move at `at` (the dated money limit in force; without one, the most a
/// balance may hold).
pub(crate) fn money_ceiling(rules: &AidRules, op: MoneyOperation, at: i64) -> Fen {
    in_force(&rules.money_limits, at, |m| m.effective_from, |m| m.operation == op.code())
        .and_then(|m| Fen::new(m.max_fen, "amount").ok())
        .unwrap_or(Fen::MAX)
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
    /// The separation-of-duties exceptions this step relies on (recorded in the audit entry).
    duties: Vec<DutyException>,
}

/// The civil-affairs unit that takes an aid step at `level` for a case located in `division`:
/// the street's assistance office, or the district's civil-affairs bureau.
pub(crate) fn aid_unit(division: &str, level: Level) -> String {
    let len = match level {
        Level::Street => 9,
        Level::District => 6,
    };
    format!("{}:mz", division.get(..len).unwrap_or(division))
}

impl App {
    /// The clock of the step an item moves to: the street reviews a proposal (审核), the level
    /// the amount requires approves (审批), the street pays (发放); none once it is settled.
    /// Payment cannot begin before its 公示 ends (`posting_ends`): its clock counts from then.
    pub(crate) async fn aid_clock(
        &self,
        item: &AidItem,
        to: AidStatus,
        posting_ends: Option<i64>,
    ) -> Result<Option<jiujinan_store::NewDeadline>, AppError> {
        let (step, level) = match to {
            AidStatus::Proposed => ("review", Level::Street),
            AidStatus::Reviewed => ("approve", item.required_level),
            AidStatus::Approved => ("pay", Level::Street),
            _ => return Ok(None),
        };
        let unit = aid_unit(&item.division, level);
        let owner = crate::deadlines::ClockOwner {
            subject: ("aid", &item.id),
            case: (&item.case_id, &item.case_number, &item.division),
            responsible: (&unit, ""),
        };
        let start = posting_ends.unwrap_or_else(|| self.now_ms());
        Ok(Some(self.new_deadline_from("aid", step, "*", owner, start).await?))
    }
}

fn aid_conflict(e: StoreError, state_code: &'static str) -> AppError {
    match e {
        StoreError::Conflict(Conflict::FrequencyLimit) => field("FREQUENCY_LIMIT", "cause"),
        StoreError::Conflict(Conflict::AidState) => AppError::Conflict(state_code),
        StoreError::Conflict(Conflict::InsufficientFunds) => AppError::Conflict("INSUFFICIENT_FUNDS"),
        StoreError::Conflict(Conflict::BalanceLimit) => field("AMOUNT_TOO_LARGE", "amount"),
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

    /// The separation-of-duties exceptions in force at `at` for an item in `division`: of the
    /// street's row and the district's, the later decision (a strict district row set after a
    /// street's exception ends it; on the same date the street's own row stands); none means
    /// strict.
    pub fn duty_exceptions_in_force(rules: &AidRules, division: &str, at: i64) -> Vec<DutyException> {
        let row = |code: Option<&str>| {
            code.and_then(|c| in_force(&rules.duty_rules, at, |d| d.effective_from, |d| d.division == c))
        };
        let rule = match (row(division.get(..9)), row(division.get(..6))) {
            (Some(street), Some(district)) if district.effective_from > street.effective_from => Some(district),
            (Some(street), _) => Some(street),
            (None, district) => district,
        };
        // A stored list that no longer parses is read as strict (the safe side).
        rule.and_then(|r| DutyException::parse_list(&r.allowed).ok()).unwrap_or_default()
    }

    /// Refuses (`SAME_PERSON`) when the actor took an earlier step of the item that `step`
    /// must be separate from, unless an exception in force allows it; returns the exceptions
    /// relied on.
    async fn separate_duties(
        &self,
        actor: &Actor,
        item: &AidItem,
        step: DutyStep,
        rules: &AidRules,
    ) -> Result<Vec<DutyException>, AppError> {
        let approvals = self.store.aid_approvals(&item.id).await?;
        let allowed = Self::duty_exceptions_in_force(rules, &item.division, self.now_ms());
        history_of(item, &approvals)
            .check(step, &actor.username, &allowed)
            .map_err(|_| AppError::Conflict(SamePerson::CODE))
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

    /// Funds that can pay for a case there (its street's, its district's, the city's), for
    /// those who may see funds; nothing for others.
    pub async fn funds_for_case(&self, actor: &Actor, case: &CaseRecord) -> Result<Vec<Fund>, AppError> {
        if !actor.may(Permission::ReadFunds) {
            return Ok(vec![]);
        }
        Ok(self.store.funds_covering(&case.division).await?)
    }

    /// Aid-first actions of a case: help given at once whose paperwork (an aid item) is due.
    pub async fn aid_first_waiting(&self, case_id: &str) -> Result<Vec<ActionRecord>, AppError> {
        let actions = self.store.actions_of_case(case_id).await?;
        Ok(actions.into_iter().filter(|a| a.route == Route::AidFirst && a.status == ActionStatus::Accepted).collect())
    }

    /// A refused aid item with its case, for the printable refusal notice (the case read is
    /// audited like any other); `NotFound` for an item that is not refused.
    pub async fn refusal_notice(&self, actor: &Actor, id: &str) -> Result<(AidItem, CaseRecord), AppError> {
        let item = self.store.aid(id).await?.ok_or(AppError::NotFound)?;
        let case = self.case_for(actor, &item.case_id, false).await?.case;
        if item.status != AidStatus::Refused {
            return Err(AppError::NotFound);
        }
        Ok((item, case))
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

    #[allow(clippy::too_many_arguments)]
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
        let from = item.status;
        if !from.can_become(to) {
            return Err(AppError::Conflict(state_code));
        }
        let now = self.now_ms();
        let (step, opinion, money) = spec;
        let posting_ends = extra.posting.as_ref().map(|p| p.end_ms);
        let change = AidChange {
            id: item.id.clone(),
            expected_version,
            from,
            to,
            approval: Self::opinion(actor, item, step, opinion, now),
            money,
            refusal_reason: extra.refusal_reason,
            delivery: extra.delivery,
            posting: extra.posting,
            frequency: extra.frequency,
            open_deadline: self.aid_clock(item, to, posting_ends).await?,
        };
        let mut detail = json!({"amount_fen": item.amount_fen});
        if let (false, Some(d)) = (extra.duties.is_empty(), detail.as_object_mut()) {
            d.insert("duty_exception".into(), json!(extra.duties.iter().map(|d| d.code()).collect::<Vec<_>>()));
        }
        let mut audit = actor.audit(&format!("aid.{}", to.code()), ("aid", &item.id), &detail);
        audit.division = item.division.clone();
        self.store.change_aid(&change, &who(actor), audit, now).await.map_err(|e| aid_conflict(e, state_code))
    }
}

#[cfg(test)]
mod duty_rule_tests {
    use jiujinan_domain::duties::DutyException;
    use jiujinan_store::{AidRules, DutyRule};

    use crate::App;

    fn rule(division: &str, from: i64, allowed: &str) -> DutyRule {
        DutyRule {
            division: division.into(),
            effective_from: from,
            allowed: allowed.into(),
            placeholder: false,
            source: "test".into(),
        }
    }

    #[test]
    fn the_later_decision_of_street_and_district_stands() {
        let mut rules = AidRules { duty_rules: vec![rule("110105001", 10, "review_approve")], ..Default::default() };
        assert_eq!(
            App::duty_exceptions_in_force(&rules, "110105001024", 20),
            vec![DutyException::ReviewApprove],
            "the street's exception"
        );
        rules.duty_rules.push(rule("110105", 30, ""));
        assert_eq!(App::duty_exceptions_in_force(&rules, "110105001024", 20), vec![DutyException::ReviewApprove]);
        assert!(
            App::duty_exceptions_in_force(&rules, "110105001024", 40).is_empty(),
            "a later strict district row ends it"
        );
        rules.duty_rules.push(rule("110105001", 30, "review_approve"));
        assert_eq!(
            App::duty_exceptions_in_force(&rules, "110105001024", 40),
            vec![DutyException::ReviewApprove],
            "on the same date the street's own row stands"
        );
        assert!(App::duty_exceptions_in_force(&rules, "110108001001", 40).is_empty(), "other districts strict");
    }
}
