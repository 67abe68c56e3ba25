//! The ЕБК service (seed 004, integration 3; issue 24): the national service that decides the
//! republican codes of the unified budget classification gives the classification of a year
//! and its changes as **change sets** — codes opened, closed and renamed, each set with its
//! own id. No public description of the service exists (INTEGRATIONS.md §6, §10): the exchange
//! is ours and plain, `GET {base}/api/classification/{year}/change-sets` with a bearer token,
//! answered by the year's change sets in an envelope ([`ChangeSets`]), documented in
//! `data/ebk/service.md`. Only this crate changes when the real schema is known. What a change
//! set does to the classification (checked, shown, applied all or nothing) is the planning
//! module's (`jospar_planning::ebk_changes`).

#[cfg(feature = "testkit")]
pub mod testkit;

use jospar_adapter::{Adapter, AdapterConfig, Call, ExchangeJournal, HttpClient, JsonError};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The service's name in the exchange journal and on the monitor.
pub const SYSTEM: &str = "ebk";
/// The service name an envelope must carry.
pub const SERVICE: &str = "ebk-changes";
/// The envelope's version this reader knows.
pub const VERSION: &str = "1";

/// One change of a code, as the service sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeChange {
    /// `opened`, `closed` or `renamed`.
    pub change: String,
    /// The kind of code as the classification names its kinds: `program`, `subprogram`,
    /// `econ_specific`, `receipt_subclass`…
    pub kind: String,
    /// The full code, segments separated by spaces ("261 003 015").
    pub code: String,
    #[serde(default)]
    pub name_ru: Option<String>,
    #[serde(default)]
    pub name_kk: Option<String>,
}

/// A change set: the changes the service decided together, for one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeSet {
    /// The service's id of the set, e.g. `EBK-2027-0003`: a set already received is not
    /// received again.
    pub id: String,
    pub year: i32,
    /// When the service decided it (as the service writes it).
    pub issued_at: String,
    /// The decision behind it, e.g. the order of the Ministry of Finance.
    #[serde(default)]
    pub basis: String,
    pub changes: Vec<CodeChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    pub service: String,
    pub version: String,
    pub year: i32,
    /// The number of sets in the answer: an answer cut short is refused.
    pub set_count: usize,
}

/// The service's answer: the year's change sets, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeSets {
    pub envelope: Envelope,
    pub sets: Vec<ChangeSet>,
}

impl ChangeSets {
    /// The answer the service gives for `year` with these sets (the fake's, the tests').
    pub fn of(year: i32, sets: Vec<ChangeSet>) -> ChangeSets {
        ChangeSets {
            envelope: Envelope {
                service: SERVICE.into(),
                version: VERSION.into(),
                year,
                set_count: sets.len(),
            },
            sets,
        }
    }

    /// Reads an answer for `year`: this service's envelope of this version and year, as many
    /// sets as announced, each of the year. The reason when it is not.
    pub fn open(body: &[u8], year: i32) -> Result<Vec<ChangeSet>, String> {
        let answer: ChangeSets = serde_json::from_slice(body)
            .map_err(|e| format!("the envelope cannot be read: {e}"))?;
        let envelope = &answer.envelope;
        if envelope.service != SERVICE || envelope.version != VERSION {
            return Err(format!(
                "an envelope of {} version {}, not {SERVICE} version {VERSION}",
                envelope.service, envelope.version
            ));
        }
        if envelope.year != year || answer.sets.iter().any(|s| s.year != year) {
            return Err(format!("asked for the year {year}, got {}", envelope.year));
        }
        if envelope.set_count != answer.sets.len() {
            return Err(format!(
                "the envelope announces {} sets, the answer has {}",
                envelope.set_count,
                answer.sets.len()
            ));
        }
        Ok(answer.sets)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    #[error("the ЕБК service is unreachable: {0}")]
    Unreachable(String),
    #[error("the ЕБК service refused the request ({status}): {message}")]
    Refused { status: u16, message: String },
    #[error("the ЕБК service's answer cannot be read: {0}")]
    Malformed(String),
}

pub type SetsFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<ChangeSet>, ServiceError>> + Send + 'a>>;

/// Where the classification's change sets come from.
pub trait EbkService: Send + Sync {
    fn change_sets(&self, year: i32) -> SetsFuture<'_>;
}

/// The service over HTTPS, through the adapter kit's client.
pub struct HttpEbkService {
    http: HttpClient,
}

impl HttpEbkService {
    /// The service as configured (`ebk_url`, `ebk_token`, `exchange_*`).
    pub fn with_config(config: AdapterConfig, journal: Arc<dyn ExchangeJournal>) -> Self {
        HttpEbkService {
            http: HttpClient::with_journal(SYSTEM, config, journal),
        }
    }

    async fn fetch(&self, year: i32) -> Result<Vec<ChangeSet>, ServiceError> {
        let path = format!("/api/classification/{year}/change-sets");
        // A read: asking again is harmless.
        let call = Call::get("GetChangeSets", &path).retry_safe();
        let answer = self
            .http
            .send(call)
            .await
            .map_err(|e| ServiceError::Unreachable(e.to_string()))?;
        if !answer.is_success() {
            return Err(match answer.json_reply::<serde_json::Value>() {
                Err(JsonError::Down(m)) => ServiceError::Unreachable(m),
                Err(JsonError::Refused { status, message }) => {
                    ServiceError::Refused { status, message }
                }
                _ => ServiceError::Malformed(format!("HTTP {}", answer.status)),
            });
        }
        ChangeSets::open(&answer.body, year).map_err(ServiceError::Malformed)
    }
}

impl Adapter for HttpEbkService {
    fn http(&self) -> &HttpClient {
        &self.http
    }
}

impl EbkService for HttpEbkService {
    fn change_sets(&self, year: i32) -> SetsFuture<'_> {
        Box::pin(self.fetch(year))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::FakeEbkService;
    use jospar_adapter::LogJournal;
    use jospar_adapter::testkit::Fault;
    use std::time::Duration;

    fn set(id: &str) -> ChangeSet {
        ChangeSet {
            id: id.into(),
            year: 2027,
            issued_at: "2027-01-10".into(),
            basis: "Приказ МФ РК".into(),
            changes: vec![CodeChange {
                change: "opened".into(),
                kind: "program".into(),
                code: "261 099".into(),
                name_ru: Some("Новая программа".into()),
                name_kk: Some("Жаңа бағдарлама".into()),
            }],
        }
    }

    fn client(url: &str, token: &str) -> HttpEbkService {
        let config = AdapterConfig::new(url)
            .timeout(Duration::from_millis(500))
            .retries(0)
            .bearer(token);
        HttpEbkService::with_config(config, Arc::new(LogJournal))
    }

    #[tokio::test]
    async fn the_year_s_change_sets_come_out_of_their_envelope() {
        let fake = FakeEbkService::spawn("t").await.expect("fake");
        fake.put(set("EBK-2027-0001"));
        fake.put(set("EBK-2027-0002"));
        let sets = client(&fake.url(), "t")
            .change_sets(2027)
            .await
            .expect("sets");
        assert_eq!(sets, vec![set("EBK-2027-0001"), set("EBK-2027-0002")]);
        assert_eq!(
            client(&fake.url(), "t").change_sets(2028).await,
            Ok(Vec::new())
        );
    }

    #[tokio::test]
    async fn a_wrong_token_a_timeout_a_500_and_a_broken_body_are_told_apart() {
        let fake = FakeEbkService::spawn("t").await.expect("fake");
        let service = client(&fake.url(), "t");
        assert!(matches!(
            client(&fake.url(), "wrong").change_sets(2027).await,
            Err(ServiceError::Refused { status: 401, .. })
        ));
        fake.server().inject(Fault::Delay(Duration::from_secs(2)));
        assert!(matches!(
            service.change_sets(2027).await,
            Err(ServiceError::Unreachable(_))
        ));
        fake.server().fail_next(1, 500);
        assert!(matches!(
            service.change_sets(2027).await,
            Err(ServiceError::Unreachable(_))
        ));
        fake.put_raw(2027, r#"{"envelope":{"service":"ebk-changes","version":"1","year":2027,"setCount":2},"sets":[]}"#);
        assert!(matches!(
            service.change_sets(2027).await,
            Err(ServiceError::Malformed(m)) if m.contains("announces 2 sets")
        ));
        fake.put_raw(2027, "<html>");
        assert!(matches!(
            service.change_sets(2027).await,
            Err(ServiceError::Malformed(_))
        ));
    }
}
