//! Requests to open or close codes of the budget classification (P-15, issue 23): an
//! administrator asks to open a program or subprogram under its own administrator code, or
//! to close one, for a year, with the reason; the budget-planning body of its budget approves
//! or refuses within [`DECISION_DAYS`] working days. An approval changes that year's
//! classification in the same transaction and issues the order, numbered within the body and
//! the calendar year, printed from the report catalogue (`code-order`). Rules, storage, use
//! cases and the printed order of the one document together.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use jospar_access::{Error, Principal, Reader, Result};
use jospar_classification::{CodeEntry, CodeKind, repo as ebk};
use jospar_core::ids::new_id;
use jospar_i18n::Tr;
use jospar_org::{Org, OrgKind, Right};
use jospar_reports::{Cell, Signature, Table};
use jospar_store::{AuditEntry, Db, StoreError, Who, exec_tx, on_db};
use serde::{Deserialize, Serialize};
use serde_json::json;

jospar_access::code_enum!(
    /// Whether a request opens a code or closes it.
    CodeAction {
        Open = "open",
        Close = "close",
    }
);

jospar_access::code_enum!(
    /// Where a request stands: with the budget-planning body, or decided.
    CodeRequestStatus {
        Sent = "sent",
        Approved = "approved",
        Refused = "refused",
    }
);

/// Working days the budget-planning body has to decide (this system's choice: the Rules of
/// the classification name none; a week matches the other decisions of the cycle).
pub const DECISION_DAYS: u32 = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CodeRequest {
    pub id: i64,
    /// The administrator asking.
    pub org_id: i64,
    pub budget_id: i64,
    /// The budget-planning body deciding.
    pub reviewer_org_id: i64,
    pub year: i32,
    pub action: CodeAction,
    /// `program` or `subprogram`.
    pub kind: CodeKind,
    /// The full code, "261 003" or "261 003 015".
    pub code: String,
    /// The name of a code to open; of a code to close, its name in the classification.
    pub name_ru: String,
    pub name_kk: Option<String>,
    pub reason: String,
    pub status: CodeRequestStatus,
    pub decision_reason: Option<String>,
    /// The order issued on approval: its number within the body and year, and its date.
    pub order_number: Option<i64>,
    pub order_date: Option<NaiveDate>,
    /// The subprograms a closed program took with it, as they were named.
    pub closed_with: Vec<CodeEntry>,
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl CodeRequest {
    /// The day the decision is due.
    pub fn decision_due(&self, calendar: &jospar_core::WorkingCalendar) -> NaiveDate {
        calendar.add_working_days(self.created_at.date_naive(), DECISION_DAYS)
    }

    /// The name in the reader's language.
    pub fn name(&self, tr: &Tr) -> String {
        tr.pick(&self.name_ru, self.name_kk.as_deref()).to_string()
    }
}

impl jospar_core::listing::Listable for CodeRequest {
    fn search_text(&self) -> String {
        format!(
            "{} {} {} {} {} {} {}",
            self.code,
            self.code.replace(' ', ""),
            self.name_ru,
            self.name_kk.as_deref().unwrap_or_default(),
            self.reason,
            self.year,
            self.created_by
        )
    }

    fn sort_key(&self, column: &str) -> Option<jospar_core::listing::SortKey> {
        use jospar_core::listing::SortKey;
        Some(match column {
            "code" => SortKey::Text(self.code.clone()),
            "year" => SortKey::Number(i64::from(self.year)),
            "date" => SortKey::Number(self.created_at.timestamp_micros()),
            _ => return None,
        })
    }
}

/// What the administrator types.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewCodeRequest {
    pub org_id: i64,
    pub year: i32,
    /// `open` or `close`.
    pub action: String,
    /// "261 003 015" or "261003015"; six digits are a program, nine a subprogram.
    pub code: String,
    /// The names of a code to open (both required); ignored when closing.
    pub name_ru: String,
    pub name_kk: String,
    pub reason: String,
}

/// The budget-planning body's decision; a refusal needs its reason.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct CodeDecision {
    pub version: i64,
    pub approve: bool,
    #[serde(default)]
    pub reason: String,
}

/// The code as stored ("261 003 015") and its kind, from what was typed with or without
/// spaces.
pub fn parse_code(typed: &str) -> Option<(CodeKind, String)> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let kind = match digits.len() {
        6 => CodeKind::Program,
        9 => CodeKind::Subprogram,
        _ => return None,
    };
    let segments: Vec<&str> = (0..digits.len() / 3)
        .map(|i| &digits[i * 3..i * 3 + 3])
        .collect();
    Some((kind, segments.join(" ")))
}

/// The fields of a new request, the first wrong one refused by name; the action, the code's
/// kind and the code as stored.
fn check_new(new: &NewCodeRequest) -> Result<(CodeAction, CodeKind, String)> {
    if !(2000..=2100).contains(&new.year) {
        return Err(Error::invalid("err-year", "year"));
    }
    let action = CodeAction::from_code(new.action.trim())
        .ok_or_else(|| Error::invalid("err-code-request-action", "action"))?;
    let (kind, code) =
        parse_code(&new.code).ok_or_else(|| Error::invalid("err-code-request-shape", "code"))?;
    if action == CodeAction::Open {
        for (text, field) in [(&new.name_ru, "name_ru"), (&new.name_kk, "name_kk")] {
            if text.trim().is_empty() {
                return Err(Error::invalid("err-required", field));
            }
        }
    }
    if new.reason.trim().is_empty() {
        return Err(Error::invalid("err-required", "reason"));
    }
    Ok((action, kind, code))
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    org_id: i64,
    budget_id: i64,
    reviewer_org_id: i64,
    year: i64,
    action: String,
    kind: String,
    code: String,
    name_ru: String,
    name_kk: Option<String>,
    reason: String,
    status: String,
    decision_reason: Option<String>,
    order_number: Option<i64>,
    order_date: Option<NaiveDate>,
    closed_with: Option<String>,
    version: i64,
    created_by: String,
    created_at: DateTime<Utc>,
    decided_by: Option<String>,
    decided_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, org_id, budget_id, reviewer_org_id, year, action, kind, code, name_ru, name_kk, \
     reason, status, decision_reason, order_number, order_date, closed_with, version, created_by, created_at, decided_by, \
     decided_at";

fn request_of(r: Row) -> CodeRequest {
    CodeRequest {
        id: r.id,
        org_id: r.org_id,
        budget_id: r.budget_id,
        reviewer_org_id: r.reviewer_org_id,
        year: i32::try_from(r.year).unwrap_or_default(),
        action: CodeAction::from_code(&r.action).unwrap_or(CodeAction::Open),
        kind: CodeKind::from_code(&r.kind).unwrap_or(CodeKind::Program),
        code: r.code,
        name_ru: r.name_ru,
        name_kk: r.name_kk,
        reason: r.reason,
        status: CodeRequestStatus::from_code(&r.status).unwrap_or(CodeRequestStatus::Sent),
        decision_reason: r.decision_reason,
        order_number: r.order_number,
        order_date: r.order_date,
        closed_with: r
            .closed_with
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default(),
        version: r.version,
        created_by: r.created_by,
        created_at: r.created_at,
        decided_by: r.decided_by,
        decided_at: r.decided_at,
    }
}

fn sql(e: sqlx::Error) -> Error {
    StoreError::Sql(e).into()
}

async fn stored(db: &Db) -> Result<Vec<CodeRequest>> {
    let query =
        format!("SELECT {COLUMNS} FROM ebk_code_requests ORDER BY created_at DESC, id DESC");
    let rows: Vec<Row> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(query.clone()))
        .fetch_all(pool).await)
    .map_err(sql)?;
    Ok(rows.into_iter().map(request_of).collect())
}

/// Whether the reader sees a request: the administrator's side or the body's.
fn reads(reader: &Reader<'_>, r: &CodeRequest) -> bool {
    reader.can_read(r.org_id) || reader.can_read(r.reviewer_org_id)
}

/// The requests the reader sees, newest first.
pub async fn requests(db: &Db, reader: &Reader<'_>) -> Result<Vec<CodeRequest>> {
    Ok(stored(db)
        .await?
        .into_iter()
        .filter(|r| reads(reader, r))
        .collect())
}

pub async fn request(db: &Db, reader: &Reader<'_>, id: i64) -> Result<CodeRequest> {
    let r = stored(db)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(Error::NotFound)?;
    if !reads(reader, &r) {
        return Err(Error::Forbidden);
    }
    Ok(r)
}

/// The organisations that may ask: those with an administrator code where the user enters
/// data.
pub async fn applicants(db: &Db, p: &Principal) -> Result<Vec<Org>> {
    Ok(jospar_org::repo::all_orgs(db)
        .await?
        .into_iter()
        .filter(|o| o.abp_code.is_some() && o.closed_on.is_none())
        .filter(|o| p.can(Right::Enter, o.id))
        .collect())
}

/// The budget-planning body deciding on an organisation's requests: the nearest authorized
/// body above it (or itself) in its budget, else any of its budget.
fn reviewer_of(orgs: &[Org], org: &Org) -> Option<i64> {
    let is_body = |o: &Org| o.kind == OrgKind::AuthorizedBody && o.budget_id == org.budget_id;
    let mut current = Some(org);
    while let Some(o) = current {
        if is_body(o) {
            return Some(o.id);
        }
        current = o
            .parent_id
            .and_then(|parent| orgs.iter().find(|x| x.id == parent));
    }
    orgs.iter().find(|o| is_body(o)).map(|o| o.id)
}

/// What the user may do with a request now: decide on it (the body, while it waits).
pub fn may_decide(p: &Principal, r: &CodeRequest) -> bool {
    r.status == CodeRequestStatus::Sent && p.can(Right::Approve, r.reviewer_org_id)
}

/// Whether the code's state in the classification of the year allows the action: a code to
/// open must not exist and must have its parent; a code to close must exist.
async fn check_classification(
    db: &Db,
    year: i32,
    action: CodeAction,
    kind: CodeKind,
    code: &str,
) -> Result<Option<CodeEntry>> {
    let existing = ebk::get(db, year, kind, code).await?;
    match action {
        CodeAction::Open if existing.is_some() => {
            Err(Error::invalid("err-code-request-exists", "code"))
        }
        CodeAction::Open => {
            let parent_kind = kind.parent_kind().unwrap_or(CodeKind::Abp);
            let parent = kind.parent_of(code).unwrap_or_default();
            if ebk::get(db, year, parent_kind, &parent).await?.is_none() {
                return Err(Error::invalid("err-code-request-parent", "code"));
            }
            Ok(None)
        }
        CodeAction::Close if existing.is_none() => {
            Err(Error::invalid("err-code-request-missing", "code"))
        }
        CodeAction::Close if lines_using(db, year, code).await? > 0 => {
            Err(Error::invalid("err-code-request-in-use", "code"))
        }
        CodeAction::Close => Ok(existing),
    }
}

/// How many lines of budget requests still plan a code in a year: those of the campaigns
/// whose years (the current one and the three planning years) hold it, of the organisations
/// under the code's administrator, on its program (and subprogram). A code in use is not
/// closed: its lines, limits and plans would lose their code.
async fn lines_using(db: &Db, year: i32, code: &str) -> Result<i64> {
    let mut parts = code.split(' ');
    let (Some(abp), Some(program)) = (parts.next(), parts.next()) else {
        return Ok(0);
    };
    let subprogram = parts.next().unwrap_or("");
    let orgs = jospar_org::repo::all_orgs(db).await?;
    let administrator_code = |org: &Org| {
        let mut next = Some(org);
        while let Some(o) = next {
            if o.abp_code.is_some() {
                return o.abp_code.clone();
            }
            next = o.parent_id.and_then(|p| orgs.iter().find(|x| x.id == p));
        }
        None
    };
    let ids: Vec<String> = orgs
        .iter()
        .filter(|o| administrator_code(o).as_deref() == Some(abp))
        .map(|o| o.id.to_string())
        .collect();
    if ids.is_empty() {
        return Ok(0);
    }
    // The ids are numbers read from the database, so the list is safe to write into the SQL.
    let query = format!(
        "SELECT COUNT(*) FROM request_lines l JOIN budget_requests r ON r.id = l.request_id \
         JOIN limit_campaigns c ON c.id = r.campaign_id \
         WHERE l.program = $1 AND ($2 = '' OR l.subprogram = $2) \
           AND c.first_year - 1 <= $3 AND c.first_year + 2 >= $3 AND r.org_id IN ({})",
        ids.join(", ")
    );
    let count: i64 = on_db!(db, pool => sqlx::query_scalar(sqlx::AssertSqlSafe(query.clone()))
        .bind(program).bind(subprogram).bind(i64::from(year))
        .fetch_one(pool).await)
    .map_err(sql)?;
    Ok(count)
}

/// An administrator's request, sent to the budget-planning body of its budget at once.
pub async fn create(db: &Db, p: &Principal, new: NewCodeRequest) -> Result<CodeRequest> {
    let applicants = applicants(db, p).await?;
    let org = applicants
        .iter()
        .find(|o| o.id == new.org_id)
        .ok_or(Error::Forbidden)?;
    let (action, kind, code) = check_new(&new)?;
    if code.split(' ').next() != org.abp_code.as_deref() {
        return Err(Error::invalid("err-code-request-abp", "code"));
    }
    let existing = check_classification(db, new.year, action, kind, &code).await?;
    let pending = stored(db)
        .await?
        .into_iter()
        .any(|r| r.status == CodeRequestStatus::Sent && r.year == new.year && r.code == code);
    if pending {
        return Err(Error::invalid("err-code-request-pending", "code"));
    }
    let orgs = jospar_org::repo::all_orgs(db).await?;
    let reviewer = reviewer_of(&orgs, org)
        .ok_or_else(|| Error::invalid("err-code-request-no-reviewer", "org_id"))?;
    let (name_ru, name_kk) = match (&existing, action) {
        (Some(e), CodeAction::Close) => (e.name_ru.clone(), e.name_kk.clone()),
        _ => (
            new.name_ru.trim().to_string(),
            Some(new.name_kk.trim().to_string()),
        ),
    };
    let r = CodeRequest {
        id: new_id(),
        org_id: org.id,
        budget_id: org.budget_id,
        reviewer_org_id: reviewer,
        year: new.year,
        action,
        kind,
        code,
        name_ru,
        name_kk,
        reason: new.reason.trim().to_string(),
        status: CodeRequestStatus::Sent,
        decision_reason: None,
        order_number: None,
        order_date: None,
        closed_with: Vec::new(),
        version: 1,
        created_by: p.user.login.clone(),
        created_at: Utc::now(),
        decided_by: None,
        decided_at: None,
    };
    let who = p.who();
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO ebk_code_requests (id, org_id, budget_id, reviewer_org_id, year, action, kind, code, name_ru, \
         name_kk, reason, status, version, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'sent', 1, $12, $13)")
        .bind(r.id).bind(r.org_id).bind(r.budget_id).bind(r.reviewer_org_id).bind(i64::from(r.year))
        .bind(r.action.code()).bind(r.kind.code()).bind(&r.code).bind(&r.name_ru).bind(&r.name_kk)
        .bind(&r.reason).bind(&r.created_by).bind(r.created_at)
        .execute(conn).await)
    .map_err(sql)?;
    tx.audit(entry(&who, &r, "create", None, Some(r.reason.clone())))
        .await?;
    tx.commit().await?;
    Ok(r)
}

/// The audit row of a step of a request.
fn entry<'a>(
    who: &'a Who,
    r: &CodeRequest,
    action: &'a str,
    old: Option<serde_json::Value>,
    reason: Option<String>,
) -> AuditEntry<'a> {
    AuditEntry {
        who,
        org_id: Some(r.org_id),
        entity: "ebk_code_request",
        entity_id: r.id.to_string(),
        action,
        old_value: old,
        new_value: Some(json!(r)),
        reason,
    }
}

/// The next order number of a body in a calendar year.
async fn next_order_number(db: &Db, reviewer: i64, year: i32) -> Result<i64> {
    let last = stored(db)
        .await?
        .iter()
        .filter(|r| r.reviewer_org_id == reviewer)
        .filter(|r| r.order_date.is_some_and(|d| d.year() == year))
        .filter_map(|r| r.order_number)
        .max()
        .unwrap_or(0);
    Ok(last + 1)
}

/// The body approves — the classification of the year changes and the order is issued, in
/// one transaction — or refuses with its reason.
pub async fn decide(
    db: &Db,
    p: &Principal,
    id: i64,
    decision: &CodeDecision,
) -> Result<CodeRequest> {
    let reader = Reader::User(p);
    let current = request(db, &reader, id).await?;
    p.require(Right::Approve, current.reviewer_org_id)?;
    if current.status != CodeRequestStatus::Sent {
        return Err(Error::invalid("err-code-request-status", "status"));
    }
    let reason = decision.reason.trim().to_string();
    if !decision.approve && reason.is_empty() {
        return Err(Error::invalid("err-required", "reason"));
    }
    let now = Utc::now();
    let (status, order_number, order_date) = if decision.approve {
        check_classification(
            db,
            current.year,
            current.action,
            current.kind,
            &current.code,
        )
        .await?;
        let number = next_order_number(db, current.reviewer_org_id, p.today.year()).await?;
        (CodeRequestStatus::Approved, Some(number), Some(p.today))
    } else {
        (CodeRequestStatus::Refused, None, None)
    };
    let mut decided = CodeRequest {
        status,
        decision_reason: Some(reason).filter(|r| !r.is_empty()),
        order_number,
        order_date,
        decided_by: Some(p.user.login.clone()),
        decided_at: Some(now),
        version: decision.version + 1,
        ..current.clone()
    };
    let who = p.who();
    let mut tx = db.begin().await?;
    let changed = exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE ebk_code_requests SET status = $1, decision_reason = $2, order_number = $3, order_date = $4, \
         decided_by = $5, decided_at = $6, version = version + 1 \
         WHERE id = $7 AND version = $8 AND status = 'sent'")
        .bind(status.code()).bind(&decided.decision_reason).bind(order_number).bind(order_date)
        .bind(&who.login).bind(now).bind(id).bind(decision.version)
        .execute(conn).await)
    .map_err(sql)?;
    if changed == 0 {
        return Err(Error::Stale);
    }
    if let (Some(number), Some(date)) = (order_number, order_date) {
        let source = format!(
            "order {number} of {} (code request {id})",
            date.format("%d.%m.%Y")
        );
        decided.closed_with = apply(&mut tx, &who, &decided, &source).await?;
        let closed = serde_json::to_string(&decided.closed_with).unwrap_or_default();
        exec_tx!(&mut tx, conn => sqlx::query(
            "UPDATE ebk_code_requests SET closed_with = $1 WHERE id = $2")
            .bind(closed).bind(id).execute(conn).await)
        .map_err(sql)?;
    }
    let action = if decision.approve {
        "approve"
    } else {
        "refuse"
    };
    tx.audit(entry(
        &who,
        &decided,
        action,
        Some(json!({"status": "sent"})),
        decided.decision_reason.clone(),
    ))
    .await?;
    tx.commit().await?;
    request(db, &reader, id).await
}

/// The change an approved request makes to the classification of its year.
async fn apply(
    tx: &mut jospar_store::Tx,
    who: &Who,
    r: &CodeRequest,
    source: &str,
) -> Result<Vec<CodeEntry>> {
    match r.action {
        CodeAction::Open => {
            let entry = CodeEntry {
                year: r.year,
                kind: r.kind,
                parent_code: r.kind.parent_of(&r.code),
                code: r.code.clone(),
                name_ru: r.name_ru.clone(),
                name_kk: r.name_kk.clone(),
            };
            ebk::open_code(tx, who, &entry, source).await?;
            Ok(Vec::new())
        }
        CodeAction::Close => {
            let closed = ebk::close_code(tx, who, r.year, r.kind, &r.code, source).await?;
            Ok(closed.into_iter().filter(|e| e.code != r.code).collect())
        }
    }
}

/// The requests awaiting the user's decision, with the day each is due.
pub async fn awaiting(db: &Db, p: &Principal) -> Result<Vec<(CodeRequest, NaiveDate)>> {
    let calendar = db.working_calendar().await?;
    Ok(requests(db, &Reader::User(p))
        .await?
        .into_iter()
        .filter(|r| may_decide(p, r))
        .map(|r| {
            let due = r.decision_due(&calendar);
            (r, due)
        })
        .collect())
}

/// The order on an approved request, as printed: its number and date, what it opens or
/// closes, and who signs it.
pub async fn order_table(db: &Db, tr: &Tr, reader: &Reader<'_>, id: i64) -> Result<Table> {
    let r = request(db, reader, id).await?;
    let (Some(number), Some(date)) = (r.order_number, r.order_date) else {
        return Err(Error::invalid("err-code-request-no-order", "code_request"));
    };
    let body = jospar_org::usecases::org_name(db, tr.0, r.reviewer_org_id).await?;
    let administrator = jospar_org::usecases::org_name(db, tr.0, r.org_id).await?;
    let signer = match &r.decided_by {
        Some(login) => jospar_org::repo::user_by_login(db, login)
            .await?
            .map(|u| u.full_name)
            .unwrap_or_else(|| login.clone()),
        None => String::new(),
    };
    let mut rows = vec![vec![
        Cell::Text(tr.t(&format!("code-action-{}", r.action.code()))),
        Cell::Text(tr.t(&format!("code-kind-{}", r.kind.code()))),
        Cell::Text(r.code.clone()),
        Cell::Text(r.name(tr)),
        Cell::Text(administrator.clone()),
    ]];
    if r.action == CodeAction::Close {
        rows.extend(r.closed_with.iter().map(|e| {
            vec![
                Cell::Text(tr.t("code-action-close")),
                Cell::Text(tr.t("code-kind-subprogram")),
                Cell::Text(e.code.clone()),
                Cell::Text(tr.pick(&e.name_ru, e.name_kk.as_deref()).to_string()),
                Cell::Text(administrator.clone()),
            ]
        }));
    }
    Ok(Table {
        number: vec![tr.args(
            "code-order-number",
            &[
                ("number", number.to_string()),
                ("date", date.format("%d.%m.%Y").to_string()),
            ],
        )],
        title: tr.args("code-order-title", &[("year", r.year.to_string())]),
        subtitle: vec![
            body,
            tr.args("code-order-basis", &[("reason", r.reason.clone())]),
        ],
        headers: [
            "code-col-action",
            "code-col-kind",
            "col-code",
            "col-name",
            "code-col-administrator",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
        numbered: true,
        rows,
        signatures: vec![Signature {
            role: tr.t("code-order-signs"),
            name: signer,
        }],
        ..Table::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new() -> NewCodeRequest {
        NewCodeRequest {
            org_id: 1,
            year: 2027,
            action: String::from("open"),
            code: "261 003 032".into(),
            name_ru: "Подпрограмма".into(),
            name_kk: "Кіші бағдарлама".into(),
            reason: "Новая функция".into(),
        }
    }

    fn refused(r: NewCodeRequest) -> Option<String> {
        match check_new(&r) {
            Err(Error::Invalid { field, .. }) => field,
            _ => None,
        }
    }

    #[test]
    fn codes_are_read_with_or_without_spaces() {
        assert_eq!(
            parse_code("261003"),
            Some((CodeKind::Program, "261 003".into()))
        );
        assert_eq!(
            parse_code(" 261 003 015 "),
            Some((CodeKind::Subprogram, "261 003 015".into()))
        );
        assert_eq!(parse_code("261 03"), None);
        assert_eq!(parse_code("26a003"), None);
    }

    /// P-15: every field of a request is refused by its name.
    #[test]
    fn each_field_of_a_code_request_is_checked_by_name() {
        assert!(check_new(&new()).is_ok());
        let close = NewCodeRequest {
            action: String::from("close"),
            name_ru: String::new(),
            name_kk: String::new(),
            ..new()
        };
        assert!(check_new(&close).is_ok(), "a code to close needs no name");
        let cases: [(NewCodeRequest, &str); 6] = [
            (
                NewCodeRequest {
                    year: 1999,
                    ..new()
                },
                "year",
            ),
            (
                NewCodeRequest {
                    action: String::from("rename"),
                    ..new()
                },
                "action",
            ),
            (
                NewCodeRequest {
                    code: "2610".into(),
                    ..new()
                },
                "code",
            ),
            (
                NewCodeRequest {
                    name_ru: " ".into(),
                    ..new()
                },
                "name_ru",
            ),
            (
                NewCodeRequest {
                    name_kk: String::new(),
                    ..new()
                },
                "name_kk",
            ),
            (
                NewCodeRequest {
                    reason: String::new(),
                    ..new()
                },
                "reason",
            ),
        ];
        for (case, field) in cases {
            assert_eq!(refused(case).as_deref(), Some(field));
        }
    }

    fn org(id: i64, parent: Option<i64>, kind: OrgKind, budget: i64) -> Org {
        Org {
            id,
            parent_id: parent,
            kind,
            scenario: jospar_org::Scenario::Institution,
            budget_id: budget,
            abp_code: None,
            bin: None,
            name_ru: String::new(),
            name_kk: String::new(),
            closed_on: None,
            version: 1,
        }
    }

    #[test]
    fn the_body_deciding_is_the_nearest_authorized_body_of_the_budget() {
        let orgs = vec![
            org(1, None, OrgKind::AuthorizedBody, 10),
            org(2, Some(1), OrgKind::Administrator, 10),
            org(3, Some(1), OrgKind::AuthorizedBody, 20),
            org(4, Some(3), OrgKind::Administrator, 20),
            org(5, None, OrgKind::Administrator, 30),
        ];
        assert_eq!(reviewer_of(&orgs, &orgs[1]), Some(1));
        assert_eq!(reviewer_of(&orgs, &orgs[3]), Some(3));
        assert_eq!(reviewer_of(&orgs, &orgs[4]), None);
    }
}
