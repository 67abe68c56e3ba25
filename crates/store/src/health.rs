//! What the monthly self-check (issue 30, specification item 15) asks of the database: its
//! own integrity check, the row count of every table, and backups whose table counts are
//! taken from the very snapshot the copy holds, so that a restored copy can be compared with
//! them.

use crate::{Db, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Rows per table (the migrations' own table left out).
pub type TableCounts = BTreeMap<String, i64>;

const SQLITE_TABLES: &str = "SELECT name FROM sqlite_master WHERE type = 'table' \
     AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' ORDER BY name";
const POSTGRES_TABLES: &str = "SELECT CAST(tablename AS TEXT) FROM pg_tables \
     WHERE schemaname = current_schema() AND tablename NOT LIKE '_sqlx%' ORDER BY tablename";

/// What a database check found wrong, one line each; empty when the database is sound, and
/// whether the deeper PostgreSQL index check (`amcheck`) could run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Integrity {
    pub problems: Vec<String>,
    /// PostgreSQL without the `amcheck` extension (and without the right to create it):
    /// only index validity and a full read of every table were checked.
    pub shallow: bool,
}

impl Db {
    /// The row count of every table.
    pub async fn table_counts(&self) -> Result<TableCounts, StoreError> {
        match self {
            Db::Sqlite(pool) => {
                let mut conn = pool.acquire().await?;
                count_tables_sqlite(&mut conn).await
            }
            Db::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                count_tables_postgres(&mut conn).await
            }
        }
    }

    /// The engine's integrity check. SQLite: `PRAGMA integrity_check` and
    /// `PRAGMA foreign_key_check`. PostgreSQL: indexes left invalid, `amcheck`'s
    /// `bt_index_check` on every B-tree index where the extension is there (or can be
    /// created), and every table read whole (a damaged page fails the read).
    pub async fn integrity(&self) -> Result<Integrity, StoreError> {
        match self {
            Db::Sqlite(pool) => {
                let mut problems: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
                    .fetch_all(pool)
                    .await?
                    .into_iter()
                    .filter(|line: &String| line != "ok")
                    .collect();
                let keys: Vec<(String, Option<i64>, String)> =
                    sqlx::query_as("SELECT \"table\", rowid, parent FROM pragma_foreign_key_check")
                        .fetch_all(pool)
                        .await?;
                problems.extend(keys.into_iter().map(|(table, row, parent)| {
                    format!(
                        "{table} row {}: no {parent} row it refers to",
                        row.unwrap_or_default()
                    )
                }));
                Ok(Integrity {
                    problems,
                    shallow: false,
                })
            }
            Db::Postgres(pool) => {
                let mut problems: Vec<String> = sqlx::query_scalar(
                    "SELECT CAST(CAST(indexrelid AS regclass) AS TEXT) FROM pg_index i \
                     JOIN pg_class c ON c.oid = i.indexrelid \
                     JOIN pg_namespace n ON n.oid = c.relnamespace \
                     WHERE n.nspname = current_schema() AND NOT i.indisvalid",
                )
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|index: String| format!("index {index} is not valid"))
                .collect();
                let amcheck = sqlx::query("CREATE EXTENSION IF NOT EXISTS amcheck")
                    .execute(pool)
                    .await
                    .is_ok();
                if amcheck {
                    let indexes: Vec<String> = sqlx::query_scalar(
                        "SELECT CAST(c.relname AS TEXT) FROM pg_index i \
                         JOIN pg_class c ON c.oid = i.indexrelid \
                         JOIN pg_namespace n ON n.oid = c.relnamespace \
                         JOIN pg_am a ON a.oid = c.relam \
                         WHERE n.nspname = current_schema() AND a.amname = 'btree' AND i.indisvalid",
                    )
                    .fetch_all(pool)
                    .await?;
                    for index in indexes {
                        if let Err(e) =
                            sqlx::query("SELECT bt_index_check(CAST(quote_ident($1) AS regclass))")
                                .bind(&index)
                                .execute(pool)
                                .await
                        {
                            problems.push(format!("index {index}: {e}"));
                        }
                    }
                }
                // A full read of each table meets every heap page.
                let mut conn = pool.acquire().await?;
                if let Err(e) = count_tables_postgres(&mut conn).await {
                    problems.push(e.to_string());
                }
                Ok(Integrity {
                    problems,
                    shallow: !amcheck,
                })
            }
        }
    }

    /// A consistent copy of the database while the server runs (P-7), and the row count of
    /// every table in that copy. SQLite: `VACUUM INTO` (a transactionally consistent
    /// snapshot), the copy then counted. PostgreSQL: `pg_dump` in custom format of a snapshot
    /// exported by a repeatable-read transaction that counts the rows of that same snapshot.
    pub async fn backup_to(&self, path: &Path, url: &str) -> Result<TableCounts, StoreError> {
        match self {
            Db::Sqlite(pool) => {
                if path.exists() {
                    return Err(StoreError::Other(format!(
                        "{} already exists",
                        path.display()
                    )));
                }
                let target = path.to_string_lossy().to_string();
                sqlx::query("VACUUM INTO $1")
                    .bind(target)
                    .execute(pool)
                    .await?;
                let copy = Db::open_sqlite_read_only(path).await?;
                let counts = copy.table_counts().await;
                copy.close().await;
                counts
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute(&mut *tx)
                    .await?;
                let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
                    .fetch_one(&mut *tx)
                    .await?;
                let counts = count_tables_postgres(&mut tx).await?;
                let status = tokio::process::Command::new("pg_dump")
                    .arg("--format=custom")
                    .arg(format!("--snapshot={snapshot}"))
                    .arg("--file")
                    .arg(path)
                    .arg(url)
                    .status()
                    .await
                    .map_err(|e| StoreError::Other(format!("pg_dump: {e}")))?;
                tx.commit().await?;
                if status.success() {
                    Ok(counts)
                } else {
                    Err(StoreError::Other(format!("pg_dump exited with {status}")))
                }
            }
        }
    }
}

/// The row count of every table listed by `$tables`, read on `$conn` (one body for both
/// engines' connection types).
macro_rules! count_tables {
    ($conn:expr, $tables:expr) => {{
        let conn = $conn;
        let tables: Vec<String> = sqlx::query_scalar($tables).fetch_all(&mut *conn).await?;
        let mut counts = TableCounts::new();
        for table in tables {
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM \"{table}\""
            )))
            .fetch_one(&mut *conn)
            .await?;
            counts.insert(table, n);
        }
        Ok(counts)
    }};
}

async fn count_tables_sqlite(conn: &mut sqlx::SqliteConnection) -> Result<TableCounts, StoreError> {
    count_tables!(conn, SQLITE_TABLES)
}

async fn count_tables_postgres(conn: &mut sqlx::PgConnection) -> Result<TableCounts, StoreError> {
    count_tables!(conn, POSTGRES_TABLES)
}
