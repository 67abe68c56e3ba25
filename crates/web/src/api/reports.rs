//! The report catalogue and its reports (P-19).

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::{Access, Api, Module};
use axum::Json;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

pub(super) fn routes(api: Api) -> Api {
    api.module(Module::Reports)
        .get(
            "/reports",
            "The report catalogue: names and parameters",
            Access::SignedIn,
            true,
            report_catalogue,
        )
        .answers::<ReportInfo>()
        .get(
            "/reports/{name}",
            "A report (appendices 57–60, consolidated, pivot, breakdown): ?param=…&format=json|csv|xlsx|pdf",
            Access::Read,
            true,
            report,
        )
        .query::<ReportQuery>()
        .file_or::<jospar_reports::Table>(crate::api::common::TABLE_FILES)
}

/// A report of the catalogue: its name, its title in the caller's language, its parameters.
#[derive(Serialize, ToSchema)]
struct ReportInfo {
    name: &'static str,
    title: String,
    params: Vec<ReportParam>,
}

#[derive(Serialize, ToSchema)]
struct ReportParam {
    name: &'static str,
    required: bool,
    about: &'static str,
}

/// `?format=` and the report's own parameters (see the catalogue).
#[derive(Deserialize, IntoParams)]
#[allow(dead_code)] // Documents the query read as a map.
struct ReportQuery {
    /// json (default), csv, xlsx or pdf.
    format: Option<String>,
}

async fn report_catalogue(ctx: Ctx) -> AppResult<Json<Vec<ReportInfo>>> {
    ctx.user()?;
    let reports = crate::reports::catalogue()
        .iter()
        .map(|r| ReportInfo {
            name: r.name,
            title: ctx.tr.t(&format!("report-{}", r.name)),
            params: r
                .params
                .iter()
                .map(|p| ReportParam {
                    name: p.name,
                    required: p.required,
                    about: p.about,
                })
                .collect(),
        })
        .collect();
    Ok(Json(reports))
}

async fn report(
    ctx: Ctx,
    Path(name): Path<String>,
    Query(params): Query<std::collections::HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    crate::reports::catalogue()
        .find(&name)
        .ok_or(AppError::NotFound)?;
    let reader = jospar_access::Reader::User(p);
    let table = crate::reports::catalogue()
        .build(ctx.db(), &ctx.tr, &p.tree, &reader, &name, &params)
        .await?;
    let format = params.get("format").map(String::as_str).unwrap_or("json");
    match crate::files::download(&table, format, &name)? {
        Some(file) if format != "json" => Ok(file),
        _ => Ok(Json(json!(table)).into_response()),
    }
}
