//! WS-Security signing of an envelope's body, which the bus requires of every message. NCANode
//! (`POST /wsse/sign`, INTEGRATIONS.md §2.1) signs with the system's GOST key, which Rust cannot.

use crate::ShepError;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

pub type SignFuture<'a> = Pin<Box<dyn Future<Output = Result<String, ShepError>> + Send + 'a>>;

/// Returns the envelope with a `wsse:Security` header signing its body.
pub trait WsseSigner: Send + Sync {
    fn sign<'a>(&'a self, envelope: &'a str) -> SignFuture<'a>;
}

/// Signs through NCANode v3 with the system's key container (PKCS#12).
pub struct NcaNodeWsseSigner {
    base_url: String,
    key_base64: String,
    password: String,
    key_alias: Option<String>,
    client: reqwest::Client,
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
    pub fn new(
        base_url: &str,
        key_p12: &[u8],
        password: &str,
        key_alias: Option<String>,
        timeout: Duration,
    ) -> Self {
        NcaNodeWsseSigner {
            base_url: base_url.trim_end_matches('/').to_string(),
            key_base64: base64::engine::general_purpose::STANDARD.encode(key_p12),
            password: password.to_string(),
            key_alias,
            client: reqwest::Client::builder()
                .timeout(timeout)
                .build()
                .unwrap_or_default(),
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
        let answer = self
            .client
            .post(format!("{}/wsse/sign", self.base_url))
            .json(&body)
            .send()
            .await
            .map_err(|e| ShepError::Signing(format!("NCANode unreachable: {e}")))?;
        let http = answer.status();
        let text = answer
            .text()
            .await
            .map_err(|e| ShepError::Signing(e.to_string()))?;
        let signed: Signed = serde_json::from_str(&text)
            .map_err(|e| ShepError::Signing(format!("NCANode answered {http}: {e}")))?;
        if signed.status != 200 || signed.xml.is_empty() {
            return Err(ShepError::Signing(format!(
                "NCANode {}: {}",
                signed.status, signed.message
            )));
        }
        Ok(signed.xml)
    }
}

impl WsseSigner for NcaNodeWsseSigner {
    fn sign<'a>(&'a self, envelope: &'a str) -> SignFuture<'a> {
        Box::pin(self.sign_envelope(envelope))
    }
}
