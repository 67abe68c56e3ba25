//! Treasury forms exported as CSV (EX-5): the rows of `csv_rows`, then every form shape reads
//! them as the import does. No input may panic; a form that is read holds what its checks
//! promise.
#![no_main]

use jospar_execution::form_127::BUDGET_FORM;
use jospar_execution::form_409::CONTRACTS_FORM;
use jospar_execution::movement::MOVEMENT_FORM;
use jospar_execution::treasury::{
    FORM_219_FIELDS, FORM_243_FIELDS, csv_rows, parse_cash, parse_obligations, parse_receipts,
};
use libfuzzer_sys::fuzz_target;

fn is_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit())
}

fuzz_target!(|data: &[u8]| {
    let Ok(rows) = csv_rows(data) else {
        return;
    };
    // Reading the same bytes again gives the same rows.
    assert_eq!(csv_rows(data).ok().as_ref(), Some(&rows));
    if let Ok(cash) = parse_cash(&rows) {
        assert!(!cash.is_empty(), "a form without rows is refused");
        for row in &cash {
            assert!(is_code(&row.abp) && is_code(&row.program) && is_code(&row.specific));
            assert!(row.subprogram.is_empty() || is_code(&row.subprogram));
            assert!(row.executed <= row.plan_period, "checked by the form");
            assert!((1..=rows.len()).contains(&row.row));
        }
    }
    if let Ok(obligations) = parse_obligations(&rows) {
        assert!(!obligations.is_empty());
    }
    for fields in [&FORM_219_FIELDS[..], &FORM_243_FIELDS[..]] {
        if let Ok(receipts) = parse_receipts(&rows, fields) {
            assert!(!receipts.is_empty());
        }
    }
    let _ = BUDGET_FORM.read_all(&rows);
    let _ = CONTRACTS_FORM.read_all(&rows);
    let _ = MOVEMENT_FORM.read_all(&rows);
});
