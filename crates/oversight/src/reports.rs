//! The oversight module's reports in the catalogue.

use jospar_reports::catalogue::{ParamDef, ReportDef};
use jospar_reports::report_fn;

pub static REPORTS: &[ReportDef] = &[ReportDef {
    name: "training-report",
    about: "Training report of a session: who passed it, with IIN, position and organisation (P-12), for the integrator",
    params: &[ParamDef {
        name: "session",
        required: true,
        about: "training session id",
    }],
    spec_numbers: &[],
    build: report_fn!(|c| {
        let principal = c.reader.principal();
        crate::usecases::training_report_table(c.db, c.tr, principal, c.params.required("session")?)
            .await
    }),
}];
