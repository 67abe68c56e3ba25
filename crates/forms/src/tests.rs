use super::*;
use proptest::prelude::*;

fn row(pairs: &[(&str, &str)]) -> RowInput {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn form(code: &str) -> FormDef {
    shipped()
        .into_iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("form {code} shipped"))
}

#[test]
fn every_shipped_form_is_valid() {
    let forms = shipped();
    assert_eq!(forms.len(), 19, "every file in data/forms parses");
    for f in &forms {
        f.validate().unwrap_or_else(|e| panic!("{e}"));
    }
}

/// Issue 23: every specific has a form — its own, the form of its first digit (transfers,
/// budget credits, financial assets), or the general one; the closest wins.
#[test]
fn every_specific_gets_the_closest_form() {
    let forms = shipped();
    let code_of = |specific: &str| form_for(&forms, specific).map(|f| f.code.clone());
    assert_eq!(code_of("111").as_deref(), Some("111"));
    assert_eq!(code_of("152").as_deref(), Some("159"));
    assert_eq!(code_of("312").as_deref(), Some("311"));
    assert_eq!(code_of("324").as_deref(), Some("transfers"));
    assert_eq!(code_of("511").as_deref(), Some("credits"));
    assert_eq!(code_of("612").as_deref(), Some("assets"));
    assert_eq!(code_of("169").as_deref(), Some("general"));
    assert_eq!(code_of("136").as_deref(), Some("general"));
}

/// A budget credit is an amount with its borrower and a written justification, none optional.
#[test]
fn credit_needs_its_justification() {
    let credits = form("credits");
    let typed = |justification: &str| {
        row(&[
            ("borrower", "ТОО «Жилстрой»"),
            ("justification", justification),
            ("term", "120"),
            ("amount", "1 500 000 000"),
        ])
    };
    let rows = credits
        .evaluate(&[typed("Кредитование жилищного строительства")])
        .unwrap();
    assert_eq!(rows[0].amount, Tenge::from_tiyn(150_000_000_000));
    assert!(matches!(
        credits.evaluate(&[typed("")]),
        Err(FormError::Required { row: 1, ref column }) if column == "justification"
    ));
}

#[test]
fn payroll_111() {
    // 2.5 staff units × 312 500,00 × 12 months = 9 375 000,00
    let rows = form("111")
        .evaluate(&[row(&[
            ("position", "Учитель"),
            ("staff_units", "2,5"),
            ("salary", "312 500"),
            ("months", "12"),
        ])])
        .unwrap();
    assert_eq!(rows[0].amount, Tenge::from_tiyn(937_500_000));
}

#[test]
fn social_tax_121() {
    // (9 375 000 − 10 % pension contribution 937 500) × 9.5 % = 8 437 500 × 0.095 = 801 562,50
    let rows = form("121")
        .evaluate(&[row(&[
            ("base", "9375000"),
            ("pension_percent", "10"),
            ("rate_percent", "9,5"),
        ])])
        .unwrap();
    assert_eq!(rows[0].amount, Tenge::from_tiyn(80_156_250));
}

#[test]
fn fuel_144() {
    // 25 000 km × 9 l/100 km = 2 250 l × 205,5 = 462 375,00
    let rows = form("144")
        .evaluate(&[row(&[
            ("vehicle", "Toyota Camry"),
            ("km", "25000"),
            ("norm", "9"),
            ("price", "205,5"),
        ])])
        .unwrap();
    assert_eq!(rows[0].amount, Tenge::from_tiyn(46_237_500));
}

#[test]
fn utilities_151_sum_of_rows() {
    // heat 1 200 Gcal × 7 150,37 = 8 580 444,00; water 3 500 m³ × 98,12 = 343 420,00
    let rows = form("151")
        .evaluate(&[
            row(&[
                ("service", "Теплоэнергия"),
                ("volume", "1200"),
                ("tariff", "7150,37"),
            ]),
            row(&[
                ("service", "Водоснабжение"),
                ("volume", "3500"),
                ("tariff", "98,12"),
            ]),
        ])
        .unwrap();
    assert_eq!(
        FormDef::total(&rows),
        Tenge::from_tiyn(858_044_400 + 34_342_000)
    );
}

#[test]
fn business_trips_161() {
    // 4 trips × 2 persons × (3 days × (per diem 3 932 + lodging 15 000) + fare 28 000)
    // = 8 × (56 796 + 28 000) = 8 × 84 796 = 678 368,00
    let rows = form("161")
        .evaluate(&[row(&[
            ("purpose", "Семинар"),
            ("trips", "4"),
            ("persons", "2"),
            ("days", "3"),
            ("per_diem", "3932"),
            ("lodging", "15000"),
            ("fare", "28000"),
        ])])
        .unwrap();
    assert_eq!(rows[0].amount, Tenge::from_tiyn(67_836_800));
}

#[test]
fn construction_431_rounds_half_away_from_zero() {
    // 1 000 000,01 × 33,335 % = 333 350,003… → 333 350,00
    let rows = form("431")
        .evaluate(&[row(&[
            ("object", "Школа на 300 мест"),
            ("estimate", "1000000,01"),
            ("share_percent", "33,335"),
        ])])
        .unwrap();
    assert_eq!(rows[0].amount, Tenge::from_tiyn(33_335_000));
    // 0,005 tenge rounds up to one tiyn
    assert_eq!(to_tenge(Decimal::new(5, 3)), Tenge::from_tiyn(1));
    assert_eq!(to_tenge(Decimal::new(-5, 3)), Tenge::from_tiyn(-1));
}

#[test]
fn computed_cells_cannot_be_typed_and_bad_input_is_named() {
    let f = form("149");
    assert_eq!(
        f.evaluate(&[row(&[
            ("item", "Бумага"),
            ("quantity", "10"),
            ("price", "2500"),
            ("total", "1")
        ])]),
        Err(FormError::ComputedEdited {
            row: 1,
            column: "total".into()
        })
    );
    assert!(matches!(
        f.evaluate(&[row(&[
            ("item", "Бумага"),
            ("quantity", "abc"),
            ("price", "1")
        ])]),
        Err(FormError::NotANumber { row: 1, .. })
    ));
    assert!(matches!(
        f.evaluate(&[row(&[
            ("item", "Бумага"),
            ("quantity", "-1"),
            ("price", "1")
        ])]),
        Err(FormError::OutOfRange { .. })
    ));
    assert!(matches!(
        f.evaluate(&[row(&[("quantity", "1"), ("price", "1")])]),
        Err(FormError::Required { .. })
    ));
}

fn price_check_on(good: &str) -> crate::PriceCheck {
    crate::PriceCheck {
        good: good.into(),
        justification: "price_note".into(),
    }
}

#[test]
fn definitions_are_checked() {
    let mut unknown = form("149");
    let total = unknown
        .columns
        .iter_mut()
        .find(|c| c.key == "total")
        .expect("total");
    total.formula = Some("quantity * nonexistent".into());
    assert!(
        unknown.validate().is_err(),
        "a formula may use only earlier columns"
    );
    let broken = FormDef {
        columns: vec![Column {
            key: "total".into(),
            name_ru: "И".into(),
            name_kk: "Ж".into(),
            column_type: ColumnType::Computed,
            formula: Some("price *".into()),
            required: false,
            min: None,
            max: None,
            indexed: false,
            price_check: None,
        }],
        ..form("149")
    };
    assert!(broken.validate().is_err());
    // A price check names text columns of the form, and sits on a money column.
    let mut tied = form("149");
    assert!(tied.validate().is_ok());
    let price = tied
        .columns
        .iter_mut()
        .find(|c| c.key == "price")
        .expect("price");
    price.price_check = Some(price_check_on("quantity"));
    assert!(tied.validate().is_err(), "the good is a number column");
    let mut misplaced = form("149");
    let quantity = misplaced
        .columns
        .iter_mut()
        .find(|c| c.key == "quantity")
        .expect("quantity");
    quantity.price_check = Some(price_check_on("good"));
    assert!(
        misplaced.validate().is_err(),
        "a check sits on a money column"
    );
    assert!(Expr::parse("(a + 2) * b / 4").is_ok());
    assert!(Expr::parse("a + * b").is_err());
}

#[test]
fn inflation_fill_indexes_only_indexed_columns() {
    let f = form("151");
    let later = f.indexed_copy(
        &[row(&[
            ("service", "Теплоэнергия"),
            ("volume", "1200"),
            ("tariff", "7000"),
        ])],
        10_650,
    );
    assert_eq!(later[0]["tariff"], "7455");
    assert_eq!(later[0]["volume"], "1200");
    assert_eq!(later[0]["service"], "Теплоэнергия");
}

proptest! {
    /// The line total equals the sum of its rows to the tiyn, whatever the inputs.
    #[test]
    fn total_is_the_sum_of_rows(items in proptest::collection::vec((1u32..10_000, 1u64..100_000_000), 1..20)) {
        let f = form("149");
        let rows: Vec<RowInput> = items.iter().map(|(q, p)| row(&[("item", "x"), ("quantity", &q.to_string()), ("price", &format!("{},{:02}", p / 100, p % 100))])).collect();
        let evaluated = f.evaluate(&rows).unwrap();
        let expected: i64 = items.iter().map(|(q, p)| i64::from(*q) * (*p as i64)).sum();
        prop_assert_eq!(FormDef::total(&evaluated), Tenge::from_tiyn(expected));
    }
}
