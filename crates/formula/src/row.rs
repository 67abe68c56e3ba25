//! One row of a calculation form, column by column, as both the server and the grid evaluate it.

use crate::{Expr, FormulaError, parse_decimal, round_to_tiyn};
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A number or an amount typed by the user.
    Number,
    /// Computed by the column's formula from the columns before it.
    Computed,
}

/// What the engine needs to know of a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec<'a> {
    pub key: &'a str,
    pub kind: Kind,
    pub formula: &'a str,
    pub required: bool,
    pub min: Option<Decimal>,
    pub max: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellError {
    Required,
    NotANumber(String),
    OutOfRange(Decimal),
    Formula(FormulaError),
}

/// The result of one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Text,
    Number(Decimal),
    Failed(CellError),
}

/// Evaluates a row: `typed` gives the text typed in a column (empty when none). Empty numbers
/// are 0; computed cells are rounded to the tiyn. A failed cell counts as 0 for the cells after
/// it (an out-of-range one with its value), so that the grid still shows the rest; the server
/// refuses the row at its first failed cell.
pub fn evaluate_row<'a>(
    columns: &[ColumnSpec<'a>],
    typed: impl Fn(&str) -> &'a str,
) -> Vec<Outcome> {
    let mut numbers: BTreeMap<String, Decimal> = BTreeMap::new();
    columns
        .iter()
        .map(|column| {
            let text = typed(column.key).trim();
            let (value, outcome) = match column.kind {
                Kind::Text if column.required && text.is_empty() => {
                    return Outcome::Failed(CellError::Required);
                }
                Kind::Text => return Outcome::Text,
                Kind::Number => typed_number(column, text),
                Kind::Computed => computed(column, &numbers),
            };
            numbers.insert(column.key.into(), value);
            outcome
        })
        .collect()
}

fn typed_number(column: &ColumnSpec, text: &str) -> (Decimal, Outcome) {
    if text.is_empty() {
        return if column.required {
            (Decimal::ZERO, Outcome::Failed(CellError::Required))
        } else {
            (Decimal::ZERO, Outcome::Number(Decimal::ZERO))
        };
    }
    match parse_decimal(text) {
        Some(value) => (value, within(column, value)),
        None => (
            Decimal::ZERO,
            Outcome::Failed(CellError::NotANumber(text.into())),
        ),
    }
}

fn computed(column: &ColumnSpec, numbers: &BTreeMap<String, Decimal>) -> (Decimal, Outcome) {
    let value = Expr::parse(column.formula).and_then(|expr| expr.eval(numbers));
    match value {
        Ok(value) => {
            let value = round_to_tiyn(value);
            (value, within(column, value))
        }
        Err(error) => (Decimal::ZERO, Outcome::Failed(CellError::Formula(error))),
    }
}

fn within(column: &ColumnSpec, value: Decimal) -> Outcome {
    let below = column.min.is_some_and(|m| value < m);
    let above = column.max.is_some_and(|m| value > m);
    if below || above {
        Outcome::Failed(CellError::OutOfRange(value))
    } else {
        Outcome::Number(value)
    }
}
