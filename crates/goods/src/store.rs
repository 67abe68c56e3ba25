//! Storage of goods, catalogue items, prices, indices, the price rule and the log of checks.
//! An import is one transaction written a chunk at a time as the file is read: a bad row
//! anywhere leaves nothing of the file. Codes new to the classifier are audited as one entry of
//! the import (with the file and the counts); every changed code and price with its old and
//! new value.

use crate::import::{CatalogueRow, GoodRow, ImportError, PriceRow, Reader, Record};
use crate::prices::{Indices, Observation};
use crate::{CatalogueItem, CheckLog, Good, GoodsError, ImportSummary, PriceRule};
use chrono::{DateTime, NaiveDate, Utc};
use jospar_core::text::search_key;
use jospar_store::{AuditEntry, Db, Tx, Who, exec_db, exec_tx, on_db, on_tx};
use serde_json::json;
use sqlx::AssertSqlSafe;
use std::collections::{HashMap, HashSet};
use std::io::Read;

/// Rows written by one statement.
const CHUNK: usize = 500;

type Result<T> = std::result::Result<T, GoodsError>;

/// `($1, $2, …), (…)`: the VALUES of `rows` rows of `columns` fields.
fn placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| {
            let fields: Vec<String> = (1..=columns)
                .map(|c| format!("${}", r * columns + c))
                .collect();
            format!("({})", fields.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `$1, $2, …` for an IN list.
fn list(count: usize) -> String {
    (1..=count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads and stores a file of goods, catalogue items or prices, all or nothing.
pub async fn import(
    db: &Db,
    who: &Who,
    input: impl Read,
    file_name: &str,
) -> Result<ImportSummary> {
    let mut reader = Reader::new(input)?;
    let kind = reader.kind();
    let mut summary = ImportSummary {
        kind: kind.code().to_string(),
        ..ImportSummary::default()
    };
    let mut tx = db.begin().await?;
    let mut seen: HashSet<String> = HashSet::new();
    let mut chunk = Vec::with_capacity(CHUNK);
    loop {
        let next = reader.next_record().transpose()?;
        let end = next.is_none();
        if let Some(record) = next {
            check_unique(&record, &mut seen)?;
            chunk.push(record);
        }
        if chunk.len() == CHUNK || (end && !chunk.is_empty()) {
            store_chunk(&mut tx, who, &chunk, file_name, &mut summary).await?;
            chunk.clear();
        }
        if end {
            break;
        }
    }
    tx.audit(AuditEntry {
        who,
        org_id: None,
        entity: "goods_import",
        entity_id: file_name.to_string(),
        action: "import",
        old_value: None,
        new_value: Some(json!(summary)),
        reason: Some(format!("import: {file_name}")),
    })
    .await?;
    tx.commit().await?;
    Ok(summary)
}

/// A code (or, for prices, a good, region, date and source) given twice in one file is an
/// error of the file: which of the two is meant cannot be told.
fn check_unique(record: &Record, seen: &mut HashSet<String>) -> Result<()> {
    let (row, column, key) = match record {
        Record::Good(g) => (g.row, "code", g.code.clone()),
        Record::Catalogue(c) => (c.row, "code", c.code.clone()),
        Record::Price(p) => (
            p.row,
            "date",
            format!(
                "{} {} {} {}",
                p.good_code, p.region, p.observed_on, p.source
            ),
        ),
    };
    if !seen.insert(key.clone()) {
        return Err(ImportError::Duplicate {
            row,
            column: column.into(),
            value: key,
        }
        .into());
    }
    Ok(())
}

async fn store_chunk(
    tx: &mut Tx,
    who: &Who,
    chunk: &[Record],
    file_name: &str,
    summary: &mut ImportSummary,
) -> Result<()> {
    let goods: Vec<&GoodRow> = chunk
        .iter()
        .filter_map(|r| match r {
            Record::Good(g) => Some(g),
            _ => None,
        })
        .collect();
    let items: Vec<&CatalogueRow> = chunk
        .iter()
        .filter_map(|r| match r {
            Record::Catalogue(c) => Some(c),
            _ => None,
        })
        .collect();
    let prices: Vec<&PriceRow> = chunk
        .iter()
        .filter_map(|r| match r {
            Record::Price(p) => Some(p),
            _ => None,
        })
        .collect();
    if !goods.is_empty() {
        let rows = goods.iter().map(CodeRow::from).collect();
        store_codes(tx, who, &GOODS, rows, file_name, summary).await?;
    }
    if !items.is_empty() {
        let codes: Vec<(usize, &str)> = items
            .iter()
            .map(|i| (i.row, i.good_code.as_str()))
            .collect();
        require_goods(tx, &codes).await?;
        let rows = items.iter().map(CodeRow::from).collect();
        store_codes(tx, who, &CATALOGUE, rows, file_name, summary).await?;
    }
    if !prices.is_empty() {
        let codes: Vec<(usize, &str)> = prices
            .iter()
            .map(|p| (p.row, p.good_code.as_str()))
            .collect();
        require_goods(tx, &codes).await?;
        store_prices(tx, who, &prices, file_name, summary).await?;
    }
    Ok(())
}

/// Refuses the first row naming a good the classifier does not hold.
async fn require_goods(tx: &mut Tx, codes: &[(usize, &str)]) -> Result<()> {
    let mut distinct: Vec<&str> = codes.iter().map(|(_, c)| *c).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let sql = format!(
        "SELECT code FROM goods WHERE code IN ({})",
        list(distinct.len())
    );
    let known: Vec<String> = on_tx!(tx, conn => {
        let mut q = sqlx::query_scalar(AssertSqlSafe(sql));
        for c in &distinct { q = q.bind(*c); }
        q.fetch_all(conn).await
    })?;
    if let Some((row, code)) = codes.iter().find(|(_, c)| !known.iter().any(|k| k == c)) {
        return Err(ImportError::UnknownGood {
            row: *row,
            column: "enstru_code".into(),
            value: code.to_string(),
        }
        .into());
    }
    Ok(())
}

/// A reference table of codes with four fields each: the classifier (kind, names, unit) and
/// the catalogue (good, names, unit). Its rows are stored alike: new codes inserted, changed
/// ones updated and audited with the old and new fields.
struct Reference {
    table: &'static str,
    entity: &'static str,
    /// The four fields after `code`, as the table and the audit name them.
    fields: [&'static str; 4],
}

const GOODS: Reference = Reference {
    table: "goods",
    entity: "good",
    fields: ["kind", "name_ru", "name_kk", "unit"],
};

const CATALOGUE: Reference = Reference {
    table: "catalogue_items",
    entity: "catalogue_item",
    fields: ["good_code", "name_ru", "name_kk", "unit"],
};

/// A row of a reference table: its code and its four fields.
struct CodeRow {
    code: String,
    fields: [String; 4],
}

impl From<&&GoodRow> for CodeRow {
    fn from(g: &&GoodRow) -> Self {
        CodeRow {
            code: g.code.clone(),
            fields: [
                g.kind.clone(),
                g.name_ru.clone(),
                g.name_kk.clone(),
                g.unit.clone(),
            ],
        }
    }
}

impl From<&&CatalogueRow> for CodeRow {
    fn from(c: &&CatalogueRow) -> Self {
        CodeRow {
            code: c.code.clone(),
            fields: [
                c.good_code.clone(),
                c.name_ru.clone(),
                c.name_kk.clone(),
                c.unit.clone(),
            ],
        }
    }
}

impl CodeRow {
    /// The code and both names, folded, for the search.
    fn search_key(&self) -> String {
        search_key(&format!(
            "{} {} {}",
            self.code, self.fields[1], self.fields[2]
        ))
    }

    fn audited(&self, fields: &[&str; 4]) -> serde_json::Value {
        fields
            .iter()
            .zip(&self.fields)
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    }
}

async fn store_codes(
    tx: &mut Tx,
    who: &Who,
    reference: &Reference,
    rows: Vec<CodeRow>,
    file_name: &str,
    summary: &mut ImportSummary,
) -> Result<()> {
    let [f1, f2, f3, f4] = reference.fields;
    let sql = format!(
        "SELECT code, {f1}, {f2}, {f3}, {f4} FROM {} WHERE code IN ({})",
        reference.table,
        list(rows.len())
    );
    let existing: Vec<(String, String, String, String, String)> = on_tx!(tx, conn => {
        let mut q = sqlx::query_as(AssertSqlSafe(sql));
        for r in &rows { q = q.bind(&r.code); }
        q.fetch_all(conn).await
    })?;
    let existing: HashMap<String, CodeRow> = existing
        .into_iter()
        .map(|(code, a, b, c, d)| {
            (
                code.clone(),
                CodeRow {
                    code,
                    fields: [a, b, c, d],
                },
            )
        })
        .collect();
    let mut new = Vec::new();
    let update = format!(
        "UPDATE {} SET {f1} = $1, {f2} = $2, {f3} = $3, {f4} = $4, search_key = $5 WHERE code = $6",
        reference.table
    );
    for row in rows {
        match existing.get(&row.code) {
            None => new.push(row),
            Some(old) if old.fields == row.fields => summary.unchanged += 1,
            Some(old) => {
                exec_tx!(tx, conn => {
                    let mut q = sqlx::query(AssertSqlSafe(update.clone()));
                    for f in &row.fields { q = q.bind(f); }
                    q.bind(row.search_key()).bind(&row.code).execute(conn).await
                })?;
                tx.audit(AuditEntry {
                    who,
                    org_id: None,
                    entity: reference.entity,
                    entity_id: row.code.clone(),
                    action: "update",
                    old_value: Some(old.audited(&reference.fields)),
                    new_value: Some(row.audited(&reference.fields)),
                    reason: Some(format!("import: {file_name}")),
                })
                .await?;
                summary.updated += 1;
            }
        }
    }
    if new.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO {} (code, {f1}, {f2}, {f3}, {f4}, search_key) VALUES {}",
        reference.table,
        placeholders(new.len(), 6)
    );
    exec_tx!(tx, conn => {
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for r in &new {
            q = q.bind(&r.code);
            for f in &r.fields { q = q.bind(f); }
            q = q.bind(r.search_key());
        }
        q.execute(conn).await
    })?;
    summary.inserted += new.len();
    Ok(())
}

async fn store_prices(
    tx: &mut Tx,
    who: &Who,
    rows: &[&PriceRow],
    file_name: &str,
    summary: &mut ImportSummary,
) -> Result<()> {
    let mut goods: Vec<&str> = rows.iter().map(|r| r.good_code.as_str()).collect();
    goods.sort_unstable();
    goods.dedup();
    let sql = format!(
        "SELECT good_code, region, observed_on, source, price FROM good_prices WHERE good_code IN ({})",
        list(goods.len())
    );
    let existing: Vec<(String, String, NaiveDate, String, i64)> = on_tx!(tx, conn => {
        let mut q = sqlx::query_as(AssertSqlSafe(sql));
        for g in &goods { q = q.bind(*g); }
        q.fetch_all(conn).await
    })?;
    let existing: HashMap<(String, String, NaiveDate, String), i64> = existing
        .into_iter()
        .map(|(g, r, d, s, p)| ((g, r, d, s), p))
        .collect();
    let mut new = Vec::new();
    for row in rows {
        let source = price_source(row, file_name);
        let key = (
            row.good_code.clone(),
            row.region.clone(),
            row.observed_on,
            source.clone(),
        );
        match existing.get(&key) {
            None => new.push((*row, source)),
            Some(old) if *old == row.price => summary.unchanged += 1,
            Some(old) => {
                exec_tx!(tx, conn => sqlx::query(
                    "UPDATE good_prices SET price = $1 WHERE good_code = $2 AND region = $3 AND observed_on = $4 AND source = $5")
                    .bind(row.price).bind(&row.good_code).bind(&row.region).bind(row.observed_on).bind(&source)
                    .execute(conn).await)?;
                tx.audit(AuditEntry {
                    who,
                    org_id: None,
                    entity: "good_price",
                    entity_id: format!(
                        "{} {} {} {}",
                        row.good_code, row.region, row.observed_on, source
                    ),
                    action: "update",
                    old_value: Some(json!({"price": old})),
                    new_value: Some(json!({"price": row.price})),
                    reason: Some(format!("import: {file_name}")),
                })
                .await?;
                summary.updated += 1;
            }
        }
    }
    if new.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO good_prices (good_code, region, observed_on, source, price) VALUES {}",
        placeholders(new.len(), 5)
    );
    exec_tx!(tx, conn => {
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (r, source) in &new {
            q = q.bind(&r.good_code).bind(&r.region).bind(r.observed_on).bind(source).bind(r.price);
        }
        q.execute(conn).await
    })?;
    summary.inserted += new.len();
    Ok(())
}

/// A price without a source is the file's.
fn price_source(row: &PriceRow, file_name: &str) -> String {
    if row.source.is_empty() {
        file_name.to_string()
    } else {
        row.source.clone()
    }
}

// ---------- reading ----------

const GOOD_COLUMNS: &str = "code, kind, name_ru, name_kk, unit";

/// A page of the classifier: goods holding every search word, sorted by code or name.
pub async fn search(
    db: &Db,
    q: &str,
    by_name: bool,
    descending: bool,
    offset: usize,
    limit: usize,
) -> Result<(Vec<Good>, usize)> {
    let words: Vec<String> = search_key(q)
        .split_whitespace()
        .map(|w| format!("%{w}%"))
        .collect();
    let filter = if words.is_empty() {
        "1 = 1".to_string()
    } else {
        (1..=words.len())
            .map(|i| format!("search_key LIKE ${i}"))
            .collect::<Vec<_>>()
            .join(" AND ")
    };
    let order = format!(
        "{} {}",
        if by_name { "name_ru" } else { "code" },
        if descending { "DESC" } else { "ASC" }
    );
    let count_sql = format!("SELECT COUNT(*) FROM goods WHERE {filter}");
    let total: i64 = on_db!(db, pool => {
        let mut q = sqlx::query_scalar(AssertSqlSafe(count_sql));
        for w in &words { q = q.bind(w); }
        q.fetch_one(pool).await
    })?;
    let page_sql = format!(
        "SELECT {GOOD_COLUMNS} FROM goods WHERE {filter} ORDER BY {order}, code LIMIT {limit} OFFSET {offset}"
    );
    let rows: Vec<Good> = on_db!(db, pool => {
        let mut q = sqlx::query_as(AssertSqlSafe(page_sql));
        for w in &words { q = q.bind(w); }
        q.fetch_all(pool).await
    })?;
    Ok((rows, usize::try_from(total).unwrap_or(0)))
}

pub async fn good(db: &Db, code: &str) -> Result<Option<Good>> {
    let sql = format!("SELECT {GOOD_COLUMNS} FROM goods WHERE code = $1");
    Ok(
        on_db!(db, pool => sqlx::query_as(AssertSqlSafe(sql)).bind(code).fetch_optional(pool).await)?,
    )
}

pub async fn count_goods(db: &Db) -> Result<i64> {
    Ok(on_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM goods").fetch_one(pool).await)?)
}

pub async fn catalogue_of(db: &Db, good_code: &str) -> Result<Vec<CatalogueItem>> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT code, good_code, name_ru, name_kk, unit FROM catalogue_items WHERE good_code = $1 ORDER BY code")
        .bind(good_code).fetch_all(pool).await)?)
}

/// Every observed price of a good, newest first.
pub async fn observations(db: &Db, good_code: &str) -> Result<Vec<Observation>> {
    let rows: Vec<(String, String, NaiveDate, String, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT good_code, region, observed_on, source, price FROM good_prices WHERE good_code = $1 \
         ORDER BY observed_on DESC, region, source")
        .bind(good_code).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(
            |(good_code, region, observed_on, source, price)| Observation {
                good_code,
                region,
                observed_on,
                source,
                price,
            },
        )
        .collect())
}

/// Records one observed price typed on the page; the same good, region, date and source
/// replace the price, audited with the old one.
pub async fn put_observation(db: &Db, who: &Who, o: &Observation) -> Result<()> {
    let mut tx = db.begin().await?;
    let old: Option<i64> = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT price FROM good_prices WHERE good_code = $1 AND region = $2 AND observed_on = $3 AND source = $4")
        .bind(&o.good_code).bind(&o.region).bind(o.observed_on).bind(&o.source).fetch_optional(conn).await)?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO good_prices (good_code, region, observed_on, source, price) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (good_code, region, observed_on, source) DO UPDATE SET price = excluded.price")
        .bind(&o.good_code).bind(&o.region).bind(o.observed_on).bind(&o.source).bind(o.price)
        .execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: None,
        entity: "good_price",
        entity_id: format!(
            "{} {} {} {}",
            o.good_code, o.region, o.observed_on, o.source
        ),
        action: if old.is_some() { "update" } else { "create" },
        old_value: old.map(|p| json!({"price": p})),
        new_value: Some(json!({"price": o.price})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn indices(db: &Db) -> Result<Indices> {
    let rows: Vec<(i64, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT year, percent_bp FROM price_indices ORDER BY year").fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(y, bp)| Some((i32::try_from(y).ok()?, bp)))
        .collect())
}

/// Sets (or, with `None`, removes) a year's inflation index, audited.
pub async fn set_index(db: &Db, who: &Who, year: i32, percent_bp: Option<i64>) -> Result<()> {
    let mut tx = db.begin().await?;
    let old: Option<i64> = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT percent_bp FROM price_indices WHERE year = $1").bind(i64::from(year)).fetch_optional(conn).await)?;
    if old == percent_bp {
        return Ok(());
    }
    match percent_bp {
        Some(bp) => exec_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO price_indices (year, percent_bp) VALUES ($1, $2) \
             ON CONFLICT (year) DO UPDATE SET percent_bp = excluded.percent_bp")
            .bind(i64::from(year)).bind(bp).execute(conn).await)?,
        None => exec_tx!(&mut tx, conn => sqlx::query("DELETE FROM price_indices WHERE year = $1")
            .bind(i64::from(year)).execute(conn).await)?,
    };
    tx.audit(AuditEntry {
        who,
        org_id: None,
        entity: "price_index",
        entity_id: year.to_string(),
        action: match (old, percent_bp) {
            (None, _) => "create",
            (_, None) => "delete",
            _ => "update",
        },
        old_value: old.map(|bp| json!({"percent_bp": bp})),
        new_value: percent_bp.map(|bp| json!({"percent_bp": bp})),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

const RULE_KEY: &str = "price_rule";

/// The rule in force for a price above the recommended one; refusal until set otherwise.
pub async fn rule(db: &Db) -> Result<PriceRule> {
    let value: Option<String> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT value FROM settings WHERE key = $1").bind(RULE_KEY).fetch_optional(pool).await)?;
    Ok(value
        .as_deref()
        .and_then(PriceRule::from_code)
        .unwrap_or(PriceRule::Refuse))
}

pub async fn set_rule(db: &Db, who: &Who, rule: PriceRule, reason: &str) -> Result<()> {
    let old = self::rule(db).await?;
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")
        .bind(RULE_KEY).bind(rule.code()).bind(Utc::now()).execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: None,
        entity: "setting",
        entity_id: RULE_KEY.into(),
        action: "update",
        old_value: Some(json!(old.code())),
        new_value: Some(json!(rule.code())),
        reason: Some(reason.to_string()),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Writes checks to the log in one statement per chunk (the log is not the audit log: a
/// refused save changes no data, and its check is still recorded).
pub async fn log_checks(db: &Db, checks: &[CheckLog]) -> Result<()> {
    for chunk in checks.chunks(CHUNK / 2) {
        let sql = format!(
            "INSERT INTO price_checks (id, checked_at, login, iin, org_id, request_id, line_id, year, row_no, \
             good_code, price, recommended, rule, outcome, justification) VALUES {}",
            placeholders(chunk.len(), 15)
        );
        exec_db!(db, pool => {
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for c in chunk {
                q = q.bind(c.id).bind(c.checked_at).bind(&c.login).bind(&c.iin).bind(c.org_id)
                    .bind(c.request_id).bind(c.line_id).bind(i64::from(c.year)).bind(c.row_no)
                    .bind(&c.good_code).bind(c.price).bind(c.recommended).bind(&c.rule)
                    .bind(&c.outcome).bind(&c.justification);
            }
            q.execute(pool).await
        })?;
    }
    Ok(())
}

type CheckRow = (
    i64,
    DateTime<Utc>,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
    String,
    i64,
    Option<i64>,
    String,
    String,
    String,
);

/// The latest checks, newest first (at most `limit`).
pub async fn checks(db: &Db, limit: i64) -> Result<Vec<CheckLog>> {
    let rows: Vec<CheckRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, checked_at, login, iin, org_id, request_id, line_id, year, row_no, good_code, price, \
         recommended, rule, outcome, justification FROM price_checks ORDER BY checked_at DESC, id DESC LIMIT $1")
        .bind(limit).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|r| CheckLog {
            id: r.0,
            checked_at: r.1,
            login: r.2,
            iin: r.3,
            org_id: r.4,
            request_id: r.5,
            line_id: r.6,
            year: i32::try_from(r.7).unwrap_or(0),
            row_no: r.8,
            good_code: r.9,
            price: r.10,
            recommended: r.11,
            rule: r.12,
            outcome: r.13,
            justification: r.14,
        })
        .collect())
}
