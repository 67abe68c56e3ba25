//! Storage of plans of receipts (EX-1): one per organisation and year, shaped as a draft,
//! approved whole and then frozen; every step checked by the rules of [`crate::receipts`]
//! before it is written, and audited.

use crate::plans::PlanStatus;
use crate::receipts::{ReceiptLine, ReceiptPlanError, check_receipt_plan};
use crate::repo::{RepoError, Result};
use chrono::{DateTime, Utc};
use jospar_core::ids::new_id;
use jospar_store::{AuditEntry, Db, Who, exec_tx, on_db, on_tx};
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReceiptPlan {
    pub id: i64,
    pub org_id: i64,
    pub year: i32,
    pub status: PlanStatus,
    pub lines: Vec<ReceiptLine>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
}

impl ReceiptPlan {
    /// The plan's receipts for the year, all codes together.
    pub fn annual_total(&self) -> jospar_core::Tenge {
        self.lines.iter().map(|l| l.annual).sum()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReceiptRefusal {
    #[error(transparent)]
    Repo(#[from] RepoError),
    #[error(transparent)]
    Rules(#[from] ReceiptPlanError),
    #[error("the plan was changed by someone else; reload and repeat")]
    Stale,
    #[error("the plan is {0:?}: not possible now")]
    WrongStatus(PlanStatus),
    #[error("the organisation already has a plan of receipts for this year")]
    Exists,
}

impl From<sqlx::Error> for ReceiptRefusal {
    fn from(e: sqlx::Error) -> Self {
        ReceiptRefusal::Repo(e.into())
    }
}

impl From<jospar_store::StoreError> for ReceiptRefusal {
    fn from(e: jospar_store::StoreError) -> Self {
        ReceiptRefusal::Repo(e.into())
    }
}

fn corrupt(id: i64, e: serde_json::Error) -> RepoError {
    RepoError::Corrupt {
        import: id,
        month: "receipt plan".into(),
        message: e.to_string(),
    }
}

type Row = (
    i64,
    i64,
    i64,
    String,
    String,
    i64,
    DateTime<Utc>,
    Option<String>,
    Option<DateTime<Utc>>,
);

pub async fn receipt_plan(db: &Db, id: i64) -> Result<Option<ReceiptPlan>> {
    let row: Option<Row> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, org_id, year, status, lines_json, version, updated_at, approved_by, approved_at \
         FROM receipt_plans WHERE id = $1")
        .bind(id).fetch_optional(pool).await)?;
    row.map(plan_of).transpose()
}

/// Every plan of receipts with its lines, newest year first: one a budget's authorized body a
/// year, a few hundred in a region.
pub async fn receipt_plans(db: &Db) -> Result<Vec<ReceiptPlan>> {
    let rows: Vec<Row> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, org_id, year, status, lines_json, version, updated_at, approved_by, approved_at \
         FROM receipt_plans ORDER BY year DESC, org_id")
        .fetch_all(pool).await)?;
    rows.into_iter().map(plan_of).collect()
}

fn plan_of(row: Row) -> Result<ReceiptPlan> {
    let (id, org_id, year, status, lines, version, updated_at, approved_by, approved_at) = row;
    Ok(ReceiptPlan {
        id,
        org_id,
        year: year as i32,
        status: if status == "approved" {
            PlanStatus::Approved
        } else {
            PlanStatus::Draft
        },
        lines: serde_json::from_str(&lines).map_err(|e| corrupt(id, e))?,
        version,
        updated_at,
        approved_by,
        approved_at,
    })
}

/// A new draft plan of receipts of an organisation for a year.
pub async fn create(
    db: &Db,
    who: &Who,
    org_id: i64,
    year: i32,
    lines: &[ReceiptLine],
) -> std::result::Result<ReceiptPlan, ReceiptRefusal> {
    check_receipt_plan(lines)?;
    let mut tx = db.begin().await?;
    let existing: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT COUNT(*) FROM receipt_plans WHERE org_id = $1 AND year = $2")
        .bind(org_id).bind(i64::from(year)).fetch_one(conn).await)?;
    if existing > 0 {
        return Err(ReceiptRefusal::Exists);
    }
    let id = new_id();
    let text = serde_json::to_string(lines).map_err(|e| corrupt(id, e))?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO receipt_plans (id, org_id, year, status, lines_json, version, updated_at) \
         VALUES ($1, $2, $3, 'draft', $4, 1, $5)")
        .bind(id).bind(org_id).bind(i64::from(year)).bind(&text).bind(Utc::now())
        .execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(org_id),
        entity: "receipt_plan",
        entity_id: id.to_string(),
        action: "create",
        old_value: None,
        new_value: Some(json!({"year": year, "lines": lines})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    receipt_plan(db, id).await?.ok_or(ReceiptRefusal::Stale)
}

/// Writes a draft's lines (`version` as the user saw it), or approves the draft as it is.
async fn update_draft(
    db: &Db,
    who: &Who,
    current: &ReceiptPlan,
    version: i64,
    lines: &[ReceiptLine],
    approve: bool,
) -> std::result::Result<ReceiptPlan, ReceiptRefusal> {
    if current.status != PlanStatus::Draft {
        return Err(ReceiptRefusal::WrongStatus(current.status));
    }
    if current.version != version {
        return Err(ReceiptRefusal::Stale);
    }
    check_receipt_plan(lines)?;
    let text = serde_json::to_string(lines).map_err(|e| corrupt(current.id, e))?;
    let now = Utc::now();
    let (status, approved_by, approved_at) = if approve {
        ("approved", Some(who.login.clone()), Some(now))
    } else {
        ("draft", None, None)
    };
    let mut tx = db.begin().await?;
    let updated = exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE receipt_plans SET lines_json = $1, status = $2, version = version + 1, updated_at = $3, \
         approved_by = $4, approved_at = $5 WHERE id = $6 AND version = $7")
        .bind(&text).bind(status).bind(now).bind(&approved_by).bind(approved_at)
        .bind(current.id).bind(version).execute(conn).await)?;
    if updated != 1 {
        return Err(ReceiptRefusal::Stale);
    }
    tx.audit(AuditEntry {
        who,
        org_id: Some(current.org_id),
        entity: "receipt_plan",
        entity_id: current.id.to_string(),
        action: if approve { "approve" } else { "update" },
        old_value: Some(json!(current.lines)),
        new_value: Some(json!(lines)),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    receipt_plan(db, current.id)
        .await?
        .ok_or(ReceiptRefusal::Stale)
}

pub async fn save_lines(
    db: &Db,
    who: &Who,
    current: &ReceiptPlan,
    version: i64,
    lines: &[ReceiptLine],
) -> std::result::Result<ReceiptPlan, ReceiptRefusal> {
    update_draft(db, who, current, version, lines, false).await
}

pub async fn approve(
    db: &Db,
    who: &Who,
    current: &ReceiptPlan,
    version: i64,
) -> std::result::Result<ReceiptPlan, ReceiptRefusal> {
    update_draft(db, who, current, version, &current.lines.clone(), true).await
}

/// Why a code of a plan of receipts fell short in a reporting period (appendix 2 of order
/// No. 629).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ShortfallReason {
    pub receipt_plan_id: i64,
    /// The last month of the reporting period, "2027-03".
    pub month: String,
    pub code: String,
    pub reason: String,
    pub entered_by: String,
    pub entered_at: DateTime<Utc>,
}

/// The reasons given for a plan's codes in a reporting period.
pub async fn shortfall_reasons(db: &Db, plan_id: i64, month: &str) -> Result<Vec<ShortfallReason>> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT receipt_plan_id, month, code, reason, entered_by, entered_at FROM receipt_shortfall_reasons \
         WHERE receipt_plan_id = $1 AND month = $2 ORDER BY code")
        .bind(plan_id).bind(month).fetch_all(pool).await)?)
}

/// Gives (or replaces) the reason for a code in a reporting period; audited with the old text.
pub async fn set_shortfall_reason(
    db: &Db,
    who: &Who,
    plan: &ReceiptPlan,
    month: &str,
    code: &str,
    reason: &str,
) -> Result<ShortfallReason> {
    let entry = ShortfallReason {
        receipt_plan_id: plan.id,
        month: month.to_string(),
        code: code.to_string(),
        reason: reason.to_string(),
        entered_by: who.login.clone(),
        entered_at: Utc::now(),
    };
    let mut tx = db.begin().await?;
    let old: Option<String> = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT reason FROM receipt_shortfall_reasons WHERE receipt_plan_id = $1 AND month = $2 AND code = $3")
        .bind(plan.id).bind(month).bind(code).fetch_optional(conn).await)?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "DELETE FROM receipt_shortfall_reasons WHERE receipt_plan_id = $1 AND month = $2 AND code = $3")
        .bind(plan.id).bind(month).bind(code).execute(conn).await)?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO receipt_shortfall_reasons (receipt_plan_id, month, code, reason, entered_by, entered_at) \
         VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(plan.id).bind(month).bind(code).bind(reason).bind(&entry.entered_by)
        .bind(entry.entered_at).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(plan.org_id),
        entity: "receipt_shortfall_reason",
        entity_id: format!("{}/{month}/{code}", plan.id),
        action: if old.is_some() { "update" } else { "create" },
        old_value: old.map(|r| json!({"reason": r})),
        new_value: Some(json!({"reason": reason})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(entry)
}
