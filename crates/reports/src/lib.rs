//! The report engine's table model and its renderings (P-19): one table → HTML (by the
//! pages), XLSX, PDF, CSV and JSON. Amounts stay integer tiyn up to the file: an XLSX cell holds
//! the tenge value with two decimals and the sheet's number format.

pub mod catalogue;
mod pdf;
pub use pdf::{REGULAR as FONT, to_pdf};

use jospar_core::Tenge;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};
use serde::Serialize;

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

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Table {
    pub title: String,
    /// Lines under the title: parameters of the report (campaign, organisation, slice).
    pub subtitle: Vec<String>,
    /// An upper header row of an official layout: a heading over that many columns.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<(String, usize)>,
    pub headers: Vec<String>,
    /// Official forms number their columns 1, 2, 3… under the headings.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub numbered: bool,
    pub rows: Vec<Vec<Cell>>,
    /// Rows shown in bold: totals of a program within the table.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub strong_rows: Vec<usize>,
    /// The closing total row, computed from the rows.
    pub total: Option<Vec<Cell>>,
    /// Lines under the table: who signs, with places for signature and date.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub footer: Vec<String>,
}

impl Table {
    /// Relative widths of the columns: text columns wider than amounts.
    pub fn weights(&self) -> Vec<usize> {
        let sample = self.rows.first().or(self.total.as_ref());
        (0..self.headers.len())
            .map(|col| match sample.and_then(|r| r.get(col)) {
                Some(Cell::Money(_)) => 3,
                Some(Cell::Text(t)) if t.chars().count() <= 4 => 2,
                _ => 6,
            })
            .collect()
    }
}

pub fn to_xlsx(table: &Table) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let bold = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center);
    let money = Format::new().set_num_format("#,##0.00");
    let money_bold = Format::new().set_num_format("#,##0.00").set_bold();
    sheet.write_string_with_format(0, 0, &table.title, &bold)?;
    let mut row: u32 = 1;
    for line in &table.subtitle {
        sheet.write_string(row, 0, line)?;
        row += 1;
    }
    row += 1;
    if !table.groups.is_empty() {
        let mut first: u16 = 0;
        for (text, span) in &table.groups {
            let last = first + (*span).max(1) as u16 - 1;
            if last > first {
                sheet.merge_range(row, first, row, last, text, &header)?;
            } else {
                sheet.write_string_with_format(row, first, text, &header)?;
            }
            first = last + 1;
        }
        row += 1;
    }
    for (col, name) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, name, &header)?;
        let width = match table.weights().get(col) {
            Some(6) if col == 0 || table.headers.len() < 6 => 48,
            Some(6) => 30,
            Some(3) => 18,
            _ => 9,
        };
        sheet.set_column_width(col as u16, width)?;
    }
    if table.numbered {
        row += 1;
        for col in 0..table.headers.len() {
            sheet.write_string_with_format(row, col as u16, (col + 1).to_string(), &header)?;
        }
    }
    let mut write_row = |row: u32, cells: &[Cell], strong: bool| -> Result<(), XlsxError> {
        for (col, cell) in cells.iter().enumerate() {
            match cell {
                Cell::Text(t) if strong => sheet
                    .write_string_with_format(row, col as u16, t, &bold)
                    .map(|_| ())?,
                Cell::Text(t) => sheet.write_string(row, col as u16, t).map(|_| ())?,
                // The only conversion to a float, at the file's edge: Excel numbers are doubles.
                Cell::Money(m) => sheet
                    .write_number_with_format(
                        row,
                        col as u16,
                        m.tiyn() as f64 / 100.0,
                        if strong { &money_bold } else { &money },
                    )
                    .map(|_| ())?,
            }
        }
        Ok(())
    };
    for (index, cells) in table.rows.iter().enumerate() {
        row += 1;
        write_row(row, cells, table.strong_rows.contains(&index))?;
    }
    if let Some(total) = &table.total {
        row += 1;
        write_row(row, total, true)?;
    }
    row += 1;
    for line in &table.footer {
        row += 1;
        sheet.write_string(row, 0, line)?;
    }
    workbook.save_to_buffer()
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

/// CSV with amounts as decimal tenge ("1234567.89"), semicolon-separated as Kazakh Excel expects.
pub fn to_csv(table: &Table) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    writer.write_record(&table.headers)?;
    let plain = |cell: &Cell| match cell {
        Cell::Text(t) => t.clone(),
        Cell::Money(m) => {
            let t = m.tiyn();
            format!(
                "{}{}.{:02}",
                if t < 0 { "-" } else { "" },
                t.unsigned_abs() / 100,
                t.unsigned_abs() % 100
            )
        }
    };
    for cells in table.rows.iter().chain(table.total.iter()) {
        writer.write_record(cells.iter().map(plain))?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(std::io::Error::other(e.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};

    fn table() -> Table {
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
    fn csv_keeps_exact_amounts() {
        let text = String::from_utf8(to_csv(&table()).expect("csv")).expect("utf8");
        assert_eq!(
            text,
            "Программа;2027\n001;1234567.89\n003;0.01\nИтого;1234567.90\n"
        );
    }
}
