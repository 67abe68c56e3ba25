//! PDF rendering of a table (P-19) with DejaVu Sans, which covers the Kazakh letters
//! (ә ғ қ ң ө ұ ү һ і); landscape A4 for the wide official layouts, pages added as needed.

use crate::{Cell, Table};
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
    let bold = Style::new().bold();
    doc.push(
        Paragraph::new(table.title.clone())
            .aligned(Alignment::Center)
            .styled(bold.with_font_size(10)),
    );
    for line in &table.subtitle {
        doc.push(Paragraph::new(line.clone()).aligned(Alignment::Center));
    }
    doc.push(genpdf::elements::Break::new(1));
    let weights = table.weights();
    if !table.groups.is_empty() {
        let mut start = 0;
        let group_weights: Vec<usize> = table
            .groups
            .iter()
            .map(|(_, span)| {
                let end = (start + (*span).max(1)).min(weights.len());
                let weight = weights[start.min(end)..end].iter().sum::<usize>().max(1);
                start = end;
                weight
            })
            .collect();
        let mut groups = framed(group_weights);
        let cells = table.groups.iter().map(|(text, _)| heading(text)).collect();
        groups.push_row(cells)?;
        doc.push(groups);
    }
    let mut body = framed(weights);
    body.push_row(table.headers.iter().map(|h| heading(h)).collect())?;
    if table.numbered {
        body.push_row(
            (1..=table.headers.len())
                .map(|n| heading(&n.to_string()))
                .collect(),
        )?;
    }
    for (index, row) in table.rows.iter().enumerate() {
        body.push_row(cells(row, table.strong_rows.contains(&index)))?;
    }
    if let Some(total) = &table.total {
        body.push_row(cells(total, true))?;
    }
    doc.push(body);
    if !table.footer.is_empty() {
        doc.push(genpdf::elements::Break::new(2));
        for line in &table.footer {
            doc.push(Paragraph::new(line.clone()));
            doc.push(genpdf::elements::Break::new(1));
        }
    }
    let mut out = Vec::new();
    doc.render(&mut out)?;
    Ok(out)
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

fn cells(row: &[Cell], strong: bool) -> Vec<Box<dyn Element>> {
    let style = if strong {
        Style::new().bold()
    } else {
        Style::new()
    };
    row.iter()
        .map(|cell| -> Box<dyn Element> {
            let alignment = match cell {
                Cell::Money(_) => Alignment::Right,
                Cell::Text(_) => Alignment::Left,
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
        let table = Table {
            title: "Бюджеттік өтінім".into(),
            subtitle: vec!["мың теңге".into()],
            groups: vec![(String::new(), 1), ("Жоспарлы кезең".into(), 1)],
            headers: vec!["Бағдарлама".into(), "2027".into()],
            numbered: true,
            rows,
            strong_rows: vec![0],
            total: Some(vec![Cell::Text("Барлығы".into()), Cell::Money(Tenge::ZERO)]),
            footer: vec!["Басшы ____________".into()],
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
