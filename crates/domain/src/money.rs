//! Money: integer fen that cannot leave the range a fund may hold, with checked arithmetic and
//! a ceiling per operation (deposit, allocation, grant) taken from dated rule data.

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// The most a fund's balance (available, reserved or paid) may hold: 9×10¹⁵ fen (90 trillion
/// yuan), far below `i64::MAX`, so that a sum of two balances never overflows either database.
pub const MAX_BALANCE_FEN: i64 = 9_000_000_000_000_000;

crate::code_enum!(
    /// An operation that moves money, each with its own ceiling per transaction (rule data).
    MoneyOperation, "UNKNOWN_OPERATION", "operation" {
        Deposit = "deposit",
        Allocation = "allocation",
        Grant = "grant",
    }
);

/// An amount of money in fen, between 0 and [`MAX_BALANCE_FEN`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Fen(i64);

impl Fen {
    /// Nothing.
    pub const ZERO: Fen = Fen(0);
    /// The largest amount a balance may hold.
    pub const MAX: Fen = Fen(MAX_BALANCE_FEN);

    /// An amount of `fen` for the form field `field`: `NEGATIVE_AMOUNT` below zero,
    /// `AMOUNT_TOO_LARGE` above [`MAX_BALANCE_FEN`].
    pub fn new(fen: i64, field: &'static str) -> Result<Fen, ValidationError> {
        if fen < 0 {
            Err(ValidationError::new("NEGATIVE_AMOUNT", field))
        } else if fen > MAX_BALANCE_FEN {
            Err(ValidationError::new("AMOUNT_TOO_LARGE", field))
        } else {
            Ok(Fen(fen))
        }
    }

    /// Parses yuan as typed ("1234.5") for the field `amount`: `INVALID_AMOUNT` for anything
    /// but digits with at most two decimals, `AMOUNT_TOO_LARGE` when the fen value is beyond
    /// [`MAX_BALANCE_FEN`] (however many digits were typed).
    pub fn parse_yuan(s: &str) -> Result<Fen, ValidationError> {
        let err = ValidationError::new("INVALID_AMOUNT", "amount");
        let too_large = ValidationError::new("AMOUNT_TOO_LARGE", "amount");
        let s = s.trim();
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        if whole.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || frac.len() > 2
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(err);
        }
        let digits = whole.trim_start_matches('0');
        if digits.len() > 17 {
            return Err(too_large);
        }
        let w: i64 = if digits.is_empty() { 0 } else { digits.parse().map_err(|_| too_large.clone())? };
        let f: i64 = format!("{frac:0<2}").parse().map_err(|_| err)?;
        let fen = w.checked_mul(100).and_then(|x| x.checked_add(f)).ok_or(too_large)?;
        Fen::new(fen, "amount")
    }

    /// The amount in fen.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// The sum, or `None` beyond [`MAX_BALANCE_FEN`].
    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).filter(|s| *s <= MAX_BALANCE_FEN).map(Fen)
    }

    /// The difference, or `None` below zero.
    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).filter(|d| *d >= 0).map(Fen)
    }

    /// This amount if it is within `ceiling` (the rule in force for the operation), else
    /// `AMOUNT_TOO_LARGE` on `field`.
    pub fn within(self, ceiling: Fen, field: &'static str) -> Result<Fen, ValidationError> {
        if self <= ceiling { Ok(self) } else { Err(ValidationError::new("AMOUNT_TOO_LARGE", field)) }
    }

    /// `amount` added to a balance of `balance`, refused (`AMOUNT_TOO_LARGE` on `field`) when
    /// the balance would leave the range a fund may hold.
    pub fn credit(balance: i64, amount: Fen, field: &'static str) -> Result<Fen, ValidationError> {
        Fen::new(balance, field)?.checked_add(amount).ok_or(ValidationError::new("AMOUNT_TOO_LARGE", field))
    }
}

impl TryFrom<i64> for Fen {
    type Error = ValidationError;
    fn try_from(fen: i64) -> Result<Self, Self::Error> {
        Fen::new(fen, "amount")
    }
}

impl From<Fen> for i64 {
    fn from(f: Fen) -> i64 {
        f.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_parse_into_bounded_fen() {
        assert_eq!(Fen::parse_yuan("1234.5").map(Fen::get), Ok(123_450));
        assert_eq!(Fen::parse_yuan("0.01").map(Fen::get), Ok(1));
        assert_eq!(Fen::parse_yuan("000012").map(Fen::get), Ok(1_200));
        assert_eq!(Fen::parse_yuan("90000000000000").map(Fen::get), Ok(MAX_BALANCE_FEN), "the ceiling itself");
        for bad in ["", "-1", "1.234", "abc", "1e3", ".5", "1.-5"] {
            assert_eq!(Fen::parse_yuan(bad).unwrap_err().code, "INVALID_AMOUNT", "{bad}");
        }
        // i64::MAX fen (the reproduction of issue 11, defect 2), one fen past the ceiling, and
        // numbers whose fen value does not fit in 64 bits at all.
        for big in ["92233720368547758.07", "90000000000000.01", "92233720368547758.08", "99999999999999999999"] {
            let e = Fen::parse_yuan(big).unwrap_err();
            assert_eq!((e.code, e.field), ("AMOUNT_TOO_LARGE", "amount"), "{big}");
        }
    }

    #[test]
    fn arithmetic_stays_in_range() {
        let max = Fen::MAX;
        let one = Fen::new(1, "amount").unwrap();
        assert_eq!(max.checked_add(one), None);
        assert_eq!(max.checked_add(Fen::ZERO), Some(max));
        assert_eq!(Fen::ZERO.checked_sub(one), None);
        assert_eq!(one.checked_sub(one), Some(Fen::ZERO));
        assert_eq!(Fen::new(-1, "x").unwrap_err().code, "NEGATIVE_AMOUNT");
        assert_eq!(Fen::new(i64::MAX, "x").unwrap_err().code, "AMOUNT_TOO_LARGE");
        assert_eq!(Fen::credit(MAX_BALANCE_FEN - 1, one, "amount"), Ok(max));
        assert_eq!(Fen::credit(MAX_BALANCE_FEN, one, "amount").unwrap_err().code, "AMOUNT_TOO_LARGE");
        assert_eq!(Fen::credit(i64::MAX, one, "amount").unwrap_err().code, "AMOUNT_TOO_LARGE", "a corrupt balance");
    }

    #[test]
    fn ceilings_are_inclusive() {
        let ceiling = Fen::new(10_000, "amount").unwrap();
        assert!(Fen::new(10_000, "amount").unwrap().within(ceiling, "amount").is_ok());
        let e = Fen::new(10_001, "amount").unwrap().within(ceiling, "amount").unwrap_err();
        assert_eq!((e.code, e.field), ("AMOUNT_TOO_LARGE", "amount"));
        assert_eq!(MoneyOperation::parse("grant"), Ok(MoneyOperation::Grant));
    }
}
