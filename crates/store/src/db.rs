use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::collections::HashMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL (use sqlite:… or postgres://…): {0}")]
    UnsupportedUrl(String),
    #[error("{0}")]
    Other(String),
}

impl StoreError {
    /// True when the error is a unique-constraint violation (a duplicate login, say).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Sql(sqlx::Error::Database(e)) => e.is_unique_violation(),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

pub enum Tx {
    /// A SQLite write transaction, holding its database's writer turn until it ends.
    Sqlite(
        Transaction<'static, Sqlite>,
        tokio::sync::OwnedMutexGuard<()>,
        Vec<crate::audit::PendingAudit>,
    ),
    /// A PostgreSQL transaction, and its pool, to seal its audit rows after the commit.
    Postgres(
        Transaction<'static, Postgres>,
        Vec<crate::audit::PendingAudit>,
        PgPool,
    ),
}

/// SQLite lets one writer in at a time; the others would wait in its busy handler, which
/// sleeps in growing steps (up to 100 ms) and lets in whoever retries first. Writers of this
/// process instead queue here, first come first served, one turn per database file, so that
/// under many concurrent writers the database is never idle and nobody waits unfairly long
/// (100 concurrent writers).
fn writer_turn(pool: &SqlitePool) -> Arc<tokio::sync::Mutex<()>> {
    static TURNS: LazyLock<Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>> =
        LazyLock::new(Default::default);
    let file = pool.connect_options().get_filename().to_path_buf();
    let mut turns = TURNS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    turns.entry(file).or_default().clone()
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Connects to `sqlite:path` (created when missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(pool))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            Err(StoreError::UnsupportedUrl(url.to_string()))
        }
    }

    /// Opens a SQLite file read-only, without touching its journal (to inspect a backup).
    pub async fn open_sqlite_read_only(path: &std::path::Path) -> Result<Db, StoreError> {
        let options = SqliteConnectOptions::new().filename(path).read_only(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        Ok(Db::Sqlite(pool))
    }

    /// Which database this is, to tell apart what a process keeps in memory of several
    /// databases (tests and the bench open many): the SQLite file, or PostgreSQL's host, port
    /// and database.
    pub fn identity(&self) -> String {
        match self {
            Db::Sqlite(pool) => {
                format!("sqlite:{}", pool.connect_options().get_filename().display())
            }
            Db::Postgres(pool) => {
                let options = pool.connect_options();
                format!(
                    "postgres:{}:{}/{}",
                    options.get_host(),
                    options.get_port(),
                    options.get_database().unwrap_or_default()
                )
            }
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// Applies the migrations of this engine (same version numbers on both), then chains the
    /// audit rows written before the audit chain existed (migration 0034, P-4).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(pool) => SQLITE_MIGRATOR.run(pool).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATOR.run(pool).await?,
        }
        crate::audit::chain_unchained(self).await?;
        // Rows left waiting by a server stopped between a commit and its seal.
        crate::audit::seal_waiting(self).await?;
        Ok(())
    }

    /// Applies the migrations up to `version` only, and nothing after (tests of a migration on
    /// the data of the version before it).
    #[doc(hidden)]
    pub async fn migrate_to(&self, version: i64) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(pool) => SQLITE_MIGRATOR.run_to(version, pool).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATOR.run_to(version, pool).await?,
        }
        Ok(())
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(pool) => {
                let turn = writer_turn(pool).lock_owned().await;
                Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?, turn, Vec::new())
            }
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?, Vec::new(), pool.clone()),
        })
    }

    /// True when a trivial query answers (used by `/healthz`).
    pub async fn ping(&self) -> bool {
        let result: Result<i64, sqlx::Error> = crate::on_db!(self, pool => sqlx::query_scalar("SELECT CAST(1 AS BIGINT)").fetch_one(pool).await);
        result.is_ok()
    }

    /// Table name → sorted column names, for the schema-equality test of the two engines.
    pub async fn schema(&self) -> Result<Vec<(String, Vec<String>)>, StoreError> {
        let rows: Vec<(String, String)> = match self {
            Db::Sqlite(pool) => {
                sqlx::query_as(
                    "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' \
                     ORDER BY m.name, p.name",
                )
                .fetch_all(pool)
                .await?
            }
            Db::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%' \
                     ORDER BY table_name, column_name",
                )
                .fetch_all(pool)
                .await?
            }
        };
        let mut tables: Vec<(String, Vec<String>)> = Vec::new();
        for (table, column) in rows {
            match tables.last_mut() {
                Some((name, columns)) if *name == table => columns.push(column),
                _ => tables.push((table, vec![column])),
            }
        }
        Ok(tables)
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    /// Commits, its audit rows chained (see [`crate::audit`]): on SQLite appended in the
    /// transaction; on PostgreSQL staged in it and sealed right after the commit.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        let pending = crate::audit::take_pending(&mut self);
        match self {
            Tx::Sqlite(..) => {
                crate::audit::append_in_transaction(&mut self, pending).await?;
                if let Tx::Sqlite(t, _turn, _) = self {
                    t.commit().await?;
                }
            }
            Tx::Postgres(mut t, _, pool) => {
                crate::audit::stage_in_transaction(&mut t, &pending).await?;
                t.commit().await?;
                if !pending.is_empty() {
                    // The change is committed and its audit rows with it: a failure to chain
                    // them now leaves them waiting for the next seal, not lost.
                    if let Err(e) = crate::audit::seal_pending(&pool).await {
                        tracing::error!("audit log: sealing the waiting rows failed: {e}");
                    }
                }
            }
        }
        Ok(())
    }
}
