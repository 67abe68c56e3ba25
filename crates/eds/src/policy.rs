//! Who may sign a document (P-9, BP-6): the responsible person with their own signing key.
//! NCALayer's `signerParams` already narrows the choice in the browser, but the server decides.

use crate::{EdsError, VerifiedSigner};

/// A document is signed by the user themself: a signing key (not an authentication key) whose
/// certificate carries the user's IIN. A legal-entity certificate is accepted only for the
/// organisation that owns the document (when its BIN is known).
pub fn check_document_signer(
    signer: &VerifiedSigner,
    user_iin: &str,
    organisation_bin: Option<&str>,
) -> Result<(), EdsError> {
    if !signer.signing_key {
        return Err(EdsError::NotSigningKey);
    }
    let found = signer.iin.clone().unwrap_or_default();
    if found != user_iin {
        return Err(EdsError::WrongSigner {
            expected: user_iin.to_string(),
            found,
        });
    }
    match (&signer.bin, organisation_bin) {
        (Some(found), Some(expected)) if found != expected => Err(EdsError::WrongOrganisation {
            expected: expected.to_string(),
            found: found.clone(),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn signer(iin: &str, bin: Option<&str>, signing_key: bool) -> VerifiedSigner {
        VerifiedSigner {
            iin: Some(iin.into()),
            bin: bin.map(str::to_string),
            common_name: "ТЕСТОВ ТЕСТ".into(),
            organization: None,
            signing_key,
            roles: vec![],
            serial: "01".into(),
            not_before: Utc::now(),
            not_after: Utc::now(),
        }
    }

    #[test]
    fn the_user_signs_with_their_own_signing_key_of_their_organisation() {
        let own = signer("870412300415", None, true);
        assert_eq!(
            check_document_signer(&own, "870412300415", Some("1")),
            Ok(())
        );
        let other = check_document_signer(&own, "900101300123", None);
        assert_eq!(other.map_err(|e| e.code()), Err("wrong-signer"));
        let auth = signer("870412300415", None, false);
        assert_eq!(
            check_document_signer(&auth, "870412300415", None),
            Err(EdsError::NotSigningKey)
        );
        let foreign_org = signer("870412300415", Some("111111111111"), true);
        assert_eq!(
            check_document_signer(&foreign_org, "870412300415", Some("222222222222"))
                .map_err(|e| e.code()),
            Err("wrong-organisation")
        );
        assert_eq!(
            check_document_signer(&foreign_org, "870412300415", Some("111111111111")),
            Ok(())
        );
    }
}
