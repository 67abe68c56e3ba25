//! The exchange journal in the database (table `exchange_journal`): the adapter kit's client
//! writes one row per attempt of every exchange with an external system — the Treasury through
//! ShEP, NCANode, the Region passport, the open-budgets portal — so that an operator can see
//! what went where, when, and how it ended.

use crate::repo::Result;
use chrono::{DateTime, Utc};
use jospar_adapter::{ExchangeJournal, ExchangeRecord, Outcome, RecordFuture};
use jospar_core::ids::new_id;
use jospar_store::{Db, exec_db, on_db};
use serde::Serialize;

/// A row of the journal as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct JournalEntry {
    pub id: i64,
    pub system: String,
    pub operation: String,
    /// `outbound` or `inbound`.
    pub direction: String,
    pub url: String,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i64,
    pub attempt: i64,
    pub http_status: Option<i64>,
    pub bytes_sent: i64,
    pub bytes_received: i64,
    /// `ok` or `error`.
    pub outcome: String,
    pub error: Option<String>,
}

/// The journal the configured adapters write to.
#[derive(Clone)]
pub struct DbJournal {
    db: Db,
}

impl DbJournal {
    pub fn new(db: Db) -> DbJournal {
        DbJournal { db }
    }
}

impl ExchangeJournal for DbJournal {
    fn record<'a>(&'a self, record: &'a ExchangeRecord) -> RecordFuture<'a> {
        Box::pin(async move {
            // The exchange itself went as it went: a journal that cannot write only says so.
            if let Err(e) = insert(&self.db, record).await {
                tracing::warn!(system = record.system, "exchange journal: {e:?}");
            }
        })
    }
}

fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub async fn insert(db: &Db, r: &ExchangeRecord) -> Result<()> {
    let (outcome, error) = match &r.outcome {
        Outcome::Ok => ("ok", None),
        Outcome::Error(message) => ("error", Some(message.as_str())),
    };
    exec_db!(db, pool => sqlx::query(
        "INSERT INTO exchange_journal (id, system, operation, direction, url, started_at, duration_ms, \
         attempt, http_status, bytes_sent, bytes_received, outcome, error) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
        .bind(new_id()).bind(&r.system).bind(&r.operation).bind(r.direction.code()).bind(&r.url)
        .bind(r.started_at).bind(clamp(r.duration_ms)).bind(i64::from(r.attempt))
        .bind(r.status.map(i64::from)).bind(clamp(r.bytes_sent)).bind(clamp(r.bytes_received))
        .bind(outcome).bind(error)
        .execute(pool).await)?;
    Ok(())
}

/// The latest `limit` attempts, of one system or of all, newest first.
pub async fn recent(db: &Db, system: Option<&str>, limit: i64) -> Result<Vec<JournalEntry>> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, system, operation, direction, url, started_at, duration_ms, attempt, http_status, \
         bytes_sent, bytes_received, outcome, error FROM exchange_journal \
         WHERE ($1 IS NULL OR system = $1) ORDER BY started_at DESC, id DESC LIMIT $2")
        .bind(system).bind(limit)
        .fetch_all(pool).await)?)
}

/// Which attempts the monitor's history shows.
#[derive(Debug, Clone, Default)]
pub struct JournalFilter {
    pub system: Option<String>,
    /// `ok` or `error`.
    pub outcome: Option<String>,
}

const JOURNAL_COLUMNS: &str = "id, system, operation, direction, url, started_at, duration_ms, \
    attempt, http_status, bytes_sent, bytes_received, outcome, error";
const JOURNAL_WHERE: &str = "($1 IS NULL OR system = $1) AND ($2 IS NULL OR outcome = $2)";

/// A page of the attempts, newest first, and how many the filter finds.
pub async fn page(
    db: &Db,
    filter: &JournalFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<JournalEntry>, i64)> {
    let total: i64 = on_db!(db, pool => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM exchange_journal WHERE {JOURNAL_WHERE}")))
        .bind(filter.system.as_deref()).bind(filter.outcome.as_deref())
        .fetch_one(pool).await)?;
    let rows = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {JOURNAL_COLUMNS} FROM exchange_journal WHERE {JOURNAL_WHERE} \
         ORDER BY started_at DESC, id DESC LIMIT $3 OFFSET $4")))
        .bind(filter.system.as_deref()).bind(filter.outcome.as_deref()).bind(limit).bind(offset)
        .fetch_all(pool).await)?;
    Ok((rows, total))
}

/// The latest attempt of a system that ended `outcome` (`ok` or `error`).
pub async fn last(db: &Db, system: &str, outcome: &str) -> Result<Option<JournalEntry>> {
    let filter = JournalFilter {
        system: Some(system.to_string()),
        outcome: Some(outcome.to_string()),
    };
    Ok(page(db, &filter, 0, 1).await?.0.into_iter().next())
}
