//! The staffing table XLSX (ST-1): `import::positions_of_xlsx`, what the upload reads. An input
//! that is no ZIP is taken as the sheet's rows in text (one a line, cells separated by tabs) and
//! read by `positions_of_file`, the part behind the workbook, which mutations of a compressed
//! workbook seldom reach. No input may panic; a file that is read gives at least one position
//! with its required cells.
#![no_main]

use jospar_staffing::Position;
use jospar_staffing::import::{positions_of_file, positions_of_xlsx};
use libfuzzer_sys::fuzz_target;

fn check(positions: &[Position]) {
    assert!(!positions.is_empty(), "a file without positions is refused");
    for position in positions {
        assert!(!position.program.is_empty() && !position.title.is_empty());
    }
}

fuzz_target!(|data: &[u8]| {
    if data.starts_with(b"PK") {
        if let Ok(positions) = positions_of_xlsx(data) {
            check(&positions);
        }
        return;
    }
    let text = String::from_utf8_lossy(data);
    let rows: Vec<Vec<String>> = text
        .lines()
        .map(|line| line.split('\t').map(str::to_string).collect())
        .collect();
    if let Ok(positions) = positions_of_file(&rows) {
        check(&positions);
    }
});
