//! People who use the platform: roles, user names and password rules.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::ValidationError;
use crate::org::{DivisionLevel, UnitKind};

/// What a user does. The codes are stable: integrators and the CLI use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    WindowClerk,
    CommunityWorker,
    StreetReviewer,
    DistrictApprover,
    DepartmentHandler,
    ReliefStationStaff,
    CitySupervisor,
    Auditor,
    Admin,
}

impl Role {
    /// All roles, in display order.
    pub const ALL: [Role; 9] = [
        Self::WindowClerk,
        Self::CommunityWorker,
        Self::StreetReviewer,
        Self::DistrictApprover,
        Self::DepartmentHandler,
        Self::ReliefStationStaff,
        Self::CitySupervisor,
        Self::Auditor,
        Self::Admin,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::WindowClerk => "window_clerk",
            Self::CommunityWorker => "community_worker",
            Self::StreetReviewer => "street_reviewer",
            Self::DistrictApprover => "district_approver",
            Self::DepartmentHandler => "department_handler",
            Self::ReliefStationStaff => "relief_station_staff",
            Self::CitySupervisor => "city_supervisor",
            Self::Auditor => "auditor",
            Self::Admin => "admin",
        }
    }

    /// Parses the stable code.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL.into_iter().find(|r| r.code() == s.trim()).ok_or(ValidationError::new("UNKNOWN_ROLE", "role"))
    }

    /// Whether a user with this role may belong to a unit of `kind` at `level`.
    ///
    /// Keeps obviously wrong assignments out (a relief-station role at a community),
    /// while leaving administrators free to place supervisors and auditors.
    pub fn fits_unit(self, kind: UnitKind, level: DivisionLevel) -> bool {
        use DivisionLevel as L;
        use UnitKind as K;
        match self {
            Self::WindowClerk | Self::StreetReviewer => {
                matches!((kind, level), (K::AssistanceOffice, L::Street) | (K::Government, L::Street))
            }
            Self::CommunityWorker => matches!(level, L::Community | L::Street),
            Self::DistrictApprover => matches!(level, L::District) && matches!(kind, K::CivilAffairs | K::Government),
            Self::DepartmentHandler => kind.is_department() && matches!(level, L::City | L::District | L::Street),
            Self::ReliefStationStaff => matches!(kind, K::ReliefStation),
            Self::CitySupervisor => matches!(level, L::City | L::District),
            Self::Auditor | Self::Admin => matches!(level, L::City | L::District | L::Street),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A login name: 3–32 characters of lowercase ASCII letters, digits, `_`, `.` or `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

impl Username {
    /// Normalises to lowercase and validates.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let s = s.trim().to_ascii_lowercase();
        let ok_chars = s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b));
        let ok_start = s.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if (3..=32).contains(&s.len()) && ok_chars && ok_start {
            Ok(Self(s))
        } else {
            Err(ValidationError::new("INVALID_USERNAME", "username"))
        }
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Username {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Username> for String {
    fn from(u: Username) -> Self {
        u.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password that meets the policy: 10–128 characters with at least three of
/// lowercase, uppercase, digits and symbols (等保 2.0 level-3 practice).
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    /// Validates the policy; never echoes the password in errors.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let n = s.chars().count();
        let classes = [
            s.chars().any(|c| c.is_ascii_lowercase()),
            s.chars().any(|c| c.is_ascii_uppercase()),
            s.chars().any(|c| c.is_ascii_digit()),
            s.chars().any(|c| !c.is_ascii_alphanumeric()),
        ]
        .into_iter()
        .filter(|b| *b)
        .count();
        if (10..=128).contains(&n) && classes >= 3 {
            Ok(Self(s.to_owned()))
        } else {
            Err(ValidationError::new("WEAK_PASSWORD", "password"))
        }
    }

    /// The secret, for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_their_codes() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()).unwrap(), r);
        }
        assert!(Role::parse("superuser").is_err());
    }

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(Username::parse(" Jw_Clerk ").unwrap().as_str(), "jw_clerk");
        for bad in ["ab", "_abc", "张三丰", "a b c", &"x".repeat(33)] {
            assert!(Username::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn password_policy_needs_length_and_three_classes() {
        assert!(NewPassword::parse("Jiujinan@2026").is_ok());
        assert!(NewPassword::parse("short1A!").is_err());
        assert!(NewPassword::parse("alllowercaseletters").is_err());
        assert!(format!("{:?}", NewPassword::parse("Jiujinan@2026").unwrap()).contains("***"));
    }

    #[test]
    fn roles_fit_sensible_units() {
        assert!(Role::WindowClerk.fits_unit(UnitKind::AssistanceOffice, DivisionLevel::Street));
        assert!(!Role::WindowClerk.fits_unit(UnitKind::CivilAffairs, DivisionLevel::District));
        assert!(Role::ReliefStationStaff.fits_unit(UnitKind::ReliefStation, DivisionLevel::District));
        assert!(!Role::ReliefStationStaff.fits_unit(UnitKind::Government, DivisionLevel::Community));
    }
}
