//! Storage of the applications for oversight access (OV-1, OV-2): filed, reviewed (forwarded or
//! refused with a reason), granted; each step checks the one before it and is audited.

use crate::application::{Request, Status};
use crate::repo::AccessError;
use chrono::{NaiveDate, Utc};
use jospar_core::ids::new_id;
use jospar_store::{AuditEntry, Db, Who, exec_tx, on_db, on_tx};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Application {
    pub id: i64,
    pub request: Request,
    pub status: Status,
    pub submitted_by: String,
    pub submitted_on: NaiveDate,
    pub decided_by: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub reason: Option<String>,
    pub granted_by: Option<String>,
    pub granted_on: Option<NaiveDate>,
    /// The accesses granted from it, one per employee.
    pub access_ids: Vec<i64>,
    /// The body's signature over the application (OV-1).
    pub signature: Option<BodySignature>,
}

/// Who signed an application for the body, with the signature itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BodySignature {
    pub signer_name: String,
    pub signer_iin: String,
    pub signer_bin: String,
    pub cert_serial: String,
    pub signed_on: NaiveDate,
    /// The CMS, base64.
    pub cms: String,
}

impl Application {
    /// The bytes the body signs: the application's number and what it asks for.
    pub fn signing_data(&self) -> Vec<u8> {
        format!(
            "jospar-oversight-application:{}\n{}",
            self.id,
            json!(self.request)
        )
        .into_bytes()
    }
}

/// Why a step was refused.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    #[error(transparent)]
    Store(#[from] AccessError),
    #[error("the application is {0:?}: not possible now")]
    WrongStatus(Status),
    #[error("no such application")]
    NotFound,
}

impl From<sqlx::Error> for StepError {
    fn from(e: sqlx::Error) -> Self {
        StepError::Store(e.into())
    }
}

impl From<jospar_store::StoreError> for StepError {
    fn from(e: jospar_store::StoreError) -> Self {
        StepError::Store(e.into())
    }
}

type Row = (
    i64,
    String,
    String,
    String,
    NaiveDate,
    Option<String>,
    Option<NaiveDate>,
    Option<String>,
    Option<String>,
    Option<NaiveDate>,
    String,
    Option<String>,
);

const COLUMNS: &str = "id, request_json, status, submitted_by, submitted_on, decided_by, decided_on, reason, \
                       granted_by, granted_on, access_ids, signature_json";

fn application_of(row: Row) -> Result<Application, StepError> {
    let id = row.0;
    let corrupt = || StepError::Store(AccessError::Corrupt(id));
    Ok(Application {
        id,
        request: serde_json::from_str(&row.1).map_err(|_| corrupt())?,
        status: Status::from_code(&row.2).ok_or_else(corrupt)?,
        submitted_by: row.3,
        submitted_on: row.4,
        decided_by: row.5,
        decided_on: row.6,
        reason: row.7,
        granted_by: row.8,
        granted_on: row.9,
        access_ids: serde_json::from_str(&row.10).map_err(|_| corrupt())?,
        signature: row
            .11
            .map(|text| serde_json::from_str(&text))
            .transpose()
            .map_err(|_| corrupt())?,
    })
}

/// Every application, newest first.
pub async fn applications(db: &Db) -> Result<Vec<Application>, StepError> {
    let rows: Vec<Row> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM oversight_applications ORDER BY submitted_on DESC, id DESC")))
        .fetch_all(pool).await)?;
    rows.into_iter().map(application_of).collect()
}

pub async fn application(db: &Db, id: i64) -> Result<Option<Application>, StepError> {
    let row: Option<Row> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM oversight_applications WHERE id = $1")))
        .bind(id).fetch_optional(pool).await)?;
    row.map(application_of).transpose()
}

/// Files an application (checked by the caller) on `today`, as a draft until the body signs it.
pub async fn submit(
    db: &Db,
    who: &Who,
    request: &Request,
    today: NaiveDate,
) -> Result<Application, StepError> {
    let application = Application {
        id: new_id(),
        request: request.clone(),
        status: Status::Draft,
        submitted_by: who.login.clone(),
        submitted_on: today,
        decided_by: None,
        decided_on: None,
        reason: None,
        granted_by: None,
        granted_on: None,
        access_ids: Vec::new(),
        signature: None,
    };
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO oversight_applications (id, request_json, status, submitted_by, submitted_on, access_ids, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(application.id).bind(json!(request).to_string()).bind(Status::Draft.code())
        .bind(&application.submitted_by).bind(today).bind("[]").bind(Utc::now())
        .execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: request.anchor_org_id,
        entity: "oversight_application",
        entity_id: application.id.to_string(),
        action: "submit",
        old_value: None,
        new_value: Some(json!(application)),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(application)
}

/// The body's signature (verified by the caller) submits a draft to the authorized body on
/// `today`: its review deadline counts from then.
pub async fn sign(
    db: &Db,
    who: &Who,
    id: i64,
    signature: &BodySignature,
    today: NaiveDate,
) -> Result<Application, StepError> {
    let mut tx = db.begin().await?;
    let row: Option<Row> = on_tx!(&mut tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM oversight_applications WHERE id = $1")))
        .bind(id).fetch_optional(conn).await)?;
    let old = application_of(row.ok_or(StepError::NotFound)?)?;
    if old.status != Status::Draft {
        return Err(StepError::WrongStatus(old.status));
    }
    let new = Application {
        status: Status::Submitted,
        submitted_on: today,
        signature: Some(signature.clone()),
        ..old.clone()
    };
    exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE oversight_applications SET status = $1, submitted_on = $2, signature_json = $3, updated_at = $4 WHERE id = $5")
        .bind(Status::Submitted.code()).bind(today).bind(json!(signature).to_string())
        .bind(Utc::now()).bind(id).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: old.request.anchor_org_id,
        entity: "oversight_application",
        entity_id: id.to_string(),
        action: "sign",
        old_value: Some(json!({"status": old.status})),
        new_value: Some(json!({"status": new.status, "signer": signature.signer_name,
                               "signer_bin": signature.signer_bin, "serial": signature.cert_serial})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(new)
}

/// Moves an application from `from` to `to` on `today`, recording who did it and why.
async fn step(
    db: &Db,
    who: &Who,
    id: i64,
    (from, to): (Status, Status),
    today: NaiveDate,
    reason: Option<&str>,
    access_ids: &[i64],
) -> Result<Application, StepError> {
    let mut tx = db.begin().await?;
    let row: Option<Row> = on_tx!(&mut tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM oversight_applications WHERE id = $1")))
        .bind(id).fetch_optional(conn).await)?;
    let old = application_of(row.ok_or(StepError::NotFound)?)?;
    if old.status != from {
        return Err(StepError::WrongStatus(old.status));
    }
    let mut new = old.clone();
    new.status = to;
    if to == Status::Granted {
        new.granted_by = Some(who.login.clone());
        new.granted_on = Some(today);
        new.access_ids = access_ids.to_vec();
    } else {
        new.decided_by = Some(who.login.clone());
        new.decided_on = Some(today);
        new.reason = reason.map(str::to_string);
    }
    exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE oversight_applications SET status = $1, decided_by = $2, decided_on = $3, reason = $4, \
         granted_by = $5, granted_on = $6, access_ids = $7, updated_at = $8 WHERE id = $9")
        .bind(to.code()).bind(&new.decided_by).bind(new.decided_on).bind(&new.reason)
        .bind(&new.granted_by).bind(new.granted_on).bind(json!(new.access_ids).to_string())
        .bind(Utc::now()).bind(id).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: old.request.anchor_org_id,
        entity: "oversight_application",
        entity_id: id.to_string(),
        action: to.code(),
        old_value: Some(json!({"status": old.status})),
        new_value: Some(json!({"status": to, "access_ids": new.access_ids})),
        reason: reason.map(str::to_string),
    })
    .await?;
    tx.commit().await?;
    Ok(new)
}

/// The authorized body's review: forward to the integrator, or refuse with the reason.
pub async fn review(
    db: &Db,
    who: &Who,
    id: i64,
    forward: bool,
    reason: Option<&str>,
    today: NaiveDate,
) -> Result<Application, StepError> {
    let to = if forward {
        Status::Forwarded
    } else {
        Status::Refused
    };
    step(db, who, id, (Status::Submitted, to), today, reason, &[]).await
}

/// Records that the integrator granted the access of a forwarded application.
pub async fn mark_granted(
    db: &Db,
    who: &Who,
    id: i64,
    access_ids: &[i64],
    today: NaiveDate,
) -> Result<Application, StepError> {
    let transition = (Status::Forwarded, Status::Granted);
    step(db, who, id, transition, today, None, access_ids).await
}
