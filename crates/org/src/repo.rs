//! Storage of organisations, budgets, users and grants. Every change is one transaction with
//! its audit row; concurrent edits are caught by the `version` column (optimistic locking).

use crate::domain::*;
use chrono::{NaiveDate, Utc};
use jospar_access::Module;
use jospar_core::{ids::new_id, text::search_key};
use jospar_store::{AuditEntry, Db, StoreError, Tx, Who, exec_tx, on_db, on_tx};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum RepoError<E> {
    #[error(transparent)]
    Domain(E),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl<E> From<sqlx::Error> for RepoError<E> {
    fn from(e: sqlx::Error) -> Self {
        RepoError::Store(StoreError::Sql(e))
    }
}

pub type OrgResult<T> = Result<T, RepoError<OrgError>>;
pub type UserResult<T> = Result<T, RepoError<UserError>>;

#[derive(sqlx::FromRow)]
struct BudgetRow {
    id: i64,
    parent_id: Option<i64>,
    level: String,
    kato: String,
    name_ru: String,
    name_kk: String,
}

#[derive(sqlx::FromRow)]
struct OrgRow {
    id: i64,
    parent_id: Option<i64>,
    kind: String,
    scenario: String,
    budget_id: i64,
    abp_code: Option<String>,
    bin: Option<String>,
    name_ru: String,
    name_kk: String,
    closed_on: Option<NaiveDate>,
    version: i64,
}

impl OrgRow {
    fn into_org(self) -> Org {
        Org {
            id: self.id,
            parent_id: self.parent_id,
            kind: OrgKind::from_code(&self.kind).unwrap_or(OrgKind::Institution),
            scenario: Scenario::from_code(&self.scenario).unwrap_or(Scenario::Institution),
            budget_id: self.budget_id,
            abp_code: self.abp_code,
            bin: self.bin,
            name_ru: self.name_ru,
            name_kk: self.name_kk,
            closed_on: self.closed_on,
            version: self.version,
        }
    }
}

// ---------- budgets ----------

pub async fn create_budget(
    db: &Db,
    who: &Who,
    parent_id: Option<i64>,
    level: BudgetLevel,
    kato: &str,
    name_ru: &str,
    name_kk: &str,
) -> Result<Budget, StoreError> {
    let budget = Budget {
        id: new_id(),
        parent_id,
        level,
        kato: kato.into(),
        name_ru: name_ru.into(),
        name_kk: name_kk.into(),
    };
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO budgets (id, parent_id, level, kato, name_ru, name_kk) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(budget.id).bind(budget.parent_id).bind(level.code()).bind(kato).bind(name_ru).bind(name_kk)
        .execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: None,
        entity: "budget",
        entity_id: budget.id.to_string(),
        action: "create",
        old_value: None,
        new_value: Some(json!(budget)),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(budget)
}

pub async fn budgets(db: &Db) -> Result<Vec<Budget>, StoreError> {
    let rows: Vec<BudgetRow> = on_db!(db, pool => sqlx::query_as::<_, BudgetRow>(
        "SELECT id, parent_id, level, kato, name_ru, name_kk FROM budgets ORDER BY kato, id")
        .fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|r| Budget {
            id: r.id,
            parent_id: r.parent_id,
            level: BudgetLevel::from_code(&r.level).unwrap_or(BudgetLevel::Rural),
            kato: r.kato,
            name_ru: r.name_ru,
            name_kk: r.name_kk,
        })
        .collect())
}

// ---------- organisations ----------

pub async fn all_orgs(db: &Db) -> Result<Vec<Org>, StoreError> {
    let rows: Vec<OrgRow> = on_db!(db, pool => sqlx::query_as::<_, OrgRow>(
        "SELECT id, parent_id, kind, scenario, budget_id, abp_code, bin, name_ru, name_kk, closed_on, version \
         FROM orgs ORDER BY abp_code, name_ru")
        .fetch_all(pool).await)?;
    Ok(rows.into_iter().map(OrgRow::into_org).collect())
}

/// Every organisation's name in a language, by id: what lists show beside their rows.
pub async fn org_names(
    db: &Db,
    lang: &str,
) -> Result<std::collections::HashMap<i64, String>, StoreError> {
    Ok(all_orgs(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name(lang).to_string()))
        .collect())
}

pub async fn org_tree(db: &Db) -> Result<OrgTree, StoreError> {
    let links: Vec<(i64, Option<i64>)> =
        on_db!(db, pool => sqlx::query_as("SELECT id, parent_id FROM orgs").fetch_all(pool).await)?;
    Ok(OrgTree::new(links))
}

/// The organisation tree as last read, kept for the requests that follow: every request checks
/// rights against the whole tree, and a region holds thousands of organisations. One number,
/// counted by the database at every change of the tree (migration 0030, by whichever process
/// makes it), tells whether it must be read again.
#[derive(Default)]
pub struct TreeCache {
    current: std::sync::RwLock<Option<(i64, std::sync::Arc<OrgTree>)>>,
}

impl TreeCache {
    /// The tree as it is now.
    pub async fn tree(&self, db: &Db) -> Result<std::sync::Arc<OrgTree>, StoreError> {
        // The version is read before the tree: a change in between leaves the newer tree
        // under the older number, which the next request reads again.
        let version: i64 = on_db!(db, pool => sqlx::query_scalar(
            "SELECT version FROM org_tree_version WHERE id = 1").fetch_one(pool).await)?;
        if let Some((kept, tree)) = &*self.current.read().unwrap_or_else(|e| e.into_inner())
            && *kept == version
        {
            return Ok(tree.clone());
        }
        let tree = std::sync::Arc::new(org_tree(db).await?);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some((version, tree.clone()));
        Ok(tree)
    }
}

pub async fn get_org(db: &Db, id: i64) -> Result<Option<Org>, StoreError> {
    let row: Option<OrgRow> = on_db!(db, pool => sqlx::query_as::<_, OrgRow>(
        "SELECT id, parent_id, kind, scenario, budget_id, abp_code, bin, name_ru, name_kk, closed_on, version \
         FROM orgs WHERE id = $1")
        .bind(id).fetch_optional(pool).await)?;
    Ok(row.map(OrgRow::into_org))
}

async fn org_in_tx(tx: &mut Tx, id: i64) -> Result<Option<Org>, StoreError> {
    let row: Option<OrgRow> = on_tx!(tx, conn => sqlx::query_as::<_, OrgRow>(
        "SELECT id, parent_id, kind, scenario, budget_id, abp_code, bin, name_ru, name_kk, closed_on, version \
         FROM orgs WHERE id = $1")
        .bind(id).fetch_optional(conn).await)?;
    Ok(row.map(OrgRow::into_org))
}

/// Organisations whose name, code or BIN contains the query, among `within` (None = all).
pub async fn search_orgs(
    db: &Db,
    query: &str,
    within: Option<&[i64]>,
    limit: usize,
) -> Result<Vec<Org>, StoreError> {
    let key = search_key(query);
    let rows: Vec<(i64, String)> = on_db!(db, pool => sqlx::query_as("SELECT id, search_key FROM orgs").fetch_all(pool).await)?;
    let mut ids: Vec<i64> = rows
        .into_iter()
        .filter(|(id, k)| k.contains(&key) && within.is_none_or(|w| w.contains(id)))
        .map(|(id, _)| id)
        .collect();
    ids.truncate(limit);
    let all = all_orgs(db).await?;
    Ok(all.into_iter().filter(|o| ids.contains(&o.id)).collect())
}

pub fn org_search_key(
    name_ru: &str,
    name_kk: &str,
    abp_code: Option<&str>,
    bin: Option<&str>,
) -> String {
    search_key(&format!(
        "{} {} {} {}",
        abp_code.unwrap_or(""),
        bin.unwrap_or(""),
        name_ru,
        name_kk
    ))
}

/// Creates an organisation. `abp_code_known` tells whether an administrator code exists in
/// the classification (checked by the caller through the classification service).
pub async fn create_org(db: &Db, who: &Who, new: NewOrg, abp_code_known: bool) -> OrgResult<Org> {
    let kind = OrgKind::from_code(&new.kind)
        .ok_or_else(|| RepoError::Domain(OrgError::UnknownKind(new.kind.clone())))?;
    let scenario = match new.scenario.as_deref().filter(|s| !s.is_empty()) {
        None => {
            if kind == OrgKind::Enterprise {
                Scenario::Enterprise
            } else {
                Scenario::Institution
            }
        }
        Some(s) => Scenario::from_code(s)
            .ok_or_else(|| RepoError::Domain(OrgError::UnknownScenario(s.into())))?,
    };
    let name_ru = required("name_ru", &new.name_ru).map_err(RepoError::Domain)?;
    let name_kk = required("name_kk", &new.name_kk).map_err(RepoError::Domain)?;
    let bin = validate_bin(new.bin.as_deref()).map_err(RepoError::Domain)?;
    let abp_code = new
        .abp_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string);
    if kind == OrgKind::Administrator {
        match &abp_code {
            None => return Err(RepoError::Domain(OrgError::Required { field: "abp_code" })),
            Some(code) if !abp_code_known => {
                return Err(RepoError::Domain(OrgError::UnknownAbpCode(code.clone())));
            }
            Some(_) => {}
        }
    }
    let mut tx = db.begin().await?;
    let budget_exists: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar("SELECT COUNT(*) FROM budgets WHERE id = $1")
        .bind(new.budget_id).fetch_one(conn).await)?;
    if budget_exists == 0 {
        return Err(RepoError::Domain(OrgError::UnknownBudget));
    }
    if let Some(parent_id) = new.parent_id {
        let parent = org_in_tx(&mut tx, parent_id)
            .await?
            .ok_or(RepoError::Domain(OrgError::UnknownParent))?;
        check_placement(&parent, kind)?;
    }
    let org = Org {
        id: new_id(),
        parent_id: new.parent_id,
        kind,
        scenario,
        budget_id: new.budget_id,
        abp_code,
        bin,
        name_ru,
        name_kk,
        closed_on: None,
        version: 1,
    };
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO orgs (id, parent_id, kind, scenario, budget_id, abp_code, bin, name_ru, name_kk, search_key, closed_on, version, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, 1, $11)")
        .bind(org.id).bind(org.parent_id).bind(kind.code()).bind(scenario.code()).bind(org.budget_id)
        .bind(&org.abp_code).bind(&org.bin).bind(&org.name_ru).bind(&org.name_kk)
        .bind(org_search_key(&org.name_ru, &org.name_kk, org.abp_code.as_deref(), org.bin.as_deref()))
        .bind(Utc::now())
        .execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(org.id),
        entity: "org",
        entity_id: org.id.to_string(),
        action: "create",
        old_value: None,
        new_value: Some(json!(org)),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(org)
}

fn check_placement(parent: &Org, kind: OrgKind) -> OrgResult<()> {
    if parent.closed_on.is_some() {
        return Err(RepoError::Domain(OrgError::ParentClosed));
    }
    if !parent.kind.allowed_children().contains(&kind) {
        return Err(RepoError::Domain(OrgError::KindNotAllowed {
            parent: parent.kind.code(),
            child: kind.code(),
        }));
    }
    Ok(())
}

/// Renames, moves, switches scenario, sets BIN, closes or reopens an organisation. Switching
/// scenario changes only the scenario (and institution ↔ enterprise kind): every record
/// bound to the organisation stays where it is (P-2).
pub async fn update_org(db: &Db, who: &Who, id: i64, change: OrgChange) -> OrgResult<Org> {
    let mut tx = db.begin().await?;
    let old = org_in_tx(&mut tx, id)
        .await?
        .ok_or(RepoError::Domain(OrgError::NotFound))?;
    if old.version != change.version {
        return Err(RepoError::Domain(OrgError::Stale));
    }
    let mut new = old.clone();
    if let Some(name) = &change.name_ru {
        new.name_ru = required("name_ru", name).map_err(RepoError::Domain)?;
    }
    if let Some(name) = &change.name_kk {
        new.name_kk = required("name_kk", name).map_err(RepoError::Domain)?;
    }
    if let Some(bin) = &change.bin {
        new.bin = validate_bin(Some(bin)).map_err(RepoError::Domain)?;
    }
    if let Some(s) = change.scenario.as_deref().filter(|s| !s.is_empty()) {
        let scenario = Scenario::from_code(s)
            .ok_or_else(|| RepoError::Domain(OrgError::UnknownScenario(s.into())))?;
        new.scenario = scenario;
        new.kind = old.kind.with_scenario(scenario);
    }
    if let Some(parent_id) = change.parent_id.filter(|p| Some(*p) != old.parent_id) {
        let links: Vec<(i64, Option<i64>)> = on_tx!(&mut tx, conn => sqlx::query_as("SELECT id, parent_id FROM orgs").fetch_all(conn).await)?;
        let tree = OrgTree::new(links);
        if tree.would_cycle(id, parent_id) {
            return Err(RepoError::Domain(OrgError::Cycle));
        }
        let parent = org_in_tx(&mut tx, parent_id)
            .await?
            .ok_or(RepoError::Domain(OrgError::UnknownParent))?;
        check_placement(&parent, new.kind)?;
        new.parent_id = Some(parent_id);
    }
    if let Some(date) = change.close_on {
        let open_children: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar(
            "SELECT COUNT(*) FROM orgs WHERE parent_id = $1 AND closed_on IS NULL")
            .bind(id).fetch_one(conn).await)?;
        if open_children > 0 {
            return Err(RepoError::Domain(OrgError::HasOpenChildren));
        }
        new.closed_on = Some(date);
    }
    if change.reopen == Some(true) {
        new.closed_on = None;
    }
    new.version = old.version + 1;
    let updated = exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE orgs SET parent_id = $1, kind = $2, scenario = $3, bin = $4, name_ru = $5, name_kk = $6, \
         search_key = $7, closed_on = $8, version = $9 WHERE id = $10 AND version = $11")
        .bind(new.parent_id).bind(new.kind.code()).bind(new.scenario.code()).bind(&new.bin)
        .bind(&new.name_ru).bind(&new.name_kk)
        .bind(org_search_key(&new.name_ru, &new.name_kk, new.abp_code.as_deref(), new.bin.as_deref()))
        .bind(new.closed_on).bind(new.version).bind(id).bind(old.version)
        .execute(conn).await)?;
    if updated == 0 {
        return Err(RepoError::Domain(OrgError::Stale));
    }
    if new.parent_id != old.parent_id {
        // Its totals now belong to other ancestors: rare, so recomputed whole.
        jospar_consolidation::repo::rebuild(&mut tx).await?;
    }
    tx.audit(AuditEntry {
        who,
        org_id: Some(id),
        entity: "org",
        entity_id: id.to_string(),
        action: "update",
        old_value: Some(json!(old)),
        new_value: Some(json!(new)),
        reason: change.reason.filter(|r| !r.trim().is_empty()),
    })
    .await?;
    tx.commit().await?;
    Ok(new)
}

// ---------- users ----------

pub use jospar_access::User;

pub async fn user_by_id(db: &Db, id: i64) -> Result<Option<User>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, User>(
        "SELECT id, org_id, login, iin, full_name, position, phone, email, blocked, failed_logins, locked_until, lang, version FROM users WHERE id = $1")
        .bind(id).fetch_optional(pool).await)?)
}

pub async fn user_by_login(db: &Db, login: &str) -> Result<Option<User>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, User>(
        "SELECT id, org_id, login, iin, full_name, position, phone, email, blocked, failed_logins, locked_until, lang, version FROM users WHERE login = $1")
        .bind(login.trim().to_lowercase()).fetch_optional(pool).await)?)
}

pub async fn users(db: &Db, query: &str, within: Option<&[i64]>) -> Result<Vec<User>, StoreError> {
    let pattern = format!("%{}%", search_key(query));
    let rows: Vec<User> = on_db!(db, pool => sqlx::query_as::<_, User>(
        "SELECT id, org_id, login, iin, full_name, position, phone, email, blocked, failed_logins, locked_until, lang, version \
         FROM users WHERE search_key LIKE $1 ORDER BY login")
        .bind(pattern).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .filter(|u| within.is_none_or(|w| w.contains(&u.org_id)))
        .collect())
}

pub fn user_search_key(login: &str, iin: &str, full_name: &str) -> String {
    search_key(&format!("{login} {iin} {full_name}"))
}

async fn org_exists(tx: &mut Tx, id: i64) -> Result<bool, StoreError> {
    let n: i64 = on_tx!(tx, conn => sqlx::query_scalar("SELECT COUNT(*) FROM orgs WHERE id = $1").bind(id).fetch_one(conn).await)?;
    Ok(n > 0)
}

pub async fn create_user(db: &Db, who: &Who, new: NewUser) -> UserResult<User> {
    let d = RepoError::Domain;
    let login = validate_login(&new.login).map_err(d)?;
    let iin = validate_iin(&new.iin).map_err(d)?;
    let full_name = required_text("full_name", &new.full_name).map_err(d)?;
    let email = validate_email(&new.email).map_err(d)?;
    validate_password(&new.password).map_err(d)?;
    let hash = crate::auth::hash_password(&new.password);
    let mut tx = db.begin().await?;
    if !org_exists(&mut tx, new.org_id).await? {
        return Err(d(UserError::UnknownOrg));
    }
    let taken: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE login = $1")
        .bind(&login).fetch_one(conn).await)?;
    if taken > 0 {
        return Err(d(UserError::DuplicateLogin));
    }
    let user = User {
        id: new_id(),
        org_id: new.org_id,
        login,
        iin,
        full_name,
        position: new.position.trim().into(),
        phone: new.phone.trim().into(),
        email,
        blocked: false,
        failed_logins: 0,
        locked_until: None,
        lang: None,
        version: 1,
    };
    let inserted = exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO users (id, org_id, login, iin, full_name, position, phone, email, password_hash, blocked, failed_logins, locked_until, lang, search_key, version, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, FALSE, 0, NULL, NULL, $10, 1, $11)")
        .bind(user.id).bind(user.org_id).bind(&user.login).bind(&user.iin).bind(&user.full_name)
        .bind(&user.position).bind(&user.phone).bind(&user.email).bind(hash)
        .bind(user_search_key(&user.login, &user.iin, &user.full_name)).bind(Utc::now())
        .execute(conn).await);
    match inserted {
        Err(e)
            if e.as_database_error()
                .is_some_and(|e| e.is_unique_violation()) =>
        {
            return Err(d(UserError::DuplicateLogin));
        }
        other => {
            other?;
        }
    }
    tx.audit(AuditEntry {
        who,
        org_id: Some(user.org_id),
        entity: "user",
        entity_id: user.id.to_string(),
        action: "create",
        old_value: None,
        new_value: Some(json!(user)),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(user)
}

pub async fn update_user(db: &Db, who: &Who, id: i64, change: UserChange) -> UserResult<User> {
    let d = RepoError::Domain;
    let mut tx = db.begin().await?;
    let old: User = on_tx!(&mut tx, conn => sqlx::query_as::<_, User>(
        "SELECT id, org_id, login, iin, full_name, position, phone, email, blocked, failed_logins, locked_until, lang, version FROM users WHERE id = $1")
        .bind(id).fetch_optional(conn).await)?.ok_or(d(UserError::NotFound))?;
    if old.version != change.version {
        return Err(d(UserError::Stale));
    }
    let mut new = old.clone();
    if let Some(org_id) = change.org_id {
        if !org_exists(&mut tx, org_id).await? {
            return Err(d(UserError::UnknownOrg));
        }
        new.org_id = org_id;
    }
    if let Some(iin) = &change.iin {
        new.iin = validate_iin(iin).map_err(d)?;
    }
    if let Some(name) = &change.full_name {
        new.full_name = required_text("full_name", name).map_err(d)?;
    }
    if let Some(p) = &change.position {
        new.position = p.trim().into();
    }
    if let Some(p) = &change.phone {
        new.phone = p.trim().into();
    }
    if let Some(e) = &change.email {
        new.email = validate_email(e).map_err(d)?;
    }
    if let Some(blocked) = change.blocked {
        new.blocked = blocked;
        if !blocked {
            // Unblocking also lifts a lock-out after failed sign-ins.
            new.failed_logins = 0;
            new.locked_until = None;
        }
    }
    let hash = match &change.password {
        Some(p) if !p.is_empty() => {
            validate_password(p).map_err(d)?;
            Some(crate::auth::hash_password(p))
        }
        _ => None,
    };
    new.version = old.version + 1;
    let updated = exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE users SET org_id = $1, iin = $2, full_name = $3, position = $4, phone = $5, email = $6, blocked = $7, \
         failed_logins = $8, locked_until = $9, search_key = $10, version = $11, password_hash = COALESCE($12, password_hash) \
         WHERE id = $13 AND version = $14")
        .bind(new.org_id).bind(&new.iin).bind(&new.full_name).bind(&new.position).bind(&new.phone).bind(&new.email)
        .bind(new.blocked).bind(new.failed_logins).bind(new.locked_until)
        .bind(user_search_key(&new.login, &new.iin, &new.full_name)).bind(new.version).bind(hash)
        .bind(id).bind(old.version)
        .execute(conn).await)?;
    if updated == 0 {
        return Err(d(UserError::Stale));
    }
    if new.blocked {
        exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(conn).await)?;
    }
    let mut new_value = json!(new);
    if change.password.as_deref().is_some_and(|p| !p.is_empty()) {
        new_value["password"] = json!("changed");
    }
    tx.audit(AuditEntry {
        who,
        org_id: Some(new.org_id),
        entity: "user",
        entity_id: id.to_string(),
        action: "update",
        old_value: Some(json!(old)),
        new_value: Some(new_value),
        reason: change.reason.filter(|r| !r.trim().is_empty()),
    })
    .await?;
    tx.commit().await?;
    Ok(new)
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    id: i64,
    role: String,
    org_id: i64,
    valid_until: NaiveDate,
    module: Option<String>,
}

pub async fn grants_of(db: &Db, user_id: i64) -> Result<Vec<Grant>, StoreError> {
    let rows: Vec<GrantRow> = on_db!(db, pool => sqlx::query_as::<_, GrantRow>(
        "SELECT id, role, org_id, valid_until, module FROM role_grants WHERE user_id = $1 ORDER BY id")
        .bind(user_id).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Grant {
                id: r.id,
                role: Role::from_code(&r.role)?,
                org_id: r.org_id,
                valid_until: r.valid_until,
                module: r.module.as_deref().and_then(Module::from_code),
            })
        })
        .collect())
}

/// Every grant of every user who is not blocked, with the user's id: who reviews where (the
/// start page's "awaiting my review" follows the notices of sent requests).
pub async fn all_grants(db: &Db) -> Result<Vec<(i64, Grant)>, StoreError> {
    let rows: Vec<(i64, i64, String, i64, NaiveDate, Option<String>)> = on_db!(db, pool => sqlx::query_as(
        "SELECT g.user_id, g.id, g.role, g.org_id, g.valid_until, g.module FROM role_grants g \
         JOIN users u ON u.id = g.user_id WHERE u.blocked = FALSE ORDER BY g.id")
        .fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(user_id, id, role, org_id, valid_until, module)| {
            Some((
                user_id,
                Grant {
                    id,
                    role: Role::from_code(&role)?,
                    org_id,
                    valid_until,
                    module: module.as_deref().and_then(Module::from_code),
                },
            ))
        })
        .collect())
}

/// A role to grant: on which organisation's subtree, until when, in which module (none: all).
#[derive(Debug, Clone, Copy)]
pub struct NewGrant<'a> {
    pub role: &'a str,
    pub org_id: i64,
    pub valid_until: NaiveDate,
    pub module: Option<Module>,
}

pub async fn grant_role(
    db: &Db,
    who: &Who,
    user_id: i64,
    new: NewGrant<'_>,
    today: NaiveDate,
) -> UserResult<Grant> {
    let NewGrant {
        role,
        org_id,
        valid_until,
        module,
    } = new;
    let d = RepoError::Domain;
    let role = Role::from_code(role).ok_or_else(|| d(UserError::UnknownRole(role.into())))?;
    if valid_until < today {
        return Err(d(UserError::ExpiryInPast));
    }
    let mut tx = db.begin().await?;
    if !org_exists(&mut tx, org_id).await? {
        return Err(d(UserError::UnknownOrg));
    }
    let user_org: Option<i64> = on_tx!(&mut tx, conn => sqlx::query_scalar("SELECT org_id FROM users WHERE id = $1")
        .bind(user_id).fetch_optional(conn).await)?;
    let user_org = user_org.ok_or(d(UserError::NotFound))?;
    let grant = Grant {
        id: new_id(),
        role,
        org_id,
        valid_until,
        module,
    };
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO role_grants (id, user_id, role, org_id, valid_until, created_at, module) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(grant.id).bind(user_id).bind(role.code()).bind(org_id).bind(valid_until).bind(Utc::now())
        .bind(module.map(Module::code))
        .execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(user_org),
        entity: "role_grant",
        entity_id: grant.id.to_string(),
        action: "create",
        old_value: None,
        new_value: Some(json!({"user_id": user_id, "role": role.code(), "org_id": org_id, "valid_until": valid_until, "module": module.map(Module::code)})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(grant)
}

pub async fn revoke_grant(db: &Db, who: &Who, user_id: i64, grant_id: i64) -> UserResult<()> {
    let mut tx = db.begin().await?;
    let row: Option<(String, i64, NaiveDate)> = on_tx!(&mut tx, conn => sqlx::query_as(
        "SELECT role, org_id, valid_until FROM role_grants WHERE id = $1 AND user_id = $2")
        .bind(grant_id).bind(user_id).fetch_optional(conn).await)?;
    let (role, org_id, valid_until) = row.ok_or(RepoError::Domain(UserError::NotFound))?;
    let user_org: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar("SELECT org_id FROM users WHERE id = $1")
        .bind(user_id).fetch_one(conn).await)?;
    exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM role_grants WHERE id = $1").bind(grant_id).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(user_org),
        entity: "role_grant",
        entity_id: grant_id.to_string(),
        action: "delete",
        old_value: Some(
            json!({"user_id": user_id, "role": role, "org_id": org_id, "valid_until": valid_until}),
        ),
        new_value: None,
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Remembers the interface language a signed-in user picked (audited like any change).
pub async fn set_user_lang(db: &Db, user: &User, lang: &str) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query("UPDATE users SET lang = $1 WHERE id = $2").bind(lang).bind(user.id).execute(conn).await)?;
    tx.audit(AuditEntry {
        who: &user.who(),
        org_id: Some(user.org_id),
        entity: "user",
        entity_id: user.id.to_string(),
        action: "update",
        old_value: Some(json!({"lang": user.lang})),
        new_value: Some(json!({"lang": lang})),
        reason: None,
    })
    .await?;
    tx.commit().await
}
