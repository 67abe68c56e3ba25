//! What the API's handlers of every module share: reading a JSON body, the rule that writes need
//! a bearer token, and the answer to a creation.

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use axum::Json;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

/// Parses a JSON body; a malformed body is a translated error naming serde's complaint.
pub(crate) fn body<T: DeserializeOwned>(bytes: &Bytes) -> AppResult<T> {
    serde_json::from_slice(bytes).map_err(|e| AppError::Invalid {
        key: "err-bad-json",
        args: vec![("message", e.to_string())],
        field: None,
    })
}

/// A JSON body that must be an object: serde would also read a struct of optional fields
/// from an array (`[null]`), which no client means.
pub(crate) fn object_body<T: DeserializeOwned>(bytes: &Bytes) -> AppResult<T> {
    let value: serde_json::Value = body(bytes)?;
    if !value.is_object() {
        return Err(AppError::Invalid {
            key: "err-bad-json",
            args: vec![("message", "expected a JSON object".to_string())],
            field: None,
        });
    }
    serde_json::from_value(value).map_err(|e| AppError::Invalid {
        key: "err-bad-json",
        args: vec![("message", e.to_string())],
        field: None,
    })
}

/// Mutations through the API need a bearer token: a browser session would need CSRF.
pub(crate) fn writer(ctx: &Ctx) -> AppResult<&crate::ctx::Principal> {
    let p = ctx.user()?;
    if p.via_token {
        Ok(p)
    } else {
        Err(AppError::Forbidden)
    }
}

pub(crate) fn created(value: impl serde::Serialize) -> Response {
    (StatusCode::CREATED, Json(json!(value))).into_response()
}

/// Content types of an uploaded file.
pub(crate) const UPLOADS: &[&str] = &["application/octet-stream"];

/// A stored file, of the content type it was uploaded with.
pub(crate) const ANY_FILE: &[&str] = &["*/*"];

/// The downloads of a report table (`?format=csv|csv-plain|xlsx|pdf`; json is its JSON schema):
/// `csv` has a byte order mark and a decimal comma for Russian-locale Excel, `csv-plain` neither.
pub(crate) const TABLE_FILES: &[&str] = &[
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/pdf",
];

/// The bytes a signer signs (base64) with their SHA-256, and the version they belong to.
#[derive(Serialize, ToSchema)]
pub(crate) struct SigningData {
    pub(crate) version: i64,
    /// base64
    pub(crate) data: String,
    /// hex
    pub(crate) sha256: String,
}

/// The version of a document the caller saw (optimistic locking of a deletion).
#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct VersionQuery {
    pub(crate) version: i64,
}

/// The signing data of a document without a version.
#[derive(Serialize, ToSchema)]
pub(crate) struct SigningBytes {
    /// base64
    pub(crate) data: String,
    /// hex
    pub(crate) sha256: String,
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct Reason {
    #[serde(default)]
    pub(crate) reason: String,
}

#[derive(Deserialize, ToSchema)]
#[schema(as = PassportPublication)]
pub(crate) struct NewPublication {
    pub(crate) kind: String,
    pub(crate) f552: i64,
    #[serde(default)]
    pub(crate) f219: Option<i64>,
}
