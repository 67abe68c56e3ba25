//! Module "Budget cycle" (issue 22; SPEC P-17, BP): the documents between the budget requests
//! and the financing plans — the working body's conclusions on each administrator's requests,
//! the budget commission's decision, the maslikhat's decision approving the budget, the
//! akimat's resolution implementing it, and the decisions refining and correcting it later.
//! Each adopted approval, refinement or correction is a version of the budget, kept whole:
//! any two compare line by line (reports 10 and 11), and the version in force on a day is what
//! financing plans are reconciled with (the execution module asks [`usecases::version_in_force`]).

pub mod domain;
pub mod forecast;
pub mod programs;
pub mod repo;
pub mod reports;
pub mod transfers;
pub mod usecases;

pub use domain::*;
pub use reports::{PLANNING_REPORTS, REPORTS};
