//! The "Region passport" portal (EX-R 22–23): the region's cash execution report and the
//! structure of its budget are published there for the akimat's and the public's dashboards.
//!
//! No public description of the portal's interface exists (INTEGRATIONS.md does not list it),
//! so the exchange here is ours and plain: one JSON document per report, `POST {base}/api/reports`
//! with a bearer token, amounts in tiyn, totals that the portal checks against the rows. Only
//! [`PassportReport`] and [`HttpRegionPassport`] change when the real interface is known.

#[cfg(feature = "testkit")]
pub mod testkit;

use chrono::NaiveDate;
use jospar_adapter::{
    Adapter, AdapterConfig, Call, ExchangeJournal, HttpClient, JsonError, LogJournal,
};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// The portal's name in the exchange journal.
pub const SYSTEM: &str = "passport";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// EX-R 22: cash execution by administrator, program, subprogram and specific.
    CashExecution,
    /// EX-R 23: the budget's structure — receipts by category and class, expenses by
    /// administrator and program.
    BudgetStructure,
}

impl ReportKind {
    pub fn code(self) -> &'static str {
        match self {
            ReportKind::CashExecution => "cash_execution",
            ReportKind::BudgetStructure => "budget_structure",
        }
    }

    pub fn from_code(code: &str) -> Option<ReportKind> {
        [ReportKind::CashExecution, ReportKind::BudgetStructure]
            .into_iter()
            .find(|k| k.code() == code)
    }
}

/// One row: a code of a section with its annual plan, plan of the period and execution, in
/// tiyn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassportRow {
    /// `receipts` or `expenses`.
    pub section: String,
    pub code: String,
    pub name: String,
    pub plan_year: i64,
    pub plan_period: i64,
    pub executed: i64,
}

/// The sums of a report's rows, which the portal checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub plan_year: i64,
    pub plan_period: i64,
    pub executed: i64,
}

impl Totals {
    pub fn of<'a>(rows: impl IntoIterator<Item = &'a PassportRow>) -> Totals {
        rows.into_iter().fold(Totals::default(), |t, r| Totals {
            plan_year: t.plan_year + r.plan_year,
            plan_period: t.plan_period + r.plan_period,
            executed: t.executed + r.executed,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassportReport {
    pub kind: ReportKind,
    /// The BIN of the organisation whose report it is.
    pub bin: String,
    pub organisation: String,
    pub report_date: NaiveDate,
    /// Always "tiyn": amounts are integers, exact.
    pub unit: String,
    pub rows: Vec<PassportRow>,
    /// Totals by section, then of the whole report.
    pub totals: Vec<(String, Totals)>,
}

impl PassportReport {
    /// A report with its totals by section and overall.
    pub fn new(
        kind: ReportKind,
        bin: &str,
        organisation: &str,
        report_date: NaiveDate,
        rows: Vec<PassportRow>,
    ) -> PassportReport {
        let mut sections: Vec<String> = rows.iter().map(|r| r.section.clone()).collect();
        sections.dedup();
        let mut totals: Vec<(String, Totals)> = sections
            .iter()
            .map(|s| {
                (
                    s.clone(),
                    Totals::of(rows.iter().filter(|r| &r.section == s)),
                )
            })
            .collect();
        totals.push(("all".into(), Totals::of(&rows)));
        PassportReport {
            kind,
            bin: bin.to_string(),
            organisation: organisation.to_string(),
            report_date,
            unit: "tiyn".into(),
            rows,
            totals,
        }
    }
}

/// What the portal said when it took a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PassportError {
    #[error("the Region passport portal is unreachable: {0}")]
    Unreachable(String),
    #[error("the Region passport portal refused the report ({status}): {message}")]
    Refused { status: u16, message: String },
    #[error("the Region passport portal's answer cannot be read: {0}")]
    Malformed(String),
}

pub type PublishFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Receipt, PassportError>> + Send + 'a>>;

/// Where the reports go.
pub trait RegionPassport: Send + Sync {
    fn publish<'a>(&'a self, report: &'a PassportReport) -> PublishFuture<'a>;
}

/// The portal over HTTPS, through the adapter kit's client.
pub struct HttpRegionPassport {
    http: HttpClient,
}

impl HttpRegionPassport {
    /// The portal at `base_url` with its bearer token and the kit's other defaults, recorded
    /// in the log only.
    pub fn new(base_url: &str, token: &str, timeout: Duration) -> Self {
        let config = AdapterConfig::new(base_url).timeout(timeout).bearer(token);
        HttpRegionPassport::with_config(config, Arc::new(LogJournal))
    }

    /// The portal as configured (`passport_url`, `passport_token`, `exchange_*`).
    pub fn with_config(config: AdapterConfig, journal: Arc<dyn ExchangeJournal>) -> Self {
        HttpRegionPassport {
            http: HttpClient::with_journal(SYSTEM, config, journal),
        }
    }

    async fn send(&self, report: &PassportReport) -> Result<Receipt, PassportError> {
        // Not retry-safe: the portal keeps every report it takes under a new id.
        let call = Call::post_json("publish-report", "/api/reports", report)
            .map_err(|e| PassportError::Malformed(e.to_string()))?;
        let answer = self
            .http
            .send(call)
            .await
            .map_err(|e| PassportError::Unreachable(e.to_string()))?;
        answer.json_reply().map_err(|e| match e {
            JsonError::Down(m) => PassportError::Unreachable(m),
            JsonError::Refused { status, message } => PassportError::Refused { status, message },
            JsonError::Malformed(m) => PassportError::Malformed(m),
        })
    }
}

impl Adapter for HttpRegionPassport {
    fn http(&self) -> &HttpClient {
        &self.http
    }
}

impl RegionPassport for HttpRegionPassport {
    fn publish<'a>(&'a self, report: &'a PassportReport) -> PublishFuture<'a> {
        Box::pin(self.send(report))
    }
}
