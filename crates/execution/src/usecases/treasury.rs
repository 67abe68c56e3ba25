//! Treasury forms (EX-5, EX-8) for the pages, the API and the command line: importing form
//! 5-52 for an organisation and a report date, and the cash execution report that sets it
//! against the system's approved financing plans, listing every discrepancy.

use super::naming::{key_cells, named, receipt_cell, receipt_names};
use crate::form_127::{BUDGET_FORM, BudgetRow, SystemPlan, compare_127};
use crate::form_409::{CONTRACTS_FORM, ContractRow, reconcile_409_420};
use crate::layouts::{Shape, layouts};
use crate::movement::{MOVEMENT_FORM, MovementRow};
use crate::treasury::{
    CASH_FORM, CashRow, Form, FormError, OBLIGATIONS_FORM, ObligationRow, RECEIPTS_219_FORM,
    RECEIVED_243_FORM, ReceiptRow, csv_records, reconcile_219_243, reconcile_420_552,
};
use crate::treasury_store::{self, TreasuryReport};
use chrono::{Datelike, NaiveDate};
use jospar_access::Principal;
use jospar_access::Reader;
use jospar_access::{Error, Result};
use jospar_classification::repo::ExpenseNames;
use jospar_classification::{CodeKind, repo as ebk};
use jospar_core::Tenge;
use jospar_i18n::Tr;
use jospar_org::{OrgTree, Right};
use jospar_reports::{Cell, Table};
use jospar_store::{Db, Who};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufReader, Read, Seek, SeekFrom};

pub const FORM_552: &str = "5-52";
pub const FORM_420: &str = "4-20";
pub const FORM_219: &str = "2-19";
pub const FORM_243: &str = "2-43";
pub const FORM_127: &str = "1-27";
pub const FORM_409: &str = "4-09";

/// A form's error as a translated message naming the row and the column.
pub fn form_error(e: FormError) -> Error {
    let invalid = |key, args: Vec<(&'static str, String)>, field: String| Error::Invalid {
        key,
        args,
        field: Some(field),
    };
    match e {
        FormError::NoHeader { missing } => invalid(
            "err-treasury-header",
            vec![("columns", missing.join(", "))],
            "file".into(),
        ),
        FormError::Empty => invalid("err-import-empty", vec![], "file".into()),
        FormError::Unreadable => invalid("err-file-damaged", vec![], "file".into()),
        FormError::OverLimits(refusal) => {
            let (key, args) = refusal.message();
            invalid(key, args, "file".into())
        }
        FormError::BadValue { row, column, value } => invalid(
            "err-import-value",
            vec![
                ("row", row.to_string()),
                ("column", column.to_string()),
                ("value", value),
            ],
            format!("row {row}, {column}"),
        ),
        FormError::Duplicate { row, first } => invalid(
            "err-treasury-duplicate",
            vec![("row", row.to_string()), ("first", first.to_string())],
            format!("row {row}"),
        ),
        FormError::TotalDisagrees {
            row,
            column,
            total,
            detail,
        } => invalid(
            "err-treasury-total",
            vec![
                ("row", row.to_string()),
                ("column", column.to_string()),
                ("total", total.to_string()),
                ("detail", detail.to_string()),
            ],
            format!("row {row}, {column}"),
        ),
        FormError::PaidOverAccepted {
            row,
            executed,
            accepted,
        } => invalid(
            "err-treasury-over-accepted",
            vec![
                ("row", row.to_string()),
                ("executed", executed.to_string()),
                ("accepted", accepted.to_string()),
            ],
            format!("row {row}"),
        ),
        FormError::YearOverContract {
            row,
            year,
            contract,
        } => invalid(
            "err-treasury-year-over-contract",
            vec![
                ("row", row.to_string()),
                ("year", year.to_string()),
                ("contract", contract.to_string()),
            ],
            format!("row {row}"),
        ),
        FormError::SpentOverAvailable {
            row,
            spent,
            available,
        } => invalid(
            "err-treasury-over-available",
            vec![
                ("row", row.to_string()),
                ("spent", spent.to_string()),
                ("available", available.to_string()),
            ],
            format!("row {row}"),
        ),
        FormError::BalanceDisagrees {
            row,
            closing,
            expected,
        } => invalid(
            "err-treasury-balance",
            vec![
                ("row", row.to_string()),
                ("closing", closing.to_string()),
                ("expected", expected.to_string()),
            ],
            format!("row {row}"),
        ),
        FormError::ExecutedOverPlan {
            row,
            executed,
            plan,
        } => invalid(
            "err-treasury-over-plan",
            vec![
                ("row", row.to_string()),
                ("executed", executed.to_string()),
                ("plan", plan.to_string()),
            ],
            format!("row {row}"),
        ),
    }
}

/// A file to import: on disk or uploaded. It is read by a thread of its own while the rows
/// already read are written, so it must be sendable and owned.
pub trait FormFile: Read + Seek + Send + 'static {}

impl<F: Read + Seek + Send + 'static> FormFile for F {}

/// The columns of a worksheet, A to XFD: more than any form has, and the most a spreadsheet
/// program writes.
pub const MAX_COLUMNS: usize = 16_384;

/// Calls `each` with every row of an XLSX workbook (its first sheet) or a CSV file, as text,
/// and its number in the file (1-based), one row at a time: a file of any size is never held
/// whole. Stops at the first error `each` gives.
pub fn for_each_row(
    mut file: impl FormFile,
    mut each: impl FnMut(usize, &[String]) -> Result<(), FormError>,
) -> Result<(), FormError> {
    let mut magic = [0_u8; 2];
    let is_zip = file.read_exact(&mut magic).is_ok() && &magic == b"PK";
    file.seek(SeekFrom::Start(0))
        .map_err(|_| FormError::Unreadable)?;
    if !is_zip {
        for record in csv_records(file) {
            let (number, cells) = record?;
            each(number, &cells)?;
        }
        return Ok(());
    }
    use calamine::{Data, Reader as _, Xlsx};
    use jospar_reports::workbook::{Refusal, within_limits};
    let file = within_limits(BufReader::new(file)).map_err(|e| match e {
        Refusal::Damaged => FormError::Unreadable,
        over => FormError::OverLimits(over),
    })?;
    let mut book: Xlsx<_> = Xlsx::new(file).map_err(|_| FormError::Unreadable)?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or(FormError::Unreadable)?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|_| FormError::Unreadable)?;
    // Cells come row by row, left to right; empty cells are left out.
    let mut row: Vec<String> = Vec::new();
    let mut row_index = None;
    while let Some(cell) = cells.next_cell().map_err(|_| FormError::Unreadable)? {
        let (r, c) = cell.get_position();
        if row_index != Some(r) {
            if let Some(done) = row_index {
                each(done as usize + 1, &row)?;
            }
            row.clear();
            row_index = Some(r);
        }
        let c = c as usize;
        // A cell beyond a spreadsheet's last column (XFD) is a damaged file: the row is never
        // stretched to it (a reference of a few letters more is hundreds of millions of cells).
        if c >= MAX_COLUMNS {
            return Err(FormError::Unreadable);
        }
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = match Data::from(cell.get_value().clone()) {
            Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
            // Amounts kept as numbers: tenge with two decimals.
            Data::Float(f) => format!("{f:.2}"),
            other => other.to_string(),
        };
    }
    if let Some(done) = row_index {
        each(done as usize + 1, &row)?;
    }
    Ok(())
}

/// Where and when a form is imported.
pub struct FormTarget<'a> {
    pub org_id: i64,
    pub report_date: NaiveDate,
    pub file_name: &'a str,
    /// The digest of the bytes of a form pulled from e-Minfin; none for a file.
    pub pulled: Option<&'a str>,
}

/// Refuses a caller who may not import forms for an organisation (enter right): checked by the
/// import, and by the API before it spools an upload.
pub fn require_importer(p: &Principal, org_id: i64) -> Result<()> {
    p.require(Right::Enter, org_id)
}

/// Imports a Treasury form of the layouts in force (`data/treasury/layouts.toml`) for an
/// organisation (enter right) at a report date: refused whole when a row is broken or names a
/// code unknown to the classification of the report's year. The file is read as a stream and
/// stored chunk by chunk in one transaction, so memory stays bounded whatever its size.
pub async fn import_form(
    db: &Db,
    who: &Who,
    writer: Option<&Principal>,
    form: &str,
    target: FormTarget<'_>,
    file: impl FormFile,
) -> Result<TreasuryReport> {
    if let Some(p) = writer {
        require_importer(p, target.org_id)?;
    }
    if jospar_org::repo::get_org(db, target.org_id)
        .await?
        .is_none()
    {
        return Err(Error::invalid("err-unknown-org", "org"));
    }
    crate::usecases::periods::check_open(db, target.org_id, target.report_date).await?;
    let Some(layout) = layouts().form(form) else {
        return Err(Error::Invalid {
            key: "err-unknown-value",
            args: vec![("field", "form".into()), ("value", form.into())],
            field: Some("form".into()),
        });
    };
    let import = Import {
        db,
        who,
        form,
        target: &target,
    };
    let expense = |abp: &str, specific: &str, row: usize, codes: &mut CodesSeen| {
        codes.note(row, CodeKind::Abp, "АБП", abp, abp);
        codes.note(row, CodeKind::EconSpecific, "Специфика", specific, specific);
    };
    match layout.shape {
        Shape::Cash => {
            let codes_of = |r: &CashRow, c: &mut CodesSeen| expense(&r.abp, &r.specific, r.row, c);
            import.rows(&CASH_FORM, file, codes_of).await
        }
        Shape::Obligations => {
            let codes_of =
                |r: &ObligationRow, c: &mut CodesSeen| expense(&r.abp, &r.specific, r.row, c);
            import.rows(&OBLIGATIONS_FORM, file, codes_of).await
        }
        Shape::Budget => {
            let codes_of = |r: &BudgetRow, c: &mut CodesSeen| {
                c.note(r.row, CodeKind::Abp, "АБП", &r.abp, &r.abp)
            };
            import.rows(&BUDGET_FORM, file, codes_of).await
        }
        Shape::Contracts => {
            let codes_of =
                |r: &ContractRow, c: &mut CodesSeen| expense(&r.abp, &r.specific, r.row, c);
            import.rows(&CONTRACTS_FORM, file, codes_of).await
        }
        Shape::Movement => {
            let codes_of =
                |r: &MovementRow, c: &mut CodesSeen| expense(&r.abp, &r.specific, r.row, c);
            import.rows(&MOVEMENT_FORM, file, codes_of).await
        }
        Shape::Receipts => import.rows(&RECEIPTS_219_FORM, file, receipt_codes).await,
        Shape::Received => import.rows(&RECEIVED_243_FORM, file, receipt_codes).await,
    }
}

/// One import under way: where it goes and who makes it.
struct Import<'a> {
    db: &'a Db,
    who: &'a Who,
    form: &'a str,
    target: &'a FormTarget<'a>,
}

/// How many chunks of parsed rows may wait for the database: the reader thread stops when
/// they are not written as fast as they are read.
const CHUNKS_IN_FLIGHT: usize = 2;

impl Import<'_> {
    /// Reads `file` as `form` in a thread of its own, writing each chunk of rows as it comes
    /// and noting the codes each row carries; when the whole file has been read, every code
    /// is looked up in the classification and the form is committed. Any refusal rolls it all
    /// back.
    async fn rows<T, K>(
        &self,
        form: &'static Form<T, K>,
        file: impl FormFile,
        codes_of: impl Fn(&T, &mut CodesSeen),
    ) -> Result<TreasuryReport>
    where
        T: serde::Serialize + Send + 'static,
        K: Eq + std::hash::Hash + 'static,
    {
        let mut chunks = read_in_chunks(form, file);
        let mut stored = treasury_store::FormWriter::begin(
            self.db,
            self.form,
            self.target.org_id,
            self.target.report_date,
            self.target.file_name,
        )
        .await?
        .pulled(self.target.pulled);
        let mut codes = CodesSeen::default();
        while let Some(chunk) = chunks.recv().await {
            let chunk = chunk.map_err(form_error)?;
            for row in &chunk {
                codes_of(row, &mut codes);
            }
            stored.write(&chunk).await?;
        }
        check_codes(self.db, self.target.report_date.year(), codes).await?;
        Ok(stored.commit(self.who).await?)
    }
}

/// Reads a form in a thread of its own, giving its rows in chunks of
/// [`treasury_store::CHUNK_ROWS`] and, at the end, an error if the file is refused; nothing
/// follows an error.
fn read_in_chunks<T, K>(
    form: &'static Form<T, K>,
    file: impl FormFile,
) -> tokio::sync::mpsc::Receiver<Result<Vec<T>, FormError>>
where
    T: Send + 'static,
    K: Eq + std::hash::Hash + 'static,
{
    let (sender, receiver) = tokio::sync::mpsc::channel(CHUNKS_IN_FLIGHT);
    std::thread::spawn(move || {
        let mut reader = form.reader();
        let mut chunk = Vec::with_capacity(treasury_store::CHUNK_ROWS);
        let read = for_each_row(file, |number, cells| {
            if let Some(row) = reader.push(number, cells)? {
                chunk.push(row);
            }
            if chunk.len() == treasury_store::CHUNK_ROWS {
                let full =
                    std::mem::replace(&mut chunk, Vec::with_capacity(treasury_store::CHUNK_ROWS));
                // A closed channel means the importer has given up on an error of its own
                // (and rolled back): the reading stops; the error given here is seen by no one.
                sender
                    .blocking_send(Ok(full))
                    .map_err(|_| FormError::Unreadable)?;
            }
            Ok(())
        })
        .and_then(|()| reader.finish());
        let _ = sender.blocking_send(read.map(|_| chunk));
    });
    receiver
}

/// A code of a form's row to look up in the classification.
struct CodeCheck {
    row: usize,
    kind: CodeKind,
    column: &'static str,
    /// The code as the classification writes it.
    code: String,
    /// The cell as the file writes it, for a refusal.
    cell: String,
}

/// The distinct codes of a form, each with the first row that carries it: a large form repeats
/// a few dozen codes over many rows, so each is looked up once, and a refusal names its first
/// row.
#[derive(Default)]
struct CodesSeen {
    first_rows: Vec<CodeCheck>,
    seen: HashMap<CodeKind, HashSet<String>>,
}

impl CodesSeen {
    /// Notes `code` (as the classification writes it; `cell` as the file does) of `row`: kept
    /// only the first time, so a row that repeats known codes allocates nothing.
    fn note(&mut self, row: usize, kind: CodeKind, column: &'static str, code: &str, cell: &str) {
        let seen = self.seen.entry(kind).or_default();
        if !seen.contains(code) {
            seen.insert(code.to_string());
            self.first_rows.push(CodeCheck {
                row,
                kind,
                column,
                code: code.to_string(),
                cell: cell.to_string(),
            });
        }
    }
}

/// Every code of the form must be in the classification of the report's year, or of the
/// latest year before it while that year is not loaded.
async fn check_codes(db: &Db, report_year: i32, codes: CodesSeen) -> Result<()> {
    let year = classification_year(db, report_year).await?;
    for check in codes.first_rows {
        if ebk::get(db, year, check.kind, &check.code).await?.is_none() {
            let (row, column) = (check.row, check.column);
            return Err(Error::Invalid {
                key: "err-treasury-code",
                args: vec![
                    ("row", row.to_string()),
                    ("column", column.to_string()),
                    ("value", check.cell),
                    ("year", year.to_string()),
                ],
                field: Some(format!("row {row}, {column}")),
            });
        }
    }
    Ok(())
}

/// The subclass of a receipts row's code, named in a refusal by the code itself.
fn receipt_codes(row: &ReceiptRow, codes: &mut CodesSeen) {
    codes.note(
        row.row,
        CodeKind::ReceiptSubclass,
        "КБК",
        &row.subclass(),
        &row.code,
    );
}

/// The latest classification year loaded on or before `year` (the year itself when none is).
pub(crate) async fn classification_year(db: &Db, year: i32) -> Result<i32> {
    Ok(ebk::years(db)
        .await?
        .into_iter()
        .filter(|y| *y <= year)
        .max()
        .unwrap_or(year))
}

/// The line under a report's title naming the Treasury form it is built on: number, date, file.
pub(crate) fn form_subtitle(tr: &Tr, head: &TreasuryReport) -> String {
    tr.args(
        "analytics-form-subtitle",
        &[
            ("form", head.form.clone()),
            ("date", head.report_date.to_string()),
            ("file", head.file_name.clone()),
        ],
    )
}

/// An imported form of cash expenses (any form of the `cash` shape: 5-52, 5-42, 5-02, 2-15)
/// the reader may read, with its rows.
pub async fn cash_form(
    db: &Db,
    reader: &Reader<'_>,
    id: i64,
) -> Result<(TreasuryReport, Vec<CashRow>)> {
    form_of_shape(db, reader, id, Shape::Cash).await
}

/// An imported form of a shape the reader may read, with its rows; a form of another shape is
/// not found.
async fn form_of_shape<T: serde::de::DeserializeOwned>(
    db: &Db,
    reader: &Reader<'_>,
    id: i64,
    shape: Shape,
) -> Result<(TreasuryReport, Vec<T>)> {
    let head = treasury_store::head(db, id)
        .await
        .map_err(Error::from)?
        .filter(|h| layouts().form(&h.form).map(|l| l.shape) == Some(shape))
        .ok_or(Error::NotFound)?;
    reader.require_read(head.org_id)?;
    treasury_store::report::<T>(db, id, &head.form)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)
}

/// The imported forms the reader may read.
pub async fn reports(db: &Db, reader: &Reader<'_>) -> Result<Vec<TreasuryReport>> {
    Ok(treasury_store::reports(db)
        .await
        .map_err(Error::from)?
        .into_iter()
        .filter(|r| reader.can_read(r.org_id))
        .collect())
}

/// Filters of the list of imported Treasury forms (issue 20); every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFilter {
    /// Forms of this organisation and of everything below it.
    pub within: Option<i64>,
    /// The form's number (5-52, 4-20 …).
    pub form: Option<String>,
    /// Report dates from and to (inclusive).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// A row of the list of imported Treasury forms: the form and its organisation's name in the
/// reader's language.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ReportListRow {
    #[serde(flatten)]
    pub report: TreasuryReport,
    pub org_name: String,
}

impl jospar_core::listing::Listable for ReportListRow {
    fn search_text(&self) -> String {
        format!(
            "{} {} {} {}",
            self.report.form, self.report.file_name, self.org_name, self.report.imported_by
        )
    }

    fn sort_key(&self, column: &str) -> Option<jospar_core::listing::SortKey> {
        use jospar_core::listing::SortKey;
        Some(match column {
            "form" => SortKey::Text(self.report.form.clone()),
            "date" => SortKey::Number(i64::from(self.report.report_date.num_days_from_ce())),
            "org" => SortKey::text(&self.org_name),
            "file" => SortKey::text(&self.report.file_name),
            "rows" => SortKey::Number(self.report.row_count),
            "imported" => SortKey::Number(self.report.imported_at.timestamp_micros()),
            _ => return None,
        })
    }
}

/// The list of imported Treasury forms (issue 20): those the caller reads, newest first unless
/// sorted, filtered and cut to a page.
pub async fn list_reports(
    db: &Db,
    p: &Principal,
    lang: &str,
    filter: &ReportFilter,
    query: &jospar_core::listing::ListQuery,
) -> Result<jospar_core::listing::Listed<ReportListRow>> {
    let names: HashMap<i64, String> = jospar_org::repo::org_names(db, lang).await?;
    let within: Option<HashSet<i64>> = filter
        .within
        .map(|root| p.tree.subtree(root).into_iter().collect());
    let rows = reports(db, &Reader::User(p))
        .await?
        .into_iter()
        .filter(|r| within.as_ref().is_none_or(|ids| ids.contains(&r.org_id)))
        .filter(|r| filter.form.as_ref().is_none_or(|f| *f == r.form))
        .filter(|r| filter.from.is_none_or(|from| r.report_date >= from))
        .filter(|r| filter.to.is_none_or(|to| r.report_date <= to))
        .map(|report| ReportListRow {
            org_name: names.get(&report.org_id).cloned().unwrap_or_default(),
            report,
        })
        .collect();
    Ok(jospar_core::listing::list(rows, query))
}

type Codes = (String, String, String);

/// The lines of the approved financing plans of the organisation's subtree for the report's
/// year, as of the report date.
async fn system_lines(
    db: &Db,
    tree: &OrgTree,
    root: i64,
    date: NaiveDate,
) -> Result<Vec<crate::PlanLine>> {
    let mut out = Vec::new();
    for plan in crate::usecases::plans::approved_plans(db, tree, root, date.year()).await? {
        out.extend(
            plan.as_of(date)
                .map_err(|e| Error::Internal(e.to_string()))?,
        );
    }
    Ok(out)
}

/// A line's payments from January to the month of `date`.
fn paid_to(line: &crate::PlanLine, date: NaiveDate) -> Tenge {
    line.payments[..date.month() as usize].iter().copied().sum()
}

/// The system's plan by payments from January to the report's month, from the approved
/// financing plans of the organisation's subtree as of the report date.
async fn system_plan(
    db: &Db,
    tree: &OrgTree,
    root: i64,
    date: NaiveDate,
) -> Result<BTreeMap<Codes, Tenge>> {
    let mut out: BTreeMap<Codes, Tenge> = BTreeMap::new();
    for line in system_lines(db, tree, root, date).await? {
        let to_date = paid_to(&line, date);
        *out.entry((line.program, line.subprogram, line.specific))
            .or_default() += to_date;
    }
    Ok(out)
}

pub(crate) fn percent(executed: Tenge, plan: Tenge) -> Cell {
    Cell::Text(
        crate::ex18::percent_tenths(executed, plan)
            .map(|t| format!("{},{}", t / 10, (t % 10).abs()))
            .unwrap_or_default(),
    )
}

/// Cash execution by form 5-52 (EX-R: "по форме 5-52 (дополнительный)") set against the
/// system's plan (EX-8, DB-3): each row with the Treasury's plan of the period, the cash
/// expenses, the system's plan to the same month and the difference; `failures_only` keeps the
/// discrepancies. Lines planned in the system but absent from the form are listed too.
pub async fn cash_552_table(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    id: i64,
    failures_only: bool,
) -> Result<Table> {
    let (head, rows) = treasury_store::report::<CashRow>(db, id, FORM_552)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)?;
    reader.require_read(head.org_id)?;
    let mut planned = system_plan(db, tree, head.org_id, head.report_date).await?;
    let names = super::naming::form_names(db, tr, &head).await?;
    let mut table = Table {
        title: tr.t("report-cash-execution-552"),
        subtitle: vec![
            jospar_org::usecases::org_name(db, tr.0, head.org_id).await?,
            tr.args(
                "treasury-subtitle",
                &[
                    ("date", head.report_date.to_string()),
                    ("file", head.file_name.clone()),
                ],
            ),
        ],
        headers: [
            "treasury-col-abp",
            "plan-col-program",
            "plan-col-subprogram",
            "plan-col-specific",
            "treasury-col-plan-year",
            "treasury-col-plan-period",
            "treasury-col-executed",
            "treasury-col-unpaid",
            "exec-col-percent-period",
            "treasury-col-system-plan",
            "exec-col-difference",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
        numbered: true,
        ..Table::default()
    };
    let mut total = [Tenge::ZERO; 6];
    let mut differing = 0;
    let mut push =
        |table: &mut Table, abp: &str, codes: &Codes, cash: Option<&CashRow>, system: Tenge| {
            let zero = Tenge::ZERO;
            let (year, period, executed) = cash
                .map(|c| (c.plan_year, c.plan_period, c.executed))
                .unwrap_or((zero, zero, zero));
            let difference = period - system;
            let values = [
                year,
                period,
                executed,
                period - executed,
                system,
                difference,
            ];
            for (t, v) in total.iter_mut().zip(values) {
                *t += v;
            }
            if difference != Tenge::ZERO {
                differing += 1;
            } else if failures_only {
                return;
            }
            if difference != Tenge::ZERO {
                table.strong_rows.push(table.rows.len());
            }
            let mut cells = key_cells(&names, &[abp.to_string(), codes.0.clone(), codes.1.clone()]);
            cells.push(named(&codes.2, names.specific(&codes.2)));
            table.rows.push(vec![
                cells[0].clone(),
                cells[1].clone(),
                cells[2].clone(),
                cells[3].clone(),
                Cell::Money(year),
                Cell::Money(period),
                Cell::Money(executed),
                Cell::Money(period - executed),
                percent(executed, period),
                Cell::Money(system),
                Cell::Money(difference),
            ]);
        };
    for row in &rows {
        let codes = (
            row.program.clone(),
            row.subprogram.clone(),
            row.specific.clone(),
        );
        let system = planned.remove(&codes).unwrap_or_default();
        push(&mut table, &row.abp, &codes, Some(row), system);
    }
    for (codes, system) in std::mem::take(&mut planned) {
        push(&mut table, "", &codes, None, system);
    }
    let mut total_row = vec![
        Cell::Text(tr.t("total")),
        Cell::Text(String::new()),
        Cell::Text(String::new()),
        Cell::Text(String::new()),
    ];
    total_row.extend(total[..4].iter().map(|t| Cell::Money(*t)));
    total_row.push(percent(total[2], total[1]));
    total_row.extend(total[4..].iter().map(|t| Cell::Money(*t)));
    table.total = Some(total_row);
    table
        .footer
        .push(tr.args("treasury-differing", &[("count", differing.to_string())]));
    Ok(table)
}

/// Forms 4-20 and 5-52 compared (EX-8): every code whose cash expenses differ, with both
/// values and the difference.
pub async fn reconcile_420_552_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    id_420: i64,
    id_552: i64,
) -> Result<Table> {
    let (head_420, rows_420) = treasury_store::report::<ObligationRow>(db, id_420, FORM_420)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)?;
    let (head_552, rows_552) = treasury_store::report::<CashRow>(db, id_552, FORM_552)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)?;
    reader.require_read(head_420.org_id)?;
    reader.require_read(head_552.org_id)?;
    let discrepancies = reconcile_420_552(&rows_420, &rows_552);
    let names =
        ExpenseNames::of_administrators(db, head_420.report_date.year(), Vec::new(), tr.lang())
            .await?;
    let rows = discrepancies
        .iter()
        .map(|d| {
            let mut row = key_cells(
                &names,
                &[d.abp.clone(), d.program.clone(), d.subprogram.clone()],
            );
            row.push(named(&d.specific, names.specific(&d.specific)));
            row.extend([
                Cell::Money(d.in_420),
                Cell::Money(d.in_552),
                Cell::Money(d.difference()),
            ]);
            row
        })
        .collect();
    Ok(Table {
        title: tr.t("report-reconcile-420-552"),
        subtitle: vec![tr.args(
            "treasury-reconcile-subtitle",
            &[
                ("date_420", head_420.report_date.to_string()),
                ("date_552", head_552.report_date.to_string()),
            ],
        )],
        headers: [
            "treasury-col-abp",
            "plan-col-program",
            "plan-col-subprogram",
            "plan-col-specific",
            "treasury-col-paid-420",
            "treasury-col-paid-552",
            "exec-col-difference",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
        numbered: true,
        rows,
        footer: vec![tr.args(
            "treasury-differing",
            &[("count", discrepancies.len().to_string())],
        )],
        ..Table::default()
    })
}

/// Forms 4-09 and 4-20 compared (EX-5, EX-8, DB-3): for every code of either, the number of
/// contracts, their obligations of the year, the obligations the Treasury accepted and the
/// difference; codes that differ in bold and counted.
pub async fn reconcile_409_420_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    id_409: i64,
    id_420: i64,
) -> Result<Table> {
    let (head_409, contracts) = treasury_store::report::<ContractRow>(db, id_409, FORM_409)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)?;
    let (head_420, rows_420) = treasury_store::report::<ObligationRow>(db, id_420, FORM_420)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)?;
    reader.require_read(head_409.org_id)?;
    reader.require_read(head_420.org_id)?;
    let names =
        ExpenseNames::of_administrators(db, head_420.report_date.year(), Vec::new(), tr.lang())
            .await?;
    let mut table = Table {
        title: tr.t("report-reconcile-409-420"),
        subtitle: vec![tr.args(
            "treasury-409-subtitle",
            &[
                ("date_409", head_409.report_date.to_string()),
                ("date_420", head_420.report_date.to_string()),
            ],
        )],
        headers: [
            "treasury-col-abp",
            "plan-col-program",
            "plan-col-subprogram",
            "plan-col-specific",
            "treasury-col-contracts",
            "treasury-col-year-409",
            "exec-col-accepted",
            "exec-col-difference",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
        numbered: true,
        ..Table::default()
    };
    let mut sums = [Tenge::ZERO; 3];
    let mut differing = 0;
    for c in reconcile_409_420(&contracts, &rows_420) {
        sums[0] += c.in_409;
        sums[1] += c.in_420;
        sums[2] += c.difference();
        if c.difference() != Tenge::ZERO {
            differing += 1;
            table.strong_rows.push(table.rows.len());
        }
        let mut cells = key_cells(
            &names,
            &[c.abp.clone(), c.program.clone(), c.subprogram.clone()],
        );
        cells.push(named(&c.specific, names.specific(&c.specific)));
        table.rows.push(vec![
            cells[0].clone(),
            cells[1].clone(),
            cells[2].clone(),
            cells[3].clone(),
            Cell::Text(c.contracts.to_string()),
            Cell::Money(c.in_409),
            Cell::Money(c.in_420),
            Cell::Money(c.difference()),
        ]);
    }
    let mut total = vec![Cell::Text(tr.t("total"))];
    total.extend(std::iter::repeat_n(Cell::Text(String::new()), 4));
    total.extend(sums.into_iter().map(Cell::Money));
    table.total = Some(total);
    table
        .footer
        .push(tr.args("treasury-differing", &[("count", differing.to_string())]));
    Ok(table)
}

/// Forms 2-19 and 2-43 compared (EX-8): every receipts code whose amounts differ, with both
/// values and the difference.
pub async fn reconcile_219_243_table(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    id_219: i64,
    id_243: i64,
) -> Result<Table> {
    let load = |id: i64, form: &'static str| async move {
        treasury_store::report::<ReceiptRow>(db, id, form)
            .await
            .map_err(Error::from)?
            .ok_or(Error::NotFound)
    };
    let (head_219, rows_219) = load(id_219, FORM_219).await?;
    let (head_243, rows_243) = load(id_243, FORM_243).await?;
    reader.require_read(head_219.org_id)?;
    reader.require_read(head_243.org_id)?;
    let discrepancies = reconcile_219_243(&rows_219, &rows_243);
    let names = receipt_names(db, head_219.report_date.year()).await?;
    let rows = discrepancies
        .iter()
        .map(|d| {
            vec![
                receipt_cell(&names, tr, &d.code),
                Cell::Money(d.in_219),
                Cell::Money(d.in_243),
                Cell::Money(d.in_219 - d.in_243),
            ]
        })
        .collect();
    Ok(Table {
        title: tr.t("report-reconcile-219-243"),
        subtitle: vec![tr.args(
            "treasury-reconcile-219-subtitle",
            &[
                ("date_219", head_219.report_date.to_string()),
                ("date_243", head_243.report_date.to_string()),
            ],
        )],
        headers: [
            "treasury-col-receipt-code",
            "treasury-col-received-219",
            "treasury-col-received-243",
            "exec-col-difference",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
        numbered: true,
        rows,
        footer: vec![tr.args(
            "treasury-differing",
            &[("count", discrepancies.len().to_string())],
        )],
        ..Table::default()
    })
}

/// Form 1-27 against the system's financing plans (EX-8, DB-3; report 35 of the
/// specification): for each program and subprogram, the form's corrected budget against the
/// system's annual plan and the form's plan of the period against the system's payments to
/// the same month, with the cash expenses; `failures_only` keeps the discrepancies.
pub async fn reconcile_plan_127_table(
    db: &Db,
    tr: &Tr,
    tree: &OrgTree,
    reader: &Reader<'_>,
    id: i64,
    failures_only: bool,
) -> Result<Table> {
    let (head, rows) = treasury_store::report::<BudgetRow>(db, id, FORM_127)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)?;
    reader.require_read(head.org_id)?;
    let names = super::naming::form_names(db, tr, &head).await?;
    let mut system: BTreeMap<(String, String), SystemPlan> = BTreeMap::new();
    for line in system_lines(db, tree, head.org_id, head.report_date).await? {
        let planned = system
            .entry((line.program.clone(), line.subprogram.clone()))
            .or_default();
        planned.annual += line.approved;
        planned.to_date += paid_to(&line, head.report_date);
    }
    let compared = compare_127(&rows, &system);
    let differing = compared.iter().filter(|c| c.differs()).count();
    let mut table = Table {
        title: tr.t("report-reconcile-plan-127"),
        subtitle: vec![
            jospar_org::usecases::org_name(db, tr.0, head.org_id).await?,
            tr.args(
                "treasury-127-subtitle",
                &[
                    ("date", head.report_date.to_string()),
                    ("file", head.file_name.clone()),
                ],
            ),
        ],
        headers: [
            "treasury-col-abp",
            "plan-col-program",
            "plan-col-subprogram",
            "treasury-col-corrected-127",
            "treasury-col-annual-system",
            "exec-col-difference",
            "treasury-col-period-127",
            "treasury-col-system-plan",
            "exec-col-difference",
            "treasury-col-executed",
            "exec-col-percent-period",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
        numbered: true,
        ..Table::default()
    };
    let mut total = [Tenge::ZERO; 7];
    for c in &compared {
        let values = [
            c.corrected_127,
            c.annual_system,
            c.corrected_127 - c.annual_system,
            c.period_127,
            c.period_system,
            c.period_127 - c.period_system,
            c.executed,
        ];
        for (t, v) in total.iter_mut().zip(values) {
            *t += v;
        }
        if failures_only && !c.differs() {
            continue;
        }
        if c.differs() {
            table.strong_rows.push(table.rows.len());
        }
        let mut row = key_cells(
            &names,
            &[c.abp.clone(), c.program.clone(), c.subprogram.clone()],
        );
        row.extend(values.iter().map(|v| Cell::Money(*v)));
        row.push(percent(c.executed, c.period_127));
        table.rows.push(row);
    }
    let mut total_row = vec![
        Cell::Text(tr.t("total")),
        Cell::Text(String::new()),
        Cell::Text(String::new()),
    ];
    total_row.extend(total.iter().map(|t| Cell::Money(*t)));
    total_row.push(percent(total[6], total[3]));
    table.total = Some(total_row);
    table
        .footer
        .push(tr.args("treasury-differing", &[("count", differing.to_string())]));
    Ok(table)
}

/// Forms 5-34 and 0-67 (EX-5): the movement of money row by row — the balance at the start,
/// received, spent and the balance at the end — with the totals, every row balanced on import.
pub async fn movement_table(db: &Db, tr: &Tr, reader: &Reader<'_>, id: i64) -> Result<Table> {
    let (head, rows) = form_of_shape::<MovementRow>(db, reader, id, Shape::Movement).await?;
    let names =
        ExpenseNames::of_administrators(db, head.report_date.year(), Vec::new(), tr.lang()).await?;
    let name = layouts()
        .form(&head.form)
        .map(|l| l.name(tr.lang()).to_string())
        .unwrap_or_default();
    let mut sums = [Tenge::ZERO; 4];
    let table_rows = rows
        .iter()
        .map(|r| {
            let values = [r.opening, r.received, r.spent, r.closing];
            for (s, v) in sums.iter_mut().zip(values) {
                *s += v;
            }
            let mut row = key_cells(
                &names,
                &[r.abp.clone(), r.program.clone(), r.subprogram.clone()],
            );
            row.push(named(&r.specific, names.specific(&r.specific)));
            row.extend(values.into_iter().map(Cell::Money));
            row
        })
        .collect();
    let mut total = vec![Cell::Text(tr.t("total"))];
    total.extend(std::iter::repeat_n(Cell::Text(String::new()), 3));
    total.extend(sums.into_iter().map(Cell::Money));
    let values = [("form", head.form.clone()), ("name", name)];
    let mut table = layouts().printed_table(tr, "money-movement", head.report_date, &values)?;
    table.subtitle = vec![
        jospar_org::usecases::org_name(db, tr.0, head.org_id).await?,
        form_subtitle(tr, &head),
    ];
    table.rows = table_rows;
    table.total = Some(total);
    table.footer = vec![tr.t("treasury-movement-rule")];
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jospar_reports::workbook::{MAX_RATIO, Refusal, bomb};

    /// Issue 19: a Treasury form sent as a workbook bomb is refused before any row is read,
    /// with a message naming the limit; the CSV path is not affected.
    #[test]
    fn a_workbook_bomb_is_refused_before_any_row() {
        let mut rows = 0;
        let read = for_each_row(std::io::Cursor::new(bomb(20 * 1024 * 1024)), |_, _| {
            rows += 1;
            Ok(())
        });
        assert_eq!(
            read,
            Err(FormError::OverLimits(Refusal::Packed { ratio: MAX_RATIO }))
        );
        assert_eq!(rows, 0);
        let Error::Invalid { key, args, .. } = form_error(read.expect_err("refused")) else {
            panic!("not a refusal of the input");
        };
        assert_eq!(key, "err-file-packed");
        assert_eq!(args, vec![("ratio", MAX_RATIO.to_string())]);
    }
}
