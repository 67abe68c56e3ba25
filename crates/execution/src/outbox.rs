//! Storage of the Treasury queue (EX-4): documents are queued inside the transaction that
//! approves a plan or adds a change to it, and every move of a document is written only if
//! nobody moved it meanwhile, and audited.

use crate::exchange::{OutboxItem, OutboxStatus};
use crate::repo::{RepoError, Result};
use chrono::{DateTime, Utc};
use jospar_core::ids::new_id;
use jospar_store::{AuditEntry, Db, Tx, Who, exec_tx, on_db};
use serde_json::json;

type Row = (
    i64,
    i64,
    i64,
    String,
    i64,
    String,
    i64,
    DateTime<Utc>,
    Option<String>,
    Option<String>,
    Option<String>,
    DateTime<Utc>,
    DateTime<Utc>,
);

const COLUMNS: &str = "id, plan_id, org_id, kind, change_number, status, attempts, next_attempt_at, \
     last_error, reference, reason, created_at, updated_at";

fn item(row: Row) -> Result<OutboxItem> {
    let (id, plan_id, org_id, kind, change_number, status, attempts, next_attempt_at) =
        (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7);
    Ok(OutboxItem {
        id,
        plan_id,
        org_id,
        kind,
        change_number,
        status: OutboxStatus::from_code(&status).ok_or_else(|| RepoError::Corrupt {
            import: id,
            month: "treasury_outbox".into(),
            message: format!("status {status:?}"),
        })?,
        attempts,
        next_attempt_at,
        last_error: row.8,
        reference: row.9,
        reason: row.10,
        created_at: row.11,
        updated_at: row.12,
    })
}

/// Queues a document in the caller's transaction.
pub async fn enqueue(
    tx: &mut Tx,
    plan_id: i64,
    org_id: i64,
    kind: &str,
    change_number: i64,
) -> Result<()> {
    let now = Utc::now();
    exec_tx!(tx, conn => sqlx::query(
        "INSERT INTO treasury_outbox (id, plan_id, org_id, kind, change_number, status, attempts, next_attempt_at, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6, $6, $6)")
        .bind(new_id()).bind(plan_id).bind(org_id).bind(kind).bind(change_number).bind(now)
        .execute(conn).await)?;
    Ok(())
}

/// Every queued document, newest first.
pub async fn items(db: &Db) -> Result<Vec<OutboxItem>> {
    let rows: Vec<Row> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM treasury_outbox ORDER BY created_at DESC, id DESC")))
        .fetch_all(pool).await)?;
    rows.into_iter().map(item).collect()
}

/// The documents of one plan, the plan first.
pub async fn items_of_plan(db: &Db, plan_id: i64) -> Result<Vec<OutboxItem>> {
    let rows: Vec<Row> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM treasury_outbox WHERE plan_id = $1 ORDER BY change_number")))
        .bind(plan_id).fetch_all(pool).await)?;
    rows.into_iter().map(item).collect()
}

pub async fn item_by_id(db: &Db, id: i64) -> Result<Option<OutboxItem>> {
    let row: Option<Row> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM treasury_outbox WHERE id = $1")))
        .bind(id).fetch_optional(pool).await)?;
    row.map(item).transpose()
}

/// The documents to send or ask about now, oldest first.
pub async fn due(db: &Db, now: DateTime<Utc>) -> Result<Vec<OutboxItem>> {
    let rows: Vec<Row> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM treasury_outbox WHERE status IN ('queued', 'sent') AND next_attempt_at <= $1 \
         ORDER BY created_at, id")))
        .bind(now).fetch_all(pool).await)?;
    rows.into_iter().map(item).collect()
}

/// Writes `next` over `current` unless another worker or user moved the document meanwhile
/// (then returns false and writes nothing). Audited with `reason`.
pub async fn record(
    db: &Db,
    who: &Who,
    current: &OutboxItem,
    next: &OutboxItem,
    reason: Option<&str>,
) -> Result<bool> {
    let mut tx = db.begin().await?;
    let updated = exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE treasury_outbox SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4, \
         reference = $5, reason = $6, updated_at = $7 WHERE id = $8 AND status = $9 AND attempts = $10 \
         AND updated_at = $11")
        .bind(next.status.code()).bind(next.attempts).bind(next.next_attempt_at).bind(&next.last_error)
        .bind(&next.reference).bind(&next.reason).bind(next.updated_at).bind(current.id)
        .bind(current.status.code()).bind(current.attempts).bind(current.updated_at)
        .execute(conn).await)?;
    if updated != 1 {
        return Ok(false);
    }
    tx.audit(AuditEntry {
        who,
        org_id: Some(current.org_id),
        entity: "treasury_outbox",
        entity_id: current.id.to_string(),
        action: "exchange",
        old_value: Some(json!(current)),
        new_value: Some(json!(next)),
        reason: reason.map(str::to_string),
    })
    .await?;
    tx.commit().await?;
    Ok(true)
}
