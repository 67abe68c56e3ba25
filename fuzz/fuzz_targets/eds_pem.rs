//! The PEM and base64 texts of the signature module (P-9): trusted roots read by
//! `certificates_from_pem`, and a CMS as NCALayer returns it, `decode_cms_text`. No input may
//! panic; a certificate read re-encodes to DER that reads back equal.
#![no_main]

use der::{Decode, Encode};
use jospar_eds::{CertFacts, certificates_from_pem, decode_cms_text};
use libfuzzer_sys::fuzz_target;
use x509_cert::Certificate;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(certificates) = certificates_from_pem(&text) {
        for certificate in &certificates {
            let der = certificate.to_der().expect("a certificate read encodes");
            assert_eq!(
                &Certificate::from_der(&der).expect("reads back"),
                certificate
            );
            let _ = CertFacts::of(certificate);
        }
    }
    let _ = decode_cms_text(&text);
});
