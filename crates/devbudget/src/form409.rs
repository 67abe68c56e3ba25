//! Treasury form 4-09 of the development budget (DB-3, technical specification section 9
//! item 4): loading it creates the contracts and their investment projects.
//!
//! The Treasury's 4-09 lists each registered contract by its codes (administrator, program,
//! subprogram, specific), number, date, supplier, amount and the obligation of the year. No
//! public layout says which project a contract builds, so the development budget's 4-09 carries
//! two optional columns (`data/treasury/layouts.toml`): the project's МИЖ, or its name when the
//! project is not registered yet, and an optional column of what was paid under the contract.
//!
//! - A row naming a МИЖ links its contract to that project; a МИЖ the register does not hold
//!   (or holds for an administrator the loader may not enter) refuses the whole file, naming
//!   the row.
//! - A row naming only a project finds it among the organisation's projects by program and
//!   name (a project's contracts may be paid from a transfer's subprogram and from the local
//!   one), or registers it with the subprogram of its first row: a new МИЖ, the organisation as administrator, the
//!   budget's territory, from the first contract's date to the end of the form's year, its cost
//!   the sum of its contracts; sphere "other", kind "construction", state "in progress" — for
//!   the economist to correct. Its financing is left to the economist: a form of payments does
//!   not say how a project is financed.
//! - A contract is one per organisation, year, administrator and number: loaded again, it is
//!   changed only where the form says something new, audited old → new; the same form loaded
//!   twice changes nothing.
//!
//! The file is read whole and every row resolved before anything is written; everything is
//! then written in one transaction.

use chrono::{Datelike, NaiveDate};
use jospar_access::{Error, Principal, Result, Right};
use jospar_core::money::Tenge;
use jospar_execution::form_409::{ContractRow, parse_409};
use jospar_execution::treasury::{Field, FormError};
use jospar_execution::usecases::treasury::form_error;
use jospar_store::{AuditEntry, Db, StoreError, Tx, Who, exec_tx, on_db, on_tx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

use crate::projects::{self, Project, ProjectInput};

/// A contract of the development budget as the Treasury registered it (form 4-09).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TreasuryContract {
    pub id: i64,
    pub org_id: i64,
    pub year: i64,
    pub abp: String,
    pub program: String,
    pub subprogram: String,
    pub specific: String,
    pub number: String,
    pub signed_on: NaiveDate,
    pub supplier_bin: String,
    /// The contract's amount, tiyn.
    pub amount: i64,
    /// The obligation of the year, tiyn.
    pub year_amount: i64,
    /// Paid under the contract to `paid_as_of`, tiyn.
    pub paid: i64,
    pub paid_as_of: NaiveDate,
    pub project_id: i64,
}

impl TreasuryContract {
    /// Everything a load may change: the contract without its id.
    fn content(&self) -> impl PartialEq + '_ {
        (
            (
                &self.program,
                &self.subprogram,
                &self.specific,
                self.signed_on,
            ),
            (&self.supplier_bin, self.amount, self.year_amount, self.paid),
            (self.paid_as_of, self.project_id),
        )
    }
}

const COLUMNS: &str = "id, org_id, year, abp, program, subprogram, specific, number, signed_on, supplier_bin, amount, year_amount, paid, paid_as_of, project_id";

/// What a load of form 4-09 did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Form409Outcome {
    /// The МИЖ of each project the load registered.
    pub projects_created: Vec<String>,
    pub contracts_created: i64,
    pub contracts_changed: i64,
    pub contracts_unchanged: i64,
}

/// Which project a row's contract builds.
enum Target {
    Registered(i64),
    /// The index of a project to register.
    New(usize),
}

/// A project the file names that the register does not hold yet.
struct NewProject {
    program: String,
    subprogram: String,
    name: String,
    starts_on: NaiveDate,
    cost: Tenge,
}

fn folded(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn row_field(row: usize, field: Field) -> String {
    format!("row {row}, {}", field.heading())
}

/// Whether the caller may load form 4-09 for the organisation.
pub fn may_load(p: &Principal, org_id: i64) -> bool {
    p.can(Right::Enter, org_id)
}

/// Loads form 4-09 of the organisation as of `as_of` (the form's date; its year is the year of
/// the obligations) into the register, all or nothing.
pub async fn load(
    db: &Db,
    p: &Principal,
    org_id: i64,
    as_of: NaiveDate,
    bytes: &[u8],
) -> Result<Form409Outcome> {
    p.require(Right::Enter, org_id)?;
    let may_enter = |org: i64| p.can(Right::Enter, org);
    apply(db, &p.who(), &may_enter, org_id, as_of, bytes).await
}

/// Loads form 4-09 as `who`, who may name the projects of the administrators `may_enter`
/// allows (the caller has checked the right on the organisation; the demo loads as the
/// system).
pub async fn apply(
    db: &Db,
    who: &Who,
    may_enter: &(dyn Fn(i64) -> bool + Sync),
    org_id: i64,
    as_of: NaiveDate,
    bytes: &[u8],
) -> Result<Form409Outcome> {
    let org = jospar_org::repo::get_org(db, org_id)
        .await?
        .ok_or(Error::NotFound)?;
    let rows = jospar_reports::workbook::table_rows(bytes)
        .map_err(|refusal| form_error(FormError::OverLimits(refusal)))?;
    let contracts = parse_409(&rows).map_err(form_error)?;
    let register = projects::every(db).await?;
    let mut new_projects: Vec<NewProject> = Vec::new();
    let mut targets = Vec::with_capacity(contracts.len());
    for c in &contracts {
        targets.push(target_of(
            may_enter,
            org_id,
            &register,
            &mut new_projects,
            c,
        )?);
    }
    let kato = territory(db, org.budget_id).await?;
    let mut tx = db.begin().await?;
    let mut outcome = Form409Outcome {
        projects_created: Vec::new(),
        contracts_created: 0,
        contracts_changed: 0,
        contracts_unchanged: 0,
    };
    let mut created_ids = Vec::with_capacity(new_projects.len());
    for new in &new_projects {
        let project = register_new(&mut tx, who, org_id, &kato, as_of.year(), new).await?;
        outcome.projects_created.push(project.code.clone());
        created_ids.push(project.id);
    }
    let mut stored = stored_contracts(&mut tx, org_id, as_of.year()).await?;
    for (c, target) in contracts.iter().zip(&targets) {
        let project_id = match target {
            Target::Registered(id) => *id,
            Target::New(index) => created_ids[*index],
        };
        let old = stored.remove(&(c.abp.clone(), c.number.clone()));
        let contract = TreasuryContract {
            id: old.as_ref().map_or_else(jospar_core::ids::new_id, |o| o.id),
            org_id,
            year: i64::from(as_of.year()),
            abp: c.abp.clone(),
            program: c.program.clone(),
            subprogram: c.subprogram.clone(),
            specific: c.specific.clone(),
            number: c.number.clone(),
            signed_on: c.date,
            supplier_bin: c.supplier_bin.clone(),
            amount: c.amount.tiyn(),
            year_amount: c.year_amount.tiyn(),
            paid: c.paid.tiyn(),
            paid_as_of: as_of,
            project_id,
        };
        match old {
            Some(old) if old.content() == contract.content() => outcome.contracts_unchanged += 1,
            Some(old) => {
                write_contract(&mut tx, who, Some(&old), &contract).await?;
                outcome.contracts_changed += 1;
            }
            None => {
                write_contract(&mut tx, who, None, &contract).await?;
                outcome.contracts_created += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(outcome)
}

/// The project a row names: by its МИЖ (refused when unknown or not the caller's to enter),
/// by program, subprogram and name among the organisation's projects, or one to register.
fn target_of(
    may_enter: &(dyn Fn(i64) -> bool + Sync),
    org_id: i64,
    register: &[Project],
    new_projects: &mut Vec<NewProject>,
    c: &ContractRow,
) -> Result<Target> {
    if !c.project_code.is_empty() {
        return register
            .iter()
            .find(|pr| pr.code == c.project_code && may_enter(pr.input.admin_org_id))
            .map(|pr| Target::Registered(pr.id))
            .ok_or_else(|| {
                Error::invalid_with(
                    "err-409-unknown-project",
                    &row_field(c.row, Field::ProjectCode),
                    vec![("row", c.row.to_string()), ("code", c.project_code.clone())],
                )
            });
    }
    if c.project_name.is_empty() {
        return Err(Error::invalid_with(
            "err-409-no-project",
            &row_field(c.row, Field::ProjectName),
            vec![("row", c.row.to_string())],
        ));
    }
    let name = folded(&c.project_name);
    if let Some(pr) = register.iter().find(|pr| {
        pr.input.admin_org_id == org_id
            && pr.input.program == c.program
            && folded(&pr.input.name_ru) == name
    }) {
        return Ok(Target::Registered(pr.id));
    }
    let same = |n: &NewProject| n.program == c.program && folded(&n.name) == name;
    if let Some(index) = new_projects.iter().position(same) {
        let new = &mut new_projects[index];
        new.starts_on = new.starts_on.min(c.date);
        new.cost = new.cost.checked_add(c.amount).ok_or_else(|| {
            Error::invalid_with(
                "err-import-value",
                &row_field(c.row, Field::ContractAmount),
                vec![
                    ("row", c.row.to_string()),
                    ("column", Field::ContractAmount.heading().to_string()),
                    ("value", c.amount.to_string()),
                ],
            )
        })?;
        return Ok(Target::New(index));
    }
    new_projects.push(NewProject {
        program: c.program.clone(),
        subprogram: c.subprogram.clone(),
        name: c.project_name.clone(),
        starts_on: c.date,
        cost: c.amount,
    });
    Ok(Target::New(new_projects.len() - 1))
}

/// The territory of a new project: the KATO of the organisation's budget (nine digits).
async fn territory(db: &Db, budget_id: i64) -> Result<String> {
    let kato = jospar_org::repo::budgets(db)
        .await?
        .into_iter()
        .find(|b| b.id == budget_id)
        .map(|b| b.kato)
        .unwrap_or_default();
    let digits: String = kato.chars().filter(char::is_ascii_digit).take(9).collect();
    Ok(format!("{digits:0<9}"))
}

async fn register_new(
    tx: &mut Tx,
    who: &Who,
    org_id: i64,
    kato: &str,
    year: i32,
    new: &NewProject,
) -> Result<Project> {
    let year_end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(new.starts_on);
    let input = ProjectInput {
        name_ru: new.name.clone(),
        name_kk: new.name.clone(),
        admin_org_id: org_id,
        program: new.program.clone(),
        subprogram: if new.subprogram.is_empty() {
            "000".into()
        } else {
            new.subprogram.clone()
        },
        sphere: "other".into(),
        kind: "construction".into(),
        state: "in_progress".into(),
        kato: kato.to_string(),
        starts_on: new.starts_on,
        ends_on: year_end.max(new.starts_on),
        total_cost_tiyn: new.cost.tiyn(),
        financing: Vec::new(),
        objects: Vec::new(),
    };
    projects::validate(&input)?;
    projects::insert(tx, who, input).await
}

async fn stored_contracts(
    tx: &mut Tx,
    org_id: i64,
    year: i32,
) -> Result<HashMap<(String, String), TreasuryContract>, StoreError> {
    let rows: Vec<TreasuryContract> = on_tx!(&mut *tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM treasury_contracts WHERE org_id = $1 AND year = $2")))
        .bind(org_id).bind(i64::from(year)).fetch_all(conn).await)?;
    Ok(rows
        .into_iter()
        .map(|c| ((c.abp.clone(), c.number.clone()), c))
        .collect())
}

async fn write_contract(
    tx: &mut Tx,
    who: &Who,
    old: Option<&TreasuryContract>,
    c: &TreasuryContract,
) -> Result<(), StoreError> {
    if old.is_some() {
        exec_tx!(&mut *tx, conn => sqlx::query("DELETE FROM treasury_contracts WHERE id = $1")
            .bind(c.id).execute(conn).await)?;
    }
    exec_tx!(&mut *tx, conn => sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO treasury_contracts ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)")))
        .bind(c.id).bind(c.org_id).bind(c.year).bind(&c.abp).bind(&c.program).bind(&c.subprogram)
        .bind(&c.specific).bind(&c.number).bind(c.signed_on).bind(&c.supplier_bin).bind(c.amount)
        .bind(c.year_amount).bind(c.paid).bind(c.paid_as_of).bind(c.project_id)
        .execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(c.org_id),
        entity: "treasury_contract",
        entity_id: c.id.to_string(),
        action: if old.is_some() { "update" } else { "create" },
        old_value: old.map(|o| json!(o)),
        new_value: Some(json!(c)),
        reason: Some("4-09".into()),
    })
    .await
}

/// Every contract of form 4-09, whoever asks (the callers filter by the reader's rights).
pub async fn every(db: &Db) -> Result<Vec<TreasuryContract>, StoreError> {
    Ok(
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM treasury_contracts ORDER BY org_id, year, abp, number")))
        .fetch_all(pool).await)?,
    )
}

/// The 4-09 contracts of a project the caller may read, by year and number.
pub async fn contracts_of_project(
    db: &Db,
    p: &Principal,
    project_id: i64,
) -> Result<Vec<TreasuryContract>> {
    projects::get(db, p, project_id).await?;
    Ok(of_project(db, project_id).await?)
}

/// The 4-09 contracts of a project, by year and number.
pub async fn of_project(db: &Db, project_id: i64) -> Result<Vec<TreasuryContract>, StoreError> {
    Ok(
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM treasury_contracts WHERE project_id = $1 ORDER BY year, abp, number")))
        .bind(project_id).fetch_all(pool).await)?,
    )
}
