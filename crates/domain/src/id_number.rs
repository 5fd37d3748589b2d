//! Citizen ID numbers, GB 11643-1999 《公民身份号码》.
//!
//! 18 characters: 6-digit address code, 8-digit birth date, 3-digit sequence (odd = male),
//! and an ISO 7064 MOD 11-2 check character (`X` for 10). First-generation 15-digit numbers
//! (YYMMDD, no check character) are accepted and upgraded by inserting `19` and computing
//! the check character. The address code is not checked against current division codes: it is
//! the code at the time of issue and may no longer exist (DOMAIN §7.1).

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::ValidationError;

/// Weights of positions 1–17 (2^(18−i) mod 11).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check characters by `sum mod 11`.
const CHECKS: &[u8; 11] = b"10X98765432";

/// Which rule an ID number breaks; each is a stable error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdNumberRule {
    /// Not 15 or 18 characters of digits (and a final `X`).
    Format,
    /// The birth date is not a real calendar date, or lies in the future.
    BirthDate,
    /// The check character does not match.
    CheckDigit,
}

impl IdNumberRule {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Format => "ID_NUMBER_FORMAT",
            Self::BirthDate => "ID_NUMBER_BIRTH_DATE",
            Self::CheckDigit => "ID_NUMBER_CHECK_DIGIT",
        }
    }

    /// As a validation error of `field`.
    pub fn error(self, field: &'static str) -> ValidationError {
        ValidationError::new(self.code(), field)
    }
}

/// A valid 18-character citizen ID number (upper-case `X`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

fn check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    // `sum % 11` is always an index of the eleven check characters.
    CHECKS.get((sum % 11) as usize).copied().unwrap_or(b'0')
}

fn is_leap(y: u32) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

fn valid_date(y: u32, m: u32, d: u32) -> bool {
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

impl IdNumber {
    /// Parses an 18- or 15-character number; `today` (YYYYMMDD) bounds the birth date.
    pub fn parse(input: &str, today: u32) -> Result<Self, IdNumberRule> {
        let s = input.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        let upgraded = match b.len() {
            18 => {
                let Some((&last, body)) = b.split_last() else { return Err(IdNumberRule::Format) };
                if !body.iter().all(u8::is_ascii_digit) || !(last.is_ascii_digit() || last == b'X') {
                    return Err(IdNumberRule::Format);
                }
                s
            }
            15 => {
                if !b.iter().all(u8::is_ascii_digit) {
                    return Err(IdNumberRule::Format);
                }
                let mut first17 = String::with_capacity(18);
                first17.push_str(&s[..6]);
                first17.push_str("19");
                first17.push_str(&s[6..]);
                let c = check_char(first17.as_bytes());
                first17.push(char::from(c));
                first17
            }
            _ => return Err(IdNumberRule::Format),
        };
        let b = upgraded.as_bytes();
        let num = |r: std::ops::Range<usize>| upgraded[r].parse::<u32>().unwrap_or(0);
        let (y, m, d) = (num(6..10), num(10..12), num(12..14));
        if y < 1880 || !valid_date(y, m, d) || y * 10_000 + m * 100 + d > today {
            return Err(IdNumberRule::BirthDate);
        }
        let Some((&last, body)) = b.split_last() else { return Err(IdNumberRule::Format) };
        if check_char(body) != last {
            return Err(IdNumberRule::CheckDigit);
        }
        Ok(Self(upgraded))
    }

    /// Completes 17 digits (address, birth date, sequence) with their check character; for
    /// generators of test data. `None` unless the body is 17 ASCII digits.
    pub fn with_check(first17: &str) -> Option<String> {
        let b = first17.as_bytes();
        (b.len() == 17 && b.iter().all(u8::is_ascii_digit)).then(|| format!("{first17}{}", char::from(check_char(b))))
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number for lists: address code and last four kept, e.g. `110105********002X`.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }

    /// Birth date as YYYYMMDD.
    pub fn birth_date(&self) -> u32 {
        self.0[6..14].parse().unwrap_or(0)
    }

    /// True when the sequence digit is odd.
    pub fn is_male(&self) -> bool {
        self.0.as_bytes().get(16).is_some_and(|d| (d - b'0') % 2 == 1)
    }
}

/// Masks any stored ID text the same way (first six, last four).
pub fn mask(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 10 {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars.iter().take(6).collect();
    out.push_str(&"*".repeat(chars.len() - 10));
    out.extend(chars.iter().skip(chars.len() - 4));
    out
}

impl TryFrom<String> for IdNumber {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s, 99_991_231).map_err(|r| r.error("id_number"))
    }
}

impl From<IdNumber> for String {
    fn from(v: IdNumber) -> Self {
        v.0
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: u32 = 20_261_129;

    #[test]
    fn standard_test_vectors() {
        let id = IdNumber::parse("11010519491231002x", TODAY).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(id.birth_date(), 19_491_231);
        assert!(!id.is_male());
        assert!(IdNumber::parse("440524188001010014", TODAY).is_ok());
    }

    #[test]
    fn each_rule_is_named() {
        assert_eq!(IdNumber::parse("110105194912310021", TODAY), Err(IdNumberRule::CheckDigit));
        assert_eq!(IdNumber::parse("110105194902300020", TODAY), Err(IdNumberRule::BirthDate), "30 February");
        assert_eq!(IdNumber::parse("110105203001010010", TODAY), Err(IdNumberRule::BirthDate), "future");
        assert_eq!(IdNumber::parse("1101051949123100", TODAY), Err(IdNumberRule::Format));
        assert_eq!(IdNumber::parse("11010519491231002Y", TODAY), Err(IdNumberRule::Format));
        assert_eq!(IdNumber::parse("", TODAY), Err(IdNumberRule::Format));
    }

    #[test]
    fn fifteen_digit_numbers_are_upgraded() {
        let id = IdNumber::parse("110105491231002", TODAY).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn every_valid_body_has_exactly_one_check_character() {
        // Property over a range of bodies: the computed check character is accepted and every
        // other character is refused.
        for n in 0..2_000u32 {
            let body = format!("110105199001{:02}{:03}", 1 + n % 28, n % 1000);
            let good = char::from(check_char(body.as_bytes()));
            for c in "0123456789X".chars() {
                let r = IdNumber::parse(&format!("{body}{c}"), TODAY);
                assert_eq!(r.is_ok(), c == good, "{body}{c}");
            }
        }
    }

    #[test]
    fn generated_numbers_validate() {
        let n = IdNumber::with_check("11010519491231002").unwrap();
        assert_eq!(n, "11010519491231002X");
        assert!(IdNumber::with_check("1101051949123100").is_none());
    }

    #[test]
    fn masking_keeps_only_the_ends() {
        assert_eq!(mask("110105491231002"), "110105*****1002");
        assert_eq!(mask("12345"), "*****");
    }
}
