//! Charts over HTTP (issue 21): a chart drawn by the server from its specification, as a file
//! to download. The specification itself goes into the page for the browser to draw.

use crate::error::{AppError, AppResult};
use axum::response::{IntoResponse, Response};
use jospar_charts::{Chart, Raster};

pub fn chart_response(chart: &Chart, raster: Raster, name: &str) -> AppResult<Response> {
    let bytes =
        jospar_charts::render(chart, raster).map_err(|e| AppError::Internal(e.to_string()))?;
    let disposition = format!(
        "attachment; filename=\"{name}.{ext}\"; filename*=UTF-8''{}.{ext}",
        urlencoding::encode(&chart.title),
        ext = raster.extension()
    );
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                raster.content_type().to_string(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
