//! Storage of the pay reference tables and the staffing tables, every change audited.

use crate::{Grid, Position, Rates, ReferenceTables};
use chrono::{DateTime, NaiveDate, Utc};
use jospar_core::Tenge;
use jospar_core::ids::new_id;
use jospar_store::{AuditEntry, Db, StoreError, Who, exec_tx, on_db, on_tx};
use serde::Serialize;
use serde_json::{Value, json};

#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("unknown reference table {0}")]
    UnknownTable(String),
    #[error("the value does not fit table {table}: {message}")]
    BadValue { table: String, message: String },
    #[error("the staffing table was changed by someone else; reload and repeat")]
    Stale,
}

impl From<sqlx::Error> for RepoError {
    fn from(e: sqlx::Error) -> Self {
        RepoError::Store(StoreError::Sql(e))
    }
}

pub type Result<T> = std::result::Result<T, RepoError>;

/// Checks that `value` is a valid value of `table` (amounts as decimal tenge strings).
fn parse_value(table: &str, value: &Value) -> Result<()> {
    let bad = |message: String| RepoError::BadValue {
        table: table.to_string(),
        message,
    };
    match table {
        "base_salary" | "mci" | "minimum_wage" => {
            let tiyn = value
                .as_i64()
                .ok_or_else(|| bad("an amount in tiyn".into()))?;
            if tiyn <= 0 {
                return Err(bad("must be above zero".into()));
            }
        }
        "grid" => {
            serde_json::from_value::<Grid>(value.clone()).map_err(|e| bad(e.to_string()))?;
        }
        "rates" => {
            serde_json::from_value::<Rates>(value.clone()).map_err(|e| bad(e.to_string()))?;
        }
        other => return Err(RepoError::UnknownTable(other.to_string())),
    }
    Ok(())
}

/// Sets the value of `table` valid from `valid_from` (replacing one set for that very date).
pub async fn set_reference(
    db: &Db,
    who: &Who,
    table: &str,
    valid_from: NaiveDate,
    value: &Value,
) -> Result<()> {
    parse_value(table, value)?;
    let mut tx = db.begin().await?;
    let old: Option<String> = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT value_json FROM pay_reference WHERE table_name = $1 AND valid_from = $2")
        .bind(table).bind(valid_from).fetch_optional(conn).await)?;
    let text = value.to_string();
    match &old {
        Some(_) => exec_tx!(&mut tx, conn => sqlx::query(
            "UPDATE pay_reference SET value_json = $1 WHERE table_name = $2 AND valid_from = $3")
            .bind(&text).bind(table).bind(valid_from).execute(conn).await)?,
        None => exec_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO pay_reference (id, table_name, valid_from, value_json) VALUES ($1, $2, $3, $4)")
            .bind(new_id()).bind(table).bind(valid_from).bind(&text).execute(conn).await)?,
    };
    tx.audit(AuditEntry {
        who,
        org_id: None,
        entity: "pay_reference",
        entity_id: format!("{table}@{valid_from}"),
        action: if old.is_some() { "update" } else { "create" },
        old_value: old.and_then(|o| serde_json::from_str(&o).ok()),
        new_value: Some(value.clone()),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every reference table with its history.
pub async fn reference_tables(db: &Db) -> Result<ReferenceTables> {
    let rows: Vec<(String, NaiveDate, String)> = on_db!(db, pool => sqlx::query_as(
        "SELECT table_name, valid_from, value_json FROM pay_reference ORDER BY table_name, valid_from")
        .fetch_all(pool).await)?;
    let mut tables = ReferenceTables::default();
    for (table, valid_from, text) in rows {
        let value: Value = serde_json::from_str(&text).map_err(|e| RepoError::BadValue {
            table: table.clone(),
            message: e.to_string(),
        })?;
        let bad = |e: serde_json::Error| RepoError::BadValue {
            table: table.clone(),
            message: e.to_string(),
        };
        let amount = || Tenge::from_tiyn(value.as_i64().unwrap_or_default());
        match table.as_str() {
            "base_salary" => tables.base_salary.push(crate::Dated {
                valid_from,
                value: amount(),
            }),
            "mci" => tables.mci.push(crate::Dated {
                valid_from,
                value: amount(),
            }),
            "minimum_wage" => tables.minimum_wage.push(crate::Dated {
                valid_from,
                value: amount(),
            }),
            "grid" => tables.grids.push(crate::Dated {
                valid_from,
                value: serde_json::from_value(value.clone()).map_err(bad)?,
            }),
            "rates" => tables.rates.push(crate::Dated {
                valid_from,
                value: serde_json::from_value(value.clone()).map_err(bad)?,
            }),
            _ => {}
        }
    }
    Ok(tables)
}

/// The staffing table of an institution for a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StaffingTable {
    pub org_id: i64,
    pub year: i32,
    pub positions: Vec<Position>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

pub async fn staffing_table(db: &Db, org_id: i64, year: i32) -> Result<Option<StaffingTable>> {
    let row: Option<(String, i64, DateTime<Utc>)> = on_db!(db, pool => sqlx::query_as(
        "SELECT positions_json, version, updated_at FROM staffing_tables WHERE org_id = $1 AND year = $2")
        .bind(org_id).bind(i64::from(year)).fetch_optional(pool).await)?;
    row.map(|(json, version, updated_at)| {
        Ok(StaffingTable {
            org_id,
            year,
            positions: serde_json::from_str(&json).map_err(|e| RepoError::BadValue {
                table: "staffing_tables".into(),
                message: e.to_string(),
            })?,
            version,
            updated_at,
        })
    })
    .transpose()
}

/// The organisations that have a staffing table for some year.
pub async fn organisations_with_tables(db: &Db) -> Result<Vec<i64>> {
    let rows: Vec<i64> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT DISTINCT org_id FROM staffing_tables ORDER BY org_id")
        .fetch_all(pool).await)?;
    Ok(rows)
}

/// Saves the positions of a year; `version` is the one the user saw (0 for a new table).
pub async fn save_staffing_table(
    db: &Db,
    who: &Who,
    org_id: i64,
    year: i32,
    version: i64,
    positions: &[Position],
) -> Result<StaffingTable> {
    let mut tx = db.begin().await?;
    let old: Option<(String, i64)> = on_tx!(&mut tx, conn => sqlx::query_as(
        "SELECT positions_json, version FROM staffing_tables WHERE org_id = $1 AND year = $2")
        .bind(org_id).bind(i64::from(year)).fetch_optional(conn).await)?;
    let current = old.as_ref().map(|(_, v)| *v).unwrap_or(0);
    if current != version {
        return Err(RepoError::Stale);
    }
    let text = serde_json::to_string(positions).map_err(|e| RepoError::BadValue {
        table: "staffing_tables".into(),
        message: e.to_string(),
    })?;
    let now = Utc::now();
    match &old {
        Some(_) => exec_tx!(&mut tx, conn => sqlx::query(
            "UPDATE staffing_tables SET positions_json = $1, version = version + 1, updated_at = $2 \
             WHERE org_id = $3 AND year = $4 AND version = $5")
            .bind(&text).bind(now).bind(org_id).bind(i64::from(year)).bind(version).execute(conn).await)?,
        None => exec_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO staffing_tables (id, org_id, year, positions_json, version, updated_at) VALUES ($1, $2, $3, $4, 1, $5)")
            .bind(new_id()).bind(org_id).bind(i64::from(year)).bind(&text).bind(now).execute(conn).await)?,
    };
    tx.audit(AuditEntry {
        who,
        org_id: Some(org_id),
        entity: "staffing_table",
        entity_id: format!("{org_id}/{year}"),
        action: if old.is_some() { "update" } else { "create" },
        old_value: old.and_then(|(o, _)| serde_json::from_str::<Value>(&o).ok()),
        new_value: Some(json!(positions)),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(StaffingTable {
        org_id,
        year,
        positions: positions.to_vec(),
        version: version + 1,
        updated_at: now,
    })
}
