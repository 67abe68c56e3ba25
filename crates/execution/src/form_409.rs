//! Treasury form 4-09 — the details of periodic obligations (EX-5, DB-3): each contract
//! registered with the Treasury, by administrator, program, subprogram and specific, with its
//! number, date, supplier, amount and the part registered as an obligation of the current year.
//! Its obligations of the year, added up by code, must be the obligations form 4-20 reports as
//! accepted: [`reconcile_409_420`] lists every code where they differ.

use crate::treasury::{Field, Form, FormError, ObligationRow};
use chrono::NaiveDate;
use jospar_core::Tenge;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The columns of form 4-09.
pub const FORM_409_FIELDS: [Field; 9] = [
    Field::Abp,
    Field::Program,
    Field::Subprogram,
    Field::Specific,
    Field::ContractNumber,
    Field::ContractDate,
    Field::SupplierBin,
    Field::ContractAmount,
    Field::YearAmount,
];

/// One contract of form 4-09.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ContractRow {
    pub row: usize,
    pub abp: String,
    pub program: String,
    pub subprogram: String,
    pub specific: String,
    pub number: String,
    pub date: NaiveDate,
    /// 12 digits.
    pub supplier_bin: String,
    pub amount: Tenge,
    /// The obligation of the current year under the contract.
    pub year_amount: Tenge,
    /// The development budget's 4-09 (optional columns, DB-3): the project's МИЖ, or its name
    /// when it has none yet, and what was paid under the contract to the report date.
    #[serde(default)]
    pub project_code: String,
    #[serde(default)]
    pub project_name: String,
    #[serde(default)]
    pub paid: Tenge,
}

impl ContractRow {
    pub fn key(&self) -> (&str, &str, &str, &str) {
        (&self.abp, &self.program, &self.subprogram, &self.specific)
    }
}

/// A date as the exports write it: "15.01.2027", "2027-01-15", or a spreadsheet's day number.
fn date(value: &str, row: usize) -> Result<NaiveDate, FormError> {
    let value = value.trim();
    let bad = || FormError::BadValue {
        row,
        column: Field::ContractDate.heading(),
        value: value.to_string(),
    };
    if let Ok(d) = NaiveDate::parse_from_str(value, "%d.%m.%Y") {
        return Ok(d);
    }
    if let Ok(d) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        return Ok(d);
    }
    // Spreadsheets count days from 30 December 1899.
    let serial: i64 = value.parse().map_err(|_| bad())?;
    // `try_days`: a number beyond any time span is a bad date, not a panic.
    NaiveDate::from_ymd_opt(1899, 12, 30)
        .zip(chrono::Duration::try_days(serial))
        .and_then(|(start, days)| start.checked_add_signed(days))
        .filter(|d| (1990..=2100).contains(&chrono::Datelike::year(d)))
        .ok_or_else(bad)
}

fn bin(value: &str, row: usize) -> Result<String, FormError> {
    let digits = value.trim();
    if digits.len() == 12 && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(digits.to_string())
    } else {
        Err(FormError::BadValue {
            row,
            column: Field::SupplierBin.heading(),
            value: digits.to_string(),
        })
    }
}

/// Form 4-09: codes, a contract once per administrator, dates and BINs well formed, the
/// year's obligation never above the contract, totals to the tiyn.
pub const CONTRACTS_FORM: Form<ContractRow, (String, String)> = Form {
    fields: &FORM_409_FIELDS,
    optional: &[Field::ProjectCode, Field::ProjectName, Field::Executed],
    parse: |r| {
        let contract = r.text(Field::ContractNumber).trim().to_string();
        if contract.is_empty() {
            return Err(FormError::BadValue {
                row: r.number,
                column: Field::ContractNumber.heading(),
                value: contract,
            });
        }
        let line = ContractRow {
            row: r.number,
            abp: r.code(Field::Abp, false)?,
            program: r.code(Field::Program, false)?,
            subprogram: r.code(Field::Subprogram, true)?,
            specific: r.code(Field::Specific, false)?,
            number: contract,
            date: date(&r.text(Field::ContractDate), r.number)?,
            supplier_bin: bin(&r.text(Field::SupplierBin), r.number)?,
            amount: r.money(Field::ContractAmount)?,
            year_amount: r.money(Field::YearAmount)?,
            project_code: r.text(Field::ProjectCode).trim().to_string(),
            project_name: r.text(Field::ProjectName).trim().to_string(),
            paid: r.money(Field::Executed)?,
        };
        if line.year_amount > line.amount {
            return Err(FormError::YearOverContract {
                row: r.number,
                year: line.year_amount,
                contract: line.amount,
            });
        }
        if line.paid > line.amount {
            return Err(FormError::PaidOverAccepted {
                row: r.number,
                executed: line.paid,
                accepted: line.amount,
            });
        }
        Ok(line)
    },
    key: |l| (l.abp.clone(), l.number.clone()),
    summed: &[Field::ContractAmount, Field::YearAmount, Field::Executed],
    amounts: |l| vec![l.amount, l.year_amount, l.paid],
};

/// Reads form 4-09 from the rows of a sheet or a CSV.
pub fn parse_409(rows: &[Vec<String>]) -> Result<Vec<ContractRow>, FormError> {
    CONTRACTS_FORM.read_all(rows)
}

/// A code whose contracts of the year and accepted obligations are set side by side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractCheck {
    pub abp: String,
    pub program: String,
    pub subprogram: String,
    pub specific: String,
    pub contracts: usize,
    /// The year's obligations of the code's contracts (4-09).
    pub in_409: Tenge,
    /// The obligations accepted by the Treasury (4-20).
    pub in_420: Tenge,
}

impl ContractCheck {
    pub fn difference(&self) -> Tenge {
        self.in_409 - self.in_420
    }
}

/// Every code of either form with its contracts' obligations of the year and the obligations
/// accepted, in code order.
pub fn reconcile_409_420(contracts: &[ContractRow], f420: &[ObligationRow]) -> Vec<ContractCheck> {
    let mut by_code: BTreeMap<CodeKey, ContractCheck> = BTreeMap::new();
    for c in contracts {
        let check = check_of(&mut by_code, c.key());
        check.contracts += 1;
        check.in_409 += c.year_amount;
    }
    for r in f420 {
        check_of(&mut by_code, r.key()).in_420 += r.accepted;
    }
    by_code.into_values().collect()
}

type CodeKey = (String, String, String, String);

fn check_of<'a>(
    by_code: &'a mut BTreeMap<CodeKey, ContractCheck>,
    (abp, program, subprogram, specific): (&str, &str, &str, &str),
) -> &'a mut ContractCheck {
    by_code
        .entry((
            abp.to_string(),
            program.to_string(),
            subprogram.to_string(),
            specific.to_string(),
        ))
        .or_insert_with(|| ContractCheck {
            abp: abp.to_string(),
            program: program.to_string(),
            subprogram: subprogram.to_string(),
            specific: specific.to_string(),
            contracts: 0,
            in_409: Tenge::ZERO,
            in_420: Tenge::ZERO,
        })
}
