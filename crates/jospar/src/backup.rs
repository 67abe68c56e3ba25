//! Backups (P-7): on demand (`jospar backup`), daily inside the server with retention, and
//! restore from a chosen copy (`jospar restore FILE`).
//!
//! With every backup, the head of the audit chain (P-4, issue 19 point 5: its seq, hash and the
//! time it was read) is kept outside the database: written to `audit-head-YYYYMMDD-HHMMSS.json`
//! in the backup folder, to the server's log (daily) or printed (`jospar backup`). The head is
//! read before the copy is taken, so the copy holds it. Head files are small and never pruned;
//! `jospar verify` checks the newest (or `--head FILE`): a log rewritten and chained again
//! whole no longer holds that head. After a restore from an older copy, the heads written after
//! that copy are not in the restored chain: move them out of the folder.

use crate::config::Config;
use anyhow::{Context, Result, bail};
use chrono::{Duration, FixedOffset, Timelike, Utc};
use jospar_store::{AuditHead, Db, Engine, TableCounts};
use std::path::{Path, PathBuf};

const PREFIX: &str = "jospar-";
const HEAD_PREFIX: &str = "audit-head-";

fn extension(db: &Db) -> &'static str {
    match db.engine() {
        Engine::Sqlite => "db",
        Engine::Postgres => "dump",
    }
}

/// The backup folder: `backup_dir`, or `backups`.
pub fn folder(config: &Config) -> PathBuf {
    config
        .backup_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("backups"))
}

pub fn default_path(config: &Config, db: &Db) -> Result<PathBuf> {
    let dir = folder(config);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir.join(format!(
        "{PREFIX}{}.{}",
        Utc::now().format("%Y%m%d-%H%M%S"),
        extension(db)
    )))
}

/// Runs a backup every day at the configured hour and keeps the newest `backup_keep` files.
pub fn spawn_daily(db: Db, config: Config, dir: PathBuf) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(until_next_hour(config.backup_hour)).await;
            match run_once(&db, &config, &dir).await {
                Ok(path) => tracing::info!("daily backup written to {}", path.display()),
                Err(e) => tracing::error!("daily backup failed: {e:#}"),
            }
        }
    });
}

fn until_next_hour(hour: u32) -> std::time::Duration {
    let Some(tz) = FixedOffset::east_opt(5 * 3600) else {
        return std::time::Duration::from_secs(86_400);
    };
    let now = Utc::now().with_timezone(&tz);
    let today_at = now
        .with_hour(hour.min(23))
        .and_then(|t| t.with_minute(0))
        .and_then(|t| t.with_second(0));
    let next = match today_at {
        Some(t) if t > now => t,
        Some(t) => t + Duration::days(1),
        None => now + Duration::days(1),
    };
    (next - now)
        .to_std()
        .unwrap_or(std::time::Duration::from_secs(3600))
}

/// The daily backup: the audit chain's head first (to a head file and the server's log, even
/// when the copy then fails), then the copy, then the pruning of old copies.
pub async fn run_once(db: &Db, config: &Config, dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let head = db.audit_head().await?;
    let head_file = write_head(dir, &head)?;
    tracing::info!(
        seq = head.seq,
        hash = %head.hash,
        "{head} (kept in {})",
        head_file.display()
    );
    let path = dir.join(format!(
        "{PREFIX}{}.{}",
        Utc::now().format("%Y%m%d-%H%M%S"),
        extension(db)
    ));
    let counts = db.backup_to(&path, &config.database_url).await?;
    write_counts(&path, &counts)?;
    prune(dir, config.backup_keep)?;
    Ok(path)
}

/// The file beside a copy that holds the row count of each table of its snapshot, which the
/// self-check compares with the copy restored (issue 30).
pub fn counts_path(copy: &Path) -> PathBuf {
    PathBuf::from(format!("{}{COUNTS_SUFFIX}", copy.display()))
}

const COUNTS_SUFFIX: &str = ".counts.json";

pub fn write_counts(copy: &Path, counts: &TableCounts) -> Result<PathBuf> {
    let path = counts_path(copy);
    std::fs::write(&path, serde_json::to_string_pretty(counts)? + "\n")
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// The counts kept beside a copy; None when the copy has none (made before they were kept).
pub fn read_counts(copy: &Path) -> Result<Option<TableCounts>> {
    let path = counts_path(copy);
    if !path.exists() {
        return Ok(None);
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(Some(serde_json::from_str(&text).with_context(|| {
        format!("{} is not a list of table counts", path.display())
    })?))
}

/// The copies in `dir`, oldest first (their names sort by time).
fn copies(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(PREFIX) && !n.ends_with(COUNTS_SUFFIX))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// The newest copy in `dir`, if any.
pub fn newest_copy(dir: &Path) -> Result<Option<PathBuf>> {
    if !dir.exists() {
        return Ok(None);
    }
    Ok(copies(dir)?.pop())
}

/// Writes the head of the audit chain to `audit-head-YYYYMMDD-HHMMSS.json` in `dir`.
pub fn write_head(dir: &Path, head: &AuditHead) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut path = dir.join(format!(
        "{HEAD_PREFIX}{}.json",
        head.at.format("%Y%m%d-%H%M%S")
    ));
    let mut n = 1;
    while path.exists() {
        n += 1;
        path = dir.join(format!(
            "{HEAD_PREFIX}{}-{n}.json",
            head.at.format("%Y%m%d-%H%M%S")
        ));
    }
    std::fs::write(&path, serde_json::to_string_pretty(head)? + "\n")
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// Reads a head file written by [`write_head`].
pub fn read_head(file: &Path) -> Result<AuditHead> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not an audit chain head", file.display()))
}

/// The newest head file in `dir` (by the time in its name), if any.
pub fn newest_head(dir: &Path) -> Result<Option<PathBuf>> {
    if !dir.exists() {
        return Ok(None);
    }
    let mut heads: Vec<(String, PathBuf)> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_string();
            let stem = name.strip_prefix(HEAD_PREFIX)?.strip_suffix(".json")?;
            // 20261206-020000, or 20261206-020000-2 for the second of the same second.
            let time = stem.get(..15)?;
            let well_formed = time
                .char_indices()
                .all(|(i, c)| if i == 8 { c == '-' } else { c.is_ascii_digit() });
            let n = match stem.get(15..)? {
                "" => "1",
                rest => rest.strip_prefix('-')?,
            };
            if !well_formed || !n.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            Some((format!("{time}-{n:0>6}"), p))
        })
        .collect();
    heads.sort();
    Ok(heads.pop().map(|(_, p)| p))
}

/// Deletes the oldest backups beyond `keep`, each with its counts.
pub fn prune(dir: &Path, keep: usize) -> Result<Vec<PathBuf>> {
    let files = copies(dir)?;
    let excess = files.len().saturating_sub(keep.max(1));
    let removed: Vec<PathBuf> = files.into_iter().take(excess).collect();
    for file in &removed {
        std::fs::remove_file(file)?;
        let counts = counts_path(file);
        if counts.exists() {
            std::fs::remove_file(counts)?;
        }
    }
    Ok(removed)
}

/// A hold on the database. Every running server keeps a shared one for its whole life;
/// `jospar restore` takes it exclusively, so that it is refused while a server runs (which
/// would go on serving the old data and lose the writes it acknowledges), and a server
/// starting meanwhile waits for the restore to end.
pub enum DatabaseHold {
    /// SQLite: a `flock` on the database file. SQLite's own locks are `fcntl` locks, which
    /// Linux keeps apart from these.
    File(std::fs::File),
    /// PostgreSQL: an advisory lock, held by a connection of its own.
    Postgres(jospar_store::sqlx::PgConnection),
    /// A SQLite database that does not exist yet: nobody can be using it.
    Nothing,
}

/// The key of the advisory lock on PostgreSQL ("Jospar" in ASCII).
const ADVISORY_KEY: i64 = 0x4A6F_7370_6172;

/// The shared hold of a running server; waits while a restore runs.
pub async fn hold_for_server(config: &Config) -> Result<DatabaseHold> {
    hold(config, false).await
}

/// The exclusive hold of a restore; refused at once while a server runs.
pub async fn hold_for_restore(config: &Config) -> Result<DatabaseHold> {
    hold(config, true).await
}

async fn hold(config: &Config, exclusive: bool) -> Result<DatabaseHold> {
    use jospar_store::sqlx::{self, Connection as _};
    let refused = || {
        anyhow::anyhow!(
            "a Jospar server is using {}: stop it before restoring (nothing was changed)",
            config.redacted_url()
        )
    };
    if let Some(path) = config.sqlite_path() {
        let Ok(file) = std::fs::File::open(&path) else {
            return Ok(DatabaseHold::Nothing);
        };
        if exclusive {
            file.try_lock().map_err(|e| match e {
                std::fs::TryLockError::WouldBlock => refused(),
                std::fs::TryLockError::Error(e) => e.into(),
            })?;
        } else {
            let file = file.try_clone()?;
            tokio::task::spawn_blocking(move || file.lock_shared()).await??;
        }
        return Ok(DatabaseHold::File(file));
    }
    let mut connection = sqlx::PgConnection::connect(&config.database_url)
        .await
        .context("connecting for the database hold")?;
    if exclusive {
        let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(ADVISORY_KEY)
            .fetch_one(&mut connection)
            .await?;
        if !taken {
            return Err(refused());
        }
    } else {
        sqlx::query("SELECT pg_advisory_lock_shared($1)")
            .bind(ADVISORY_KEY)
            .execute(&mut connection)
            .await?;
    }
    Ok(DatabaseHold::Postgres(connection))
}

/// Restores a backup. SQLite: the file is checked to be a Jospar database, then copied over
/// the database file (the WAL files of the old one removed). PostgreSQL: `pg_restore --clean`.
/// Refused while a server uses the database ([`DatabaseHold`]).
pub async fn restore(config: &Config, file: &Path, yes: bool) -> Result<()> {
    if !file.exists() {
        bail!("{} does not exist", file.display());
    }
    if !yes {
        bail!(
            "restore replaces the current database {}; repeat with --yes (refused while a server uses it)",
            config.redacted_url()
        );
    }
    let _hold = hold_for_restore(config).await?;
    if let Some(target) = config.sqlite_path() {
        let check = Db::open_sqlite_read_only(file).await?;
        let tables = check.schema().await?;
        check.close().await;
        if !tables.iter().any(|(t, _)| t == "audit_log") {
            bail!("{} is not a Jospar database", file.display());
        }
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", target.display()));
            if side.exists() {
                std::fs::remove_file(&side)?;
            }
        }
        std::fs::copy(file, &target).with_context(|| format!("copying to {}", target.display()))?;
    } else {
        let status = tokio::process::Command::new("pg_restore")
            .args(["--clean", "--if-exists", "--no-owner", "--dbname"])
            .arg(&config.database_url)
            .arg(file)
            .status()
            .await
            .context("running pg_restore")?;
        if !status.success() {
            bail!("pg_restore exited with {status}");
        }
    }
    println!("restored {} from {}", config.redacted_url(), file.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prune_keeps_the_newest() {
        let dir = std::env::temp_dir().join(format!("jospar-prune-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        for day in 1..=5 {
            let copy = dir.join(format!("{PREFIX}2026110{day}-020000.db"));
            std::fs::write(&copy, b"x").expect("write");
            write_counts(&copy, &TableCounts::from([("users".to_string(), 1)])).expect("counts");
        }
        std::fs::write(dir.join("other.txt"), b"x").expect("write");
        let removed = prune(&dir, 3).expect("prune");
        assert_eq!(removed.len(), 2);
        assert!(dir.join(format!("{PREFIX}20261105-020000.db")).exists());
        assert!(!dir.join(format!("{PREFIX}20261101-020000.db")).exists());
        // The counts go with their copy.
        let kept = dir.join(format!("{PREFIX}20261105-020000.db"));
        assert_eq!(
            read_counts(&kept).expect("counts").map(|c| c["users"]),
            Some(1)
        );
        assert!(!counts_path(&dir.join(format!("{PREFIX}20261101-020000.db"))).exists());
        assert_eq!(newest_copy(&dir).expect("newest"), Some(kept));
        assert!(dir.join("other.txt").exists());
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn head_files_round_trip_and_the_newest_is_found() {
        let dir = std::env::temp_dir().join(format!("jospar-heads-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(newest_head(&dir).expect("no folder"), None);
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .expect("time")
                .with_timezone(&Utc)
        };
        let head = |seq: i64, time: &str| AuditHead {
            seq,
            hash: format!("{seq:064x}"),
            at: at(time),
        };
        let first = write_head(&dir, &head(5, "2026-12-01T02:00:00Z")).expect("write");
        let second = write_head(&dir, &head(9, "2026-12-02T02:00:00Z")).expect("write");
        let same_second = write_head(&dir, &head(10, "2026-12-02T02:00:00Z")).expect("write");
        assert_ne!(second, same_second);
        std::fs::write(dir.join(format!("{PREFIX}20261203-020000.db")), b"x").expect("write");
        assert_eq!(
            read_head(&first).expect("read"),
            head(5, "2026-12-01T02:00:00Z")
        );
        assert_eq!(
            newest_head(&dir).expect("newest"),
            Some(same_second.clone())
        );
        assert_eq!(read_head(&same_second).expect("read").seq, 10);
        // Pruning the copies leaves the heads.
        prune(&dir, 1).expect("prune");
        assert!(first.exists());
        std::fs::write(dir.join("audit-head-broken.json"), b"{").expect("write");
        assert!(read_head(&dir.join("audit-head-broken.json")).is_err());
        assert_eq!(newest_head(&dir).expect("newest"), Some(same_second));
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
