//! The development budget (issue 25; technical specification section 9, DB-1…DB-4): the
//! register of budget investment projects ([`projects`]) and what the procurement portal
//! knows of their purchases ([`procurement`]).

pub mod analysis;
pub mod appendices;
pub mod form409;
pub mod procurement;
pub mod projects;
pub mod reports;
pub mod trace;

pub use reports::REPORTS;
