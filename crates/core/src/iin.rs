//! ИИН / БИН — the 12-digit individual and business identification numbers. Both end with a
//! check digit computed the same way (weights 1..11, then 3..11,1,2 if the first sum gives 10).
//! An IIN also starts with the birth date (YYMMDD) and a century/sex digit.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IinError {
    #[error("must be exactly 12 digits")]
    NotTwelveDigits,
    #[error("check digit does not match")]
    Checksum,
    #[error("the first six digits are not a date of birth")]
    BirthDate,
    #[error("the seventh digit must be 1 to 6 (century and sex)")]
    CenturyDigit,
}

/// Individual identification number (ЖСН / ИИН).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String)]
pub struct Iin(String);

/// Business identification number (БСН / БИН).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String)]
pub struct Bin(String);

fn digits_of(text: &str) -> Result<[u32; 12], IinError> {
    let trimmed = text.trim();
    if trimmed.len() != 12 || !trimmed.chars().all(|c| c.is_ascii_digit()) {
        return Err(IinError::NotTwelveDigits);
    }
    let mut digits = [0u32; 12];
    for (slot, c) in digits.iter_mut().zip(trimmed.chars()) {
        *slot = c.to_digit(10).ok_or(IinError::NotTwelveDigits)?;
    }
    Ok(digits)
}

/// The check digit of the first 11 digits, or None when the number cannot have one
/// (both weighted sums give 10: such numbers are never issued).
pub fn check_digit(first_eleven: &[u32]) -> Option<u32> {
    const FIRST: [u32; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    const SECOND: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
    let weighted = |weights: &[u32; 11]| -> u32 {
        first_eleven
            .iter()
            .zip(weights)
            .map(|(d, w)| d * w)
            .sum::<u32>()
            % 11
    };
    match weighted(&FIRST) {
        10 => match weighted(&SECOND) {
            10 => None,
            second => Some(second),
        },
        first => Some(first),
    }
}

fn validate_checksum(digits: &[u32; 12]) -> Result<(), IinError> {
    match check_digit(&digits[..11]) {
        Some(d) if d == digits[11] => Ok(()),
        _ => Err(IinError::Checksum),
    }
}

impl Iin {
    pub fn parse(text: &str) -> Result<Iin, IinError> {
        let digits = digits_of(text)?;
        let century = match digits[6] {
            1 | 2 => 1800,
            3 | 4 => 1900,
            5 | 6 => 2000,
            _ => return Err(IinError::CenturyDigit),
        };
        let year = century + (digits[0] * 10 + digits[1]) as i32;
        let month = digits[2] * 10 + digits[3];
        let day = digits[4] * 10 + digits[5];
        NaiveDate::from_ymd_opt(year, month, day).ok_or(IinError::BirthDate)?;
        validate_checksum(&digits)?;
        Ok(Iin(text.trim().to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Bin {
    pub fn parse(text: &str) -> Result<Bin, IinError> {
        let digits = digits_of(text)?;
        validate_checksum(&digits)?;
        Ok(Bin(text.trim().to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_newtype_impls {
    ($t:ident) => {
        impl TryFrom<String> for $t {
            type Error = IinError;
            fn try_from(value: String) -> Result<Self, IinError> {
                $t::parse(&value)
            }
        }
        impl From<$t> for String {
            fn from(value: $t) -> String {
                value.0
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
string_newtype_impls!(Iin);
string_newtype_impls!(Bin);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_with_first_weights() {
        // 880215 3 0012 ? : 8·1+8·2+0·3+2·4+1·5+5·6+3·7+0·8+0·9+1·10+2·11 = 120; 120 mod 11 = 10
        // → second weights: 8·3+8·4+0·5+2·6+1·7+5·8+3·9+0·10+0·11+1·1+2·2 = 147; 147 mod 11 = 4
        assert_eq!(check_digit(&[8, 8, 0, 2, 1, 5, 3, 0, 0, 1, 2]), Some(4));
        assert!(Iin::parse("880215300124").is_ok());
        assert_eq!(Iin::parse("880215300125"), Err(IinError::Checksum));
    }

    #[test]
    fn worked_example_plain() {
        // 900101 3 0000 ?: 9·1+0+0+1·4+0+1·6+3·7 = 40; 40 mod 11 = 7
        assert_eq!(check_digit(&[9, 0, 0, 1, 0, 1, 3, 0, 0, 0, 0]), Some(7));
        assert!(Iin::parse("900101300007").is_ok());
    }

    #[test]
    fn refuses_malformed() {
        assert_eq!(Iin::parse("12345"), Err(IinError::NotTwelveDigits));
        assert_eq!(Iin::parse("90010130000a"), Err(IinError::NotTwelveDigits));
        assert_eq!(Iin::parse("901301300007"), Err(IinError::BirthDate));
        assert_eq!(Iin::parse("900101900007"), Err(IinError::CenturyDigit));
    }

    #[test]
    fn bin_uses_the_same_check_digit() {
        // 050540 0 1234 ?: 0+5·2+0+5·4+4·5+0+0+1·8+2·9+3·10+4·11 = 150; 150 mod 11 = 7
        assert_eq!(check_digit(&[0, 5, 0, 5, 4, 0, 0, 1, 2, 3, 4]), Some(7));
        assert!(Bin::parse("050540012347").is_ok());
        assert_eq!(Bin::parse("050540012348"), Err(IinError::Checksum));
    }
}
