//! Worked examples of the pay computation (ST-1, ST-2), the arithmetic written out. The
//! reference values are test data in the shape of the real tables (БДО 17 697 ₸, МРП 3 932 ₸
//! in 2025 and 4 325 ₸ in 2026, МЗП 85 000 ₸); the grid coefficients are illustrative.

use super::*;
use chrono::NaiveDate;
use std::collections::BTreeMap;

fn tenge(text: &str) -> Tenge {
    Tenge::parse(text).expect("amount")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn dated<T>(valid_from: NaiveDate, value: T) -> Dated<T> {
    Dated { valid_from, value }
}

fn tables() -> ReferenceTables {
    let grid = Grid {
        rows: BTreeMap::from([
            (
                WorkerCategory::CivilServant,
                BTreeMap::from([(
                    "B2".to_string(),
                    vec![(0, Coefficient(35_000)), (5, Coefficient(39_000))],
                )]),
            ),
            (
                WorkerCategory::StateServant,
                BTreeMap::from([("E-R-4".to_string(), vec![(0, Coefficient(50_000))])]),
            ),
        ]),
    };
    let rates_2025 = Rates {
        social_tax: Percent(950),
        social_contributions: Percent(500),
        health_insurance: Percent(300),
        employer_pension: Percent(250),
        employee_pension: Percent(1_000),
    };
    let rates_2026 = Rates {
        social_tax: Percent(600),
        employer_pension: Percent(350),
        ..rates_2025
    };
    ReferenceTables {
        base_salary: vec![dated(day(2025, 1, 1), tenge("17697"))],
        mci: vec![
            dated(day(2025, 1, 1), tenge("3932")),
            dated(day(2026, 1, 1), tenge("4325")),
        ],
        minimum_wage: vec![dated(day(2025, 1, 1), tenge("85000"))],
        grids: vec![dated(day(2025, 1, 1), grid)],
        rates: vec![
            dated(day(2025, 1, 1), rates_2025),
            dated(day(2026, 1, 1), rates_2026),
        ],
    }
}

/// A teacher (civil servant, block/category B2, 6 years of service) on 1.5 staff units.
fn teacher() -> Position {
    Position {
        program: "003".into(),
        subprogram: "015".into(),
        unit: "Педагоги".into(),
        title: "Учитель".into(),
        category: WorkerCategory::CivilServant,
        grade: "B2".into(),
        service_years: 6,
        staff_units: StaffUnits(1_500),
        allowances: vec![
            Allowance::PercentOfSalary {
                name: "классное руководство".into(),
                percent: Percent(1_000),
            },
            Allowance::PercentOfBase {
                name: "за квалификацию".into(),
                percent: Percent(2_500),
            },
            Allowance::Mci {
                name: "за работу в сельской местности".into(),
                count: Coefficient(20_000),
            },
            Allowance::Fixed {
                name: "доплата".into(),
                monthly: tenge("5000"),
            },
        ],
        contract_monthly: None,
    }
}

#[test]
fn civil_servant_2026() {
    let reference = tables().on(day(2026, 1, 1)).expect("reference");
    let pay = monthly_pay(0, &teacher(), &reference).expect("pay");
    // 6 years → band from 5 years, coefficient 3.9: 17 697 × 3.9 = 69 018.30
    assert_eq!(pay.official_salary, tenge("69018.30"));
    // 10 % of 69 018.30 = 6 901.83; 25 % of 17 697 = 4 424.25; 2 × 4 325 = 8 650; 5 000
    let amounts: Vec<Tenge> = pay.allowances.iter().map(|(_, a)| *a).collect();
    assert_eq!(
        amounts,
        vec![
            tenge("6901.83"),
            tenge("4424.25"),
            tenge("8650"),
            tenge("5000")
        ]
    );
    // 69 018.30 + 6 901.83 + 4 424.25 + 8 650.00 + 5 000.00 = 93 994.38
    assert_eq!(pay.total, tenge("93994.38"));
    let fund = annual_fund(&[teacher()], &reference).expect("fund");
    // 93 994.38 × 1.5 = 140 991.57 a month; × 12 = 1 691 898.84
    assert_eq!(fund.payroll, tenge("1691898.84"));
    // on pay less the 10 % pension contributions, rounded once as forms 121 and 122 do:
    // 1 691 898.84 × 0.9 = 1 522 708.956; social contributions 5 % = 76 135.4478 → 76 135.45
    assert_eq!(fund.social_contributions, tenge("76135.45"));
    // social tax 6 %: 1 522 708.956 × 0.06 = 91 362.53736 → 91 362.54
    assert_eq!(fund.social_tax, tenge("91362.54"));
    // health insurance 3 % of 1 691 898.84 = 50 756.9652 → 50 756.97
    assert_eq!(fund.health_insurance, tenge("50756.97"));
    // employer's pension 3.5 %: 59 216.4594 → 59 216.46
    assert_eq!(fund.employer_pension, tenge("59216.46"));
    assert_eq!(
        fund.contributions(),
        tenge("76135.45") + tenge("91362.54") + tenge("50756.97") + tenge("59216.46")
    );
}

#[test]
fn civil_servant_2025_rates() {
    let reference = tables().on(day(2025, 6, 1)).expect("reference");
    // МРП 3 932 in 2025: 2 × 3 932 = 7 864; total 69 018.30 + 6 901.83 + 4 424.25 + 7 864 + 5 000
    let pay = monthly_pay(0, &teacher(), &reference).expect("pay");
    assert_eq!(pay.total, tenge("93208.38"));
    let fund = annual_fund(&[teacher()], &reference).expect("fund");
    // 93 208.38 × 1.5 = 139 812.57; × 12 = 1 677 750.84
    assert_eq!(fund.payroll, tenge("1677750.84"));
    // base: 1 677 750.84 × 0.9 = 1 509 975.756; contributions 5 % = 75 498.7878 → 75 498.79
    assert_eq!(fund.social_contributions, tenge("75498.79"));
    // social tax 9.5 % = 143 447.69682 → 143 447.70
    assert_eq!(fund.social_tax, tenge("143447.70"));
    // health 3 % = 50 332.5252 → 50 332.53; pension 2.5 % = 41 943.771 → 41 943.77
    assert_eq!(fund.health_insurance, tenge("50332.53"));
    assert_eq!(fund.employer_pension, tenge("41943.77"));
}

#[test]
fn state_servant_and_non_staff_worker() {
    let reference = tables().on(day(2026, 3, 1)).expect("reference");
    let chief = Position {
        program: "001".into(),
        subprogram: String::new(),
        unit: "Руководство".into(),
        title: "Руководитель отдела".into(),
        category: WorkerCategory::StateServant,
        grade: "E-R-4".into(),
        service_years: 12,
        staff_units: StaffUnits(1_000),
        allowances: vec![],
        contract_monthly: None,
    };
    // 17 697 × 5.0 = 88 485.00 a month; × 12 = 1 061 820.00
    let fund = annual_fund(std::slice::from_ref(&chief), &reference).expect("fund");
    assert_eq!(fund.payroll, tenge("1061820"));
    let lecturer = Position {
        program: "003".into(),
        subprogram: "015".into(),
        unit: "Кружки".into(),
        title: "Руководитель кружка (договор)".into(),
        category: WorkerCategory::NonStaff,
        grade: String::new(),
        service_years: 0,
        staff_units: StaffUnits(500),
        allowances: vec![],
        contract_monthly: Some(tenge("120000")),
    };
    // 120 000 × 0.5 = 60 000 a month; × 12 = 720 000
    let both = annual_fund(&[chief, lecturer, teacher()], &reference).expect("fund");
    // 1 061 820.00 + 720 000.00 + 1 691 898.84 = 3 473 718.84
    assert_eq!(both.payroll, tenge("3473718.84"));
    // Split by program (ST-3): 001 has the head of department, 003/015 the other two.
    let payrolls: Vec<(&str, &str, Tenge)> = both
        .groups
        .iter()
        .map(|g| (g.program.as_str(), g.subprogram.as_str(), g.payroll))
        .collect();
    assert_eq!(
        payrolls,
        vec![
            ("001", "", tenge("1061820")),
            ("003", "015", tenge("2411898.84"))
        ]
    );
    // Form 111's rows of 003/015: one per position, staff units and pay as the form reads them.
    let (specific, rows) = &both.groups[1].rows[0];
    assert_eq!(specific, "111");
    assert_eq!(rows[1]["staff_units"], "1.5");
    assert_eq!(rows[1]["salary"], "93994.38");
    assert_eq!(rows[0]["staff_units"], "0.5");
    let groups_total: Tenge = both.groups.iter().map(|g| g.social_tax).sum();
    assert_eq!(groups_total, both.social_tax);
}

#[test]
fn bad_positions_are_named() {
    let reference = tables().on(day(2026, 1, 1)).expect("reference");
    let with = |change: &dyn Fn(&mut Position)| {
        let mut p = teacher();
        change(&mut p);
        annual_fund(&[teacher(), p], &reference)
    };
    assert_eq!(
        with(&|p| p.staff_units = StaffUnits(0)),
        Err(PayError::StaffUnits { position: 1 })
    );
    assert_eq!(
        with(&|p| p.staff_units = StaffUnits(2_000_000)),
        Err(PayError::StaffUnits { position: 1 })
    );
    assert_eq!(
        with(&|p| p.grade = "B9".into()),
        Err(PayError::GradeMissing {
            position: 1,
            category: WorkerCategory::CivilServant,
            grade: "B9".into()
        })
    );
    // 2 years → coefficient 3.5: 17 697 × 3.5 = 61 939.50, below the minimum wage 85 000.
    assert_eq!(
        with(&|p| {
            p.service_years = 2;
            p.allowances.clear();
        }),
        Err(PayError::BelowMinimumWage {
            position: 1,
            pay: tenge("61939.50"),
            minimum: tenge("85000"),
        })
    );
    assert_eq!(
        with(&|p| p.category = WorkerCategory::NonStaff),
        Err(PayError::ContractMissing { position: 1 })
    );
    assert!(matches!(
        tables().on(day(2024, 12, 31)),
        Err(PayError::NoReference { .. })
    ));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The table's payroll is the sum of its positions' payrolls, to the tiyn.
        #[test]
        fn payroll_adds_up(units in proptest::collection::vec(1i64..5_000, 1..12)) {
            let reference = tables().on(day(2026, 1, 1)).expect("reference");
            let positions: Vec<Position> = units
                .iter()
                .map(|u| Position { staff_units: StaffUnits(*u), ..teacher() })
                .collect();
            let whole = annual_fund(&positions, &reference).expect("fund").payroll;
            let parts: Tenge = positions
                .iter()
                .map(|p| annual_fund(std::slice::from_ref(p), &reference).expect("fund").payroll)
                .sum();
            prop_assert_eq!(whole, parts);
        }
    }
}

#[test]
fn copy_to_the_next_year_and_compare() {
    let tables = tables();
    let (y2026, y2027) = (
        tables.on(day(2026, 1, 1)).expect("2026"),
        tables.on(day(2027, 1, 1)).expect("2027"),
    );
    let mut young = teacher();
    young.title = "Учитель-стажёр".into();
    young.service_years = 4;
    young.allowances.truncate(3);
    let before = vec![teacher(), young];
    let mut after = next_year(&before);
    // 4 → 5 years: the band changes from 3.5 to 3.9 (69 018.30 instead of 61 939.50).
    assert_eq!(after[1].service_years, 5);
    after[0].staff_units = StaffUnits(2_000);
    after.push(Position {
        title: "Психолог".into(),
        ..teacher()
    });
    let changes = compare((&before, &y2026), (&after, &y2027)).expect("compare");
    assert_eq!(changes.len(), 3, "{changes:?}");
    assert!(changes.contains(&PositionChange::Changed {
        unit: "Педагоги".into(),
        title: "Учитель".into(),
        staff_units: (1_500, 2_000),
        pay: (tenge("93994.38"), tenge("93994.38")),
    }));
    // the trainee: 61 939.50 + 6 193.95 + 4 424.25 + 8 650 = 81 207.70 → 69 018.30 + 6 901.83
    // + 4 424.25 + 8 650 = 88 994.38
    assert!(changes.contains(&PositionChange::Changed {
        unit: "Педагоги".into(),
        title: "Учитель-стажёр".into(),
        staff_units: (1_500, 1_500),
        pay: (tenge("81207.70"), tenge("88994.38")),
    }));
    assert!(matches!(&changes[2], PositionChange::Added { title, .. } if title == "Психолог"));
}
