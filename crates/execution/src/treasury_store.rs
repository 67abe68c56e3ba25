//! Storage of imported Treasury forms: one form of one organisation at one report date,
//! replaced whole (in one transaction) when imported again; every import audited.

use crate::repo::{RepoError, Result};
use chrono::{DateTime, NaiveDate, Utc};
use jospar_core::ids::new_id;
use jospar_store::{AuditEntry, Db, Who, exec_tx, on_db, on_tx};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

/// An imported form, without its rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TreasuryReport {
    pub id: i64,
    pub form: String,
    pub org_id: i64,
    pub report_date: NaiveDate,
    pub file_name: String,
    pub row_count: i64,
    pub imported_by: String,
    pub imported_at: DateTime<Utc>,
}

fn corrupt(id: i64, e: serde_json::Error) -> RepoError {
    RepoError::Corrupt {
        import: id,
        month: "treasury".into(),
        message: e.to_string(),
    }
}

const COLUMNS: &str =
    "id, form, org_id, report_date, file_name, row_count, imported_by, imported_at";

/// Stores form `form` of an organisation at a date, replacing the same form and date.
pub async fn save<T: Serialize>(
    db: &Db,
    who: &Who,
    form: &str,
    org_id: i64,
    report_date: NaiveDate,
    file_name: &str,
    rows: &[T],
) -> Result<TreasuryReport> {
    let report = TreasuryReport {
        id: new_id(),
        form: form.to_string(),
        org_id,
        report_date,
        file_name: file_name.to_string(),
        row_count: rows.len() as i64,
        imported_by: who.login.clone(),
        imported_at: Utc::now(),
    };
    let text = serde_json::to_string(rows).map_err(|e| corrupt(report.id, e))?;
    let mut tx = db.begin().await?;
    let old: Option<(i64, String)> = on_tx!(&mut tx, conn => sqlx::query_as(
        "SELECT id, file_name FROM treasury_reports WHERE form = $1 AND org_id = $2 AND report_date = $3")
        .bind(form).bind(org_id).bind(report_date).fetch_optional(conn).await)?;
    if let Some((old_id, _)) = &old {
        exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM treasury_reports WHERE id = $1")
            .bind(*old_id).execute(conn).await)?;
    }
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO treasury_reports (id, form, org_id, report_date, file_name, row_count, rows_json, imported_by, imported_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(report.id).bind(form).bind(org_id).bind(report_date).bind(file_name)
        .bind(report.row_count).bind(&text).bind(&report.imported_by).bind(report.imported_at)
        .execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(org_id),
        entity: "treasury_report",
        entity_id: format!("{form}/{org_id}/{report_date}"),
        action: if old.is_some() { "replace" } else { "create" },
        old_value: old.map(|(_, file)| json!({"file_name": file})),
        new_value: Some(json!({"file_name": file_name, "rows": rows.len()})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// Every imported form, newest report date first.
pub async fn reports(db: &Db) -> Result<Vec<TreasuryReport>> {
    Ok(
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM treasury_reports ORDER BY report_date DESC, form")))
        .fetch_all(pool).await)?,
    )
}

/// An imported form without its rows.
pub async fn head(db: &Db, id: i64) -> Result<Option<TreasuryReport>> {
    Ok(
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM treasury_reports WHERE id = $1")))
        .bind(id).fetch_optional(pool).await)?,
    )
}

/// One imported form of the kind `form` with its rows; none when `id` is no such form (the
/// rows of each form have their own shape).
pub async fn report<T: DeserializeOwned>(
    db: &Db,
    id: i64,
    form: &str,
) -> Result<Option<(TreasuryReport, Vec<T>)>> {
    let Some(head) = head(db, id).await?.filter(|h| h.form == form) else {
        return Ok(None);
    };
    let text: String = on_db!(db, pool => sqlx::query_scalar(
        "SELECT rows_json FROM treasury_reports WHERE id = $1")
        .bind(id).fetch_one(pool).await)?;
    let rows = serde_json::from_str(&text).map_err(|e| corrupt(id, e))?;
    Ok(Some((head, rows)))
}
