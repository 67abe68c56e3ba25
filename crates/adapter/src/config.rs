//! How to reach one external system: where it is, how long to wait, how often to try again and
//! who we are there. Built by the binary from its configuration (`jospar.toml`, `JOSPAR_*`).

use std::fmt;
use std::time::Duration;

/// A secret from the configuration: shown as `***` in logs, debug output and the journal.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Who we are at the other side.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Credentials {
    #[default]
    None,
    /// `Authorization: Bearer …` on every request (the portals).
    Bearer(Secret),
    /// HTTP basic authentication on every request.
    Basic { user: String, password: Secret },
    /// A login the messages carry themselves (ShEP's sender id and password inside the SOAP
    /// body): the client adds no HTTP authentication, the adapter reads them from here.
    InMessage { user: String, password: Secret },
}

/// The settings of one external system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterConfig {
    /// Where the system answers; the paths of the calls are appended to it.
    pub base_url: String,
    /// How long to wait for the connection to open.
    pub connect_timeout: Duration,
    /// How long one attempt may take, from sending to the last byte of the answer.
    pub timeout: Duration,
    /// Attempts after the first one; 0 = never try again within a call.
    pub max_retries: u32,
    /// The wait before the first retry; it doubles with each further one…
    pub backoff_base: Duration,
    /// …up to this. A `Retry-After` longer than this is not waited for: the call fails and
    /// the caller's own queue comes back later.
    pub backoff_cap: Duration,
    pub credentials: Credentials,
}

impl AdapterConfig {
    /// The defaults: 10 s to connect, 30 s an attempt, 2 retries after 0.5 s and 1 s (at most
    /// 10 s), no credentials.
    pub fn new(base_url: &str) -> AdapterConfig {
        AdapterConfig {
            // Kept as given: ShEP's endpoint ends with a slash that matters.
            base_url: base_url.to_string(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_retries: 2,
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(10),
            credentials: Credentials::None,
        }
    }

    pub fn timeout(mut self, timeout: Duration) -> AdapterConfig {
        self.timeout = timeout;
        self.connect_timeout = self.connect_timeout.min(timeout);
        self
    }

    pub fn connect_timeout(mut self, connect_timeout: Duration) -> AdapterConfig {
        self.connect_timeout = connect_timeout;
        self
    }

    pub fn retries(mut self, max_retries: u32) -> AdapterConfig {
        self.max_retries = max_retries;
        self
    }

    pub fn backoff(mut self, base: Duration, cap: Duration) -> AdapterConfig {
        self.backoff_base = base;
        self.backoff_cap = cap.max(base);
        self
    }

    pub fn bearer(mut self, token: &str) -> AdapterConfig {
        self.credentials = Credentials::Bearer(Secret::new(token));
        self
    }

    pub fn credentials(mut self, credentials: Credentials) -> AdapterConfig {
        self.credentials = credentials;
        self
    }

    /// The URL of a path at the system (`""` = the base URL itself).
    pub fn url(&self, path: &str) -> String {
        if path.is_empty() {
            return self.base_url.clone();
        }
        format!(
            "{}/{}",
            self.base_url.trim_end_matches('/'),
            path.trim_start_matches('/')
        )
    }
}

/// How one external system is set up, as the exchange monitor shows it to the system
/// administrator (issue 24): where it is (without credentials or secret query values), how
/// long and how often a call is tried, how we sign in there — and whether the secret is set,
/// never the secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct IntegrationInfo {
    /// The system as the exchange journal names it: shep, ncanode, passport, obportal.
    pub system: String,
    /// None when the system is not configured.
    pub url: Option<String>,
    pub timeout_s: u64,
    pub connect_timeout_s: u64,
    pub retries: u32,
    /// none, bearer, basic or in_message.
    pub credentials: String,
    /// The user of basic or in-message credentials (not a secret).
    pub user: Option<String>,
    /// Whether the token or password is set.
    pub secret_set: bool,
    /// A stand-in on this machine (`jospar demo`), not the real system.
    pub demo: bool,
}

impl IntegrationInfo {
    /// The view of a configured adapter.
    pub fn of(system: &str, config: &AdapterConfig, demo: bool) -> IntegrationInfo {
        let (credentials, user, secret) = match &config.credentials {
            Credentials::None => ("none", None, None),
            Credentials::Bearer(token) => ("bearer", None, Some(token)),
            Credentials::Basic { user, password } => ("basic", Some(user.clone()), Some(password)),
            Credentials::InMessage { user, password } => {
                ("in_message", Some(user.clone()), Some(password))
            }
        };
        IntegrationInfo {
            system: system.to_string(),
            url: Some(crate::journal::redact_url(&config.base_url)),
            timeout_s: config.timeout.as_secs(),
            connect_timeout_s: config.connect_timeout.as_secs(),
            retries: config.max_retries,
            credentials: credentials.to_string(),
            user,
            secret_set: secret.is_some_and(|s| !s.expose().is_empty()),
            demo,
        }
    }

    /// A system the server does not exchange with.
    pub fn not_configured(system: &str) -> IntegrationInfo {
        IntegrationInfo {
            system: system.to_string(),
            url: None,
            timeout_s: 0,
            connect_timeout_s: 0,
            retries: 0,
            credentials: "none".to_string(),
            user: None,
            secret_set: false,
            demo: false,
        }
    }
}

#[cfg(test)]
mod integration_tests {
    use super::*;

    #[test]
    fn the_monitor_never_sees_a_secret() {
        let config = AdapterConfig::new("https://user:pw@portal.example/api?token=t0ken&size=5")
            .credentials(Credentials::Bearer(Secret::new("s3cr3t")));
        let info = IntegrationInfo::of("obportal", &config, false);
        let shown = serde_json::to_string(&info).expect("json");
        for secret in ["s3cr3t", "t0ken", "pw@"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(info.secret_set);
        assert_eq!(info.credentials, "bearer");
        let unset = AdapterConfig::new("https://x.example").credentials(Credentials::InMessage {
            user: "JOSPAR".into(),
            password: Secret::new(""),
        });
        let info = IntegrationInfo::of("shep", &unset, false);
        assert_eq!(
            (info.user.as_deref(), info.secret_set),
            (Some("JOSPAR"), false)
        );
    }
}
