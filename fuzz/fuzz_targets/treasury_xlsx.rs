//! Treasury forms as XLSX (or CSV: the import tells them by the ZIP magic): the rows come from
//! `usecases::treasury::for_each_row`, the one reader `jospar import treasury` and the upload
//! use, and every form shape reads them one row at a time, as the import does. No input may
//! panic; a form's count is the rows it gave.
#![no_main]

use jospar_execution::form_127::BUDGET_FORM;
use jospar_execution::form_409::CONTRACTS_FORM;
use jospar_execution::movement::MOVEMENT_FORM;
use jospar_execution::treasury::{
    CASH_FORM, Form, FormError, OBLIGATIONS_FORM, RECEIPTS_219_FORM, RECEIVED_243_FORM,
};
use jospar_execution::usecases::treasury::for_each_row;
use libfuzzer_sys::fuzz_target;
use std::io::Cursor;

/// Rows kept for the forms: a fuzzed sheet of more rows says nothing more.
const MAX_ROWS: usize = 2_000;

/// Feeds the rows to a form's reader, as the import does, and checks the count it gives.
fn read<T, K: Eq + std::hash::Hash>(form: &Form<T, K>, rows: &[(usize, Vec<String>)]) {
    let mut reader = form.reader();
    let mut read = 0;
    for (number, cells) in rows {
        match reader.push(*number, cells) {
            Ok(row) => read += usize::from(row.is_some()),
            Err(_) => return,
        }
    }
    if let Ok(count) = reader.finish() {
        assert_eq!(count, read);
    }
}

fuzz_target!(|data: &[u8]| {
    let mut rows = Vec::new();
    let result = for_each_row(Cursor::new(data.to_vec()), |number, cells| {
        // Numbered from 1 as the cells' references say: a workbook may list its rows in any
        // order (the fuzzer's first find; the messages then name the rows the file names).
        assert!(number >= 1, "rows are numbered from 1");
        if rows.len() == MAX_ROWS {
            return Err(FormError::Unreadable);
        }
        rows.push((number, cells.to_vec()));
        Ok(())
    });
    if result.is_err() && rows.is_empty() {
        return;
    }
    read(&CASH_FORM, &rows);
    read(&OBLIGATIONS_FORM, &rows);
    read(&RECEIPTS_219_FORM, &rows);
    read(&RECEIVED_243_FORM, &rows);
    read(&BUDGET_FORM, &rows);
    read(&CONTRACTS_FORM, &rows);
    read(&MOVEMENT_FORM, &rows);
});
