//! A budget request as a file (issue 24; seed 004 §1, §7: requests move "in any format"
//! between an institution and its superiors; P-14): the whole request — every line with its
//! codes, form and expense identifier, every calculation row of every year, cell by cell —
//! as one table that the reports' model writes as XLSX or CSV, and that loads back into a
//! request in work of the same or another organisation.
//!
//! One row per typed cell keeps every form's columns exact whatever the form: `expense id;
//! program; subprogram; specific; limit kind; project; form; year; row; column; value`. A line
//! without rows is one row with the last four cells empty. Amounts are not in the file: they
//! are computed from the rows by the forms on loading, as they are when typed.
//!
//! Loading replaces the request's lines; the payroll lines computed from the organisation's
//! staffing table stay, and the file's lines of those specifics are left out. Into the same organisation a line keeps its expense identifier, so the same file
//! gives the same request; into another one every line gets a new identifier, because an
//! identifier is never shared by two organisations, and the file's is kept beside it. Every
//! row is checked as the grid checks it (codes the organisation may plan, the form of the
//! specific, the form's columns and rules, the goods' prices); the first refusal names the
//! file's row and column, and nothing is kept.

use crate::domain::request_years;
use crate::domain::{Line, Request};
use crate::price_checks::{self, Priced};
use crate::repo::{self, LineOrigin, LoadedLine, Target};
use crate::usecases::{planning_error, request};
use jospar_access::{Error, Principal, Result, Right};
use jospar_forms::RowInput;
use jospar_i18n::{Lang, Tr};
use jospar_limits::LimitKind;
use jospar_reports::{Cell, Table};
use jospar_store::Db;
use std::collections::BTreeMap;

/// The columns of the file, in order; each heading is `request-file-col-{key}`.
pub const COLUMNS: [&str; 11] = [
    "expense_id",
    "program",
    "subprogram",
    "specific",
    "limit_kind",
    "project",
    "form",
    "year",
    "row",
    "column",
    "value",
];

/// The request as the file's table: its lines in order, each typed cell a row.
pub async fn table(db: &Db, tr: &Tr, request: &Request) -> Result<Table> {
    let lines = repo::lines(db, request.id).await?;
    let mut stored = repo::request_rows(db, request.id).await?;
    let campaign = jospar_limits::repo::campaign(db, request.campaign_id)
        .await?
        .ok_or(Error::NotFound)?;
    let mut rows = Vec::new();
    for line in &lines {
        let mut any = false;
        for year in request_years(campaign.first_year) {
            let inputs = stored.remove(&(line.id, year)).unwrap_or_default();
            for (index, row) in inputs.iter().enumerate() {
                for (column, value) in row.iter().filter(|(_, v)| !v.trim().is_empty()) {
                    any = true;
                    let cells = [year.to_string(), (index + 1).to_string(), column.clone()];
                    rows.push(file_row(line, cells, value));
                }
            }
        }
        if !any {
            rows.push(file_row(line, Default::default(), ""));
        }
    }
    Ok(Table {
        title: tr.t("request-file-title"),
        headers: COLUMNS
            .iter()
            .map(|c| tr.t(&format!("request-file-col-{c}")))
            .collect(),
        rows,
        ..Table::default()
    })
}

fn file_row(line: &Line, [year, row, column]: [String; 3], value: &str) -> Vec<Cell> {
    [
        line.expense_id.to_string(),
        line.program.clone(),
        line.subprogram.clone(),
        line.specific.clone(),
        line.limit_kind.code().to_string(),
        line.project.clone(),
        line.form_code.clone(),
        year,
        row,
        column,
        value.to_string(),
    ]
    .into_iter()
    .map(Cell::Text)
    .collect()
}

/// A line as the file gives it, with the file's row of its first cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLine {
    pub row: usize,
    pub expense_id: i64,
    pub program: String,
    pub subprogram: String,
    pub specific: String,
    pub limit_kind: LimitKind,
    pub project: String,
    pub form: String,
    /// Rows by year, each row's cells by column key.
    pub years: BTreeMap<i32, BTreeMap<usize, RowInput>>,
}

fn refusal(key: &'static str, row: usize, column: &str, value: &str) -> Error {
    Error::Invalid {
        key,
        args: vec![
            ("row", row.to_string()),
            ("column", column.to_string()),
            ("value", value.to_string()),
        ],
        field: Some(format!("row {row}, {column}")),
    }
}

/// Whether a row is the file's heading row, in Russian or in Kazakh.
fn is_heading(cells: &[String]) -> bool {
    [Lang::Ru, Lang::Kk].into_iter().any(|lang| {
        let tr = Tr(lang);
        COLUMNS
            .iter()
            .zip(cells.iter().chain(std::iter::repeat(&String::new())))
            .all(|(key, cell)| cell.trim() == tr.t(&format!("request-file-col-{key}")))
    })
}

/// The lines of a file's rows: everything above the heading row (a title) is skipped; a row
/// that breaks the layout is refused with its number (1-based, as a spreadsheet shows it) and
/// column.
pub fn parse(rows: &[Vec<String>]) -> Result<Vec<FileLine>> {
    let Some(heading) = rows.iter().position(|r| is_heading(r)) else {
        return Err(Error::invalid("err-request-file-heading", "file"));
    };
    let mut lines: Vec<FileLine> = Vec::new();
    for (index, cells) in rows.iter().enumerate().skip(heading + 1) {
        let number = index + 1;
        let cell = |i: usize| cells.get(i).map(|c| c.trim()).unwrap_or("");
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let name = |i: usize| Tr(Lang::Ru).t(&format!("request-file-col-{}", COLUMNS[i]));
        let expense_id: i64 = cell(0)
            .parse()
            .map_err(|_| refusal("err-request-file-cell", number, &name(0), cell(0)))?;
        let limit_kind = LimitKind::from_code(cell(4))
            .ok_or_else(|| refusal("err-request-file-cell", number, &name(4), cell(4)))?;
        let position = lines.iter().position(|l| l.expense_id == expense_id);
        let line = match position {
            Some(i) => &mut lines[i],
            None => {
                lines.push(FileLine {
                    row: number,
                    expense_id,
                    program: cell(1).into(),
                    subprogram: cell(2).into(),
                    specific: cell(3).into(),
                    limit_kind,
                    project: cell(5).into(),
                    form: cell(6).into(),
                    years: BTreeMap::new(),
                });
                lines.last_mut().expect("just pushed")
            }
        };
        let same_line = (1..=6).find(|i| {
            let known = [
                &line.program,
                &line.subprogram,
                &line.specific,
                line.limit_kind.code(),
                &line.project,
                &line.form,
            ][i - 1];
            cell(*i) != known
        });
        if let Some(i) = same_line {
            return Err(refusal("err-request-file-line", number, &name(i), cell(i)));
        }
        if cell(7).is_empty() && cell(8).is_empty() && cell(9).is_empty() {
            continue;
        }
        let year: i32 = cell(7)
            .parse()
            .map_err(|_| refusal("err-request-file-cell", number, &name(7), cell(7)))?;
        let row: usize = cell(8)
            .parse()
            .ok()
            .filter(|r| *r >= 1)
            .ok_or_else(|| refusal("err-request-file-cell", number, &name(8), cell(8)))?;
        if cell(9).is_empty() {
            return Err(refusal("err-request-file-cell", number, &name(9), ""));
        }
        let value = cells.get(10).cloned().unwrap_or_default();
        let typed = line.years.entry(year).or_default().entry(row).or_default();
        if typed.insert(cell(9).to_string(), value).is_some() {
            return Err(refusal("err-request-file-twice", number, &name(9), cell(9)));
        }
    }
    Ok(lines)
}

/// What a load did: how many lines, and the lines that got an identifier other than the
/// file's (into another organisation, every line).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Loaded {
    pub lines: usize,
    pub new_identifiers: Vec<LineOrigin>,
}

/// Loads a request file (XLSX or CSV) into a request in work (enter right on its
/// organisation), at the version the user saw: checked as the grid checks, all or nothing.
pub async fn load(
    db: &Db,
    p: &Principal,
    tr: &Tr,
    target: Target,
    file_name: &str,
    bytes: &[u8],
) -> Result<Loaded> {
    let request = request(db, p, target.request_id).await?;
    p.require(Right::Enter, request.org_id)?;
    let rows = jospar_reports::workbook::table_rows(bytes).map_err(|refusal| {
        let (key, args) = refusal.message();
        Error::invalid_with(key, "file", args)
    })?;
    let lines = parse(&rows)?;
    let campaign = jospar_limits::repo::campaign(db, request.campaign_id)
        .await?
        .ok_or(Error::NotFound)?;
    let years = request_years(campaign.first_year);
    let choices = crate::codes::line_choices(db, &Tr(Lang::Ru), &request).await?;
    let forms = repo::forms(db).await?;
    let own = own_expense_ids(db, request.org_id).await?;
    let current = repo::lines(db, request.id).await?;
    // Payroll lines computed from the organisation's staffing table are the staffing
    // module's: kept as they are, and the file's lines of those specifics are not loaded.
    let mut computed = std::collections::HashSet::new();
    for specific in current
        .iter()
        .map(|l| &l.specific)
        .chain(lines.iter().map(|l| &l.specific))
    {
        for year in &years {
            if crate::payroll::computed_from_staffing(db, request.org_id, *year, specific).await? {
                computed.insert(specific.clone());
                break;
            }
        }
    }
    let kept: Vec<i64> = current
        .iter()
        .filter(|l| computed.contains(&l.specific))
        .map(|l| l.id)
        .collect();
    let region = price_checks::region_of(db, request.org_id).await?;
    let column = |key: usize| Tr(Lang::Ru).t(&format!("request-file-col-{}", COLUMNS[key]));
    let mut loaded = Vec::new();
    for line in lines.iter().filter(|l| !computed.contains(&l.specific)) {
        let at = |key: usize, value: &str, e: Error| -> Error {
            match e {
                Error::Invalid { .. } => {
                    refusal("err-request-file-cell", line.row, &column(key), value)
                }
                other => other,
            }
        };
        crate::codes::check_line(&choices, &line.program, &line.subprogram, &line.specific)
            .map_err(|e| at(3, &line.specific, e))?;
        let form = repo::form_for_specific(&forms, &line.specific)
            .filter(|f| f.code == line.form)
            .ok_or_else(|| refusal("err-request-file-cell", line.row, &column(6), &line.form))?;
        let mut line_years = Vec::new();
        for (year, by_row) in &line.years {
            if !years.contains(year) {
                return Err(refusal(
                    "err-request-file-cell",
                    line.row,
                    &column(7),
                    &year.to_string(),
                ));
            }
            let rows: Vec<RowInput> = by_row.values().cloned().collect();
            if let Err(e) = form.evaluate(&rows) {
                let e = planning_error(crate::usecases::name_columns(e.into(), form, tr));
                return Err(in_file_line(line, *year, e, tr));
            }
            let as_saved = Line {
                id: 0,
                expense_id: line.expense_id,
                program: line.program.clone(),
                subprogram: line.subprogram.clone(),
                specific: line.specific.clone(),
                limit_kind: line.limit_kind,
                form_code: form.code.clone(),
                project: line.project.clone(),
                amounts: BTreeMap::new(),
            };
            let priced = Priced {
                request: &request,
                line: &as_saved,
                year: *year,
                form,
                rows: &rows,
            };
            price_checks::check(db, p, tr, &region, &priced)
                .await
                .map_err(|e| in_file_line(line, *year, e, tr))?;
            line_years.push((*year, rows));
        }
        loaded.push(LoadedLine {
            expense_id: own.contains(&line.expense_id).then_some(line.expense_id),
            file_expense_id: line.expense_id,
            program: line.program.clone(),
            subprogram: line.subprogram.clone(),
            specific: line.specific.clone(),
            limit_kind: line.limit_kind,
            project: line.project.clone(),
            form,
            years: line_years,
        });
    }
    let origins = repo::load_lines(db, &p.who(), target, &loaded, &kept, file_name)
        .await
        .map_err(planning_error)?;
    Ok(Loaded {
        lines: loaded.len(),
        new_identifiers: origins,
    })
}

/// A refusal of a line's rows, naming the file's row where the line starts and the year.
fn in_file_line(line: &FileLine, year: i32, e: Error, tr: &Tr) -> Error {
    match e {
        Error::Invalid { key, args, .. } => Error::Invalid {
            key: "err-request-file-rows",
            args: vec![
                ("row", line.row.to_string()),
                ("year", year.to_string()),
                ("error", tr.args(key, &args)),
            ],
            field: Some(format!("row {}", line.row)),
        },
        other => other,
    }
}

/// The expense identifiers of an organisation's lines, in any of its requests: a file's line
/// keeps its identifier only when it is one of these.
async fn own_expense_ids(db: &Db, org_id: i64) -> Result<std::collections::HashSet<i64>> {
    let mut ids = std::collections::HashSet::new();
    for request in repo::requests(db).await? {
        if request.org_id == org_id {
            ids.extend(
                repo::lines(db, request.id)
                    .await?
                    .iter()
                    .map(|l| l.expense_id),
            );
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading(lang: Lang) -> Vec<String> {
        COLUMNS
            .iter()
            .map(|c| Tr(lang).t(&format!("request-file-col-{c}")))
            .collect()
    }

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn a_file_in_either_language_reads_to_its_lines_and_rows() {
        for lang in [Lang::Ru, Lang::Kk] {
            let rows = vec![
                row(&["Бюджетная заявка"]),
                heading(lang),
                row(&[
                    "7", "003", "015", "149", "base", "", "general", "2027", "1", "qty", "2",
                ]),
                row(&[
                    "7", "003", "015", "149", "base", "", "general", "2027", "1", "price", "150",
                ]),
                row(&[
                    "8", "003", "015", "159", "base", "", "general", "", "", "", "",
                ]),
            ];
            let lines = parse(&rows).expect("parsed");
            assert_eq!(lines.len(), 2);
            assert_eq!(lines[0].row, 3);
            let first = &lines[0].years[&2027][&1];
            assert_eq!(first.get("qty").map(String::as_str), Some("2"));
            assert_eq!(first.get("price").map(String::as_str), Some("150"));
            assert!(lines[1].years.is_empty());
        }
    }

    #[test]
    fn a_broken_row_is_named_by_its_number_and_column() {
        let refused = |rows: Vec<Vec<String>>| match parse(&rows) {
            Err(Error::Invalid { key, args, .. }) => (key, args[0].1.clone(), args[1].1.clone()),
            other => panic!("{other:?}"),
        };
        let ok = [
            "7", "003", "015", "149", "base", "", "general", "2027", "1", "qty", "2",
        ];
        let mut bad_id = ok;
        bad_id[0] = "x7";
        assert_eq!(
            refused(vec![heading(Lang::Ru), row(&bad_id)]),
            (
                "err-request-file-cell",
                "2".into(),
                "Идентификатор расхода".into()
            )
        );
        let mut other_code = ok;
        other_code[3] = "159";
        assert_eq!(
            refused(vec![heading(Lang::Ru), row(&ok), row(&other_code)]).0,
            "err-request-file-line"
        );
        assert_eq!(
            refused(vec![heading(Lang::Ru), row(&ok), row(&ok)]).0,
            "err-request-file-twice"
        );
        assert!(matches!(
            parse(&[row(&ok)]),
            Err(Error::Invalid {
                key: "err-request-file-heading",
                ..
            })
        ));
    }
}
