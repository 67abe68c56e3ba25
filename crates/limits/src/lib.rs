//! Module "Limits" (SPEC L-1…L-4; seed 004 §3): the authorized body opens a planning campaign
//! for a three-year period and enters the limits of expenses by kind; each administrator
//! distributes its limit among its budget programs, a program's amount goes down to committees
//! and institutions. A distribution never exceeds what was received, per year and kind (L-4);
//! budget requests are checked against the amounts distributed (BP-4).

pub mod domain;
pub mod repo;
pub mod usecases;

pub use domain::*;
