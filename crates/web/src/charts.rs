//! Charts over HTTP (issue 21): a chart's specification goes into the page for the browser
//! to draw (`templates/_chart.html`, `static/chart.js`); the server draws the same
//! specification as a file to download — PNG, JPEG or PDF.

use crate::error::{AppError, AppResult};
use axum::response::{IntoResponse, Response};
use jospar_charts::{Chart, Raster};

/// A chart on a page: its title, its specification for the browser, its downloads.
pub struct ChartView {
    pub title: String,
    pub json: String,
    pub png: String,
    pub jpeg: String,
    pub pdf: String,
}

/// The view of `chart`, whose files are served at `path` (with its query, if any).
pub fn view(chart: &Chart, path: &str) -> AppResult<ChartView> {
    let joiner = if path.contains('?') { '&' } else { '?' };
    let file = |format: &str| format!("{path}{joiner}format={format}");
    Ok(ChartView {
        title: chart.title.clone(),
        json: serde_json::to_string(chart).map_err(|e| AppError::Internal(e.to_string()))?,
        png: file("png"),
        jpeg: file("jpeg"),
        pdf: file("pdf"),
    })
}

/// The chart drawn as the file `format` asks for (PNG when none), named after its title.
pub fn chart_response(chart: &Chart, format: &str, name: &str) -> AppResult<Response> {
    let (bytes, content_type, extension) = match format {
        "pdf" => (
            jospar_charts::render_pdf(chart).map_err(|e| AppError::Internal(e.to_string()))?,
            "application/pdf",
            "pdf",
        ),
        other => {
            let raster = Raster::from_code(if other.is_empty() { "png" } else { other })
                .ok_or_else(|| AppError::invalid("err-chart-format", "format"))?;
            (
                jospar_charts::render(chart, raster)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
                raster.content_type(),
                raster.extension(),
            )
        }
    };
    let disposition = format!(
        "attachment; filename=\"{name}.{extension}\"; filename*=UTF-8''{}.{extension}",
        urlencoding::encode(&chart.title)
    );
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_string()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
