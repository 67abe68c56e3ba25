//! Applications for targeted transfers from the republican budget (issue 22, seed 002): the
//! authorized body of a local budget asks for a transfer — its purpose, amount, the local
//! program it finances, the republican program it comes from, and the justification — and
//! sends it; the republican authority approves it (up to the amount asked) or refuses it, with
//! its reason. An approved transfer shows in both budgets: among the local budget's receipts
//! of transfers and the republican budget's transfers out (report `budget-transfers`).
//! Rules, storage and use cases of the one document together.

use chrono::{DateTime, Utc};
use jospar_access::{Error, Principal, Reader, Result};
use jospar_core::{Tenge, ids::new_id};
use jospar_org::{BudgetLevel, OrgKind, Right};
use jospar_store::{AuditEntry, Db, StoreError, Who, exec_tx, on_db};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = TransferStatus)]
pub enum Status {
    Draft,
    Sent,
    Approved,
    Refused,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Sent => "sent",
            Status::Approved => "approved",
            Status::Refused => "refused",
        }
    }

    fn from_code(code: &str) -> Status {
        match code {
            "sent" => Status::Sent,
            "approved" => Status::Approved,
            "refused" => Status::Refused,
            _ => Status::Draft,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = TransferApplication)]
pub struct Application {
    pub id: i64,
    pub applicant_org_id: i64,
    /// The local budget that receives the transfer.
    pub budget_id: i64,
    pub year: i32,
    pub purpose: String,
    pub amount: Tenge,
    /// The local administrator and program the transfer finances.
    pub abp: String,
    pub program: String,
    /// The republican administrator and program it comes from, as "ABP PROGRAM".
    pub source_program: String,
    pub justification: String,
    pub status: Status,
    /// The republican authority deciding (set when sent).
    pub reviewer_org_id: Option<i64>,
    pub approved_amount: Option<Tenge>,
    pub decision_reason: Option<String>,
    pub version: i64,
    pub created_by: String,
    pub sent_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// Working days the republican authority has to decide on a sent application (a deadline
/// this system sets: the seed names none).
pub const DECISION_DAYS: u32 = 10;

impl Application {
    /// The day the decision is due, once sent.
    pub fn decision_due(
        &self,
        calendar: &jospar_core::WorkingCalendar,
    ) -> Option<chrono::NaiveDate> {
        let sent = self.sent_at?.date_naive();
        Some(calendar.add_working_days(sent, DECISION_DAYS))
    }
}

/// What the applicant types.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = NewTransferApplication)]
pub struct NewApplication {
    pub applicant_org_id: i64,
    pub year: i32,
    pub purpose: String,
    pub amount_tiyn: i64,
    pub abp: String,
    pub program: String,
    pub source_program: String,
    pub justification: String,
}

/// The republican authority's decision: approved (with the amount, at most the one asked) or
/// refused; the reason is required when refusing or cutting the amount.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = TransferDecision)]
pub struct Decision {
    pub version: i64,
    pub approve: bool,
    #[serde(default)]
    pub amount_tiyn: Option<i64>,
    #[serde(default)]
    pub reason: String,
}

fn three_digits(text: &str) -> bool {
    text.len() == 3 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The fields of a new application, the first wrong one refused by name.
fn check_new(new: &NewApplication) -> Result<()> {
    if !(2000..=2100).contains(&new.year) {
        return Err(Error::invalid("err-transfer-year", "year"));
    }
    for (text, field) in [
        (&new.purpose, "purpose"),
        (&new.justification, "justification"),
    ] {
        if text.trim().is_empty() {
            return Err(Error::invalid("err-required", field));
        }
    }
    if new.amount_tiyn <= 0 {
        return Err(Error::invalid("err-transfer-amount", "amount"));
    }
    if !three_digits(new.abp.trim()) {
        return Err(Error::invalid("err-transfer-code", "abp"));
    }
    if !three_digits(new.program.trim()) {
        return Err(Error::invalid("err-transfer-code", "program"));
    }
    let source: Vec<&str> = new.source_program.split_whitespace().collect();
    if !(source.len() == 2 && source.iter().all(|c| three_digits(c))) {
        return Err(Error::invalid("err-transfer-source", "source_program"));
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    applicant_org_id: i64,
    budget_id: i64,
    year: i64,
    purpose: String,
    amount: i64,
    abp: String,
    program: String,
    source_program: String,
    justification: String,
    status: String,
    reviewer_org_id: Option<i64>,
    approved_amount: Option<i64>,
    decision_reason: Option<String>,
    version: i64,
    created_by: String,
    sent_at: Option<DateTime<Utc>>,
    decided_by: Option<String>,
    decided_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, applicant_org_id, budget_id, year, purpose, amount, abp, program, source_program, \
     justification, status, reviewer_org_id, approved_amount, decision_reason, version, created_by, sent_at, \
     decided_by, decided_at";

fn application_of(r: Row) -> Application {
    Application {
        id: r.id,
        applicant_org_id: r.applicant_org_id,
        budget_id: r.budget_id,
        year: i32::try_from(r.year).unwrap_or_default(),
        purpose: r.purpose,
        amount: Tenge::from_tiyn(r.amount),
        abp: r.abp,
        program: r.program,
        source_program: r.source_program,
        justification: r.justification,
        status: Status::from_code(&r.status),
        reviewer_org_id: r.reviewer_org_id,
        approved_amount: r.approved_amount.map(Tenge::from_tiyn),
        decision_reason: r.decision_reason,
        version: r.version,
        created_by: r.created_by,
        sent_at: r.sent_at,
        decided_by: r.decided_by,
        decided_at: r.decided_at,
    }
}

fn sql(e: sqlx::Error) -> Error {
    StoreError::Sql(e).into()
}

async fn stored(db: &Db) -> Result<Vec<Application>> {
    let query = format!("SELECT {COLUMNS} FROM transfer_applications ORDER BY year DESC, id DESC");
    let rows: Vec<Row> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(query.clone()))
        .fetch_all(pool).await)
    .map_err(sql)?;
    Ok(rows.into_iter().map(application_of).collect())
}

/// Whether the reader sees an application: the applicant's side or the reviewer's.
fn reads(reader: &Reader<'_>, a: &Application) -> bool {
    reader.can_read(a.applicant_org_id) || a.reviewer_org_id.is_some_and(|r| reader.can_read(r))
}

/// The applications the reader sees, newest year first.
pub async fn applications(db: &Db, reader: &Reader<'_>) -> Result<Vec<Application>> {
    Ok(stored(db)
        .await?
        .into_iter()
        .filter(|a| reads(reader, a))
        .collect())
}

pub async fn application(db: &Db, reader: &Reader<'_>, id: i64) -> Result<Application> {
    let a = stored(db)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(Error::NotFound)?;
    if !reads(reader, &a) {
        return Err(Error::Forbidden);
    }
    Ok(a)
}

/// The organisations that may apply: the authorized bodies of local budgets where the user
/// enters data.
pub async fn applicants(db: &Db, p: &Principal) -> Result<Vec<jospar_org::Org>> {
    let budgets = jospar_org::repo::budgets(db).await?;
    let local = |budget: i64| {
        budgets
            .iter()
            .any(|b| b.id == budget && b.level != BudgetLevel::Republican)
    };
    Ok(jospar_org::repo::all_orgs(db)
        .await?
        .into_iter()
        .filter(|o| o.kind == OrgKind::AuthorizedBody && local(o.budget_id))
        .filter(|o| p.can(Right::Enter, o.id))
        .collect())
}

/// The republican authority that decides on transfers.
async fn reviewer(db: &Db) -> Result<i64> {
    let budgets = jospar_org::repo::budgets(db).await?;
    jospar_org::repo::all_orgs(db)
        .await?
        .into_iter()
        .find(|o| {
            o.kind == OrgKind::AuthorizedBody
                && budgets
                    .iter()
                    .any(|b| b.id == o.budget_id && b.level == BudgetLevel::Republican)
        })
        .map(|o| o.id)
        .ok_or_else(|| Error::invalid("err-transfer-no-reviewer", "applicant_org_id"))
}

/// The audit row of a step of an application.
fn entry<'a>(
    who: &'a Who,
    a: &Application,
    action: &'a str,
    old: serde_json::Value,
) -> AuditEntry<'a> {
    AuditEntry {
        who,
        org_id: Some(a.applicant_org_id),
        entity: "transfer_application",
        entity_id: a.id.to_string(),
        action,
        old_value: Some(old),
        new_value: Some(json!(a)),
        reason: a.decision_reason.clone(),
    }
}

/// What the user may do with an application now: send its draft (the applicant), decide on
/// it once sent (the republican authority). The use cases check them again.
pub fn actions(p: &Principal, a: &Application) -> (bool, bool) {
    let send = a.status == Status::Draft && p.can(Right::Enter, a.applicant_org_id);
    let decide =
        a.status == Status::Sent && a.reviewer_org_id.is_some_and(|r| p.can(Right::Approve, r));
    (send, decide)
}

/// A draft application of a local budget's authorized body.
pub async fn create(db: &Db, p: &Principal, new: NewApplication) -> Result<Application> {
    if !applicants(db, p)
        .await?
        .iter()
        .any(|o| o.id == new.applicant_org_id)
    {
        return Err(Error::Forbidden);
    }
    check_new(&new)?;
    let org = jospar_org::repo::get_org(db, new.applicant_org_id)
        .await?
        .ok_or(Error::NotFound)?;
    let a = Application {
        id: new_id(),
        applicant_org_id: org.id,
        budget_id: org.budget_id,
        year: new.year,
        purpose: new.purpose.trim().into(),
        amount: Tenge::from_tiyn(new.amount_tiyn),
        abp: new.abp.trim().into(),
        program: new.program.trim().into(),
        source_program: new
            .source_program
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        justification: new.justification.trim().into(),
        status: Status::Draft,
        reviewer_org_id: None,
        approved_amount: None,
        decision_reason: None,
        version: 1,
        created_by: p.user.login.clone(),
        sent_at: None,
        decided_by: None,
        decided_at: None,
    };
    let who = p.who();
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO transfer_applications (id, applicant_org_id, budget_id, year, purpose, amount, abp, program, \
         source_program, justification, status, version, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'draft', 1, $11, $12)")
        .bind(a.id).bind(a.applicant_org_id).bind(a.budget_id).bind(i64::from(a.year)).bind(&a.purpose)
        .bind(a.amount.tiyn()).bind(&a.abp).bind(&a.program).bind(&a.source_program).bind(&a.justification)
        .bind(&a.created_by).bind(Utc::now())
        .execute(conn).await)
    .map_err(sql)?;
    tx.audit(AuditEntry {
        who: &who,
        org_id: Some(a.applicant_org_id),
        entity: "transfer_application",
        entity_id: a.id.to_string(),
        action: "create",
        old_value: None,
        new_value: Some(json!(a)),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(a)
}

/// Sends a draft to the republican authority.
pub async fn send(db: &Db, p: &Principal, id: i64, version: i64) -> Result<Application> {
    let reader = Reader::User(p);
    let current = application(db, &reader, id).await?;
    p.require(Right::Enter, current.applicant_org_id)?;
    if current.status != Status::Draft {
        return Err(Error::invalid("err-transfer-status", "status"));
    }
    let reviewer = reviewer(db).await?;
    let now = Utc::now();
    let sent = Application {
        status: Status::Sent,
        reviewer_org_id: Some(reviewer),
        sent_at: Some(now),
        version: version + 1,
        ..current.clone()
    };
    let who = p.who();
    let mut tx = db.begin().await?;
    let changed = exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE transfer_applications SET status = 'sent', reviewer_org_id = $1, sent_at = $2, version = version + 1 \
         WHERE id = $3 AND version = $4 AND status = 'draft'")
        .bind(reviewer).bind(now).bind(id).bind(version).execute(conn).await)
    .map_err(sql)?;
    if changed == 0 {
        return Err(Error::Stale);
    }
    tx.audit(entry(&who, &sent, "send", json!({"status": "draft"})))
        .await?;
    tx.commit().await?;
    application(db, &reader, id).await
}

/// The republican authority approves (up to the amount asked) or refuses a sent application.
pub async fn decide(db: &Db, p: &Principal, id: i64, decision: &Decision) -> Result<Application> {
    let reader = Reader::User(p);
    let current = application(db, &reader, id).await?;
    let reviewer = current.reviewer_org_id.ok_or(Error::Forbidden)?;
    p.require(Right::Approve, reviewer)?;
    if current.status != Status::Sent {
        return Err(Error::invalid("err-transfer-status", "status"));
    }
    let reason = decision.reason.trim().to_string();
    let amount = match decision.approve {
        true => Tenge::from_tiyn(decision.amount_tiyn.unwrap_or(current.amount.tiyn())),
        false => Tenge::ZERO,
    };
    if decision.approve && (amount <= Tenge::ZERO || amount > current.amount) {
        return Err(Error::invalid("err-transfer-approved-amount", "amount"));
    }
    if (!decision.approve || amount < current.amount) && reason.is_empty() {
        return Err(Error::invalid("err-required", "reason"));
    }
    let status = if decision.approve {
        Status::Approved
    } else {
        Status::Refused
    };
    let now = Utc::now();
    let decided = Application {
        status,
        approved_amount: decision.approve.then_some(amount),
        decision_reason: Some(reason.clone()).filter(|r| !r.is_empty()),
        decided_by: Some(p.user.login.clone()),
        decided_at: Some(now),
        version: decision.version + 1,
        ..current.clone()
    };
    let who = p.who();
    let mut tx = db.begin().await?;
    let changed = exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE transfer_applications SET status = $1, approved_amount = $2, decision_reason = $3, \
         decided_by = $4, decided_at = $5, version = version + 1 \
         WHERE id = $6 AND version = $7 AND status = 'sent'")
        .bind(status.code()).bind(decided.approved_amount.map(|a| a.tiyn()))
        .bind(&decided.decision_reason).bind(&who.login).bind(now).bind(id).bind(decision.version)
        .execute(conn).await)
    .map_err(sql)?;
    if changed == 0 {
        return Err(Error::Stale);
    }
    let action = if decision.approve {
        "approve"
    } else {
        "refuse"
    };
    tx.audit(entry(&who, &decided, action, json!({"status": "sent"})))
        .await?;
    tx.commit().await?;
    application(db, &reader, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new() -> NewApplication {
        NewApplication {
            applicant_org_id: 1,
            year: 2027,
            purpose: "Капитальный ремонт школы".into(),
            amount_tiyn: 100,
            abp: "261".into(),
            program: "003".into(),
            source_program: "225 099".into(),
            justification: "Аварийное состояние".into(),
        }
    }

    fn refused(a: NewApplication) -> Option<String> {
        match check_new(&a) {
            Err(Error::Invalid { field, .. }) => field,
            _ => None,
        }
    }

    #[test]
    fn each_field_of_an_application_is_checked_by_name() {
        assert!(check_new(&new()).is_ok());
        let cases: [(NewApplication, &str); 6] = [
            (
                NewApplication {
                    purpose: " ".into(),
                    ..new()
                },
                "purpose",
            ),
            (
                NewApplication {
                    amount_tiyn: 0,
                    ..new()
                },
                "amount",
            ),
            (
                NewApplication {
                    abp: "26".into(),
                    ..new()
                },
                "abp",
            ),
            (
                NewApplication {
                    program: "x03".into(),
                    ..new()
                },
                "program",
            ),
            (
                NewApplication {
                    source_program: "225".into(),
                    ..new()
                },
                "source_program",
            ),
            (
                NewApplication {
                    justification: String::new(),
                    ..new()
                },
                "justification",
            ),
        ];
        for (case, field) in cases {
            assert_eq!(refused(case).as_deref(), Some(field));
        }
    }
}
