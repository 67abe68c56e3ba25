//! BER → DER of the signatures NCALayer sends (P-9): `ber::to_der`. No input may panic; what it
//! gives is DER, which it takes back unchanged, and a SEQUENCE it gives (what a CMS is) is read
//! whole by the `der` crate.
#![no_main]

use jospar_eds::ber::to_der;
use libfuzzer_sys::fuzz_target;

const SEQUENCE: u8 = 0x30;

fuzz_target!(|data: &[u8]| {
    let Ok(der) = to_der(data) else {
        return;
    };
    assert_eq!(
        to_der(&der).as_ref().ok(),
        Some(&der),
        "the DER given is taken back unchanged"
    );
    if der.first() == Some(&SEQUENCE) {
        assert!(
            der::Document::try_from(der.as_slice()).is_ok(),
            "a SEQUENCE given is DER the der crate reads"
        );
    }
});
