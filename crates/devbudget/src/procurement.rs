//! A customer's procurement plan points and contracts from the procurement portal (DB-2,
//! integration item 10), and the link of a contract to its investment project (DB-1).
//!
//! A load reads the customer's list page by page. Each page is read whole first — a page with
//! one bad item or a broken `next_page` is refused, naming the item and the field, and
//! nothing of it is written — then stored with the path of the next page in one transaction.
//! A load that stops (the portal down, a refused page) resumes from the stored path; a list
//! read to its end starts again from its first page next time. Items are kept by the portal's
//! id, so reading a page again changes nothing.

use chrono::{DateTime, Utc};
use jospar_access::{Error, Principal, Result, Right};
use jospar_core::listing::{ListQuery, Listable, Listed, SortKey};
use jospar_core::money::Tenge;
use jospar_goszakup::page::{
    Contract, ContractUnit, PlanPoint, parse_contracts, parse_plans, parse_units, units_disagree,
};
use jospar_goszakup::{Kind, PortalError, ProcurementPortal};
use jospar_store::{AuditEntry, Db, StoreError, Tx, Who, exec_tx, on_db, on_tx};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

/// How a load ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LoadOutcome {
    pub kind: Kind,
    pub customer_bin: String,
    /// Pages stored by this load.
    pub pages: i64,
    /// Items stored by this load.
    pub items: i64,
    /// Whether the list was read to its end.
    pub finished: bool,
    /// Why it stopped before the end: the portal's refusal or the page's fault.
    pub problem: Option<String>,
}

/// Where a customer's load of a list stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct LoadState {
    pub customer_bin: String,
    pub kind: String,
    /// The page to ask next; none when the list was read to its end.
    pub next_page: Option<String>,
    pub pages: i64,
    pub items: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// The organisation's BIN, with the caller's enter right on it.
async fn customer_bin(db: &Db, p: &Principal, org_id: i64, right: Right) -> Result<String> {
    p.require(right, org_id)?;
    let org = jospar_org::repo::get_org(db, org_id)
        .await?
        .ok_or(Error::NotFound)?;
    org.bin
        .filter(|b| !b.is_empty())
        .ok_or_else(|| Error::invalid("err-org-no-bin", "org"))
}

/// Whether the caller may load, import and link for the organisation.
pub fn may_enter(p: &Principal, org_id: i64) -> bool {
    p.can(Right::Enter, org_id)
}

/// The customers the server's schedule loads (DB-2): those loaded before and the
/// administrators of the register's projects, by BIN.
pub async fn scheduled_customers(db: &Db) -> Result<Vec<String>, StoreError> {
    let mut bins: Vec<String> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT DISTINCT customer_bin FROM procurement_loads").fetch_all(pool).await)?;
    let admins: Vec<i64> = crate::projects::every(db)
        .await?
        .iter()
        .map(|p| p.input.admin_org_id)
        .collect();
    for org in jospar_org::repo::all_orgs(db).await? {
        if let Some(bin) = org.bin.filter(|b| !b.is_empty())
            && admins.contains(&org.id)
            && !bins.contains(&bin)
        {
            bins.push(bin);
        }
    }
    bins.sort();
    Ok(bins)
}

/// Loads an organisation's list from the portal, resuming where the last load stopped.
pub async fn load(
    db: &Db,
    portal: &dyn ProcurementPortal,
    p: &Principal,
    org_id: i64,
    kind: Kind,
) -> Result<LoadOutcome> {
    let bin = customer_bin(db, p, org_id, Right::Enter).await?;
    Ok(load_customer(db, portal, &p.who(), &bin, kind).await?)
}

/// Loads a customer's list from the portal (the server's schedule and `jospar exchange`).
pub async fn load_customer(
    db: &Db,
    portal: &dyn ProcurementPortal,
    who: &Who,
    bin: &str,
    kind: Kind,
) -> Result<LoadOutcome, StoreError> {
    let state = load_state(db, bin, kind).await?;
    let mut path = match state.and_then(|s| s.next_page) {
        Some(next) => next,
        None => {
            restart(db, bin, kind, &kind.first_page(bin)).await?;
            kind.first_page(bin)
        }
    };
    let mut outcome = LoadOutcome {
        kind,
        customer_bin: bin.to_string(),
        pages: 0,
        items: 0,
        finished: false,
        problem: None,
    };
    loop {
        let body = match portal.page(kind, &path).await {
            Ok(body) => body,
            Err(e) => {
                outcome.problem = Some(portal_problem(&e));
                return Ok(outcome);
            }
        };
        let units = match kind {
            Kind::Plans => HashMap::new(),
            Kind::Contracts => match units_of_page(portal, &body).await {
                Ok(units) => units,
                Err(problem) => {
                    outcome.problem = Some(problem);
                    return Ok(outcome);
                }
            },
        };
        let stored = match store_page(db, who, bin, kind, &body, &units).await? {
            Ok(stored) => stored,
            Err(problem) => {
                outcome.problem = Some(problem);
                return Ok(outcome);
            }
        };
        outcome.pages += 1;
        outcome.items += stored.items;
        match stored.next_page {
            Some(next) if next == path => {
                outcome.problem = Some(format!("next_page {next} is the page just read"));
                return Ok(outcome);
            }
            Some(next) => path = next,
            None => {
                outcome.finished = true;
                return Ok(outcome);
            }
        }
    }
}

/// The units of every contract of a page of contracts, each contract's pages read to the end;
/// the problem when the portal or a page of units fails (then the page is not stored).
async fn units_of_page(
    portal: &dyn ProcurementPortal,
    body: &[u8],
) -> Result<HashMap<i64, Vec<ContractUnit>>, String> {
    // A page that is no page is refused by the store, with its reason.
    let Ok(page) = parse_contracts(body) else {
        return Ok(HashMap::new());
    };
    let mut units = HashMap::new();
    for contract in &page.items {
        let mut path = jospar_goszakup::units_path(contract.id);
        let mut of_contract = Vec::new();
        loop {
            let body = portal.units(&path).await.map_err(|e| portal_problem(&e))?;
            let page =
                parse_units(&body).map_err(|e| format!("contract {}, units: {e}", contract.id))?;
            of_contract.extend(page.items);
            match page.next_page {
                Some(next) if next != path => path = next,
                Some(next) => return Err(format!("next_page {next} is the page just read")),
                None => break,
            }
        }
        units.insert(contract.id, of_contract);
    }
    Ok(units)
}

fn portal_problem(e: &PortalError) -> String {
    e.to_string()
}

struct StoredPage {
    items: i64,
    next_page: Option<String>,
}

/// Reads a page whole, then stores its items and the next page's path in one transaction.
/// The inner error is the page's fault (nothing stored).
async fn store_page(
    db: &Db,
    who: &Who,
    bin: &str,
    kind: Kind,
    body: &[u8],
    units: &HashMap<i64, Vec<ContractUnit>>,
) -> Result<Result<StoredPage, String>, StoreError> {
    let mut tx = db.begin().await?;
    let stored = match kind {
        Kind::Plans => match parse_plans(body) {
            Err(e) => return Ok(Err(e.to_string())),
            Ok(page) => {
                if let Some(problem) =
                    foreign_items(bin, page.items.iter().map(|i| &i.subject_biin))
                {
                    return Ok(Err(problem));
                }
                for point in &page.items {
                    upsert_plan_point(&mut tx, bin, point).await?;
                }
                StoredPage {
                    items: page.items.len() as i64,
                    next_page: page.next_page,
                }
            }
        },
        Kind::Contracts => match parse_contracts(body) {
            Err(e) => return Ok(Err(e.to_string())),
            Ok(page) => {
                if let Some(problem) =
                    foreign_items(bin, page.items.iter().map(|i| &i.customer_bin))
                {
                    return Ok(Err(problem));
                }
                for contract in &page.items {
                    let units = units.get(&contract.id).map(Vec::as_slice);
                    if let Some(problem) = units_disagree(contract, units.unwrap_or_default()) {
                        return Ok(Err(problem));
                    }
                    upsert_contract(&mut tx, bin, contract, units).await?;
                }
                StoredPage {
                    items: page.items.len() as i64,
                    next_page: page.next_page,
                }
            }
        },
    };
    let now = Utc::now();
    exec_tx!(&mut tx, conn => sqlx::query(
        "UPDATE procurement_loads SET next_page = $1, pages = pages + 1, items = items + $2, finished_at = $3 \
         WHERE customer_bin = $4 AND kind = $5")
        .bind(&stored.next_page).bind(stored.items)
        .bind(stored.next_page.is_none().then_some(now))
        .bind(bin).bind(kind.code()).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: None,
        entity: "procurement_page",
        entity_id: format!("{bin}/{}", kind.code()),
        action: "import",
        old_value: None,
        new_value: Some(json!({"items": stored.items, "next_page": stored.next_page})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(Ok(stored))
}

/// An item of another customer in a customer's list: the page is not this customer's.
fn foreign_items<'a>(bin: &str, bins: impl Iterator<Item = &'a String>) -> Option<String> {
    bins.enumerate()
        .find(|(_, b)| !b.is_empty() && b.as_str() != bin)
        .map(|(i, b)| format!("item {}: customer {b} is not {bin}", i + 1))
}

/// Stores a plan point as the portal gives it, keeping the expense identifier it was linked to.
async fn upsert_plan_point(tx: &mut Tx, bin: &str, p: &PlanPoint) -> Result<(), StoreError> {
    let expense: Option<Option<i64>> = on_tx!(&mut *tx, conn => sqlx::query_scalar(
        "SELECT expense_id FROM procurement_plan_points WHERE id = $1").bind(p.id).fetch_optional(conn).await)?;
    exec_tx!(&mut *tx, conn => sqlx::query("DELETE FROM procurement_plan_points WHERE id = $1")
        .bind(p.id).execute(conn).await)?;
    exec_tx!(&mut *tx, conn => sqlx::query(
        "INSERT INTO procurement_plan_points (id, customer_bin, year, abp_code, name_ru, name_kz, enstru_code, units_code, \
         quantity, price, amount, month, finsource_id, plan_act_number, active, loaded_at, expense_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)")
        .bind(p.id).bind(bin).bind(p.year).bind(p.abp_code).bind(&p.name_ru).bind(&p.name_kz)
        .bind(&p.enstru_code).bind(&p.units_code).bind(&p.count).bind(p.price.tiyn()).bind(p.amount.tiyn())
        .bind(p.month).bind(p.finsource_id).bind(&p.plan_act_number).bind(p.active).bind(Utc::now())
        .bind(expense.flatten()).execute(conn).await)?;
    Ok(())
}

/// Stores a contract as the portal gives it, keeping the project it was linked to, with its
/// units when they were read (`None`: the units stored stay).
async fn upsert_contract(
    tx: &mut Tx,
    bin: &str,
    c: &Contract,
    units: Option<&[ContractUnit]>,
) -> Result<(), StoreError> {
    let project: Option<Option<i64>> = on_tx!(&mut *tx, conn => sqlx::query_scalar(
        "SELECT project_id FROM procurement_contracts WHERE id = $1").bind(c.id).fetch_optional(conn).await)?;
    let kept: Vec<ContractUnit> = match units {
        Some(units) => units.to_vec(),
        None => stored_units(tx, c.id).await?,
    };
    exec_tx!(&mut *tx, conn => sqlx::query("DELETE FROM procurement_contract_units WHERE contract_id = $1")
        .bind(c.id).execute(conn).await)?;
    exec_tx!(&mut *tx, conn => sqlx::query("DELETE FROM procurement_contracts WHERE id = $1")
        .bind(c.id).execute(conn).await)?;
    exec_tx!(&mut *tx, conn => sqlx::query(
        "INSERT INTO procurement_contracts (id, customer_bin, fin_year, contract_number, contract_number_sys, trd_buy_number_anno, \
         name_ru, name_kz, status_id, deleted, supplier_biin, sum, sum_with_vat, executed_with_vat, sign_date, description_ru, \
         description_kz, last_update_date, project_id, loaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)")
        .bind(c.id).bind(bin).bind(c.fin_year).bind(&c.contract_number).bind(&c.contract_number_sys)
        .bind(&c.trd_buy_number_anno).bind(&c.trd_buy_name_ru).bind(&c.trd_buy_name_kz).bind(c.status_id)
        .bind(c.deleted).bind(&c.supplier_biin).bind(c.sum.tiyn()).bind(c.sum_with_vat.tiyn())
        .bind(c.executed_with_vat.tiyn()).bind(&c.sign_date).bind(&c.description_ru).bind(&c.description_kz)
        .bind(&c.last_update_date).bind(project.flatten()).bind(Utc::now())
        .execute(conn).await)?;
    for u in &kept {
        exec_tx!(&mut *tx, conn => sqlx::query(
            "INSERT INTO procurement_contract_units (id, contract_id, plan_point_id, quantity, total_sum, total_sum_with_vat, \
             fact_sum_with_vat, deleted) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(u.id).bind(c.id).bind(u.plan_point_id).bind(&u.quantity).bind(u.total_sum.tiyn())
            .bind(u.total_sum_with_vat.tiyn()).bind(u.fact_sum_with_vat.tiyn()).bind(u.deleted)
            .execute(conn).await)?;
    }
    Ok(())
}

type UnitRow = (i64, i64, String, i64, i64, i64, bool);

fn unit_of(row: UnitRow) -> ContractUnit {
    let (id, plan_point_id, quantity, total, with_vat, fact, deleted) = row;
    ContractUnit {
        id,
        plan_point_id,
        quantity,
        total_sum: Tenge::from_tiyn(total),
        total_sum_with_vat: Tenge::from_tiyn(with_vat),
        fact_sum_with_vat: Tenge::from_tiyn(fact),
        deleted,
    }
}

const UNIT_COLUMNS: &str =
    "id, plan_point_id, quantity, total_sum, total_sum_with_vat, fact_sum_with_vat, deleted";

async fn stored_units(tx: &mut Tx, contract_id: i64) -> Result<Vec<ContractUnit>, StoreError> {
    let rows: Vec<UnitRow> = on_tx!(&mut *tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {UNIT_COLUMNS} FROM procurement_contract_units WHERE contract_id = $1 ORDER BY id")))
        .bind(contract_id).fetch_all(conn).await)?;
    Ok(rows.into_iter().map(unit_of).collect())
}

/// The units of the portal's contracts, by contract, whoever asks (the callers check rights).
pub async fn units_of(
    db: &Db,
    contract_ids: &[i64],
) -> Result<HashMap<i64, Vec<ContractUnit>>, StoreError> {
    let mut units: HashMap<i64, Vec<ContractUnit>> = HashMap::new();
    for id in contract_ids {
        let rows: Vec<UnitRow> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {UNIT_COLUMNS} FROM procurement_contract_units WHERE contract_id = $1 ORDER BY id")))
            .bind(*id).fetch_all(pool).await)?;
        units.insert(*id, rows.into_iter().map(unit_of).collect());
    }
    Ok(units)
}

pub async fn load_state(db: &Db, bin: &str, kind: Kind) -> Result<Option<LoadState>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT customer_bin, kind, next_page, pages, items, started_at, finished_at FROM procurement_loads \
         WHERE customer_bin = $1 AND kind = $2")
        .bind(bin).bind(kind.code()).fetch_optional(pool).await)?)
}

/// A new load of the list from its first page.
async fn restart(db: &Db, bin: &str, kind: Kind, first: &str) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM procurement_loads WHERE customer_bin = $1 AND kind = $2")
        .bind(bin).bind(kind.code()).execute(conn).await)?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO procurement_loads (customer_bin, kind, next_page, pages, items, started_at) VALUES ($1, $2, $3, 0, 0, $4)")
        .bind(bin).bind(kind.code()).bind(first).bind(Utc::now()).execute(conn).await)?;
    tx.commit().await?;
    Ok(())
}

/// Imports one page of the portal's JSON saved as a file (a page read by hand), into the
/// organisation's list: all of it or nothing.
pub async fn import_page(
    db: &Db,
    p: &Principal,
    org_id: i64,
    kind: Kind,
    body: &[u8],
) -> Result<i64> {
    let bin = customer_bin(db, p, org_id, Right::Enter).await?;
    if load_state(db, &bin, kind).await?.is_none() {
        restart(db, &bin, kind, &kind.first_page(&bin)).await?;
    }
    match store_page(db, &p.who(), &bin, kind, body, &HashMap::new()).await? {
        Ok(stored) => Ok(stored.items),
        Err(problem) => Err(Error::invalid_with(
            "err-procurement-page",
            "file",
            vec![("problem", problem)],
        )),
    }
}

/// A contract as the pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ContractRow {
    pub id: i64,
    pub customer_bin: String,
    pub fin_year: i64,
    pub contract_number: String,
    pub contract_number_sys: String,
    pub trd_buy_number_anno: String,
    pub name_ru: String,
    pub name_kz: String,
    pub status_id: i64,
    pub deleted: bool,
    pub supplier_biin: String,
    pub sum: i64,
    pub sum_with_vat: i64,
    pub executed_with_vat: i64,
    pub sign_date: Option<String>,
    pub project_id: Option<i64>,
}

impl Listable for ContractRow {
    fn search_text(&self) -> String {
        format!(
            "{} {} {} {} {}",
            self.contract_number,
            self.contract_number_sys,
            self.trd_buy_number_anno,
            self.name_ru,
            self.supplier_biin
        )
    }

    fn sort_key(&self, column: &str) -> Option<SortKey> {
        Some(match column {
            "number" => SortKey::text(&self.contract_number_sys),
            "name" => SortKey::text(&self.name_ru),
            "year" => SortKey::Number(self.fin_year),
            "sum" => SortKey::Number(self.sum_with_vat),
            "executed" => SortKey::Number(self.executed_with_vat),
            "signed" => SortKey::text(self.sign_date.as_deref().unwrap_or("")),
            _ => return None,
        })
    }
}

/// The organisation's contracts, searched, sorted and paged.
pub async fn contracts(
    db: &Db,
    p: &Principal,
    org_id: i64,
    query: &ListQuery,
) -> Result<Listed<ContractRow>> {
    let bin = customer_bin(db, p, org_id, Right::Read).await?;
    let rows: Vec<ContractRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, customer_bin, fin_year, contract_number, contract_number_sys, trd_buy_number_anno, name_ru, name_kz, \
         status_id, deleted, supplier_biin, sum, sum_with_vat, executed_with_vat, sign_date, project_id \
         FROM procurement_contracts WHERE customer_bin = $1 ORDER BY fin_year DESC, id DESC")
        .bind(&bin).fetch_all(pool).await)
    .map_err(StoreError::from)?;
    Ok(jospar_core::listing::list(rows, query))
}

/// The organisation's plan points, searched and paged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PlanPointRow {
    pub id: i64,
    pub year: i64,
    pub abp_code: Option<i64>,
    pub name_ru: String,
    pub name_kz: String,
    pub enstru_code: String,
    pub quantity: String,
    pub price: i64,
    pub amount: i64,
    pub month: i64,
    pub active: bool,
    /// The expense identifier (P-14) of the request line it buys for.
    pub expense_id: Option<i64>,
}

impl Listable for PlanPointRow {
    fn search_text(&self) -> String {
        format!(
            "{} {} {} {}",
            self.id, self.name_ru, self.name_kz, self.enstru_code
        )
    }

    fn sort_key(&self, column: &str) -> Option<SortKey> {
        Some(match column {
            "name" => SortKey::text(&self.name_ru),
            "year" => SortKey::Number(self.year),
            "amount" => SortKey::Number(self.amount),
            _ => return None,
        })
    }
}

pub async fn plan_points(
    db: &Db,
    p: &Principal,
    org_id: i64,
    query: &ListQuery,
) -> Result<Listed<PlanPointRow>> {
    let bin = customer_bin(db, p, org_id, Right::Read).await?;
    let rows: Vec<PlanPointRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, year, abp_code, name_ru, name_kz, enstru_code, quantity, price, amount, month, active, expense_id \
         FROM procurement_plan_points WHERE customer_bin = $1 ORDER BY year DESC, id")
        .bind(&bin).fetch_all(pool).await)
    .map_err(StoreError::from)?;
    Ok(jospar_core::listing::list(rows, query))
}

/// Links a contract of the organisation to a project the caller may read (none: unlinks),
/// audited old → new.
pub async fn link(
    db: &Db,
    p: &Principal,
    org_id: i64,
    contract_id: i64,
    project_id: Option<i64>,
) -> Result<()> {
    let bin = customer_bin(db, p, org_id, Right::Enter).await?;
    let old: Option<Option<i64>> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT project_id FROM procurement_contracts WHERE id = $1 AND customer_bin = $2")
        .bind(contract_id).bind(&bin).fetch_optional(pool).await)
    .map_err(StoreError::from)?;
    let old = old.ok_or(Error::NotFound)?;
    if let Some(project) = project_id {
        match crate::projects::find(db, project).await? {
            Some(found) if p.can(Right::Read, found.input.admin_org_id) => {}
            _ => return Err(Error::invalid("err-unknown-project", "project_id")),
        }
    }
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query("UPDATE procurement_contracts SET project_id = $1 WHERE id = $2")
        .bind(project_id).bind(contract_id).execute(conn).await)
    .map_err(StoreError::from)?;
    tx.audit(AuditEntry {
        who: &p.who(),
        org_id: Some(org_id),
        entity: "procurement_contract",
        entity_id: contract_id.to_string(),
        action: "update",
        old_value: Some(json!({"project_id": old})),
        new_value: Some(json!({"project_id": project_id})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Links a plan point of the organisation to the expense identifier of a line of its financing
/// plan of the point's year (none: unlinks), audited old → new (P-14, order 254).
pub async fn link_expense(
    db: &Db,
    p: &Principal,
    org_id: i64,
    point_id: i64,
    expense_id: Option<i64>,
) -> Result<()> {
    let bin = customer_bin(db, p, org_id, Right::Enter).await?;
    let point: Option<(i64, Option<i64>)> = on_db!(db, pool => sqlx::query_as(
        "SELECT year, expense_id FROM procurement_plan_points WHERE id = $1 AND customer_bin = $2")
        .bind(point_id).bind(&bin).fetch_optional(pool).await)
    .map_err(StoreError::from)?;
    let (year, old) = point.ok_or(Error::NotFound)?;
    if let Some(expense) = expense_id {
        let year = i32::try_from(year).map_err(|_| Error::NotFound)?;
        let planned = jospar_execution::plans::plans_of_year(db, year)
            .await?
            .iter()
            .any(|(_, org, lines)| *org == org_id && lines.iter().any(|l| l.expense_id == expense));
        if !planned {
            return Err(Error::invalid_with(
                "err-expense-not-planned",
                "expense_id",
                vec![("expense", expense.to_string()), ("year", year.to_string())],
            ));
        }
    }
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query("UPDATE procurement_plan_points SET expense_id = $1 WHERE id = $2")
        .bind(expense_id).bind(point_id).execute(conn).await)
    .map_err(StoreError::from)?;
    tx.audit(AuditEntry {
        who: &p.who(),
        org_id: Some(org_id),
        entity: "procurement_plan_point",
        entity_id: point_id.to_string(),
        action: "update",
        old_value: Some(json!({"expense_id": old})),
        new_value: Some(json!({"expense_id": expense_id})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A line of an organisation's approved budget by expense identifier, as it is sent to the
/// procurement side (order 254; the format is described in `data/goszakup/README.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApprovedExpense {
    pub customer_bin: String,
    pub year: i32,
    pub expense_id: i64,
    pub program: String,
    pub subprogram: String,
    pub specific: String,
    /// The approved amount of the year, tiyn.
    pub approved_tiyn: i64,
}

/// The organisation's approved budget of `year` by expense identifier: the lines of its
/// approved financing plans, for the procurement plan to carry the identifiers.
pub async fn approved_budget(
    db: &Db,
    p: &Principal,
    org_id: i64,
    year: i32,
) -> Result<Vec<ApprovedExpense>> {
    let bin = customer_bin(db, p, org_id, Right::Read).await?;
    let mut lines = Vec::new();
    for (id, org, _) in jospar_execution::plans::plans_of_year(db, year).await? {
        if org != org_id {
            continue;
        }
        let Some(plan) = jospar_execution::plans::plan(db, id).await? else {
            continue;
        };
        if plan.status != jospar_execution::plans::PlanStatus::Approved {
            continue;
        }
        lines.extend(plan.lines.iter().map(|l| ApprovedExpense {
            customer_bin: bin.clone(),
            year,
            expense_id: l.expense_id,
            program: l.program.clone(),
            subprogram: l.subprogram.clone(),
            specific: l.specific.clone(),
            approved_tiyn: l.approved.tiyn(),
        }));
    }
    lines.sort_by_key(|l| l.expense_id);
    Ok(lines)
}

/// A customer's contracts of a year and its plan points (with their expense identifiers),
/// whoever asks (the matching report checks rights).
pub async fn customer_year(
    db: &Db,
    bin: &str,
    year: i64,
) -> Result<(Vec<ContractRow>, Vec<PlanPointRow>), StoreError> {
    let contracts: Vec<ContractRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, customer_bin, fin_year, contract_number, contract_number_sys, trd_buy_number_anno, name_ru, name_kz, \
         status_id, deleted, supplier_biin, sum, sum_with_vat, executed_with_vat, sign_date, project_id \
         FROM procurement_contracts WHERE customer_bin = $1 AND fin_year = $2 ORDER BY id")
        .bind(bin).bind(year).fetch_all(pool).await)?;
    let points: Vec<PlanPointRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, year, abp_code, name_ru, name_kz, enstru_code, quantity, price, amount, month, active, expense_id \
         FROM procurement_plan_points WHERE customer_bin = $1 ORDER BY id")
        .bind(bin).fetch_all(pool).await)?;
    Ok((contracts, points))
}

/// The plan points bought for an expense identifier, whoever asks (the trace checks rights).
pub async fn points_of_expense(db: &Db, expense_id: i64) -> Result<Vec<PlanPointRow>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, year, abp_code, name_ru, name_kz, enstru_code, quantity, price, amount, month, active, expense_id \
         FROM procurement_plan_points WHERE expense_id = $1 ORDER BY id")
        .bind(expense_id).fetch_all(pool).await)?)
}

/// The contracts whose units buy for the plan points `points`, with those units, whoever asks.
pub async fn contracts_of_points(
    db: &Db,
    points: &[i64],
) -> Result<Vec<(ContractRow, Vec<ContractUnit>)>, StoreError> {
    let mut found: Vec<(ContractRow, Vec<ContractUnit>)> = Vec::new();
    for point in points {
        let ids: Vec<i64> = on_db!(db, pool => sqlx::query_scalar(
            "SELECT DISTINCT contract_id FROM procurement_contract_units WHERE plan_point_id = $1 ORDER BY contract_id")
            .bind(*point).fetch_all(pool).await)?;
        for id in ids {
            if found.iter().any(|(c, _)| c.id == id) {
                continue;
            }
            let contract: Option<ContractRow> = on_db!(db, pool => sqlx::query_as(
                "SELECT id, customer_bin, fin_year, contract_number, contract_number_sys, trd_buy_number_anno, name_ru, name_kz, \
                 status_id, deleted, supplier_biin, sum, sum_with_vat, executed_with_vat, sign_date, project_id \
                 FROM procurement_contracts WHERE id = $1")
                .bind(id).fetch_optional(pool).await)?;
            if let Some(contract) = contract {
                let units = units_of(db, &[id]).await?.remove(&id).unwrap_or_default();
                found.push((contract, units));
            }
        }
    }
    Ok(found)
}

/// The contracts linked to a project, for its page.
pub async fn contracts_of_project(
    db: &Db,
    p: &Principal,
    project_id: i64,
) -> Result<Vec<ContractRow>> {
    crate::projects::get(db, p, project_id).await?;
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, customer_bin, fin_year, contract_number, contract_number_sys, trd_buy_number_anno, name_ru, name_kz, \
         status_id, deleted, supplier_biin, sum, sum_with_vat, executed_with_vat, sign_date, project_id \
         FROM procurement_contracts WHERE project_id = $1 ORDER BY fin_year, id")
        .bind(project_id).fetch_all(pool).await)
    .map_err(StoreError::from)?)
}

/// Every portal contract linked to a project, whoever asks (the reports filter by the
/// reader's rights on the project).
pub async fn linked(db: &Db) -> Result<Vec<ContractRow>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, customer_bin, fin_year, contract_number, contract_number_sys, trd_buy_number_anno, name_ru, name_kz, \
         status_id, deleted, supplier_biin, sum, sum_with_vat, executed_with_vat, sign_date, project_id \
         FROM procurement_contracts WHERE project_id IS NOT NULL ORDER BY fin_year, id")
        .fetch_all(pool).await)?)
}

/// The organisations the caller may read that buy through the portal (they have a BIN), by
/// name.
pub async fn customers(db: &Db, p: &Principal) -> Result<Vec<jospar_org::domain::Org>> {
    let mut orgs: Vec<_> = jospar_org::repo::all_orgs(db)
        .await?
        .into_iter()
        .filter(|o| o.bin.as_deref().is_some_and(|b| !b.is_empty()))
        .filter(|o| p.can(Right::Read, o.id))
        .collect();
    orgs.sort_by(|a, b| a.name_ru.cmp(&b.name_ru));
    Ok(orgs)
}
