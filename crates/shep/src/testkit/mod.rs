//! Fakes for the tests and for `jospar demo`: a fake ShEP sync channel with a fake Treasury
//! behind it, and a fake NCANode `/wsse/sign`. They check what the real ones check (envelope,
//! required fields, sender, a signature over the body, the plan's arithmetic) and can be told
//! to fail, hold or reject, so that the queue's retries and statuses are exercised for real.
//!
//! The fake signature is a SHA-256 digest of the body's exact text, not exclusive C14N with a
//! GOST key: enough for the fake bus to notice a body changed after signing.

mod ncanode;
mod shep;

pub use ncanode::FakeNcaNodeWsse;
pub use shep::{FakeShep, STATUS_SERVICE, SUBMIT_SERVICE};

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// The body element's exact text, from `<…:Body` to its end tag.
fn body_text(envelope: &str) -> Option<&str> {
    let name_at = envelope
        .find(":Body ")
        .or_else(|| envelope.find(":Body>"))?;
    let start = envelope[..name_at].rfind('<')?;
    let close = format!("</{}:Body>", &envelope[start + 1..name_at]);
    let end = envelope.rfind(&close)? + close.len();
    (end > start).then(|| &envelope[start..end])
}

/// The digest the fake signer writes and the fake bus checks.
fn body_digest(envelope: &str) -> Option<String> {
    body_text(envelope)
        .map(|body| base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body)))
}

/// The `DigestValue` in an envelope's security header.
fn signed_digest(envelope: &str) -> Option<&str> {
    let start = envelope.find("<ds:DigestValue>")? + "<ds:DigestValue>".len();
    let end = envelope[start..].find("</ds:DigestValue>")? + start;
    Some(&envelope[start..end])
}
