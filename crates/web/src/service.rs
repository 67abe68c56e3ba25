//! Use cases shared by the pages and the API, each with its rights check, so that the web UI
//! and `/api/v1` refuse exactly the same things.

use crate::ctx::Principal;
use crate::error::{AppError, AppResult, import_error};
use chrono::NaiveDate;
use jospar_classification::{CodeKind, ImportSummary, YearRange, repo as ebk};
use jospar_org::repo::{self, User};
use jospar_org::{NewOrg, NewUser, Org, OrgChange, Right, UserChange};
use jospar_store::{AuditFilter, AuditRecord, Db};

/// Organisations the user may read, optionally matching a search.
pub async fn visible_orgs(db: &Db, p: &Principal, query: &str) -> AppResult<Vec<Org>> {
    let scope = p.scope(Right::Read);
    let ids = scope.ids();
    if query.trim().is_empty() {
        Ok(repo::all_orgs(db)
            .await?
            .into_iter()
            .filter(|o| scope.contains(o.id))
            .collect())
    } else {
        Ok(repo::search_orgs(db, query, Some(&ids), 500).await?)
    }
}

/// The name of an organisation in the language of `tr` (empty when it is gone), for the
/// headings of reports.
pub async fn org_name(db: &Db, tr: &crate::i18n::Tr, id: i64) -> AppResult<String> {
    Ok(repo::get_org(db, id)
        .await?
        .map(|o| o.name(tr.lang()).to_string())
        .unwrap_or_default())
}

pub async fn org(db: &Db, p: &Principal, id: i64) -> AppResult<Org> {
    let org = repo::get_org(db, id).await?.ok_or(AppError::NotFound)?;
    p.require(Right::Read, id)?;
    Ok(org)
}

pub async fn create_org(db: &Db, p: &Principal, new: NewOrg) -> AppResult<Org> {
    match new.parent_id {
        Some(parent) => {
            if !p.tree.contains(parent) {
                return Err(AppError::invalid("err-unknown-org", "parent_id"));
            }
            p.require(Right::Configure, parent)?;
        }
        None => p.require_system(Right::Configure)?,
    }
    let known = match new
        .abp_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(code) => ebk::exists_any_year(db, CodeKind::Abp, code).await?,
        None => false,
    };
    Ok(repo::create_org(db, &p.who(), new, known).await?)
}

pub async fn update_org(db: &Db, p: &Principal, id: i64, change: OrgChange) -> AppResult<Org> {
    if !p.tree.contains(id) {
        return Err(AppError::NotFound);
    }
    p.require(Right::Configure, id)?;
    if let Some(parent) = change.parent_id {
        if !p.tree.contains(parent) {
            return Err(AppError::invalid("err-unknown-org", "parent_id"));
        }
        p.require(Right::Configure, parent)?;
    }
    Ok(repo::update_org(db, &p.who(), id, change).await?)
}

/// Users of the organisations the caller configures.
pub async fn users(db: &Db, p: &Principal, query: &str) -> AppResult<Vec<User>> {
    let ids = p.scope(Right::Configure).ids();
    Ok(repo::users(db, query, Some(&ids)).await?)
}

pub async fn user(db: &Db, p: &Principal, id: i64) -> AppResult<User> {
    let user = repo::user_by_id(db, id).await?.ok_or(AppError::NotFound)?;
    p.require(Right::Configure, user.org_id)?;
    Ok(user)
}

pub async fn create_user(db: &Db, p: &Principal, new: NewUser) -> AppResult<User> {
    if !p.tree.contains(new.org_id) {
        return Err(AppError::invalid("err-unknown-org", "org_id"));
    }
    p.require(Right::Configure, new.org_id)?;
    Ok(repo::create_user(db, &p.who(), new).await?)
}

pub async fn update_user(db: &Db, p: &Principal, id: i64, change: UserChange) -> AppResult<User> {
    user(db, p, id).await?;
    if let Some(org) = change.org_id {
        if !p.tree.contains(org) {
            return Err(AppError::invalid("err-unknown-org", "org_id"));
        }
        p.require(Right::Configure, org)?;
    }
    Ok(repo::update_user(db, &p.who(), id, change).await?)
}

pub async fn grant(
    db: &Db,
    p: &Principal,
    user_id: i64,
    role: &str,
    org_id: i64,
    until: NaiveDate,
) -> AppResult<jospar_org::Grant> {
    user(db, p, user_id).await?;
    if !p.tree.contains(org_id) {
        return Err(AppError::invalid("err-unknown-org", "org_id"));
    }
    p.require(Right::Configure, org_id)?;
    Ok(repo::grant_role(db, &p.who(), user_id, role, org_id, until, p.today).await?)
}

pub async fn revoke(db: &Db, p: &Principal, user_id: i64, grant_id: i64) -> AppResult<()> {
    user(db, p, user_id).await?;
    Ok(repo::revoke_grant(db, &p.who(), user_id, grant_id).await?)
}

/// Audit entries of the organisations the caller reads; entries not bound to an organisation
/// (classification, budgets, calendar) are shown to system-wide readers only.
pub async fn audit(db: &Db, p: &Principal, mut filter: AuditFilter) -> AppResult<Vec<AuditRecord>> {
    if !p.can_system(Right::Read) {
        filter.org_ids = Some(p.scope(Right::Read).ids());
    }
    if filter.org_ids.as_ref().is_some_and(|ids| ids.is_empty()) {
        return Err(AppError::Forbidden);
    }
    Ok(db.audit_entries(&filter).await?)
}

pub async fn import_classification(
    db: &Db,
    p: &Principal,
    bytes: &[u8],
    years: Option<YearRange>,
    file_name: &str,
) -> AppResult<ImportSummary> {
    p.require_system(Right::Configure)?;
    let parsed = jospar_classification::parse(bytes, years).map_err(import_error)?;
    let source = format!("{file_name} ({})", parsed.format);
    Ok(jospar_classification::import_entries(db, &p.who(), &parsed.entries, &source).await?)
}

pub fn parse_years(from: &str, to: &str) -> AppResult<Option<YearRange>> {
    let parse = |v: &str, field: &str| -> AppResult<Option<i32>> {
        let v = v.trim();
        if v.is_empty() {
            return Ok(None);
        }
        v.parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .map(Some)
            .ok_or_else(|| AppError::invalid("err-year", field))
    };
    match (parse(from, "year_from")?, parse(to, "year_to")?) {
        (None, None) => Ok(None),
        (Some(f), None) => Ok(Some(YearRange::single(f))),
        (None, Some(t)) => Ok(Some(YearRange::single(t))),
        (Some(f), Some(t)) if t >= f => Ok(Some(YearRange { from: f, to: t })),
        _ => Err(AppError::invalid("err-year-order", "year_to")),
    }
}

pub fn parse_date(value: &str, field: &str) -> AppResult<NaiveDate> {
    let v = value.trim();
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(v, "%d.%m.%Y"))
        .map_err(|_| AppError::invalid("err-date", field))
}

pub fn parse_id(value: &str, field: &str) -> AppResult<i64> {
    value
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("err-required", field))
}
