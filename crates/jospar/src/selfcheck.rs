//! The monthly self-check (issue 30, specification item 15), run by the server once a month
//! and on demand by `jospar selfcheck`. It looks at:
//! - `jospar verify`: the kept totals and the audit chain (against the newest saved head);
//! - the database engine's own integrity check;
//! - the newest backup restored into a scratch database, its table counts compared with
//!   those taken from the snapshot it was made of;
//! - the expiry of the EDS trust roots and of the API tokens in use;
//! - each configured integration: reachable now, and what the exchange monitor last saw of
//!   it (issue 24).
//!
//! Its report is kept (`jospar_service::selfcheck`) for the system administrator; a failed
//! check fails the run (`jospar selfcheck` exits 1).

use crate::backup;
use crate::config::Config;
use anyhow::{Context, Result};
use chrono::{DateTime, Datelike, Duration, FixedOffset, Timelike, Utc};
use jospar_adapter::{AdapterConfig, Call, HttpClient};
use jospar_service::selfcheck::{self, Check, Finding, Level, Report};
use jospar_store::{Db, Engine, TableCounts, Who};
use std::path::Path;

/// A trust root ending within this many days is a warning.
const ROOT_WARNING_DAYS: i64 = 60;
/// An API token ending within this many days is a warning.
const TOKEN_WARNING_DAYS: i64 = 14;
/// A newest backup older than this many days is a warning (they are daily).
const BACKUP_WARNING_DAYS: i64 = 2;

/// Runs every check and keeps the report, as `who`.
pub async fn run(db: &Db, config: &Config, who: &Who) -> Result<Report> {
    let started_at = Utc::now();
    let mut checks = vec![
        verify(db, config).await,
        integrity(db).await,
        restored_backup(db, config).await,
        trust_roots(config),
        api_tokens(db).await,
    ];
    for (system, adapter) in crate::exchange::adapters(config) {
        checks.push(integration(db, system, adapter).await);
    }
    Ok(selfcheck::keep(db, who, started_at, checks).await?)
}

fn failed(key: &str, args: &[(&str, String)]) -> Finding {
    Finding::new(Level::Failed, key, args)
}

fn ok(key: &str, args: &[(&str, String)]) -> Finding {
    Finding::new(Level::Ok, key, args)
}

fn problem(e: impl std::fmt::Display) -> (&'static str, String) {
    ("problem", e.to_string())
}

async fn verify(db: &Db, config: &Config) -> Check {
    let head = match backup::newest_head(&backup::folder(config)) {
        Ok(Some(file)) => backup::read_head(&file).map(Some),
        Ok(None) => Ok(None),
        Err(e) => Err(e),
    };
    let head = match head {
        Ok(head) => head,
        Err(e) => return Check::new("verify", vec![failed("head-unreadable", &[problem(e)])]),
    };
    let verification = match crate::verify::verify_with_head(db, head.as_ref()).await {
        Ok(v) => v,
        Err(e) => return Check::new("verify", vec![failed("check-error", &[problem(e)])]),
    };
    let mut findings = Vec::new();
    if !verification.totals.none() {
        findings.push(failed("totals-differ", &[]));
    }
    if !verification.plans_off_their_cells.is_empty() {
        let plans = verification
            .plans_off_their_cells
            .iter()
            .map(i64::to_string);
        findings.push(failed(
            "plans-off",
            &[("plans", plans.collect::<Vec<_>>().join(", "))],
        ));
    }
    let audit = &verification.audit;
    if let Some(broken) = &audit.broken {
        findings.push(failed(
            "chain-broken",
            &[
                ("seq", broken.position.to_string()),
                problem(&broken.problem),
            ],
        ));
    }
    if let Some(p) = &audit.saved_head_problem {
        findings.push(failed("head-missing", &[problem(p)]));
    }
    if findings.is_empty() {
        let key = if head.is_some() {
            "verify-ok"
        } else {
            "verify-ok-no-head"
        };
        findings.push(ok(key, &[("rows", audit.rows.to_string())]));
    }
    Check::new("verify", findings)
}

async fn integrity(db: &Db) -> Check {
    let findings = match db.integrity().await {
        Err(e) => vec![failed("check-error", &[problem(e)])],
        Ok(found) if found.problems.is_empty() => vec![ok(
            if found.shallow {
                "integrity-ok-shallow"
            } else {
                "integrity-ok"
            },
            &[],
        )],
        Ok(found) => found
            .problems
            .into_iter()
            .map(|p| failed("integrity-problem", &[problem(p)]))
            .collect(),
    };
    Check::new("integrity", findings)
}

async fn restored_backup(db: &Db, config: &Config) -> Check {
    let Some(dir) = &config.backup_dir else {
        return Check::new(
            "backup",
            vec![Finding::new(Level::Skipped, "backup-off", &[])],
        );
    };
    let copy = match backup::newest_copy(dir) {
        Ok(Some(copy)) => copy,
        Ok(None) => {
            return Check::new(
                "backup",
                vec![failed(
                    "backup-none",
                    &[("folder", dir.display().to_string())],
                )],
            );
        }
        Err(e) => return Check::new("backup", vec![failed("check-error", &[problem(e)])]),
    };
    let file = ("file", copy.display().to_string());
    let mut findings = Vec::new();
    if let Some(made) = modified(&copy)
        && Utc::now() - made > Duration::days(BACKUP_WARNING_DAYS)
    {
        findings.push(Finding::new(
            Level::Warning,
            "backup-old",
            &[file.clone(), ("date", jospar_i18n::almaty_date_time(made))],
        ));
    }
    let restored = match restore_into_scratch(db, config, &copy).await {
        Ok(counts) => counts,
        Err(e) => {
            findings.push(failed(
                "backup-unreadable",
                &[file, problem(format!("{e:#}"))],
            ));
            return Check::new("backup", findings);
        }
    };
    match backup::read_counts(&copy) {
        Err(e) => findings.push(failed(
            "backup-unreadable",
            &[file, problem(format!("{e:#}"))],
        )),
        Ok(None) => findings.push(Finding::new(Level::Warning, "backup-no-counts", &[file])),
        Ok(Some(kept)) => {
            let differences = differences(&kept, &restored);
            if differences.is_empty() {
                let rows: i64 = restored.values().sum();
                findings.push(ok(
                    "backup-restored",
                    &[
                        file.clone(),
                        ("tables", restored.len().to_string()),
                        ("rows", rows.to_string()),
                    ],
                ));
            }
            for (table, kept, found) in differences {
                findings.push(failed(
                    "backup-count-differs",
                    &[
                        file.clone(),
                        ("table", table),
                        ("kept", kept),
                        ("restored", found),
                    ],
                ));
            }
        }
    }
    Check::new("backup", findings)
}

fn modified(path: &Path) -> Option<DateTime<Utc>> {
    let time = std::fs::metadata(path).ok()?.modified().ok()?;
    Some(time.into())
}

/// Each table whose rows differ between the counts kept with a copy and the copy restored:
/// its name, the kept count and the restored one (`-` where the table is missing).
fn differences(kept: &TableCounts, restored: &TableCounts) -> Vec<(String, String, String)> {
    let show = |n: Option<&i64>| n.map_or_else(|| "-".to_string(), i64::to_string);
    let mut tables: Vec<&String> = kept.keys().chain(restored.keys()).collect();
    tables.sort();
    tables.dedup();
    tables
        .into_iter()
        .filter(|t| kept.get(*t) != restored.get(*t))
        .map(|t| (t.clone(), show(kept.get(t)), show(restored.get(t))))
        .collect()
}

/// Restores `copy` where it harms nothing and counts its rows, after the engine's integrity
/// check of the restored database. SQLite: a scratch copy of the file opened read-only.
/// PostgreSQL: a scratch database on the same server, dropped afterwards.
async fn restore_into_scratch(db: &Db, config: &Config, copy: &Path) -> Result<TableCounts> {
    let scratch_name = format!(
        "jospar_selfcheck_{}",
        jospar_core::ids::new_id().unsigned_abs()
    );
    match db.engine() {
        Engine::Sqlite => {
            let dir = std::env::temp_dir().join(&scratch_name);
            std::fs::create_dir_all(&dir)?;
            let scratch = dir.join("restored.db");
            let counted = async {
                std::fs::copy(copy, &scratch)
                    .with_context(|| format!("copying {}", copy.display()))?;
                let restored = Db::open_sqlite_read_only(&scratch).await?;
                let counted = check_and_count(&restored).await;
                restored.close().await;
                counted
            }
            .await;
            let _ = std::fs::remove_dir_all(&dir);
            counted
        }
        Engine::Postgres => {
            let Db::Postgres(pool) = db else {
                unreachable!("a PostgreSQL database")
            };
            let create = format!("CREATE DATABASE {scratch_name}");
            jospar_store::sqlx::query(jospar_store::sqlx::AssertSqlSafe(create))
                .execute(pool)
                .await
                .context("creating a scratch database")?;
            let url = with_database(&config.database_url, &scratch_name);
            let counted = restore_and_count(&url, copy).await;
            let drop = format!("DROP DATABASE IF EXISTS {scratch_name}");
            jospar_store::sqlx::query(jospar_store::sqlx::AssertSqlSafe(drop))
                .execute(pool)
                .await
                .context("dropping the scratch database")?;
            counted
        }
    }
}

async fn restore_and_count(url: &str, copy: &Path) -> Result<TableCounts> {
    let output = tokio::process::Command::new("pg_restore")
        .args(["--no-owner", "--exit-on-error", "--dbname"])
        .arg(url)
        .arg(copy)
        .output()
        .await
        .context("running pg_restore")?;
    if !output.status.success() {
        anyhow::bail!(
            "pg_restore: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let restored = Db::connect(url).await?;
    let counted = check_and_count(&restored).await;
    restored.close().await;
    counted
}

async fn check_and_count(restored: &Db) -> Result<TableCounts> {
    let integrity = restored.integrity().await?;
    if let Some(first) = integrity.problems.first() {
        anyhow::bail!("{first}");
    }
    Ok(restored.table_counts().await?)
}

/// `url` naming the database `name` instead of its own (query parameters kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let server = match base.split_once("://") {
        Some((_, rest)) if rest.contains('/') => base.rsplit_once('/').map_or(base, |(s, _)| s),
        _ => base,
    };
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

fn trust_roots(config: &Config) -> Check {
    let Some(path) = &config.eds_trusted_roots else {
        return Check::new(
            "eds_roots",
            vec![Finding::new(Level::Skipped, "roots-off", &[])],
        );
    };
    let roots = std::fs::read_to_string(path)
        .map_err(anyhow::Error::from)
        .and_then(|pem| Ok(jospar_eds::certificates_from_pem(&pem)?));
    let roots = match roots {
        Ok(roots) => roots,
        Err(e) => {
            return Check::new(
                "eds_roots",
                vec![failed(
                    "roots-unreadable",
                    &[("file", path.display().to_string()), problem(e)],
                )],
            );
        }
    };
    let now = Utc::now();
    let findings = roots
        .iter()
        .map(|root| {
            let facts = jospar_eds::CertFacts::of(root);
            let args = [
                ("name", facts.common_name.clone()),
                ("date", facts.not_after.date_naive().to_string()),
            ];
            if facts.not_after < now {
                failed("root-expired", &args)
            } else if facts.not_after - now < Duration::days(ROOT_WARNING_DAYS) {
                Finding::new(Level::Warning, "root-expiring", &args)
            } else {
                ok("root-valid", &args)
            }
        })
        .collect();
    Check::new("eds_roots", findings)
}

async fn api_tokens(db: &Db) -> Check {
    let today = Utc::now().date_naive();
    let tokens = match jospar_org::auth::api_tokens_in_use(db, today).await {
        Ok(tokens) => tokens,
        Err(e) => return Check::new("api_tokens", vec![failed("check-error", &[problem(e)])]),
    };
    let mut findings: Vec<Finding> = tokens
        .iter()
        .filter(|t| t.expires_on - today < Duration::days(TOKEN_WARNING_DAYS))
        .map(|t| {
            Finding::new(
                Level::Warning,
                "token-expiring",
                &[
                    ("login", t.login.clone()),
                    ("name", t.name.clone()),
                    ("date", t.expires_on.to_string()),
                ],
            )
        })
        .collect();
    if findings.is_empty() {
        findings.push(ok("tokens-ok", &[("count", tokens.len().to_string())]));
    }
    Check::new("api_tokens", findings)
}

/// An integration: reachable now (any HTTP answer will do: only no answer fails), and what
/// the exchange monitor last saw of it — a last failure newer than the last success is a
/// warning.
async fn integration(db: &Db, system: &str, adapter: Option<AdapterConfig>) -> Check {
    let mut check = Check::new("integration", Vec::new());
    check.system = Some(system.to_string());
    let Some(adapter) = adapter else {
        check
            .findings
            .push(Finding::new(Level::Skipped, "integration-off", &[]));
        return check;
    };
    let url = (
        "url",
        jospar_adapter::journal::redact_url(&adapter.base_url),
    );
    let client = HttpClient::new(system, adapter.retries(0));
    match client.send(Call::get("reachability", "")).await {
        Err(e) if e.is_unreachable() => check
            .findings
            .push(failed("integration-unreachable", &[url, problem(e)])),
        _ => check.findings.push(ok("integration-reachable", &[url])),
    }
    let last = |outcome: &'static str| jospar_execution::journal::last(db, system, outcome);
    match (last("ok").await, last("error").await) {
        (Ok(success), Ok(Some(failure)))
            if success
                .as_ref()
                .is_none_or(|s| s.started_at < failure.started_at) =>
        {
            check.findings.push(Finding::new(
                Level::Warning,
                "integration-last-failure",
                &[
                    ("date", jospar_i18n::almaty_date_time(failure.started_at)),
                    problem(failure.error.unwrap_or_default()),
                ],
            ));
        }
        (Err(e), _) | (_, Err(e)) => check.findings.push(failed("check-error", &[problem(e)])),
        _ => {}
    }
    check
}

/// The server's schedule: once a month, at the first hour at or after `selfcheck_hour`
/// (Almaty time) in a month without a scheduled run, checked every hour so that a server
/// down at that hour runs it when it comes back.
pub fn spawn_monthly(db: Db, config: Config) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            ticks.tick().await;
            let last = match selfcheck::last_scheduled(&db).await {
                Ok(last) => last,
                Err(e) => {
                    tracing::error!("reading the self-check's last run: {e}");
                    continue;
                }
            };
            if !due(last, Utc::now(), config.selfcheck_hour) {
                continue;
            }
            let who = Who {
                login: selfcheck::SCHEDULE.to_string(),
                ..Who::system()
            };
            match run(&db, &config, &who).await {
                Ok(report) if report.failed() => {
                    tracing::error!(report = report.id, "the monthly self-check failed")
                }
                Ok(report) => tracing::info!(
                    report = report.id,
                    outcome = report.outcome.code(),
                    "monthly self-check"
                ),
                Err(e) => tracing::error!("the monthly self-check could not run: {e:#}"),
            }
        }
    });
}

/// Almaty time (UTC+5 all year).
fn almaty(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&ALMATY)
}

const ALMATY: FixedOffset = match FixedOffset::east_opt(5 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+5 is an offset"),
};

/// Whether the monthly run is due at `now`: no scheduled run yet in this (Almaty) month, and
/// the hour has come.
fn due(last: Option<DateTime<Utc>>, now: DateTime<Utc>, hour: u32) -> bool {
    let here = almaty(now);
    let this_month = |at: DateTime<Utc>| {
        let at = almaty(at);
        at.year() == here.year() && at.month() == here.month()
    };
    here.hour() >= hour.min(23) && !last.is_some_and(this_month)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn the_monthly_run_is_due_once_a_month_from_its_hour() {
        // 1 December, 03:30 Almaty: before the hour (4).
        assert!(!due(None, at("2026-11-30T22:30:00Z"), 4));
        assert!(due(None, at("2026-11-30T23:30:00Z"), 4));
        // Run on 1 December: not again in December, due again in January.
        let ran = Some(at("2026-11-30T23:30:00Z"));
        assert!(!due(ran, at("2026-12-20T10:00:00Z"), 4));
        assert!(due(ran, at("2027-01-01T00:00:00Z"), 4));
        // Run at the end of November Almaty time (still 30 Nov in UTC is the same month).
        assert!(due(
            Some(at("2026-11-30T18:00:00Z")),
            at("2026-12-01T06:00:00Z"),
            4
        ));
    }

    #[test]
    fn counts_are_compared_table_by_table() {
        let kept = TableCounts::from([("a".into(), 3), ("b".into(), 1)]);
        let restored = TableCounts::from([("a".into(), 2), ("c".into(), 0)]);
        assert_eq!(
            differences(&kept, &restored),
            vec![
                ("a".into(), "3".into(), "2".into()),
                ("b".into(), "1".into(), "-".into()),
                ("c".into(), "-".into(), "0".into()),
            ]
        );
        assert!(differences(&kept, &kept).is_empty());
    }

    #[test]
    fn a_scratch_database_keeps_the_server_and_its_parameters() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/jospar?sslmode=require", "s"),
            "postgres://u:p@h:5432/s?sslmode=require"
        );
        assert_eq!(with_database("postgres://h", "s"), "postgres://h/s");
    }
}
