//! Leads: a request for help or a report of someone in trouble, from any channel, before a
//! street office has verified and accepted it as a case (257号 §二(二), §三(一)).

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// Declares an enum of stable string codes with `code`, `parse`, `ALL` and serde.
#[macro_export]
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident, $err:literal, $field:literal { $($variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "&'static str")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$(Self::$variant),+];

            /// The stable code.
            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code),+ }
            }

            /// Parses the stable code.
            pub fn parse(s: &str) -> Result<Self, ValidationError> {
                match s.trim() {
                    $($code => Ok(Self::$variant),)+
                    _ => Err(ValidationError::new($err, $field)),
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValidationError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$name> for &'static str {
            fn from(v: $name) -> Self {
                v.code()
            }
        }
    };
}

crate::code_enum!(
    /// How a lead reached the platform (DOMAIN §4.4).
    Channel, "UNKNOWN_CHANNEL", "channel" {
        Window = "window",
        OnBehalf = "on_behalf",
        Discovery = "discovery",
        Hotline12349 = "hotline_12349",
        Hotline96156 = "hotline_96156",
        Hotline12345 = "hotline_12345",
        LettersVisits = "letters_visits",
        Online = "online",
        DepartmentTransfer = "department_transfer",
        EarlyWarning = "early_warning",
    }
);

crate::code_enum!(
    /// How fast a lead must be verified; the time limit per level is rule data.
    Urgency, "UNKNOWN_URGENCY", "urgency" {
        Critical = "critical",
        Urgent = "urgent",
        Normal = "normal",
    }
);

crate::code_enum!(
    /// Hardship types (遭遇困难类型, DOMAIN §6.1): emergency (急难型) then expenditure (支出型).
    HardshipType, "UNKNOWN_HARDSHIP_TYPE", "hardship_types" {
        Fire = "FIRE",
        Traffic = "TRAFFIC",
        OtherAccident = "OTHER_ACCIDENT",
        SuddenIllness = "SUDDEN_ILLNESS",
        NaturalDisaster = "NATURAL_DISASTER",
        PublicEvent = "PUBLIC_EVENT",
        DomesticViolence = "DOMESTIC_VIOLENCE",
        BreadwinnerDeath = "BREADWINNER_DEATH",
        Stranded = "STRANDED",
        OtherUrgent = "OTHER_URGENT",
        MedicalExpense = "MEDICAL_EXPENSE",
        EducationExpense = "EDUCATION_EXPENSE",
        PriceRise = "PRICE_RISE",
        HousingRebuild = "HOUSING_REBUILD",
        CareCost = "CARE_COST",
    }
);

crate::code_enum!(
    /// Where a lead stands.
    LeadStatus, "UNKNOWN_LEAD_STATUS", "status" {
        New = "new",
        Accepted = "accepted",
        NotAccepted = "not_accepted",
        Transferred = "transferred",
        Merged = "merged",
    }
);

impl HardshipType {
    /// True for the 支出型 (expenditure) types; the rest are 急难型 (emergency).
    pub fn is_expenditure(self) -> bool {
        matches!(
            self,
            Self::MedicalExpense | Self::EducationExpense | Self::PriceRise | Self::HousingRebuild | Self::CareCost
        )
    }
}

impl Urgency {
    /// Sort key: most urgent first.
    pub fn rank(self) -> i64 {
        match self {
            Self::Critical => 0,
            Self::Urgent => 1,
            Self::Normal => 2,
        }
    }
}

impl LeadStatus {
    /// True while someone still has to act on the lead.
    pub fn is_open(self) -> bool {
        matches!(self, Self::New)
    }

    /// The verification outcomes allowed from this status; leads leave `new` exactly once.
    pub fn can_become(self, next: LeadStatus) -> bool {
        matches!((self, next), (Self::New, Self::Accepted | Self::NotAccepted | Self::Transferred | Self::Merged))
    }
}

/// Longest description accepted, in characters.
pub const MAX_DESCRIPTION: usize = 4_000;

/// Checks free text: trimmed, non-empty, at most `max` characters, no control characters
/// other than tab and line breaks (`INVALID_TEXT`, see [`crate::text`]).
pub fn text(value: &str, max: usize, code: &'static str, field: &'static str) -> Result<String, ValidationError> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(ValidationError::new(code, field));
    }
    crate::text::check(v, true, field)?;
    Ok(v.to_owned())
}

/// Checks one line of text (a name, an address): as [`text`], and no line breaks or tabs.
pub fn line(value: &str, max: usize, code: &'static str, field: &'static str) -> Result<String, ValidationError> {
    let v = text(value, max, code, field)?;
    crate::text::check(&v, false, field)?;
    Ok(v)
}

/// Checks an optional phone number: 5–20 digits, with `+`, `-` and spaces allowed.
pub fn phone(value: &str) -> Result<Option<String>, ValidationError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let ok = v.chars().all(|c| c.is_ascii_digit() || "+- ".contains(c)) && (5..=20).contains(&digits);
    if ok {
        Ok(Some(v.chars().filter(|c| !c.is_whitespace()).collect()))
    } else {
        Err(ValidationError::new("INVALID_PHONE", "phone"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.code()), Ok(*c));
        }
        for h in HardshipType::ALL {
            assert_eq!(HardshipType::parse(h.code()), Ok(*h));
        }
        assert_eq!(Channel::parse("fax").unwrap_err().code, "UNKNOWN_CHANNEL");
        assert_eq!(HardshipType::parse("fire").unwrap_err().field, "hardship_types");
        assert_eq!(serde_json::to_string(&Urgency::Critical).unwrap(), "\"critical\"");
        assert_eq!(serde_json::from_str::<Channel>("\"hotline_12345\"").unwrap(), Channel::Hotline12345);
    }

    #[test]
    fn leads_leave_new_once() {
        assert!(LeadStatus::New.can_become(LeadStatus::Accepted));
        assert!(!LeadStatus::Accepted.can_become(LeadStatus::Merged));
        assert!(!LeadStatus::Merged.can_become(LeadStatus::New));
        assert!(LeadStatus::New.is_open() && !LeadStatus::Transferred.is_open());
    }

    #[test]
    fn text_and_phone_rules() {
        assert_eq!(text("  火灾  ", 10, "X", "d"), Ok("火灾".into()));
        assert!(text("   ", 10, "X", "d").is_err());
        assert!(text(&"字".repeat(11), 10, "X", "d").is_err());
        assert_eq!(text("a\u{0}b", 10, "X", "d"), Err(ValidationError::new("INVALID_TEXT", "d")));
        assert_eq!(text("第一行\n第二行", 10, "X", "d"), Ok("第一行\n第二行".into()));
        assert_eq!(line("王\n芳", 10, "X", "name"), Err(ValidationError::new("INVALID_TEXT", "name")));
        assert_eq!(line(" 王芳 ", 10, "X", "name"), Ok("王芳".into()));
        assert_eq!(phone(" 138 0013 8000 "), Ok(Some("13800138000".into())));
        assert_eq!(phone(""), Ok(None));
        assert!(phone("call me").is_err());
    }
}
