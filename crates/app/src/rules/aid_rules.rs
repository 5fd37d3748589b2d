//! Aid rule data edited by administrators: standards, approval ceilings, tiers, yearly limits.

use jiujinan_domain::aid::{AidType, Level};
use jiujinan_domain::duties::DutyException;
use jiujinan_domain::money::{Fen, MoneyOperation};
use jiujinan_domain::org::{DivisionCode, DivisionLevel};
use jiujinan_domain::policy::Permission;
use jiujinan_store::StoreError;

use crate::aid::TEMPORARY;

use super::*;

/// An administrator's dated rule row: when it takes effect (start of that Beijing day) and its
/// source.
fn dated_rule(actor: &Actor, effective_from: &str, source: &str) -> Result<(i64, String), AppError> {
    // Ceilings, tiers and yearly limits are city-wide.
    if !actor.principal().edits_rules_at(DivisionLevel::City) {
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

impl App {
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
        if !actor.may(Permission::EditRules) {
            return Err(AppError::Forbidden);
        }
        let region = DivisionCode::parse(region).map_err(|_| field("INVALID_DIVISION_CODE", "region"))?;
        if !matches!(region.level(), DivisionLevel::City | DivisionLevel::District) {
            return Err(field("INVALID_DIVISION_CODE", "region"));
        }
        // Beijing's standard by the city; a district's by the city or that district.
        if !actor.principal().edits_rules_at(region.level()) || !actor.jurisdiction.covers(&region) {
            return Err(AppError::Forbidden);
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

    /// Adds a dated ceiling on what one deposit, allocation or grant may move (city-wide);
    /// audited.
    pub async fn add_money_limit(
        &self,
        actor: &Actor,
        operation: &str,
        effective_from: &str,
        max_fen: i64,
        source: &str,
    ) -> Result<(), AppError> {
        let (from, source) = dated_rule(actor, effective_from, source)?;
        let operation = MoneyOperation::parse(operation)?;
        if max_fen <= 0 {
            return Err(field("NEGATIVE_AMOUNT", "amount"));
        }
        let max = Fen::new(max_fen, "amount")?;
        let m = jiujinan_store::MoneyLimit {
            operation: operation.code().into(),
            max_fen: max.get(),
            effective_from: from,
            placeholder: false,
            source,
        };
        let (y, mo, d) = crate::calendar::beijing_date(from);
        let audit = actor.audit(
            "rule.money_limit_added",
            ("money_limit", &format!("{}@{y}-{mo:02}-{d:02}", m.operation)),
            &json!({"max_fen": m.max_fen}),
        );
        self.store.insert_money_limit(&m, audit, self.now_ms()).await.map_err(rule_exists)
    }

    /// Adds a dated separation-of-duties exception for a street or district: the pairs of
    /// steps (`allowed`, comma-separated; empty = strict again) one person may take on the same
    /// aid item there. A street's by its district's or the city's administrators, a district's
    /// by the city's; audited.
    pub async fn add_duty_rule(
        &self,
        actor: &Actor,
        division: &str,
        effective_from: &str,
        allowed: &str,
        source: &str,
    ) -> Result<(), AppError> {
        if !actor.may(Permission::EditRules) {
            return Err(AppError::Forbidden);
        }
        let division = DivisionCode::parse(division).map_err(|_| field("INVALID_DIVISION_CODE", "division"))?;
        if !matches!(division.level(), DivisionLevel::Street | DivisionLevel::District) {
            return Err(field("INVALID_DIVISION_CODE", "division"));
        }
        if !actor.principal().edits_duty_exceptions_at(division.level()) || !actor.jurisdiction.covers(&division) {
            return Err(AppError::Forbidden);
        }
        let from =
            crate::calendar::start_of_beijing_day(effective_from).ok_or(field("INVALID_DAY", "effective_from"))?;
        let allowed = DutyException::parse_list(allowed)?;
        let d = jiujinan_store::DutyRule {
            division: division.to_string(),
            effective_from: from,
            allowed: DutyException::list_code(&allowed),
            placeholder: false,
            source: reason(source, 500, "DETAIL_REQUIRED", "source")?,
        };
        let (y, m, day) = crate::calendar::beijing_date(from);
        let audit = actor.audit(
            "rule.duties_added",
            ("duties", &format!("{}@{y}-{m:02}-{day:02}", d.division)),
            &json!({"allowed": d.allowed}),
        );
        self.store.insert_duty_rule(&d, audit, self.now_ms()).await.map_err(rule_exists)
    }

    // --- funds ---
}
