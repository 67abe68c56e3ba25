//! The report catalogue and its reports (P-19).

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::{Access, Api, Module};
use axum::Json;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

pub(super) fn routes(api: Api) -> Api {
    api.module(Module::Reports)
        .get(
            "/reports",
            "The report catalogue (P-19): each report's name, title, source, module, specification numbers and parameters, in the modules' order: searched (q), filtered (module planning, execution, open_budget, oversight; number of the specification), sorted (sort=title, module, source, numbers; -column descending) and paged (offset or page, limit; 50 by default); the rows found on every page in the X-Total-Count header",
            Access::SignedIn,
            true,
            report_catalogue,
        )
        .query::<crate::listing::ListParams>()
        .query::<crate::queries::CatalogueFilterParams>()
        .answers::<jospar_reports::catalogue::CatalogueRow>()
        .get(
            "/reports/{name}",
            "A report (appendices 57–60, consolidated, pivot, breakdown): ?param=…&format=json|csv|csv-plain|xlsx|pdf (csv: UTF-8 with a byte order mark and a decimal comma, for Russian-locale Excel; csv-plain: no byte order mark, a decimal point; both with the exact amounts in tenge)",
            Access::Read,
            true,
            report,
        )
        .query::<ReportQuery>()
        .file_or::<jospar_reports::Table>(crate::api::common::TABLE_FILES)
}

/// `?format=` and the report's own parameters (see the catalogue).
#[derive(Deserialize, IntoParams)]
#[allow(dead_code)] // Documents the query read as a map.
struct ReportQuery {
    /// json (default), csv (for Excel: a byte order mark, a decimal comma), csv-plain (for
    /// programs: a decimal point), xlsx or pdf.
    format: Option<String>,
}

async fn report_catalogue(ctx: Ctx) -> AppResult<Response> {
    ctx.user()?;
    let search: crate::listing::ListParams = ctx.query_params();
    let filters: crate::queries::CatalogueFilterParams = ctx.query_params();
    let listed = crate::reports::catalogue().list(&ctx.tr, &filters.filter(), &search.query());
    Ok(crate::listing::api_answer(listed))
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
