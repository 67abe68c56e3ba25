//! Distribution of payroll financing by additional analytics (EX-9): in educational
//! institutions the financing plan's payroll lines (pay, contributions) are split among the
//! structural units of the staffing table — a school's grades, its pre-school centre, its
//! administration — in proportion to each unit's payroll. Every month is split exactly to the
//! tiyn: the parts of a month always add up to the line's month.

use jospar_core::Tenge;

/// The split of one line's months among the parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub part: String,
    pub months: [Tenge; 12],
}

impl Share {
    pub fn annual(&self) -> Tenge {
        self.months.iter().copied().sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    #[error("nothing to split by: the weights add up to zero")]
    NoWeight,
    #[error("the weight of {0} is negative")]
    Negative(String),
}

/// Splits each month among the parts in proportion to their weights (each part's annual
/// payroll, in tiyn). Each month's tiyn that rounding leaves over go one by one to the parts
/// with the largest remainders, so the parts add up to the month exactly.
pub fn split_months(
    months: &[Tenge; 12],
    weights: &[(String, Tenge)],
) -> Result<Vec<Share>, SplitError> {
    if let Some((part, _)) = weights.iter().find(|(_, w)| *w < Tenge::ZERO) {
        return Err(SplitError::Negative(part.clone()));
    }
    let whole: i128 = weights.iter().map(|(_, w)| i128::from(w.tiyn())).sum();
    if whole == 0 {
        return Err(SplitError::NoWeight);
    }
    let mut shares: Vec<Share> = weights
        .iter()
        .map(|(part, _)| Share {
            part: part.clone(),
            months: [Tenge::ZERO; 12],
        })
        .collect();
    for (m, amount) in months.iter().enumerate() {
        let amount = i128::from(amount.tiyn());
        let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
        let mut given: i128 = 0;
        for (i, (_, weight)) in weights.iter().enumerate() {
            let exact = amount * i128::from(weight.tiyn());
            let part = exact.div_euclid(whole);
            given += part;
            remainders.push((exact.rem_euclid(whole), i));
            shares[i].months[m] = Tenge::from_tiyn(part as i64);
        }
        // Largest remainder first; among equals, the earlier part.
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, i) in remainders.into_iter().take((amount - given) as usize) {
            shares[i].months[m] += Tenge::from_tiyn(1);
        }
    }
    Ok(shares)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(tiyn: i64) -> Tenge {
        Tenge::from_tiyn(tiyn)
    }

    #[test]
    fn a_month_is_split_by_weight_and_the_leftover_tiyn_go_to_the_largest_remainders() {
        let mut months = [t(0); 12];
        months[0] = t(100);
        let weights = vec![
            ("Начальная школа".to_string(), t(1)),
            ("Основная школа".to_string(), t(1)),
            ("Администрация".to_string(), t(1)),
        ];
        let shares = split_months(&months, &weights).expect("split");
        assert_eq!(
            shares.iter().map(|s| s.months[0]).collect::<Vec<_>>(),
            vec![t(34), t(33), t(33)]
        );
        assert!(matches!(
            split_months(&months, &[("x".into(), t(0))]),
            Err(SplitError::NoWeight)
        ));
    }

    proptest! {
        /// Whatever the amounts and weights, the parts of every month add up to it exactly and
        /// no part is negative.
        #[test]
        fn parts_always_add_up_to_the_month(
            amounts in proptest::array::uniform12(0i64..10_000_000_000),
            weights in proptest::collection::vec(0i64..5_000_000_000, 1..6),
        ) {
            prop_assume!(weights.iter().any(|w| *w > 0));
            let months = amounts.map(Tenge::from_tiyn);
            let weights: Vec<(String, Tenge)> = weights
                .into_iter()
                .enumerate()
                .map(|(i, w)| (format!("unit {i}"), Tenge::from_tiyn(w)))
                .collect();
            let shares = split_months(&months, &weights).expect("split");
            for (m, month) in months.iter().enumerate() {
                let sum: Tenge = shares.iter().map(|s| s.months[m]).sum();
                prop_assert_eq!(sum, *month);
                prop_assert!(shares.iter().all(|s| s.months[m] >= Tenge::ZERO));
            }
        }
    }
}
