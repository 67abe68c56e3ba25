//! The report catalogue and its reports (P-19).

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::{Access, Api, Module};
use axum::Json;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub(super) fn routes(api: Api) -> Api {
    api.module(Module::Reports)
        .get(
            "/reports",
            "The report catalogue: names and parameters",
            Access::SignedIn,
            true,
            report_catalogue,
        )
        .get(
            "/reports/{name}",
            "A report (appendices 57–60, consolidated, pivot, breakdown): ?param=…&format=json|csv|xlsx|pdf",
            Access::Read,
            true,
            report,
        )
}

async fn report_catalogue(ctx: Ctx) -> AppResult<Json<Value>> {
    ctx.user()?;
    let reports: Vec<Value> = crate::reports::catalogue()
        .iter()
        .map(|r| {
            let params: Vec<Value> = r
                .params
                .iter()
                .map(|p| json!({"name": p.name, "required": p.required, "about": p.about}))
                .collect();
            json!({"name": r.name, "title": ctx.tr.t(&format!("report-{}", r.name)), "params": params})
        })
        .collect();
    Ok(Json(json!(reports)))
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
