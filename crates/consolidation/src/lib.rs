//! Consolidated totals kept up to date as the data changes (the technical
//! specification's "real-time consolidation of all subordinate data").
//!
//! A finance department reads the consolidated plan of thousands of institutions many times a
//! day, while each institution changes a few cells at a time. So every write that changes the
//! detail also adds its *difference* to the totals of the organisation and of every organisation
//! above it, in the same transaction; a consolidated report then reads its answer rows instead
//! of grouping the detail. [`repo::verify`] recomputes the totals from the detail and reports
//! every disagreement (`jospar verify`).
//!
//! The domain part here is the arithmetic of differences; the storage is in [`repo`].

pub mod repo;

use serde::Serialize;
use std::collections::BTreeMap;

/// The budget classification codes a total is kept by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Codes {
    pub program: String,
    pub subprogram: String,
    pub specific: String,
}

/// Obligations and payments of one month, in tiyn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Flow {
    pub obligations: i64,
    pub payments: i64,
}

/// A financing plan as cells: codes and month (1…12) → obligations and payments. The annual
/// amount is not a cell: a plan's months add up to it by rule (EX-1).
pub type PlanCells = BTreeMap<(Codes, u8), Flow>;

/// Obligations and payments of the twelve months, January first: a row of kept plan totals.
pub type Months = [Flow; 12];

/// A plan's difference as rows of kept totals: the months of each codes side by side. A month
/// outside 1…12 cannot come from a plan (EX-1 checks it) and is left out.
pub fn by_month(difference: &[((Codes, u8), Flow)]) -> BTreeMap<Codes, Months> {
    let mut rows: BTreeMap<Codes, Months> = BTreeMap::new();
    for ((codes, month), flow) in difference {
        let Some(index) = usize::from(*month).checked_sub(1).filter(|i| *i < 12) else {
            continue;
        };
        let cell = &mut rows.entry(codes.clone()).or_default()[index];
        cell.obligations += flow.obligations;
        cell.payments += flow.payments;
    }
    rows
}

/// A budget request as cells: codes and planning year → amount in tiyn.
pub type RequestCells = BTreeMap<(Codes, i32), i64>;

/// Amounts of a request's four years, in tiyn: the current (report) year and the three
/// planning years of its campaign (BP-1), in that order. A row of kept request totals.
pub type Years = [i64; 4];

/// Where `year` stands among the four years of a campaign whose first planning year is
/// `first_year`; `None` outside them (a request's line cannot hold such a year, BP-1).
pub fn year_index(first_year: i32, year: i32) -> Option<usize> {
    usize::try_from(year - (first_year - 1))
        .ok()
        .filter(|i| *i < 4)
}

/// The year of the amount at `index` of [`Years`].
pub fn year_at(first_year: i32, index: usize) -> i32 {
    first_year - 1 + index as i32
}

/// A request's difference as rows of kept totals: the four years of each codes side by side.
pub fn by_year(difference: &[((Codes, i32), i64)], first_year: i32) -> BTreeMap<Codes, Years> {
    let mut rows: BTreeMap<Codes, Years> = BTreeMap::new();
    for ((codes, year), amount) in difference {
        if let Some(index) = year_index(first_year, *year) {
            rows.entry(codes.clone()).or_default()[index] += amount;
        }
    }
    rows
}

/// An amount that can be added to a kept total and taken from it.
pub trait Amount: Copy + Default + PartialEq {
    fn minus(self, other: Self) -> Self;
    fn is_zero(self) -> bool {
        self == Self::default()
    }
}

impl Amount for i64 {
    fn minus(self, other: Self) -> Self {
        self - other
    }
}

impl Amount for Flow {
    fn minus(self, other: Self) -> Self {
        Flow {
            obligations: self.obligations - other.obligations,
            payments: self.payments - other.payments,
        }
    }
}

/// What must be added to the totals when the detail goes from `old` to `new`: only the cells
/// that changed, so a small edit is a small write however large the plan.
pub fn difference<K: Ord + Clone, A: Amount>(
    old: &BTreeMap<K, A>,
    new: &BTreeMap<K, A>,
) -> Vec<(K, A)> {
    let mut out = Vec::new();
    for (key, value) in new {
        let before = old.get(key).copied().unwrap_or_default();
        let change = value.minus(before);
        if !change.is_zero() {
            out.push((key.clone(), change));
        }
    }
    for (key, value) in old {
        if !new.contains_key(key) && !value.is_zero() {
            out.push((key.clone(), A::default().minus(*value)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn codes(program: &str) -> Codes {
        Codes {
            program: program.into(),
            subprogram: "000".into(),
            specific: "111".into(),
        }
    }

    #[test]
    fn a_moved_amount_is_two_cells_of_difference() {
        let old: RequestCells = [((codes("001"), 2027), 500), ((codes("002"), 2027), 100)].into();
        let new: RequestCells = [((codes("001"), 2027), 400), ((codes("002"), 2027), 200)].into();
        let mut diff = difference(&old, &new);
        diff.sort();
        assert_eq!(
            diff,
            vec![((codes("001"), 2027), -100), ((codes("002"), 2027), 100)]
        );
    }

    #[test]
    fn a_removed_cell_is_taken_back_whole() {
        let old: PlanCells = [(
            (codes("001"), 3),
            Flow {
                obligations: 7,
                payments: 5,
            },
        )]
        .into();
        let diff = difference(&old, &PlanCells::new());
        assert_eq!(
            diff,
            vec![(
                (codes("001"), 3),
                Flow {
                    obligations: -7,
                    payments: -5,
                }
            )]
        );
    }

    #[test]
    fn months_of_the_same_codes_are_one_row() {
        let flow = |obligations, payments| Flow {
            obligations,
            payments,
        };
        let rows = by_month(&[
            ((codes("001"), 1), flow(10, 4)),
            ((codes("001"), 12), flow(-3, 0)),
            ((codes("002"), 6), flow(0, 7)),
        ]);
        assert_eq!(rows.len(), 2);
        let first = rows[&codes("001")];
        assert_eq!((first[0], first[11]), (flow(10, 4), flow(-3, 0)));
        assert!(first[1..11].iter().all(|m| *m == Flow::default()));
        assert_eq!(rows[&codes("002")][5], flow(0, 7));
    }

    #[test]
    fn a_request_row_holds_the_report_year_and_three_planning_years() {
        let rows = by_year(
            &[
                ((codes("001"), 2026), 1),
                ((codes("001"), 2029), 4),
                ((codes("001"), 2030), 99),
                ((codes("001"), 2025), 99),
            ],
            2027,
        );
        assert_eq!(rows[&codes("001")], [1, 0, 0, 4]);
        assert_eq!((year_at(2027, 0), year_at(2027, 3)), (2026, 2029));
        assert_eq!(year_index(2027, 2027), Some(1));
    }

    proptest! {
        /// Adding the difference to the old totals gives the new ones, cell by cell.
        #[test]
        fn old_plus_difference_is_new(
            old in proptest::collection::btree_map(0u8..6, -1_000_000i64..1_000_000, 0..6),
            new in proptest::collection::btree_map(0u8..6, -1_000_000i64..1_000_000, 0..6),
        ) {
            let mut totals = old.clone();
            for (key, change) in difference(&old, &new) {
                *totals.entry(key).or_default() += change;
            }
            totals.retain(|_, v| *v != 0);
            let mut expected = new.clone();
            expected.retain(|_, v| *v != 0);
            prop_assert_eq!(totals, expected);
        }
    }
}
