//! Storage of the acts of the budget cycle. An act is written with all its lines in one
//! transaction; a save of lines is checked against the version the user saw and audits every
//! line it changes, old → new, with the reason.

use crate::domain::*;
use chrono::{NaiveDate, Utc};
use jospar_core::Tenge;
use jospar_store::{AuditEntry, Db, StoreError, Tx, Who, exec_tx, on_db};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error(transparent)]
    Budget(#[from] BudgetError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for RepoError {
    fn from(e: sqlx::Error) -> Self {
        RepoError::Store(StoreError::Sql(e))
    }
}

#[derive(sqlx::FromRow)]
struct ActRow {
    id: i64,
    campaign_id: i64,
    budget_id: i64,
    first_year: i64,
    kind: String,
    administrator: String,
    number: String,
    act_date: NaiveDate,
    based_on: Option<i64>,
    status: String,
    version: i64,
    created_by: String,
    adopted_by: Option<String>,
    adopted_at: Option<chrono::DateTime<Utc>>,
    due_on: Option<NaiveDate>,
}

impl ActRow {
    fn into_act(self) -> Option<Act> {
        Some(Act {
            id: self.id,
            campaign_id: self.campaign_id,
            budget_id: self.budget_id,
            first_year: i32::try_from(self.first_year).ok()?,
            kind: ActKind::from_code(&self.kind)?,
            administrator: self.administrator,
            number: self.number,
            act_date: self.act_date,
            based_on: self.based_on,
            status: ActStatus::from_code(&self.status)?,
            version: self.version,
            created_by: self.created_by,
            adopted_by: self.adopted_by,
            adopted_at: self.adopted_at,
            due_on: self.due_on,
        })
    }
}

const ACT_COLUMNS: &str = "id, campaign_id, budget_id, first_year, kind, administrator, number, act_date, \
     based_on, status, version, created_by, adopted_by, adopted_at, due_on";

fn acts_from(rows: Vec<ActRow>) -> Vec<Act> {
    rows.into_iter().filter_map(ActRow::into_act).collect()
}

/// The acts of a planning campaign in the order of the cycle's dates.
pub async fn acts(db: &Db, campaign_id: i64) -> Result<Vec<Act>, StoreError> {
    let sql = format!(
        "SELECT {ACT_COLUMNS} FROM budget_acts WHERE campaign_id = $1 ORDER BY act_date, id"
    );
    let rows: Vec<ActRow> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(campaign_id).fetch_all(pool).await)?;
    Ok(acts_from(rows))
}

/// The adopted versions (approvals, refinements, corrections) of a budget whose period holds
/// `year`: what the version in force is chosen from.
pub async fn versions(db: &Db, budget_id: i64, year: i32) -> Result<Vec<Act>, StoreError> {
    let sql = format!(
        "SELECT {ACT_COLUMNS} FROM budget_acts WHERE budget_id = $1 AND status = 'adopted' \
         AND kind IN ('approval', 'refinement', 'correction') \
         AND first_year <= $2 AND first_year + 2 >= $2 ORDER BY act_date, id"
    );
    let rows: Vec<ActRow> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(budget_id).bind(i64::from(year)).fetch_all(pool).await)?;
    Ok(acts_from(rows))
}

pub async fn act(db: &Db, id: i64) -> Result<Option<Act>, StoreError> {
    let sql = format!("SELECT {ACT_COLUMNS} FROM budget_acts WHERE id = $1");
    let row: Option<ActRow> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id).fetch_optional(pool).await)?;
    Ok(row.and_then(ActRow::into_act))
}

#[derive(sqlx::FromRow)]
struct LineRow {
    abp: String,
    program: String,
    year: i64,
    base: i64,
    amount: i64,
    reason: String,
}

/// An act's lines by administrator, program and year.
pub async fn lines(db: &Db, act_id: i64) -> Result<Vec<ActLine>, StoreError> {
    let rows: Vec<LineRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT abp, program, year, base, amount, reason FROM budget_act_lines WHERE act_id = $1 \
         ORDER BY abp, program, year")
        .bind(act_id).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(ActLine {
                abp: r.abp,
                program: r.program,
                year: i32::try_from(r.year).ok()?,
                base: Tenge::from_tiyn(r.base),
                amount: Tenge::from_tiyn(r.amount),
                reason: r.reason,
            })
        })
        .collect())
}

async fn write_line(tx: &mut Tx, act_id: i64, line: &ActLine) -> Result<(), StoreError> {
    exec_tx!(tx, conn => sqlx::query(
        "INSERT INTO budget_act_lines (act_id, abp, program, year, base, amount, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (act_id, abp, program, year) DO UPDATE SET amount = excluded.amount, reason = excluded.reason")
        .bind(act_id).bind(&line.abp).bind(&line.program).bind(i64::from(line.year))
        .bind(line.base.tiyn()).bind(line.amount.tiyn()).bind(&line.reason)
        .execute(conn).await)?;
    Ok(())
}

fn number_taken(e: StoreError) -> RepoError {
    if e.is_unique_violation() {
        BudgetError::NumberTaken.into()
    } else {
        e.into()
    }
}

/// Writes a new act with its lines; `org_id` is the authorized body the audit files it under.
pub async fn create_act(
    db: &Db,
    who: &Who,
    org_id: i64,
    act: &Act,
    lines: &[ActLine],
) -> Result<(), RepoError> {
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO budget_acts (id, campaign_id, budget_id, first_year, kind, administrator, number, act_date, \
         based_on, status, version, created_by, created_at, due_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)")
        .bind(act.id).bind(act.campaign_id).bind(act.budget_id).bind(i64::from(act.first_year))
        .bind(act.kind.code()).bind(&act.administrator).bind(&act.number).bind(act.act_date)
        .bind(act.based_on).bind(act.status.code()).bind(act.version).bind(&act.created_by).bind(Utc::now())
        .bind(act.due_on).execute(conn).await)
    .map_err(|e| number_taken(StoreError::Sql(e)))?;
    for line in lines {
        write_line(&mut tx, act.id, line).await?;
    }
    tx.audit(AuditEntry {
        who,
        org_id: Some(org_id),
        entity: "budget_act",
        entity_id: act.id.to_string(),
        action: "create",
        old_value: None,
        new_value: Some(json!({"act": act, "lines": lines.len()})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Takes the act's version the user saw, or refuses: someone saved meanwhile.
async fn claim_version(tx: &mut Tx, act: &Act, version: i64) -> Result<(), RepoError> {
    let claimed = exec_tx!(tx, conn => sqlx::query(
        "UPDATE budget_acts SET version = version + 1 WHERE id = $1 AND version = $2 AND status = 'draft'")
        .bind(act.id).bind(version).execute(conn).await)?;
    if claimed == 0 {
        return Err(BudgetError::Stale.into());
    }
    Ok(())
}

/// A line as it was (none: new) and as it becomes.
pub type LineChange = (Option<ActLine>, ActLine);

/// Saves the changed lines of a draft act (each audited, old → new).
pub async fn save_lines(
    db: &Db,
    who: &Who,
    org_id: i64,
    act: &Act,
    version: i64,
    changes: &[LineChange],
) -> Result<(), RepoError> {
    let mut tx = db.begin().await?;
    claim_version(&mut tx, act, version).await?;
    for (old, line) in changes {
        write_line(&mut tx, act.id, line).await?;
        tx.audit(AuditEntry {
            who,
            org_id: Some(org_id),
            entity: "budget_act_line",
            entity_id: format!("{}/{}/{}/{}", act.id, line.abp, line.program, line.year),
            action: if old.is_some() { "update" } else { "create" },
            old_value: old
                .as_ref()
                .map(|l| json!({"amount_tiyn": l.amount.tiyn(), "reason": l.reason})),
            new_value: Some(json!({"amount_tiyn": line.amount.tiyn(), "reason": line.reason})),
            reason: Some(line.reason.clone()).filter(|r| !r.is_empty()),
        })
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Keeps a program's passport as it stands with the version of the budget being adopted.
async fn keep_passport(
    tx: &mut Tx,
    act_id: i64,
    passport: &crate::programs::Program,
) -> Result<(), StoreError> {
    let indicators = serde_json::to_string(&passport.indicators)
        .map_err(|e| StoreError::Sql(sqlx::Error::Encode(Box::new(e))))?;
    exec_tx!(tx, conn => sqlx::query(
        "INSERT INTO budget_program_versions (act_id, abp, program, purpose, indicators_json) \
         VALUES ($1, $2, $3, $4, $5)")
        .bind(act_id).bind(&passport.abp).bind(&passport.program).bind(&passport.purpose)
        .bind(&indicators).execute(conn).await)?;
    Ok(())
}

/// Adopts a draft act with its signature: from now on it does not change. A version of the
/// budget keeps the passports of the campaign's programs as they stand.
pub async fn adopt(
    db: &Db,
    who: &Who,
    org_id: i64,
    act: &Act,
    version: i64,
    signature: &ActSignature,
    passports: &[crate::programs::Program],
) -> Result<(), RepoError> {
    let mut tx = db.begin().await?;
    claim_version(&mut tx, act, version).await?;
    write_signature(&mut tx, act.id, signature).await?;
    for passport in passports {
        keep_passport(&mut tx, act.id, passport).await?;
    }
    // The partial unique indexes refuse a second approval of a period, or a second version
    // from the same base, adopted at the same moment by someone else.
    exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE budget_acts SET status = 'adopted', adopted_by = $1, adopted_at = $2 WHERE id = $3")
        .bind(&who.login).bind(Utc::now()).bind(act.id).execute(conn).await)
    .map_err(|e| match StoreError::Sql(e) {
        e if e.is_unique_violation() => RepoError::Budget(BudgetError::Concurrent),
        e => e.into(),
    })?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(org_id),
        entity: "budget_act",
        entity_id: act.id.to_string(),
        action: "adopt",
        old_value: Some(json!({"status": "draft"})),
        new_value: Some(json!({
            "status": "adopted",
            "number": act.number,
            "act_date": act.act_date,
            "signer_iin": signature.signer_iin,
            "data_sha256": signature.data_sha256,
        })),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The electronic signature an act was adopted with (P-9): the exact bytes signed, the CMS and
/// who the certificate names.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[schema(as = BudgetActSignature)]
pub struct ActSignature {
    pub act_version: i64,
    /// The canonical bytes signed (UTF-8 JSON).
    pub data: String,
    pub data_sha256: String,
    /// The CMS as received, base64.
    pub cms: String,
    pub signer_iin: String,
    pub signer_bin: Option<String>,
    pub signer_name: String,
    pub cert_serial: String,
    pub cert_not_after: chrono::DateTime<Utc>,
    pub signed_by: String,
    pub signed_at: chrono::DateTime<Utc>,
}

async fn write_signature(tx: &mut Tx, act_id: i64, s: &ActSignature) -> Result<(), StoreError> {
    exec_tx!(tx, conn => sqlx::query(
        "INSERT INTO budget_act_signatures (act_id, act_version, data, data_sha256, cms, signer_iin, \
         signer_bin, signer_name, cert_serial, cert_not_after, signed_by, signed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
        .bind(act_id).bind(s.act_version).bind(&s.data).bind(&s.data_sha256).bind(&s.cms)
        .bind(&s.signer_iin).bind(&s.signer_bin).bind(&s.signer_name).bind(&s.cert_serial)
        .bind(s.cert_not_after).bind(&s.signed_by).bind(s.signed_at)
        .execute(conn).await)?;
    Ok(())
}

/// The signature an act was adopted with, if it was.
pub async fn signature(db: &Db, act_id: i64) -> Result<Option<ActSignature>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT act_version, data, data_sha256, cms, signer_iin, signer_bin, signer_name, cert_serial, \
         cert_not_after, signed_by, signed_at FROM budget_act_signatures WHERE act_id = $1")
        .bind(act_id).fetch_optional(pool).await)?)
}

/// Discards a draft the user saw at `version`, with its lines; the audit keeps what it held.
pub async fn discard(
    db: &Db,
    who: &Who,
    org_id: i64,
    act: &Act,
    version: i64,
    lines: &[ActLine],
) -> Result<(), RepoError> {
    let mut tx = db.begin().await?;
    claim_version(&mut tx, act, version).await?;
    exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM budget_act_lines WHERE act_id = $1")
        .bind(act.id).execute(conn).await)?;
    exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM budget_acts WHERE id = $1")
        .bind(act.id).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(org_id),
        entity: "budget_act",
        entity_id: act.id.to_string(),
        action: "delete",
        old_value: Some(json!({"act": act, "lines": lines})),
        new_value: None,
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}
