//! Serving files: a report table as XLSX, CSV, PDF or JSON (P-19), and a stored attachment,
//! for the pages and the API alike.

use crate::error::{AppError, AppResult};
use axum::response::{IntoResponse, Response};

/// A table as a download: XLSX or CSV (P-19).
pub fn download(
    table: &jospar_reports::Table,
    format: &str,
    name: &str,
) -> AppResult<Option<Response>> {
    let (bytes, mime, ext) = match format {
        "xlsx" => (
            jospar_reports::to_xlsx(table).map_err(|e| AppError::Internal(e.to_string()))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        "csv" => (
            jospar_reports::to_csv(table).map_err(|e| AppError::Internal(e.to_string()))?,
            "text/csv; charset=utf-8",
            "csv",
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
    let disposition = format!("attachment; filename=\"{name}.{ext}\"");
    Ok(Some(
        (
            [
                (axum::http::header::CONTENT_TYPE, mime.to_string()),
                (axum::http::header::CONTENT_DISPOSITION, disposition),
            ],
            bytes,
        )
            .into_response(),
    ))
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
