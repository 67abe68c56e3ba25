//! Money as integer tiyn (1 tenge = 100 tiyn). Never floating point.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign, Neg, Sub};

/// An amount of money in tiyn.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct Tenge(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("not an amount: {0}")]
    Malformed(String),
    #[error("amount out of range: {0}")]
    Overflow(String),
}

impl Tenge {
    pub const ZERO: Tenge = Tenge(0);

    pub const fn from_tiyn(tiyn: i64) -> Self {
        Tenge(tiyn)
    }

    pub const fn tiyn(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Tenge) -> Option<Tenge> {
        self.0.checked_add(other.0).map(Tenge)
    }

    /// Parses a decimal amount in tenge written the way economists type it:
    /// "1 234 567,89", "1234567.89", "-12,5". At most two decimals; anything finer is refused
    /// rather than silently rounded.
    pub fn parse(text: &str) -> Result<Tenge, MoneyError> {
        let bad = || MoneyError::Malformed(text.to_string());
        let cleaned: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
            .map(|c| if c == ',' { '.' } else { c })
            .collect();
        let (negative, digits) = match cleaned.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, cleaned.as_str()),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() && frac.is_empty() {
            return Err(bad());
        }
        if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        if frac.len() > 2 {
            return Err(bad());
        }
        let whole_value: i64 = if whole.is_empty() {
            0
        } else {
            whole
                .parse()
                .map_err(|_| MoneyError::Overflow(text.to_string()))?
        };
        let frac_value: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        let tiyn = whole_value
            .checked_mul(100)
            .and_then(|v| v.checked_add(frac_value))
            .ok_or_else(|| MoneyError::Overflow(text.to_string()))?;
        Ok(Tenge(if negative { -tiyn } else { tiyn }))
    }

    /// Thousands of tenge with one decimal, rounded half away from zero, as the official
    /// reports show them: "1 234 567,9".
    pub fn format_thousands(self) -> String {
        let tenths = div_round_half_away(self.0, 100_000 / 10);
        let sign = if tenths < 0 { "-" } else { "" };
        let abs = tenths.unsigned_abs();
        format!("{sign}{},{}", group_digits(abs / 10), abs % 10)
    }
}

/// Integer division rounding half away from zero (not banker's rounding).
pub fn div_round_half_away(value: i64, divisor: i64) -> i64 {
    let quotient = value / divisor;
    let remainder = value % divisor;
    if remainder.abs() * 2 >= divisor.abs() {
        quotient + value.signum() * divisor.signum()
    } else {
        quotient
    }
}

/// "1234567" → "1 234 567" (narrow no-break spaces are hard to type; a plain space is used).
pub fn group_digits(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Tenge {
    /// Tenge with two decimals: "1 234 567,89".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{},{:02}", group_digits(abs / 100), abs % 100)
    }
}

impl Add for Tenge {
    type Output = Tenge;
    fn add(self, rhs: Tenge) -> Tenge {
        Tenge(self.0 + rhs.0)
    }
}

impl AddAssign for Tenge {
    fn add_assign(&mut self, rhs: Tenge) {
        self.0 += rhs.0;
    }
}

impl Sub for Tenge {
    type Output = Tenge;
    fn sub(self, rhs: Tenge) -> Tenge {
        Tenge(self.0 - rhs.0)
    }
}

impl Neg for Tenge {
    type Output = Tenge;
    fn neg(self) -> Tenge {
        Tenge(-self.0)
    }
}

impl std::iter::Sum for Tenge {
    fn sum<I: Iterator<Item = Tenge>>(iter: I) -> Tenge {
        iter.fold(Tenge::ZERO, |a, b| a + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_what_economists_type() {
        assert_eq!(
            Tenge::parse("1 234 567,89"),
            Ok(Tenge::from_tiyn(123_456_789))
        );
        assert_eq!(Tenge::parse("12.5"), Ok(Tenge::from_tiyn(1250)));
        assert_eq!(Tenge::parse("-0,01"), Ok(Tenge::from_tiyn(-1)));
        assert_eq!(Tenge::parse("7"), Ok(Tenge::from_tiyn(700)));
        assert!(
            Tenge::parse("1,234").is_err(),
            "three decimals must be refused"
        );
        assert!(Tenge::parse("12a").is_err());
        assert!(Tenge::parse("").is_err());
        assert!(Tenge::parse("99999999999999999999").is_err());
    }

    #[test]
    fn formats_tenge_and_thousands() {
        assert_eq!(Tenge::from_tiyn(123_456_789).to_string(), "1 234 567,89");
        assert_eq!(Tenge::from_tiyn(-5).to_string(), "-0,05");
        // 1 234 567,89 tenge = 1 234,56789 thousand → 1 234,6
        assert_eq!(Tenge::from_tiyn(123_456_789).format_thousands(), "1 234,6");
        // exactly half (0,05 thousand = 50 tenge) rounds away from zero
        assert_eq!(Tenge::from_tiyn(5_000).format_thousands(), "0,1");
        assert_eq!(Tenge::from_tiyn(-5_000).format_thousands(), "-0,1");
        assert_eq!(Tenge::from_tiyn(4_999).format_thousands(), "0,0");
    }

    proptest! {
        #[test]
        fn display_then_parse_round_trips(tiyn in -1_000_000_000_000i64..1_000_000_000_000i64) {
            let amount = Tenge::from_tiyn(tiyn);
            prop_assert_eq!(Tenge::parse(&amount.to_string()), Ok(amount));
        }

        #[test]
        fn rounding_is_symmetric(v in -1_000_000_000i64..1_000_000_000i64, d in 1i64..100_000) {
            prop_assert_eq!(div_round_half_away(-v, d), -div_round_half_away(v, d));
        }
    }
}
