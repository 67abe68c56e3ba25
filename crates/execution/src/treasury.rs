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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, utoipa::ToSchema)]
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
    /// 4-09 of the development budget (optional columns): the investment project a contract
    /// builds, by its МИЖ or by its name (DB-3).
    ProjectCode,
    ProjectName,
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
    pub const ALL: [Field; 23] = [
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
        Field::ProjectCode,
        Field::ProjectName,
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
            Field::ProjectCode => "Код проекта (МИЖ)",
            Field::ProjectName => "Наименование проекта",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("no header row with the columns {missing:?}")]
    NoHeader { missing: Vec<&'static str> },
    #[error("the file has no rows under its header")]
    Empty,
    #[error("the file is neither a CSV nor a readable XLSX workbook")]
    Unreadable,
    #[error("{0}")]
    OverLimits(jospar_reports::workbook::Refusal),
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

/// The largest amount a form's cell may hold, either sign: a quadrillion tenge, far beyond any
/// budget, so that a row's amounts add up and compare without overflow.
pub const MAX_AMOUNT: Tenge = Tenge::from_tiyn(100_000_000_000_000_000);

pub(crate) fn amount(value: &str, field: Field, row: usize) -> Result<Tenge, FormError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(Tenge::ZERO);
    }
    Tenge::parse(value)
        .ok()
        .filter(|a| a.tiyn().unsigned_abs() <= MAX_AMOUNT.tiyn().unsigned_abs())
        .ok_or_else(|| FormError::BadValue {
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

/// How a form is read: its columns (found by their headings), the reading of one data row,
/// what makes a row unique, and the columns a total row must add up, with a row's amounts in
/// them. Function pointers, so that a form is a plain value and its reader can be sent to the
/// thread that parses a large file.
pub struct Form<T, K> {
    pub fields: &'static [Field],
    /// Columns a file may have or lack; a missing one reads as empty cells.
    pub optional: &'static [Field],
    pub(crate) parse: fn(&FormRow) -> Result<T, FormError>,
    pub(crate) key: fn(&T) -> K,
    pub(crate) summed: &'static [Field],
    pub(crate) amounts: fn(&T) -> Vec<Tenge>,
}

impl<T, K: Eq + std::hash::Hash> Form<T, K> {
    /// A reader of this form fed one row at a time.
    pub fn reader(&self) -> FormReader<'_, T, K> {
        FormReader {
            form: self,
            columns: None,
            closest: None,
            seen: HashMap::new(),
            sums: vec![Tenge::ZERO; self.summed.len()],
            count: 0,
        }
    }

    /// Reads the rows of a whole sheet (numbered from 1).
    pub fn read_all(&self, rows: &[Vec<String>]) -> Result<Vec<T>, FormError> {
        let mut reader = self.reader();
        let mut out = Vec::new();
        for (i, cells) in rows.iter().enumerate() {
            out.extend(reader.push(i + 1, cells)?);
        }
        reader.finish()?;
        Ok(out)
    }
}

/// The header is looked for in the first rows only: a form's title and headings are short.
const HEADER_SEARCH_ROWS: usize = 40;

/// Reads the rows of a form one at a time, holding only what the checks need (the running
/// sums and each row's key), so that a file of any size is read in bounded memory: rows before
/// the header (found by the form's `fields`) are skipped; blank rows are skipped; a total row
/// must equal the sums of the rows read above it, column by column; every other row is read
/// and refused when its key repeats an earlier row's. The first broken cell or row stops the
/// reading, so nothing is taken half.
pub struct FormReader<'f, T, K> {
    form: &'f Form<T, K>,
    columns: Option<HashMap<Field, usize>>,
    /// While no header is found: the headings missing from the closest candidate.
    closest: Option<Vec<&'static str>>,
    seen: HashMap<K, usize>,
    sums: Vec<Tenge>,
    count: usize,
}

impl<T, K: Eq + std::hash::Hash> FormReader<'_, T, K> {
    /// Reads row `number` (1-based) of the file: the data row it holds, if any.
    pub fn push(&mut self, number: usize, cells: &[String]) -> Result<Option<T>, FormError> {
        let Some(columns) = &self.columns else {
            self.look_for_header(number, cells)?;
            return Ok(None);
        };
        if cells.iter().all(|c| c.trim().is_empty()) {
            return Ok(None);
        }
        let row = FormRow {
            number,
            cells,
            columns,
        };
        if is_total(cells) {
            let sums: Vec<(Field, Tenge)> = self
                .form
                .summed
                .iter()
                .copied()
                .zip(self.sums.iter().copied())
                .collect();
            check_sums(&row, &sums)?;
            return Ok(None);
        }
        let line = (self.form.parse)(&row)?;
        if let Some(first) = self.seen.insert((self.form.key)(&line), number) {
            return Err(FormError::Duplicate { row: number, first });
        }
        let amounts = (self.form.amounts)(&line);
        for ((sum, amount), field) in self.sums.iter_mut().zip(amounts).zip(self.form.summed) {
            // Amounts are bounded, their sum over many rows is not: refused, never wrapped.
            *sum = sum.checked_add(amount).ok_or_else(|| FormError::BadValue {
                row: number,
                column: field.heading(),
                value: row.text(*field),
            })?;
        }
        self.count += 1;
        Ok(Some(line))
    }

    fn look_for_header(&mut self, number: usize, cells: &[String]) -> Result<(), FormError> {
        let fields = self.form.fields;
        match header_columns(cells, fields, self.form.optional) {
            Ok(columns) => {
                self.columns = Some(columns);
                Ok(())
            }
            Err(missing) => {
                let closer = self
                    .closest
                    .as_ref()
                    .is_none_or(|b| missing.len() < b.len());
                if closer && missing.len() < fields.len() {
                    self.closest = Some(missing);
                }
                if number >= HEADER_SEARCH_ROWS {
                    return Err(self.no_header());
                }
                Ok(())
            }
        }
    }

    fn no_header(&self) -> FormError {
        FormError::NoHeader {
            missing: self
                .closest
                .clone()
                .unwrap_or_else(|| self.form.fields.iter().map(|f| f.heading()).collect()),
        }
    }

    /// The end of the file: a form without a header or without rows is refused; gives the
    /// number of data rows read.
    pub fn finish(self) -> Result<usize, FormError> {
        if self.columns.is_none() {
            return Err(self.no_header());
        }
        if self.count == 0 {
            return Err(FormError::Empty);
        }
        Ok(self.count)
    }
}

/// The column of each field when `cells` is the header row, or the headings it lacks.
fn header_columns(
    cells: &[String],
    fields: &[Field],
    optional: &[Field],
) -> Result<HashMap<Field, usize>, Vec<&'static str>> {
    let mut columns = HashMap::new();
    for (col, cell) in cells.iter().enumerate() {
        let cell = folded(cell);
        if let Some(field) = fields
            .iter()
            .chain(optional)
            .find(|f| f.headings().contains(&cell))
        {
            columns.entry(*field).or_insert(col);
        }
    }
    let missing: Vec<&'static str> = fields
        .iter()
        .filter(|f| !columns.contains_key(f))
        .map(|f| f.heading())
        .collect();
    if missing.is_empty() {
        Ok(columns)
    } else {
        Err(missing)
    }
}

/// Form 5-52 and the others of the `cash` shape. Refused whole at the first bad cell,
/// duplicated row, total that disagrees with its rows, or payment beyond the period's plan.
pub const CASH_FORM: Form<CashRow, u64> = Form {
    fields: &FORM_552_FIELDS,
    optional: &[],
    parse: |r| {
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
    key: |c| packed_codes(&[&c.abp, &c.program, &c.subprogram, &c.specific]),
    summed: &[Field::PlanYear, Field::PlanPeriod, Field::Executed],
    amounts: |c| vec![c.plan_year, c.plan_period, c.executed],
};

/// Reads a form of cash expenses (5-52 and the others of the `cash` shape) from the rows of a
/// sheet (or a CSV).
pub fn parse_cash(rows: &[Vec<String>]) -> Result<Vec<CashRow>, FormError> {
    CASH_FORM.read_all(rows)
}

/// The codes of a row packed in one number: what makes a row of an expenses form unique. A
/// large form's duplicate check then holds eight bytes a row, not four strings. Each code is
/// at most three digits (see [`code`]); an empty code (no subprogram) packs as its own value.
pub(crate) fn packed_codes(codes: &[&str]) -> u64 {
    codes.iter().fold(0, |packed, code| {
        let value = code.parse::<u64>().map_or(0, |n| n + 1);
        packed * 1001 + value
    })
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
    csv_records(bytes)
        .map(|record| record.map(|(_, cells)| cells))
        .collect()
}

/// The rows of a CSV export (semicolon or comma separated, told by its first line), read one
/// at a time with their numbers (1-based): a file of any size is never held whole. Text that
/// is not UTF-8 is read with replacement characters, so the row is refused by its cells.
pub fn csv_records<R: std::io::Read>(
    source: R,
) -> impl Iterator<Item = Result<(usize, Vec<String>), FormError>> {
    let mut source = std::io::BufReader::with_capacity(1 << 16, source);
    let delimiter = match std::io::BufRead::fill_buf(&mut source) {
        Ok(start) => delimiter_of(start),
        Err(_) => b';',
    };
    let reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(source);
    reader.into_byte_records().enumerate().map(|(i, record)| {
        let record = record.map_err(|e| FormError::BadValue {
            row: i + 1,
            column: "CSV",
            value: e.to_string(),
        })?;
        let cells = record
            .iter()
            .map(|c| {
                String::from_utf8_lossy(c)
                    .trim_start_matches('\u{feff}')
                    .to_string()
            })
            .collect();
        Ok((i + 1, cells))
    })
}

/// The separator of a CSV file: the one of `;` and `,` its first line has more of.
fn delimiter_of(start: &[u8]) -> u8 {
    let first = start.split(|b| *b == b'\n').next().unwrap_or(&[]);
    let count = |d: u8| first.iter().filter(|b| **b == d).count();
    if count(b';') >= count(b',') {
        b';'
    } else {
        b','
    }
}

/// One row of form 4-20: obligations accepted and paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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

/// Form 4-20 — obligations accepted and cash execution — with the same rules as form 5-52;
/// nothing is paid beyond the obligations accepted.
pub const OBLIGATIONS_FORM: Form<ObligationRow, u64> = Form {
    fields: &FORM_420_FIELDS,
    optional: &[],
    parse: |r| {
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
    key: |l| packed_codes(&[&l.abp, &l.program, &l.subprogram, &l.specific]),
    summed: &[Field::PlanObligations, Field::Accepted, Field::Executed],
    amounts: |l| vec![l.plan_obligations, l.accepted, l.executed],
};

/// Reads a form of obligations (4-20) from the rows of a sheet or a CSV.
pub fn parse_obligations(rows: &[Vec<String>]) -> Result<Vec<ObligationRow>, FormError> {
    OBLIGATIONS_FORM.read_all(rows)
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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

/// Form 2-19 (`fields` = [`FORM_219_FIELDS`]) or 2-43 ([`FORM_243_FIELDS`]): receipts by
/// code, a total row checked to the tiyn, a code twice refused.
pub const fn receipts_form(fields: &'static [Field]) -> Form<ReceiptRow, u32> {
    Form {
        fields,
        optional: &[],
        parse: |r| {
            Ok(ReceiptRow {
                row: r.number,
                code: receipt_code(&r.text(Field::ReceiptCode), r.number)?,
                plan_year: r.money(Field::PlanYear)?,
                plan_period: r.money(Field::PlanPeriod)?,
                received: r.money(Field::Received)?,
            })
        },
        // Six digits, checked by `receipt_code`.
        key: |l| l.code.parse().unwrap_or(0),
        summed: &[Field::PlanYear, Field::PlanPeriod, Field::Received],
        amounts: |l| vec![l.plan_year, l.plan_period, l.received],
    }
}

/// Form 2-19: receipts against their plan.
pub const RECEIPTS_219_FORM: Form<ReceiptRow, u32> = receipts_form(&FORM_219_FIELDS);

/// Form 2-43: receipts by budget classification code.
pub const RECEIVED_243_FORM: Form<ReceiptRow, u32> = receipts_form(&FORM_243_FIELDS);

/// Reads form 2-19 or 2-43 from the rows of a sheet or a CSV.
pub fn parse_receipts(
    rows: &[Vec<String>],
    fields: &'static [Field],
) -> Result<Vec<ReceiptRow>, FormError> {
    receipts_form(fields).read_all(rows)
}

/// A receipts code whose amounts differ between forms 2-19 and 2-43.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
