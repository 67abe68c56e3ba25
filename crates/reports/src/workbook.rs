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
