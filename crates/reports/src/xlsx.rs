//! XLSX rendering of a table (P-19), set up to print as the official form from Excel or
//! LibreOffice: the sheet named after the report in its language, A4, landscape when the
//! columns are wider than a portrait page, fitted to the page width, the heading rows repeated
//! on every page and the pages numbered. Subtotals and totals are formulas over the lines they
//! add up, with the printed value cached, so an edited copy still adds up and a reader that
//! does not recalculate shows the number.

use crate::{Printed, PrintedTable, Scale, Shown, Table, is_line, lines_under};
use rust_xlsxwriter::utility::{cell_range, row_col_to_cell};
use rust_xlsxwriter::{Format, FormatAlign, Formula, Workbook, Worksheet, XlsxError};

/// The widest a table may be, in character widths, to print on a portrait A4 page without
/// shrinking the letters below what reads (about 190 mm at Excel's default character width).
const PORTRAIT_WIDTH: f64 = 110.0;
/// Excel takes at most 255 arguments in a function: a SUM over more runs of lines is written
/// as its value.
const MAX_SUM_ARGUMENTS: usize = 255;
/// A4 in Excel's numbering of paper sizes.
const A4: u8 = 9;

/// The formats of an XLSX rendering.
struct Formats {
    bold: Format,
    right: Format,
    header: Format,
    money: Format,
    money_bold: Format,
}

impl Formats {
    fn new(scale: Scale) -> Formats {
        let number = Printed::excel_format(scale.decimals);
        Formats {
            bold: Format::new().set_bold(),
            right: Format::new().set_align(FormatAlign::Right),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_border(rust_xlsxwriter::FormatBorder::Thin),
            money: Format::new().set_num_format(&number),
            money_bold: Format::new().set_num_format(&number).set_bold(),
        }
    }
}

/// The rows of the table as printed and where they start on the sheet.
struct Body<'a> {
    table: &'a Table,
    f: Formats,
    printed: PrintedTable,
    /// The outline levels, when the table says which rows are lines ([`Table::outline`]).
    levels: Option<Vec<u8>>,
    first: u32,
}

pub fn to_xlsx(table: &Table) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    if let Some(name) = sheet_name(&table.title) {
        sheet.set_name(name)?;
    }
    let f = Formats::new(table.scale());
    let last_col = table.headers.len().saturating_sub(1) as u16;
    let mut row: u32 = 0;
    // The form's number in the top right corner, as the orders print it.
    for line in &table.number {
        sheet.write_string_with_format(row, last_col, line, &f.right)?;
        row += 1;
    }
    sheet.write_string_with_format(row, 0, &table.title, &f.bold)?;
    for line in &table.subtitle {
        row += 1;
        sheet.write_string(row, 0, line)?;
    }
    if let Some(unit) = &table.unit {
        row += 1;
        sheet.write_string_with_format(row, last_col, &unit.label, &f.right)?;
    }
    row += 2;
    let first = write_heading(sheet, table, &f, row)?;
    print_setup(sheet, table, (row, first - 1))?;
    let body = Body {
        table,
        f,
        printed: table.printed(),
        levels: table.outline(),
        first,
    };
    row = body.write(sheet)?;
    for line in table.closing_lines() {
        row += 1;
        sheet.write_string(row, 0, line)?;
    }
    workbook.save_to_buffer()
}

/// The report's title as a sheet name: without the characters Excel refuses in one, cut to
/// its 31 characters. None when nothing is left (the sheet keeps its default name).
fn sheet_name(title: &str) -> Option<String> {
    let kept: String = title
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    let name = kept.trim().trim_matches('\'').trim();
    let reserved = name.eq_ignore_ascii_case("history");
    (!name.is_empty() && !reserved).then(|| name.to_string())
}

/// The widths of the columns in characters: names wide, amounts to fit a billion with tiyn.
fn widths(table: &Table) -> Vec<f64> {
    let weights = table.weights();
    let wide = table.headers.len() < 6;
    let width = |(col, weight): (usize, &usize)| match weight {
        6 if col == 0 || wide => 48.0,
        6 => 30.0,
        3 => 18.0,
        _ => 9.0,
    };
    weights.iter().enumerate().map(width).collect()
}

/// A4, landscape when the columns are wider than a portrait page, fitted to the page width
/// (as many pages down as it takes), the heading rows `repeat` on every page, the pages
/// numbered ("3 / 12", the same in both languages).
fn print_setup(sheet: &mut Worksheet, table: &Table, repeat: (u32, u32)) -> Result<(), XlsxError> {
    sheet.set_paper_size(A4);
    if widths(table).iter().sum::<f64>() > PORTRAIT_WIDTH {
        sheet.set_landscape();
    }
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(repeat.0, repeat.1)?;
    sheet.set_footer("&C&P / &N");
    Ok(())
}

/// The headings from `row` on, merged cells for the spans, then the column numbers; the
/// column widths. Returns the first row after them.
fn write_heading(
    sheet: &mut Worksheet,
    table: &Table,
    f: &Formats,
    row: u32,
) -> Result<u32, XlsxError> {
    let heading = table.heading();
    for cell in &heading {
        let (top, left) = (row + cell.row as u32, cell.col as u16);
        let (bottom, right) = (top + cell.rows as u32 - 1, left + cell.cols as u16 - 1);
        if (bottom, right) == (top, left) {
            sheet.write_string_with_format(top, left, &cell.text, &f.header)?;
        } else {
            sheet.merge_range(top, left, bottom, right, &cell.text, &f.header)?;
        }
    }
    for (col, width) in widths(table).into_iter().enumerate() {
        sheet.set_column_width(col as u16, width)?;
    }
    let mut row = row + heading.iter().map(|c| c.row + c.rows).max().unwrap_or(0) as u32;
    let numbers = table.numbers();
    for (col, n) in numbers.iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, n, &f.header)?;
    }
    if !numbers.is_empty() {
        row += 1;
    }
    Ok(row)
}

impl Body<'_> {
    /// The rows, then the total; returns the row after them.
    fn write(&self, sheet: &mut Worksheet) -> Result<u32, XlsxError> {
        let mut row = self.first;
        for (index, cells) in self.printed.rows.iter().enumerate() {
            let strong = self.table.strong_rows.contains(&index);
            self.write_row(sheet, row, cells, strong, &self.covered(Some(index)))?;
            row += 1;
        }
        if let Some(total) = &self.printed.total {
            self.write_row(sheet, row, total, true, &self.covered(None))?;
            row += 1;
        }
        Ok(row)
    }

    /// The lines a row adds up (`None`: the total, all of them); none for a line, or when the
    /// table has no outline.
    fn covered(&self, index: Option<usize>) -> Vec<usize> {
        let Some(levels) = &self.levels else {
            return Vec::new();
        };
        match index {
            Some(i) if is_line(levels, i) => Vec::new(),
            Some(i) => lines_under(levels, i),
            None => (0..levels.len()).filter(|&i| is_line(levels, i)).collect(),
        }
    }

    /// A row of cells; the percentages and counts of a layout, kept as text, align right. An
    /// amount that is the sum of the `lines` it covers is written as that SUM.
    fn write_row(
        &self,
        sheet: &mut Worksheet,
        row: u32,
        cells: &[Shown],
        strong: bool,
        lines: &[usize],
    ) -> Result<(), XlsxError> {
        let f = &self.f;
        for (index, cell) in cells.iter().enumerate() {
            let col = index as u16;
            match cell {
                Shown::Text(t) if strong => sheet.write_string_with_format(row, col, t, &f.bold)?,
                Shown::Text(t) if self.table.is_numeric(index) => {
                    sheet.write_string_with_format(row, col, t, &f.right)?
                }
                Shown::Text(t) => sheet.write_string(row, col, t)?,
                Shown::Amount(a) => {
                    let format = if strong { &f.money_bold } else { &f.money };
                    match self.sum(index, lines, *a) {
                        Some(formula) => {
                            sheet.write_formula_with_format(row, col, formula, format)?
                        }
                        None => sheet.write_number_with_format(row, col, a.as_f64(), format)?,
                    }
                }
            };
        }
        Ok(())
    }

    /// `=SUM(…)` of column `col` over the `lines`, each run of neighbouring lines one range,
    /// with `value` cached as its result. None when there are no lines, when the printed value
    /// is not their sum (a table whose total is not its lines' sum keeps its number), or when
    /// the runs are more than a SUM takes.
    fn sum(&self, col: usize, lines: &[usize], value: Printed) -> Option<Formula> {
        let amount = |i: &usize| self.printed.rows[*i].get(col).and_then(Shown::amount);
        let steps: i64 = lines.iter().filter_map(amount).map(|a| a.steps).sum();
        if lines.is_empty() || steps != value.steps {
            return None;
        }
        let runs = runs(lines);
        if runs.len() > MAX_SUM_ARGUMENTS {
            return None;
        }
        let (first, col) = (self.first, col as u16);
        let reference = |(from, to): (usize, usize)| match from == to {
            true => row_col_to_cell(first + from as u32, col),
            false => cell_range(first + from as u32, col, first + to as u32, col),
        };
        let arguments: Vec<String> = runs.into_iter().map(reference).collect();
        let formula = Formula::new(format!("=SUM({})", arguments.join(",")));
        Some(formula.set_result(value.plain()))
    }
}

/// Ascending row numbers as runs of neighbours: [1, 2, 3, 5] → [(1, 3), (5, 5)].
fn runs(rows: &[usize]) -> Vec<(usize, usize)> {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &row in rows {
        match runs.last_mut() {
            Some(run) if run.1 + 1 == row => run.1 = row,
            _ => runs.push((row, row)),
        }
    }
    runs
}

/// A plain sheet for data exchange: the headings in row 1 and text rows below (an import
/// template, say), with no title block.
pub fn to_plain_xlsx(headers: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let header = Format::new().set_bold().set_text_wrap();
    for (col, name) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, name, &header)?;
        sheet.set_column_width(col as u16, 18)?;
    }
    for (r, cells) in rows.iter().enumerate() {
        for (col, text) in cells.iter().enumerate() {
            sheet.write_string(r as u32 + 1, col as u16, text)?;
        }
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cell;
    use calamine::{Data, Reader, Xlsx};
    use jospar_core::Tenge;
    use std::io::{Cursor, Read};

    fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
        Xlsx::new(Cursor::new(bytes.to_vec())).expect("open")
    }

    /// A part of the workbook's archive, as text.
    fn part(bytes: &[u8], name: &str) -> String {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
        let mut text = String::new();
        let mut file = archive.by_name(name).expect(name);
        file.read_to_string(&mut text).expect("utf8");
        text
    }

    fn money(tiyn: i64) -> Cell {
        Cell::Money(Tenge::from_tiyn(tiyn))
    }

    fn text(t: &str) -> Cell {
        Cell::Text(t.into())
    }

    /// A program (a subtotal) over two lines, a line alone, and the total: 8 columns of
    /// amounts, wider than a portrait page.
    fn wide() -> Table {
        let row = |name: &str, tiyn: i64| {
            let mut cells = vec![text(name)];
            cells.extend((1..=8).map(|k| money(tiyn * k)));
            cells
        };
        let mut headers = vec!["Наименование".to_string()];
        headers.extend((1..=8).map(|k| format!("Графа {k}")));
        Table {
            title: "Отчёт об исполнении: бюджет/план [2027]".into(),
            headers,
            rows: vec![
                row("001", 300),
                row("a", 100),
                row("b", 200),
                row("002", 50),
            ],
            levels: vec![0, 1, 1, 0],
            strong_rows: vec![0],
            total: Some(row("Итого", 350)),
            ..Table::default()
        }
    }

    #[test]
    fn the_sheet_is_named_after_the_report_and_set_up_to_print() {
        let bytes = to_xlsx(&wide()).expect("xlsx");
        assert_eq!(
            open(&bytes).sheet_names(),
            vec!["Отчёт об исполнении бюджетплан"],
            "without the characters Excel refuses, 31 characters"
        );
        let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
        assert!(sheet.contains(r#"orientation="landscape""#), "{sheet}");
        assert!(sheet.contains(r#"paperSize="9""#), "A4: {sheet}");
        assert!(
            sheet.contains(r#"fitToHeight="0""#),
            "one page wide: {sheet}"
        );
        assert!(
            sheet.contains("<oddFooter>&amp;C&amp;P / &amp;N</oddFooter>"),
            "{sheet}"
        );
        let book = part(&bytes, "xl/workbook.xml");
        // Rows 3 (the title is row 1, a blank row 2): the one row of headings, on every page.
        assert!(book.contains("_xlnm.Print_Titles"), "{book}");
        assert!(book.contains("!$3:$3</definedName>"), "{book}");
        let narrow = Table {
            title: "Сводная".into(),
            headers: vec!["Программа".into(), "2027".into()],
            rows: vec![vec![text("001"), money(1)]],
            ..Table::default()
        };
        let sheet = part(&to_xlsx(&narrow).expect("xlsx"), "xl/worksheets/sheet1.xml");
        assert!(
            !sheet.contains("landscape"),
            "a narrow form prints portrait"
        );
    }

    #[test]
    fn subtotals_and_totals_are_sums_of_the_lines_with_the_value_cached() {
        let bytes = to_xlsx(&wide()).expect("xlsx");
        let mut book = open(&bytes);
        let name = book.sheet_names()[0].clone();
        let formulas = book.worksheet_formula(&name).expect("formulas");
        let values = book.worksheet_range(&name).expect("values");
        let formula = |r: u32, c: u32| formulas.get_value((r, c)).cloned().unwrap_or_default();
        // Rows: 0 the title, 2 the headings, 3–6 the rows, 7 the total.
        assert_eq!(formula(3, 1), "SUM(B5:B6)", "the program over its lines");
        assert_eq!(formula(4, 1), "", "a line is a number");
        assert_eq!(formula(7, 8), "SUM(I5:I7)", "the total over every line");
        assert_eq!(values.get_value((7, 8)), Some(&Data::Float(28.0)));
        assert_eq!(values.get_value((3, 1)), Some(&Data::Float(3.0)));
        // A total that is not the sum of its lines keeps its number.
        let mut odd = wide();
        let mut total = vec![text("Итого")];
        total.extend((1..=8).map(|_| money(1)));
        odd.total = Some(total);
        let bytes = to_xlsx(&odd).expect("xlsx");
        let mut book = open(&bytes);
        let formulas = book.worksheet_formula(&name).expect("formulas");
        assert_eq!(formulas.get_value((7, 1)).cloned().unwrap_or_default(), "");
    }

    #[test]
    fn runs_of_neighbouring_rows() {
        assert_eq!(runs(&[1, 2, 3, 5, 7, 8]), vec![(1, 3), (5, 5), (7, 8)]);
        assert_eq!(runs(&[]), Vec::<(usize, usize)>::new());
    }
}
