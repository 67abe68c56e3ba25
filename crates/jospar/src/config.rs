//! Configuration: defaults → `jospar.toml` (if present) → `JOSPAR_*` environment variables.
//! The defaults need nothing: a SQLite file in the working directory, 127.0.0.1:8080.

use anyhow::Result;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use jospar_adapter::{AdapterConfig, Credentials};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// `sqlite:jospar.db` or `postgres://user@host/db` (JOSPAR_DATABASE_URL).
    pub database_url: String,
    /// HOST:PORT for `serve` and `demo` (JOSPAR_ADDR).
    pub addr: String,
    /// Directory of the daily backups; none = no daily backup (JOSPAR_BACKUP_DIR).
    pub backup_dir: Option<PathBuf>,
    /// How many daily backups to keep (JOSPAR_BACKUP_KEEP).
    pub backup_keep: usize,
    /// Hour of the day (Kazakhstan time, UTC+5) of the daily backup (JOSPAR_BACKUP_HOUR).
    pub backup_hour: u32,
    /// Hour of the day (Kazakhstan time) from which the monthly self-check runs, on the first
    /// day of the month the server is up at that hour (JOSPAR_SELFCHECK_HOUR; issue 30).
    pub selfcheck_hour: u32,
    /// Mark cookies Secure (behind HTTPS) (JOSPAR_SECURE_COOKIES).
    pub secure_cookies: bool,
    /// PEM file of the trusted root (and intermediate) certificates for electronic signatures,
    /// e.g. НУЦ РК's RSA roots (JOSPAR_EDS_TRUSTED_ROOTS).
    pub eds_trusted_roots: Option<PathBuf>,
    /// NCANode v3 base URL, verifying what Rust does not (GOST keys) (JOSPAR_EDS_NCANODE_URL).
    pub eds_ncanode_url: Option<String>,
    /// Revocation checks NCANode makes: "OCSP", "CRL", both comma-separated, or empty
    /// (JOSPAR_EDS_REVOCATION_CHECK).
    pub eds_revocation_check: String,
    /// NCALayer's address as the users' browsers reach it (JOSPAR_NCALAYER_URL).
    pub ncalayer_url: String,
    /// ShEP sync channel endpoint; none = plans wait in the Treasury queue (JOSPAR_SHEP_URL).
    pub shep_url: Option<String>,
    /// The sender id and password ShEP issued to this system (JOSPAR_SHEP_SENDER_ID,
    /// JOSPAR_SHEP_PASSWORD).
    pub shep_sender_id: String,
    pub shep_password: String,
    /// ShEP service codes of the Treasury's financing-plan service and of its status request
    /// (JOSPAR_SHEP_PLAN_SERVICE, JOSPAR_SHEP_STATUS_SERVICE).
    pub shep_plan_service: String,
    pub shep_status_service: String,
    /// NCANode that signs messages to ShEP (default: JOSPAR_EDS_NCANODE_URL) (JOSPAR_SHEP_NCANODE_URL).
    pub shep_ncanode_url: Option<String>,
    /// The system's signing key container (PKCS#12) and its password (JOSPAR_SHEP_KEY_FILE,
    /// JOSPAR_SHEP_KEY_PASSWORD).
    pub shep_key_file: Option<PathBuf>,
    pub shep_key_password: String,
    /// Seconds between passes of the Treasury exchange in `serve` (JOSPAR_SHEP_INTERVAL).
    pub shep_interval: u64,
    /// The "Region passport" portal's base URL and bearer token; none = publishing refused
    /// (JOSPAR_PASSPORT_URL, JOSPAR_PASSPORT_TOKEN).
    pub passport_url: Option<String>,
    pub passport_token: String,
    /// The national open-budgets portal's base URL and bearer token, where published budget
    /// programs are uploaded (BP-14); none = not uploaded (JOSPAR_OPEN_BUDGETS_URL,
    /// JOSPAR_OPEN_BUDGETS_TOKEN).
    pub open_budgets_url: Option<String>,
    pub open_budgets_token: String,
    /// e-Minfin's forms service (seed 004 integrations 7-9): its base URL and bearer token;
    /// none = forms come only as uploaded files (JOSPAR_EMIN_URL, JOSPAR_EMIN_TOKEN).
    pub emin_url: Option<String>,
    pub emin_token: String,
    /// The BINs of the organisations whose forms are pulled, separated by commas
    /// (JOSPAR_EMIN_BINS). A single BIN read from the environment is a number to the reader,
    /// hence the lenient reading.
    #[serde(deserialize_with = "text_or_number")]
    pub emin_bins: String,
    /// The forms pulled, separated by commas; empty = every form the service gives
    /// (JOSPAR_EMIN_FORMS).
    pub emin_forms: String,
    /// Seconds between pulls in `serve`; each asks for the forms on the 1st of the current
    /// month, and a form that has not changed changes nothing (JOSPAR_EMIN_INTERVAL).
    pub emin_interval: u64,
    /// The procurement portal goszakup.gov.kz, OWS v3 (DB-2): its base URL
    /// (`https://ows.goszakup.gov.kz`) and bearer token; none = its pages come only as files
    /// (JOSPAR_GOSZAKUP_URL, JOSPAR_GOSZAKUP_TOKEN).
    pub goszakup_url: Option<String>,
    pub goszakup_token: String,
    /// Seconds between the scheduled loads in `serve` of the plans and contracts of the
    /// customers loaded before and of the projects' administrators (JOSPAR_GOSZAKUP_INTERVAL).
    pub goszakup_interval: u64,
    /// The ЕБК service (seed 004 integration 3): its base URL and bearer token; none = the
    /// classification comes as files (JOSPAR_EBK_URL, JOSPAR_EBK_TOKEN).
    pub ebk_url: Option<String>,
    pub ebk_token: String,
    /// Seconds between receptions of the change sets of the current and the next year in
    /// `serve` (JOSPAR_EBK_INTERVAL).
    pub ebk_interval: u64,
    /// A directory of the Treasury's answer files, `{document id}.xml` (each the
    /// `SendMessageResponse` the bus would have carried), read when ShEP cannot be reached;
    /// none = wait for the bus (JOSPAR_SHEP_ANSWERS_DIR).
    pub shep_answers_dir: Option<PathBuf>,
    /// Every external system (ShEP, NCANode's signing, the portals): seconds an attempt may
    /// take and to open a connection, retries after the first attempt, and the wait before the
    /// first retry and at most, in milliseconds (JOSPAR_EXCHANGE_TIMEOUT,
    /// JOSPAR_EXCHANGE_CONNECT_TIMEOUT, JOSPAR_EXCHANGE_RETRIES, JOSPAR_EXCHANGE_BACKOFF_MS,
    /// JOSPAR_EXCHANGE_BACKOFF_MAX_MS).
    pub exchange_timeout: u64,
    pub exchange_connect_timeout: u64,
    pub exchange_retries: u32,
    pub exchange_backoff_ms: u64,
    pub exchange_backoff_max_ms: u64,
    /// A corrected copy of `data/treasury/layouts.toml` — the headings and shapes of the
    /// Treasury's forms; none = the built-in layouts (JOSPAR_TREASURY_LAYOUTS).
    pub treasury_layouts: Option<PathBuf>,
    /// A corrected copy of `data/devbudget/layouts.toml`, the printed layouts of the
    /// development budget's appendices 1–3 (JOSPAR_DEVBUDGET_LAYOUTS); none = the shipped ones.
    pub devbudget_layouts: Option<PathBuf>,
    /// The SMTP relay (HOST:PORT) notices are mailed through; none = notices stay in the
    /// system (JOSPAR_SMTP_RELAY). The sender address, and a login and password when the
    /// relay asks for AUTH (JOSPAR_SMTP_FROM, JOSPAR_SMTP_LOGIN, JOSPAR_SMTP_PASSWORD).
    pub smtp_relay: Option<String>,
    pub smtp_from: String,
    pub smtp_login: String,
    pub smtp_password: String,
    /// The system's address as its users open it, for the links in mailed notices
    /// (JOSPAR_PUBLIC_URL).
    pub public_url: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite:jospar.db".into(),
            addr: "127.0.0.1:8080".into(),
            backup_dir: None,
            backup_keep: 14,
            backup_hour: 2,
            selfcheck_hour: 4,
            secure_cookies: false,
            eds_trusted_roots: None,
            eds_ncanode_url: None,
            eds_revocation_check: "OCSP".into(),
            ncalayer_url: jospar_web::NCALAYER_URL.into(),
            shep_url: None,
            shep_sender_id: String::new(),
            shep_password: String::new(),
            shep_plan_service: jospar_shep::treasury::PLAN_SERVICE.into(),
            shep_status_service: jospar_shep::treasury::STATUS_SERVICE.into(),
            shep_ncanode_url: None,
            shep_key_file: None,
            shep_key_password: String::new(),
            shep_interval: 60,
            passport_url: None,
            passport_token: String::new(),
            open_budgets_url: None,
            open_budgets_token: String::new(),
            emin_url: None,
            emin_token: String::new(),
            emin_bins: String::new(),
            emin_forms: String::new(),
            emin_interval: 3600,
            goszakup_url: None,
            goszakup_token: String::new(),
            goszakup_interval: 86_400,
            ebk_url: None,
            ebk_token: String::new(),
            ebk_interval: 86_400,
            shep_answers_dir: None,
            exchange_timeout: 30,
            exchange_connect_timeout: 10,
            exchange_retries: 2,
            exchange_backoff_ms: 500,
            exchange_backoff_max_ms: 10_000,
            treasury_layouts: None,
            devbudget_layouts: None,
            smtp_relay: None,
            smtp_from: "jospar@localhost".into(),
            smtp_login: String::new(),
            smtp_password: String::new(),
            public_url: "http://127.0.0.1:8080".into(),
        }
    }
}

/// Text, or a number written as it was (a BIN of 12 digits in an environment variable).
fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum TextOrNumber {
        Text(String),
        Number(u64),
    }
    Ok(match TextOrNumber::deserialize(d)? {
        TextOrNumber::Text(text) => text,
        TextOrNumber::Number(n) => format!("{n:012}"),
    })
}

fn comma_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl Config {
    pub fn load(file: &Path) -> Result<Config> {
        let config: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("JOSPAR_"))
            .extract()?;
        Ok(config)
    }

    /// The BINs whose e-Minfin forms are pulled.
    pub fn emin_bin_list(&self) -> Vec<String> {
        comma_list(&self.emin_bins)
    }

    /// The e-Minfin forms pulled: those configured, or every form of the service. A form the
    /// layouts do not know stops the start.
    pub fn emin_form_list(&self) -> Result<Vec<String>> {
        let forms = comma_list(&self.emin_forms);
        if forms.is_empty() {
            return Ok(jospar_emin::FORMS.iter().map(|f| f.to_string()).collect());
        }
        let layouts = jospar_execution::layouts::layouts();
        if let Some(unknown) = forms.iter().find(|f| layouts.form(f).is_none()) {
            anyhow::bail!("emin_forms: no layout of the form {unknown}");
        }
        Ok(forms)
    }

    /// Where notices are mailed, when a relay is configured.
    pub fn smtp(&self) -> Option<jospar_notify::mail::SmtpSettings> {
        let relay = self.smtp_relay.clone().filter(|r| !r.trim().is_empty())?;
        Some(jospar_notify::mail::SmtpSettings {
            relay,
            from: self.smtp_from.clone(),
            credentials: (!self.smtp_login.is_empty())
                .then(|| (self.smtp_login.clone(), self.smtp_password.clone())),
        })
    }

    /// Puts the configured layouts in force (the Treasury's forms, the development budget's
    /// appendices); a broken file stops the start with its reason rather than reading or
    /// printing by layouts nobody chose.
    pub fn install_layouts(&self) -> Result<()> {
        if let Some(path) = &self.treasury_layouts {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("treasury_layouts {}: {e}", path.display()))?;
            jospar_execution::layouts::install(&text)
                .map_err(|e| anyhow::anyhow!("treasury_layouts {}: {e}", path.display()))?;
        }
        if let Some(path) = &self.devbudget_layouts {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("devbudget_layouts {}: {e}", path.display()))?;
            jospar_devbudget::appendices::install(&text)
                .map_err(|e| anyhow::anyhow!("devbudget_layouts {}: {e}", path.display()))?;
        }
        Ok(())
    }

    /// How to reach the external system at `url`: the shared `exchange_*` settings and its
    /// credentials.
    pub fn adapter(&self, url: &str, credentials: Credentials) -> AdapterConfig {
        let backoff = Duration::from_millis(self.exchange_backoff_ms);
        AdapterConfig::new(url)
            .timeout(Duration::from_secs(self.exchange_timeout.max(1)))
            .connect_timeout(Duration::from_secs(self.exchange_connect_timeout.max(1)))
            .retries(self.exchange_retries)
            .backoff(backoff, Duration::from_millis(self.exchange_backoff_max_ms))
            .credentials(credentials)
    }

    /// The database URL without a password, for messages.
    pub fn redacted_url(&self) -> String {
        match (self.database_url.find("://"), self.database_url.find('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                let credentials = &self.database_url[scheme + 3..at];
                match credentials.split_once(':') {
                    Some((user, _)) => format!(
                        "{}{user}:***{}",
                        &self.database_url[..scheme + 3],
                        &self.database_url[at..]
                    ),
                    None => self.database_url.clone(),
                }
            }
            _ => self.database_url.clone(),
        }
    }

    /// The file of a SQLite URL.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let rest = self.database_url.strip_prefix("sqlite:")?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let path = rest.split('?').next().unwrap_or(rest);
        Some(PathBuf::from(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_password_and_finds_sqlite_file() {
        let c = Config {
            database_url: "postgres://app:secret@db:5432/jospar".into(),
            ..Config::default()
        };
        assert_eq!(c.redacted_url(), "postgres://app:***@db:5432/jospar");
        let s = Config {
            database_url: "sqlite:data/j.db?mode=rwc".into(),
            ..Config::default()
        };
        assert_eq!(s.sqlite_path(), Some(PathBuf::from("data/j.db")));
    }

    #[test]
    fn every_external_system_shares_the_exchange_settings() {
        let c = Config {
            exchange_timeout: 7,
            exchange_connect_timeout: 3,
            exchange_retries: 4,
            exchange_backoff_ms: 250,
            exchange_backoff_max_ms: 4000,
            ..Config::default()
        };
        let bearer = Credentials::Bearer(jospar_adapter::Secret::new("t"));
        let a = c.adapter("https://portal/", bearer.clone());
        assert_eq!(
            (a.timeout, a.connect_timeout, a.max_retries),
            (Duration::from_secs(7), Duration::from_secs(3), 4)
        );
        assert_eq!(
            (a.backoff_base, a.backoff_cap),
            (Duration::from_millis(250), Duration::from_secs(4))
        );
        assert_eq!(
            (a.base_url.as_str(), a.credentials),
            ("https://portal/", bearer)
        );
        let d = Config::default().adapter("http://x", Credentials::None);
        assert_eq!((d.timeout, d.max_retries), (Duration::from_secs(30), 2));
    }
}
