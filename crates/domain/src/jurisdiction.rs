//! What part of Beijing a user may see.
//!
//! Division codes nest by prefix, so a jurisdiction is a division code: a user sees data
//! whose division starts with it. Store queries take a `Jurisdiction` argument, so a list
//! cannot be fetched without one.

use serde::Serialize;

use crate::org::{DivisionCode, UnitCode, UnitKind};

/// The scope of a user's data access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Jurisdiction {
    /// The division at the top of what the user sees.
    pub division: DivisionCode,
    /// For department users: the department kind they act for (referrals are scoped to it).
    pub department: Option<UnitKind>,
}

impl Jurisdiction {
    /// The scope of a user belonging to `unit` of `kind`.
    pub fn for_unit(unit: &UnitCode, kind: UnitKind) -> Self {
        let department = match kind {
            UnitKind::Health
            | UnitKind::Education
            | UnitKind::Housing
            | UnitKind::HumanResources
            | UnitKind::ReliefStation => Some(kind),
            _ => None,
        };
        Self { division: unit.division(), department }
    }

    /// True when data of `division` is within this scope.
    pub fn covers(&self, division: &DivisionCode) -> bool {
        self.division.contains(division)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn district_scope_covers_its_streets_only() {
        let j = Jurisdiction::for_unit(&UnitCode::parse("110105:mz").unwrap(), UnitKind::CivilAffairs);
        assert!(j.covers(&DivisionCode::parse("110105001024").unwrap()));
        assert!(!j.covers(&DivisionCode::parse("110108001").unwrap()));
        assert!(!j.covers(&DivisionCode::parse("11").unwrap()));
        assert_eq!(j.department, None);
        let h = Jurisdiction::for_unit(&UnitCode::parse("110105:wj").unwrap(), UnitKind::Health);
        assert_eq!(h.department, Some(UnitKind::Health));
    }
}
