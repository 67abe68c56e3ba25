//! The files of goods and prices the system reads (documented in `data/goods/README.md`), told
//! apart by their header row:
//! - the goods classifier ЕНС ТРУ: `code;kind;name_ru;name_kk;unit` (or the Russian headings of
//!   the published export: «Код ЕНС ТРУ», «Тип», «Наименование на русском языке»,
//!   «Наименование на государственном языке», «Единица измерения»);
//! - the national catalogue НКТ: `code;enstru_code;name_ru;name_kk;unit`;
//! - prices: `enstru_code;region;date;price;source`.
//!
//! A file is read row by row (a classifier of half a million goods is not held in memory);
//! the first bad row stops the import with its number (header = row 1) and its column, and
//! nothing of the file is kept.

use chrono::NaiveDate;
use jospar_core::Tenge;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is not UTF-8 text")]
    NotUtf8,
    #[error("the file is empty")]
    Empty,
    #[error("unknown file layout: the header row matches none of the known formats")]
    UnknownFormat,
    #[error("row {row}: {message}")]
    Csv { row: usize, message: String },
    #[error("row {row}, column {column}: bad value {value:?}")]
    BadValue {
        row: usize,
        column: String,
        value: String,
    },
    #[error("row {row}, column {column}: {value} appears twice in the file")]
    Duplicate {
        row: usize,
        column: String,
        value: String,
    },
    #[error("row {row}, column {column}: no good {value} in the classifier")]
    UnknownGood {
        row: usize,
        column: String,
        value: String,
    },
}

/// Which reference a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Goods,
    Catalogue,
    Prices,
}

impl FileKind {
    pub fn code(self) -> &'static str {
        match self {
            FileKind::Goods => "goods",
            FileKind::Catalogue => "catalogue",
            FileKind::Prices => "prices",
        }
    }
}

/// A good of the classifier as a file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoodRow {
    pub row: usize,
    pub code: String,
    pub kind: String,
    pub name_ru: String,
    pub name_kk: String,
    pub unit: String,
}

/// An item of the national catalogue and the good it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueRow {
    pub row: usize,
    pub code: String,
    pub good_code: String,
    pub name_ru: String,
    pub name_kk: String,
    pub unit: String,
}

/// An observed price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceRow {
    pub row: usize,
    pub good_code: String,
    pub region: String,
    pub observed_on: NaiveDate,
    pub price: i64,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    Good(GoodRow),
    Catalogue(CatalogueRow),
    Price(PriceRow),
}

/// The native header row of each file, as the import page shows it.
pub const NATIVE_HEADERS: [(FileKind, &str); 3] = [
    (FileKind::Goods, "code;kind;name_ru;name_kk;unit"),
    (FileKind::Catalogue, "code;enstru_code;name_ru;name_kk;unit"),
    (FileKind::Prices, "enstru_code;region;date;price;source"),
];

/// The heading each field may have in a file, the first being the native one.
const HEADINGS: &[(&str, &[&str])] = &[
    ("code", &["code", "Код ЕНС ТРУ", "Код НКТ", "Код"]),
    ("kind", &["kind", "Тип", "Вид предмета"]),
    (
        "name_ru",
        &["name_ru", "Наименование на русском языке", "Наименование"],
    ),
    (
        "name_kk",
        &[
            "name_kk",
            "Наименование на государственном языке",
            "Наименование на казахском языке",
        ],
    ),
    ("unit", &["unit", "Единица измерения"]),
    ("enstru_code", &["enstru_code", "Код ЕНС ТРУ"]),
    ("region", &["region", "Регион (КАТО)"]),
    ("date", &["date", "Дата"]),
    ("price", &["price", "Цена, тенге"]),
    ("source", &["source", "Источник"]),
];

/// Reads a file of goods, catalogue items or prices row by row.
pub struct Reader<R: Read> {
    kind: FileKind,
    /// Field name → its position in a row.
    fields: HashMap<&'static str, usize>,
    records: csv::StringRecordsIntoIter<BufReader<R>>,
    row: usize,
}

impl<R: Read> Reader<R> {
    /// Reads the header row and tells which file this is.
    pub fn new(input: R) -> Result<Reader<R>, ImportError> {
        let mut input = BufReader::new(input);
        let mut header = String::new();
        input.read_line(&mut header).map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData => ImportError::NotUtf8,
            _ => ImportError::Csv {
                row: 1,
                message: e.to_string(),
            },
        })?;
        let header = header
            .strip_prefix('\u{feff}')
            .unwrap_or(&header)
            .trim_end();
        if header.is_empty() {
            return Err(ImportError::Empty);
        }
        let delimiter = if header.matches(';').count() >= header.matches(',').count() {
            b';'
        } else {
            b','
        };
        let names: Vec<String> = header
            .split(delimiter as char)
            .map(|h| h.trim().trim_matches('"').to_string())
            .collect();
        let (kind, fields) = layout(&names).ok_or(ImportError::UnknownFormat)?;
        let records = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(input)
            .into_records();
        Ok(Reader {
            kind,
            fields,
            records,
            row: 1,
        })
    }

    pub fn kind(&self) -> FileKind {
        self.kind
    }

    /// The next row of the file, checked; `None` at its end. Blank rows are skipped.
    pub fn next_record(&mut self) -> Option<Result<Record, ImportError>> {
        loop {
            let record = self.records.next()?;
            self.row += 1;
            let row = self.row;
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    return Some(Err(match e.kind() {
                        csv::ErrorKind::Utf8 { .. } => ImportError::NotUtf8,
                        _ => ImportError::Csv {
                            row,
                            message: e.to_string(),
                        },
                    }));
                }
            };
            if record.iter().all(|v| v.trim().is_empty()) {
                continue;
            }
            let get = |name: &str| {
                self.fields
                    .get(name)
                    .and_then(|i| record.get(*i))
                    .unwrap_or("")
                    .trim()
                    .to_string()
            };
            return Some(match self.kind {
                FileKind::Goods => good_row(row, get).map(Record::Good),
                FileKind::Catalogue => catalogue_row(row, get).map(Record::Catalogue),
                FileKind::Prices => price_row(row, get).map(Record::Price),
            });
        }
    }
}

/// Which file a header row opens, and where each field is.
fn layout(names: &[String]) -> Option<(FileKind, HashMap<&'static str, usize>)> {
    let position = |field: &str, taken: &[usize]| -> Option<usize> {
        let headings = HEADINGS.iter().find(|(f, _)| *f == field)?.1;
        names
            .iter()
            .enumerate()
            .find(|(i, n)| !taken.contains(i) && headings.iter().any(|h| h.eq_ignore_ascii_case(n)))
            .map(|(i, _)| i)
    };
    let kinds: [(FileKind, &[&'static str], &[&'static str]); 3] = [
        (
            FileKind::Prices,
            &["enstru_code", "date", "price"],
            &["region", "source"],
        ),
        (
            FileKind::Catalogue,
            &["code", "enstru_code", "name_ru"],
            &["name_kk", "unit"],
        ),
        (
            FileKind::Goods,
            &["code", "name_ru"],
            &["kind", "name_kk", "unit"],
        ),
    ];
    for (kind, required, optional) in kinds {
        let mut fields = HashMap::new();
        let mut taken = Vec::new();
        let mut complete = true;
        for field in required.iter().chain(optional.iter()) {
            match position(field, &taken) {
                Some(i) => {
                    taken.push(i);
                    fields.insert(*field, i);
                }
                None if required.contains(field) => complete = false,
                None => {}
            }
        }
        if complete {
            return Some((kind, fields));
        }
    }
    None
}

fn bad(row: usize, column: &str, value: &str) -> ImportError {
    ImportError::BadValue {
        row,
        column: column.to_string(),
        value: value.to_string(),
    }
}

/// An ЕНС ТРУ code: the six digits of the product classification (КПВЭД), three digits and six
/// digits, dot-separated: `192021.100.000001`.
pub fn is_good_code(code: &str) -> bool {
    let parts: Vec<&str> = code.split('.').collect();
    parts.len() == 3
        && [6, 3, 6]
            .iter()
            .zip(&parts)
            .all(|(n, p)| p.len() == *n && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The kind of an item of the classifier: a good, a work or a service.
pub fn kind_code(value: &str) -> Option<&'static str> {
    match value.trim().to_lowercase().as_str() {
        "" | "goods" | "товар" | "тауар" => Some("goods"),
        "work" | "работа" | "жұмыс" => Some("work"),
        "service" | "услуга" | "қызмет" => Some("service"),
        _ => None,
    }
}

fn good_row(row: usize, get: impl Fn(&str) -> String) -> Result<GoodRow, ImportError> {
    let code = get("code");
    if !is_good_code(&code) {
        return Err(bad(row, "code", &code));
    }
    let kind = get("kind");
    let kind = kind_code(&kind).ok_or_else(|| bad(row, "kind", &kind))?;
    let name_ru = get("name_ru");
    if name_ru.is_empty() {
        return Err(bad(row, "name_ru", ""));
    }
    Ok(GoodRow {
        row,
        code,
        kind: kind.to_string(),
        name_ru,
        name_kk: get("name_kk"),
        unit: get("unit"),
    })
}

fn catalogue_row(row: usize, get: impl Fn(&str) -> String) -> Result<CatalogueRow, ImportError> {
    let code = get("code");
    if code.is_empty() || code.len() > 40 {
        return Err(bad(row, "code", &code));
    }
    let good_code = get("enstru_code");
    if !is_good_code(&good_code) {
        return Err(bad(row, "enstru_code", &good_code));
    }
    let name_ru = get("name_ru");
    if name_ru.is_empty() {
        return Err(bad(row, "name_ru", ""));
    }
    Ok(CatalogueRow {
        row,
        code,
        good_code,
        name_ru,
        name_kk: get("name_kk"),
        unit: get("unit"),
    })
}

/// A date as `YYYY-MM-DD` or `DD.MM.YYYY`.
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%d.%m.%Y"))
        .ok()
}

/// A КАТО region code (two digits), or empty for a price of the whole republic.
pub fn is_region(value: &str) -> bool {
    value.is_empty() || (value.len() == 2 && value.bytes().all(|b| b.is_ascii_digit()))
}

fn price_row(row: usize, get: impl Fn(&str) -> String) -> Result<PriceRow, ImportError> {
    let good_code = get("enstru_code");
    if !is_good_code(&good_code) {
        return Err(bad(row, "enstru_code", &good_code));
    }
    let region = get("region");
    if !is_region(&region) {
        return Err(bad(row, "region", &region));
    }
    let date = get("date");
    let observed_on = parse_date(&date).ok_or_else(|| bad(row, "date", &date))?;
    let price = get("price");
    let tiyn = Tenge::parse(&price)
        .ok()
        .map(Tenge::tiyn)
        .filter(|t| *t > 0)
        .ok_or_else(|| bad(row, "price", &price))?;
    Ok(PriceRow {
        row,
        good_code,
        region,
        observed_on,
        price: tiyn,
        source: get("source"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Result<(FileKind, Vec<Record>), ImportError> {
        let mut reader = Reader::new(text.as_bytes())?;
        let mut out = Vec::new();
        while let Some(r) = reader.next_record() {
            out.push(r?);
        }
        Ok((reader.kind(), out))
    }

    #[test]
    fn each_file_is_told_by_its_header_row() {
        let (kind, rows) = all(
            "\u{feff}Код ЕНС ТРУ;Тип;Наименование на русском языке;Наименование на государственном языке;Единица измерения\n\
             192021.100.000001;Товар;Топливо дизельное;Дизель отыны;литр\n\n",
        )
        .expect("goods");
        assert_eq!(kind, FileKind::Goods);
        assert!(matches!(&rows[..], [Record::Good(g)] if g.kind == "goods" && g.unit == "литр"));
        let (kind, _) = all("code;enstru_code;name_ru\nNKT-1;192021.100.000001;Дизель ЕВРО-5\n")
            .expect("catalogue");
        assert_eq!(kind, FileKind::Catalogue);
        let (kind, rows) =
            all("enstru_code,region,date,price,source\n192021.100.000001,47,01.03.2026,\"310,50\",goszakup\n")
                .expect("prices");
        assert_eq!(kind, FileKind::Prices);
        assert!(matches!(&rows[..], [Record::Price(p)] if p.price == 31_050 && p.region == "47"));
        assert_eq!(
            all("a;b;c\n1;2;3\n").err(),
            Some(ImportError::UnknownFormat)
        );
        assert_eq!(all("").err(), Some(ImportError::Empty));
    }

    #[test]
    fn a_bad_row_is_named_with_its_column() {
        let error = all("code;name_ru\n192021.100.000001;Дизель\n19202.100.000001;Бензин\n")
            .expect_err("refused");
        assert_eq!(error, bad(3, "code", "19202.100.000001"));
        let error = all("enstru_code;region;date;price\n192021.100.000001;471;2026-03-01;10\n")
            .expect_err("refused");
        assert_eq!(error, bad(2, "region", "471"));
        let error = all("enstru_code;region;date;price\n192021.100.000001;47;2026-03-01;-10\n")
            .expect_err("refused");
        assert_eq!(error, bad(2, "price", "-10"));
    }
}
