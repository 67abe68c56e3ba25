//! The register of budget investment projects (DB-1, P-14): each project with its identifier
//! (МИЖ — "мемлекеттік инвестициялық жобаларды сәйкестендіруші", a digital code the system
//! generates once for every investment project, seed 002 p.2), its administrator, program and
//! subprogram, sphere, kind and state, territory, dates, total cost, financing by year and
//! source, and construction objects.
//!
//! The МИЖ is the project's first year and its number in that year, ten digits
//! (`2027000042`): generated in the transaction that registers the project, never changed.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use jospar_access::{Error, Principal, Result, Right};
use jospar_core::listing::{ListQuery, Listable, Listed, SortKey};
use jospar_store::{AuditEntry, Db, StoreError, Tx, Who, exec_tx, on_db, on_tx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

/// Spheres of the projects (the functional groups they build for).
pub const SPHERES: [&str; 9] = [
    "education",
    "health",
    "social",
    "housing",
    "utilities",
    "roads",
    "culture_sport",
    "agriculture",
    "other",
];

/// Kinds of the projects.
pub const KINDS: [&str; 6] = [
    "construction",
    "reconstruction",
    "capital_repair",
    "equipment",
    "design",
    "other",
];

/// States of a project.
pub const STATES: [&str; 4] = ["planned", "in_progress", "completed", "suspended"];

/// Sources of a project's financing.
pub const SOURCES: [&str; 2] = ["republican", "local"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Financing {
    pub year: i32,
    /// `republican` (targeted transfers from the republican budget) or `local`.
    pub source: String,
    pub amount_tiyn: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConstructionObject {
    pub name_ru: String,
    pub name_kk: String,
    /// Where it is built: the 9-digit KATO code.
    pub kato: String,
    pub cost_tiyn: i64,
}

/// What a user gives to register or change a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProjectInput {
    pub name_ru: String,
    pub name_kk: String,
    /// The administrator of the budget program.
    pub admin_org_id: i64,
    pub program: String,
    pub subprogram: String,
    pub sphere: String,
    pub kind: String,
    pub state: String,
    pub kato: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub total_cost_tiyn: i64,
    pub financing: Vec<Financing>,
    pub objects: Vec<ConstructionObject>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Project {
    pub id: i64,
    /// The МИЖ: ten digits, never changed.
    pub code: String,
    #[serde(flatten)]
    pub input: ProjectInput,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

impl Project {
    pub fn name(&self, lang: &str) -> &str {
        if lang == "kk" && !self.input.name_kk.is_empty() {
            &self.input.name_kk
        } else {
            &self.input.name_ru
        }
    }

    /// Financing of a year, all sources.
    pub fn financing_of(&self, year: i32) -> i64 {
        self.input
            .financing
            .iter()
            .filter(|f| f.year == year)
            .map(|f| f.amount_tiyn)
            .sum()
    }
}

impl Listable for Project {
    fn search_text(&self) -> String {
        let i = &self.input;
        format!(
            "{} {} {} {} {} {}",
            self.code, i.name_ru, i.name_kk, i.program, i.kato, i.state
        )
    }

    fn sort_key(&self, column: &str) -> Option<SortKey> {
        let i = &self.input;
        Some(match column {
            "code" => SortKey::text(&self.code),
            "name" => SortKey::text(&i.name_ru),
            "program" => SortKey::text(&format!("{}{}", i.program, i.subprogram)),
            "sphere" => SortKey::text(&i.sphere),
            "state" => SortKey::text(&i.state),
            "starts_on" => SortKey::text(&i.starts_on.to_string()),
            "total_cost" => SortKey::Number(i.total_cost_tiyn),
            _ => return None,
        })
    }
}

fn digits(value: &str, n: usize) -> bool {
    value.len() == n && value.bytes().all(|b| b.is_ascii_digit())
}

fn one_of(value: &str, allowed: &[&str], field: &str) -> Result<()> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(Error::invalid_with(
            "err-unknown-value",
            field,
            vec![("value", value.to_string())],
        ))
    }
}

/// Refuses what a project cannot be, naming the field (the row of a financing or object).
pub fn validate(input: &ProjectInput) -> Result<()> {
    if input.name_ru.trim().is_empty() {
        return Err(Error::invalid("err-required", "name_ru"));
    }
    if input.name_kk.trim().is_empty() {
        return Err(Error::invalid("err-required", "name_kk"));
    }
    if !digits(&input.program, 3) {
        return Err(Error::invalid("err-three-digits", "program"));
    }
    if !digits(&input.subprogram, 3) {
        return Err(Error::invalid("err-three-digits", "subprogram"));
    }
    one_of(&input.sphere, &SPHERES, "sphere")?;
    one_of(&input.kind, &KINDS, "kind")?;
    one_of(&input.state, &STATES, "state")?;
    if !digits(&input.kato, 9) {
        return Err(Error::invalid("err-kato", "kato"));
    }
    if input.ends_on < input.starts_on {
        return Err(Error::invalid("err-project-dates", "ends_on"));
    }
    if input.total_cost_tiyn < 0 {
        return Err(Error::invalid("err-negative", "total_cost"));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, f) in input.financing.iter().enumerate() {
        let field = format!("financing[{}]", i + 1);
        one_of(&f.source, &SOURCES, &field)?;
        if !(2000..=2100).contains(&f.year) {
            return Err(Error::invalid("err-year", &field));
        }
        if f.amount_tiyn < 0 {
            return Err(Error::invalid("err-negative", &field));
        }
        if !seen.insert((f.year, f.source.clone())) {
            return Err(Error::invalid("err-project-financing-twice", &field));
        }
    }
    let financed = input
        .financing
        .iter()
        .try_fold(0i64, |sum, f| sum.checked_add(f.amount_tiyn))
        .ok_or_else(|| Error::invalid("err-negative", "financing"))?;
    if financed > input.total_cost_tiyn {
        return Err(Error::invalid_with(
            "err-project-overfinanced",
            "financing",
            vec![
                (
                    "financed",
                    jospar_core::money::Tenge::from_tiyn(financed).to_string(),
                ),
                (
                    "cost",
                    jospar_core::money::Tenge::from_tiyn(input.total_cost_tiyn).to_string(),
                ),
            ],
        ));
    }
    for (i, o) in input.objects.iter().enumerate() {
        let field = format!("objects[{}]", i + 1);
        if o.name_ru.trim().is_empty() || o.name_kk.trim().is_empty() {
            return Err(Error::invalid("err-required", &field));
        }
        if !digits(&o.kato, 9) {
            return Err(Error::invalid("err-kato", &field));
        }
        if o.cost_tiyn < 0 {
            return Err(Error::invalid("err-negative", &field));
        }
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ProjectRow {
    id: i64,
    code: String,
    name_ru: String,
    name_kk: String,
    admin_org_id: i64,
    program: String,
    subprogram: String,
    sphere: String,
    kind: String,
    state: String,
    kato: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    total_cost: i64,
    created_at: DateTime<Utc>,
    version: i64,
}

const COLUMNS: &str = "id, code, name_ru, name_kk, admin_org_id, program, subprogram, sphere, kind, state, kato, starts_on, ends_on, total_cost, created_at, version";

impl ProjectRow {
    fn into_project(self, financing: Vec<Financing>, objects: Vec<ConstructionObject>) -> Project {
        Project {
            id: self.id,
            code: self.code,
            input: ProjectInput {
                name_ru: self.name_ru,
                name_kk: self.name_kk,
                admin_org_id: self.admin_org_id,
                program: self.program,
                subprogram: self.subprogram,
                sphere: self.sphere,
                kind: self.kind,
                state: self.state,
                kato: self.kato,
                starts_on: self.starts_on,
                ends_on: self.ends_on,
                total_cost_tiyn: self.total_cost,
                financing,
                objects,
            },
            created_at: self.created_at,
            version: self.version,
        }
    }
}

/// Every project with its financing and objects, in the order of their МИЖ, whoever asks (the
/// caller filters by the reader's rights).
pub async fn every(db: &Db) -> Result<Vec<Project>, StoreError> {
    all(db).await
}

/// Every project with its financing and objects, in the order of their МИЖ.
async fn all(db: &Db) -> Result<Vec<Project>, StoreError> {
    let rows: Vec<ProjectRow> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM investment_projects ORDER BY code"))).fetch_all(pool).await)?;
    let financing: Vec<(i64, i64, String, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT project_id, year, source, amount FROM investment_project_financing ORDER BY project_id, year, source")
        .fetch_all(pool).await)?;
    let objects: Vec<(i64, String, String, String, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT project_id, name_ru, name_kk, kato, cost FROM investment_project_objects ORDER BY project_id, id")
        .fetch_all(pool).await)?;
    let mut financing_of: HashMap<i64, Vec<Financing>> = HashMap::new();
    for (project, year, source, amount) in financing {
        financing_of.entry(project).or_default().push(Financing {
            year: i32::try_from(year).unwrap_or_default(),
            source,
            amount_tiyn: amount,
        });
    }
    let mut objects_of: HashMap<i64, Vec<ConstructionObject>> = HashMap::new();
    for (project, name_ru, name_kk, kato, cost) in objects {
        objects_of
            .entry(project)
            .or_default()
            .push(ConstructionObject {
                name_ru,
                name_kk,
                kato,
                cost_tiyn: cost,
            });
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let id = row.id;
            row.into_project(
                financing_of.remove(&id).unwrap_or_default(),
                objects_of.remove(&id).unwrap_or_default(),
            )
        })
        .collect())
}

/// The projects the caller may read, filtered by `state` and `sphere` (empty: any), searched,
/// sorted and paged.
pub async fn list(
    db: &Db,
    p: &Principal,
    state: &str,
    sphere: &str,
    query: &ListQuery,
) -> Result<Listed<Project>> {
    let readable: Vec<Project> = all(db)
        .await?
        .into_iter()
        .filter(|pr| p.can(Right::Read, pr.input.admin_org_id))
        .filter(|pr| state.is_empty() || pr.input.state == state)
        .filter(|pr| sphere.is_empty() || pr.input.sphere == sphere)
        .collect();
    Ok(jospar_core::listing::list(readable, query))
}

/// Every project the caller may read (for choosing one, and the reports).
pub async fn readable(db: &Db, p: &Principal) -> Result<Vec<Project>> {
    Ok(all(db)
        .await?
        .into_iter()
        .filter(|pr| p.can(Right::Read, pr.input.admin_org_id))
        .collect())
}

pub async fn get(db: &Db, p: &Principal, id: i64) -> Result<Project> {
    let project = find(db, id).await?.ok_or(Error::NotFound)?;
    p.require(Right::Read, project.input.admin_org_id)?;
    Ok(project)
}

/// A project by its id, whoever asks (the caller checks the rights).
pub async fn find(db: &Db, id: i64) -> Result<Option<Project>, StoreError> {
    Ok(all(db).await?.into_iter().find(|pr| pr.id == id))
}

/// Whether the caller may register projects at all (enters data somewhere).
pub fn may_register(p: &Principal) -> bool {
    !p.scope(Right::Enter).is_empty()
}

/// Whether the caller may change a project of the administrator `admin_org_id`.
pub fn may_enter(p: &Principal, admin_org_id: i64) -> bool {
    p.can(Right::Enter, admin_org_id)
}

/// The organisations the caller may name as a project's administrator (where it enters
/// data), with `keep` (the administrator already chosen) whatever the rights.
pub async fn administrators(
    db: &Db,
    p: &Principal,
    keep: Option<i64>,
) -> Result<Vec<jospar_org::domain::Org>> {
    Ok(jospar_org::repo::all_orgs(db)
        .await?
        .into_iter()
        .filter(|o| may_enter(p, o.id) || Some(o.id) == keep)
        .collect())
}

async fn require_admin_org(db: &Db, org_id: i64) -> Result<()> {
    match jospar_org::repo::get_org(db, org_id).await? {
        Some(_) => Ok(()),
        None => Err(Error::invalid("err-unknown-org", "admin_org_id")),
    }
}

/// Registers a project with a new МИЖ for who may enter data of its administrator.
pub async fn create(db: &Db, p: &Principal, input: ProjectInput) -> Result<Project> {
    p.require(Right::Enter, input.admin_org_id)?;
    register(db, &p.who(), input).await
}

/// Registers a checked project with a new МИЖ, audited as `who` (the caller has checked the
/// rights; the demo registers as the system).
pub async fn register(db: &Db, who: &Who, input: ProjectInput) -> Result<Project> {
    validate(&input)?;
    require_admin_org(db, input.admin_org_id).await?;
    let mut tx = db.begin().await?;
    let project = insert(&mut tx, who, input).await?;
    tx.commit().await?;
    Ok(project)
}

/// Writes a checked project with the next МИЖ of its first year in `tx`, audited as `who`.
pub(crate) async fn insert(tx: &mut Tx, who: &Who, input: ProjectInput) -> Result<Project> {
    let year = input.starts_on.year();
    let taken: i64 = on_tx!(&mut *tx, conn => sqlx::query_scalar(
        "SELECT COUNT(*) FROM investment_projects WHERE code LIKE $1")
        .bind(format!("{year}%")).fetch_one(conn).await)
    .map_err(StoreError::from)?;
    let project = Project {
        id: jospar_core::ids::new_id(),
        code: format!("{year}{:06}", taken + 1),
        input,
        created_at: Utc::now(),
        version: 1,
    };
    let i = &project.input;
    exec_tx!(&mut *tx, conn => sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO investment_projects ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)")))
        .bind(project.id).bind(&project.code).bind(&i.name_ru).bind(&i.name_kk).bind(i.admin_org_id)
        .bind(&i.program).bind(&i.subprogram).bind(&i.sphere).bind(&i.kind).bind(&i.state).bind(&i.kato)
        .bind(i.starts_on).bind(i.ends_on).bind(i.total_cost_tiyn).bind(project.created_at).bind(project.version)
        .execute(conn).await)
    .map_err(StoreError::from)?;
    write_parts(tx, &project).await?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(i.admin_org_id),
        entity: "investment_project",
        entity_id: project.id.to_string(),
        action: "create",
        old_value: None,
        new_value: Some(json!(project)),
        reason: None,
    })
    .await?;
    Ok(project)
}

async fn write_parts(tx: &mut Tx, project: &Project) -> Result<(), StoreError> {
    for f in &project.input.financing {
        exec_tx!(&mut *tx, conn => sqlx::query(
            "INSERT INTO investment_project_financing (project_id, year, source, amount) VALUES ($1, $2, $3, $4)")
            .bind(project.id).bind(i64::from(f.year)).bind(&f.source).bind(f.amount_tiyn).execute(conn).await)?;
    }
    for o in &project.input.objects {
        exec_tx!(&mut *tx, conn => sqlx::query(
            "INSERT INTO investment_project_objects (id, project_id, name_ru, name_kk, kato, cost) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(jospar_core::ids::new_id()).bind(project.id).bind(&o.name_ru).bind(&o.name_kk).bind(&o.kato)
            .bind(o.cost_tiyn).execute(conn).await)?;
    }
    Ok(())
}

/// Changes a project (never its МИЖ) as of `version`, its financing and objects replaced
/// whole, audited old → new with the reason.
pub async fn update(
    db: &Db,
    p: &Principal,
    id: i64,
    version: i64,
    input: ProjectInput,
    reason: Option<String>,
) -> Result<Project> {
    let old = get(db, p, id).await?;
    p.require(Right::Enter, old.input.admin_org_id)?;
    p.require(Right::Enter, input.admin_org_id)?;
    validate(&input)?;
    require_admin_org(db, input.admin_org_id).await?;
    let project = Project {
        input,
        version: old.version + 1,
        ..old.clone()
    };
    let i = &project.input;
    let mut tx = db.begin().await?;
    let changed = exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE investment_projects SET name_ru = $1, name_kk = $2, admin_org_id = $3, program = $4, subprogram = $5, \
         sphere = $6, kind = $7, state = $8, kato = $9, starts_on = $10, ends_on = $11, total_cost = $12, version = $13 \
         WHERE id = $14 AND version = $15")
        .bind(&i.name_ru).bind(&i.name_kk).bind(i.admin_org_id).bind(&i.program).bind(&i.subprogram)
        .bind(&i.sphere).bind(&i.kind).bind(&i.state).bind(&i.kato).bind(i.starts_on).bind(i.ends_on)
        .bind(i.total_cost_tiyn).bind(project.version).bind(id).bind(version).execute(conn).await)
    .map_err(StoreError::from)?;
    if changed == 0 {
        return Err(Error::Stale);
    }
    exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM investment_project_financing WHERE project_id = $1")
        .bind(id).execute(conn).await)
    .map_err(StoreError::from)?;
    exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM investment_project_objects WHERE project_id = $1")
        .bind(id).execute(conn).await)
    .map_err(StoreError::from)?;
    write_parts(&mut tx, &project).await?;
    tx.audit(AuditEntry {
        who: &p.who(),
        org_id: Some(i.admin_org_id),
        entity: "investment_project",
        entity_id: id.to_string(),
        action: "update",
        old_value: Some(json!(old)),
        new_value: Some(json!(project)),
        reason,
    })
    .await?;
    tx.commit().await?;
    Ok(project)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn input() -> ProjectInput {
        ProjectInput {
            name_ru: "Строительство школы на 600 мест".into(),
            name_kk: "600 орындық мектеп салу".into(),
            admin_org_id: 1,
            program: "032".into(),
            subprogram: "015".into(),
            sphere: "education".into(),
            kind: "construction".into(),
            state: "in_progress".into(),
            kato: "471010000".into(),
            starts_on: NaiveDate::from_ymd_opt(2026, 3, 1).expect("date"),
            ends_on: NaiveDate::from_ymd_opt(2028, 12, 31).expect("date"),
            total_cost_tiyn: 500_000_000_000,
            financing: vec![
                Financing {
                    year: 2027,
                    source: "republican".into(),
                    amount_tiyn: 300_000_000_000,
                },
                Financing {
                    year: 2027,
                    source: "local".into(),
                    amount_tiyn: 100_000_000_000,
                },
            ],
            objects: vec![ConstructionObject {
                name_ru: "Здание школы".into(),
                name_kk: "Мектеп ғимараты".into(),
                kato: "471010000".into(),
                cost_tiyn: 450_000_000_000,
            }],
        }
    }

    fn refused_field(input: &ProjectInput) -> Option<String> {
        match validate(input) {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_sound_project_passes_and_each_fault_names_its_field() {
        assert_eq!(validate(&input()), Ok(()));
        let with = |change: fn(&mut ProjectInput)| {
            let mut i = input();
            change(&mut i);
            refused_field(&i)
        };
        assert_eq!(with(|i| i.name_kk.clear()).as_deref(), Some("name_kk"));
        assert_eq!(
            with(|i| i.program = "32".into()).as_deref(),
            Some("program")
        );
        assert_eq!(
            with(|i| i.state = "dreaming".into()).as_deref(),
            Some("state")
        );
        assert_eq!(with(|i| i.kato = "47101".into()).as_deref(), Some("kato"));
        assert_eq!(
            with(|i| i.ends_on = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date")).as_deref(),
            Some("ends_on")
        );
        assert_eq!(
            with(|i| i.financing[1].source = "republican".into()).as_deref(),
            Some("financing[2]")
        );
        assert_eq!(
            with(|i| i.total_cost_tiyn = 399_999_999_999).as_deref(),
            Some("financing")
        );
        assert_eq!(
            with(|i| i.objects[0].cost_tiyn = -1).as_deref(),
            Some("objects[1]")
        );
    }
}
