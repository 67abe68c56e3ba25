//! The HTTP client every adapter sends through: the configured timeouts and credentials, retries
//! with exponential backoff (with jitter) when the other side is unreachable, busy or down, and
//! one journal record per attempt.

use crate::AdapterError;
use crate::config::{AdapterConfig, Credentials};
use crate::journal::{Direction, ExchangeJournal, ExchangeRecord, LogJournal, Outcome, redact_url};
use crate::retry::{backoff, retry_after};
use chrono::Utc;
use reqwest::Method;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One call to the system: what it is for, the request, and whether sending it twice is harmless.
#[derive(Debug, Clone)]
pub struct Call {
    pub operation: String,
    pub method: Method,
    /// Appended to the configured base URL; `""` = the base URL itself.
    pub path: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    /// Whether a request that may have reached the other side can be sent again. True for
    /// GET, PUT and DELETE; a POST only when the caller says so (see [`Call::retry_safe`]).
    pub retry_safe: bool,
    /// A 500 is the other side's answer, not a failure (SOAP 1.1 sends its faults with 500).
    pub answer_500: bool,
}

impl Call {
    pub fn new(operation: &str, method: Method, path: &str) -> Call {
        let retry_safe = matches!(
            method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE
        );
        Call {
            operation: operation.to_string(),
            method,
            path: path.to_string(),
            headers: Vec::new(),
            body: Vec::new(),
            retry_safe,
            answer_500: false,
        }
    }

    pub fn get(operation: &str, path: &str) -> Call {
        Call::new(operation, Method::GET, path)
    }

    /// A POST of this body; not sent again once it may have arrived, unless marked
    /// [`Call::retry_safe`].
    pub fn post(operation: &str, path: &str, content_type: &str, body: Vec<u8>) -> Call {
        Call::new(operation, Method::POST, path)
            .header("Content-Type", content_type)
            .body(body)
    }

    pub fn post_json<T: serde::Serialize>(
        operation: &str,
        path: &str,
        value: &T,
    ) -> Result<Call, AdapterError> {
        let body = serde_json::to_vec(value).map_err(|e| AdapterError::Config(e.to_string()))?;
        Ok(Call::post(operation, path, "application/json", body))
    }

    /// Appends these query parameters to the path, encoded.
    pub fn query(mut self, pairs: &[(&str, &str)]) -> Call {
        if let Ok(url) = reqwest::Url::parse_with_params("http://query/", pairs)
            && let Some(query) = url.query()
        {
            let separator = if self.path.contains('?') { '&' } else { '?' };
            self.path = format!("{}{separator}{query}", self.path);
        }
        self
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Call {
        self.headers.push((name, value.to_string()));
        self
    }

    pub fn body(mut self, body: Vec<u8>) -> Call {
        self.body = body;
        self
    }

    /// The other side recognises this request when it comes again (an identifier it keeps),
    /// so it may be sent again after a timeout or a 5xx.
    pub fn retry_safe(mut self) -> Call {
        self.retry_safe = true;
        self
    }

    pub fn answer_500(mut self) -> Call {
        self.answer_500 = true;
        self
    }
}

/// The other side's answer, whatever its status; `attempts` says how many it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    pub attempts: u32,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// The answer of a JSON API read the usual way: the value of a 2xx; a 5xx as the system
    /// being down; another status as a refusal with the body's `error` (or the body itself).
    pub fn json_reply<T: serde::de::DeserializeOwned>(&self) -> Result<T, JsonError> {
        if self.is_success() {
            return self.json().map_err(|e| JsonError::Malformed(e.to_string()));
        }
        if self.status >= 500 {
            return Err(JsonError::Down(format!("HTTP {}", self.status)));
        }
        #[derive(serde::Deserialize)]
        struct Refusal {
            #[serde(default)]
            error: String,
        }
        let message = self
            .json::<Refusal>()
            .map(|r| r.error)
            .unwrap_or_else(|_| self.text());
        Err(JsonError::Refused {
            status: self.status,
            message,
        })
    }
}

/// Why a JSON API's answer gives no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonError {
    /// A 5xx: the system is down; worth trying later.
    Down(String),
    /// A 4xx: the system read the request and refused it.
    Refused { status: u16, message: String },
    /// A 2xx whose body is not what was expected.
    Malformed(String),
}

/// Why an attempt got no answer.
struct Failure {
    message: String,
    timed_out: bool,
    /// False when the connection never opened: the request surely did not arrive.
    maybe_arrived: bool,
}

impl Failure {
    fn of(e: &reqwest::Error) -> Failure {
        // reqwest's Display is terse ("error sending request"); its source says why.
        let mut message = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            message = format!("{message}: {s}");
            source = s.source();
        }
        Failure {
            message,
            timed_out: e.is_timeout(),
            maybe_arrived: !e.is_connect(),
        }
    }
}

struct Reply {
    status: u16,
    body: Vec<u8>,
    retry_after: Option<Duration>,
}

pub struct HttpClient {
    system: String,
    config: AdapterConfig,
    http: reqwest::Client,
    journal: Arc<dyn ExchangeJournal>,
}

impl HttpClient {
    /// A client of `system` (its short name in the journal) recording into the log only.
    pub fn new(system: &str, config: AdapterConfig) -> HttpClient {
        HttpClient::with_journal(system, config, Arc::new(LogJournal))
    }

    pub fn with_journal(
        system: &str,
        config: AdapterConfig,
        journal: Arc<dyn ExchangeJournal>,
    ) -> HttpClient {
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .build()
            // Building fails only without a TLS backend or resolver; a plain client still works
            // over HTTP rather than leaving the system unconfigured.
            .unwrap_or_default();
        HttpClient {
            system: system.to_string(),
            config,
            http,
            journal,
        }
    }

    pub fn system(&self) -> &str {
        &self.system
    }

    pub fn config(&self) -> &AdapterConfig {
        &self.config
    }

    /// Sends a call, trying again as the configuration allows. Any HTTP answer is returned
    /// (the adapter reads its status); no answer after the last attempt is an error.
    pub async fn send(&self, call: Call) -> Result<Answer, AdapterError> {
        let url = self.config.url(&call.path);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let started_at = Utc::now();
            let clock = Instant::now();
            let result = self.attempt(&call, &url).await;
            self.journal
                .record(&self.record(&call, &url, attempt, started_at, clock, &result))
                .await;
            match self.wait_before_retry(&call, &result, attempt) {
                Some(wait) => tokio::time::sleep(wait).await,
                None => return self.finish(result, &url, attempt),
            }
        }
    }

    async fn attempt(&self, call: &Call, url: &str) -> Result<Reply, Failure> {
        let mut request = self
            .http
            .request(call.method.clone(), url)
            .body(call.body.clone());
        for (name, value) in &call.headers {
            request = request.header(*name, value);
        }
        request = match &self.config.credentials {
            Credentials::Bearer(token) => request.bearer_auth(token.expose()),
            Credentials::Basic { user, password } => {
                request.basic_auth(user, Some(password.expose()))
            }
            Credentials::None | Credentials::InMessage { .. } => request,
        };
        let response = request.send().await.map_err(|e| Failure::of(&e))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry_after(v, Utc::now()));
        let body = response.bytes().await.map_err(|e| Failure::of(&e))?;
        Ok(Reply {
            status,
            body: body.to_vec(),
            retry_after,
        })
    }

    fn record(
        &self,
        call: &Call,
        url: &str,
        attempt: u32,
        started_at: chrono::DateTime<Utc>,
        clock: Instant,
        result: &Result<Reply, Failure>,
    ) -> ExchangeRecord {
        let (status, bytes_received, outcome) = match result {
            Ok(reply) if (200..300).contains(&reply.status) => {
                (Some(reply.status), reply.body.len(), Outcome::Ok)
            }
            Ok(reply) => (
                Some(reply.status),
                reply.body.len(),
                Outcome::Error(format!("HTTP {}: {}", reply.status, excerpt(&reply.body))),
            ),
            Err(failure) => (None, 0, Outcome::Error(failure.message.clone())),
        };
        ExchangeRecord {
            system: self.system.clone(),
            operation: call.operation.clone(),
            direction: Direction::Outbound,
            url: redact_url(url),
            started_at,
            duration_ms: u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX),
            attempt,
            status,
            bytes_sent: call.body.len() as u64,
            bytes_received: bytes_received as u64,
            outcome,
        }
    }

    /// How long to wait before trying again, or `None` to stop here.
    fn wait_before_retry(
        &self,
        call: &Call,
        result: &Result<Reply, Failure>,
        attempt: u32,
    ) -> Option<Duration> {
        if attempt > self.config.max_retries {
            return None;
        }
        let delay = backoff(&self.config, attempt);
        match result {
            Err(failure) => (call.retry_safe || !failure.maybe_arrived).then_some(delay),
            Ok(reply) => {
                let busy = reply.status == 429;
                let down = reply.status >= 500 && !(reply.status == 500 && call.answer_500);
                // 429 says the request was not processed, so any call may come again; a 5xx
                // may have come after the work was done.
                if !(busy || (down && call.retry_safe)) {
                    return None;
                }
                match reply.retry_after {
                    // Longer than we are willing to wait: the caller's queue comes back later.
                    Some(asked) if asked > self.config.backoff_cap => None,
                    Some(asked) => Some(asked.max(delay)),
                    None => Some(delay),
                }
            }
        }
    }

    fn finish(
        &self,
        result: Result<Reply, Failure>,
        url: &str,
        attempts: u32,
    ) -> Result<Answer, AdapterError> {
        match result {
            Ok(reply) => Ok(Answer {
                status: reply.status,
                body: reply.body,
                attempts,
            }),
            Err(failure) if failure.timed_out => Err(AdapterError::Timeout {
                system: self.system.clone(),
                url: redact_url(url),
                attempts,
                timeout_ms: u64::try_from(self.config.timeout.as_millis()).unwrap_or(u64::MAX),
            }),
            Err(failure) => Err(AdapterError::Unreachable {
                system: self.system.clone(),
                url: redact_url(url),
                attempts,
                message: failure.message,
            }),
        }
    }

    /// Reads a file the other side handed over (when it cannot be reached), recorded in the
    /// journal as an inbound exchange.
    pub async fn read_file(&self, operation: &str, path: &Path) -> Result<Vec<u8>, AdapterError> {
        let started_at = Utc::now();
        let clock = Instant::now();
        let result = tokio::fs::read(path).await;
        let record = ExchangeRecord {
            system: self.system.clone(),
            operation: operation.to_string(),
            direction: Direction::Inbound,
            url: format!("file://{}", path.display()),
            started_at,
            duration_ms: u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX),
            attempt: 1,
            status: None,
            bytes_sent: 0,
            bytes_received: result.as_ref().map(|b| b.len() as u64).unwrap_or(0),
            outcome: match &result {
                Ok(_) => Outcome::Ok,
                Err(e) => Outcome::Error(e.to_string()),
            },
        };
        self.journal.record(&record).await;
        result.map_err(|e| AdapterError::File {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }
}

/// The start of an answer's body, for the journal: enough to recognise an error page.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    match text.char_indices().nth(200) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}
