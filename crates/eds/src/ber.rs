//! BER → DER. NCALayer (Kalkan) writes CMS in BER with indefinite lengths (`MIAGCSqG…`) and
//! may split OCTET STRINGs into chunks; the `der` crate reads DER only. Signed attributes are
//! DER-encoded by the signer in any case (RFC 5652 §5.4), so re-encoding the envelope keeps
//! the signature verifiable.

use crate::EdsError;

const MAX_DEPTH: usize = 64;
const OCTET_STRING_CONSTRUCTED: u8 = 0x24;
const OCTET_STRING: u8 = 0x04;

/// The DER of one BER element (a CMS as NCALayer writes it); refused with
/// [`EdsError::Malformed`] when it is not one whole element.
pub fn to_der(input: &[u8]) -> Result<Vec<u8>, EdsError> {
    let mut out = Vec::with_capacity(input.len());
    let used = convert(input, 0, &mut out)?;
    if used != input.len() {
        return Err(malformed("trailing bytes after the signature"));
    }
    Ok(out)
}

fn malformed(what: &str) -> EdsError {
    EdsError::Malformed(what.to_string())
}

/// Converts the element at the start of `input`, appends its DER to `out` and returns the
/// number of input bytes it took.
fn convert(input: &[u8], depth: usize, out: &mut Vec<u8>) -> Result<usize, EdsError> {
    if depth > MAX_DEPTH {
        return Err(malformed("nesting too deep"));
    }
    let tag_len = tag_length(input)?;
    let tag = &input[..tag_len];
    let constructed = tag[0] & 0x20 != 0;
    let (length, length_len) = read_length(&input[tag_len..])?;
    let start = tag_len + length_len;
    let mut content = Vec::new();
    let end = match length {
        Some(n) => {
            let end = start
                .checked_add(n)
                .filter(|&e| e <= input.len())
                .ok_or_else(|| malformed("length beyond the end"))?;
            if constructed {
                let mut pos = start;
                while pos < end {
                    pos += convert(&input[pos..end], depth + 1, &mut content)?;
                }
            } else {
                content.extend_from_slice(&input[start..end]);
            }
            end
        }
        None => {
            if !constructed {
                return Err(malformed("indefinite length on a primitive element"));
            }
            let mut pos = start;
            loop {
                if input.len() < pos + 2 {
                    return Err(malformed("missing end-of-contents"));
                }
                if input[pos] == 0 && input[pos + 1] == 0 {
                    break pos + 2;
                }
                pos += convert(&input[pos..], depth + 1, &mut content)?;
            }
        }
    };
    if tag == [OCTET_STRING_CONSTRUCTED] {
        // DER octet strings are primitive: join the chunks.
        out.push(OCTET_STRING);
        let joined = join_octet_chunks(&content)?;
        write_length(joined.len(), out);
        out.extend_from_slice(&joined);
    } else {
        out.extend_from_slice(tag);
        write_length(content.len(), out);
        out.extend_from_slice(&content);
    }
    Ok(end)
}

/// The contents of DER OCTET STRING chunks, concatenated.
fn join_octet_chunks(mut der: &[u8]) -> Result<Vec<u8>, EdsError> {
    let mut joined = Vec::new();
    while !der.is_empty() {
        if der[0] != OCTET_STRING {
            return Err(malformed(
                "a chunk of an octet string is not an octet string",
            ));
        }
        let (length, length_len) = read_length(&der[1..])?;
        let n = length.ok_or_else(|| malformed("indefinite chunk"))?;
        let start = 1 + length_len;
        let chunk = der
            .get(start..start + n)
            .ok_or_else(|| malformed("chunk beyond the end"))?;
        joined.extend_from_slice(chunk);
        der = &der[start + n..];
    }
    Ok(joined)
}

fn tag_length(input: &[u8]) -> Result<usize, EdsError> {
    let first = *input.first().ok_or_else(|| malformed("unexpected end"))?;
    if first & 0x1f != 0x1f {
        return Ok(1);
    }
    let mut i = 1;
    loop {
        let byte = *input
            .get(i)
            .ok_or_else(|| malformed("unexpected end in a tag"))?;
        i += 1;
        if byte & 0x80 == 0 {
            return Ok(i);
        }
        if i > 6 {
            return Err(malformed("tag too long"));
        }
    }
}

/// The length (None = indefinite) and how many bytes encoded it.
fn read_length(input: &[u8]) -> Result<(Option<usize>, usize), EdsError> {
    let first = *input
        .first()
        .ok_or_else(|| malformed("unexpected end in a length"))?;
    if first < 0x80 {
        return Ok((Some(usize::from(first)), 1));
    }
    if first == 0x80 {
        return Ok((None, 1));
    }
    let count = usize::from(first & 0x7f);
    if count > 4 {
        return Err(malformed("length too long"));
    }
    let bytes = input
        .get(1..1 + count)
        .ok_or_else(|| malformed("unexpected end in a length"))?;
    let n = bytes.iter().fold(0usize, |n, b| (n << 8) | usize::from(*b));
    Ok((Some(n), 1 + count))
}

fn write_length(n: usize, out: &mut Vec<u8>) {
    if n < 0x80 {
        out.push(n as u8);
        return;
    }
    let bytes: Vec<u8> = n
        .to_be_bytes()
        .into_iter()
        .skip_while(|b| *b == 0)
        .collect();
    out.push(0x80 | bytes.len() as u8);
    out.extend_from_slice(&bytes);
}

/// Re-encodes DER with indefinite lengths and a chunked top-level content, as Kalkan does;
/// for tests of [`to_der`].
#[cfg(any(test, feature = "testkit"))]
pub fn to_indefinite_ber(der: &[u8]) -> Vec<u8> {
    fn walk(input: &[u8], out: &mut Vec<u8>) -> usize {
        let tag_len = tag_length(input).expect("der");
        let (length, length_len) = read_length(&input[tag_len..]).expect("der");
        let n = length.expect("definite");
        let start = tag_len + length_len;
        let content = &input[start..start + n];
        if input[0] & 0x20 != 0 {
            out.extend_from_slice(&input[..tag_len]);
            out.push(0x80);
            let mut pos = 0;
            while pos < content.len() {
                pos += walk(&content[pos..], out);
            }
            out.extend_from_slice(&[0, 0]);
        } else if input[0] == OCTET_STRING && content.len() > 4 {
            out.extend_from_slice(&[OCTET_STRING_CONSTRUCTED, 0x80]);
            for chunk in content.chunks(3) {
                out.push(OCTET_STRING);
                write_length(chunk.len(), out);
                out.extend_from_slice(chunk);
            }
            out.extend_from_slice(&[0, 0]);
        } else {
            out.extend_from_slice(&input[..start + n]);
        }
        start + n
    }
    let mut out = Vec::new();
    walk(der, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indefinite_lengths_and_chunked_octet_strings_become_der() {
        // SEQUENCE { OCTET STRING "abcdefgh", [0] { INTEGER 5 } }
        let der = [
            0x30, 0x0f, 0x04, 0x08, b'a', b'b', b'c', b'd', b'e', b'f', b'g', b'h', 0xa0, 0x03,
            0x02, 0x01, 0x05,
        ];
        let ber = to_indefinite_ber(&der);
        assert_ne!(ber, der);
        assert_eq!(ber[1], 0x80);
        assert_eq!(to_der(&ber).expect("ber"), der);
        assert_eq!(to_der(&der).expect("der"), der);
    }

    #[test]
    fn truncated_input_is_an_error_not_a_panic() {
        for bad in [&[0x30, 0x80, 0x02][..], &[0x30, 0x05, 0x01], &[0x30], &[]] {
            assert!(to_der(bad).is_err(), "{bad:?}");
        }
    }
}
