//! The recommended price of a good (P-13, order 254 p.2, 7, 18): the median of its observed
//! prices, each first brought to the planning year with the yearly inflation index. The
//! observations are those of the last two years before the check; those of the organisation's
//! region when it has at least [`MIN_REGIONAL`] of them, otherwise those of every region.
//! Arithmetic is decimal and the result is rounded to the tiyn half away from zero.

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use std::collections::BTreeMap;

/// Observations a region needs for its own median; with fewer, the republic's is used.
pub const MIN_REGIONAL: usize = 3;
/// How far back observations count, in days.
pub const WINDOW_DAYS: i64 = 730;

/// One observed price of a good, in tiyn per unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Observation {
    pub good_code: String,
    /// The КАТО region code (two digits); empty when the price is the republic's.
    pub region: String,
    pub observed_on: NaiveDate,
    pub source: String,
    pub price: i64,
}

/// Yearly inflation, in basis points (8.6 % = 860), by year.
pub type Indices = BTreeMap<i32, i64>;

/// A price in tiyn brought from the year it was observed in to `year`: multiplied by
/// (1 + inflation) of every later year up to `year`. A year without an index counts as no
/// inflation (the indices page shows which years are missing).
pub fn indexed(price: i64, from_year: i32, year: i32, indices: &Indices) -> i64 {
    let mut value = Decimal::from(price);
    for y in (from_year + 1)..=year {
        let bp = indices.get(&y).copied().unwrap_or(0);
        value = value * (Decimal::from(10_000 + bp)) / Decimal::from(10_000);
    }
    round_tiyn(value)
}

fn round_tiyn(value: Decimal) -> i64 {
    value
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .try_into()
        .unwrap_or(i64::MAX)
}

/// The median: the middle value, or the mean of the two middle ones rounded half away from
/// zero.
pub fn median(mut values: Vec<i64>) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        round_tiyn((Decimal::from(values[mid - 1]) + Decimal::from(values[mid])) / Decimal::TWO)
    })
}

/// The recommended price of a good for a planning year, and what it was computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Recommended {
    /// Tiyn per unit.
    pub price: i64,
    pub year: i32,
    /// Observations the median was taken over.
    pub observations: usize,
    /// Whether they are the region's own (otherwise every region's).
    pub regional: bool,
}

/// The recommended price for `year` in `region` (None: the republic), from the observations
/// dated within [`WINDOW_DAYS`] before `today`.
pub fn recommended(
    observations: &[Observation],
    region: Option<&str>,
    year: i32,
    indices: &Indices,
    today: NaiveDate,
) -> Option<Recommended> {
    let from = today - chrono::Duration::days(WINDOW_DAYS);
    let recent: Vec<&Observation> = observations
        .iter()
        .filter(|o| o.observed_on > from && o.observed_on <= today)
        .collect();
    let regional: Vec<&Observation> = match region {
        Some(r) => recent.iter().copied().filter(|o| o.region == r).collect(),
        None => Vec::new(),
    };
    let (used, is_regional) = if regional.len() >= MIN_REGIONAL {
        (regional, true)
    } else {
        (recent, false)
    };
    let values: Vec<i64> = used
        .iter()
        .map(|o| indexed(o.price, o.observed_on.year(), year, indices))
        .collect();
    Some(Recommended {
        observations: values.len(),
        price: median(values)?,
        year,
        regional: is_regional,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(region: &str, date: &str, price: i64) -> Observation {
        Observation {
            good_code: "192021.100.000001".into(),
            region: region.into(),
            observed_on: date.parse().expect("date"),
            source: "test".into(),
            price,
        }
    }

    fn today() -> NaiveDate {
        "2026-12-01".parse().expect("date")
    }

    #[test]
    fn a_price_is_brought_to_the_planning_year_with_every_later_years_index() {
        let indices = Indices::from([(2026, 1000), (2027, 860)]);
        // 100.00 tenge of 2025: × 1.10 × 1.086 = 119.46 tenge.
        assert_eq!(indexed(10_000, 2025, 2027, &indices), 11_946);
        // A year without an index adds nothing; the observation's own year never counts.
        assert_eq!(indexed(10_000, 2027, 2028, &indices), 10_000);
        assert_eq!(indexed(10_000, 2027, 2027, &indices), 10_000);
    }

    #[test]
    fn the_median_of_an_even_count_is_the_rounded_mean_of_the_middle_two() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5, 1, 3]), Some(3));
        assert_eq!(median(vec![4, 1, 3, 10]), Some(4)); // (3 + 4) / 2 = 3.5 → 4
    }

    #[test]
    fn a_region_with_three_recent_prices_has_its_own_median_else_the_republics() {
        let indices = Indices::from([(2027, 1000)]);
        let all = vec![
            obs("47", "2026-03-01", 30_000),
            obs("47", "2026-05-01", 31_000),
            obs("47", "2026-06-01", 35_000),
            obs("71", "2026-06-01", 20_000),
            obs("71", "2024-06-01", 1_000), // older than two years: not counted
        ];
        let r = recommended(&all, Some("47"), 2027, &indices, today()).expect("priced");
        // Mangystau's median 310.00 of 2026, × 1.10 for 2027.
        assert_eq!((r.price, r.observations, r.regional), (34_100, 3, true));
        let r = recommended(&all, Some("71"), 2027, &indices, today()).expect("priced");
        // Astana has one price: the median of all four recent ones, (300 + 310) / 2 × 1.1.
        assert_eq!((r.price, r.observations, r.regional), (33_550, 4, false));
        assert_eq!(recommended(&all[4..], None, 2027, &indices, today()), None);
    }
}
