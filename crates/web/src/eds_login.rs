//! Signing in with an electronic signature (OV-5, OB-3). The page carries a one-time challenge;
//! NCALayer signs it with the key the person picks; the server verifies the CMS over it (chain
//! to a trusted root, validity, revocation as configured) and takes the person from the
//! certificate. An employee of a representative or audit body holding oversight access signs
//! in only so, with the legal-entity certificate of the body whose BIN the access records.

use crate::Signing;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use jospar_eds::VerifiedSigner;
use jospar_org::auth::{self, AuthError};
use jospar_org::repo::User;
use jospar_store::Db;

/// The person a signature over a challenge proves: the challenge is used up whether or not
/// the signature verifies.
pub async fn verified_signer(
    db: &Db,
    signing: &Signing,
    nonce: &str,
    cms_text: &str,
    now: DateTime<Utc>,
) -> AppResult<VerifiedSigner> {
    if cms_text.trim().is_empty() {
        return Err(AppError::invalid("err-eds-login-required", "cms"));
    }
    if !auth::take_challenge(db, nonce, now).await? {
        return Err(AppError::invalid("err-eds-login-challenge", "nonce"));
    }
    let cms = jospar_eds::decode_cms_text(cms_text)
        .map_err(jospar_planning::usecases::signature_error)?;
    signing
        .verifier
        .verify_cms(&cms, &auth::challenge_data(nonce))
        .await
        .map_err(jospar_planning::usecases::signature_error)
}

/// Why a verified person is not let in.
pub enum Refusal {
    Account(AuthError),
    /// An oversight employee's certificate is not of their body (or not a legal entity's).
    WrongBody {
        expected: String,
        found: String,
    },
}

/// The account of a verified person: found by the certificate's IIN and admitted as a
/// password sign-in would be; an oversight employee only with their body's certificate.
pub async fn staff_account(
    db: &Db,
    signer: &VerifiedSigner,
    now: DateTime<Utc>,
) -> AppResult<Result<User, Refusal>> {
    let iin = signer.iin.clone().unwrap_or_default();
    let user = match auth::admit_by_iin(db, &iin, now).await? {
        Ok(user) => user,
        Err(e) => return Ok(Err(Refusal::Account(e))),
    };
    if let Some(access) = oversight_access(db, user.id, now).await? {
        let expected = access.body_bin.unwrap_or_default();
        let found = signer.bin.clone().unwrap_or_default();
        if expected.is_empty() || found != expected {
            return Ok(Err(Refusal::WrongBody { expected, found }));
        }
    }
    Ok(Ok(user))
}

/// The oversight access a user holds now, if any.
pub async fn oversight_access(
    db: &Db,
    user_id: i64,
    now: DateTime<Utc>,
) -> AppResult<Option<jospar_oversight::repo::Access>> {
    jospar_oversight::repo::active_access_of(db, user_id, now.date_naive())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}
