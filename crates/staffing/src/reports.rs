//! The staffing table as a printed report (ST-1, P-19): every position with its monthly pay
//! and its annual fund, and the total payroll.

use crate::usecases::PricedTable;
use crate::{MonthlyPay, Position, WorkerCategory};
use jospar_core::Tenge;
use jospar_i18n::Tr;
use jospar_reports::{Cell, Table};

/// Staff units kept in thousandths (1.5 units = 1500), written as people read them: "1.5".
pub fn units_text(units: i64) -> String {
    let text = format!("{}.{:03}", units / 1_000, units % 1_000);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The message key of a worker category's name.
pub fn category_key(c: WorkerCategory) -> &'static str {
    match c {
        WorkerCategory::CivilServant => "staff-civil-servant",
        WorkerCategory::StateServant => "staff-state-servant",
        WorkerCategory::NonStaff => "staff-non-staff",
    }
}

/// The allowances of a month's pay together.
pub fn allowances_total(pay: &MonthlyPay) -> Tenge {
    pay.allowances.iter().map(|(_, a)| *a).sum()
}

/// A position's pay for the year: the month's total times its staff units times 12, rounded
/// to the tiyn half away from zero.
pub fn annual_pay(position: &Position, pay: &MonthlyPay) -> Tenge {
    Tenge::from_tiyn(jospar_core::money::div_round_half_away(
        pay.total.tiyn() * position.staff_units.0 * 12,
        1_000,
    ))
}

/// The staffing table as the page exports it (XLSX, PDF, CSV).
pub fn staffing_table(tr: &Tr, t: &PricedTable) -> Table {
    let headers = [
        "field-program",
        "staff-unit",
        "staff-position",
        "staff-category",
        "staff-grade",
        "staff-service-years",
        "staff-units",
        "staff-salary",
        "staff-allowances",
        "staff-month-total",
        "staff-annual",
    ]
    .iter()
    .map(|k| tr.t(k))
    .collect();
    let rows = t
        .positions
        .iter()
        .zip(&t.pay)
        .map(|(position, pay)| {
            vec![
                Cell::Text(
                    format!("{} {}", position.program, position.subprogram)
                        .trim()
                        .to_string(),
                ),
                Cell::Text(position.unit.clone()),
                Cell::Text(position.title.clone()),
                Cell::Text(tr.t(category_key(position.category))),
                Cell::Text(position.grade.clone()),
                Cell::Text(position.service_years.to_string()),
                Cell::Text(units_text(position.staff_units.0)),
                Cell::Money(pay.official_salary),
                Cell::Money(allowances_total(pay)),
                Cell::Money(pay.total),
                Cell::Money(annual_pay(position, pay)),
            ]
        })
        .collect();
    let mut total = vec![Cell::Text(String::new()); 10];
    total[2] = Cell::Text(tr.t("total"));
    total.push(Cell::Money(t.fund.payroll));
    Table {
        title: tr.t("staffing-title"),
        subtitle: vec![
            format!("{} {}", tr.t("field-year"), t.year),
            tr.t("consolidated-units"),
        ],
        headers,
        numbered: true,
        rows,
        total: Some(total),
        footer: vec![tr.t("appendix-sign-head")],
        ..Table::default()
    }
}
