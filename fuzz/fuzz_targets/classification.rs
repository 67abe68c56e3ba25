//! The ЕБК files (P-13): `import::parse`, every format it recognises by the header, read with
//! each choice of years given with the file (none, one, or three). No input may panic; the
//! entries of a file that is read have codes of their kind's shape, one per (year, kind, code),
//! and written back in the native format they read back the same.
#![no_main]

use jospar_classification::{YearRange, parse};
use libfuzzer_sys::fuzz_target;
use std::fmt::Write as _;

fn csv_field(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

fuzz_target!(|data: &[u8]| {
    let three = YearRange {
        from: 2023,
        to: 2025,
    };
    for years in [None, Some(YearRange::single(2024)), Some(three)] {
        check(data, years);
    }
});

fn check(file: &[u8], years: Option<YearRange>) {
    let Ok(parsed) = parse(file, years) else {
        return;
    };
    assert!(!parsed.entries.is_empty());
    let keys: Vec<_> = parsed
        .entries
        .iter()
        .map(|e| (e.year, e.kind, e.code.clone()))
        .collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
    for entry in &parsed.entries {
        assert!(
            entry.kind.is_valid_code(&entry.code),
            "{:?} {:?} is not a code of its kind",
            entry.kind,
            entry.code
        );
        assert!(years.is_none_or(|r| (r.from..=r.to).contains(&entry.year)));
    }
    // The native format holds every entry with a name: it reads back the same.
    let named: Vec<_> = parsed
        .entries
        .iter()
        .filter(|e| !e.name_ru.is_empty())
        .collect();
    if named.is_empty() {
        return;
    }
    let mut native = String::from("year,kind,code,name_ru,name_kk\n");
    for e in &named {
        let _ = writeln!(
            native,
            "{},{},{},{},{}",
            e.year,
            e.kind.code(),
            e.code,
            csv_field(&e.name_ru),
            csv_field(e.name_kk.as_deref().unwrap_or(""))
        );
    }
    let again = parse(native.as_bytes(), None).expect("the native form of parsed entries reads");
    assert_eq!(again.entries.len(), named.len());
    for (a, b) in again.entries.iter().zip(&named) {
        assert_eq!(a, *b);
    }
}
