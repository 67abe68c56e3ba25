//! Treasury forms (EX-5). Form 5-52 — cash execution of the budget by budget programs: for
//! each administrator, program, subprogram and specific, the annual plan of financing by
//! payments, the plan of the period to the report date, and the cash expenses paid.
//!
//! The Treasury's export is read by the names in its header row, wherever that row stands
//! (titles and signatures around the table are skipped) and in whichever order the columns come;
//! Russian and Kazakh headings are both recognised. `data/treasury/README.md` documents the
//! layout with a sample file. Amounts are tenge with tiyn. A total row ("Итого", "Барлығы",
//! "Всего") is not data: it must equal the sum of the rows above it to the tiyn.

use jospar_core::Tenge;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One row of form 5-52.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashRow {
    /// The row of the file (1-based), for messages.
    pub row: usize,
    pub abp: String,
    pub program: String,
    pub subprogram: String,
    pub specific: String,
    /// Annual plan of financing by payments.
    pub plan_year: Tenge,
    /// Plan of financing by payments from 1 January to the report date.
    pub plan_period: Tenge,
    /// Cash expenses paid from 1 January to the report date.
    pub executed: Tenge,
}

impl CashRow {
    /// Appropriations of the period not yet paid.
    pub fn unpaid(&self) -> Tenge {
        self.plan_period - self.executed
    }

    pub fn key(&self) -> (&str, &str, &str, &str) {
        (&self.abp, &self.program, &self.subprogram, &self.specific)
    }
}

/// The columns of form 5-52 and the headings that name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Abp,
    Program,
    Subprogram,
    Specific,
    PlanYear,
    PlanPeriod,
    Executed,
    /// 4-20: the annual plan of financing by obligations.
    PlanObligations,
    /// 4-20: obligations accepted (registered) by the Treasury.
    Accepted,
    /// 2-19, 2-43: the code of the receipts classification (category, class, subclass,
    /// specific: 6 digits).
    ReceiptCode,
    /// 2-19, 2-43: receipts from 1 January to the report date.
    Received,
    /// 1-27: the budget as approved, as refined and as corrected.
    Approved,
    Refined,
    Corrected,
    /// 4-09: the contract behind a registered obligation.
    ContractNumber,
    ContractDate,
    SupplierBin,
    ContractAmount,
    /// 4-09: the part of the contract registered as an obligation of the current year.
    YearAmount,
    /// 5-34, 0-67: the balance of money at the start and at the end of the period.
    OpeningBalance,
    ClosingBalance,
}

/// The columns of form 5-52.
pub const FORM_552_FIELDS: [Field; 7] = [
    Field::Abp,
    Field::Program,
    Field::Subprogram,
    Field::Specific,
    Field::PlanYear,
    Field::PlanPeriod,
    Field::Executed,
];

/// The columns of form 4-20.
pub const FORM_420_FIELDS: [Field; 7] = [
    Field::Abp,
    Field::Program,
    Field::Subprogram,
    Field::Specific,
    Field::PlanObligations,
    Field::Accepted,
    Field::Executed,
];

/// The columns of form 2-19 (receipts against their plan).
pub const FORM_219_FIELDS: [Field; 4] = [
    Field::ReceiptCode,
    Field::PlanYear,
    Field::PlanPeriod,
    Field::Received,
];

/// The columns of form 2-43 (receipts by budget classification code).
pub const FORM_243_FIELDS: [Field; 2] = [Field::ReceiptCode, Field::Received];

impl Field {
    pub const ALL: [Field; 21] = [
        Field::Abp,
        Field::Program,
        Field::Subprogram,
        Field::Specific,
        Field::PlanYear,
        Field::PlanPeriod,
        Field::Executed,
        Field::PlanObligations,
        Field::Accepted,
        Field::ReceiptCode,
        Field::Received,
        Field::Approved,
        Field::Refined,
        Field::Corrected,
        Field::ContractNumber,
        Field::ContractDate,
        Field::SupplierBin,
        Field::ContractAmount,
        Field::YearAmount,
        Field::OpeningBalance,
        Field::ClosingBalance,
    ];

    /// Headings as the Treasury's exports write them, folded: from the layouts in force
    /// (`data/treasury/layouts.toml` or its configured replacement).
    fn headings(self) -> &'static [String] {
        crate::layouts::layouts().headings(self)
    }

    /// The canonical (Russian) heading, for messages.
    pub fn heading(self) -> &'static str {
        match self {
            Field::Abp => "АБП",
            Field::Program => "Программа",
            Field::Subprogram => "Подпрограмма",
            Field::Specific => "Специфика",
            Field::PlanYear => "План на год",
            Field::PlanPeriod => "План на период",
            Field::Executed => "Кассовые расходы",
            Field::PlanObligations => "План по обязательствам",
            Field::Accepted => "Принятые обязательства",
            Field::ReceiptCode => "КБК",
            Field::Received => "Поступило",
            Field::Approved => "Утвержденный бюджет",
            Field::Refined => "Уточненный бюджет",
            Field::Corrected => "Скорректированный бюджет",
            Field::ContractNumber => "Номер договора",
            Field::ContractDate => "Дата договора",
            Field::SupplierBin => "БИН поставщика",
            Field::ContractAmount => "Сумма договора",
            Field::YearAmount => "Сумма обязательства на текущий год",
            Field::OpeningBalance => "Остаток на начало периода",
            Field::ClosingBalance => "Остаток на конец периода",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("no header row with the columns {missing:?}")]
    NoHeader { missing: Vec<&'static str> },
    #[error("the file has no rows under its header")]
    Empty,
    #[error("row {row}, column {column}: «{value}» is not valid")]
    BadValue {
        row: usize,
        column: &'static str,
        value: String,
    },
    #[error("row {row}: the same codes as row {first}")]
    Duplicate { row: usize, first: usize },
    #[error(
        "row {row}, column {column}: the total {total} differs from the sum of the rows {detail}"
    )]
    TotalDisagrees {
        row: usize,
        column: &'static str,
        total: Tenge,
        detail: Tenge,
    },
    #[error("row {row}: payments {executed} exceed the obligations accepted {accepted}")]
    PaidOverAccepted {
        row: usize,
        executed: Tenge,
        accepted: Tenge,
    },
    #[error(
        "row {row}: the obligation of the year {year} exceeds the contract's amount {contract}"
    )]
    YearOverContract {
        row: usize,
        year: Tenge,
        contract: Tenge,
    },
    #[error("row {row}: spent {spent} exceeds the money available {available}")]
    SpentOverAvailable {
        row: usize,
        spent: Tenge,
        available: Tenge,
    },
    #[error(
        "row {row}: the balance at the end {closing} is not the start plus receipts less spending {expected}"
    )]
    BalanceDisagrees {
        row: usize,
        closing: Tenge,
        expected: Tenge,
    },
    #[error("row {row}: cash expenses {executed} exceed the plan of the period {plan}")]
    ExecutedOverPlan {
        row: usize,
        executed: Tenge,
        plan: Tenge,
    },
}

use crate::layouts::folded;

/// Finds the header row: the first row naming every column; gives its index and the column of
/// each field.
pub(crate) fn header(
    rows: &[Vec<String>],
    fields: &[Field],
) -> Result<(usize, HashMap<usize, Field>), FormError> {
    let mut best: Option<Vec<&'static str>> = None;
    for (index, row) in rows.iter().enumerate().take(40) {
        let mut columns = HashMap::new();
        for (col, cell) in row.iter().enumerate() {
            let cell = folded(cell);
            if let Some(field) = fields.iter().find(|f| f.headings().contains(&cell)) {
                columns.insert(col, *field);
            }
        }
        let missing: Vec<&'static str> = fields
            .iter()
            .filter(|f| !columns.values().any(|v| v == *f))
            .map(|f| f.heading())
            .collect();
        if missing.is_empty() {
            return Ok((index, columns));
        }
        if best.as_ref().is_none_or(|b| missing.len() < b.len()) && missing.len() < fields.len() {
            best = Some(missing);
        }
    }
    Err(FormError::NoHeader {
        missing: best.unwrap_or_else(|| fields.iter().map(|f| f.heading()).collect()),
    })
}

pub(crate) fn is_total(row: &[String]) -> bool {
    row.iter().any(|c| {
        let c = folded(c);
        c.starts_with("итого") || c.starts_with("барлығы") || c.starts_with("всего")
    })
}

pub(crate) fn code(
    value: &str,
    field: Field,
    row: usize,
    optional: bool,
) -> Result<String, FormError> {
    let value = value.trim();
    let value = value.strip_suffix(".0").unwrap_or(value);
    if value.is_empty() && optional {
        return Ok(String::new());
    }
    // A spreadsheet may keep codes as numbers and drop the leading zeros ("3" for "003").
    if (1..=3).contains(&value.len()) && value.chars().all(|c| c.is_ascii_digit()) {
        Ok(format!("{value:0>3}"))
    } else {
        Err(FormError::BadValue {
            row,
            column: field.heading(),
            value: value.to_string(),
        })
    }
}

pub(crate) fn amount(value: &str, field: Field, row: usize) -> Result<Tenge, FormError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(Tenge::ZERO);
    }
    Tenge::parse(value).map_err(|_| FormError::BadValue {
        row,
        column: field.heading(),
        value: value.to_string(),
    })
}

/// A data row of a form as the parsers see it: its number in the file (1-based) and its cells
/// by column.
pub(crate) struct FormRow<'a> {
    pub number: usize,
    cells: &'a [String],
    columns: &'a HashMap<Field, usize>,
}

impl FormRow<'_> {
    /// The cell of a column, or nothing when the row is shorter.
    pub fn text(&self, field: Field) -> String {
        self.columns
            .get(&field)
            .and_then(|c| self.cells.get(*c).cloned())
            .unwrap_or_default()
    }

    /// A code of three digits (leading zeros restored); `optional` lets it be empty.
    pub fn code(&self, field: Field, optional: bool) -> Result<String, FormError> {
        code(&self.text(field), field, self.number, optional)
    }

    /// An amount in tenge with tiyn; an empty cell is zero.
    pub fn money(&self, field: Field) -> Result<Tenge, FormError> {
        amount(&self.text(field), field, self.number)
    }
}

/// Reads the rows of a form under its header, found by `fields`: blank rows are skipped; a
/// total row must equal the `sums` of the rows read above it, column by column; every other
/// row is read by `parse`, and refused when its `key` repeats an earlier row's. A form without
/// rows is refused. The first broken cell or row stops the reading, so nothing is taken half.
pub(crate) fn read_form<T, K: Eq + std::hash::Hash>(
    rows: &[Vec<String>],
    fields: &[Field],
    parse: impl Fn(&FormRow) -> Result<T, FormError>,
    key: impl Fn(&T) -> K,
    sums: impl Fn(&[T]) -> Vec<(Field, Tenge)>,
) -> Result<Vec<T>, FormError> {
    let (header_index, by_column) = header(rows, fields)?;
    let columns: HashMap<Field, usize> = by_column.into_iter().map(|(c, f)| (f, c)).collect();
    let mut out: Vec<T> = Vec::new();
    let mut seen: HashMap<K, usize> = HashMap::new();
    for (i, cells) in rows.iter().enumerate().skip(header_index + 1) {
        let row = FormRow {
            number: i + 1,
            cells,
            columns: &columns,
        };
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if is_total(cells) {
            check_sums(&row, &sums(&out))?;
            continue;
        }
        let line = parse(&row)?;
        if let Some(first) = seen.insert(key(&line), row.number) {
            return Err(FormError::Duplicate {
                row: row.number,
                first,
            });
        }
        out.push(line);
    }
    if out.is_empty() {
        return Err(FormError::Empty);
    }
    Ok(out)
}

/// Reads a form of cash expenses (5-52 and the others of the `cash` shape) from the rows of a
/// sheet (or a CSV). Refused whole at the first bad cell, duplicated row, total that disagrees
/// with its rows, or payment beyond the period's plan.
pub fn parse_cash(rows: &[Vec<String>]) -> Result<Vec<CashRow>, FormError> {
    read_form(
        rows,
        &FORM_552_FIELDS,
        |r| {
            let cash = CashRow {
                row: r.number,
                abp: r.code(Field::Abp, false)?,
                program: r.code(Field::Program, false)?,
                subprogram: r.code(Field::Subprogram, true)?,
                specific: r.code(Field::Specific, false)?,
                plan_year: r.money(Field::PlanYear)?,
                plan_period: r.money(Field::PlanPeriod)?,
                executed: r.money(Field::Executed)?,
            };
            if cash.executed > cash.plan_period {
                return Err(FormError::ExecutedOverPlan {
                    row: r.number,
                    executed: cash.executed,
                    plan: cash.plan_period,
                });
            }
            Ok(cash)
        },
        |c| codes_of(c.key()),
        |out| {
            vec![
                (Field::PlanYear, out.iter().map(|r| r.plan_year).sum()),
                (Field::PlanPeriod, out.iter().map(|r| r.plan_period).sum()),
                (Field::Executed, out.iter().map(|r| r.executed).sum()),
            ]
        },
    )
}

/// The four codes of a row, owned: what makes a row of an expenses form unique.
pub(crate) fn codes_of(
    (abp, program, subprogram, specific): (&str, &str, &str, &str),
) -> (String, String, String, String) {
    (
        abp.to_string(),
        program.to_string(),
        subprogram.to_string(),
        specific.to_string(),
    )
}

/// A total row must equal the sums of the rows above it, column by column, to the tiyn; an
/// empty cell of the total is not checked.
pub(crate) fn check_sums(row: &FormRow, sums: &[(Field, Tenge)]) -> Result<(), FormError> {
    for &(field, detail) in sums {
        if row.text(field).trim().is_empty() {
            continue;
        }
        let total = row.money(field)?;
        if total != detail {
            return Err(FormError::TotalDisagrees {
                row: row.number,
                column: field.heading(),
                total,
                detail,
            });
        }
    }
    Ok(())
}

/// Reads a CSV export (semicolon or comma separated) into rows of text.
pub fn csv_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, FormError> {
    let text = String::from_utf8_lossy(bytes);
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() >= first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| FormError::BadValue {
            row: i + 1,
            column: "CSV",
            value: e.to_string(),
        })?;
        rows.push(
            record
                .iter()
                .map(|c| c.trim_start_matches('\u{feff}').to_string())
                .collect(),
        );
    }
    Ok(rows)
}

/// One row of form 4-20: obligations accepted and paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObligationRow {
    pub row: usize,
    pub abp: String,
    pub program: String,
    pub subprogram: String,
    pub specific: String,
    /// Annual plan of financing by obligations.
    pub plan_obligations: Tenge,
    /// Obligations accepted (registered) from 1 January to the report date.
    pub accepted: Tenge,
    /// Paid from 1 January to the report date.
    pub executed: Tenge,
}

impl ObligationRow {
    pub fn key(&self) -> (&str, &str, &str, &str) {
        (&self.abp, &self.program, &self.subprogram, &self.specific)
    }
}

/// Reads a form of obligations (4-20) — obligations accepted and cash execution — from the
/// rows of a sheet or a CSV, with the same rules as form 5-52; nothing is paid beyond the
/// obligations accepted.
pub fn parse_obligations(rows: &[Vec<String>]) -> Result<Vec<ObligationRow>, FormError> {
    read_form(
        rows,
        &FORM_420_FIELDS,
        |r| {
            let line = ObligationRow {
                row: r.number,
                abp: r.code(Field::Abp, false)?,
                program: r.code(Field::Program, false)?,
                subprogram: r.code(Field::Subprogram, true)?,
                specific: r.code(Field::Specific, false)?,
                plan_obligations: r.money(Field::PlanObligations)?,
                accepted: r.money(Field::Accepted)?,
                executed: r.money(Field::Executed)?,
            };
            if line.executed > line.accepted {
                return Err(FormError::PaidOverAccepted {
                    row: r.number,
                    executed: line.executed,
                    accepted: line.accepted,
                });
            }
            Ok(line)
        },
        |l| codes_of(l.key()),
        |out| {
            vec![
                (
                    Field::PlanObligations,
                    out.iter().map(|r| r.plan_obligations).sum(),
                ),
                (Field::Accepted, out.iter().map(|r| r.accepted).sum()),
                (Field::Executed, out.iter().map(|r| r.executed).sum()),
            ]
        },
    )
}

/// The cash expenses of form 4-20 against those of form 5-52 for the same date (EX-8): every
/// code whose paid amounts differ, with both values; a code on one form only counts as zero
/// on the other.
pub fn reconcile_420_552(f420: &[ObligationRow], f552: &[CashRow]) -> Vec<PaidDiscrepancy> {
    let mut paid: std::collections::BTreeMap<(String, String, String, String), (Tenge, Tenge)> =
        Default::default();
    let key = |k: (&str, &str, &str, &str)| {
        (
            k.0.to_string(),
            k.1.to_string(),
            k.2.to_string(),
            k.3.to_string(),
        )
    };
    for r in f420 {
        paid.entry(key(r.key())).or_default().0 += r.executed;
    }
    for r in f552 {
        paid.entry(key(r.key())).or_default().1 += r.executed;
    }
    paid.into_iter()
        .filter(|(_, (a, b))| a != b)
        .map(
            |((abp, program, subprogram, specific), (in_420, in_552))| PaidDiscrepancy {
                abp,
                program,
                subprogram,
                specific,
                in_420,
                in_552,
            },
        )
        .collect()
}

/// A code whose payments differ between forms 4-20 and 5-52.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaidDiscrepancy {
    pub abp: String,
    pub program: String,
    pub subprogram: String,
    pub specific: String,
    pub in_420: Tenge,
    pub in_552: Tenge,
}

impl PaidDiscrepancy {
    pub fn difference(&self) -> Tenge {
        self.in_420 - self.in_552
    }
}

/// One row of form 2-19 or 2-43: receipts by classification code (plans only on 2-19).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptRow {
    pub row: usize,
    /// Six digits: category, class (2), subclass, specific (2).
    pub code: String,
    pub plan_year: Tenge,
    pub plan_period: Tenge,
    pub received: Tenge,
}

impl ReceiptRow {
    /// The subclass of the receipts classification as the ЕБК writes it: "1 01 1".
    pub fn subclass(&self) -> String {
        format!(
            "{} {} {}",
            &self.code[0..1],
            &self.code[1..3],
            &self.code[3..4]
        )
    }
}

fn receipt_code(value: &str, row: usize) -> Result<String, FormError> {
    let digits: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let digits = digits.strip_suffix(".0").unwrap_or(&digits).to_string();
    if digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(FormError::BadValue {
            row,
            column: Field::ReceiptCode.heading(),
            value: value.trim().to_string(),
        })
    }
}

/// Reads form 2-19 (`fields` = [`FORM_219_FIELDS`]) or 2-43 ([`FORM_243_FIELDS`]): receipts by
/// code, a total row checked to the tiyn, a code twice refused.
pub fn parse_receipts(
    rows: &[Vec<String>],
    fields: &[Field],
) -> Result<Vec<ReceiptRow>, FormError> {
    read_form(
        rows,
        fields,
        |r| {
            Ok(ReceiptRow {
                row: r.number,
                code: receipt_code(&r.text(Field::ReceiptCode), r.number)?,
                plan_year: r.money(Field::PlanYear)?,
                plan_period: r.money(Field::PlanPeriod)?,
                received: r.money(Field::Received)?,
            })
        },
        |l| l.code.clone(),
        |out| {
            vec![
                (Field::PlanYear, out.iter().map(|r| r.plan_year).sum()),
                (Field::PlanPeriod, out.iter().map(|r| r.plan_period).sum()),
                (Field::Received, out.iter().map(|r| r.received).sum()),
            ]
        },
    )
}

/// A receipts code whose amounts differ between forms 2-19 and 2-43.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceivedDiscrepancy {
    pub code: String,
    pub in_219: Tenge,
    pub in_243: Tenge,
}

/// Receipts of form 2-19 against form 2-43 (EX-8): every code whose amounts differ; a code on
/// one form only counts as zero on the other.
pub fn reconcile_219_243(f219: &[ReceiptRow], f243: &[ReceiptRow]) -> Vec<ReceivedDiscrepancy> {
    let mut amounts: std::collections::BTreeMap<&str, (Tenge, Tenge)> = Default::default();
    for r in f219 {
        amounts.entry(&r.code).or_default().0 += r.received;
    }
    for r in f243 {
        amounts.entry(&r.code).or_default().1 += r.received;
    }
    amounts
        .into_iter()
        .filter(|(_, (a, b))| a != b)
        .map(|(code, (in_219, in_243))| ReceivedDiscrepancy {
            code: code.to_string(),
            in_219,
            in_243,
        })
        .collect()
}
