//! Plans of receipts (EX-1): for a budget and a fiscal year, the monthly amounts expected by
//! each code of the receipts classification — revenues (categories 1–4), repayments of budget
//! loans (5), sales of the state's financial assets (6) and borrowing (7). The twelve months of
//! a code add up to its annual amount, which is the approved budget of that code.

use jospar_core::Tenge;
use serde::{Deserialize, Serialize};

/// What a receipts code brings into the budget, by its category (the first digit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptKind {
    /// Tax, non-tax, capital receipts and transfers.
    Revenues,
    LoanRepayments,
    FinancialAssets,
    Borrowing,
}

impl ReceiptKind {
    pub const ALL: [ReceiptKind; 4] = [
        ReceiptKind::Revenues,
        ReceiptKind::LoanRepayments,
        ReceiptKind::FinancialAssets,
        ReceiptKind::Borrowing,
    ];

    pub fn of(code: &str) -> Option<ReceiptKind> {
        match code.chars().next()? {
            '1'..='4' => Some(ReceiptKind::Revenues),
            '5' => Some(ReceiptKind::LoanRepayments),
            '6' => Some(ReceiptKind::FinancialAssets),
            '7' => Some(ReceiptKind::Borrowing),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ReceiptKind::Revenues => "revenues",
            ReceiptKind::LoanRepayments => "loan_repayments",
            ReceiptKind::FinancialAssets => "financial_assets",
            ReceiptKind::Borrowing => "borrowing",
        }
    }

    pub fn from_code(code: &str) -> Option<ReceiptKind> {
        ReceiptKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// One code of a plan of receipts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReceiptLine {
    /// Category, class (2 digits), subclass, specific (2 digits): 6 digits.
    pub code: String,
    /// The approved budget of the code for the year.
    pub annual: Tenge,
    /// January … December.
    pub months: [Tenge; 12],
}

impl ReceiptLine {
    /// The category, class and subclass as the ЕБК writes them ("1 01 1"): the level the
    /// classification lists. The code is checked to be 6 digits first.
    pub fn subclass(&self) -> String {
        match (
            self.code.get(0..1),
            self.code.get(1..3),
            self.code.get(3..4),
        ) {
            (Some(category), Some(class), Some(subclass)) => {
                format!("{category} {class} {subclass}")
            }
            _ => self.code.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptPlanError {
    #[error("the plan has no codes")]
    Empty,
    #[error("line {line}: «{code}» is not a 6-digit receipts code of categories 1–7")]
    BadCode { line: usize, code: String },
    #[error("code {code} appears twice")]
    Duplicate { code: String },
    #[error("code {code}: the months add up to {months}, not the annual {annual}")]
    AnnualTotal {
        code: String,
        months: Tenge,
        annual: Tenge,
    },
    #[error("code {code}, month {month}: {amount} is below zero")]
    Negative {
        code: String,
        month: usize,
        amount: Tenge,
    },
}

/// The rules of a plan of receipts: valid codes, each once, months not below zero and adding
/// up to the annual amount.
pub fn check_receipt_plan(lines: &[ReceiptLine]) -> Result<(), ReceiptPlanError> {
    if lines.is_empty() {
        return Err(ReceiptPlanError::Empty);
    }
    let mut seen = std::collections::HashSet::new();
    for (index, line) in lines.iter().enumerate() {
        let well_formed = line.code.len() == 6 && line.code.bytes().all(|b| b.is_ascii_digit());
        if !well_formed || ReceiptKind::of(&line.code).is_none() {
            return Err(ReceiptPlanError::BadCode {
                line: index + 1,
                code: line.code.clone(),
            });
        }
        if !seen.insert(line.code.as_str()) {
            return Err(ReceiptPlanError::Duplicate {
                code: line.code.clone(),
            });
        }
        if let Some((month, amount)) = line
            .months
            .iter()
            .enumerate()
            .find(|(_, m)| **m < Tenge::ZERO)
        {
            return Err(ReceiptPlanError::Negative {
                code: line.code.clone(),
                month: month + 1,
                amount: *amount,
            });
        }
        let months: Tenge = line.months.iter().copied().sum();
        if months != line.annual {
            return Err(ReceiptPlanError::AnnualTotal {
                code: line.code.clone(),
                months,
                annual: line.annual,
            });
        }
    }
    Ok(())
}

/// A code of the plan set against the receipts reported by the Treasury (form 2-19).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReceiptExecution {
    pub code: String,
    pub annual: Tenge,
    /// The plan from January to the report's month.
    pub planned: Tenge,
    pub received: Tenge,
}

impl ReceiptExecution {
    /// Received beyond the plan (negative: short of it).
    pub fn deviation(&self) -> Tenge {
        self.received - self.planned
    }
}

/// Every code of the plan with what was received to the end of `month` (1…12), then every code
/// received but not planned.
pub fn receipts_execution(
    lines: &[ReceiptLine],
    received: &[(String, Tenge)],
    month: usize,
) -> Vec<ReceiptExecution> {
    let month = month.clamp(1, 12);
    let mut got: std::collections::BTreeMap<&str, Tenge> = Default::default();
    for (code, amount) in received {
        *got.entry(code).or_default() += *amount;
    }
    let mut out: Vec<ReceiptExecution> = lines
        .iter()
        .map(|l| ReceiptExecution {
            code: l.code.clone(),
            annual: l.annual,
            planned: l.months[..month].iter().copied().sum(),
            received: got.remove(l.code.as_str()).unwrap_or_default(),
        })
        .collect();
    out.extend(got.into_iter().map(|(code, received)| ReceiptExecution {
        code: code.to_string(),
        annual: Tenge::ZERO,
        planned: Tenge::ZERO,
        received,
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::even_months;

    fn line(code: &str, annual: i64) -> ReceiptLine {
        ReceiptLine {
            code: code.into(),
            annual: Tenge::from_tiyn(annual),
            months: even_months(Tenge::from_tiyn(annual)),
        }
    }

    #[test]
    fn kinds_follow_the_category() {
        assert_eq!(ReceiptKind::of("101201"), Some(ReceiptKind::Revenues));
        assert_eq!(ReceiptKind::of("501101"), Some(ReceiptKind::LoanRepayments));
        assert_eq!(
            ReceiptKind::of("601101"),
            Some(ReceiptKind::FinancialAssets)
        );
        assert_eq!(ReceiptKind::of("701101"), Some(ReceiptKind::Borrowing));
        assert_eq!(ReceiptKind::of("901101"), None);
    }

    #[test]
    fn the_rules_name_code_month_and_amounts() {
        assert_eq!(check_receipt_plan(&[]), Err(ReceiptPlanError::Empty));
        assert!(check_receipt_plan(&[line("101201", 1_200_001), line("501101", 12)]).is_ok());
        assert_eq!(
            check_receipt_plan(&[line("10120", 12)]),
            Err(ReceiptPlanError::BadCode {
                line: 1,
                code: "10120".into()
            })
        );
        assert_eq!(
            check_receipt_plan(&[line("101201", 12), line("101201", 24)]),
            Err(ReceiptPlanError::Duplicate {
                code: "101201".into()
            })
        );
        let mut off = line("101201", 1200);
        off.months[3] = Tenge::from_tiyn(99);
        assert_eq!(
            check_receipt_plan(&[off]),
            Err(ReceiptPlanError::AnnualTotal {
                code: "101201".into(),
                months: Tenge::from_tiyn(1199),
                annual: Tenge::from_tiyn(1200)
            })
        );
        let mut negative = line("101201", 0);
        negative.months[0] = Tenge::from_tiyn(-5);
        negative.months[1] = Tenge::from_tiyn(5);
        assert!(matches!(
            check_receipt_plan(&[negative]),
            Err(ReceiptPlanError::Negative { month: 1, .. })
        ));
    }

    #[test]
    fn execution_to_a_month_lists_planned_and_unplanned_codes() {
        let plan = [line("101201", 1200), line("104101", 2400)];
        let received = [
            ("101201".to_string(), Tenge::from_tiyn(350)),
            ("105101".to_string(), Tenge::from_tiyn(7)),
        ];
        let rows = receipts_execution(&plan, &received, 3);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].planned, Tenge::from_tiyn(300));
        assert_eq!(rows[0].deviation(), Tenge::from_tiyn(50));
        assert_eq!(rows[1].received, Tenge::ZERO);
        assert_eq!(
            (rows[2].code.as_str(), rows[2].planned),
            ("105101", Tenge::ZERO)
        );
    }
}
