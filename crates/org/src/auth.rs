//! Signing in: Argon2id password hashes, lock-out after repeated failures, sessions kept in
//! the database (only a SHA-256 of the cookie value is stored), personal API tokens.

use crate::repo::{User, user_by_login};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use jospar_core::ids::new_id;
use jospar_store::{AuditEntry, Db, StoreError, Who, exec_db, exec_tx, on_db};
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Failed sign-ins in a row that lock an account, and for how long.
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCK_MINUTES: i64 = 15;
pub const SESSION_HOURS: i64 = 12;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("wrong login or password")]
    BadCredentials,
    #[error("the account is locked until {0}")]
    Locked(DateTime<Utc>),
    #[error("the account is blocked")]
    Blocked,
    #[error("the account has no valid access (expired)")]
    NoAccess,
    #[error("no account holds the IIN of this certificate")]
    UnknownCertificate,
}

pub fn hash_password(password: &str) -> String {
    let mut salt_bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut salt_bytes);
    SaltString::encode_b64(&salt_bytes)
        .and_then(|salt| {
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
        })
        .expect("Argon2id with a 16-byte salt and default parameters cannot fail")
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Random token for cookies and API tokens, and its stored digest.
pub fn new_token(prefix: &str) -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!("{prefix}{}", hex::encode(bytes));
    let digest = token_digest(&token);
    (token, digest)
}

pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Checks login and password. Every failure counts; the fifth in a row locks the account for
/// 15 minutes. Both the lock and each unlock are in the audit log.
pub async fn authenticate(
    db: &Db,
    login: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<Result<User, AuthError>, StoreError> {
    let Some(user) = user_by_login(db, login).await? else {
        // Same work as a real check, so that timing does not tell which logins exist.
        let _ = verify_password(
            password,
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$0000000000000000000000000000000000000000000",
        );
        return Ok(Err(AuthError::BadCredentials));
    };
    if let Some(until) = user.locked_until {
        if until > now {
            return Ok(Err(AuthError::Locked(until)));
        }
        end_lock(db, user.id, until).await?;
    }
    // The attempt takes its place in the counter before the password is checked, in one
    // statement, so that parallel guesses cannot all pass the check of a counter read earlier:
    // at most MAX_FAILED_LOGINS passwords are checked per lock period.
    let Some(attempt) = claim_attempt(db, user.id).await? else {
        let until = user_by_login(db, login)
            .await?
            .and_then(|u| u.locked_until)
            .unwrap_or(now + Duration::minutes(LOCK_MINUTES));
        return Ok(Err(AuthError::Locked(until)));
    };
    let hash: String = on_db!(db, pool => sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user.id).fetch_one(pool).await)?;
    if !verify_password(password, &hash) {
        if attempt < MAX_FAILED_LOGINS {
            return Ok(Err(AuthError::BadCredentials));
        }
        let until = now + Duration::minutes(LOCK_MINUTES);
        lock(db, &user, until).await?;
        return Ok(Err(AuthError::Locked(until)));
    }
    exec_db!(db, pool => sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(user.id).execute(pool).await)?;
    // Told only to whom knows the password: a stranger learns nothing of the account.
    if user.blocked {
        return Ok(Err(AuthError::Blocked));
    }
    let grants = crate::repo::grants_of(db, user.id).await?;
    if !grants.iter().any(|g| g.is_active(now.date_naive())) {
        return Ok(Err(AuthError::NoAccess));
    }
    Ok(Ok(user))
}

/// Counts one more sign-in attempt unless the account has used up its attempts; the number
/// of this attempt, or none when none is left.
async fn claim_attempt(db: &Db, user_id: i64) -> Result<Option<i64>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "UPDATE users SET failed_logins = failed_logins + 1 \
         WHERE id = $1 AND failed_logins < $2 AND locked_until IS NULL RETURNING failed_logins")
        .bind(user_id).bind(MAX_FAILED_LOGINS).fetch_optional(pool).await)?)
}

/// Locks the account after its last failed attempt, with the audit entry; the counter stays
/// full until the lock ends, so no attempt is counted meanwhile.
async fn lock(db: &Db, user: &User, until: DateTime<Utc>) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query("UPDATE users SET locked_until = $1 WHERE id = $2")
        .bind(until).bind(user.id).execute(conn).await)?;
    tx.audit(AuditEntry {
        who: &Who::system(),
        org_id: Some(user.org_id),
        entity: "user",
        entity_id: user.id.to_string(),
        action: "lock",
        old_value: None,
        new_value: Some(json!({"locked_until": until})),
        reason: Some(format!("{MAX_FAILED_LOGINS} failed sign-ins")),
    })
    .await?;
    tx.commit().await
}

/// Ends a lock that has run out: the attempts count from zero again. Only the lock that was
/// read is ended, so that parallel requests end it once.
async fn end_lock(db: &Db, user_id: i64, until: DateTime<Utc>) -> Result<(), StoreError> {
    exec_db!(db, pool => sqlx::query(
        "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1 AND locked_until = $2")
        .bind(user_id).bind(until).execute(pool).await)?;
    Ok(())
}

/// Admits the account of a person who proved their IIN with a verified certificate (OV-5):
/// the same refusals as a password sign-in — blocked, locked, no valid access — without a
/// password to count.
pub async fn admit_by_iin(
    db: &Db,
    iin: &str,
    now: DateTime<Utc>,
) -> Result<Result<User, AuthError>, StoreError> {
    let Some(user) = crate::repo::users(db, iin, None)
        .await?
        .into_iter()
        .find(|u| u.iin == iin)
    else {
        return Ok(Err(AuthError::UnknownCertificate));
    };
    if user.blocked {
        return Ok(Err(AuthError::Blocked));
    }
    if let Some(until) = user.locked_until.filter(|u| *u > now) {
        return Ok(Err(AuthError::Locked(until)));
    }
    let grants = crate::repo::grants_of(db, user.id).await?;
    if !grants.iter().any(|g| g.is_active(now.date_naive())) {
        return Ok(Err(AuthError::NoAccess));
    }
    Ok(Ok(user))
}

/// How long a sign-in challenge may wait for its signature.
pub const CHALLENGE_MINUTES: i64 = 5;

/// A fresh one-time challenge for signing in with an electronic signature: random, kept until
/// it is used or expires.
pub async fn create_challenge(db: &Db, now: DateTime<Utc>) -> Result<String, StoreError> {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    let nonce = hex::encode(bytes);
    exec_db!(db, pool => sqlx::query("DELETE FROM eds_challenges WHERE expires_at < $1")
        .bind(now).execute(pool).await)?;
    exec_db!(db, pool => sqlx::query("INSERT INTO eds_challenges (nonce, expires_at) VALUES ($1, $2)")
        .bind(&nonce).bind(now + Duration::minutes(CHALLENGE_MINUTES)).execute(pool).await)?;
    Ok(nonce)
}

/// Uses up a challenge: true when it was issued, unused and unexpired. A signature over a
/// challenge counts once, so a captured one cannot sign in again.
pub async fn take_challenge(db: &Db, nonce: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let taken = exec_db!(db, pool => sqlx::query(
        "DELETE FROM eds_challenges WHERE nonce = $1 AND expires_at >= $2")
        .bind(nonce).bind(now).execute(pool).await)?;
    Ok(taken > 0)
}

/// The bytes a person signs to sign in: the challenge under a fixed prefix, so that the
/// signature cannot be mistaken for one over a document.
pub fn challenge_data(nonce: &str) -> Vec<u8> {
    format!("jospar-sign-in:{nonce}").into_bytes()
}

pub struct NewSession {
    pub token: String,
    pub csrf: String,
}

pub async fn create_session(
    db: &Db,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<NewSession, StoreError> {
    let (token, digest) = new_token("s_");
    let (csrf, _) = new_token("");
    exec_db!(db, pool => sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(digest).bind(user_id).bind(&csrf).bind(now).bind(now + Duration::hours(SESSION_HOURS))
        .execute(pool).await)?;
    // Expired sessions are swept here rather than by a separate job.
    exec_db!(db, pool => sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now).execute(pool).await)?;
    Ok(NewSession { token, csrf })
}

/// The user and CSRF token of a live session.
pub async fn session_user(
    db: &Db,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<(User, String)>, StoreError> {
    let row: Option<(i64, String)> = on_db!(db, pool => sqlx::query_as(
        "SELECT user_id, csrf FROM sessions WHERE token_hash = $1 AND expires_at > $2")
        .bind(token_digest(token)).bind(now).fetch_optional(pool).await)?;
    let Some((user_id, csrf)) = row else {
        return Ok(None);
    };
    let user = crate::repo::user_by_id(db, user_id)
        .await?
        .filter(|u| !u.blocked);
    Ok(user.map(|u| (u, csrf)))
}

pub async fn delete_session(db: &Db, token: &str) -> Result<(), StoreError> {
    exec_db!(db, pool => sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_digest(token)).execute(pool).await)?;
    Ok(())
}

#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub expires_on: NaiveDate,
    pub revoked: bool,
}

/// Creates a personal API token; the plain token is returned once and never stored.
pub async fn create_api_token(
    db: &Db,
    who: &Who,
    user: &User,
    name: &str,
    expires_on: NaiveDate,
) -> Result<(ApiToken, String), StoreError> {
    let (token, digest) = new_token("jsp_");
    let record = ApiToken {
        id: new_id(),
        user_id: user.id,
        name: name.trim().to_string(),
        created_at: Utc::now(),
        expires_on,
        revoked: false,
    };
    let mut tx = db.begin().await?;
    exec_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_on, revoked) VALUES ($1, $2, $3, $4, $5, $6, FALSE)")
        .bind(record.id).bind(user.id).bind(&record.name).bind(digest).bind(record.created_at).bind(expires_on)
        .execute(conn).await)?;
    tx.audit(AuditEntry {
        who,
        org_id: Some(user.org_id),
        entity: "api_token",
        entity_id: record.id.to_string(),
        action: "create",
        old_value: None,
        new_value: Some(json!(record)),
        reason: None,
    })
    .await?;
    tx.commit().await?;
    Ok((record, token))
}

pub async fn api_tokens_of(db: &Db, user_id: i64) -> Result<Vec<ApiToken>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, ApiToken>(
        "SELECT id, user_id, name, created_at, expires_on, revoked FROM api_tokens WHERE user_id = $1 ORDER BY id DESC")
        .bind(user_id).fetch_all(pool).await)?)
}

pub async fn revoke_api_token(
    db: &Db,
    who: &Who,
    user: &User,
    token_id: i64,
) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let changed = exec_tx!(&mut tx, conn => sqlx::query("UPDATE api_tokens SET revoked = TRUE WHERE id = $1 AND user_id = $2 AND revoked = FALSE")
        .bind(token_id).bind(user.id).execute(conn).await)?;
    if changed > 0 {
        tx.audit(AuditEntry {
            who,
            org_id: Some(user.org_id),
            entity: "api_token",
            entity_id: token_id.to_string(),
            action: "update",
            old_value: Some(json!({"revoked": false})),
            new_value: Some(json!({"revoked": true})),
            reason: None,
        })
        .await?;
    }
    tx.commit().await?;
    Ok(changed > 0)
}

/// The user behind a bearer token that is neither revoked nor expired.
pub async fn api_token_user(
    db: &Db,
    token: &str,
    today: NaiveDate,
) -> Result<Option<User>, StoreError> {
    let user_id: Option<i64> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT user_id FROM api_tokens WHERE token_hash = $1 AND revoked = FALSE AND expires_on >= $2")
        .bind(token_digest(token)).bind(today).fetch_optional(pool).await)?;
    match user_id {
        Some(id) => Ok(crate::repo::user_by_id(db, id)
            .await?
            .filter(|u| !u.blocked)),
        None => Ok(None),
    }
}

/// A token in use (neither revoked nor expired on `today`): its owner's login, its name and
/// the last day it works; the self-check warns of those about to end (issue 30).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TokenInUse {
    pub login: String,
    pub name: String,
    pub expires_on: NaiveDate,
}

/// The tokens in use on `today`, those ending first first.
pub async fn api_tokens_in_use(db: &Db, today: NaiveDate) -> Result<Vec<TokenInUse>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, TokenInUse>(
        "SELECT u.login, t.name, t.expires_on FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.revoked = FALSE AND t.expires_on >= $1 ORDER BY t.expires_on, u.login, t.name")
        .bind(today).fetch_all(pool).await)?)
}
