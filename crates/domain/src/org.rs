//! Beijing's administrative divisions and the functional units attached to them.
//!
//! Unit codes are stable and human-readable because integrators script against them:
//! a division's government is its division code (`110105`), a functional department is
//! the division code plus a suffix (`110105:mz`).

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::ValidationError;

/// The four levels of the administrative hierarchy the policy escalates through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DivisionLevel {
    City,
    District,
    Street,
    Community,
}

impl DivisionLevel {
    /// Stable code stored in the database and used in the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::City => "city",
            Self::District => "district",
            Self::Street => "street",
            Self::Community => "community",
        }
    }

    /// Parses the stable code.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        match s {
            "city" => Ok(Self::City),
            "district" => Ok(Self::District),
            "street" => Ok(Self::Street),
            "community" => Ok(Self::Community),
            _ => Err(ValidationError::new("INVALID_LEVEL", "level")),
        }
    }

    /// The number of digits a division code of this level has.
    pub fn code_len(self) -> usize {
        match self {
            Self::City => 2,
            Self::District => 6,
            Self::Street => 9,
            Self::Community => 12,
        }
    }
}

/// A statistical division code: 2 digits (city), 6 (district), 9 (street) or 12 (community).
///
/// Codes are hierarchical by prefix, which is what makes jurisdiction a prefix test.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DivisionCode(String);

impl DivisionCode {
    /// Accepts only ASCII digits of one of the four lengths.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let s = s.trim();
        let ok_len = matches!(s.len(), 2 | 6 | 9 | 12);
        if ok_len && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(ValidationError::new("INVALID_DIVISION_CODE", "code"))
        }
    }

    /// Beijing: the root of the hierarchy (statistical form `11`).
    pub fn city() -> Self {
        Self("11".to_owned())
    }

    /// The level implied by the code's length.
    pub fn level(&self) -> DivisionLevel {
        match self.0.len() {
            2 => DivisionLevel::City,
            6 => DivisionLevel::District,
            9 => DivisionLevel::Street,
            _ => DivisionLevel::Community,
        }
    }

    /// The code of the division directly above, `None` for the city.
    pub fn parent(&self) -> Option<DivisionCode> {
        match self.level() {
            DivisionLevel::City => None,
            DivisionLevel::District => Some(Self(self.0[..2].to_owned())),
            DivisionLevel::Street => Some(Self(self.0[..6].to_owned())),
            DivisionLevel::Community => Some(Self(self.0[..9].to_owned())),
        }
    }

    /// True when `other` is this division or lies below it.
    pub fn contains(&self, other: &DivisionCode) -> bool {
        other.0.starts_with(&self.0)
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DivisionCode {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<DivisionCode> for String {
    fn from(c: DivisionCode) -> Self {
        c.0
    }
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a unit is: the government of a division, or one of its functional departments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 人民政府 / 街道办事处 / 居（村）委会: the division itself.
    Government,
    /// 民政局 (city, district).
    CivilAffairs,
    /// 卫生健康委员会.
    Health,
    /// 教育委员会.
    Education,
    /// 住房和城乡建设委员会.
    Housing,
    /// 人力资源和社会保障局.
    HumanResources,
    /// 救助管理站 (districts).
    ReliefStation,
    /// The street's social-assistance handling office: the unified intake window.
    AssistanceOffice,
}

impl UnitKind {
    /// All kinds, in display order.
    pub const ALL: [UnitKind; 8] = [
        Self::Government,
        Self::CivilAffairs,
        Self::Health,
        Self::Education,
        Self::Housing,
        Self::HumanResources,
        Self::ReliefStation,
        Self::AssistanceOffice,
    ];

    /// Stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::Government => "government",
            Self::CivilAffairs => "civil_affairs",
            Self::Health => "health",
            Self::Education => "education",
            Self::Housing => "housing",
            Self::HumanResources => "human_resources",
            Self::ReliefStation => "relief_station",
            Self::AssistanceOffice => "assistance_office",
        }
    }

    /// Parses the stable code.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL.into_iter().find(|k| k.code() == s).ok_or(ValidationError::new("INVALID_UNIT_KIND", "kind"))
    }

    /// The unit-code suffix; `None` for a division's government.
    ///
    /// The street handling office shares `mz` with the civil-affairs bureaus above it: it is
    /// the civil-affairs function at street level (see docs/adr/0003-unit-codes.md).
    pub fn suffix(self) -> Option<&'static str> {
        match self {
            Self::Government => None,
            Self::CivilAffairs | Self::AssistanceOffice => Some("mz"),
            Self::Health => Some("wj"),
            Self::Education => Some("jw"),
            Self::Housing => Some("zj"),
            Self::HumanResources => Some("rs"),
            Self::ReliefStation => Some("jzz"),
        }
    }

    /// True for the departments that receive referrals in their own right.
    pub fn is_department(self) -> bool {
        !matches!(self, Self::Government)
    }

    /// The functional units a division of `level` has, besides its government.
    pub fn departments_at(level: DivisionLevel) -> &'static [UnitKind] {
        match level {
            DivisionLevel::City => {
                &[Self::CivilAffairs, Self::Health, Self::Education, Self::Housing, Self::HumanResources]
            }
            DivisionLevel::District => &[
                Self::CivilAffairs,
                Self::Health,
                Self::Education,
                Self::Housing,
                Self::HumanResources,
                Self::ReliefStation,
            ],
            DivisionLevel::Street => &[Self::AssistanceOffice],
            DivisionLevel::Community => &[],
        }
    }

    /// The Chinese name of the department for a division named `division` (e.g. 朝阳区民政局).
    pub fn unit_name(self, division: &str, level: DivisionLevel) -> String {
        let suffix = match (self, level) {
            (Self::Government, _) => return division.to_owned(),
            (Self::CivilAffairs, _) => "民政局",
            (Self::Health, _) => "卫生健康委员会",
            (Self::Education, _) => "教育委员会",
            (Self::Housing, _) => "住房和城乡建设委员会",
            (Self::HumanResources, _) => "人力资源和社会保障局",
            (Self::ReliefStation, _) => "救助管理站",
            (Self::AssistanceOffice, _) => "社会救助受理窗口",
        };
        format!("{division}{suffix}")
    }
}

/// A unit's stable code: `DIVISION` or `DIVISION:SUFFIX`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnitCode(String);

impl UnitCode {
    /// Parses `110105` or `110105:mz`; the suffix must be one the division's level can have.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let s = s.trim();
        let err = ValidationError::new("INVALID_UNIT_CODE", "unit");
        let (div, suffix) = match s.split_once(':') {
            Some((d, x)) => (d, Some(x)),
            None => (s, None),
        };
        let division = DivisionCode::parse(div).map_err(|_| err.clone())?;
        if let Some(x) = suffix {
            let allowed = UnitKind::departments_at(division.level()).iter().any(|k| k.suffix() == Some(x));
            if !allowed {
                return Err(err);
            }
        }
        Ok(Self(s.to_owned()))
    }

    /// The code of the unit of `kind` in `division`.
    pub fn of(division: &DivisionCode, kind: UnitKind) -> Self {
        match kind.suffix() {
            Some(x) => Self(format!("{division}:{x}")),
            None => Self(division.to_string()),
        }
    }

    /// The division this unit belongs to.
    pub fn division(&self) -> DivisionCode {
        let d = self.0.split(':').next().unwrap_or_default();
        DivisionCode(d.to_owned())
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for UnitCode {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<UnitCode> for String {
    fn from(c: UnitCode) -> Self {
        c.0
    }
}

impl fmt::Display for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A unit ready to be stored: what the org import produces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewUnit {
    pub code: UnitCode,
    pub name: String,
    pub kind: UnitKind,
    pub level: DivisionLevel,
    pub division: DivisionCode,
    /// The unit above: for a government the parent division's government, for a
    /// department its own division's government.
    pub parent: Option<UnitCode>,
}

/// One row of a divisions file or communities file, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DivisionRow {
    pub code: DivisionCode,
    pub name: String,
    pub parent: Option<DivisionCode>,
}

/// Expands division rows into the units the platform needs: each division's government
/// and the functional departments of its level.
pub fn units_for_divisions(rows: &[DivisionRow]) -> Vec<NewUnit> {
    let mut out = Vec::with_capacity(rows.len() * 2);
    for row in rows {
        let level = row.code.level();
        let gov = UnitCode::of(&row.code, UnitKind::Government);
        out.push(NewUnit {
            code: gov.clone(),
            name: row.name.clone(),
            kind: UnitKind::Government,
            level,
            division: row.code.clone(),
            parent: row.parent.as_ref().map(|p| UnitCode::of(p, UnitKind::Government)),
        });
        for kind in UnitKind::departments_at(level) {
            out.push(NewUnit {
                code: UnitCode::of(&row.code, *kind),
                name: kind.unit_name(&row.name, level),
                kind: *kind,
                level,
                division: row.code.clone(),
                parent: Some(gov.clone()),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_codes_have_four_lengths_and_prefix_parents() {
        let c = DivisionCode::parse("110105001024").unwrap();
        assert_eq!(c.level(), DivisionLevel::Community);
        assert_eq!(c.parent().unwrap().as_str(), "110105001");
        assert_eq!(DivisionCode::parse("110105").unwrap().parent().unwrap().as_str(), "11");
        assert!(DivisionCode::parse("11").unwrap().parent().is_none());
        for bad in ["", "1", "1101", "11010a", "1101050010241", "１１"] {
            assert!(DivisionCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unit_codes_allow_only_suffixes_of_the_level() {
        assert!(UnitCode::parse("110105:mz").is_ok());
        assert!(UnitCode::parse("110105:jzz").is_ok());
        assert!(UnitCode::parse("11:jzz").is_err(), "the city has no relief station");
        assert!(UnitCode::parse("110105001:mz").is_ok());
        assert!(UnitCode::parse("110105001:wj").is_err());
        assert!(UnitCode::parse("110105001001:mz").is_err());
        assert!(UnitCode::parse("110105:xx").is_err());
        assert_eq!(UnitCode::parse("110105:wj").unwrap().division().as_str(), "110105");
    }

    #[test]
    fn expansion_creates_departments_per_level() {
        let rows = vec![
            DivisionRow { code: DivisionCode::parse("11").unwrap(), name: "北京市".into(), parent: None },
            DivisionRow {
                code: DivisionCode::parse("110105").unwrap(),
                name: "朝阳区".into(),
                parent: DivisionCode::parse("11").ok(),
            },
            DivisionRow {
                code: DivisionCode::parse("110105001").unwrap(),
                name: "建外街道".into(),
                parent: DivisionCode::parse("110105").ok(),
            },
        ];
        let units = units_for_divisions(&rows);
        let codes: Vec<&str> = units.iter().map(|u| u.code.as_str()).collect();
        assert_eq!(codes.len(), 1 + 5 + 1 + 6 + 1 + 1);
        assert!(codes.contains(&"110105:jzz"));
        assert!(!codes.contains(&"11:jzz"));
        let office = units.iter().find(|u| u.code.as_str() == "110105001:mz").unwrap();
        assert_eq!(office.kind, UnitKind::AssistanceOffice);
        assert_eq!(office.parent.as_ref().unwrap().as_str(), "110105001");
        let health = units.iter().find(|u| u.code.as_str() == "110105:wj").unwrap();
        assert_eq!(health.name, "朝阳区卫生健康委员会");
    }
}
