//! The openbudget module's reports in the catalogue.

use jospar_reports::catalogue::{ParamDef, ReportDef};
use jospar_reports::report_fn;

pub static REPORTS: &[ReportDef] = &[ReportDef {
    name: "discussion-final-report",
    about: "Final report of the public discussion of a budget program passport or implementation report (OB-5, appendices 1-2 of order 176-NK), made when the discussion ends",
    params: &[ParamDef {
        name: "document",
        required: true,
        about: "id of a document of the open budget",
    }],
    spec_numbers: &[],
    build: report_fn!(|c| {
        let today = chrono::Utc::now().date_naive();
        crate::usecases::final_report_table(
            c.db,
            c.tr,
            c.reader,
            c.params.required("document")?,
            today,
        )
        .await
    }),
}];
