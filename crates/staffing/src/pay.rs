//! Monthly pay of a position and the annual payroll fund of a staffing table (ST-1, ST-3).

use crate::{Allowance, PayError, Position, Reference, WorkerCategory};
use jospar_core::Tenge;
use serde::Serialize;

/// Pay of one staff unit of a position for one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// The annual payroll fund of a staffing table with the employer's contributions on it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AnnualFund {
    /// Фонд оплаты труда: every position's monthly pay × staff units × 12.
    pub payroll: Tenge,
    pub social_tax: Tenge,
    pub social_contributions: Tenge,
    pub health_insurance: Tenge,
    pub employer_pension: Tenge,
}

impl AnnualFund {
    pub fn contributions(&self) -> Tenge {
        self.social_tax + self.social_contributions + self.health_insurance + self.employer_pension
    }
}

/// Checks every position, then sums the year's payroll and computes the contributions on it.
/// A full staff unit paid below the minimum wage is refused: the table has an error.
pub fn annual_fund(positions: &[Position], reference: &Reference) -> Result<AnnualFund, PayError> {
    let mut payroll = Tenge::ZERO;
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
        let monthly_fund = position.staff_units.of(pay.total);
        payroll += Tenge::from_tiyn(monthly_fund.tiyn() * 12);
    }
    let rates = reference.rates;
    let taxable = payroll - rates.employee_pension.of(payroll);
    let social_contributions = rates.social_contributions.of(taxable);
    let social_tax = {
        let tax = rates.social_tax.of(taxable);
        let tax = if rates.social_tax_less_contributions {
            tax - social_contributions
        } else {
            tax
        };
        if tax < Tenge::ZERO { Tenge::ZERO } else { tax }
    };
    Ok(AnnualFund {
        payroll,
        social_tax,
        social_contributions,
        health_insurance: rates.health_insurance.of(payroll),
        employer_pension: rates.employer_pension.of(payroll),
    })
}
