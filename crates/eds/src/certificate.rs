//! What a certificate says of its holder: IIN, BIN, names, key usage and key-user roles, read
//! from the ASN.1 of the subject and the extensions (NCA RK layout, INTEGRATIONS.md §3.3–3.4).

use crate::EdsError;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use der::asn1::ObjectIdentifier as Oid;
use der::{Decode, Tag, Tagged};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage};

const COMMON_NAME: Oid = Oid::new_unwrap("2.5.4.3");
const SERIAL_NUMBER: Oid = Oid::new_unwrap("2.5.4.5");
const ORGANIZATION: Oid = Oid::new_unwrap("2.5.4.10");
const ORGANIZATIONAL_UNIT: Oid = Oid::new_unwrap("2.5.4.11");
const KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.15");
const BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
const EXT_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37");
pub const EMAIL_PROTECTION: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.4");

/// Key-user roles by extended key usage OID (NCANode `CertificateKeyUser`).
const ROLES: &[(&str, &str)] = &[
    ("1.2.398.3.3.4.1.1", "INDIVIDUAL"),
    ("1.2.398.3.3.4.1.2", "ORGANIZATION"),
    ("1.2.398.3.3.4.1.2.1", "CEO"),
    ("1.2.398.3.3.4.1.2.2", "CAN_SIGN"),
    ("1.2.398.3.3.4.1.2.3", "CAN_SIGN_FINANCIAL"),
    ("1.2.398.3.3.4.1.2.4", "HR"),
    ("1.2.398.3.3.4.1.2.5", "EMPLOYEE"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    /// digitalSignature + nonRepudiation: a key for signing documents.
    Sign,
    /// digitalSignature + keyEncipherment: a key for authentication.
    Auth,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertFacts {
    pub iin: Option<String>,
    pub bin: Option<String>,
    pub common_name: String,
    pub organization: Option<String>,
    pub key_use: KeyUse,
    pub extended_key_usage: Vec<Oid>,
    pub is_ca: bool,
    pub serial: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
}

impl CertFacts {
    pub fn of(cert: &Certificate) -> CertFacts {
        let tbs = &cert.tbs_certificate;
        let attribute = |oid: Oid| {
            tbs.subject
                .0
                .iter()
                .flat_map(|rdn| rdn.0.iter())
                .filter(|atv| atv.oid == oid)
                .find_map(|atv| directory_string(&atv.value))
        };
        let serial_number = attribute(SERIAL_NUMBER).unwrap_or_default();
        let unit = attribute(ORGANIZATIONAL_UNIT).unwrap_or_default();
        let extended_key_usage = extension::<ExtendedKeyUsage>(cert, EXT_KEY_USAGE)
            .map(|e| e.0)
            .unwrap_or_default();
        CertFacts {
            iin: serial_number.strip_prefix("IIN").map(str::to_string),
            bin: unit
                .strip_prefix("BIN")
                .or_else(|| serial_number.strip_prefix("BIN"))
                .map(str::to_string),
            common_name: attribute(COMMON_NAME).unwrap_or_default(),
            organization: attribute(ORGANIZATION),
            key_use: key_use(extension::<KeyUsage>(cert, KEY_USAGE)),
            is_ca: extension::<BasicConstraints>(cert, BASIC_CONSTRAINTS).is_some_and(|b| b.ca),
            extended_key_usage,
            serial: tbs
                .serial_number
                .as_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            not_before: to_utc(tbs.validity.not_before.to_unix_duration()),
            not_after: to_utc(tbs.validity.not_after.to_unix_duration()),
        }
    }

    pub fn roles(&self) -> Vec<String> {
        ROLES
            .iter()
            .filter(|(oid, _)| {
                self.extended_key_usage
                    .iter()
                    .any(|o| o.to_string() == *oid)
            })
            .map(|(_, role)| role.to_string())
            .collect()
    }

    /// A key for signing documents: sign key usage and the e-mail-protection purpose НУЦ gives
    /// signing keys.
    pub fn is_signing_key(&self) -> bool {
        self.key_use == KeyUse::Sign && self.extended_key_usage.contains(&EMAIL_PROTECTION)
    }

    pub fn valid_at(&self, at: DateTime<Utc>) -> bool {
        self.not_before <= at && at <= self.not_after
    }
}

fn to_utc(since_epoch: std::time::Duration) -> DateTime<Utc> {
    DateTime::from_timestamp(since_epoch.as_secs() as i64, 0).unwrap_or_default()
}

fn extension<'a, T: Decode<'a>>(cert: &'a Certificate, oid: Oid) -> Option<T> {
    cert.tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id == oid)
        .and_then(|e| T::from_der(e.extn_value.as_bytes()).ok())
}

fn key_use(usage: Option<KeyUsage>) -> KeyUse {
    match usage {
        Some(u) if u.digital_signature() && u.non_repudiation() => KeyUse::Sign,
        Some(u) if u.digital_signature() && u.key_encipherment() => KeyUse::Auth,
        _ => KeyUse::Other,
    }
}

/// The text of a DirectoryString value (UTF8, Printable, IA5, Teletex as Latin-1, BMP).
fn directory_string(value: &der::Any) -> Option<String> {
    let bytes = value.value();
    match value.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String => {
            std::str::from_utf8(bytes).ok().map(str::to_string)
        }
        Tag::TeletexString => Some(bytes.iter().map(|b| char::from(*b)).collect()),
        Tag::BmpString => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        _ => None,
    }
}

/// Reads trusted root certificates from PEM text (several `CERTIFICATE` blocks).
///
/// Each block's base64 is decoded here and read as DER: `der`'s own PEM reader never returns on
/// a block whose DER is cut short (`MII=`, found by the fuzzer; kept as
/// `fuzz/corpus/eds_pem/regression-pem-reader-hang`).
pub fn certificates_from_pem(text: &str) -> Result<Vec<Certificate>, EdsError> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let mut certificates = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let body_start = start + BEGIN.len();
        let body_len = rest[body_start..]
            .find(END)
            .ok_or_else(|| EdsError::Malformed("unterminated PEM certificate".into()))?;
        let body: String = rest[body_start..body_start + body_len]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body.as_bytes())
            .map_err(|e| EdsError::Malformed(format!("certificate: base64: {e}")))?;
        let cert = Certificate::from_der(&der)
            .map_err(|e| EdsError::Malformed(format!("certificate: {e}")))?;
        certificates.push(cert);
        rest = &rest[body_start + body_len + END.len()..];
    }
    Ok(certificates)
}

#[cfg(test)]
mod pem_tests {
    use super::certificates_from_pem;

    /// Found by the fuzzer: a block whose DER is cut short kept `der`'s PEM reader busy
    /// forever; it is refused at once.
    #[test]
    fn a_certificate_cut_short_is_refused_at_once() {
        let text = "-----BEGIN CERTIFICATE-----\nMII=\n-----END CERTIFICATE-----\nUB--3--EGIN \u{e8}CER--\n-";
        let started = std::time::Instant::now();
        assert!(certificates_from_pem(text).is_err());
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn no_block_is_no_certificate_and_an_open_block_is_refused() {
        assert!(certificates_from_pem("").expect("empty").is_empty());
        assert!(certificates_from_pem("-----BEGIN CERTIFICATE-----\nMIIB").is_err());
        assert!(
            certificates_from_pem("-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----")
                .is_err()
        );
    }
}
