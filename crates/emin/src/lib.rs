//! e-Minfin forms as a service (seed 004, integrations 7-9; issue 24): the Treasury's forms of
//! expenses (5-52, 5-42, 5-34, 4-20, 2-19, 2-11, 5-17), of the details of periodic obligations
//! (4-09) and of receipts by code (2-43), pulled for an organisation (by its BIN) at a report
//! date instead of uploaded by a person.
//!
//! No public description of the service exists (INTEGRATIONS.md §6, §10): the exchange is
//! ours and plain — `GET {base}/api/forms/{form}?bin=…&date=YYYY-MM-DD` with a bearer token,
//! answered by a JSON envelope around the form's table ([`envelope`]). The table goes to the
//! same streaming parser and checks as a file import ([`PulledForm::csv`]), so a pulled form and
//! an uploaded one cannot read differently. Every call goes through the adapter kit's client
//! and is kept in the exchange journal.

pub mod envelope;
#[cfg(feature = "testkit")]
pub mod testkit;

use chrono::NaiveDate;
use envelope::FormTable;
use jospar_adapter::{Adapter, AdapterConfig, AdapterError, Call, ExchangeJournal, HttpClient};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// e-Minfin's name in the exchange journal and on the monitor.
pub const SYSTEM: &str = "emin";

/// The forms the service gives (seed 004 integrations 7-9, and 5-17 of its section 1).
pub const FORMS: [&str; 9] = [
    "5-52", "5-42", "5-34", "4-20", "2-19", "2-11", "5-17", "4-09", "2-43",
];

/// One form of one organisation at one report date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormQuery {
    pub form: String,
    /// The organisation's BIN, 12 digits.
    pub bin: String,
    pub report_date: NaiveDate,
}

/// A form as e-Minfin gave it: what was asked, and the table out of its envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PulledForm {
    pub query: FormQuery,
    pub table: FormTable,
}

impl PulledForm {
    /// The table as the semicolon CSV a Treasury export is (headings, then rows): the bytes
    /// the file import reads.
    pub fn csv(&self) -> Vec<u8> {
        let mut out = csv::WriterBuilder::new()
            .delimiter(b';')
            .flexible(true)
            .from_writer(Vec::new());
        let rows = std::iter::once(&self.table.columns).chain(&self.table.rows);
        for row in rows {
            // Writing to memory does not fail.
            let _ = out.write_record(row);
        }
        out.into_inner().unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PullError {
    #[error("e-Minfin is unreachable: {0}")]
    Unreachable(String),
    #[error("e-Minfin refused the request ({status}): {message}")]
    Refused { status: u16, message: String },
    #[error("e-Minfin's answer cannot be read: {0}")]
    Malformed(String),
}

pub type PullFuture<'a> = Pin<Box<dyn Future<Output = Result<PulledForm, PullError>> + Send + 'a>>;

/// Where the forms come from.
pub trait EMinfin: Send + Sync {
    fn pull<'a>(&'a self, query: &'a FormQuery) -> PullFuture<'a>;
}

/// e-Minfin over HTTPS, through the adapter kit's client.
pub struct HttpEMinfin {
    http: HttpClient,
}

impl HttpEMinfin {
    /// e-Minfin as configured (`emin_url`, `emin_token`, `exchange_*`).
    pub fn with_config(config: AdapterConfig, journal: Arc<dyn ExchangeJournal>) -> Self {
        HttpEMinfin {
            http: HttpClient::with_journal(SYSTEM, config, journal),
        }
    }

    async fn fetch(&self, query: &FormQuery) -> Result<PulledForm, PullError> {
        let date = query.report_date.to_string();
        let path = format!("/api/forms/{}", query.form);
        // A read: asking again is harmless.
        let call = Call::get(&format!("GetForm {}", query.form), &path)
            .query(&[("bin", &query.bin), ("date", &date)])
            .retry_safe();
        let answer = self.http.send(call).await.map_err(unreachable)?;
        if !answer.is_success() {
            return Err(match answer.json_reply::<serde_json::Value>() {
                Err(jospar_adapter::JsonError::Down(m)) => PullError::Unreachable(m),
                Err(jospar_adapter::JsonError::Refused { status, message }) => {
                    PullError::Refused { status, message }
                }
                _ => PullError::Malformed(format!("HTTP {}", answer.status)),
            });
        }
        envelope::open(&answer.body, query).map_err(PullError::Malformed)
    }
}

fn unreachable(e: AdapterError) -> PullError {
    PullError::Unreachable(e.to_string())
}

impl Adapter for HttpEMinfin {
    fn http(&self) -> &HttpClient {
        &self.http
    }
}

impl EMinfin for HttpEMinfin {
    fn pull<'a>(&'a self, query: &'a FormQuery) -> PullFuture<'a> {
        Box::pin(self.fetch(query))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::FakeEMinfin;
    use jospar_adapter::LogJournal;
    use jospar_adapter::testkit::Fault;
    use std::time::Duration;

    fn query() -> FormQuery {
        FormQuery {
            form: "5-52".into(),
            bin: "990140000017".into(),
            report_date: NaiveDate::from_ymd_opt(2027, 4, 1).expect("date"),
        }
    }

    fn table() -> FormTable {
        FormTable {
            columns: vec!["АБП".into(), "Наименование".into()],
            rows: vec![vec!["261".into(), "Оплата труда; премии".into()]],
        }
    }

    fn client(url: &str, token: &str) -> HttpEMinfin {
        let config = AdapterConfig::new(url)
            .timeout(Duration::from_millis(500))
            .retries(0)
            .bearer(token);
        HttpEMinfin::with_config(config, Arc::new(LogJournal))
    }

    #[tokio::test]
    async fn a_form_comes_out_of_its_envelope_as_the_csv_the_import_reads() {
        let fake = FakeEMinfin::spawn("t").await.expect("fake");
        fake.put(&query(), table());
        let pulled = client(&fake.url(), "t")
            .pull(&query())
            .await
            .expect("pulled");
        assert_eq!(pulled.table, table());
        let csv = String::from_utf8(pulled.csv()).expect("utf-8");
        assert_eq!(csv, "АБП;Наименование\n261;\"Оплата труда; премии\"\n");
        let asked = &fake.server().received()[0];
        assert_eq!(asked.header("authorization"), Some("Bearer t"));
        assert!(
            asked.path.contains("bin=990140000017") && asked.path.contains("date=2027-04-01"),
            "{}",
            asked.path
        );
    }

    #[tokio::test]
    async fn a_missing_form_a_wrong_token_a_timeout_a_500_and_a_broken_body_are_told_apart() {
        let fake = FakeEMinfin::spawn("t").await.expect("fake");
        let emin = client(&fake.url(), "t");
        assert!(matches!(
            emin.pull(&query()).await,
            Err(PullError::Refused { status: 404, .. })
        ));
        fake.put(&query(), table());
        assert!(matches!(
            client(&fake.url(), "wrong").pull(&query()).await,
            Err(PullError::Refused { status: 401, .. })
        ));
        fake.server().inject(Fault::Delay(Duration::from_secs(2)));
        assert!(matches!(
            emin.pull(&query()).await,
            Err(PullError::Unreachable(_))
        ));
        fake.server().fail_next(1, 500);
        assert!(matches!(
            emin.pull(&query()).await,
            Err(PullError::Unreachable(_))
        ));
        fake.put_raw(&query(), "{\"envelope\":");
        assert!(matches!(
            emin.pull(&query()).await,
            Err(PullError::Malformed(_))
        ));
    }
}
