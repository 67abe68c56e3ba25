//! The staffing table (ST-1…ST-3): positions of an institution for a year, the pay reference
//! tables they are priced with (base official salary, coefficient grids, monthly calculation
//! index, minimum wage, employer contribution rates — each valid from a date), and the
//! computation of monthly salaries and of the annual payroll fund with employer contributions
//! that flows into the payroll lines of a budget request.
//!
//! Exact arithmetic: amounts in tiyn, coefficients in ten-thousandths, staff units in
//! thousandths, percentages in hundredths of a percent; every product is rounded to the tiyn
//! half away from zero at the step the payroll calculation sheets round it.

pub mod import;
mod pay;
mod reference;
pub mod repo;
pub mod reports;
pub mod usecases;

pub use pay::{
    AnnualFund, GroupFund, MonthlyPay, PAYROLL_SPECIFICS, PositionChange, annual_fund, compare,
    monthly_pay, next_year,
};
pub use reference::{Dated, Grid, Rates, Reference, ReferenceTables};

use jospar_core::Tenge;
use jospar_core::money::div_round_half_away;
use serde::{Deserialize, Serialize};

/// A decimal with four places: coefficients of the grids and counts of indices (2.5 → 25 000).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
pub struct Coefficient(pub i64);

impl Coefficient {
    pub const ONE: Coefficient = Coefficient(10_000);

    /// `amount × self`, rounded to the tiyn.
    pub fn of(self, amount: Tenge) -> Tenge {
        Tenge::from_tiyn(div_round_half_away(amount.tiyn() * self.0, 10_000))
    }
}

/// Staff units with three places: 0.5 → 500, 1.25 → 1 250 (ST-1 allows fractions).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
pub struct StaffUnits(pub i64);

impl StaffUnits {
    /// No position of one institution holds more units than this; more is a typing error.
    pub const MAX: StaffUnits = StaffUnits(1_000_000);

    pub fn of(self, amount: Tenge) -> Tenge {
        Tenge::from_tiyn(div_round_half_away(amount.tiyn() * self.0, 1_000))
    }
}

/// A percentage with two places: 25 % → 2 500, 3.5 % → 350.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
pub struct Percent(pub i64);

impl Percent {
    pub fn of(self, amount: Tenge) -> Tenge {
        Tenge::from_tiyn(div_round_half_away(amount.tiyn() * self.0, 10_000))
    }
}

/// Category of worker (ST-2): each has its own pay rules.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum WorkerCategory {
    /// Гражданский служащий: official salary = base official salary × grid coefficient of
    /// the block/category and length of service.
    CivilServant,
    /// Государственный служащий: the same, with the grid of state servants' categories.
    StateServant,
    /// Внештатный работник: a contract amount per month.
    NonStaff,
}

/// An allowance or supplement of a position (надбавка, доплата).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Allowance {
    /// A percentage of the base official salary (БДО).
    PercentOfBase { name: String, percent: Percent },
    /// A percentage of the position's official salary.
    PercentOfSalary { name: String, percent: Percent },
    /// A fixed amount per month.
    Fixed { name: String, monthly: Tenge },
    /// A number of monthly calculation indices (МРП) per month.
    Mci { name: String, count: Coefficient },
}

impl Allowance {
    pub fn name(&self) -> &str {
        match self {
            Allowance::PercentOfBase { name, .. }
            | Allowance::PercentOfSalary { name, .. }
            | Allowance::Fixed { name, .. }
            | Allowance::Mci { name, .. } => name,
        }
    }
}

/// A position of the staffing table for one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Position {
    /// The budget program and subprogram that pay the position (ST-3 splits the payroll by
    /// them into the request's lines).
    #[serde(default)]
    pub program: String,
    #[serde(default)]
    pub subprogram: String,
    /// Structural unit (department, service).
    pub unit: String,
    pub title: String,
    pub category: WorkerCategory,
    /// Block and category of the grid (e.g. "B2"); empty for non-staff workers.
    pub grade: String,
    /// Full years of service on the first day of the year.
    pub service_years: u8,
    pub staff_units: StaffUnits,
    pub allowances: Vec<Allowance>,
    /// Non-staff workers: the contract amount per month.
    pub contract_monthly: Option<Tenge>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayError {
    #[error("position {position}: staff units must be above 0 and at most 1000")]
    StaffUnits { position: usize },
    #[error("position {position}: grade {grade} of {category:?} is not in the coefficient grid")]
    GradeMissing {
        position: usize,
        category: WorkerCategory,
        grade: String,
    },
    #[error("position {position}: a non-staff worker needs a contract amount per month")]
    ContractMissing { position: usize },
    #[error("position {position}: monthly pay {pay} is below the minimum wage {minimum}")]
    BelowMinimumWage {
        position: usize,
        pay: Tenge,
        minimum: Tenge,
    },
    #[error("no {table} is valid on {date}")]
    NoReference {
        table: &'static str,
        date: chrono::NaiveDate,
    },
}

#[cfg(test)]
mod tests;
