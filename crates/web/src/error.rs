//! Errors of every handler, mapped to HTTP in one place. A handler answers a module's refusal
//! ([`jospar_access::Error`]); the `finish` middleware turns it into a translated HTML page or
//! a JSON body for `/api/`, with the status code decided here.

use crate::i18n::Tr;
use axum::http::StatusCode;

pub use jospar_access::{Error as AppError, Result as AppResult};

/// How a refusal reads over HTTP: its status, its code in JSON, its message in the user's
/// language and the field it names.
pub trait HttpError {
    fn status(&self) -> StatusCode;
    fn code(&self) -> &'static str;
    fn message(&self, tr: &Tr) -> String;
    fn field(&self) -> Option<&str>;
}

impl HttpError for AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Stale => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Invalid { .. } => "invalid",
            AppError::Stale => "stale",
            AppError::Internal(_) => "internal",
        }
    }

    /// The message in the user's language; field names are translated too.
    fn message(&self, tr: &Tr) -> String {
        match self {
            AppError::Invalid { key, args, .. } => {
                let translated: Vec<(&str, String)> = args
                    .iter()
                    .map(|(name, value)| {
                        if *name == "field" {
                            (*name, field_label(tr, value))
                        } else {
                            (*name, value.clone())
                        }
                    })
                    .collect();
                tr.args(key, &translated)
            }
            AppError::Unauthenticated => tr.t("err-unauthenticated"),
            AppError::Forbidden => tr.t("err-forbidden"),
            AppError::NotFound => tr.t("err-not-found"),
            AppError::Stale => tr.t("err-stale"),
            AppError::Internal(detail) => match detail.strip_prefix(crate::INCIDENT) {
                Some(incident) => tr.args(
                    "err-internal-incident",
                    &[("incident", incident.to_string())],
                ),
                None => tr.t("err-internal"),
            },
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => field.as_deref(),
            _ => None,
        }
    }
}

/// A page that could not be rendered is an internal error.
pub fn render_error(e: askama::Error) -> AppError {
    AppError::Internal(e.to_string())
}

/// A field's name as the user reads it: `field-{name}` translated, and a table's row
/// (`financing[2]`) as the table's name and the row's number.
fn field_label(tr: &Tr, value: &str) -> String {
    let label = |name: &str| {
        let key = format!("field-{name}");
        tr.has(&key).then(|| tr.t(&key))
    };
    if let Some((name, row)) = value
        .strip_suffix(']')
        .and_then(|rest| rest.split_once('['))
        .filter(|(_, row)| !row.is_empty() && row.bytes().all(|b| b.is_ascii_digit()))
        && let Some(table) = label(name)
    {
        return tr.args("field-row", &[("field", table), ("row", row.to_string())]);
    }
    label(value).unwrap_or_else(|| value.to_string())
}
