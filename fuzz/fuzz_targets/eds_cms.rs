//! A CMS signature from outside (P-9, BP-6): `NativeVerifier::verify`, the entry point of every
//! signature sent by a browser (BER or DER; parsing, signer, digest, signature and path). The
//! root is the test CA of the seeds, so that a seed's signature verifies and mutations reach the
//! checks behind the parsing. No input may panic.
#![no_main]

use chrono::{TimeZone, Utc};
use jospar_eds::{NativeVerifier, certificates_from_pem};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// The signed document of the seeds (`openssl cms -sign` over these bytes).
const DOCUMENT: &[u8] = b"document";

fn verifier() -> &'static NativeVerifier {
    static VERIFIER: OnceLock<NativeVerifier> = OnceLock::new();
    VERIFIER.get_or_init(|| {
        let roots = certificates_from_pem(include_str!("../seeds/test-root.pem")).expect("root");
        NativeVerifier::new(roots)
    })
}

fuzz_target!(|data: &[u8]| {
    let now = Utc
        .with_ymd_and_hms(2027, 1, 1, 0, 0, 0)
        .single()
        .expect("a date");
    let _ = verifier().verify(data, DOCUMENT, now);
});
