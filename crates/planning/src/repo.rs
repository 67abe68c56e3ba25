//! Storage of calculation forms and budget requests. Every change of a request checks and
//! bumps the request's version in the same transaction (two users saving the same request:
//! the later one is told) and writes its audit row there too.

use crate::domain::*;
use chrono::{DateTime, Utc};
use jospar_access::Right;
use jospar_core::{Tenge, ids::new_id};
use jospar_forms::{FormDef, RowInput};
use jospar_limits::LimitKind;
use jospar_store::{AuditEntry, Db, StoreError, Tx, Who, exec_tx, on_db, on_tx};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error(transparent)]
    Planning(#[from] PlanningError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for RepoError {
    fn from(e: sqlx::Error) -> Self {
        RepoError::Store(StoreError::Sql(e))
    }
}

impl From<jospar_forms::FormError> for RepoError {
    fn from(e: jospar_forms::FormError) -> Self {
        RepoError::Planning(PlanningError::Form(e))
    }
}

type Result<T> = std::result::Result<T, RepoError>;

// ---------- calculation forms ----------

/// The shipped forms, replaced or extended by the ones the system administrator stored.
pub async fn forms(db: &Db) -> std::result::Result<Vec<FormDef>, StoreError> {
    let stored: Vec<String> = on_db!(db, pool => sqlx::query_scalar("SELECT definition FROM calc_forms ORDER BY code")
        .fetch_all(pool).await)?;
    let mut all = jospar_forms::shipped();
    for text in stored {
        if let Ok(def) = serde_json::from_str::<FormDef>(&text) {
            all.retain(|f| f.code != def.code);
            all.push(def);
        }
    }
    all.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(all)
}

pub fn form_for_specific<'a>(forms: &'a [FormDef], specific: &str) -> Option<&'a FormDef> {
    jospar_forms::form_for(forms, specific)
}

/// Stores a new or changed form definition (BP-10: no code needed).
pub async fn save_form(db: &Db, who: &Who, def: &FormDef) -> Result<()> {
    def.validate()?;
    let text = serde_json::to_string(def).map_err(|e| StoreError::Other(e.to_string()))?;
    let mut tx = db.begin().await?;
    let old: Option<String> = on_tx!(&mut tx, conn => sqlx::query_scalar("SELECT definition FROM calc_forms WHERE code = $1")
        .bind(&def.code).fetch_optional(conn).await)?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO calc_forms (code, definition, version, updated_at) VALUES ($1, $2, 1, $3) \
         ON CONFLICT (code) DO UPDATE SET definition = excluded.definition, version = calc_forms.version + 1, updated_at = excluded.updated_at")
        .bind(&def.code).bind(&text).bind(Utc::now()).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: None,
        entity: "calc_form",
        entity_id: def.code.clone(),
        action: if old.is_some() { "update" } else { "create" },
        old_value: old.and_then(|o| serde_json::from_str(&o).ok()),
        new_value: Some(json!(def)),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------- requests ----------

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: i64,
    campaign_id: i64,
    org_id: i64,
    kind: String,
    status: String,
    stage_org_id: Option<i64>,
    return_reason: Option<String>,
    version: i64,
    updated_at: chrono::DateTime<Utc>,
    based_on: Option<i64>,
    number: i64,
    created_at: chrono::DateTime<Utc>,
}

impl RequestRow {
    fn into_request(self) -> Request {
        Request {
            id: self.id,
            campaign_id: self.campaign_id,
            org_id: self.org_id,
            kind: RequestKind::from_code(&self.kind).unwrap_or(RequestKind::Forecast),
            status: Status::from_code(&self.status).unwrap_or(Status::InWork),
            stage_org_id: self.stage_org_id,
            return_reason: self.return_reason,
            version: self.version,
            updated_at: self.updated_at,
            based_on: self.based_on,
            number: self.number,
            created_at: self.created_at,
        }
    }
}

pub async fn create_request(
    db: &Db,
    who: &Who,
    campaign_id: i64,
    org_id: i64,
    kind: RequestKind,
) -> Result<Request> {
    let now = Utc::now();
    let mut tx = db.begin().await?;
    refuse_a_twin(&mut tx, campaign_id, org_id, kind).await?;
    let request = Request {
        id: new_id(),
        campaign_id,
        org_id,
        kind,
        status: Status::InWork,
        stage_org_id: None,
        return_reason: None,
        version: 1,
        updated_at: now,
        based_on: None,
        number: next_number(&mut tx, org_id, campaign_id).await?,
        created_at: now,
    };
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO budget_requests (id, campaign_id, org_id, kind, status, stage_org_id, return_reason, version, created_at, updated_at, number) \
         VALUES ($1, $2, $3, $4, 'in_work', NULL, NULL, 1, $5, $5, $6)")
        .bind(request.id).bind(campaign_id).bind(org_id).bind(kind.code()).bind(now).bind(request.number).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(org_id),
        entity: "budget_request",
        entity_id: request.id.to_string(),
        action: "create",
        old_value: None,
        new_value: Some(json!(request)),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(request)
}

/// One request in work per organisation, campaign and kind (issue 21): a second is refused,
/// naming the first. A forecast or a plan is made once per campaign — after its approval it
/// changes by refinements and corrections — while those may follow one another once the
/// previous one is approved.
async fn refuse_a_twin(
    tx: &mut Tx,
    campaign_id: i64,
    org_id: i64,
    kind: RequestKind,
) -> Result<()> {
    let once_per_campaign = matches!(kind, RequestKind::Forecast | RequestKind::Plan);
    let twin: Option<(i64, i64)> = on_tx!(tx, conn => sqlx::query_as(
        "SELECT id, number FROM budget_requests WHERE campaign_id = $1 AND org_id = $2 AND kind = $3 \
         AND (status <> 'approved' OR $4) ORDER BY created_at LIMIT 1")
        .bind(campaign_id).bind(org_id).bind(kind.code()).bind(once_per_campaign).fetch_optional(conn).await)?;
    match twin {
        Some((id, number)) => Err(PlanningError::Twin { id, number }.into()),
        None => Ok(()),
    }
}

/// The next number of an organisation's requests for the first planning year of a campaign
/// (migration 0036).
async fn next_number(
    tx: &mut Tx,
    org_id: i64,
    campaign_id: i64,
) -> std::result::Result<i64, StoreError> {
    on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(r.number), 0) + 1 AS BIGINT) FROM budget_requests r \
         JOIN limit_campaigns c ON c.id = r.campaign_id \
         WHERE r.org_id = $1 AND c.first_year = (SELECT first_year FROM limit_campaigns WHERE id = $2)")
        .bind(org_id).bind(campaign_id).fetch_one(conn).await)
    .map_err(StoreError::from)
}

/// The amount of each request for its campaign's first planning year, in tiyn (the lists'
/// amount column), as kept with the request (migration 0037).
pub async fn first_year_amounts(
    db: &Db,
) -> std::result::Result<std::collections::HashMap<i64, i64>, StoreError> {
    let rows: Vec<(i64, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, amount FROM budget_requests")
        .fetch_all(pool).await)?;
    Ok(rows.into_iter().collect())
}

/// The SQL that sets the kept amount of the first planning year of the requests it selects.
const REFRESH_AMOUNT: &str = "UPDATE budget_requests SET amount = (\
     SELECT CAST(COALESCE(SUM(y.amount), 0) AS BIGINT) FROM request_line_years y \
     JOIN limit_campaigns c ON c.id = budget_requests.campaign_id \
     WHERE y.request_id = budget_requests.id AND y.year = c.first_year)";

/// Sets the kept amount of a request from its line years, in the transaction that wrote them.
async fn refresh_amount(tx: &mut Tx, request_id: i64) -> std::result::Result<(), StoreError> {
    exec_tx!(tx, conn => sqlx::query(sqlx::AssertSqlSafe(format!("{REFRESH_AMOUNT} WHERE id = $1")))
        .bind(request_id).execute(conn).await)?;
    Ok(())
}

/// Sets the kept amounts of every request (after a bulk load that wrote line years directly).
pub async fn refresh_all_amounts(tx: &mut Tx) -> std::result::Result<(), StoreError> {
    exec_tx!(tx, conn => sqlx::query(sqlx::AssertSqlSafe(REFRESH_AMOUNT.to_string()))
        .execute(conn).await)?;
    Ok(())
}

pub async fn requests(db: &Db) -> std::result::Result<Vec<Request>, StoreError> {
    let rows: Vec<RequestRow> = on_db!(db, pool => sqlx::query_as::<_, RequestRow>(
        "SELECT id, campaign_id, org_id, kind, status, stage_org_id, return_reason, version, updated_at, based_on, number, created_at FROM budget_requests ORDER BY id DESC")
        .fetch_all(pool).await)?;
    Ok(rows.into_iter().map(RequestRow::into_request).collect())
}

/// The requests of one campaign, newest first.
pub async fn campaign_requests(
    db: &Db,
    campaign_id: i64,
) -> std::result::Result<Vec<Request>, StoreError> {
    let rows: Vec<RequestRow> = on_db!(db, pool => sqlx::query_as::<_, RequestRow>(
        "SELECT id, campaign_id, org_id, kind, status, stage_org_id, return_reason, version, updated_at, based_on, number, created_at FROM budget_requests WHERE campaign_id = $1 ORDER BY id DESC")
        .bind(campaign_id).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(RequestRow::into_request).collect())
}

pub async fn request(db: &Db, id: i64) -> std::result::Result<Option<Request>, StoreError> {
    let row: Option<RequestRow> = on_db!(db, pool => sqlx::query_as::<_, RequestRow>(
        "SELECT id, campaign_id, org_id, kind, status, stage_org_id, return_reason, version, updated_at, based_on, number, created_at FROM budget_requests WHERE id = $1")
        .bind(id).fetch_optional(pool).await)?;
    Ok(row.map(RequestRow::into_request))
}

#[derive(sqlx::FromRow)]
struct LineRow {
    request_id: i64,
    id: i64,
    expense_id: i64,
    program: String,
    subprogram: String,
    specific: String,
    limit_kind: String,
    form_code: String,
    project: String,
}

pub async fn lines(db: &Db, request_id: i64) -> std::result::Result<Vec<Line>, StoreError> {
    let rows: Vec<LineRow> = on_db!(db, pool => sqlx::query_as::<_, LineRow>(
        "SELECT request_id, id, expense_id, program, subprogram, specific, limit_kind, form_code, project FROM request_lines WHERE request_id = $1 \
         ORDER BY program, subprogram, specific, id")
        .bind(request_id).fetch_all(pool).await)?;
    let amounts: Vec<(i64, i64, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT line_id, year, amount FROM request_line_years WHERE request_id = $1")
        .bind(request_id).fetch_all(pool).await)?;
    Ok(assemble_lines(rows, amounts)
        .remove(&request_id)
        .unwrap_or_default())
}

/// The lines of every request of a campaign, by request: two reads whatever the number of
/// requests, so a region's consolidation does not query once per request (BP-5).
pub async fn campaign_lines(
    db: &Db,
    campaign_id: i64,
) -> std::result::Result<HashMap<i64, Vec<Line>>, StoreError> {
    let rows: Vec<LineRow> = on_db!(db, pool => sqlx::query_as::<_, LineRow>(
        "SELECT l.request_id, l.id, l.expense_id, l.program, l.subprogram, l.specific, l.limit_kind, l.form_code, l.project \
         FROM request_lines l JOIN budget_requests r ON r.id = l.request_id WHERE r.campaign_id = $1 \
         ORDER BY l.request_id, l.program, l.subprogram, l.specific, l.id")
        .bind(campaign_id).fetch_all(pool).await)?;
    let amounts: Vec<(i64, i64, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT y.line_id, y.year, y.amount FROM request_line_years y \
         JOIN budget_requests r ON r.id = y.request_id WHERE r.campaign_id = $1")
        .bind(campaign_id).fetch_all(pool).await)?;
    Ok(assemble_lines(rows, amounts))
}

/// The lines carrying an expense identifier (P-14) in every request that holds it, by request.
pub async fn lines_of_expense(
    db: &Db,
    expense_id: i64,
) -> std::result::Result<HashMap<i64, Vec<Line>>, StoreError> {
    let rows: Vec<LineRow> = on_db!(db, pool => sqlx::query_as::<_, LineRow>(
        "SELECT request_id, id, expense_id, program, subprogram, specific, limit_kind, form_code, project \
         FROM request_lines WHERE expense_id = $1 OR (expense_id = 0 AND id = $1) ORDER BY request_id")
        .bind(expense_id).fetch_all(pool).await)?;
    let amounts: Vec<(i64, i64, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT y.line_id, y.year, y.amount FROM request_line_years y JOIN request_lines l ON l.id = y.line_id \
         WHERE l.expense_id = $1 OR (l.expense_id = 0 AND l.id = $1)")
        .bind(expense_id).fetch_all(pool).await)?;
    Ok(assemble_lines(rows, amounts))
}

/// Lines with their amounts by year, grouped by request, in the order the rows came.
fn assemble_lines(rows: Vec<LineRow>, amounts: Vec<(i64, i64, i64)>) -> HashMap<i64, Vec<Line>> {
    let mut by_line: HashMap<i64, BTreeMap<i32, Tenge>> = HashMap::new();
    for (line, year, amount) in amounts {
        if let Ok(year) = i32::try_from(year) {
            by_line
                .entry(line)
                .or_default()
                .insert(year, Tenge::from_tiyn(amount));
        }
    }
    let mut by_request: HashMap<i64, Vec<Line>> = HashMap::new();
    for r in rows {
        let line = Line {
            id: r.id,
            // Lines stored before identifiers were carried have 0: their own id.
            expense_id: if r.expense_id == 0 {
                r.id
            } else {
                r.expense_id
            },
            program: r.program,
            subprogram: r.subprogram,
            specific: r.specific,
            limit_kind: LimitKind::from_code(&r.limit_kind).unwrap_or(LimitKind::Base),
            form_code: r.form_code,
            project: r.project,
            amounts: by_line.remove(&r.id).unwrap_or_default(),
        };
        by_request.entry(r.request_id).or_default().push(line);
    }
    by_request
}

/// The rows typed for one line and year (empty when none).
pub async fn line_rows(
    db: &Db,
    request_id: i64,
    line_id: i64,
    year: i32,
) -> std::result::Result<Vec<RowInput>, StoreError> {
    let text: Option<String> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT rows_json FROM request_line_years WHERE request_id = $1 AND line_id = $2 AND year = $3")
        .bind(request_id).bind(line_id).bind(i64::from(year)).fetch_optional(pool).await)?;
    Ok(text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

/// The calculation rows of every line and year of a request, in one query (the grid).
pub async fn request_rows(
    db: &Db,
    request_id: i64,
) -> std::result::Result<std::collections::HashMap<(i64, i32), Vec<RowInput>>, StoreError> {
    let found: Vec<(i64, i64, String)> = on_db!(db, pool => sqlx::query_as(
        "SELECT line_id, year, rows_json FROM request_line_years WHERE request_id = $1")
        .bind(request_id).fetch_all(pool).await)?;
    Ok(found
        .into_iter()
        .map(|(line, year, text)| {
            let year = i32::try_from(year).unwrap_or_default();
            (
                (line, year),
                serde_json::from_str(&text).unwrap_or_default(),
            )
        })
        .collect())
}

/// Locks the request for a change: it must be editable and at the version the user saw; the
/// version is bumped in the same transaction.
async fn claim(
    tx: &mut Tx,
    request_id: i64,
    expected_version: i64,
    require_editable: bool,
) -> Result<Request> {
    let row: Option<RequestRow> = on_tx!(tx, conn => sqlx::query_as::<_, RequestRow>(
        "SELECT id, campaign_id, org_id, kind, status, stage_org_id, return_reason, version, updated_at, based_on, number, created_at FROM budget_requests WHERE id = $1")
        .bind(request_id).fetch_optional(conn).await)?;
    let request = row
        .map(RequestRow::into_request)
        .ok_or(PlanningError::NotFound)?;
    if require_editable && !request.status.editable() {
        return Err(PlanningError::Frozen(request.status).into());
    }
    if request.version != expected_version {
        return Err(PlanningError::Stale.into());
    }
    let bumped = exec_tx!(tx, conn => sqlx::query(
        "UPDATE budget_requests SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3")
        .bind(Utc::now()).bind(request_id).bind(expected_version).execute(conn).await)?;
    if bumped == 0 {
        return Err(PlanningError::Stale.into());
    }
    Ok(Request {
        version: expected_version + 1,
        ..request
    })
}

/// The request a change applies to, at the version the user saw.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub request_id: i64,
    pub version: i64,
}

/// A status change: allowed from which statuses, to which, the next reviewer, the reason.
pub struct Move<'a> {
    pub from: &'a [Status],
    pub to: Status,
    pub stage: Option<i64>,
    pub reason: Option<&'a str>,
}

pub struct NewLine {
    pub program: String,
    pub subprogram: String,
    pub specific: String,
    pub limit_kind: LimitKind,
    pub project: String,
}

pub async fn add_line(
    db: &Db,
    who: &Who,
    target: Target,
    new: NewLine,
    form: &FormDef,
) -> Result<Line> {
    let request_id = target.request_id;
    let mut tx = db.begin().await?;
    let request = claim(&mut tx, request_id, target.version, true).await?;
    let id = new_id();
    let line = Line {
        id,
        expense_id: id,
        program: new.program,
        subprogram: new.subprogram,
        specific: new.specific,
        limit_kind: new.limit_kind,
        form_code: form.code.clone(),
        project: new.project,
        amounts: BTreeMap::new(),
    };
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO request_lines (id, request_id, program, subprogram, specific, limit_kind, form_code, project, expense_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(line.id).bind(request_id).bind(&line.program).bind(&line.subprogram).bind(&line.specific)
        .bind(line.limit_kind.code()).bind(&line.form_code).bind(&line.project).bind(line.expense_id).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(request.org_id),
        entity: "request_line",
        entity_id: line.id.to_string(),
        action: "create",
        old_value: None,
        new_value: Some(json!(line)),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(line)
}

/// Deletes a line of a request in work with its amounts of every year (issue 21); the audit
/// row keeps the line as it was, amounts included.
pub async fn delete_line(db: &Db, who: &Who, target: Target, line_id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    let request = claim(&mut tx, target.request_id, target.version, true).await?;
    let row: Option<LineRow> = on_tx!(&mut tx, conn => sqlx::query_as::<_, LineRow>(
        "SELECT request_id, id, expense_id, program, subprogram, specific, limit_kind, form_code, project FROM request_lines WHERE id = $1 AND request_id = $2")
        .bind(line_id).bind(request.id).fetch_optional(conn).await)?;
    let row = row.ok_or(PlanningError::NotFound)?;
    let amounts: Vec<(i64, i64, i64)> = on_tx!(&mut tx, conn => sqlx::query_as(
        "SELECT line_id, year, amount FROM request_line_years WHERE request_id = $1 AND line_id = $2")
        .bind(request.id).bind(line_id).fetch_all(conn).await)?;
    let line = assemble_lines(vec![row], amounts)
        .remove(&request.id)
        .and_then(|mut lines| lines.pop())
        .ok_or(PlanningError::NotFound)?;
    exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM request_line_years WHERE request_id = $1 AND line_id = $2")
        .bind(request.id).bind(line_id).execute(conn).await)?;
    exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM request_lines WHERE id = $1 AND request_id = $2")
        .bind(line_id).bind(request.id).execute(conn).await)?;
    refresh_amount(&mut tx, request.id).await?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(request.org_id),
        entity: "request_line",
        entity_id: line_id.to_string(),
        action: "delete",
        old_value: Some(json!(line)),
        new_value: None,
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces the rows of one line and year; the amount is computed by the form, never typed.
pub async fn set_rows(
    db: &Db,
    who: &Who,
    target: Target,
    line_id: i64,
    year: i32,
    rows: &[RowInput],
    form: &FormDef,
) -> Result<Tenge> {
    let request_id = target.request_id;
    let evaluated = form.evaluate(rows)?;
    let amount = FormDef::total(&evaluated);
    let mut tx = db.begin().await?;
    let request = claim(&mut tx, request_id, target.version, true).await?;
    let exists: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar("SELECT COUNT(*) FROM request_lines WHERE id = $1 AND request_id = $2")
        .bind(line_id).bind(request_id).fetch_one(conn).await)?;
    if exists == 0 {
        return Err(PlanningError::NotFound.into());
    }
    let old: Option<(String, i64)> = on_tx!(&mut tx, conn => sqlx::query_as(
        "SELECT rows_json, amount FROM request_line_years WHERE request_id = $1 AND line_id = $2 AND year = $3")
        .bind(request_id).bind(line_id).bind(i64::from(year)).fetch_optional(conn).await)?;
    let text = serde_json::to_string(rows).map_err(|e| StoreError::Other(e.to_string()))?;
    write_rows(&mut tx, request_id, line_id, year, &text, amount.tiyn()).await?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(request.org_id),
        entity: "request_line",
        entity_id: format!("{line_id}/{year}"),
        action: if old.is_some() { "update" } else { "create" },
        old_value: old.map(|(rows, amount)| json!({"rows": serde_json::from_str::<serde_json::Value>(&rows).unwrap_or_default(), "amount_tiyn": amount})),
        new_value: Some(json!({"rows": rows, "amount_tiyn": amount.tiyn()})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(amount)
}

/// The rows of a line in a year, as the grid saves lines × years (issue 21): all or nothing,
/// one version check, one audit row per line and year changed.
pub struct LineRows<'a> {
    pub line_id: i64,
    pub year: i32,
    pub rows: &'a [RowInput],
    pub form: &'a FormDef,
}

pub async fn set_grid_rows(
    db: &Db,
    who: &Who,
    target: Target,
    lines: &[LineRows<'_>],
) -> Result<()> {
    let mut evaluated = Vec::new();
    for line in lines {
        evaluated.push(FormDef::total(&line.form.evaluate(line.rows)?));
    }
    let mut tx = db.begin().await?;
    let request = claim(&mut tx, target.request_id, target.version, true).await?;
    let known: Vec<i64> = on_tx!(&mut tx, conn => sqlx::query_scalar("SELECT id FROM request_lines WHERE request_id = $1")
        .bind(request.id).fetch_all(conn).await)?;
    for (line, amount) in lines.iter().zip(evaluated) {
        if !known.contains(&line.line_id) {
            return Err(PlanningError::NotFound.into());
        }
        let old: Option<(String, i64)> = on_tx!(&mut tx, conn => sqlx::query_as(
            "SELECT rows_json, amount FROM request_line_years WHERE request_id = $1 AND line_id = $2 AND year = $3")
            .bind(request.id).bind(line.line_id).bind(i64::from(line.year)).fetch_optional(conn).await)?;
        let text =
            serde_json::to_string(line.rows).map_err(|e| StoreError::Other(e.to_string()))?;
        if old.as_ref().is_some_and(|(rows, _)| *rows == text) {
            continue;
        }
        write_rows(
            &mut tx,
            request.id,
            line.line_id,
            line.year,
            &text,
            amount.tiyn(),
        )
        .await?;
        tx.audit(AuditEntry {
            who,
            org_id: Some(request.org_id),
            entity: "request_line",
            entity_id: format!("{}/{}", line.line_id, line.year),
            action: if old.is_some() { "update" } else { "create" },
            old_value: old.map(|(rows, amount)| json!({"rows": serde_json::from_str::<serde_json::Value>(&rows).unwrap_or_default(), "amount_tiyn": amount})),
            new_value: Some(json!({"rows": line.rows, "amount_tiyn": amount.tiyn()})),
            reason: None,
        })
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A line whose rows another module computes (ST-3: the payroll lines from the staffing table).
pub struct ComputedLine<'a> {
    pub program: String,
    pub subprogram: String,
    pub specific: String,
    pub form: &'a FormDef,
    pub rows: Vec<RowInput>,
}

/// Writes the computed lines of one year of a request in one transaction: each line is found by
/// program, subprogram and specific (or added, keeping the expense identifier of the line
/// afterwards), and lines of `owned_specifics` the computation no longer produces are emptied
/// for that year. `source` names what computed them in the audit log.
pub async fn set_computed_lines(
    db: &Db,
    who: &Who,
    target: Target,
    year: i32,
    lines: &[ComputedLine<'_>],
    owned_specifics: &[&str],
    source: &str,
) -> Result<()> {
    let mut tx = db.begin().await?;
    let request = claim(&mut tx, target.request_id, target.version, true).await?;
    let existing: Vec<(i64, String, String, String)> = on_tx!(&mut tx, conn => sqlx::query_as(
        "SELECT id, program, subprogram, specific FROM request_lines WHERE request_id = $1")
        .bind(request.id).fetch_all(conn).await)?;
    let mut written = Vec::new();
    for line in lines {
        let amount = FormDef::total(&line.form.evaluate(&line.rows)?);
        let found = existing.iter().find(|(_, p, sp, s)| {
            *p == line.program && *sp == line.subprogram && *s == line.specific
        });
        let line_id = match found {
            Some((id, ..)) => *id,
            None => {
                let id = new_id();
                exec_tx!(&mut tx, conn => sqlx::query(
                    "INSERT INTO request_lines (id, request_id, program, subprogram, specific, limit_kind, form_code, project, expense_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8)")
                    .bind(id).bind(request.id).bind(&line.program).bind(&line.subprogram).bind(&line.specific)
                    .bind(LimitKind::Base.code()).bind(&line.form.code).bind(id).execute(conn).await)?;
                id
            }
        };
        let text =
            serde_json::to_string(&line.rows).map_err(|e| StoreError::Other(e.to_string()))?;
        write_rows(&mut tx, request.id, line_id, year, &text, amount.tiyn()).await?;
        written.push(
            json!({"line_id": line_id, "program": line.program, "subprogram": line.subprogram,
            "specific": line.specific, "amount_tiyn": amount.tiyn()}),
        );
    }
    let kept: Vec<i64> = written
        .iter()
        .filter_map(|w| w["line_id"].as_i64())
        .collect();
    for (id, _, _, specific) in &existing {
        if owned_specifics.contains(&specific.as_str()) && !kept.contains(id) {
            write_rows(&mut tx, request.id, *id, year, "[]", 0).await?;
        }
    }
    tx.audit(AuditEntry {
        who,
        org_id: Some(request.org_id),
        entity: "budget_request",
        entity_id: request.id.to_string(),
        action: "update",
        old_value: None,
        new_value: Some(json!({"computed_from": source, "year": year, "lines": written})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Moves a request to a new status (send, approve at a stage, return with a reason).
pub async fn transition(db: &Db, who: &Who, target: Target, step: Move<'_>) -> Result<Request> {
    let mut tx = db.begin().await?;
    let new = transition_in(&mut tx, who, target, step).await?;
    tx.commit().await?;
    Ok(new)
}

/// A transition made with a verified signature (sending for review, P-9): the move and the
/// signature are stored together or not at all.
pub async fn transition_signed(
    db: &Db,
    who: &Who,
    target: Target,
    step: Move<'_>,
    signature: &NewSignature,
) -> Result<Request> {
    let mut tx = db.begin().await?;
    let new = transition_in(&mut tx, who, target, step).await?;
    let id = new_id();
    let signed_at = Utc::now();
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO request_signatures (id, request_id, request_version, data, data_sha256, cms, signer_iin, signer_bin, \
         signer_name, cert_serial, cert_not_after, signed_by, signed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
        .bind(id).bind(target.request_id).bind(target.version).bind(&signature.data)
        .bind(sha256_hex(signature.data.as_bytes())).bind(&signature.cms).bind(&signature.signer_iin)
        .bind(&signature.signer_bin).bind(&signature.signer_name).bind(&signature.cert_serial)
        .bind(signature.cert_not_after).bind(&who.login).bind(signed_at)
        .execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(new.org_id),
        entity: "request_signature",
        entity_id: id.to_string(),
        action: "create",
        old_value: None,
        new_value: Some(json!({
            "request_id": target.request_id,
            "request_version": target.version,
            "data_sha256": sha256_hex(signature.data.as_bytes()),
            "signer_iin": signature.signer_iin,
            "signer_name": signature.signer_name,
            "cert_serial": signature.cert_serial,
        })),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(new)
}

async fn transition_in(tx: &mut Tx, who: &Who, target: Target, step: Move<'_>) -> Result<Request> {
    let (request_id, from, to, stage, reason) = (
        target.request_id,
        step.from,
        step.to,
        step.stage,
        step.reason,
    );
    let request = claim(tx, request_id, target.version, false).await?;
    if !from.contains(&request.status) {
        return Err(PlanningError::Frozen(request.status).into());
    }
    exec_tx!(tx, conn => sqlx::query(
        "UPDATE budget_requests SET status = $1, stage_org_id = $2, return_reason = $3 WHERE id = $4")
        .bind(to.code()).bind(stage).bind(reason).bind(request_id).execute(conn).await)?;
    if to == Status::Approved || request.status == Status::Approved {
        // The consolidated approved requests above it change with it.
        jospar_consolidation::repo::recount_request(tx, request.campaign_id, request.org_id)
            .await?;
    }
    let new = Request {
        status: to,
        stage_org_id: stage,
        return_reason: reason.map(str::to_string),
        ..request.clone()
    };
    tx.audit(AuditEntry {
        who,
        org_id: Some(request.org_id),
        entity: "budget_request",
        entity_id: request_id.to_string(),
        action: "update",
        old_value: Some(json!({"status": request.status, "stage_org_id": request.stage_org_id})),
        new_value: Some(json!({"status": to, "stage_org_id": stage})),
        reason: reason.map(str::to_string),
    })
    .await?;
    tell_who_acts_next(tx, &new).await?;
    Ok(new)
}

/// Notifies, in the transition's transaction, who must act on the request now: the reviewers of
/// the stage it was sent to, or its organisation's economists when it is returned or approved.
async fn tell_who_acts_next(tx: &mut Tx, request: &Request) -> Result<()> {
    use jospar_i18n::{Lang, Tr};
    use jospar_notify::{Holders, Notice};
    let link = format!("/requests/{}", request.id);
    // Whatever the move, the request no longer waits where it was sent before.
    jospar_notify::settle_in(tx, "request-sent", &link).await?;
    let (to, kind, key) = match (request.status, request.stage_org_id) {
        (Status::Sent, Some(stage)) => (
            Holders {
                org_id: stage,
                right: Right::Approve,
            },
            "request-sent",
            "notice-request-sent",
        ),
        (Status::Returned, _) => (
            Holders {
                org_id: request.org_id,
                right: Right::Enter,
            },
            "request-returned",
            "notice-request-returned",
        ),
        (Status::Approved, _) => (
            Holders {
                org_id: request.org_id,
                right: Right::Enter,
            },
            "request-approved",
            "notice-request-approved",
        ),
        _ => return Ok(()),
    };
    let (first_year, org_ru, org_kk): (i64, String, String) = on_tx!(&mut *tx, conn => sqlx::query_as(
        "SELECT c.first_year, o.name_ru, COALESCE(o.name_kk, o.name_ru) FROM budget_requests r \
         JOIN limit_campaigns c ON c.id = r.campaign_id JOIN orgs o ON o.id = r.org_id WHERE r.id = $1")
        .bind(request.id).fetch_one(conn).await)?;
    let say = |tr: Tr, org: &str| {
        tr.args(
            key,
            &[
                (
                    "number",
                    request.number_label(
                        &tr.t("request-number-prefix"),
                        i32::try_from(first_year).unwrap_or_default(),
                    ),
                ),
                ("org", org.to_string()),
                ("reason", request.return_reason.clone().unwrap_or_default()),
            ],
        )
    };
    let notice = Notice {
        kind,
        text_ru: say(Tr(Lang::Ru), &org_ru),
        text_kk: say(Tr(Lang::Kk), &org_kk),
        link,
    };
    jospar_notify::send_in(tx, to, &notice).await?;
    Ok(())
}

/// A verified signature to store with a request version.
#[derive(Debug, Clone)]
pub struct NewSignature {
    /// The canonical bytes signed (UTF-8 JSON).
    pub data: String,
    /// The CMS as received, base64.
    pub cms: String,
    pub signer_iin: String,
    pub signer_bin: Option<String>,
    pub signer_name: String,
    pub cert_serial: String,
    pub cert_not_after: DateTime<Utc>,
}

/// A stored signature of a request.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SignatureRecord {
    pub id: i64,
    pub request_version: i64,
    pub data_sha256: String,
    pub signer_iin: String,
    pub signer_bin: Option<String>,
    pub signer_name: String,
    pub cert_serial: String,
    pub cert_not_after: DateTime<Utc>,
    pub signed_by: String,
    pub signed_at: DateTime<Utc>,
}

/// The signatures of a request, oldest first.
pub async fn signatures(db: &Db, request_id: i64) -> Result<Vec<SignatureRecord>> {
    type Row = (
        i64,
        i64,
        String,
        String,
        Option<String>,
        String,
        String,
        DateTime<Utc>,
        String,
        DateTime<Utc>,
    );
    let rows: Vec<Row> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, request_version, data_sha256, signer_iin, signer_bin, signer_name, cert_serial, cert_not_after, \
         signed_by, signed_at FROM request_signatures WHERE request_id = $1 ORDER BY signed_at, id")
        .bind(request_id).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|r| SignatureRecord {
            id: r.0,
            request_version: r.1,
            data_sha256: r.2,
            signer_iin: r.3,
            signer_bin: r.4,
            signer_name: r.5,
            cert_serial: r.6,
            cert_not_after: r.7,
            signed_by: r.8,
            signed_at: r.9,
        })
        .collect())
}

/// The rows of one line and year before an inflation fill (None: there were none).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
struct Previous {
    line_id: i64,
    year: i32,
    rows: Option<(String, i64)>,
}

/// One year of one line to fill.
pub struct YearFill<'a> {
    pub line_id: i64,
    pub year: i32,
    pub rows: Vec<RowInput>,
    pub form: &'a FormDef,
}

async fn write_rows(
    tx: &mut Tx,
    request_id: i64,
    line_id: i64,
    year: i32,
    rows_json: &str,
    amount: i64,
) -> Result<()> {
    exec_tx!(tx, conn => sqlx::query(
        "INSERT INTO request_line_years (request_id, line_id, year, rows_json, amount) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (request_id, line_id, year) DO UPDATE SET rows_json = excluded.rows_json, amount = excluded.amount")
        .bind(request_id).bind(line_id).bind(i64::from(year)).bind(rows_json).bind(amount).execute(conn).await)?;
    refresh_amount(tx, request_id).await?;
    Ok(())
}

/// Fills later years in one transaction (BP-11) and keeps what they held, so that the user can
/// undo the fill until the request changes again.
pub async fn fill_years(
    db: &Db,
    who: &Who,
    target: Target,
    fills: &[YearFill<'_>],
) -> Result<Request> {
    let mut evaluated = Vec::new();
    for fill in fills {
        let rows = fill.form.evaluate(&fill.rows)?;
        evaluated.push((fill, FormDef::total(&rows)));
    }
    let mut tx = db.begin().await?;
    let request = claim(&mut tx, target.request_id, target.version, true).await?;
    let mut previous = Vec::new();
    for (fill, amount) in &evaluated {
        let old: Option<(String, i64)> = on_tx!(&mut tx, conn => sqlx::query_as(
            "SELECT rows_json, amount FROM request_line_years WHERE request_id = $1 AND line_id = $2 AND year = $3")
            .bind(request.id).bind(fill.line_id).bind(i64::from(fill.year)).fetch_optional(conn).await)?;
        previous.push(Previous {
            line_id: fill.line_id,
            year: fill.year,
            rows: old,
        });
        let text =
            serde_json::to_string(&fill.rows).map_err(|e| StoreError::Other(e.to_string()))?;
        write_rows(
            &mut tx,
            request.id,
            fill.line_id,
            fill.year,
            &text,
            amount.tiyn(),
        )
        .await?;
    }
    let snapshot =
        serde_json::to_string(&previous).map_err(|e| StoreError::Other(e.to_string()))?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO request_fill_undo (request_id, version_after, snapshot, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (request_id) DO UPDATE SET version_after = excluded.version_after, snapshot = excluded.snapshot, created_at = excluded.created_at")
        .bind(request.id).bind(request.version).bind(&snapshot).bind(Utc::now()).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(request.org_id),
        entity: "budget_request",
        entity_id: request.id.to_string(),
        action: "update",
        old_value: serde_json::from_str(&snapshot).ok(),
        new_value: Some(json!(
            evaluated
                .iter()
                .map(
                    |(f, a)| json!({"line_id": f.line_id, "year": f.year, "amount_tiyn": a.tiyn()})
                )
                .collect::<Vec<_>>()
        )),
        reason: Some("inflation fill".into()),
    })
    .await?;
    tx.commit().await?;
    Ok(request)
}

/// Whether the last inflation fill of a request can still be undone (nothing changed since).
pub async fn can_undo_fill(db: &Db, request: &Request) -> std::result::Result<bool, StoreError> {
    let version: Option<i64> = on_db!(db, pool => sqlx::query_scalar("SELECT version_after FROM request_fill_undo WHERE request_id = $1")
        .bind(request.id).fetch_optional(pool).await)?;
    Ok(version == Some(request.version) && request.status.editable())
}

/// Puts back what the years held before the last fill.
pub async fn undo_fill(db: &Db, who: &Who, target: Target) -> Result<Request> {
    let mut tx = db.begin().await?;
    let stored: Option<(i64, String)> = on_tx!(&mut tx, conn => sqlx::query_as(
        "SELECT version_after, snapshot FROM request_fill_undo WHERE request_id = $1")
        .bind(target.request_id).fetch_optional(conn).await)?;
    let (version_after, snapshot) = stored.ok_or(PlanningError::NotFound)?;
    if version_after != target.version {
        return Err(PlanningError::Stale.into());
    }
    let request = claim(&mut tx, target.request_id, target.version, true).await?;
    let previous: Vec<Previous> =
        serde_json::from_str(&snapshot).map_err(|e| StoreError::Other(e.to_string()))?;
    for p in &previous {
        match &p.rows {
            Some((rows, amount)) => {
                write_rows(&mut tx, request.id, p.line_id, p.year, rows, *amount).await?
            }
            None => {
                exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM request_line_years WHERE request_id = $1 AND line_id = $2 AND year = $3")
                    .bind(request.id).bind(p.line_id).bind(i64::from(p.year)).execute(conn).await)?;
                refresh_amount(&mut tx, request.id).await?;
            }
        }
    }
    exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM request_fill_undo WHERE request_id = $1").bind(request.id).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(request.org_id),
        entity: "budget_request",
        entity_id: request.id.to_string(),
        action: "update",
        old_value: None,
        new_value: Some(json!(previous)),
        reason: Some("inflation fill undone".into()),
    })
    .await?;
    tx.commit().await?;
    Ok(request)
}

// ---------- supporting documents (P-18) ----------

/// Largest supporting document accepted.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Attachment {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub created_at: chrono::DateTime<Utc>,
}

/// Keeps the last path segment and drops control and quote characters.
pub fn clean_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';'))
        .collect();
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() {
        "document".into()
    } else {
        cleaned
    }
}

pub async fn add_attachment(
    db: &Db,
    who: &Who,
    target: Target,
    file_name: &str,
    content_type: &str,
    content: &[u8],
) -> Result<Attachment> {
    if content.is_empty() || content.len() > MAX_ATTACHMENT_BYTES {
        return Err(PlanningError::Field("file").into());
    }
    let attachment = Attachment {
        id: new_id(),
        file_name: clean_file_name(file_name),
        content_type: if content_type.is_empty() {
            "application/octet-stream".into()
        } else {
            content_type.to_string()
        },
        size: content.len() as i64,
        sha256: sha256_hex(content),
        uploaded_by: who.login.clone(),
        created_at: Utc::now(),
    };
    let mut tx = db.begin().await?;
    let request = claim(&mut tx, target.request_id, target.version, true).await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO request_attachments (id, request_id, file_name, content_type, size, sha256, content, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(attachment.id).bind(request.id).bind(&attachment.file_name).bind(&attachment.content_type)
        .bind(attachment.size).bind(&attachment.sha256).bind(content).bind(&attachment.uploaded_by).bind(attachment.created_at)
        .execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(request.org_id),
        entity: "request_attachment",
        entity_id: attachment.id.to_string(),
        action: "create",
        old_value: None,
        new_value: Some(json!(attachment)),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(attachment)
}

pub async fn attachments(
    db: &Db,
    request_id: i64,
) -> std::result::Result<Vec<Attachment>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, Attachment>(
        "SELECT id, file_name, content_type, size, sha256, uploaded_by, created_at FROM request_attachments WHERE request_id = $1 ORDER BY id")
        .bind(request_id).fetch_all(pool).await)?)
}

pub async fn attachment_content(
    db: &Db,
    request_id: i64,
    id: i64,
) -> std::result::Result<Option<(Attachment, Vec<u8>)>, StoreError> {
    let meta = attachments(db, request_id)
        .await?
        .into_iter()
        .find(|a| a.id == id);
    let Some(meta) = meta else { return Ok(None) };
    let content: Vec<u8> = on_db!(db, pool => sqlx::query_scalar("SELECT content FROM request_attachments WHERE id = $1 AND request_id = $2")
        .bind(id).bind(request_id).fetch_one(pool).await)?;
    Ok(Some((meta, content)))
}

/// SHA-256 of a document, shown with it so that a printed request can name its attachments.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Opens a refinement or correction of an approved request: a new request in work whose lines
/// are copies of the approved ones, keeping their expense identifiers (BP-2, P-14).
pub async fn create_version(
    db: &Db,
    who: &Who,
    source: &Request,
    kind: RequestKind,
) -> Result<Request> {
    if source.status != Status::Approved {
        return Err(PlanningError::NotApproved.into());
    }
    if !matches!(kind, RequestKind::Refinement | RequestKind::Correction) {
        return Err(PlanningError::Field("kind").into());
    }
    let lines = lines(db, source.id).await?;
    let years: Vec<(i64, i64, String, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT line_id, year, rows_json, amount FROM request_line_years WHERE request_id = $1")
        .bind(source.id).fetch_all(pool).await)?;
    let now = Utc::now();
    let mut tx = db.begin().await?;
    refuse_a_twin(&mut tx, source.campaign_id, source.org_id, kind).await?;
    let request = Request {
        id: new_id(),
        campaign_id: source.campaign_id,
        org_id: source.org_id,
        kind,
        status: Status::InWork,
        stage_org_id: None,
        return_reason: None,
        version: 1,
        updated_at: now,
        based_on: Some(source.id),
        number: next_number(&mut tx, source.org_id, source.campaign_id).await?,
        created_at: now,
    };
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO budget_requests (id, campaign_id, org_id, kind, status, stage_org_id, return_reason, version, created_at, updated_at, based_on, number) \
         VALUES ($1, $2, $3, $4, 'in_work', NULL, NULL, 1, $5, $5, $6, $7)")
        .bind(request.id).bind(request.campaign_id).bind(request.org_id).bind(kind.code()).bind(now).bind(source.id)
        .bind(request.number).execute(conn).await)?;
    for line in &lines {
        let copy = new_id();
        exec_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO request_lines (id, request_id, program, subprogram, specific, limit_kind, form_code, project, expense_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(copy).bind(request.id).bind(&line.program).bind(&line.subprogram).bind(&line.specific)
            .bind(line.limit_kind.code()).bind(&line.form_code).bind(&line.project).bind(line.expense_id)
            .execute(conn).await)?;
        for (_, year, rows, amount) in years.iter().filter(|(l, _, _, _)| *l == line.id) {
            exec_tx!(&mut tx, conn => sqlx::query(
                "INSERT INTO request_line_years (request_id, line_id, year, rows_json, amount) VALUES ($1, $2, $3, $4, $5)")
                .bind(request.id).bind(copy).bind(*year).bind(rows).bind(*amount).execute(conn).await)?;
        }
    }
    refresh_amount(&mut tx, request.id).await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO request_report_year (request_id, program, subprogram, specific, amount, source, basis, updated_by, updated_at) \
         SELECT $1, program, subprogram, specific, amount, source, basis, updated_by, updated_at \
         FROM request_report_year WHERE request_id = $2")
        .bind(request.id).bind(source.id).execute(conn).await)?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO request_revenues (request_id, source, counterparty, year, amount) \
         SELECT $1, source, counterparty, year, amount FROM request_revenues WHERE request_id = $2")
        .bind(request.id).bind(source.id).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(request.org_id),
        entity: "budget_request",
        entity_id: request.id.to_string(),
        action: "create",
        old_value: None,
        new_value: Some(json!(request)),
        reason: Some(format!("{} of {}", kind.code(), source.id)),
    })
    .await?;
    tx.commit().await?;
    Ok(request)
}

/// The report-year figure of one program, subprogram and specific of a request (issue 23).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Fact {
    pub program: String,
    pub subprogram: String,
    pub specific: String,
    pub amount: Tenge,
    /// `execution` (from a Treasury form) or `typed`.
    pub source: String,
    /// The form and date it came from; empty when typed.
    pub basis: String,
}

type FactRow = (String, String, String, i64, String, String);

/// The report-year figures of requests, by request.
pub async fn facts_of(
    db: &Db,
    request_ids: &[i64],
) -> std::result::Result<HashMap<i64, Vec<Fact>>, StoreError> {
    let mut by_request: HashMap<i64, Vec<Fact>> = HashMap::new();
    for id in request_ids {
        let rows: Vec<FactRow> = on_db!(db, pool => sqlx::query_as(
            "SELECT program, subprogram, specific, amount, source, basis FROM request_report_year \
             WHERE request_id = $1 ORDER BY program, subprogram, specific")
            .bind(*id).fetch_all(pool).await)?;
        by_request.insert(
            *id,
            rows.into_iter()
                .map(
                    |(program, subprogram, specific, amount, source, basis)| Fact {
                        program,
                        subprogram,
                        specific,
                        amount: Tenge::from_tiyn(amount),
                        source,
                        basis,
                    },
                )
                .collect(),
        );
    }
    Ok(by_request)
}

/// Writes report-year figures of a request at the version the user saw, all or none: each
/// replaces the figure of its codes; audited with the figures before and after.
pub async fn set_facts(db: &Db, who: &Who, target: Target, facts: &[Fact]) -> Result<Request> {
    let before = facts_of(db, &[target.request_id])
        .await?
        .remove(&target.request_id)
        .unwrap_or_default();
    let mut tx = db.begin().await?;
    let request = claim(&mut tx, target.request_id, target.version, true).await?;
    let now = Utc::now();
    for f in facts {
        exec_tx!(&mut tx, conn => sqlx::query(
            "DELETE FROM request_report_year WHERE request_id = $1 AND program = $2 AND subprogram = $3 AND specific = $4")
            .bind(request.id).bind(&f.program).bind(&f.subprogram).bind(&f.specific).execute(conn).await)?;
        exec_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO request_report_year (request_id, program, subprogram, specific, amount, source, basis, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(request.id).bind(&f.program).bind(&f.subprogram).bind(&f.specific).bind(f.amount.tiyn())
            .bind(&f.source).bind(&f.basis).bind(&who.login).bind(now).execute(conn).await)?;
    }
    tx.audit(AuditEntry {
        who,
        org_id: Some(request.org_id),
        entity: "budget_request",
        entity_id: request.id.to_string(),
        action: "update",
        old_value: Some(json!({"report_year": before})),
        new_value: Some(json!({"report_year": facts})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(request)
}

/// One revenue of an enterprise's request: its source (`paid_services`, `state_order`,
/// `subsidy`), its counterparty and its amount by year.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Revenue {
    pub source: String,
    pub counterparty: String,
    #[schema(value_type = BTreeMap<String, i64>)]
    pub amounts: BTreeMap<i32, Tenge>,
}

/// The revenues of requests, by request, in the order of source and counterparty.
pub async fn revenues_of(
    db: &Db,
    request_ids: &[i64],
) -> std::result::Result<HashMap<i64, Vec<Revenue>>, StoreError> {
    let mut by_request = HashMap::new();
    for id in request_ids {
        let rows: Vec<(String, String, i64, i64)> = on_db!(db, pool => sqlx::query_as(
            "SELECT source, counterparty, year, amount FROM request_revenues WHERE request_id = $1 \
             ORDER BY source, counterparty, year")
            .bind(*id).fetch_all(pool).await)?;
        let mut revenues: Vec<Revenue> = Vec::new();
        for (source, counterparty, year, amount) in rows {
            let year = i32::try_from(year).unwrap_or_default();
            match revenues
                .iter_mut()
                .find(|r| r.source == source && r.counterparty == counterparty)
            {
                Some(r) => {
                    r.amounts.insert(year, Tenge::from_tiyn(amount));
                }
                None => revenues.push(Revenue {
                    source,
                    counterparty,
                    amounts: [(year, Tenge::from_tiyn(amount))].into_iter().collect(),
                }),
            }
        }
        by_request.insert(*id, revenues);
    }
    Ok(by_request)
}

/// Replaces the revenues of a request at the version the user saw, all or none, audited with
/// the revenues before and after.
pub async fn set_revenues(
    db: &Db,
    who: &Who,
    target: Target,
    revenues: &[Revenue],
) -> Result<Request> {
    let before = revenues_of(db, &[target.request_id])
        .await?
        .remove(&target.request_id)
        .unwrap_or_default();
    let mut tx = db.begin().await?;
    let request = claim(&mut tx, target.request_id, target.version, true).await?;
    exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM request_revenues WHERE request_id = $1")
        .bind(request.id).execute(conn).await)?;
    for r in revenues {
        for (year, amount) in &r.amounts {
            exec_tx!(&mut tx, conn => sqlx::query(
                "INSERT INTO request_revenues (request_id, source, counterparty, year, amount) VALUES ($1, $2, $3, $4, $5)")
                .bind(request.id).bind(&r.source).bind(&r.counterparty).bind(i64::from(*year)).bind(amount.tiyn())
                .execute(conn).await)?;
        }
    }
    tx.audit(AuditEntry {
        who,
        org_id: Some(request.org_id),
        entity: "budget_request",
        entity_id: request.id.to_string(),
        action: "update",
        old_value: Some(json!({"revenues": before})),
        new_value: Some(json!({"revenues": revenues})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(request)
}

/// A line of a request file to load (issue 24): its codes, form and rows by year, and the
/// expense identifier it keeps (`None`: a new one, the line's own id).
pub struct LoadedLine<'a> {
    pub expense_id: Option<i64>,
    /// The expense identifier the file gave it.
    pub file_expense_id: i64,
    pub program: String,
    pub subprogram: String,
    pub specific: String,
    pub limit_kind: LimitKind,
    pub project: String,
    pub form: &'a FormDef,
    pub years: Vec<(i32, Vec<RowInput>)>,
}

/// Where a line loaded from a file came from: the file's expense identifier and the line's.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct LineOrigin {
    pub file_expense_id: i64,
    pub line_id: i64,
    pub expense_id: i64,
}

/// Replaces the lines of a request in work with those of a file, in one transaction with the
/// version check: a line keeping an expense identifier the request has is rewritten in place,
/// any other is added; the request's lines the file does not have are deleted, except `kept`
/// (computed by another module). Every line is audited old → new, the load as one entry
/// naming the file; lines whose identifier differs from the file's are recorded with it.
pub async fn load_lines(
    db: &Db,
    who: &Who,
    target: Target,
    lines: &[LoadedLine<'_>],
    kept: &[i64],
    file_name: &str,
) -> Result<Vec<LineOrigin>> {
    let mut evaluated = Vec::new();
    for line in lines {
        let mut years = Vec::new();
        for (_, rows) in &line.years {
            years.push(FormDef::total(&line.form.evaluate(rows)?));
        }
        evaluated.push(years);
    }
    let mut tx = db.begin().await?;
    let request = claim(&mut tx, target.request_id, target.version, true).await?;
    let existing: Vec<(i64, i64)> = on_tx!(&mut tx, conn => sqlx::query_as(
        "SELECT id, expense_id FROM request_lines WHERE request_id = $1")
        .bind(request.id).fetch_all(conn).await)?;
    let keeps = |expense: i64| lines.iter().any(|l| l.expense_id == Some(expense));
    for (id, expense) in &existing {
        if !kept.contains(id) && !keeps(*expense) {
            remove_line(&mut tx, who, &request, *id).await?;
        }
    }
    let mut origins = Vec::new();
    for (line, amounts) in lines.iter().zip(evaluated) {
        let in_place = existing
            .iter()
            .find(|(id, e)| Some(*e) == line.expense_id && !kept.contains(id))
            .map(|(id, _)| *id);
        let id = match in_place {
            Some(id) => {
                exec_tx!(&mut tx, conn => sqlx::query(
                    "UPDATE request_lines SET program = $1, subprogram = $2, specific = $3, limit_kind = $4, form_code = $5, project = $6 WHERE id = $7")
                    .bind(&line.program).bind(&line.subprogram).bind(&line.specific).bind(line.limit_kind.code())
                    .bind(&line.form.code).bind(&line.project).bind(id).execute(conn).await)?;
                id
            }
            None => {
                let id = new_id();
                exec_tx!(&mut tx, conn => sqlx::query(
                    "INSERT INTO request_lines (id, request_id, program, subprogram, specific, limit_kind, form_code, project, expense_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                    .bind(id).bind(request.id).bind(&line.program).bind(&line.subprogram).bind(&line.specific)
                    .bind(line.limit_kind.code()).bind(&line.form.code).bind(&line.project)
                    .bind(line.expense_id.unwrap_or(id)).execute(conn).await)?;
                id
            }
        };
        let old: Vec<(i64, String, i64)> = on_tx!(&mut tx, conn => sqlx::query_as(
            "SELECT year, rows_json, amount FROM request_line_years WHERE request_id = $1 AND line_id = $2 ORDER BY year")
            .bind(request.id).bind(id).fetch_all(conn).await)?;
        exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM request_line_years WHERE request_id = $1 AND line_id = $2")
            .bind(request.id).bind(id).execute(conn).await)?;
        for ((year, rows), amount) in line.years.iter().zip(&amounts) {
            let text = serde_json::to_string(rows).map_err(|e| StoreError::Other(e.to_string()))?;
            write_rows(&mut tx, request.id, id, *year, &text, amount.tiyn()).await?;
        }
        let expense_id = line.expense_id.unwrap_or(id);
        if expense_id != line.file_expense_id {
            origins.push(LineOrigin {
                file_expense_id: line.file_expense_id,
                line_id: id,
                expense_id,
            });
            exec_tx!(&mut tx, conn => sqlx::query(
                "INSERT INTO request_line_origins (line_id, request_id, file_expense_id, file_name) VALUES ($1, $2, $3, $4)")
                .bind(id).bind(request.id).bind(line.file_expense_id).bind(file_name).execute(conn).await)?;
        }
        let years =
            |pairs: Vec<(i32, &str, i64)>| {
                json!(pairs.into_iter().map(|(year, rows, amount)| json!({
                "year": year,
                "rows": serde_json::from_str::<serde_json::Value>(rows).unwrap_or_default(),
                "amount_tiyn": amount,
            })).collect::<Vec<_>>())
            };
        let new_years: Vec<(i32, String, i64)> = line
            .years
            .iter()
            .zip(&amounts)
            .map(|((y, rows), a)| {
                (
                    *y,
                    serde_json::to_string(rows).unwrap_or_default(),
                    a.tiyn(),
                )
            })
            .collect();
        tx.audit(AuditEntry {
            who,
            org_id: Some(request.org_id),
            entity: "request_line",
            entity_id: id.to_string(),
            action: if in_place.is_some() {
                "update"
            } else {
                "create"
            },
            old_value: in_place.map(|_| {
                years(
                    old.iter()
                        .map(|(y, r, a)| (*y as i32, r.as_str(), *a))
                        .collect(),
                )
            }),
            new_value: Some(json!({
                "expense_id": expense_id,
                "program": line.program, "subprogram": line.subprogram, "specific": line.specific,
                "form": line.form.code, "project": line.project,
                "years": years(new_years.iter().map(|(y, r, a)| (*y, r.as_str(), *a)).collect()),
            })),
            reason: Some(file_name.to_string()),
        })
        .await?;
    }
    tx.audit(AuditEntry {
        who,
        org_id: Some(request.org_id),
        entity: "budget_request",
        entity_id: request.id.to_string(),
        action: "import",
        old_value: None,
        new_value: Some(
            json!({"file": file_name, "lines": lines.len(), "new_identifiers": origins}),
        ),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(origins)
}

/// Deletes a line and its years in a transaction under way, audited with what it held.
async fn remove_line(tx: &mut Tx, who: &Who, request: &Request, line_id: i64) -> Result<()> {
    let years: Vec<(i64, String, i64)> = on_tx!(tx, conn => sqlx::query_as(
        "SELECT year, rows_json, amount FROM request_line_years WHERE request_id = $1 AND line_id = $2 ORDER BY year")
        .bind(request.id).bind(line_id).fetch_all(conn).await)?;
    exec_tx!(tx, conn => sqlx::query("DELETE FROM request_line_years WHERE request_id = $1 AND line_id = $2")
        .bind(request.id).bind(line_id).execute(conn).await)?;
    exec_tx!(tx, conn => sqlx::query("DELETE FROM request_lines WHERE id = $1 AND request_id = $2")
        .bind(line_id).bind(request.id).execute(conn).await)?;
    refresh_amount(tx, request.id).await?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(request.org_id),
        entity: "request_line",
        entity_id: line_id.to_string(),
        action: "delete",
        old_value: Some(json!(years
            .iter()
            .map(|(y, r, a)| json!({"year": y, "rows": serde_json::from_str::<serde_json::Value>(r).unwrap_or_default(), "amount_tiyn": a}))
            .collect::<Vec<_>>())),
        new_value: None,
        reason: None,
    })
    .await?;
    Ok(())
}

/// The lines of a request loaded from a file under another expense identifier, with it.
pub async fn line_origins(
    db: &Db,
    request_id: i64,
) -> std::result::Result<Vec<LineOrigin>, StoreError> {
    let rows: Vec<(i64, i64, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT o.file_expense_id, o.line_id, l.expense_id FROM request_line_origins o \
         JOIN request_lines l ON l.id = o.line_id WHERE o.request_id = $1 ORDER BY o.file_expense_id")
        .bind(request_id).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|(file_expense_id, line_id, expense_id)| LineOrigin {
            file_expense_id,
            line_id,
            expense_id,
        })
        .collect())
}
