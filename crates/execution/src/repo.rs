//! Storage of imported portal execution reports: the import and each month's tree, replaced
//! whole (in one transaction) when the same title is imported again; every import audited.

use crate::portal::{Month, MonthTree, Node};
use chrono::{DateTime, Utc};
use jospar_core::ids::new_id;
use jospar_store::{AuditEntry, Db, StoreError, Who, exec_tx, on_db, on_tx};
use serde::Serialize;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("stored month {month} of import {import} cannot be read: {message}")]
    Corrupt {
        import: i64,
        month: String,
        message: String,
    },
}

impl From<sqlx::Error> for RepoError {
    fn from(e: sqlx::Error) -> Self {
        RepoError::Store(StoreError::Sql(e))
    }
}

pub type Result<T> = std::result::Result<T, RepoError>;

/// An imported file, without its months.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PortalImport {
    pub id: i64,
    pub org_id: i64,
    pub title: String,
    pub file_name: String,
    pub row_count: i64,
    pub first_month: String,
    pub last_month: String,
    pub imported_by: String,
    pub imported_at: DateTime<Utc>,
}

/// What an import brings: the organisation it is kept under, its title and the parsed file.
pub struct NewImport<'a> {
    pub org_id: i64,
    pub title: &'a str,
    pub file_name: &'a str,
    pub months: &'a [MonthTree],
}

fn summary(import: &PortalImport) -> serde_json::Value {
    json!({
        "title": import.title,
        "file_name": import.file_name,
        "rows": import.row_count,
        "months": format!("{}…{}", import.first_month, import.last_month),
    })
}

/// Stores an import, replacing the organisation's import of the same title, atomically.
pub async fn save_import(db: &Db, who: &Who, new: NewImport<'_>) -> Result<PortalImport> {
    let import = PortalImport {
        id: new_id(),
        org_id: new.org_id,
        title: new.title.to_string(),
        file_name: new.file_name.to_string(),
        row_count: new.months.iter().map(|m| m.nodes.len() as i64).sum(),
        first_month: new
            .months
            .first()
            .map(|m| m.month.to_string())
            .unwrap_or_default(),
        last_month: new
            .months
            .last()
            .map(|m| m.month.to_string())
            .unwrap_or_default(),
        imported_by: who.login.clone(),
        imported_at: Utc::now(),
    };
    let mut tx = db.begin().await?;
    let old: Option<PortalImport> = on_tx!(&mut tx, conn => sqlx::query_as(
        "SELECT id, org_id, title, file_name, row_count, first_month, last_month, imported_by, imported_at \
         FROM portal_imports WHERE org_id = $1 AND title = $2")
        .bind(new.org_id).bind(new.title).fetch_optional(conn).await)?;
    if let Some(old) = &old {
        exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM portal_months WHERE import_id = $1")
            .bind(old.id).execute(conn).await)?;
        exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM portal_imports WHERE id = $1")
            .bind(old.id).execute(conn).await)?;
    }
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO portal_imports (id, org_id, title, file_name, row_count, first_month, last_month, imported_by, imported_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(import.id).bind(import.org_id).bind(&import.title).bind(&import.file_name)
        .bind(import.row_count).bind(&import.first_month).bind(&import.last_month)
        .bind(&import.imported_by).bind(import.imported_at).execute(conn).await)?;
    for tree in new.months {
        let nodes = serde_json::to_string(&tree.nodes).map_err(|e| RepoError::Corrupt {
            import: import.id,
            month: tree.month.to_string(),
            message: e.to_string(),
        })?;
        exec_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO portal_months (import_id, month, nodes_json) VALUES ($1, $2, $3)")
            .bind(import.id).bind(tree.month.to_string()).bind(&nodes).execute(conn).await)?;
    }
    tx.audit(AuditEntry {
        who,
        org_id: Some(import.org_id),
        entity: "portal_import",
        entity_id: format!("{}/{}", import.org_id, import.title),
        action: if old.is_some() { "replace" } else { "create" },
        old_value: old.as_ref().map(summary),
        new_value: Some(summary(&import)),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(import)
}

/// Every import, newest first.
pub async fn imports(db: &Db) -> Result<Vec<PortalImport>> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, org_id, title, file_name, row_count, first_month, last_month, imported_by, imported_at \
         FROM portal_imports ORDER BY imported_at DESC, title")
        .fetch_all(pool).await)?)
}

pub async fn import(db: &Db, id: i64) -> Result<Option<PortalImport>> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, org_id, title, file_name, row_count, first_month, last_month, imported_by, imported_at \
         FROM portal_imports WHERE id = $1")
        .bind(id).fetch_optional(pool).await)?)
}

/// The months of an import, in order.
pub async fn months(db: &Db, import_id: i64) -> Result<Vec<Month>> {
    let rows: Vec<String> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT month FROM portal_months WHERE import_id = $1 ORDER BY month")
        .bind(import_id).fetch_all(pool).await)?;
    Ok(rows.iter().filter_map(|m| Month::parse(m)).collect())
}

/// One month's tree of an import.
pub async fn month_tree(db: &Db, import_id: i64, month: Month) -> Result<Option<MonthTree>> {
    let text: Option<String> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT nodes_json FROM portal_months WHERE import_id = $1 AND month = $2")
        .bind(import_id).bind(month.to_string()).fetch_optional(pool).await)?;
    text.map(|t| {
        let nodes: Vec<Node> = serde_json::from_str(&t).map_err(|e| RepoError::Corrupt {
            import: import_id,
            month: month.to_string(),
            message: e.to_string(),
        })?;
        Ok(MonthTree { month, nodes })
    })
    .transpose()
}
