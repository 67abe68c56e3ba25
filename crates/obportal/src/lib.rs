//! The national open-budgets portal (BP-14; seed 004, integration 5 "сервис приема данных с ИС
//! ГО на портал «Открытые бюджеты»"; seed 003 p. 8: information is placed through the portal's
//! workstation or sent from the information systems of state bodies). When an administrator
//! publishes a budget program's passport or implementation report, its program goes to the
//! portal too.
//!
//! The portal's ingestion service has no public specification (INTEGRATIONS.md §7), so the
//! exchange here is ours and plain, shaped on the passport fields the portal shows: one JSON
//! document per program, `POST {base}/api/budget-programs` with a bearer token, amounts in
//! tiyn by year. Only [`ProgramUpload`] and [`HttpOpenBudgets`] change when the real contract
//! is known.

#[cfg(feature = "testkit")]
pub mod testkit;

use chrono::NaiveDate;
use jospar_adapter::{
    Adapter, AdapterConfig, AdapterError, Call, ExchangeJournal, HttpClient, JsonError, LogJournal,
    Source,
};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// The portal's name in the exchange journal.
pub const SYSTEM: &str = "obportal";

/// A subprogram's amounts by year, in tiyn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubprogramAmounts {
    /// Empty: the program without subprograms.
    pub subprogram: String,
    pub years: Vec<(i32, i64)>,
}

/// A budget program as the portal takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramUpload {
    /// `passport` or `report`.
    pub document: String,
    /// The number the document has in Jospar and in its final report.
    pub unique_number: String,
    pub administrator_bin: String,
    pub administrator_code: String,
    pub administrator_name: String,
    pub program: String,
    pub year: i32,
    pub title_ru: String,
    pub title_kk: String,
    pub summary_ru: String,
    pub summary_kk: String,
    pub head: String,
    /// `republican` or `local`.
    pub budget_kind: String,
    pub published_on: NaiveDate,
    pub discussion_ends_on: NaiveDate,
    /// Always "tiyn": amounts are integers, exact.
    pub unit: String,
    pub subprograms: Vec<SubprogramAmounts>,
}

/// What the portal said when it took a program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub id: String,
}

/// Which execution report of the portal, asked for as the portal's own execution data is
/// (INTEGRATIONS.md §7): the report type, the region and the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionQuery {
    /// E.g. «Местный бюджет в разрезе функциональной классификации».
    pub report: String,
    /// E.g. «Мангистауская область».
    pub region: String,
    /// `MM.YYYY`.
    pub month: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("the open-budgets portal is unreachable: {0}")]
    Unreachable(String),
    #[error("the open-budgets portal refused the program ({status}): {message}")]
    Refused { status: u16, message: String },
    #[error("the open-budgets portal's answer cannot be read: {0}")]
    Malformed(String),
    #[error("the file standing for the open-budgets portal cannot be read: {0}")]
    File(String),
}

impl UploadError {
    fn of(e: AdapterError) -> UploadError {
        match e {
            AdapterError::File { .. } => UploadError::File(e.to_string()),
            _ => UploadError::Unreachable(e.to_string()),
        }
    }

    fn of_reply(e: JsonError) -> UploadError {
        match e {
            JsonError::Down(m) => UploadError::Unreachable(m),
            JsonError::Refused { status, message } => UploadError::Refused { status, message },
            JsonError::Malformed(m) => UploadError::Malformed(m),
        }
    }
}

pub type UploadFuture<'a> = Pin<Box<dyn Future<Output = Result<Receipt, UploadError>> + Send + 'a>>;

/// Where budget programs go.
pub trait OpenBudgets: Send + Sync {
    fn upload<'a>(&'a self, program: &'a ProgramUpload) -> UploadFuture<'a>;
}

/// The portal over HTTPS, through the adapter kit's client.
pub struct HttpOpenBudgets {
    http: HttpClient,
}

impl HttpOpenBudgets {
    /// The portal at `base_url` with its bearer token and the kit's other defaults, recorded
    /// in the log only.
    pub fn new(base_url: &str, token: &str, timeout: Duration) -> Self {
        let config = AdapterConfig::new(base_url).timeout(timeout).bearer(token);
        HttpOpenBudgets::with_config(config, Arc::new(LogJournal))
    }

    /// The portal as configured (`open_budgets_url`, `open_budgets_token`, `exchange_*`).
    pub fn with_config(config: AdapterConfig, journal: Arc<dyn ExchangeJournal>) -> Self {
        HttpOpenBudgets {
            http: HttpClient::with_journal(SYSTEM, config, journal),
        }
    }

    async fn send(&self, program: &ProgramUpload) -> Result<Receipt, UploadError> {
        // Not retry-safe: the portal files every program it takes under a new id.
        let call = Call::post_json("UploadProgram", "/api/budget-programs", program)
            .map_err(|e| UploadError::Malformed(e.to_string()))?;
        let answer = self.http.send(call).await.map_err(UploadError::of)?;
        answer.json_reply().map_err(UploadError::of_reply)
    }

    /// The portal's execution report as its CSV (`id;code;name;utv;…;parent_id;month`, what
    /// `jospar import portal-execution` reads), from the portal or from a file the portal's
    /// operator handed over, as `source` says: the same bytes go to the same import.
    pub async fn execution_report(
        &self,
        query: &ExecutionQuery,
        source: &Source,
    ) -> Result<Vec<u8>, UploadError> {
        let call = Call::get("execution-report", "/api/execution-reports").query(&[
            ("type", &query.report),
            ("region", &query.region),
            ("date", &query.month),
        ]);
        let fetched = self
            .http
            .fetch(call, source)
            .await
            .map_err(UploadError::of)?;
        match fetched.status {
            Some(status) if !(200..300).contains(&status) => {
                let answer = jospar_adapter::Answer {
                    status,
                    body: fetched.bytes,
                    attempts: 0,
                };
                Err(answer
                    .json_reply::<serde_json::Value>()
                    .map_or_else(UploadError::of_reply, |_| {
                        UploadError::Malformed(format!("HTTP {status}"))
                    }))
            }
            _ => Ok(fetched.bytes),
        }
    }
}

impl Adapter for HttpOpenBudgets {
    fn http(&self) -> &HttpClient {
        &self.http
    }
}

impl OpenBudgets for HttpOpenBudgets {
    fn upload<'a>(&'a self, program: &'a ProgramUpload) -> UploadFuture<'a> {
        Box::pin(self.send(program))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::FakeOpenBudgets;

    fn program() -> ProgramUpload {
        ProgramUpload {
            document: "passport".into(),
            unique_number: "БП-261-003-2027-1".into(),
            administrator_bin: "990140000017".into(),
            administrator_code: "261".into(),
            administrator_name: "Управление образования".into(),
            program: "003".into(),
            year: 2027,
            title_ru: "Общеобразовательное обучение".into(),
            title_kk: "Жалпы білім беру".into(),
            summary_ru: "Цель".into(),
            summary_kk: "Мақсат".into(),
            head: "Руководитель".into(),
            budget_kind: "local".into(),
            published_on: NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
            discussion_ends_on: NaiveDate::from_ymd_opt(2026, 12, 15).expect("date"),
            unit: "tiyn".into(),
            subprograms: vec![SubprogramAmounts {
                subprogram: "015".into(),
                years: vec![(2027, 100), (2028, 110)],
            }],
        }
    }

    #[tokio::test]
    async fn the_portal_takes_a_sound_program_and_refuses_a_broken_one() {
        let fake = FakeOpenBudgets::spawn("t").await.expect("fake");
        let portal = HttpOpenBudgets::new(&fake.url(), "t", Duration::from_secs(5));
        let receipt = portal.upload(&program()).await.expect("taken");
        assert!(receipt.id.starts_with("OB-2027-"), "{receipt:?}");
        assert_eq!(fake.received().len(), 1);
        let mut broken = program();
        broken.title_kk = String::new();
        assert!(matches!(
            portal.upload(&broken).await,
            Err(UploadError::Refused { status: 422, .. })
        ));
        let stranger = HttpOpenBudgets::new(&fake.url(), "wrong", Duration::from_secs(5));
        assert!(matches!(
            stranger.upload(&program()).await,
            Err(UploadError::Refused { status: 401, .. })
        ));
        let nowhere = HttpOpenBudgets::new("http://127.0.0.1:9", "t", Duration::from_secs(2));
        assert!(matches!(
            nowhere.upload(&program()).await,
            Err(UploadError::Unreachable(_))
        ));
    }
}
