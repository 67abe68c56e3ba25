//! The monthly self-check (issue 30, specification item 15): what it found, kept as a report
//! the system administrator reads. The checks themselves run where everything they look at
//! is at hand (the server and `jospar selfcheck`, `jospar::selfcheck`); here is their result,
//! its storage and who may read it.
//!
//! A finding is a Fluent key (`selfcheck-<key>`) with its arguments, so that the report reads
//! in either language whoever ran it.

use chrono::{DateTime, Utc};
use jospar_access::{Error, Principal, Result, Right};
use jospar_i18n::Tr;
use jospar_store::{AuditEntry, Db, StoreError, Who, exec_tx, on_db};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a finding (and a check, and a report: the worst of theirs) came out. Only `Failed`
/// fails the self-check; a warning asks for attention before it becomes one.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ok,
    /// Not set up here (no backup folder, no trust roots file, an integration not configured).
    Skipped,
    Warning,
    Failed,
}

impl Level {
    pub fn code(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Skipped => "skipped",
            Level::Warning => "warning",
            Level::Failed => "failed",
        }
    }

    fn from_code(code: &str) -> Level {
        match code {
            "ok" => Level::Ok,
            "skipped" => Level::Skipped,
            "warning" => Level::Warning,
            _ => Level::Failed,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Finding {
    pub level: Level,
    /// The message's Fluent key without its `selfcheck-` prefix.
    pub key: String,
    pub args: BTreeMap<String, String>,
}

impl Finding {
    pub fn new(level: Level, key: &str, args: &[(&str, String)]) -> Finding {
        Finding {
            level,
            key: key.to_string(),
            args: args
                .iter()
                .map(|(name, value)| (name.to_string(), value.clone()))
                .collect(),
        }
    }
}

/// One check: verify, integrity, backup, eds_roots, api_tokens, or integration (with its
/// system).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Check {
    pub name: String,
    /// The external system of an `integration` check.
    pub system: Option<String>,
    pub findings: Vec<Finding>,
}

impl Check {
    pub fn new(name: &str, findings: Vec<Finding>) -> Check {
        Check {
            name: name.to_string(),
            system: None,
            findings,
        }
    }

    pub fn level(&self) -> Level {
        self.findings
            .iter()
            .map(|f| f.level)
            .max()
            .unwrap_or(Level::Ok)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    /// `server` (the monthly schedule) or the login that ran `jospar selfcheck`.
    pub run_by: String,
    pub outcome: Level,
    pub checks: Vec<Check>,
}

impl Report {
    pub fn failed(&self) -> bool {
        self.outcome == Level::Failed
    }
}

/// A finding as its reader's language says it.
pub fn finding_text(tr: &Tr, finding: &Finding) -> String {
    let args: Vec<(&str, String)> = finding
        .args
        .iter()
        .map(|(name, value)| (name.as_str(), value.clone()))
        .collect();
    tr.args(&format!("selfcheck-{}", finding.key), &args)
}

/// A check's title: what it looks at (and which system, for an integration).
pub fn check_title(tr: &Tr, check: &Check) -> String {
    let title = tr.t(&format!("selfcheck-check-{}", check.name));
    match &check.system {
        Some(system) => format!("{title}: {}", tr.t(&format!("monitor-system-{system}"))),
        None => title,
    }
}

/// The report as text, a line a finding under its check's title with its level.
pub fn text(report: &Report, tr: &Tr) -> String {
    let mut out = format!(
        "{} {} — {}\n",
        tr.t("selfcheck-report"),
        report.id,
        tr.t(&format!("selfcheck-level-{}", report.outcome.code()))
    );
    for check in &report.checks {
        out.push_str(&format!(
            "[{}] {}\n",
            tr.t(&format!("selfcheck-level-{}", check.level().code())),
            check_title(tr, check)
        ));
        for finding in &check.findings {
            out.push_str(&format!("    {}\n", finding_text(tr, finding)));
        }
    }
    out
}

/// The self-check's reports are the system administrator's: configure right on a root of
/// the tree.
pub fn require_reader(p: &Principal) -> Result<()> {
    p.require_system(Right::Configure)
}

#[derive(sqlx::FromRow)]
struct ReportRow {
    id: i64,
    started_at: DateTime<Utc>,
    finished_at: DateTime<Utc>,
    run_by: String,
    outcome: String,
    checks_json: String,
}

impl ReportRow {
    fn into_report(self) -> Result<Report, StoreError> {
        Ok(Report {
            checks: serde_json::from_str(&self.checks_json)
                .map_err(|e| StoreError::Other(format!("self-check report {}: {e}", self.id)))?,
            id: self.id,
            started_at: self.started_at,
            finished_at: self.finished_at,
            run_by: self.run_by,
            outcome: Level::from_code(&self.outcome),
        })
    }
}

const COLUMNS: &str = "id, started_at, finished_at, run_by, outcome, checks_json";

/// Keeps the report of a run, audited (its outcome and the checks that did not come out ok).
pub async fn keep(
    db: &Db,
    who: &Who,
    started_at: DateTime<Utc>,
    checks: Vec<Check>,
) -> Result<Report, StoreError> {
    let outcome = checks
        .iter()
        .map(Check::level)
        .filter(|l| *l != Level::Skipped)
        .max()
        .unwrap_or(Level::Ok);
    let report = Report {
        id: jospar_core::ids::new_id(),
        started_at,
        finished_at: Utc::now(),
        run_by: who.login.clone(),
        outcome,
        checks,
    };
    let checks_json =
        serde_json::to_string(&report.checks).map_err(|e| StoreError::Other(e.to_string()))?;
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO selfcheck_reports (id, started_at, finished_at, run_by, outcome, checks_json) \
         VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(report.id).bind(report.started_at).bind(report.finished_at).bind(&report.run_by)
        .bind(report.outcome.code()).bind(&checks_json).execute(conn).await)?;
    let attention: Vec<String> = report
        .checks
        .iter()
        .filter(|c| matches!(c.level(), Level::Warning | Level::Failed))
        .map(|c| {
            format!(
                "{}{}",
                c.name,
                c.system
                    .as_deref()
                    .map(|s| format!(":{s}"))
                    .unwrap_or_default()
            )
        })
        .collect();
    tx.audit(AuditEntry {
        who,
        org_id: None,
        entity: "selfcheck_report",
        entity_id: report.id.to_string(),
        action: "create",
        old_value: None,
        new_value: Some(serde_json::json!({
            "outcome": report.outcome.code(),
            "attention": attention,
        })),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// A page of the reports, newest first, and how many there are.
pub async fn reports(
    db: &Db,
    p: &Principal,
    offset: usize,
    limit: usize,
) -> Result<(Vec<Report>, usize)> {
    require_reader(p)?;
    let clamp = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let rows: Vec<ReportRow> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM selfcheck_reports ORDER BY started_at DESC, id DESC LIMIT $1 OFFSET $2")))
        .bind(clamp(limit)).bind(clamp(offset)).fetch_all(pool).await)
    .map_err(StoreError::from)?;
    let total: i64 =
        on_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM selfcheck_reports")
        .fetch_one(pool).await)
        .map_err(StoreError::from)?;
    let reports = rows
        .into_iter()
        .map(ReportRow::into_report)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((reports, usize::try_from(total).unwrap_or(0)))
}

pub async fn report(db: &Db, p: &Principal, id: i64) -> Result<Report> {
    require_reader(p)?;
    let row: Option<ReportRow> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM selfcheck_reports WHERE id = $1")))
        .bind(id).fetch_optional(pool).await)
    .map_err(StoreError::from)?;
    Ok(row.ok_or(Error::NotFound)?.into_report()?)
}

/// When the server's schedule last ran the self-check (the schedule runs it once a month).
pub async fn last_scheduled(db: &Db) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "SELECT started_at FROM selfcheck_reports WHERE run_by = $1 ORDER BY started_at DESC LIMIT 1")
        .bind(SCHEDULE).fetch_optional(pool).await)?)
}

/// The `run_by` of the server's monthly runs.
pub const SCHEDULE: &str = "server";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_is_as_bad_as_its_worst_finding() {
        let check = Check::new(
            "backup",
            vec![
                Finding::new(Level::Ok, "backup-restored", &[]),
                Finding::new(Level::Warning, "backup-no-counts", &[]),
            ],
        );
        assert_eq!(check.level(), Level::Warning);
        assert_eq!(Check::new("verify", vec![]).level(), Level::Ok);
        assert!(Level::Failed > Level::Warning && Level::Warning > Level::Skipped);
        assert_eq!(Level::from_code(Level::Skipped.code()), Level::Skipped);
    }
}
