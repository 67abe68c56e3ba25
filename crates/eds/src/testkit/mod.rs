//! Test public-key infrastructure and fakes of the signing systems, for the tests and for
//! `jospar demo`: a test CA issuing certificates in НУЦ РК's layout (INTEGRATIONS.md §3.3–3.4)
//! to RSA or ECDSA keys, CMS signing with them, a fake NCALayer (WebSocket, `basics.sign`) and
//! a fake NCANode (`/cms/verify` answering from fixtures).

mod ca;
mod ncalayer;
mod ncanode;

pub use ca::{KeyAlgorithm, Person, TestCa, TestKey, Usage};
pub use ncalayer::FakeNcaLayer;
pub use ncanode::FakeNcaNode;

/// Re-encodes DER in Kalkan's BER style (indefinite lengths, chunked octet strings).
pub fn as_kalkan_ber(der: &[u8]) -> Vec<u8> {
    crate::ber::to_indefinite_ber(der)
}

/// PEM text of a CMS, as NCALayer's `basics` module returns it.
pub fn cms_pem(cms: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(cms);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN CMS-----\n{}\n-----END CMS-----\n",
        lines.join("\n")
    )
}
