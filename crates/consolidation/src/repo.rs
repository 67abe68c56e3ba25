//! Storage of the kept totals: written in the caller's transaction, read by the consolidated
//! reports, rebuilt and verified against the detail.
//!
//! Each institution's cells are added to its own row set and to that of every organisation
//! above it (the chain), with the administrator of budget programs above the institution as a
//! column, so a whole region's plan "by administrator × program × specific × month" is one
//! indexed range read of the region's node. A plan total holds the twelve months as columns
//! (obligations `o1`…`o12`, payments `p1`…`p12`, migration 0031): the answer has one row per
//! administrator and codes, not twelve.

use crate::{Codes, Flow, Months, Years};
use jospar_store::bulk::{Value, insert_rows};
use jospar_store::{Db, StoreError, Tx, exec_tx, on_db, on_tx};
use std::sync::LazyLock;

type Result<T> = std::result::Result<T, StoreError>;

/// One kept (or recomputed) row of a consolidated financing plan: an administrator's codes
/// with their twelve months.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlanTotal {
    pub admin_id: i64,
    pub codes: Codes,
    pub months: Months,
}

/// Reads `admin_id, program, subprogram, specific,` then [`MONTH_COLUMNS`], by position.
impl<'r, R: sqlx::Row> sqlx::FromRow<'r, R> for PlanTotal
where
    usize: sqlx::ColumnIndex<R>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    fn from_row(row: &'r R) -> std::result::Result<Self, sqlx::Error> {
        let mut months = Months::default();
        for (index, month) in months.iter_mut().enumerate() {
            *month = Flow {
                obligations: row.try_get(4 + index)?,
                payments: row.try_get(16 + index)?,
            };
        }
        Ok(PlanTotal {
            admin_id: row.try_get(0)?,
            codes: Codes {
                program: row.try_get(1)?,
                subprogram: row.try_get(2)?,
                specific: row.try_get(3)?,
            },
            months,
        })
    }
}

/// The month columns of `plan_totals` in their order: `o1, …, o12, p1, …, p12`.
fn month_columns() -> impl Iterator<Item = String> {
    (1..=12)
        .map(|m| format!("o{m}"))
        .chain((1..=12).map(|m| format!("p{m}")))
}

/// `o1, …, o12, p1, …, p12`: what follows the codes in a plan total's row.
pub static MONTH_COLUMNS: LazyLock<String> =
    LazyLock::new(|| month_columns().collect::<Vec<_>>().join(", "));

/// True of a plan total with any month not zero; a row whose months have all come back to
/// zero is kept, but is not part of any answer.
pub static ANY_MONTH: LazyLock<String> = LazyLock::new(|| {
    let tests: Vec<String> = month_columns().map(|c| format!("{c} <> 0")).collect();
    format!("({})", tests.join(" OR "))
});

/// The detail rows `c` of `plan_cells` summed into the twelve months of each column.
fn month_sums() -> String {
    let sum = |m: u32, amount: &str, column: &str| {
        format!(
            "CAST(SUM(CASE WHEN c.month = {m} THEN c.{amount} ELSE 0 END) AS BIGINT) AS {column}{m}"
        )
    };
    let sums: Vec<String> = (1..=12)
        .map(|m| sum(m, "obligations", "o"))
        .chain((1..=12).map(|m| sum(m, "payments", "p")))
        .collect();
    sums.join(", ")
}

const PLAN_KEY: &str = "node_id, year, admin_id, program, subprogram, specific";

static PLAN_INSERT: LazyLock<String> =
    LazyLock::new(|| format!("INSERT INTO plan_totals ({PLAN_KEY}, {})", *MONTH_COLUMNS));

static PLAN_ADD: LazyLock<String> = LazyLock::new(|| {
    let add: Vec<String> = month_columns()
        .map(|c| format!("{c} = plan_totals.{c} + excluded.{c}"))
        .collect();
    format!("ON CONFLICT ({PLAN_KEY}) DO UPDATE SET {}", add.join(", "))
});

static PLAN_READ: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT admin_id, program, subprogram, specific, {} FROM plan_totals \
         WHERE node_id = $1 AND year = $2 AND {} ORDER BY admin_id, program, subprogram, specific",
        *MONTH_COLUMNS, *ANY_MONTH
    )
});

/// One kept (or recomputed) row of a consolidated budget request: an administrator's codes
/// with the amounts of the campaign's four years (see [`crate::year_at`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RequestTotal {
    pub admin_id: i64,
    pub codes: Codes,
    pub years: Years,
}

/// `y0, y1, y2, y3`: the amounts of a request total's four years, the report year first.
pub const YEAR_COLUMNS: &str = "y0, y1, y2, y3";

/// True of a request total with any year not zero.
pub const ANY_YEAR: &str = "(y0 <> 0 OR y1 <> 0 OR y2 <> 0 OR y3 <> 0)";

/// The amounts `y.amount` of `request_line_years y` summed into the four year columns of the
/// campaign `lc` (`limit_campaigns`).
const YEAR_SUMS: &str = "CAST(SUM(CASE WHEN y.year = lc.first_year - 1 THEN y.amount ELSE 0 END) AS BIGINT) AS y0, \
     CAST(SUM(CASE WHEN y.year = lc.first_year THEN y.amount ELSE 0 END) AS BIGINT) AS y1, \
     CAST(SUM(CASE WHEN y.year = lc.first_year + 1 THEN y.amount ELSE 0 END) AS BIGINT) AS y2, \
     CAST(SUM(CASE WHEN y.year = lc.first_year + 2 THEN y.amount ELSE 0 END) AS BIGINT) AS y3";

const REQUEST_KEY: &str = "node_id, campaign_id, admin_id, program, subprogram, specific";

static REQUEST_INSERT: LazyLock<String> =
    LazyLock::new(|| format!("INSERT INTO request_totals ({REQUEST_KEY}, {YEAR_COLUMNS})"));

static REQUEST_ADD: LazyLock<String> = LazyLock::new(|| {
    format!(
        "ON CONFLICT ({REQUEST_KEY}) DO UPDATE SET \
         y0 = request_totals.y0 + excluded.y0, y1 = request_totals.y1 + excluded.y1, \
         y2 = request_totals.y2 + excluded.y2, y3 = request_totals.y3 + excluded.y3"
    )
});

static REQUEST_READ: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT admin_id, program, subprogram, specific, {YEAR_COLUMNS} FROM request_totals \
         WHERE node_id = $1 AND campaign_id = $2 AND {ANY_YEAR} \
         ORDER BY admin_id, program, subprogram, specific"
    )
});

/// An organisation and everything above it, with the administrator the totals are kept under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// The organisation first, the root last.
    pub nodes: Vec<i64>,
    /// The nearest administrator at or above the organisation; 0 when there is none.
    pub admin_id: i64,
}

const CHAIN_SQL: &str = "WITH RECURSIVE up(id, parent_id, kind, depth) AS ( \
       SELECT id, parent_id, kind, 0 FROM orgs WHERE id = $1 \
       UNION ALL SELECT o.id, o.parent_id, o.kind, up.depth + 1 FROM orgs o JOIN up ON o.id = up.parent_id) \
     SELECT id, kind FROM up ORDER BY depth";

fn chain_of(rows: Vec<(i64, String)>) -> Chain {
    let admin_id = rows
        .iter()
        .find(|(_, kind)| kind == "administrator")
        .map(|(id, _)| *id)
        .unwrap_or(0);
    Chain {
        nodes: rows.into_iter().map(|(id, _)| id).collect(),
        admin_id,
    }
}

pub async fn chain(tx: &mut Tx, org_id: i64) -> Result<Chain> {
    let rows: Vec<(i64, String)> =
        on_tx!(tx, conn => sqlx::query_as(CHAIN_SQL).bind(org_id).fetch_all(conn).await)?;
    Ok(chain_of(rows))
}

pub async fn chain_read(db: &Db, org_id: i64) -> Result<Chain> {
    let rows: Vec<(i64, String)> =
        on_db!(db, pool => sqlx::query_as(CHAIN_SQL).bind(org_id).fetch_all(pool).await)?;
    Ok(chain_of(rows))
}

/// Adds the difference of an institution's plan for a year to its cells and to the totals of
/// its chain. Call it in the transaction that changes the plan.
pub async fn apply_plan(
    tx: &mut Tx,
    org_id: i64,
    year: i32,
    difference: &[((Codes, u8), Flow)],
) -> Result<()> {
    if difference.is_empty() {
        return Ok(());
    }
    let chain = chain(tx, org_id).await?;
    let codes_of = |codes: &Codes| {
        [
            Value::Text(codes.program.clone()),
            Value::Text(codes.subprogram.clone()),
            Value::Text(codes.specific.clone()),
        ]
    };
    let cells: Vec<Vec<Value>> = difference
        .iter()
        .map(|((codes, month), flow)| {
            let mut row = vec![Value::Int(org_id), Value::Int(i64::from(year))];
            row.extend(codes_of(codes));
            row.extend([
                Value::Int(i64::from(*month)),
                Value::Int(flow.obligations),
                Value::Int(flow.payments),
            ]);
            row
        })
        .collect();
    insert_rows(
        tx,
        "INSERT INTO plan_cells (org_id, year, program, subprogram, specific, month, obligations, payments)",
        "ON CONFLICT (org_id, year, program, subprogram, specific, month) DO UPDATE SET \
         obligations = plan_cells.obligations + excluded.obligations, payments = plan_cells.payments + excluded.payments",
        &cells,
    )
    .await?;
    let rows = crate::by_month(difference);
    let totals: Vec<Vec<Value>> = chain
        .nodes
        .iter()
        .flat_map(|node| {
            rows.iter().map(|(codes, months)| {
                let mut row = vec![
                    Value::Int(*node),
                    Value::Int(i64::from(year)),
                    Value::Int(chain.admin_id),
                ];
                row.extend(codes_of(codes));
                row.extend(months.iter().map(|m| Value::Int(m.obligations)));
                row.extend(months.iter().map(|m| Value::Int(m.payments)));
                row
            })
        })
        .collect();
    insert_rows(tx, &PLAN_INSERT, &PLAN_ADD, &totals).await
}

/// Adds the difference of an organisation's counted request to the totals of its chain.
async fn apply_request(
    tx: &mut Tx,
    campaign_id: i64,
    org_id: i64,
    difference: &[((Codes, i32), i64)],
) -> Result<()> {
    if difference.is_empty() {
        return Ok(());
    }
    let chain = chain(tx, org_id).await?;
    let first_year: i64 = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT first_year FROM limit_campaigns WHERE id = $1")
        .bind(campaign_id).fetch_one(conn).await)?;
    let by_year = crate::by_year(difference, first_year as i32);
    let rows: Vec<Vec<Value>> = chain
        .nodes
        .iter()
        .flat_map(|node| {
            by_year.iter().map(|(codes, years)| {
                let mut row = vec![
                    Value::Int(*node),
                    Value::Int(campaign_id),
                    Value::Int(chain.admin_id),
                    Value::Text(codes.program.clone()),
                    Value::Text(codes.subprogram.clone()),
                    Value::Text(codes.specific.clone()),
                ];
                row.extend(years.iter().map(|amount| Value::Int(*amount)));
                row
            })
        })
        .collect();
    insert_rows(tx, &REQUEST_INSERT, &REQUEST_ADD, &rows).await
}

async fn request_cells(tx: &mut Tx, request_id: Option<i64>) -> Result<crate::RequestCells> {
    let Some(request_id) = request_id else {
        return Ok(Default::default());
    };
    let rows: Vec<(String, String, String, i64, i64)> = on_tx!(tx, conn => sqlx::query_as(
        "SELECT l.program, l.subprogram, l.specific, y.year, y.amount FROM request_lines l \
         JOIN request_line_years y ON y.request_id = l.request_id AND y.line_id = l.id WHERE l.request_id = $1")
        .bind(request_id).fetch_all(conn).await)?;
    let mut cells = crate::RequestCells::new();
    for (program, subprogram, specific, year, amount) in rows {
        let codes = Codes {
            program,
            subprogram,
            specific,
        };
        *cells.entry((codes, year as i32)).or_default() += amount;
    }
    Ok(cells)
}

/// Makes the totals count the newest approved request of an organisation in a campaign (the
/// one a consolidation of approved requests takes). Call it in the transaction of every change
/// of a request's status to or from approved.
pub async fn recount_request(tx: &mut Tx, campaign_id: i64, org_id: i64) -> Result<()> {
    let counted: Option<i64> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT request_id FROM request_counted WHERE campaign_id = $1 AND org_id = $2")
        .bind(campaign_id).bind(org_id).fetch_optional(conn).await)?;
    let newest: Option<i64> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT MAX(id) FROM budget_requests WHERE campaign_id = $1 AND org_id = $2 AND status = 'approved'")
        .bind(campaign_id).bind(org_id).fetch_one(conn).await)?;
    if counted == newest {
        return Ok(());
    }
    let old = request_cells(tx, counted).await?;
    let new = request_cells(tx, newest).await?;
    apply_request(tx, campaign_id, org_id, &crate::difference(&old, &new)).await?;
    exec_tx!(tx, conn => sqlx::query("DELETE FROM request_counted WHERE campaign_id = $1 AND org_id = $2")
        .bind(campaign_id).bind(org_id).execute(conn).await)?;
    if let Some(request_id) = newest {
        exec_tx!(tx, conn => sqlx::query(
            "INSERT INTO request_counted (campaign_id, org_id, request_id) VALUES ($1, $2, $3)")
            .bind(campaign_id).bind(org_id).bind(request_id).execute(conn).await)?;
    }
    Ok(())
}

type RequestRow = (i64, String, String, String, i64, i64, i64, i64);

fn request_total(
    (admin_id, program, subprogram, specific, y0, y1, y2, y3): RequestRow,
) -> RequestTotal {
    RequestTotal {
        admin_id,
        codes: Codes {
            program,
            subprogram,
            specific,
        },
        years: [y0, y1, y2, y3],
    }
}

/// The consolidated financing plan of `node`'s subtree for a year, as kept.
pub async fn plan_totals(db: &Db, node: i64, year: i32) -> Result<Vec<PlanTotal>> {
    let rows: Vec<PlanTotal> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(PLAN_READ.as_str()))
        .bind(node).bind(i64::from(year)).fetch_all(pool).await)?;
    Ok(rows)
}

/// The consolidated approved budget requests of `node`'s subtree in a campaign, as kept.
pub async fn request_totals(db: &Db, node: i64, campaign_id: i64) -> Result<Vec<RequestTotal>> {
    let rows: Vec<RequestRow> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(REQUEST_READ.as_str()))
        .bind(node).bind(campaign_id).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(request_total).collect())
}

/// The subtree of `$1` with the administrator of each organisation (`$2`: that of `$1`).
const SUBTREE_SQL: &str = "WITH RECURSIVE sub(id, admin_id) AS ( \
       SELECT id, CAST($2 AS BIGINT) FROM orgs WHERE id = $1 \
       UNION ALL SELECT o.id, CASE WHEN o.kind = 'administrator' THEN o.id ELSE sub.admin_id END \
       FROM orgs o JOIN sub ON o.parent_id = sub.id)";

/// The same plan as [`plan_totals`], by the one `GROUP BY` over the detail rows a SQL report
/// would run: the baseline of the benchmark and the reference of the tests.
pub async fn plan_by_group_by(db: &Db, node: i64, year: i32) -> Result<Vec<PlanTotal>> {
    let admin = chain_read(db, node).await?.admin_id;
    let sql = format!(
        "{SUBTREE_SQL}, grouped AS ( \
           SELECT sub.admin_id, c.program, c.subprogram, c.specific, {sums} \
           FROM plan_cells c JOIN sub ON sub.id = c.org_id WHERE c.year = $3 \
           GROUP BY sub.admin_id, c.program, c.subprogram, c.specific) \
         SELECT * FROM grouped WHERE {any} ORDER BY admin_id, program, subprogram, specific",
        sums = month_sums(),
        any = *ANY_MONTH,
    );
    let rows: Vec<PlanTotal> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(node).bind(admin).bind(i64::from(year)).fetch_all(pool).await)?;
    Ok(rows)
}

/// The same requests as [`request_totals`], by one `GROUP BY` over the request lines (of each
/// organisation its newest approved request): the baseline and the reference.
pub async fn requests_by_group_by(
    db: &Db,
    node: i64,
    campaign_id: i64,
) -> Result<Vec<RequestTotal>> {
    let admin = chain_read(db, node).await?.admin_id;
    let sql = format!(
        "{SUBTREE_SQL}, counted(org_id, id) AS ( \
           SELECT org_id, MAX(id) FROM budget_requests WHERE campaign_id = $3 AND status = 'approved' GROUP BY org_id) \
         , grouped AS ( \
           SELECT sub.admin_id, l.program, l.subprogram, l.specific, {YEAR_SUMS} \
           FROM counted r JOIN limit_campaigns lc ON lc.id = $3 JOIN sub ON sub.id = r.org_id \
           JOIN request_lines l ON l.request_id = r.id \
           JOIN request_line_years y ON y.request_id = r.id AND y.line_id = l.id \
           GROUP BY sub.admin_id, l.program, l.subprogram, l.specific) \
         SELECT * FROM grouped WHERE {ANY_YEAR} ORDER BY admin_id, program, subprogram, specific"
    );
    let rows: Vec<RequestRow> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(node).bind(admin).bind(campaign_id).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(request_total).collect())
}

/// Every organisation with its administrator (`adm`) and every organisation with each of its
/// ancestors and itself (`up`): what a rebuild and a verification group the detail by.
const CLOSURE_SQL: &str = "WITH RECURSIVE adm(id, admin_id) AS ( \
       SELECT id, CASE WHEN kind = 'administrator' THEN id ELSE 0 END FROM orgs WHERE parent_id IS NULL \
       UNION ALL SELECT o.id, CASE WHEN o.kind = 'administrator' THEN o.id ELSE adm.admin_id END \
       FROM orgs o JOIN adm ON o.parent_id = adm.id), \
     up(org_id, node_id) AS ( \
       SELECT id, id FROM orgs \
       UNION ALL SELECT up.org_id, o.parent_id FROM up JOIN orgs o ON o.id = up.node_id WHERE o.parent_id IS NOT NULL)";

/// Every plan total recomputed from the detail (after [`CLOSURE_SQL`]).
fn plan_recomputed() -> String {
    format!(
        "SELECT * FROM ( \
           SELECT up.node_id, c.year, adm.admin_id, c.program, c.subprogram, c.specific, {sums} \
           FROM plan_cells c JOIN adm ON adm.id = c.org_id JOIN up ON up.org_id = c.org_id \
           GROUP BY up.node_id, c.year, adm.admin_id, c.program, c.subprogram, c.specific) g \
         WHERE {any}",
        sums = month_sums(),
        any = *ANY_MONTH,
    )
}

fn plan_kept() -> String {
    format!(
        "SELECT {PLAN_KEY}, {} FROM plan_totals WHERE {}",
        *MONTH_COLUMNS, *ANY_MONTH
    )
}

/// Every request total recomputed from the counted requests (after [`CLOSURE_SQL`]).
fn request_recomputed() -> String {
    format!(
        "SELECT * FROM ( \
           SELECT up.node_id, rc.campaign_id, adm.admin_id, l.program, l.subprogram, l.specific, {YEAR_SUMS} \
           FROM request_counted rc JOIN limit_campaigns lc ON lc.id = rc.campaign_id \
           JOIN request_lines l ON l.request_id = rc.request_id \
           JOIN request_line_years y ON y.request_id = rc.request_id AND y.line_id = l.id \
           JOIN adm ON adm.id = rc.org_id JOIN up ON up.org_id = rc.org_id \
           GROUP BY up.node_id, rc.campaign_id, adm.admin_id, l.program, l.subprogram, l.specific) g \
         WHERE {ANY_YEAR}"
    )
}

fn request_kept() -> String {
    format!("SELECT {REQUEST_KEY}, {YEAR_COLUMNS} FROM request_totals WHERE {ANY_YEAR}")
}

const COUNTED_EXPECTED: &str = "SELECT campaign_id, org_id, MAX(id) FROM budget_requests WHERE status = 'approved' \
     GROUP BY campaign_id, org_id";

const COUNTED_KEPT: &str = "SELECT campaign_id, org_id, request_id FROM request_counted";

/// Replaces every kept total by a recomputation from the detail: after a bulk load, and when
/// an organisation moves to another parent (its totals then belong to other ancestors).
pub async fn rebuild(tx: &mut Tx) -> Result<()> {
    for sql in [
        "DELETE FROM plan_totals".to_string(),
        "DELETE FROM request_totals".to_string(),
        "DELETE FROM request_counted".to_string(),
        format!("INSERT INTO request_counted (campaign_id, org_id, request_id) {COUNTED_EXPECTED}"),
        // In key order, so that on PostgreSQL too a node's rows start out side by side.
        format!(
            "{} {CLOSURE_SQL} {} ORDER BY {PLAN_KEY}",
            *PLAN_INSERT,
            plan_recomputed()
        ),
        format!(
            "{} {CLOSURE_SQL} {} ORDER BY {REQUEST_KEY}",
            *REQUEST_INSERT,
            request_recomputed()
        ),
    ] {
        exec_tx!(tx, conn => sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).execute(conn).await)?;
    }
    Ok(())
}

/// How far the kept totals are from a recomputation: rows kept but not recomputed and rows
/// recomputed but not kept, for each table. All zero when the totals are right.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Discrepancies {
    pub plan_totals: i64,
    pub request_totals: i64,
    pub counted_requests: i64,
}

impl Discrepancies {
    pub fn none(&self) -> bool {
        *self == Discrepancies::default()
    }
}

async fn count_both_ways(db: &Db, kept: &str, recomputed: &str, with: &str) -> Result<i64> {
    let sql = format!(
        "{with}{comma} kept AS ({kept}), recomputed AS ({recomputed}) \
         SELECT (SELECT COUNT(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM recomputed) a) \
              + (SELECT COUNT(*) FROM (SELECT * FROM recomputed EXCEPT SELECT * FROM kept) b)",
        comma = if with.is_empty() { "WITH" } else { "," },
    );
    let n: i64 = on_db!(db, pool => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str())).fetch_one(pool).await)?;
    Ok(n)
}

/// Recomputes every kept total from the detail and counts the disagreements.
pub async fn verify(db: &Db) -> Result<Discrepancies> {
    Ok(Discrepancies {
        plan_totals: count_both_ways(db, &plan_kept(), &plan_recomputed(), CLOSURE_SQL).await?,
        request_totals: count_both_ways(db, &request_kept(), &request_recomputed(), CLOSURE_SQL)
            .await?,
        counted_requests: count_both_ways(db, COUNTED_KEPT, COUNTED_EXPECTED, "").await?,
    })
}
