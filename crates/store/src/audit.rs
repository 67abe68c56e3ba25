//! The audit log (P-4; order No. 254 p.14, 23, 27): who (login and IIN), when, which entity,
//! old → new value and the reason. Append-only: the tables refuse UPDATE, DELETE, TRUNCATE and
//! an INSERT over an existing row by trigger on both engines, and no route of the system
//! changes them.
//!
//! The rows form a hash chain (issue 19 point 5): the row at `seq` n holds the hash of the row
//! at n - 1 (`prev_hash`, [`GENESIS`] for the first) and its own `hash`, SHA-256 of the previous
//! hash and the row's fields ([`row_hash`]). The chain's head (last seq and hash) is kept in the
//! one-row table `audit_chain`; [`Tx::audit`] collects a transaction's rows and
//! [`Tx::commit`](crate::Tx::commit) chains them. On SQLite it appends them in the transaction
//! (which holds the database's only write lock anyway); on PostgreSQL, where commits run side
//! by side, the transaction writes them to `audit_pending` and [`seal_pending`] chains them
//! right after the commit, so that no commit waits for another's (migration 0035). [`Db::verify_audit_chain`] walks the chain; the head written
//! outside the database (the backup folder, the server's log: [`Db::audit_head`]) catches a log
//! rewritten and re-chained whole.

use crate::{Db, StoreError, Tx, exec_tx, on_db, on_tx};
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash before the first row of the chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The person behind a change.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Who {
    pub user_id: Option<i64>,
    pub login: String,
    pub iin: String,
}

impl Who {
    /// Changes made by the system itself (demo load, CLI import without a user).
    pub fn system() -> Who {
        Who {
            user_id: None,
            login: "system".into(),
            iin: String::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub who: &'a Who,
    pub org_id: Option<i64>,
    pub entity: &'a str,
    pub entity_id: String,
    pub action: &'a str,
    pub old_value: Option<serde_json::Value>,
    pub new_value: Option<serde_json::Value>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub login: String,
    pub iin: String,
    pub org_id: Option<i64>,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub login: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only entries of these organisations (the reader's scope); None = all.
    pub org_ids: Option<Vec<i64>>,
    pub limit: i64,
    /// Entries to skip (a page of the list, issue 20).
    pub offset: i64,
    /// Oldest first instead of newest first.
    pub oldest_first: bool,
}

/// A row of the log with its place in the chain (`seq`, `prev_hash`, `hash` are empty only in
/// rows written before the chain existed and not yet chained).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ChainedRow {
    pub seq: Option<i64>,
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub login: String,
    pub iin: String,
    pub org_id: Option<i64>,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: Option<String>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

const CHAINED_COLUMNS: &str = "seq, id, at, user_id, login, iin, org_id, entity, entity_id, action, \
     old_value, new_value, reason, prev_hash, hash";

/// An audit row written in a transaction, appended to the chain when the transaction commits.
#[derive(Debug, Clone)]
pub struct PendingAudit(ChainedRow);

/// The hash of the row at `seq` after a row whose hash is `prev_hash`: SHA-256 of the previous
/// hash (its 64 hex characters) followed by the row's fields in this order: seq, id, at,
/// user_id, login, iin, org_id, entity, entity_id, action, old_value, new_value, reason. Each
/// field is one byte 0 when empty, or 1 followed by the value: a number as 8 bytes big-endian,
/// a text as its UTF-8 length (8 bytes big-endian) and bytes; `at` is the text
/// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` in UTC. The answer is lowercase hex.
pub fn row_hash(prev_hash: &str, seq: i64, row: &ChainedRow) -> String {
    fn number(h: &mut Sha256, v: Option<i64>) {
        match v {
            None => h.update([0u8]),
            Some(v) => {
                h.update([1u8]);
                h.update(v.to_be_bytes());
            }
        }
    }
    fn text(h: &mut Sha256, v: Option<&str>) {
        match v {
            None => h.update([0u8]),
            Some(v) => {
                h.update([1u8]);
                h.update((v.len() as u64).to_be_bytes());
                h.update(v.as_bytes());
            }
        }
    }
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    number(&mut h, Some(seq));
    number(&mut h, Some(row.id));
    let at = row.at.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string();
    text(&mut h, Some(&at));
    number(&mut h, row.user_id);
    text(&mut h, Some(&row.login));
    text(&mut h, Some(&row.iin));
    number(&mut h, row.org_id);
    text(&mut h, Some(&row.entity));
    text(&mut h, Some(&row.entity_id));
    text(&mut h, Some(&row.action));
    text(&mut h, row.old_value.as_deref());
    text(&mut h, row.new_value.as_deref());
    text(&mut h, row.reason.as_deref());
    hex::encode(h.finalize())
}

impl Tx {
    /// Writes an audit row in this transaction. The row is appended to the audit chain when
    /// the transaction commits (and is dropped with it when it does not).
    pub async fn audit(&mut self, entry: AuditEntry<'_>) -> Result<(), StoreError> {
        // PostgreSQL keeps microseconds: the hashed time is the stored one on both engines.
        let row = ChainedRow {
            seq: None,
            id: jospar_core::ids::new_id(),
            at: Utc::now().trunc_subsecs(6),
            user_id: entry.who.user_id,
            login: entry.who.login.clone(),
            iin: entry.who.iin.clone(),
            org_id: entry.org_id,
            entity: entry.entity.to_string(),
            entity_id: entry.entity_id,
            action: entry.action.to_string(),
            old_value: entry.old_value.map(|v| v.to_string()),
            new_value: entry.new_value.map(|v| v.to_string()),
            reason: entry.reason,
            prev_hash: None,
            hash: None,
        };
        match self {
            Tx::Sqlite(_, _, pending) | Tx::Postgres(_, pending, _) => {
                pending.push(PendingAudit(row))
            }
        }
        Ok(())
    }
}

/// Takes the audit rows collected by a transaction about to commit.
pub(crate) fn take_pending(tx: &mut Tx) -> Vec<PendingAudit> {
    match tx {
        Tx::Sqlite(_, _, pending) | Tx::Postgres(_, pending, _) => std::mem::take(pending),
    }
}

/// SQLite: appends the audit rows of a transaction about to commit to the chain in that
/// transaction. It holds the database's only write lock already, so taking the chain's head
/// here costs other writers nothing.
pub(crate) async fn append_in_transaction(
    tx: &mut Tx,
    pending: Vec<PendingAudit>,
) -> Result<(), StoreError> {
    if pending.is_empty() {
        return Ok(());
    }
    let count = pending.len() as i64;
    let (last, mut prev): (i64, String) = on_tx!(tx, conn => sqlx::query_as(
        "UPDATE audit_chain SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
        .bind(count)
        .fetch_one(conn)
        .await)?;
    let mut seq = last - count;
    for PendingAudit(row) in pending {
        seq += 1;
        let hash = row_hash(&prev, seq, &row);
        exec_tx!(tx, conn => sqlx::query(
            "INSERT INTO audit_log (id, at, user_id, login, iin, org_id, entity, entity_id, action, old_value, new_value, reason, seq, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)")
            .bind(row.id)
            .bind(row.at)
            .bind(row.user_id)
            .bind(&row.login)
            .bind(&row.iin)
            .bind(row.org_id)
            .bind(&row.entity)
            .bind(&row.entity_id)
            .bind(&row.action)
            .bind(&row.old_value)
            .bind(&row.new_value)
            .bind(&row.reason)
            .bind(seq)
            .bind(&prev)
            .bind(&hash)
            .execute(conn)
            .await)?;
        prev = hash;
    }
    exec_tx!(tx, conn => sqlx::query("UPDATE audit_chain SET hash = $1 WHERE id = 1")
        .bind(&prev)
        .execute(conn)
        .await)?;
    Ok(())
}

/// Rows per INSERT statement (PostgreSQL takes at most 65,535 parameters, 15 a row).
const ROWS_PER_INSERT: usize = 1000;

/// PostgreSQL: writes the audit rows of a transaction about to commit to `audit_pending`, in
/// that transaction; [`seal_pending`] chains them after the commit (migration 0035 says why).
pub(crate) async fn stage_in_transaction(
    conn: &mut sqlx::PgConnection,
    pending: &[PendingAudit],
) -> Result<(), StoreError> {
    let rows: Vec<&ChainedRow> = pending.iter().map(|PendingAudit(row)| row).collect();
    insert_rows(conn, "audit_pending", &rows, false).await
}

/// The fields every audit table holds, in this order.
const ROW_COLUMNS: &str =
    "id, at, user_id, login, iin, org_id, entity, entity_id, action, old_value, new_value, reason";

/// PostgreSQL: inserts rows into `table`, a thousand to a statement: `audit_pending`, or
/// `audit_log` with their places in the chain (`chained`).
async fn insert_rows(
    conn: &mut sqlx::PgConnection,
    table: &'static str,
    rows: &[&ChainedRow],
    chained: bool,
) -> Result<(), StoreError> {
    let columns = if chained {
        format!("{ROW_COLUMNS}, seq, prev_hash, hash")
    } else {
        ROW_COLUMNS.to_string()
    };
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut insert =
            sqlx::QueryBuilder::<sqlx::Postgres>::new(format!("INSERT INTO {table} ({columns}) "));
        insert.push_values(chunk, |mut values, row| {
            values
                .push_bind(row.id)
                .push_bind(row.at)
                .push_bind(row.user_id)
                .push_bind(&row.login)
                .push_bind(&row.iin)
                .push_bind(row.org_id)
                .push_bind(&row.entity)
                .push_bind(&row.entity_id)
                .push_bind(&row.action)
                .push_bind(&row.old_value)
                .push_bind(&row.new_value)
                .push_bind(&row.reason);
            if chained {
                values
                    .push_bind(row.seq)
                    .push_bind(&row.prev_hash)
                    .push_bind(&row.hash);
            }
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// PostgreSQL: moves every row waiting in `audit_pending` into the chain, in id order.
///
/// One sealer at a time holds the chain's head; a writer that finds it taken returns at once,
/// leaving its rows (committed before it looked) to the holder, who looks again after its own
/// commit and seals them. So when every writer has returned, no row is left waiting, and no
/// commit waits for another's.
pub async fn seal_pending(pool: &sqlx::PgPool) -> Result<(), StoreError> {
    loop {
        let mut tx = pool.begin().await?;
        let head: Option<(i64, String)> =
            sqlx::query_as("SELECT seq, hash FROM audit_chain WHERE id = 1 FOR UPDATE SKIP LOCKED")
                .fetch_optional(&mut *tx)
                .await?;
        let Some((mut seq, mut prev)) = head else {
            return Ok(());
        };
        let mut rows: Vec<ChainedRow> = sqlx::query_as(
            "DELETE FROM audit_pending RETURNING CAST(NULL AS BIGINT) AS seq, id, at, user_id, login, iin, org_id, \
             entity, entity_id, action, old_value, new_value, reason, \
             CAST(NULL AS TEXT) AS prev_hash, CAST(NULL AS TEXT) AS hash",
        )
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            tx.rollback().await?;
            return Ok(());
        }
        rows.sort_by_key(|row| row.id);
        for row in &mut rows {
            seq += 1;
            let hash = row_hash(&prev, seq, row);
            row.seq = Some(seq);
            row.prev_hash = Some(std::mem::replace(&mut prev, hash.clone()));
            row.hash = Some(hash);
        }
        let chained: Vec<&ChainedRow> = rows.iter().collect();
        insert_rows(&mut tx, "audit_log", &chained, true).await?;
        sqlx::query("UPDATE audit_chain SET seq = $1, hash = $2 WHERE id = 1")
            .bind(seq)
            .bind(&prev)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        // Writers that committed while the head was held have left their rows: look again.
    }
}

/// Seals the rows waiting for the chain, on PostgreSQL (SQLite never leaves any).
pub(crate) async fn seal_waiting(db: &Db) -> Result<(), StoreError> {
    match db {
        Db::Sqlite(_) => Ok(()),
        Db::Postgres(pool) => seal_pending(pool).await,
    }
}

/// Chains the rows written before the chain existed (migration 0034), in id order after the
/// current head; nothing to do once they are. Run by [`Db::migrate`].
pub(crate) async fn chain_unchained(db: &Db) -> Result<(), StoreError> {
    let unchained: i64 = on_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE seq IS NULL")
        .fetch_one(pool)
        .await)?;
    if unchained == 0 {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    let (mut seq, mut prev): (i64, String) = on_tx!(&mut tx, conn => sqlx::query_as(
        "UPDATE audit_chain SET seq = seq WHERE id = 1 RETURNING seq, hash")
        .fetch_one(conn)
        .await)?;
    let mut after = i64::MIN;
    loop {
        let rows: Vec<ChainedRow> = on_tx!(&mut tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CHAINED_COLUMNS} FROM audit_log WHERE seq IS NULL AND id > $1 ORDER BY id LIMIT 1000")))
            .bind(after)
            .fetch_all(conn)
            .await)?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            seq += 1;
            let hash = row_hash(&prev, seq, &row);
            exec_tx!(&mut tx, conn => sqlx::query(
                "UPDATE audit_log SET seq = $1, prev_hash = $2, hash = $3 WHERE id = $4 AND seq IS NULL")
                .bind(seq)
                .bind(&prev)
                .bind(&hash)
                .bind(row.id)
                .execute(conn)
                .await)?;
            prev = hash;
            after = row.id;
        }
    }
    exec_tx!(&mut tx, conn => sqlx::query("UPDATE audit_chain SET seq = $1, hash = $2 WHERE id = 1")
        .bind(seq)
        .bind(&prev)
        .execute(conn)
        .await)?;
    tx.commit().await?;
    tracing::info!("audit log: {unchained} rows written before the audit chain were chained");
    Ok(())
}

/// The head of the audit chain: the last row's seq and hash (seq 0 and [`GENESIS`] for an
/// empty log), and when it was read. Kept outside the database, it proves that the log up to it
/// has not been rewritten since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
    pub at: DateTime<Utc>,
}

impl std::fmt::Display for AuditHead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "audit chain head: seq {} hash {} at {}",
            self.seq,
            self.hash,
            self.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )
    }
}

/// Where the chain breaks: the first position (seq) that does not hold, the id of the row found
/// there (none when the row is missing) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainBreak {
    pub position: i64,
    pub id: Option<i64>,
    pub problem: String,
}

/// The result of walking the audit chain.
#[derive(Debug, Clone, Serialize)]
pub struct ChainCheck {
    /// Rows of the chain walked (up to the first break).
    pub rows: i64,
    /// The head kept in the database (`audit_chain`).
    pub head: AuditHead,
    /// The first break of the chain in the database: a row changed, removed or inserted, a row
    /// outside the chain, or a head that is not the last row.
    pub broken: Option<ChainBreak>,
    /// The head saved outside the database that was checked, if any.
    pub saved_head: Option<AuditHead>,
    /// Why the saved head is not in the chain (a log rewritten and re-chained), if it is not.
    pub saved_head_problem: Option<String>,
}

/// The conditions of an audit log query, by the binds $1…$6 of [`audit_bounds`] and the
/// filter's texts: login, entity, entity id, from, to (exclusive), the scope's ids.
const AUDIT_WHERE: &str = "($1 IS NULL OR login = $1) \
     AND ($2 IS NULL OR entity = $2) \
     AND ($3 IS NULL OR entity_id = $3) \
     AND ($4 IS NULL OR at >= $4) \
     AND ($5 IS NULL OR at < $5) \
     AND ($6 IS NULL OR (org_id IS NOT NULL AND $6 LIKE '%,' || CAST(org_id AS TEXT) || ',%'))";

/// The period of a filter as moments (from the first day's start to the day after the last)
/// and its scope as the text `,id,id,…,` that a row's organisation is looked up in.
fn audit_bounds(
    filter: &AuditFilter,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>, Option<String>) {
    let from = filter
        .from
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc());
    let to = filter
        .to
        .and_then(|d| d.succ_opt())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc());
    let scope = filter.org_ids.as_ref().map(|ids| {
        format!(
            ",{},",
            ids.iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",")
        )
    });
    (from, to, scope)
}

impl ChainCheck {
    pub fn holds(&self) -> bool {
        self.broken.is_none() && self.saved_head_problem.is_none()
    }
}

impl Db {
    /// The head of the audit chain now (after sealing the rows waiting for it).
    pub async fn audit_head(&self) -> Result<AuditHead, StoreError> {
        seal_waiting(self).await?;
        let (seq, hash): (i64, String) = on_db!(self, pool => sqlx::query_as(
            "SELECT seq, hash FROM audit_chain WHERE id = 1")
            .fetch_one(pool)
            .await)?;
        Ok(AuditHead {
            seq,
            hash,
            at: Utc::now(),
        })
    }

    /// Walks the audit chain from its first row: each row must be at the next seq, hold the
    /// previous row's hash and its own fields' hash; no row may be outside the chain; the head
    /// kept in the database must be the last row; and a head saved outside (`saved`) must be
    /// in the chain, its seq having its hash.
    pub async fn verify_audit_chain(
        &self,
        saved: Option<&AuditHead>,
    ) -> Result<ChainCheck, StoreError> {
        const PAGE: i64 = 2000;
        let mut check = ChainCheck {
            rows: 0,
            head: self.audit_head().await?,
            broken: None,
            saved_head: saved.cloned(),
            saved_head_problem: None,
        };
        let mut prev = GENESIS.to_string();
        let mut expected = 1i64;
        'walk: loop {
            let rows: Vec<ChainedRow> = on_db!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {CHAINED_COLUMNS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2")))
                .bind(expected)
                .bind(PAGE)
                .fetch_all(pool)
                .await)?;
            let last_page = (rows.len() as i64) < PAGE;
            for row in rows {
                let seq = row.seq.unwrap_or_default();
                let problem = if seq != expected {
                    Some(format!(
                        "the row at seq {expected} is missing: the chain goes from seq {} to seq {seq} (a row removed)",
                        expected - 1
                    ))
                } else if row.prev_hash.as_deref() != Some(prev.as_str()) {
                    Some(format!(
                        "the row does not hold the hash of the row before it ({prev}) but {}: a row removed or inserted before it",
                        row.prev_hash.as_deref().unwrap_or("nothing")
                    ))
                } else if row.hash.as_deref() != Some(row_hash(&prev, seq, &row).as_str()) {
                    Some("the row's fields do not match its hash: the row was changed".to_string())
                } else {
                    None
                };
                if let Some(problem) = problem {
                    check.broken = Some(ChainBreak {
                        position: expected,
                        id: Some(row.id),
                        problem,
                    });
                    break 'walk;
                }
                check.rows += 1;
                prev = row.hash.unwrap_or_default();
                expected += 1;
            }
            if last_page {
                break;
            }
        }
        if check.broken.is_none() {
            let outside: Option<i64> = on_db!(self, pool => sqlx::query_scalar(
                "SELECT id FROM audit_log WHERE seq IS NULL OR seq < 1 ORDER BY id LIMIT 1")
                .fetch_optional(pool)
                .await)?;
            if let Some(id) = outside {
                check.broken = Some(ChainBreak {
                    position: expected,
                    id: Some(id),
                    problem: "a row outside the chain (no seq): a row inserted".into(),
                });
            }
        }
        let last = expected - 1;
        if check.broken.is_none() && (check.head.seq != last || check.head.hash != prev) {
            let (position, why) = if check.head.seq > last {
                (last + 1, "rows removed at the end")
            } else if check.head.seq < last {
                (check.head.seq + 1, "rows written past the head")
            } else {
                (last, "the last row replaced")
            };
            check.broken = Some(ChainBreak {
                position,
                id: None,
                problem: format!(
                    "the chain's head in the database is seq {} hash {}, but the log ends at seq {last} hash {prev}: {why}",
                    check.head.seq, check.head.hash
                ),
            });
        }
        if let Some(saved) = saved {
            let found: Option<(i64, Option<String>)> = if saved.seq == 0 {
                Some((0, Some(GENESIS.to_string())))
            } else {
                on_db!(self, pool => sqlx::query_as(
                    "SELECT id, hash FROM audit_log WHERE seq = $1")
                    .bind(saved.seq)
                    .fetch_optional(pool)
                    .await)?
            };
            check.saved_head_problem = match found {
                None => Some(format!(
                    "the saved head seq {} is not in the log, which ends at seq {last}: rows removed or the log rewritten",
                    saved.seq
                )),
                Some((_, hash)) if hash.as_deref() == Some(saved.hash.as_str()) => None,
                Some((id, hash)) => Some(format!(
                    "the row at seq {} (id {id}) has hash {}, the saved head of {} says {}: the log was rewritten",
                    saved.seq,
                    hash.as_deref().unwrap_or("nothing"),
                    saved.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    saved.hash
                )),
            };
        }
        Ok(check)
    }
}

impl Db {
    /// Entries matching the filter, newest first. The scope is passed as one comma-joined
    /// text (",1,2,3,") matched with LIKE, so that the same query text serves both engines.
    /// How many entries the filter finds (the total of the paged list), `limit` and `offset`
    /// aside.
    pub async fn audit_count(&self, filter: &AuditFilter) -> Result<i64, StoreError> {
        let (from, to, scope) = audit_bounds(filter);
        Ok(
            on_db!(self, pool => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM audit_log WHERE {AUDIT_WHERE}")))
            .bind(filter.login.as_deref())
            .bind(filter.entity.as_deref())
            .bind(filter.entity_id.as_deref())
            .bind(from)
            .bind(to)
            .bind(scope)
            .fetch_one(pool)
            .await)?,
        )
    }

    pub async fn audit_entries(
        &self,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let (from, to, scope) = audit_bounds(filter);
        let limit = if filter.limit <= 0 {
            200
        } else {
            filter.limit.min(5000)
        };
        let order = if filter.oldest_first { "ASC" } else { "DESC" };
        let rows = on_db!(self, pool => sqlx::query_as::<_, AuditRecord>(sqlx::AssertSqlSafe(format!(
            "SELECT id, at, user_id, login, iin, org_id, entity, entity_id, action, old_value, new_value, reason \
             FROM audit_log WHERE {AUDIT_WHERE} ORDER BY id {order} LIMIT $7 OFFSET $8")))
            .bind(filter.login.as_deref())
            .bind(filter.entity.as_deref())
            .bind(filter.entity_id.as_deref())
            .bind(from)
            .bind(to)
            .bind(scope)
            .bind(limit)
            .bind(filter.offset.max(0))
            .fetch_all(pool)
            .await)?;
        Ok(rows)
    }
}
