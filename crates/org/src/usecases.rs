//! The use cases of organisations, users and the audit log (P-1…P-4), each with its rights
//! check, so that the pages, the API and the command line refuse exactly the same things.

use crate::repo::{self, RepoError, User};
use crate::{NewOrg, NewUser, Org, OrgChange, OrgError, Right, UserChange, UserError};
use chrono::NaiveDate;
use jospar_access::{Error, Principal, Result};
use jospar_classification::{CodeKind, repo as ebk};
use jospar_core::DayKind;
use jospar_i18n::Lang;
use jospar_store::{AuditFilter, AuditRecord, Db};

/// Organisations the user may read, optionally matching a search; refused to a user who reads
/// none.
pub async fn visible_orgs(db: &Db, p: &Principal, query: &str) -> Result<Vec<Org>> {
    let scope = p.scope(Right::Read);
    if scope.is_empty() {
        return Err(Error::Forbidden);
    }
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

/// Filters of the organisations list (issue 20); every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgFilter {
    /// This organisation and everything below it.
    pub within: Option<i64>,
    pub kind: Option<crate::OrgKind>,
    /// `Some(true)`: closed only; `Some(false)`: working only.
    pub closed: Option<bool>,
}

/// A row of the organisations list: the organisation, its depth in the tree (0 when the list
/// is searched or sorted, and so flat) and its name in the reader's language.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OrgListRow {
    #[serde(flatten)]
    pub org: Org,
    pub depth: usize,
    #[serde(skip)]
    pub name: String,
}

impl jospar_core::listing::Listable for OrgListRow {
    fn search_text(&self) -> String {
        format!(
            "{} {} {} {}",
            self.org.name_ru,
            self.org.name_kk,
            self.org.abp_code.as_deref().unwrap_or_default(),
            self.org.bin.as_deref().unwrap_or_default()
        )
    }

    fn sort_key(&self, column: &str) -> Option<jospar_core::listing::SortKey> {
        use jospar_core::listing::SortKey;
        Some(match column {
            "name" => SortKey::text(&self.name),
            "code" => SortKey::Text(self.org.abp_code.clone().unwrap_or_default()),
            "kind" => SortKey::Text(self.org.kind.code().into()),
            "scenario" => SortKey::Text(self.org.scenario.code().into()),
            _ => return None,
        })
    }
}

/// The organisations list (issue 20): the organisations the caller reads, in tree order
/// (each under its parent) unless searched or sorted, filtered and cut to a page.
pub async fn list_orgs(
    db: &Db,
    p: &Principal,
    lang: Lang,
    filter: &OrgFilter,
    query: &jospar_core::listing::ListQuery,
) -> Result<jospar_core::listing::Listed<OrgListRow>> {
    let orgs = visible_orgs(db, p, "").await?;
    let within: Option<std::collections::HashSet<i64>> = filter
        .within
        .map(|root| p.tree.subtree(root).into_iter().collect());
    let kept: Vec<Org> = orgs
        .into_iter()
        .filter(|o| within.as_ref().is_none_or(|ids| ids.contains(&o.id)))
        .filter(|o| filter.kind.is_none_or(|k| k == o.kind))
        .filter(|o| filter.closed.is_none_or(|c| c == o.closed_on.is_some()))
        .collect();
    let flat = !query.q.trim().is_empty() || query.sort.is_some();
    let rows = in_tree_order(kept)
        .into_iter()
        .map(|(org, depth)| OrgListRow {
            name: org.name(lang.code()).to_string(),
            depth: if flat { 0 } else { depth },
            org,
        })
        .collect();
    Ok(jospar_core::listing::list(rows, query))
}

/// Depth-first order, each organisation under its parent; the roots are those whose parent is
/// not among them.
fn in_tree_order(orgs: Vec<Org>) -> Vec<(Org, usize)> {
    let present: std::collections::HashSet<i64> = orgs.iter().map(|o| o.id).collect();
    let mut children: std::collections::HashMap<Option<i64>, Vec<Org>> =
        std::collections::HashMap::new();
    for org in orgs {
        let parent = org.parent_id.filter(|p| present.contains(p));
        children.entry(parent).or_default().push(org);
    }
    let mut out = Vec::with_capacity(present.len());
    let mut stack: Vec<(Org, usize)> = children
        .remove(&None)
        .unwrap_or_default()
        .into_iter()
        .rev()
        .map(|o| (o, 0))
        .collect();
    while let Some((org, depth)) = stack.pop() {
        if let Some(below) = children.remove(&Some(org.id)) {
            stack.extend(below.into_iter().rev().map(|c| (c, depth + 1)));
        }
        out.push((org, depth));
    }
    out
}

/// The name of an organisation in the language of `tr` (empty when it is gone), for the
/// headings of reports.
pub async fn org_name(db: &Db, lang: Lang, id: i64) -> Result<String> {
    Ok(repo::get_org(db, id)
        .await?
        .map(|o| o.name(lang.code()).to_string())
        .unwrap_or_default())
}

pub async fn org(db: &Db, p: &Principal, id: i64) -> Result<Org> {
    let org = repo::get_org(db, id).await?.ok_or(Error::NotFound)?;
    p.require(Right::Read, id)?;
    Ok(org)
}

/// Organisations among `orgs` on which the caller holds `right`: the choices of a form's
/// select, so that a form never offers what its use case would refuse.
pub fn orgs_with<'a>(
    p: &Principal,
    right: Right,
    orgs: impl IntoIterator<Item = &'a Org>,
) -> Vec<&'a Org> {
    orgs.into_iter().filter(|o| p.can(right, o.id)).collect()
}

/// Whether the caller may create a top-level organisation (a new root of the tree).
pub fn may_create_root(p: &Principal) -> bool {
    p.can_system(Right::Configure)
}

/// Whether the caller may change an organisation's card, move or close it.
pub fn may_configure(p: &Principal, id: i64) -> bool {
    p.can(Right::Configure, id)
}

/// Refuses a caller who may not create an organisation under `parent` (or at the top).
pub fn require_create_under(p: &Principal, parent: Option<i64>) -> Result<()> {
    match parent {
        Some(parent) => {
            if !p.tree.contains(parent) {
                return Err(Error::invalid("err-unknown-org", "parent_id"));
            }
            p.require(Right::Configure, parent)
        }
        None => p.require_system(Right::Configure),
    }
}

/// Where an organisation may be moved: open organisations the caller configures, outside its
/// own subtree, whose kind accepts it.
pub fn move_targets<'a>(p: &Principal, org: &Org, all: &'a [Org]) -> Vec<&'a Org> {
    let subtree = p.tree.subtree(org.id);
    all.iter()
        .filter(|o| !subtree.contains(&o.id) && o.closed_on.is_none())
        .filter(|o| p.can(Right::Configure, o.id))
        .filter(|o| o.kind.allowed_children().contains(&org.kind))
        .collect()
}

pub async fn create_org(db: &Db, p: &Principal, new: NewOrg) -> Result<Org> {
    require_create_under(p, new.parent_id)?;
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

pub async fn update_org(db: &Db, p: &Principal, id: i64, change: OrgChange) -> Result<Org> {
    if !p.tree.contains(id) {
        return Err(Error::NotFound);
    }
    p.require(Right::Configure, id)?;
    if let Some(parent) = change.parent_id {
        if !p.tree.contains(parent) {
            return Err(Error::invalid("err-unknown-org", "parent_id"));
        }
        p.require(Right::Configure, parent)?;
    }
    Ok(repo::update_org(db, &p.who(), id, change).await?)
}

/// Refuses a caller who configures no organisation, and so manages no user.
pub fn require_user_manager(p: &Principal) -> Result<()> {
    if p.scope(Right::Configure).is_empty() {
        return Err(Error::Forbidden);
    }
    Ok(())
}

/// Users of the organisations the caller configures.
pub async fn users(db: &Db, p: &Principal, query: &str) -> Result<Vec<User>> {
    require_user_manager(p)?;
    let ids = p.scope(Right::Configure).ids();
    Ok(repo::users(db, query, Some(&ids)).await?)
}

/// Filters of the users list (issue 20); every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// Users of this organisation and of everything below it.
    pub within: Option<i64>,
    /// `Some(true)`: blocked only; `Some(false)`: active only.
    pub blocked: Option<bool>,
}

/// A row of the users list: the user and the name of the user's organisation.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct UserListRow {
    #[serde(flatten)]
    pub user: User,
    pub org_name: String,
}

impl jospar_core::listing::Listable for UserListRow {
    fn search_text(&self) -> String {
        format!(
            "{} {} {} {}",
            self.user.login, self.user.iin, self.user.full_name, self.org_name
        )
    }

    fn sort_key(&self, column: &str) -> Option<jospar_core::listing::SortKey> {
        use jospar_core::listing::SortKey;
        Some(match column {
            "login" => SortKey::Text(self.user.login.clone()),
            "name" => SortKey::text(&self.user.full_name),
            "iin" => SortKey::Text(self.user.iin.clone()),
            "org" => SortKey::text(&self.org_name),
            "state" => SortKey::Number(i64::from(self.user.blocked)),
            _ => return None,
        })
    }
}

/// The users list (issue 20): the users of the organisations the caller configures, by login
/// unless sorted, filtered and cut to a page.
pub async fn list_users(
    db: &Db,
    p: &Principal,
    lang: Lang,
    filter: &UserFilter,
    query: &jospar_core::listing::ListQuery,
) -> Result<jospar_core::listing::Listed<UserListRow>> {
    let names: std::collections::HashMap<i64, String> = repo::org_names(db, lang.code()).await?;
    let within: Option<std::collections::HashSet<i64>> = filter
        .within
        .map(|root| p.tree.subtree(root).into_iter().collect());
    let rows = users(db, p, "")
        .await?
        .into_iter()
        .filter(|u| within.as_ref().is_none_or(|ids| ids.contains(&u.org_id)))
        .filter(|u| filter.blocked.is_none_or(|b| b == u.blocked))
        .map(|user| UserListRow {
            org_name: names.get(&user.org_id).cloned().unwrap_or_default(),
            user,
        })
        .collect();
    Ok(jospar_core::listing::list(rows, query))
}

pub async fn user(db: &Db, p: &Principal, id: i64) -> Result<User> {
    let user = repo::user_by_id(db, id).await?.ok_or(Error::NotFound)?;
    p.require(Right::Configure, user.org_id)?;
    Ok(user)
}

pub async fn create_user(db: &Db, p: &Principal, new: NewUser) -> Result<User> {
    if !p.tree.contains(new.org_id) {
        return Err(Error::invalid("err-unknown-org", "org_id"));
    }
    p.require(Right::Configure, new.org_id)?;
    Ok(repo::create_user(db, &p.who(), new).await?)
}

pub async fn update_user(db: &Db, p: &Principal, id: i64, change: UserChange) -> Result<User> {
    user(db, p, id).await?;
    if let Some(org) = change.org_id {
        if !p.tree.contains(org) {
            return Err(Error::invalid("err-unknown-org", "org_id"));
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
    module: &str,
) -> Result<crate::Grant> {
    user(db, p, user_id).await?;
    if !p.tree.contains(org_id) {
        return Err(Error::invalid("err-unknown-org", "org_id"));
    }
    // Empty or "all": every module (issue 20).
    let module = match module.trim() {
        "" | "all" => None,
        code => Some(
            jospar_access::Module::from_code(code)
                .ok_or_else(|| Error::invalid("err-unknown-module", "module"))?,
        ),
    };
    p.require(Right::Configure, org_id)?;
    let new = repo::NewGrant {
        role,
        org_id,
        valid_until: until,
        module,
    };
    Ok(repo::grant_role(db, &p.who(), user_id, new, p.today).await?)
}

pub async fn revoke(db: &Db, p: &Principal, user_id: i64, grant_id: i64) -> Result<()> {
    user(db, p, user_id).await?;
    Ok(repo::revoke_grant(db, &p.who(), user_id, grant_id).await?)
}

/// Whether the caller may change the working-day calendar, reference data of the whole system.
pub fn may_edit_calendar(p: &Principal) -> bool {
    p.can_system(Right::Configure)
}

/// Sets the kind of one day of the working-day calendar (a holiday, a moved day off …).
pub async fn set_calendar_day(
    db: &Db,
    p: &Principal,
    day: NaiveDate,
    kind: &str,
    note: &str,
) -> Result<()> {
    p.require_system(Right::Configure)?;
    let kind = match DayKind::from_code(kind.trim()) {
        Some(kind) => kind,
        None if kind.trim().is_empty() => return Err(Error::invalid("err-required", "kind")),
        None => {
            return Err(Error::Invalid {
                key: "err-unknown-value",
                args: vec![("field", "kind".into()), ("value", kind.to_string())],
                field: Some("kind".into()),
            });
        }
    };
    db.set_calendar_day(&p.who(), day, kind, note.trim())
        .await?;
    Ok(())
}

/// Removes a day's override; `NotFound` when the day had none.
pub async fn delete_calendar_day(db: &Db, p: &Principal, day: NaiveDate) -> Result<()> {
    p.require_system(Right::Configure)?;
    if db.delete_calendar_day(&p.who(), day).await? {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

/// Audit entries of the organisations the caller reads; entries not bound to an organisation
/// (classification, budgets, calendar) are shown to system-wide readers only.
pub async fn audit(db: &Db, p: &Principal, filter: AuditFilter) -> Result<Vec<AuditRecord>> {
    Ok(db.audit_entries(&scoped(p, filter)?).await?)
}

/// A page of the audit log and how many entries the filter finds on every page (issue 20).
pub async fn audit_page(
    db: &Db,
    p: &Principal,
    filter: AuditFilter,
) -> Result<(Vec<AuditRecord>, i64)> {
    let filter = scoped(p, filter)?;
    Ok((
        db.audit_entries(&filter).await?,
        db.audit_count(&filter).await?,
    ))
}

/// The filter narrowed to the reader's scope: everything for a reader of the whole system,
/// otherwise the organisations the reader reads; refused to one who reads none.
fn scoped(p: &Principal, mut filter: AuditFilter) -> Result<AuditFilter> {
    if !p.can_system(Right::Read) {
        filter.org_ids = Some(p.scope(Right::Read).ids());
    }
    if filter.org_ids.as_ref().is_some_and(|ids| ids.is_empty()) {
        return Err(Error::Forbidden);
    }
    Ok(filter)
}

// ---------- refusals ----------

impl From<RepoError<OrgError>> for Error {
    fn from(e: RepoError<OrgError>) -> Self {
        match e {
            RepoError::Store(s) => s.into(),
            RepoError::Domain(d) => org_error(d),
        }
    }
}

impl From<RepoError<UserError>> for Error {
    fn from(e: RepoError<UserError>) -> Self {
        match e {
            RepoError::Store(s) => s.into(),
            RepoError::Domain(d) => user_error(d),
        }
    }
}

pub fn org_error(e: OrgError) -> Error {
    match e {
        OrgError::Required { field } => Error::invalid_with("err-required", field, vec![]),
        OrgError::UnknownKind(v) => {
            Error::invalid_with("err-unknown-value", "kind", vec![("value", v)])
        }
        OrgError::UnknownScenario(v) => {
            Error::invalid_with("err-unknown-value", "scenario", vec![("value", v)])
        }
        OrgError::UnknownParent => Error::invalid_with("err-unknown-org", "parent_id", vec![]),
        OrgError::UnknownBudget => Error::invalid_with("err-unknown-budget", "budget_id", vec![]),
        OrgError::KindNotAllowed { parent, child } => Error::invalid_with(
            "err-kind-not-allowed",
            "parent_id",
            vec![("parent", parent.into()), ("child", child.into())],
        ),
        OrgError::Cycle => Error::invalid_with("err-org-cycle", "parent_id", vec![]),
        OrgError::UnknownAbpCode(code) => {
            Error::invalid_with("err-unknown-code", "abp_code", vec![("value", code)])
        }
        OrgError::Bin(e) => Error::invalid_with(iin_key(&e), "bin", vec![]),
        OrgError::Stale => Error::Stale,
        OrgError::NotFound => Error::NotFound,
        OrgError::HasOpenChildren => Error::invalid_with("err-open-children", "close_on", vec![]),
        OrgError::ParentClosed => Error::invalid_with("err-parent-closed", "parent_id", vec![]),
    }
}

fn iin_key(e: &jospar_core::IinError) -> &'static str {
    match e {
        jospar_core::IinError::NotTwelveDigits => "err-iin-digits",
        jospar_core::IinError::Checksum => "err-iin-checksum",
        jospar_core::IinError::BirthDate => "err-iin-date",
        jospar_core::IinError::CenturyDigit => "err-iin-century",
    }
}

pub fn user_error(e: UserError) -> Error {
    match e {
        UserError::Required { field } => Error::invalid_with("err-required", field, vec![]),
        UserError::Iin(e) => Error::invalid_with(iin_key(&e), "iin", vec![]),
        UserError::LoginFormat => Error::invalid_with("err-login-format", "login", vec![]),
        UserError::DuplicateLogin => Error::invalid_with("err-login-taken", "login", vec![]),
        UserError::PasswordTooShort => {
            Error::invalid_with("err-password-short", "password", vec![])
        }
        UserError::Email => Error::invalid_with("err-email", "email", vec![]),
        UserError::UnknownOrg => Error::invalid_with("err-unknown-org", "org_id", vec![]),
        UserError::UnknownRole(v) => {
            Error::invalid_with("err-unknown-value", "role", vec![("value", v)])
        }
        UserError::ExpiryInPast => Error::invalid_with("err-expiry-past", "valid_until", vec![]),
        UserError::Stale => Error::Stale,
        UserError::NotFound => Error::NotFound,
    }
}

#[cfg(test)]
mod rights_tests {
    use super::*;
    use jospar_access::Role;
    use jospar_access::testing::{REGION, principal};

    #[test]
    fn an_organisation_moves_only_under_one_the_caller_configures_outside_its_subtree() {
        let all = crate::testing::region_orgs();
        let admin = principal(1, &[(Role::Sysadmin, 1)], REGION);
        let ids = |v: Vec<&Org>| v.iter().map(|o| o.id).collect::<Vec<_>>();
        // An administrator goes under an authorized body only, never under itself.
        assert_eq!(ids(move_targets(&admin, &all[1], &all)), vec![1]);
        // A school goes under an administrator, the authorized body or another institution,
        // not under itself.
        assert_eq!(ids(move_targets(&admin, &all[2], &all)), vec![1, 2, 4, 5]);
        let district = principal(4, &[(Role::Sysadmin, 4)], REGION);
        assert_eq!(ids(move_targets(&district, &all[4], &all)), vec![4]);
    }

    #[test]
    fn a_root_is_created_by_a_configurer_of_a_root_only() {
        let admin = principal(1, &[(Role::Sysadmin, 1)], REGION);
        let district = principal(4, &[(Role::Sysadmin, 4)], REGION);
        assert!(require_create_under(&admin, None).is_ok());
        assert!(matches!(
            require_create_under(&district, None),
            Err(Error::Forbidden)
        ));
        assert!(require_create_under(&district, Some(5)).is_ok());
        assert!(matches!(
            require_create_under(&district, Some(2)),
            Err(Error::Forbidden)
        ));
        assert!(matches!(
            require_create_under(&district, Some(99)),
            Err(Error::Invalid { .. })
        ));
        assert!(may_create_root(&admin) && !may_create_root(&district));
    }

    #[test]
    fn users_are_managed_by_configurers_and_the_calendar_by_the_system_configurer() {
        let economist = principal(3, &[(Role::Economist, 3)], REGION);
        let district = principal(4, &[(Role::Sysadmin, 4)], REGION);
        let admin = principal(1, &[(Role::Sysadmin, 1)], REGION);
        assert!(matches!(
            require_user_manager(&economist),
            Err(Error::Forbidden)
        ));
        assert!(require_user_manager(&district).is_ok());
        assert!(may_edit_calendar(&admin) && !may_edit_calendar(&district));
        let all = crate::testing::region_orgs();
        let configured: Vec<i64> = orgs_with(&district, Right::Configure, &all)
            .iter()
            .map(|o| o.id)
            .collect();
        assert_eq!(configured, vec![4, 5]);
    }
}
