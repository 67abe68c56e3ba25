//! Budget execution services shared by the pages, the API and the command line: importing the
//! open-budgets portal's execution reports, the budget execution report (EX-R 18) built from
//! them, and its reconciliation with the file's published totals.

use crate::ex18::{self, CheckKind, MonthReport, ReportRow, Section};
use crate::portal::{self, Column, Month, PortalError};
use crate::repo::{self, NewImport, PortalImport};
use jospar_access::Principal;
use jospar_access::Reader;
use jospar_access::Right;
use jospar_access::{Error, Result};
use jospar_i18n::Tr;
use jospar_reports::{Cell, Kind, Table};
use jospar_store::{Db, Who};

/// A portal file's error as a translated message naming the line and the column.
pub fn portal_error(e: PortalError) -> Error {
    let invalid = |key, args: Vec<(&'static str, String)>, field: String| Error::Invalid {
        key,
        args,
        field: Some(field),
    };
    match e {
        PortalError::Empty => invalid("err-import-empty", vec![], "file".into()),
        PortalError::Csv { line, message } => invalid(
            "err-portal-csv",
            vec![("line", line.to_string()), ("message", message)],
            format!("line {line}"),
        ),
        PortalError::MissingColumn { column } => invalid(
            "err-portal-column",
            vec![("column", column.clone())],
            column,
        ),
        PortalError::BadValue {
            line,
            column,
            value,
        } => invalid(
            "err-portal-value",
            vec![
                ("line", line.to_string()),
                ("column", column.clone()),
                ("value", value),
            ],
            format!("line {line}, {column}"),
        ),
        PortalError::Duplicate { line, id, month } => invalid(
            "err-portal-duplicate",
            vec![
                ("line", line.to_string()),
                ("id", id.to_string()),
                ("month", month.to_string()),
            ],
            format!("line {line}"),
        ),
        PortalError::UnknownParent {
            line,
            parent,
            month,
        } => invalid(
            "err-portal-parent",
            vec![
                ("line", line.to_string()),
                ("parent", parent.to_string()),
                ("month", month.to_string()),
            ],
            format!("line {line}, parent_id"),
        ),
        PortalError::TotalDisagrees {
            line,
            column,
            name,
            total,
            detail,
        } => invalid(
            "err-portal-total",
            vec![
                ("line", line.to_string()),
                ("column", column.clone()),
                ("name", name),
                ("total", total.to_string()),
                ("detail", detail.to_string()),
            ],
            format!("line {line}, {column}"),
        ),
    }
}

/// What an import is called and where it is kept.
pub struct ImportTarget<'a> {
    pub org_id: i64,
    pub title: &'a str,
    pub file_name: &'a str,
}

/// Imports a portal execution file under an organisation (enter right on it), replacing the
/// import of the same title; a broken file is refused whole.
pub async fn import_portal(
    db: &Db,
    who: &Who,
    writer: Option<&Principal>,
    target: ImportTarget<'_>,
    bytes: &[u8],
) -> Result<PortalImport> {
    if let Some(p) = writer {
        p.require(Right::Enter, target.org_id)?;
    }
    if target.title.trim().is_empty() {
        return Err(Error::invalid("err-required", "title"));
    }
    if jospar_org::repo::get_org(db, target.org_id)
        .await?
        .is_none()
    {
        return Err(Error::invalid("err-unknown-org", "org"));
    }
    let months = portal::parse(bytes).map_err(portal_error)?;
    repo::save_import(
        db,
        who,
        NewImport {
            org_id: target.org_id,
            title: target.title.trim(),
            file_name: target.file_name,
            months: &months,
        },
    )
    .await
    .map_err(Error::from)
}

/// The imports the reader may read.
pub async fn imports(db: &Db, reader: &Reader<'_>) -> Result<Vec<PortalImport>> {
    Ok(repo::imports(db)
        .await
        .map_err(Error::from)?
        .into_iter()
        .filter(|i| reader.can_read(i.org_id))
        .collect())
}

/// Filters of the list of portal imports (issue 20); every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportFilter {
    /// Imports kept under this organisation or one below it.
    pub within: Option<i64>,
    /// Imports whose months reach into this year.
    pub year: Option<i32>,
}

impl ImportFilter {
    fn keeps(
        &self,
        import: &PortalImport,
        within: Option<&std::collections::HashSet<i64>>,
    ) -> bool {
        let covers = |year: i32| {
            let year = format!("{year:04}");
            let first = import.first_month.get(..4).unwrap_or_default();
            let last = import.last_month.get(..4).unwrap_or_default();
            first <= year.as_str() && year.as_str() <= last
        };
        within.is_none_or(|ids| ids.contains(&import.org_id)) && self.year.is_none_or(covers)
    }
}

/// A row of the list of portal imports: the import and its organisation's name.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ImportListRow {
    #[serde(flatten)]
    pub import: PortalImport,
    pub org_name: String,
}

impl jospar_core::listing::Listable for ImportListRow {
    fn search_text(&self) -> String {
        let i = &self.import;
        format!(
            "{} {} {} {}",
            i.title, i.file_name, self.org_name, i.imported_by
        )
    }

    fn sort_key(&self, column: &str) -> Option<jospar_core::listing::SortKey> {
        use jospar_core::listing::SortKey;
        let i = &self.import;
        Some(match column {
            "title" => SortKey::text(&i.title),
            "org" => SortKey::text(&self.org_name),
            "file" => SortKey::text(&i.file_name),
            "months" => SortKey::Text(format!("{} {}", i.first_month, i.last_month)),
            "rows" => SortKey::Number(i.row_count),
            "imported" => SortKey::Number(i.imported_at.timestamp_micros()),
            _ => return None,
        })
    }
}

/// The list of portal imports (issue 20): those the caller reads, filtered, searched, sorted
/// and cut to a page; newest first unless sorted.
pub async fn list_imports(
    db: &Db,
    p: &Principal,
    lang: &str,
    filter: &ImportFilter,
    query: &jospar_core::listing::ListQuery,
) -> Result<jospar_core::listing::Listed<ImportListRow>> {
    let names: std::collections::HashMap<i64, String> =
        jospar_org::repo::org_names(db, lang).await?;
    let within: Option<std::collections::HashSet<i64>> = filter
        .within
        .map(|root| p.tree.subtree(root).into_iter().collect());
    let rows = imports(db, &Reader::User(p))
        .await?
        .into_iter()
        .filter(|i| filter.keeps(i, within.as_ref()))
        .map(|import| ImportListRow {
            org_name: names.get(&import.org_id).cloned().unwrap_or_default(),
            import,
        })
        .collect();
    Ok(jospar_core::listing::list(rows, query))
}

async fn readable_import(db: &Db, reader: &Reader<'_>, id: i64) -> Result<PortalImport> {
    let import = repo::import(db, id)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)?;
    reader.require_read(import.org_id)?;
    Ok(import)
}

/// The months of an import the reader may read.
pub async fn import_months(db: &Db, reader: &Reader<'_>, id: i64) -> Result<Vec<Month>> {
    let import = readable_import(db, reader, id).await?;
    repo::months(db, import.id).await.map_err(Error::from)
}

fn bad_month(value: &str) -> Error {
    Error::Invalid {
        key: "err-report-param",
        args: vec![("field", "month".into()), ("value", value.into())],
        field: Some("month".into()),
    }
}

/// The months of an import to report: the one asked for, or all of them.
async fn months_of(db: &Db, import: &PortalImport, month: Option<&str>) -> Result<Vec<Month>> {
    let all = repo::months(db, import.id).await.map_err(Error::from)?;
    match month {
        None => Ok(all),
        Some(text) => {
            let month = Month::parse(text).ok_or_else(|| bad_month(text))?;
            if all.contains(&month) {
                Ok(vec![month])
            } else {
                Err(bad_month(text))
            }
        }
    }
}

async fn month_report(
    db: &Db,
    import: &PortalImport,
    month: Month,
    depth: u32,
) -> Result<MonthReport> {
    let tree = repo::month_tree(db, import.id, month)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound)?;
    Ok(ex18::month_report(&tree, depth))
}

fn column_label(tr: &Tr, column: Column) -> String {
    tr.t(&format!("exec-col-{}", column.code()))
}

fn section_label(tr: &Tr, section: Section) -> String {
    format!(
        "{}. {}",
        section.numeral(),
        tr.t(&format!("exec-section-{}", section.code()))
    )
}

/// A share in tenths of a percent as "97,3".
fn percent(tenths: Option<i64>) -> Cell {
    Cell::Text(match tenths {
        None => String::new(),
        Some(t) => {
            let sign = if t < 0 { "-" } else { "" };
            format!("{sign}{},{}", t.abs() / 10, t.abs() % 10)
        }
    })
}

/// The obligation columns of the report: blank where they do not apply.
const OBLIGATIONS: [Column; 2] = [Column::PlanObligations, Column::Accepted];

/// A row's cells; `obligations` false leaves the obligation columns and the unpaid rest blank
/// ([`Section::has_obligations`]).
fn report_cells(tr: &Tr, row: &ReportRow, obligations: bool) -> Vec<Cell> {
    let a = &row.amounts;
    let blank = || Cell::Text(String::new());
    let executed = a.get(Column::Executed);
    let mut cells = vec![
        Cell::Text(if row.total {
            row.section.numeral().to_string()
        } else {
            row.code.clone()
        }),
        Cell::Text(if row.total {
            section_label(tr, row.section)
        } else {
            format!(
                "{}{}",
                "· ".repeat(row.depth.saturating_sub(1) as usize),
                row.name
            )
        }),
    ];
    cells.extend(
        Column::ALL
            .iter()
            .map(|c| match obligations || !OBLIGATIONS.contains(c) {
                true => Cell::Money(a.get(*c)),
                false => blank(),
            }),
    );
    cells.push(match obligations {
        true => Cell::Money(a.unpaid()),
        false => blank(),
    });
    cells.push(percent(ex18::percent_tenths(
        executed,
        a.get(Column::PlanPayments),
    )));
    cells.push(percent(ex18::percent_tenths(
        executed,
        a.get(Column::Corrected),
    )));
    cells
}

/// The kinds of the report's columns: the code and the name, the amounts and the unpaid rest,
/// the two percentages. Declared, since a blank cell does not say that its column holds money.
fn report_columns() -> Vec<jospar_reports::Column> {
    let kind = |kind| jospar_reports::Column {
        kind,
        ..jospar_reports::Column::default()
    };
    let amounts = Column::ALL.len() + 1;
    [Kind::Text, Kind::Text]
        .into_iter()
        .chain(std::iter::repeat_n(Kind::Money, amounts))
        .chain([Kind::Percent, Kind::Percent])
        .map(kind)
        .collect()
}

fn import_subtitle(tr: &Tr, import: &PortalImport, month: Option<Month>) -> Vec<String> {
    let mut lines = vec![tr.args(
        "exec-subtitle-import",
        &[
            ("title", import.title.clone()),
            ("file", import.file_name.clone()),
        ],
    )];
    if let Some(m) = month {
        lines.push(tr.args("exec-subtitle-month", &[("month", m.to_string())]));
    }
    lines.push(tr.t("exec-subtitle-units"));
    lines
}

/// The budget execution report (EX-R 18) of one month of an import: sections and the tree
/// `depth` levels below them, every figure recomputed from the detail rows; the footer says
/// how the section totals compare with the file's.
pub async fn execution_report(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    import_id: i64,
    month: Option<&str>,
    depth: u32,
) -> Result<Table> {
    let import = readable_import(db, reader, import_id).await?;
    let months = months_of(db, &import, month).await?;
    let month = *months.last().ok_or(Error::NotFound)?;
    let report = month_report(db, &import, month, depth.min(6)).await?;
    Ok(month_table(
        tr,
        import_subtitle(tr, &import, Some(month)),
        &report,
    ))
}

/// The table of a month's report under a subtitle: the rows, then the reference balances, and
/// in the footer how the section totals compare with the file's.
pub fn month_table(tr: &Tr, subtitle: Vec<String>, report: &MonthReport) -> Table {
    let mut headers = vec![tr.t("exec-col-code"), tr.t("exec-col-name")];
    headers.extend(Column::ALL.iter().map(|c| column_label(tr, *c)));
    headers.extend([
        tr.t("exec-col-unpaid"),
        tr.t("exec-col-percent-period"),
        tr.t("exec-col-percent-year"),
    ]);
    let mut table = Table {
        title: tr.t("report-execution-report"),
        subtitle,
        headers,
        numbered: true,
        columns: report_columns(),
        ..Table::default()
    };
    for row in &report.rows {
        if row.total {
            table.strong_rows.push(table.rows.len());
        }
        let obligations = row.section.has_obligations(row.total);
        table.rows.push(report_cells(tr, row, obligations));
    }
    // The balances at the start and end of the period are cash: no obligations.
    for row in &report.memo {
        table.rows.push(report_cells(tr, row, false));
    }
    let checks = ex18::reconcile(report);
    let failing = checks.iter().filter(|c| !c.holds()).count();
    table.footer.push(tr.args(
        "exec-reconciled",
        &[
            ("checks", checks.len().to_string()),
            ("failing", failing.to_string()),
        ],
    ));
    table
}

fn check_label(tr: &Tr, what: CheckKind) -> String {
    match what {
        CheckKind::SectionTotal(s) => section_label(tr, s),
        CheckKind::SectionMissing(s) => {
            tr.args("exec-check-missing", &[("section", section_label(tr, s))])
        }
        CheckKind::FinancingIsMinusDeficit => tr.t("exec-check-financing"),
    }
}

/// The reconciliation of an import (EX-R 18, EX-8): for each month, every published section
/// total against the recomputed one and financing against −deficit, with both values, the
/// difference and the tolerance of the source's rounding; `failing_only` keeps discrepancies.
pub async fn reconciliation(
    db: &Db,
    tr: &Tr,
    reader: &Reader<'_>,
    import_id: i64,
    month: Option<&str>,
    failing_only: bool,
) -> Result<Table> {
    let import = readable_import(db, reader, import_id).await?;
    let months = months_of(db, &import, month).await?;
    let mut table = Table {
        title: tr.t("report-execution-reconciliation"),
        subtitle: import_subtitle(tr, &import, None),
        headers: [
            "exec-col-month",
            "exec-col-check",
            "exec-col-column",
            "exec-col-published",
            "exec-col-computed",
            "exec-col-difference",
            "exec-col-tolerance",
            "exec-col-result",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
        numbered: true,
        ..Table::default()
    };
    let (mut total, mut failing) = (0usize, 0usize);
    for month in months {
        let report = month_report(db, &import, month, 0).await?;
        for check in ex18::reconcile(&report) {
            total += 1;
            let holds = check.holds();
            if !holds {
                failing += 1;
            }
            if failing_only && holds {
                continue;
            }
            if !holds {
                table.strong_rows.push(table.rows.len());
            }
            let missing = matches!(check.what, CheckKind::SectionMissing(_));
            table.rows.push(vec![
                Cell::Text(month.to_string()),
                Cell::Text(check_label(tr, check.what)),
                Cell::Text(if missing {
                    String::new()
                } else {
                    column_label(tr, check.column)
                }),
                Cell::Money(check.expected),
                Cell::Money(check.actual),
                Cell::Money(check.difference()),
                Cell::Money(check.tolerance),
                Cell::Text(tr.t(if holds {
                    "exec-check-ok"
                } else {
                    "exec-check-differs"
                })),
            ]);
        }
    }
    table.footer.push(tr.args(
        "exec-reconciled",
        &[
            ("checks", total.to_string()),
            ("failing", failing.to_string()),
        ],
    ));
    Ok(table)
}
