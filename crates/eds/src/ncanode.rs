//! Adapter for NCANode v3 (`POST /cms/verify`, INTEGRATIONS.md §2): the verifier for GOST keys
//! of НУЦ РК, which Rust cannot verify natively here. It goes through the adapter kit's client
//! (timeouts, retries, the exchange journal under `ncanode`), as every external system does.

use crate::{EdsError, SignatureVerifier, VerifiedSigner, VerifyFuture};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use jospar_adapter::{AdapterConfig, Call, ExchangeJournal, HttpClient, LogJournal};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// NCANode's name in the exchange journal and on the monitor.
pub const SYSTEM: &str = "ncanode";

#[derive(Clone)]
pub struct NcaNodeVerifier {
    /// `OCSP` and/or `CRL`; empty = no revocation check.
    revocation_check: Vec<String>,
    http: Arc<HttpClient>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    status: u16,
    #[serde(default)]
    message: String,
    #[serde(default)]
    valid: bool,
    #[serde(default)]
    signers: Vec<Signer>,
}

#[derive(Deserialize)]
struct Signer {
    #[serde(default)]
    certificates: Vec<CertificateInfo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CertificateInfo {
    #[serde(default)]
    valid: bool,
    #[serde(default)]
    revocations: Vec<Revocation>,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
    #[serde(default)]
    key_usage: String,
    #[serde(default)]
    serial_number: String,
    #[serde(default)]
    key_user: Vec<String>,
    subject: Subject,
}

#[derive(Deserialize)]
struct Revocation {
    #[serde(default)]
    revoked: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Subject {
    #[serde(default)]
    common_name: String,
    iin: Option<String>,
    bin: Option<String>,
    organization: Option<String>,
}

impl NcaNodeVerifier {
    /// NCANode at `base_url` with the kit's other defaults, recorded in the log only.
    pub fn new(base_url: &str, revocation_check: Vec<String>, timeout: Duration) -> Self {
        let config = AdapterConfig::new(base_url).timeout(timeout);
        NcaNodeVerifier::with_config(config, revocation_check, Arc::new(LogJournal))
    }

    /// NCANode as configured (`eds_ncanode_url`, `exchange_*`), every call in `journal`.
    pub fn with_config(
        config: AdapterConfig,
        revocation_check: Vec<String>,
        journal: Arc<dyn ExchangeJournal>,
    ) -> Self {
        NcaNodeVerifier {
            revocation_check,
            http: Arc::new(HttpClient::with_journal(SYSTEM, config, journal)),
        }
    }

    pub async fn verify(&self, cms: &[u8], data: &[u8]) -> Result<VerifiedSigner, EdsError> {
        let b64 = base64::engine::general_purpose::STANDARD;
        let body = json!({
            "cms": b64.encode(cms),
            "data": b64.encode(data),
            "revocationCheck": self.revocation_check,
        });
        // A verification changes nothing: asking again is harmless.
        let call = Call::post_json("VerifyCms", "/cms/verify", &body)
            .map_err(|e| EdsError::Unavailable(e.to_string()))?
            .retry_safe();
        let answer = self
            .http
            .send(call)
            .await
            .map_err(|e| EdsError::Unavailable(e.to_string()))?;
        let parsed: Response = serde_json::from_slice(&answer.body).map_err(|e| {
            EdsError::Unavailable(format!("NCANode answered {}: {e}", answer.status))
        })?;
        interpret(parsed, Utc::now())
    }
}

/// NCANode's answer as a verified signer or the reason it is not one.
fn interpret(response: Response, now: DateTime<Utc>) -> Result<VerifiedSigner, EdsError> {
    if response.status == 400 {
        return Err(EdsError::Malformed(response.message));
    }
    if response.status != 200 {
        return Err(EdsError::Unavailable(format!(
            "NCANode {}: {}",
            response.status, response.message
        )));
    }
    let cert = response
        .signers
        .into_iter()
        .next()
        .and_then(|s| s.certificates.into_iter().next())
        .ok_or_else(|| EdsError::Malformed("NCANode found no signer".into()))?;
    if cert.revocations.iter().any(|r| r.revoked) {
        return Err(EdsError::Revoked);
    }
    if now < cert.not_before || now > cert.not_after {
        return Err(EdsError::Expired(now));
    }
    if !cert.valid {
        return Err(EdsError::Untrusted);
    }
    if !response.valid {
        return Err(EdsError::BadSignature);
    }
    Ok(VerifiedSigner {
        iin: cert.subject.iin.filter(|s| !s.is_empty()),
        bin: cert.subject.bin.filter(|s| !s.is_empty()),
        common_name: cert.subject.common_name,
        organization: cert.subject.organization,
        signing_key: cert.key_usage == "SIGN",
        roles: cert.key_user,
        serial: cert.serial_number,
        not_before: cert.not_before,
        not_after: cert.not_after,
    })
}

impl SignatureVerifier for NcaNodeVerifier {
    fn verify_cms<'a>(&'a self, cms: &'a [u8], data: &'a [u8]) -> VerifyFuture<'a> {
        Box::pin(self.verify(cms, data))
    }
}
