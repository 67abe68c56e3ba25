//! Verification in Rust of CMS signatures made with RSA or ECDSA (P-256) keys: RFC 5652 §5.4
//! (the signature covers the DER SET OF the signed attributes, whose message digest covers the
//! document), then the certificate path to a configured trusted root, validity and key usage.

use crate::certificate::CertFacts;
use crate::{EdsError, SignatureVerifier, VerifiedSigner, VerifyFuture, ber};
use chrono::{DateTime, Utc};
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::ObjectIdentifier as Oid;
use der::{Decode, Encode};
use sha2::Digest;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;

const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
/// Longest certificate path accepted: signer, intermediates, root.
const MAX_PATH: usize = 6;

#[derive(Clone, Copy)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn of_digest_oid(oid: &Oid) -> Result<Hash, EdsError> {
        match *oid {
            SHA256 => Ok(Hash::Sha256),
            SHA384 => Ok(Hash::Sha384),
            SHA512 => Ok(Hash::Sha512),
            other => Err(EdsError::UnsupportedAlgorithm(other.to_string())),
        }
    }

    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Hash::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Hash::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    fn pkcs1v15(self) -> rsa::Pkcs1v15Sign {
        match self {
            Hash::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
            Hash::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
            Hash::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
        }
    }
}

/// Verifies against a fixed set of trusted roots.
#[derive(Clone)]
pub struct NativeVerifier {
    roots: Vec<Certificate>,
}

impl NativeVerifier {
    pub fn new(roots: Vec<Certificate>) -> NativeVerifier {
        NativeVerifier { roots }
    }

    /// Verifies `cms` (BER or DER) over `data` as of `now`.
    pub fn verify(
        &self,
        cms: &[u8],
        data: &[u8],
        now: DateTime<Utc>,
    ) -> Result<VerifiedSigner, EdsError> {
        let signed = parse_signed_data(cms)?;
        let certificates: Vec<&Certificate> = signed
            .certificates
            .as_ref()
            .map(|set| {
                set.0
                    .iter()
                    .filter_map(|c| match c {
                        CertificateChoices::Certificate(cert) => Some(cert),
                        CertificateChoices::Other(_) => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let signer = only_signer(&signed)?;
        let cert = signer_certificate(signer, &certificates)?;
        check_algorithm_known(signer)?;
        check_content(&signed, signer, data)?;
        let message = match &signer.signed_attrs {
            Some(attrs) => attrs.to_der().map_err(malformed)?,
            None => data.to_vec(),
        };
        let hash = Hash::of_digest_oid(&signer.digest_alg.oid)?;
        verify_signature(
            &cert.tbs_certificate.subject_public_key_info,
            &signer.signature_algorithm,
            hash,
            &message,
            signer.signature.as_bytes(),
        )?;
        self.check_path(cert, &certificates, now)?;
        let facts = CertFacts::of(cert);
        Ok(VerifiedSigner {
            iin: facts.iin.clone(),
            bin: facts.bin.clone(),
            common_name: facts.common_name.clone(),
            organization: facts.organization.clone(),
            signing_key: facts.is_signing_key(),
            roles: facts.roles(),
            serial: facts.serial.clone(),
            not_before: facts.not_before,
            not_after: facts.not_after,
        })
    }

    /// Walks issuer by issuer from the signer to a trusted root, checking each signature and
    /// validity period; intermediates must be CA certificates.
    fn check_path(
        &self,
        leaf: &Certificate,
        pool: &[&Certificate],
        now: DateTime<Utc>,
    ) -> Result<(), EdsError> {
        let mut current = leaf;
        for _ in 0..MAX_PATH {
            if !CertFacts::of(current).valid_at(now) {
                return Err(EdsError::Expired(now));
            }
            let issuer_name = &current.tbs_certificate.issuer;
            if let Some(root) = self
                .roots
                .iter()
                .filter(|r| &r.tbs_certificate.subject == issuer_name)
                .find(|r| signed_by(current, r).is_ok())
            {
                return if CertFacts::of(root).valid_at(now) {
                    Ok(())
                } else {
                    Err(EdsError::Expired(now))
                };
            }
            let next = pool
                .iter()
                .copied()
                .filter(|c| !std::ptr::eq(*c, current))
                .filter(|c| &c.tbs_certificate.subject == issuer_name)
                .find(|c| CertFacts::of(c).is_ca && signed_by(current, c).is_ok());
            match next {
                Some(intermediate) => current = intermediate,
                None => return Err(EdsError::Untrusted),
            }
        }
        Err(EdsError::Untrusted)
    }
}

impl SignatureVerifier for NativeVerifier {
    fn verify_cms<'a>(&'a self, cms: &'a [u8], data: &'a [u8]) -> VerifyFuture<'a> {
        Box::pin(async move { self.verify(cms, data, Utc::now()) })
    }
}

fn malformed(e: impl std::fmt::Display) -> EdsError {
    EdsError::Malformed(e.to_string())
}

fn parse_signed_data(cms: &[u8]) -> Result<SignedData, EdsError> {
    let der = ber::to_der(cms)?;
    let info = ContentInfo::from_der(&der).map_err(malformed)?;
    if info.content_type != SIGNED_DATA {
        return Err(EdsError::Malformed(format!(
            "content type {} is not signed data",
            info.content_type
        )));
    }
    info.content.decode_as::<SignedData>().map_err(malformed)
}

fn only_signer(signed: &SignedData) -> Result<&SignerInfo, EdsError> {
    let mut signers = signed.signer_infos.0.iter();
    match (signers.next(), signers.next()) {
        (Some(signer), None) => Ok(signer),
        (None, _) => Err(EdsError::Malformed("no signer".into())),
        (Some(_), Some(_)) => Err(EdsError::Malformed(
            "several signers; one responsible person signs".into(),
        )),
    }
}

fn signer_certificate<'a>(
    signer: &SignerInfo,
    certificates: &[&'a Certificate],
) -> Result<&'a Certificate, EdsError> {
    certificates
        .iter()
        .copied()
        .find(|cert| match &signer.sid {
            SignerIdentifier::IssuerAndSerialNumber(id) => {
                cert.tbs_certificate.issuer == id.issuer
                    && cert.tbs_certificate.serial_number == id.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => {
                subject_key_identifier(cert).as_deref() == Some(ski.0.as_bytes())
            }
        })
        .ok_or_else(|| EdsError::Malformed("the signer's certificate is not included".into()))
}

fn subject_key_identifier(cert: &Certificate) -> Option<Vec<u8>> {
    let oid = Oid::new_unwrap("2.5.29.14");
    let ext = cert
        .tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id == oid)?;
    let ski =
        x509_cert::ext::pkix::SubjectKeyIdentifier::from_der(ext.extn_value.as_bytes()).ok()?;
    Some(ski.0.as_bytes().to_vec())
}

/// Declines early what only another verifier can check (GOST), before judging the content.
fn check_algorithm_known(signer: &SignerInfo) -> Result<(), EdsError> {
    Hash::of_digest_oid(&signer.digest_alg.oid)?;
    match signer.signature_algorithm.oid {
        RSA_ENCRYPTION | SHA256_WITH_RSA | SHA384_WITH_RSA | SHA512_WITH_RSA | EC_PUBLIC_KEY
        | ECDSA_WITH_SHA256 => Ok(()),
        other => Err(EdsError::UnsupportedAlgorithm(other.to_string())),
    }
}

/// The signed document must be `data`: attached content equal to it, and the message-digest
/// attribute equal to its hash.
fn check_content(signed: &SignedData, signer: &SignerInfo, data: &[u8]) -> Result<(), EdsError> {
    if let Some(content) = &signed.encap_content_info.econtent {
        let attached = der::asn1::OctetString::from_der(&content.to_der().map_err(malformed)?)
            .map_err(malformed)?;
        if attached.as_bytes() != data {
            return Err(EdsError::DataMismatch);
        }
    }
    let Some(attrs) = &signer.signed_attrs else {
        // Without signed attributes the signature itself covers the data.
        return Ok(());
    };
    let digest = attrs
        .iter()
        .find(|a| a.oid == MESSAGE_DIGEST)
        .and_then(|a| a.values.iter().next())
        .ok_or_else(|| EdsError::Malformed("no message digest attribute".into()))?;
    let digest = der::asn1::OctetString::from_der(&digest.to_der().map_err(malformed)?)
        .map_err(malformed)?;
    let hash = Hash::of_digest_oid(&signer.digest_alg.oid)?;
    if digest.as_bytes() != hash.digest(data).as_slice() {
        return Err(EdsError::DataMismatch);
    }
    Ok(())
}

/// Whether `issuer`'s key made `cert`'s signature.
fn signed_by(cert: &Certificate, issuer: &Certificate) -> Result<(), EdsError> {
    let tbs = cert.tbs_certificate.to_der().map_err(malformed)?;
    let hash = match cert.signature_algorithm.oid {
        SHA384_WITH_RSA => Hash::Sha384,
        SHA512_WITH_RSA => Hash::Sha512,
        _ => Hash::Sha256,
    };
    let signature = cert
        .signature
        .as_bytes()
        .ok_or_else(|| EdsError::Malformed("signature bits".into()))?;
    verify_signature(
        &issuer.tbs_certificate.subject_public_key_info,
        &cert.signature_algorithm,
        hash,
        &tbs,
        signature,
    )
}

fn verify_signature(
    key: &SubjectPublicKeyInfoOwned,
    algorithm: &AlgorithmIdentifierOwned,
    hash: Hash,
    message: &[u8],
    signature: &[u8],
) -> Result<(), EdsError> {
    let key_der = key.to_der().map_err(malformed)?;
    match (key.algorithm.oid, algorithm.oid) {
        (RSA_ENCRYPTION, RSA_ENCRYPTION | SHA256_WITH_RSA | SHA384_WITH_RSA | SHA512_WITH_RSA) => {
            use rsa::pkcs8::DecodePublicKey;
            let public = rsa::RsaPublicKey::from_public_key_der(&key_der).map_err(malformed)?;
            public
                .verify(hash.pkcs1v15(), &hash.digest(message), signature)
                .map_err(|_| EdsError::BadSignature)
        }
        (EC_PUBLIC_KEY, ECDSA_WITH_SHA256 | EC_PUBLIC_KEY) => {
            use p256::pkcs8::DecodePublicKey;
            use signature::hazmat::PrehashVerifier;
            let public =
                p256::ecdsa::VerifyingKey::from_public_key_der(&key_der).map_err(|_| {
                    EdsError::UnsupportedAlgorithm(format!("{} (curve)", key.algorithm.oid))
                })?;
            let sig =
                p256::ecdsa::Signature::from_der(signature).map_err(|_| EdsError::BadSignature)?;
            public
                .verify_prehash(&hash.digest(message), &sig)
                .map_err(|_| EdsError::BadSignature)
        }
        (_, other) => Err(EdsError::UnsupportedAlgorithm(other.to_string())),
    }
}
