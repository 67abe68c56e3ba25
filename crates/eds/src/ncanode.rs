//! Adapter for NCANode v3 (`POST /cms/verify`, INTEGRATIONS.md §2): the verifier for GOST keys
//! of НУЦ РК, which Rust cannot verify natively here.

use crate::{EdsError, SignatureVerifier, VerifiedSigner, VerifyFuture};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

#[derive(Clone)]
pub struct NcaNodeVerifier {
    base_url: String,
    /// `OCSP` and/or `CRL`; empty = no revocation check.
    revocation_check: Vec<String>,
    client: reqwest::Client,
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
    pub fn new(base_url: &str, revocation_check: Vec<String>, timeout: Duration) -> Self {
        NcaNodeVerifier {
            base_url: base_url.trim_end_matches('/').to_string(),
            revocation_check,
            client: reqwest::Client::builder()
                .timeout(timeout)
                .build()
                .unwrap_or_default(),
        }
    }

    pub async fn verify(&self, cms: &[u8], data: &[u8]) -> Result<VerifiedSigner, EdsError> {
        let b64 = base64::engine::general_purpose::STANDARD;
        let body = json!({
            "cms": b64.encode(cms),
            "data": b64.encode(data),
            "revocationCheck": self.revocation_check,
        });
        let response = self
            .client
            .post(format!("{}/cms/verify", self.base_url))
            .json(&body)
            .send()
            .await
            .map_err(|e| EdsError::Unavailable(e.to_string()))?;
        let http_status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| EdsError::Unavailable(e.to_string()))?;
        let parsed: Response = serde_json::from_str(&text)
            .map_err(|e| EdsError::Unavailable(format!("NCANode answered {http_status}: {e}")))?;
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
