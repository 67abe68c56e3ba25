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

fn doc(number: i64, day: u32, moves: Vec<LineMove>) -> ChangeDoc {
    ChangeDoc {
        number,
        kind: ChangeKind::Certificate,
        dated: chrono::NaiveDate::from_ymd_opt(2027, 3, day).expect("date"),
        reason: "перенос на следующий месяц".into(),
        moves,
    }
}

fn line_move(
    expense_id: i64,
    basis: Basis,
    from: usize,
    to: usize,
    tenge_amount: &str,
) -> LineMove {
    LineMove {
        expense_id,
        change: MonthMove {
            basis,
            from_month: from,
            to_month: to,
            amount: tenge(tenge_amount),
        },
    }
}

#[test]
fn change_documents_apply_whole_and_the_plan_shows_as_of_a_date() {
    let approved = vec![payroll()];
    // 1 March: 10 000 of April's payments move to June (obligations were taken in April).
    let first = doc(1, 1, vec![line_move(42, Basis::Payments, 4, 6, "10000")]);
    // 20 March: a document whose second move would pay before the obligation: refused whole.
    let bad = doc(
        2,
        20,
        vec![
            line_move(42, Basis::Payments, 5, 6, "1000"),
            line_move(42, Basis::Obligations, 1, 12, "400000"),
        ],
    );
    let after_first = apply_change(&approved, &first).expect("first");
    assert_eq!(
        after_first[0].payments[5],
        approved[0].payments[5] + tenge("10000")
    );
    match apply_change(&after_first, &bad) {
        Err(ChangeError::Plan {
            index: 2,
            error: PlanError::PaymentsAhead { month: 1, .. },
        }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(
        apply_change(
            &approved,
            &doc(3, 2, vec![line_move(7, Basis::Payments, 1, 2, "1")])
        ),
        Err(ChangeError::UnknownLine {
            index: 1,
            expense_id: 7
        })
    );
    let mut no_reason = first.clone();
    no_reason.reason = " ".into();
    assert_eq!(
        apply_change(&approved, &no_reason),
        Err(ChangeError::NoReason)
    );
    // As of 28 February the plan is the approved one; as of 1 March it has the move.
    let day =
        |d| chrono::NaiveDate::from_ymd_opt(2027, 2, 28).expect("d") + chrono::Duration::days(d);
    assert_eq!(
        plan_as_of(&approved, std::slice::from_ref(&first), day(0)).expect("as of"),
        approved
    );
    assert_eq!(
        plan_as_of(&approved, &[first], day(1)).expect("as of"),
        after_first
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

        /// After every accepted document of a random sequence the annual totals hold and the
        /// cumulative obligations stay at or above the payments; a refused one changes nothing.
        #[test]
        fn random_change_sequences_keep_the_invariants(
            docs in proptest::collection::vec(
                proptest::collection::vec((1usize..=12, 1usize..=12, 1i64..40_000_000, any::<bool>()), 1..4),
                1..12,
            )
        ) {
            let approved = vec![payroll()];
            let mut lines = approved.clone();
            for (number, moves) in docs.into_iter().enumerate() {
                let moves = moves
                    .into_iter()
                    .map(|(from, to, tiyn, payments)| LineMove {
                        expense_id: 42,
                        change: MonthMove {
                            basis: if payments { Basis::Payments } else { Basis::Obligations },
                            from_month: from,
                            to_month: to,
                            amount: Tenge::from_tiyn(tiyn),
                        },
                    })
                    .collect();
                let d = doc(number as i64 + 1, 1, moves);
                match apply_change(&lines, &d) {
                    Ok(next) => {
                        prop_assert!(check_plan(&next).is_ok());
                        prop_assert_eq!(next[0].payments.iter().copied().sum::<Tenge>(), approved[0].approved);
                        prop_assert_eq!(next[0].obligations.iter().copied().sum::<Tenge>(), approved[0].approved);
                        lines = next;
                    }
                    Err(_) => prop_assert!(check_plan(&lines).is_ok()),
                }
            }
        }
    }
}
