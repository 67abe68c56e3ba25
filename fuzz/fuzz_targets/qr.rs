//! The E-Qyzmet QR picture (OV-1): `qr::decode_qr`. No input may panic; a code read is text.
//!
//! Inputs are capped (bytes and, read from the header, dimensions) so that the fuzzer spends its
//! time on the decoders rather than on huge pictures; the limit of pictures the server accepts
//! is the business of `decode_qr` itself.
#![no_main]

use jospar_oversight::qr::decode_qr;
use libfuzzer_sys::fuzz_target;
use std::io::Cursor;

const MAX_BYTES: usize = 64 * 1024;
const MAX_SIDE: u32 = 512;

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_BYTES {
        return;
    }
    let dimensions = image::ImageReader::new(Cursor::new(data))
        .with_guessed_format()
        .ok()
        .and_then(|reader| reader.into_dimensions().ok());
    if dimensions.is_some_and(|(w, h)| w > MAX_SIDE || h > MAX_SIDE) {
        return;
    }
    if let Ok(text) = decode_qr(data) {
        assert!(!text.is_empty() && text.trim() == text);
    }
});
