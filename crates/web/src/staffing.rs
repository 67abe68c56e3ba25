//! Use cases of the staffing table (ST-1, ST-2) shared by the API (and later the pages): the
//! pay reference tables edited by the system administrator, and an institution's positions
//! priced with the tables valid on the first day of the year.

use crate::ctx::Principal;
use crate::error::{AppError, AppResult};
use jospar_org::Right;
use jospar_staffing::repo::{self, RepoError, StaffingTable};
use jospar_staffing::{AnnualFund, MonthlyPay, PayError, Position, annual_fund, monthly_pay};
use jospar_store::Db;
use serde::Serialize;

fn staffing_error(e: RepoError) -> AppError {
    match e {
        RepoError::Store(s) => s.into(),
        RepoError::Stale => AppError::Stale,
        RepoError::UnknownTable(table) => AppError::Invalid {
            key: "err-unknown-value",
            args: vec![("field", "table".into()), ("value", table)],
            field: Some("table".into()),
        },
        RepoError::BadValue { table, message } => AppError::Invalid {
            key: "err-reference-value",
            args: vec![("field", table.clone()), ("message", message)],
            field: Some(table),
        },
    }
}

/// A pay error as a translated message naming the row (position) it concerns.
fn pay_error(e: PayError) -> AppError {
    let row = |position: usize| format!("positions[{position}]");
    let (key, field, args): (&'static str, Option<String>, Vec<(&'static str, String)>) = match e {
        PayError::StaffUnits { position } => (
            "err-staff-units",
            Some(row(position)),
            vec![("row", (position + 1).to_string())],
        ),
        PayError::GradeMissing {
            position, grade, ..
        } => (
            "err-grade-missing",
            Some(row(position)),
            vec![("row", (position + 1).to_string()), ("grade", grade)],
        ),
        PayError::ContractMissing { position } => (
            "err-contract-missing",
            Some(row(position)),
            vec![("row", (position + 1).to_string())],
        ),
        PayError::BelowMinimumWage {
            position,
            pay,
            minimum,
        } => (
            "err-below-minimum-wage",
            Some(row(position)),
            vec![
                ("row", (position + 1).to_string()),
                ("pay", pay.to_string()),
                ("minimum", minimum.to_string()),
            ],
        ),
        PayError::NoReference { table, date } => (
            "err-no-reference",
            None,
            vec![("table", table.to_string()), ("date", date.to_string())],
        ),
    };
    AppError::Invalid { key, args, field }
}

pub async fn set_reference(
    db: &Db,
    p: &Principal,
    table: &str,
    valid_from: chrono::NaiveDate,
    value: &serde_json::Value,
) -> AppResult<()> {
    p.require_system(Right::Configure)?;
    repo::set_reference(db, &p.who(), table, valid_from, value)
        .await
        .map_err(staffing_error)?;
    recompute_requests(db, &p.who()).await
}

/// After a reference table changes, every request in work of an institution with a staffing
/// table gets its payroll lines recomputed. A table the new values make invalid (a salary now
/// below the minimum wage, say) leaves its lines as they were; its page shows the reason.
async fn recompute_requests(db: &Db, who: &jospar_store::Who) -> AppResult<()> {
    let orgs = repo::organisations_with_tables(db)
        .await
        .map_err(staffing_error)?;
    for request in jospar_planning::repo::requests(db).await? {
        if orgs.contains(&request.org_id) {
            match sync_request(db, who, &request).await {
                Ok(()) | Err(AppError::Invalid { .. }) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

pub async fn reference_tables(db: &Db) -> AppResult<jospar_staffing::ReferenceTables> {
    repo::reference_tables(db).await.map_err(staffing_error)
}

/// A staffing table with the pay of each position and the year's fund.
#[derive(Serialize)]
pub struct PricedTable {
    pub org_id: i64,
    pub year: i32,
    pub version: i64,
    pub positions: Vec<Position>,
    pub pay: Vec<MonthlyPay>,
    pub fund: AnnualFund,
}

fn price(
    table: StaffingTable,
    tables: &jospar_staffing::ReferenceTables,
) -> AppResult<PricedTable> {
    let day = chrono::NaiveDate::from_ymd_opt(table.year, 1, 1)
        .ok_or_else(|| AppError::invalid("err-year", "year"))?;
    let reference = tables.on(day).map_err(pay_error)?;
    let fund = annual_fund(&table.positions, &reference).map_err(pay_error)?;
    let pay = table
        .positions
        .iter()
        .enumerate()
        .map(|(i, position)| monthly_pay(i, position, &reference).map_err(pay_error))
        .collect::<AppResult<Vec<_>>>()?;
    Ok(PricedTable {
        org_id: table.org_id,
        year: table.year,
        version: table.version,
        positions: table.positions,
        pay,
        fund,
    })
}

pub async fn staffing_table(db: &Db, p: &Principal, org: i64, year: i32) -> AppResult<PricedTable> {
    p.require(Right::Read, org)?;
    let table = repo::staffing_table(db, org, year)
        .await
        .map_err(staffing_error)?
        .ok_or(AppError::NotFound)?;
    price(table, &reference_tables(db).await?)
}

/// Saves the positions after pricing them: a table with an error is not stored at all.
pub async fn save_staffing_table(
    db: &Db,
    p: &Principal,
    org: i64,
    year: i32,
    version: i64,
    positions: &[Position],
) -> AppResult<PricedTable> {
    p.require(Right::Enter, org)?;
    let tables = reference_tables(db).await?;
    let draft = StaffingTable {
        org_id: org,
        year,
        positions: positions.to_vec(),
        version,
        updated_at: chrono::Utc::now(),
    };
    price(draft, &tables)?;
    let saved = repo::save_staffing_table(db, &p.who(), org, year, version, positions)
        .await
        .map_err(staffing_error)?;
    let priced = price(saved, &tables)?;
    for request in jospar_planning::repo::requests(db).await? {
        if request.org_id == org {
            sync_request(db, &p.who(), &request).await?;
        }
    }
    Ok(priced)
}

/// Whether the amounts of `specific` in `year` of an organisation's requests come from its
/// staffing table (ST-3): then they are computed cells, not typed.
pub async fn computed_from_staffing(
    db: &Db,
    org: i64,
    year: i32,
    specific: &str,
) -> AppResult<bool> {
    if !jospar_staffing::PAYROLL_SPECIFICS.contains(&specific) {
        return Ok(false);
    }
    Ok(repo::staffing_table(db, org, year)
        .await
        .map_err(staffing_error)?
        .is_some())
}

/// Writes the payroll lines of every planning year that has a staffing table into a request
/// still in work (ST-3); approved and sent requests are frozen and stay as they are.
pub async fn sync_request(
    db: &Db,
    who: &jospar_store::Who,
    request: &jospar_planning::Request,
) -> AppResult<()> {
    use jospar_planning::repo::{ComputedLine, Target};
    if !request.status.editable() {
        return Ok(());
    }
    let campaign = jospar_limits::repo::campaign(db, request.campaign_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let tables = reference_tables(db).await?;
    let forms = jospar_planning::repo::forms(db).await?;
    for year in jospar_planning::request_years(campaign.first_year) {
        let Some(table) = repo::staffing_table(db, request.org_id, year)
            .await
            .map_err(staffing_error)?
        else {
            continue;
        };
        let fund = price(table, &tables)?.fund;
        let mut lines = Vec::new();
        for group in &fund.groups {
            for (specific, rows) in &group.rows {
                let form = jospar_planning::repo::form_for_specific(&forms, specific)
                    .ok_or(AppError::NotFound)?;
                lines.push(ComputedLine {
                    program: group.program.clone(),
                    subprogram: group.subprogram.clone(),
                    specific: specific.clone(),
                    form,
                    rows: rows.clone(),
                });
            }
        }
        let current = jospar_planning::repo::request(db, request.id)
            .await?
            .ok_or(AppError::NotFound)?;
        jospar_planning::repo::set_computed_lines(
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
        .map_err(crate::planning::planning_error)?;
    }
    Ok(())
}

/// Copies a year's positions to the next year, a year longer in service (ST-1); the next
/// year must not have a table yet.
pub async fn copy_to_next_year(
    db: &Db,
    p: &Principal,
    org: i64,
    year: i32,
) -> AppResult<PricedTable> {
    p.require(Right::Enter, org)?;
    let source = repo::staffing_table(db, org, year)
        .await
        .map_err(staffing_error)?
        .ok_or(AppError::NotFound)?;
    if repo::staffing_table(db, org, year + 1)
        .await
        .map_err(staffing_error)?
        .is_some()
    {
        return Err(AppError::Invalid {
            key: "err-staffing-exists",
            args: vec![("year", (year + 1).to_string())],
            field: Some("year".into()),
        });
    }
    let positions = jospar_staffing::next_year(&source.positions);
    save_staffing_table(db, p, org, year + 1, 0, &positions).await
}

/// Positions added, removed and changed from one year to another.
pub async fn compare(
    db: &Db,
    p: &Principal,
    org: i64,
    from: i32,
    to: i32,
) -> AppResult<Vec<jospar_staffing::PositionChange>> {
    p.require(Right::Read, org)?;
    let tables = reference_tables(db).await?;
    let load = |year: i32| async move {
        let table = repo::staffing_table(db, org, year)
            .await
            .map_err(staffing_error)?
            .ok_or(AppError::NotFound)?;
        let day = chrono::NaiveDate::from_ymd_opt(year, 1, 1)
            .ok_or_else(|| AppError::invalid("err-year", "year"))?;
        AppResult::Ok(table.positions).map(|positions| (positions, day))
    };
    let (before, before_day) = load(from).await?;
    let (after, after_day) = load(to).await?;
    let before_ref = tables.on(before_day).map_err(pay_error)?;
    let after_ref = tables.on(after_day).map_err(pay_error)?;
    jospar_staffing::compare((&before, &before_ref), (&after, &after_ref)).map_err(pay_error)
}

/// The year's payroll of each structural unit of an institution's staffing table, by the
/// program and subprogram that pay it: (program, subprogram, unit, monthly pay × staff units
/// × 12). None when the institution has no staffing table for the year. The caller checks the
/// right to read.
pub async fn unit_payroll(
    db: &Db,
    org: i64,
    year: i32,
) -> AppResult<Option<Vec<(String, String, String, jospar_core::Tenge)>>> {
    let Some(table) = repo::staffing_table(db, org, year)
        .await
        .map_err(staffing_error)?
    else {
        return Ok(None);
    };
    let priced = price(table, &reference_tables(db).await?)?;
    let mut units: std::collections::BTreeMap<(String, String, String), jospar_core::Tenge> =
        Default::default();
    for (position, pay) in priced.positions.iter().zip(&priced.pay) {
        let year_pay = position.staff_units.of(pay.total);
        *units
            .entry((
                position.program.clone(),
                position.subprogram.clone(),
                position.unit.clone(),
            ))
            .or_default() += jospar_core::Tenge::from_tiyn(year_pay.tiyn() * 12);
    }
    Ok(Some(
        units
            .into_iter()
            .map(|((program, subprogram, unit), fund)| (program, subprogram, unit, fund))
            .collect(),
    ))
}
