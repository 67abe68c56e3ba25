//! Budget execution (EX). This crate starts with the individual financing plan (EX-1): for each
//! line of the approved budget (program, subprogram, specific, with its expense identifier), the
//! monthly amounts by obligations and by payments; and its changes (EX-2) as dated documents
//! that move amounts between months of a line or follow a budget refinement.
//!
//! Rules of order No. 540 kept here: the twelve months of a line add up to its approved annual
//! amount, for obligations and for payments alike; and, month by month, the cumulative
//! obligations never fall behind the cumulative payments (nothing is paid before it is owed).

pub mod analysis;
pub mod deadlines;
pub mod ex18;
pub mod exchange;
pub mod form_127;
pub mod form_409;
pub mod journal;
pub mod layouts;
pub mod movement;
pub mod offsetting;
pub mod outbox;
pub mod passport_store;
pub mod payroll;
pub mod periods;
pub mod plans;
pub mod portal;
pub mod receipt_plans;
pub mod receipts;
pub mod repo;
pub mod reports;
pub mod treasury;
pub mod treasury_store;
pub mod usecases;

pub use reports::{BUDGET_REPORTS, REPORTS};

use jospar_core::Tenge;
use serde::{Deserialize, Serialize};

/// What a plan line is planned by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// По обязательствам.
    Obligations,
    /// По платежам.
    Payments,
}

/// One line of a financing plan for a fiscal year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanLine {
    /// The expense identifier carried from the budget request (P-14).
    pub expense_id: i64,
    pub program: String,
    pub subprogram: String,
    pub specific: String,
    /// The approved (or refined) annual amount of the line.
    pub approved: Tenge,
    /// January … December.
    pub obligations: [Tenge; 12],
    pub payments: [Tenge; 12],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("line {line}: the months of {basis:?} add up to {months}, not the approved {approved}")]
    AnnualTotal {
        line: String,
        basis: Basis,
        months: Tenge,
        approved: Tenge,
    },
    #[error(
        "line {line}, month {month}: payments to date {payments} exceed obligations to date {obligations}"
    )]
    PaymentsAhead {
        line: String,
        month: usize,
        obligations: Tenge,
        payments: Tenge,
    },
    #[error("line {line}, month {month}: a negative amount {amount}")]
    Negative {
        line: String,
        month: usize,
        amount: Tenge,
    },
    #[error("line {line}, month {month}: moving {amount} would leave a negative amount")]
    NotEnough {
        line: String,
        month: usize,
        amount: Tenge,
    },
}

impl PlanLine {
    /// How the line is named in messages: program, subprogram, specific.
    pub fn label(&self) -> String {
        format!("{} {} {}", self.program, self.subprogram, self.specific)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn months(&self, basis: Basis) -> &[Tenge; 12] {
        match basis {
            Basis::Obligations => &self.obligations,
            Basis::Payments => &self.payments,
        }
    }

    /// Checks the rules of the plan for this line; the first violation is reported.
    pub fn check(&self) -> Result<(), PlanError> {
        for basis in [Basis::Obligations, Basis::Payments] {
            for (i, amount) in self.months(basis).iter().enumerate() {
                if *amount < Tenge::ZERO {
                    return Err(PlanError::Negative {
                        line: self.label(),
                        month: i + 1,
                        amount: *amount,
                    });
                }
            }
            let months: Tenge = self.months(basis).iter().copied().sum();
            if months != self.approved {
                return Err(PlanError::AnnualTotal {
                    line: self.label(),
                    basis,
                    months,
                    approved: self.approved,
                });
            }
        }
        let (mut obligations, mut payments) = (Tenge::ZERO, Tenge::ZERO);
        for month in 0..12 {
            obligations += self.obligations[month];
            payments += self.payments[month];
            if payments > obligations {
                return Err(PlanError::PaymentsAhead {
                    line: self.label(),
                    month: month + 1,
                    obligations,
                    payments,
                });
            }
        }
        Ok(())
    }
}

/// Checks every line of a plan.
pub fn check_plan(lines: &[PlanLine]) -> Result<(), PlanError> {
    lines.iter().try_for_each(PlanLine::check)
}

/// A change of an approved plan line (EX-2): an amount moved from one month to another, by
/// obligations or payments. The changed line must still satisfy every rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MonthMove {
    pub basis: Basis,
    /// 1 … 12.
    pub from_month: usize,
    pub to_month: usize,
    pub amount: Tenge,
}

pub fn apply_move(line: &PlanLine, change: &MonthMove) -> Result<PlanLine, PlanError> {
    let mut changed = line.clone();
    let months = match change.basis {
        Basis::Obligations => &mut changed.obligations,
        Basis::Payments => &mut changed.payments,
    };
    let (from, to) = (change.from_month - 1, change.to_month - 1);
    if months[from] < change.amount {
        return Err(PlanError::NotEnough {
            line: line.label(),
            month: change.from_month,
            amount: change.amount,
        });
    }
    months[from] = months[from] - change.amount;
    months[to] += change.amount;
    changed.check()?;
    Ok(changed)
}

/// The kind of a dated document changing an approved plan (EX-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = PlanChangeKind)]
pub enum ChangeKind {
    /// Справка о внесении изменений в план финансирования.
    Certificate,
    /// Following a refinement of the budget.
    Refinement,
    /// Following a correction of the budget.
    Correction,
}

impl ChangeKind {
    pub fn code(self) -> &'static str {
        match self {
            ChangeKind::Certificate => "certificate",
            ChangeKind::Refinement => "refinement",
            ChangeKind::Correction => "correction",
        }
    }

    pub fn from_code(code: &str) -> Option<ChangeKind> {
        [
            ChangeKind::Certificate,
            ChangeKind::Refinement,
            ChangeKind::Correction,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }
}

/// A move within one line of the plan, named by its expense identifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LineMove {
    pub expense_id: i64,
    #[serde(flatten)]
    pub change: MonthMove,
}

/// A dated change document with its reason: its moves apply together or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChangeDoc {
    /// Numbered in order within the plan.
    pub number: i64,
    pub kind: ChangeKind,
    pub dated: chrono::NaiveDate,
    pub reason: String,
    pub moves: Vec<LineMove>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    #[error("a change document needs a reason")]
    NoReason,
    #[error("a change document moves nothing")]
    NoMoves,
    #[error("move {index}: no line with expense id {expense_id} in the plan")]
    UnknownLine { index: usize, expense_id: i64 },
    #[error("move {index}: month {month} is not 1…12")]
    BadMonth { index: usize, month: usize },
    #[error("move {index}: the amount must be above zero")]
    NotPositive { index: usize },
    #[error("move {index}: {error}")]
    Plan { index: usize, error: PlanError },
}

/// Applies a change document to the plan's lines: every move in order, each leaving its line
/// within the rules; the first one that does not refuses the whole document.
pub fn apply_change(lines: &[PlanLine], doc: &ChangeDoc) -> Result<Vec<PlanLine>, ChangeError> {
    if doc.reason.trim().is_empty() {
        return Err(ChangeError::NoReason);
    }
    if doc.moves.is_empty() {
        return Err(ChangeError::NoMoves);
    }
    let mut changed = lines.to_vec();
    for (index, m) in doc.moves.iter().enumerate() {
        let index = index + 1;
        for month in [m.change.from_month, m.change.to_month] {
            if !(1..=12).contains(&month) {
                return Err(ChangeError::BadMonth { index, month });
            }
        }
        if m.change.amount <= Tenge::ZERO {
            return Err(ChangeError::NotPositive { index });
        }
        let line = changed
            .iter_mut()
            .find(|l| l.expense_id == m.expense_id)
            .ok_or(ChangeError::UnknownLine {
                index,
                expense_id: m.expense_id,
            })?;
        *line = apply_move(line, &m.change).map_err(|error| ChangeError::Plan { index, error })?;
    }
    Ok(changed)
}

/// The plan as of `date`: the approved lines with every change document dated on or before
/// it, in date order (then by number).
pub fn plan_as_of(
    approved: &[PlanLine],
    changes: &[ChangeDoc],
    date: chrono::NaiveDate,
) -> Result<Vec<PlanLine>, ChangeError> {
    let mut docs: Vec<&ChangeDoc> = changes.iter().filter(|d| d.dated <= date).collect();
    docs.sort_by_key(|d| (d.dated, d.number));
    docs.into_iter()
        .try_fold(approved.to_vec(), |lines, doc| apply_change(&lines, doc))
}

/// Spreads an annual amount over twelve months in equal parts to the tiyn, the remainder in
/// December — the starting point of a plan the economist then shapes.
pub fn even_months(annual: Tenge) -> [Tenge; 12] {
    let part = annual.tiyn() / 12;
    let mut months = [Tenge::from_tiyn(part); 12];
    months[11] = Tenge::from_tiyn(annual.tiyn() - part * 11);
    months
}

#[cfg(test)]
mod tests;
