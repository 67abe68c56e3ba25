//! WS-Security signing of an envelope's body, which the bus requires of every message. NCANode
//! (`POST /wsse/sign`, INTEGRATIONS.md §2.1) signs with the system's GOST key, which Rust cannot.

use crate::ShepError;
use base64::Engine as _;
use jospar_adapter::{Adapter, AdapterConfig, Call, ExchangeJournal, HttpClient, LogJournal};
use serde::Deserialize;
use serde_json::json;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// NCANode's name in the exchange journal.
pub const SYSTEM: &str = "ncanode";

pub type SignFuture<'a> = Pin<Box<dyn Future<Output = Result<String, ShepError>> + Send + 'a>>;

/// Returns the envelope with a `wsse:Security` header signing its body.
pub trait WsseSigner: Send + Sync {
    fn sign<'a>(&'a self, envelope: &'a str) -> SignFuture<'a>;
}

/// Signs through NCANode v3 with the system's key container (PKCS#12).
pub struct NcaNodeWsseSigner {
    http: HttpClient,
    key_base64: String,
    password: String,
    key_alias: Option<String>,
}

#[derive(Deserialize)]
struct Signed {
    status: u16,
    #[serde(default)]
    message: String,
    #[serde(default)]
    xml: String,
}

impl NcaNodeWsseSigner {
    /// NCANode at `base_url` with the kit's other defaults, recorded in the log only.
    pub fn new(
        base_url: &str,
        key_p12: &[u8],
        password: &str,
        key_alias: Option<String>,
        timeout: Duration,
    ) -> Self {
        let config = AdapterConfig::new(base_url).timeout(timeout);
        NcaNodeWsseSigner::with_config(config, key_p12, password, key_alias, Arc::new(LogJournal))
    }

    pub fn with_config(
        config: AdapterConfig,
        key_p12: &[u8],
        password: &str,
        key_alias: Option<String>,
        journal: Arc<dyn ExchangeJournal>,
    ) -> Self {
        NcaNodeWsseSigner {
            http: HttpClient::with_journal(SYSTEM, config, journal),
            key_base64: base64::engine::general_purpose::STANDARD.encode(key_p12),
            password: password.to_string(),
            key_alias,
        }
    }

    async fn sign_envelope(&self, envelope: &str) -> Result<String, ShepError> {
        let body = json!({
            "xml": envelope,
            "key": self.key_base64,
            "password": self.password,
            "keyAlias": self.key_alias,
            "trimXml": false,
        });
        // Signing changes nothing at NCANode: it may always be asked again.
        let call = Call::post_json("wsse/sign", "/wsse/sign", &body)
            .map_err(|e| ShepError::Signing(e.to_string()))?
            .retry_safe();
        let answer = self
            .http
            .send(call)
            .await
            .map_err(|e| ShepError::Signing(format!("NCANode unreachable: {e}")))?;
        let signed: Signed = answer.json().map_err(|e| {
            ShepError::Signing(format!("NCANode answered HTTP {}: {e}", answer.status))
        })?;
        if signed.status != 200 || signed.xml.is_empty() {
            return Err(ShepError::Signing(format!(
                "NCANode {}: {}",
                signed.status, signed.message
            )));
        }
        Ok(signed.xml)
    }
}

impl Adapter for NcaNodeWsseSigner {
    fn http(&self) -> &HttpClient {
        &self.http
    }
}

impl WsseSigner for NcaNodeWsseSigner {
    fn sign<'a>(&'a self, envelope: &'a str) -> SignFuture<'a> {
        Box::pin(self.sign_envelope(envelope))
    }
}
