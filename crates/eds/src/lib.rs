//! Electronic digital signatures of documents (P-9, BP-6).
//!
//! The browser signs through NCALayer and sends a CMS (PKCS#7) signature over the document's
//! canonical bytes; the server never talks to NCALayer. Here the server side: decoding what
//! NCALayer returns (PEM or bare base64, BER or DER), verifying it through a
//! [`SignatureVerifier`] — natively in Rust for RSA and ECDSA keys, or through NCANode's REST API
//! (needed for GOST keys) — and the signing policy of Jospar ([`check_document_signer`]).

pub mod ber;
mod certificate;
mod native;
mod ncanode;
mod policy;
#[cfg(feature = "testkit")]
pub mod testkit;

pub use certificate::{CertFacts, KeyUse, certificates_from_pem};
pub use native::NativeVerifier;
pub use ncanode::NcaNodeVerifier;
pub use policy::check_document_signer;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Who signed, as read from a verified signer certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedSigner {
    /// IIN from the subject's SERIALNUMBER (`IIN…`).
    pub iin: Option<String>,
    /// BIN from the subject's OU (`BIN…`): present on legal-entity certificates only.
    pub bin: Option<String>,
    pub common_name: String,
    pub organization: Option<String>,
    /// A key for signing documents (not for authentication).
    pub signing_key: bool,
    /// Roles of the key user (INDIVIDUAL, ORGANIZATION, CEO, CAN_SIGN, …).
    pub roles: Vec<String>,
    /// Certificate serial number, hexadecimal.
    pub serial: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EdsError {
    #[error("the signature is not a readable CMS: {0}")]
    Malformed(String),
    #[error("the signature's algorithm {0} is not supported by this verifier")]
    UnsupportedAlgorithm(String),
    #[error("the signature was made over other data than this document")]
    DataMismatch,
    #[error("the signature value does not verify")]
    BadSignature,
    #[error("the certificate does not chain to a trusted root")]
    Untrusted,
    #[error("the certificate is not valid at {0}")]
    Expired(DateTime<Utc>),
    #[error("the certificate has been revoked")]
    Revoked,
    #[error("the key is not a signing key")]
    NotSigningKey,
    #[error("the certificate belongs to IIN {found}, not to the user's IIN {expected}")]
    WrongSigner { expected: String, found: String },
    #[error("the certificate belongs to organisation BIN {found}, not {expected}")]
    WrongOrganisation { expected: String, found: String },
    #[error("the verifier is unavailable: {0}")]
    Unavailable(String),
}

impl EdsError {
    /// A stable code for messages and the API.
    pub fn code(&self) -> &'static str {
        match self {
            EdsError::Malformed(_) => "malformed",
            EdsError::UnsupportedAlgorithm(_) => "unsupported-algorithm",
            EdsError::DataMismatch => "data-mismatch",
            EdsError::BadSignature => "bad-signature",
            EdsError::Untrusted => "untrusted",
            EdsError::Expired(_) => "expired",
            EdsError::Revoked => "revoked",
            EdsError::NotSigningKey => "not-signing-key",
            EdsError::WrongSigner { .. } => "wrong-signer",
            EdsError::WrongOrganisation { .. } => "wrong-organisation",
            EdsError::Unavailable(_) => "unavailable",
        }
    }
}

pub type VerifyFuture<'a> =
    Pin<Box<dyn Future<Output = Result<VerifiedSigner, EdsError>> + Send + 'a>>;

/// Verifies a detached or attached CMS signature over `data`.
pub trait SignatureVerifier: Send + Sync {
    fn verify_cms<'a>(&'a self, cms: &'a [u8], data: &'a [u8]) -> VerifyFuture<'a>;
}

/// Native verification for RSA and ECDSA keys; signatures in algorithms it does not know
/// (GOST keys of НУЦ РК) go to NCANode.
pub struct NativeThenNcaNode {
    pub native: NativeVerifier,
    pub ncanode: NcaNodeVerifier,
}

impl SignatureVerifier for NativeThenNcaNode {
    fn verify_cms<'a>(&'a self, cms: &'a [u8], data: &'a [u8]) -> VerifyFuture<'a> {
        Box::pin(async move {
            match self.native.verify(cms, data, Utc::now()) {
                Err(EdsError::UnsupportedAlgorithm(_)) => self.ncanode.verify(cms, data).await,
                other => other,
            }
        })
    }
}

/// The CMS bytes of a signature as NCALayer returns it: PEM (`-----BEGIN CMS-----`, from the
/// `basics` module) or bare base64 (from `commonUtils`).
pub fn decode_cms_text(text: &str) -> Result<Vec<u8>, EdsError> {
    let body: String = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with("-----"))
        .collect();
    if body.is_empty() {
        return Err(EdsError::Malformed("empty".into()));
    }
    base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .map_err(|e| EdsError::Malformed(format!("base64: {e}")))
}

/// The SHA-256 of the signed bytes, hexadecimal, as stored beside a signature.
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Electronic signatures (P-9): who verifies them and where the browser finds NCALayer.
#[derive(Clone)]
pub struct Signing {
    pub verifier: Arc<dyn SignatureVerifier>,
    /// NCALayer's WebSocket, as the user's browser reaches it.
    pub ncalayer_url: String,
}

/// NCALayer's address on every user's machine.
pub const NCALAYER_URL: &str = "wss://127.0.0.1:13579/";

impl Default for Signing {
    /// Trusts no root: every signature is refused until roots or NCANode are configured.
    fn default() -> Self {
        Signing {
            verifier: Arc::new(NativeVerifier::new(Vec::new())),
            ncalayer_url: NCALAYER_URL.into(),
        }
    }
}
