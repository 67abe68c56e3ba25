//! The record of every exchange with an external system: one record per attempt, failures
//! included, so that an operator can tell what was sent, when, and how it ended.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A request we made to the system.
    Outbound,
    /// Data of the system that reached us another way: a file it handed over.
    Inbound,
}

impl Direction {
    pub fn code(self) -> &'static str {
        match self {
            Direction::Outbound => "outbound",
            Direction::Inbound => "inbound",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    /// Why the attempt failed: no answer, or the answer's status and the start of its body.
    Error(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExchangeRecord {
    /// The system's short name (`shep`, `ncanode`, `passport`, `obportal`).
    pub system: String,
    /// What the call was for, e.g. `UploadProgram`, `SendMessage FUPF_FINANCING_PLAN`.
    pub operation: String,
    pub direction: Direction,
    /// Without user, password or secret query parameters.
    pub url: String,
    pub started_at: DateTime<Utc>,
    pub duration_ms: u64,
    /// The attempt's number within its call, from 1; the last record of a call says how many
    /// attempts it took.
    pub attempt: u32,
    /// The HTTP status, when an answer came.
    pub status: Option<u16>,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub outcome: Outcome,
}

impl ExchangeRecord {
    pub fn is_ok(&self) -> bool {
        self.outcome == Outcome::Ok
    }

    pub fn error(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Ok => None,
            Outcome::Error(message) => Some(message),
        }
    }
}

pub type RecordFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Where the records go. Keeping a record never fails an exchange: a journal that cannot keep
/// one says so in the log.
pub trait ExchangeJournal: Send + Sync {
    fn record<'a>(&'a self, record: &'a ExchangeRecord) -> RecordFuture<'a>;
}

/// The log only: the journal of a client nobody gave a better one.
pub struct LogJournal;

impl ExchangeJournal for LogJournal {
    fn record<'a>(&'a self, r: &'a ExchangeRecord) -> RecordFuture<'a> {
        match &r.outcome {
            Outcome::Ok => tracing::info!(
                system = r.system,
                operation = r.operation,
                url = r.url,
                attempt = r.attempt,
                status = r.status,
                duration_ms = r.duration_ms,
                "exchange"
            ),
            Outcome::Error(e) => tracing::warn!(
                system = r.system,
                operation = r.operation,
                url = r.url,
                attempt = r.attempt,
                status = r.status,
                duration_ms = r.duration_ms,
                error = e,
                "exchange failed"
            ),
        }
        Box::pin(std::future::ready(()))
    }
}

/// Keeps the records in memory: for the tests.
#[derive(Default, Clone)]
pub struct MemoryJournal(Arc<Mutex<Vec<ExchangeRecord>>>);

impl MemoryJournal {
    pub fn new() -> MemoryJournal {
        MemoryJournal::default()
    }

    /// Every record so far, in order.
    pub fn records(&self) -> Vec<ExchangeRecord> {
        self.0.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl ExchangeJournal for MemoryJournal {
    fn record<'a>(&'a self, record: &'a ExchangeRecord) -> RecordFuture<'a> {
        if let Ok(mut records) = self.0.lock() {
            records.push(record.clone());
        }
        Box::pin(std::future::ready(()))
    }
}

/// A URL fit for the journal and the log: no user or password, and the values of query
/// parameters that look like secrets (`apiKey`, `token`, `password` …) replaced by `***`.
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = reqwest::Url::parse(url) else {
        return url.split('?').next().unwrap_or_default().to_string();
    };
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    if parsed.query().is_some() {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let secret = ["key", "token", "password", "secret"]
                    .iter()
                    .any(|s| k.to_lowercase().contains(s));
                let value = if secret { "***".into() } else { v.into_owned() };
                (k.into_owned(), value)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_lose_their_secrets() {
        assert_eq!(
            super::redact_url("https://user:pw@data.egov.kz/api/v4/x/v1?apiKey=abc&size=5"),
            "https://data.egov.kz/api/v4/x/v1?apiKey=***&size=5"
        );
        assert_eq!(
            super::redact_url("http://127.0.0.1:9/bip-sync-wss-gost/"),
            "http://127.0.0.1:9/bip-sync-wss-gost/"
        );
    }
}
