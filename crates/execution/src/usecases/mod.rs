//! The use cases and reports of budget execution, each with its rights check: financing plans
//! and their changes, receipt plans, closed periods, Treasury forms and the reports built on
//! them, the open-budgets portal's execution reports, the exchange with the Treasury and the
//! region passport.

pub mod analytics;
pub mod charts;
pub mod deadlines;
pub mod emin;
pub mod exchange;
pub mod forecast;
pub mod monitor;
mod naming;
pub mod offsetting;
pub mod passport;
pub mod periods;
pub mod plans;
pub mod portal_reports;
pub mod receipt_plans;
pub mod report_year;
pub mod treasury;
pub mod treasury_reports;

/// The execution module's storage: a store failure as such, a stored value it cannot read as
/// an internal error.
impl From<crate::repo::RepoError> for jospar_access::Error {
    fn from(e: crate::repo::RepoError) -> Self {
        match e {
            crate::repo::RepoError::Store(s) => s.into(),
            other => jospar_access::Error::Internal(other.to_string()),
        }
    }
}
