//! Individual financing plans (EX-1, EX-2, EX-6) for the API: made from an institution's
//! approved budget request, shaped month by month as a draft, approved by the authorised
//! person of the organisation above, then changed only by dated documents with a reason.

use crate::ctx::Principal;
use crate::error::{AppError, AppResult};
use jospar_execution::plans::{self, Plan, PlanRefusal};
use jospar_execution::{ChangeDoc, ChangeError, PlanError, PlanLine, even_months};
use jospar_org::Right;
use jospar_planning::Status;
use jospar_store::Db;

fn invalid(key: &'static str, args: Vec<(&'static str, String)>, field: &str) -> AppError {
    AppError::Invalid {
        key,
        args,
        field: Some(field.to_string()),
    }
}

fn rules_error(e: PlanError, index: Option<usize>) -> AppError {
    let field = |line: &str, month: usize| match index {
        Some(i) => format!("moves[{i}]: {line}, month {month}"),
        None => format!("{line}, month {month}"),
    };
    match e {
        PlanError::AnnualTotal {
            line,
            basis,
            months,
            approved,
        } => invalid(
            "err-plan-annual",
            vec![
                ("line", line.clone()),
                ("basis", format!("{basis:?}").to_lowercase()),
                ("months", months.to_string()),
                ("approved", approved.to_string()),
            ],
            &line,
        ),
        PlanError::PaymentsAhead {
            line,
            month,
            obligations,
            payments,
        } => invalid(
            "err-plan-ahead",
            vec![
                ("line", line.clone()),
                ("month", month.to_string()),
                ("obligations", obligations.to_string()),
                ("payments", payments.to_string()),
            ],
            &field(&line, month),
        ),
        PlanError::Negative {
            line,
            month,
            amount,
        } => invalid(
            "err-plan-negative",
            vec![
                ("line", line.clone()),
                ("month", month.to_string()),
                ("amount", amount.to_string()),
            ],
            &field(&line, month),
        ),
        PlanError::NotEnough {
            line,
            month,
            amount,
        } => invalid(
            "err-plan-not-enough",
            vec![
                ("line", line.clone()),
                ("month", month.to_string()),
                ("amount", amount.to_string()),
            ],
            &field(&line, month),
        ),
    }
}

fn refusal(e: PlanRefusal) -> AppError {
    match e {
        PlanRefusal::Repo(r) => match r {
            jospar_execution::repo::RepoError::Store(s) => s.into(),
            other => AppError::Internal(other.to_string()),
        },
        PlanRefusal::Rules(e) => rules_error(e, None),
        PlanRefusal::Change(ChangeError::Plan { index, error }) => rules_error(error, Some(index)),
        PlanRefusal::Change(ChangeError::NoReason) => AppError::invalid("err-required", "reason"),
        PlanRefusal::Change(ChangeError::NoMoves) => AppError::invalid("err-required", "moves"),
        PlanRefusal::Change(ChangeError::UnknownLine { index, expense_id }) => invalid(
            "err-plan-unknown-line",
            vec![("expense_id", expense_id.to_string())],
            &format!("moves[{index}]"),
        ),
        PlanRefusal::Change(ChangeError::BadMonth { index, month }) => invalid(
            "err-plan-month",
            vec![("month", month.to_string())],
            &format!("moves[{index}]"),
        ),
        PlanRefusal::Change(ChangeError::NotPositive { index }) => {
            AppError::invalid("err-plan-amount", &format!("moves[{index}]"))
        }
        PlanRefusal::Stale => AppError::Stale,
        PlanRefusal::WrongStatus(s) => invalid(
            "err-plan-status",
            vec![("status", s.code().to_string())],
            "status",
        ),
        PlanRefusal::Exists => AppError::invalid("err-plan-exists", "year"),
    }
}

/// A plan the caller may read.
pub async fn readable(db: &Db, p: &Principal, id: i64) -> AppResult<Plan> {
    let plan = plans::plan(db, id)
        .await
        .map_err(|e| refusal(e.into()))?
        .ok_or(AppError::NotFound)?;
    p.require(Right::Read, plan.org_id)?;
    Ok(plan)
}

/// The plans of the organisations the caller may read: (id, organisation, year).
pub async fn list(db: &Db, p: &Principal) -> AppResult<Vec<(i64, i64, i64)>> {
    Ok(plans::plan_ids(db)
        .await
        .map_err(|e| refusal(e.into()))?
        .into_iter()
        .filter(|(_, org, _)| p.can(Right::Read, *org))
        .collect())
}

/// A draft plan of the year from the institution's approved request: each line's annual
/// amount spread evenly over the months, by obligations and by payments alike.
pub async fn create_from_request(
    db: &Db,
    p: &Principal,
    request_id: i64,
    year: i32,
) -> AppResult<Plan> {
    let request = jospar_planning::repo::request(db, request_id)
        .await?
        .ok_or_else(|| AppError::invalid("err-unknown-value", "request_id"))?;
    p.require(Right::Enter, request.org_id)?;
    if request.status != Status::Approved {
        return Err(AppError::invalid("err-plan-request", "request_id"));
    }
    let lines: Vec<PlanLine> = jospar_planning::repo::lines(db, request_id)
        .await?
        .into_iter()
        .filter_map(|l| {
            let approved = *l.amounts.get(&year)?;
            (approved.tiyn() != 0).then(|| PlanLine {
                expense_id: l.expense_id,
                program: l.program,
                subprogram: l.subprogram,
                specific: l.specific,
                approved,
                obligations: even_months(approved),
                payments: even_months(approved),
            })
        })
        .collect();
    if lines.is_empty() {
        return Err(AppError::invalid("err-plan-no-lines", "year"));
    }
    plans::create_plan(db, &p.who(), request.org_id, request_id, year, &lines)
        .await
        .map_err(refusal)
}

/// Saves a draft's months; the lines (codes, approved amounts) stay those of the request.
pub async fn save_months(
    db: &Db,
    p: &Principal,
    id: i64,
    version: i64,
    months: &[PlanLine],
) -> AppResult<Plan> {
    let plan = readable(db, p, id).await?;
    p.require(Right::Enter, plan.org_id)?;
    let mut lines = plan.lines.clone();
    for given in months {
        let line = lines
            .iter_mut()
            .find(|l| l.expense_id == given.expense_id)
            .ok_or_else(|| {
                invalid(
                    "err-plan-unknown-line",
                    vec![("expense_id", given.expense_id.to_string())],
                    "lines",
                )
            })?;
        line.obligations = given.obligations;
        line.payments = given.payments;
    }
    plans::save_lines(db, &p.who(), &plan, version, &lines)
        .await
        .map_err(refusal)
}

/// Approves a draft: the approve right on the organisation above the institution (its
/// administrator), or on the institution itself when it has none.
pub async fn approve(db: &Db, p: &Principal, id: i64, version: i64) -> AppResult<Plan> {
    let plan = readable(db, p, id).await?;
    let approver = p
        .tree
        .ancestors(plan.org_id)
        .first()
        .copied()
        .unwrap_or(plan.org_id);
    p.require(Right::Approve, approver)?;
    plans::approve(db, &p.who(), &plan, version)
        .await
        .map_err(refusal)
}

/// Adds a dated change document to an approved plan.
pub async fn add_change(db: &Db, p: &Principal, id: i64, doc: ChangeDoc) -> AppResult<Plan> {
    let plan = readable(db, p, id).await?;
    p.require(Right::Enter, plan.org_id)?;
    plans::add_change(db, &p.who(), &plan, doc)
        .await
        .map_err(refusal)
}
