//! Cases: a lead the street office accepted (受理), investigated (入户调查 and the other
//! methods of Art. 11(2)) and reviewed (初审) before disposition.

use serde::{Deserialize, Serialize};

use crate::ValidationError;
use crate::lead::text;

crate::code_enum!(
    /// Where a case stands in intake and review.
    CaseStatus, "UNKNOWN_CASE_STATUS", "status" {
        Investigating = "investigating",
        Reviewing = "reviewing",
        Reviewed = "reviewed",
        Closed = "closed",
    }
);

crate::code_enum!(
    /// The five investigation methods of Order 649 Art. 11(2).
    InvestigationMethod, "UNKNOWN_METHOD", "method" {
        HomeVisit = "home_visit",
        Neighbours = "neighbours",
        Letters = "letters",
        CommunityAppraisal = "community_appraisal",
        DataCheck = "data_check",
    }
);

crate::code_enum!(
    /// A household member's relation to the applicant.
    Relationship, "UNKNOWN_RELATIONSHIP", "relationship" {
        Applicant = "self",
        Spouse = "spouse",
        Child = "child",
        Parent = "parent",
        Sibling = "sibling",
        Grandparent = "grandparent",
        Grandchild = "grandchild",
        Other = "other",
    }
);

crate::code_enum!(
    /// The six disposition routes of 257号 §三(二).
    Route, "UNKNOWN_ROUTE", "routes" {
        Refer = "refer",
        Shelter = "shelter",
        Charity = "charity",
        JointMeeting = "joint_meeting",
        AidFirst = "aid_first",
        DiseaseEmergency = "disease_emergency",
    }
);

impl CaseStatus {
    /// The moves a case may make in intake and review.
    pub fn can_become(self, next: CaseStatus) -> bool {
        matches!(
            (self, next),
            (Self::Investigating, Self::Reviewing)
                | (Self::Reviewing, Self::Investigating)
                | (Self::Reviewing, Self::Reviewed)
                | (Self::Reviewed, Self::Closed)
                | (Self::Closed, Self::Reviewed)
        )
    }
}

/// A household member as recorded in the case file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub relationship: Relationship,
    /// Normalised GB 11643 number, when known.
    pub id_number: Option<String>,
    pub living_together: bool,
}

/// An income item or asset as declared, in integer fen per month (income) or in total (asset).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyItem {
    pub kind: String,
    pub amount_fen: i64,
}

/// Household economic status as declared (核对 results come later).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Economy {
    pub income: Vec<MoneyItem>,
    pub assets: Vec<MoneyItem>,
    pub note: String,
}

impl Economy {
    /// Checks amounts are non-negative and labels short.
    pub fn validate(&self) -> Result<(), ValidationError> {
        for item in self.income.iter().chain(&self.assets) {
            if item.amount_fen < 0 {
                return Err(ValidationError::new("NEGATIVE_AMOUNT", "economy"));
            }
            text(&item.kind, 40, "INVALID_ITEM", "economy")?;
        }
        if self.note.chars().count() > 2_000 {
            return Err(ValidationError::new("TEXT_TOO_LONG", "economy.note"));
        }
        Ok(())
    }

    /// Total declared monthly income in fen.
    pub fn monthly_income_fen(&self) -> i64 {
        self.income.iter().map(|i| i.amount_fen).sum()
    }
}

/// Parses yuan as typed ("1234.5") into integer fen, refusing fractions of a fen and amounts
/// beyond what a fund may hold (see [`crate::money::Fen::parse_yuan`]).
pub fn yuan_to_fen(s: &str) -> Result<i64, ValidationError> {
    crate::money::Fen::parse_yuan(s).map(crate::money::Fen::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_moves() {
        assert!(CaseStatus::Investigating.can_become(CaseStatus::Reviewing));
        assert!(CaseStatus::Reviewing.can_become(CaseStatus::Investigating), "sent back for more investigation");
        assert!(!CaseStatus::Investigating.can_become(CaseStatus::Reviewed), "no review without submitting");
        assert!(!CaseStatus::Reviewed.can_become(CaseStatus::Investigating));
    }

    #[test]
    fn yuan_parse_to_integer_fen() {
        assert_eq!(yuan_to_fen("1234.5"), Ok(123_450));
        assert_eq!(yuan_to_fen("0.01"), Ok(1));
        assert_eq!(yuan_to_fen("12"), Ok(1_200));
        for bad in ["", "-1", "1.234", "abc", "1e3", ".5", "99999999999999999999"] {
            assert!(yuan_to_fen(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn economy_refuses_negative_amounts() {
        let e = Economy { income: vec![MoneyItem { kind: "工资".into(), amount_fen: -1 }], ..Default::default() };
        assert_eq!(e.validate().unwrap_err().code, "NEGATIVE_AMOUNT");
        let ok =
            Economy { income: vec![MoneyItem { kind: "工资".into(), amount_fen: 250_000 }], ..Default::default() };
        assert_eq!(ok.monthly_income_fen(), 250_000);
    }
}
