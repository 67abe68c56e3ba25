//! The audit log (P-4; order No. 254 p.14, 23, 27): who (login and IIN), when, which entity,
//! old → new value and the reason. Append-only: the tables refuse UPDATE and DELETE by trigger
//! on both engines, and no route of the system changes them.

use crate::{Db, StoreError, Tx, exec_tx, on_db};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// The person behind a change.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Who {
    pub user_id: Option<i64>,
    pub login: String,
    pub iin: String,
}

impl Who {
    /// Changes made by the system itself (demo load, CLI import without a user).
    pub fn system() -> Who {
        Who {
            user_id: None,
            login: "system".into(),
            iin: String::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub who: &'a Who,
    pub org_id: Option<i64>,
    pub entity: &'a str,
    pub entity_id: String,
    pub action: &'a str,
    pub old_value: Option<serde_json::Value>,
    pub new_value: Option<serde_json::Value>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub login: String,
    pub iin: String,
    pub org_id: Option<i64>,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub login: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only entries of these organisations (the reader's scope); None = all.
    pub org_ids: Option<Vec<i64>>,
    pub limit: i64,
}

impl Tx {
    pub async fn audit(&mut self, entry: AuditEntry<'_>) -> Result<(), StoreError> {
        let id = jospar_core::ids::new_id();
        let old = entry.old_value.map(|v| v.to_string());
        let new = entry.new_value.map(|v| v.to_string());
        exec_tx!(self, conn => sqlx::query(
            "INSERT INTO audit_log (id, at, user_id, login, iin, org_id, entity, entity_id, action, old_value, new_value, reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
            .bind(id)
            .bind(Utc::now())
            .bind(entry.who.user_id)
            .bind(&entry.who.login)
            .bind(&entry.who.iin)
            .bind(entry.org_id)
            .bind(entry.entity)
            .bind(&entry.entity_id)
            .bind(entry.action)
            .bind(old)
            .bind(new)
            .bind(entry.reason)
            .execute(conn)
            .await)?;
        Ok(())
    }
}

impl Db {
    /// Entries matching the filter, newest first. The scope is passed as one comma-joined
    /// text (",1,2,3,") matched with LIKE, so that the same query text serves both engines.
    pub async fn audit_entries(
        &self,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let from = filter
            .from
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc());
        let to = filter
            .to
            .and_then(|d| d.succ_opt())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc());
        let scope = filter.org_ids.as_ref().map(|ids| {
            format!(
                ",{},",
                ids.iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            )
        });
        let limit = if filter.limit <= 0 {
            200
        } else {
            filter.limit.min(5000)
        };
        let rows = on_db!(self, pool => sqlx::query_as::<_, AuditRecord>(
            "SELECT id, at, user_id, login, iin, org_id, entity, entity_id, action, old_value, new_value, reason \
             FROM audit_log \
             WHERE ($1 IS NULL OR login = $1) \
               AND ($2 IS NULL OR entity = $2) \
               AND ($3 IS NULL OR entity_id = $3) \
               AND ($4 IS NULL OR at >= $4) \
               AND ($5 IS NULL OR at < $5) \
               AND ($6 IS NULL OR (org_id IS NOT NULL AND $6 LIKE '%,' || CAST(org_id AS TEXT) || ',%')) \
             ORDER BY id DESC LIMIT $7")
            .bind(filter.login.as_deref())
            .bind(filter.entity.as_deref())
            .bind(filter.entity_id.as_deref())
            .bind(from)
            .bind(to)
            .bind(scope)
            .bind(limit)
            .fetch_all(pool)
            .await)?;
        Ok(rows)
    }
}
