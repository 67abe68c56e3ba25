//! Serving files: a report table as XLSX, CSV, PDF or JSON (P-19), and a stored attachment,
//! for the pages and the API alike.

use crate::error::{AppError, AppResult};
use axum::response::{IntoResponse, Response};

/// A table as a download (P-19): XLSX, PDF, JSON, or CSV — `csv` for a spreadsheet in a Russian
/// or Kazakh locale (a byte order mark, a decimal comma), `csv-plain` for programs.
pub fn download(
    table: &jospar_reports::Table,
    format: &str,
    name: &str,
) -> AppResult<Option<Response>> {
    if let Some(style) = jospar_reports::CsvStyle::of_format(format) {
        let bytes =
            jospar_reports::to_csv(table, style).map_err(|e| AppError::Internal(e.to_string()))?;
        let mime = "text/csv; charset=utf-8";
        return Ok(Some(file(bytes, mime, (name, table), "csv")));
    }
    let (bytes, mime, ext) = match format {
        "xlsx" => (
            jospar_reports::to_xlsx(table).map_err(|e| AppError::Internal(e.to_string()))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        "pdf" => (
            jospar_reports::to_pdf(table).map_err(|e| AppError::Internal(e.to_string()))?,
            "application/pdf",
            "pdf",
        ),
        "json" => (
            serde_json::to_vec_pretty(table).map_err(|e| AppError::Internal(e.to_string()))?,
            "application/json",
            "json",
        ),
        _ => return Ok(None),
    };
    Ok(Some(file(bytes, mime, (name, table), ext)))
}

/// The file as a download: named after the report's title in the user's language (issue 21),
/// with the ASCII `name` for the clients that do not read `filename*`.
fn file(
    bytes: Vec<u8>,
    mime: &str,
    (name, table): (&str, &jospar_reports::Table),
    ext: &str,
) -> Response {
    let mut disposition = format!("attachment; filename=\"{name}.{ext}\"");
    if let Some(title) = jospar_reports::file_name(table) {
        let encoded = urlencoding::encode(&title);
        disposition.push_str(&format!("; filename*=UTF-8''{encoded}.{ext}"));
    }
    (
        [
            (axum::http::header::CONTENT_TYPE, mime.to_string()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

pub fn attachment_response(meta: &jospar_planning::repo::Attachment, content: Vec<u8>) -> Response {
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        urlencoding::encode(&meta.file_name)
    );
    (
        [
            (axum::http::header::CONTENT_TYPE, meta.content_type.clone()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        content,
    )
        .into_response()
}
