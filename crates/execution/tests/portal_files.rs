//! EX-R 18 on the open-budgets portal's real execution reports (data/portal: the republican
//! budget, Mangystau region, Astana): every month's section totals recomputed from the detail
//! rows match what the file publishes, and financing = −deficit, to the rounding of the source.
//! Broken files are refused with line and column.

use jospar_core::Tenge;
use jospar_execution::ex18::{CheckKind, Section, month_report, percent_tenths, reconcile};
use jospar_execution::portal::{Column, Month, PortalError, parse, parse_thousands};

fn file(name: &str) -> Vec<u8> {
    let path = format!("{}/../../data/portal/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const FILES: [&str; 3] = [
    "local_mangystau_region_execution_tree.csv",
    "local_astana_city_execution_tree.csv",
    "rb_execution_tree_2023-01_2025-03.csv",
];

/// Months the portal published in part (some sections absent): the 06.2023 scrape of the
/// republican budget.
fn incomplete(file: &str, month: Month) -> bool {
    file.starts_with("rb_")
        && month
            == Month {
                year: 2023,
                month: 6,
            }
}

#[test]
fn every_month_of_every_real_file_reconciles() {
    for name in FILES {
        let months = parse(&file(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(months.len() >= 25, "{name}: {} months", months.len());
        let mut compared = 0;
        for tree in &months {
            let report = month_report(tree, 1);
            let checks = reconcile(&report);
            let missing: Vec<_> = checks
                .iter()
                .filter(|c| matches!(c.what, CheckKind::SectionMissing(_)))
                .collect();
            assert_eq!(
                !missing.is_empty(),
                incomplete(name, tree.month),
                "{name} {}: {missing:?}",
                tree.month
            );
            if incomplete(name, tree.month) {
                // A partial scrape: the reconciliation reports it rather than passing it.
                assert!(checks.iter().any(|c| !c.holds()));
                continue;
            }
            for check in checks.iter().filter(|c| {
                matches!(
                    c.what,
                    CheckKind::SectionTotal(_) | CheckKind::FinancingIsMinusDeficit
                )
            }) {
                assert!(
                    check.holds(),
                    "{name}: {check:?} differs by {}",
                    check.difference()
                );
                compared += 1;
            }
        }
        assert!(compared > 25 * 30, "{name}: only {compared} comparisons");
    }
}

#[test]
fn a_known_month_of_mangystau_to_the_tenge() {
    let months = parse(&file(FILES[0])).expect("parse");
    let march = months
        .iter()
        .find(|m| {
            m.month
                == Month {
                    year: 2025,
                    month: 3,
                }
        })
        .expect("03.2025");
    let report = month_report(march, 1);
    let expenses = report.section(Section::Expenses).expect("II");
    // Published: II. ЗАТРАТЫ, utv 605 231 583.0 and sumrg 97 148 608.814 thousand tenge.
    assert_eq!(
        expenses.computed.get(Column::Approved),
        Tenge::from_tiyn(60_523_158_300_000)
    );
    let executed = expenses.computed.get(Column::Executed);
    let published = Tenge::from_tiyn(9_714_860_881_400);
    assert!((executed - published).tiyn().abs() <= 50 * (expenses.leaves as i64 + 1));
    // Functional groups are the rows under II, each recomputed from its detail.
    let groups: Vec<_> = report
        .rows
        .iter()
        .filter(|r| r.section == Section::Expenses && r.depth == 1)
        .collect();
    assert_eq!(groups.len(), 15);
    let sum: Tenge = groups.iter().map(|g| g.amounts.get(Column::Approved)).sum();
    assert_eq!(sum, expenses.computed.get(Column::Approved));
    // The deficit is I − II − III − IV of the recomputed sections.
    let get = |s| {
        report
            .section(s)
            .expect("section")
            .computed
            .get(Column::Executed)
    };
    assert_eq!(
        get(Section::Deficit),
        get(Section::Receipts)
            - get(Section::Expenses)
            - get(Section::NetLending)
            - get(Section::FinancialAssets)
    );
    // Balances at the start and the end of the period are kept as reference rows.
    assert!(report.memo.iter().any(|m| m.name.contains("на начало")));
    assert_eq!(
        percent_tenths(Tenge::from_tiyn(1441), Tenge::from_tiyn(1000)),
        Some(1441)
    );
}

/// The file with its line `line` (1-based, heading = 1) changed by `edit`.
fn edited(line: usize, edit: impl Fn(&str) -> String) -> Vec<u8> {
    let text = String::from_utf8(file(FILES[0])).expect("utf-8");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[line - 1] = edit(&lines[line - 1]);
    lines.join("\n").into_bytes()
}

#[test]
fn a_planted_discrepancy_in_a_section_total_is_reported_with_both_values() {
    // Line 2 is "I. ДОХОДЫ" of 03.2023; its sumrg becomes one thousand tenge larger.
    let bytes = edited(2, |l| l.replace(";106091873.059;", ";106091874.059;"));
    let months = parse(&bytes).expect("a section total is reconciled, not refused");
    let failing: Vec<_> = reconcile(&month_report(&months[0], 0))
        .into_iter()
        .filter(|c| !c.holds())
        .collect();
    assert_eq!(failing.len(), 1, "{failing:?}");
    let check = &failing[0];
    assert_eq!(check.what, CheckKind::SectionTotal(Section::Receipts));
    assert_eq!(check.column, Column::Executed);
    assert_eq!(check.expected, Tenge::from_tiyn(10_609_187_405_900));
    assert!((check.difference().tiyn() + 100_000).abs() <= 50 * 30);
}

#[test]
fn broken_files_are_refused_naming_line_and_column() {
    let bad_amount = edited(3, |l| l.replacen(";174322398.0;", ";17432239x;", 1));
    assert!(matches!(
        parse(&bad_amount),
        Err(PortalError::BadValue { line: 3, ref column, .. }) if column == "utv"
    ));
    let duplicated = {
        let text = String::from_utf8(file(FILES[0])).expect("utf-8");
        let second = text.lines().nth(2).expect("line 3").to_string();
        format!("{text}{second}\n").into_bytes()
    };
    assert!(matches!(
        parse(&duplicated),
        Err(PortalError::Duplicate { id: 6, .. })
    ));
    let dangling = edited(3, |l| l.replace(";1.0;03.2023", ";99999.0;03.2023"));
    assert!(matches!(
        parse(&dangling),
        Err(PortalError::UnknownParent {
            line: 3,
            parent: 99999,
            ..
        })
    ));
    // "НАЛОГОВЫЕ ПОСТУПЛЕНИЯ" (line 3) is an inner total: 1 000 tenge more than its detail.
    let total = edited(3, |l| l.replacen(";174322398.0;", ";174322399.0;", 1));
    match parse(&total) {
        Err(PortalError::TotalDisagrees {
            line: 3, column, ..
        }) => assert_eq!(column, "utv"),
        other => panic!("{other:?}"),
    }
    let no_month = b"id;code;name;utv;utch;plg;plgp;plgo;sumrg;obz;level;parent_id\n".to_vec();
    assert!(matches!(
        parse(&no_month),
        Err(PortalError::MissingColumn { ref column }) if column == "month"
    ));
    assert!(parse(b"").is_err());
    assert_eq!(parse_thousands("-0.5"), Some(Tenge::from_tiyn(-50_000)));
    assert_eq!(parse_thousands("1.000001"), None);
}

/// Issue 21: the execution report of the Mangystau file leaves blank the columns that do not
/// apply — the obligations and the unpaid rest of every revenue row, of the totals of sections
/// III–VII and of the reference balances — and fills them for the expenses.
#[test]
fn the_execution_report_leaves_blank_what_does_not_apply() {
    use jospar_execution::usecases::portal_reports::month_table;
    use jospar_i18n::{Lang, Tr};
    use jospar_reports::Cell;
    let months = parse(&file("local_mangystau_region_execution_tree.csv")).expect("parsed");
    let tree = months.last().expect("a month");
    let report = month_report(tree, 2);
    let tr = Tr(Lang::Ru);
    let table = month_table(&tr, vec![], &report);
    let column = |key: &str| {
        let heading = tr.t(key);
        let found = table.headers.iter().position(|h| *h == heading);
        found.unwrap_or_else(|| panic!("{key}"))
    };
    let obligations = [
        column("exec-col-plan_obligations"),
        column("exec-col-accepted"),
        column("exec-col-unpaid"),
    ];
    let blank = |row: &[Cell]| {
        let cells = obligations.map(|c| row[c].clone());
        cells.iter().all(|c| *c == Cell::Text(String::new()))
    };
    let mut blanks = std::collections::HashMap::new();
    for (row, cells) in report.rows.iter().zip(&table.rows) {
        let expected = match (row.section, row.total) {
            (Section::Receipts, _) => true,
            (Section::Expenses, _) => false,
            (_, total) => total,
        };
        assert_eq!(blank(cells), expected, "{:?} {}", row.section, row.name);
        *blanks.entry((row.section, row.total)).or_insert(0) += 1;
    }
    assert!(
        blanks.get(&(Section::Receipts, false)) > Some(&5),
        "revenue detail rows: {blanks:?}"
    );
    for section in [Section::Deficit, Section::Financing] {
        assert_eq!(blanks.get(&(section, true)), Some(&1), "{section:?}");
    }
    let expenses = report
        .rows
        .iter()
        .position(|r| r.section == Section::Expenses);
    let unpaid = &table.rows[expenses.expect("II")][obligations[2]];
    assert!(
        matches!(unpaid, Cell::Money(m) if *m != Tenge::ZERO),
        "the expenses' unpaid obligations: {unpaid:?}"
    );
    let memo = &table.rows[report.rows.len()..];
    assert!(!memo.is_empty() && memo.iter().all(|r| blank(r)));
}

/// Issue 21: every column heading of the execution report, and of every printed layout of the
/// execution forms, is in its PDF whole, in Kazakh and in Russian.
#[test]
fn every_heading_of_the_execution_reports_is_in_their_pdf() {
    use jospar_execution::usecases::portal_reports::month_table;
    use jospar_i18n::{Lang, Tr};
    use jospar_reports::pdf_text::missing_headings;
    let months = parse(&file("local_mangystau_region_execution_tree.csv")).expect("parsed");
    let report = month_report(months.last().expect("a month"), 1);
    for lang in [Lang::Kk, Lang::Ru] {
        let tr = Tr(lang);
        let table = month_table(&tr, vec![], &report);
        assert_eq!(missing_headings(&table), Ok(vec![]), "{lang:?}");
        for layout in jospar_execution::layouts::layouts().printed.iter() {
            let table = with_a_line(layout.table(&tr, &[]));
            let missing = missing_headings(&table);
            assert_eq!(missing, Ok(vec![]), "{} {lang:?}", layout.code);
        }
    }
}

/// The table with a line of a billion tenge in each amount column.
fn with_a_line(mut table: jospar_reports::Table) -> jospar_reports::Table {
    use jospar_reports::{Cell, Kind};
    let cell = |column: &jospar_reports::Column| match column.kind {
        Kind::Money => Cell::Money(Tenge::from_tiyn(123_456_789_012)),
        _ => Cell::Text("001".into()),
    };
    table.rows = vec![table.columns.iter().map(cell).collect()];
    table
}
