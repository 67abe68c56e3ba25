//! What a use case answers when it refuses: the same refusals for the pages, the API and the
//! command line, which translate them (a Fluent key with its arguments) and map them to
//! their own status codes.

use chrono::NaiveDate;
use jospar_store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Nobody is signed in.
    Unauthenticated,
    Forbidden,
    NotFound,
    /// Bad input: a Fluent key with its arguments and the field or row it concerns.
    Invalid {
        key: &'static str,
        args: Vec<(&'static str, String)>,
        field: Option<String>,
    },
    /// Someone else saved first (optimistic locking).
    Stale,
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Bad input in one field, its message naming the field.
    pub fn invalid(key: &'static str, field: &str) -> Error {
        Error::Invalid {
            key,
            args: vec![("field", field.to_string())],
            field: Some(field.to_string()),
        }
    }

    /// Bad input in `field`, with more arguments for the message.
    pub fn invalid_with(
        key: &'static str,
        field: &str,
        extra: Vec<(&'static str, String)>,
    ) -> Error {
        let mut args = vec![("field", field.to_string())];
        args.extend(extra);
        Error::Invalid {
            key,
            args,
            field: Some(field.to_string()),
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Invalid { key, args, field } => write!(f, "{key} {args:?} ({field:?})"),
            Error::Internal(detail) => write!(f, "internal error: {detail}"),
            other => write!(f, "{other:?}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::Internal(e.to_string())
    }
}

/// A date typed as `YYYY-MM-DD` or `DD.MM.YYYY`.
pub fn parse_date(value: &str, field: &str) -> Result<NaiveDate> {
    let v = value.trim();
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(v, "%d.%m.%Y"))
        .map_err(|_| Error::invalid("err-date", field))
}

/// An id typed in a form.
pub fn parse_id(value: &str, field: &str) -> Result<i64> {
    value
        .trim()
        .parse()
        .map_err(|_| Error::invalid("err-required", field))
}

/// A handler's refusal travels in the response's extensions to the web layer, which decides
/// its status code and renders it as a page or as JSON in the user's language.
#[cfg(feature = "http")]
impl axum_core::response::IntoResponse for Error {
    fn into_response(self) -> axum_core::response::Response {
        if let Error::Internal(detail) = &self {
            tracing::error!("internal error: {detail}");
        }
        let mut response = http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
        response.extensions_mut().insert(self);
        response
    }
}
