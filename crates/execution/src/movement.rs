//! Forms of the movement of money (EX-5): for each administrator, program, subprogram and
//! specific, the balance at the start of the period, the money received, the money spent and the
//! balance at its end. Two Treasury forms have this shape:
//! - 5-34, the money of state institutions from the sale of goods, works and services (paid
//!   services), which the technical specification lists among the expense forms;
//! - 0-67, the statement of the movement of money on the institution's account at the Treasury,
//!   one of the statements the register of forms (report 34) counts.
//!
//! Neither layout is public (CODES.md §4.3); both are reconstructed, kept as data in
//! `layouts.toml`, and checked the way an accountant checks a statement: every row balances
//! (start + received − spent = end) to the tiyn, nothing is spent beyond what was there, and
//! the total row equals its rows.

use crate::treasury::{Field, Form, FormError, packed_codes};
use jospar_core::Tenge;
use serde::{Deserialize, Serialize};

/// The columns of the movement forms.
pub const MOVEMENT_FIELDS: [Field; 8] = [
    Field::Abp,
    Field::Program,
    Field::Subprogram,
    Field::Specific,
    Field::OpeningBalance,
    Field::Received,
    Field::Executed,
    Field::ClosingBalance,
];

/// One row of a movement form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MovementRow {
    pub row: usize,
    pub abp: String,
    pub program: String,
    pub subprogram: String,
    pub specific: String,
    /// The balance at the start of the period.
    pub opening: Tenge,
    /// Money received in the period.
    pub received: Tenge,
    /// Money spent (paid out) in the period.
    pub spent: Tenge,
    /// The balance at the end of the period.
    pub closing: Tenge,
}

impl MovementRow {
    pub fn key(&self) -> (&str, &str, &str, &str) {
        (&self.abp, &self.program, &self.subprogram, &self.specific)
    }

    /// What could be spent in the period: the balance at its start and what came in.
    pub fn available(&self) -> Tenge {
        self.opening + self.received
    }
}

/// A movement form (5-34, 0-67): codes well formed and once each, every row balanced,
/// nothing spent beyond the money available, totals to the tiyn.
pub const MOVEMENT_FORM: Form<MovementRow, u64> = Form {
    fields: &MOVEMENT_FIELDS,
    optional: &[],
    parse: |r| {
        let line = MovementRow {
            row: r.number,
            abp: r.code(Field::Abp, false)?,
            program: r.code(Field::Program, false)?,
            subprogram: r.code(Field::Subprogram, true)?,
            specific: r.code(Field::Specific, false)?,
            opening: r.money(Field::OpeningBalance)?,
            received: r.money(Field::Received)?,
            spent: r.money(Field::Executed)?,
            closing: r.money(Field::ClosingBalance)?,
        };
        check_balance(&line)?;
        Ok(line)
    },
    key: |l| packed_codes(&[&l.abp, &l.program, &l.subprogram, &l.specific]),
    summed: &[
        Field::OpeningBalance,
        Field::Received,
        Field::Executed,
        Field::ClosingBalance,
    ],
    amounts: |l| vec![l.opening, l.received, l.spent, l.closing],
};

/// Reads a movement form from the rows of a sheet or a CSV.
pub fn parse_movement(rows: &[Vec<String>]) -> Result<Vec<MovementRow>, FormError> {
    MOVEMENT_FORM.read_all(rows)
}

/// Nothing is spent beyond the money available, and the row's end balance is its start plus
/// what came in less what went out.
fn check_balance(line: &MovementRow) -> Result<(), FormError> {
    if line.spent > line.available() {
        return Err(FormError::SpentOverAvailable {
            row: line.row,
            spent: line.spent,
            available: line.available(),
        });
    }
    let expected = line.available() - line.spent;
    if line.closing != expected {
        return Err(FormError::BalanceDisagrees {
            row: line.row,
            closing: line.closing,
            expected,
        });
    }
    Ok(())
}
