//! Financing-plan rules (EX-1, EX-2) on worked examples.

use super::*;

fn tenge(text: &str) -> Tenge {
    Tenge::parse(text).expect("amount")
}

/// Payroll of a school: 1 691 898.84 a year, obligations taken in January for the quarter.
fn payroll() -> PlanLine {
    let payments = even_months(tenge("1691898.84"));
    let mut obligations = [Tenge::ZERO; 12];
    // Obligations by quarter, taken in its first month: Jan, Apr, Jul, Oct.
    for quarter in 0..4 {
        obligations[quarter * 3] = payments[quarter * 3..quarter * 3 + 3].iter().copied().sum();
    }
    PlanLine {
        expense_id: 42,
        program: "003".into(),
        subprogram: "015".into(),
        specific: "111".into(),
        approved: tenge("1691898.84"),
        obligations,
        payments,
    }
}

#[test]
fn even_months_add_up_to_the_tiyn() {
    // 1 691 898.84 / 12 = 140 991.57 a month; 11 × 140 991.57 = 1 550 907.27; December
    // 1 691 898.84 − 1 550 907.27 = 140 991.57.
    let months = even_months(tenge("1691898.84"));
    assert_eq!(months[0], tenge("140991.57"));
    assert_eq!(months.iter().copied().sum::<Tenge>(), tenge("1691898.84"));
    // 100.00 / 12 = 8.33 (1 tiyn left over each month); December 100.00 − 91.63 = 8.37.
    let months = even_months(tenge("100"));
    assert_eq!((months[0], months[11]), (tenge("8.33"), tenge("8.37")));
}

#[test]
fn a_sound_plan_passes_and_violations_are_named() {
    assert_eq!(payroll().check(), Ok(()));
    let mut short = payroll();
    short.payments[5] = short.payments[5] - tenge("0.01");
    assert_eq!(
        short.check(),
        Err(PlanError::AnnualTotal {
            line: "003 015 111".into(),
            basis: Basis::Payments,
            months: tenge("1691898.83"),
            approved: tenge("1691898.84"),
        })
    );
    // Paying in March what is owed only from April: March payments to date exceed obligations.
    let mut early = payroll();
    early.obligations[0] = early.obligations[0] - tenge("1000");
    early.obligations[3] += tenge("1000");
    assert!(matches!(
        early.check(),
        Err(PlanError::PaymentsAhead { month: 3, .. })
    ));
}

#[test]
fn moving_months_keeps_the_rules() {
    let line = payroll();
    // Obligations of the second quarter taken earlier, in March: allowed.
    let earlier = MonthMove {
        basis: Basis::Obligations,
        from_month: 4,
        to_month: 3,
        amount: tenge("100000"),
    };
    let moved = apply_move(&line, &earlier).expect("allowed");
    assert_eq!(moved.obligations[2], tenge("100000"));
    // Payments of January moved to February: allowed (paid later than owed).
    let later = MonthMove {
        basis: Basis::Payments,
        from_month: 1,
        to_month: 2,
        amount: tenge("40000"),
    };
    assert!(apply_move(&line, &later).is_ok());
    // January's obligations are the quarter: 3 × 140 991.57 = 422 974.71. Moving 300 000 of them
    // to June leaves 122 974.71 against 140 991.57 paid in January: payments run ahead.
    let too_late = MonthMove {
        basis: Basis::Obligations,
        from_month: 1,
        to_month: 6,
        amount: tenge("300000"),
    };
    assert!(matches!(
        apply_move(&line, &too_late),
        Err(PlanError::PaymentsAhead { month: 1, .. })
    ));
    // More than the month holds.
    let too_much = MonthMove {
        basis: Basis::Payments,
        from_month: 5,
        to_month: 6,
        amount: tenge("140991.58"),
    };
    assert_eq!(
        apply_move(&line, &too_much),
        Err(PlanError::NotEnough {
            line: "003 015 111".into(),
            month: 5,
            amount: tenge("140991.58"),
        })
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any move the rules accept keeps the annual totals of the line.
        #[test]
        fn accepted_moves_keep_the_annual_total(
            from in 1usize..=12, to in 1usize..=12, tiyn in 0i64..20_000_000, payments: bool
        ) {
            let line = payroll();
            let change = MonthMove {
                basis: if payments { Basis::Payments } else { Basis::Obligations },
                from_month: from,
                to_month: to,
                amount: Tenge::from_tiyn(tiyn),
            };
            if let Ok(moved) = apply_move(&line, &change) {
                prop_assert_eq!(moved.obligations.iter().copied().sum::<Tenge>(), line.approved);
                prop_assert_eq!(moved.payments.iter().copied().sum::<Tenge>(), line.approved);
                prop_assert!(moved.check().is_ok());
            }
        }
    }
}
