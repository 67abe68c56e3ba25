//! Use cases of the staffing table (ST-1, ST-2): the pay reference tables edited by the system
//! administrator, and an institution's positions priced with the tables valid on the first day
//! of the year. What a change means for the payroll lines of budget requests (ST-3) is the
//! planning module's (`jospar_planning::payroll`).

use crate::repo::{self, RepoError, StaffingTable};
use crate::{AnnualFund, MonthlyPay, PayError, Position, annual_fund, monthly_pay};
use jospar_access::Principal;
use jospar_access::Right;
use jospar_access::{Error, Result};
use jospar_store::Db;
use serde::Serialize;

pub fn staffing_error(e: RepoError) -> Error {
    match e {
        RepoError::Store(s) => s.into(),
        RepoError::Stale => Error::Stale,
        RepoError::UnknownTable(table) => Error::Invalid {
            key: "err-unknown-value",
            args: vec![("field", "table".into()), ("value", table)],
            field: Some("table".into()),
        },
        RepoError::BadValue { table, message } => Error::Invalid {
            key: "err-reference-value",
            args: vec![("field", table.clone()), ("message", message)],
            field: Some(table),
        },
    }
}

/// A pay error as a translated message naming the row (position) it concerns.
fn pay_error(e: PayError) -> Error {
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
    Error::Invalid { key, args, field }
}

/// What the caller may do with an organisation's staffing tables.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableActions {
    pub read: bool,
    pub edit: bool,
}

pub fn table_actions(p: &Principal, org: i64) -> TableActions {
    TableActions {
        read: p.can(Right::Read, org),
        edit: p.can(Right::Enter, org),
    }
}

/// The organisation the staffing page opens on: the user's own when the user reads it.
pub fn default_org(p: &Principal) -> Option<i64> {
    p.can(Right::Read, p.user.org_id).then_some(p.user.org_id)
}

/// Whether the caller may change the pay reference tables (base amounts, grids), reference
/// data of the whole system.
pub fn may_set_reference(p: &Principal) -> bool {
    p.can_system(Right::Configure)
}

/// Budget requests fed by the table are not recomputed here: the pages and the API call
/// `jospar_planning::payroll`, which does both.
pub async fn set_reference(
    db: &Db,
    p: &Principal,
    table: &str,
    valid_from: chrono::NaiveDate,
    value: &serde_json::Value,
) -> Result<()> {
    p.require_system(Right::Configure)?;
    repo::set_reference(db, &p.who(), table, valid_from, value)
        .await
        .map_err(staffing_error)
}

pub async fn reference_tables(db: &Db) -> Result<crate::ReferenceTables> {
    repo::reference_tables(db).await.map_err(staffing_error)
}

/// A staffing table with the pay of each position and the year's fund.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PricedTable {
    pub org_id: i64,
    pub year: i32,
    pub version: i64,
    pub positions: Vec<Position>,
    pub pay: Vec<MonthlyPay>,
    pub fund: AnnualFund,
}

pub fn price(table: StaffingTable, tables: &crate::ReferenceTables) -> Result<PricedTable> {
    let day = chrono::NaiveDate::from_ymd_opt(table.year, 1, 1)
        .ok_or_else(|| Error::invalid("err-year", "year"))?;
    let reference = tables.on(day).map_err(pay_error)?;
    let fund = annual_fund(&table.positions, &reference).map_err(pay_error)?;
    let pay = table
        .positions
        .iter()
        .enumerate()
        .map(|(i, position)| monthly_pay(i, position, &reference).map_err(pay_error))
        .collect::<Result<Vec<_>>>()?;
    Ok(PricedTable {
        org_id: table.org_id,
        year: table.year,
        version: table.version,
        positions: table.positions,
        pay,
        fund,
    })
}

pub async fn staffing_table(db: &Db, p: &Principal, org: i64, year: i32) -> Result<PricedTable> {
    p.require(Right::Read, org)?;
    let table = repo::staffing_table(db, org, year)
        .await
        .map_err(staffing_error)?
        .ok_or(Error::NotFound)?;
    price(table, &reference_tables(db).await?)
}

/// Budget requests fed by the table are not recomputed here: the pages and the API call
/// `jospar_planning::payroll`, which does both.
/// Saves the positions after pricing them: a table with an error is not stored at all.
pub async fn save_staffing_table(
    db: &Db,
    p: &Principal,
    org: i64,
    year: i32,
    version: i64,
    positions: &[Position],
) -> Result<PricedTable> {
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
    price(saved, &tables)
}

/// Budget requests fed by the table are not recomputed here: the pages and the API call
/// `jospar_planning::payroll`, which does both.
/// Copies a year's positions to the next year, a year longer in service (ST-1); the next
/// year must not have a table yet.
pub async fn copy_to_next_year(db: &Db, p: &Principal, org: i64, year: i32) -> Result<PricedTable> {
    p.require(Right::Enter, org)?;
    let source = repo::staffing_table(db, org, year)
        .await
        .map_err(staffing_error)?
        .ok_or(Error::NotFound)?;
    if repo::staffing_table(db, org, year + 1)
        .await
        .map_err(staffing_error)?
        .is_some()
    {
        return Err(Error::Invalid {
            key: "err-staffing-exists",
            args: vec![("year", (year + 1).to_string())],
            field: Some("year".into()),
        });
    }
    let positions = crate::next_year(&source.positions);
    save_staffing_table(db, p, org, year + 1, 0, &positions).await
}

/// Positions added, removed and changed from one year to another.
pub async fn compare(
    db: &Db,
    p: &Principal,
    org: i64,
    from: i32,
    to: i32,
) -> Result<Vec<crate::PositionChange>> {
    p.require(Right::Read, org)?;
    let tables = reference_tables(db).await?;
    let load = |year: i32| async move {
        let table = repo::staffing_table(db, org, year)
            .await
            .map_err(staffing_error)?
            .ok_or(Error::NotFound)?;
        let day = chrono::NaiveDate::from_ymd_opt(year, 1, 1)
            .ok_or_else(|| Error::invalid("err-year", "year"))?;
        Ok::<_, Error>(table.positions).map(|positions| (positions, day))
    };
    let (before, before_day) = load(from).await?;
    let (after, after_day) = load(to).await?;
    let before_ref = tables.on(before_day).map_err(pay_error)?;
    let after_ref = tables.on(after_day).map_err(pay_error)?;
    crate::compare((&before, &before_ref), (&after, &after_ref)).map_err(pay_error)
}

/// The year's payroll of each structural unit of an institution's staffing table, by the
/// program and subprogram that pay it: (program, subprogram, unit, monthly pay × staff units
/// × 12). None when the institution has no staffing table for the year. The caller checks the
/// right to read.
pub async fn unit_payroll(
    db: &Db,
    org: i64,
    year: i32,
) -> Result<Option<Vec<(String, String, String, jospar_core::Tenge)>>> {
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

#[cfg(test)]
mod rights_tests {
    use super::*;
    use jospar_access::Role;
    use jospar_access::testing::{REGION, principal};

    #[test]
    fn the_school_edits_its_table_its_administrator_reads_it_and_the_hospital_sees_nothing() {
        let school = principal(3, &[(Role::Economist, 3)], REGION);
        let administrator = principal(2, &[(Role::Head, 2)], REGION);
        let hospital = principal(5, &[(Role::Economist, 5)], REGION);
        assert_eq!(
            table_actions(&school, 3),
            TableActions {
                read: true,
                edit: true
            }
        );
        assert_eq!(
            table_actions(&administrator, 3),
            TableActions {
                read: true,
                edit: false
            }
        );
        assert_eq!(table_actions(&hospital, 3), TableActions::default());
        assert_eq!(default_org(&school), Some(3));
        assert!(!may_set_reference(&school));
        assert!(may_set_reference(&principal(
            1,
            &[(Role::Sysadmin, 1)],
            REGION
        )));
    }
}
