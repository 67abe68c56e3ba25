//! Oversight access for the pages and the API (issue 6; OV-3, OV-4): the integrator — a system
//! administrator — grants an employee of a representative or audit body read-only access by
//! the competence table for one calendar year, and blocks it when the employer says the
//! employee has left.

use crate::ctx::Principal;
use crate::error::{AppError, AppResult};
use jospar_org::{BudgetLevel, Right, Role};
use jospar_oversight::repo::{self, Access, AccessError};
use jospar_oversight::{BodyKind, CompetenceError, OrgFacts, competence_roots, valid_until};
use jospar_store::Db;

fn access_error(e: AccessError) -> AppError {
    match e {
        AccessError::Store(s) => s.into(),
        AccessError::Blocked => AppError::invalid("err-oversight-blocked", "id"),
        AccessError::Corrupt(id) => AppError::Internal(format!("oversight access {id}")),
    }
}

fn competence_error(e: CompetenceError) -> AppError {
    let key = match e {
        CompetenceError::NeedsRegion => "err-oversight-needs-region",
        CompetenceError::NotARegion(_) => "err-oversight-not-region",
        CompetenceError::NeedsBody => "err-oversight-needs-body",
        CompetenceError::NotACentralBody(_) => "err-oversight-not-central",
        CompetenceError::NoPoliceAdministrator => "err-oversight-no-police",
    };
    AppError::invalid(key, "anchor_org_id")
}

/// Every access granted, for the integrator.
pub async fn list(db: &Db, p: &Principal) -> AppResult<Vec<Access>> {
    p.require_system(Right::Configure)?;
    repo::accesses(db).await.map_err(access_error)
}

/// The organisations as the competence table sees them.
async fn org_facts(db: &Db) -> AppResult<Vec<OrgFacts>> {
    let budgets = jospar_org::repo::budgets(db).await?;
    Ok(jospar_org::repo::all_orgs(db)
        .await?
        .into_iter()
        .map(|o| OrgFacts {
            id: o.id,
            parent_id: o.parent_id,
            republican: budgets
                .iter()
                .any(|b| b.id == o.budget_id && b.level == BudgetLevel::Republican),
            abp_code: o.abp_code,
        })
        .collect())
}

/// Grants an employee of a body of `kind` read-only access by the competence table, from today
/// for one calendar year. The employee must hold no right to enter or approve anything: the
/// access is read-only whatever else the account could do.
pub async fn grant(
    db: &Db,
    p: &Principal,
    user_id: i64,
    kind: &str,
    anchor: Option<i64>,
) -> AppResult<Access> {
    p.require_system(Right::Configure)?;
    let kind = BodyKind::from_code(kind).ok_or_else(|| AppError::Invalid {
        key: "err-unknown-value",
        args: vec![("field", "kind".into()), ("value", kind.into())],
        field: Some("kind".into()),
    })?;
    jospar_org::repo::user_by_id(db, user_id)
        .await?
        .ok_or_else(|| AppError::invalid("err-oversight-no-user", "user_id"))?;
    let writes = jospar_org::repo::grants_of(db, user_id)
        .await?
        .into_iter()
        .any(|g| g.is_active(p.today) && g.role != Role::Auditor);
    if writes {
        return Err(AppError::invalid("err-oversight-writer", "user_id"));
    }
    let roots = competence_roots(kind, anchor, &org_facts(db).await?).map_err(competence_error)?;
    repo::grant(
        db,
        &p.who(),
        user_id,
        kind,
        anchor,
        &roots,
        valid_until(p.today),
    )
    .await
    .map_err(access_error)
}

/// Blocks an access at the employer's request (the employee left), with the reason.
pub async fn block(db: &Db, p: &Principal, id: i64, reason: &str) -> AppResult<Access> {
    p.require_system(Right::Configure)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid("err-required", "reason"));
    }
    repo::access(db, id)
        .await
        .map_err(access_error)?
        .ok_or(AppError::NotFound)?;
    repo::block(db, &p.who(), id, reason)
        .await
        .map_err(access_error)
}
