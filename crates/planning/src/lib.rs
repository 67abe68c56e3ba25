//! Module "Budget planning" (SPEC BP; seed 004 §1): budget requests of institutions for a
//! campaign — lines by program, subprogram and economic specific, each computed by the
//! calculation form of its specific for the current year and the three planning years —
//! checked against the limits distributed to the organisation (BP-4) and moved through the
//! chain institution → committee → administrator → authorized body (BP-2, BP-9).

pub mod appendices;
pub mod code_requests;
pub mod codes;
pub mod domain;
pub mod ebk_changes;
mod kept_lines;
pub mod payroll;
pub mod price_checks;
pub mod repo;
pub mod report_year;
pub mod reports;
pub mod request_file;
pub mod revenues;
pub mod usecases;
pub mod workdesk;

pub use reports::REPORTS;

pub use domain::*;
