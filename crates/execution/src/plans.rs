//! Storage of individual financing plans (EX-1) and their change documents (EX-2): a plan is
//! shaped as a draft, approved whole, then changed only by dated documents; every step is
//! checked by the domain rules before it is written, and audited.

use crate::repo::{RepoError, Result};
use crate::{ChangeDoc, ChangeError, PlanError, PlanLine, apply_change, check_plan, plan_as_of};
use chrono::{DateTime, NaiveDate, Utc};
use jospar_consolidation::{Codes, Flow, PlanCells};
use jospar_core::ids::new_id;
use jospar_store::{AuditEntry, Db, Who, exec_tx, on_db, on_tx};
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Draft,
    /// Submitted by the institution to the organisation above for approval (issue 21): no
    /// longer edited, approved or returned to draft there.
    Submitted,
    Approved,
}

impl PlanStatus {
    pub const ALL: [PlanStatus; 3] = [
        PlanStatus::Draft,
        PlanStatus::Submitted,
        PlanStatus::Approved,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Submitted => "submitted",
            PlanStatus::Approved => "approved",
        }
    }

    pub fn from_code(code: &str) -> Option<PlanStatus> {
        PlanStatus::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// A financing plan with its change documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Plan {
    pub id: i64,
    pub org_id: i64,
    pub request_id: i64,
    pub year: i32,
    pub status: PlanStatus,
    /// The draft's lines, or the lines as approved.
    pub lines: Vec<PlanLine>,
    pub changes: Vec<ChangeDoc>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

impl Plan {
    /// The lines in force on `date` (a draft has no changes).
    pub fn as_of(&self, date: NaiveDate) -> std::result::Result<Vec<PlanLine>, ChangeError> {
        plan_as_of(&self.lines, &self.changes, date)
    }
}

/// Why a plan operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum PlanRefusal {
    #[error(transparent)]
    Repo(#[from] RepoError),
    #[error(transparent)]
    Rules(#[from] PlanError),
    #[error(transparent)]
    Change(#[from] ChangeError),
    #[error("the plan was changed by someone else; reload and repeat")]
    Stale,
    #[error("the plan is {0:?}: not possible now")]
    WrongStatus(PlanStatus),
    #[error("the institution already has a plan for this year")]
    Exists,
}

impl From<sqlx::Error> for PlanRefusal {
    fn from(e: sqlx::Error) -> Self {
        PlanRefusal::Repo(e.into())
    }
}

impl From<jospar_store::StoreError> for PlanRefusal {
    fn from(e: jospar_store::StoreError) -> Self {
        PlanRefusal::Repo(e.into())
    }
}

fn corrupt(id: i64, e: serde_json::Error) -> RepoError {
    RepoError::Corrupt {
        import: id,
        month: "plan".into(),
        message: e.to_string(),
    }
}

type Row = (i64, i64, i64, i64, String, String, i64, DateTime<Utc>);

pub async fn plan(db: &Db, id: i64) -> Result<Option<Plan>> {
    let row: Option<Row> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, org_id, request_id, year, status, lines_json, version, updated_at FROM financing_plans WHERE id = $1")
        .bind(id).fetch_optional(pool).await)?;
    let Some((id, org_id, request_id, year, status, lines, version, updated_at)) = row else {
        return Ok(None);
    };
    let docs: Vec<String> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT doc_json FROM plan_changes WHERE plan_id = $1 ORDER BY number")
        .bind(id).fetch_all(pool).await)?;
    let changes = docs
        .iter()
        .map(|d| serde_json::from_str(d).map_err(|e| corrupt(id, e)))
        .collect::<Result<Vec<ChangeDoc>>>()?;
    Ok(Some(Plan {
        id,
        org_id,
        request_id,
        year: year as i32,
        status: PlanStatus::from_code(&status).unwrap_or(PlanStatus::Draft),
        lines: serde_json::from_str(&lines).map_err(|e| corrupt(id, e))?,
        changes,
        version,
        updated_at,
    }))
}

/// The plans of a year past their draft (submitted or approved) with their lines (as created
/// from the request: the annual amounts), by plan id and organisation: one read for the
/// reconciliation with the budget version, where another institution's draft does not count.
pub async fn plans_of_year(db: &Db, year: i32) -> Result<Vec<(i64, i64, Vec<PlanLine>)>> {
    let rows: Vec<(i64, i64, String)> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, org_id, lines_json FROM financing_plans WHERE year = $1 AND status <> 'draft'")
        .bind(i64::from(year)).fetch_all(pool).await)?;
    rows.into_iter()
        .map(|(id, org, lines)| {
            let lines = serde_json::from_str(&lines).map_err(|e| corrupt(id, e))?;
            Ok((id, org, lines))
        })
        .collect()
}

/// The plans of every organisation, without their lines' detail needed for lists.
pub async fn plan_ids(db: &Db) -> Result<Vec<(i64, i64, i64)>> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, org_id, year FROM financing_plans ORDER BY year DESC, org_id")
        .fetch_all(pool).await)?)
}

/// What a list shows of a plan, read without its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PlanSummary {
    pub id: i64,
    pub org_id: i64,
    pub year: i64,
    /// draft or approved.
    pub status: String,
    pub updated_at: DateTime<Utc>,
}

/// Every plan without its lines, newest year first.
pub async fn plan_summaries(db: &Db) -> Result<Vec<PlanSummary>> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, org_id, year, status, updated_at FROM financing_plans ORDER BY year DESC, org_id")
        .fetch_all(pool).await)?)
}

/// How many of the organisations `orgs` (a subtree) have an approved plan for a year: what a
/// consolidated plan counts. Asked by the ids, a few hundred at a time, so that an
/// institution's report reads its own plan and not every plan of the republic.
pub async fn approved_plans_among(db: &Db, year: i32, orgs: &[i64]) -> Result<usize> {
    let mut count = 0_i64;
    for ids in orgs.chunks(500) {
        let list = ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        // Only integers are written into the statement.
        let sql = format!(
            "SELECT COUNT(*) FROM financing_plans WHERE year = $1 AND status = 'approved' \
             AND org_id IN ({list})"
        );
        let found: i64 = on_db!(db, pool => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
            .bind(i64::from(year)).fetch_one(pool).await)?;
        count += found;
    }
    Ok(usize::try_from(count).unwrap_or(0))
}

/// The plans whose kept cells differ from the plan replayed with every change
/// document — an approved plan's cells must equal it, a draft has none — by plan id.
pub async fn plans_off_their_cells(db: &Db) -> Result<Vec<i64>> {
    type CellRow = (String, String, String, i64, i64, i64);
    let mut off = Vec::new();
    for (id, org_id, year) in plan_ids(db).await? {
        let Some(plan) = plan(db, id).await? else {
            continue;
        };
        let expected: PlanCells = if plan.status == PlanStatus::Approved {
            let lines = plan.as_of(NaiveDate::MAX).map_err(|e| RepoError::Corrupt {
                import: id,
                month: "plan".into(),
                message: e.to_string(),
            })?;
            cells(&lines)
                .into_iter()
                .filter(|(_, flow)| *flow != Flow::default())
                .collect()
        } else {
            PlanCells::new()
        };
        let rows: Vec<CellRow> = on_db!(db, pool => sqlx::query_as(
            "SELECT program, subprogram, specific, month, obligations, payments FROM plan_cells \
             WHERE org_id = $1 AND year = $2 AND (obligations <> 0 OR payments <> 0)")
            .bind(org_id).bind(year).fetch_all(pool).await)?;
        let kept: PlanCells = rows
            .into_iter()
            .map(
                |(program, subprogram, specific, month, obligations, payments)| {
                    let codes = Codes {
                        program,
                        subprogram,
                        specific,
                    };
                    (
                        (codes, month as u8),
                        Flow {
                            obligations,
                            payments,
                        },
                    )
                },
            )
            .collect();
        if kept != expected {
            off.push(id);
        }
    }
    Ok(off)
}

/// A new draft plan of an institution for a year from the lines of its approved request.
pub async fn create_plan(
    db: &Db,
    who: &Who,
    org_id: i64,
    request_id: i64,
    year: i32,
    lines: &[PlanLine],
) -> std::result::Result<Plan, PlanRefusal> {
    check_plan(lines)?;
    let mut tx = db.begin().await?;
    let existing: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT COUNT(*) FROM financing_plans WHERE org_id = $1 AND year = $2")
        .bind(org_id).bind(i64::from(year)).fetch_one(conn).await)?;
    if existing > 0 {
        return Err(PlanRefusal::Exists);
    }
    let id = new_id();
    let text = serde_json::to_string(lines).map_err(|e| corrupt(id, e))?;
    let now = Utc::now();
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO financing_plans (id, org_id, request_id, year, status, lines_json, version, updated_at) \
         VALUES ($1, $2, $3, $4, 'draft', $5, 1, $6)")
        .bind(id).bind(org_id).bind(request_id).bind(i64::from(year)).bind(&text).bind(now)
        .execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(org_id),
        entity: "financing_plan",
        entity_id: id.to_string(),
        action: "create",
        old_value: None,
        new_value: Some(json!({"request_id": request_id, "year": year, "lines": lines})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(plan(db, id).await?.ok_or(RepoError::Corrupt {
        import: id,
        month: "plan".into(),
        message: "not found after insert".into(),
    })?)
}

/// Submits a draft for approval, or returns a submitted plan to its draft with a reason
/// (issue 21); audited.
pub async fn move_plan(
    db: &Db,
    who: &Who,
    current: &Plan,
    version: i64,
    to: PlanStatus,
    reason: Option<&str>,
) -> std::result::Result<Plan, PlanRefusal> {
    let from = match to {
        PlanStatus::Submitted => PlanStatus::Draft,
        PlanStatus::Draft => PlanStatus::Submitted,
        PlanStatus::Approved => return Err(PlanRefusal::WrongStatus(current.status)),
    };
    if current.status != from {
        return Err(PlanRefusal::WrongStatus(current.status));
    }
    if current.version != version {
        return Err(PlanRefusal::Stale);
    }
    let mut tx = db.begin().await?;
    let updated = exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE financing_plans SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4")
        .bind(to.code()).bind(Utc::now()).bind(current.id).bind(version)
        .execute(conn).await)?;
    if updated != 1 {
        return Err(PlanRefusal::Stale);
    }
    tx.audit(AuditEntry {
        who,
        org_id: Some(current.org_id),
        entity: "financing_plan",
        entity_id: current.id.to_string(),
        action: if to == PlanStatus::Submitted {
            "submit"
        } else {
            "return"
        },
        old_value: Some(json!({"status": from.code()})),
        new_value: Some(json!({"status": to.code()})),
        reason: reason.map(str::to_string),
    })
    .await?;
    tx.commit().await?;
    plan(db, current.id).await?.ok_or(PlanRefusal::Stale)
}

/// Writes a draft's lines (`version` as the user saw it), or approves the draft with the
/// approver's signature.
async fn update_draft(
    db: &Db,
    who: &Who,
    current: &Plan,
    version: i64,
    lines: &[PlanLine],
    approval: Option<&PlanSignature>,
) -> std::result::Result<Plan, PlanRefusal> {
    let approve = approval.is_some();
    // Lines change in a draft; a submitted plan is approved as it was submitted.
    let expected = if approve {
        PlanStatus::Submitted
    } else {
        PlanStatus::Draft
    };
    if current.status != expected {
        return Err(PlanRefusal::WrongStatus(current.status));
    }
    if current.version != version {
        return Err(PlanRefusal::Stale);
    }
    check_plan(lines)?;
    let text = serde_json::to_string(lines).map_err(|e| corrupt(current.id, e))?;
    let status = if approve { "approved" } else { "draft" };
    let mut tx = db.begin().await?;
    let updated = exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE financing_plans SET lines_json = $1, status = $2, version = version + 1, updated_at = $3 \
         WHERE id = $4 AND version = $5")
        .bind(&text).bind(status).bind(Utc::now()).bind(current.id).bind(version)
        .execute(conn).await)?;
    if updated != 1 {
        return Err(PlanRefusal::Stale);
    }
    if let Some(sig) = approval {
        exec_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO plan_signatures (id, plan_id, plan_version, data, data_sha256, cms, signer_iin, signer_bin, \
             signer_name, cert_serial, cert_not_after, signed_by, signed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
            .bind(new_id()).bind(current.id).bind(sig.plan_version).bind(&sig.data).bind(&sig.data_sha256)
            .bind(&sig.cms).bind(&sig.signer_iin).bind(&sig.signer_bin).bind(&sig.signer_name)
            .bind(&sig.cert_serial).bind(sig.cert_not_after).bind(&sig.signed_by).bind(sig.signed_at)
            .execute(conn).await)?;
        // Sent to the Treasury by the exchange (EX-4): queued with the approval, or not at all.
        crate::outbox::enqueue(&mut tx, current.id, current.org_id, "plan", 0).await?;
        // From now on the plan counts in every consolidated plan above it.
        let difference = jospar_consolidation::difference(&PlanCells::new(), &cells(lines));
        jospar_consolidation::repo::apply_plan(&mut tx, current.org_id, current.year, &difference)
            .await?;
    }
    tx.audit(AuditEntry {
        who,
        org_id: Some(current.org_id),
        entity: "financing_plan",
        entity_id: current.id.to_string(),
        action: if approve { "approve" } else { "update" },
        old_value: Some(json!(current.lines)),
        new_value: Some(json!(lines)),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    plan(db, current.id).await?.ok_or(PlanRefusal::Stale)
}

pub async fn save_lines(
    db: &Db,
    who: &Who,
    current: &Plan,
    version: i64,
    lines: &[PlanLine],
) -> std::result::Result<Plan, PlanRefusal> {
    update_draft(db, who, current, version, lines, None).await
}

/// A plan's lines as the cells the consolidated totals are kept by: codes and month
/// → obligations and payments; lines with the same codes add up.
pub fn cells(lines: &[PlanLine]) -> PlanCells {
    let mut cells = PlanCells::new();
    for line in lines {
        let codes = Codes {
            program: line.program.clone(),
            subprogram: line.subprogram.clone(),
            specific: line.specific.clone(),
        };
        for (month, (obligations, payments)) in
            (1u8..).zip(line.obligations.iter().zip(&line.payments))
        {
            let cell = cells.entry((codes.clone(), month)).or_default();
            cell.obligations += obligations.tiyn();
            cell.payments += payments.tiyn();
        }
    }
    cells
}

/// The bytes the approver signs: the plan at its version, lines by expense identifier, amounts
/// in tiyn, as JSON.
pub fn canonical_bytes(plan: &Plan) -> Vec<u8> {
    let mut lines = plan.lines.clone();
    lines.sort_by_key(|l| l.expense_id);
    let document = json!({
        "document": "jospar/financing-plan/1",
        "id": plan.id,
        "org_id": plan.org_id,
        "request_id": plan.request_id,
        "year": plan.year,
        "version": plan.version,
        "lines": lines.iter().map(|l| json!({
            "expense_id": l.expense_id,
            "program": l.program,
            "subprogram": l.subprogram,
            "specific": l.specific,
            "approved": l.approved.tiyn(),
            "obligations": l.obligations.iter().map(|t| t.tiyn()).collect::<Vec<_>>(),
            "payments": l.payments.iter().map(|t| t.tiyn()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    serde_json::to_vec(&document).unwrap_or_default()
}

/// A verified signature of the approver over [`canonical_bytes`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PlanSignature {
    pub plan_version: i64,
    /// The canonical bytes signed (UTF-8 JSON).
    #[serde(skip)]
    pub data: String,
    pub data_sha256: String,
    /// The CMS as received, base64.
    #[serde(skip)]
    pub cms: String,
    pub signer_iin: String,
    pub signer_bin: Option<String>,
    pub signer_name: String,
    pub cert_serial: String,
    pub cert_not_after: DateTime<Utc>,
    pub signed_by: String,
    pub signed_at: DateTime<Utc>,
}

/// Approves a draft with the approver's signature, written in the same transaction.
pub async fn approve(
    db: &Db,
    who: &Who,
    current: &Plan,
    version: i64,
    signature: &PlanSignature,
) -> std::result::Result<Plan, PlanRefusal> {
    update_draft(
        db,
        who,
        current,
        version,
        &current.lines.clone(),
        Some(signature),
    )
    .await
}

/// The signatures of a plan, oldest first.
pub async fn signatures(db: &Db, plan_id: i64) -> Result<Vec<PlanSignature>> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT plan_version, data, data_sha256, cms, signer_iin, signer_bin, signer_name, cert_serial, \
         cert_not_after, signed_by, signed_at FROM plan_signatures WHERE plan_id = $1 ORDER BY signed_at")
        .bind(plan_id).fetch_all(pool).await)?)
}

/// Adds a change document to an approved plan: numbered next, applied over every document
/// so far (dated before or after it), refused whole if any move breaks a rule.
pub async fn add_change(
    db: &Db,
    who: &Who,
    current: &Plan,
    mut doc: ChangeDoc,
) -> std::result::Result<Plan, PlanRefusal> {
    if current.status != PlanStatus::Approved {
        return Err(PlanRefusal::WrongStatus(current.status));
    }
    doc.number = current.changes.iter().map(|d| d.number).max().unwrap_or(0) + 1;
    let latest = NaiveDate::MAX;
    let before = current.as_of(latest)?;
    apply_change(&before, &doc)?;
    let mut all = current.changes.clone();
    all.push(doc.clone());
    let after = plan_as_of(&current.lines, &all, latest)?;
    let text = serde_json::to_string(&doc).map_err(|e| corrupt(current.id, e))?;
    let now = Utc::now();
    let mut tx = db.begin().await?;
    // Numbered after the documents the caller saw: a document added meanwhile takes the same
    // number and this insert is refused, so the difference below is never computed from a
    // stale plan.
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO plan_changes (id, plan_id, number, doc_json, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(new_id()).bind(current.id).bind(doc.number).bind(&text).bind(&who.login).bind(now)
        .execute(conn).await)?;
    crate::outbox::enqueue(
        &mut tx,
        current.id,
        current.org_id,
        doc.kind.code(),
        doc.number,
    )
    .await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE financing_plans SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(now).bind(current.id).execute(conn).await)?;
    let difference = jospar_consolidation::difference(&cells(&before), &cells(&after));
    jospar_consolidation::repo::apply_plan(&mut tx, current.org_id, current.year, &difference)
        .await?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(current.org_id),
        entity: "financing_plan_change",
        entity_id: format!("{}/{}", current.id, doc.number),
        action: "create",
        old_value: None,
        new_value: Some(json!(doc)),
        reason: Some(doc.reason.clone()),
    })
    .await?;
    tx.commit().await?;
    // The plan as stored now, without reading it again.
    Ok(Plan {
        changes: all,
        version: current.version + 1,
        updated_at: now,
        ..current.clone()
    })
}
