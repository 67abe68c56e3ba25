//! Errors of every handler, mapped to HTTP in one place. A handler returns an [`AppError`];
//! the `finish` middleware turns it into a translated HTML page or a JSON body for `/api/`.

use crate::i18n::Tr;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jospar_classification::ImportError;
use jospar_org::repo::RepoError;
use jospar_org::{OrgError, UserError};
use jospar_store::StoreError;

#[derive(Debug, Clone)]
pub enum AppError {
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

impl AppError {
    pub fn invalid(key: &'static str, field: &str) -> AppError {
        AppError::Invalid {
            key,
            args: vec![("field", field.to_string())],
            field: Some(field.to_string()),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Stale => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
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
    pub fn message(&self, tr: &Tr) -> String {
        match self {
            AppError::Invalid { key, args, .. } => {
                let translated: Vec<(&str, String)> = args
                    .iter()
                    .map(|(name, value)| {
                        if *name == "field" {
                            let field_key = format!("field-{value}");
                            (
                                *name,
                                if tr.has(&field_key) {
                                    tr.t(&field_key)
                                } else {
                                    value.clone()
                                },
                            )
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
            AppError::Internal(_) => tr.t("err-internal"),
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => field.as_deref(),
            _ => None,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self {
            tracing::error!("internal error: {detail}");
        }
        let mut response = self.status().into_response();
        response.extensions_mut().insert(self);
        response
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::Internal(e.to_string())
    }
}

/// The execution module's storage: a store failure as such, a stored value it cannot read as
/// an internal error.
impl From<jospar_execution::repo::RepoError> for AppError {
    fn from(e: jospar_execution::repo::RepoError) -> Self {
        match e {
            jospar_execution::repo::RepoError::Store(s) => s.into(),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<RepoError<OrgError>> for AppError {
    fn from(e: RepoError<OrgError>) -> Self {
        match e {
            RepoError::Store(s) => s.into(),
            RepoError::Domain(d) => org_error(d),
        }
    }
}

impl From<RepoError<UserError>> for AppError {
    fn from(e: RepoError<UserError>) -> Self {
        match e {
            RepoError::Store(s) => s.into(),
            RepoError::Domain(d) => user_error(d),
        }
    }
}

fn with(key: &'static str, field: &str, extra: Vec<(&'static str, String)>) -> AppError {
    let mut args = vec![("field", field.to_string())];
    args.extend(extra);
    AppError::Invalid {
        key,
        args,
        field: Some(field.to_string()),
    }
}

pub fn org_error(e: OrgError) -> AppError {
    match e {
        OrgError::Required { field } => with("err-required", field, vec![]),
        OrgError::UnknownKind(v) => with("err-unknown-value", "kind", vec![("value", v)]),
        OrgError::UnknownScenario(v) => with("err-unknown-value", "scenario", vec![("value", v)]),
        OrgError::UnknownParent => with("err-unknown-org", "parent_id", vec![]),
        OrgError::UnknownBudget => with("err-unknown-budget", "budget_id", vec![]),
        OrgError::KindNotAllowed { parent, child } => with(
            "err-kind-not-allowed",
            "parent_id",
            vec![("parent", parent.into()), ("child", child.into())],
        ),
        OrgError::Cycle => with("err-org-cycle", "parent_id", vec![]),
        OrgError::UnknownAbpCode(code) => {
            with("err-unknown-code", "abp_code", vec![("value", code)])
        }
        OrgError::Bin(e) => with(iin_key(&e), "bin", vec![]),
        OrgError::Stale => AppError::Stale,
        OrgError::NotFound => AppError::NotFound,
        OrgError::HasOpenChildren => with("err-open-children", "close_on", vec![]),
        OrgError::ParentClosed => with("err-parent-closed", "parent_id", vec![]),
    }
}

fn iin_key(e: &jospar_core::IinError) -> &'static str {
    match e {
        jospar_core::IinError::NotTwelveDigits => "err-iin-digits",
        jospar_core::IinError::Checksum => "err-iin-checksum",
        jospar_core::IinError::BirthDate => "err-iin-date",
        jospar_core::IinError::CenturyDigit => "err-iin-century",
    }
}

pub fn user_error(e: UserError) -> AppError {
    match e {
        UserError::Required { field } => with("err-required", field, vec![]),
        UserError::Iin(e) => with(iin_key(&e), "iin", vec![]),
        UserError::LoginFormat => with("err-login-format", "login", vec![]),
        UserError::DuplicateLogin => with("err-login-taken", "login", vec![]),
        UserError::PasswordTooShort => with("err-password-short", "password", vec![]),
        UserError::Email => with("err-email", "email", vec![]),
        UserError::UnknownOrg => with("err-unknown-org", "org_id", vec![]),
        UserError::UnknownRole(v) => with("err-unknown-value", "role", vec![("value", v)]),
        UserError::ExpiryInPast => with("err-expiry-past", "valid_until", vec![]),
        UserError::Stale => AppError::Stale,
        UserError::NotFound => AppError::NotFound,
    }
}

pub fn import_error(e: ImportError) -> AppError {
    let invalid = |key, args: Vec<(&'static str, String)>, field: Option<String>| {
        AppError::Invalid { key, args, field }
    };
    match e {
        ImportError::NotUtf8 => invalid("err-import-utf8", vec![], Some("file".into())),
        ImportError::Empty => invalid("err-import-empty", vec![], Some("file".into())),
        ImportError::UnknownFormat => invalid("err-import-format", vec![], Some("file".into())),
        ImportError::Csv { row, message } => invalid(
            "err-import-csv",
            vec![("row", row.to_string()), ("message", message)],
            Some(format!("row {row}")),
        ),
        ImportError::BadValue { row, column, value }
        | ImportError::UnknownKind { row, column, value } => invalid(
            "err-import-value",
            vec![
                ("row", row.to_string()),
                ("column", column.clone()),
                ("value", value),
            ],
            Some(format!("row {row}, {column}")),
        ),
        ImportError::YearRequired => invalid("err-import-year", vec![], Some("year_from".into())),
        ImportError::NothingInRange => {
            invalid("err-import-nothing", vec![], Some("year_from".into()))
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
