//! A staffing table from a spreadsheet (ST-1): one position per row under a header row, in
//! the column order of [`COLUMNS`]; the allowances are one column per kind. The rows come as
//! text (the web layer reads the XLSX); an error names the row and the column, and nothing is
//! taken from a file with an error.

use crate::{Allowance, Coefficient, Percent, Position, StaffUnits, WorkerCategory};
use jospar_core::Tenge;

/// Keys of the columns, in file order (their headings are translated by the caller).
pub const COLUMNS: [&str; 13] = [
    "program",
    "subprogram",
    "unit",
    "title",
    "category",
    "grade",
    "service_years",
    "staff_units",
    "contract",
    "percent_of_salary",
    "percent_of_base",
    "fixed",
    "mci",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("row {row}, column {column}: {value:?} is not valid")]
pub struct ImportError {
    /// Row number as the spreadsheet shows it (the header is row 1).
    pub row: usize,
    pub column: &'static str,
    pub value: String,
}

/// A decimal typed with a comma or a point as a fixed-point integer with `places` decimals.
pub fn parse_fixed(text: &str, places: u32) -> Option<i64> {
    let text = text.trim().replace(',', ".").replace([' ', '\u{a0}'], "");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if fraction.len() > places as usize
        || (whole.is_empty() && fraction.is_empty())
        || whole.starts_with('-')
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: i64 = format!("{fraction:0<width$}", width = places as usize)
        .parse()
        .ok()?;
    // A number too large for the fixed point is not valid either.
    whole.checked_mul(10i64.pow(places))?.checked_add(fraction)
}

/// A fixed-point integer as plain decimal text ("1.5", "12000"), as [`parse_fixed`] reads it.
pub fn plain_decimal(value: i64, places: u32) -> String {
    let scale = 10i64.pow(places);
    let text = format!(
        "{}{}.{:0width$}",
        if value < 0 { "-" } else { "" },
        (value / scale).abs(),
        (value % scale).abs(),
        width = places as usize
    );
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The category from its code or its name in Kazakh or Russian.
fn category(text: &str) -> Option<WorkerCategory> {
    let t = text.trim().to_lowercase();
    match t.as_str() {
        "civil_servant" | "гражданский служащий" | "азаматтық қызметші" => {
            Some(WorkerCategory::CivilServant)
        }
        "state_servant" | "государственный служащий" | "мемлекеттік қызметші" => {
            Some(WorkerCategory::StateServant)
        }
        "non_staff" | "внештатный работник" | "штаттан тыс қызметкер" => {
            Some(WorkerCategory::NonStaff)
        }
        _ => None,
    }
}

/// Why a file gives no positions to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileRefusal {
    /// Not an XLSX workbook that can be read (truncated, damaged, another format), or one
    /// without a sheet.
    Damaged,
    /// An empty sheet, or headings only: saved, it would replace the year's positions with
    /// nothing.
    NoPositions,
    /// A workbook that unpacks beyond the limits every upload is held to.
    OverLimits(jospar_reports::workbook::Refusal),
    Cell(ImportError),
}

/// The positions of an XLSX in the template's layout: the first sheet, under its header row.
pub fn positions_of_xlsx(bytes: &[u8]) -> Result<Vec<Position>, FileRefusal> {
    positions_of_file(&sheet_rows(bytes)?)
}

/// The rows under the header row of a workbook's first sheet, as text.
fn sheet_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, FileRefusal> {
    use jospar_reports::workbook::Refusal;
    let rows = jospar_reports::workbook::sheet_rows(bytes).map_err(|e| match e {
        Refusal::Damaged => FileRefusal::Damaged,
        over => FileRefusal::OverLimits(over),
    })?;
    Ok(rows.into_iter().skip(1).collect())
}

/// The positions of a file's data rows; a file with none is refused.
pub fn positions_of_file(rows: &[Vec<String>]) -> Result<Vec<Position>, FileRefusal> {
    let positions = positions_from_rows(rows).map_err(FileRefusal::Cell)?;
    if positions.is_empty() {
        return Err(FileRefusal::NoPositions);
    }
    Ok(positions)
}

/// Positions from the data rows (without the header row); empty rows are skipped.
pub fn positions_from_rows(rows: &[Vec<String>]) -> Result<Vec<Position>, ImportError> {
    let mut positions = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let number = i + 2;
        let cell = |column: usize| row.get(column).map(|c| c.trim()).unwrap_or("");
        let bad = |column: usize| ImportError {
            row: number,
            column: COLUMNS[column],
            value: cell(column).to_string(),
        };
        let optional = |column: usize, places: u32| -> Result<Option<i64>, ImportError> {
            match cell(column) {
                "" => Ok(None),
                text => parse_fixed(text, places)
                    .map(Some)
                    .ok_or_else(|| bad(column)),
            }
        };
        let required_text = |column: usize| match cell(column) {
            "" => Err(bad(column)),
            text => Ok(text.to_string()),
        };
        let mut allowances = Vec::new();
        if let Some(p) = optional(9, 2)? {
            allowances.push(Allowance::PercentOfSalary {
                name: COLUMNS[9].into(),
                percent: Percent(p),
            });
        }
        if let Some(p) = optional(10, 2)? {
            allowances.push(Allowance::PercentOfBase {
                name: COLUMNS[10].into(),
                percent: Percent(p),
            });
        }
        if let Some(tiyn) = optional(11, 2)? {
            allowances.push(Allowance::Fixed {
                name: COLUMNS[11].into(),
                monthly: Tenge::from_tiyn(tiyn),
            });
        }
        if let Some(count) = optional(12, 4)? {
            allowances.push(Allowance::Mci {
                name: COLUMNS[12].into(),
                count: Coefficient(count),
            });
        }
        positions.push(Position {
            program: required_text(0)?,
            subprogram: cell(1).to_string(),
            unit: cell(2).to_string(),
            title: required_text(3)?,
            category: category(cell(4)).ok_or_else(|| bad(4))?,
            grade: cell(5).to_string(),
            service_years: match cell(6) {
                "" => 0,
                text => text.parse().map_err(|_| bad(6))?,
            },
            staff_units: StaffUnits(optional(7, 3)?.ok_or_else(|| bad(7))?),
            contract_monthly: optional(8, 2)?.map(Tenge::from_tiyn),
            allowances,
        });
    }
    Ok(positions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn rows_become_positions_and_errors_name_the_cell() {
        let rows = vec![
            row(&[
                "003",
                "015",
                "Педагоги",
                "Учитель",
                "Гражданский служащий",
                "B2",
                "6",
                "1,5",
                "",
                "10",
                "25",
                "5000",
                "2",
            ]),
            row(&["", "", "", "", "", "", "", "", "", "", "", "", ""]),
            row(&[
                "003",
                "",
                "Кружки",
                "Руководитель кружка",
                "штаттан тыс қызметкер",
                "",
                "",
                "0.5",
                "120000",
                "",
                "",
                "",
                "",
            ]),
        ];
        let positions = positions_from_rows(&rows).expect("positions");
        assert_eq!(positions.len(), 2);
        assert_eq!(positions[0].staff_units, StaffUnits(1_500));
        assert_eq!(positions[0].allowances.len(), 4);
        assert_eq!(positions[1].category, WorkerCategory::NonStaff);
        assert_eq!(
            positions[1].contract_monthly,
            Some(Tenge::from_tiyn(12_000_000))
        );
        let mut bad = rows.clone();
        bad[2][7] = "полставки".into();
        assert_eq!(
            positions_from_rows(&bad),
            Err(ImportError {
                row: 4,
                column: "staff_units",
                value: "полставки".into()
            })
        );
        let mut bad = rows;
        bad[0][4] = "учитель".into();
        assert_eq!(
            positions_from_rows(&bad).map_err(|e| (e.row, e.column)),
            Err((2, "category"))
        );
    }

    #[test]
    fn a_file_without_positions_is_refused_rather_than_emptying_the_year() {
        assert_eq!(positions_of_file(&[]), Err(FileRefusal::NoPositions));
        let blank_rows = vec![vec![String::new(); COLUMNS.len()]; 3];
        assert_eq!(
            positions_of_file(&blank_rows),
            Err(FileRefusal::NoPositions)
        );
    }

    /// Found by the fuzz target `staffing_xlsx` (its input kept as
    /// `fuzz/corpus/staffing_xlsx/regression-overflow.tsv`): a number of staff units too large
    /// for the fixed point overflowed (a panic in a debug build, a wrong number in a release
    /// build) instead of naming the cell.
    #[test]
    fn a_number_too_large_is_refused_not_overflowed() {
        assert_eq!(
            parse_fixed("92233720368547758", 2),
            Some(9_223_372_036_854_775_800)
        );
        assert_eq!(parse_fixed("9223372036854775807", 3), None);
        assert_eq!(parse_fixed("92233720368547759", 2), None);
        let mut cells = vec![String::new(); COLUMNS.len()];
        cells[0] = "003".into();
        cells[3] = "Учитель".into();
        cells[4] = "civil_servant".into();
        cells[7] = "99999999999999999".into();
        assert_eq!(
            positions_from_rows(&[cells]).map_err(|e| (e.row, e.column)),
            Err((2, "staff_units"))
        );
    }

    /// Found looking into a crash of the fuzz target `treasury_xlsx`: calamine lays a sheet out
    /// as a table from its first to its last cell, so one cell placed far away ("ZZZZZZ1", the
    /// 321 272 406th column) cost gigabytes. A cell beyond the sheet's limits (here XFE, one
    /// column past the last) is a damaged file; the template's workbook still reads.
    #[test]
    fn a_cell_beyond_the_last_column_is_a_damaged_workbook() {
        let workbook = include_bytes!("../../../fuzz/corpus/staffing_xlsx/positions-stored.xlsx");
        let positions = positions_of_xlsx(workbook).expect("positions");
        assert_eq!(positions.len(), 4);
        assert_eq!(positions[1].staff_units, StaffUnits(2_500));
        let far =
            include_bytes!("../../../fuzz/corpus/staffing_xlsx/regression-column-beyond-xfd.xlsx");
        assert_eq!(positions_of_xlsx(far), Err(FileRefusal::Damaged));
    }

    #[test]
    fn a_damaged_or_truncated_workbook_is_named_so() {
        assert_eq!(
            positions_of_xlsx(b"not a workbook"),
            Err(FileRefusal::Damaged)
        );
        // The start of a real XLSX (a zip) cut short.
        let truncated = b"PK\x03\x04\x14\x00\x00\x00\x08\x00";
        assert_eq!(positions_of_xlsx(truncated), Err(FileRefusal::Damaged));
    }

    /// Issue 19: a 20 MB sheet of spaces packed into a few kilobytes is refused before it is
    /// parsed, naming the limit.
    #[test]
    fn a_workbook_bomb_is_refused_naming_the_limit() {
        use jospar_reports::workbook::{MAX_RATIO, Refusal, bomb};
        assert_eq!(
            positions_of_xlsx(&bomb(20 * 1024 * 1024)),
            Err(FileRefusal::OverLimits(Refusal::Packed {
                ratio: MAX_RATIO
            }))
        );
    }
}
