//! Form 5-52 (EX-5): the sample file of `data/treasury` is read by its header names; broken
//! files are refused whole, naming row and column.

use jospar_core::Tenge;
use jospar_execution::treasury::{
    FORM_219_FIELDS, FORM_243_FIELDS, FormError, csv_rows, parse_cash, parse_obligations,
    parse_receipts, reconcile_219_243, reconcile_420_552,
};

fn sample() -> Vec<Vec<String>> {
    let path = format!(
        "{}/../../data/treasury/5-52-sample.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    csv_rows(&std::fs::read(&path).expect("sample")).expect("csv")
}

fn tenge(text: &str) -> Tenge {
    Tenge::parse(text).expect("amount")
}

#[test]
fn the_sample_is_read_by_header_names_and_its_total_checked() {
    let rows = parse_cash(&sample()).expect("sample parses");
    assert_eq!(rows.len(), 4);
    let first = &rows[0];
    assert_eq!(first.key(), ("261", "003", "015", "111"));
    assert_eq!(first.row, 5);
    assert_eq!(first.plan_period, tenge("9000000"));
    assert_eq!(first.unpaid(), tenge("1000"));
    let executed: Tenge = rows.iter().map(|r| r.executed).sum();
    assert_eq!(executed, tenge("9565000,50"));
    // Columns in another order, Kazakh headings, comma-separated: the same rows.
    let kazakh = "Ерекшелік,БПӘ,Бағдарлама,Кіші бағдарлама,Кассалық шығыстар,Кезеңге жоспар,Жылдық жоспар\n\
                  111,261,003,015,8999000.00,9000000.00,36000000.00\n";
    let parsed = parse_cash(&csv_rows(kazakh.as_bytes()).expect("csv")).expect("kazakh");
    assert_eq!(parsed[0].key(), first.key());
    assert_eq!(parsed[0].executed, first.executed);
}

fn with_line(line: usize, edit: impl Fn(&str) -> String) -> Vec<Vec<String>> {
    let path = format!(
        "{}/../../data/treasury/5-52-sample.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).expect("sample");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[line - 1] = edit(&lines[line - 1]);
    csv_rows(lines.join("\n").as_bytes()).expect("csv")
}

#[test]
fn broken_files_are_refused_naming_row_and_column() {
    let bad_code = with_line(6, |l| l.replace(";121;", ";12A;"));
    assert_eq!(
        parse_cash(&bad_code),
        Err(FormError::BadValue {
            row: 6,
            column: "Специфика",
            value: "12A".into()
        })
    );
    let duplicate = with_line(6, |l| l.replace(";121;", ";111;"));
    assert_eq!(
        parse_cash(&duplicate),
        Err(FormError::Duplicate { row: 6, first: 5 })
    );
    let total = with_line(9, |l| l.replace("9 565 000,50", "9 565 001,50"));
    assert!(matches!(
        parse_cash(&total),
        Err(FormError::TotalDisagrees {
            row: 9,
            column: "Кассовые расходы",
            ..
        })
    ));
    let over = with_line(8, |l| l.replace(";0,00;150 000,00", ";150 000,01;-0,01"));
    assert!(matches!(
        parse_cash(&over),
        Err(FormError::ExecutedOverPlan { row: 8, .. })
    ));
    let bad_amount = with_line(7, |l| l.replace("1 200 000,00", "1 200 000,0x"));
    assert!(matches!(
        parse_cash(&bad_amount),
        Err(FormError::BadValue {
            row: 7,
            column: "План на год",
            ..
        })
    ));
    let no_header = with_line(4, |l| l.replace("Кассовые расходы", "Расходы"));
    assert_eq!(
        parse_cash(&no_header),
        Err(FormError::NoHeader {
            missing: vec!["Кассовые расходы"]
        })
    );
}

/// Found while writing the fuzz target `treasury_csv` (this file, kept as
/// `fuzz/corpus/treasury_csv/regression-sum-overflow.csv`, crashed it): amounts near the largest
/// number overflowed when the rows were added up for the total (a panic in a debug build, a
/// wrapped sum in a release build). An amount beyond a quadrillion
/// tenge is refused, and so is a column whose sum would leave the range.
#[test]
fn amounts_too_large_are_refused_not_overflowed() {
    let header =
        "АБП;Программа;Подпрограмма;Специфика;План на год;План на период;Кассовые расходы\n";
    let huge = format!(
        "{header}261;003;015;111;90000000000000000;0;0\n261;003;015;112;90000000000000000;0;0\n"
    );
    assert_eq!(
        parse_cash(&csv_rows(huge.as_bytes()).expect("csv")),
        Err(FormError::BadValue {
            row: 2,
            column: "План на год",
            value: "90000000000000000".into()
        })
    );
    // The largest amount is read; enough rows of it to leave the range are refused at the row
    // that would.
    let largest = "1000000000000000";
    let rows: String = (100..200)
        .map(|specific| format!("261;003;015;{specific};{largest};0;0\n"))
        .collect();
    assert_eq!(
        parse_cash(&csv_rows(format!("{header}{rows}").as_bytes()).expect("csv")),
        Err(FormError::BadValue {
            row: 94,
            column: "План на год",
            value: largest.into()
        })
    );
    assert!(matches!(
        parse_cash(
            &csv_rows(format!("{header}261;003;015;111;1000000000000000,01;0;0\n").as_bytes())
                .expect("csv")
        ),
        Err(FormError::BadValue { row: 2, .. })
    ));
}

#[test]
fn form_420_reads_and_reconciles_with_552() {
    let path = format!(
        "{}/../../data/treasury/4-20-sample.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).expect("sample");
    let f420 = parse_obligations(&csv_rows(text.as_bytes()).expect("csv")).expect("4-20");
    assert_eq!(f420.len(), 4);
    assert_eq!(f420[2].accepted, tenge("600000"));
    let f552 = parse_cash(&sample()).expect("5-52");
    assert!(
        reconcile_420_552(&f420, &f552).is_empty(),
        "the samples agree"
    );
    // A planted difference on 159: 4-20 paid 100,00, 5-52 nothing.
    let planted = text
        .replace("200 000,00;0,00", "200 000,00;100,00")
        .replace("10 245 500,00;9 565 000,50", "10 245 500,00;9 565 100,50");
    let f420 = parse_obligations(&csv_rows(planted.as_bytes()).expect("csv")).expect("4-20");
    let found = reconcile_420_552(&f420, &f552);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].specific, "159");
    assert_eq!(
        (found[0].in_420, found[0].in_552),
        (tenge("100"), Tenge::ZERO)
    );
    assert_eq!(found[0].difference(), tenge("100"));
    let over = text.replace("600 000,00;120 500,50", "100 000,00;120 500,50");
    assert!(matches!(
        parse_obligations(&csv_rows(over.as_bytes()).expect("csv")),
        Err(FormError::PaidOverAccepted { row: 7, .. })
    ));
}

fn sample_text(name: &str) -> String {
    let path = format!("{}/../../data/treasury/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).expect("sample")
}

#[test]
fn receipts_of_219_and_243_reconcile_code_by_code() {
    let f219 = parse_receipts(
        &csv_rows(sample_text("2-19-sample.csv").as_bytes()).expect("csv"),
        &FORM_219_FIELDS,
    )
    .expect("2-19");
    let f243 = parse_receipts(
        &csv_rows(sample_text("2-43-sample.csv").as_bytes()).expect("csv"),
        &FORM_243_FIELDS,
    )
    .expect("2-43");
    assert_eq!(f219.len(), 4);
    assert_eq!(f219[2].subclass(), "1 03 1");
    assert_eq!(f219[0].plan_period, tenge("4844374100"));
    assert_eq!(f243[0].plan_year, Tenge::ZERO);
    assert!(reconcile_219_243(&f219, &f243).is_empty());
    let planted = sample_text("2-43-sample.csv")
        .replace("17 411 528 751,00", "17 411 528 750,00")
        .replace("52 214 601 137,00", "52 214 601 136,00");
    let f243 = parse_receipts(
        &csv_rows(planted.as_bytes()).expect("csv"),
        &FORM_243_FIELDS,
    )
    .expect("2-43");
    let found = reconcile_219_243(&f219, &f243);
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].code.as_str(), found[0].in_219 - found[0].in_243),
        ("103101", tenge("1"))
    );
    let bad = sample_text("2-43-sample.csv").replace("103101;", "10310;");
    assert_eq!(
        parse_receipts(&csv_rows(bad.as_bytes()).expect("csv"), &FORM_243_FIELDS),
        Err(FormError::BadValue {
            row: 6,
            column: "КБК",
            value: "10310".into()
        })
    );
}

fn sample_of(name: &str) -> Vec<Vec<String>> {
    let path = format!("{}/../../data/treasury/{name}", env!("CARGO_MANIFEST_DIR"));
    csv_rows(&std::fs::read(&path).expect("sample")).expect("csv")
}

#[test]
fn form_127_sample_agrees_with_the_552_sample_and_its_total() {
    use jospar_execution::form_127::parse_127;
    let rows = parse_127(&sample_of("1-27-sample.csv")).expect("1-27 sample parses");
    assert_eq!(rows.len(), 3);
    assert_eq!(
        (
            rows[0].abp.as_str(),
            rows[0].program.as_str(),
            rows[0].subprogram.as_str()
        ),
        ("261", "003", "015")
    );
    let f552 = parse_cash(&sample()).expect("5-52 sample");
    let executed_552: Tenge = f552.iter().map(|r| r.executed).sum();
    let period_552: Tenge = f552.iter().map(|r| r.plan_period).sum();
    assert_eq!(
        rows[0].executed, executed_552,
        "one subprogram, the same cash"
    );
    assert_eq!(rows[0].plan_period, period_552);
    let corrected: Tenge = rows.iter().map(|r| r.corrected).sum();
    assert_eq!(corrected, tenge("43012000"));
    // Kazakh headings, with the corrected budget's total off by a tiyn: refused, named.
    let kazakh = "БПӘ;Бағдарлама;Кіші бағдарлама;Бекітілген бюджет;Нақтыланған бюджет;Түзетілген бюджет;Кезеңге жоспар;Кассалық шығыстар\n\
                  261;003;015;10,00;10,00;10,00;5,00;5,00\n\
                  Барлығы;;;10,00;10,00;10,01;5,00;5,00\n";
    assert_eq!(
        parse_127(&csv_rows(kazakh.as_bytes()).expect("csv")),
        Err(FormError::TotalDisagrees {
            row: 3,
            column: "Скорректированный бюджет",
            total: tenge("10,01"),
            detail: tenge("10"),
        })
    );
}

/// Every sample of `data/treasury` is read by the layout its form has in `layouts.toml`.
#[test]
fn every_documented_sample_reads_by_its_layout() {
    use jospar_execution::layouts::{Shape, layouts};
    for (form, layout) in &layouts().forms {
        let rows = sample_of(&format!("{form}-sample.csv"));
        let count = match layout.shape {
            Shape::Cash => parse_cash(&rows).map(|r| r.len()),
            Shape::Obligations => parse_obligations(&rows).map(|r| r.len()),
            Shape::Receipts => parse_receipts(&rows, &FORM_219_FIELDS).map(|r| r.len()),
            Shape::Received => parse_receipts(&rows, &FORM_243_FIELDS).map(|r| r.len()),
            Shape::Budget => jospar_execution::form_127::parse_127(&rows).map(|r| r.len()),
            Shape::Contracts => jospar_execution::form_409::parse_409(&rows).map(|r| r.len()),
            Shape::Movement => jospar_execution::movement::parse_movement(&rows).map(|r| r.len()),
        };
        assert!(count.as_ref().is_ok_and(|n| *n > 0), "{form}: {count:?}");
    }
    // The 5-42 of a year before, for the growth rate, and 2-15's Kazakh headings.
    let before = parse_cash(&sample_of("5-42-2026-sample.csv")).expect("5-42 of 2026");
    assert_eq!(
        before.iter().map(|r| r.executed).sum::<Tenge>(),
        tenge("35087500")
    );
    let kazakh = parse_cash(&sample_of("2-15-sample.csv")).expect("2-15");
    assert_eq!(kazakh[2].key(), ("261", "003", "015", "111"));
}

/// Form 4-09: the contracts' obligations of the year agree with the 4-20 sample's accepted
/// obligations for goods (149) and services (159); pay (111, 121) has no contract details.
#[test]
fn form_409_reads_and_reconciles_with_420() {
    use jospar_execution::form_409::{parse_409, reconcile_409_420};
    let contracts = parse_409(&sample_of("4-09-sample.csv")).expect("4-09");
    assert_eq!(contracts.len(), 3);
    assert_eq!(contracts[0].number, "№ 15-ГЗ/2027");
    assert_eq!(contracts[0].date.to_string(), "2027-01-15");
    let f420 = parse_obligations(&sample_of("4-20-sample.csv")).expect("4-20");
    let checks = reconcile_409_420(&contracts, &f420);
    let goods = checks.iter().find(|c| c.specific == "149").expect("149");
    assert_eq!((goods.contracts, goods.difference()), (2, Tenge::ZERO));
    let pay = checks.iter().find(|c| c.specific == "111").expect("111");
    assert_eq!(pay.contracts, 0);
    assert_eq!(pay.difference(), -tenge("9000000"));

    let text = sample_text("4-09-sample.csv");
    let broken = |from: &str, to: &str| {
        assert!(text.contains(from), "{from}");
        parse_409(&csv_rows(text.replace(from, to).as_bytes()).expect("csv"))
    };
    assert!(matches!(
        broken("500 000,00;200 000,00", "500 000,00;600 000,00"),
        Err(FormError::YearOverContract { row: 6, .. })
    ));
    assert!(matches!(
        broken("991240001234", "99124000123"),
        Err(FormError::BadValue {
            row: 6,
            column: "БИН поставщика",
            ..
        })
    ));
    assert!(matches!(
        broken("03.02.2027", "31.02.2027"),
        Err(FormError::BadValue {
            row: 6,
            column: "Дата договора",
            ..
        })
    ));
    assert!(matches!(
        broken("№ 27-ГЗ/2027", "№ 15-ГЗ/2027"),
        Err(FormError::Duplicate { row: 6, first: 5 })
    ));
}

/// Found by the fuzz target `treasury_csv` (its input kept as
/// `fuzz/corpus/treasury_csv/regression-contract-date-days.csv`): a contract's date read as a
/// spreadsheet's day number too large for a time span (here the supplier's BIN, one column to the
/// left) panicked in chrono instead of naming the cell.
#[test]
fn a_contract_date_beyond_any_day_number_is_named() {
    use jospar_execution::form_409::parse_409;
    let text = sample_text("4-09-sample.csv");
    for day_number in ["150340009876", "-9223372036854775808", "99999999"] {
        let rows = csv_rows(text.replace("03.02.2027", day_number).as_bytes()).expect("csv");
        assert_eq!(
            parse_409(&rows),
            Err(FormError::BadValue {
                row: 6,
                column: "Дата договора",
                value: day_number.into()
            })
        );
    }
}

/// Forms 5-34 and 0-67, the movement of money: every row balances, nothing is spent beyond
/// the money available, the total equals the rows; a broken row is refused naming it.
#[test]
fn movement_forms_balance_row_by_row() {
    use jospar_execution::movement::parse_movement;
    let paid = parse_movement(&sample_of("5-34-sample.csv")).expect("5-34");
    assert_eq!(paid.len(), 3);
    assert_eq!(paid[1].key(), ("261", "003", "015", "149"));
    assert_eq!(paid[1].available(), tenge("1770000"));
    let closing: Tenge = paid.iter().map(|r| r.closing).sum();
    assert_eq!(closing, tenge("754499,75"));
    let statement = parse_movement(&sample_of("0-67-sample.csv")).expect("0-67");
    assert_eq!(statement[0].received, tenge("3000000"));

    let text = sample_text("5-34-sample.csv");
    let broken = |from: &str, to: &str| {
        assert!(text.contains(from), "{from}");
        parse_movement(&csv_rows(text.replace(from, to).as_bytes()).expect("csv"))
    };
    assert_eq!(
        broken("1 100 500,25;669 499,75", "1 100 500,25;669 499,76"),
        Err(FormError::BalanceDisagrees {
            row: 6,
            closing: tenge("669499,76"),
            expected: tenge("669499,75"),
        })
    );
    assert_eq!(
        broken(
            "150 000,00;0,00;90 000,00;60 000,00",
            "150 000,00;0,00;190 000,00;-40 000,00"
        ),
        Err(FormError::SpentOverAvailable {
            row: 5,
            spent: tenge("190000"),
            available: tenge("150000"),
        })
    );
    assert!(matches!(
        broken("754 499,75", "754 499,00"),
        Err(FormError::TotalDisagrees {
            row: 8,
            column: "Остаток на конец периода",
            ..
        })
    ));
    assert!(matches!(
        broken(";159;", ";149;"),
        Err(FormError::Duplicate { row: 7, first: 6 })
    ));
}

/// Found looking into a crash of the fuzz target `treasury_xlsx` (a cell reference overflowing
/// in calamine): a reference far to the right ("ZZZZZZ1" is the 321 272 406th column) stretched
/// its row to that many cells, gigabytes for one cell. A cell beyond the last column a
/// spreadsheet has (XFD) makes the workbook damaged.
#[test]
fn a_cell_beyond_the_last_column_is_a_damaged_workbook() {
    use jospar_execution::usecases::treasury::for_each_row;
    let read = |name: &str| {
        let path = format!(
            "{}/../../fuzz/corpus/treasury_xlsx/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let mut rows = Vec::new();
        let result = for_each_row(
            std::io::Cursor::new(std::fs::read(path).expect("workbook")),
            |number, cells| {
                rows.push((number, cells.len()));
                Ok(())
            },
        );
        (result, rows)
    };
    let (result, rows) = read("5-52-stored.xlsx");
    assert_eq!((result, rows.len()), (Ok(()), 9));
    // The same workbook with a cell in column XFE of its first data row.
    let (result, rows) = read("regression-column-beyond-xfd.xlsx");
    assert_eq!(result, Err(FormError::Unreadable));
    assert_eq!(rows.last(), Some(&(4, 9)), "the rows above are given");
}
