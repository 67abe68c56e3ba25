//! A test CA whose certificates look like НУЦ РК's: CN, SURNAME, SERIALNUMBER=IIN…, C=KZ,
//! G; O and OU=BIN… on legal-entity certificates; key usage and extended key usage of signing
//! or authentication keys.

use crate::EdsError;
use chrono::{DateTime, Duration, Utc};
use cms::builder::{SignedDataBuilder, SignerInfoBuilder, create_signing_time_attribute};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
use der::asn1::{ObjectIdentifier as Oid, SetOfVec, UtcTime, Utf8StringRef};
use der::{Any, Encode, EncodePem};
use rand_core::OsRng;
use sha2::Digest;
use spki::{AlgorithmIdentifierOwned, EncodePublicKey, SubjectPublicKeyInfoOwned};
use std::sync::atomic::{AtomicU32, Ordering};
use x509_cert::Certificate;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

const DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
const INDIVIDUAL: Oid = Oid::new_unwrap("1.2.398.3.3.4.1.1");
const ORGANIZATION: Oid = Oid::new_unwrap("1.2.398.3.3.4.1.2");
const CLIENT_AUTH: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.2");

static SERIAL: AtomicU32 = AtomicU32::new(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    Rsa2048,
    P256,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    /// A signing key: digitalSignature + nonRepudiation, e-mail protection.
    Sign,
    /// An authentication key: digitalSignature + keyEncipherment, client auth.
    Auth,
}

/// Whom a certificate is issued to.
#[derive(Debug, Clone)]
pub struct Person {
    pub iin: String,
    pub surname: String,
    pub name: String,
    /// Legal-entity certificate: organisation name and BIN.
    pub organisation: Option<(String, String)>,
    pub algorithm: KeyAlgorithm,
    pub usage: Usage,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
}

impl Person {
    /// An individual's signing key valid for a year from yesterday.
    pub fn individual(iin: &str, full_name: &str, algorithm: KeyAlgorithm) -> Person {
        let mut words = full_name.split_whitespace();
        let surname = words.next().unwrap_or_default().to_uppercase();
        let name = words.next().unwrap_or_default().to_uppercase();
        Person {
            iin: iin.to_string(),
            surname,
            name,
            organisation: None,
            algorithm,
            usage: Usage::Sign,
            not_before: Utc::now() - Duration::days(1),
            not_after: Utc::now() + Duration::days(365),
        }
    }
}

/// A private key that signs certificates and CMS.
pub enum Key {
    Rsa(Box<rsa::pkcs1v15::SigningKey<sha2::Sha256>>),
    P256(p256::ecdsa::SigningKey),
}

impl Key {
    fn generate(algorithm: KeyAlgorithm) -> Result<Key, EdsError> {
        Ok(match algorithm {
            KeyAlgorithm::Rsa2048 => {
                let private = rsa::RsaPrivateKey::new(&mut OsRng, 2048).map_err(failed)?;
                Key::Rsa(Box::new(rsa::pkcs1v15::SigningKey::new(private)))
            }
            KeyAlgorithm::P256 => Key::P256(p256::ecdsa::SigningKey::random(&mut OsRng)),
        })
    }

    fn public_key_info(&self) -> Result<SubjectPublicKeyInfoOwned, EdsError> {
        let der = match self {
            Key::Rsa(k) => {
                use signature::Keypair;
                k.verifying_key().to_public_key_der().map_err(failed)?
            }
            Key::P256(k) => k.verifying_key().to_public_key_der().map_err(failed)?,
        };
        SubjectPublicKeyInfoOwned::try_from(der.as_bytes()).map_err(failed)
    }
}

fn failed(e: impl std::fmt::Display) -> EdsError {
    EdsError::Malformed(format!("test CA: {e}"))
}

pub struct TestCa {
    key: Key,
    pub certificate: Certificate,
}

/// A certificate with its private key.
pub struct TestKey {
    key: Key,
    pub certificate: Certificate,
}

impl TestCa {
    /// A self-signed root valid ten years back and forward.
    pub fn new(name: &str, algorithm: KeyAlgorithm) -> Result<TestCa, EdsError> {
        let key = Key::generate(algorithm)?;
        let subject = name_of(&[("2.5.4.3", name), ("2.5.4.6", "KZ")])?;
        let validity = validity(
            Utc::now() - Duration::days(3650),
            Utc::now() + Duration::days(3650),
        )?;
        let spki = key.public_key_info()?;
        let certificate = build(&key, Profile::Root, validity, subject, spki, None)?;
        Ok(TestCa { key, certificate })
    }

    pub fn root_pem(&self) -> String {
        self.certificate
            .to_pem(der::pem::LineEnding::LF)
            .unwrap_or_default()
    }

    pub fn issue(&self, person: &Person) -> Result<TestKey, EdsError> {
        let key = Key::generate(person.algorithm)?;
        let common_name = format!("{} {}", person.surname, person.name);
        let serial = format!("IIN{}", person.iin);
        let mut rdns = vec![
            ("2.5.4.3", common_name.as_str()),
            ("2.5.4.4", person.surname.as_str()),
            ("2.5.4.5", serial.as_str()),
            ("2.5.4.6", "KZ"),
        ];
        let unit;
        if let Some((org, bin)) = &person.organisation {
            unit = format!("BIN{bin}");
            rdns.push(("2.5.4.10", org.as_str()));
            rdns.push(("2.5.4.11", unit.as_str()));
        }
        let subject = name_of(&rdns)?;
        let profile = Profile::Manual {
            issuer: Some(self.certificate.tbs_certificate.subject.clone()),
        };
        let spki = key.public_key_info()?;
        let validity = validity(person.not_before, person.not_after)?;
        let (usages, purposes) = match person.usage {
            Usage::Sign => (
                KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
                crate::certificate::EMAIL_PROTECTION,
            ),
            Usage::Auth => (
                KeyUsages::DigitalSignature | KeyUsages::KeyEncipherment,
                CLIENT_AUTH,
            ),
        };
        let role = if person.organisation.is_some() {
            ORGANIZATION
        } else {
            INDIVIDUAL
        };
        let leaf = LeafExtensions {
            usage: KeyUsage(usages),
            purposes: ExtendedKeyUsage(vec![purposes, role]),
        };
        let certificate = build(&self.key, profile, validity, subject, spki, Some(leaf))?;
        Ok(TestKey { key, certificate })
    }
}

impl TestKey {
    /// A detached CMS (DER) over `data` with signed attributes, the signer's certificate
    /// included — what NCALayer's `basics.sign` makes with `encapsulate: false`.
    pub fn sign_detached(&self, data: &[u8]) -> Result<Vec<u8>, EdsError> {
        let content = EncapsulatedContentInfo {
            econtent_type: DATA,
            econtent: None,
        };
        let digest = sha2::Sha256::digest(data).to_vec();
        let tbs = &self.certificate.tbs_certificate;
        let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer.clone(),
            serial_number: tbs.serial_number.clone(),
        });
        let digest_algorithm = AlgorithmIdentifierOwned {
            oid: SHA256,
            parameters: None,
        };
        let mut builder = SignedDataBuilder::new(&content);
        builder
            .add_digest_algorithm(digest_algorithm.clone())
            .map_err(failed)?
            .add_certificate(CertificateChoices::Certificate(self.certificate.clone()))
            .map_err(failed)?;
        match &self.key {
            Key::Rsa(k) => {
                let mut signer = SignerInfoBuilder::new(
                    k.as_ref(),
                    sid,
                    digest_algorithm,
                    &content,
                    Some(&digest),
                )
                .map_err(failed)?;
                signer
                    .add_signed_attribute(create_signing_time_attribute().map_err(failed)?)
                    .map_err(failed)?;
                builder
                    .add_signer_info::<_, rsa::pkcs1v15::Signature>(signer)
                    .map_err(failed)?;
            }
            Key::P256(k) => {
                let mut signer =
                    SignerInfoBuilder::new(k, sid, digest_algorithm, &content, Some(&digest))
                        .map_err(failed)?;
                signer
                    .add_signed_attribute(create_signing_time_attribute().map_err(failed)?)
                    .map_err(failed)?;
                builder
                    .add_signer_info::<_, p256::ecdsa::DerSignature>(signer)
                    .map_err(failed)?;
            }
        }
        builder.build().map_err(failed)?.to_der().map_err(failed)
    }

    pub fn iin(&self) -> Option<String> {
        crate::CertFacts::of(&self.certificate).iin
    }
}

fn validity(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Validity, EdsError> {
    let time = |t: DateTime<Utc>| -> Result<Time, EdsError> {
        let since = std::time::Duration::from_secs(u64::try_from(t.timestamp()).map_err(failed)?);
        Ok(Time::UtcTime(
            UtcTime::from_unix_duration(since).map_err(failed)?,
        ))
    };
    Ok(Validity {
        not_before: time(from)?,
        not_after: time(to)?,
    })
}

fn name_of(parts: &[(&str, &str)]) -> Result<Name, EdsError> {
    let mut rdns = Vec::new();
    for (oid, value) in parts {
        let atv = AttributeTypeAndValue {
            oid: Oid::new(oid).map_err(failed)?,
            value: Any::from(Utf8StringRef::new(value).map_err(failed)?),
        };
        let set = SetOfVec::try_from(vec![atv]).map_err(failed)?;
        rdns.push(RelativeDistinguishedName::from(set));
    }
    Ok(RdnSequence(rdns))
}

/// Extensions of an end-entity certificate.
struct LeafExtensions {
    usage: KeyUsage,
    purposes: ExtendedKeyUsage,
}

/// Builds and signs a certificate with `issuer_key`.
fn build(
    issuer_key: &Key,
    profile: Profile,
    validity: Validity,
    subject: Name,
    spki: SubjectPublicKeyInfoOwned,
    leaf: Option<LeafExtensions>,
) -> Result<Certificate, EdsError> {
    match issuer_key {
        Key::Rsa(k) => build_with::<_, rsa::pkcs1v15::Signature>(
            k.as_ref(),
            profile,
            validity,
            subject,
            spki,
            leaf,
        ),
        Key::P256(k) => {
            build_with::<_, p256::ecdsa::DerSignature>(k, profile, validity, subject, spki, leaf)
        }
    }
}

fn build_with<S, Sig>(
    signer: &S,
    profile: Profile,
    validity: Validity,
    subject: Name,
    spki: SubjectPublicKeyInfoOwned,
    leaf: Option<LeafExtensions>,
) -> Result<Certificate, EdsError>
where
    S: signature::Keypair + spki::DynSignatureAlgorithmIdentifier + signature::Signer<Sig>,
    S::VerifyingKey: EncodePublicKey,
    Sig: spki::SignatureBitStringEncoding,
{
    let serial = SerialNumber::from(SERIAL.fetch_add(1, Ordering::SeqCst));
    let mut builder = CertificateBuilder::new(profile, serial, validity, subject, spki, signer)
        .map_err(failed)?;
    if let Some(leaf) = leaf {
        builder
            .add_extension(&BasicConstraints {
                ca: false,
                path_len_constraint: None,
            })
            .map_err(failed)?;
        builder.add_extension(&leaf.usage).map_err(failed)?;
        builder.add_extension(&leaf.purposes).map_err(failed)?;
    }
    builder.build::<Sig>().map_err(failed)
}
