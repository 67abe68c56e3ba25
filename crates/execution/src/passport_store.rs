//! Storage of what was sent to the "Region passport" portal (EX-R 22–23): every attempt with
//! its outcome, audited.

use crate::repo::Result;
use chrono::{DateTime, NaiveDate, Utc};
use jospar_core::ids::new_id;
use jospar_store::{AuditEntry, Db, Who, exec_tx, on_db};
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PassportExport {
    pub id: i64,
    pub org_id: i64,
    /// `cash_execution` or `budget_structure`.
    pub kind: String,
    pub report_date: NaiveDate,
    /// The imported forms it was built from, e.g. "5-52:123, 2-19:456".
    pub sources: String,
    pub row_count: i64,
    /// The executed total, in tiyn, as sent.
    pub executed: i64,
    /// `sent` (the portal took it), `refused` or `failed` (not reached).
    pub status: String,
    pub remote_id: Option<String>,
    pub error: Option<String>,
    pub sent_by: String,
    pub sent_at: DateTime<Utc>,
}

/// Records an attempt (`id` and `sent_at` are assigned here).
pub async fn record(db: &Db, who: &Who, export: PassportExport) -> Result<PassportExport> {
    let export = PassportExport {
        id: new_id(),
        sent_by: who.login.clone(),
        sent_at: Utc::now(),
        ..export
    };
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO passport_exports (id, org_id, kind, report_date, sources, row_count, executed, status, \
         remote_id, error, sent_by, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
        .bind(export.id).bind(export.org_id).bind(&export.kind).bind(export.report_date)
        .bind(&export.sources).bind(export.row_count).bind(export.executed).bind(&export.status)
        .bind(&export.remote_id).bind(&export.error).bind(&export.sent_by).bind(export.sent_at)
        .execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(export.org_id),
        entity: "passport_export",
        entity_id: export.id.to_string(),
        action: "send",
        old_value: None,
        new_value: Some(json!(export)),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(export)
}

/// Every attempt, newest first.
pub async fn exports(db: &Db) -> Result<Vec<PassportExport>> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, org_id, kind, report_date, sources, row_count, executed, status, remote_id, error, \
         sent_by, sent_at FROM passport_exports ORDER BY sent_at DESC, id DESC")
        .fetch_all(pool).await)?)
}
