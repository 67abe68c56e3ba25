//! The payroll lines of budget requests computed from staffing tables (ST-3): a request in
//! work follows its institution's staffing table; a change of a table or of the pay reference
//! tables recomputes the requests it feeds.

use crate::Request;
use jospar_access::{Error, Principal, Result};
use jospar_staffing::Position;
use jospar_staffing::usecases::{
    self as staffing, PricedTable, price, reference_tables, staffing_error,
};
use jospar_store::{Db, Who};

/// Saves an institution's staffing table and recomputes the payroll lines of its requests.
pub async fn save_staffing_table(
    db: &Db,
    p: &Principal,
    org: i64,
    year: i32,
    version: i64,
    positions: &[Position],
) -> Result<PricedTable> {
    let priced = staffing::save_staffing_table(db, p, org, year, version, positions).await?;
    sync_requests_of(db, &p.who(), org).await?;
    Ok(priced)
}

/// Copies a staffing table to the next year and recomputes the requests of that year.
pub async fn copy_to_next_year(db: &Db, p: &Principal, org: i64, year: i32) -> Result<PricedTable> {
    let priced = staffing::copy_to_next_year(db, p, org, year).await?;
    sync_requests_of(db, &p.who(), org).await?;
    Ok(priced)
}

/// Changes a pay reference table and recomputes every request it feeds.
pub async fn set_reference(
    db: &Db,
    p: &Principal,
    table: &str,
    valid_from: chrono::NaiveDate,
    value: &serde_json::Value,
) -> Result<()> {
    staffing::set_reference(db, p, table, valid_from, value).await?;
    recompute_requests(db, &p.who()).await
}

async fn sync_requests_of(db: &Db, who: &Who, org: i64) -> Result<()> {
    for request in crate::repo::requests(db).await? {
        if request.org_id == org {
            sync_request(db, who, &request).await?;
        }
    }
    Ok(())
}

/// After a reference table changes, every request in work of an institution with a staffing
/// table gets its payroll lines recomputed. A table the new values make invalid (a salary now
/// below the minimum wage, say) leaves its lines as they were; its page shows the reason.
async fn recompute_requests(db: &Db, who: &Who) -> Result<()> {
    let orgs = jospar_staffing::repo::organisations_with_tables(db)
        .await
        .map_err(staffing_error)?;
    for request in crate::repo::requests(db).await? {
        if orgs.contains(&request.org_id) {
            match sync_request(db, who, &request).await {
                Ok(()) | Err(Error::Invalid { .. }) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// Whether the amounts of `specific` in `year` of an organisation's requests come from its
/// staffing table (ST-3): then they are computed cells, not typed.
pub async fn computed_from_staffing(db: &Db, org: i64, year: i32, specific: &str) -> Result<bool> {
    if !jospar_staffing::PAYROLL_SPECIFICS.contains(&specific) {
        return Ok(false);
    }
    Ok(jospar_staffing::repo::staffing_table(db, org, year)
        .await
        .map_err(staffing_error)?
        .is_some())
}

/// Writes the payroll lines of every planning year that has a staffing table into a request
/// still in work (ST-3); approved and sent requests are frozen and stay as they are.
pub async fn sync_request(db: &Db, who: &Who, request: &Request) -> Result<()> {
    use crate::repo::{ComputedLine, Target};
    if !request.status.editable() {
        return Ok(());
    }
    let campaign = jospar_limits::repo::campaign(db, request.campaign_id)
        .await?
        .ok_or(Error::NotFound)?;
    let tables = reference_tables(db).await?;
    let forms = crate::repo::forms(db).await?;
    for year in crate::request_years(campaign.first_year) {
        let Some(table) = jospar_staffing::repo::staffing_table(db, request.org_id, year)
            .await
            .map_err(staffing_error)?
        else {
            continue;
        };
        let fund = price(table, &tables)?.fund;
        let mut lines = Vec::new();
        for group in &fund.groups {
            for (specific, rows) in &group.rows {
                let form =
                    crate::repo::form_for_specific(&forms, specific).ok_or(Error::NotFound)?;
                lines.push(ComputedLine {
                    program: group.program.clone(),
                    subprogram: group.subprogram.clone(),
                    specific: specific.clone(),
                    form,
                    rows: rows.clone(),
                });
            }
        }
        let current = crate::repo::request(db, request.id)
            .await?
            .ok_or(Error::NotFound)?;
        crate::repo::set_computed_lines(
            db,
            who,
            Target {
                request_id: request.id,
                version: current.version,
            },
            year,
            &lines,
            &jospar_staffing::PAYROLL_SPECIFICS,
            "staffing_table",
        )
        .await
        .map_err(crate::usecases::planning_error)?;
    }
    Ok(())
}
