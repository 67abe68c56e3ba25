use super::*;
use alloc::string::ToString;
use alloc::vec;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn spec<'a>(key: &'a str, kind: Kind, formula: &'a str) -> ColumnSpec<'a> {
    ColumnSpec {
        key,
        kind,
        formula,
        required: false,
        min: None,
        max: None,
    }
}

#[test]
fn russian_locale_cells_parse() {
    assert_eq!(
        parse_decimal("1\u{a0}234,50"),
        Some(Decimal::new(123450, 2))
    );
    assert_eq!(
        parse_decimal("1 234 567.89"),
        Some(Decimal::new(123456789, 2))
    );
    assert_eq!(parse_decimal("один"), None);
    assert_eq!(format_decimal(Decimal::new(123450, 2)), "1234,5");
}

#[test]
fn tiyn_are_rounded_half_away_from_zero() {
    assert_eq!(tiyn_of(Decimal::new(1005, 3)), 101);
    assert_eq!(tiyn_of(Decimal::new(-1005, 3)), -101);
    assert_eq!(tiyn_of(Decimal::new(12, 0)), 1200);
}

#[test]
fn a_row_is_computed_in_column_order_and_failures_are_named() {
    let columns = vec![
        spec("units", Kind::Number, ""),
        ColumnSpec {
            max: Some(Decimal::new(1000, 0)),
            ..spec("price", Kind::Number, "")
        },
        spec("sum", Kind::Computed, "units * price / 3"),
    ];
    let outcomes = evaluate_row(&columns, |key| match key {
        "units" => "2",
        _ => "100",
    });
    assert_eq!(outcomes[2], Outcome::Number(Decimal::new(6667, 2)));
    let outcomes = evaluate_row(&columns, |key| match key {
        "units" => "два",
        _ => "2000",
    });
    assert_eq!(
        outcomes[0],
        Outcome::Failed(CellError::NotANumber("два".to_string()))
    );
    assert_eq!(
        outcomes[1],
        Outcome::Failed(CellError::OutOfRange(Decimal::new(2000, 0)))
    );
    assert_eq!(outcomes[2], Outcome::Number(Decimal::ZERO));
}

#[test]
fn the_wire_answers_every_row() {
    let input = "c\tname\tt\t1\t\t\t\nc\tunits\tn\t0\t0\t\t\nc\tprice\tn\t0\t\t\t\nc\tsum\tc\t0\t\t\tunits * price\na\tsum\nr\nv\tname\tбумага\nv\tunits\t3\nv\tprice\t1 234,50\nr\nv\tunits\t-1\n";
    assert_eq!(
        evaluate_wire(input),
        "r\t370350\nunits\t3\t300\t0\nprice\t1234,5\t123450\t0\nsum\t3703,5\t370350\t0\n\
         r\t0\nname\t\t0\t1\nunits\t-1\t-100\t1\nprice\t0\t0\t0\nsum\t0\t0\t0\n"
    );
}

proptest! {
    /// The wire gives what the engine gives, whatever is typed.
    #[test]
    fn the_wire_is_the_engine(a in -1_000_000i64..1_000_000, b in 0i64..100_000, scale in 0u32..4) {
        let (x, y) = (Decimal::new(a, scale), Decimal::new(b, 2));
        let (tx, ty) = (format_decimal(x), format_decimal(y));
        let columns = vec![
            spec("x", Kind::Number, ""),
            spec("y", Kind::Number, ""),
            spec("z", Kind::Computed, "x / (y + 1) * 3 - x"),
        ];
        let outcomes = evaluate_row(&columns, |key| if key == "x" { tx.as_str() } else { ty.as_str() });
        let wire = evaluate_wire(&alloc::format!(
            "c\tx\tn\t0\t\t\t\nc\ty\tn\t0\t\t\t\nc\tz\tc\t0\t\t\tx / (y + 1) * 3 - x\na\tz\nr\nv\tx\t{tx}\nv\ty\t{ty}\n"
        ));
        let Outcome::Number(z) = outcomes[2] else { panic!("{outcomes:?}") };
        let expected = alloc::format!("z\t{}\t{}\t0", format_decimal(z), tiyn_of(z));
        prop_assert!(wire.contains(&expected), "{wire}");
        let amount = alloc::format!("r\t{}\n", tiyn_of(z));
        prop_assert!(wire.starts_with(&amount), "{wire}");
    }
}
