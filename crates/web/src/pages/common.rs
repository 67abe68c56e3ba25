//! What the pages share: the choices of a select, the message of a refused form shown again
//! with 422, multipart uploads, the CSRF-only form, and organisation names for the lists.

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult, HttpError};
use axum::response::Response;
use serde::Deserialize;
use std::collections::HashMap;

pub(crate) use jospar_i18n::almaty_date_time;

/// One option of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Choices of a filter's select from (value, label), the one in `selected` marked.
pub(crate) fn choices(
    items: impl IntoIterator<Item = (String, String)>,
    selected: &str,
) -> Vec<Choice> {
    items
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == selected,
            value,
            label,
        })
        .collect()
}

/// The years a list of yearly documents is filtered by: two years back to three ahead,
/// newest first.
pub(crate) fn year_choices(selected: &str) -> Vec<Choice> {
    let this_year = chrono::Datelike::year(&chrono::Utc::now());
    choices(
        (this_year - 2..=this_year + 3)
            .rev()
            .map(|y| (y.to_string(), y.to_string())),
        selected,
    )
}

/// The message of a bad-input or stale-edit error, to show on the form; other errors pass.
pub(crate) fn form_message(ctx: &Ctx, error: impl Into<AppError>) -> AppResult<String> {
    match error.into() {
        error @ (AppError::Invalid { .. } | AppError::Stale) => Ok(error.message(&ctx.tr)),
        other => Err(other),
    }
}

/// A form shown again with its error answers 422, as every refused form does.
pub(crate) fn unprocessable_if(refused: bool, mut response: Response) -> Response {
    if refused {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// A file of a multipart form: the field's name, the file's name and its bytes.
pub(crate) struct Upload {
    pub(crate) field: String,
    pub(crate) file_name: String,
    pub(crate) bytes: Vec<u8>,
}

/// A multipart form's text fields and its (non-empty) files.
pub(crate) async fn multipart_form(
    mut multipart: axum::extract::Multipart,
) -> AppResult<(std::collections::HashMap<String, String>, Vec<Upload>)> {
    let bad = |e: axum::extract::multipart::MultipartError| AppError::Invalid {
        key: "err-bad-json",
        args: vec![("message", e.to_string())],
        field: None,
    };
    let mut fields = std::collections::HashMap::new();
    let mut files = Vec::new();
    while let Some(part) = multipart.next_field().await.map_err(bad)? {
        let field = part.name().unwrap_or_default().to_string();
        match part.file_name().map(str::to_string) {
            Some(file_name) => {
                let bytes = part.bytes().await.map_err(bad)?;
                if !bytes.is_empty() {
                    files.push(Upload {
                        field,
                        file_name,
                        bytes: bytes.to_vec(),
                    });
                }
            }
            None => {
                let text = part.text().await.map_err(bad)?;
                fields.insert(field, text);
            }
        }
    }
    Ok((fields, files))
}

/// A form that carries only its CSRF token.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct CsrfForm {
    pub(crate) csrf: String,
}

/// The names of all organisations in the page's language, by id.
/// The organisations a list is filtered "within": those above others in the reader's scope,
/// by name, the one in `selected` marked (issue 20).
pub async fn parent_choices(
    ctx: &Ctx,
    p: &jospar_access::Principal,
    selected: &str,
) -> AppResult<Vec<Choice>> {
    let read = p.scope(jospar_org::Right::Read);
    let mut parents: Vec<Choice> = jospar_org::repo::all_orgs(ctx.db())
        .await?
        .iter()
        .filter(|o| read.contains(o.id) && !p.tree.children(o.id).is_empty())
        .map(|o| Choice {
            selected: o.id.to_string() == selected,
            value: o.id.to_string(),
            label: o.name(ctx.tr.lang()).to_string(),
        })
        .collect();
    parents.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(parents)
}

pub async fn org_names(ctx: &Ctx) -> AppResult<HashMap<i64, String>> {
    Ok(jospar_org::repo::org_names(ctx.db(), ctx.tr.lang()).await?)
}

/// The search words of a short list's page (`?q=`), as the search box's "all" link sends them.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    pub q: String,
}

/// A short list searched for `q`, all its rows on one page.
pub fn searched(q: &str) -> jospar_core::listing::ListQuery {
    jospar_core::listing::ListQuery {
        q: q.trim().to_string(),
        limit: usize::MAX,
        ..Default::default()
    }
}
