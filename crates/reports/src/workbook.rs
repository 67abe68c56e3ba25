//! Uploaded workbooks. An XLSX is a zip archive, and a few megabytes of it may unpack to
//! gigabytes (a "zip bomb"): the spreadsheet readers would then hold a whole part in memory.
//! Every upload is therefore unpacked once into nothing, counting, before it is parsed: a
//! workbook over the limits is refused, naming the limit, whatever its parts claim about
//! their own sizes.

use std::io::{Read, Seek, SeekFrom};

/// The most a workbook may unpack to. Region-scale Treasury forms are a few thousand rows;
/// a sheet of 200,000 rows of 15 cells stays under it. Larger data come as CSV, which is
/// read as a stream.
pub const MAX_UNPACKED_MB: u64 = 100;
/// The most a part may be packed (unpacked size ÷ packed size). Real sheets pack 5–30 times;
/// deflate reaches about 1,000 on runs of one byte, which is what bombs are made of.
pub const MAX_RATIO: u64 = 100;
/// Parts smaller than this are not held to the ratio: styles and empty sheets pack well and
/// cost nothing.
const RATIO_CHECKED_FROM: u64 = 1024 * 1024;
/// More parts than any workbook has; each costs memory in the archive's index.
const MAX_PARTS: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the file is not a readable XLSX workbook")]
    Damaged,
    #[error("the workbook unpacks to more than {limit_mb} MB")]
    TooLarge { limit_mb: u64 },
    #[error("a part of the workbook is packed more than {ratio} times")]
    Packed { ratio: u64 },
}

impl Refusal {
    /// The message key and its arguments, as the user is told.
    pub fn message(&self) -> (&'static str, Vec<(&'static str, String)>) {
        match self {
            Refusal::Damaged => ("err-file-damaged", vec![]),
            Refusal::TooLarge { limit_mb } => (
                "err-file-unpacks-too-large",
                vec![("limit", limit_mb.to_string())],
            ),
            Refusal::Packed { ratio } => ("err-file-packed", vec![("ratio", ratio.to_string())]),
        }
    }
}

/// Unpacks every part of the workbook into nothing, counting its bytes, and gives the reader
/// back at its start when the workbook is within [`MAX_UNPACKED_MB`] and [`MAX_RATIO`].
/// Memory stays at one buffer whatever the file.
pub fn within_limits<R: Read + Seek>(reader: R) -> Result<R, Refusal> {
    let limit = MAX_UNPACKED_MB * 1024 * 1024;
    let mut archive = zip::ZipArchive::new(reader).map_err(|_| Refusal::Damaged)?;
    if archive.len() > MAX_PARTS {
        return Err(Refusal::Damaged);
    }
    let mut buffer = vec![0_u8; 64 * 1024];
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let mut part = archive.by_index(index).map_err(|_| Refusal::Damaged)?;
        let packed = part.compressed_size().max(1);
        let mut unpacked: u64 = 0;
        loop {
            let read = part.read(&mut buffer).map_err(|_| Refusal::Damaged)?;
            if read == 0 {
                break;
            }
            unpacked += read as u64;
            total += read as u64;
            if total > limit {
                return Err(Refusal::TooLarge {
                    limit_mb: MAX_UNPACKED_MB,
                });
            }
            if unpacked > RATIO_CHECKED_FROM && unpacked / packed > MAX_RATIO {
                return Err(Refusal::Packed { ratio: MAX_RATIO });
            }
        }
    }
    let mut reader = archive.into_inner();
    reader
        .seek(SeekFrom::Start(0))
        .map_err(|_| Refusal::Damaged)?;
    Ok(reader)
}

/// The rows and columns of a worksheet (A1 to XFD1048576): a cell beyond them is a damaged file.
const MAX_ROWS: usize = 1_048_576;
const MAX_COLUMNS: usize = 16_384;

/// Every row of a workbook's first sheet, as text; whole numbers without a decimal point, as
/// the spreadsheet shows them. Rows and columns count from the first non-empty ones. The cells
/// are read one by one and checked against the sheet's limits before the table is laid out,
/// so that a cell placed far away ("ZZZZZZ1") is refused rather than laid out as a table of
/// hundreds of millions of cells. For uploads of a few thousand rows (a staffing table, a
/// budget request); the Treasury's large forms are streamed instead.
pub fn sheet_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, Refusal> {
    use calamine::{Data, Reader, Xlsx};
    let checked = within_limits(std::io::Cursor::new(bytes))?;
    let mut book: Xlsx<_> = Xlsx::new(checked).map_err(|_| Refusal::Damaged)?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or(Refusal::Damaged)?;
    let mut reader = book
        .worksheet_cells_reader(&first)
        .map_err(|_| Refusal::Damaged)?;
    let mut cells = Vec::new();
    while let Some(cell) = reader.next_cell().map_err(|_| Refusal::Damaged)? {
        let (row, column) = cell.get_position();
        let (row, column) = (row as usize, column as usize);
        if row >= MAX_ROWS || column >= MAX_COLUMNS {
            return Err(Refusal::Damaged);
        }
        let text = match Data::from(cell.get_value().clone()) {
            Data::Empty => continue,
            Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
            other => other.to_string(),
        };
        cells.push((row, column, text));
    }
    let top = cells.iter().map(|c| c.0).min().unwrap_or(0);
    let left = cells.iter().map(|c| c.1).min().unwrap_or(0);
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (row, column, text) in cells {
        let (row, column) = (row - top, column - left);
        if rows.len() <= row {
            rows.resize(row + 1, Vec::new());
        }
        let cells = &mut rows[row];
        if cells.len() <= column {
            cells.resize(column + 1, String::new());
        }
        cells[column] = text;
    }
    Ok(rows)
}

/// The rows of an uploaded table: an XLSX workbook's first sheet ([`sheet_rows`]), or a CSV
/// file as the reports write it (semicolons, a byte-order mark allowed). Text a report wrote
/// inert ("'-5", see [`crate::inert`]) is read back as it was typed.
pub fn table_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, Refusal> {
    if bytes.starts_with(b"PK") {
        return sheet_rows(bytes);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| Refusal::Damaged)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| Refusal::Damaged)?;
        rows.push(record.iter().map(uninert).collect());
    }
    Ok(rows)
}

/// A cell as it was before [`crate::inert`] protected it.
fn uninert(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_string(),
        _ => cell.to_string(),
    }
}

/// A workbook whose one sheet is `size` bytes of spaces: it packs about a thousand times, as
/// the bombs [`within_limits`] refuses do. The tests and the soak run (`jospar bench --soak`)
/// send it.
pub fn bomb(size: usize) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let packed = zip::write::SimpleFileOptions::default().large_file(true);
    let block = vec![b' '; 1024 * 1024];
    let written = zip
        .start_file("xl/worksheets/sheet1.xml", packed)
        .and_then(|()| {
            for _ in 0..size / block.len() {
                zip.write_all(&block)?;
            }
            Ok(())
        })
        .and_then(|()| zip.finish());
    match written {
        Ok(cursor) => cursor.into_inner(),
        // Writing to memory fails only when memory does.
        Err(e) => panic!("a bomb could not be packed: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};
    use zip::write::SimpleFileOptions;

    #[test]
    fn an_ordinary_workbook_passes_and_comes_back_at_its_start() {
        let bytes = crate::to_xlsx(&crate::tests::table()).expect("xlsx");
        let mut back = within_limits(Cursor::new(bytes.clone())).expect("within");
        let mut read = Vec::new();
        back.read_to_end(&mut read).expect("read");
        assert_eq!(read, bytes);
    }

    #[test]
    fn a_part_packed_like_a_bomb_is_refused() {
        let bytes = bomb(20 * 1024 * 1024);
        assert!(bytes.len() < 200 * 1024, "packed to {}", bytes.len());
        assert_eq!(
            within_limits(Cursor::new(bytes)),
            Err(Refusal::Packed { ratio: MAX_RATIO })
        );
    }

    #[test]
    fn a_workbook_unpacking_over_the_limit_is_refused_even_when_packed_loosely() {
        // Stored, not deflated: the ratio is 1, the size alone refuses it.
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(true);
        zip.start_file("xl/worksheets/sheet1.xml", stored)
            .expect("part");
        let block = vec![b'x'; 1024 * 1024];
        for _ in 0..=MAX_UNPACKED_MB {
            zip.write_all(&block).expect("write");
        }
        let bytes = zip.finish().expect("zip").into_inner();
        assert_eq!(
            within_limits(Cursor::new(bytes)),
            Err(Refusal::TooLarge {
                limit_mb: MAX_UNPACKED_MB
            })
        );
    }

    #[test]
    fn what_is_not_a_zip_is_damaged() {
        assert_eq!(
            within_limits(Cursor::new(b"PK\x03\x04 cut short".to_vec())),
            Err(Refusal::Damaged)
        );
    }
}
