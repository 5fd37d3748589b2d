//! Aid (救助): items of cash, goods, services or medical help on a case, the amount rules
//! that propose them, the approval level they need, and their states from proposal to
//! payment (Order 649 Art. 47–49; 国发〔2014〕47号; DOMAIN §3.4–3.8, §4.2–4.3).

use serde::{Deserialize, Serialize};

use crate::ValidationError;

crate::code_enum!(
    /// What is given.
    AidKind, "UNKNOWN_AID_KIND", "kind" {
        Cash = "cash",
        InKind = "in_kind",
        Service = "service",
        Medical = "medical",
    }
);

crate::code_enum!(
    /// 急难型 (sudden emergency) or 支出型 (unavoidable spending), DOMAIN §3.6.
    AidType, "UNKNOWN_AID_TYPE", "aid_type" {
        Emergency = "emergency",
        Expenditure = "expenditure",
    }
);

crate::code_enum!(
    /// Where an aid item stands. Approval reserves the money; payment posts it; a
    /// cancellation releases it; a reversal returns a wrong payment to the fund.
    AidStatus, "UNKNOWN_AID_STATUS", "status" {
        Proposed = "proposed",
        Reviewed = "reviewed",
        Approved = "approved",
        Paid = "paid",
        Refused = "refused",
        Cancelled = "cancelled",
        Reversed = "reversed",
    }
);

crate::code_enum!(
    /// The level whose approver decides.
    Level, "UNKNOWN_LEVEL", "level" {
        Street = "street",
        District = "district",
    }
);

crate::code_enum!(
    /// How the aid reached the person (DOMAIN §3.5).
    DeliveryMethod, "UNKNOWN_DELIVERY", "method" {
        Bank = "bank",
        Cash = "cash",
        Goods = "goods",
    }
);

crate::code_enum!(
    /// Where a 公示 posting stands: open while it runs, objected when someone objects, closed
    /// when the aid is paid or cancelled.
    PostingStatus, "UNKNOWN_POSTING_STATUS", "status" {
        Open = "open",
        Objected = "objected",
        Closed = "closed",
    }
);

crate::code_enum!(
    /// What a fund is for (257号 §四(二)).
    FundKind, "UNKNOWN_FUND_KIND", "kind" {
        Budget = "budget",
        Reserve = "reserve",
        Special = "special",
        Charity = "charity",
    }
);

crate::code_enum!(
    /// A rule whose value is a placeholder (not yet confirmed against a published source) and
    /// that decided something about an aid item: the standard and the tier give its amount,
    /// the approval ceilings give the level that approves it.
    PlaceholderRule, "UNKNOWN_PLACEHOLDER_RULE", "placeholders" {
        Standard = "standard",
        Tier = "tier",
        Authority = "authority",
    }
);

/// The placeholder rules an item was decided under, as stored (`standard,authority`).
pub fn placeholders_text(rules: &[PlaceholderRule]) -> String {
    rules.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
}

/// The placeholder rules read back from their stored text (unknown codes are left out).
pub fn placeholders_of(text: &str) -> Vec<PlaceholderRule> {
    text.split(',').filter_map(|c| PlaceholderRule::parse(c.trim()).ok()).collect()
}

/// Whether the approval ceilings that decided the level of `amount_fen` include a placeholder:
/// the street ceiling always decides (up to it the street approves), the district ceiling only
/// above the street's; a special case (一事一议) goes to the district whatever the ceilings say.
pub fn authority_from_placeholder(
    amount_fen: i64,
    street: (i64, bool),
    district_placeholder: bool,
    special: bool,
) -> bool {
    let (street_max, street_placeholder) = street;
    !special && (street_placeholder || (amount_fen > street_max && district_placeholder))
}

impl AidStatus {
    /// The moves an aid item may make.
    pub fn can_become(self, next: AidStatus) -> bool {
        use AidStatus::*;
        matches!(
            (self, next),
            (Proposed, Reviewed)
                | (Proposed, Refused)
                | (Proposed, Cancelled)
                | (Reviewed, Approved)
                | (Reviewed, Refused)
                | (Reviewed, Cancelled)
                | (Approved, Paid)
                | (Approved, Cancelled)
                | (Approved, Reviewed)
                | (Paid, Reversed)
        )
    }

    /// True when money is held for the item (reserved or paid).
    pub fn holds_money(self) -> bool {
        matches!(self, Self::Approved | Self::Paid)
    }
}

/// A proposed amount with the calculation shown to the approver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub amount_fen: i64,
    pub calculation: String,
}

/// Standard × months × persons (京政发〔2015〕26号: 1–3 months of the standard per person).
pub fn propose(standard_fen: i64, months: i64, persons: i64) -> Proposal {
    let amount_fen = standard_fen.saturating_mul(months).saturating_mul(persons);
    Proposal {
        amount_fen,
        calculation: format!("{} × {months} × {persons} = {}", yuan(standard_fen), yuan(amount_fen)),
    }
}

/// Yuan with two decimals, e.g. `1450.00`.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// The level that must approve `amount_fen`. A special case (一事一议) lifts the district
/// ceiling but always needs the district; above the district ceiling, only a special case.
pub fn required_level(
    amount_fen: i64,
    street_max: i64,
    district_max: i64,
    special: bool,
) -> Result<Level, ValidationError> {
    if special {
        return Ok(Level::District);
    }
    if amount_fen <= street_max {
        Ok(Level::Street)
    } else if amount_fen <= district_max {
        Ok(Level::District)
    } else {
        Err(ValidationError::new("ABOVE_AUTHORITY", "amount"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_ceilings_count_only_where_they_decide_the_level() {
        // Up to the street's ceiling only that ceiling decided.
        assert!(!authority_from_placeholder(300_000, (300_000, false), true, false));
        assert!(authority_from_placeholder(300_000, (300_000, true), false, false));
        // Above it the district's ceiling decided too.
        assert!(authority_from_placeholder(300_001, (300_000, false), true, false));
        // 一事一议 always goes to the district.
        assert!(!authority_from_placeholder(300_001, (300_000, true), true, true));
    }

    #[test]
    fn placeholders_round_trip_through_their_text() {
        let all = [PlaceholderRule::Standard, PlaceholderRule::Tier, PlaceholderRule::Authority];
        assert_eq!(placeholders_text(&all), "standard,tier,authority");
        assert_eq!(placeholders_of("standard,tier,authority"), all.to_vec());
        assert_eq!(placeholders_of(""), vec![]);
        assert_eq!(placeholders_of("tier,bogus"), vec![PlaceholderRule::Tier]);
    }

    #[test]
    fn proposals_show_their_calculation() {
        let p = propose(145_000, 3, 2);
        assert_eq!(p.amount_fen, 870_000);
        assert_eq!(p.calculation, "1450.00 × 3 × 2 = 8700.00");
        assert_eq!(yuan(-5), "-0.05");
    }

    #[test]
    fn levels_follow_the_ceilings_and_special_cases() {
        assert_eq!(required_level(300_000, 300_000, 2_000_000, false), Ok(Level::Street));
        assert_eq!(required_level(300_001, 300_000, 2_000_000, false), Ok(Level::District));
        assert_eq!(required_level(100, 300_000, 2_000_000, true), Ok(Level::District), "一事一议 needs the district");
        assert_eq!(required_level(5_000_000, 300_000, 2_000_000, true), Ok(Level::District), "and lifts the cap");
        assert_eq!(required_level(2_000_001, 300_000, 2_000_000, false).unwrap_err().code, "ABOVE_AUTHORITY");
    }

    #[test]
    fn money_moves_only_forward_or_back_to_review() {
        use AidStatus::*;
        assert_eq!(yuan(-150), "-1.50");
        assert_eq!(yuan(-5), "-0.05");
        assert_eq!(yuan(145_000), "1450.00");
        assert_eq!(yuan(i64::MIN), "-92233720368547758.08");
        assert!(Reviewed.can_become(Approved) && Approved.can_become(Paid) && Paid.can_become(Reversed));
        assert!(Approved.can_become(Reviewed), "an objection to the posting reopens the review");
        assert!(!Paid.can_become(Paid) && !Paid.can_become(Cancelled) && !Refused.can_become(Approved));
    }
}
