//! A corrected layouts file put in force at start-up (EX-5): a heading the built-in layouts do
//! not know reads once the file names it, without a new build. Its own test binary, because the
//! layouts in force are the process's.

use jospar_execution::layouts::{DEFAULT, install};
use jospar_execution::treasury::{csv_rows, parse_cash};

const FILE: &str = "Код АБП;Программа;Подпрограмма;Специфика;План на год;План на период;Расходы кассовые\n\
                    261;003;015;111;36 000 000,00;9 000 000,00;8 999 000,00\n";

#[test]
fn a_corrected_layout_reads_a_new_heading() {
    let rows = csv_rows(FILE.as_bytes()).expect("csv");
    let corrected = DEFAULT.replace(
        r#"executed = ["Кассовые расходы""#,
        r#"executed = ["Расходы кассовые", "Кассовые расходы""#,
    );
    assert_ne!(corrected, DEFAULT, "the built-in file names the column");
    assert!(
        install("[headings]\nabp = [\"АБП\"]").is_err(),
        "a file without every column is refused"
    );
    install(&corrected).expect("valid");
    let parsed = parse_cash(&rows).expect("read by the corrected layout");
    assert_eq!(parsed[0].key(), ("261", "003", "015", "111"));
}
