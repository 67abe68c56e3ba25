//! Pay reference tables, each a history of values valid from a date (ST-2): the value that
//! applies on a day is the latest one that started on or before it.

use crate::{Coefficient, PayError, Percent, WorkerCategory};
use chrono::NaiveDate;
use jospar_core::Tenge;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Dated<T> {
    pub valid_from: NaiveDate,
    pub value: T,
}

/// Coefficients by category of worker and grade, in bands of length of service: a band applies
/// from its number of full years until the next band.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Grid {
    pub rows: BTreeMap<WorkerCategory, BTreeMap<String, Vec<(u8, Coefficient)>>>,
}

impl Grid {
    pub fn coefficient(
        &self,
        category: WorkerCategory,
        grade: &str,
        service_years: u8,
    ) -> Option<Coefficient> {
        let bands = self.rows.get(&category)?.get(grade)?;
        bands
            .iter()
            .filter(|(from, _)| *from <= service_years)
            .max_by_key(|(from, _)| *from)
            .map(|(_, c)| *c)
    }
}

/// Employer contribution rates and how they are based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rates {
    /// Social tax (социальный налог), on pay less the employee's pension contributions
    /// (Tax Code of 2026: social contributions are no longer deducted from it).
    pub social_tax: Percent,
    /// Social contributions to the State Social Insurance Fund (социальные отчисления).
    pub social_contributions: Percent,
    /// Employer's contributions to compulsory social health insurance (ОСМС).
    pub health_insurance: Percent,
    /// Employer's compulsory pension contributions (ОППВР).
    pub employer_pension: Percent,
    /// The employee's compulsory pension contributions (ОПВ), withheld from pay: the social tax
    /// and the social contributions are computed on pay less them.
    pub employee_pension: Percent,
}

/// Every reference table with its history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReferenceTables {
    /// Базовый должностной оклад.
    pub base_salary: Vec<Dated<Tenge>>,
    /// Месячный расчётный показатель.
    pub mci: Vec<Dated<Tenge>>,
    /// Минимальная заработная плата.
    pub minimum_wage: Vec<Dated<Tenge>>,
    pub grids: Vec<Dated<Grid>>,
    pub rates: Vec<Dated<Rates>>,
}

/// The values of the reference tables on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub base_salary: Tenge,
    pub mci: Tenge,
    pub minimum_wage: Tenge,
    pub grid: Grid,
    pub rates: Rates,
}

fn on<T: Clone>(history: &[Dated<T>], date: NaiveDate, table: &'static str) -> Result<T, PayError> {
    history
        .iter()
        .filter(|d| d.valid_from <= date)
        .max_by_key(|d| d.valid_from)
        .map(|d| d.value.clone())
        .ok_or(PayError::NoReference { table, date })
}

impl ReferenceTables {
    pub fn on(&self, date: NaiveDate) -> Result<Reference, PayError> {
        Ok(Reference {
            base_salary: on(&self.base_salary, date, "base official salary")?,
            mci: on(&self.mci, date, "monthly calculation index")?,
            minimum_wage: on(&self.minimum_wage, date, "minimum wage")?,
            grid: on(&self.grids, date, "coefficient grid")?,
            rates: on(&self.rates, date, "contribution rates")?,
        })
    }
}
