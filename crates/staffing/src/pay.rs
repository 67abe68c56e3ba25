//! Monthly pay of a position and the annual payroll fund of a staffing table (ST-1, ST-3).

use crate::{Allowance, PayError, Percent, Position, Reference, WorkerCategory};
use jospar_core::Tenge;
use jospar_core::money::div_round_half_away;
use serde::Serialize;
use std::collections::BTreeMap;

/// Pay of one staff unit of a position for one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MonthlyPay {
    /// Должностной оклад (for non-staff workers: the contract amount).
    pub official_salary: Tenge,
    pub allowances: Vec<(String, Tenge)>,
    pub total: Tenge,
}

pub fn monthly_pay(
    index: usize,
    position: &Position,
    reference: &Reference,
) -> Result<MonthlyPay, PayError> {
    let official_salary = match position.category {
        WorkerCategory::NonStaff => position
            .contract_monthly
            .ok_or(PayError::ContractMissing { position: index })?,
        category => reference
            .grid
            .coefficient(category, &position.grade, position.service_years)
            .ok_or_else(|| PayError::GradeMissing {
                position: index,
                category,
                grade: position.grade.clone(),
            })?
            .of(reference.base_salary),
    };
    let allowances: Vec<(String, Tenge)> = position
        .allowances
        .iter()
        .map(|a| {
            let amount = match a {
                Allowance::PercentOfBase { percent, .. } => percent.of(reference.base_salary),
                Allowance::PercentOfSalary { percent, .. } => percent.of(official_salary),
                Allowance::Fixed { monthly, .. } => *monthly,
                Allowance::Mci { count, .. } => count.of(reference.mci),
            };
            (a.name().to_string(), amount)
        })
        .collect();
    let total = official_salary + allowances.iter().map(|(_, a)| *a).sum::<Tenge>();
    Ok(MonthlyPay {
        official_salary,
        allowances,
        total,
    })
}

/// The specifics of the economic classification the staffing table fills (ST-3): pay,
/// employer's pension contributions, social tax, social contributions, health insurance.
pub const PAYROLL_SPECIFICS: [&str; 5] = ["111", "116", "121", "122", "124"];

/// The payroll of the positions of one program and subprogram, with the rows of the
/// calculation forms of the payroll specifics that reproduce it in a budget request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct GroupFund {
    pub program: String,
    pub subprogram: String,
    pub payroll: Tenge,
    pub social_tax: Tenge,
    pub social_contributions: Tenge,
    pub health_insurance: Tenge,
    pub employer_pension: Tenge,
    /// Specific → rows of its calculation form (111: one row per position).
    pub rows: Vec<(String, Vec<BTreeMap<String, String>>)>,
}

/// The annual payroll fund of a staffing table with the employer's contributions on it: the
/// sum of its program groups, so that it reconciles with the request lines to the tiyn.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AnnualFund {
    /// Фонд оплаты труда: every position's monthly pay × staff units × 12.
    pub payroll: Tenge,
    pub social_tax: Tenge,
    pub social_contributions: Tenge,
    pub health_insurance: Tenge,
    pub employer_pension: Tenge,
    pub groups: Vec<GroupFund>,
}

impl AnnualFund {
    pub fn contributions(&self) -> Tenge {
        self.social_tax + self.social_contributions + self.health_insurance + self.employer_pension
    }
}

/// A decimal text of a fixed-point value with `places` decimals ("1.5", "12", "10").
fn decimal(value: i64, places: u32) -> String {
    let scale = 10i64.pow(places);
    let (whole, fraction) = (value / scale, (value % scale).abs());
    if fraction == 0 {
        return whole.to_string();
    }
    let digits = format!("{fraction:0width$}", width = places as usize);
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

fn money_text(amount: Tenge) -> String {
    decimal(amount.tiyn(), 2)
}

/// `amount × (1 − withheld) × rate`, rounded once — as the forms 121 and 122 compute it.
fn on_pay_less_pension(amount: Tenge, withheld: Percent, rate: Percent) -> Tenge {
    Tenge::from_tiyn(div_round_half_away(
        amount.tiyn() * (10_000 - withheld.0) * rate.0,
        100_000_000,
    ))
}

/// Checks every position, then sums the year's payroll by program and subprogram and computes
/// the contributions of each group. A full staff unit paid below the minimum wage is refused.
pub fn annual_fund(positions: &[Position], reference: &Reference) -> Result<AnnualFund, PayError> {
    let mut groups: BTreeMap<(String, String), GroupFund> = BTreeMap::new();
    for (index, position) in positions.iter().enumerate() {
        if position.staff_units.0 <= 0 || position.staff_units > crate::StaffUnits::MAX {
            return Err(PayError::StaffUnits { position: index });
        }
        let pay = monthly_pay(index, position, reference)?;
        if position.category != WorkerCategory::NonStaff && pay.total < reference.minimum_wage {
            return Err(PayError::BelowMinimumWage {
                position: index,
                pay: pay.total,
                minimum: reference.minimum_wage,
            });
        }
        let group = groups
            .entry((position.program.clone(), position.subprogram.clone()))
            .or_insert_with(|| GroupFund {
                program: position.program.clone(),
                subprogram: position.subprogram.clone(),
                rows: vec![("111".into(), Vec::new())],
                ..GroupFund::default()
            });
        // As form 111 computes it: staff units × monthly pay × 12, rounded once.
        group.payroll += Tenge::from_tiyn(div_round_half_away(
            pay.total.tiyn() * position.staff_units.0 * 12,
            1_000,
        ));
        group.rows[0].1.push(BTreeMap::from([
            ("position".to_string(), position.title.clone()),
            (
                "staff_units".to_string(),
                decimal(position.staff_units.0, 3),
            ),
            ("salary".to_string(), money_text(pay.total)),
            ("months".to_string(), "12".to_string()),
        ]));
    }
    let rates = reference.rates;
    let percent = |p: Percent| decimal(p.0, 2);
    let mut fund = AnnualFund::default();
    for mut group in groups.into_values() {
        let base = money_text(group.payroll);
        group.social_tax =
            on_pay_less_pension(group.payroll, rates.employee_pension, rates.social_tax);
        group.social_contributions = on_pay_less_pension(
            group.payroll,
            rates.employee_pension,
            rates.social_contributions,
        );
        group.health_insurance = rates.health_insurance.of(group.payroll);
        group.employer_pension = rates.employer_pension.of(group.payroll);
        let less_pension = |rate: Percent| {
            vec![BTreeMap::from([
                ("base".to_string(), base.clone()),
                (
                    "pension_percent".to_string(),
                    percent(rates.employee_pension),
                ),
                ("rate_percent".to_string(), percent(rate)),
            ])]
        };
        let on_base = |rate: Percent| {
            vec![BTreeMap::from([
                ("base".to_string(), base.clone()),
                ("rate_percent".to_string(), percent(rate)),
            ])]
        };
        group
            .rows
            .push(("116".into(), on_base(rates.employer_pension)));
        group
            .rows
            .push(("121".into(), less_pension(rates.social_tax)));
        group
            .rows
            .push(("122".into(), less_pension(rates.social_contributions)));
        group
            .rows
            .push(("124".into(), on_base(rates.health_insurance)));
        fund.payroll += group.payroll;
        fund.social_tax += group.social_tax;
        fund.social_contributions += group.social_contributions;
        fund.health_insurance += group.health_insurance;
        fund.employer_pension += group.employer_pension;
        fund.groups.push(group);
    }
    Ok(fund)
}

/// How a position differs between two years of a staffing table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum PositionChange {
    Added {
        unit: String,
        title: String,
        staff_units: i64,
        pay: Tenge,
    },
    Removed {
        unit: String,
        title: String,
        staff_units: i64,
        pay: Tenge,
    },
    Changed {
        unit: String,
        title: String,
        staff_units: (i64, i64),
        pay: (Tenge, Tenge),
    },
}

/// Compares two years' positions by structural unit and title (ST-1: positions added,
/// removed, pay or staff units changed), each priced with its own year's reference.
pub fn compare(
    before: (&[Position], &Reference),
    after: (&[Position], &Reference),
) -> Result<Vec<PositionChange>, PayError> {
    let priced = |positions: &[Position], reference: &Reference| {
        positions
            .iter()
            .enumerate()
            .map(|(i, p)| {
                monthly_pay(i, p, reference).map(|pay| {
                    (
                        (p.unit.clone(), p.title.clone()),
                        (p.staff_units.0, pay.total),
                    )
                })
            })
            .collect::<Result<BTreeMap<_, _>, _>>()
    };
    let (old, new) = (priced(before.0, before.1)?, priced(after.0, after.1)?);
    let mut changes = Vec::new();
    for ((unit, title), (units, pay)) in &old {
        match new.get(&(unit.clone(), title.clone())) {
            None => changes.push(PositionChange::Removed {
                unit: unit.clone(),
                title: title.clone(),
                staff_units: *units,
                pay: *pay,
            }),
            Some((new_units, new_pay)) if (new_units, new_pay) != (units, pay) => {
                changes.push(PositionChange::Changed {
                    unit: unit.clone(),
                    title: title.clone(),
                    staff_units: (*units, *new_units),
                    pay: (*pay, *new_pay),
                })
            }
            Some(_) => {}
        }
    }
    for ((unit, title), (units, pay)) in &new {
        if !old.contains_key(&(unit.clone(), title.clone())) {
            changes.push(PositionChange::Added {
                unit: unit.clone(),
                title: title.clone(),
                staff_units: *units,
                pay: *pay,
            });
        }
    }
    Ok(changes)
}

/// The positions of the next year: the same positions, each a year longer in service.
pub fn next_year(positions: &[Position]) -> Vec<Position> {
    positions
        .iter()
        .map(|p| Position {
            service_years: p.service_years.saturating_add(1),
            ..p.clone()
        })
        .collect()
}
