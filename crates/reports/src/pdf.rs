//! PDF rendering of a table (P-19) with DejaVu Sans, which covers the Kazakh letters
//! (ә ғ қ ң ө ұ ү һ і). The page is A4, portrait when the columns fit it and landscape when the
//! form is wide; each column is at least as wide as its longest heading word and its widest
//! amount (genpdf drops the rest of a paragraph whose word does not fit its cell), the font
//! shrinking when even landscape is too narrow. Amounts never break across lines, pages are
//! numbered, and the title in the document's information is readable in any language.

use crate::{PrintedTable, Shown, Table};
use genpdf::elements::{FrameCellDecorator, Paragraph, TableLayout};
use genpdf::fonts::{FontCache, FontData, FontFamily};
use genpdf::style::Style;
use genpdf::{Alignment, Element, SimplePageDecorator};

/// DejaVu Sans (also what the benchmark plot is lettered in).
pub const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// The page margins, in millimetres.
const MARGIN: f64 = 10.0;
/// What a cell adds to its text, in millimetres: 1 mm of padding on each side, the frame's
/// lines and a millimetre of air. With less, a heading's word in a column left at its least
/// width (when long names take the rest of the page) did not fit and genpdf dropped it.
const CELL_EXTRA: f64 = 3.0;
/// The font sizes tried, largest first, until the columns fit the page: 4 pt is for the
/// widest forms, such as a financing plan's twelve months of amounts.
const FONT_SIZES: [u8; 4] = [7, 6, 5, 4];
/// A4 in millimetres, the short side first.
const A4: (f64, f64) = (210.0, 297.0);
/// How wide a name column should be before the form is printed landscape: narrower, the
/// names wrap into rows of many lines.
const NAME_WIDTH: f64 = 45.0;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("rendering the PDF: {0}")]
    Render(#[from] genpdf::error::Error),
    #[error("writing the PDF's title: {0}")]
    Title(#[from] lopdf::Error),
}

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

pub fn to_pdf(table: &Table) -> Result<Vec<u8>, PdfError> {
    let mut doc = genpdf::Document::new(fonts()?);
    // Without the PDF/A ICC profile and metadata, which would add half a megabyte per file.
    doc.set_minimal_conformance();
    let printed = table.printed();
    let fit = Fit::of(table, &printed, doc.font_cache());
    let (short, long) = A4;
    doc.set_paper_size(match fit.landscape {
        true => genpdf::Size::new(long, short),
        false => genpdf::Size::new(short, long),
    });
    doc.set_font_size(fit.font_size);
    let mut pages = SimplePageDecorator::new();
    pages.set_margins(genpdf::Margins::all(genpdf::Mm::from(MARGIN)));
    pages.set_header(|page| Paragraph::new(page.to_string()).aligned(Alignment::Right));
    doc.set_page_decorator(pages);
    // The form's number in the top right corner, as the orders print it.
    for line in &table.number {
        doc.push(Paragraph::new(line.clone()).aligned(Alignment::Right));
    }
    let bold = Style::new().bold();
    doc.push(
        Paragraph::new(table.title.clone())
            .aligned(Alignment::Center)
            .styled(bold.with_font_size(fit.font_size + 3)),
    );
    for line in &table.subtitle {
        doc.push(Paragraph::new(line.clone()).aligned(Alignment::Center));
    }
    if let Some(unit) = &table.unit {
        doc.push(Paragraph::new(unit.label.clone()).aligned(Alignment::Right));
    }
    doc.push(genpdf::elements::Break::new(1));
    let weights = fit.weights();
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
    Ok(with_title(&out, &table.title)?)
}

/// The document's title in its information dictionary. printpdf writes it as UTF-8 bytes,
/// which readers take for PDFDocEncoding and show garbled; a text string beyond Latin-1 is
/// UTF-16BE behind a byte order mark (PDF 1.7, 7.9.2.2).
fn with_title(pdf: &[u8], title: &str) -> Result<Vec<u8>, lopdf::Error> {
    let mut doc = lopdf::Document::load_mem(pdf)?;
    let utf16: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(title.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    let text = lopdf::Object::String(utf16, lopdf::StringFormat::Hexadecimal);
    let info = doc.trailer.get(b"Info")?.as_reference()?;
    doc.get_object_mut(info)?.as_dict_mut()?.set("Title", text);
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
}

/// How the table is laid on the page: the orientation, the font size and each column's width
/// in millimetres.
struct Fit {
    landscape: bool,
    font_size: u8,
    widths: Vec<f64>,
}

impl Fit {
    /// The largest font at which every column's least width fits the page: portrait when the
    /// columns fit it with room for the names, landscape otherwise. What is left of the width
    /// goes to the columns by their weights, the names getting most.
    fn of(table: &Table, printed: &PrintedTable, cache: &FontCache) -> Fit {
        let (short, long) = (A4.0 - 2.0 * MARGIN, A4.1 - 2.0 * MARGIN);
        let weights = table.weights();
        let at = |font_size: u8| {
            let least = least_widths(table, printed, cache, font_size);
            let wanted: f64 = least
                .iter()
                .zip(&weights)
                .map(|(w, weight)| if *weight == 6 { w.max(NAME_WIDTH) } else { *w })
                .sum();
            let (landscape, usable) = match wanted <= short {
                true => (false, short),
                false => (true, long),
            };
            let fits = least.iter().sum::<f64>() <= usable;
            let widths = spread(&least, &weights, usable);
            (
                fits,
                Fit {
                    landscape,
                    font_size,
                    widths,
                },
            )
        };
        let (larger, smallest) = FONT_SIZES.split_at(FONT_SIZES.len() - 1);
        larger
            .iter()
            .map(|size| at(*size))
            .find_map(|(fits, fit)| fits.then_some(fit))
            .unwrap_or_else(|| at(smallest[0]).1)
    }

    /// The widths as the weights of genpdf's table layout, in tenths of a millimetre.
    fn weights(&self) -> Vec<usize> {
        let tenths = |w: &f64| ((w * 10.0).round() as usize).max(1);
        self.widths.iter().map(tenths).collect()
    }
}

/// The width each column needs so that no word of its headings, no amount and no number is cut:
/// the widest of them in the style it prints in (headings, subtotals and the total bold), with
/// the cell's padding. A heading over several columns widens them evenly when its longest word
/// is wider than they are together.
fn least_widths(
    table: &Table,
    printed: &PrintedTable,
    cache: &FontCache,
    font_size: u8,
) -> Vec<f64> {
    let regular = Style::new().with_font_size(font_size);
    let bold = regular.bold();
    let measure = |style: Style, text: &str| f64::from(style.str_width(cache, text)) + CELL_EXTRA;
    let widest_word = |style: Style, text: &str| {
        text.split(' ')
            .map(|w| measure(style, w))
            .fold(0.0, f64::max)
    };
    let columns = table.headers.len();
    let mut least = vec![0.0_f64; columns];
    for (col, number) in table.numbers().iter().enumerate() {
        least[col] = least[col].max(measure(bold, number));
    }
    let strong = |index: usize| table.strong_rows.contains(&index);
    let rows = printed.rows.iter().enumerate().map(|(i, r)| (r, strong(i)));
    for (row, strong) in rows.chain(printed.total.iter().map(|t| (t, true))) {
        let style = if strong { bold } else { regular };
        for (col, cell) in row.iter().enumerate().filter(|(c, _)| *c < columns) {
            let text = shown_text(cell);
            let width = match cell {
                Shown::Amount(_) => measure(style, &text),
                Shown::Text(_) if table.is_numeric(col) => measure(style, &text),
                Shown::Text(_) => widest_word(style, &text),
            };
            least[col] = least[col].max(width);
        }
    }
    let heading = table.heading();
    for cell in heading.iter().filter(|c| c.cols == 1 && c.col < columns) {
        least[cell.col] = least[cell.col].max(widest_word(bold, &cell.text));
    }
    for cell in heading.iter().filter(|c| c.cols > 1) {
        let span = cell.col..(cell.col + cell.cols).min(columns);
        let short = widest_word(bold, &cell.text) - least[span.clone()].iter().sum::<f64>();
        if short > 0.0 {
            let each = short / span.len() as f64;
            least[span].iter_mut().for_each(|w| *w += each);
        }
    }
    least
}

/// The least widths, and what is left of `usable` shared by the weights.
fn spread(least: &[f64], weights: &[usize], usable: f64) -> Vec<f64> {
    let left = (usable - least.iter().sum::<f64>()).max(0.0);
    let total = weights.iter().sum::<usize>().max(1) as f64;
    least
        .iter()
        .zip(weights)
        .map(|(w, weight)| w + left * *weight as f64 / total)
        .collect()
}

/// A cell's text as printed: an amount's groups of digits joined by no-break spaces, so that
/// it never breaks across lines (genpdf breaks lines at spaces only).
fn shown_text(cell: &Shown) -> String {
    match cell {
        Shown::Amount(a) => a.display().replace(' ', "\u{a0}"),
        Shown::Text(t) => t.clone(),
    }
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
                Paragraph::new(shown_text(cell))
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
    use crate::pdf_text::{missing_headings, pdf_pages, pdf_title, squeezed};
    use crate::{Cell, Column, Kind};
    use jospar_core::Tenge;
    use lopdf::Object;

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
        let pages = pdf_pages(&pdf).expect("text");
        assert!(pages.len() >= 3, "pages: {}", pages.len());
        for (index, page) in pages.iter().enumerate() {
            let number = (index + 1).to_string();
            assert_eq!(
                page.lines().next(),
                Some(number.as_str()),
                "numbered: {page}"
            );
        }
        assert!(pdf.len() < 1_000_000, "{} bytes", pdf.len());
    }

    /// The width of the first page, in points.
    fn page_width(pdf: &[u8]) -> f64 {
        let doc = lopdf::Document::load_mem(pdf).expect("pdf");
        let first = *doc.get_pages().values().next().expect("a page");
        let page = doc.get_dictionary(first).expect("page");
        let corners = page
            .get(b"MediaBox")
            .and_then(Object::as_array)
            .expect("box");
        let number = |o: &Object| o.as_f64().or_else(|_| o.as_i64().map(|i| i as f64));
        number(&corners[2]).expect("width").round()
    }

    /// The execution report's twelve columns with their long headings, in both languages.
    fn execution_like(headers: &[&str]) -> Table {
        let amount = |i: i64| Cell::Money(Tenge::from_tiyn(123_456_789_012_345 + i));
        let row = |i: i64| {
            let mut cells = vec![Cell::Text(format!("{i}")), Cell::Text("Білім беру".into())];
            cells.extend((0..8).map(|k| amount(i * 100 + k)));
            cells.extend([Cell::Text("97,3".into()), Cell::Text("100,0".into())]);
            cells
        };
        let mut columns = vec![Column::default(); 2];
        let money = Column {
            kind: Kind::Money,
            ..Column::default()
        };
        columns.extend(vec![money; 8]);
        let percent = Column {
            kind: Kind::Percent,
            ..Column::default()
        };
        columns.extend(vec![percent; 2]);
        Table {
            title: "Бюджеттің атқарылуы туралы есеп".into(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            numbered: true,
            columns,
            rows: (1..=40).map(row).collect(),
            strong_rows: vec![0],
            ..Table::default()
        }
    }

    const RU: [&str; 12] = [
        "Код",
        "Наименование",
        "Утверждённый бюджет",
        "Уточнённый бюджет",
        "Скорректированный бюджет",
        "План финансирования на отчётный период по платежам",
        "План финансирования на отчётный период по обязательствам",
        "Исполнено (поступления, оплачено)",
        "Принятые обязательства",
        "Неоплаченные обязательства",
        "% исполнения плана отчётного периода",
        "% исполнения годового плана",
    ];

    const KK: [&str; 12] = [
        "Коды",
        "Атауы",
        "Бекітілген бюджет",
        "Нақтыланған бюджет",
        "Түзетілген бюджет",
        "Есепті кезеңге төлемдер бойынша қаржыландыру жоспары",
        "Есепті кезеңге міндеттемелер бойынша қаржыландыру жоспары",
        "Атқарылды (түсімдер, төленді)",
        "Қабылданған міндеттемелер",
        "Төленбеген міндеттемелер",
        "Есепті кезең жоспарының атқарылу %",
        "Жылдық жоспардың атқарылу %",
    ];

    #[test]
    fn every_heading_prints_whole_and_no_amount_breaks() {
        for headers in [RU, KK] {
            let table = execution_like(&headers);
            let pdf = to_pdf(&table).expect("pdf");
            let pages = pdf_pages(&pdf).expect("text");
            assert_eq!(missing_headings(&table), Ok(vec![]));
            let text = squeezed(&pages.concat());
            assert!(text.contains(&squeezed(headers[5])), "{text}");
            let amount = table.printed().rows[0][2].display().replace(' ', "\u{a0}");
            assert!(
                pages[0].lines().any(|line| line.trim() == amount),
                "{amount} on one line: {}",
                pages[0]
            );
            assert_eq!(pdf_title(&pdf).expect("title"), table.title);
            assert_eq!(page_width(&pdf), 842.0, "A4 landscape: twelve columns");
        }
    }

    #[test]
    fn a_narrow_table_prints_portrait() {
        let table = Table {
            title: "Сводная".into(),
            headers: vec!["Программа".into(), "2027".into()],
            rows: vec![vec![
                Cell::Text("001".into()),
                Cell::Money(Tenge::from_tiyn(1)),
            ]],
            ..Table::default()
        };
        let pdf = to_pdf(&table).expect("pdf");
        assert_eq!(page_width(&pdf), 595.0, "A4 portrait");
        assert_eq!(pdf_title(&pdf).expect("title"), "Сводная");
    }

    /// Codes printed with their names (issue 21) take most of a wide form: a column left at its
    /// least width still prints every word of its heading (here the last one, "%").
    #[test]
    fn a_column_at_its_least_width_keeps_its_heading() {
        let text = |s: &str| Cell::Text(s.into());
        let money = |v: i64| Cell::Money(Tenge::from_tiyn(v));
        let headers: Vec<String> = [
            "АБП",
            "Программа",
            "Подпрограмма",
            "Скорректированный бюджет (1-27)",
            "Годовой план по системе",
            "Разница",
            "План на период (1-27)",
            "План по системе на период",
            "Разница",
            "Кассовые расходы",
            "Исполнение плана периода, %",
        ]
        .map(String::from)
        .to_vec();
        let named = |sub: &str, v: i64| {
            vec![
                text("261 Управление образования области"),
                text("003 Общеобразовательное обучение"),
                text(sub),
                money(v),
                money(0),
                money(v),
                money(v / 4),
                money(0),
                money(v / 4),
                money(v / 5),
                text("96,7"),
            ]
        };
        let rows = vec![
            named("015 За счет средств местного бюджета", 3_958_200_000),
            named(
                "011 За счет трансфертов из республиканского бюджета",
                228_000_000,
            ),
        ];
        let mut total = vec![text("Итого"), text(""), text("")];
        total.extend((0..7).map(|_| money(4_301_200_000)));
        total.push(text("95,3"));
        let table = Table {
            title: "1-27".into(),
            headers,
            numbered: true,
            rows,
            strong_rows: vec![0, 1],
            total: Some(total),
            ..Table::default()
        };
        assert_eq!(missing_headings(&table).expect("pdf"), Vec::<String>::new());
    }
}
