//! The report engine's table model and its renderings (P-19): one table → HTML (by the
//! pages), XLSX, PDF, CSV and JSON. A table may follow an official layout ([`layout`]): its
//! number and order, multi-level headings, numbered columns, the unit of its amounts and its
//! signatures. Amounts stay integer tiyn up to the file; every renderer prints them through
//! [`Table::printed`], where the rounding rule of the unit is applied once.

pub mod amount;
pub mod catalogue;
pub mod layout;
mod pdf;
#[cfg(any(test, feature = "testkit"))]
pub mod pdf_text;
pub mod workbook;
mod xlsx;
pub use amount::{Printed, Scale, Unit};
pub use pdf::{PdfError, REGULAR as FONT, to_pdf};
pub use xlsx::{to_plain_xlsx, to_xlsx};

use jospar_core::Tenge;
use jospar_i18n::Tr;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Cell {
    Text(String),
    Money(Tenge),
}

impl Cell {
    pub fn display(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Money(m) => m.to_string(),
        }
    }
}

/// What a column holds: it sets the alignment and the width.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    #[default]
    Text,
    Money,
    Count,
    Percent,
}

/// A column of a layout: its kind, and for a total column the columns it adds up (by index)
/// and those it takes away.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ReportColumn)]
pub struct Column {
    pub kind: Kind,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plus: Vec<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub minus: Vec<usize>,
}

/// A heading cell placed in the grid of headings: `row` and `col` of its top-left corner, and
/// how many rows and columns it spans (a merged cell).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct HeadCell {
    pub text: String,
    pub row: usize,
    pub col: usize,
    pub rows: usize,
    pub cols: usize,
}

impl HeadCell {
    /// The grid of headings: each column's groups (id and text, outermost first) above its own
    /// heading. Neighbouring columns under the same group share one merged cell; a heading with
    /// fewer groups above it spans down to the last row.
    pub fn grid(over: &[Vec<(String, String)>], headers: &[String]) -> Vec<HeadCell> {
        let depth = over.iter().map(Vec::len).max().unwrap_or(0) + 1;
        let same_path = |a: usize, b: usize, level: usize| {
            over[b].len() > level && over[a][..=level] == over[b][..=level]
        };
        let mut cells = Vec::new();
        for row in 0..depth {
            let mut col = 0;
            while col < headers.len() {
                let path = &over[col];
                if row < path.len() {
                    let end = (col + 1..headers.len())
                        .find(|&next| !same_path(col, next, row))
                        .unwrap_or(headers.len());
                    let text = path[row].1.clone();
                    cells.push(HeadCell {
                        text,
                        row,
                        col,
                        rows: 1,
                        cols: end - col,
                    });
                    col = end;
                } else {
                    if row == path.len() {
                        let text = headers[col].clone();
                        cells.push(HeadCell {
                            text,
                            row,
                            col,
                            rows: depth - row,
                            cols: 1,
                        });
                    }
                    col += 1;
                }
            }
        }
        cells
    }
}

/// The unit amounts print in, with its name in the table's language ("тыс. тенге").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UnitLine {
    pub scale: Scale,
    pub label: String,
    /// The name of the tenge in the table's language: the unit of the exact amounts that the
    /// CSV export keeps ([`Table::exact`]).
    pub tenge: String,
}

/// Who signs: the role, and the name (or what to write there) after the line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Signature {
    pub role: String,
    pub name: String,
}

impl Signature {
    pub fn line(&self) -> String {
        format!("{} ________________ {}", self.role, self.name)
            .trim_end()
            .to_string()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Table {
    /// The form's number and the order it follows, printed above the title.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub number: Vec<String>,
    pub title: String,
    /// Lines under the title: parameters of the report (campaign, organisation, slice).
    pub subtitle: Vec<String>,
    /// The headings of an official layout in several rows with merged cells; when empty, the
    /// headings are the one row of `headers`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub head: Vec<HeadCell>,
    /// The heading of each column (the lowest row of `head`).
    pub headers: Vec<String>,
    /// Official forms number their columns 1, 2, 3… under the headings.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub numbered: bool,
    /// What each column holds (a layout's); when empty, read from the cells.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<Column>,
    /// The unit of the amounts, printed above the table; none: tenge with tiyn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitLine>,
    pub rows: Vec<Vec<Cell>>,
    /// Rows shown in bold: totals of a program within the table.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub strong_rows: Vec<usize>,
    /// The outline level of each row (0 outermost): a row followed by deeper rows is their
    /// subtotal. Empty: every row is a line, unless some are strong (then no rule applies).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<u8>,
    /// The closing total row, computed from the rows.
    pub total: Option<Vec<Cell>>,
    /// Who signs the form.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<Signature>,
    /// Lines under the table: notes, the electronic signatures made.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub footer: Vec<String>,
    /// The note under a form printed in a larger unit whose printed totals differ from the
    /// exact totals rounded ([`Table::note_rounding`]); the exact table has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounding_note: Option<String>,
}

/// A cell as printed: text, or an amount in the table's unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    Text(String),
    Amount(Printed),
}

impl Shown {
    pub fn display(&self) -> String {
        match self {
            Shown::Text(t) => t.clone(),
            Shown::Amount(a) => a.display(),
        }
    }

    fn amount(&self) -> Option<Printed> {
        match self {
            Shown::Amount(a) => Some(*a),
            Shown::Text(_) => None,
        }
    }
}

/// The rows and the total as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedTable {
    pub rows: Vec<Vec<Shown>>,
    pub total: Option<Vec<Shown>>,
}

impl Table {
    /// The table with its amounts in tenge with tiyn, for the exports that keep the exact
    /// amounts whatever unit the form prints in.
    pub fn exact(&self) -> Table {
        let mut table = self.clone();
        if let Some(unit) = table.unit.as_mut() {
            unit.scale = Scale::default();
            unit.label = unit.tenge.clone();
        }
        table.rounding_note = None;
        table
    }

    /// Notes, under a form printed in a larger unit, how far its totals — the sums of the
    /// rounded lines — are from the exact totals rounded: each such column by its number and
    /// the difference ("графа 5: -0,1"). No note where they agree.
    pub fn note_rounding(&mut self, tr: &Tr) {
        let differences = self.rounding_differences();
        if differences.is_empty() {
            return;
        }
        let column = |(col, difference): &(usize, Printed)| {
            let sign = if difference.steps > 0 { "+" } else { "" };
            tr.args(
                "report-rounding-column",
                &[
                    ("number", (col + 1).to_string()),
                    ("difference", format!("{sign}{}", difference.display())),
                ],
            )
        };
        let columns: Vec<String> = differences.iter().map(column).collect();
        let unit = self
            .unit
            .as_ref()
            .map(|u| u.label.clone())
            .unwrap_or_default();
        self.rounding_note = Some(tr.args(
            "report-rounding-note",
            &[("columns", columns.join("; ")), ("unit", unit)],
        ));
    }

    /// The scale amounts print in.
    pub fn scale(&self) -> Scale {
        self.unit.as_ref().map(|u| u.scale).unwrap_or_default()
    }

    /// The rounding rule, the one place every renderer prints amounts from. Each line is
    /// rounded to the unit, half away from zero; a total column of a layout is the sum of the
    /// row's printed cells; each subtotal and the total are the sums of the printed lines they
    /// cover, not the rounded exact sums, so the printed form adds up. In tenge with tiyn
    /// nothing is rounded and the amounts print as built.
    pub fn printed(&self) -> PrintedTable {
        let scale = self.scale();
        let shown = |row: &Vec<Cell>| -> Vec<Shown> {
            row.iter()
                .map(|cell| match cell {
                    Cell::Text(t) => Shown::Text(t.clone()),
                    Cell::Money(m) => Shown::Amount(scale.round(*m)),
                })
                .collect()
        };
        let mut rows: Vec<Vec<Shown>> = self.rows.iter().map(shown).collect();
        let mut total = self.total.as_ref().map(shown);
        if scale.step() == 1 {
            return PrintedTable { rows, total };
        }
        for row in rows.iter_mut().chain(total.iter_mut()) {
            self.apply_column_sums(row);
        }
        if let Some(levels) = self.outline() {
            sum_subtotals(&mut rows, &levels);
            if let Some(total) = total.as_mut() {
                let lines: Vec<&Vec<Shown>> = (0..rows.len())
                    .filter(|&i| is_line(&levels, i))
                    .map(|i| &rows[i])
                    .collect();
                set_sums(total, &lines);
            }
        }
        PrintedTable { rows, total }
    }

    /// How far each printed total is from the exact total rounded: (column, printed − rounded)
    /// for the columns where they differ, for a note under a form printed in thousands.
    pub fn rounding_differences(&self) -> Vec<(usize, Printed)> {
        let (Some(exact), Some(printed)) = (&self.total, self.printed().total) else {
            return Vec::new();
        };
        let scale = self.scale();
        exact
            .iter()
            .zip(printed)
            .enumerate()
            .filter_map(|(col, cell)| match cell {
                (Cell::Money(m), Shown::Amount(p)) => Some((col, p - scale.round(*m))),
                _ => None,
            })
            .filter(|(_, difference)| difference.steps != 0)
            .collect()
    }

    /// A total column's cell: the sum of the printed cells it adds up in the row.
    fn apply_column_sums(&self, row: &mut [Shown]) {
        for (col, column) in self.columns.iter().enumerate() {
            let formula = !column.plus.is_empty() || !column.minus.is_empty();
            if !formula || row.get(col).and_then(Shown::amount).is_none() {
                continue;
            }
            let term = |i: &usize| row.get(*i).and_then(Shown::amount).map_or(0, |a| a.steps);
            let steps = column.plus.iter().map(term).sum::<i64>()
                - column.minus.iter().map(term).sum::<i64>();
            if let Some(Shown::Amount(a)) = row.get_mut(col) {
                a.steps = steps;
            }
        }
    }

    /// The outline levels when the table says which rows are lines.
    fn outline(&self) -> Option<Vec<u8>> {
        if self.levels.len() == self.rows.len() {
            Some(self.levels.clone())
        } else if self.strong_rows.is_empty() {
            Some(vec![0; self.rows.len()])
        } else {
            None
        }
    }

    /// Relative widths of the columns: text columns wider than amounts.
    pub fn weights(&self) -> Vec<usize> {
        let sample = self.rows.first().or(self.total.as_ref());
        (0..self.headers.len())
            .map(
                |col| match (self.columns.get(col), sample.and_then(|r| r.get(col))) {
                    (Some(c), _) if c.kind != Kind::Text => 3,
                    (None, Some(Cell::Money(_))) => 3,
                    (_, Some(Cell::Text(t))) if t.chars().count() <= 4 => 2,
                    _ => 6,
                },
            )
            .collect()
    }

    /// Whether a column prints numbers, aligned right.
    pub fn is_numeric(&self, col: usize) -> bool {
        self.columns.get(col).is_some_and(|c| c.kind != Kind::Text)
    }

    /// Headings over spans of columns, left to right, for a table built without a layout: a
    /// group with an empty text leaves its columns' own headings spanning both rows. Called
    /// once `headers` is complete.
    pub fn set_groups(&mut self, groups: &[(String, usize)]) {
        let mut over: Vec<Vec<(String, String)>> = Vec::new();
        for (index, (text, span)) in groups.iter().enumerate() {
            let path = match text.is_empty() {
                true => vec![],
                false => vec![(index.to_string(), text.clone())],
            };
            over.extend(std::iter::repeat_n(path, *span));
        }
        over.resize(self.headers.len(), Vec::new());
        self.head = HeadCell::grid(&over, &self.headers);
    }

    /// The heading cells, the one row of `headers` when the table has no layout's grid.
    pub fn heading(&self) -> Vec<HeadCell> {
        if !self.head.is_empty() {
            return self.head.clone();
        }
        self.headers
            .iter()
            .enumerate()
            .map(|(col, h)| HeadCell {
                text: h.clone(),
                row: 0,
                col,
                rows: 1,
                cols: 1,
            })
            .collect()
    }

    /// The heading cells by the row they start in, for renderers that write row by row.
    pub fn heading_rows(&self) -> Vec<Vec<HeadCell>> {
        let cells = self.heading();
        let depth = cells.iter().map(|c| c.row + c.rows).max().unwrap_or(0);
        (0..depth)
            .map(|row| cells.iter().filter(|c| c.row == row).cloned().collect())
            .collect()
    }

    /// The column numbers 1, 2, 3 … when the layout numbers its columns.
    pub fn numbers(&self) -> Vec<String> {
        if self.numbered {
            (1..=self.headers.len()).map(|n| n.to_string()).collect()
        } else {
            Vec::new()
        }
    }

    /// The lines under the table: the signatures, then the notes, the rounding's first.
    pub fn closing_lines(&self) -> Vec<String> {
        let signatures = self.signatures.iter().map(Signature::line);
        let notes = self.rounding_note.iter().chain(&self.footer).cloned();
        signatures.chain(notes).collect()
    }
}

/// A line is a row that no deeper row follows.
fn is_line(levels: &[u8], i: usize) -> bool {
    levels.get(i + 1).is_none_or(|next| *next <= levels[i])
}

/// The lines a subtotal covers: the rows after it that are deeper than it, and no deeper row
/// follows.
fn lines_under(levels: &[u8], i: usize) -> Vec<usize> {
    let end = (i + 1..levels.len())
        .find(|&j| levels[j] <= levels[i])
        .unwrap_or(levels.len());
    (i + 1..end).filter(|&j| is_line(levels, j)).collect()
}

/// Each subtotal's amounts: the sums of the printed lines it covers.
fn sum_subtotals(rows: &mut [Vec<Shown>], levels: &[u8]) {
    for i in 0..rows.len() {
        if is_line(levels, i) {
            continue;
        }
        let lines: Vec<Vec<Shown>> = lines_under(levels, i)
            .into_iter()
            .map(|j| rows[j].clone())
            .collect();
        set_sums(&mut rows[i], &lines.iter().collect::<Vec<_>>());
    }
}

/// Every amount of `row` becomes the sum of that column's amounts in `lines` (a column no line
/// has an amount in keeps its own).
fn set_sums(row: &mut [Shown], lines: &[&Vec<Shown>]) {
    for (col, cell) in row.iter_mut().enumerate() {
        let Shown::Amount(amount) = cell else {
            continue;
        };
        let column: Vec<Printed> = lines
            .iter()
            .filter_map(|l| l.get(col).and_then(Shown::amount))
            .collect();
        if !column.is_empty() {
            amount.steps = column.iter().map(|a| a.steps).sum();
        }
    }
}

/// The report's title as the name of its file, in the table's language: without the
/// characters that file systems refuse, cut to 100 characters. None when nothing is left.
pub fn file_name(table: &Table) -> Option<String> {
    let kept: String = table
        .title
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .take(100)
        .collect();
    let name = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    (!name.is_empty()).then_some(name)
}

/// Who a CSV file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvStyle {
    /// A person opening it in Excel or LibreOffice in a Russian or Kazakh locale: UTF-8 with a
    /// byte order mark (without it Excel reads the file in the ANSI code page and garbles the
    /// Cyrillic) and a decimal comma ("1234567,89"), which that locale reads as a number.
    Spreadsheet,
    /// A program: no byte order mark, a decimal point ("1234567.89").
    Plain,
}

impl CsvStyle {
    /// The style a `format=` value asks for: `csv` for people, `csv-plain` for machines.
    pub fn of_format(format: &str) -> Option<CsvStyle> {
        match format {
            "csv" => Some(CsvStyle::Spreadsheet),
            "csv-plain" => Some(CsvStyle::Plain),
            _ => None,
        }
    }

    fn amount(self, amount: Printed) -> String {
        match self {
            CsvStyle::Spreadsheet => amount.plain().replace('.', ","),
            CsvStyle::Plain => amount.plain(),
        }
    }

    fn start(self) -> Vec<u8> {
        match self {
            CsvStyle::Spreadsheet => "\u{feff}".as_bytes().to_vec(),
            CsvStyle::Plain => Vec::new(),
        }
    }
}

/// CSV, semicolon-separated as Kazakh and Russian Excel expects, with the exact amounts
/// ([`Table::exact`]: tenge with tiyn whatever unit the form prints in) as ungrouped decimals.
/// A layout's form prints its number, title and unit first, its headings as rows with a merged
/// cell's text in its first cell, and its signatures last. Text that a spreadsheet would take
/// for a formula is written inert ([`inert`]).
pub fn to_csv(table: &Table, style: CsvStyle) -> Result<Vec<u8>, csv::Error> {
    let table = &table.exact();
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_writer(style.start());
    let official = !table.number.is_empty();
    if official {
        for line in table.number.iter().chain([&table.title]) {
            writer.write_record([inert(line)])?;
        }
        if let Some(unit) = &table.unit {
            writer.write_record([inert(&unit.label)])?;
        }
    }
    for heading in heading_grid(table) {
        writer.write_record(heading.iter().map(|h| inert(h)))?;
    }
    let numbers = table.numbers();
    if official && !numbers.is_empty() {
        writer.write_record(&numbers)?;
    }
    let cell = |cell: &Shown| match cell {
        Shown::Text(t) => inert(t),
        Shown::Amount(a) => style.amount(*a),
    };
    let printed = table.printed();
    for cells in printed.rows.iter().chain(printed.total.iter()) {
        writer.write_record(cells.iter().map(cell))?;
    }
    if official {
        for line in table.closing_lines() {
            writer.write_record([inert(&line)])?;
        }
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(std::io::Error::other(e.to_string())))
}

/// Text as a CSV cell that no spreadsheet runs: one beginning with `=`, `+`, `-`, `@`, a tab or
/// a carriage return (a formula to Excel and LibreOffice) gets a leading `'`. Amounts are
/// written as numbers and never pass here.
pub fn inert(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// The headings as rows of text: a merged cell's text in its top-left cell, blanks under the
/// rest of its span.
pub fn heading_grid(table: &Table) -> Vec<Vec<String>> {
    let cells = table.heading();
    let depth = cells.iter().map(|c| c.row + c.rows).max().unwrap_or(0);
    let mut grid = vec![vec![String::new(); table.headers.len()]; depth];
    for cell in cells {
        if let Some(slot) = grid.get_mut(cell.row).and_then(|r| r.get_mut(cell.col)) {
            *slot = cell.text;
        }
    }
    grid
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};

    pub(crate) fn table() -> Table {
        Table {
            title: "Сводная".into(),
            subtitle: vec!["Бюджет 2027–2029".into()],
            headers: vec!["Программа".into(), "2027".into()],
            rows: vec![
                vec![
                    Cell::Text("001".into()),
                    Cell::Money(Tenge::from_tiyn(123_456_789)),
                ],
                vec![Cell::Text("003".into()), Cell::Money(Tenge::from_tiyn(1))],
            ],
            total: Some(vec![
                Cell::Text("Итого".into()),
                Cell::Money(Tenge::from_tiyn(123_456_790)),
            ]),
            ..Table::default()
        }
    }

    #[test]
    fn xlsx_cells_read_back() {
        let bytes = to_xlsx(&table()).expect("xlsx");
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("open");
        let range = book.worksheet_range_at(0).expect("sheet").expect("range");
        assert_eq!(
            range.get_value((0, 0)),
            Some(&Data::String("Сводная".into()))
        );
        assert_eq!(
            range.get_value((3, 0)),
            Some(&Data::String("Программа".into()))
        );
        assert_eq!(range.get_value((4, 1)), Some(&Data::Float(1_234_567.89)));
        assert_eq!(range.get_value((6, 1)), Some(&Data::Float(1_234_567.90)));
    }

    #[test]
    fn the_file_is_named_after_the_report() {
        let mut table = table();
        table.title = "Отчёт об исполнении: бюджет/план\t\"2027\"".into();
        assert_eq!(
            file_name(&table).as_deref(),
            Some("Отчёт об исполнении бюджет план 2027")
        );
        table.title = " / ".into();
        assert_eq!(file_name(&table), None);
    }

    #[test]
    fn csv_keeps_exact_amounts() {
        let csv = |style| String::from_utf8(to_csv(&table(), style).expect("csv")).expect("utf8");
        assert_eq!(
            csv(CsvStyle::Plain),
            "Программа;2027\n001;1234567.89\n003;0.01\nИтого;1234567.90\n"
        );
        assert_eq!(
            csv(CsvStyle::Spreadsheet),
            "\u{feff}Программа;2027\n001;1234567,89\n003;0,01\nИтого;1234567,90\n",
            "a byte order mark and a decimal comma for Russian-locale Excel"
        );
        assert_eq!(CsvStyle::of_format("csv"), Some(CsvStyle::Spreadsheet));
        assert_eq!(CsvStyle::of_format("csv-plain"), Some(CsvStyle::Plain));
        assert_eq!(CsvStyle::of_format("xlsx"), None);
    }

    fn money(tiyn: i64) -> Cell {
        Cell::Money(Tenge::from_tiyn(tiyn))
    }

    fn text(t: &str) -> Cell {
        Cell::Text(t.into())
    }

    fn steps(row: &[Shown]) -> Vec<Option<i64>> {
        row.iter().map(|c| c.amount().map(|a| a.steps)).collect()
    }

    /// Thousand tenge with one decimal: a step is 10 000 tiyn (100 tenge).
    fn in_thousands(mut table: Table) -> Table {
        table.unit = Some(UnitLine {
            scale: Scale::new(Unit::ThousandTenge, 1).expect("scale"),
            label: "тыс. тенге".into(),
            tenge: "тенге".into(),
        });
        table
    }

    /// Three lines of 0.04 thousand tenge (40 tenge) each: naive rounding of the exact total
    /// (120 tenge) prints 0.1, but the lines print 0.0 each, so the total prints 0.0.
    #[test]
    fn a_total_is_the_sum_of_the_printed_lines() {
        let lines = vec![vec![text("a"), money(4_000)]; 3];
        let table = in_thousands(Table {
            headers: vec!["Код".into(), "Сумма".into()],
            rows: lines,
            total: Some(vec![text("Итого"), money(12_000)]),
            ..Table::default()
        });
        let printed = table.printed();
        assert_eq!(steps(&printed.rows[0]), vec![None, Some(0)]);
        assert_eq!(
            printed.total.as_deref().map(steps),
            Some(vec![None, Some(0)])
        );
        assert_eq!(
            Scale::new(Unit::ThousandTenge, 1).map(|s| s.round(Tenge::from_tiyn(12_000)).steps),
            Some(1)
        );
        let differences: Vec<(usize, i64)> = table
            .rounding_differences()
            .into_iter()
            .map(|(col, d)| (col, d.steps))
            .collect();
        assert_eq!(
            differences,
            vec![(1, -1)],
            "0.0 printed against 0.1 rounded"
        );
    }

    /// The note says which column's printed total differs from the exact total rounded, and
    /// by how much; the exact table (the CSV's) carries none.
    #[test]
    fn a_form_in_thousands_notes_where_its_totals_differ() {
        let mut table = in_thousands(Table {
            headers: vec!["Код".into(), "Сумма".into(), "Другая".into()],
            rows: vec![vec![text("a"), money(4_000), money(10_000)]; 3],
            total: Some(vec![text("Итого"), money(12_000), money(30_000)]),
            ..Table::default()
        });
        table.note_rounding(&Tr(jospar_i18n::Lang::Ru));
        let note = table.rounding_note.clone().expect("a note");
        assert!(
            note.contains("графа 2: -0,1") && !note.contains("графа 3"),
            "{note}"
        );
        assert!(note.contains("тыс. тенге"), "{note}");
        assert_eq!(table.closing_lines(), vec![note]);
        assert_eq!(table.exact().rounding_note, None);
        let mut agreeing = in_thousands(Table {
            rows: vec![vec![text("a"), money(10_000)]],
            total: Some(vec![text("Итого"), money(10_000)]),
            ..Table::default()
        });
        agreeing.note_rounding(&Tr(jospar_i18n::Lang::Kk));
        assert_eq!(agreeing.rounding_note, None);
    }

    /// An outline in thousands with negative amounts and halves: each subtotal is the sum of
    /// the printed lines under it, and the total the sum of all lines, at every level.
    #[test]
    fn subtotals_and_totals_add_up_as_printed() {
        // (level, tiyn): program 1 → subprograms 1.1, 1.2 → specifics; program 2 → specific.
        let outline: [(u8, i64); 8] = [
            (0, 0),
            (1, 0),
            (2, 5_000), // 0.05 → 0.1
            (2, 5_000), // 0.05 → 0.1 (exact subtotal 0.10 → 0.1, printed 0.2)
            (1, 0),
            (2, -5_000), // −0.05 → −0.1
            (0, 0),
            (2, 4_000), // 0.04 → 0.0
        ];
        let rows: Vec<Vec<Cell>> = outline
            .iter()
            .map(|(_, t)| vec![text("x"), money(*t)])
            .collect();
        let table = in_thousands(Table {
            headers: vec!["Код".into(), "Сумма".into()],
            rows,
            levels: outline.iter().map(|(l, _)| *l).collect(),
            strong_rows: vec![0, 1, 4, 6],
            total: Some(vec![text("Итого"), money(9_000)]),
            ..Table::default()
        });
        let printed = table.printed();
        let column: Vec<i64> = printed
            .rows
            .iter()
            .map(|r| r[1].amount().map_or(0, |a| a.steps))
            .collect();
        assert_eq!(column, vec![1, 2, 1, 1, -1, -1, 0, 0]);
        // Subprogram 1.1: exact 0.10 would print 0.1; its printed lines add up to 0.2.
        assert_eq!(
            printed.total.as_deref().map(steps),
            Some(vec![None, Some(1)])
        );
    }

    /// A layout's total column adds the printed cells of its row; nothing changes in tenge.
    #[test]
    fn a_total_column_adds_the_printed_cells() {
        let row = vec![text("x"), money(4_000), money(4_000), money(8_000)];
        let mut table = in_thousands(Table {
            headers: vec!["Код".into(), "A".into(), "B".into(), "A+B".into()],
            columns: vec![
                Column::default(),
                Column {
                    kind: Kind::Money,
                    ..Column::default()
                },
                Column {
                    kind: Kind::Money,
                    ..Column::default()
                },
                Column {
                    kind: Kind::Money,
                    plus: vec![1, 2],
                    minus: vec![],
                },
            ],
            rows: vec![row.clone(), row],
            total: Some(vec![
                text("Итого"),
                money(8_000),
                money(8_000),
                money(16_000),
            ]),
            ..Table::default()
        });
        let printed = table.printed();
        assert_eq!(
            steps(&printed.rows[0]),
            vec![None, Some(0), Some(0), Some(0)]
        );
        assert_eq!(
            printed.total.as_deref().map(steps),
            Some(vec![None, Some(0), Some(0), Some(0)])
        );
        table.unit = None;
        let exact = table.printed();
        assert_eq!(
            steps(&exact.rows[0]),
            vec![None, Some(4_000), Some(4_000), Some(8_000)]
        );
    }

    /// A two-level heading with numbered columns, a number, a unit and a signature.
    fn official() -> Table {
        let headers: Vec<String> = ["Код", "2027", "2028"].map(String::from).to_vec();
        let planning = ("p".to_string(), "Плановый период".to_string());
        let over = vec![vec![], vec![planning.clone()], vec![planning]];
        in_thousands(Table {
            number: vec!["Приложение 59".into(), "приказ № 195".into()],
            title: "Перечень".into(),
            head: HeadCell::grid(&over, &headers),
            headers,
            numbered: true,
            rows: vec![vec![text("001"), money(123_456_789), money(5_000)]],
            total: Some(vec![text("Итого"), money(123_456_789), money(5_000)]),
            signatures: vec![Signature {
                role: "Руководитель".into(),
                name: "(подпись)".into(),
            }],
            ..Table::default()
        })
    }

    #[test]
    fn xlsx_merges_the_spans_of_the_headings() {
        let bytes = to_xlsx(&official()).expect("xlsx");
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("open");
        let merged = book
            .worksheet_merge_cells_at(0)
            .expect("sheet")
            .expect("merges");
        let spans: Vec<((u32, u32), (u32, u32))> =
            merged.iter().map(|d| (d.start, d.end)).collect();
        // Rows: 0–1 the number, 2 the title, 3 the unit, 5–6 the headings, 7 the numbers.
        assert!(
            spans.contains(&((5, 1), (5, 2))),
            "the group over two years: {spans:?}"
        );
        assert!(
            spans.contains(&((5, 0), (6, 0))),
            "the code down two rows: {spans:?}"
        );
        let range = book.worksheet_range_at(0).expect("sheet").expect("range");
        let at = |r, c| {
            range
                .get_value((r, c))
                .map(|v| v.to_string())
                .unwrap_or_default()
        };
        assert_eq!(
            (at(0, 2), at(3, 2)),
            ("Приложение 59".into(), "тыс. тенге".into())
        );
        assert_eq!(
            (at(5, 1), at(6, 2), at(7, 2)),
            ("Плановый период".into(), "2028".into(), "3".into())
        );
        assert_eq!(range.get_value((8, 1)), Some(&Data::Float(1_234.6)));
        assert_eq!(range.get_value((8, 2)), Some(&Data::Float(0.1)));
        assert!((0..14).any(|r| at(r, 0).starts_with("Руководитель ____")));
    }

    #[test]
    fn csv_and_html_rows_carry_the_layout() {
        let csv = to_csv(&official(), CsvStyle::Plain).expect("csv");
        let text = String::from_utf8(csv).expect("utf8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            vec![
                "Приложение 59",
                "приказ № 195",
                "Перечень",
                "тенге",
                "Код;Плановый период;",
                ";2027;2028",
                "1;2;3",
                "001;1234567.89;50.00",
                "Итого;1234567.89;50.00",
                "Руководитель ________________ (подпись)",
            ]
        );
        let rows = official().heading_rows();
        let spans: Vec<Vec<(&str, usize, usize)>> = rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| (c.text.as_str(), c.cols, c.rows))
                    .collect()
            })
            .collect();
        assert_eq!(
            spans,
            vec![
                vec![("Код", 1, 2), ("Плановый период", 2, 1)],
                vec![("2027", 1, 1), ("2028", 1, 1)],
            ]
        );
    }

    proptest::proptest! {
        /// Any outline of any amounts, in thousands with one decimal: every printed subtotal is
        /// the sum of the printed lines it covers, the total that of all lines, and each line
        /// is within half a step of its exact amount.
        #[test]
        fn printed_forms_always_add_up(
            outline in proptest::collection::vec((0u8..4, -10_000_000i64..10_000_000), 1..40)
        ) {
            let levels: Vec<u8> = outline.iter().map(|(l, _)| *l).collect();
            let rows: Vec<Vec<Cell>> = outline.iter().map(|(_, t)| vec![money(*t)]).collect();
            let exact: i64 = (0..rows.len()).filter(|&i| is_line(&levels, i)).map(|i| outline[i].1).sum();
            let table = in_thousands(Table {
                headers: vec!["Сумма".into()],
                rows,
                levels: levels.clone(),
                total: Some(vec![money(exact)]),
                ..Table::default()
            });
            let printed = table.printed();
            let at = |i: usize| printed.rows[i][0].amount().map_or(0, |a| a.steps);
            for i in 0..levels.len() {
                if is_line(&levels, i) {
                    proptest::prop_assert!((at(i) * 10_000 - outline[i].1).abs() * 2 <= 10_000);
                    continue;
                }
                let end = (i + 1..levels.len()).find(|&j| levels[j] <= levels[i]).unwrap_or(levels.len());
                let lines: i64 = (i + 1..end).filter(|&j| is_line(&levels, j)).map(at).sum();
                proptest::prop_assert_eq!(at(i), lines);
            }
            let lines: i64 = (0..levels.len()).filter(|&i| is_line(&levels, i)).map(at).sum();
            let total = printed.total.as_ref().and_then(|t| t[0].amount()).map(|a| a.steps);
            proptest::prop_assert_eq!(total, Some(lines));
        }
    }

    #[test]
    fn groups_over_spans_become_a_two_row_heading() {
        let mut table = Table {
            headers: ["Код", "1", "2", "Итого"].map(String::from).to_vec(),
            ..Table::default()
        };
        table.set_groups(&[(String::new(), 1), ("Месяцы".into(), 2)]);
        let rows = table.heading_rows();
        let first: Vec<(&str, usize, usize)> = rows[0]
            .iter()
            .map(|c| (c.text.as_str(), c.cols, c.rows))
            .collect();
        assert_eq!(
            first,
            vec![("Код", 1, 2), ("Месяцы", 2, 1), ("Итого", 1, 2)]
        );
        assert_eq!(rows[1].len(), 2);
    }

    #[test]
    fn the_pdf_of_a_layout_renders() {
        let pdf = to_pdf(&official()).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
    }

    #[test]
    fn csv_text_that_a_spreadsheet_would_run_is_written_inert() {
        let table = Table {
            title: "=HYPERLINK(\"http://evil.example\")".into(),
            headers: vec!["@SUM(A1)".into(), "Сумма".into()],
            rows: vec![
                vec![
                    Cell::Text("+7 701".into()),
                    Cell::Money(Tenge::from_tiyn(-150)),
                ],
                vec![
                    Cell::Text("\t=1+1".into()),
                    Cell::Money(Tenge::from_tiyn(250)),
                ],
                vec![Cell::Text("-2".into()), Cell::Text("Школа №5".into())],
            ],
            ..Table::default()
        };
        let csv = to_csv(&table, CsvStyle::Plain).expect("csv");
        let text = String::from_utf8(csv).expect("utf8");
        assert!(text.contains("'@SUM(A1)"), "{text}");
        assert!(
            text.contains("'+7 701;-1.50"),
            "negative amounts stay numbers: {text}"
        );
        assert!(text.contains("'\t=1+1;2.50"), "{text}");
        assert!(text.contains("'-2;Школа №5"), "{text}");
        for line in text.lines() {
            assert!(!line.starts_with(['=', '+', '-', '@']), "{line}");
        }
    }
}
