//! PDF rendering of a table (P-19) with DejaVu Sans, which covers the Kazakh letters
//! (ә ғ қ ң ө ұ ү һ і); landscape A4 for the wide official layouts, pages added as needed.

use crate::{Shown, Table};
use genpdf::elements::{FrameCellDecorator, Paragraph, TableLayout};
use genpdf::fonts::{FontData, FontFamily};
use genpdf::style::Style;
use genpdf::{Alignment, Element, SimplePageDecorator};

/// DejaVu Sans (also what the benchmark plot is lettered in).
pub const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

fn fonts() -> Result<FontFamily<FontData>, genpdf::error::Error> {
    let regular = FontData::new(REGULAR.to_vec(), None)?;
    let bold = FontData::new(BOLD.to_vec(), None)?;
    Ok(FontFamily {
        regular: regular.clone(),
        bold: bold.clone(),
        italic: regular,
        bold_italic: bold,
    })
}

pub fn to_pdf(table: &Table) -> Result<Vec<u8>, genpdf::error::Error> {
    let mut doc = genpdf::Document::new(fonts()?);
    doc.set_title(table.title.clone());
    // Without the PDF/A ICC profile and metadata, which would add half a megabyte per file.
    doc.set_minimal_conformance();
    doc.set_paper_size(genpdf::Size::new(297, 210));
    doc.set_font_size(7);
    let mut pages = SimplePageDecorator::new();
    pages.set_margins(10);
    doc.set_page_decorator(pages);
    // The form's number in the top right corner, as the orders print it.
    for line in &table.number {
        doc.push(Paragraph::new(line.clone()).aligned(Alignment::Right));
    }
    let bold = Style::new().bold();
    doc.push(
        Paragraph::new(table.title.clone())
            .aligned(Alignment::Center)
            .styled(bold.with_font_size(10)),
    );
    for line in &table.subtitle {
        doc.push(Paragraph::new(line.clone()).aligned(Alignment::Center));
    }
    if let Some(unit) = &table.unit {
        doc.push(Paragraph::new(unit.label.clone()).aligned(Alignment::Right));
    }
    doc.push(genpdf::elements::Break::new(1));
    let weights = table.weights();
    let rows = table.heading_rows();
    // genpdf has no merged cells: each row of headings is a table of its own whose cells are as
    // wide as the columns they span; a heading spanning rows is written in its lowest row.
    for row in 0..rows.len().saturating_sub(1) {
        let (cell_weights, texts) = heading_row(table, &weights, row);
        let mut layout = framed(cell_weights);
        layout.push_row(texts.iter().map(|t| heading(t)).collect())?;
        doc.push(layout);
    }
    let mut body = framed(weights.clone());
    if let Some(last) = rows.len().checked_sub(1) {
        let (_, texts) = heading_row(table, &vec![1; weights.len()], last);
        body.push_row(texts.iter().map(|t| heading(t)).collect())?;
    }
    let numbers = table.numbers();
    if !numbers.is_empty() {
        body.push_row(numbers.iter().map(|n| heading(n)).collect())?;
    }
    let printed = table.printed();
    for (index, row) in printed.rows.iter().enumerate() {
        body.push_row(cells(table, row, table.strong_rows.contains(&index)))?;
    }
    if let Some(total) = &printed.total {
        body.push_row(cells(table, total, true))?;
    }
    doc.push(body);
    let closing = table.closing_lines();
    if !closing.is_empty() {
        doc.push(genpdf::elements::Break::new(2));
        for line in closing {
            doc.push(Paragraph::new(line));
            doc.push(genpdf::elements::Break::new(1));
        }
    }
    let mut out = Vec::new();
    doc.render(&mut out)?;
    Ok(out)
}

/// Heading row `row` as cells across the width: the weight each covers and its text (blank
/// where a heading from above spans down and is written lower).
fn heading_row(table: &Table, weights: &[usize], row: usize) -> (Vec<usize>, Vec<String>) {
    let heading = table.heading();
    let mut out = (Vec::new(), Vec::new());
    let mut col = 0;
    while col < weights.len() {
        let here = heading
            .iter()
            .find(|c| c.col <= col && col < c.col + c.cols && c.row <= row && row < c.row + c.rows);
        let (cols, text) = match here {
            Some(c) if c.row + c.rows - 1 == row => (c.cols, c.text.clone()),
            Some(c) => (c.cols, String::new()),
            None => (1, String::new()),
        };
        let end = (col + cols.max(1)).min(weights.len());
        out.0.push(weights[col..end].iter().sum::<usize>().max(1));
        out.1.push(text);
        col = end;
    }
    out
}

fn framed(weights: Vec<usize>) -> TableLayout {
    let mut layout = TableLayout::new(weights);
    layout.set_cell_decorator(FrameCellDecorator::new(true, true, false));
    layout
}

fn heading(text: &str) -> Box<dyn Element> {
    Box::new(
        Paragraph::new(text.to_string())
            .aligned(Alignment::Center)
            .styled(Style::new().bold())
            .padded(1),
    )
}

fn cells(table: &Table, row: &[Shown], strong: bool) -> Vec<Box<dyn Element>> {
    let style = if strong {
        Style::new().bold()
    } else {
        Style::new()
    };
    row.iter()
        .enumerate()
        .map(|(col, cell)| -> Box<dyn Element> {
            let alignment = match cell {
                Shown::Amount(_) => Alignment::Right,
                Shown::Text(_) if table.is_numeric(col) => Alignment::Right,
                Shown::Text(_) => Alignment::Left,
            };
            Box::new(
                Paragraph::new(cell.display())
                    .aligned(alignment)
                    .styled(style)
                    .padded(1),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cell;
    use jospar_core::Tenge;

    #[test]
    fn a_long_kazakh_table_becomes_a_pdf_of_several_pages() {
        let rows: Vec<Vec<Cell>> = (0..300)
            .map(|i| {
                vec![
                    Cell::Text(format!(
                        "{i:03} Білім беру ұйымдарының қызметін қамтамасыз ету"
                    )),
                    Cell::Money(Tenge::from_tiyn(i * 1_000_001)),
                ]
            })
            .collect();
        let headers = vec!["Бағдарлама".to_string(), "2027".to_string()];
        let over = vec![vec![], vec![("p".into(), "Жоспарлы кезең".into())]];
        let table = Table {
            title: "Бюджеттік өтінім".into(),
            number: vec!["57-қосымша".into()],
            head: crate::HeadCell::grid(&over, &headers),
            headers,
            numbered: true,
            rows,
            strong_rows: vec![0],
            total: Some(vec![Cell::Text("Барлығы".into()), Cell::Money(Tenge::ZERO)]),
            signatures: vec![crate::Signature {
                role: "Басшы".into(),
                name: String::new(),
            }],
            ..Table::default()
        };
        let pdf = to_pdf(&table).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        let pages: usize = text
            .split("/Type/Pages/Count ")
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .expect("page count");
        assert!(pages >= 3, "pages: {pages}");
        assert!(pdf.len() < 1_000_000, "{} bytes", pdf.len());
    }
}
