//! The kit every adapter of an external government system is built on (INTEGRATIONS.md §9):
//!
//! - [`AdapterConfig`]: where the system is, timeouts, retries and backoff, credentials;
//! - [`HttpClient`]: sends a [`Call`] with them, trying again on connect errors, timeouts, 5xx
//!   and 429 (honouring `Retry-After`), never on another 4xx, and a POST only when the call is
//!   marked retry-safe;
//! - [`ExchangeJournal`]: one [`ExchangeRecord`] per attempt, failures included; the database
//!   journal lives with its table (`jospar_execution::journal`), [`MemoryJournal`] is for tests;
//! - [`Source`]: the file import for when the other side is unreachable, fed to the same parser;
//! - `testkit::FakeServer` (feature `testkit`): a fake on 127.0.0.1:0 with scripted answers,
//!   injected faults and the requests it got, on which the fakes of each system are built.
//!
//! An adapter crate (`jospar-shep`, `jospar-passport`, `jospar-obportal`) owns the format of
//! its system; this kit owns how the bytes travel.

pub mod client;
pub mod config;
pub mod journal;
pub mod retry;
pub mod source;

#[cfg(feature = "testkit")]
pub mod testkit;

pub use client::{Answer, Call, HttpClient, JsonError};
pub use config::{AdapterConfig, Credentials, IntegrationInfo, Secret};
pub use journal::{
    Direction, ExchangeJournal, ExchangeRecord, LogJournal, MemoryJournal, Outcome, RecordFuture,
};
pub use source::{Fetched, Source};

/// An adapter of an external system: its exchanges go through its [`HttpClient`], which knows
/// the system's name and configuration.
pub trait Adapter: Send + Sync {
    fn http(&self) -> &HttpClient;

    /// The system's short name, as the journal records it.
    fn system(&self) -> &str {
        self.http().system()
    }

    fn config(&self) -> &AdapterConfig {
        self.http().config()
    }
}

/// Why a call got no answer, after every attempt the configuration allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdapterError {
    #[error("{system} is unreachable at {url} after {attempts} attempt(s): {message}")]
    Unreachable {
        system: String,
        url: String,
        attempts: u32,
        message: String,
    },
    #[error("{system} did not answer at {url} within {timeout_ms} ms, {attempts} attempt(s)")]
    Timeout {
        system: String,
        url: String,
        attempts: u32,
        timeout_ms: u64,
    },
    #[error("the file {path} cannot be read: {message}")]
    File { path: String, message: String },
    #[error("the request cannot be built: {0}")]
    Config(String),
}

impl AdapterError {
    /// No answer came: the other side is down, far or slow (not a file or a request problem).
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            AdapterError::Unreachable { .. } | AdapterError::Timeout { .. }
        )
    }
}
