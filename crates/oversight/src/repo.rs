//! Storage of oversight access: the read-only grants an access creates and the access itself,
//! written together in one transaction and audited; blocking removes them together.

use crate::BodyKind;
use chrono::{DateTime, NaiveDate, Utc};
use jospar_core::ids::new_id;
use jospar_store::{AuditEntry, Db, StoreError, Tx, Who, exec_tx, on_db, on_tx};
use serde::Serialize;
use serde_json::json;

/// The role the grants of an oversight access carry: read only.
pub const READ_ONLY_ROLE: &str = "auditor";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Access {
    pub id: i64,
    pub user_id: i64,
    pub kind: BodyKind,
    pub anchor_org_id: Option<i64>,
    /// The organisations whose subtrees the access reads.
    pub roots: Vec<i64>,
    pub grant_ids: Vec<i64>,
    pub granted_by: String,
    pub granted_at: DateTime<Utc>,
    pub valid_until: NaiveDate,
    pub blocked_by: Option<String>,
    pub blocked_at: Option<DateTime<Utc>>,
    pub block_reason: Option<String>,
    /// The employer's request to block: who, on which day, why.
    pub block_requested_by: Option<String>,
    pub block_requested_on: Option<NaiveDate>,
    pub block_request_reason: Option<String>,
    /// The BIN of the body the employee works for: the certificate they sign in with must be
    /// that body's (OV-5).
    pub body_bin: Option<String>,
}

impl Access {
    /// Granted, not blocked and not expired on `today`.
    pub fn is_active(&self, today: NaiveDate) -> bool {
        self.blocked_at.is_none() && today <= self.valid_until
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("stored oversight access {0} is unreadable")]
    Corrupt(i64),
    #[error("the access is blocked already")]
    Blocked,
    #[error("blocking was requested already")]
    Requested,
}

impl From<sqlx::Error> for AccessError {
    fn from(e: sqlx::Error) -> Self {
        AccessError::Store(e.into())
    }
}

type Row = (
    i64,
    i64,
    String,
    Option<i64>,
    String,
    String,
    DateTime<Utc>,
    NaiveDate,
    Option<String>,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<String>,
    Option<NaiveDate>,
    Option<String>,
    Option<String>,
);

const COLUMNS: &str = "id, user_id, kind, anchor_org_id, grant_ids, granted_by, granted_at, valid_until, \
                       blocked_by, blocked_at, block_reason, block_requested_by, block_requested_on, \
                       block_request_reason, body_bin";

fn access_of(row: Row) -> Result<Access, AccessError> {
    let id = row.0;
    let (grant_ids, roots): (Vec<i64>, Vec<i64>) = serde_json::from_str::<Vec<(i64, i64)>>(&row.4)
        .map_err(|_| AccessError::Corrupt(id))?
        .into_iter()
        .unzip();
    Ok(Access {
        id,
        user_id: row.1,
        kind: BodyKind::from_code(&row.2).ok_or(AccessError::Corrupt(id))?,
        anchor_org_id: row.3,
        roots,
        grant_ids,
        granted_by: row.5,
        granted_at: row.6,
        valid_until: row.7,
        blocked_by: row.8,
        blocked_at: row.9,
        block_reason: row.10,
        block_requested_by: row.11,
        block_requested_on: row.12,
        block_request_reason: row.13,
        body_bin: row.14,
    })
}

/// The access a user holds on `today`, if any: an oversight employee signs in only with their
/// body's certificate.
pub async fn active_access_of(
    db: &Db,
    user_id: i64,
    today: NaiveDate,
) -> Result<Option<Access>, AccessError> {
    Ok(accesses(db)
        .await?
        .into_iter()
        .find(|a| a.user_id == user_id && a.is_active(today)))
}

/// Every access, newest first.
pub async fn accesses(db: &Db) -> Result<Vec<Access>, AccessError> {
    let rows: Vec<Row> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM oversight_access ORDER BY granted_at DESC, id DESC")))
        .fetch_all(pool).await)?;
    rows.into_iter().map(access_of).collect()
}

pub async fn access(db: &Db, id: i64) -> Result<Option<Access>, AccessError> {
    let row: Option<Row> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM oversight_access WHERE id = $1")))
        .bind(id).fetch_optional(pool).await)?;
    row.map(access_of).transpose()
}

/// What an access is granted for: whom, by which kind of body and anchor, over which roots,
/// until when, and the BIN of the body the employee works for.
pub struct NewAccess<'a> {
    pub user_id: i64,
    pub kind: BodyKind,
    pub anchor: Option<i64>,
    pub roots: &'a [i64],
    pub valid_until: NaiveDate,
    pub body_bin: &'a str,
}

/// Grants a user read-only access to the subtrees of `roots` until `valid_until`: one auditor
/// grant per root and the access, together.
pub async fn grant(db: &Db, who: &Who, new: NewAccess<'_>) -> Result<Access, AccessError> {
    let NewAccess {
        user_id,
        kind,
        anchor,
        roots,
        valid_until,
        body_bin,
    } = new;
    let now = Utc::now();
    let pairs: Vec<(i64, i64)> = roots.iter().map(|root| (new_id(), *root)).collect();
    let mut tx = db.begin().await?;
    for (grant_id, root) in &pairs {
        exec_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO role_grants (id, user_id, role, org_id, valid_until, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(*grant_id).bind(user_id).bind(READ_ONLY_ROLE).bind(*root).bind(valid_until).bind(now)
            .execute(conn).await)?;
    }
    let access = Access {
        id: new_id(),
        user_id,
        kind,
        anchor_org_id: anchor,
        roots: roots.to_vec(),
        grant_ids: pairs.iter().map(|(g, _)| *g).collect(),
        granted_by: who.login.clone(),
        granted_at: now,
        valid_until,
        blocked_by: None,
        blocked_at: None,
        block_reason: None,
        block_requested_by: None,
        block_requested_on: None,
        block_request_reason: None,
        body_bin: Some(body_bin.to_string()),
    };
    let pairs_json = json!(pairs).to_string();
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO oversight_access (id, user_id, kind, anchor_org_id, grant_ids, granted_by, granted_at, valid_until, body_bin) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(access.id).bind(user_id).bind(kind.code()).bind(anchor).bind(&pairs_json)
        .bind(&access.granted_by).bind(now).bind(valid_until).bind(body_bin).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: anchor,
        entity: "oversight_access",
        entity_id: access.id.to_string(),
        action: "grant",
        old_value: None,
        new_value: Some(json!(access)),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(access)
}

/// An access read inside the transaction that changes it.
async fn access_in(tx: &mut Tx, id: i64) -> Result<Access, AccessError> {
    let row: Option<Row> = on_tx!(tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM oversight_access WHERE id = $1")))
        .bind(id).fetch_optional(conn).await)?;
    access_of(row.ok_or(AccessError::Corrupt(id))?)
}

/// Blocks an access when the employee leaves (OV-3): its grants are removed, the access kept
/// with who blocked it, when and why.
pub async fn block(db: &Db, who: &Who, id: i64, reason: &str) -> Result<Access, AccessError> {
    let mut tx = db.begin().await?;
    let old = access_in(&mut tx, id).await?;
    if old.blocked_at.is_some() {
        return Err(AccessError::Blocked);
    }
    for grant_id in &old.grant_ids {
        exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM role_grants WHERE id = $1")
            .bind(*grant_id).execute(conn).await)?;
    }
    let now = Utc::now();
    exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE oversight_access SET blocked_by = $1, blocked_at = $2, block_reason = $3 WHERE id = $4")
        .bind(&who.login).bind(now).bind(reason).bind(id).execute(conn).await)?;
    let blocked = Access {
        blocked_by: Some(who.login.clone()),
        blocked_at: Some(now),
        block_reason: Some(reason.to_string()),
        ..old.clone()
    };
    tx.audit(AuditEntry {
        who,
        org_id: old.anchor_org_id,
        entity: "oversight_access",
        entity_id: id.to_string(),
        action: "block",
        old_value: Some(json!(old)),
        new_value: Some(json!(blocked)),
        reason: Some(reason.to_string()),
    })
    .await?;
    tx.commit().await?;
    Ok(blocked)
}

/// Records the employer's request to block an access (the employee left) on `today`.
pub async fn request_block(
    db: &Db,
    who: &Who,
    id: i64,
    reason: &str,
    today: NaiveDate,
) -> Result<Access, AccessError> {
    let mut tx = db.begin().await?;
    let old = access_in(&mut tx, id).await?;
    if old.blocked_at.is_some() {
        return Err(AccessError::Blocked);
    }
    if old.block_requested_on.is_some() {
        return Err(AccessError::Requested);
    }
    exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE oversight_access SET block_requested_by = $1, block_requested_on = $2, block_request_reason = $3 \
         WHERE id = $4")
        .bind(&who.login).bind(today).bind(reason).bind(id).execute(conn).await)?;
    let requested = Access {
        block_requested_by: Some(who.login.clone()),
        block_requested_on: Some(today),
        block_request_reason: Some(reason.to_string()),
        ..old
    };
    tx.audit(AuditEntry {
        who,
        org_id: requested.anchor_org_id,
        entity: "oversight_access",
        entity_id: id.to_string(),
        action: "block_request",
        old_value: None,
        new_value: Some(json!({"requested_on": today})),
        reason: Some(reason.to_string()),
    })
    .await?;
    tx.commit().await?;
    Ok(requested)
}
