//! The report year of a budget request filled from execution (issue 23): the organisation's
//! latest imported form of cash execution (5-52 and the other forms of its shape) dated within
//! the report year or on 1 January after it gives each program, subprogram and specific its
//! cash expenses, handed to the planning module's use case, which keeps them with the request.

use crate::layouts::{Shape, layouts};
use crate::treasury_store;
use jospar_access::{Error, Principal, Reader, Result};
use jospar_core::Tenge;
use jospar_planning::report_year::{self, ReportYear};
use jospar_store::Db;

/// Fills the request's report year from the latest cash form of its organisation.
pub async fn fill(db: &Db, p: &Principal, request_id: i64, version: i64) -> Result<ReportYear> {
    let current = report_year::of_request(db, p, request_id).await?;
    let request = jospar_planning::usecases::request(db, p, request_id).await?;
    // Refused before looking for a form: who may not change the request learns nothing more.
    p.require(jospar_access::Right::Enter, request.org_id)?;
    let year = current.year;
    let last_day = chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1).unwrap_or_default();
    let form = treasury_store::reports(db)
        .await?
        .into_iter()
        .filter(|r| r.org_id == request.org_id)
        .filter(|r| layouts().form(&r.form).map(|l| l.shape) == Some(Shape::Cash))
        .filter(|r| {
            use chrono::Datelike;
            r.report_date.year() == year || r.report_date == last_day
        })
        .max_by_key(|r| (r.report_date, r.imported_at))
        .ok_or_else(|| Error::invalid("err-fact-no-execution", "report_year"))?;
    let (head, rows) = crate::usecases::treasury::cash_form(db, &Reader::User(p), form.id).await?;
    let abp = jospar_planning::codes::administrator_code(db, request.org_id)
        .await?
        .unwrap_or_default();
    let executed: Vec<(String, String, String, Tenge)> = rows
        .into_iter()
        .filter(|r| r.abp == abp)
        .map(|r| (r.program, r.subprogram, r.specific, r.executed))
        .collect();
    let basis = format!("{} {}", head.form, head.report_date.format("%d.%m.%Y"));
    report_year::fill(db, p, request_id, version, &executed, &basis).await
}
