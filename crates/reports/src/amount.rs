//! Amounts as printed (P-19): an official form may print tenge, thousands or millions of tenge
//! with a fixed number of decimals. Amounts stay integer tiyn until here; the printed value is
//! an integer count of the printed step (0.1 thousand tenge = 10 000 tiyn), never a float, so
//! sums of printed values are exact.

use jospar_core::Tenge;
use jospar_core::money::group_digits;
use serde::{Deserialize, Serialize};

/// The unit a form prints its amounts in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    #[default]
    Tenge,
    ThousandTenge,
    MillionTenge,
}

impl Unit {
    /// Tiyn in one unit.
    fn tiyn(self) -> i64 {
        match self {
            Unit::Tenge => 100,
            Unit::ThousandTenge => 100_000,
            Unit::MillionTenge => 100_000_000,
        }
    }

    /// The message naming the unit (`unit-tenge`, `unit-thousand_tenge` …).
    pub fn message(self) -> &'static str {
        match self {
            Unit::Tenge => "unit-tenge",
            Unit::ThousandTenge => "unit-thousand_tenge",
            Unit::MillionTenge => "unit-million_tenge",
        }
    }
}

/// A unit with the number of decimals printed: tenge with tiyn (2), thousand tenge with one
/// decimal …
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Scale {
    pub unit: Unit,
    pub decimals: u8,
}

impl Default for Scale {
    /// Tenge with tiyn: the exact amount.
    fn default() -> Scale {
        Scale {
            unit: Unit::Tenge,
            decimals: 2,
        }
    }
}

impl Scale {
    /// A scale whose step is a whole number of tiyn (no decimals below the tiyn).
    pub fn new(unit: Unit, decimals: u8) -> Option<Scale> {
        let scale = Scale { unit, decimals };
        let divisor = 10_i64.checked_pow(u32::from(decimals))?;
        (unit.tiyn() % divisor == 0).then_some(scale)
    }

    /// Tiyn in one printed step.
    pub fn step(self) -> i64 {
        self.unit.tiyn() / 10_i64.pow(u32::from(self.decimals))
    }

    /// The amount rounded to the printed step, half away from zero.
    pub fn round(self, amount: Tenge) -> Printed {
        Printed {
            steps: round_half_away(amount.tiyn(), self.step()),
            decimals: self.decimals,
        }
    }
}

/// `value / step` rounded half away from zero: 0.05 → 0.1 and −0.05 → −0.1, as the
/// accountants round, where the banker's rule would give 0.0 (the money crate's rule).
pub fn round_half_away(value: i64, step: i64) -> i64 {
    jospar_core::money::div_round_half_away(value, step)
}

/// A printed amount: a whole number of steps, shown with `decimals` decimals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Printed {
    pub steps: i64,
    pub decimals: u8,
}

impl Printed {
    fn divisor(self) -> i64 {
        10_i64.pow(u32::from(self.decimals))
    }

    /// As a number for a spreadsheet cell; the only float, at the file's edge.
    pub fn as_f64(self) -> f64 {
        self.steps as f64 / self.divisor() as f64
    }

    /// Plain, for machines: "-1234.5".
    pub fn plain(self) -> String {
        self.format(|digits| digits.to_string(), ".")
    }

    /// For people: "1 234 567,8", digits grouped by a space, a decimal comma.
    pub fn display(self) -> String {
        self.format(group_digits, ",")
    }

    /// The Excel number format of this many decimals: "#,##0.0".
    pub fn excel_format(decimals: u8) -> String {
        match decimals {
            0 => "#,##0".to_string(),
            n => format!("#,##0.{}", "0".repeat(usize::from(n))),
        }
    }

    fn format(self, whole: impl Fn(u64) -> String, point: &str) -> String {
        let sign = if self.steps < 0 { "-" } else { "" };
        let abs = self.steps.unsigned_abs();
        let divisor = self.divisor().unsigned_abs();
        let whole = whole(abs / divisor);
        match self.decimals {
            0 => format!("{sign}{whole}"),
            d => format!(
                "{sign}{whole}{point}{:0width$}",
                abs % divisor,
                width = usize::from(d)
            ),
        }
    }
}

impl std::ops::Add for Printed {
    type Output = Printed;
    fn add(self, other: Printed) -> Printed {
        Printed {
            steps: self.steps + other.steps,
            decimals: self.decimals,
        }
    }
}

impl std::ops::Sub for Printed {
    type Output = Printed;
    fn sub(self, other: Printed) -> Printed {
        Printed {
            steps: self.steps - other.steps,
            decimals: self.decimals,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thousand_1() -> Scale {
        Scale::new(Unit::ThousandTenge, 1).expect("scale")
    }

    #[test]
    fn half_away_from_zero() {
        // (value in tiyn, step, expected steps)
        let cases = [
            (50, 100, 1),
            (49, 100, 0),
            (-50, 100, -1),
            (-49, 100, 0),
            (150, 100, 2),
            (-150, 100, -2),
            (0, 100, 0),
            (10_000, 10_000, 1),
            (-14_999, 10_000, -1),
            (-15_000, 10_000, -2),
        ];
        for (value, step, expected) in cases {
            assert_eq!(round_half_away(value, step), expected, "{value}/{step}");
        }
    }

    #[test]
    fn thousand_tenge_with_one_decimal() {
        let s = thousand_1();
        assert_eq!(s.step(), 10_000);
        // 1 234 567,89 tenge = 1 234,56789 thousand → 1 234,6
        let p = s.round(Tenge::from_tiyn(123_456_789));
        assert_eq!(
            (p.display(), p.plain()),
            ("1 234,6".into(), "1234.6".into())
        );
        let p = s.round(Tenge::from_tiyn(-5_000));
        assert_eq!(p.display(), "-0,1");
        assert_eq!(
            Scale::default().round(Tenge::from_tiyn(-1)).display(),
            "-0,01"
        );
        assert_eq!(Printed::excel_format(1), "#,##0.0");
        assert_eq!(Scale::new(Unit::Tenge, 3), None, "no step below the tiyn");
    }

    #[test]
    fn printed_amount_is_within_half_a_step() {
        let s = thousand_1();
        for tiyn in (-1_000_000..1_000_000).step_by(997) {
            let p = s.round(Tenge::from_tiyn(tiyn));
            let back = p.steps * s.step();
            assert!(2 * (back - tiyn).abs() <= s.step(), "{tiyn}");
        }
    }
}
